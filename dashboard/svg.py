"""The key chart as plain SVG: AI against the artist per image, medians with their 90% intervals.

No plotly (and no JavaScript): the Overview draws it the moment its headline arrives, the presenter
view and the report print it as it is.  A linear axis, so a 80x gap looks like one; the ratio is in the
title.  `key_chart(r)` takes a `comparison` result (its `headline`: the Monte Carlo median and 5th-95th
percentiles, money in the result's currency).
"""

from __future__ import annotations

import html
import math
from typing import Any, Mapping, Sequence

from artcost.units import figure, money, money_approx, ratio_phrase

AI_COLOUR, ARTIST_COLOUR = "#0072B2", "#D55E00"  # as charts.py (Okabe-Ito)
FONT = "Source Sans Pro, Helvetica, Arial, sans-serif"


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


# A phone's chart: drawn 420 units wide so that at 420 px its 13-unit text is 13 px (the 760-wide chart printed
# it about 7 px high there). The dashboard shows this one below 640 px (ui.svg_chart), the wide one above.
NARROW_WIDTH = 420
CHAR_W = 0.53  # average glyph width of the sans-serif font, in ems: how many characters a line holds


def _lines(text: str, width: float, font_size: float) -> list[str]:
    """`text` wrapped at words to lines that fit `width` units at `font_size` (an SVG <text> never wraps itself,
    so a long title ran out of the chart, and a centred axis title lost its first letter: 'ɔNY per ...')."""
    import textwrap

    return textwrap.wrap(text, max(12, int(width / (font_size * CHAR_W)))) or [""]


def _text_lines(x: float, y: float, lines: Sequence[str], size: float, extra: str = "", step: float | None = None) -> str:
    step = step or size * 1.25
    return "".join(f'<text x="{x:.1f}" y="{y + i * step:.1f}" font-size="{size:g}" {extra}>{_e(line)}</text>'
                   for i, line in enumerate(lines))


