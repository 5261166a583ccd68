"""The scenario schema: every figure the cost model reads, with its unit in its name and its source.

A numeric field is written in YAML in one of three ways::

    wage_per_hour: 31                                   # a plain number
    wage_per_hour: {value: 31, source: "NBS 2022 ..."}  # a number with its source
    wage_per_hour: {dist: triangular, low: 20, mode: 31, high: 50, source: "..."}

All three become a `Quantity`.  The deterministic model uses `Quantity.central`; the
uncertainty work samples `Quantity.dist`.  Unknown keys are errors (the loader adds a
"did you mean" suggestion); bounds are checked against the number *and* against everything
a distribution can produce.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Iterator, Literal, get_args

from pydantic import BaseModel, Field, field_validator, model_validator

from artcost.model.market_schema import MarketSection
from artcost.model.quantity import (  # noqa: F401 - re-exported: the schema's figure types
    AtLeastOne,
    NonNegative,
    Positive,
    Probability,
    Quantity,
    Share,
    Strict,
    bounds,
    default,
)
from artcost.model.suggest import did_you_mean


# The sections the cost model reads; `market` feeds the market simulator only.
COST_SECTIONS = ("job", "generation", "compute", "human", "artist")


class Source(Strict):
    id: str | None = None
    title: str
    url: str | None = None


class Meta(Strict):
    name: str
    description: str = ""
    currency: str = Field(description="ISO 4217 code of every money figure in this file, e.g. CNY, USD")
    as_of: dt.date
    sources: list[str | Source] = Field(default_factory=list)

    @field_validator("as_of", mode="before")
    @classmethod
    def _a_date(cls, value: Any) -> Any:
        """A date as written (2024-03-31): pydantic would read a number (or numeric text) as seconds since
        1970, so `--set meta.as_of=2024` or `as_of: 0` became 1970-01-01 without a word."""
        if isinstance(value, (bool, int, float)) or (
                isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip())):
            raise ValueError(f"must be a date written YYYY-MM-DD (got {value!r:.40})")
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, currency: str) -> str:
        from artcost.model.currency import known_currencies

        known = known_currencies()
        if currency not in known:
            alias = {"RMB": "CNY", "YUAN": "CNY", "US$": "USD", "EURO": "EUR"}.get(currency.upper())
            hint = f" (use the ISO code {alias!r})" if alias else did_you_mean(currency, known)
            raise ValueError(f"unknown currency {currency!r}{hint}; known: {', '.join(known)}")
        return currency


class Job(Strict):
    finals_needed: AtLeastOne = Field(description="final images the job must deliver")
    jobs_per_month: Positive | None = Field(
        None, description="jobs a month; spreads a subscription fee (required with compute.subscription)"
    )


class Generation(Strict):
    seconds_per_image: Positive = Field(description="GPU seconds per image at `batch_size`, end to end")
    batch_size: int = Field(1, ge=1, strict=True, description="batch size at which seconds_per_image holds")
    candidates_per_job: Positive = Field(description="images generated per job, to choose from")
    acceptance_rate: Probability = Field(description="share of candidates usable as a final, in (0, 1]")
    gpus: AtLeastOne = default(1, "one GPU")
    scaling_efficiency: Probability = default(1, "perfect data-parallel scaling across GPUs")
    arch: str | None = Field(None, description="model architecture the speed refers to (sd15, sdxl, ...)")
    resolution_px: int | None = Field(None, gt=0, le=65536, strict=True, description="image side in pixels the speed refers to")
    steps: int | None = Field(None, gt=0, le=10000, strict=True, description="denoising steps the speed refers to")
    device: str | None = Field(None, description="device the speed refers to, e.g. 'RTX 3060 Ti'")
    from_bench: str | None = Field(None, description="take seconds_per_image from a stored benchmark: 'latest' or an ID")
    from_catalogue: str | None = Field(
        None, description="take seconds_per_image (where none is given) from a published run: a row id of "
                          "artcost/data/published_runs.yaml")

    @field_validator("from_catalogue")
    @classmethod
    def _catalogue_row(cls, ref: str | None) -> str | None:
        if ref is not None:
            from artcost.model.catalogue import check_row_id

            check_row_id(ref)
        return ref


class Owned(Strict):
    purchase_price: NonNegative
    resale_value: NonNegative = default(0, "no resale")
    lifetime_years: Positive
    hours_used_per_year: Annotated[Quantity, bounds(gt=0, le=8784)] = Field(
        description="hours of use a year; a leap year has 8,784"
    )
    board_power_w: NonNegative
    system_power_w: NonNegative = default(0, "GPU board power only")
    price_per_kwh: NonNegative
    pue: AtLeastOne = default(1, "no cooling overhead (a home or office machine)")


class Cloud(Strict):
    price_per_gpu_hour: NonNegative
    billing_granularity_seconds: Positive = default(1, "per-second billing")
    minimum_billed_seconds: NonNegative = default(0, "no minimum charge")
    startup_seconds_per_gpu: NonNegative = default(0, "no billed start-up (model load, cold start)")


class Subscription(Strict):
    monthly_fee: NonNegative
    images_included_per_month: NonNegative
    price_per_extra_image: NonNegative


class Api(Strict):
    """A hosted API billed per image, per megapixel of output and/or per step (docs/routes.md); its prices
    in the scenario's currency, or filled from a row of artcost/data/api_prices.yaml (`from_price_table`)."""

    from_price_table: str | None = Field(None, description="a row id of artcost/data/api_prices.yaml")
    price_per_image: NonNegative = default(0, "no flat price per image")
    price_per_megapixel: NonNegative = default(0, "no price per megapixel")
    megapixel_rounding: Literal["exact", "up"] = Field("exact", description="'up': each image billed as whole megapixels")
    price_per_step: NonNegative = default(0, "no price per step")
    steps_included: int = Field(0, ge=0, le=10000, strict=True, description="steps the per-image price covers")
    rate_limit_images_per_minute: Positive | None = Field(None, description="the provider's rate limit, if known")

    @model_validator(mode="after")
    def _some_price(self):
        if not {"price_per_image", "price_per_megapixel", "price_per_step"} & self.model_fields_set:
            raise ValueError("give a price (price_per_image, price_per_megapixel or price_per_step), "
                             "or a row of the price table (from_price_table: ID)")
        return self

    def derived_values(self, generation: "Generation") -> dict[str, float]:
        """What the API formula reads besides prices: megapixels billed per image, steps billed as extra."""
        from artcost.model.api_prices import billed_megapixels

        mp = 0.0 if generation.resolution_px is None else billed_megapixels(generation.resolution_px,
                                                                             self.megapixel_rounding == "up")
        extra = 0.0 if generation.steps is None else float(max(0, generation.steps - self.steps_included))
        return {"compute.api.billed_megapixels": mp, "compute.api.extra_steps": extra}


