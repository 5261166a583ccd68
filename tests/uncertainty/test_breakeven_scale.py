"""Break-even roots plugged back give equal costs; the ratio grid and the scale curve behave as described."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from artcost.errors import UserError
from artcost.model.breakeven import breakeven, field_bounds, ratio_grid
from artcost.model.loader import load_scenario
from artcost.model.scale import scale_curve
from artcost.model.uncertainty import evaluate

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SEED = SCENARIOS / "seed-2022-hobbyist-3060ti.yaml"


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(SEED)


def _costs_at(loaded, param, x):
    r = evaluate(loaded, {param: np.asarray(x, dtype=float)})
    return float(r["ai"]["per_usable_image"]), float(r["artist"]["per_image"])


@pytest.mark.parametrize(
    "param",
    ["human.wage_per_hour", "artist.price_per_image", "generation.acceptance_rate",
     "generation.seconds_per_image", "human.screening_seconds_per_candidate"],
)
def test_root_plugged_back_gives_equal_costs(loaded, param):
    b = breakeven(loaded, param)
    assert b.root is not None, b.message
    ai, artist = _costs_at(loaded, param, b.root)
    assert ai == pytest.approx(artist, rel=1e-8)
    assert b.ai_at_root[0] == pytest.approx(ai) and b.artist_at_root[0] == pytest.approx(artist)
    assert b.lo <= b.root <= b.hi


def test_wage_root_matches_the_linear_formula(loaded):
    # AI cost per image is a + b * wage (every human item is linear in the wage): solve by hand
    a, artist = _costs_at(loaded, "human.wage_per_hour", 0.0)
    b = _costs_at(loaded, "human.wage_per_hour", 1.0)[0] - a
    assert breakeven(loaded, "human.wage_per_hour").root == pytest.approx((artist - a) / b, rel=1e-9)
    # and it agrees with the artist's price being what AI costs at the central values
    assert breakeven(loaded, "artist.price_per_image").root == pytest.approx(_costs_at(loaded, "job.finals_needed", 1)[0])


def test_no_break_even_in_range(loaded):
    b = breakeven(loaded, "compute.owned.price_per_kwh", 0, 10)
    assert b.root is None and b.roots == []
    assert "no break-even in this range" in b.message
    assert "AI is cheaper" in b.message


def test_two_roots_are_all_reported(loaded):
    # few candidates: too few usable images; very many: screening too dear. Both cross the artist's price.
    b = breakeven(loaded, "generation.candidates_per_job")
    assert len(b.roots) == 2 and b.roots[0] < 500 < b.roots[1]
    for r in b.roots:
        ai, artist = _costs_at(loaded, "generation.candidates_per_job", r)
        assert ai == pytest.approx(artist, rel=1e-8)


def test_unknown_param_suggests_the_right_one(loaded):
    with pytest.raises(UserError) as exc:
        breakeven(loaded, "human.wage_per_hr")
    assert "did you mean 'human.wage_per_hour'" in exc.value.problems[0]


@pytest.mark.parametrize("lo,hi,needle", [(5, 1, "LO < HI"), (0, 2, "<= 1"), (-1, 0.5, "> 0")])
def test_bad_range(loaded, lo, hi, needle):
    with pytest.raises(UserError, match=needle):
        breakeven(loaded, "generation.acceptance_rate", lo, hi)


def test_field_bounds_come_from_the_schema():
    assert field_bounds("generation.acceptance_rate") == (0.0, False, 1.0)
    assert field_bounds("human.retouch_share") == (0.0, True, 1.0)
    assert field_bounds("compute.owned.pue")[0] == 1.0
    assert field_bounds("human.wage_per_hour") == (0.0, True, float("inf"))


def test_ratio_grid(loaded):
    wages = [10, 31, 100]
    rates = [0.001, 0.005, 0.02]
    g = ratio_grid(loaded, "human.wage_per_hour", wages, "generation.acceptance_rate", rates)
    assert g["ratio"].shape == (3, 3)
    central = evaluate(loaded, {})
    assert g["ratio"][1, 1] == pytest.approx(float(central["ratio"]))
    # a dearer operator lowers the ratio along every row; a poorer acceptance rate (too few usable images) lowers it too
    assert np.all(np.diff(g["ratio"], axis=1) < 0)
    assert g["ratio"][0, 1] < g["ratio"][1, 1]
    with pytest.raises(UserError):
        ratio_grid(loaded, "human.wage_per_hour", wages, "generation.acceptance_rate", [0.5, 1.5])
    with pytest.raises(UserError):
        ratio_grid(loaded, "human.wage_per_hour", wages, "human.wage_per_hour", wages)


def test_scale_curve_falls_with_volume(loaded):
    s = scale_curve(loaded, finals=[1, 10, 100], jobs_per_month=[1, 4, 16])
    c = s["per_usable_image"]
    assert c.shape == (3, 3)
    assert np.all(np.diff(c, axis=0) < 0)  # more jobs a month: learning and the GPU spread further
    assert np.all(np.diff(c, axis=1) < 0)  # more finals a job: tuning shared by more images
    items = s["items_per_usable_image"]
    assert sum(items[k] for k in items) == pytest.approx(c)
    # dedicated GPU at 1 job a month: the card's whole depreciation falls on 36 jobs
    q = loaded.scenario.values()
    per_job_hw = (q["compute.owned.purchase_price"] - q["compute.owned.resale_value"]) / (1 * 12 * q["compute.owned.lifetime_years"])
    assert items["hardware"][0, 0] == pytest.approx(per_job_hw)
    shared = scale_curve(loaded, finals=[1], jobs_per_month=[1, 16], gpu="shared")
    assert shared["items_per_usable_image"]["hardware"][0, 0] == pytest.approx(float(evaluate(loaded, {})["ai"]["hardware"]))


def test_scale_subscription_spreads_the_fee():
    loaded = load_scenario(SCENARIOS / "subscription-midjourney.yaml")
    s = scale_curve(loaded, finals=[1], jobs_per_month=[1, 10])
    sub = s["items_per_usable_image"]["subscription"][:, 0]
    assert sub[0] > sub[1]
    with pytest.raises(UserError):
        scale_curve(loaded, finals=[0.5], jobs_per_month=[1])


def test_market_fields_are_not_cost_inputs(loaded):
    if not any(p.startswith("market.") for p in loaded.scenario.quantities()):
        pytest.skip("this scenario has no market section")
    with pytest.raises(UserError, match="market fields do not enter the cost model"):
        breakeven(loaded, "market.awareness.p_per_year")
