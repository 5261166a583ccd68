"""Plotly figure builders for the dashboard and the report.

Every builder returns a `Chart`: the figure (title, axis titles with units and currency,
readable font, the Okabe-Ito colour-blind-safe palette) and a caption naming where its
figures come from.  No Streamlit here: the report embeds the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from artcost.model import costs
from artcost.units import duration, figure, money, ratio_phrase  # noqa: F401  (re-exported for the pages)

# How every chart is shown, in the dashboard and in the HTML report: no Plotly logo, resizing with the page.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"]
AI_COLOUR, ARTIST_COLOUR = "#0072B2", "#D55E00"
ITEM_COLOURS = dict(zip(costs.ITEMS, OKABE_ITO))
FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=14, color="#222222")
ITEM_LABELS = {
    "electricity": "electricity",
    "hardware": "GPU depreciation",
    "cloud": "cloud GPU time",
    "subscription": "subscription",
    "prompt_tuning": "prompt tuning",
    "learning": "learning (amortised)",
    "screening": "screening candidates",
    "supervision": "supervising runs",
    "retouching": "retouching",
}


@dataclass
class Chart:
    """A figure and the caption that says where its numbers come from."""

    fig: go.Figure
    caption: str

    @property
    def title(self) -> str:
        return self.fig.layout.title.text or ""


def _style(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left", font=dict(size=17)),
        template="plotly_white",
        font=FONT,
        colorway=OKABE_ITO,
        height=height,
        margin=dict(l=10, r=20, t=60, b=10),
        legend=dict(orientation="h", yanchor="top", y=-0.18, x=0),
    )
    return fig


def _log_range(values: Sequence[float]) -> list[float]:
    """A log-axis range with room for the value labels printed after each bar."""
    v = [x for x in values if x > 0] or [1.0]
    return [np.log10(min(v)) - 0.5, np.log10(max(v)) + 0.9]


def _scenario_caption(r: Mapping[str, Any]) -> str:
    s = r["scenario"]
    text = (f"Source: scenario {s['file']} (as of {s['as_of']}); every input's source is listed under "
            "\"Where each figure comes from\" on the Overview page (\"Assumptions and their sources\" in the report).")
    if r.get("exchange_rate"):
        text += f" Money converted {r['exchange_rate']['from']} to {r['currency']} at {r['exchange_rate']['factor']:.4g} ({r['exchange_rate']['source']})."
    return text


# --------------------------------------------------------------------------- one scenario


def cost_waterfall(r: Mapping[str, Any]) -> Chart:
    """The AI cost of one usable image, item by item, adding up to the total (money per usable image)."""
    ccy = r["currency"]
    n = r["usable_images"]
    items = [k for k in costs.ITEMS if r["breakdown"][k] != 0]
    values = [r["breakdown"][k] / n for k in items]
    fig = go.Figure(
        go.Waterfall(
            orientation="v",
            x=[ITEM_LABELS[k] for k in items] + ["per usable image"],
            y=values + [0],
            measure=["relative"] * len(items) + ["total"],
            text=[money(v, ccy) for v in values] + [money(r["breakdown"]["per_usable_image"], ccy)],
            textposition="outside",
            increasing=dict(marker=dict(color=AI_COLOUR)),
            totals=dict(marker=dict(color="#000000")),
            connector=dict(line=dict(color="#999999", width=1)),
            cliponaxis=False,
        )
    )
    _style(fig, f"AI: cost of one usable image, item by item ({ccy})")
    fig.update_yaxes(title_text=f"{ccy} per usable image", rangemode="tozero")
    fig.update_xaxes(title_text="cost item")
    fig.update_layout(showlegend=False)
    caption = (
        f"{_scenario_caption(r)} Job total divided by {n:g} usable image(s). "
        f"Speed from: {r['generation']['seconds_per_image_source']}."
    )
    return Chart(fig, caption)


def ai_vs_artist(r: Mapping[str, Any]) -> Chart:
    """AI per usable image against the artist's price per image, on a log axis (they differ ~100x)."""
    ccy = r["currency"]
    ai, artist = r["breakdown"]["per_usable_image"], r["artist"]["per_image"]
    labels = [f"AI{' (' + r['scenario']['device'] + ')' if r['scenario']['device'] else ''}", f"artist ({r['scenario']['artist_tier'] or 'artist'})"]
    fig = go.Figure(
        go.Bar(
            y=labels,
            x=[ai, artist],
            orientation="h",
            marker_color=[AI_COLOUR, ARTIST_COLOUR],
            text=[money(ai, ccy), money(artist, ccy)],
            textposition="outside",
            cliponaxis=False,
        )
    )
    _style(fig, f"Per image: AI vs artist, {ratio_phrase(r['ratio'])}", height=260)
    fig.update_xaxes(type="log", title_text=f"{ccy} per image (log scale)", range=_log_range([ai, artist]), dtick=1,
                     tickformat=",")
    fig.update_yaxes(autorange="reversed")
    return Chart(fig, _scenario_caption(r))


