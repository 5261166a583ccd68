"""Issue #27: every place that states a market result carries the back-test's verdict of the same draws."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artcost.model.loader import load_scenario
from artcost.model.market import run_draws
from artcost.model.market_check import check_draws, market_check

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
GENERIC = REPO / "scenarios" / "seed-2022-generic-bass.yaml"


def test_check_of_existing_draws_is_the_check():
    """`check_draws` on the draws behind a headline gives what `market_check` gives for the same draws and seed."""
    loaded = load_scenario(SEED)
    a = check_draws(run_draws(loaded, 300, 4))
    b = market_check(loaded, draws=300, seed=4)
    assert a.counts() == b.counts() and [r.model for r in a.rows] == [r.model for r in b.rows]


def test_verdict_line_counts_and_direction():
    c = market_check(load_scenario(GENERIC), draws=200, seed=0)
    n = c.counts()
    line = c.verdict_line()
    assert line.startswith(f"back-test: {n['inside']} of {c.compared} published figures inside")
    assert (f"{n['below']} below it (studies found larger losses" in line) == (n["below"] > 0)
    assert c.compared == sum(r.model is not None for r in c.rows)


def test_cli_market_prints_the_verdict_and_json_carries_it(capsys):
    from artcost.cli import main

    assert main(["market", str(SEED), "--draws", "200"]) == 0
    out = capsys.readouterr().out
    expected = market_check(load_scenario(SEED), draws=200, seed=0)
    assert "Back-test:" in out and f"{expected.counts()['inside']} of {expected.compared}" in out
    assert main(["market", str(SEED), "--draws", "200", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["back_test"]["inside"] == expected.counts()["inside"] and d["back_test"]["compared"] == expected.compared
    assert d["back_test_text"] == expected.verdict_line()
    assert main(["market", str(SEED), "--draws", "0", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["back_test"] is None and "not run" in d["back_test_text"]


def test_report_and_presenter_findings_carry_the_verdict():
    pytest.importorskip("plotly")
    from artcost.dashboard.report import facts, findings, presenter_html
    import datetime as dt

    fx = facts(load_scenario(SEED), draws=2_000, market_draws=200)
    (market,) = [t for k, t in findings(fx) if k == "market"]
    line = fx.market_check.verdict_line()
    assert line[1:] in market and "typically earn" in market
    html = presenter_html(fx, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert "ack-test: " in html and f"{fx.market_check.counts()['inside']} of {fx.market_check.compared}" in html
