"""The back-test: the market simulator's default beside each published figure (`artcost market-check`).

For every row of the evidence table (`model.market_evidence`) the simulator's Monte Carlo draws are read
at the same segment and the same number of months after AI's release as the row (each study's own
release: Midjourney July 2022 for Demirci et al., the NovelAI leak for Zhang et al., ...; the model's
is `market.release`), the way the row's `compare:` block says:

    window_average        mean over the window's months of (index - 1)      a difference-in-differences
    at_horizon            index - 1 at the horizon month                    a point reading
    change_over_window    index(last) / index(first) - 1                    a before/after
    versus_previous_year  mean(window) / mean(12 months before it) - 1      a year-on-year change

(index: the curve against the no-AI baseline, 1 before release; a price_ratio row reads the ratio itself;
a differential row is the segment's figure minus the `versus` segment's).  Each draw gives one figure;
the row gets their median and 90% band (5th-95th percentile) and whether the published figure falls
inside the band, or how far outside (in the figure's own units: 0.10 = 10 percentage points).
The central (modal) run is reported beside it, labelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from artcost.model.headline import Spread
from artcost.model.loader import LoadedScenario
from artcost.model.market import (DEFAULT_DRAWS, DEFAULT_SEED, Draws, artist_metrics, run_draws,
                                  segment_metrics)
from artcost.model.market_evidence import SHARE_METRICS, EvidenceRow, load_evidence
from artcost.model.market_schema import SEGMENT_NAMES
from artcost.model.schema import Scenario
from artcost.model.tables import Table

# Evidence metric -> the simulator's curve (its name in segment_metrics and artist_metrics).
METRICS = {
    "commissions": "commissions_index",
    "income": "income_index",
    "price": "avg_price_index",
    "market": "market_index",
    "retouch_price_ratio": "retouch_price_ratio",
}
METRIC_WORDS = {
    "commissions": "artists' commissions",
    "income": "artists' income",
    "price": "price paid to artists",
    "market": "all commissions, AI included",
    "retouch_price_ratio": "retoucher's price / artist's base price",
    "share_lost_work": "share of artists who lost work",
    "share_income_down": "share of artists whose income fell",
    "share_income_changed": "share of artists whose income moved",
    "none": "not compared",
}

Verdict = Literal["inside", "above", "below", "not compared"]


@dataclass(frozen=True)
class CheckRow:
    """One evidence row beside the simulator.

    effect: the published figure (a change, 0.17 = +17%; or a ratio for price_ratio rows); model: the
    simulator's median and 90% band of the same figure over the draws (None when not compared); central:
    the same figure in the central (modal) run; distance: how far the published figure lies outside the
    band (effect - p95 above it, effect - p5 below it; 0 inside); months: the model's calendar months read."""

    id: str
    measure: str
    kind: str
    segment: str
    versus: str | None
    metric: str
    how: str | None
    window: tuple[int, int]
    effect: float
    ci95: tuple[float, float] | None
    confidence: str
    primary: bool
    source: str
    place: str
    published: str
    model: Spread | None
    central: float | None
    verdict: Verdict
    distance: float | None
    months: tuple[str, str] | None
    why: str
    source_url: str = ""

    @property
    def ci95_overlaps_band(self) -> bool | None:
        """Whether the study's own 95% interval meets the model's 90% band (None without either)."""
        if self.ci95 is None or self.model is None:
            return None
        return self.ci95[0] <= self.model.p95 and self.model.p5 <= self.ci95[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "measure": self.measure, "kind": self.kind, "segment": self.segment, "versus": self.versus,
            "metric": self.metric, "how": self.how, "window_months": list(self.window), "effect": self.effect,
            "ci95": list(self.ci95) if self.ci95 else None, "confidence": self.confidence, "primary": self.primary,
            "source": self.source, "place": self.place, "published": self.published, "model": self.model.to_dict() if self.model else None, "central": self.central,
            "verdict": self.verdict, "inside": None if self.model is None else self.verdict == "inside",
            "distance": self.distance, "ci95_overlaps_band": self.ci95_overlaps_band, "source_url": self.source_url,
            "model_months": list(self.months) if self.months else None, "why": self.why,
        }


FIT_RECORD = "market_fit.json"  # model.market_fit.FIT_NAME (read here without importing the fit and emcee)


