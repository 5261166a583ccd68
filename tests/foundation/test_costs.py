"""Every formula of the cost model against a case computed by hand (see docs/cost-model.md)."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from helpers import BASE, scenario_dict, write  # noqa: E402

from artcost.model import costs  # noqa: E402
from artcost.model.comparison import comparison  # noqa: E402
from artcost.model.loader import load_scenario  # noqa: E402


def values(tmp_path, data=None):
    loaded = load_scenario(write(tmp_path, data or BASE))
    return loaded.scenario.values(), loaded.scenario.compute.kind


def test_owned_items_by_hand(tmp_path):
    v, kind = values(tmp_path)
    ai = costs.ai_job(v, kind)
    # 100 candidates x 3 s = 300 GPU-s; 2 GPUs at full efficiency -> 150 s wall
    assert ai["gpu_seconds"] == pytest.approx(300)
    assert ai["wall_seconds"] == pytest.approx(150)
    # 300 s x 400 W = 120,000 J = 0.0333 kWh, x PUE 1.5 = 0.05 kWh, x 0.2 = 0.01
    assert ai["electricity"] == pytest.approx(0.01)
    # (1000-200)/(4*2000) = 0.1 per hour; 300 s = 1/12 h -> 0.008333
    assert ai["hardware"] == pytest.approx(0.1 / 12)
    assert ai["cloud"] == 0 and ai["subscription"] == 0
    # human: tuning 10 min at 30/h = 5; learning 8 h x 30 / 4 jobs = 60
    assert ai["prompt_tuning"] == pytest.approx(5)
    assert ai["learning"] == pytest.approx(60)
    # screening: 100 x 2 s x 2 rounds = 400 s = 1/9 h x 30 = 3.333
    assert ai["screening"] == pytest.approx(400 / 3600 * 30)
    # supervision: 150 s wall x 0.5 attended x 30/h = 0.625
    assert ai["supervision"] == pytest.approx(150 / 3600 * 0.5 * 30)
    # retouching: 2 finals x 0.5 x 40 = 40
    assert ai["retouching"] == pytest.approx(40)
    expected_total = 0.01 + 0.1 / 12 + 5 + 60 + 400 / 3600 * 30 + 150 / 3600 * 0.5 * 30 + 40
    assert ai["total"] == pytest.approx(expected_total)
    # usable = min(2 finals, 100 x 0.1 = 10) = 2
    assert ai["usable_images"] == pytest.approx(2)
    assert ai["per_usable_image"] == pytest.approx(expected_total / 2)
    assert not ai["shortfall"]


def test_artist_and_ratio_by_hand(tmp_path):
    v, kind = values(tmp_path)
    r = costs.compare(v, kind)
    assert r["artist"]["per_image"] == pytest.approx(550)
    assert r["artist"]["total"] == pytest.approx(1100)
    assert r["artist"]["delivery_hours"] == pytest.approx(240)
    assert r["ratio"] == pytest.approx(550 / r["ai"]["per_usable_image"])


def test_cloud_billing_rounds_up_per_gpu(tmp_path):
    data = scenario_dict(
        compute={"cloud": {"price_per_gpu_hour": 3.6, "billing_granularity_seconds": 60, "minimum_billed_seconds": 0}}
    )
    v, kind = values(tmp_path, data)
    ai = costs.ai_job(v, kind)
    # 150 s wall per GPU rounds up to 180 s; 2 GPUs -> 360 GPU-s = 0.1 h x 3.6 = 0.36
    assert ai["billed_gpu_seconds"] == pytest.approx(360)
    assert ai["cloud"] == pytest.approx(0.36)
    assert ai["electricity"] == 0 and ai["hardware"] == 0


def test_cloud_minimum_and_startup(tmp_path):
    data = scenario_dict(
        compute={"cloud": {"price_per_gpu_hour": 3.6, "billing_granularity_seconds": 1,
                           "minimum_billed_seconds": 600, "startup_seconds_per_gpu": 30}}
    )
    v, kind = values(tmp_path, data)
    ai = costs.ai_job(v, kind)
    # 150 + 30 = 180 s per GPU, below the 600 s minimum -> 2 x 600 s = 1/3 h x 3.6 = 1.2
    assert ai["cloud"] == pytest.approx(1.2)


def test_subscription_spreads_fee_and_included_images(tmp_path):
    data = scenario_dict(
        job={"finals_needed": 2, "jobs_per_month": 4},
        compute={"subscription": {"monthly_fee": 40, "images_included_per_month": 200, "price_per_extra_image": 0.5}},
    )
    v, kind = values(tmp_path, data)
    ai = costs.ai_job(v, kind)
    # fee 40/4 = 10; included 200/4 = 50 per job; 100 candidates -> 50 extra x 0.5 = 25
    assert ai["subscription"] == pytest.approx(35)


def test_scaling_efficiency_stretches_wall_time_only(tmp_path):
    data = copy.deepcopy(BASE)
    data["generation"]["scaling_efficiency"] = 0.5
    v, kind = values(tmp_path, data)
    ai = costs.ai_job(v, kind)
    assert ai["wall_seconds"] == pytest.approx(300)  # 300 GPU-s / (2 x 0.5)
    assert ai["gpu_seconds"] == pytest.approx(300)
    assert ai["electricity"] == pytest.approx(0.01)


def test_retouching_by_own_minutes(tmp_path):
    data = copy.deepcopy(BASE)
    del data["human"]["retouch_price_per_image"]
    data["human"]["retouch_minutes_per_image"] = 20
    v, kind = values(tmp_path, data)
    # 2 finals x 0.5 x 20 min at 30/h = 10
    assert costs.ai_job(v, kind)["retouching"] == pytest.approx(10)


def test_shortfall_is_reported_not_hidden(tmp_path):
    data = copy.deepcopy(BASE)
    data["generation"]["acceptance_rate"] = 0.01  # 100 x 0.01 = 1 expected < 2 needed
    loaded = load_scenario(write(tmp_path, data))
    r = comparison(loaded)
    assert r["usable_images"] == pytest.approx(1)
    assert r["warnings"] and "needs about 200 candidates" in r["warnings"][0]


def test_job_success_probability_is_binomial(tmp_path):
    v, kind = values(tmp_path)
    ai = costs.ai_job(v, kind)
    # P(X >= 2), X ~ Bin(100, 0.1) = 1 - 0.9^100 - 100 x 0.1 x 0.9^99
    expected = 1 - 0.9**100 - 100 * 0.1 * 0.9**99
    assert ai["p_job_success"] == pytest.approx(expected)


def test_vectorised_inputs_broadcast(tmp_path):
    v, kind = values(tmp_path)
    wages = np.array([0.0, 30.0, 60.0])
    out = costs.ai_job({**v, "human.wage_per_hour": wages}, kind)
    assert out["total"].shape == (3,)
    scalar = costs.ai_job(v, kind)["total"]
    assert out["total"][1] == pytest.approx(scalar)
    assert out["total"][0] < out["total"][1] < out["total"][2]


def test_reruns_divide_by_the_chance_of_success(tmp_path):
    data = copy.deepcopy(BASE)
    data["generation"]["acceptance_rate"] = 0.03  # 100 candidates: P(>= 2 accepted) well below 1
    v, kind = values(tmp_path, data)
    ai = costs.ai_job(v, kind)
    assert 0 < ai["p_job_success"] < 0.9
    assert ai["per_usable_image_with_reruns"] == pytest.approx(ai["per_usable_image"] / ai["p_job_success"])
    assert ai["per_usable_image_with_reruns"] > ai["per_usable_image"]


def test_reruns_with_a_shortfall_count_each_delivered_final_once(tmp_path):
    data = copy.deepcopy(BASE)
    data["generation"]["acceptance_rate"] = 0.01  # 1 expected accepted < 2 finals
    v, kind = values(tmp_path, data)
    ai = costs.ai_job(v, kind)
    # a delivered job yields the 2 finals; jobs per delivered job = 1 / p
    assert ai["per_usable_image_with_reruns"] == pytest.approx(ai["total"] / (2 * ai["p_job_success"]))


def test_ai_delivery_hours_by_hand(tmp_path):
    data = copy.deepcopy(BASE)
    data["human"]["retouch_lead_time_days"] = 1
    v, kind = values(tmp_path, data)
    # 10 min tuning + 150 s wall + 400 s screening + 1 day retouch turnaround
    expected = 10 / 60 + 150 / 3600 + 400 / 3600 + 24
    assert costs.ai_job(v, kind)["delivery_hours"] == pytest.approx(expected)
    data["human"]["retouch_share"] = 0  # nothing retouched: no turnaround
    v, kind = values(tmp_path, data)
    assert costs.ai_job(v, kind)["delivery_hours"] == pytest.approx(expected - 24)


def test_own_retouching_is_part_of_the_delivery(tmp_path):
    """A review found 0, 20 and 600 minutes of the operator's own retouching costed (0 -> 600 USD) while the
    delivery stayed at 51 min: their hours are part of the job's time too."""
    data = copy.deepcopy(BASE)
    data["human"]["retouch_share"] = 1.0
    data["human"]["retouch_price_per_image"] = 0
    data["human"]["retouch_lead_time_days"] = 0
    hours = []
    for minutes in (0, 20, 600):
        data["human"]["retouch_minutes_per_image"] = minutes
        v, kind = values(tmp_path, data)
        hours.append(float(costs.ai_job(v, kind)["delivery_hours"]))
    finals = BASE["job"]["finals_needed"]
    finals = finals["value"] if isinstance(finals, dict) else finals
    assert hours[1] - hours[0] == pytest.approx(finals * 20 / 60)
    assert hours[2] - hours[0] == pytest.approx(finals * 600 / 60)


