"""The market simulator: month by month, which option each buyer segment takes once AI is known,
and what that does to artists' commissions, prices and income.

Every equation is written out in docs/market-model.md (numbers there refer to this module).
In short, per month t, segment s and option o in OPTIONS:

* awareness A(t) and artists' AI adoption B(t) follow Bass curves (`model.bass`);
* each option has a price, a delivery time and a quality; AI cost per usable image and AI
  delivery time come from the cost model (`costs.compare`), not from the market section;
* utility V = -w_price * price / willingness_to_pay - w_time * days - w_quality * shortfall,
  where shortfall is measured against a requirement that drops as the price drops;
* buyers aware of AI choose among all options, the others among artists only (multinomial
  logit with availability as a size term); shares are the mixture over awareness;
* artists' price solves price/base = (artist demand/base demand)^elasticity each month,
  never below the cost-of-living floor (a fixed point, found by bisection).

Arrays carry a leading draw axis D (1 for one run), so one call evaluates every Monte Carlo
draw at once: shapes are (D, T, S) or (D, T, S, O) with T months, S segments, O options.
Money is in the scenario's currency; time in days unless a name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from artcost.errors import UserError
from artcost.model import bass, costs
from artcost.model.loader import LoadedScenario
from artcost.model.market_schema import SEGMENT_NAMES, MarketSection
from artcost.model.schema import Scenario

OPTIONS = ("artist", "artist_ai", "ai_self", "ai_retouch")
OPTION_LABELS = {
    "artist": "human artist",
    "artist_ai": "artist using AI",
    "ai_self": "AI, self-serve",
    "ai_retouch": "AI + retoucher",
}
HOURS_PER_DAY = costs.HOURS_PER_DAY
_BISECTION_STEPS = 45  # halves [floor, base] 45 times: 3e-14 of the base price
SEG = "market.segments."


# --------------------------------------------------------------------------- inputs


def _scenario(scenario: Scenario | LoadedScenario) -> tuple[Scenario, str]:
    if isinstance(scenario, LoadedScenario):
        return scenario.scenario, scenario.path
    return scenario, scenario.meta.name


def _market(sc: Scenario, shown: str) -> MarketSection:
    if sc.market is None:
        raise UserError(
            f"{shown}: no market: section; add one (see docs/market-model.md) or extend "
            "scenarios/seed-2022-hobbyist-3060ti.yaml, which has one"
        )
    return sc.market


def _draws(values: Mapping[str, Any]) -> int:
    sizes = {np.size(v) for v in values.values() if np.ndim(v) > 0}
    if len(sizes) > 1:
        raise ValueError(f"values must be scalars or arrays of one common length (got lengths {sorted(sizes)})")
    return sizes.pop() if sizes else 1


def _d(v: Mapping[str, Any], key: str, n: int) -> np.ndarray:
    """One input per draw, shaped (D, 1, 1) to broadcast over months and segments."""
    return np.broadcast_to(np.asarray(v[key], dtype=float).reshape(-1), (n,)).reshape(n, 1, 1)


def _s(v: Mapping[str, Any], name: str, n: int) -> np.ndarray:
    """A per-segment input, shaped (D, 1, S)."""
    cols = [np.broadcast_to(np.asarray(v[f"{SEG}{s}.{name}"], dtype=float).reshape(-1), (n,)) for s in SEGMENT_NAMES]
    return np.stack(cols, axis=-1).reshape(n, 1, len(SEGMENT_NAMES))


# --------------------------------------------------------------------------- the model


def _logit(V: np.ndarray, size: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logit with size terms: share_o = size_o e^V_o / sum; and the log-sum ln(sum).

    V, size: (..., O).  Options with size 0 get share 0 (and never produce log(0)).
    """
    with np.errstate(divide="ignore"):
        logw = np.where(size > 0, V + np.log(np.where(size > 0, size, 1.0)), -np.inf)
    top = logw.max(axis=-1, keepdims=True)
    w = np.exp(logw - top)
    total = w.sum(axis=-1, keepdims=True)
    return w / total, top[..., 0] + np.log(total[..., 0])


