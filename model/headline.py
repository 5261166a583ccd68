"""The headline: what one usable image typically costs with AI and from the artist, with a 90% interval.

The scenarios' ranges are right-skewed around the figure each states (a retoucher's price mode 30,
mean 47), so the central-value answer (every input at its mode or midpoint) sits low in the model's
own Monte Carlo: on the seed scenario at about its 40th percentile (30.47 CNY against a median of
33). A stakeholder sentence therefore quotes the median of a seeded Monte Carlo of the full
model, with its 5th-95th percentile interval; the central-value point is kept beside it, labelled.

`headline_for(scenario, currency)` runs `uncertainty.simulate` with `DEFAULT_DRAWS` draws and
`DEFAULT_SEED` (the Uncertainty page's defaults, so both show the same numbers; 20,000 draws take
about 8 ms on our 2-core machine, docs/cost-model.md) and returns a `Headline`; the CLI, the
dashboard and the report only print `Headline.sentence()` and `Headline.note()`.  AI cost, artist
cost and the ratio are each summarised over the draws on their own: the median ratio is the
typical draw's ratio, not the ratio of the two medians.  A scenario without distributions gets
its point figure, said to be one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Mapping

import numpy as np

from artcost.model import uncertainty
from artcost.model.loader import LoadedScenario
from artcost.model.schema import Scenario
from artcost.units import duration, duration_range, figure, money, money_approx, ratio_phrase

DEFAULT_DRAWS = 20_000
DEFAULT_SEED = 0
INTERVAL = "90%"  # p5..p95


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _float(x: Any) -> float:
    return float("nan") if x is None else float(x)


@dataclass(frozen=True)
class Spread:
    """Median and 5th/95th percentiles of one output over the draws (all three equal for a point)."""

    median: float
    p5: float
    p95: float

    @classmethod
    def of(cls, x: np.ndarray) -> "Spread":
        p5, p50, p95 = np.percentile(np.asarray(x, dtype=float), [5, 50, 95])
        return cls(float(p50), float(p5), float(p95))

    @classmethod
    def point(cls, x: float) -> "Spread":
        return cls(float(x), float(x), float(x))

    def scaled(self, factor: float) -> "Spread":
        return Spread(self.median * factor, self.p5 * factor, self.p95 * factor)

    def to_dict(self) -> dict[str, float | None]:
        return {"median": _finite_or_none(self.median), "p5": _finite_or_none(self.p5), "p95": _finite_or_none(self.p95)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Spread":
        return cls(_float(d["median"]), _float(d["p5"]), _float(d["p95"]))


def ratio_words(r: Spread) -> str:
    """The artist/AI ratio's median and interval in words, honest about which side is dearer:
    'typically 84x cheaper with AI (90%: 47-154x)', 'typically AI costs 2.5x the artist (90%: 1.8-3.4x)',
    '... (90%: from 1.2x dearer to 3.1x cheaper)' when the interval spans both."""
    m, lo, hi = r.median, r.p5, r.p95
    if not all(math.isfinite(x) and x > 0 for x in (m, lo, hi)):
        return f"ratio artist/AI median {m}, {INTERVAL}: {lo} to {hi}"
    about_even = figure(m) == "1.0" or figure(1 / m) == "1.0"
    if about_even:
        typical = "typically AI costs about what the artist charges"
    elif m > 1:
        typical = f"typically {figure(m)}x cheaper with AI"
    else:
        typical = f"typically AI costs {figure(1 / m)}x the artist"
    # Without a clear side in `typical`, the interval names its own.
    if lo >= 1:
        interval = f"{figure(lo)}–{figure(hi)}x" + (" cheaper" if about_even else "")
    elif hi <= 1:
        interval = f"{figure(1 / hi)}–{figure(1 / lo)}x" + (" dearer" if about_even else "")
    else:
        interval = f"from {figure(1 / lo)}x dearer to {figure(hi)}x cheaper"
    return f"{typical} ({INTERVAL}: {interval})"


def _money_and_range(s: Spread, ccy: str) -> tuple[str, str]:
    """('32 CNY', '90%: 18–54'); a side without spread (every input it reads fixed) keeps its exact figure
    and no range: ('2,500 CNY', '')."""
    if s.p5 == s.p95:
        return money(s.median, ccy), ""
    return money_approx(s.median, ccy), f"{INTERVAL}: {money_approx(s.p5, '')}–{money_approx(s.p95, '')}"


def ratio_cell(r: Spread) -> str:
    """The ratio's median and interval for a table cell, saying which side is dearer:
    '84x cheaper (47–154x)', 'AI 2.5x dearer (1.8–3.3x)', '1.5x cheaper (1.2x dearer – 3.1x cheaper)'."""
    m, lo, hi = r.median, r.p5, r.p95
    if not all(math.isfinite(x) and x > 0 for x in (m, lo, hi)):
        return f"{m} ({lo}–{hi})"
    typical = f"{figure(m)}x cheaper" if m >= 1 else f"AI {figure(1 / m)}x dearer"
    if lo >= 1:
        return f"{typical} ({figure(lo)}–{figure(hi)}x)"
    if hi <= 1:
        return f"{typical} ({figure(1 / hi)}–{figure(1 / lo)}x)"
    return f"{typical} ({figure(1 / lo)}x dearer – {figure(hi)}x cheaper)"


@dataclass(frozen=True)
class Headline:
    """The one-sentence answer for one scenario, money in `currency`.

    ai: AI cost per usable image; artist: the artist's price per image; ratio: artist / AI per draw.
    point_*: the central-value model (every input at its mode, midpoint, median or mean).
    draws == 0 (and seed None) when the scenario has no uncertain input: then every Spread is the point.
    """

    currency: str
    ai: Spread
    artist: Spread
    ratio: Spread
    point_ai: float
    point_artist: float
    point_ratio: float
    draws: int
    seed: int | None
    uncertain_inputs: int
    device: str | None = None
    artist_tier: str | None = None
    rate_year: int | None = None  # the year of the rate table money converts at (the scenario's as_of year, or the
    # nearest year with a table when that year has none)
    # Delivery in hours over the same draws: one delivery figure per side on every surface (the point's
    # 14.0 days stood beside a chart's 16).  None only for a Headline read from older JSON.
    ai_delivery: Spread | None = None
    artist_delivery: Spread | None = None

    @property
    def is_point(self) -> bool:
        return self.draws == 0

    def in_currency(self, currency: str | None) -> "Headline":
        """The same headline with money converted (the dated exchange-rate table); ratios unchanged."""
        if currency is None or currency.upper() == self.currency:
            return self
        from artcost.model.currency import rate_table

        f = rate_table(self.rate_year).factor(self.currency, currency.upper())
        return replace(self, currency=currency.upper(), ai=self.ai.scaled(f), artist=self.artist.scaled(f),
                       point_ai=self.point_ai * f, point_artist=self.point_artist * f)

    def _who(self) -> tuple[str, str]:
        return (f" on {self.device}" if self.device else ""), (self.artist_tier or "artist")

    def sentence(self, currency: str | None = None) -> str:
        """'One usable image: 32 CNY with AI on ... (90%: 18–54), 2,600 CNY from the artist (mid-tier; 90%:
        2,200–3,300): typically 84x cheaper with AI (90%: 47–154x).'  Point figures for a scenario without spread."""
        h = self.in_currency(currency)
        ccy = h.currency
        on, tier = h._who()
        if h.is_point:
            return (f"One usable image: {money(h.point_ai, ccy)} with AI{on}, {money(h.point_artist, ccy)} from the artist "
                    f"({tier}): {ratio_phrase(h.point_ratio)} (no uncertain inputs: a point figure).")
        ai, ai_range = _money_and_range(h.ai, ccy)
        artist, artist_range = _money_and_range(h.artist, ccy)
        return (
            f"One usable image: {ai} with AI{on}{f' ({ai_range})' if ai_range else ''}, "
            f"{artist} from the artist ({tier}{f'; {artist_range}' if artist_range else ''}): {ratio_words(h.ratio)}."
        )

    def point_sentence(self, currency: str | None = None) -> str:
        """'central values (point): 24.03 CNY with AI, 2,500 CNY from the artist: 104x cheaper with AI'."""
        h = self.in_currency(currency)
        return (f"central values (point): {money(h.point_ai, h.currency)} with AI, "
                f"{money(h.point_artist, h.currency)} from the artist: {ratio_phrase(h.point_ratio)}")

    def note(self, currency: str | None = None) -> str:
        """How the sentence was made: draws, seed, inputs; and the central-value point beside it."""
        if self.is_point:
            return "Every input is a single number, so the headline is the model's point figure; there is no spread to show."
        return (
            f"Medians and {INTERVAL} intervals (5th to 95th percentile) of {self.draws:,} Monte Carlo draws "
            f"of the {self.uncertain_inputs} uncertain inputs (seed {self.seed}; each figure is its own median). "
            f"For comparison, {self.point_sentence(currency)}."
        )

    def cells(self, currency: str | None = None) -> dict[str, str]:
        """Short table cells without the currency: {'ai': '32 (18–54)', 'artist': ..., 'ratio': '84x (47–154x)'}."""
        h = self.in_currency(currency)
        if h.is_point:
            return {"ai": f"{money(h.point_ai, '')} (point)", "artist": f"{money(h.point_artist, '')} (point)",
                    "ratio": f"{ratio_phrase(h.point_ratio)} (point)"}

        def m(s: Spread) -> str:
            if s.p5 == s.p95:
                return f"{money(s.median, '')} (fixed)"
            return f"{money_approx(s.median, '')} ({money_approx(s.p5, '')}–{money_approx(s.p95, '')})"

        return {"ai": m(h.ai), "artist": m(h.artist), "ratio": ratio_cell(h.ratio)}

    def to_dict(self) -> dict[str, Any]:
        """Plain data for --json: the three spreads, the point, draws, seed, and the sentence itself."""
        return {
            "ai": self.ai.to_dict(),
            "artist": self.artist.to_dict(),
            "ratio": self.ratio.to_dict(),
            "point": {"ai": _finite_or_none(self.point_ai), "artist": _finite_or_none(self.point_artist),
                      "ratio": _finite_or_none(self.point_ratio)},
            "currency": self.currency,
            "draws": self.draws,
            "seed": self.seed,
            "uncertain_inputs": self.uncertain_inputs,
            "device": self.device,
            "artist_tier": self.artist_tier,
            "rate_year": self.rate_year,
            "delivery_hours": None if self.ai_delivery is None or self.artist_delivery is None else
            {"ai": self.ai_delivery.to_dict(), "artist": self.artist_delivery.to_dict()},
            "statistic": ("point (no uncertain inputs)" if self.is_point
                          else "median and 5th/95th percentiles over the draws; ratio = artist / AI per draw"),
            "sentence": self.sentence(),
            "note": self.note(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Headline":
        p = d["point"]
        return cls(
            currency=d["currency"], ai=Spread.from_dict(d["ai"]), artist=Spread.from_dict(d["artist"]),
            ratio=Spread.from_dict(d["ratio"]), point_ai=_float(p["ai"]), point_artist=_float(p["artist"]),
            point_ratio=_float(p["ratio"]), draws=int(d["draws"]), seed=d["seed"],
            uncertain_inputs=int(d["uncertain_inputs"]), device=d.get("device"), artist_tier=d.get("artist_tier"),
            rate_year=d.get("rate_year"),
            ai_delivery=Spread.from_dict(d["delivery_hours"]["ai"]) if d.get("delivery_hours") else None,
            artist_delivery=Spread.from_dict(d["delivery_hours"]["artist"]) if d.get("delivery_hours") else None,
        )

    def delivery_words(self) -> str:
        """'AI 24.8 h (90%: 24.5–25.4 h), the artist 16.5 days (90%: 9.9–25.8 days)': the one delivery figure per
        side, median and interval of the headline's draws (a point, said to be one, without uncertain inputs)."""
        if self.ai_delivery is None or self.artist_delivery is None:
            return ""

        def one(sp: Spread) -> str:
            if sp.p5 == sp.p95:
                return duration(sp.median)
            return f"{duration(sp.median)} ({INTERVAL}: {duration_range(sp.p5, sp.p95)})"

        point = " (a point: no uncertain inputs)" if self.is_point else ""
        return f"AI {one(self.ai_delivery)}, the artist {one(self.artist_delivery)}{point}"


def _rate_year(year: int) -> int | None:
    """The year of the rate table a scenario of `year` converts at (not `year` itself when it has no table)."""
    from artcost.model.currency import rate_table

    return rate_table(year).year


def headline_for(
    scenario: Scenario | LoadedScenario,
    currency: str | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
) -> Headline:
    """The headline of one scenario: a seeded Monte Carlo of the full model (`uncertainty.simulate`),
    money in `currency` (default: the scenario's own).  The same (scenario, draws, seed) gives the same sentence."""
    sc = uncertainty.scenario_of(scenario)
    n_uncertain = len(uncertainty.uncertain_specs(sc))
    if n_uncertain:
        mc = uncertainty.simulate(scenario, draws=draws, seed=seed)
        point = mc.deterministic
        ai, artist, ratio = (Spread.of(mc.samples[k]) for k in ("ai_per_usable_image", "artist_per_image", "ratio"))
        ai_d, artist_d = (Spread.of(mc.samples[f"{side}_delivery_hours"]) for side in ("ai", "artist"))
        used_draws, used_seed = mc.draws, mc.seed
    else:
        point = {k: float(v) for k, v in uncertainty.pick_outputs(uncertainty.evaluate(sc, {})).items()}
        ai, artist, ratio = (Spread.point(point[k]) for k in ("ai_per_usable_image", "artist_per_image", "ratio"))
        ai_d, artist_d = (Spread.point(point[f"{side}_delivery_hours"]) for side in ("ai", "artist"))
        used_draws, used_seed = 0, None
    h = Headline(
        currency=sc.meta.currency, ai=ai, artist=artist, ratio=ratio,
        point_ai=point["ai_per_usable_image"], point_artist=point["artist_per_image"], point_ratio=point["ratio"],
        draws=used_draws, seed=used_seed, uncertain_inputs=n_uncertain,
        device=sc.generation.device, artist_tier=sc.artist.tier, rate_year=_rate_year(sc.meta.as_of.year),
        ai_delivery=ai_d, artist_delivery=artist_d,
    )
    return h.in_currency(currency)


def headline(result: Mapping[str, Any]) -> str:
    """The one-sentence answer of a `comparison` result: the Monte Carlo median and 90% interval, e.g.
    'One usable image: 33 CNY with AI (90%: 19–56), 2,600 CNY from the artist (...): typically 80x cheaper
    with AI (90%: 45–147x).'  What the CLI, the dashboard and the report all print."""
    return result["headline"]["sentence"]


def headline_note(result: Mapping[str, Any]) -> str:
    """How a `comparison` result's headline was made (draws, seed) and the central-value point beside it."""
    return result["headline"]["note"]
