"""`artcost routes`: every route is a scenario run through the same model as `artcost cost`, ranked consistently,
with break-even volumes that are true crossings, and strict JSON; a damaged table is one line and exit 2."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

from artcost.cli import main
from artcost.model.headline import headline_for
from artcost.model.loader import load_scenario
from artcost.model.routes import routes_for
from artcost.model.route_breakeven import own_cost, rival_cost

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
STUDIO = REPO / "scenarios" / "studio-cloud-h100.yaml"


@pytest.fixture(scope="module")
def seed():
    return routes_for(SEED)


@pytest.fixture(scope="module")
def studio():
    return routes_for(STUDIO)


def _strict(text: str):
    def bad(x):
        raise AssertionError(f"not strict JSON: {x}")
    return json.loads(text, parse_constant=bad)


def test_the_scenarios_own_route_is_the_cost_headline(seed, capsys):
    own = next(r for r in seed.routes if r.kind == "scenario")
    assert main(["cost", str(SEED), "--json"]) == 0
    headline = _strict(capsys.readouterr().out)["headline"]["ai"]
    assert own.cost.median == pytest.approx(headline["median"], rel=1e-12)
    assert own.cost.p5 == pytest.approx(headline["p5"], rel=1e-12)
    assert own.cost.p95 == pytest.approx(headline["p95"], rel=1e-12)


@pytest.mark.parametrize("which", ["seed", "studio"])
def test_every_route_is_its_own_scenario_and_ranked_by_its_median(which, request, tmp_path):
    res = request.getfixturevalue(which)
    priced = [r for r in res.routes if r.cost is not None]
    kinds = {r.kind for r in priced}
    assert {"scenario", "own", "rent", "api", "subscription", "artist"} <= kinds
    # ranked by the paired difference to the scenario's own way; tied routes share a rank, the next takes its place
    diffs = [r.vs_scenario.median for r in priced]
    assert diffs == sorted(diffs)
    ranks = [r.rank for r in priced]
    assert ranks == sorted(ranks) and ranks[0] == 1
    for i, (r, rank) in enumerate(zip(priced, ranks), 1):
        assert rank == i or (rank < i and r.tied_group), r.key
    for r in priced:
        assert math.isfinite(r.cost.median) and 0 < r.cost.p5 <= r.cost.median <= r.cost.p95, r.key
        if r.loaded is None:
            continue
        if r.kind == "own":
            # an owned GPU's hours follow each draw's job (route_pairs); its file fixes them at the central job,
            # so the file reproduces the central figures exactly
            p = tmp_path / f"{r.key.replace(':', '-')}.yaml"
            p.write_text(yaml.safe_dump(r.loaded.raw, sort_keys=False, allow_unicode=True))
            assert headline_for(load_scenario(p)).point_ai == pytest.approx(r.point["per_usable_image"], rel=1e-9)
            continue
        # the route's scenario, written out as a file and read back like any scenario, gives the same headline
        p = tmp_path / f"{r.key.replace(':', '-')}.yaml"
        p.write_text(yaml.safe_dump(r.loaded.raw, sort_keys=False, allow_unicode=True))
        again = headline_for(load_scenario(p)).ai
        assert again.median == pytest.approx(r.cost.median, rel=1e-9), r.key
        assert again.p95 == pytest.approx(r.cost.p95, rel=1e-9), r.key


def test_a_route_file_through_the_cost_command(seed, tmp_path, capsys):
    api = next(r for r in seed.routes if r.kind == "api")
    p = tmp_path / "api-route.yaml"
    p.write_text(yaml.safe_dump(api.loaded.raw, sort_keys=False, allow_unicode=True))
    assert main(["cost", str(p), "--json"]) == 0
    assert _strict(capsys.readouterr().out)["headline"]["ai"]["median"] == pytest.approx(api.cost.median, rel=1e-12)


@pytest.mark.parametrize("which", ["seed", "studio"])
def test_human_time_is_the_scenarios_on_every_machine_route(which, request):
    res = request.getfixturevalue(which)
    assert any("identical" in n and "NOT" not in n for n in res.notes)
    base = res.loaded.scenario.human
    for r in res.routes:
        if r.loaded is not None and r.kind != "artist":
            assert r.loaded.scenario.human == base, r.key


def test_the_artist_route_is_the_scenarios_artist(seed):
    artist = next(r for r in seed.routes if r.kind == "artist")
    assert artist.cost.median == pytest.approx(headline_for(load_scenario(SEED)).artist.median)
    assert artist.carbon.energy_kwh is None and artist.carbon.g_co2e is None
    # a published per-image range with its source, beside the machines' (Tomlinson et al. 2024)
    assert artist.carbon.published_range_g == (680.0, 5500.0)
    assert "Scientific Reports 14:3732" in artist.carbon.energy_label and "per-capita" in artist.carbon.energy_label


def test_break_even_volumes_are_crossings(studio):
    assert studio.crossings
    by_key = {r.key: r for r in studio.routes}
    for c in studio.crossings:
        own, rival = by_key[c.own], by_key[c.rival]
        if c.verdict == "above":
            j = c.jobs_per_month
            assert 0 < j <= c.capacity_jobs_per_month
            a, b = float(own_cost(own, j)), float(rival_cost(rival, j))
            assert a == pytest.approx(b, rel=1e-6), c.sentence
            # below the volume the rival is cheaper, above it owning is
            assert float(own_cost(own, j * 0.8)) > float(rival_cost(rival, j * 0.8))
            assert float(own_cost(own, min(j * 1.2, c.capacity_jobs_per_month))) <= float(
                rival_cost(rival, min(j * 1.2, c.capacity_jobs_per_month)))
            assert f"above {c.jobs_per_month:,.0f}" in c.sentence or "above" in c.sentence


def test_carbon_is_never_invented(seed):
    for r in seed.routes:
        if r.kind in ("api", "subscription", "artist"):
            assert r.carbon.energy_kwh is None and r.carbon.g_co2e is None, r.key
        if r.carbon.energy_kwh is not None:
            # g = kWh x PUE x grid
            assert r.carbon.g_co2e == pytest.approx(r.carbon.energy_kwh * r.carbon.pue * seed.intensity.g_per_kwh)


def test_the_scenarios_owned_gpu_energy_by_hand(seed):
    # seed: 2.75 s x 500 candidates = 1,375 GPU-s per job, one usable image; 200 W board + 100 W system (central)
    # 1,375 x 300 / 3.6e6 = 0.114583 kWh; PUE 1; the seed's grid: China (Ember 2024, 557.5 g/kWh)
    own = next(r for r in seed.routes if r.kind == "scenario")
    assert own.carbon.energy_kwh == pytest.approx(1375 * 300 / 3.6e6)
    assert not own.carbon.intensity.default and own.carbon.intensity.row.region == "CN"
    assert own.carbon.g_co2e == pytest.approx(1375 * 300 / 3.6e6 * 557.5)  # 63.9 g


def test_a_carbon_price_turns_carbon_into_money(tmp_path):
    raw = yaml.safe_load(SEED.read_text())
    raw["compute"]["grid_region"] = "CN"
    raw["compute"]["carbon_price_per_tonne"] = {"value": 80, "source": "test: 80 CNY a tonne"}
    p = tmp_path / "seed-cn.yaml"
    p.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True))
    res = routes_for(p)
    assert res.intensity.row.region == "CN" and res.carbon_price == 80
    own = next(r for r in res.routes if r.kind == "scenario")
    g = own.carbon.energy_kwh * 1.0 * res.intensity.g_per_kwh
    assert own.carbon.money(80) == pytest.approx(g / 1e6 * 80)
    d = res.to_dict()
    assert d["routes"][[x["key"] for x in d["routes"]].index("scenario")]["carbon"][
        "carbon_money_per_usable_image"] == pytest.approx(g / 1e6 * 80)


def test_routes_json_is_strict(capsys):
    assert main(["routes", str(STUDIO), "--json"]) == 0
    d = _strict(capsys.readouterr().out)
    assert d["kind"] == "routes" and d["currency"] == "USD"
    ranks = [r["rank"] for r in d["routes"]]
    assert ranks == sorted(ranks) and ranks[0] == 1 and all(isinstance(r["tied"], bool) for r in d["routes"])
    assert d["breakeven"] and all(c["verdict"] in ("above", "always", "never") for c in d["breakeven"])


def test_routes_prints_a_ranked_table(capsys):
    assert main(["routes", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "Routes, cheapest first" in out and "Break-even" in out and "the artist" in out


def test_a_damaged_price_table_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    from artcost.model import api_prices, tables
    from artcost.paths import package_data

    data = yaml.safe_load(package_data("api_prices.yaml").read_text())
    data["rows"][2]["price"] = -3
    broken = tmp_path / "api_prices.yaml"
    broken.write_text(yaml.safe_dump(data, sort_keys=False))
    real = tables.package_data
    monkeypatch.setattr(tables, "package_data", lambda name: broken if name == "api_prices.yaml" else real(name))
    api_prices.api_price_table.cache_clear()
    try:
        assert main(["routes", str(SEED)]) == 2
    finally:
        api_prices.api_price_table.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "api_prices.yaml:" in err[0] and "rows[2] (replicate-flux-pro): price: must be >= 0 (got -3)" in err[0]


def test_jobs_per_month_must_be_positive(capsys):
    assert main(["routes", str(SEED), "--jobs-per-month", "0"]) == 2
    assert "error: --jobs-per-month: need a number > 0 (got 0.0)" in capsys.readouterr().err


def test_api_and_carbon_prices_are_money_for_set_and_currency(tmp_path):
    """--set compute.carbon_price_per_tonne=80USD is converted to the scenario's currency like any price."""
    from artcost.model.comparison import is_money

    assert is_money("compute.api.price_per_megapixel") and is_money("compute.api.price_per_step")
    assert is_money("compute.carbon_price_per_tonne") and not is_money("compute.api.steps_included")
    res = routes_for(SEED, overrides={"compute.carbon_price_per_tonne": "80USD"}, typed={"compute.carbon_price_per_tonne": "80USD"})
    from artcost.model.currency import rate_table_for

    assert res.carbon_price == pytest.approx(80 * rate_table_for(res.loaded).factor("USD", "CNY"))