def test_currency_scales_every_money_figure_once_and_nothing_else(tmp_path):
    loaded = load_scenario(write(tmp_path, BASE))
    own, eur = comparison(loaded), comparison(loaded, "EUR")
    f = eur["exchange_rate"]["factor"]
    assert f == pytest.approx(0.924)
    for k, x in own["breakdown"].items():
        assert eur["breakdown"][k] == pytest.approx(x * f)
    assert eur["artist"]["per_image"] == pytest.approx(own["artist"]["per_image"] * f)
    for k in ("ratio", "usable_images", "p_job_success"):
        assert eur[k] == pytest.approx(own[k])
    assert eur["delivery"] == pytest.approx(own["delivery"])
    assert eur["inputs"]["human.wage_per_hour"]["value"] == pytest.approx(30 * f)
    assert eur["inputs"]["compute.owned.board_power_w"]["value"] == 300  # watts are not money


def test_headline_when_ai_is_dearer():
    from artcost.units import money, ratio_phrase

    assert ratio_phrase(104.2) == "104x cheaper with AI"
    assert ratio_phrase(0.4) == "AI costs 2.5x the artist"
    assert money(float("inf"), "CNY") == "inf CNY"


def test_every_item_has_words_and_the_cli_table_prints_them(capsys):
    """The CLI's itemised table printed `prompt_tuning` where the report says 'prompt tuning'."""
    from artcost.cli import main

    assert set(costs.ITEM_WORDS) == set(costs.ITEMS)
    assert all("_" not in w for w in costs.ITEM_WORDS.values())
    seed = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
    assert main(["cost", str(seed), "--brief"]) == 0
    out = capsys.readouterr().out
    assert "prompt tuning" in out and "prompt_tuning" not in out
