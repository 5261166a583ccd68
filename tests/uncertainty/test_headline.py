"""The headline is the Monte Carlo median with its 90% interval, not the central-value point (issue #15)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from artcost.cli import main
from artcost.model.comparison import comparison
from artcost.model.headline import DEFAULT_DRAWS, DEFAULT_SEED, Headline, Spread, headline_for, ratio_cell, ratio_words
from artcost.model.loader import load_scenario
from artcost.model.uncertainty import simulate
from artcost.units import figure, money_approx, ratio_phrase

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
SEED = SCENARIOS / "seed-2022-hobbyist-3060ti.yaml"


def _point_scenario(tmp_path: Path) -> Path:
    """A scenario whose every figure is a plain number (the foundation tests' minimal one): nothing to simulate."""
    sys.path.insert(0, str(REPO / "tests" / "foundation"))
    from helpers import BASE, write

    return write(tmp_path, BASE, "point.yaml")


@pytest.fixture(scope="module")
def seed_headline() -> Headline:
    return headline_for(load_scenario(SEED))


def test_seed_headline_is_the_monte_carlo_median_not_the_central_values(seed_headline):
    h = seed_headline
    # docs/uncertainty.md, 1,000,000 draws: median 33.1 CNY (p5 18.7, p95 55.5), ratio median 80x (46-147)
    assert h.ai.median == pytest.approx(33.1, rel=0.03)
    assert h.ratio.median == pytest.approx(80, rel=0.03)
    assert h.ai.p5 == pytest.approx(18.7, rel=0.05) and h.ai.p95 == pytest.approx(55.5, rel=0.05)
    # the central-value point (30.47 CNY, 1/82) is kept, but is not the headline
    # (issue #15 moved the seed's point from 24.03 to 30.47: two screening rounds, the 2022 exchange rate)
    assert h.point_ai == pytest.approx(30.47, abs=0.01) and h.point_ratio == pytest.approx(82.05, abs=0.01)
    assert abs(h.ai.median - h.point_ai) > 2 and abs(h.ratio.median - h.point_ratio) > 1
    s = h.sentence()
    assert s.startswith("One usable image: 33 CNY with AI") and "(90%: 19–56)" in s
    assert "typically 80x cheaper with AI (90%: 45–147x)" in s
    assert "30.47" not in s and "82x" not in s
    assert "20,000 Monte Carlo draws" in h.note() and "seed 0" in h.note() and "central values (point): 30.47 CNY" in h.note()


def test_intervals_bracket_the_medians(seed_headline):
    for spread in (seed_headline.ai, seed_headline.artist, seed_headline.ratio):
        assert spread.p5 < spread.median < spread.p95


def test_headline_is_exactly_the_simulation_the_uncertainty_page_shows(seed_headline):
    """Same draws and seed as `artcost simulate --draws 20000 --seed 0` and the dashboard's default."""
    mc = simulate(load_scenario(SEED), DEFAULT_DRAWS, DEFAULT_SEED)
    for name, spread in (("ai_per_usable_image", seed_headline.ai), ("artist_per_image", seed_headline.artist),
                         ("ratio", seed_headline.ratio)):
        p5, p50, p95 = np.percentile(mc.samples[name], [5, 50, 95])
        assert (spread.p5, spread.median, spread.p95) == (p5, p50, p95)
    assert (seed_headline.draws, seed_headline.seed) == (20_000, 0)


def test_same_seed_same_sentence_other_seed_other_draws(seed_headline):
    again = headline_for(load_scenario(SEED))
    assert again == seed_headline and again.sentence() == seed_headline.sentence()
    other = headline_for(load_scenario(SEED), seed=1)
    assert other.ai.median != seed_headline.ai.median
    assert other.ai.median == pytest.approx(seed_headline.ai.median, rel=0.02)  # 20,000 draws: stable to ~1%


def test_round_trips_through_json(seed_headline):
    d = json.loads(json.dumps(seed_headline.to_dict(), allow_nan=False))
    assert Headline.from_dict(d) == seed_headline
    assert d["sentence"] == seed_headline.sentence()


def test_currency_converts_money_not_the_ratio():
    cny = comparison(load_scenario(SEED))
    usd = comparison(load_scenario(SEED), "USD")
    f = usd["breakdown"]["total"] / cny["breakdown"]["total"]
    for side in ("ai", "artist"):
        for k in ("median", "p5", "p95"):
            assert usd["headline"][side][k] == pytest.approx(cny["headline"][side][k] * f)
    assert usd["headline"]["ratio"] == pytest.approx(cny["headline"]["ratio"])
    assert " USD with AI" in usd["headline"]["sentence"]


def test_cost_json_keeps_the_old_keys_and_adds_the_interval(capsys):
    assert main(["cost", str(SEED), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["breakdown"]["per_usable_image"] == pytest.approx(30.47, abs=0.01)  # the point, unchanged
    assert r["ratio"] == pytest.approx(82.05, abs=0.01)
    h = r["headline"]
    for side in ("ai", "artist", "ratio"):
        assert set(h[side]) == {"median", "p5", "p95"}
        assert h[side]["p5"] < h[side]["median"] < h[side]["p95"]
    assert (h["draws"], h["seed"]) == (20_000, 0)
    assert h["point"]["ai"] == pytest.approx(r["breakdown"]["per_usable_image"])
    assert h["ai"]["median"] == pytest.approx(33.1, rel=0.03)


def test_cost_prints_the_median_sentence_and_labels_the_point(capsys):
    assert main(["cost", str(SEED), "--brief"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert headline_for(load_scenario(SEED)).sentence() in out
    assert "20,000 Monte Carlo draws" in out and "seed 0" in out
    assert "per usable image, central values (point)" in out and "30.47 CNY" in out


def test_compare_has_median_rows(capsys):
    files = [str(SEED), str(SCENARIOS / "studio-cloud-h100.yaml")]
    assert main(["compare", *files]) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.split())  # words wrap at the terminal's width
    assert "median and 90% interval of the draws" in flat and "AI vs artist" in flat
    assert "80x cheaper (45–147x)" in flat
    assert "central values (a point)" in " ".join(out.split()) and "20,000 Monte Carlo draws" in " ".join(out.split())


def test_a_scenario_without_distributions_says_point(tmp_path, capsys):
    path = _point_scenario(tmp_path)
    h = headline_for(load_scenario(path))
    assert h.is_point and h.draws == 0 and h.seed is None
    assert h.ai == Spread.point(h.point_ai)
    assert h.sentence().endswith("(no uncertain inputs: a point figure).")
    assert "90%" not in h.sentence()
    assert main(["cost", str(path), "--brief"]) == 0
    assert "no uncertain inputs: a point figure" in " ".join(capsys.readouterr().out.split())
    assert main(["cost", str(path), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["headline"]
    assert d["draws"] == 0 and d["seed"] is None and d["ai"]["median"] == d["ai"]["p5"] == d["ai"]["p95"]


def test_ai_dearer_stays_honest():
    h = headline_for(load_scenario(SEED, {"artist.price_per_image": 10}))
    s = h.sentence()
    assert h.ratio.median < 1
    assert "typically AI costs 3.3x the artist (90%: 1.9–5.6x)" in s
    assert "cheaper" not in s and "1/0" not in s
    assert "10.00 CNY from the artist" in s  # a side with no spread keeps its exact figure, with no range
    assert h.cells()["ratio"].startswith("AI 3.3x dearer")


@pytest.mark.parametrize(
    "spread, words, cell",
    [
        ((84, 47, 154), "typically 84x cheaper with AI (90%: 47–154x)", "84x cheaper (47–154x)"),
        ((0.4, 0.3, 0.55), "typically AI costs 2.5x the artist (90%: 1.8–3.3x)", "AI 2.5x dearer (1.8–3.3x)"),
        ((1.5, 0.8, 3.1), "typically 1.5x cheaper with AI (90%: from 1.2x dearer to 3.1x cheaper)",
         "1.5x cheaper (1.2x dearer – 3.1x cheaper)"),
        ((0.7, 0.3, 1.4), "typically AI costs 1.4x the artist (90%: from 3.3x dearer to 1.4x cheaper)",
         "AI 1.4x dearer (3.3x dearer – 1.4x cheaper)"),
        ((1.02, 1.0, 1.3), "typically AI costs about what the artist charges (90%: 1.0–1.3x cheaper)", None),
    ],
)
def test_ratio_words_name_the_dearer_side(spread, words, cell):
    assert ratio_words(Spread(*spread)) == words
    if cell:
        assert ratio_cell(Spread(*spread)) == cell


def test_ratios_and_small_numbers_keep_two_significant_figures():
    assert ratio_phrase(1.5) == "1.5x cheaper with AI"  # not 2x
    assert ratio_phrase(1 / 1.5) == "AI costs 1.5x the artist"
    assert ratio_phrase(104.2) == "104x cheaper with AI" and ratio_phrase(9.96) == "10x cheaper with AI"
    assert [figure(x) for x in (153.5, 47.4, 2.403, 0.0563, 0)] == ["154", "47", "2.4", "0.056", "0"]
    assert [money_approx(x, "CNY") for x in (31.6, 2628, 1.234, 3.2e6)] == ["32 CNY", "2,600 CNY", "1.2 CNY", "3.2M CNY"]


def test_every_shipped_scenario_has_an_interval_headline():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        h = headline_for(load_scenario(path))
        assert h.draws == DEFAULT_DRAWS, path
        assert h.ai.p5 < h.ai.median < h.ai.p95, path
        assert "(90%:" in h.sentence(), path