def test_break_even_in_gpu_hours(studio):
    by_key = {r.key: r for r in studio.routes}
    for c in studio.crossings:
        if c.verdict == "above":
            # jobs a month x a job's GPU-seconds on the owned GPU / 3600
            assert c.gpu_hours_per_month == pytest.approx(c.jobs_per_month * by_key[c.own].point["gpu_seconds"] / 3600)
            assert "GPU-hours" in c.sentence


@pytest.mark.parametrize("width", [40, 60, 99, 100, 160])
def test_routes_reads_whole_at_any_width(width, seed):
    """At 60 columns the seven-column table left the route's name no room (its column shrank to nothing) and
    cut figures ('2,600 (2,200–3,3'); four lines ran 174-206 characters past the terminal. Now every line fits,
    nothing is cut with '…', and every route's name and median figure can be read in the output."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": str(width)}
    out = subprocess.run([sys.executable, "-m", "artcost.cli", "routes", str(SEED)], capture_output=True, text=True,
                         env=env, timeout=300).stdout
    lines = out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    assert "…" not in out
    flat = " ".join(" ".join(line.strip(" │┃") for line in lines).split())
    for r in seed.to_dict()["routes"]:
        name = " ".join(r["name"].split())
        # the table folds a long name inside its cell; the list keeps it on its own wrapped line
        assert name in flat or all(word in flat for word in name.split()), name
    assert "2,600 (2,200–3,300)" in flat


def test_route_words(studio):
    """Reviewer's wording defects: 'rents NVIDIA H100 SXM (rented)', '1 jobs a month share the fee', and an
    energy cell saying 'none' (read as zero) where the energy is not known."""
    from artcost.cli.routes import _energy_cell

    own = next(r for r in studio.to_dict()["routes"] if r["kind"] == "scenario")
    assert own["name"].count("rent") == 1, own["name"]
    assert _energy_cell(None) == ("not known", "—")
    notes = [n for r in studio.to_dict()["routes"] for n in r["notes"]]
    assert not any(n.startswith("1 jobs") for n in notes)


def test_a_scenario_older_than_the_prices_says_so(seed, studio):
    """A 2022 scenario was priced with March 2026 rental rates, and told to rent them, without a word on dates."""
    note = next((n for n in seed.notes if n.startswith("the scenario is as of 2022-10-15")), None)
    assert note is not None and "2026" in note and "not what was on sale" in note
    assert not any(n.startswith("the scenario is as of") for n in studio.notes)  # a 2026 scenario: nothing to say