def fitted_record(scenario: Scenario) -> tuple[dict | None, str]:
    """The shipped outcome fit's record when `scenario`'s market section holds its posterior (every fitted field the
    record's normal, same mean and sd), else (None, why not). Only such a scenario has a held-out check to quote."""
    import json

    from artcost.paths import package_data

    path = package_data(FIT_RECORD)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, f"no outcome fit is shipped ({path.name} cannot be read)"
    qs = scenario.quantities()
    for field_path, spec in record.get("scenario_fields", {}).items():
        q = qs.get(field_path)
        d = getattr(q, "dist", None) if q is not None else None
        if d is None or d.dist != "normal" or abs(d.mean - spec["mean"]) > 1e-9 or abs(d.sd - spec["sd"]) > 1e-9:
            return None, (f"{field_path} is not the fitted posterior: the held-out check belongs to the fitted default "
                          "(run artcost market-fit-outcomes for this scenario's own)")
    return record, ""


def cross_validation_of(scenario: Scenario) -> dict[str, Any]:
    """{inside, compared, ...} of the shipped fit's leave-one-study-out check, or nulls with why."""
    record, why = fitted_record(scenario)
    cv = record.get("cross_validation") if record else None
    if not cv:
        return {"inside": None, "compared": None, "why": why or "the shipped fit ran without a held-out check"}
    return {"inside": cv["inside"], "compared": cv["compared"], "inside_model_band": cv["inside_model_band"],
            "studies": cv["studies"], "method": cv["method"],
            "band": "90% predictive band: the refitted model's band plus each figure's own measurement spread",
            "source": f"artcost/data/{FIT_RECORD}: {record['command']}"}


@dataclass(frozen=True)
class MarketCheck:
    """The back-test of one scenario against one evidence table."""

    scenario_name: str
    scenario_file: str
    evidence_file: str
    evidence_as_of: str
    draws: int
    seed: int
    release: str
    rows: tuple[CheckRow, ...]
    cross_validation: dict[str, Any] | None = None

    def counts(self) -> dict[str, int]:
        out = {"inside": 0, "above": 0, "below": 0, "not compared": 0}
        for r in self.rows:
            out[r.verdict] += 1
        return out

    @property
    def compared(self) -> int:
        return len(self.rows) - self.counts()["not compared"]

    def verdict_line(self) -> str:
        """One line for every place that states a market result: how this scenario fared in the back-test, and in
        which direction it misses (below = the studies found larger losses than the model)."""
        c = self.counts()
        if not self.compared:
            return "back-test: no published figure could be compared with this scenario"
        direction = []
        if c["below"]:
            direction.append(f"{c['below']} below it (studies found larger losses or lower figures)")
        if c["above"]:
            direction.append(f"{c['above']} above it")
        return (f"back-test: {c['inside']} of {self.compared} published figures inside the model's 90% band"
                + (f"; {', '.join(direction)}" if direction else "") + " (artcost market-check)")

    def summary(self) -> str:
        c = self.counts()
        compared = len(self.rows) - c["not compared"]
        return (f"{c['inside']} of {compared} compared figures fall inside the simulator's 90% band; "
                f"{c['below']} below it, {c['above']} above it ({c['not compared']} rows not comparable)")

    def note(self) -> str:
        return (f"median and 90% band (5th-95th percentile) of {self.draws:,} Monte Carlo draws (seed {self.seed}) of "
                f"{self.scenario_file}, read at each row's segment and months after its own release (the model's "
                f"release: {self.release}); central = one run with every input at its mode or midpoint")

    def markdown(self) -> str:
        """The back-test as a Markdown table (docs/market-model.md quotes it; a test holds the two equal)."""
        lines = ["| evidence | place | date | horizon | segment: curve | figure | default: median (90% band) | "
                 "inside/outside |", "|---|---|---|---|---|---|---|---|"]
        for r in self.rows:
            lines.append(f"| `{r.id}` | {r.place} | {r.published} | {horizon_text(r)} | {curve_text(r)} | "
                         f"{figure_text(r.effect, r.kind)} | {band_text(r)} | {verdict_text(r)} |")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "market_check",
            "scenario": {"name": self.scenario_name, "file": self.scenario_file},
            "evidence": {"file": self.evidence_file, "as_of": self.evidence_as_of},
            "draws": self.draws, "seed": self.seed, "model_release": self.release,
            "counts": self.counts(), "in_sample": {"inside": self.counts()["inside"], "compared": self.compared},
            "cross_validation": self.cross_validation, "summary": self.summary(), "note": self.note(),
            "rows": [r.to_dict() for r in self.rows],
        }


def figure_text(x: float, kind: str) -> str:
    """A published figure or the model's in the row's own units: a change in %, a difference of changes in
    percentage points (pp), a share in %, a ratio as a ratio."""
    if kind == "price_ratio":
        return f"{x:.2g}x"
    if kind == "relative_change_differential":
        return f"{x * 100:+.1f} pp"
    if kind.startswith("share_of"):
        return f"{x:.0%}"
    return f"{x:+.1%}"


