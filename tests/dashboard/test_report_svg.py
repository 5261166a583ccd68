"""The report's charts as static SVG (issue #29): small, complete, offline, and text stays text.

The report embedded plotly.js (4.6 MB) and each chart's data: 5.4 MB for the seed scenario.  Its charts are now
drawn by `dashboard/figure_svg.py` from the same plotly figures the dashboard shows.  Size is deterministic for a
given scenario and version, so a bound on it is a plain test; the time is measured in tests/perf/bench_report.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import plotly.graph_objects as go
import pytest

from artcost.dashboard.escape import plotly_text
from artcost.dashboard.figure_svg import figure_svg, text_lines
from artcost.dashboard.report import facts, build_report
from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
MAX_BYTES = 2_000_000
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def seed_report() -> str:
    return build_report(facts(load_scenario(SEED)))


def test_report_is_under_2_mb_without_script(seed_report):
    size = len(seed_report.encode("utf-8"))
    assert size < MAX_BYTES, f"{size:,} bytes"
    assert "<script" not in seed_report and "plotly" not in seed_report.lower()


def test_every_chart_is_drawn(seed_report):
    """Each chart is a well-formed <svg> with marks in it (bars, lines or cells), its title and axis ticks."""
    charts = re.findall(r'<svg[^>]*data-artcost-chart="chart-\d+".*?</svg>', seed_report, flags=re.S)
    assert len(charts) >= 9  # cost, delivery, histogram, tornado, break-even grid, the market's four
    for svg in charts:
        root = ET.fromstring(svg)
        marks = [el for el in root.iter() if el.tag in (SVG + "rect", SVG + "path", SVG + "circle")]
        texts = ["".join(el.itertext()) for el in root.iter(SVG + "text")]
        assert len(marks) >= 2, root.get("aria-label")
        assert root.get("aria-label") and len(texts) >= 4, root.get("aria-label")


def test_an_unknown_trace_type_is_refused_not_dropped():
    with pytest.raises(ValueError, match="pie"):
        figure_svg(go.Figure(go.Pie(values=[1, 2], labels=["a", "b"])))


def test_scenario_words_in_a_figure_stay_text():
    """A route named by a scenario ('<a href=...>' in its device) is text in the SVG: no <a>, no <image>."""
    words = '<a href="https://example.org/h">H</a> <img src="https://example.org/i.png"> & $x$'
    fig = go.Figure(go.Bar(x=[1.0, 2.0], y=[plotly_text(words), "artist"], orientation="h", name=plotly_text(words)),
                    layout=dict(title=dict(text=f"Cheapest: {plotly_text(words)}<br><sup>a note</sup>"), height=300))
    fig.add_trace(go.Bar(x=[1.0], y=["artist"], orientation="h", name="second"))
    root = ET.fromstring(figure_svg(fig))
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert not tags & {"a", "image", "foreignObject", "script"}, tags
    texts = ["".join(el.itertext()) for el in root.iter(SVG + "text")]
    assert f"Cheapest: {words}" in texts and "a note" in texts  # <br> made a second line, <sup> dropped
    assert sum(words in t for t in texts) >= 2  # the category label and the legend


def test_text_lines():
    assert text_lines("a<br>b <sup>c</sup> &lt;d&gt; &amp;") == ["a", "b c <d> &"]