def delivery_phrase(ai_hours: float, artist_hours: float) -> str:
    """Who delivers first, and how many times as long the other takes ('the artist takes 50x as long')."""
    if ai_hours <= 0 or artist_hours <= 0 or not np.isfinite(ai_hours) or not np.isfinite(artist_hours):
        return f"AI {duration(ai_hours)}, artist {duration(artist_hours)}"
    ratio = artist_hours / ai_hours
    if ratio >= 1.05:
        return f"the artist takes {figure(ratio)}x as long"
    if ratio <= 1 / 1.05:
        inv = 1 / ratio
        return f"AI takes {figure(inv)}x as long as the artist"
    return "about as long either way"


def delivery(r: Mapping[str, Any]) -> Chart:
    """Time to deliver the job: AI (tuning + generation + screening + retouch turnaround) vs the artist's lead time."""
    d = r["delivery"]
    fig = go.Figure(
        go.Bar(
            y=["AI", "artist"],
            x=[d["ai_hours"], d["artist_hours"]],
            orientation="h",
            marker_color=[AI_COLOUR, ARTIST_COLOUR],
            text=[duration(d["ai_hours"]), duration(d["artist_hours"])],
            textposition="outside",
            cliponaxis=False,
        )
    )
    _style(fig, f"Delivery: {delivery_phrase(d['ai_hours'], d['artist_hours'])}", height=260)
    fig.update_xaxes(title_text="hours (log scale)", type="log", range=_log_range([d["ai_hours"], d["artist_hours"]]),
                     dtick=1, tickformat=",")
    fig.update_yaxes(autorange="reversed")
    caption = (
        f"{_scenario_caption(r)} AI: prompt tuning + generation wall time + screening + retoucher's turnaround; "
        f"artist: lead time, available in time with probability {r['artist']['availability_probability']:.0%}."
    )
    return Chart(fig, caption)


# --------------------------------------------------------------------------- several scenarios


def compare_items(results: Sequence[Mapping[str, Any]], names: Sequence[str]) -> Chart:
    """AI cost per usable image of each scenario, stacked by item, in one currency."""
    ccy = results[0]["currency"]
    fig = go.Figure()
    for item in costs.ITEMS:
        ys = [r["breakdown"][item] / r["usable_images"] for r in results]
        if not any(ys):
            continue
        fig.add_bar(x=list(names), y=ys, name=ITEM_LABELS[item], marker_color=ITEM_COLOURS[item])
    fig.update_layout(barmode="stack")
    _style(fig, f"AI cost per usable image by item ({ccy})", height=420)
    fig.update_yaxes(title_text=f"{ccy} per usable image")
    fig.update_xaxes(title_text="scenario")
    caption = "Source: " + "; ".join(f"{r['scenario']['file']} (as of {r['scenario']['as_of']})" for r in results)
    fx = [r["exchange_rate"] for r in results if r.get("exchange_rate")]
    if fx:
        caption += f". Exchange rates: {fx[0]['source']}."
    return Chart(fig, caption)


