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
* a segment's number of commissions responds to what its buyers are offered: a logit with an
  outside option (not buying at all), sized by the segment's demand elasticity (0 = fixed);
* artists' price solves price/base = (artists' commissions/baseline)^elasticity each month,
  never above the base price nor below the cost-of-living floor (a fixed point, found by
  regula falsi); an artist using AI charges less, never below their own floor.

`simulate_arrays` runs these as seven named steps (diffusion, ai_offer, segment_terms,
artist_terms, choose, artists_price, outcomes); `segment_metrics`, `artist_metrics`,
`buyer_metrics` and `retoucher_metrics` turn its arrays into the curves every table, band and
headline shows; `market_headline` is the typical answer (the median of Monte Carlo draws).

Arrays carry a leading draw axis D (1 for one run), so one call evaluates every Monte Carlo
draw at once: shapes are (D, T, S) or (D, T, S, O) with T months, S segments, O options.
Money is in the scenario's currency; time in days unless a name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd

from artcost.errors import ArgumentError, UserError
from artcost.model import bass, costs
from artcost.model.loader import LoadedScenario
from artcost.model.headline import Spread
from artcost.model.market_schema import SEGMENT_NAMES, MarketSection
from artcost.model.schema import Scenario
from artcost.model.uncertainty import draw_inputs, scenario_of

OPTIONS = ("artist", "artist_ai", "ai_self", "ai_retouch")
OPTION_LABELS = {
    "artist": "human artist",
    "artist_ai": "artist using AI",
    "ai_self": "AI, self-serve",
    "ai_retouch": "AI + retoucher",
}
HOURS_PER_DAY = costs.HOURS_PER_DAY
_ROOT_TOL = 1e-13  # the artists' price factor is solved to this (a share of the base price)
_ROOT_STEPS = 100  # most regula-falsi steps; about 8 are needed
B_MIN = 0.05  # smallest share of a segment's potential buyers who buy at the base price: at most 20x more commissions
SEG = "market.segments."


# --------------------------------------------------------------------------- inputs


def _scenario(scenario: Scenario | LoadedScenario) -> tuple[Scenario, str]:
    """The scenario, and how to name it in a message (its file, else its name)."""
    sc = scenario_of(scenario)
    return sc, (scenario.path if isinstance(scenario, LoadedScenario) else sc.meta.name)


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


def _per_draw(x: Any, n: int) -> np.ndarray:
    """A scalar or (D,) array from the cost model, shaped (D, 1, 1)."""
    return np.broadcast_to(np.asarray(x, dtype=float).reshape(-1), (n,)).reshape(n, 1, 1)


def _s(v: Mapping[str, Any], name: str, n: int) -> np.ndarray:
    """A per-segment input, shaped (D, 1, S)."""
    cols = [np.broadcast_to(np.asarray(v[f"{SEG}{s}.{name}"], dtype=float).reshape(-1), (n,)) for s in SEGMENT_NAMES]
    return np.stack(cols, axis=-1).reshape(n, 1, len(SEGMENT_NAMES))


# --------------------------------------------------------------------------- the logit


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


# --------------------------------------------------------------------------- the model, step by step
#
# simulate_arrays runs seven named steps; each takes and returns arrays with a leading draw axis D:
#   1. diffusion        awareness A (D,T,S) per segment, artists' adoption B (D,T,1)
#   2. ai_offer         the AI options' price, delivery and quality from the cost model  (D,T,1)
#   3. segment_terms    what each segment's buyers pay, need and weigh                     (D,1,S)
#   4. artist_terms     artists' cost-of-living floors and the AI-using artist's terms    (D,1,S)
#   5. choose           shares, market size and welfare when artists charge x * base     (D,T,S[,O])
#   6. artists_price    x, the artists' price factor: a fixed point (regula falsi)       (D,T,S)
#   7. outcomes         commissions, income, spend, surplus: the arrays simulate_arrays returns


@dataclass
class Diffusion:
    """Step 1. awareness: share of each segment's buyers who know the AI options, (D, T, S);
    adoption: share of artists who have adopted AI, (D, T, 1)."""

    awareness: np.ndarray
    adoption: np.ndarray


