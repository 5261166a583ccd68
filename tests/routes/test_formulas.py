"""Each new formula of issue #17 against a value computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from artcost.errors import UserError
from artcost.model import costs
from artcost.model.api_prices import api_price_table, billed_megapixels, megapixels, price_fields, schedule_price
from artcost.model.breakeven import solve_crossings
from artcost.model.carbon import carbon_money, grams_co2e, intensity_for
from artcost.model.catalogue import catalogue, speed_at
from artcost.model.loader import validate_raw


def _api_values(**prices) -> dict[str, float]:
    v = {"generation.candidates_per_job": 4.0, "compute.api.price_per_image": 0.0,
         "compute.api.price_per_megapixel": 0.0, "compute.api.price_per_step": 0.0,
         "compute.api.billed_megapixels": 0.0, "compute.api.extra_steps": 0.0}
    v.update({f"compute.api.{k}": float(x) for k, x in prices.items()})
    return v


def test_api_per_image():
    # 4 candidates x $0.04 = $0.16 a job
    out = costs.api_costs(_api_values(price_per_image=0.04))
    assert float(out["api"]) == pytest.approx(0.16)
    assert float(out["api_price_per_image"]) == pytest.approx(0.04)


def test_api_per_megapixel_exact_and_rounded_up():
    # 1024 px square = 1,048,576 px = 1.048576 MP (10^6 px each); rounded up: 2 MP
    assert megapixels(1024) == pytest.approx(1.048576)
    assert billed_megapixels(1024, round_up=False) == pytest.approx(1.048576)
    assert billed_megapixels(1024, round_up=True) == 2.0
    assert billed_megapixels(1000, round_up=True) == 1.0  # exactly one MP is not rounded to two
    # $0.025/MP x 1.048576 MP = $0.0262144 an image; x 4 candidates = $0.1048576
    out = costs.api_costs(_api_values(price_per_megapixel=0.025, billed_megapixels=1.048576))
    assert float(out["api"]) == pytest.approx(0.1048576)


def test_api_per_step_above_the_included_steps():
    # $0.0019/MP x 1.048576 + $0.00005 x (40 - 30) steps = 0.0019922944 + 0.0005 = 0.0024922944 an image
    out = costs.api_costs(_api_values(price_per_megapixel=0.0019, billed_megapixels=1.048576,
                                      price_per_step=0.00005, extra_steps=10))
    assert float(out["api_price_per_image"]) == pytest.approx(0.0024922944)


def test_a_price_by_steps_schedule_is_read_or_interpolated():
    sched = {20: 0.0054, 30: 0.0075}
    assert schedule_price(sched, 30)[0] == 0.0075
    # 25 steps: halfway, (0.0054 + 0.0075) / 2 = 0.00645
    price, how = schedule_price(sched, 25)
    assert price == pytest.approx(0.00645) and "interpolated" in how
    with pytest.raises(ValueError, match="outside the provider's schedule"):
        schedule_price(sched, 50)


def test_a_price_table_row_fills_the_scenario():
    # qubrid-sd35-large: $0.0019/MP plus $0.00005 per step above its default 30
    row = api_price_table().by_id["qubrid-sd35-large"]
    usd, _, _ = price_fields(row, steps=40)
    assert usd == {"price_per_megapixel": 0.0019, "price_per_step": 0.00005, "steps_included": 30.0}
    raw = _api_scenario({"from_price_table": "qubrid-sd35-large"}, steps=40)
    sc = validate_raw(raw, {}, "api.yaml")
    v = sc.values()
    assert v["compute.api.billed_megapixels"] == pytest.approx(1.048576)
    assert v["compute.api.extra_steps"] == 10.0
    ai = costs.ai_job(v, "api")
    # 4 candidates x 0.0024922944 = 0.0099691776
    assert float(ai["api"]) == pytest.approx(4 * 0.0024922944)


def test_an_api_rate_limit_bounds_the_wall_time():
    # 4 candidates at 2 a minute take at least 2 minutes = 120 s, however fast each call is
    v = {"generation.candidates_per_job": 4.0, "compute.api.rate_limit_images_per_minute": 2.0}
    assert float(costs.api_wall_seconds(v, np.asarray(10.0))) == pytest.approx(120.0)
    assert float(costs.api_wall_seconds(v, np.asarray(500.0))) == pytest.approx(500.0)
    assert float(costs.api_wall_seconds({}, np.asarray(10.0))) == 10.0  # no known limit: unchanged


@pytest.mark.parametrize("wall,granularity,minimum,startup,billed", [
    (61.0, 60.0, 0.0, 0.0, 120.0),    # 61 s billed by the minute: 2 minutes
    (60.0, 60.0, 0.0, 0.0, 60.0),     # exactly one minute: one
    (10.0, 1.0, 60.0, 0.0, 60.0),     # a minimum of 60 s
    (100.0, 3600.0, 0.0, 200.0, 3600.0),  # 300 s with start-up, billed by the hour: one hour
])
def test_cloud_billing_granularity_minimum_and_startup(wall, granularity, minimum, startup, billed):
    v = {"generation.gpus": 2.0, "compute.cloud.startup_seconds_per_gpu": startup,
         "compute.cloud.billing_granularity_seconds": granularity, "compute.cloud.minimum_billed_seconds": minimum,
         "compute.cloud.price_per_gpu_hour": 3.6}
    out = costs.cloud_costs(v, np.asarray(wall))
    assert float(out["billed_gpu_seconds"]) == pytest.approx(2 * billed)
    # 2 GPUs x billed s / 3600 x $3.6 = 2 x billed / 1000
    assert float(out["cloud"]) == pytest.approx(2 * billed / 1000)


def test_break_even_volume_of_a_fixed_cost_against_a_flat_price():
    # owning: $100 a month spread over x jobs + $1 a job; the rival: $2 a job. Equal at x = 100.
    def sides(x):
        x = np.asarray(x, dtype=float)
        own, rival = 100 / x + 1, np.full_like(x, 2.0)
        return {"ai": own, "artist": rival, "diff": own - rival}

    roots, steps = solve_crossings(sides, 0.01, 1e5)
    assert roots == [pytest.approx(100.0, rel=1e-9)] and steps == []


def test_break_even_tells_a_step_from_a_root():
    # a cost that jumps from 1 to 3 at x = 5 passes 2 without meeting it: a step, not a root
    def sides(x):
        x = np.asarray(x, dtype=float)
        a = np.where(x < 5, 1.0, 3.0)
        return {"ai": a, "artist": np.full_like(x, 2.0), "diff": a - 2.0}

    roots, steps = solve_crossings(sides, 1, 10)
    assert roots == [] and steps == [pytest.approx(5.0, abs=1e-6)]


def test_carbon_is_energy_times_pue_times_grid():
    # 0.1 kWh x PUE 1.2 x 500 g/kWh = 60 g; at 80 a tonne: 60 / 10^6 x 80 = 0.0048
    assert grams_co2e(0.1, 1.2, 500.0) == pytest.approx(60.0)
    assert carbon_money(60.0, 80.0) == pytest.approx(0.0048)


def test_grid_intensity_default_and_by_region():
    world = intensity_for(None)
    assert world.default and world.row.region == "WORLD" and "default" in world.label
    cn = intensity_for("CN")
    assert not cn.default and cn.row.id.startswith("ember-") and cn.row.region == "CN"
    assert intensity_for("cn").row.id == cn.row.id  # regions are matched without case
    with pytest.raises(ValueError, match="unknown grid region 'Mars'"):
        intensity_for("Mars")


def test_a_published_run_is_scaled_by_counted_flops():
    row = catalogue().by_id["mlenergy-v2-h100-openjourney4-25s-bs1"]  # sd15, 512 px, 25 steps, CFG
    same = speed_at(row, "sd15", 512, 25)
    assert same.seconds_per_image == row.seconds_per_image and same.flop_ratio is None
    # the UNet's FLOPs are the same at every step, so 20 of 25 steps is x0.8 for the loop; text encoder and VAE
    # once an image make the counted ratio a little above 0.8
    fewer = speed_at(row, "sd15", 512, 20)
    assert 0.79 < fewer.flop_ratio < 0.83
    assert fewer.seconds_per_image == pytest.approx(row.seconds_per_image * fewer.flop_ratio)
    assert fewer.joules_per_image == pytest.approx(row.joules_per_image * fewer.flop_ratio)
    assert "scaled by counted FLOPs" in fewer.label and "25->20 steps" in fewer.label


def _api_scenario(api: dict, steps: int = 28) -> dict:
    return {
        "meta": {"name": "api test", "currency": "USD", "as_of": "2026-03-31"},
        "job": {"finals_needed": {"value": 1, "source": "test"}},
        "generation": {"seconds_per_image": {"value": 5, "source": "test"},
                       "candidates_per_job": {"value": 4, "source": "test"},
                       "acceptance_rate": {"value": 0.5, "source": "test"},
                       "resolution_px": 1024, "steps": steps, "arch": "sd35-large"},
        "compute": {"api": api},
        "human": {"wage_per_hour": {"value": 0, "source": "test"},
                  "prompt_tuning_minutes_per_job": {"value": 0, "source": "test"},
                  "screening_seconds_per_candidate": {"value": 0, "source": "test"}},
        "artist": {"price_per_image": {"value": 100, "source": "test"},
                   "lead_time_days": {"value": 7, "source": "test"}},
    }


def test_api_prices_without_resolution_are_refused():
    raw = _api_scenario({"price_per_megapixel": {"value": 0.02, "source": "test"}})
    del raw["generation"]["resolution_px"]
    with pytest.raises(UserError, match="generation.resolution_px: is required with compute.api.price_per_megapixel"):
        validate_raw(raw, {}, "api.yaml")


def test_no_cost_is_negative_or_infinite_on_an_api():
    sc = validate_raw(_api_scenario({"price_per_image": {"value": 0.04, "source": "test"}}), {}, "api.yaml")
    ai = costs.ai_job(sc.values(), "api")
    assert math.isfinite(float(ai["per_usable_image"])) and float(ai["per_usable_image"]) > 0