def simulate_arrays(v: Mapping[str, Any], kind: str, market: MarketSection) -> dict[str, np.ndarray]:
    """The whole market on arrays. `v`: dotted path -> float or array of shape (D,), as `Scenario.values()`.

    Returns arrays (money per image or per month in the scenario's currency):
      share, commissions, price, days, quality, utility      (D, T, S, O)
      artist_price_factor, artist_commissions, artist_income,
      baseline_commissions, baseline_income, consumer_surplus,
      spend, baseline_spend                                   (D, T, S)
      awareness, artist_adoption, retouch_price, retouch_cap,
      ai_per_usable_image                                     (D, T)
    """
    n = _draws(v)
    T, S = market.n_months, len(SEGMENT_NAMES)
    t = np.arange(T, dtype=float).reshape(1, T, 1)
    years = t / 12.0
    since_release = t - market.release_offset
    M = "market."

    # (1) diffusion: buyers' awareness and artists' adoption (closed-form Bass, monthly rates)
    A = bass.cumulative(since_release, bass.per_month(_d(v, M + "awareness.p_per_year", n)),
                        bass.per_month(_d(v, M + "awareness.q_per_year", n)), _d(v, M + "awareness.m", n))
    A = np.where(since_release >= 0, A, 0.0)
    ad = M + "artist_ai.adoption."
    B = bass.cumulative(since_release, bass.per_month(_d(v, ad + "p_per_year", n)),
                        bass.per_month(_d(v, ad + "q_per_year", n)), _d(v, ad + "m", n))
    B = np.where(since_release >= 0, B, 0.0)

    # (2) the cost model, unchanged, at the scenario's date; AI cost then moves along its trend
    cm = costs.compare(v, kind)
    ai, art = cm["ai"], cm["artist"]
    one = lambda x: np.broadcast_to(np.asarray(x, dtype=float).reshape(-1), (n,)).reshape(n, 1, 1)  # noqa: E731
    usable = one(ai["usable_images"])
    trend = (1.0 - _d(v, M + "ai.cost_decline_per_year", n)) ** years
    c_ai = one(ai["per_usable_image"]) * trend  # (D, T, 1) buyer's own AI cost per usable image
    c_base = one((ai["total"] - ai["retouching"])) / usable * trend  # the same without any retouching
    c_compute = one(ai["compute_total"]) / usable * trend  # what an artist pays the machine per image
    retouch_delay_h = one(np.where(np.asarray(v["human.retouch_share"], dtype=float) > 0,
                                   np.asarray(v["human.retouch_lead_time_days"], dtype=float) * HOURS_PER_DAY, 0.0))
    ai_days = one(ai["delivery_hours"]) / HOURS_PER_DAY
    base_days = ai_days - retouch_delay_h / HOURS_PER_DAY
    retouch_days = base_days + _d(v, "human.retouch_lead_time_days", n)
    cap = _d(v, M + "ai.retouch_cap_multiple", n) * c_ai
    r_price = np.minimum(_d(v, "human.retouch_price_per_image", n), cap)

    # (3) quality of each option
    q_start, q_ceil = _d(v, M + "ai.quality_start", n), _d(v, M + "ai.quality_ceiling", n)
    q_ai = q_ceil - (q_ceil - q_start) * 2.0 ** (-years / _d(v, M + "ai.quality_halflife_years", n))
    q_ret = q_ai + _d(v, M + "ai.retouch_quality_gain", n) * (1.0 - q_ai)
    q_art = _s(v, "artist_quality", n)

    # (4) segments
    N = _s(v, "commissions_per_month", n)
    p0 = one(art["per_image"]) * _s(v, "artist_price_multiple", n)  # (D, 1, S) base artist price
    wtp = _s(v, "willingness_to_pay", n)
    req = _s(v, "quality_requirement", n)
    flex = _s(v, "requirement_flex", n)
    w_p, w_t, w_q = _s(v, "weight_price", n), _s(v, "weight_time_per_day", n), _s(v, "weight_quality", n)
    avail = one(art["availability_probability"])
    lead = one(art["delivery_hours"]) / HOURS_PER_DAY
    saving = _d(v, M + "artist_ai.time_saving", n)
    k_ai = (1.0 - saving) ** _d(v, M + "artist_ai.price_pass_through", n)
    floor = _d(v, M + "artists.living_cost_per_month", n) / _s(v, "artist_images_per_month", n)
    x_min = np.minimum(floor / p0, 1.0)  # (D, 1, S): the floor as a share of the base price
    eta = _d(v, M + "artists.price_elasticity", n)

    def utility(price, days, quality):
        relax = flex * np.maximum(np.log10(p0 / price), 0.0)  # requirement drops per decade cheaper
        shortfall = np.maximum(np.maximum(req - relax, 0.0) - quality, 0.0)
        return -w_p * price / wtp - w_t * days - w_q * shortfall

    shape = (n, T, S)
    full = lambda x: np.broadcast_to(x, shape)  # noqa: E731
    price_ai = full(c_ai)
    price_ret = full(c_base + r_price)
    V_ai = utility(price_ai, full(ai_days), full(q_ai))
    V_ret = utility(price_ret, full(retouch_days), full(q_ret))
    A3 = full(A)
    size_aware = np.stack([full(avail * (1 - B)), full(avail * B), np.ones(shape), np.ones(shape)], axis=-1)
    size_unaware = size_aware * np.array([1.0, 1.0, 0.0, 0.0])

    def market_at(x):
        """Shares (D,T,S,O) and expected log-sum (D,T,S) when artists charge x * base price."""
        p_art = p0 * x
        p_aia = p0 * x * k_ai + c_compute
        V0 = utility(full(p_art), full(lead), full(q_art))
        V1 = utility(full(p_aia), full(lead * (1 - saving)), full(q_art))
        uses_ai = V1 >= V0  # an adopter uses AI on a job only when it improves the offer
        V = np.stack([V0, np.maximum(V0, V1), V_ai, V_ret], axis=-1)
        sh_a, ls_a = _logit(V, size_aware)
        sh_u, ls_u = _logit(V, size_unaware)
        sh = A3[..., None] * sh_a + (1 - A3[..., None]) * sh_u
        adopter = sh[..., 1]
        sh = np.stack([sh[..., 0] + np.where(uses_ai, 0.0, adopter), np.where(uses_ai, adopter, 0.0),
                       sh[..., 2], sh[..., 3]], axis=-1)
        price = np.stack([full(p_art), full(p_aia), price_ai, price_ret], axis=-1)
        days = np.stack([full(lead), full(lead * (1 - saving)), full(ai_days), full(retouch_days)], axis=-1)
        quality = np.stack([full(q_art), full(q_art), full(q_ai), full(q_ret)], axis=-1)
        return sh, A3 * ls_a + (1 - A3) * ls_u, price, days, quality, V

    # (5) artists' price: the fixed point x = S(x)^eta on [x_min, 1], by bisection.
    # h(x) = x - S(x)^eta rises with x (S falls as artists get dearer) and h(1) >= 0.
    def h(x):
        sh = market_at(x)[0]
        return x - (sh[..., 0] + sh[..., 1]) ** full(eta)

    lo = full(x_min).copy()
    hi = np.ones(shape)
    at_floor = h(lo) >= 0
    hi = np.where(at_floor, lo, hi)
    for _ in range(_BISECTION_STEPS):
        mid = (lo + hi) / 2
        up = h(mid) >= 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    x = hi
    share, logsum, price, days, quality, V = market_at(x)

    # (6) outcomes
    Nf = full(N)
    commissions = Nf[..., None] * share
    artist_comm = commissions[..., 0] + commissions[..., 1]
    artist_income = commissions[..., 0] * price[..., 0] + commissions[..., 1] * (price[..., 1] - full(c_compute))
    base_ls = np.log(full(avail)) + utility(full(p0), full(lead), full(q_art))
    consumer_surplus = Nf * full(wtp / w_p) * (logsum - base_ls)
    return {
        "share": share,
        "commissions": commissions,
        "price": price,
        "days": days,
        "quality": quality,
        "utility": V,
        "artist_price_factor": x,
        "artist_commissions": artist_comm,
        "artist_income": artist_income,
        "baseline_commissions": Nf,
        "baseline_income": Nf * full(p0),
        "baseline_price": full(p0),
        "price_floor": full(np.minimum(floor, p0)),
        "consumer_surplus": consumer_surplus,
        "spend": (commissions * price).sum(axis=-1),
        "baseline_spend": Nf * full(p0),
        "awareness": A[..., 0] * np.ones((n, T)),
        "artist_adoption": B[..., 0] * np.ones((n, T)),
        "retouch_demand": commissions[..., 3].sum(axis=-1),
        "retouch_price": np.broadcast_to(r_price[..., 0], (n, T)),
        "retouch_cap": np.broadcast_to(cap[..., 0], (n, T)),
        "ai_per_usable_image": np.broadcast_to(c_ai[..., 0], (n, T)),
    }


