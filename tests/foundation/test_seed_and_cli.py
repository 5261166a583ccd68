"""The default scenario reproduces the seed's reasoning; the CLI's JSON keys are stable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artcost.cli import main
from artcost.model import costs
from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
SEED = SCENARIOS / "seed-2022-hobbyist-3060ti.yaml"


def run_json(capsys, *args) -> dict | list:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_seed_lands_in_the_seeds_range(capsys):
    r = run_json(capsys, "cost", str(SEED))
    assert r["currency"] == "CNY"
    per_image = r["breakdown"]["per_usable_image"]
    # seed: AI "tens of RMB" per final image (at most 100, under 30 with luck); artist "a low few thousand"
    assert 10 <= per_image <= 100
    assert 1000 <= r["artist"]["per_image"] <= 5000
    # "two orders of magnitude"
    assert 50 <= r["ratio"] <= 200
    b = r["breakdown"]
    # the seed's own check: electricity well under 1 RMB, hardware similar in size; human time dominates
    assert b["electricity"] < 1 and b["hardware"] < 1
    human = sum(b[k] for k in costs.HUMAN_ITEMS)
    assert human > 10 * (b["electricity"] + b["hardware"])
    # 500 images x 2.75 s = about 23 GPU-minutes, about 0.08-0.12 kWh
    assert r["generation"]["gpu_seconds"] / 60 == pytest.approx(22.9, abs=0.1)
    assert 0.05 < r["generation"]["energy_kwh"] < 0.15


def test_json_has_stable_keys_and_sources(capsys):
    r = run_json(capsys, "cost", str(SEED))
    assert set(r["breakdown"]) == set(costs.ITEMS) | {"total", "per_usable_image"}
    for key in ("artist", "ratio", "delivery", "inputs", "scenario", "currency"):
        assert key in r
    wage = r["inputs"]["human.wage_per_hour"]
    assert wage["unit"] == "CNY/h" and "NBS" in wage["source"] and wage["uncertain"]
    assert r["inputs"]["compute.owned.price_per_kwh"]["unit"] == "CNY/kWh"
    assert r["inputs"]["compute.owned.purchase_price"]["unit"] == "CNY"
    assert r["inputs"]["generation.scaling_efficiency"]["source"].startswith("default:")


def test_every_shipped_scenario_validates(capsys):
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    assert len(files) >= 6
    assert main(["validate", *files]) == 0
    assert capsys.readouterr().out.count("ok: ") == len(files)


def test_currency_option_converts_money_not_ratios(capsys):
    cny = run_json(capsys, "cost", str(SEED))
    usd = run_json(capsys, "cost", str(SEED), "--currency", "USD")
    # a 2022 scenario converts at 2022's yearly average (6.729 CNY/USD), not the latest year's (7.189 in 2024)
    assert usd["currency"] == "USD" and "2022" in usd["exchange_rate"]["source"] and usd["exchange_rate"]["year"] == 2022
    assert usd["breakdown"]["total"] == pytest.approx(cny["breakdown"]["total"] / 6.729)
    assert usd["ratio"] == pytest.approx(cny["ratio"])
    assert usd["inputs"]["human.wage_per_hour"]["value"] == pytest.approx(cny["inputs"]["human.wage_per_hour"]["value"] / 6.729)


def test_currency_code_is_case_insensitive(capsys):
    assert run_json(capsys, "cost", str(SEED), "--currency", "usd")["currency"] == "USD"


def test_output_says_the_headline_uses_central_values(capsys):
    assert main(["cost", str(SEED), "--brief"]) == 0
    # words wrap at the terminal's width (COLUMNS=60 in a fresh clone's CI run): compare words, not lines
    assert "central values of 17 uncertain inputs" in " ".join(capsys.readouterr().out.split())


def test_set_override_changes_the_answer_and_is_labelled(capsys):
    base = run_json(capsys, "cost", str(SEED))
    more = run_json(capsys, "cost", str(SEED), "--set", "human.wage_per_hour=62")
    assert more["breakdown"]["screening"] == pytest.approx(2 * base["breakdown"]["screening"])
    # money typed without a currency is read in the scenario's, and says so (issue #15: it used to be silent)
    assert more["inputs"]["human.wage_per_hour"]["source"] == "--set on the command line (read as 62 CNY, the scenario's currency)"


def test_compare_side_by_side(capsys):
    files = [str(SEED), str(SCENARIOS / "studio-cloud-h100.yaml")]
    results = run_json(capsys, "compare", *files, "--currency", "USD")
    assert [r["currency"] for r in results] == ["USD", "USD"]
    assert results[1]["breakdown"]["cloud"] > 0
    assert main(["compare", *files]) == 0
    out = capsys.readouterr().out
    assert "AI vs artist" in out and "money in CNY" in out


def test_artist_tiers_share_the_ai_side():
    low, mid, high = (load_scenario(SCENARIOS / f) for f in
                      ("seed-2022-artist-low.yaml", "seed-2022-hobbyist-3060ti.yaml", "seed-2022-artist-high.yaml"))
    ai = {k: v for k, v in mid.scenario.values().items() if not k.startswith("artist.")}
    assert {k: v for k, v in low.scenario.values().items() if not k.startswith("artist.")} == ai
    prices = [x.scenario.artist.price_per_image.central for x in (low, mid, high)]
    assert prices == sorted(prices) and len(set(prices)) == 3


def test_human_readable_output_names_sources(capsys):
    assert main(["cost", str(SEED)]) == 0
    # Words wrap at the terminal's width (and a longer checkout path moves them): compare words, not lines.
    out = " ".join(capsys.readouterr().out.split())
    assert "One usable image:" in out and "82x cheaper with AI" in out
    assert "Beijing residential" in out


@pytest.mark.parametrize("columns", [40, 80, 200])
def test_every_source_is_shown_whole_at_any_width(columns, tmp_path):
    """A narrow terminal wraps a source, never cuts or interleaves it: each source's words appear in order."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": str(columns)}
    proc = subprocess.run([sys.executable, "-m", "artcost.cli", "cost", str(SEED)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= columns
    words = " ".join(proc.stdout.split())
    loaded = load_scenario(SEED)
    for path, q in loaded.scenario.cost_quantities().items():
        if q.source:
            assert " ".join(q.source.split()) in words, (path, columns)


def test_the_references_a_source_prefix_cites_are_printed(capsys):
    """'seed: ...' on every input meant nothing to a reader who never opened the file's meta.sources."""
    assert main(["cost", str(SEED)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "The scenario's references" in out
    assert "seed: Blog post on the NovelAI model leak, 2022-10-15" in out


def test_no_shipped_figure_is_sourced_as_a_bare_assumption():
    """A review counted nine inputs of the studio scenario sourced only 'assumption': an assumption says what is
    assumed, so a reader can judge it."""
    import re

    for path in sorted((SEED.parent).glob("*.yaml")):
        text = path.read_text()
        assert not re.search(r'source: "assumption"', text), path.name
        assert "re-check" not in text, path.name  # an internal to-do is not a source
