"""The market simulator's steps, one month grid and every Monte Carlo draw at once (`model.market`
says what the simulator does; docs/market-model.md writes out each equation).

`simulate_arrays` runs seven named steps (diffusion, ai_offer, segment_terms, artist_terms, choose,
artists_price, outcomes) on the draws' inputs; each step returns a dataclass whose fields have shapes
(D, T, S) or (D, T, S, O): D draws, T months, S segments, O options (OPTIONS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from artcost.errors import UserError
from artcost.model import bass, costs
from artcost.model.loader import LoadedScenario
from artcost.model.market_schema import SEGMENT_NAMES, MarketSection
from artcost.model.schema import Scenario
from artcost.model.uncertainty import scenario_of

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
        # the requirement drops by `flex` per decade cheaper; a free option (price 0, artists at a zero floor)
        # relaxes it fully: log10(base / 0) is inf, and a flex of 0 relaxes nothing (not 0 x inf = nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            decades = np.maximum(np.log10(self.base_price / price), 0.0)
            relax = np.where(self.flex > 0, self.flex * decades, 0.0)
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
    # one factor on every utility weight: how sharply buyers choose (the logit's scale; 1 = the weights as written)
    lam = _d(v, "market.choice_sensitivity", n) if "market.choice_sensitivity" in v else 1.0
    wtp, w_p = _s(v, "willingness_to_pay", n), _s(v, "weight_price", n) * lam
    eps = _s(v, "demand_elasticity", n)
    return SegmentTerms(
        baseline=_s(v, "commissions_per_month", n),
        base_price=base_price,
        willingness_to_pay=wtp,
        requirement=_s(v, "quality_requirement", n),
        flex=_s(v, "requirement_flex", n),
        w_price=w_p,
        w_time=_s(v, "weight_time_per_day", n) * lam,
        w_quality=_s(v, "weight_quality", n) * lam,
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


def _weight(size: np.ndarray, V: np.ndarray, top: np.ndarray) -> np.ndarray:
    """size e^(V - top), and 0 where size is 0 (an option nobody offers may have any utility: never 0 x inf)."""
    return size * np.exp(np.where(size > 0, V - top, -np.inf))


def artists_demand(x: np.ndarray, d: Diffusion, ai: AIOffer, seg: SegmentTerms, arts: ArtistTerms,
                   fixed: _Fixed) -> np.ndarray:
    """`choose(x, ...).artists_demand` without the rest of the choice: the root finder's inner loop, (D, T, S).

    Aware buyers: logit over the four options; unaware buyers see artists only (their artist share is 1).
    The same equations as `choose` (tested to agree), in a third of its time."""
    p_art, p_aia = artist_prices(x, seg, arts, ai)
    V0 = seg.utility(p_art, seg.lead_days, seg.artist_quality)
    Vmax = np.maximum(V0, seg.utility(p_aia, seg.lead_days * (1 - arts.time_saving), seg.artist_quality))
    size = fixed.size_aware
    # the best option buyers can take: an artist using AI only where some do (size > 0), so the exp of
    # the best term is 1 and no log-sum is log(0), however far apart the utilities are
    top_art = np.where(size[..., 1] > 0, Vmax, V0)  # Vmax >= V0; size 0 + size 1 = availability > 0
    top = np.maximum(np.maximum(top_art, fixed.V_ai), fixed.V_retouch)
    art = _weight(size[..., 0], V0, top) + _weight(size[..., 1], Vmax, top)
    total = art + np.exp(fixed.V_ai - top) + np.exp(fixed.V_retouch - top)
    E_a, _ = _market_size(top + np.log(total) - fixed.baseline_logsum, seg.buy_share)
    unaware = top_art + np.log(_weight(size[..., 0], V0, top_art) + _weight(size[..., 1], Vmax, top_art))  # artists only
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
        # min(D^eta, 1) = min(D, 1)^eta for eta >= 0, without D^eta overflowing for a large eta
        return x - np.minimum(artists_demand(x, d, ai, seg, arts, fixed), 1.0) ** eta

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
        "compute_per_image": full(ai.compute_per_image),
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


