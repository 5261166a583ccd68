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

from artcost.dashboard.sources import SOURCES_TITLE
from artcost.model import costs
from artcost.units import duration, duration_range, figure, money, money_approx, ratio_phrase  # noqa: F401  (re-exported for the pages)

# How every chart is shown, in the dashboard and in the HTML report: no Plotly logo, resizing with the page.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"]
AI_COLOUR, ARTIST_COLOUR = "#0072B2", "#D55E00"
# nine colours for the nine items a scenario had before hosted APIs; an API's charge (never beside a GPU's) gets Tol's wine
ITEM_COLOURS = dict(zip([k for k in costs.ITEMS if k != "api"], OKABE_ITO)) | {"api": "#882255"}
FONT = dict(family="Source Sans Pro, Helvetica, Arial, sans-serif", size=14, color="#222222")
ITEM_LABELS = costs.ITEM_WORDS  # one list of the items in words, shared with the CLI's table


@dataclass
class Chart:
    """A figure and the caption that says where its numbers come from."""

    fig: go.Figure
    caption: str

    @property
    def title(self) -> str:
        """The title as one line of words (the figure's own is wrapped with '<br>' to fit a phone)."""
        import re

        text = (self.fig.layout.title.text or "").replace("<br>", " ")
        return re.sub(r"</?sup>", "", text)


# A chart's title wraps at this many characters: plotly never wraps a title, and one longer than its chart is cut
# at the edge ('Utilisation: share of the measured GEMM...' in a third of the page; every long title at 420 px).
TITLE_CHARS = 40


def wrap_title(title: str, width: int = TITLE_CHARS) -> tuple[str, int]:
    """`title` with '<br>' between lines of at most `width` characters (a '<sup>' subtitle wrapped on its own, a bit
    wider as its font is smaller), and the number of lines."""
    import textwrap

    head, sep, sub = title.partition("<br><sup>")
    lines = textwrap.wrap(head, width) or [""]
    if sep:
        inner = sub.removesuffix("</sup>")
        lines += [f"<sup>{x}</sup>" for x in textwrap.wrap(inner, int(width * 1.4))]
    return "<br>".join(lines), len(lines)


def title_layout(title: str, height: int) -> dict[str, Any]:
    """The title and top margin of every chart: wrapped, with room above the plot for each of its lines."""
    text, n = wrap_title(title)
    return dict(title=dict(text=text, x=0, xanchor="left", font=dict(size=17)), height=height + 22 * (n - 1),
                margin=dict(l=10, r=20, t=60 + 22 * (n - 1), b=10))


def _style(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        template="plotly_white",
        font=FONT,
        colorway=OKABE_ITO,
        legend=dict(orientation="h", yanchor="top", y=-0.18, x=0),
        **title_layout(title, height),
    )
    return fig


def _scenario_caption(r: Mapping[str, Any]) -> str:
    s = r["scenario"]
    text = (f"Source: scenario {s['file']} (as of {s['as_of']}); every input, with its source, is listed under "
            f"\"{SOURCES_TITLE}\".")
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
    _style(fig, f"AI: cost of one usable image, item by item ({ccy}; central values, a point)")
    fig.update_yaxes(title_text=f"{ccy} per usable image", rangemode="tozero")
    fig.update_xaxes(title_text="cost item")
    fig.update_layout(showlegend=False)
    caption = (
        f"{_scenario_caption(r)} Job total divided by {n:g} usable image(s). Central values: every uncertain input at "
        "its mode, midpoint or median (the headline is the median of the draws). The generation speed's source is "
        f"under '{SOURCES_TITLE}' (GPU time per image)."
    )
    return Chart(fig, caption)


def _spread_bar(label: str, sp: Mapping[str, Any] | None, point: float, colour: str, fmt) -> dict[str, Any]:
    """One bar: the Monte Carlo median with its 5th-95th percentile whisker, or the point when there is no spread."""
    if sp is None or sp.get("p5") is None or sp["p5"] == sp["p95"]:
        return {"label": label, "value": point, "low": 0.0, "high": 0.0, "colour": colour, "text": fmt(point)}
    return {"label": label, "value": sp["median"], "low": sp["median"] - sp["p5"], "high": sp["p95"] - sp["median"],
            "colour": colour, "text": f"{fmt(sp['median'])} (90%: {fmt(sp['p5'], False)}–{fmt(sp['p95'], False)})"}