def nice_ticks(top: float, n: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (about `n` of them): 0, 1,000, 2,000, ..."""
    if not (top > 0 and math.isfinite(top)):
        return [0.0, 1.0]
    raw = top / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    count = math.ceil(top / step - 1e-9)
    return [i * step for i in range(count + 1)]


def hbars(rows: Sequence[Mapping[str, Any]], title: str, axis_title: str, tick_text, width: int = 760,
          label_width: int = 210, value_width: int = 190, narrow: bool = False) -> str:
    """Horizontal bars on a linear axis from zero, each with an optional p5-p95 whisker and a value label.

    rows: {'label', 'sub' (smaller second line, optional), 'value', 'low', 'high' (optional), 'colour', 'text'}.
    Returns one <svg> element, width 100% of its container (viewBox keeps the proportions). `narrow`: the phone's
    layout (names above the bars, values under them, NARROW_WIDTH wide)."""
    if narrow:
        named = [{**r, "label": r["label"] + (f" · {r['sub']}" if r.get("sub") else "")} for r in rows]
        return named_bars(named, title, axis_title, tick_text, chart_id="key", narrow=True)
    bar_h, gap, axis_h = 34, 26, 46
    title_lines = _lines(title, width, 17)
    top_pad = 46 + 21 * (len(title_lines) - 1)
    plot_w = width - label_width - value_width
    height = top_pad + len(rows) * (bar_h + gap) + axis_h
    top = max(max(r.get("high") or r["value"], r["value"]) for r in rows)
    ticks = nice_ticks(top)
    scale = plot_w / ticks[-1]
    x0 = label_width
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" data-artcost-chart="key" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{_e(title)}" style="max-width:{width}px;font-family:{FONT}">',
        _text_lines(0, 20, title_lines, 17, 'font-weight="600" fill="#222"'),
    ]
    y_axis = top_pad + len(rows) * (bar_h + gap) - gap / 2
    for t in ticks:
        x = x0 + t * scale
        out.append(f'<line x1="{x:.1f}" y1="{top_pad - 8}" x2="{x:.1f}" y2="{y_axis:.1f}" stroke="#e6e6e6"/>')
        out.append(f'<text x="{x:.1f}" y="{y_axis + 18:.1f}" font-size="13" fill="#555" '
                   f'text-anchor="middle">{_e(tick_text(t))}</text>')
    out.append(f'<line x1="{x0}" y1="{y_axis:.1f}" x2="{x0 + plot_w}" y2="{y_axis:.1f}" stroke="#999"/>')
    out.append(f'<text x="{x0 + plot_w / 2:.1f}" y="{y_axis + 40:.1f}" font-size="13" fill="#555" '
               f'text-anchor="middle">{_e(axis_title)}</text>')
    for i, r in enumerate(rows):
        y = top_pad + i * (bar_h + gap)
        mid = y + bar_h / 2
        w = max(r["value"] * scale, 1.5)  # a bar too small to see still shows where it is
        out.append(f'<text x="{x0 - 10}" y="{mid - (4 if r.get("sub") else -5):.1f}" font-size="15" fill="#222" '
                   f'text-anchor="end">{_e(r["label"])}</text>')
        if r.get("sub"):
            out.append(f'<text x="{x0 - 10}" y="{mid + 14:.1f}" font-size="12" fill="#666" '
                       f'text-anchor="end">{_e(r["sub"])}</text>')
        out.append(f'<rect x="{x0}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{r["colour"]}"/>')
        end = x0 + w
        if r.get("low") is not None and r.get("high") is not None and r["high"] > r["low"]:
            lo, hi = x0 + r["low"] * scale, x0 + r["high"] * scale
            out.append(f'<line x1="{lo:.1f}" y1="{mid:.1f}" x2="{hi:.1f}" y2="{mid:.1f}" stroke="#222" stroke-width="1.5"/>')
            for x in (lo, hi):
                out.append(f'<line x1="{x:.1f}" y1="{mid - 8:.1f}" x2="{x:.1f}" y2="{mid + 8:.1f}" stroke="#222" '
                           'stroke-width="1.5"/>')
            end = max(end, hi)
        out.append(f'<text x="{end + 8:.1f}" y="{mid + 5:.1f}" font-size="15" fill="#222">{_e(r["text"])}</text>')
    out.append("</svg>")
    return "".join(out)


def key_title(r: Mapping[str, Any]) -> str:
    """The key chart's title: the headline's ratio in words ('typically 80x cheaper with AI (90%: 45–147x)')."""
    from artcost.model.headline import Headline, ratio_words

    h = Headline.from_dict(r["headline"])
    if h.is_point:
        return f"Per image: {ratio_phrase(h.point_ratio)} (a point figure: no uncertain inputs)"
    words = ratio_words(h.ratio)
    return "Per image: " + words


def key_chart(r: Mapping[str, Any], narrow: bool = False) -> str:
    """AI per usable image against the artist per image: the headline's medians as bars, their 90%
    intervals as whiskers, on a linear axis (an SVG element); `narrow`: the phone's layout."""
    from artcost.model.headline import Headline

    h = Headline.from_dict(r["headline"])
    ccy = r["currency"]
    s = r["scenario"]

    def row(label: str, sub: str, spread, point: float, colour: str) -> dict:
        if h.is_point or spread.p5 == spread.p95:
            return {"label": label, "sub": sub, "value": point if h.is_point else spread.median, "colour": colour,
                    "text": money(point if h.is_point else spread.median, ccy)}
        return {"label": label, "sub": sub, "value": spread.median, "low": spread.p5, "high": spread.p95,
                "colour": colour,
                "text": f"{money_approx(spread.median, ccy)} (90%: {money_approx(spread.p5, '')}–{money_approx(spread.p95, '')})"}

    rows = [row("AI", s.get("device") or "", h.ai, h.point_ai, AI_COLOUR),
            row("Artist", s.get("artist_tier") or "", h.artist, h.point_artist, ARTIST_COLOUR)]
    axis = f"{ccy} per image" + ("" if h.is_point else ": median, whisker = 90% interval")
    return hbars(rows, key_title(r), axis, lambda t: f"{t:,.0f}" if t >= 1 or t == 0 else figure(t), narrow=narrow)


def key_caption(r: Mapping[str, Any]) -> str:
    """Where the key chart's numbers come from."""
    from artcost.model.headline import Headline

    h = Headline.from_dict(r["headline"])
    if h.is_point:
        return "Every input of the scenario is a single number: the figures are the model's point values."
    return (f"Bars: medians of {h.draws:,} Monte Carlo draws of the cost model (seed {h.seed}); whiskers: 5th to "
            f"95th percentile. AI: cost of one usable image; artist: price per image. Linear scale: the gap you "
            f"see is the gap there is.")


# --------------------------------------------------------------------------- every route to the image

ROUTE_COLOURS = {"scenario": "#000000", "measured": "#E69F00", "own": "#0072B2", "rent": "#56B4E9", "api": "#009E73",
                 "subscription": "#CC79A7", "artist": ARTIST_COLOUR}
ROUTE_KIND_WORDS = {"scenario": "the scenario as written", "measured": "this machine, measured", "own": "buy a GPU",
                    "rent": "rent a GPU", "api": "a hosted API", "subscription": "a subscription",
                    "artist": "commission the artist"}


def named_bars(rows: Sequence[Mapping[str, Any]], title: str, axis_title: str, tick_text, width: int = 760,
               value_width: int = 300, chart_id: str = "routes", top: float | None = None, compact: bool = False,
               narrow: bool = False) -> str:
    """Horizontal bars on a linear axis from zero, each bar's name written above it (a name of any length is
    never cut), with an optional p5-p95 whisker and a value label after the bar.

    rows: {'label', 'value', 'low', 'high' (optional), 'colour', 'text'}; one <svg>, width 100% of its container,
    marked data-artcost-chart=`chart_id`; `top`: the axis runs to at least this (default: the longest whisker);
    `compact`: thinner rows (the presenter's one page holds two panels); `narrow`: a phone's chart, NARROW_WIDTH
    wide, each value written under its bar (after it there is no room)."""
    name_h, bar_h, gap, top_pad, axis_h = (15, 10, 5, 34, 42) if compact else (17, 15, 9, 40, 46)
    if narrow:
        width, value_width, compact = NARROW_WIDTH, 28, False  # room for the last tick label
        name_h, bar_h, gap, top_pad = 17, 14, 22, 40
    title_lines = _lines(title, width, 17)
    axis_lines = _lines(axis_title, width - 10, 13)
    top_pad += 21 * (len(title_lines) - 1)
    axis_h += 16 * (len(axis_lines) - 1)
    row_h = name_h + bar_h + gap
    pad = 10  # room for the "0" under the axis's start
    plot_w = width - value_width - pad
    height = top_pad + len(rows) * row_h + axis_h
    top = max([max(r.get("high") or r["value"], r["value"]) for r in rows] + [top or 1e-12])
    ticks = nice_ticks(top)
    scale = plot_w / ticks[-1]
    y_axis = top_pad + len(rows) * row_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" data-artcost-chart="{_e(chart_id)}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{_e(title)}" style="max-width:{width}px;font-family:{FONT}">',
        _text_lines(0, 20, title_lines, 17, 'font-weight="600" fill="#222"'),
        f'<g transform="translate({pad},0)">',
    ]
    for t in ticks:
        x = t * scale
        out.append(f'<line x1="{x:.1f}" y1="{top_pad - 6}" x2="{x:.1f}" y2="{y_axis:.1f}" stroke="#e6e6e6"/>')
        out.append(f'<text x="{x:.1f}" y="{y_axis + 18:.1f}" font-size="13" fill="#555" text-anchor="middle">'
                   f"{_e(tick_text(t))}</text>")
    out.append(f'<line x1="0" y1="{y_axis:.1f}" x2="{plot_w}" y2="{y_axis:.1f}" stroke="#999"/>')
    # from the axis's start, wrapped: centred, a title longer than the plot lost its first letter ('ɔNY per ...')
    out.append(_text_lines(0, y_axis + 38, axis_lines, 13, 'fill="#555"', step=16))
    for i, r in enumerate(rows):
        y = top_pad + i * row_h
        out.append(f'<text x="2" y="{y + name_h - 4}" font-size="13" fill="#222">{_e(r["label"])}</text>')
        yb = y + name_h
        mid = yb + bar_h / 2
        w = max(r["value"] * scale, 1.5)  # a bar too small to see still shows where it is
        out.append(f'<rect x="0" y="{yb}" width="{w:.1f}" height="{bar_h}" fill="{r["colour"]}"/>')
        end = w
        if r.get("low") is not None and r.get("high") is not None and r["high"] > r["low"]:
            lo, hi = r["low"] * scale, r["high"] * scale
            out.append(f'<line x1="{lo:.1f}" y1="{mid:.1f}" x2="{hi:.1f}" y2="{mid:.1f}" stroke="#222" stroke-width="1.2"/>')
            for x in (lo, hi):
                out.append(f'<line x1="{x:.1f}" y1="{mid - 5:.1f}" x2="{x:.1f}" y2="{mid + 5:.1f}" stroke="#222" '
                           'stroke-width="1.2"/>')
            end = max(end, hi)
        if narrow:
            out.append(f'<text x="2" y="{yb + bar_h + 15:.1f}" font-size="13" fill="#222">{_e(r["text"])}</text>')
        else:
            out.append(f'<text x="{end + 6:.1f}" y="{mid + 4.5:.1f}" font-size="13" fill="#222">{_e(r["text"])}</text>')
    out.append("</g></svg>")
    return "".join(out)


