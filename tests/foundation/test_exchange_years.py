"""Exchange rates by year: a scenario converts at its own `meta.as_of` year, a year without a table
takes the nearest one and says so (issue #15)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from artcost.cli import main
from artcost.model.currency import rate_table, rate_table_for, rate_tables
from artcost.model.loader import load_scenario
from artcost.paths import package_data

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SEED = SCENARIOS / "seed-2022-hobbyist-3060ti.yaml"


def test_every_year_has_a_source_and_the_same_currencies():
    raw = yaml.safe_load(package_data("exchange_rates.yaml").read_text(encoding="utf-8"))
    assert {2022, 2023, 2024} <= set(raw["years"])
    for year, block in raw["years"].items():
        assert str(year) in block["source"], f"{year}: the source names its year"
        assert str(block["as_of"]).startswith(str(year))
    assert len({frozenset(t.per_usd) for t in rate_tables().values()}) == 1


def test_tables_by_year():
    assert rate_table(2022).factor("USD", "CNY") == pytest.approx(6.729)
    assert rate_table(2023).factor("USD", "CNY") == pytest.approx(7.081)
    assert rate_table(2024).factor("USD", "CNY") == pytest.approx(7.189)
    assert rate_table(dt.date(2022, 10, 15)).year == 2022
    assert rate_table().year == max(rate_tables())  # no year: the latest table


def test_a_year_without_a_table_takes_the_nearest_and_says_so():
    later = rate_table(2030)
    assert later.year == max(rate_tables()) and later.fallback
    assert "no table for 2030" in later.label and f"nearest year {later.year} used" in later.label
    earlier = rate_table(2019)
    assert earlier.year == min(rate_tables()) and "no table for 2019" in earlier.label
    assert not rate_table(2022).fallback and "no table" not in rate_table(2022).label


def test_a_2022_scenario_converts_at_2022s_rate(capsys):
    """The seed (as of 2022-10-15) shown in USD: 6.729 CNY per USD (2022), not 7.189 (2024)."""
    assert rate_table_for(load_scenario(SEED)).year == 2022
    assert main(["cost", str(SEED), "--json"]) == 0
    cny = json.loads(capsys.readouterr().out)
    assert main(["cost", str(SEED), "--currency", "USD", "--json"]) == 0
    usd = json.loads(capsys.readouterr().out)
    assert usd["exchange_rate"]["year"] == 2022 and "2022" in usd["exchange_rate"]["source"]
    assert usd["artist"]["per_image"] == pytest.approx(cny["artist"]["per_image"] / 6.729)


def test_a_scenario_after_the_last_table_says_which_year_it_used(capsys):
    h100 = SCENARIOS / "studio-cloud-h100.yaml"  # as of 2026-03-31, priced in USD
    assert main(["cost", str(h100), "--currency", "CNY", "--json"]) == 0
    fx = json.loads(capsys.readouterr().out)["exchange_rate"]
    assert fx["year"] == max(rate_tables()) and "no table for 2026" in fx["source"]


def test_the_headline_converts_at_the_same_year_as_the_breakdown(capsys):
    """The headline sentence and the itemised table of one output use one rate (the scenario's year)."""
    assert main(["cost", str(SEED), "--currency", "USD", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    if "headline" not in r:
        pytest.skip("no headline in this build")
    assert r["headline"]["point"]["ai"] == pytest.approx(r["breakdown"]["per_usable_image"], rel=1e-9)
    assert r["headline"]["point"]["artist"] == pytest.approx(r["artist"]["per_image"], rel=1e-9)