def _add_hbars(fig: go.Figure, bars: Sequence[Mapping[str, Any]]) -> None:
    """Horizontal bars with their whiskers; each value label written after the bar or its whisker, whichever
    ends later (a label inside the whisker would be crossed out by it)."""
    fig.add_bar(
        y=[b["label"] for b in bars], x=[b["value"] for b in bars], orientation="h",
        marker_color=[b["colour"] for b in bars], hovertext=[b["text"] for b in bars], hoverinfo="text",
        error_x=dict(type="data", symmetric=False, array=[b["high"] for b in bars],
                     arrayminus=[b["low"] for b in bars], color="#222222", thickness=1.5, width=6,
                     visible=any(b["high"] or b["low"] for b in bars)),
    )
    for b in bars:
        fig.add_annotation(x=b["value"] + b["high"], y=b["label"], text=b["text"], showarrow=False, xanchor="left",
                           xshift=6, font=dict(size=14))


def _linear_room(bars: Sequence[Mapping[str, Any]], chars_per_axis: float = 40.0) -> list[float]:
    """A linear axis from zero with room for the value label printed after each bar (no clipped '2,500 CN'):
    the axis is taken to hold about `chars_per_axis` characters of label (a half-width column's chart), so a
    label of n characters after a bar ending at x fits when x / top + n / chars_per_axis <= 1."""
    need = [(b["value"] + b["high"]) / max(0.2, 1 - 1.1 * len(b["text"]) / chars_per_axis) for b in bars]
    return [0, max(need + [1e-9])]


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


def delivery(r: Mapping[str, Any], spreads: Mapping[str, Mapping[str, float]] | None = None) -> Chart:
    """Time to deliver the job: AI (tuning + generation + screening + own retouching or a retoucher's turnaround) vs the artist's lead time,
    on a linear axis in days (hours when both take under two days).

    spreads: {'ai': {'median', 'p5', 'p95'}, 'artist': {...}} in hours (the Monte Carlo's delivery times), drawn as
    the bars' medians and 90% whiskers; without them the central values."""
    d = r["delivery"]
    days = max(d["ai_hours"], d["artist_hours"]) >= 48
    k = 1 / 24 if days else 1.0
    unit = "days" if days else "hours"

    def fmt(x: float, with_unit: bool = True) -> str:
        return duration(x / k)  # the words every surface uses for a delivery time, from the axis' unit to hours

    def scaled(sp):
        return None if sp is None else {key: sp[key] * k for key in ("median", "p5", "p95")}

    spreads = spreads or {}
    bars = [_spread_bar("AI", scaled(spreads.get("ai")), d["ai_hours"] * k, AI_COLOUR, fmt),
            _spread_bar("artist", scaled(spreads.get("artist")), d["artist_hours"] * k, ARTIST_COLOUR, fmt)]
    for bar, side in zip(bars, ("ai", "artist")):
        sp = spreads.get(side)
        if sp and sp.get("p5") is not None and sp["p5"] != sp["p95"]:  # '24.8 h (90%: 24.5–25.4 h)', as the CLI says
            bar["text"] = f"{duration(sp['median'])} (90%: {duration_range(sp['p5'], sp['p95'])})"
    mid = (spreads["ai"]["median"], spreads["artist"]["median"]) if spreads.get("ai") and spreads.get("artist") \
        else (d["ai_hours"], d["artist_hours"])
    fig = go.Figure()
    _add_hbars(fig, bars)
    _style(fig, f"Delivery: {delivery_phrase(*mid)}", height=260)
    fig.update_xaxes(title_text=unit + (" (median; whisker: 90% interval)" if spreads else ""),
                     range=_linear_room(bars), rangemode="tozero")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_layout(showlegend=False)
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
    """AI per usable image and artist per image for each scenario on a linear axis: each headline's medians with
    their 90% whiskers, and the typical ratio written over the artist's bar."""
    ccy = results[0]["currency"]
    fig = go.Figure()

    def pick(r: Mapping[str, Any], side: str, point: float) -> tuple[float, float, float]:
        h = r.get("headline")
        if not h or not h["draws"] or h[side]["p5"] is None:
            return point, 0.0, 0.0
        sp = h[side]
        return sp["median"], sp["median"] - sp["p5"], sp["p95"] - sp["median"]

    ai = [pick(r, "ai", r["breakdown"]["per_usable_image"]) for r in results]
    art = [pick(r, "artist", r["artist"]["per_image"]) for r in results]
    ratio = [(r["headline"]["ratio"]["median"] if r.get("headline") and r["headline"]["draws"] else r["ratio"])
             for r in results]
    for label, vals, colour, texts in (
        ("AI per usable image", ai, AI_COLOUR, [money_approx(v[0], ccy) for v in ai]),
        ("artist per image", art, ARTIST_COLOUR,
         [f"{money_approx(v[0], ccy)}<br>{figure(q)}x AI" if q >= 1 else f"{money_approx(v[0], ccy)}<br>AI {figure(1 / q)}x"
          for v, q in zip(art, ratio)]),
    ):
        fig.add_bar(x=list(names), y=[v[0] for v in vals], name=label, marker_color=colour, text=texts,
                    error_y=dict(type="data", symmetric=False, array=[v[2] for v in vals],
                                 arrayminus=[v[1] for v in vals], color="#222222", thickness=1.5, width=5))
    fig.update_traces(textposition="outside", cliponaxis=False)
    fig.update_layout(barmode="group")
    _style(fig, f"AI vs artist per image ({ccy})", height=420)
    top = max(v[0] + v[2] for v in ai + art)
    fig.update_yaxes(title_text=f"{ccy} per image (median; whisker: 90% interval)", tickformat=",",
                     range=[0, top * 1.3])
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
        # each label stands above the plot, beside its line (the first to its left, the others to its right), so
        # the dashed line never runs through the words
        fig.add_annotation(x=value, y=1, yref="paper", text=f"{name} {money_approx(value, ccy)}", showarrow=False,
                           yanchor="bottom", yshift=2 + 16 * (i % 2), xanchor="right" if i == 0 else "left",
                           xshift=-3 if i == 0 else 3, font=dict(size=12))
    _style(fig, f"{what}: {x.size:,} draws ({ccy})")
    if marks:  # two rows of mark labels stand between the title and the plot
        fig.update_layout(margin=dict(t=fig.layout.margin.t + 32))
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


