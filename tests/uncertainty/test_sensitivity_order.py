"""Tornado and Sobol on a scenario whose answer is known by hand, and on the seed scenario."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from artcost.errors import UserError
from artcost.model.loader import load_scenario
from artcost.model.sensitivity import rank_correlation, sobol, tornado

SEED = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"

# One final; 3600 candidates, all acceptable; 1 GPU-second each (1 GPU-hour); 30 min of tuning;
# nothing else costs anything.  Per usable image = wage * (0.5 + seconds) + board_W / 1000 * 1 CNY.
HAND = {
    "meta": {"name": "hand-checked", "currency": "CNY", "as_of": "2022-10-15"},
    "job": {"finals_needed": 1},
    "generation": {"seconds_per_image": 1, "candidates_per_job": 3600, "acceptance_rate": 1},
    "compute": {
        "owned": {
            "purchase_price": 0,
            "lifetime_years": 1,
            "hours_used_per_year": 1000,
            "board_power_w": {"dist": "uniform", "low": 100, "high": 300, "source": "test"},
            "price_per_kwh": 1,
        }
    },
    "human": {
        "wage_per_hour": {"dist": "uniform", "low": 10, "high": 30, "source": "test"},
        "prompt_tuning_minutes_per_job": 30,
        "screening_seconds_per_candidate": {"dist": "uniform", "low": 0, "high": 2, "source": "test"},
    },
    "artist": {"price_per_image": 1000, "lead_time_days": 7},
}


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    f = tmp_path_factory.mktemp("hand") / "hand.yaml"
    f.write_text(yaml.safe_dump(copy.deepcopy(HAND), sort_keys=False), encoding="utf-8")
    return load_scenario(f)


def test_tornado_by_hand(hand):
    # central: wage 20, seconds 1, board 200 W -> 20 * 1.5 + 0.2 = 30.2
    # seconds p10/p90 = 0.2/1.8 -> 20 * (0.5 + s): swing 20 * 1.6 = 32
    # wage    p10/p90 = 12/28   -> w * 1.5:       swing 16 * 1.5 = 24
    # board   p10/p90 = 120/280 -> W / 1000:      swing 0.16
    rows = tornado(hand, "per_usable_image")
    assert [r["param"] for r in rows] == [
        "human.screening_seconds_per_candidate",
        "human.wage_per_hour",
        "compute.owned.board_power_w",
    ]
    assert [r["swing"] for r in rows] == pytest.approx([32, 24, 0.16])
    assert rows[0]["base"] == pytest.approx(30.2)
    assert rows[1]["input_low"] == pytest.approx(12) and rows[1]["input_high"] == pytest.approx(28)
    assert rows[1]["output_low"] == pytest.approx(18.2) and rows[1]["output_high"] == pytest.approx(42.2)
    assert sum(r["share_of_total_swing"] for r in rows) == pytest.approx(1)
    # the ratio is 1000 / cost: the same order, swings 1000/x differences
    ratio_rows = tornado(hand, "ratio")
    assert [r["param"] for r in ratio_rows][:2] == [r["param"] for r in rows][:2]
    assert ratio_rows[0]["swing"] == pytest.approx(1000 / (20 * 0.7 + 0.2) - 1000 / (20 * 2.3 + 0.2))


def test_sobol_and_rank_correlation_agree_with_the_hand_order(hand):
    res = sobol(hand, "per_usable_image", n=512, seed=0)
    order = [r["param"] for r in res["rows"]]
    assert order == ["human.screening_seconds_per_candidate", "human.wage_per_hour", "compute.owned.board_power_w"]
    st = {r["param"]: r["ST"] for r in res["rows"]}
    assert st["compute.owned.board_power_w"] < 0.01
    # var(w*(0.5+s)) with w~U(10,30), s~U(0,2): the product makes S1 sum below 1 (an interaction)
    assert 0.8 < res["sum_S1"] < 1.0
    assert res["model_runs"] == 512 * (3 + 2)
    rho = {r["param"]: r["spearman"] for r in rank_correlation(hand, "per_usable_image", draws=5000)}
    assert rho["human.screening_seconds_per_candidate"] > rho["human.wage_per_hour"] > 0.3
    assert abs(rho["compute.owned.board_power_w"]) < 0.05


def test_sobol_is_reproducible_and_checks_n(hand):
    assert sobol(hand, n=64, seed=3) == sobol(hand, n=64, seed=3)
    with pytest.raises(UserError):
        sobol(hand, n=100)


def test_unknown_output_is_a_user_error(hand):
    with pytest.raises(UserError, match="unknown output"):
        tornado(hand, "per_image")


def test_seed_scenario_human_time_on_top_electricity_at_the_bottom():
    loaded = load_scenario(SEED)
    rows = tornado(loaded, "per_usable_image")
    by = {r["param"]: r for r in rows}
    top = rows[0]["swing"]
    human_time = {
        "human.wage_per_hour", "generation.candidates_per_job", "human.screening_rounds",
        "human.screening_seconds_per_candidate", "human.learning_jobs_amortised", "human.prompt_tuning_minutes_per_job",
    }
    # the six human-time inputs together swing the cost more than everything else together
    assert sum(by[p]["swing"] for p in human_time) > sum(r["swing"] for r in rows if r["param"] not in human_time)
    # electricity's only uncertain input, and the hardware ones, move it by under 3% of the top bar
    for p in ("compute.owned.system_power_w", "compute.owned.hours_used_per_year", "compute.owned.resale_value"):
        assert by[p]["swing"] < 0.03 * top
    # the artist's inputs cannot move the AI cost
    assert by["artist.price_per_image"]["swing"] == 0
