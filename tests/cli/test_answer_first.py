"""The CLI leads with the answer (issue: one answer per question on every surface).

`cost` printed its headline at line 25 of 96 (33 of 148 at 60 columns), after a table of point figures;
`compare` of the eight shipped scenarios ran on as 'electricity: a 0.007; b 0.008; ...' at 160 columns
and had a row called `prompt_tuning`.  These run the real command in a subprocess at a given width.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
SEED = SCENARIOS / "seed-2022-hobbyist-3060ti.yaml"


def run(columns: int, *args: str) -> list[str]:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    p = subprocess.run([sys.executable, "-m", "artcost.cli", *args], capture_output=True, text=True, env=env,
                       cwd=REPO, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout.splitlines()


@pytest.mark.parametrize("columns", [60, 160])
def test_cost_prints_the_headline_in_its_first_lines(columns):
    lines = run(columns, "cost", str(SEED))
    starts = next(i for i, line in enumerate(lines) if line.startswith("One usable image:"))
    assert starts <= 3, lines[:6]  # the scenario's name (wrapped at 60 columns), then the answer
    first = " ".join(" ".join(lines[starts:starts + 5]).split())
    assert "One usable image: 33 CNY with AI" in first and "80x cheaper with AI (90%: 45–147x)" in first, lines[:9]
    # the point table comes after, labelled as a point
    table_at = next(i for i, line in enumerate(lines) if "item by item" in line)
    assert table_at > starts and "a point" in " ".join(" ".join(lines[table_at:table_at + 2]).split())


def test_one_way_to_write_a_ratio():
    text = " ".join(" ".join(run(160, "cost", str(SEED))).split())
    assert "1/82" not in text and "82x cheaper with AI" in text


@pytest.mark.parametrize("columns", [60, 160])
def test_compare_of_every_shipped_scenario_is_a_table_in_words(columns):
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    lines = run(columns, "compare", *files)
    text = "\n".join(lines)
    assert "The answer, side by side" in lines[0]
    assert "prompt_tuning" not in text and "prompt tuning" in text
    assert max(len(line) for line in lines[:40]) <= columns
    if columns >= 160:
        # whole tables, not run-on paragraphs: every scenario's detail column sits under a header
        assert not any(line.startswith("electricity:") for line in lines)
        assert sum("│ electricity" in line for line in lines) >= 1


def test_one_delivery_figure_per_side():
    """Delivery read 24.9 h (point), 24.8 h and '1.0 days' on different surfaces; the CLI now leads with the
    headline draws' median and interval, the same figure the Overview shows."""
    text = " ".join(" ".join(run(160, "cost", str(SEED))[:8]).split())
    assert "Delivery: AI 24.8 h (90%: 24.5–25.4 h), the artist 16.5 days (90%: 9.9–25.8 days)." in text


def test_routes_leads_with_its_finding():
    lines = run(60, "routes", str(SEED))
    first = " ".join(" ".join(lines[:8]).split())
    assert "Cheapest way:" in first or "tied" in first, lines[:8]
    assert "the people's time is" in first


def test_market_leads_with_the_typical_answer_and_its_verdict():
    """`market` printed its headline at line 47 of 54, after the central run's tables (issue #28); the claim now
    comes first, and the back-test's verdict with it (issue #27)."""
    lines = run(60, "market", str(SEED), "--draws", "40")
    first = " ".join(" ".join(lines[:16]).split())
    assert first.index("Typically,") < first.index("Back-test:") and "published figures inside" in first
    detail = next(i for i, line in enumerate(lines) if line.startswith("Detail"))
    assert detail > 5