COMPUTE_KINDS = ("owned", "cloud", "subscription", "api")


class Compute(Strict):
    """Exactly one way of paying for the GPU time; where its electricity comes from, for carbon."""

    owned: Owned | None = None
    cloud: Cloud | None = None
    subscription: Subscription | None = None
    api: Api | None = None
    grid_region: str | None = Field(None, description="region of the grid the GPU draws from (artcost/data/grid_carbon.yaml)")
    datacentre_pue: AtLeastOne | None = Field(None, description="PUE of a rented GPU's data centre, for carbon")
    carbon_price_per_tonne: NonNegative | None = Field(None, description="a price of CO2e, to show carbon as money")

    @field_validator("grid_region")
    @classmethod
    def _region(cls, region: str | None) -> str | None:
        if region is not None:
            from artcost.model.carbon import check_region

            check_region(region)
        return region

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in COMPUTE_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            got = ", ".join(given) if given else "none"
            raise ValueError(f"give exactly one of {', '.join(COMPUTE_KINDS)} (got {got})")
        return self

    @property
    def kind(self) -> Literal["owned", "cloud", "subscription", "api"]:
        return next(k for k in COMPUTE_KINDS if getattr(self, k) is not None)


class Human(Strict):
    wage_per_hour: NonNegative = Field(description="the operator's hourly cost")
    prompt_tuning_minutes_per_job: NonNegative
    learning_hours: NonNegative = default(0, "no learning time counted")
    learning_jobs_amortised: AtLeastOne = default(1, "learning charged to one job")
    screening_seconds_per_candidate: NonNegative
    screening_rounds: NonNegative = default(1, "one screening pass")
    attend_share: Share = default(0, "generation runs unattended")
    retouch_share: Share = default(0, "no final needs retouching")
    retouch_price_per_image: NonNegative = default(0, "no retoucher's fee")
    retouch_minutes_per_image: NonNegative = default(0, "no own retouching time")
    retouch_lead_time_days: NonNegative = default(0, "retouching adds no delay")

    @model_validator(mode="after")
    def _retouch_one_way(self):
        if self.retouch_price_per_image.central > 0 and self.retouch_minutes_per_image.central > 0:
            raise ValueError(
                "retouching is either bought (retouch_price_per_image) or done by the operator "
                "(retouch_minutes_per_image); set one of them, not both"
            )
        return self


