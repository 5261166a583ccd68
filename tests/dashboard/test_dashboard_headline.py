"""The dashboard and the report print the model's Monte Carlo headline, with its draws, and label the point."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from artcost.dashboard.escape import unescape  # the pages escape scenario text (issue #24)
from artcost.model.comparison import comparison
from artcost.model.headline import headline_for
from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboard" / "app.py"
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"


def headlines(at: AppTest) -> list[str]:
    return [unescape(m.value.removeprefix("### ")) for m in at.markdown if m.value.startswith("### ")]


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.parametrize("page", ["overview.py", "cost.py", "report.py"])
def test_pages_show_the_median_sentence_and_its_draws(at, page):
    at.switch_page(f"views/{page}").run()
    assert not at.exception
    h = headline_for(load_scenario(SEED))
    assert headlines(at) == [h.sentence()]
    assert "(90%:" in headlines(at)[0] and "30.47" not in headlines(at)[0]
    captions = " ".join(unescape(c.value) for c in at.caption)
    assert h.note() in captions and "20,000 Monte Carlo draws" in captions


def test_overview_metrics_are_labelled_the_point(at):
    text = " ".join(unescape(m.value) for m in at.markdown)
    assert "Central values (point)" in text
    (m,) = [x for x in at.metric if x.label == "AI, per usable image"]
    assert m.value == "30.47 CNY"  # the point, not the median of the sentence


def test_compare_table_has_the_median_rows(at):
    at.switch_page("views/cost.py").run()
    table = at.dataframe[0].value
    rows = dict(zip(table[""], table.iloc[:, 1]))
    h = headline_for(load_scenario(SEED)).cells()
    assert rows["AI per usable image, median (90%) (CNY)"] == h["ai"] == "33 (19–56)"
    assert rows["AI vs artist, median (90%)"] == h["ratio"]
    assert rows["AI per usable image, central values (a point) (CNY)"] == "30.47"  # the point row stays, labelled one
    assert "rows marked 'median (90%)'" in " ".join(unescape(c.value) for c in at.caption)


def test_report_carries_the_sentence_note_and_median_rows():
    from artcost.dashboard.report import report_for

    loaded = load_scenario(SEED)
    html, _ = report_for(loaded, "USD", generated=dt.datetime(2026, 11, 25, 12, 0))
    r = comparison(loaded, "USD")
    assert r["headline"]["sentence"] in html.replace("&#x27;", "'")
    assert "20,000 Monte Carlo draws" in html
    assert "AI per usable image, median (90%) (USD)" in html
    assert "median and 90% interval" in html  # the method note says which figure is which