@dataclass
class AIOffer:
    """Step 2. What buyers get from AI, money per usable image in the scenario's currency.

    per_image, base_per_image, compute_per_image, retouch_price, retouch_cap, quality,
    retouch_quality: (D, T, 1); days, retouch_days: (D, 1, 1)."""

    per_image: np.ndarray  # c: the buyer's own AI cost per usable image (incl. their time and retouching)
    base_per_image: np.ndarray  # c0: the same without any retouching
    compute_per_image: np.ndarray  # c_m: the machine's share, what an artist using AI pays per image
    days: np.ndarray  # H / 24
    retouch_days: np.ndarray  # H0 / 24 + the retoucher's lead time
    retouch_price: np.ndarray  # rho(t) = min(r0, k * c)
    retouch_cap: np.ndarray  # k * c
    quality: np.ndarray  # q(t)
    retouch_quality: np.ndarray  # q(t) + gamma (1 - q(t))


@dataclass
class SegmentTerms:
    """Step 3. The buyers of each segment, (D, 1, S) unless noted.

    baseline: commissions a month without AI (N_s); base_price: the artist price P_s; buy_share: b_s, the
    share of the segment's potential buyers who commission at the base price (1 = demand fixed);
    availability, lead_days: (D, 1, 1)."""

    baseline: np.ndarray
    base_price: np.ndarray
    willingness_to_pay: np.ndarray
    requirement: np.ndarray
    flex: np.ndarray
    w_price: np.ndarray
    w_time: np.ndarray
    w_quality: np.ndarray
    artist_quality: np.ndarray
    buy_share: np.ndarray
    elasticity: np.ndarray  # the demand elasticity as given (before b_s is clipped to B_MIN)
    availability: np.ndarray
    lead_days: np.ndarray

    def utility(self, price, days, quality):
        """Equations (2)-(3): V for options at `price`, `days`, `quality`, each broadcasting to (D, T, S)."""
        relax = self.flex * np.maximum(np.log10(self.base_price / price), 0.0)  # requirement drops per decade cheaper
        shortfall = np.maximum(np.maximum(self.requirement - relax, 0.0) - quality, 0.0)
        return -self.w_price * price / self.willingness_to_pay - self.w_time * days - self.w_quality * shortfall


@dataclass
class ArtistTerms:
    """Step 4. floor: an unassisted artist's cost of living per image; x_min = min(floor / P_s, 1);
    floor_ai: the same for an artist using AI, who finishes 1 / (1 - time_saving) times as many images
    (all (D, 1, S)); ai_price_factor (1 - sigma)^pi, time_saving, elasticity eta: (D, 1, 1)."""

    floor: np.ndarray
    x_min: np.ndarray
    floor_ai: np.ndarray
    ai_price_factor: np.ndarray
    time_saving: np.ndarray
    elasticity: np.ndarray


@dataclass
class Choice:
    """Step 5. The market when artists charge x * P_s (all (D, T, S, O) or (D, T, S)).

    share: each option's share of the segment's commissions (sums to 1 over options); market: the
    segment's commissions against its no-AI baseline (1 when demand is fixed); welfare: buyers' gain
    in utils per baseline commission (equation 7 divided by N_s W_s / w_p,s); utility: V per option;
    uses_ai: whether adopters use AI on the job (D, T, S)."""

    share: np.ndarray
    market: np.ndarray
    welfare: np.ndarray
    utility: np.ndarray
    uses_ai: np.ndarray

    @property
    def artists_demand(self) -> np.ndarray:
        """Artists' commissions against the no-AI baseline, (D, T, S): market x (artist + artist_ai share)."""
        return self.market * (self.share[..., 0] + self.share[..., 1])


def diffusion(v: Mapping[str, Any], market: MarketSection, n: int, since_release: np.ndarray) -> Diffusion:
    """Step 1, equation (1): closed-form Bass curves with monthly rates; 0 before the release.

    `since_release`: months since `market.release`, shape (1, T, 1).  A segment with its own
    `awareness:` uses it; the others use `market.awareness`."""
    M = "market."

    def curve(prefix: str) -> np.ndarray:
        f = bass.cumulative(since_release, bass.per_month(_d(v, prefix + "p_per_year", n)),
                            bass.per_month(_d(v, prefix + "q_per_year", n)), _d(v, prefix + "m", n))
        return np.where(since_release >= 0, f, 0.0)

    shared = None
    per_segment = []
    for s in SEGMENT_NAMES:
        own = f"{SEG}{s}.awareness."
        if own + "p_per_year" in v:
            per_segment.append(curve(own))
        else:
            shared = curve(M + "awareness.") if shared is None else shared
            per_segment.append(shared)
    awareness = np.concatenate([np.broadcast_to(a, (n, since_release.shape[1], 1)) for a in per_segment], axis=-1)
    return Diffusion(awareness=awareness, adoption=curve(M + "artist_ai.adoption."))


