"""Benchmark: how soon the dashboard's Overview shows its headline and first chart, in headless Chromium.

Not collected by the normal test run (the file is bench_*.py).  Run it with
    .venv/bin/pytest tests/perf/bench_dashboard_paint.py --benchmark-only -p no:cacheprovider -o python_files='bench_*.py' -s
The issue's target (#19): first chart drawn within 3 s of opening the page, cold, on our 2-core machine.

The clock is the browser tests' (tests/dashboard/browser_harness.py, `paint_times`): seconds from
`page.goto` to the headline's text, and to the first chart drawn.
  cold:    a fresh server (`artcost dashboard`'s command line), nothing imported or cached yet, and a fresh
           browser context (empty HTTP cache): the first person to open the dashboard.
  warm:    the same server after that first visit, a new browser context (empty cache): the next person.
  revisit: the same server and the same browser context again (plotly.js already in the browser's cache).
Each measured round's own numbers are printed and kept in the benchmark's extra_info.
"""

from __future__ import annotations

import importlib.util
import statistics
from contextlib import ExitStack
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parents[1] / "dashboard" / "browser_harness.py"
_spec = importlib.util.spec_from_file_location("artcost_browser_harness", HARNESS)
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

pytestmark = pytest.mark.skipif(not harness.CHROMIUM.exists(), reason=f"no Chromium at {harness.CHROMIUM}")
ROUNDS = 3


def _report(benchmark, kind: str, runs: list[dict[str, float]]) -> None:
    for key in runs[0]:
        values = [r[key] for r in runs]
        benchmark.extra_info[f"{kind}_{key}"] = values
        print(f"\n{kind:8s} {key:14s} median {statistics.median(values):5.2f} s  "
              f"(min {min(values):.2f}, max {max(values):.2f}; {', '.join(f'{v:.2f}' for v in values)})", end="")


def test_overview_first_paint(benchmark, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")  # noqa: F841
    cold: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    revisit: list[dict[str, float]] = []
    health: list[dict[str, float]] = []
    stack = ExitStack()
    state: dict = {}

    def setup():
        stack.close()
        n = len(cold)
        server = stack.enter_context(harness.start_server(tmp_path / f"data-{n}", tmp_path / f"server-{n}.log"))
        browser = stack.enter_context(harness.launch())
        health.append({"server_health_s": server["health_s"]})
        state.update(server=server, browser=browser)
        return (), {}

    def first_visit():
        ctx = state["browser"].new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        cold.append(harness.paint_times(page, state["server"]["url"] + "/"))
        page.close()
        ctx.close()
        ctx = state["browser"].new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        warm.append(harness.paint_times(page, state["server"]["url"] + "/"))
        page.close()
        page = ctx.new_page()
        revisit.append(harness.paint_times(page, state["server"]["url"] + "/"))
        ctx.close()

    try:
        benchmark.pedantic(first_visit, setup=setup, rounds=ROUNDS, iterations=1)
    finally:
        stack.close()
    _report(benchmark, "server", health)
    _report(benchmark, "cold", cold)
    _report(benchmark, "warm", warm)
    _report(benchmark, "revisit", revisit)
    print()
    # every visit drew its headline and a chart (paint_times raises on a timeout); the times are measured, not judged
    assert all(0 < r["headline_s"] and 0 < r["first_chart_s"] for r in cold + warm + revisit)
