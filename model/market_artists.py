"""Artists as a distribution within each segment (issue #27; docs/market-model.md section 6b).

The simulator's segment curves are one representative artist's. Surveys ask artists one by one ("26% of
illustrators have lost work to AI"), so this module runs the same simulator for ARTIST_TYPES types of artist per
segment, each with its own clientele (a sub-market): type j sits at the normal quantile z_j of one latent standing
and has

    price multiple  m_j = exp(price_log_sd z_j)          (its clients' willingness to pay scales with it)
    quality         q_s + quality_sd z_j                 (its clients' requirement moves with it)
    images a month  n_s / m_j                             (the same hourly earnings: dearer work takes longer)

and within each type a share B(t) has adopted AI (the artists' Bass curve) and 1 - B(t) has not; adopters who use AI
on a job get the `artist_ai` commissions, the others the `artist` ones, per head. An artist "lost work" when their
commissions are more than `loss_threshold` below their no-AI level, after their own luck (log-normal, `luck_sd`):

    P(lost | group) = Phi((ln(1 - loss_threshold) - ln index) / luck_sd)

Every type runs on the draw axis of `simulate_arrays`, so D draws x J types are one vectorised call.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import log, sqrt
from typing import Any, Mapping

import numpy as np

from artcost.model.market_schema import SEGMENT_NAMES, MarketSection
from artcost.model.market_steps import SEG, _draws, simulate_arrays

ARTIST_TYPES = 5  # normal quantiles of the latent standing: enough for shares to move smoothly, 5x the work
SPREAD = "market.artist_spread."
# Survey metrics the evidence table may name (model.market_evidence.Metric) and what each counts.
SHARE_METRICS = {
    "share_lost_work": "artists whose commissions fell by more than the loss threshold",
    "share_income_down": "artists whose income fell by more than the loss threshold",
    "share_income_changed": "artists whose income moved by more than the loss threshold, up or down",
}

def _Phi(x: np.ndarray) -> np.ndarray:
    """Standard normal CDF without scipy (scipy.special costs a second to import)."""
    x = np.asarray(x, dtype=float)
    # Abramowitz-Stegun 7.1.26 via erf: |error| < 1.5e-7, plenty for a share of artists
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x) / sqrt(2.0))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    e = 1.0 - poly * np.exp(-(x * x) / 2.0)
    return 0.5 * (1.0 + np.sign(x) * e)


def type_quantiles(n: int = ARTIST_TYPES) -> np.ndarray:
    """z_j: the standard normal's quantiles at (j - 0.5) / n, equally weighted (by bisection on _Phi: no scipy)."""
    q = (np.arange(n) + 0.5) / n
    lo, hi = np.full(n, -8.0), np.full(n, 8.0)
    for _ in range(60):
        mid = (lo + hi) / 2
        below = _Phi(mid) < q
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return (lo + hi) / 2


def expand_types(v: Mapping[str, Any], n_types: int = ARTIST_TYPES) -> tuple[dict[str, Any], np.ndarray]:
    """The inputs `v` (D draws) repeated for every type (D x J, type fastest) with each type's segment fields set;
    and z (J,)."""
    D = _draws(v)
    z = type_quantiles(n_types)
    out: dict[str, Any] = {}
    for k, x in v.items():
        a = np.broadcast_to(np.asarray(x, dtype=float).reshape(-1), (D,))
        out[k] = np.repeat(a, n_types)
    zz = np.tile(z, D)
    q_sd, p_sd = out[SPREAD + "quality_sd"], out[SPREAD + "price_log_sd"]
    mult = np.exp(p_sd * zz)
    for s in SEGMENT_NAMES:
        f = f"{SEG}{s}."
        out[f + "artist_price_multiple"] = out[f + "artist_price_multiple"] * mult
        out[f + "willingness_to_pay"] = out[f + "willingness_to_pay"] * mult
        out[f + "artist_images_per_month"] = out[f + "artist_images_per_month"] / mult
        out[f + "artist_quality"] = np.clip(out[f + "artist_quality"] + q_sd * zz, 0.01, 0.999)
        out[f + "quality_requirement"] = np.clip(out[f + "quality_requirement"] + q_sd * zz, 0.0, 0.999)
    return out, z


