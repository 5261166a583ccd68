"""The market's uncertainty: Monte Carlo draws of the whole simulator (`run_draws`), p5-p95 bands of every
curve (`market_bands`) and the typical answer (`market_headline`: the median of the draws with its 90%
band, the central run beside it, labelled as one run)."""

from __future__ import annotations

from dataclasses import dataclass, field
import datetime as dt
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

if TYPE_CHECKING:  # pandas loads when the bands' tables are made: `artcost market-check` never needs it
    import pandas as pd

from artcost.errors import ArgumentError
from artcost.model.loader import LoadedScenario
from artcost.model.headline import Spread
from artcost.model.market_schema import SEGMENT_NAMES, MarketSection
from artcost.model.schema import Scenario
from artcost.model.uncertainty import draw_inputs

from artcost.model.market_steps import B_MIN, OPTIONS, _market, _scenario, simulate_arrays
from artcost.model.market_result import (_records, artist_metrics, buyer_metrics, retoucher_metrics, segment_metrics)
from artcost.model.market_schema import month_index


def month_list(market: MarketSection) -> list[dt.date]:
    """The simulated months' first days, without pandas (`market_result.month_labels` is the same as a DatetimeIndex)."""
    first = month_index(market.start)
    return [dt.date((first + k) // 12, (first + k) % 12 + 1, 1) for k in range(market.n_months)]


# --------------------------------------------------------------------------- uncertainty bands

DEFAULT_DRAWS = 1_000  # the market headline's draws: about 1 s on our 2-core machine
DEFAULT_SEED = 0
MAX_DRAWS = 20_000


@dataclass
class Draws:
    """`draws` Monte Carlo runs and the central run of one scenario: `simulate_arrays` outputs for each."""

    scenario: Scenario
    shown: str
    market: MarketSection
    draws: int
    seed: int
    uncertain_inputs: list[str]
    runs: dict[str, np.ndarray]  # leading axis: the draws
    central: dict[str, np.ndarray]  # leading axis of length 1
    months: list[dt.date]  # first day of each simulated month
    values: dict[str, Any] = field(default_factory=dict)  # the inputs of every draw (for the artists' distribution)

    @property
    def demand_capped_draws(self) -> int:
        """Draws in which some segment's demand elasticity was more than its logit can give (b_s held at B_MIN)."""
        return int(np.any(self.runs["demand_buy_share"][:, 0, :] <= B_MIN + 1e-12, axis=-1).sum())


def run_draws(scenario: Scenario | LoadedScenario, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> Draws:
    """Draw every uncertain input `draws` times (numpy default_rng(seed)) and run the market once on all draws,
    and once at the central values."""
    sc, shown = _scenario(scenario)
    market = _market(sc, shown)
    if isinstance(draws, bool) or int(draws) != draws or draws < 2:
        raise ArgumentError("draws", f"need a whole number >= 2 for a median and a band (got {draws})")
    if draws > MAX_DRAWS:
        raise ArgumentError("draws", f"at most {MAX_DRAWS:,} (got {draws:,}); each draw simulates every month, "
                                     "segment and option")
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ArgumentError("seed", f"need a whole number >= 0 (got {seed})")
    draws, seed = int(draws), int(seed)
    rng = np.random.default_rng(seed)
    drawn = draw_inputs(sc, draws, rng, fields="all")
    v: dict[str, Any] = sc.values()
    central = simulate_arrays(v, sc.compute.kind, market)
    v.update(drawn)
    runs = simulate_arrays(v, sc.compute.kind, market)
    return Draws(scenario=sc, shown=shown, market=market, draws=draws, seed=seed, uncertain_inputs=sorted(drawn),
                 runs=runs, central=central, months=month_list(market), values=v)


BAND_METRICS = {
    "artists": ("commissions", "avg_price", "income", "income_index", "commissions_index", "avg_price_index",
                "total_commissions", "market_index", "artists_share", "baseline_commissions", "baseline_income",
                "artist_ai_adoption", "share_of_artist_work_with_ai"),
    "artists_by_segment": ("commissions", "commissions_index", "total_commissions", "market_index", "artists_share",
                           "artist_price", "price_floor", "artist_ai_price", "price_floor_ai", "avg_price",
                           "avg_price_index", "price_index", "income", "income_index", "awareness",
                           "consumer_surplus", "spend", "retouch_price_ratio"),
    "buyers": ("awareness", "spend", "consumer_surplus", "total_commissions", "ai_per_usable_image"),
    "retouchers": ("demand", "price", "price_cap", "income"),
}


@dataclass
class MarketBands:
    """p5 / p50 / p95 (and the mean) of every curve over `draws` Monte Carlo draws, with the central run.

    artists, buyers, retouchers: long tables with columns month, t, metric, p5, p50, p95, mean,
    central (the run at central values); metrics as in BAND_METRICS, units as on MarketResult.
    artists_by_segment: the same with a segment column (metrics of `segment_metrics`).
    shares: month, t, segment, option, p5, p50, p95, mean, central (share of the segment's commissions).
    shares_all: month, t, option, p5, ... (share of all commissions, every segment together).
    Bands are per month (each month's percentiles over the draws), not whole paths.
    `uncertain_inputs` lists the dotted paths that were drawn; `demand_capped_draws` counts draws whose
    demand elasticity was more than the logit can give (b_s held at B_MIN).
    """

    scenario_name: str
    currency: str
    draws: int
    seed: int
    uncertain_inputs: list[str]
    artists: pd.DataFrame
    buyers: pd.DataFrame
    retouchers: pd.DataFrame
    shares: pd.DataFrame
    artists_by_segment: pd.DataFrame = field(default_factory=lambda: _empty())
    shares_all: pd.DataFrame = field(default_factory=lambda: _empty())
    demand_capped_draws: int = 0
    release_offset: int = 0

    @property
    def note(self) -> str:
        capped = (f"; in {self.demand_capped_draws} draws a segment's demand elasticity was more than its logit can "
                  f"give and was held at its largest" if self.demand_capped_draws else "")
        return (f"{self.draws:,} independent draws of {len(self.uncertain_inputs)} uncertain inputs (numpy default_rng "
                f"seed {self.seed}); p5/p95 are the 5th/95th percentiles across draws, month by month{capped}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "market_bands",
            "scenario": self.scenario_name,
            "currency": self.currency,
            "draws": self.draws,
            "seed": self.seed,
            "note": self.note,
            "uncertain_inputs": self.uncertain_inputs,
            "demand_capped_draws": self.demand_capped_draws,
            "artists": _records(self.artists),
            "artists_by_segment": _records(self.artists_by_segment),
            "buyers": _records(self.buyers),
            "retouchers": _records(self.retouchers),
            "shares": _records(self.shares),
            "shares_all": _records(self.shares_all),
        }

    def at(self, table: str, metric: str, t: int, segment: str | None = None) -> Spread:
        """The median and 90% band of one curve at month index t (0 = the start month)."""
        df = getattr(self, table)
        row = df[(df["metric"] == metric) & (df["t"] == t)]
        if segment is not None:
            row = row[row["segment"] == segment]
        r = row.iloc[0]
        return Spread(float(r["p50"]), float(r["p5"]), float(r["p95"]))

    def central_at(self, table: str, metric: str, t: int, segment: str | None = None) -> float:
        df = getattr(self, table)
        row = df[(df["metric"] == metric) & (df["t"] == t)]
        if segment is not None:
            row = row[row["segment"] == segment]
        return float(row.iloc[0]["central"])

    def headline(self) -> "MarketHeadline":
        """The typical answer: medians and 90% bands 12 months after release and in the last month."""
        T = int(self.artists["t"].max()) + 1
        months = self.artists.drop_duplicates("t").set_index("t")["month"]
        at = {"after_12_months": min(max(self.release_offset, 0) + 12, T - 1), "last": T - 1}
        typical, central = {}, {}
        for when, t in at.items():
            typical[when] = {m: self.at(tbl, m, t) for tbl, m in _HEADLINE_METRICS}
            central[when] = {m: self.central_at(tbl, m, t) for tbl, m in _HEADLINE_METRICS}
        by_segment = {s: {m: self.at("artists_by_segment", m, T - 1, s) for m in ("commissions_index", "income_index",
                                                                                  "market_index")}
                      for s in SEGMENT_NAMES}
        return MarketHeadline(
            scenario_name=self.scenario_name, currency=self.currency, draws=self.draws, seed=self.seed,
            months={when: months[t].strftime("%Y-%m") for when, t in at.items()},
            typical=typical, central=central, by_segment=by_segment,
        )


def _empty() -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame()


def _band_table(per_draw: dict[str, np.ndarray], central: dict[str, np.ndarray], months) -> pd.DataFrame:
    """Long table month, t, [segment,] metric, p5, p50, p95, mean, central from (D, T) or (D, T, S) arrays."""
    import pandas as pd

    rows = []
    T = len(months)
    for metric, arr in per_draw.items():
        p5, p50, p95 = np.percentile(arr, [5, 50, 95], axis=0)
        cols = {"p5": p5, "p50": p50, "p95": p95, "mean": arr.mean(axis=0), "central": central[metric][0]}
        if arr.ndim == 3:
            S = arr.shape[-1]
            frame = pd.DataFrame({"month": np.repeat(months, S), "t": np.repeat(np.arange(T), S),
                                  "segment": np.tile(SEGMENT_NAMES, T), "metric": metric,
                                  **{k: np.asarray(a).ravel() for k, a in cols.items()}})
        else:
            frame = pd.DataFrame({"month": months, "t": np.arange(T), "metric": metric, **cols})
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def _share_bands(runs: Mapping[str, np.ndarray], central: Mapping[str, np.ndarray], months) -> tuple[pd.DataFrame, pd.DataFrame]:
    import pandas as pd

    T, S, O = runs["share"].shape[1:]
    p5, p50, p95 = np.percentile(runs["share"], [5, 50, 95], axis=0)
    idx = pd.MultiIndex.from_product([months, SEGMENT_NAMES, OPTIONS], names=["month", "segment", "option"])
    shares = pd.DataFrame({"p5": p5.ravel(), "p50": p50.ravel(), "p95": p95.ravel(),
                           "mean": runs["share"].mean(axis=0).ravel(), "central": central["share"][0].ravel()},
                          index=idx).reset_index()
    shares.insert(1, "t", np.repeat(np.arange(T), S * O))

    def over_segments(r):
        c = r["commissions"].sum(axis=2)  # (D, T, O)
        return c / c.sum(axis=-1, keepdims=True)

    a, ac = over_segments(runs), over_segments(central)
    q5, q50, q95 = np.percentile(a, [5, 50, 95], axis=0)
    idx = pd.MultiIndex.from_product([months, OPTIONS], names=["month", "option"])
    shares_all = pd.DataFrame({"p5": q5.ravel(), "p50": q50.ravel(), "p95": q95.ravel(), "mean": a.mean(axis=0).ravel(),
                               "central": ac[0].ravel()}, index=idx).reset_index()
    shares_all.insert(1, "t", np.repeat(np.arange(T), O))
    return shares, shares_all


def bands_of(d: Draws) -> MarketBands:
    """Every curve's p5/p50/p95 over the draws of `d`, beside the central run."""
    from artcost.model.market_result import month_labels

    r, c, months = d.runs, d.central, month_labels(d.market)
    shares, shares_all = _share_bands(r, c, months)

    def table(metrics):
        return _band_table(metrics(r), metrics(c), months)

    return MarketBands(
        scenario_name=d.scenario.meta.name,
        currency=d.scenario.meta.currency,
        draws=d.draws,
        seed=d.seed,
        uncertain_inputs=d.uncertain_inputs,
        artists=table(artist_metrics),
        buyers=table(buyer_metrics),
        retouchers=table(retoucher_metrics),
        shares=shares,
        artists_by_segment=table(segment_metrics),
        shares_all=shares_all,
        demand_capped_draws=d.demand_capped_draws,
        release_offset=d.market.release_offset,
    )


def market_bands(scenario: Scenario | LoadedScenario, draws: int = 200, seed: int = 0) -> MarketBands:
    """Monte Carlo bands for every curve: draw every uncertain input `draws` times and run the market once
    on all draws (see MarketBands)."""
    return bands_of(run_draws(scenario, draws, seed))


# --------------------------------------------------------------------------- the typical answer

_HEADLINE_METRICS = (
    ("artists", "commissions_index"),
    ("artists", "income_index"),
    ("artists", "market_index"),
    ("artists", "artists_share"),
    ("buyers", "awareness"),
)


@dataclass(frozen=True)
class MarketHeadline:
    """The market's typical answer: each figure's median over the draws with its 90% band (p5-p95), 12 months
    after AI's release and in the last month, with the central (modal) run beside it, labelled.

    typical / central: {"after_12_months" | "last": {metric: Spread | float}} for commissions_index,
    income_index, market_index (all commissions, AI included, against the no-AI baseline), artists_share,
    awareness; by_segment: {segment: {metric: Spread}} in the last month. Each figure is its own median."""

    scenario_name: str
    currency: str
    draws: int
    seed: int
    months: dict[str, str]
    typical: dict[str, dict[str, Spread]]
    central: dict[str, dict[str, float]]
    by_segment: dict[str, dict[str, Spread]]

    def sentence(self) -> str:
        a, z = self.typical["after_12_months"], self.typical["last"]
        seg = ", ".join(f"{s} {_pct(v['income_index'])}" for s, v in self.by_segment.items())
        return (
            f"Typically, 12 months after AI's release ({self.months['after_12_months']}) artists keep "
            f"{_pct(a['commissions_index'])} of their no-AI commissions and {_pct(a['income_index'])} of their income; "
            f"by {self.months['last']}, {_pct(z['commissions_index'])} of their commissions and "
            f"{_pct(z['income_index'])} of their income (by segment: {seg}), while all commissions, AI included, "
            f"are at {_pct(z['market_index'])} of the no-AI market, artists' share {_pct(z['artists_share'])}, "
            f"with {_pct(z['awareness'])} of buyers aware of AI."
        )

    def note(self) -> str:
        a, z = self.central["after_12_months"], self.central["last"]
        return (
            f"Each figure is the median of {self.draws:,} Monte Carlo draws (seed {self.seed}) with its 90% band "
            f"(5th-95th percentile), each on its own. Central values (one run with every input at its mode or "
            f"midpoint, not a typical draw): after 12 months commissions {a['commissions_index']:.0%}, income "
            f"{a['income_index']:.0%}; by {self.months['last']} commissions {z['commissions_index']:.0%}, income "
            f"{z['income_index']:.0%}, all commissions {z['market_index']:.0%}."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "typical",
            "statistic": "median of the draws, with the 5th and 95th percentiles (each figure on its own)",
            "draws": self.draws,
            "seed": self.seed,
            "months": self.months,
            "typical": {w: {m: s.to_dict() for m, s in d.items()} for w, d in self.typical.items()},
            "central": {"kind": "central values (every input at its mode or midpoint): one run, not a typical draw",
                        **self.central},
            "by_segment_last_month": {s: {m: x.to_dict() for m, x in d.items()} for s, d in self.by_segment.items()},
            "sentence": self.sentence(),
            "note": self.note(),
        }


def _pct(s: Spread) -> str:
    """'37% (90%: 24-60%)'; a figure without spread alone."""
    if abs(s.p95 - s.p5) < 5e-4:
        return f"{s.median:.0%}"
    return f"{s.median:.0%} (90%: {s.p5:.0%}–{s.p95:.0%})"


def market_headline(scenario: Scenario | LoadedScenario, draws: int = DEFAULT_DRAWS,
                    seed: int = DEFAULT_SEED) -> MarketHeadline:
    """The typical answer (see MarketHeadline): `DEFAULT_DRAWS` draws take about a second."""
    return market_bands(scenario, draws, seed).headline()
