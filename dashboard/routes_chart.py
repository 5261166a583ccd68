"""The routes of a scenario as charts (issue #17), pure functions of `model.routes.RoutesResult.to_dict()`:

* `routes_figure(d)`: every priced route's cost of one usable image, median with its 90% interval (5th-95th
  percentile whisker), on a linear axis from zero, ranked, each bar's label in words with its unit;
* `breakeven_figure(d, own=KEY)`: cost of one usable image by jobs a month, owning a GPU bought for the work
  against renting it, the cheapest API and the subscription, with the break-even volumes marked.

Both return a `charts.Chart` (figure + caption naming where the numbers come from); the Routes page and the
report show them as they are.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import plotly.graph_objects as go

from artcost.dashboard.charts import FONT, OKABE_ITO, Chart, title_layout
from artcost.dashboard.escape import plotly_text
from artcost.units import duration, money_approx

KIND_COLOURS = {"scenario": "#0072B2", "measured": "#56B4E9", "own": "#009E73", "rent": "#E69F00", "api": "#882255",
                "subscription": "#CC79A7", "artist": "#D55E00"}
KIND_WORDS = {"scenario": "the scenario's own", "measured": "this machine, measured", "own": "own a GPU",
              "rent": "rent a GPU", "api": "an API", "subscription": "a subscription", "artist": "the artist"}
# the artist is drawn on the same linear axis only when it does not squash the machine routes into slivers
ARTIST_ON_SCALE = 10.0


def route_label(r: Mapping[str, Any]) -> str:
    """'=1. rent an NVIDIA GeForce RTX 4090': a shared (tied) rank keeps its '='."""
    return f"{r.get('rank_label') or r['rank']}. {r['name']}"


def _style(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(template="plotly_white", font=FONT, colorway=OKABE_ITO,
                      legend=dict(orientation="h", yanchor="top", y=-0.18, x=0), **title_layout(title, height))
    return fig


def _energy_words(c: Mapping[str, Any] | None) -> str:
    if c is None or c.get("energy_kwh_per_usable_image") is None:
        return "no energy figure"
    return (f"{c['energy_kwh_per_usable_image'] * 1000:,.3g} Wh, {c['g_co2e_per_usable_image']:,.3g} g CO2e "
            f"({c['energy_basis']})")


def _bar_text(cost: Mapping[str, Any], ccy: str) -> str:
    if cost["p5"] == cost["p95"]:
        return money_approx(cost["median"], ccy)
    return f"{money_approx(cost['median'], ccy)} (90%: {money_approx(cost['p5'], '')}–{money_approx(cost['p95'], ccy)})"


def routes_figure(d: Mapping[str, Any]) -> Chart:
    """Every priced route's cost of one usable image (median, 90% whisker), ranked, on a linear axis from zero.

    The artist is a bar when its median is within ARTIST_ON_SCALE times the dearest machine route's; otherwise
    it is named in the title and caption instead (on one linear axis it would leave the machines as slivers)."""
    ccy = d["currency"]
    priced = [r for r in d["routes"] if r["cost_per_usable_image"] is not None]
    machines = [r for r in priced if r["kind"] != "artist"]
    artist = next((r for r in priced if r["kind"] == "artist"), None)
    top_machine = max((r["cost_per_usable_image"]["p95"] for r in machines), default=0.0)
    artist_bar = artist is not None and artist["cost_per_usable_image"]["median"] <= ARTIST_ON_SCALE * top_machine
    bars = machines + ([artist] if artist_bar else [])
    labels = [plotly_text(route_label(r)) for r in bars]  # a name may hold a scenario's words
    fig = go.Figure()
    shown_kinds = []
    for kind in dict.fromkeys(r["kind"] for r in bars):
        mine = [(lab, r) for lab, r in zip(labels, bars) if r["kind"] == kind]
        costs = [r["cost_per_usable_image"] for _, r in mine]
        fig.add_bar(
            y=[lab for lab, _ in mine], x=[c["median"] for c in costs], orientation="h", name=KIND_WORDS[kind],
            marker_color=KIND_COLOURS[kind],
            error_x=dict(type="data", symmetric=False, array=[c["p95"] - c["median"] for c in costs],
                         arrayminus=[c["median"] - c["p5"] for c in costs], color="#222222", thickness=1.5, width=5),
            hovertext=[f"{_bar_text(c, ccy)}<br>delivery {duration(r['delivery_hours'])}<br>{_energy_words(r['carbon'])}"
                       if r["delivery_hours"] is not None else _bar_text(c, ccy) for c, (_, r) in zip(costs, mine)],
            hoverinfo="text",
        )
        shown_kinds.append(kind)
    for lab, r in zip(labels, bars):
        c = r["cost_per_usable_image"]
        fig.add_annotation(x=c["p95"], y=lab, text=_bar_text(c, ccy), showarrow=False, xanchor="left", xshift=6,
                           font=dict(size=13))
    top = max([r["cost_per_usable_image"]["p95"] for r in bars] + [1e-9])
    cheapest = machines[0] if machines else None
    title = "Every way to get one usable image"
    if cheapest is not None:
        tied = [r for r in machines if r["rank"] == cheapest["rank"]]
        title += (f": {len(tied)} ways tied for cheapest, {money_approx(cheapest['cost_per_usable_image']['median'], ccy)}"
                  if len(tied) > 1 else
                  f": cheapest {plotly_text(cheapest['name'])}, {money_approx(cheapest['cost_per_usable_image']['median'], ccy)}")
    artist_words = ""
    if artist is not None and not artist_bar:
        a = artist["cost_per_usable_image"]
        artist_words = (f" The artist, {_bar_text(a, ccy)}, is {a['median'] / cheapest['cost_per_usable_image']['median']:,.0f}x "
                        "the cheapest route and is left off the axis so the machine routes stay readable."
                        if cheapest is not None else "")
        title += f"; the artist {money_approx(a['median'], ccy)}"
    _style(fig, title, height=max(320, 34 * len(bars) + 150))
    fig.update_xaxes(title_text=f"cost of one usable image ({ccy}); bar: median, whisker: 90% interval",
                     range=[0, top * 1.6], rangemode="tozero", tickformat=",")
    fig.update_yaxes(autorange="reversed", automargin=True, categoryorder="array", categoryarray=labels)
    fig.update_layout(barmode="overlay", bargap=0.35)
    s = d["scenario"]
    caption = (f"{s['name']} ({s['file']}, as of {s['as_of']}); the scenario's job ({s['settings']}) on every route, "
               f"with its human time. {d['statistic']}. '=' before a rank marks a tie: {d['tie_rule']}.{artist_words} Speeds: published runs scaled by counted FLOPs "
               "(artcost/data/published_runs.yaml), prices: artcost/data/gpu_offers.yaml and api_prices.yaml, "
               "each route's sources listed below.")
    return Chart(fig, caption)


def own_keys(d: Mapping[str, Any]) -> list[str]:
    """The owned-GPU routes that have break-even curves, in rank order."""
    curves = d.get("curves") or {}
    return [k for k in curves.get("cost", {}) if curves.get("kinds", {}).get(k) == "own"]


def breakeven_figure(d: Mapping[str, Any], own: str | None = None) -> Chart | None:
    """Cost of one usable image by jobs a month: owning GPU `own` (default: the first) bought for this work against
    its rivals (renting the same GPU, the cheapest API, the subscription), break-even volumes marked. None when the
    scenario has no owned-GPU route to plot."""
    keys = own_keys(d)
    if not keys:
        return None
    own = own if own in keys else keys[0]
    curves = d["curves"]
    ccy = d["currency"]
    xs: Sequence[float] = curves["jobs_per_month"]
    crossings = [c for c in d["breakeven"] if c["own"] == own]
    own_volume = float(d.get("jobs_per_month") or 0)
    rivals = [c["rival"] for c in crossings]
    found = [c["jobs_per_month"] for c in crossings if c["jobs_per_month"] is not None]
    cap = curves["capacity"][own]
    # a log axis from a tenth of a job a month out to twice the largest break-even (or the GPU's capacity): on a
    # linear axis to 2,300 the 1-10 jobs a month where a scenario usually sits were one pixel (issue #28)
    x_max = min(cap, 2.0 * max(found + [own_volume])) if found else cap
    x_min = min(0.1, own_volume / 2) if own_volume else 0.1
    keep = [i for i, x in enumerate(xs) if x_min <= x <= x_max]
    # the vertical axis: room above the rivals where the lines cross and at the right end (owning at one job a
    # month costs a GPU's month, a subscription's fee falls on one job: off the chart there)
    at = [keep[-1]] + [min(keep, key=lambda n: abs(xs[n] - j)) for j in found] if keep else []
    seen = [curves["cost"][k][i] for k in rivals if k in curves["cost"] for i in at]
    finite = [y for y in seen if y is not None and math.isfinite(y)]
    y_max = 2.5 * max(finite) if finite else None
    fig = go.Figure()
    for k, colour, dash in [(own, KIND_COLOURS["own"], "solid")] + [
            (k, KIND_COLOURS.get(curves["kinds"].get(k, ""), "#999999"), "dash") for k in rivals]:
        if k not in curves["cost"]:
            continue
        ys = [curves["cost"][k][i] for i in keep]
        fig.add_scatter(x=[xs[i] for i in keep], y=[None if y is None or not math.isfinite(y) else y for y in ys],
                        mode="lines", name=plotly_text(curves["names"][k]), line=dict(color=colour, width=2.5, dash=dash))
    for c in crossings:
        if c["jobs_per_month"] is None:
            continue
        j = c["jobs_per_month"]
        i = min(keep, key=lambda n: abs(xs[n] - j)) if keep else None
        y = curves["cost"][c["rival"]][i] if i is not None else None
        fig.add_scatter(x=[j], y=[y], mode="markers", marker=dict(size=10, color="#222222", symbol="x"),
                        showlegend=False, hovertext=c["sentence"], hoverinfo="text")
        fig.add_annotation(x=math.log10(j), y=y, text=f"{j:,.0f} a month" if j >= 10 else f"{j:.2g} a month",
                           showarrow=True, arrowhead=0, ax=0, ay=-30, font=dict(size=12),
                           bgcolor="rgba(255,255,255,0.85)")  # on a white box: not written over the lines
    if own_volume:
        fig.add_vline(x=math.log10(own_volume), line=dict(color="#555555", width=1, dash="dot"))  # log axis: log10
        fig.add_annotation(x=math.log10(own_volume), y=1, yref="paper", yanchor="bottom", showarrow=False,
                           text=f"this scenario: {own_volume:g} a month", font=dict(size=12))
    name = plotly_text(curves["names"][own])
    _style(fig, f"When owning pays: {name} (bought for this work) against renting it, an API and a subscription",
           height=420)
    fig.update_xaxes(title_text="jobs a month (each the scenario's job; log scale)", type="log",
                     range=[math.log10(x_min), math.log10(x_max)], tickformat=",")
    fig.update_yaxes(title_text=f"cost of one usable image ({ccy}), central values", tickformat=",",
                     range=[0, y_max] if y_max else None)
    never = [c["sentence"] for c in crossings if c["verdict"] != "above"]
    caption = (f"Owning spreads the GPU's price over the work's own hours (up to {cap:,.0f} jobs a month, every hour "
               "of the year); a rented GPU and an API cost the same per image at any volume, a subscription's fee is shared "
               "by the month's jobs. Marked: the volume where the two cost the "
               "same (model.route_breakeven, scipy brentq). " + " ".join(never))
    return Chart(fig, caption.strip())