class Artist(Strict):
    tier: str = Field("", description="label, e.g. 'mid-tier, China 2022'")
    price_per_image: Positive
    revision_price_per_image: NonNegative = default(0, "revisions included in the price")
    lead_time_days: NonNegative
    availability_probability: Probability = default(1, "the artist is always available in time")


class Scenario(Strict):
    meta: Meta
    job: Job
    generation: Generation
    compute: Compute
    human: Human
    artist: Artist
    market: MarketSection | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_tables(cls, data: Any) -> Any:
        """`compute.api.from_price_table: ID` fills the row's prices in the scenario's currency, and
        `generation.from_catalogue: ID` the published run's speed, where the scenario gives none (labelled)."""
        from artcost.model.api_prices import fill_from_price_table
        from artcost.model.catalogue import fill_from_catalogue

        return fill_from_catalogue(fill_from_price_table(data))

    @model_validator(mode="after")
    def _api_needs_settings(self):
        api = self.compute.api
        if api is not None:
            if api.price_per_megapixel.span[1] > 0 and self.generation.resolution_px is None:
                raise ValueError("generation.resolution_px is required with compute.api.price_per_megapixel "
                                 "(the megapixels billed per image)")
            if api.price_per_step.span[1] > 0 and self.generation.steps is None:
                raise ValueError("generation.steps is required with compute.api.price_per_step (the steps billed)")
        return self

    @model_validator(mode="after")
    def _subscription_needs_jobs(self):
        if self.compute.kind == "subscription" and self.job.jobs_per_month is None:
            raise ValueError("job.jobs_per_month is required with compute.subscription (it spreads the monthly fee)")
        return self

    @model_validator(mode="after")
    def _pairs_that_bound_each_other(self):
        """Fields whose difference or ratio the model takes: refused when that could go negative or infinite."""
        owned = self.compute.owned
        if owned is not None:
            resale_hi = owned.resale_value.span[1]
            price_lo = owned.purchase_price.span[0]
            if resale_hi > price_lo:
                ccy = self.meta.currency  # the figures are the file's money: say in which currency
                raise ValueError(
                    f"compute.owned.resale_value must not exceed compute.owned.purchase_price (resale up to "
                    f"{resale_hi:,.6g} {ccy}, price from {price_lo:,.6g} {ccy}): hardware would cost less than nothing"
                )
        finals_hi = self.job.finals_needed.span[1]
        candidates_lo = self.generation.candidates_per_job.span[0]
        if finals_hi > candidates_lo:
            raise ValueError(
                f"job.finals_needed must not exceed generation.candidates_per_job (finals up to {finals_hi:g}, "
                f"candidates from {candidates_lo:g}): a job could never deliver its finals"
            )
        return self

    @model_validator(mode="after")
    def _ai_side_costs_something(self):
        """A scenario whose AI side can cost nothing has no artist / AI ratio: refused here, before any
        command's arithmetic meets the zero (`model.degenerate`)."""
        from artcost.model.degenerate import problems

        found = problems(self)
        if found:
            raise ValueError(found[0])  # one cause at a time: each names the field its line points at
        return self

    def quantities(self) -> dict[str, Quantity]:
        """Every numeric field of the active sections by dotted path, e.g. 'human.wage_per_hour'."""
        return dict(_walk(self, ""))

    def cost_quantities(self) -> dict[str, Quantity]:
        """The numeric fields the cost model reads (every section but `market`)."""
        return {p: q for p, q in self.quantities().items() if p.split(".", 1)[0] in COST_SECTIONS}

    def values(self) -> dict[str, float]:
        """Central values by dotted path: what the deterministic model reads (an API's billed megapixels
        and extra steps besides, derived from the generation settings)."""
        out = {path: q.central for path, q in self.quantities().items()}
        if self.compute.api is not None:
            out.update(self.compute.api.derived_values(self.generation))
        return out


def model_class_of(annotation: Any) -> type[BaseModel] | None:
    """The section model inside a field's annotation (through Optional, unions, Annotated), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = model_class_of(arg)
        if found is not None:
            return found
    return None


def _walk(model: BaseModel, prefix: str) -> Iterator[tuple[str, Quantity]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Quantity):
            yield path, value
        elif isinstance(value, BaseModel) and not isinstance(value, (Source,)):
            yield from _walk(value, path + ".")