def compare_ai_artist(results: Sequence[Mapping[str, Any]], names: Sequence[str]) -> Chart:
    """AI per usable image and artist per image for each scenario, log axis."""
    ccy = results[0]["currency"]
    fig = go.Figure()
    ai = [r["breakdown"]["per_usable_image"] for r in results]
    art = [r["artist"]["per_image"] for r in results]
    fig.add_bar(x=list(names), y=ai, name="AI per usable image", marker_color=AI_COLOUR, text=[money(v, ccy) for v in ai])
    fig.add_bar(x=list(names), y=art, name="artist per image", marker_color=ARTIST_COLOUR, text=[money(v, ccy) for v in art])
    fig.update_traces(textposition="outside", cliponaxis=False)
    fig.update_layout(barmode="group")
    _style(fig, f"AI vs artist per image ({ccy}, log scale)", height=420)
    fig.update_yaxes(type="log", title_text=f"{ccy} per image (log scale)", dtick=1, tickformat=",",
                     range=_log_range(ai + art))
    fig.update_xaxes(title_text="scenario")
    return Chart(fig, compare_items(results, names).caption)


# --------------------------------------------------------------------------- uncertainty


def histogram(samples: np.ndarray, ccy: str, what: str, caption: str, marks: Mapping[str, float] | None = None) -> Chart:
    """Distribution of one Monte Carlo output (money), with optional vertical marks (e.g. P5/P50/P95)."""
    x = np.asarray(samples, dtype=float)
    x = x[np.isfinite(x)]
    fig = go.Figure(go.Histogram(x=x, nbinsx=60, marker_color=AI_COLOUR, name=what))
    for i, (name, value) in enumerate((marks or {}).items()):
        fig.add_vline(x=value, line=dict(color="#000000", dash="dash", width=1))
        fig.add_annotation(x=value, y=1, yref="paper", text=f"{name} {money(value, ccy)}", showarrow=False,
                           yshift=6 + 16 * (i % 2), font=dict(size=12))
    _style(fig, f"{what}: {x.size:,} draws ({ccy})")
    fig.update_xaxes(title_text=f"{what} ({ccy})")
    fig.update_yaxes(title_text="draws")
    fig.update_layout(showlegend=False)
    return Chart(fig, caption)


def cdf(series: Mapping[str, np.ndarray], ccy: str, what: str, caption: str, log: bool = True) -> Chart:
    """Empirical CDFs of money outputs (e.g. AI per usable image and artist per image) on one axis."""
    fig = go.Figure()
    colours = [AI_COLOUR, ARTIST_COLOUR] + OKABE_ITO[1:]
    for (name, values), colour in zip(series.items(), colours):
        x = np.sort(np.asarray(values, dtype=float)[np.isfinite(values)])
        if x.size > 2000:  # thin the line: the shape needs a few thousand points at most
            x = x[np.linspace(0, x.size - 1, 2000).astype(int)]
        fig.add_scatter(x=x, y=np.linspace(0, 1, x.size), mode="lines", name=name, line=dict(color=colour, width=2))
    _style(fig, f"{what}: cumulative ({ccy})")
    fig.update_xaxes(title_text=f"{ccy} per image{' (log scale)' if log else ''}", type="log" if log else "linear",
                     **({"dtick": 1, "tickformat": ","} if log else {}))
    fig.update_yaxes(title_text="share of draws at or below", range=[0, 1], tickformat=".0%")
    return Chart(fig, caption)


