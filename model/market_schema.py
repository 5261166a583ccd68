"""The `market:` section of a scenario: buyer segments, AI awareness, artists' response.

Every number is a `Quantity` (plain number, {value, source} or {dist, ...}) with the bound
types of `model.quantity`, so distributions, sources and bound checks work as in the other
sections.  The equations that read these fields are in docs/market-model.md; units are in
the field names and descriptions.  Money is in the scenario's `meta.currency`.

Segments are three fixed, named sub-sections (`low`, `mid`, `high`) rather than a free list:
that keeps every field reachable by `Scenario.quantities()` (so the uncertainty work samples
them) and lets the loader suggest "did you mean" for misspelt segment and field names.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from artcost.model.quantity import NonNegative, Positive, Probability, Share, Strict, default

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(value: Any) -> str:
    """Accept 2022-10 (YAML reads it as text) or a full date; keep 'YYYY-MM'."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        m = _MONTH.match(value.strip())
        if m and 1 <= int(m.group(2)) <= 12:
            return value.strip()
    raise ValueError(f"must be a month written YYYY-MM, e.g. 2022-10 (got {value!r})")


Month = Annotated[str, BeforeValidator(_month)]


def month_index(month: str) -> int:
    """'2022-10' -> months since year 0 (for differences between months)."""
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


class Bass(Strict):
    """Bass diffusion: the share F(t) of a population that has adopted (here: knows of / uses) AI.

    dF/dt = (p + q F/m)(m - F), F(0) = 0.  p and q are written per YEAR, as published
    (Sultan, Farley & Lehmann 1990 report annual coefficients); the model divides both by 12,
    which is exact for the continuous Bass model (its hazard scales with the time unit).
    """

    p_per_year: Positive = Field(description="coefficient of innovation, per year")
    q_per_year: NonNegative = Field(description="coefficient of imitation, per year")
    m: Probability = Field(description="market potential: share of the population that eventually adopts, (0, 1]")


class AIOptions(Strict):
    """How the AI options evolve over time, beyond what the cost model gives for the scenario's date."""

    quality_start: Share = Field(description="AI quality score (0..1) at the start month, same scale as requirements")
    quality_ceiling: Share = Field(description="quality the AI approaches in the long run (0..1)")
    quality_halflife_years: Positive = Field(description="years for the gap to the ceiling to halve")
    cost_decline_per_year: Share = default(0, "AI cost per usable image held at the scenario's figure")
    retouch_quality_gain: Share = Field(description="share of the gap to a perfect image (quality 1) a retoucher closes")
    retouch_cap_multiple: Positive = Field(
        description="a retoucher's price is at most this multiple of the buyer's own AI cost per usable image"
    )

    @model_validator(mode="after")
    def _ceiling(self):
        if self.quality_ceiling.central < self.quality_start.central:
            raise ValueError(
                f"quality_ceiling ({self.quality_ceiling.central:g}) must be >= quality_start "
                f"({self.quality_start.central:g}): the curve rises towards the ceiling"
            )
        return self


class ArtistAI(Strict):
    """An artist who adopts AI: less time per image, part of the saving passed on in the price."""

    time_saving: Share = Field(description="share of the artist's time per image that AI saves, 0..1 (< 1)")
    price_pass_through: NonNegative = Field(
        description="elasticity of the artist's price to their time per image: price x (1 - time_saving)^this"
    )
    adoption: Bass = Field(description="Bass diffusion of AI use among artists")

    @model_validator(mode="after")
    def _saving(self):
        if self.time_saving.central >= 1:
            raise ValueError("time_saving must be < 1 (an artist still spends some time on each image)")
        return self


class Artists(Strict):
    """How artists' prices respond when demand falls."""

    price_elasticity: NonNegative = Field(
        description="price follows demand: price / base = (demand / base demand)^this; 0 = prices never move"
    )
    living_cost_per_month: NonNegative = Field(
        description="an artist's cost of living a month; price floor = this / artist_images_per_month"
    )