def ai_offer(v: Mapping[str, Any], kind: str, n: int, years: np.ndarray) -> tuple[AIOffer, dict[str, Any]]:
    """Step 2: the cost model, unchanged, at the scenario's date; AI cost then moves along its trend
    g(t) = (1 - cost_decline_per_year)^y and AI quality along q(t) (section 2).

    `years`: (1, T, 1).  Returns the offer and the cost model's artist figures (for step 3)."""
    M = "market."
    cm = costs.compare(v, kind)
    ai, art = cm["ai"], cm["artist"]
    one = lambda x: _per_draw(x, n)  # noqa: E731
    usable = one(ai["usable_images"])
    trend = (1.0 - _d(v, M + "ai.cost_decline_per_year", n)) ** years
    per_image = one(ai["per_usable_image"]) * trend
    retouch_delay_h = one(np.where(np.asarray(v["human.retouch_share"], dtype=float) > 0,
                                   np.asarray(v["human.retouch_lead_time_days"], dtype=float) * HOURS_PER_DAY, 0.0))
    days = one(ai["delivery_hours"]) / HOURS_PER_DAY
    cap = _d(v, M + "ai.retouch_cap_multiple", n) * per_image
    q_start, q_ceil = _d(v, M + "ai.quality_start", n), _d(v, M + "ai.quality_ceiling", n)
    quality = q_ceil - (q_ceil - q_start) * 2.0 ** (-years / _d(v, M + "ai.quality_halflife_years", n))
    offer = AIOffer(
        per_image=per_image,
        base_per_image=one(ai["total"] - ai["retouching"]) / usable * trend,
        compute_per_image=one(ai["compute_total"]) / usable * trend,
        days=days,
        retouch_days=days - retouch_delay_h / HOURS_PER_DAY + _d(v, "human.retouch_lead_time_days", n),
        retouch_price=np.minimum(_d(v, "human.retouch_price_per_image", n), cap),
        retouch_cap=cap,
        quality=quality,
        retouch_quality=quality + _d(v, M + "ai.retouch_quality_gain", n) * (1.0 - quality),
    )
    return offer, art


def segment_terms(v: Mapping[str, Any], artist: Mapping[str, Any], n: int) -> SegmentTerms:
    """Step 3: each segment's buyers (section 3) and how many would buy at all (section 5).

    The demand elasticity eps_s at the base price sets b_s, the share of potential buyers who
    commission at P_s: in a logit with an outside option eps_s = (1 - b_s) w_p,s P_s / W_s, so
    b_s = 1 - eps_s W_s / (w_p,s P_s), clipped to [B_MIN, 1]."""
    base_price = _per_draw(artist["per_image"], n) * _s(v, "artist_price_multiple", n)
    wtp, w_p = _s(v, "willingness_to_pay", n), _s(v, "weight_price", n)
    eps = _s(v, "demand_elasticity", n)
    return SegmentTerms(
        baseline=_s(v, "commissions_per_month", n),
        base_price=base_price,
        willingness_to_pay=wtp,
        requirement=_s(v, "quality_requirement", n),
        flex=_s(v, "requirement_flex", n),
        w_price=w_p,
        w_time=_s(v, "weight_time_per_day", n),
        w_quality=_s(v, "weight_quality", n),
        artist_quality=_s(v, "artist_quality", n),
        buy_share=np.clip(1.0 - eps * wtp / (w_p * base_price), B_MIN, 1.0),
        elasticity=eps,
        availability=_per_draw(artist["availability_probability"], n),
        lead_days=_per_draw(artist["delivery_hours"], n) / HOURS_PER_DAY,
    )


def artist_terms(v: Mapping[str, Any], seg: SegmentTerms, n: int) -> ArtistTerms:
    """Step 4: the cost-of-living floors (section 4) and the AI-using artist's saving and pass-through."""
    M = "market."
    floor = _d(v, M + "artists.living_cost_per_month", n) / _s(v, "artist_images_per_month", n)
    saving = _d(v, M + "artist_ai.time_saving", n)
    return ArtistTerms(
        floor=floor,
        x_min=np.minimum(floor / seg.base_price, 1.0),
        floor_ai=floor * (1.0 - saving),
        ai_price_factor=(1.0 - saving) ** _d(v, M + "artist_ai.price_pass_through", n),
        time_saving=saving,
        elasticity=_d(v, M + "artists.price_elasticity", n),
    )


