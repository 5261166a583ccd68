"""The HTML report: parses, carries the figures and their sources, and fetches nothing online."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from artcost.model.headline import headline
from artcost.dashboard.report import report_for
from artcost.model.comparison import comparison
from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if not self.stack or self.stack[-1] not in ("script", "style"):
            self.text.append(data)


@pytest.fixture(scope="module")
def report():
    loaded = load_scenario(SEED)
    html, name = report_for(loaded, "USD", generated=dt.datetime(2026, 11, 25, 12, 0))
    parser = Collect()
    parser.feed(html)
    parser.close()
    return {"html": html, "name": name, "tags": parser.tags, "text": " ".join(parser.text), "loaded": loaded}


def test_parses_and_names_itself(report):
    assert report["html"].startswith("<!DOCTYPE html>")
    assert report["name"] == "artcost-report-seed-2022-hobbyist-3060ti-20261125-1200.html"
    assert [t for t, _ in report["tags"]].count("html") == 1


def test_contains_headline_and_figures(report):
    from artcost.dashboard.sources import source_text

    r = comparison(report["loaded"], "USD")
    # the report names the scenario file once, at the top: the speed's source is quoted without it
    r["generation"]["seconds_per_image_source"] = source_text(r["generation"]["seconds_per_image_source"])
    text = report["text"]
    assert headline(r) in text
    assert "AI per usable image" in text and "AI vs artist per image" in text
    # the cost table is the dashboard's compare table (one list of figures), money in USD
    from artcost.dashboard.state import report_rows

    for label, value, share in report_rows(r):
        assert label in text and value in text
    # every chart is drawn as static SVG (dashboard/figure_svg.py, issue #29: no plotly.js), with its caption
    svgs = [a for t, a in report["tags"] if t == "svg" and a.get("data-artcost-chart", "").startswith("chart-")]
    assert len(svgs) >= 9  # waterfall, delivery, histogram, tornado, break-even grid, the market's four
    assert text.count("Source: scenario") >= 2 and text.count("Market simulation of scenario") >= 3
    # the key chart is drawn without plotly, next to the headline
    assert [a for t, a in report["tags"] if t == "svg" and a.get("data-artcost-chart") == "key"]


def test_contains_every_assumption_with_its_source(report):
    text = report["text"]
    from artcost.dashboard.sources import source_text

    ids = {a.get("id") for _, a in report["tags"]}
    for path, info in comparison(report["loaded"], "USD")["inputs"].items():
        assert f"src-{path}" in ids, path  # its row, which the other sections link to
        assert info["label"] in text
        # quoted whole; the scenario file is named once above the table, not in front of every source
        assert source_text(info["source"]) in text and "seed-2022-hobbyist-3060ti.yaml: " not in source_text(info["source"])
    assert "seed-2022-hobbyist-3060ti.yaml: " not in text
    # ... and the market's assumptions too: the report has a market section
    market = [p for p in report["loaded"].scenario.quantities() if p.startswith("market.")]
    assert market and not [p for p in market if f"src-{p}" not in ids]
    assert "buyers learning of AI on their own (Bass p)" in text
    assert str(REPO) not in report["html"], "no path of the machine that wrote the report"
    # DistSpec.describe of human.wage_per_hour (triangular(low=20, mode=31, high=55) CNY/h), in the report's USD
    assert "triangular(low=2.972, mode=4.607, high=8.174)" in text
    assert "Federal Reserve G.5A annual average 2022" in text  # the exchange rate used: the scenario's year (2022)
    assert "benchmark provenance" in text and "NVIDIA GeForce RTX 3060 Ti" in text
    assert "Method" in text


def test_references_nothing_online(report):
    html = report["html"]
    for tag, attrs in report["tags"]:
        for attr in ("src", "href", "data", "poster", "srcset"):
            value = attrs.get(attr) or ""
            assert not re.match(r"\s*(https?:)?//", value), f"<{tag} {attr}={value!r}> fetches from the network"
        if tag == "script":
            assert "src" not in attrs, "every script is inline"
        if tag == "link":
            assert attrs.get("rel") not in ("stylesheet", "preload", "import"), attrs
    assert not re.search(r"@import\s+url\(\s*['\"]?https?:", html)
    assert "cdn.plot.ly" not in html.split("<body>", 1)[0] and not re.search(r"<script[^>]+src=", html)
    # the charts are SVG drawn when the report is written: no script at all, nothing to load (issue #29)
    assert "<script" not in html and "Plotly" not in html


def test_uncertainty_section_when_available(report):
    pytest.importorskip("artcost.model.uncertainty")
    assert "How sure: uncertainty" in report["text"]
    assert "20,000" in report["text"]


def test_no_paragraph_is_printed_twice():
    """Issue #28: the seed's 60-word speed source was printed in the cost section, the benchmark section and the
    sources; every long paragraph or list item of the report is now there once."""
    import re
    from collections import Counter
    from html import unescape

    from artcost.dashboard.report import report_for

    html, _ = report_for(load_scenario(SEED), "USD", generated=dt.datetime(2026, 12, 5, 12, 0))
    blocks = [" ".join(unescape(re.sub(r"<[^>]+>", " ", b)).split())
              for b in re.findall(r"<(?:p|li)\b[^>]*>(.*?)</(?:p|li)>", html, flags=re.S)]
    twice = [b[:80] for b, n in Counter(b for b in blocks if len(b) > 120).items() if n > 1]
    assert not twice, twice
