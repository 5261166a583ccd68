"""The outcome fit (issue #27, model/market_fit.py, `artcost market-fit-outcomes`)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from artcost.model.loader import load_scenario
from artcost.model.market_evidence import load_evidence
from artcost.model.market_fit import (MEASURES, FitSettings, Param, Simulator, apply_fields, fit_rows, g,
                                      log_likelihood, params_for, row_sigma, run_fit)

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
PRIOR = REPO / "scenarios" / "seed-2022-market-prior.yaml"
RECORD = REPO / "src" / "artcost" / "data" / "market_fit.json"


@pytest.fixture(scope="module")
def rows():
    return fit_rows(list(load_evidence()))


@pytest.fixture(scope="module")
def prior():
    return load_scenario(PRIOR).scenario


def test_each_row_is_read_on_its_own_scale_with_its_own_spread(rows):
    by = {r.id: r for r in rows}
    d = by["demirci2025_image_posts_all"]  # 95% interval -24.6% to -8.7%: se from it, in log points
    se, tau, extra = row_sigma(d)
    assert se == pytest.approx((math.log(1 - 0.087) - math.log(1 - 0.246)) / 3.92)
    assert tau == MEASURES["platform_did"][0] and extra == 0
    v = by["zhang2024_mihuashi_tachie_volume"]  # contradicts the rest: weighted down, with why
    assert row_sigma(v)[2] > 0.5 and "contradicts" in v.extra_sd_why
    assert row_sigma(by["hongxing2023_china_freelance_illustrator_income"])[1] == MEASURES["anecdote"][0]
    assert g(2.35, "relative_change") == pytest.approx(math.log(3.35)) and g(0.26, "share_of_respondents") == 0.26


def test_likelihood_by_hand_weights_each_study_once(rows):
    two = [r for r in rows if r.study == "demirci2025"][:2]
    fig = np.array([[two[0].effect, two[1].effect], [two[0].effect + 0.1, two[1].effect]])
    ll = log_likelihood(fig, two)
    assert ll[0] == pytest.approx(0.0)
    se, tau, extra = row_sigma(two[0])
    z = (g(two[0].effect, "relative_change") - g(two[0].effect + 0.1, "relative_change")) / math.sqrt(se**2 + tau**2)
    assert ll[1] == pytest.approx(-0.5 * z * z / 2)  # two rows of one study: each weighted 1/2


def test_priors_are_the_scenarios_own_where_it_gives_one(prior):
    ps = {p.name: p for p in params_for(prior)}
    assert ps["awareness_business_p"].prior == ("triangular", (0.039, 0.043, 0.32))
    assert ps["price_elasticity"].prior == ("uniform", (0.2, 1.0))
    assert ps["choice_sensitivity"].prior[0] == "lognormal" and "stated" in ps["choice_sensitivity"].prior_note
    tri = Param("x", ("a",), ("triangular", (0.0, 1.0, 2.0)), "")
    assert tri.log_prior(np.array([0.5, 1.0, 1.5, 2.5])) == pytest.approx([math.log(0.5), 0, math.log(0.5), -np.inf])


def test_the_simulator_reads_each_walker(prior, rows):
    """Walkers are draws: a walker with faster business awareness loses more mid-segment work."""
    ps = params_for(prior)
    sim = Simulator(prior, ps, rows)
    base = np.array([[p.sample(np.random.default_rng(1), 1)[0] for p in ps]])
    fast = base.copy()
    fast[0, [p.name for p in ps].index("awareness_business_p")] = 0.3
    base[0, [p.name for p in ps].index("awareness_business_p")] = 0.04
    f = sim.figures(np.vstack([base, fast]))
    k = [r.id for r in rows].index("cyol2023_shenzhen_design_firm_staff")  # mid segment, 10 months
    assert f[1, k] < f[0, k] < 0


def test_a_short_fit_is_seeded(prior, rows):
    s = FitSettings(walkers=2 * len(params_for(prior)), steps=6, burn=2, thin=1, seed=3)
    a, b = run_fit(prior, rows, s), run_fit(prior, rows, s)
    assert np.array_equal(a.samples, b.samples) and a.samples.shape == (4 * s.walkers, len(a.params))


def test_apply_fields_writes_in_place_and_adds_missing_sections(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    spec = {"dist": "normal", "mean": 0.5, "sd": 0.1, "low": 0.01, "high": 1.0, "source": "fit: test"}
    out = apply_fields(text, {"market.artists.price_elasticity": spec, "market.artist_spread.luck_sd": spec})
    p = tmp_path / "s.yaml"
    p.write_text(out, encoding="utf-8")
    q = load_scenario(p).scenario.quantities()
    assert q["market.artists.price_elasticity"].dist.mean == 0.5 and q["market.artist_spread.luck_sd"].dist.sd == 0.1
    # one line replaced in place; the field added (with its section when the scenario has none)
    assert len(out.splitlines()) == len(text.splitlines()) + (1 if "\n  artist_spread:" in text else 2)


@pytest.mark.skipif(not RECORD.exists(), reason="no shipped fit")
def test_the_default_holds_the_shipped_posterior_and_market_check_quotes_its_held_out_check():
    from artcost.model.market_check import cross_validation_of

    record = json.loads(RECORD.read_text(encoding="utf-8"))
    q = load_scenario(SEED).scenario.quantities()
    for path, spec in record["scenario_fields"].items():
        assert (q[path].dist.mean, q[path].dist.sd) == (spec["mean"], spec["sd"]), path
        assert q[path].source.startswith("fit: artcost market-fit-outcomes"), path
    cv = cross_validation_of(load_scenario(SEED).scenario)
    assert (cv["inside"], cv["compared"]) == (record["cross_validation"]["inside"],
                                              record["cross_validation"]["compared"])
    # the prior scenario is not the fitted one: no held-out check to quote, and it says why
    other = cross_validation_of(load_scenario(PRIOR).scenario)
    assert other["inside"] is None and "not the fitted posterior" in other["why"]


def test_cli_market_fit_outcomes_refuses_bad_input_in_one_line(tmp_path, capsys):
    from artcost.cli import main

    assert main(["market-fit-outcomes", str(PRIOR), "--walkers", "7", "--out", str(tmp_path / "f.json")]) == 2
    err = capsys.readouterr().err
    assert "--walkers 7: need an even number at least twice the 14 parameters" in err and "Traceback" not in err
    assert main(["market-fit-outcomes", str(PRIOR), "--out", str(PRIOR)]) == 2
    assert "is the scenario file this command reads" in capsys.readouterr().err  # the output guard's words
    default = PRIOR.parent / "seed-2022-hobbyist-3060ti.yaml"  # the prior extends it: never written either
    assert main(["market-fit-outcomes", str(PRIOR), "--out", str(default)]) == 2
    assert "through extends:" in capsys.readouterr().err
    assert main(["market-fit-outcomes", str(PRIOR), "--out", str(tmp_path)]) == 2
    assert "folder" in capsys.readouterr().err
    assert main(["market-fit-outcomes", str(PRIOR), "--out", str(tmp_path / "fit.yaml")]) == 2
    assert "ending in .json" in capsys.readouterr().err
    assert not (tmp_path / "f.json").exists()
