"""The report's plotly figures drawn as static SVG (issue #29): no plotly.js in the report.

The report embedded plotly.js (4.6 MB) and every chart's data (a 20,000-draw histogram as raw samples): 5.4 MB
to open one page offline.  Its charts are not explored there, they are read and printed, so the report draws
each figure the dashboard builds (`charts`, `analysis`) as an SVG element: the same traces, titles, axes,
annotations and shapes, no script.  Only what our figures use is drawn: bar (horizontal or vertical, a base, an
error bar), waterfall, histogram (binned here), heatmap (with its colour bar), one contour level, scatter (lines,
markers, filled bands), dates on an axis, linear and log axes; anything else raises, so a new chart type cannot
silently vanish from the report (tests/dashboard/test_report_svg.py draws every report chart).

Every text is plotly's pseudo-HTML: tags are dropped (<br> makes a new line), entities decoded, then the text is
escaped for SVG, so a scenario's words (passed in as `escape.plotly_text`) stay words.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from typing import Any, Sequence

import numpy as np

FONT = "Source Sans Pro, Helvetica, Arial, sans-serif"
COLORWAY = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000", "#999999"]
_TAG = re.compile(r"<[^>]*>")
_DAY = 86_400.0
DRAWN = ("bar", "waterfall", "histogram", "heatmap", "contour", "scatter")


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def text_lines(s: Any) -> list[str]:
    """Plotly's pseudo-HTML as plain lines: <br> splits, other tags dropped, entities decoded."""
    parts = re.split(r"<br\s*/?>", str(s or ""), flags=re.I)
    return [html.unescape(_TAG.sub("", p)) for p in parts]


def _text(x: float, y: float, s: Any, size: float = 13, anchor: str = "start", colour: str = "#222",
          weight: str = "normal", rotate: bool = False, line_h: float | None = None) -> str:
    lines = text_lines(s)
    line_h = line_h or size * 1.2
    rot = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else line_h:.1f}">{_e(t)}</tspan>'
                    for i, t in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{colour}" text-anchor="{anchor}" '
            f'font-weight="{weight}"{rot}>{spans}</text>')


def _num(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, (dt.datetime, dt.date, np.datetime64)) or hasattr(v, "to_pydatetime"):
        return _date_num(v)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _date_num(v: Any) -> float:
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    if isinstance(v, np.datetime64):
        return float(v.astype("datetime64[s]").astype("int64")) / _DAY
    if isinstance(v, dt.datetime):
        return v.replace(tzinfo=None).timestamp() / _DAY if v.tzinfo is None else v.timestamp() / _DAY
    return dt.datetime(v.year, v.month, v.day).timestamp() / _DAY


def _is_date(values: Sequence[Any]) -> bool:
    for v in values:
        if v is not None:
            return isinstance(v, (dt.date, np.datetime64)) or hasattr(v, "to_pydatetime")
    return False


def _fmt(v: float, tickformat: str | None, span: float) -> str:
    if tickformat and "%" in tickformat:
        return f"{v:.0%}" if span >= 0.05 else f"{v:.1%}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if v == 0:
        return "0"
    digits = max(0, -math.floor(math.log10(span / 5)) if span > 0 else 0)
    return f"{v:,.{min(digits, 6)}f}" if abs(v) >= 1 or digits else f"{v:.3g}"


def nice_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


