"""One market run as tables: the curves every table, band and headline shows (`segment_metrics`,
`artist_metrics`, `buyer_metrics`, `retoucher_metrics`), the month labels, and `simulate_market`'s
`MarketResult` (the run at every input's central value, with its notes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

if TYPE_CHECKING:  # pandas loads when a table is made, not when the market check or its command starts
    import pandas as pd

from artcost.errors import UserError
from artcost.model import costs
from artcost.model.loader import LoadedScenario
from artcost.model.market_schema import SEGMENT_NAMES, MarketSection
from artcost.model.schema import Scenario

from artcost.model.market_steps import B_MIN, OPTIONS, SEG, _draws, _market, _scenario, simulate_arrays


# --------------------------------------------------------------------------- tables


def month_labels(market: MarketSection) -> pd.DatetimeIndex:
    import pandas as pd

    start = pd.Timestamp(f"{market.start}-01")
    return pd.date_range(start, periods=market.n_months, freq="MS")


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, 0 where b is 0 (no commissions, no average price)."""
    return a / np.where(b > 0, b, 1.0) * (b > 0)


def segment_metrics(r: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per-segment curves from `simulate_arrays`, each (D, T, S); money per image or per month.

    commissions (artists' own: artist + artist_ai), commissions_index (against the no-AI baseline),
    total_commissions (the whole segment, AI included), market_index (the same against the baseline),
    artists_share (artists' share of the segment's commissions), artist_price (an unassisted artist's
    price), price_floor (its cost-of-living floor), artist_ai_price (an artist using AI), price_floor_ai
    (its floor: fewer hours per image, plus the machine), avg_price (what buyers pay artists on average,
    both kinds of work), avg_price_index (avg_price / base price), price_index (artist_price / base),
    income, income_index, awareness, consumer_surplus, spend, retouch_price_ratio (the retoucher's price
    / the segment's base artist price)."""
    c, price = r["commissions"], r["price"]
    comm = r["artist_commissions"]
    gross = c[..., 0] * price[..., 0] + c[..., 1] * price[..., 1]
    avg = _ratio(gross, comm)
    base_price = r["baseline_price"]
    return {
        "commissions": comm,
        "commissions_index": comm / r["baseline_commissions"],
        "total_commissions": r["total_commissions"],
        "market_index": r["market_index"],
        "artists_share": _ratio(comm, r["total_commissions"]),
        "artist_price": r["artist_price"],
        "price_floor": r["price_floor"],
        "artist_ai_price": r["artist_ai_price"],
        "price_floor_ai": r["price_floor_ai"],
        "avg_price": avg,
        "avg_price_index": avg / base_price,
        "price_index": r["artist_price_factor"],
        "income": r["artist_income"],
        "income_index": r["artist_income"] / r["baseline_income"],
        "awareness": r["awareness_by_segment"],
        "consumer_surplus": r["consumer_surplus"],
        "spend": r["spend"],
        "retouch_price_ratio": r["retouch_price"][..., None] / base_price,
    }


def artist_metrics(r: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Curves summed over segments, each (D, T): commissions, avg_price, income, income_index,
    commissions_index, avg_price_index (avg_price against the no-AI average price), total_commissions,
    market_index, artists_share, baseline_commissions, baseline_income, artist_ai_adoption,
    share_of_artist_work_with_ai (as on `MarketResult.artists`)."""
    c, price = r["commissions"], r["price"]
    comm = r["artist_commissions"].sum(-1)
    gross = (c[..., 0] * price[..., 0] + c[..., 1] * price[..., 1]).sum(-1)
    income = r["artist_income"].sum(-1)
    base_c, base_i = r["baseline_commissions"].sum(-1), r["baseline_income"].sum(-1)
    total = r["total_commissions"].sum(-1)
    avg = _ratio(gross, comm)
    return {
        "commissions": comm,
        "avg_price": avg,
        "income": income,
        "income_index": income / base_i,
        "commissions_index": comm / base_c,
        "avg_price_index": avg / (base_i / base_c),
        "total_commissions": total,
        "market_index": total / base_c,
        "artists_share": _ratio(comm, total),
        "baseline_commissions": base_c,
        "baseline_income": base_i,
        "artist_ai_adoption": r["artist_adoption"],
        "share_of_artist_work_with_ai": _ratio(c[..., 1].sum(-1), comm),
    }


def buyer_metrics(r: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Buyers over all segments, each (D, T): awareness (commission-weighted), spend, baseline_spend,
    consumer_surplus, total_commissions (AI included), ai_per_usable_image."""
    return {
        "awareness": r["awareness"],
        "spend": r["spend"].sum(-1),
        "baseline_spend": r["baseline_spend"].sum(-1),
        "consumer_surplus": r["consumer_surplus"].sum(-1),
        "total_commissions": r["total_commissions"].sum(-1),
        "ai_per_usable_image": r["ai_per_usable_image"],
    }


def retoucher_metrics(r: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Retouchers, each (D, T): demand (jobs a month), price, price_cap, income."""
    return {"demand": r["retouch_demand"], "price": r["retouch_price"], "price_cap": r["retouch_cap"],
            "income": r["retouch_demand"] * r["retouch_price"]}


def _frames(r: dict[str, np.ndarray], months: pd.DatetimeIndex, d: int = 0) -> dict[str, pd.DataFrame]:
    """Draw `d` of `simulate_arrays` as the tables documented on MarketResult."""
    import pandas as pd

    T, S, O = r["share"].shape[1:]
    idx = pd.MultiIndex.from_product([months, SEGMENT_NAMES, OPTIONS], names=["month", "segment", "option"])
    monthly = pd.DataFrame(
        {
            "share": r["share"][d].ravel(),
            "commissions": r["commissions"][d].ravel(),
            "price": r["price"][d].ravel(),
            "delivery_days": r["days"][d].ravel(),
            "quality": r["quality"][d].ravel(),
        },
        index=idx,
    ).reset_index()
    monthly.insert(1, "t", np.repeat(np.arange(T), S * O))
    seg_idx = pd.MultiIndex.from_product([months, SEGMENT_NAMES], names=["month", "segment"])
    by_segment = pd.DataFrame({k: a[d].ravel() for k, a in segment_metrics(r).items()}, index=seg_idx).reset_index()
    by_segment.insert(1, "t", np.repeat(np.arange(T), S))

    def table(metrics):
        return pd.DataFrame({"month": months, "t": np.arange(T), **{k: a[d] for k, a in metrics(r).items()}})

    return {"monthly": monthly, "artists": table(artist_metrics), "artists_by_segment": by_segment,
            "retouchers": table(retoucher_metrics), "buyers": table(buyer_metrics)}


def _records(df: pd.DataFrame) -> list[dict]:
    """A table as JSON-ready records, months as YYYY-MM."""
    out = df.copy()
    out["month"] = out["month"].dt.strftime("%Y-%m")
    return out.to_dict(orient="records")


@dataclass
class MarketResult:
    """One run of the market model, as plain tables (pandas DataFrames, long format).

    Money is in `currency` (the scenario's); `month` is the first day of each month (Timestamp),
    `t` the months since the start month; counts are commissions per month.

    monthly: month, t, segment (low/mid/high), option (OPTIONS), share (0..1; sums to 1 over
        options in each month and segment), commissions (per month), price (money per image; for
        ai_self the buyer's own cost per usable image incl. their time), delivery_days, quality (0..1).
    artists: month, t and the columns of `artist_metrics`: commissions (artists' own: artist +
        artist_ai), avg_price (what buyers pay artists, per image), income (money per month, net of the
        machine cost of AI-assisted work), income_index and commissions_index (1 = the no-AI baseline),
        avg_price_index, total_commissions and market_index (the whole market, AI included, and against
        the baseline), artists_share (artists' share of all commissions), baseline_commissions,
        baseline_income, artist_ai_adoption (share of artists who have adopted AI, Bass),
        share_of_artist_work_with_ai.
    artists_by_segment: month, t, segment and the columns of `segment_metrics` (artist_price beside
        price_floor, artist_ai_price beside price_floor_ai, avg_price, the indices, market size, awareness).
    retouchers: month, t, demand (retouch jobs per month), price (money per retouched image), price_cap (the
        buyer's own AI alternative x retouch_cap_multiple), income (money per month).
    buyers: month, t, awareness (share of buyers who know the AI options, commission-weighted over
        segments), spend (money per month, all options; AI self-serve counted at the buyer's own cost),
        baseline_spend (no AI), consumer_surplus (change against the no-AI baseline, money per month:
        logit log-sum), total_commissions, ai_per_usable_image.

    This is ONE run at the central values (each input's mode or midpoint): `headline()` is that run's,
    labelled central; the typical answer is `market_headline` (the median of Monte Carlo draws).
    """

    scenario_name: str
    scenario_file: str
    currency: str
    monthly: pd.DataFrame
    artists: pd.DataFrame
    artists_by_segment: pd.DataFrame
    retouchers: pd.DataFrame
    buyers: pd.DataFrame
    inputs: dict[str, float] = field(default_factory=dict)
    release_offset: int = 0
    notes: list[str] = field(default_factory=list)  # what a reader must know about this run's inputs

    def headline(self) -> dict[str, Any]:
        """The central run's few numbers: the last month against the baseline, and 12 months after release."""
        last = self.artists.iloc[-1]
        seg = self.artists_by_segment[self.artists_by_segment["month"] == self.artists["month"].iloc[-1]]
        t12 = min(max(self.release_offset, 0) + 12, len(self.artists) - 1)
        first_year = self.artists[self.artists["t"] == t12].iloc[0]
        return {
            "kind": "central",
            "last_month": str(last["month"].date())[:7],
            "artist_commissions_index": float(last["commissions_index"]),
            "artist_income_index": float(last["income_index"]),
            "market_index": float(last["market_index"]),
            "artists_share": float(last["artists_share"]),
            "artist_income_index_after_12_months": float(first_year["income_index"]),
            "artist_commissions_index_after_12_months": float(first_year["commissions_index"]),
            "artist_income_index_by_segment": dict(zip(seg["segment"], map(float, seg["income_index"]))),
            "awareness": float(self.buyers["awareness"].iloc[-1]),
            "retouch_demand": float(self.retouchers["demand"].iloc[-1]),
            "retouch_price": float(self.retouchers["price"].iloc[-1]),
            "consumer_surplus": float(self.buyers["consumer_surplus"].iloc[-1]),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the central headline and every table as a list of records (months as YYYY-MM)."""
        return {
            "scenario": {"name": self.scenario_name, "file": self.scenario_file},
            "currency": self.currency,
            "central": self.headline(),
            "inputs": self.inputs,
            "notes": self.notes,
            "artists": _records(self.artists),
            "artists_by_segment": _records(self.artists_by_segment),
            "retouchers": _records(self.retouchers),
            "buyers": _records(self.buyers),
            "monthly": _records(self.monthly),
        }


def demand_notes(v: Mapping[str, Any], r: Mapping[str, np.ndarray]) -> list[str]:
    """What a reader must know about the central run's demand: a segment whose demand elasticity is more than
    its logit can give (b_s below B_MIN) is held at the largest it can, and says so."""
    b = r["demand_buy_share"][0, 0]
    notes = []
    for k, s in enumerate(SEGMENT_NAMES):
        eps = float(v[f"{SEG}{s}.demand_elasticity"])
        if eps > 0 and b[k] <= B_MIN + 1e-12:
            most = (1 - B_MIN) * float(v[f"{SEG}{s}.weight_price"]) * float(v.get("market.choice_sensitivity", 1.0)) \
                * float(r["baseline_price"][0, 0, k]) / float(v[f"{SEG}{s}.willingness_to_pay"])
            notes.append(
                f"{SEG}{s}.demand_elasticity: {eps:g} is more than this segment's buyers can show at its base price "
                f"(at most {most:.2g} = {1 - B_MIN:g} x weight_price x base artist price / willingness_to_pay); "
                f"the model uses {most:.2g}. Raise weight_price or lower willingness_to_pay to give it more"
            )
    return notes


def simulate_market(scenario: Scenario | LoadedScenario, values: Mapping[str, Any] | None = None) -> MarketResult:
    """Run the market model at the scenario's central values (or with `values` overriding some of them).

    `values`: dotted path -> float, e.g. {"market.awareness.q_per_year": 2.0,
    "human.wage_per_hour": 10}.  One run takes a few milliseconds.
    """
    sc, shown = _scenario(scenario)
    market = _market(sc, shown)
    v = sc.values()
    if values:
        unknown = sorted(set(values) - set(v))
        if unknown:
            raise UserError(f"{shown}: no such field(s) to override: {', '.join(unknown)}")
        v.update(values)
    if _draws(v) != 1:
        raise ValueError("simulate_market takes one value per field; use market_bands for draws")
    r = simulate_arrays(v, sc.compute.kind, market)
    f = _frames(r, month_labels(market))
    ai = costs.compare(v, sc.compute.kind)["ai"]
    inputs = {
        "ai_per_usable_image": float(np.asarray(ai["per_usable_image"])),
        "ai_delivery_hours": float(np.asarray(ai["delivery_hours"])),
        "artist_price_per_image": float(v["artist.price_per_image"]),
        "retouch_price_per_image": float(v["human.retouch_price_per_image"]),
    }
    return MarketResult(scenario_name=sc.meta.name, scenario_file=shown, currency=sc.meta.currency, inputs=inputs,
                        release_offset=market.release_offset, notes=demand_notes(v, r), **f)


