"""The charts read without the YAML (issue #19): each complaint of the issue as an assertion on the figure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from artcost.dashboard import analysis, charts, svg
from artcost.model.comparison import comparison
from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(SEED)


@pytest.fixture(scope="module")
def r(loaded):
    return comparison(loaded)


def test_key_chart_is_linear_and_says_the_ratio(r):
    """The Overview's AI vs artist: a linear axis (a 80x gap looks like one), the ratio in the title, labels whole."""
    chart = svg.key_chart(r)
    assert "log" not in chart and "typically 80x cheaper with AI" in chart
    assert "2,600 CNY (90%: 2,200–3,300)" in chart  # the artist's label whole, not '2,500 CN'
    ticks = svg.nice_ticks(3300)
    assert ticks[0] == 0 and ticks[-1] >= 3300 and np.allclose(np.diff(ticks), ticks[1])


def test_delivery_in_days_on_a_linear_axis(r):
    fig = charts.delivery(r).fig
    assert fig.layout.xaxis.type in (None, "linear") and fig.layout.xaxis.title.text.startswith("days")
    low, high = fig.layout.xaxis.range
    assert low == 0 and high > r["delivery"]["artist_hours"] / 24


def test_tornado_and_heatmap_in_words(loaded):
    from artcost.model.breakeven import axis_values, ratio_grid
    from artcost.model.sensitivity import tornado

    rows = tornado(loaded, "per_usable_image")
    fig = analysis.tornado_chart(rows, "per_usable_image", "CNY").fig
    names = list(fig.data[0].y)
    assert names and not [n for n in names if "_" in n.split(":")[0] or "." in n.split(":")[0]], names
    assert any(n.startswith("operator's hourly wage: ") and "CNY/h" in n for n in names)
    x, y = "artist.price_per_image", "human.wage_per_hour"
    grid = ratio_grid(loaded, x, axis_values(loaded, x, None, None, 8), y, axis_values(loaded, y, None, None, 8))
    hm = analysis.grid_chart(grid, "caption", "CNY").fig
    assert hm.layout.xaxis.title.text == "artist's price per image (CNY/image)"
    assert hm.layout.yaxis.title.text == "operator's hourly wage (CNY/h)"
    bar = hm.data[0].colorbar
    assert "log10" not in bar.title.text and all(t.endswith("x") or "x " in t for t in bar.ticktext)


def test_market_charts_have_bands_words_and_percent(loaded):
    from artcost.model.market import market_bands, simulate_market

    result, bands = simulate_market(loaded), market_bands(loaded, 60, 0)
    figs = analysis.market_band_charts(result, bands, "CNY")
    legends = {t.name for c in figs for t in c.fig.data if t.showlegend is not False and t.name}
    assert {"an artist", "an artist using AI", "AI on their own", "AI + a retoucher"} <= legends
    assert not [n for n in legends if "_" in n], legends
    shares = next(c for c in figs if c.title.startswith("How buyers get their images"))
    assert shares.fig.layout.yaxis.tickformat == ".0%"
    assert any(t.fill == "toself" for t in shares.fig.data)  # the p5-p95 band
    price = next(c for c in figs if c.title.startswith("The retoucher's price"))
    assert "cap" in price.fig.layout.annotations[0].text  # why it is flat, on the chart


def test_one_benchmark_point_has_an_axis_from_zero():
    rows = [{"id": "1", "device": "GPU", "preset": "stock", "seconds_per_image": 2.5, "joules_per_image": None}]
    fig = charts.bench_history(rows, "seconds_per_image", "seconds per image", "t", "c").fig
    assert list(fig.layout.yaxis.range) == [0, 3.0] and fig.layout.xaxis.type == "category"
    none = charts.bench_history(rows, "joules_per_image", "J", "t", "c").fig
    assert not [t for t in none.data if len(t.y or ())], "a record without the figure is left out"


def test_uncertainty_table_in_days_and_percent(loaded):
    from artcost.model.uncertainty import simulate

    rows = {row["output"]: row for row in analysis.mc_rows(simulate(loaded, 400, 0), "CNY")}
    artist = next(v for k, v in rows.items() if "artist" in k and "delivery" in k)
    assert artist["median"].endswith("days")
    chance = next(v for k, v in rows.items() if "chance" in k)
    assert chance["median"].endswith("%") and "0." not in chance["median"][:2]