def band_text(r: CheckRow) -> str:
    """'-6.1% (-9.5% to -1.9%)': the model's median and 90% band, or '-' when the row is not compared."""
    if r.model is None:
        return "-"
    m = r.model
    return f"{figure_text(m.median, r.kind)} ({figure_text(m.p5, r.kind)} to {figure_text(m.p95, r.kind)})"


def verdict_text(r: CheckRow) -> str:
    """'inside', 'outside: 7.5 pp below' ('*' when the study's own 95% interval meets the band), 'not compared'."""
    if r.verdict in ("inside", "not compared"):
        return r.verdict
    dist = abs(r.distance or 0.0)
    by = f"{dist:.2g}" if r.kind == "price_ratio" else f"{dist * 100:.1f} pp"
    return f"outside: {by} {r.verdict}" + (" *" if r.ci95_overlaps_band else "")


def horizon_text(r: CheckRow) -> str:
    first, last = r.window
    return f"{last} mo" if first == last else f"{first}..{last} mo"


def curve_text(r: CheckRow) -> str:
    """'low: work', 'mid-low: income' (a differential), 'high: retouch/base price', 'all: -'."""
    return f"{r.segment}{'-' + r.versus if r.versus else ''}: {METRIC_SHORT.get(r.metric, r.metric)}"


METRIC_SHORT = {"commissions": "work", "retouch_price_ratio": "retouch/base price", "share_lost_work": "share lost work",
                "share_income_down": "share income down", "share_income_changed": "share income moved", "none": "-"}


def _curve(d: Draws, metric: str, segment: str) -> tuple[np.ndarray, np.ndarray]:
    """(draws (D, T), central (T,)) of one curve for a segment, or summed over segments for 'all'."""
    name = METRICS[metric]
    if segment == "all":  # the evidence table refuses retouch_price_ratio for 'all' (no one base price)
        runs, central = artist_metrics(d.runs)[name], artist_metrics(d.central)[name]
    else:
        k = SEGMENT_NAMES.index(segment)
        runs, central = segment_metrics(d.runs)[name][..., k], segment_metrics(d.central)[name][0, ..., k]
    return runs, central.reshape(-1)


def read_window(curve: np.ndarray, ratio: bool, how: str, window: tuple[int, int], offset: int) -> np.ndarray:
    """The row's figure from a curve (..., T) indexed by month since the simulation start, read `how` over
    `window` = (first, last) months after release; `offset` = the release's month index; `ratio`: the curve is a
    ratio (read as itself), not an index (read as its change, index - 1).

    Months before the start are the no-AI market (index 1; a ratio has no value there: IndexError, as for a
    month past the end, which the caller reports as 'not compared')."""
    T = curve.shape[-1]

    def at(k: int) -> np.ndarray:  # k: months after release
        t = offset + k
        if t >= T:
            raise IndexError(t)
        if t < 0:
            if ratio:
                raise IndexError(t)
            return np.ones(curve.shape[:-1])
        return curve[..., t]

    def mean(first: int, last: int) -> np.ndarray:
        return np.mean([at(k) for k in range(first, last + 1)], axis=0)

    first, last = window
    base = 0.0 if ratio else 1.0
    if how == "window_average":
        return mean(first, last) - base
    if how == "at_horizon":
        return at(last) - base
    if how == "change_over_window":
        return at(last) / at(first) - 1.0
    if how == "versus_previous_year":
        return mean(first, last) / mean(first - 12, first - 1) - 1.0
    raise ValueError(f"unknown how {how!r}")


def verdict_of(effect: float, band: Spread) -> tuple[Verdict, float]:
    """Where a published figure lies against the model's 90% band: ('inside', 0), or ('above', effect - p95),
    or ('below', effect - p5); the band's ends count as inside."""
    if effect > band.p95:
        return "above", effect - band.p95
    if effect < band.p5:
        return "below", effect - band.p5
    return "inside", 0.0


SHARE_DRAWS = 200  # draws behind a survey row's band: each runs ARTIST_TYPES sub-markets