class Axis:
    """One axis: categories, dates, linear or log numbers; `pos(v)` maps a value to pixels."""

    def __init__(self, spec: Any, values: list[Any], lo_px: float, hi_px: float, horizontal: bool):
        self.spec, self.horizontal = spec, horizontal
        self.lo_px, self.hi_px = lo_px, hi_px
        self.log = getattr(spec, "type", None) == "log"
        self.categories: list[str] | None = None
        self.dates = _is_date(values)
        nums = [_num(v) for v in values] if not self.dates else [_date_num(v) for v in values if v is not None]
        if values and not self.dates and all(n is None for n in nums) and any(isinstance(v, str) for v in values):
            order = list(getattr(spec, "categoryarray", None) or [])
            cats = order + [v for v in dict.fromkeys(values) if isinstance(v, str) and v not in order]
            if getattr(spec, "autorange", None) == "reversed":
                cats = cats[::-1]
            self.categories = cats
            return
        nums = [n for n in nums if n is not None and (not self.log or n > 0)]
        rng = getattr(spec, "range", None)
        if rng is not None and None not in rng:
            lo, hi = float(rng[0]), float(rng[1])
            if self.log:
                lo, hi = 10 ** lo, 10 ** hi
        else:
            lo, hi = (min(nums), max(nums)) if nums else (0.0, 1.0)
            if getattr(spec, "rangemode", None) == "tozero" and not self.log:
                lo, hi = min(lo, 0.0), max(hi, 0.0)
            if not self.log and not self.dates:
                pad = (hi - lo) * 0.05 or abs(hi) * 0.1 or 1.0
                lo, hi = (lo if lo == 0 else lo - pad), hi + pad
        if hi <= lo:
            hi = lo + (abs(lo) or 1.0)
        self.lo, self.hi = lo, hi
        self.reversed = getattr(spec, "autorange", None) == "reversed"

    def _frac(self, v: float) -> float:
        if self.log:
            return (math.log10(v) - math.log10(self.lo)) / (math.log10(self.hi) - math.log10(self.lo))
        return (v - self.lo) / (self.hi - self.lo)

    def pos(self, v: Any) -> float | None:
        if self.categories is not None:
            if v not in self.categories:
                return None
            f = (self.categories.index(v) + 0.5) / len(self.categories)
        else:
            n = _date_num(v) if self.dates and v is not None and not isinstance(v, (int, float)) else _num(v)
            if n is None or (self.log and n <= 0):
                return None
            f = self._frac(n)
            if self.reversed:
                f = 1 - f
        return self.lo_px + f * (self.hi_px - self.lo_px)

    def band(self) -> float:
        """Pixels per category."""
        return abs(self.hi_px - self.lo_px) / max(1, len(self.categories or [1]))

    def ticks(self) -> list[tuple[float, str]]:
        if self.categories is not None:
            return [(self.pos(c), c) for c in self.categories]
        tickvals = getattr(self.spec, "tickvals", None)
        if tickvals:
            texts = getattr(self.spec, "ticktext", None) or [str(t) for t in tickvals]
            return [(self.pos(v), t) for v, t in zip(tickvals, texts) if self.pos(v) is not None]
        fmt = getattr(self.spec, "tickformat", None)
        suffix = getattr(self.spec, "ticksuffix", None) or ""
        if self.dates:
            return self._date_ticks()
        if self.log:
            out = []
            for k in range(math.floor(math.log10(self.lo)), math.ceil(math.log10(self.hi)) + 1):
                for m in (1, 2, 5):
                    v = m * 10 ** k
                    if self.lo <= v <= self.hi:
                        out.append((self.pos(v), f"{v:,.0f}" if v >= 1 else f"{v:g}"))
            return out if len(out) <= 12 else [t for t in out if t[1].lstrip("0.,").startswith("1")]
        span = self.hi - self.lo
        return [(self.pos(v), _fmt(v, fmt, span) + suffix) for v in nice_ticks(self.lo, self.hi)]

    def _date_ticks(self) -> list[tuple[float, str]]:
        start = dt.datetime.fromtimestamp(self.lo * _DAY)
        end = dt.datetime.fromtimestamp(self.hi * _DAY)
        months = (end.year - start.year) * 12 + end.month - start.month
        step = next(s for s in (1, 2, 3, 6, 12, 24, 60, 120) if months / s <= 8)
        out, y, m = [], start.year, start.month
        while (y, m) <= (end.year, end.month):
            if (m - 1) % step == 0 or step < 12 and (y * 12 + m) % step == 0:
                d = dt.datetime(y, m, 1)
                if self.lo <= d.timestamp() / _DAY <= self.hi:
                    out.append((self.pos(d), d.strftime("%Y") if step >= 12 else d.strftime("%b %Y")))
            m += 1
            if m > 12:
                y, m = y + 1, 1
        return out


def _colour_at(scale: Sequence[Sequence[Any]], f: float) -> str:
    f = min(1.0, max(0.0, f))
    for (a, ca), (b, cb) in zip(scale, scale[1:]):
        if f <= b:
            t = 0 if b == a else (f - a) / (b - a)
            ra, ga, ba = (int(ca[i:i + 2], 16) for i in (1, 3, 5))
            rb, gb, bb = (int(cb[i:i + 2], 16) for i in (1, 3, 5))
            return f"#{round(ra + (rb - ra) * t):02x}{round(ga + (gb - ga) * t):02x}{round(ba + (bb - ba) * t):02x}"
    return scale[-1][1]