def tornado(rows: Sequence[Mapping[str, Any]], base: float, unit: str, what: str, caption: str,
            low_name: str = "input at its 10th percentile", high_name: str = "input at its 90th percentile") -> Chart:
    """One bar per input: the output at the input's low and high end, the others at their central values.

    `rows`: dicts with 'name' (in words, with the input's range), 'low' and 'high' (output values); the widest
    swing is drawn on top."""
    import textwrap

    rows = sorted(rows, key=lambda r: abs(r["high"] - r["low"]))
    fig = go.Figure()
    # each input's name and range wrapped: on one line they took most of a phone's width from the bars
    names = ["<br>".join(textwrap.wrap(r["name"], 30)) for r in rows]
    hover = "%{y}<br>" + what + ": %{customdata}<extra></extra>"
    fmt = (lambda v: money(v, unit)) if unit[:3].isalpha() and unit[:3].isupper() else (lambda v: f"{v:,.3g}{unit}")
    fig.add_bar(y=names, x=[r["low"] - base for r in rows], base=base, orientation="h", name=low_name,
                marker_color=AI_COLOUR, customdata=[fmt(r["low"]) for r in rows], hovertemplate=hover)
    fig.add_bar(y=names, x=[r["high"] - base for r in rows], base=base, orientation="h", name=high_name,
                marker_color="#E69F00", customdata=[fmt(r["high"]) for r in rows], hovertemplate=hover)
    fig.add_vline(x=base, line=dict(color="#000000", width=1))
    # under the axis, not over the top bar (above the plot it was written across the widest swing)
    fig.add_annotation(x=base, y=0, yref="paper", yshift=-4, yanchor="top", showarrow=False, font=dict(size=12),
                       text=f"all inputs central: {fmt(base)}", bgcolor="rgba(255,255,255,0.9)")
    fig.update_layout(barmode="overlay")
    _style(fig, f"What moves {what} most", height=max(320, 60 + 38 * len(rows)))
    fig.update_xaxes(ticklabelstandoff=22)  # room for that label between the bars and the tick labels
    fig.update_xaxes(title_text=f"{what} ({unit})" if unit != "x" else f"{what} (times)")
    fig.update_yaxes(automargin=True)
    return Chart(fig, caption)


