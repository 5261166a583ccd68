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


def test_overview_big_figures_are_the_headlines(at):
    """Under a headline of 33 CNY the page's largest figures read 30.47 CNY, 2,500 CNY and 1/82 (the point run):
    three answers to one question. Now every big figure is the headline's median with its interval."""
    h = headline_for(load_scenario(SEED))
    metrics = {x.label: x.value for x in at.metric}
    assert metrics["AI, per usable image"] == "33 CNY" and metrics["Artist, per image"] == "2,600 CNY"
    assert metrics["AI cheaper than the artist"] == "80x"
    # one delivery figure per side: the headline's draws, the same the CLI prints
    assert metrics["AI delivery"] == "24.8 h" and metrics["Artist delivery"] == "16.5 days"
    assert "90%: 24.5–25.4 h" in " ".join(unescape(c.value) for c in at.caption)
    assert not any("30.47" in v or "1/" in v for v in metrics.values())
    captions = " ".join(unescape(c.value) for c in at.caption)
    assert "90%: 19–56 CNY" in captions and "90%: 2,200–3,300 CNY" in captions and "(45–147x)" in captions
    assert h.sentence().startswith("One usable image: 33 CNY")


def test_compare_table_has_the_median_rows(at, html_table):
    at.switch_page("views/cost.py").run()
    table = html_table(at)
    rows = dict(zip(table[""], table.iloc[:, 1]))
    h = headline_for(load_scenario(SEED)).cells()
    assert rows["AI per usable image, median (90%) (CNY)"] == h["ai"] == "33 (19–56)"
    assert rows["AI vs artist, median (90%)"] == h["ratio"]
    assert rows["AI per usable image, central values (a point) (CNY)"] == "30.47"  # the point row stays, labelled one
    assert list(rows)[:3] == ["AI per usable image, median (90%) (CNY)", "artist per image, median (90%) (CNY)",
                              "AI vs artist, median (90%)"]  # the answer first
    assert rows["AI delivery, median (90%)"] == "24.8 h (24.5–25.4 h)"
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


def test_overview_quotes_the_speed_source_once(at):
    """The seed's 60-word speed source was printed three times on the Overview (the waterfall's caption, the
    sources' intro and the sources table); now only the table quotes it."""
    shown = " ".join(unescape(x.value) for x in [*at.caption, *at.markdown])
    assert "500 images at 2.75 s are 23 min on the GPU" not in " ".join(shown.split())
    assert "GPU time per image" in shown  # the caption says where to find it