# --------------------------------------------------------------------------- tables


def month_labels(market: MarketSection) -> pd.DatetimeIndex:
    start = pd.Timestamp(f"{market.start}-01")
    return pd.date_range(start, periods=market.n_months, freq="MS")


def _frames(r: dict[str, np.ndarray], months: pd.DatetimeIndex, d: int = 0) -> dict[str, pd.DataFrame]:
    """Draw `d` of `simulate_arrays` as the four tables documented on MarketResult."""
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

    comm = r["artist_commissions"][d]
    income = r["artist_income"][d]
    base_c, base_i = r["baseline_commissions"][d], r["baseline_income"][d]
    seg_idx = pd.MultiIndex.from_product([months, SEGMENT_NAMES], names=["month", "segment"])
    by_segment = pd.DataFrame(
        {
            "commissions": comm.ravel(),
            "avg_price": 0.0,  # filled below: the gross price buyers pay
            "income": income.ravel(),
            "income_index": (income / base_i).ravel(),
            "commissions_index": (comm / base_c).ravel(),
            "price_index": r["artist_price_factor"][d].ravel(),
            "price_floor": r["price_floor"][d].ravel(),
            "consumer_surplus": r["consumer_surplus"][d].ravel(),
            "spend": r["spend"][d].ravel(),
        },
        index=seg_idx,
    ).reset_index()
    # the price buyers pay artists (gross); income above is net of the machine cost of artist_ai
    price = r["price"][d]
    cc = r["commissions"][d]
    gross = (cc[..., 0] * price[..., 0] + cc[..., 1] * price[..., 1])
    by_segment["avg_price"] = (gross / np.where(comm > 0, comm, 1)).ravel()

    total_c, total_i = comm.sum(-1), income.sum(-1)
    artists = pd.DataFrame(
        {
            "month": months,
            "t": np.arange(T),
            "commissions": total_c,
            "avg_price": gross.sum(-1) / np.where(total_c > 0, total_c, 1),
            "income": total_i,
            "income_index": total_i / base_i.sum(-1),
            "commissions_index": total_c / base_c.sum(-1),
            "baseline_commissions": base_c.sum(-1),
            "baseline_income": base_i.sum(-1),
            "artist_ai_adoption": r["artist_adoption"][d],
            "share_of_artist_work_with_ai": cc[..., 1].sum(-1) / np.where(total_c > 0, total_c, 1),
        }
    )
    retouchers = pd.DataFrame(
        {
            "month": months,
            "t": np.arange(T),
            "demand": r["retouch_demand"][d],
            "price": r["retouch_price"][d],
            "price_cap": r["retouch_cap"][d],
            "income": r["retouch_demand"][d] * r["retouch_price"][d],
        }
    )
    buyers = pd.DataFrame(
        {
            "month": months,
            "t": np.arange(T),
            "awareness": r["awareness"][d],
            "spend": r["spend"][d].sum(-1),
            "baseline_spend": r["baseline_spend"][d].sum(-1),
            "consumer_surplus": r["consumer_surplus"][d].sum(-1),
            "ai_per_usable_image": r["ai_per_usable_image"][d],
        }
    )
    return {"monthly": monthly, "artists": artists, "artists_by_segment": by_segment,
            "retouchers": retouchers, "buyers": buyers}


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
    artists: month, t, commissions (artist + artist_ai), avg_price (what buyers pay artists, per
        image), income (money per month, net of the machine cost of AI-assisted work),
        income_index and commissions_index (1 = the no-AI baseline), baseline_commissions,
        baseline_income, artist_ai_adoption (share of artists who have adopted AI, Bass),
        share_of_artist_work_with_ai.
    artists_by_segment: month, segment, commissions, avg_price, income, income_index,
        commissions_index, price_index (artists' price / base price), price_floor (money per image),
        consumer_surplus, spend.
    retouchers: month, t, demand (retouch jobs per month), price (money per retouched image), price_cap (the
        buyer's own AI alternative x retouch_cap_multiple), income (money per month).
    buyers: month, t, awareness (share of buyers who know the AI options), spend (money per month,
        all options; AI self-serve counted at the buyer's own cost), baseline_spend (no AI),
        consumer_surplus (change against the no-AI baseline, money per month: logit log-sum),
        ai_per_usable_image.
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

    def headline(self) -> dict[str, Any]:
        """A few numbers for the one-paragraph answer: the last month against the baseline."""
        last = self.artists.iloc[-1]
        seg = self.artists_by_segment[self.artists_by_segment["month"] == self.artists["month"].iloc[-1]]
        first_year = self.artists[self.artists["t"] == min(12, len(self.artists) - 1)].iloc[0]
        return {
            "last_month": str(last["month"].date())[:7],
            "artist_commissions_index": float(last["commissions_index"]),
            "artist_income_index": float(last["income_index"]),
            "artist_income_index_after_12_months": float(first_year["income_index"]),
            "artist_income_index_by_segment": dict(zip(seg["segment"], map(float, seg["income_index"]))),
            "awareness": float(self.buyers["awareness"].iloc[-1]),
            "retouch_demand": float(self.retouchers["demand"].iloc[-1]),
            "retouch_price": float(self.retouchers["price"].iloc[-1]),
            "consumer_surplus": float(self.buyers["consumer_surplus"].iloc[-1]),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the headline and every table as a list of records (months as YYYY-MM)."""
        return {
            "scenario": {"name": self.scenario_name, "file": self.scenario_file},
            "currency": self.currency,
            "headline": self.headline(),
            "inputs": self.inputs,
            "artists": _records(self.artists),
            "artists_by_segment": _records(self.artists_by_segment),
            "retouchers": _records(self.retouchers),
            "buyers": _records(self.buyers),
            "monthly": _records(self.monthly),
        }


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
    return MarketResult(scenario_name=sc.meta.name, scenario_file=shown, currency=sc.meta.currency, inputs=inputs, **f)


# --------------------------------------------------------------------------- uncertainty bands

BAND_METRICS = {
    "artists": ("commissions", "avg_price", "income", "income_index", "commissions_index"),
    "buyers": ("awareness", "spend", "consumer_surplus"),
    "retouchers": ("demand", "price", "income"),
}


@dataclass
class MarketBands:
    """p5 / p50 / p95 (and the mean) of the outputs over `draws` Monte Carlo draws.

    artists, buyers, retouchers: long tables with columns month, t, metric, p5, p50, p95, mean,
    central (the deterministic run); metrics as in BAND_METRICS, units as on MarketResult.
    shares: month, t, segment, option, p5, p50, p95, mean, central (share of commissions, 0..1).
    `uncertain_inputs` lists the dotted paths that were drawn.
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "market_bands",
            "scenario": self.scenario_name,
            "currency": self.currency,
            "draws": self.draws,
            "seed": self.seed,
            "note": f"{self.draws} independent draws of {len(self.uncertain_inputs)} uncertain inputs (numpy default_rng seed {self.seed}); p5/p95 are the 5th/95th percentiles across draws",
            "uncertain_inputs": self.uncertain_inputs,
            "artists": _records(self.artists),
            "buyers": _records(self.buyers),
            "retouchers": _records(self.retouchers),
            "shares": _records(self.shares),
        }


def draw_inputs(sc: Scenario, draws: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Independent draws, shape (draws,), of every uncertain input: cost-model and market fields alike.

    (`model.uncertainty.draw_inputs` covers the cost model's fields only; the market needs both.)
    Each spec samples itself (`DistSpec.sample`, numpy/scipy), in the scenario's field order.
    """
    return {p: q.dist.sample(rng, draws) for p, q in sc.quantities().items() if q.uncertain}


def _band_table(per_draw: dict[str, np.ndarray], central: dict[str, np.ndarray], months) -> pd.DataFrame:
    rows = []
    T = len(months)
    for metric, arr in per_draw.items():
        p5, p50, p95 = np.percentile(arr, [5, 50, 95], axis=0)
        rows.append(pd.DataFrame({"month": months, "t": np.arange(T), "metric": metric, "p5": p5, "p50": p50,
                                  "p95": p95, "mean": arr.mean(axis=0), "central": central[metric]}))
    return pd.concat(rows, ignore_index=True)


def market_bands(scenario: Scenario | LoadedScenario, draws: int = 200, seed: int = 0) -> MarketBands:
    """Monte Carlo bands: draw every uncertain input `draws` times and run the market once on all draws."""
    sc, shown = _scenario(scenario)
    market = _market(sc, shown)
    if draws < 2:
        raise UserError(f"--draws {draws}: need at least 2 draws for bands")
    if draws > 20_000:
        raise UserError(f"--draws {draws}: at most 20,000 (each draw simulates every month, segment and option)")
    rng = np.random.default_rng(seed)
    drawn = draw_inputs(sc, draws, rng)
    v: dict[str, Any] = sc.values()
    v.update(drawn)
    r = simulate_arrays(v, sc.compute.kind, market)
    c = simulate_arrays(sc.values(), sc.compute.kind, market)
    months = month_labels(market)

    def artist_metrics(x):
        comm = x["artist_commissions"].sum(-1)
        gross = (x["commissions"][..., 0] * x["price"][..., 0] + x["commissions"][..., 1] * x["price"][..., 1]).sum(-1)
        income = x["artist_income"].sum(-1)
        return {
            "commissions": comm,
            "avg_price": gross / np.where(comm > 0, comm, 1),
            "income": income,
            "income_index": income / x["baseline_income"].sum(-1),
            "commissions_index": comm / x["baseline_commissions"].sum(-1),
        }

    def buyer_metrics(x):
        return {"awareness": x["awareness"], "spend": x["spend"].sum(-1), "consumer_surplus": x["consumer_surplus"].sum(-1)}

    def retouch_metrics(x):
        return {"demand": x["retouch_demand"], "price": x["retouch_price"],
                "income": x["retouch_demand"] * x["retouch_price"]}

    strip = lambda d: {k: a[0] for k, a in d.items()}  # noqa: E731
    S, O = len(SEGMENT_NAMES), len(OPTIONS)
    p5, p50, p95 = np.percentile(r["share"], [5, 50, 95], axis=0)
    idx = pd.MultiIndex.from_product([months, SEGMENT_NAMES, OPTIONS], names=["month", "segment", "option"])
    shares = pd.DataFrame({"p5": p5.ravel(), "p50": p50.ravel(), "p95": p95.ravel(),
                           "mean": r["share"].mean(axis=0).ravel(), "central": c["share"][0].ravel()}, index=idx).reset_index()
    shares.insert(1, "t", np.repeat(np.arange(len(months)), S * O))
    return MarketBands(
        scenario_name=sc.meta.name,
        currency=sc.meta.currency,
        draws=draws,
        seed=seed,
        uncertain_inputs=sorted(drawn),
        artists=_band_table(artist_metrics(r), strip(artist_metrics(c)), months),
        buyers=_band_table(buyer_metrics(r), strip(buyer_metrics(c)), months),
        retouchers=_band_table(retouch_metrics(r), strip(retouch_metrics(c)), months),
        shares=shares,
    )