class ArtistSpread(Strict):
    """Artists as a distribution within each segment (docs/market-model.md section 6b): ARTIST_TYPES types at the
    normal quantiles z of one latent standing, each with its own clientele. A type's price multiple is
    exp(price_log_sd z), its quality and its clients' requirement are the segment's + quality_sd z, its clients'
    willingness to pay scales with its price and its images a month with 1 / its price (the same hourly earnings);
    within each type a share B(t) has adopted AI (the Bass curve) and the rest have not, each group with its own
    commissions. A survey's "lost work" is an artist whose commissions (or income) are more than loss_threshold below
    their no-AI level; luck_sd smooths that line (each artist's own luck, log-normal)."""

    quality_sd: Share = default(0.05, "assumption: artists of one segment differ by about 0.05 in quality (0-1 scale)")
    price_log_sd: NonNegative = default(0.4, "assumption: prices within a segment spread about x1.5 either way (log sd 0.4)")
    loss_threshold: Share = default(0.1, "assumption: an artist notices a loss of more than 10% of work or income")
    luck_sd: Positive = default(0.05, "assumption: an artist's own luck moves their work by about 5% (log sd)")


class Segment(Strict):
    """One group of buyers: how many commissions, what they pay, what they need, what they weigh."""

    commissions_per_month: Positive = Field(
        description="commissions this segment buys a month without AI (the no-AI baseline)"
    )
    artist_price_multiple: Positive = Field(
        description="this segment's artist price / the scenario's artist.price_per_image"
    )
    artist_quality: Share = Field(description="quality score (0..1) of the artists this segment hires")
    artist_images_per_month: Positive = Field(description="images one such artist finishes a month (for the price floor)")
    willingness_to_pay: Positive = Field(
        description="money per image that costs the buyer `weight_price` utils; the money scale of the utility"
    )
    quality_requirement: Share = Field(description="quality score (0..1) the buyer asks for at the artist's price")
    requirement_flex: NonNegative = Field(
        description="quality points the requirement drops per 10x lower price than the artist's base price"
    )
    weight_price: Positive = Field(description="utils lost per willingness_to_pay of price")
    weight_time_per_day: NonNegative = Field(description="utils lost per day of delivery time")
    weight_quality: NonNegative = Field(description="utils lost per unit (1.0) of quality shortfall below the requirement")
    demand_elasticity: NonNegative = default(
        0, "the segment's number of commissions is fixed: cheaper images bring no new buyers"
    )
    awareness: Bass | None = Field(
        None, description="this segment's own Bass curve of awareness (default: market.awareness)"
    )


class Segments(Strict):
    low: Segment = Field(description="low end: cheap piece-rate commissions (the seed says hit first)")
    mid: Segment = Field(description="middle of the market")
    high: Segment = Field(description="high end: demanding buyers, expensive artists")


class MarketSection(Strict):
    """Who buys what, month by month, once AI is known; see docs/market-model.md."""

    start: Month = Field(description="first simulated month, YYYY-MM")
    end: Month = Field(description="last simulated month, YYYY-MM")
    release: Month | None = Field(None, description="month AI became available to buyers (default: start)")
    awareness: Bass = Field(
        description="Bass diffusion of buyers' awareness of the AI options (a segment may give its own)"
    )
    ai: AIOptions
    artist_ai: ArtistAI
    artists: Artists
    segments: Segments
    choice_sensitivity: Positive = default(1.0, "the segments' weights as written: no common factor on them")
    artist_spread: ArtistSpread = Field(default_factory=ArtistSpread, description="artists as a distribution within "
                                        "each segment, for the shares of artists who lost work or income")

    @model_validator(mode="after")
    def _months(self):
        n = month_index(self.end) - month_index(self.start) + 1
        if n < 1:
            raise ValueError(f"end ({self.end}) must not be before start ({self.start})")
        if n > 1200:
            raise ValueError(f"start {self.start} to end {self.end} is {n} months; at most 1200 (100 years)")
        if self.release is not None and month_index(self.release) > month_index(self.end):
            raise ValueError(f"release ({self.release}) is after end ({self.end}): AI would never appear")
        return self

    @property
    def n_months(self) -> int:
        return month_index(self.end) - month_index(self.start) + 1

    @property
    def release_offset(self) -> int:
        """Months from start to release (negative if AI was released before the simulation starts)."""
        return 0 if self.release is None else month_index(self.release) - month_index(self.start)


SEGMENT_NAMES = tuple(Segments.model_fields)