def _share_curves(d: Draws, rows) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """{(metric, segment): (draws (D', T'), central (T',))} for the survey rows: the artists' distribution
    (`model.market_artists`) run on the first SHARE_DRAWS draws and the central values, over the months they need."""
    from artcost.model.market_artists import artist_groups

    wanted = {(r.compare.metric, r.segment) for r in rows if r.compare.metric in SHARE_METRICS}
    if not wanted:
        return {}
    last = max(r.window[1] for r in rows if r.compare.metric in SHARE_METRICS) + max(d.market.release_offset, 0)
    T = min(len(d.months), max(last, 0) + 1)
    end = d.months[T - 1].strftime("%Y-%m")
    market = d.market.model_copy(update={"end": end})
    n = min(d.draws, SHARE_DRAWS)
    sub = {k: (np.asarray(x)[:n] if np.ndim(x) > 0 else x) for k, x in d.values.items()}
    g = artist_groups(sub, d.scenario.compute.kind, market)
    gc = artist_groups(d.scenario.values(), d.scenario.compute.kind, market)
    out = {}
    for metric, segment in wanted:
        runs = g.share(metric, segment)
        central = gc.share(metric, segment)[0]
        pad = len(d.months) - T  # months past the last one needed: not read (IndexError would name them)
        out[(metric, segment)] = (np.pad(runs, ((0, 0), (0, pad)), constant_values=np.nan),
                                  np.pad(central, (0, pad), constant_values=np.nan))
    return out


def row_figures(row: EvidenceRow, d: Draws, shares: dict | None = None) -> tuple[np.ndarray, float]:
    """The row's figure in every draw of `d` (D,) and in its central run, read as the row's compare: block says;
    IndexError when its months fall outside the simulation. `shares`: `_share_curves` already run (else run here)."""
    cmp = row.compare
    offset = d.market.release_offset
    ratio = row.kind == "price_ratio" or cmp.metric in SHARE_METRICS  # a share is read as itself, like a ratio

    def figure(segment: str) -> tuple[np.ndarray, float]:
        if cmp.metric in SHARE_METRICS:
            runs, central = (shares if shares is not None else _share_curves(d, [row]))[(cmp.metric, segment)]
        else:
            runs, central = _curve(d, cmp.metric, segment)
        return (read_window(runs, ratio, cmp.how, row.window, offset),
                float(read_window(central, ratio, cmp.how, row.window, offset)))

    per_draw, central = figure(row.segment)
    if cmp.versus is not None:
        other, other_central = figure(cmp.versus)
        per_draw, central = per_draw - other, central - other_central
    if np.isnan(central) or np.isnan(per_draw).any():  # a share curve past the months it was run for
        raise IndexError(row.window[1])
    return per_draw, central


def check_row(row: EvidenceRow, d: Draws, shares: dict | None = None) -> CheckRow:
    """One evidence row against the draws `d` (see the module docstring)."""
    cmp = row.compare
    common = dict(id=row.id, measure=row.measure, kind=row.kind, segment=row.segment, versus=cmp.versus, metric=cmp.metric,
                  how=cmp.how, window=row.window, effect=row.effect, ci95=row.ci95, confidence=row.confidence,
                  primary=row.primary, source=row.source.title, place=row.place, published=row.published,
                  source_url=row.source.url)
    if cmp.metric == "none":
        return CheckRow(**common, model=None, central=None, verdict="not compared", distance=None, months=None,
                        why=cmp.why or "")
    offset = d.market.release_offset
    try:
        per_draw, central = row_figures(row, d, shares)
    except IndexError:
        T = len(d.months)
        return CheckRow(**common, model=None, central=None, verdict="not compared", distance=None, months=None,
                        why=f"months {row.window[0]}..{row.window[1]} after release fall outside the simulated "
                            f"{T} months (release at month {offset})")
    band = Spread.of(per_draw)
    verdict, distance = verdict_of(row.effect, band)
    months = tuple(d.months[min(max(offset + k, 0), len(d.months) - 1)].strftime("%Y-%m") for k in row.window)
    return CheckRow(**common, model=band, central=central, verdict=verdict, distance=distance,
                    months=months, why=cmp.why or "")  # type: ignore[arg-type]


def market_check(scenario: Scenario | LoadedScenario, evidence: Table[EvidenceRow] | None = None,
                 draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> MarketCheck:
    """Put the simulator's default (median and 90% band of `draws` draws) beside every evidence row.

    `evidence`: a loaded table (`model.market_evidence.load_evidence()`, the shipped one by default)."""
    return check_draws(run_draws(scenario, draws, seed), evidence)


def check_draws(d: Draws, evidence: Table[EvidenceRow] | None = None) -> MarketCheck:
    """The back-test of draws already run (`run_draws`): `artcost market`, the report and the Market page reuse the
    draws behind their headline, so the verdict they print is of the very draws they show."""
    table = evidence if evidence is not None else load_evidence()
    release = d.market.release or d.market.start
    shares = _share_curves(d, list(table))
    return MarketCheck(
        scenario_name=d.scenario.meta.name, scenario_file=d.shown, evidence_file=table.file,
        evidence_as_of=table.as_of, draws=d.draws, seed=d.seed, release=release,
        rows=tuple(check_row(row, d, shares) for row in table), cross_validation=cross_validation_of(d.scenario),
    )