def _dash(d: str | None) -> str:
    return {"dash": ' stroke-dasharray="6 4"', "dot": ' stroke-dasharray="2 3"',
            "dashdot": ' stroke-dasharray="6 3 2 3"'}.get(d or "", "")


def _path(points: list[tuple[float, float]], close: bool = False) -> str:
    if not points:
        return ""
    d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return d + (" Z" if close else "")


def figure_svg(fig: Any, width: int = 700, label: str = "") -> str:
    """`fig` (a plotly Figure built by `charts`/`analysis`) as one <svg> element, `width` px wide."""
    lay = fig.layout
    traces = list(fig.data)
    for t in traces:
        if t.type not in DRAWN:
            raise ValueError(f"figure_svg: no drawing for a {t.type!r} trace")
    height = int(lay.height or 450)
    # plotly's legend: traces with a name, when there are two or more (heatmaps and contours only when asked)
    legend = [t for t in traces if t.name and lay.showlegend is not False and (len(traces) > 1 or lay.showlegend)
              and (t.showlegend is True or t.showlegend is None and t.type not in ("heatmap", "contour"))]
    legend_rows = math.ceil(len(legend) / 2) if legend else 0
    title = lay.title.text if lay.title else ""
    title_lines = text_lines(title)
    margin_l = 10 + 70
    top = 14 + 20 * len(title_lines) + 10
    xt = lay.xaxis.title.text if lay.xaxis.title else ""
    yt = lay.yaxis.title.text if lay.yaxis.title else ""
    heat = next((t for t in traces if t.type == "heatmap"), None)
    right = 20 + (90 if heat is not None and heat.showscale is not False else 0)
    bottom_axis = 28 + (20 if xt else 0) + (26 if any(t.type == "waterfall" or t.type == "bar" and t.orientation != "h"
                                                      for t in traces) else 0)  # room for wrapped categories
    total_h = height + legend_rows * 20

    # which values lie on which axis (a horizontal bar's categories are on y)
    xs: list[Any] = []
    ys: list[Any] = []
    for t in traces:
        x, y = list(t.x) if t.x is not None else [], list(t.y) if t.y is not None else []
        if t.type == "bar" and t.orientation == "h":
            base = t.base if t.base is not None else 0
            bases = list(base) if isinstance(base, (list, tuple, np.ndarray)) else [base] * len(x)
            xs += [b + v for b, v in zip(bases, x)] + bases
            ex = t.error_x
            if ex is not None and ex.array is not None:
                xs += [v + e for v, e in zip(x, ex.array)]
            ys += y
        elif t.type in ("bar", "waterfall"):
            xs += x
            ys += list(_waterfall_levels(t)[1]) + [0] if t.type == "waterfall" else y + [0]
        elif t.type == "histogram":
            counts, edges = _hist(t)
            xs += [edges[0], edges[-1]]
            ys += [0, max(counts) * 1.05 if len(counts) else 1]
        else:
            xs += x
            ys += y
    for a in (lay.annotations or ()):
        if a.xref in (None, "x") and a.x is not None and not isinstance(a.x, str):
            xs.append(a.x)
    for s in (lay.shapes or ()):
        if s.xref in (None, "x"):
            xs += [s.x0, s.x1]

    # category labels need room on the left: about 6.5 px a character
    probe_y = Axis(lay.yaxis, ys, 0, 1, False)
    if probe_y.categories is not None:
        margin_l = 16 + min(330, max(len(str(c)) for c in probe_y.categories) * 6.6)
    elif yt:
        margin_l = 78
    plot_x0, plot_x1 = margin_l, width - right
    plot_y0, plot_y1 = top + 8, height - bottom_axis
    xa = Axis(lay.xaxis, xs, plot_x0, plot_x1, True)
    ya = Axis(lay.yaxis, ys, plot_y1, plot_y0, False)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_h}" width="100%" role="img" '
           f'aria-label="{_e(" ".join(title_lines) or label)}" data-artcost-chart="{_e(label)}" '
           f'style="max-width:{width}px;font-family:{FONT}">']
    out.append(f'<text x="0" y="20" font-size="17" font-weight="600" fill="#222">{_e(title_lines[0])}</text>')
    for i, line in enumerate(title_lines[1:]):
        out.append(f'<text x="0" y="{40 + 18 * i}" font-size="13" fill="#555">{_e(line)}</text>')
    # grid and ticks
    for px, lab in ya.ticks():
        if px is None:
            continue
        if ya.categories is None:
            out.append(f'<line x1="{plot_x0:.1f}" y1="{px:.1f}" x2="{plot_x1:.1f}" y2="{px:.1f}" stroke="#e6e6e6"/>')
        out.append(_text(plot_x0 - 6, px + 4, lab, 12, "end", "#444"))
    for px, lab in xa.ticks():
        if px is None:
            continue
        if xa.categories is None:
            out.append(f'<line x1="{px:.1f}" y1="{plot_y0:.1f}" x2="{px:.1f}" y2="{plot_y1:.1f}" stroke="#e6e6e6"/>')
        else:  # a category's name wraps to its bar's width (about 6.2 px a character at 12 px)
            lab = "<br>".join(_wrap(lab, max(6, int(xa.band() / 6.2))))
        out.append(_text(px, plot_y1 + 17, lab, 12, "middle", "#444", line_h=13))
    out.append(f'<line x1="{plot_x0:.1f}" y1="{plot_y1:.1f}" x2="{plot_x1:.1f}" y2="{plot_y1:.1f}" stroke="#999"/>')
    if xt:
        out.append(_text((plot_x0 + plot_x1) / 2, height - 8, xt, 13, "middle", "#555"))
    if yt and ya.categories is None:
        out.append(_text(14, (plot_y0 + plot_y1) / 2, " ".join(text_lines(yt)), 13, "middle", "#555", rotate=True))

    for i, t in enumerate(traces):
        colour = COLORWAY[i % len(COLORWAY)]
        kind = t.type
        if kind == "bar":
            out += _bars(t, xa, ya, colour)
        elif kind == "waterfall":
            out += _waterfall(t, xa, ya)
        elif kind == "histogram":
            out += _histogram(t, xa, ya, colour)
        elif kind == "heatmap":
            out += _heatmap(t, xa, ya, plot_x1)
        elif kind == "contour":
            out += _contour(t, xa, ya)
        elif kind == "scatter":
            out += _scatter(t, xa, ya, colour)
        else:
            raise ValueError(f"figure_svg: no drawing for a {kind!r} trace")
    for s in (lay.shapes or ()):
        if s.type != "line":
            raise ValueError(f"figure_svg: no drawing for a {s.type!r} shape")
        x0 = xa.pos(s.x0) if s.xref in (None, "x") else plot_x0 + float(s.x0) * (plot_x1 - plot_x0)
        x1 = xa.pos(s.x1) if s.xref in (None, "x") else plot_x0 + float(s.x1) * (plot_x1 - plot_x0)
        in_domain = s.yref in ("paper", "y domain")
        y0 = plot_y1 - float(s.y0) * (plot_y1 - plot_y0) if in_domain else ya.pos(s.y0)
        y1 = plot_y1 - float(s.y1) * (plot_y1 - plot_y0) if in_domain else ya.pos(s.y1)
        if None in (x0, x1, y0, y1):
            continue
        line = s.line
        out.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{line.color or "#000"}" '
                   f'stroke-width="{line.width or 1}"{_dash(line.dash)}/>')
    for a in (lay.annotations or ()):
        x = (plot_x0 + float(a.x) * (plot_x1 - plot_x0)) if a.xref == "paper" else xa.pos(a.x)
        y = (plot_y1 - float(a.y) * (plot_y1 - plot_y0)) if a.yref == "paper" else ya.pos(a.y)
        if x is None or y is None:
            continue
        x += a.xshift or 0
        y -= a.yshift or 0
        size = (a.font.size if a.font and a.font.size else 13)
        anchor = {"left": "start", "right": "end"}.get(a.xanchor or "", "middle")
        n = len(text_lines(a.text))
        if a.yanchor == "top":
            y += size
        elif a.yanchor == "bottom":
            y -= (n - 1) * size * 1.2 + 3
        else:
            y += size * 0.35 - (n - 1) * size * 0.6
        out.append(_text(x, y, a.text, size, anchor, (a.font.color if a.font and a.font.color else "#222")))
    if heat is not None and heat.showscale is not False:
        out += _colourbar(heat, plot_x1 + 18, plot_y0, plot_y1)
    for i, t in enumerate(legend):
        lx = 10 + (i % 2) * (width / 2)
        ly = height + 14 + (i // 2) * 20
        c = _trace_colour(t, COLORWAY[traces.index(t) % len(COLORWAY)])
        out.append(f'<rect x="{lx:.1f}" y="{ly - 9:.1f}" width="14" height="10" fill="{c}"/>')
        out.append(_text(lx + 20, ly, t.name, 12, "start", "#333"))
    out.append("</svg>")
    return "".join(out)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in str(text).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _trace_colour(t: Any, default: str) -> str:
    if t.type == "scatter" and t.mode and "lines" in t.mode and t.line and t.line.color:
        return t.line.color
    m = getattr(t, "marker", None)
    c = m.color if m is not None and m.color is not None else None
    if isinstance(c, str):
        return c
    if t.type == "scatter" and t.fillcolor:
        return t.fillcolor
    return default


def _bars(t: Any, xa: Axis, ya: Axis, default: str) -> list[str]:
    out = []
    x, y = list(t.x), list(t.y)
    colours = t.marker.color if t.marker is not None and t.marker.color is not None else default
    horizontal = t.orientation == "h"
    base = t.base if t.base is not None else 0
    bases = list(base) if isinstance(base, (list, tuple, np.ndarray)) else [base] * len(x)
    cat, val = (ya, xa) if horizontal else (xa, ya)
    thick = cat.band() * 0.7
    err = t.error_x if horizontal else t.error_y
    for i, (cv, v) in enumerate(zip(y if horizontal else x, x if horizontal else y)):
        c = colours[i] if isinstance(colours, (list, tuple, np.ndarray)) else colours
        mid, a, b = cat.pos(cv), val.pos(bases[i]), val.pos(bases[i] + v)
        if None in (mid, a, b):
            continue
        lo, hi = min(a, b), max(a, b)
        if horizontal:
            out.append(f'<rect x="{lo:.1f}" y="{mid - thick / 2:.1f}" width="{max(hi - lo, 1):.1f}" height="{thick:.1f}" fill="{c}"/>')
        else:
            out.append(f'<rect x="{mid - thick / 2:.1f}" y="{lo:.1f}" width="{thick:.1f}" height="{max(hi - lo, 1):.1f}" fill="{c}"/>')
        if err is not None and err.array is not None:
            plus = err.array[i]
            minus = err.arrayminus[i] if err.arrayminus is not None else plus
            e0, e1 = val.pos(bases[i] + v - minus), val.pos(bases[i] + v + plus)
            if None not in (e0, e1):
                col = err.color or "#222"
                if horizontal:
                    out.append(f'<path d="M{e0:.1f},{mid:.1f} H{e1:.1f} M{e0:.1f},{mid - 6:.1f} V{mid + 6:.1f} '
                               f'M{e1:.1f},{mid - 6:.1f} V{mid + 6:.1f}" stroke="{col}" stroke-width="1.5" fill="none"/>')
                else:
                    out.append(f'<path d="M{mid:.1f},{e0:.1f} V{e1:.1f} M{mid - 6:.1f},{e0:.1f} H{mid + 6:.1f} '
                               f'M{mid - 6:.1f},{e1:.1f} H{mid + 6:.1f}" stroke="{col}" stroke-width="1.5" fill="none"/>')
    return out


def _waterfall_levels(t: Any) -> tuple[list[float], list[float]]:
    starts, ends, level = [], [], 0.0
    for m, v in zip(t.measure or ["relative"] * len(t.y), t.y):
        if m == "total":
            starts.append(0.0)
            ends.append(level if v in (None, 0) else float(v))
            level = ends[-1]
        elif m == "absolute":
            starts.append(0.0)
            ends.append(float(v))
            level = float(v)
        else:
            starts.append(level)
            level += float(v)
            ends.append(level)
    return starts, ends


def _waterfall(t: Any, xa: Axis, ya: Axis) -> list[str]:
    out = []
    starts, ends = _waterfall_levels(t)
    inc = t.increasing.marker.color if t.increasing and t.increasing.marker else "#0072B2"
    dec = t.decreasing.marker.color if t.decreasing and t.decreasing.marker and t.decreasing.marker.color else "#D55E00"
    tot = t.totals.marker.color if t.totals and t.totals.marker else "#000"
    thick = xa.band() * 0.7
    texts = list(t.text) if t.text is not None and not isinstance(t.text, str) else []
    for i, (cv, m, a, b) in enumerate(zip(t.x, t.measure or [], starts, ends)):
        mid, y0, y1 = xa.pos(cv), ya.pos(a), ya.pos(b)
        if None in (mid, y0, y1):
            continue
        c = tot if m == "total" else (inc if b >= a else dec)
        lo, hi = min(y0, y1), max(y0, y1)
        out.append(f'<rect x="{mid - thick / 2:.1f}" y="{lo:.1f}" width="{thick:.1f}" height="{max(hi - lo, 1):.1f}" fill="{c}"/>')
        if i < len(texts):
            out.append(_text(mid, lo - 4, texts[i], 11, "middle", "#333"))
        if i + 1 < len(starts):
            nxt = xa.pos(t.x[i + 1])
            if nxt is not None:
                out.append(f'<line x1="{mid + thick / 2:.1f}" y1="{y1:.1f}" x2="{nxt - thick / 2:.1f}" y2="{y1:.1f}" '
                           'stroke="#999" stroke-width="1"/>')
    return out


def _hist(t: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(t.x, dtype=float)
    x = x[np.isfinite(x)]
    if not len(x):
        return np.zeros(0), np.array([0.0, 1.0])
    counts, edges = np.histogram(x, bins=int(t.nbinsx or 40))
    if t.histnorm in ("percent", "probability"):
        counts = counts / counts.sum() * (100 if t.histnorm == "percent" else 1)
    return counts, edges


def _histogram(t: Any, xa: Axis, ya: Axis, default: str) -> list[str]:
    counts, edges = _hist(t)
    c = t.marker.color if t.marker is not None and isinstance(t.marker.color, str) else default
    out = []
    for n, a, b in zip(counts, edges[:-1], edges[1:]):
        x0, x1, y0, y1 = xa.pos(a), xa.pos(b), ya.pos(0), ya.pos(n)
        if None in (x0, x1, y0, y1) or n <= 0:
            continue
        out.append(f'<rect x="{x0:.1f}" y="{y1:.1f}" width="{max(x1 - x0 - 0.5, 0.5):.1f}" height="{y0 - y1:.1f}" fill="{c}"/>')
    return out


def _scale(t: Any) -> list[tuple[float, str]]:
    cs = t.colorscale
    return [(float(a), str(b)) for a, b in cs]


def _heatmap(t: Any, xa: Axis, ya: Axis, _: float) -> list[str]:
    z = np.asarray(t.z, dtype=float)
    xs, ys = list(t.x), list(t.y)
    scale = _scale(t)
    lo = float(t.zmin) if t.zmin is not None else float(np.nanmin(z))
    hi = float(t.zmax) if t.zmax is not None else float(np.nanmax(z))
    out = []

    def edges(vals: list[float]) -> list[float]:
        mids = [(a + b) / 2 for a, b in zip(vals, vals[1:])]
        return [vals[0] - (mids[0] - vals[0])] + mids + [vals[-1] + (vals[-1] - mids[-1])] if len(vals) > 1 else [vals[0], vals[0]]

    xe, ye = edges([float(v) for v in xs]), edges([float(v) for v in ys])
    for j in range(z.shape[0]):
        for i in range(z.shape[1]):
            v = z[j, i]
            if not math.isfinite(v):
                continue
            x0, x1, y0, y1 = xa.pos(xe[i]), xa.pos(xe[i + 1]), ya.pos(ye[j]), ya.pos(ye[j + 1])
            if None in (x0, x1, y0, y1):
                continue
            c = _colour_at(scale, (v - lo) / (hi - lo) if hi > lo else 0.5)
            out.append(f'<rect x="{min(x0, x1):.1f}" y="{min(y0, y1):.1f}" width="{abs(x1 - x0) + 0.4:.1f}" shape-rendering="crispEdges" '
                       f'height="{abs(y1 - y0) + 0.4:.1f}" fill="{c}"/>')
    return out


def _colourbar(t: Any, x: float, y0: float, y1: float) -> list[str]:
    z = np.asarray(t.z, dtype=float)
    lo = float(t.zmin) if t.zmin is not None else float(np.nanmin(z))
    hi = float(t.zmax) if t.zmax is not None else float(np.nanmax(z))
    scale = _scale(t)
    out = []
    top = y0 + 34
    steps = 24
    h = (y1 - top) / steps
    for k in range(steps):
        f = 1 - (k + 0.5) / steps
        out.append(f'<rect x="{x:.1f}" y="{top + k * h:.1f}" width="14" height="{h + 0.5:.1f}" fill="{_colour_at(scale, f)}"/>')
    cb = t.colorbar
    if cb is not None and cb.title is not None and cb.title.text:
        out.append(_text(x - 4, y0 + 8, cb.title.text, 11, "start", "#444"))
    vals = list(cb.tickvals) if cb is not None and cb.tickvals is not None else nice_ticks(lo, hi, 5)
    texts = list(cb.ticktext) if cb is not None and cb.ticktext is not None else [f"{v:g}" for v in vals]
    for v, s in zip(vals, texts):
        if hi > lo and lo <= v <= hi:
            y = y1 - (v - lo) / (hi - lo) * (y1 - top)
            out.append(_text(x + 18, y + 4, s, 11, "start", "#444"))
    return out


def _contour(t: Any, xa: Axis, ya: Axis) -> list[str]:
    """The one level a break-even line draws (contours.start), by marching squares."""
    z = np.asarray(t.z, dtype=float)
    xs, ys = [float(v) for v in t.x], [float(v) for v in t.y]
    level = float(t.contours.start if t.contours and t.contours.start is not None else 0)
    segs = []
    for j in range(z.shape[0] - 1):
        for i in range(z.shape[1] - 1):
            corners = [(xs[i], ys[j], z[j, i]), (xs[i + 1], ys[j], z[j, i + 1]),
                       (xs[i + 1], ys[j + 1], z[j + 1, i + 1]), (xs[i], ys[j + 1], z[j + 1, i])]
            pts = []
            for (xa_, ya_, za), (xb, yb, zb) in zip(corners, corners[1:] + corners[:1]):
                if (za - level) * (zb - level) < 0:
                    f = (level - za) / (zb - za)
                    pts.append((xa_ + f * (xb - xa_), ya_ + f * (yb - ya_)))
            for a, b in zip(pts[::2], pts[1::2]):
                pa, pb = (xa.pos(a[0]), ya.pos(a[1])), (xa.pos(b[0]), ya.pos(b[1]))
                if None not in pa + pb:
                    segs.append(f"M{pa[0]:.1f},{pa[1]:.1f} L{pb[0]:.1f},{pb[1]:.1f}")
    if not segs:
        return []
    line = t.line
    return [f'<path d="{" ".join(segs)}" stroke="{line.color or "#000"}" stroke-width="{line.width or 2}" fill="none"/>']


def _scatter(t: Any, xa: Axis, ya: Axis, default: str) -> list[str]:
    pts = [(xa.pos(x), ya.pos(y)) for x, y in zip(t.x or (), t.y or ())]
    pts = [(x, y) for x, y in pts if x is not None and y is not None]
    if not pts:
        return []
    out = []
    if t.fill == "toself":
        out.append(f'<path d="{_path(pts, close=True)}" fill="{t.fillcolor or default}" stroke="none"/>')
        return out
    if t.fill not in (None, "none"):
        raise ValueError(f"figure_svg: no drawing for fill={t.fill!r}")
    mode = t.mode or "lines"
    if "lines" in mode:
        line = t.line
        colour = line.color or default
        if line.width != 0:
            out.append(f'<path d="{_path(pts)}" fill="none" stroke="{colour}" stroke-width="{line.width or 2}"'
                       f'{_dash(line.dash)}/>')
    if "markers" in mode:
        m = t.marker
        c = m.color if m is not None and isinstance(m.color, str) else default
        r = (m.size or 6) / 2 if m is not None else 3
        out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{c}"/>' for x, y in pts]
    return out
