"""Artists as a distribution within each segment (issue #27, model/market_artists.py)."""

from __future__ import annotations

from math import erf, log, sqrt
from pathlib import Path

import numpy as np
import pytest

from artcost.model.loader import load_scenario
from artcost.model.market_artists import (SHARE_METRICS, _Phi, artist_groups, expand_types, no_loss_share,
                                          type_quantiles)
from artcost.model.market_result import segment_metrics
from artcost.model.market_schema import SEGMENT_NAMES
from artcost.model.market_steps import simulate_arrays

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"


@pytest.fixture(scope="module")
def sc():
    return load_scenario(SEED).scenario


def test_normal_cdf_and_type_quantiles():
    xs = np.linspace(-5, 5, 41)
    assert _Phi(xs) == pytest.approx([0.5 * (1 + erf(x / sqrt(2))) for x in xs], abs=2e-7)
    z = type_quantiles(5)
    assert z == pytest.approx(-z[::-1]) and z[2] == pytest.approx(0, abs=1e-12)
    assert _Phi(z) == pytest.approx((np.arange(5) + 0.5) / 5, abs=1e-9)


def test_the_median_type_is_the_segment_and_its_groups_average_to_its_curve(sc):
    """Type z = 0 has the segment's own inputs; its non-adopters and adopters, weighted by the share who adopted,
    give back the segment's commissions index of the one-artist model."""
    v = sc.values()
    vt, z = expand_types(v, 5)
    mid = int(np.argmin(np.abs(z)))
    for s in SEGMENT_NAMES:
        for f in ("artist_price_multiple", "artist_quality", "quality_requirement", "willingness_to_pay"):
            assert vt[f"market.segments.{s}.{f}"][mid] == pytest.approx(v[f"market.segments.{s}.{f}"])
    g = artist_groups(v, sc.compute.kind, sc.market, 5)
    one = segment_metrics(simulate_arrays(v, sc.compute.kind, sc.market))["commissions_index"][0]  # (T, S)
    B = g.adopted[0][:, None]
    avg = (1 - B) * g.work_non[0, mid] + B * g.work_ad[0, mid]
    assert avg == pytest.approx(one, rel=1e-9)
    # the types differ: artists of one segment do not all keep the same share of their work
    assert np.ptp(g.work_non[0, :, 24, :], axis=0).max() > 1e-3


def test_without_ai_only_luck_crosses_the_loss_line(sc):
    v = sc.values()
    v["compute.owned.price_per_kwh"] = 1e12  # AI priced out of reach: every artist keeps the no-AI market
    g = artist_groups(v, sc.compute.kind, sc.market, 5)
    luck = no_loss_share(v["market.artist_spread.loss_threshold"], v["market.artist_spread.luck_sd"])
    th, sd = v["market.artist_spread.loss_threshold"], v["market.artist_spread.luck_sd"]
    assert luck == pytest.approx(0.5 * (1 + erf(log(1 - th) / sd / sqrt(2))), abs=2e-7)
    for m in ("share_lost_work", "share_income_down"):
        assert g.share(m, "all")[0] == pytest.approx(luck, abs=1e-9)
    assert g.share("share_income_changed", "all")[0] == pytest.approx(2 * luck, abs=1e-9)


def test_shares_are_shares_and_rise_as_ai_spreads(sc):
    g = artist_groups(sc.values(), sc.compute.kind, sc.market, 5)
    for m in SHARE_METRICS:
        for seg in (*SEGMENT_NAMES, "all"):
            a = g.share(m, seg)
            assert ((a >= 0) & (a <= 1)).all(), (m, seg)
    lost = g.share("share_lost_work", "all")[0]
    assert lost[24] > lost[0] + 0.1  # two years on, more artists have lost work than at release
