"""Issue #26: routes compared in pairs on common random numbers, ties called ties, owned GPUs priced at the
scenario's own volume (and never ranked against the break-even table), API latency never borrowed, stale prices
said to be stale."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from artcost.cli import main
from artcost.model import uncertainty
from artcost.model.headline import DEFAULT_DRAWS, DEFAULT_SEED
from artcost.model.loader import load_scenario
from artcost.model.route_pairs import MATERIALITY, Draws, Paired, is_tied, rank_groups
from artcost.model.routes import UNKNOWN_LATENCY_S, owned_hours, routes_for, stale_price_note

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
STUDIO = REPO / "scenarios" / "studio-cloud-h100.yaml"
SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def studio():
    return routes_for(STUDIO)


@pytest.fixture(scope="module")
def seed():
    return routes_for(SEED)


def test_tie_rule_by_hand():
    # interval through 0: within noise
    assert is_tied(Paired(0.5, -0.1, 1.0, 0.3), 100.0)
    # interval clear of 0 but the median under 1% of the reference's cost: too small to matter
    assert is_tied(Paired(0.9, 0.5, 1.2, 0.0), 100.0)
    # clear of 0 and 2% of the cost: not a tie
    assert not is_tied(Paired(2.0, 1.5, 2.5, 0.0), 100.0)
    assert not is_tied(Paired(-2.0, -2.5, -1.5, 1.0), 100.0)
    assert MATERIALITY == 0.01


def test_rank_groups_share_a_rank_and_the_next_takes_its_place():
    n = 1000
    rng = np.random.default_rng(1)
    shared = rng.normal(100, 20, n)
    z = np.zeros(n)
    samples = {"a": Draws(shared, z, z), "b": Draws(shared + 0.2, z, z),  # 0.2% dearer: tied with a
               "c": Draws(shared + 5, z, z), "d": Draws(shared + 5.3, z, z), "e": Draws(shared + 50, z, z)}
    groups = rank_groups(list("abcde"), samples)
    assert {k: v[0] for k, v in groups.items()} == {"a": 1, "b": 1, "c": 3, "d": 3, "e": 5}
    assert groups["b"][1] == "a" and groups["d"][1] == "c"


def test_paired_draws_cancel_the_shared_inputs(studio):
    """The scenario's route in the paired draws is its headline; a route changing only the machine has a paired
    interval a small fraction of its own (which the shared human inputs make)."""
    own = next(r for r in studio.routes if r.kind == "scenario")
    assert own.vs_scenario == Paired(0.0, 0.0, 0.0, 0.0)
    mc = uncertainty.simulate(load_scenario(STUDIO), draws=DEFAULT_DRAWS, seed=DEFAULT_SEED)
    assert np.median(mc.samples["ai_per_usable_image"]) == pytest.approx(own.cost.median, rel=1e-12)
    rent = next(r for r in studio.routes if r.key == "rent:rtx-4090")
    width_paired = rent.vs_scenario.p95 - rent.vs_scenario.p5
    width_alone = rent.cost.p95 - rent.cost.p5
    assert width_paired < 0.05 * width_alone
    # the difference of the medians is near the median of the differences (no sign flip)
    assert rent.vs_scenario.median < 0 and rent.cost.median <= own.cost.median + 0.01


def test_routes_json_gives_vs_scenario_and_tied(capsys):
    assert main(["routes", str(STUDIO), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert "tied" in d["tie_rule"] and "1%" in d["tie_rule"]
    for r in d["routes"]:
        if r["cost_per_usable_image"] is None:
            continue
        v = r["vs_scenario"]
        assert set(v) == {"median", "p5", "p95", "p_cheaper"} and v["p5"] <= v["median"] <= v["p95"]
        assert 0.0 <= v["p_cheaper"] <= 1.0 and isinstance(r["tied"], bool)
        assert r["rank_label"] in (str(r["rank"]), f"={r['rank']}")
    assert [r for r in d["routes"] if r["tied"]] and d["findings"]


def test_studio_machine_routes_that_differ_by_cents_are_tied(studio):
    """The issue: nine machine routes at 31 USD (17-57) ranked 1 to 9. The cheapest now shares its rank with every
    route within noise or 1%, and the finding names them and the people's share of the cost."""
    first = [r for r in studio.routes if r.rank == 1]
    assert len(first) >= 2 and all(r.tied and r.rank_label == "=1" for r in first)
    for r in first[1:]:
        assert is_tied(r.vs_best, first[0].cost.median)
    f = studio.findings[0]
    assert f.startswith("Cheapest way, tied within noise or 1%") and "people's time is 99% of the cost" in f
    assert all(r.name in f for r in first)


def test_when_every_machine_route_is_tied_the_finding_says_so_and_names_the_human_share(tmp_path):
    raw = yaml.safe_load(STUDIO.read_text())
    # a retoucher's price that dwarfs every machine (people's time that does not follow the machine's speed)
    raw["human"]["retouch_share"] = {"value": 1, "source": "test"}
    raw["human"]["retouch_price_per_image"] = {"value": 50000, "source": "test: people's work dwarfs every machine"}
    p = tmp_path / "dear-people.yaml"
    p.write_text(yaml.safe_dump(raw, sort_keys=False))
    res = routes_for(p)
    machines = [r for r in res.routes if r.is_machine and r.cost is not None]
    # one rank for every machine way (the artist, here the cheapest, stands apart)
    assert len({r.rank for r in machines}) == 1 and all(r.tied_group for r in machines), [
        (r.rank_label, r.name) for r in machines]
    f = res.findings[0]
    assert f.startswith("Every machine way is tied") and "the people's time does, 100%" in f