def tornado(rows: Sequence[Mapping[str, Any]], base: float, unit: str, what: str, caption: str) -> Chart:
    """One bar per input: the output at the input's low and high end, the others at their central values.

    `rows`: dicts with 'name', 'low' and 'high' (output values); the widest swing is drawn on top.
    """
    rows = sorted(rows, key=lambda r: abs(r["high"] - r["low"]))
    fig = go.Figure()
    names = [r["name"] for r in rows]
    fig.add_bar(y=names, x=[r["low"] - base for r in rows], base=base, orientation="h", name="input at its low end",
                marker_color=AI_COLOUR)
    fig.add_bar(y=names, x=[r["high"] - base for r in rows], base=base, orientation="h", name="input at its high end",
                marker_color="#E69F00")
    fig.add_vline(x=base, line=dict(color="#000000", width=1))
    fig.update_layout(barmode="overlay")
    _style(fig, f"What moves {what} most ({unit})", height=max(320, 40 + 28 * len(rows)))
    fig.update_xaxes(title_text=f"{what} ({unit})")
    return Chart(fig, caption)


def heatmap(xs: Sequence[float], ys: Sequence[float], z: np.ndarray, x_title: str, y_title: str, title: str,
            caption: str, z_title: str = "artist / AI") -> Chart:
    """Ratio over a grid of two inputs, with the break-even contour (ratio = 1) drawn in black.

    `z` has shape (len(ys), len(xs)); colours on a log scale of the ratio (cividis: colour-blind safe).
    """
    z = np.asarray(z, dtype=float)
    fig = go.Figure(
        go.Heatmap(x=list(xs), y=list(ys), z=np.log10(z), colorscale="Cividis",
                   customdata=z, hovertemplate=f"{x_title}=%{{x}}<br>{y_title}=%{{y}}<br>{z_title}=%{{customdata:,.3g}}<extra></extra>",
                   colorbar=dict(title=dict(text=f"log10({z_title})")))
    )
    fig.add_contour(x=list(xs), y=list(ys), z=np.log10(z), contours=dict(start=0, end=0, size=1, coloring="none",
                    showlabels=True), line=dict(color="#000000", width=2), showscale=False, name="break-even",
                    hoverinfo="skip")
    _style(fig, title, height=460)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return Chart(fig, caption)


# --------------------------------------------------------------------------- market and benchmark


def lines(df, x: str, ys: Sequence[str], title: str, y_title: str, caption: str, x_title: str | None = None) -> Chart:
    """Line chart of DataFrame columns `ys` against column `x` (market trajectories, power traces)."""
    fig = go.Figure()
    for y, colour in zip(ys, OKABE_ITO):
        fig.add_scatter(x=df[x], y=df[y], mode="lines", name=y.replace("_", " "), line=dict(color=colour, width=2))
    _style(fig, title)
    fig.update_xaxes(title_text=x_title or x.replace("_", " "))
    fig.update_yaxes(title_text=y_title)
    return Chart(fig, caption)


def bench_history(records: Sequence[Mapping[str, Any]], y: str, y_title: str, title: str, caption: str,
                  highlight: str | None = None) -> Chart:
    """Benchmark records as points: one colour per device, x = preset; `highlight` circles one record id."""
    fig = go.Figure()
    devices = sorted({str(r.get("device", "?")) for r in records})
    for device, colour in zip(devices, OKABE_ITO):
        rs = [r for r in records if str(r.get("device", "?")) == device and r.get(y) is not None]
        fig.add_scatter(x=[r.get("preset", "?") for r in rs], y=[r[y] for r in rs], mode="markers", name=device,
                        marker=dict(color=colour, size=11, symbol="circle"),
                        text=[str(r.get("id", "")) for r in rs], hovertemplate="%{x}: %{y:.4g}<br>%{text}<extra></extra>")
    if highlight:
        rs = [r for r in records if str(r.get("id")) == highlight and r.get(y) is not None]
        fig.add_scatter(x=[r.get("preset", "?") for r in rs], y=[r[y] for r in rs], mode="markers", name="this run",
                        marker=dict(color="rgba(0,0,0,0)", size=20, line=dict(color="#000000", width=2)))
    _style(fig, title)
    fig.update_yaxes(title_text=y_title)
    fig.update_xaxes(title_text="preset")
    return Chart(fig, caption)