@dataclass
class ArtistGroups:
    """Per head, against the same artist without AI, for D draws x J types x T months x S segments:
    work / income of artists who have not adopted AI (`_non`) and of those who have (`_ad`); `adopted` B (D, T);
    `weight` (D, J, S): the number of artists of each type (no-AI commissions / images a month), and the spread's
    loss threshold and luck (D,)."""

    work_non: np.ndarray
    work_ad: np.ndarray
    income_non: np.ndarray
    income_ad: np.ndarray
    adopted: np.ndarray
    weight: np.ndarray
    threshold: np.ndarray
    luck: np.ndarray

    def share(self, metric: str, segment: str) -> np.ndarray:
        """Share of artists (of a segment, or 'all') counted by `metric` (SHARE_METRICS), per draw and month: (D, T)."""
        if metric == "share_lost_work":
            non, ad, both = self.work_non, self.work_ad, False
        elif metric == "share_income_down":
            non, ad, both = self.income_non, self.income_ad, False
        elif metric == "share_income_changed":
            non, ad, both = self.income_non, self.income_ad, True
        else:
            raise ValueError(f"unknown share metric {metric!r}")
        line = np.log1p(-self.threshold)[:, None, None, None]
        sd = self.luck[:, None, None, None]

        def counted(idx: np.ndarray) -> np.ndarray:
            lx = np.log(np.maximum(idx, 1e-9))
            down = _Phi((line - lx) / sd)
            return down + (1.0 - _Phi((-line - lx) / sd)) if both else down

        B = self.adopted[:, None, :, None]
        p = (1.0 - B) * counted(non) + B * counted(ad)  # (D, J, T, S)
        w = self.weight[:, :, None, :]
        if segment != "all":
            k = SEGMENT_NAMES.index(segment)
            p, w = p[..., k:k + 1], w[..., k:k + 1]
        return (p * w).sum(axis=(1, 3)) / w.sum(axis=(1, 3))


def artist_groups(v: Mapping[str, Any], kind: str, market: MarketSection, n_types: int = ARTIST_TYPES) -> ArtistGroups:
    """Run the simulator once for every draw of `v` and every artist type; return the groups' curves per head."""
    D = _draws(v)
    vt, _ = expand_types(v, n_types)
    r = simulate_arrays(vt, kind, market)
    return groups_of(r, vt, D, n_types)


def groups_of(r: Mapping[str, np.ndarray], vt: Mapping[str, Any], D: int, n_types: int) -> ArtistGroups:
    """`ArtistGroups` from a `simulate_arrays` run on `expand_types` inputs (D x J draws)."""
    share, M, x = r["share"], r["market_index"], r["artist_price_factor"]
    B = r["artist_adoption"][..., None]  # (DJ, T, 1)
    uses = share[..., 1] > 0  # adopters whose AI-assisted offer beats their own: column 1 holds them
    s0, s1 = share[..., 0], share[..., 1]
    safe_non, safe_ad = np.maximum(1.0 - B, 1e-12), np.maximum(B, 1e-12)
    work_non = np.where(uses, M * s0 / safe_non, M * s0)
    work_ad = np.where(uses, M * s1 / safe_ad, M * s0)
    ai_net = (r["artist_ai_price"] - r["compute_per_image"]) / r["baseline_price"]
    income_non = work_non * x
    income_ad = np.where(uses, work_ad * ai_net, work_ad * x)
    T, S = M.shape[1:]

    def per(a):
        return a.reshape(D, n_types, T, S)

    base = r["baseline_commissions"][:, 0, :]  # (DJ, S)
    per_month = np.stack([np.asarray(vt[f"{SEG}{s}.artist_images_per_month"], dtype=float) for s in SEGMENT_NAMES], -1)
    weight = (base / per_month).reshape(D, n_types, S)
    first = np.arange(D) * n_types
    return ArtistGroups(
        work_non=per(work_non), work_ad=per(work_ad), income_non=per(income_non), income_ad=per(income_ad),
        adopted=r["artist_adoption"][first], weight=weight,
        threshold=np.asarray(vt[SPREAD + "loss_threshold"], dtype=float)[first],
        luck=np.asarray(vt[SPREAD + "luck_sd"], dtype=float)[first],
    )


def no_loss_share(threshold: float, luck: float) -> float:
    """The share a survey would count as 'lost work' in a market without AI: only luck (a check for the docs)."""
    return float(_Phi(np.array([log(1 - threshold) / luck]))[0])
