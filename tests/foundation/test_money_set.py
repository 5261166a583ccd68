"""Money typed on the command line is unambiguous (issue #15): `--set human.wage_per_hour=45USD`
converts into the scenario's currency at its year's rate and says so; a plain 45 says which
currency it was read in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artcost.cli import main
from artcost.model.measured import is_money_path

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SEED = SCENARIOS / "seed-2022-hobbyist-3060ti.yaml"  # CNY, as of 2022
FREELANCER = SCENARIOS / "freelancer-2024-rtx4090.yaml"  # USD, as of 2024


def run_json(capsys, *args) -> dict:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("typed", ["45USD", "45 USD", "45usd"])
def test_a_wage_given_in_usd_is_converted_at_the_scenarios_year(capsys, typed):
    r = run_json(capsys, "cost", str(SEED), "--set", f"human.wage_per_hour={typed}")
    wage = r["inputs"]["human.wage_per_hour"]
    assert wage["value"] == pytest.approx(45 * 6.729)  # 2022's yearly average, the seed's year
    assert wage["unit"] == "CNY/h"
    assert wage["source"].startswith("--set on the command line (45 USD = 302.805 CNY at 6.729 CNY/USD")
    assert "2022" in wage["source"]


def test_shown_in_usd_the_usd_wage_comes_back(capsys):
    r = run_json(capsys, "cost", str(SEED), "--set", "human.wage_per_hour=45USD", "--currency", "USD")
    assert r["inputs"]["human.wage_per_hour"]["value"] == pytest.approx(45)
    assert r["inputs"]["human.wage_per_hour"]["unit"] == "USD/h"


def test_a_plain_number_says_which_currency_it_was_read_in(capsys):
    """The reported defect: `--set human.wage_per_hour=45 --currency USD` showed 6.26 USD/h silently."""
    r = run_json(capsys, "cost", str(SEED), "--set", "human.wage_per_hour=45", "--currency", "USD")
    wage = r["inputs"]["human.wage_per_hour"]
    assert wage["value"] == pytest.approx(45 / 6.729)
    assert wage["source"] == "--set on the command line (read as 45 CNY, the scenario's currency)"
    assert any("human.wage_per_hour=45: no currency given, read as 45 CNY" in w for w in r["warnings"])
    assert main(["cost", str(SEED), "--set", "human.wage_per_hour=45", "--currency", "USD", "--brief"]) == 0
    assert "read as 45 CNY" in capsys.readouterr().out  # visible without the inputs table too


def test_a_usd_scenario_reads_cny_at_its_own_year(capsys):
    r = run_json(capsys, "cost", str(FREELANCER), "--set", "artist.price_per_image=1000CNY")
    assert r["inputs"]["artist.price_per_image"]["value"] == pytest.approx(1000 / 7.189)  # 2024


def test_a_currency_on_a_field_that_is_not_money_is_refused(capsys):
    assert main(["cost", str(SEED), "--set", "generation.seconds_per_image=3USD"]) == 2
    assert "generation.seconds_per_image is not money" in capsys.readouterr().err


def test_an_unknown_currency_is_refused(capsys):
    assert main(["cost", str(SEED), "--set", "human.wage_per_hour=45XYZ"]) == 2
    err = capsys.readouterr().err
    assert "unknown currency 'XYZ'" in err and "USD" in err


def test_which_fields_are_money():
    for path in ("human.wage_per_hour", "compute.owned.purchase_price", "compute.owned.resale_value",
                 "compute.owned.price_per_kwh", "compute.cloud.price_per_gpu_hour", "compute.subscription.monthly_fee",
                 "artist.price_per_image", "human.retouch_price_per_image", "human.wage_per_hour.low",
                 "market.artists.living_cost_per_month", "market.segments.low.willingness_to_pay"):
        assert is_money_path(path), path
    for path in ("generation.seconds_per_image", "compute.owned.board_power_w", "human.screening_rounds",
                 "artist.lead_time_days"):
        assert not is_money_path(path), path


def test_a_refused_money_pair_says_its_currency(capsys):
    """'(resale up to 6729, price from 2685)' were bare CNY figures shown to someone who typed USD."""
    from artcost.cli import main

    assert main(["cost", str(SEED), "--set", "compute.owned.resale_value=1000USD", "--currency", "USD"]) == 2
    err = capsys.readouterr().err
    assert "resale up to 6,729 CNY, price from 2,685 CNY" in err


def test_a_bad_set_value_names_its_field_once(capsys):
    """'(--set on the command line human.wage_per_hour): human.wage_per_hour: ...' said the field twice."""
    assert main(["cost", str(SEED), "--set", "human.wage_per_hour=-3"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("human.wage_per_hour") == 1, err
    assert "(--set on the command line): human.wage_per_hour: must be >= 0 (got -3)" in err