def cheapest_of_each_kind(routes: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The routes (ranked, cheapest first) cut to the cheapest of each kind: buy, rent, API, subscription, the
    scenario's own way and the artist (a chart for one page)."""
    seen: set[str] = set()
    out = []
    for r in routes:
        if r["kind"] not in seen:
            seen.add(r["kind"])
            out.append(r)
    return out


def routes_chart(d: Mapping[str, Any], cheapest_per_kind: bool = False, narrow: bool = False) -> str:
    """Every priced route to the scenario's image (`model.routes.RoutesResult.to_dict(currency)`), cheapest first:
    the median cost per usable image (the artist's price per image) as a bar, its 90% interval as a whisker.
    `cheapest_per_kind`: only the cheapest of each kind (the presenter's one page)."""
    ccy = d["currency"]
    rows = []
    shown, artist = _shown_routes(d, cheapest_per_kind)
    for r in shown:
        c = r["cost_per_usable_image"]
        spread = c["p5"] is not None and c["p95"] is not None and c["p5"] < c["p95"]
        text = money_approx(c["median"], ccy) + (f" (90%: {money_approx(c['p5'], '')}–{money_approx(c['p95'], '')})"
                                                 if spread else "")
        if r["kind"] != "artist":
            text += artist_ratio_text(artist, c["median"])
        rows.append({"label": f"{r.get('rank_label') or r['rank']}. {r['name']}", "value": c["median"], "low": c["p5"] if spread else None,
                     "high": c["p95"] if spread else None, "colour": ROUTE_COLOURS.get(r["kind"], "#999999"),
                     "text": text, "kind": r["kind"]})
    if not rows:
        return ""
    title = ("The cheapest way of each kind: cost per usable image" if cheapest_per_kind else
             "Every way to get the image: cost per usable image")
    ticks = lambda t: f"{t:,.0f}" if t >= 1 or t == 0 else figure(t)  # noqa: E731
    axis = f"{ccy} per usable image (the artist: per image): median, whisker = 90% interval"
    out = named_bars(rows, title, axis, ticks, compact=cheapest_per_kind, narrow=narrow)
    machines = [x for x in rows if x["kind"] != "artist"]
    edge = zoom_edge(machines, artist)
    if edge is not None:
        # on the full scale the machines' bars are slivers beside the artist's: the same bars again, on a linear
        # axis of their own (a log axis would hide the gap the first panel shows)
        out += named_bars(machines, f"The same without the artist, zoomed in: 0 to {ticks(edge)} {ccy}",
                          axis.replace(" (the artist: per image)", "") + f"; the artist, at {money_approx(artist, ccy)}, "
                          "is off this scale", ticks, chart_id="routes-zoom", top=edge, compact=cheapest_per_kind,
                          narrow=narrow)
    return out


def _shown_routes(d: Mapping[str, Any], cheapest_per_kind: bool) -> tuple[list[Mapping[str, Any]], float | None]:
    """The priced routes the chart draws, cheapest first, and the artist's median price among them (or None)."""
    priced = [r for r in d["routes"] if r.get("cost_per_usable_image") and r["cost_per_usable_image"].get("median")
              is not None]
    shown = cheapest_of_each_kind(priced) if cheapest_per_kind else priced
    artist = next((r["cost_per_usable_image"]["median"] for r in shown if r["kind"] == "artist"), None)
    return shown, artist


def artist_ratio_text(artist: float | None, value: float) -> str:
    """What one way's cost is against the artist's price, written after its bar in the headline's words:
    ' · 81x cheaper than the artist', ' · 2x the artist's price' (one way to write a ratio everywhere)."""
    if not artist or not value or value <= 0:
        return ""
    ratio = artist / value

    def n(x: float) -> str:
        return figure(x).removesuffix(".0")

    return f" · {n(ratio)}x cheaper than the artist" if ratio >= 1 else f" · {n(1 / ratio)}x the artist's price"


ZOOM_WHEN = 5.0  # a second panel when the artist's bar is this many times the longest of the machines' whiskers


def zoom_edge(machines: Sequence[Mapping[str, Any]], artist: float | None) -> float | None:
    """Where the zoomed panel's axis ends (the machines' longest whisker, rounded up to a tick), or None when the
    machines' bars read well enough on the full scale (no artist, or the artist under ZOOM_WHEN times them)."""
    if not machines or not artist:
        return None
    top = max(max(r.get("high") or r["value"], r["value"]) for r in machines)
    if not top > 0 or artist < ZOOM_WHEN * top:
        return None
    return nice_ticks(top)[-1]


def routes_caption(d: Mapping[str, Any], cheapest_per_kind: bool = False, report: str | None = None) -> str:
    """Where the routes chart's numbers come from, and what its colours mean; `report` names the full report (by
    its title) that has every way, for the presenter's cut to the cheapest of each kind."""
    n = sum(1 for r in d["routes"] if r.get("cost_per_usable_image"))
    full = f"the full report, \u201c{report}\u201d, has them all" if report else "the full report has them all"
    shown = (f"The cheapest of each kind of the {n} ways priced (rank among them before the name); {full}. "
             if cheapest_per_kind else "")
    kinds = list(dict.fromkeys(r["kind"] for r in d["routes"] if r.get("cost_per_usable_image")))
    colours = "; ".join(f"{ROUTE_KIND_WORDS.get(k, k)}: {name}" for k, name in
                        ((k, {"#000000": "black", "#E69F00": "orange", "#0072B2": "dark blue", "#56B4E9": "light blue",
                              "#009E73": "green", "#CC79A7": "pink", ARTIST_COLOUR: "red"}.get(ROUTE_COLOURS.get(k), "grey"))
                         for k in kinds))
    routes, artist = _shown_routes(d, cheapest_per_kind)
    machines = [{"value": r["cost_per_usable_image"]["median"], "high": r["cost_per_usable_image"]["p95"]}
                for r in routes if r["kind"] != "artist"]
    scales = ("Linear scales; the second panel draws the ways without the artist on a scale of their own."
              if zoom_edge(machines, artist) is not None else "Linear scale.")
    return (shown + "Each route is the scenario's job (its finals, candidates, acceptance rate and people's time) with only the "
            "way of making the images changed, run through the same cost model and Monte Carlo: bars are medians, "
            f"whiskers 5th to 95th percentile; after each bar, how many times its cost the artist's price is. "
            f"{scales} Colours: {colours}.")