def _ratio_ticks(z: np.ndarray) -> tuple[list[float], list[str]]:
    """Colour-bar ticks for a ratio drawn on a log colour scale: '50x', '100x', '1x (even)', '1/2x' ..."""
    finite = z[np.isfinite(z) & (z > 0)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.5, 2.0)
    cands = [m * 10.0 ** e for e in range(-4, 6) for m in (1, 2, 5)]
    inside = [c for c in cands if lo <= c <= hi]
    if len(inside) < 3:  # a narrow range: finer steps
        cands = sorted({round(v, 12) for e in range(-4, 6) for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8)
                        for v in [m * 10.0 ** e]})
        inside = [c for c in cands if lo <= c <= hi]
    if len(inside) > 7:
        inside = inside[:: int(np.ceil(len(inside) / 6))]

    def label(c: float) -> str:
        if c >= 1:
            return f"{figure(c)}x" + (" (even)" if c == 1 else "")
        return f"AI {figure(1 / c)}x dearer"

    return [float(np.log10(c)) for c in inside], [label(c) for c in inside]


def heatmap(xs: Sequence[float], ys: Sequence[float], z: np.ndarray, x_title: str, y_title: str, title: str,
            caption: str, z_title: str = "artist's price / AI's cost", x_percent: bool = False,
            y_percent: bool = False) -> Chart:
    """Ratio over a grid of two inputs, with the break-even contour (ratio = 1) drawn in black.

    `z` has shape (len(ys), len(xs)); colours on a log scale of the ratio (cividis: colour-blind safe), the colour
    bar labelled in ratios ('50x', '100x'); an axis whose input is a share is labelled in percent."""
    z = np.asarray(z, dtype=float)
    tickvals, ticktext = _ratio_ticks(z)
    xf = ".1%" if x_percent else ",.4~g"
    yf = ".1%" if y_percent else ",.4~g"
    fig = go.Figure(
        go.Heatmap(x=list(xs), y=list(ys), z=np.log10(z), colorscale="Cividis", customdata=z,
                   hovertemplate=(f"{x_title}: %{{x:{xf}}}<br>{y_title}: %{{y:{yf}}}<br>{z_title}: "
                                  "%{customdata:,.3g}x<extra></extra>"),
                   colorbar=dict(title=dict(text=z_title.replace(" / ", " /<br>"), side="top"), tickvals=tickvals,
                                 ticktext=ticktext))
    )
    fig.add_contour(x=list(xs), y=list(ys), z=np.log10(z), contours=dict(start=0, end=0, size=1, coloring="none",
                    showlabels=False), line=dict(color="#000000", width=2), showscale=False, name="break-even",
                    hoverinfo="skip")
    _style(fig, title, height=480)
    fig.update_xaxes(title_text=x_title, tickformat=".0%" if x_percent else ",")
    fig.update_yaxes(title_text=y_title, tickformat=".0%" if y_percent else ",")
    return Chart(fig, caption)


# --------------------------------------------------------------------------- market and benchmark


def lines(df, x: str, ys: Sequence[str], title: str, y_title: str, caption: str, x_title: str | None = None,
          names: Mapping[str, str] | None = None, percent: bool = False) -> Chart:
    """Line chart of DataFrame columns `ys` against column `x` (market trajectories, power traces); `names` are
    the legend's words for each column, `percent` labels a 0..1 axis in percent."""
    fig = go.Figure()
    names = names or {}
    for y, colour in zip(ys, OKABE_ITO):
        fig.add_scatter(x=df[x], y=df[y], mode="lines", name=names.get(y, y.replace("_", " ")),
                        line=dict(color=colour, width=2))
    _style(fig, title)
    fig.update_xaxes(title_text=x_title or x.replace("_", " "))
    fig.update_yaxes(title_text=y_title, **({"tickformat": ".0%", "rangemode": "tozero"} if percent else {}))
    return Chart(fig, caption)


