"""The market simulator: invariants (shares, baseline, monotonicity), scenario files, errors, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from artcost.errors import UserError
from artcost.model.loader import load_scenario
from artcost.model.market import OPTIONS, market_bands, simulate_arrays, simulate_market
from artcost.model.uncertainty import draw_inputs
from artcost.model.market_schema import SEGMENT_NAMES

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
FAST = REPO / "scenarios" / "seed-2022-fast-adoption.yaml"


@pytest.fixture(scope="module")
def seed():
    return load_scenario(SEED)


def _arrays(loaded, **overrides):
    sc = loaded.scenario
    v = sc.values()
    v.update(overrides)
    return simulate_arrays(v, sc.compute.kind, sc.market)


# --------------------------------------------------------------------------- invariants


@pytest.mark.parametrize("path", [SEED, FAST])
def test_shares_sum_to_one_every_month_and_segment(path):
    r = simulate_market(load_scenario(path))
    sums = r.monthly.groupby(["month", "segment"])["share"].sum()
    assert len(sums) == 99 * len(SEGMENT_NAMES)
    assert np.allclose(sums, 1.0, atol=1e-12)
    assert (r.monthly["share"] >= 0).all()
    assert set(r.monthly["option"]) == set(OPTIONS)


def test_shares_sum_to_one_in_every_draw(seed):
    b = _draws(seed, 64)
    assert np.allclose(b["share"].sum(axis=-1), 1.0, atol=1e-12)


def _draws(loaded, n, seed=1):
    sc = loaded.scenario
    v = sc.values()
    v.update(draw_inputs(sc, n, np.random.default_rng(seed), fields="all"))
    return simulate_arrays(v, sc.compute.kind, sc.market)


def test_prohibitively_expensive_ai_gives_the_no_ai_baseline(seed):
    # electricity at 10^12 CNY/kWh makes every AI option (and artists' own AI use) absurdly dear
    r = simulate_market(seed, {"compute.owned.price_per_kwh": 1e12})
    artist = r.monthly[r.monthly["option"] == "artist"]
    assert np.allclose(artist["share"], 1.0, atol=1e-12)
    assert np.allclose(r.artists["commissions_index"], 1.0, atol=1e-12)
    assert np.allclose(r.artists["income_index"], 1.0, atol=1e-12)
    assert np.allclose(r.artists["commissions"], r.artists["baseline_commissions"])
    assert np.allclose(r.artists_by_segment["price_index"], 1.0)
    assert np.allclose(r.buyers["consumer_surplus"], 0.0, atol=1e-6)
    assert np.allclose(r.buyers["spend"], r.buyers["baseline_spend"])
    assert np.allclose(r.retouchers["demand"], 0.0, atol=1e-9)


def test_before_release_the_market_is_the_baseline():
    # AI released six months after the simulation starts: those months are the no-AI market
    late = load_scenario(SEED, {"market.release": "2023-04"})
    r = simulate_market(late)
    before, after = r.artists.iloc[:6], r.artists.iloc[6:]
    assert np.allclose(before["commissions_index"], 1.0) and np.allclose(before["income_index"], 1.0)
    assert after["commissions_index"].iloc[-1] < 0.99  # and AI does bite once it is out


FIXED_DEMAND = {f"market.segments.{s}.demand_elasticity": 0.0 for s in SEGMENT_NAMES}


@pytest.mark.parametrize(
    "path, factors, demand",
    [
        ("human.wage_per_hour", [4.0, 2.0, 1.0, 0.5, 0.1, 0.0], "expanding"),
        ("human.screening_seconds_per_candidate", [10.0, 1.0, 0.1, 0.0], "expanding"),
        ("human.retouch_price_per_image", [10.0, 1.0, 0.1, 0.0], "expanding"),
        ("human.wage_per_hour", [4.0, 2.0, 1.0, 0.5, 0.1, 0.0], "fixed"),
        ("compute.owned.price_per_kwh", [100.0, 10.0, 1.0, 0.1, 0.0], "fixed"),
        ("generation.seconds_per_image", [50.0, 5.0, 1.0, 0.2], "fixed"),
        ("human.screening_seconds_per_candidate", [10.0, 1.0, 0.1, 0.0], "fixed"),
        ("human.retouch_price_per_image", [10.0, 1.0, 0.1, 0.0], "fixed"),
    ],
)
def test_lowering_ai_cost_never_raises_artists_demand(seed, path, factors, demand):
    """Cheaper AI never gives artists more work: always when demand is fixed; with the segments' demand
    elasticities when only the buyer's own cost falls (their time, screening, the retoucher).  A cheaper
    machine also makes artists who use AI cheaper, which can draw new buyers to them (see the next test)."""
    base = seed.scenario.values()[path] or 1.0
    extra = FIXED_DEMAND if demand == "fixed" else {}
    runs = [_arrays(seed, **extra, **{path: base * f}) for f in factors]
    ai_cost = [r["ai_per_usable_image"][0, 0] for r in runs]
    assert all(a >= b for a, b in zip(ai_cost, ai_cost[1:])), "factors must make AI cheaper step by step"
    if demand == "fixed":
        assert np.allclose(runs[0]["market_index"], 1.0)
    for dearer, cheaper in zip(runs, runs[1:]):
        assert np.all(cheaper["artist_commissions"] <= dearer["artist_commissions"] * (1 + 1e-12) + 1e-9)


def test_a_cheaper_machine_can_draw_new_buyers_to_artists_who_use_ai(seed):
    """With expanding demand, artists using AI pay the machine too: a far cheaper machine lowers their price
    and brings in buyers who would not have commissioned at all (the market-expansion reading of the
    Mihuashi evidence); the whole market never shrinks.  With fixed demand the same change never does."""
    dear = _arrays(seed, **{"compute.owned.price_per_kwh": 49.0})
    cheap = _arrays(seed, **{"compute.owned.price_per_kwh": 0.0})
    assert cheap["ai_per_usable_image"][0, 0] < dear["ai_per_usable_image"][0, 0]
    assert np.all(cheap["total_commissions"] >= dear["total_commissions"] - 1e-9)
    assert np.any(cheap["artist_commissions"] > dear["artist_commissions"] + 1.0)
    fixed_dear = _arrays(seed, **FIXED_DEMAND, **{"compute.owned.price_per_kwh": 49.0})
    fixed_cheap = _arrays(seed, **FIXED_DEMAND, **{"compute.owned.price_per_kwh": 0.0})
    assert np.all(fixed_cheap["artist_commissions"] <= fixed_dear["artist_commissions"] * (1 + 1e-12) + 1e-9)


def test_ai_cost_trend_never_raises_artists_demand(seed):
    runs = [_arrays(seed, **FIXED_DEMAND, **{"market.ai.cost_decline_per_year": d}) for d in (0.0, 0.1, 0.3, 0.6, 0.9)]
    for dearer, cheaper in zip(runs, runs[1:]):
        assert np.all(cheaper["artist_commissions"] <= dearer["artist_commissions"] * (1 + 1e-12) + 1e-9)


@pytest.mark.parametrize("demand", ["fixed", "expanding"])
def test_monotonicity_holds_across_random_market_parameters(seed, demand):
    """The same property in 100 random markets at once: every uncertain input drawn, then AI made cheaper
    (with fixed demand: the buyer's time and electricity; with expanding demand: the buyer's time)."""
    sc = seed.scenario
    v = sc.values()
    rng = np.random.default_rng(11)
    v.update(draw_inputs(sc, 100, rng, fields="all"))
    for seg in SEGMENT_NAMES:  # also shake the fixed behavioural weights
        for name in ("weight_price", "weight_quality", "weight_time_per_day", "requirement_flex"):
            key = f"market.segments.{seg}.{name}"
            v[key] = np.asarray(v[key]) * rng.uniform(0.2, 3.0, 100)
    cheaper = {"human.wage_per_hour": np.asarray(v["human.wage_per_hour"]) * 0.3}
    if demand == "fixed":
        v.update(FIXED_DEMAND)
        cheaper["compute.owned.price_per_kwh"] = np.asarray(v["compute.owned.price_per_kwh"]) * 0.3
    dear = simulate_arrays(v, sc.compute.kind, sc.market)
    cheap = simulate_arrays(dict(v, **cheaper), sc.compute.kind, sc.market)
    assert np.all(cheap["artist_commissions"] <= dear["artist_commissions"] * (1 + 1e-12) + 1e-9)


def test_artists_price_respects_floor_and_fixed_point(seed):
    r = _arrays(seed)
    x = r["artist_price_factor"]
    floor_share = r["price_floor"] / r["baseline_price"]
    assert np.all(x >= floor_share - 1e-12) and np.all(x <= 1 + 1e-12)
    demand_share = r["artist_commissions"] / r["baseline_commissions"]
    eta = seed.scenario.values()["market.artists.price_elasticity"]
    above = x > floor_share + 1e-9
    assert np.allclose(x[above], demand_share[above] ** eta, atol=1e-9)


def test_zero_price_elasticity_keeps_prices(seed):
    r = _arrays(seed, **{"market.artists.price_elasticity": 0.0})
    assert np.allclose(r["artist_price_factor"], 1.0)


def test_retouch_price_is_capped_by_the_buyers_ai_alternative(seed):
    r = _arrays(seed, **{"human.retouch_price_per_image": 1000.0})
    assert np.allclose(r["retouch_price"], r["retouch_cap"])
    assert np.allclose(r["retouch_cap"], r["ai_per_usable_image"])  # cap multiple 1 in the seed
    cheap = _arrays(seed, **{"human.retouch_price_per_image": 5.0})
    assert np.allclose(cheap["retouch_price"], 5.0)


def test_ai_cost_comes_from_the_cost_model(seed):
    from artcost.model import costs

    sc = seed.scenario
    expected = float(costs.compare(sc.values(), sc.compute.kind)["ai"]["per_usable_image"])
    r = simulate_market(seed)
    assert r.inputs["ai_per_usable_image"] == pytest.approx(expected)
    ai = r.monthly[(r.monthly["option"] == "ai_self")]
    assert np.allclose(ai["price"], expected)


def test_fast_adoption_scenario_moves_faster(seed):
    fast = simulate_market(load_scenario(FAST))
    slow = simulate_market(seed)
    assert np.all(fast.buyers["awareness"].values[1:] > slow.buyers["awareness"].values[1:])
    assert np.all(fast.artists["commissions_index"].values[1:] < slow.artists["commissions_index"].values[1:])


def test_low_end_loses_work_before_the_high_end(seed):
    b = simulate_market(seed).artists_by_segment
    year1 = b[b["month"] == b["month"].unique()[12]].set_index("segment")
    assert year1.loc["low", "commissions_index"] < year1.loc["high", "commissions_index"]


# --------------------------------------------------------------------------- bands and speed


def test_bands_are_ordered_and_reproducible(seed):
    a = market_bands(seed, draws=50, seed=3)
    b = market_bands(seed, draws=50, seed=3)
    assert a.artists.equals(b.artists)
    for df in (a.artists, a.buyers, a.retouchers, a.shares):
        assert (df["p5"] <= df["p50"] + 1e-12).all() and (df["p50"] <= df["p95"] + 1e-12).all()
    assert any(p.startswith("market.") for p in a.uncertain_inputs)
    assert any(not p.startswith("market.") for p in a.uncertain_inputs)
    inc = a.artists[a.artists["metric"] == "income_index"]
    assert (inc["p95"] - inc["p5"]).iloc[-1] > 0.05  # the uncertainty is visible, not collapsed


# --------------------------------------------------------------------------- errors


def _child(tmp_path, body: str) -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(f"extends: {SEED}\n" + body)
    return path


@pytest.mark.parametrize(
    "body, expected",
    [
        ("market:\n  segments:\n    low:\n      comissions_per_month: 5\n",
         "x.yaml:5: market.segments.low.comissions_per_month: unknown key (did you mean 'commissions_per_month'?)"),
        ("market:\n  segments:\n    low:\n      quality_requirement: 1.5\n",
         "x.yaml:5: market.segments.low.quality_requirement: must be <= 1 (got 1.5)"),
        ("market:\n  segments:\n    medium: {}\n", "x.yaml:4: market.segments.medium: unknown key; allowed here: low, mid, high"),
        ("market:\n  start: 2022\n", "x.yaml:3: market.start: must be a month written YYYY-MM"),
        ("market:\n  end: '2020-01'\n", "market: Value error, end (2020-01) must not be before start (2022-10)"),
        ("market:\n  ai:\n    quality_start: 0.99\n", "market.ai: quality_ceiling (0.9) must be >= quality_start (0.99)"),
        ("market:\n  awareness:\n    p_per_year: 0\n", "x.yaml:4: market.awareness.p_per_year: must be > 0 (got 0)"),
        ("market:\n  artists:\n    price_elasticity: {dist: normal, mean: 0.5, sd: 0.2}\n",
         "market.artists.price_elasticity: must be >= 0, but the normal distribution can produce values from -inf"),
        ("market:\n  segments: [1, 2]\n", "x.yaml:3: market.segments: must be a mapping"),
        ("market:\n  awarenes:\n    p_per_year: 0.1\n", "x.yaml:3: market.awarenes: unknown key (did you mean 'awareness'?)"),
    ],
)
def test_bad_market_sections_fail_clearly(tmp_path, body, expected):
    with pytest.raises(UserError) as exc:
        load_scenario(_child(tmp_path, body))
    shown = [line.replace(str(tmp_path) + "/", "") for line in exc.value.problems]
    assert any(expected.replace("Value error, ", "") in line for line in shown), shown


def test_a_scenario_without_market_section_says_so():
    with pytest.raises(UserError, match="no market: section"):
        simulate_market(load_scenario(REPO / "scenarios" / "studio-cloud-h100.yaml"))


def test_unknown_override_path_is_refused(seed):
    with pytest.raises(UserError, match="no such field"):
        simulate_market(seed, {"market.awareness.pp": 1.0})


# --------------------------------------------------------------------------- CLI


def test_cli_market_json_and_csv(tmp_path, capsys):
    from artcost.cli import main

    out = tmp_path / "m.csv"
    assert main(["market", str(SEED), "--json", "--csv", str(out), "--draws", "20", "--seed", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["currency"] == "CNY" and len(data["artists"]) == 99
    assert data["bands"]["draws"] == 20
    assert "artists keep" in data["headline_text"]
    for suffix in ("", "-artists", "-artists-by-segment", "-retouchers", "-buyers", "-bands-artists", "-bands-shares"):
        assert (tmp_path / f"m{suffix}.csv").exists()
    head = (tmp_path / "m.csv").read_text().splitlines()[0]
    assert head == "month,t,segment,option,share,commissions,price,delivery_days,quality"


def test_cli_market_tables_and_errors(tmp_path, capsys):
    from artcost.cli import main

    assert main(["market", str(SEED)]) == 0
    assert "artists keep" in " ".join(capsys.readouterr().out.split())  # words, at any terminal width
    assert main(["market", str(_child(tmp_path, "market:\n  start: 2022\n"))]) == 2
    assert "market.start: must be a month" in capsys.readouterr().err
    assert main(["market", str(SEED), "--csv", str(tmp_path / "no" / "m.csv")]) == 2
    err = capsys.readouterr().err  # the output guard names the option, the file and why (no folder there)
    assert "--csv" in err and "no folder" in err and len(err.strip().splitlines()) == 1


def test_cli_market_fit(tmp_path, capsys):
    from artcost.cli import main

    assert main(["market-fit", str(REPO / "scenarios" / "adoption-pew-chatgpt-us-adults.csv"), "--m", "0.95", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["m"] == 0.95 and 0.1 < d["p_per_year"] < 0.5 and len(d["rows"]) == 4
    bad = tmp_path / "b.csv"
    bad.write_text("month,share\n2023-03,zz\n")
    assert main(["market-fit", str(bad)]) == 2
    assert "b.csv:2: share: must be a number" in capsys.readouterr().err
