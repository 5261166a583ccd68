"""The Monte Carlo: analytic means recovered, reproducible by seed, plain-data results."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from artcost.errors import UserError
from artcost.model.loader import load_scenario
from artcost.model.uncertainty import draw_inputs, evaluate, simulate

SEED = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
KEYS = {"ai_per_usable_image", "artist_per_image", "ratio", "ai_delivery_hours", "artist_delivery_hours"}


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(SEED)


@pytest.fixture(scope="module")
def mc(loaded):
    return simulate(loaded, draws=200_000, seed=1)


def _within_3_se(x: np.ndarray, expected: float) -> None:
    se = x.std(ddof=1) / math.sqrt(x.size)
    assert abs(x.mean() - expected) <= 3 * se, (x.mean(), expected, se)


def test_linear_term_mean_matches_analytic_mean(mc, loaded):
    # artist cost per image = price (PERT 2000/2500/4000) + revisions (0): mean (2000 + 4*2500 + 4000) / 6
    q = loaded.scenario.quantities()
    expected = q["artist.price_per_image"].dist.mean_value() + q["artist.revision_price_per_image"].central
    assert expected == pytest.approx((2000 + 4 * 2500 + 4000) / 6)
    _within_3_se(mc.samples["artist_per_image"], expected)
    # artist delivery = lead time (triangular 7/14/30 days) x 24 h: mean (7 + 14 + 30) / 3 * 24
    _within_3_se(mc.samples["artist_delivery_hours"], (7 + 14 + 30) / 3 * 24)


def test_cost_items_linear_in_independent_inputs(loaded):
    # prompt tuning = minutes / 60 * wage; with independent inputs E = E[minutes] / 60 * E[wage]
    inputs = draw_inputs(loaded, 200_000, np.random.default_rng(3))
    r = evaluate(loaded, inputs)
    q = loaded.scenario.quantities()
    e_tuning = q["human.prompt_tuning_minutes_per_job"].dist.mean_value() / 60 * q["human.wage_per_hour"].dist.mean_value()
    _within_3_se(np.asarray(r["ai"]["prompt_tuning"]), e_tuning)
    # screening = candidates * seconds * rounds / 3600 * wage
    e_screen = (
        q["generation.candidates_per_job"].dist.mean_value()
        * q["human.screening_seconds_per_candidate"].dist.mean_value()
        * q["human.screening_rounds"].dist.mean_value()
        / 3600
        * q["human.wage_per_hour"].dist.mean_value()
    )
    _within_3_se(np.asarray(r["ai"]["screening"]), e_screen)


def test_same_seed_same_numbers(loaded):
    a = simulate(loaded, draws=5_000, seed=42)
    b = simulate(loaded, draws=5_000, seed=42)
    c = simulate(loaded, draws=5_000, seed=43)
    for k in KEYS:
        assert np.array_equal(a.samples[k], b.samples[k])
    assert a.summary() == b.summary()
    assert not np.array_equal(a.samples["ratio"], c.samples["ratio"])


def test_result_shape_and_summary(mc, loaded):
    assert KEYS <= set(mc.samples)
    for k in KEYS:
        assert mc.samples[k].shape == (200_000,)
        assert np.all(np.isfinite(mc.samples[k]))
    s = mc.summary()
    assert s["draws"] == 200_000 and s["seed"] == 1 and s["currency"] == "CNY"
    assert "200,000" in s["note"] and "seed 1" in s["note"]
    ratio = s["outputs"]["ratio"]
    assert ratio["p5"] < ratio["median"] < ratio["p95"]
    p = s["probabilities"]
    assert p["ai_cheaper"] >= p["ratio_ge_10"] >= p["ratio_ge_100"]
    assert p["ratio_ge_100"] == pytest.approx(np.mean(mc.samples["ratio"] >= 100))
    # every uncertain input is listed with where it comes from
    assert set(s["inputs"]) == set(mc.inputs)
    assert all(str(SEED.name) in v["source"] for v in s["inputs"].values())
    # the central-value model's answer is reported next to the simulation
    assert s["outputs"]["ai_per_usable_image"]["deterministic"] == pytest.approx(
        float(evaluate(loaded, {})["ai"]["per_usable_image"])
    )


def test_seed_scenario_human_time_dominates_electricity_negligible(mc):
    items = mc.summary()["ai_items_mean_per_job"]
    human_time = sum(items[k]["share"] for k in ("prompt_tuning", "learning", "screening", "supervision"))
    assert human_time > 0.5
    assert items["electricity"]["share"] < 0.01


def test_scenario_without_uncertainty_gives_constant_draws(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    import yaml

    data = yaml.safe_load(text)
    loaded = load_scenario(SEED)
    for path, value in loaded.scenario.values().items():
        section, *rest = path.split(".")
        node = data[section]
        for part in rest[:-1]:
            node = node[part]
        node[rest[-1]] = value
    f = tmp_path / "fixed.yaml"
    f.write_text(yaml.safe_dump(data), encoding="utf-8")
    r = simulate(load_scenario(f), draws=10, seed=0)
    assert r.samples["ratio"].shape == (10,)
    assert np.all(r.samples["ratio"] == r.samples["ratio"][0])


@pytest.mark.parametrize("draws,seed", [(1, 0), (0, 0), (10, -1), (2.5, 0)])
def test_bad_draws_or_seed(loaded, draws, seed):
    with pytest.raises(UserError):
        simulate(loaded, draws=draws, seed=seed)


def test_only_cost_model_inputs_are_drawn(mc, loaded):
    # the market simulator's distributions (market.*) are not inputs of the cost model
    assert all(p.split(".")[0] in {"job", "generation", "compute", "human", "artist"} for p in mc.inputs)
    assert len(mc.inputs) == 17