def band_lines(series: Sequence[Mapping[str, Any]], title: str, y_title: str, caption: str, x_title: str = "month",
               percent: bool = False, y_range: Sequence[float] | None = None, notes: Sequence[Mapping[str, Any]] = ()) -> Chart:
    """Lines with their p5-p95 band: each series {'name', 'x', 'y' (the central run), 'low', 'high' (optional)}.

    The band is a filled area in the line's colour; a legend entry says what it is. `notes` are annotations
    ({'x', 'y', 'text'}, optionally 'xref' ('paper': x from 0 to 1 across the plot), 'bgcolor') written on the
    chart (e.g. why a line is flat)."""
    fig = go.Figure()
    banded = False
    for s, colour in zip(series, OKABE_ITO):
        x = list(s["x"])
        if s.get("low") is not None and s.get("high") is not None:
            banded = True
            fill = _rgba(colour, 0.18)
            fig.add_scatter(x=x + x[::-1], y=list(s["high"]) + list(s["low"])[::-1], fill="toself", fillcolor=fill,
                            line=dict(width=0), hoverinfo="skip", showlegend=False, name=f"{s['name']}: 90% band")
        fig.add_scatter(x=x, y=list(s["y"]), mode="lines", name=s["name"], line=dict(color=colour, width=2.5,
                        dash=s.get("dash", "solid")))
    if banded:  # one legend entry that says what the shading is
        fig.add_scatter(x=[None], y=[None], mode="markers", marker=dict(size=12, color="rgba(0,0,0,0.15)", symbol="square"),
                        name="shaded: 90% of the Monte Carlo draws")
    for n in notes:
        fig.add_annotation(x=n["x"], y=n["y"], text=n["text"], showarrow=False, xanchor=n.get("xanchor", "left"),
                           yanchor=n.get("yanchor", "bottom"), font=dict(size=12, color="#444"), align="left",
                           xref=n.get("xref", "x"), bgcolor=n.get("bgcolor", "rgba(0,0,0,0)"))
    _style(fig, title)
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title, **({"tickformat": ".0%"} if percent else {"tickformat": ","}))
    if y_range is not None:
        fig.update_yaxes(range=list(y_range))
    return Chart(fig, caption)


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def bench_history(records: Sequence[Mapping[str, Any]], y: str, y_title: str, title: str, caption: str,
                  highlight: str | None = None, percent: bool = False) -> Chart:
    """Benchmark records as points: one colour per device, x = what ran and the preset ('sd15 256 px, 3 steps ·
    stock'), so runs of different settings never share a column; `highlight` circles one record id.

    The y axis starts at zero (one point no longer gets an axis from -0.5); a record without the figure is left out."""
    fig = go.Figure()
    have = [r for r in records if r.get(y) is not None]
    devices = sorted({str(r.get("device") or "unknown device") for r in have})
    fmt = ".1%" if percent else ".4g"
    for device, colour in zip(devices, OKABE_ITO):
        rs = [r for r in have if str(r.get("device") or "unknown device") == device]
        fig.add_scatter(x=[_bench_x(r) for r in rs], y=[r[y] for r in rs], mode="markers", name=device,
                        marker=dict(color=colour, size=11, symbol="circle"),
                        text=[f"record {r.get('id', '')}" for r in rs],
                        hovertemplate=f"%{{x}}: %{{y:{fmt}}}<br>%{{text}}<extra></extra>")
    if highlight:
        rs = [r for r in have if str(r.get("id")) == highlight]
        fig.add_scatter(x=[_bench_x(r) for r in rs], y=[r[y] for r in rs], mode="markers", name="this run",
                        marker=dict(color="rgba(0,0,0,0)", size=20, line=dict(color="#000000", width=2)))
    _style(fig, title)
    top = max([float(r[y]) for r in have] + [0.0])
    fig.update_yaxes(title_text=y_title, rangemode="tozero", range=[0, top * 1.2 if top > 0 else 1],
                     **({"tickformat": ".0%"} if percent else {}))
    fig.update_xaxes(title_text="what ran · preset", type="category")
    return Chart(fig, caption)


def _bench_x(r: Mapping[str, Any]) -> str:
    return f"{r.get('setting') or '?'} · {r.get('preset') or '?'}"