def test_owned_gpus_are_priced_at_the_scenarios_volume(studio):
    """Owning an RTX 4090 for 4 jobs a month (about 11 GPU-hours a year) was priced at 2,000 h a year and ranked
    first; at the work's own hours it is dearer than renting it, as the break-even table says."""
    own = next(r for r in studio.routes if r.key == "own:rtx-4090")
    rent = next(r for r in studio.routes if r.key == "rent:rtx-4090")
    sc = own.loaded.scenario
    hours = sc.compute.owned.hours_used_per_year.central
    assert hours == pytest.approx(owned_hours(4, 1000, sc.generation.seconds_per_image.central, 4))
    assert hours == pytest.approx(12 * 4 * own.point["gpu_seconds"] / 3600 / 4)
    assert hours < 20 and "the work's own hours at 4 jobs a month" in own.loaded.source_of(
        "compute.owned.hours_used_per_year")
    assert own.point["per_usable_image"] > rent.point["per_usable_image"]
    assert own.rank > rent.rank
    be = next(c for c in studio.crossings if c.own == own.key and c.rival == rent.key)
    assert be.verdict == "above" and be.jobs_per_month > 4
    # the machine-only cost is shown beside the full cost
    assert own.machine_only.median > rent.machine_only.median > 0
    assert any("idle draw not counted" in n for n in own.notes)
    assert own.loaded.scenario.compute.owned.resale_value.central > 0


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_ranking_agrees_with_the_break_even_table(path):
    """An owned route is never ranked cheaper than a rival below the break-even volume the same output prints,
    nor ranked dearer than one it beats at the scenario's volume (ties excepted), for every shipped scenario."""
    res = routes_for(path)
    by_key = {r.key: r for r in res.routes}
    jobs = res.jobs_per_month
    for c in res.crossings:
        own, rival = by_key[c.own], by_key[c.rival]
        owning_wins = c.verdict == "always" or (c.verdict == "above" and c.jobs_per_month <= jobs)
        if not owning_wins:
            assert own.rank >= rival.rank, f"{path.name}: {c.sentence}; ranked {own.rank_label} vs {rival.rank_label}"
        else:
            assert own.rank <= rival.rank, f"{path.name}: {c.sentence}; ranked {own.rank_label} vs {rival.rank_label}"


def test_api_latency_is_never_borrowed_from_the_scenario(seed):
    """The APIs took the seed's own 2.75 s per image (an RTX 3060 Ti's) for attending and delivery."""
    apis = [r for r in seed.routes if r.kind == "api"]
    assert apis
    for r in apis:
        assert not r.latency_known
        assert r.loaded.scenario.generation.seconds_per_image.central == UNKNOWN_LATENCY_S
        assert "latency not published" in r.speed_source and "unknown" in r.speed_source
        assert r.point["wall_seconds"] < 1e-3
        assert any("delivery is at least" in n for n in r.notes)


def test_an_api_route_with_a_published_latency_uses_it(monkeypatch):
    from artcost.model import routes as routes_mod

    real = routes_mod.pick_api_rows
    seen = []

    def with_latency(*a, **k):
        rows, why = real(*a, **k)
        seen.append(rows[0].id)
        return [rows[0].model_copy(update={"latency_s_per_image": 4.0}), *rows[1:]], why

    monkeypatch.setattr(routes_mod, "pick_api_rows", with_latency)
    res = routes_for(STUDIO)
    first = next(x for x in res.routes if x.key == f"api:{seen[0]}")
    assert first.latency_known and first.loaded.scenario.generation.seconds_per_image.central == 4.0
    assert "published latency" in first.speed_source


def test_a_price_older_than_six_months_says_so():
    today = dt.date(2026, 12, 5)
    assert stale_price_note(["2026-03"], today) is not None
    assert "2026-03" in stale_price_note(["2026-03", "2026-12-01"], today)
    assert stale_price_note(["2026-06-05"], today) is None  # exactly six months
    assert stale_price_note(["2026-06-04"], today) is not None
    assert stale_price_note(["2026-12-01"], today) is None
    res = routes_for(STUDIO, today=today)
    rent = next(r for r in res.routes if r.key == "rent:rtx-4090")
    notes = [n for n in rent.notes if "more than 6 months before today (2026-12-05)" in n]
    assert len(notes) == (1 if any(d < "2026-06" for d in rent.price_dates) else 0)


def test_break_even_lines_give_both_costs_at_the_scenarios_volume(studio):
    """Owning an RTX 4090 at the studio's 4 jobs a month: about 25 USD against renting's 22.76 (central values),
    on the same line as its break-even volume; the sign agrees with the verdict."""
    c = next(c for c in studio.crossings if c.own == "own:rtx-4090" and c.rival == "rent:rtx-4090")
    assert c.at_volume["jobs_per_month"] == 4 and "at the scenario's 4 jobs a month" in c.sentence
    assert c.at_volume["rival"] == pytest.approx(22.76, abs=0.01)
    assert c.at_volume["own"] > c.at_volume["rival"]
    for c in studio.crossings:
        below = c.verdict == "never" or (c.verdict == "above" and c.jobs_per_month > 4)
        assert (c.at_volume["own"] > c.at_volume["rival"]) == below, c.sentence