def artist_prices(x: np.ndarray, seg: SegmentTerms, arts: ArtistTerms, ai: AIOffer) -> tuple[np.ndarray, np.ndarray]:
    """Prices per image of an unassisted artist, x P_s, and of an artist using AI,
    max(x P_s (1 - sigma)^pi, floor_ai) + c_m, when artists charge x times the base: (D, T, S) each."""
    unassisted = seg.base_price * x
    assisted = np.maximum(unassisted * arts.ai_price_factor, arts.floor_ai) + ai.compute_per_image
    return unassisted, assisted


@dataclass
class _Fixed:
    """What step 5 reuses in every root-finding step: the AI options' utilities and the logit sizes."""

    V_ai: np.ndarray  # (D, T, S)
    V_retouch: np.ndarray  # (D, T, S)
    size_aware: np.ndarray  # (D, T, S, O)
    size_unaware: np.ndarray  # (D, T, S, O)
    baseline_logsum: np.ndarray  # (D, 1, S): ln(a e^{V_artist at P_s}), the no-AI market


def _fixed_parts(d: Diffusion, ai: AIOffer, seg: SegmentTerms, shape: tuple[int, int, int]) -> _Fixed:
    full = lambda x: np.broadcast_to(x, shape)  # noqa: E731
    B = full(d.adoption)
    avail = full(seg.availability)
    size_aware = np.stack([avail * (1 - B), avail * B, np.ones(shape), np.ones(shape)], axis=-1)
    return _Fixed(
        V_ai=full(seg.utility(ai.per_image, ai.days, ai.quality)),
        V_retouch=full(seg.utility(ai.base_per_image + ai.retouch_price, ai.retouch_days, ai.retouch_quality)),
        size_aware=size_aware,
        size_unaware=size_aware * np.array([1.0, 1.0, 0.0, 0.0]),
        baseline_logsum=np.log(seg.availability) + seg.utility(seg.base_price, seg.lead_days, seg.artist_quality),
    )


def _market_size(gain: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Commissions against the baseline, 1 / (b + (1 - b) e^{-gain}), and the buyers' welfare per baseline
    commission, ln(1 + b (e^{gain} - 1)) / b, for a log-sum gain `gain` over the no-AI market (section 5).
    b = 1 gives (1, gain): fixed demand and the plain log-sum change."""
    gain = np.clip(gain, -50.0, 50.0)
    return 1.0 / (b + (1.0 - b) * np.exp(-gain)), np.log1p(b * np.expm1(gain)) / b


def choose(x: np.ndarray, d: Diffusion, ai: AIOffer, seg: SegmentTerms, arts: ArtistTerms, fixed: _Fixed) -> Choice:
    """Step 5, equations (2)-(5): the logit choice of aware and unaware buyers when artists charge
    x (D, T, S) times their base price, mixed over awareness, with the segment's market size."""
    p_art, p_aia = artist_prices(x, seg, arts, ai)
    V0 = seg.utility(p_art, seg.lead_days, seg.artist_quality)
    V1 = seg.utility(p_aia, seg.lead_days * (1 - arts.time_saving), seg.artist_quality)
    uses_ai = V1 >= V0  # an adopter uses AI on a job only when it improves the offer
    V = np.stack([V0, np.maximum(V0, V1), fixed.V_ai, fixed.V_retouch], axis=-1)
    sh_a, ls_a = _logit(V, fixed.size_aware)
    sh_u, ls_u = _logit(V, fixed.size_unaware)
    E_a, W_a = _market_size(ls_a - fixed.baseline_logsum, seg.buy_share)
    E_u, W_u = _market_size(ls_u - fixed.baseline_logsum, seg.buy_share)
    A = d.awareness
    market = A * E_a + (1 - A) * E_u
    share = ((A * E_a)[..., None] * sh_a + ((1 - A) * E_u)[..., None] * sh_u) / market[..., None]
    adopter = share[..., 1]
    share = np.stack([share[..., 0] + np.where(uses_ai, 0.0, adopter), np.where(uses_ai, adopter, 0.0),
                      share[..., 2], share[..., 3]], axis=-1)
    return Choice(share=share, market=market, welfare=A * W_a + (1 - A) * W_u, utility=V, uses_ai=uses_ai)


def artists_demand(x: np.ndarray, d: Diffusion, ai: AIOffer, seg: SegmentTerms, arts: ArtistTerms,
                   fixed: _Fixed) -> np.ndarray:
    """`choose(x, ...).artists_demand` without the rest of the choice: the root finder's inner loop, (D, T, S).

    Aware buyers: logit over the four options; unaware buyers see artists only (their artist share is 1).
    The same equations as `choose` (tested to agree), in a third of its time."""
    p_art, p_aia = artist_prices(x, seg, arts, ai)
    V0 = seg.utility(p_art, seg.lead_days, seg.artist_quality)
    Vmax = np.maximum(V0, seg.utility(p_aia, seg.lead_days * (1 - arts.time_saving), seg.artist_quality))
    size = fixed.size_aware
    top = np.maximum(np.maximum(Vmax, fixed.V_ai), fixed.V_retouch)
    art = size[..., 0] * np.exp(V0 - top) + size[..., 1] * np.exp(Vmax - top)
    total = art + np.exp(fixed.V_ai - top) + np.exp(fixed.V_retouch - top)
    E_a, _ = _market_size(top + np.log(total) - fixed.baseline_logsum, seg.buy_share)
    unaware = Vmax + np.log(size[..., 0] * np.exp(V0 - Vmax) + size[..., 1])  # artists only
    E_u, _ = _market_size(unaware - fixed.baseline_logsum, seg.buy_share)
    A = d.awareness
    return A * E_a * art / total + (1 - A) * E_u


def artists_price(d: Diffusion, ai: AIOffer, seg: SegmentTerms, arts: ArtistTerms, fixed: _Fixed,
                  shape: tuple[int, int, int]) -> np.ndarray:
    """Step 6, equation (6): x = clip(D(x)^eta, x_min, 1), D = artists' commissions / baseline, per month,
    segment and draw, (D, T, S).

    h(x) = x - min(D(x)^eta, 1) rises with x (D falls as artists get dearer: their logit share and the
    market size both fall) and h(1) >= 0 (AI only adds competitors), so the root in [x_min, 1] is unique.
    It is bracketed and found by the Illinois variant of regula falsi, vectorised over every element,
    until |h| < _ROOT_TOL or the bracket is narrower than that (about 8 steps; at most _ROOT_STEPS)."""
    eta = np.broadcast_to(arts.elasticity, shape)

    def h(x):
        return x - np.minimum(artists_demand(x, d, ai, seg, arts, fixed) ** eta, 1.0)

    a = np.broadcast_to(arts.x_min, shape).copy()
    fa = h(a)
    b = np.ones(shape)
    fb = np.where(fa >= 0, 0.0, h(b))  # at the floor already (fa >= 0): done
    b = np.where(fa >= 0, a, b)
    side = np.zeros(shape)  # +1: b moved last, -1: a moved last
    for _ in range(_ROOT_STEPS):
        live = (fb - fa > 0) & (b - a > _ROOT_TOL) & (np.abs(fb) > _ROOT_TOL)
        if not live.any():
            break
        c = np.where(live, b - fb * (b - a) / np.where(live, fb - fa, 1.0), b)
        c = np.clip(c, a, b)
        fc = h(c)
        right = live & (fc >= 0)  # the root is left of c: c becomes b
        left = live & (fc < 0)
        fa = np.where(right & (side > 0), fa / 2, fa)  # Illinois: halve the stale end
        fb = np.where(left & (side < 0), fb / 2, fb)
        b, fb = np.where(right, c, b), np.where(right, fc, fb)
        a, fa = np.where(left, c, a), np.where(left, fc, fa)
        side = np.where(right, 1.0, np.where(left, -1.0, side))
    return np.where(np.abs(fb) <= np.abs(fa), b, a)


def outcomes(x: np.ndarray, c: Choice, d: Diffusion, ai: AIOffer, seg: SegmentTerms, arts: ArtistTerms,
             shape: tuple[int, int, int]) -> dict[str, np.ndarray]:
    """Step 7, section 6: the arrays `simulate_arrays` returns (see its docstring)."""
    n, T, S = shape
    full = lambda a: np.broadcast_to(a, shape)  # noqa: E731
    p_art, p_aia = artist_prices(x, seg, arts, ai)
    base = full(seg.baseline)
    total = base * c.market
    commissions = total[..., None] * c.share
    price = np.stack([p_art, p_aia, full(ai.per_image), full(ai.base_per_image + ai.retouch_price)], axis=-1)
    saved = 1 - arts.time_saving
    days = np.stack([full(seg.lead_days), full(seg.lead_days * saved), full(ai.days), full(ai.retouch_days)], axis=-1)
    q = full(seg.artist_quality)
    quality = np.stack([q, q, full(ai.quality), full(ai.retouch_quality)], axis=-1)
    artist_comm = commissions[..., 0] + commissions[..., 1]
    weights = seg.baseline / seg.baseline.sum(axis=-1, keepdims=True)  # (D, 1, S)
    return {
        "share": c.share,
        "commissions": commissions,
        "price": price,
        "days": days,
        "quality": quality,
        "utility": c.utility,
        "artist_price_factor": x,
        "artist_price": p_art,
        "artist_ai_price": p_aia,
        "artist_commissions": artist_comm,
        "artist_income": commissions[..., 0] * p_art + commissions[..., 1] * (p_aia - full(ai.compute_per_image)),
        "total_commissions": total,
        "market_index": c.market,
        "baseline_commissions": base,
        "baseline_income": base * full(seg.base_price),
        "baseline_price": full(seg.base_price),
        "price_floor": full(np.minimum(arts.floor, seg.base_price)),
        "price_floor_ai": full(arts.floor_ai + ai.compute_per_image),
        "consumer_surplus": base * full(seg.willingness_to_pay / seg.w_price) * c.welfare,
        "spend": (commissions * price).sum(axis=-1),
        "baseline_spend": base * full(seg.base_price),
        "awareness": (d.awareness * weights).sum(axis=-1),
        "awareness_by_segment": d.awareness,
        "artist_adoption": d.adoption[..., 0] * np.ones((n, T)),
        "retouch_demand": commissions[..., 3].sum(axis=-1),
        "retouch_price": np.broadcast_to(ai.retouch_price[..., 0], (n, T)),
        "retouch_cap": np.broadcast_to(ai.retouch_cap[..., 0], (n, T)),
        "ai_per_usable_image": np.broadcast_to(ai.per_image[..., 0], (n, T)),
        "demand_buy_share": full(seg.buy_share),
    }


def simulate_arrays(v: Mapping[str, Any], kind: str, market: MarketSection) -> dict[str, np.ndarray]:
    """The whole market on arrays. `v`: dotted path -> float or array of shape (D,), as `Scenario.values()`.

    Returns arrays (money per image or per month in the scenario's currency):
      share, commissions, price, days, quality, utility        (D, T, S, O)
      artist_price_factor, artist_price, artist_ai_price, artist_commissions, artist_income,
      total_commissions, market_index, baseline_commissions, baseline_income, baseline_price,
      price_floor, price_floor_ai, consumer_surplus, spend, baseline_spend,
      awareness_by_segment, demand_buy_share                   (D, T, S)
      awareness (commission-weighted over segments), artist_adoption, retouch_demand,
      retouch_price, retouch_cap, ai_per_usable_image          (D, T)
    """
    n = _draws(v)
    T, S = market.n_months, len(SEGMENT_NAMES)
    shape = (n, T, S)
    t = np.arange(T, dtype=float).reshape(1, T, 1)
    # 1. who knows of AI, and which artists use it
    d = diffusion(v, market, n, t - market.release_offset)
    # 2. what AI offers, from the cost model
    ai, artist = ai_offer(v, kind, n, t / 12.0)
    # 3. the buyers of each segment
    seg = segment_terms(v, artist, n)
    # 4. artists' floors and their terms when they use AI
    arts = artist_terms(v, seg, n)
    # 5.-6. the artists' price that clears each month, and the choice at that price
    fixed = _fixed_parts(d, ai, seg, shape)
    x = artists_price(d, ai, seg, arts, fixed, shape)
    c = choose(x, d, ai, seg, arts, fixed)
    # 7. what it means for artists, retouchers and buyers
    return outcomes(x, c, d, ai, seg, arts, shape)


# --------------------------------------------------------------------------- tables


def month_labels(market: MarketSection) -> pd.DatetimeIndex:
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
            most = (1 - B_MIN) * float(v[f"{SEG}{s}.weight_price"]) * float(r["baseline_price"][0, 0, k]) / float(
                v[f"{SEG}{s}.willingness_to_pay"])
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
    months: pd.DatetimeIndex

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
                 runs=runs, central=central, months=month_labels(market))


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
    artists_by_segment: pd.DataFrame = field(default_factory=pd.DataFrame)
    shares_all: pd.DataFrame = field(default_factory=pd.DataFrame)
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


def _band_table(per_draw: dict[str, np.ndarray], central: dict[str, np.ndarray], months) -> pd.DataFrame:
    """Long table month, t, [segment,] metric, p5, p50, p95, mean, central from (D, T) or (D, T, S) arrays."""
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
    r, c, months = d.runs, d.central, d.months
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
