"""Charts and tables from the uncertainty and market layers, for the dashboard and the report.

Pure functions: they take the layers' results (`MonteCarloResult`, tornado rows, a ratio grid,
a `MarketResult`) and return `Chart`s or plain rows.  Money is converted from the scenario's
currency with `factor` (1.0 keeps it).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from artcost.dashboard.charts import Chart, cdf, duration, figure, heatmap, histogram, money, tornado
from artcost.dashboard.sources import SOURCES_TITLE, range_text, source_text, value_text
from artcost.model.comparison import PERCENT_UNITS, field_label, field_title, field_unit

TORNADO_OUTPUTS = {"per_usable_image": "AI cost per usable image", "ratio": "artist/AI cost ratio"}


def mc_caption(mc: Any, scenario: str | None = None) -> str:
    """Where the Monte Carlo charts come from; `scenario` names the scenario file (default: the path it was read from)."""
    return (
        f"Monte Carlo: {mc.draws:,} independent draws of {len(mc.sources)} uncertain inputs "
        f"(numpy default_rng seed {mc.seed}) through the cost model; scenario "
        f"{scenario or mc.scenario_file or mc.scenario_name}. "
        f'Each input\'s distribution and source: under "{SOURCES_TITLE}".'
    )


def input_in(path: str, x: float, own: str, ccy: str | None = None, factor: float = 1.0) -> tuple[float, str]:
    """An input's value and unit as a report in `ccy` shows it: money (a unit in the scenario's currency `own`)
    times `factor` with the unit in `ccy`; anything else as it is. (value, unit)."""
    ccy = ccy or own
    unit = field_unit(path, own)
    if ccy != own and unit.startswith(own):
        return x * factor, field_unit(path, ccy)
    return x, unit


def scaled_describe(dist: Any, factor: float = 1.0) -> str:
    """A distribution in one line as `DistSpec.describe` writes it, its values times `factor` (a money input
    shown in another currency, `DistSpec.scaled`) to four figures: 'triangular(low=0, mode=119.8, high=222.9)'."""
    return dist.describe() if factor == 1.0 else dist.scaled(factor).describe(".4g")


def mc_charts(mc: Any, ccy: str, factor: float = 1.0, scenario: str | None = None) -> list[Chart]:
    """Histogram of AI cost per usable image (P5/P50/P95 marked) and CDFs of AI and artist cost per image."""
    ai = mc.samples["ai_per_usable_image"] * factor
    artist = mc.samples["artist_per_image"] * factor
    p5, p50, p95 = np.percentile(ai, [5, 50, 95])
    hist = histogram(ai, ccy, "AI cost per usable image", mc_caption(mc, scenario), marks={"P5": p5, "median": p50, "P95": p95})
    both = cdf({"AI per usable image": ai, "artist per image": artist}, ccy, "AI vs artist per image", mc_caption(mc, scenario),
               log=False)
    return [hist, both]


def mc_rows(mc: Any, ccy: str, factor: float = 1.0) -> list[dict[str, str]]:
    """One row per output: central (deterministic), mean, median, P5, P95 — money converted, delivery times
    as durations ('14.0 days', as the CLI writes them), chances as percentages, ratios as 'Nx'."""
    summary = mc.summary()["outputs"]
    rows = []
    for name, s in summary.items():
        unit = s["unit"]
        if unit == mc.currency:
            def fmt(x: float) -> str:
                return money(x * factor, ccy)
            shown = ccy
        elif unit == "h":
            fmt, shown = duration, "time"
        elif unit == "probability":
            def fmt(x: float) -> str:
                return f"{x:.1%}"
            shown = "%"
        elif unit == "x":
            def fmt(x: float) -> str:
                return f"{figure(x)}x"
            shown = "times"
        else:
            def fmt(x: float) -> str:
                return f"{x:,.4g}"
            shown = unit

        def cell(x: float | None, fmt=fmt) -> str:
            return "" if x is None else fmt(x)

        rows.append({"output": s["label"], "unit": shown, "central": cell(s["deterministic"]), "mean": cell(s["mean"]),
                     "median": cell(s["median"]), "P5": cell(s["p5"]), "P95": cell(s["p95"])})
    return rows


def input_rows(mc: Any) -> list[dict[str, str]]:
    """Each uncertain input in words with its distribution (`DistSpec.describe`, as the simulation kept it) and source."""
    return [{"input": field_label(path), "field": path, "distribution": mc.described[path],
             "source": source_text(mc.sources[path])} for path in mc.sources]


def tornado_chart(rows: Sequence[Mapping[str, Any]], output: str, ccy: str, factor: float = 1.0,
                  own: str | None = None) -> Chart:
    """The sensitivity layer's tornado rows as a chart, each input in words with the range it swings over
    (money inputs in the scenario's currency `own`); money outputs converted with `factor`."""
    rows = [r for r in rows if r["swing"] > 0]  # inputs this output does not read (e.g. the market's) add nothing
    f = factor if output == "per_usable_image" else 1.0
    unit = ccy if output == "per_usable_image" else "x"
    own = own or ccy

    def name(r: Mapping[str, Any]) -> str:
        return f"{field_label(r['param'])}: {input_range_text(r, own, ccy, factor)}"

    bars = [{"name": name(r), "low": r["output_low"] * f, "high": r["output_high"] * f} for r in rows]
    base = rows[0]["base"] * f if rows else 0.0
    caption = (
        "One input at a time at its 10th and 90th percentile (the range after its name), every other input at its "
        "central value. Sources: "
        + "; ".join(f"{field_label(r['param'])}: {source_text(r['source'])}" for r in list(rows)[:3])
        + (f'; the rest under "{SOURCES_TITLE}".' if len(rows) > 3 else ".")
    )
    return tornado(bars, base, unit, TORNADO_OUTPUTS[output], caption)


def input_range_text(row: Mapping[str, Any], own: str, ccy: str | None = None, factor: float = 1.0) -> str:
    """A tornado row's input range in words with its unit, money in `ccy`: '3.9 to 6.8 USD/h'."""
    lo, unit = input_in(row["param"], row["input_low"], own, ccy, factor)
    hi, _ = input_in(row["param"], row["input_high"], own, ccy, factor)
    return range_text(lo, hi, unit)


def grid_chart(grid: Mapping[str, Any], caption: str, own: str = "", ccy: str | None = None,
               factor: float = 1.0) -> Chart:
    """The break-even heatmap: artist/AI ratio over two inputs (named in words with units), with the ratio = 1 contour;
    a money input's axis in `ccy` (its values times `factor`; the ratio has no currency)."""
    ccy = ccy or own
    ratio = np.asarray(grid["ratio"], dtype=float)
    crosses = bool(np.nanmin(ratio) < 1 < np.nanmax(ratio))
    where = ("black line: break-even" if crosses else "AI is cheaper everywhere in this range"
             if np.nanmin(ratio) >= 1 else "the artist is cheaper everywhere in this range")
    xp, yp = grid["x_param"], grid["y_param"]
    title = (f"How many times AI's cost the artist charges<br><sup>by {field_label(xp)} and {field_label(yp)}: "
             f"{where}</sup>")
    pct = {p: field_unit(p, own) in PERCENT_UNITS for p in (xp, yp)}
    xs = [input_in(xp, v, own, ccy, factor)[0] for v in grid["x"]]
    ys = [input_in(yp, v, own, ccy, factor)[0] for v in grid["y"]]
    return heatmap(xs, ys, ratio, field_title(xp, ccy), field_title(yp, ccy), title, caption,
                   x_percent=pct[xp], y_percent=pct[yp])


def breakeven_words(be: Mapping[str, Any], ccy: str | None = None, factor: float = 1.0) -> str:
    """`breakeven(...).to_dict()` in words: the input named as a person would, with its unit and its value now;
    money (in the scenario's currency, `be['currency']`) shown in `ccy`, times `factor`."""
    path, own = be["param"], be["currency"]
    ccy = ccy or own

    def v(x: float) -> str:
        return value_text(*input_in(path, x, own, ccy, factor))

    now = v(be["central"])
    if be.get("roots"):
        at = " or ".join(v(r) for r in be["roots"])
        return (f"AI and the artist cost the same when the {field_label(path)} is {at} (the scenario has {now}); "
                f"there both cost {money(be['artist_at_root'][0] * factor, ccy)} per image.")
    cheaper = "AI stays cheaper" if be["ai_at_central"] < be["artist_at_central"] else "the artist stays cheaper"
    text = (f"No break-even: with the {field_label(path)} anywhere from {v(be['lo'])} to "
            f"{v(be['hi'])} (the scenario has {now}), {cheaper}.")
    if be.get("steps"):
        text += f" The order flips at a jump near {', '.join(v(x) for x in be['steps'])} (billing steps)."
    return text


# The money columns of each MarketResult table (see its docstring); the rest are counts, shares and indices.
MARKET_MONEY = {
    "monthly": ("price",),
    "artists": ("avg_price", "income", "baseline_income"),
    "retouchers": ("price", "price_cap", "income"),
    "buyers": ("spend", "baseline_spend", "consumer_surplus", "ai_per_usable_image"),
}


def market_frames(result: Any, factor: float = 1.0) -> dict[str, Any]:
    """The DataFrames a MarketResult carries (monthly, artists, retouchers, buyers), whichever exist,
    with their money columns multiplied by `factor` (the scenario's currency to the one shown)."""
    out = {}
    for name, money_cols in MARKET_MONEY.items():
        df = getattr(result, name, None)
        if df is not None and hasattr(df, "columns") and len(df):
            if factor != 1.0:
                df = df.copy()
                for col in money_cols:
                    if col in df.columns:
                        df[col] = df[col] * factor
            out[name] = df
    return out


# The central run's tables in a reader's words (model/market_result.py `MarketResult` documents each column):
# kind "pct" is a 0..1 share or index shown in %, "money" is in the currency shown, "count" a whole number a
# month, "days"/"plain" as they are. The Market page's expander shows these, never the column names.
MARKET_TABLE_WORDS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "monthly": ("Each month, by buyer segment and way of getting an image", {
        "segment": ("buyer segment", "plain"), "option": ("way of getting the image", "option"),
        "share": ("share of the segment's images (%)", "pct"), "commissions": ("images a month", "count"),
        "price": ("price per image ({ccy}; AI on their own: the buyer's cost incl. their time)", "money"),
        "delivery_days": ("delivery (days)", "days"), "quality": ("quality (0 to 1)", "plain")}),
    "artists": ("Artists, all segments", {
        "commissions": ("artists' commissions a month", "count"), "avg_price": ("average price per image ({ccy})", "money"),
        "income": ("artists' income a month ({ccy}, net of AI machine cost)", "money"),
        "income_index": ("income vs no AI (%)", "pct"), "commissions_index": ("commissions vs no AI (%)", "pct"),
        "avg_price_index": ("average price vs no AI (%)", "pct"),
        "total_commissions": ("all images a month, AI included", "count"),
        "market_index": ("all images vs no AI (%)", "pct"), "artists_share": ("artists' share of all images (%)", "pct"),
        "baseline_commissions": ("artists' commissions without AI", "count"),
        "baseline_income": ("artists' income without AI ({ccy})", "money"),
        "artist_ai_adoption": ("artists who use AI (%)", "pct"),
        "share_of_artist_work_with_ai": ("artists' work made with AI (%)", "pct")}),
    "retouchers": ("Retouchers", {
        "demand": ("retouch jobs a month", "count"), "price": ("retouch price per image ({ccy})", "money"),
        "price_cap": ("price cap: the buyer's own AI cost x the cap multiple ({ccy})", "money"),
        "income": ("retouchers' income a month ({ccy})", "money")}),
    "buyers": ("Buyers", {
        "awareness": ("buyers aware of AI (%)", "pct"), "spend": ("buyers' spend a month ({ccy})", "money"),
        "baseline_spend": ("spend without AI ({ccy})", "money"),
        "consumer_surplus": ("buyers' gain vs no AI a month ({ccy}, consumer surplus)", "money"),
        "total_commissions": ("images bought a month", "count"),
        "ai_per_usable_image": ("AI cost per usable image ({ccy})", "money")}),
}


def market_tables(result: Any, ccy: str, factor: float = 1.0) -> dict[str, Any]:
    """The central run's tables (`market_frames`) for a reader: a title each, months as YYYY-MM, columns in
    words with their units, shares and indices in %, money in ``ccy`` (times ``factor``), whole counts, the
    ways of getting an image in words; the model's bookkeeping column ``t`` left out."""
    import pandas as pd

    out = {}
    for name, df in market_frames(result, factor).items():
        title, words = MARKET_TABLE_WORDS[name]
        table = pd.DataFrame({"month": pd.to_datetime(df["month"]).dt.strftime("%Y-%m")})
        for col, (label, kind) in words.items():
            if col not in df.columns:
                continue
            values = df[col]
            if kind == "pct":
                values = (values * 100).round(1)
            elif kind == "money":
                values = values.round(2)
            elif kind == "count":
                values = values.round(0).astype("int64")
            elif kind == "days":
                values = values.round(1)
            elif kind == "option":
                values = values.map(lambda o: MARKET_OPTION_WORDS.get(o, o))
            table[label.format(ccy=ccy)] = values.to_numpy()
        out[title] = table
    return out


# --------------------------------------------------------------------------- the market, with its bands

MARKET_OPTION_WORDS = {"artist": "an artist", "artist_ai": "an artist using AI", "ai_self": "AI on their own",
                       "ai_retouch": "AI + a retoucher"}


def _curve(df: Any, metric: str, factor: float = 1.0, **where: Any) -> dict[str, Any] | None:
    """One metric of a MarketBands table as x, median, p5, p95 (money multiplied by `factor`)."""
    if df is None or not len(df):
        return None
    sel = df[df["metric"] == metric] if "metric" in df.columns else df
    for col, value in where.items():
        sel = sel[sel[col] == value]
    if not len(sel):
        return None
    return {"x": list(sel["month"]), "y": list(sel["p50"] * factor), "low": list(sel["p5"] * factor),
            "high": list(sel["p95"] * factor), "central": list(sel["central"] * factor)}


def market_band_charts(result: Any, bands: Any, ccy: str | None = None, factor: float = 1.0,
                       fx_source: str = "", scenario: str | None = None) -> list[Chart]:
    """The market's curves with their 90% bands (`MarketBands`: every input drawn, the whole market re-run per draw):
    artists against the no-AI level, how buyers get their images, who knows of and uses AI, the retoucher's price.

    Lines are each month's median over the draws, shaded the 5th-95th percentile; money in `ccy`; `scenario` names
    the scenario file in the captions (default: the path the simulation read)."""
    from artcost.dashboard.charts import band_lines

    ccy = ccy or result.currency
    src = (f"Market simulation of scenario {scenario or result.scenario_file}, {bands.draws:,} Monte Carlo draws of its "
           f"{len(bands.uncertain_inputs)} uncertain inputs (seed {bands.seed}), the whole market re-run for each; line: "
           "each month's median, shaded: 5th to 95th percentile.")
    axes = market_axis_notes(ccy)
    if ccy != result.currency:  # only the one chart in money says how it was converted
        axes["retoucher"] += f" Money converted {result.currency} to {ccy} at {factor:.4g} ({fx_source})."
    out = []

    series = []
    for metric, name in (("income_index", "artists' income"), ("commissions_index", "artists' commissions")):
        c = _curve(bands.artists, metric)
        if c:
            series.append({"name": name, **c})
    if series:
        out.append(band_lines(series, "Artists: income and commissions against a market without AI",
                              "% of the no-AI level", f"{src} {axes['artists']}", percent=True,
                              y_range=[0, max(1.05, max(max(s["high"]) for s in series) * 1.05)]))

    shares = getattr(bands, "shares_all", None)
    if shares is not None and len(shares):
        series = []
        for option, name in MARKET_OPTION_WORDS.items():
            sel = shares[shares["option"] == option]
            if len(sel):
                series.append({"name": name, "x": list(sel["month"]), "y": list(sel["p50"]), "low": list(sel["p5"]),
                               "high": list(sel["p95"])})
        out.append(band_lines(series, "How buyers get their images (share of all commissions)",
                              "share of commissions", f"{src} {axes['shares']}", percent=True, y_range=[0, 1]))

    series = []
    for table, metric, name in (("buyers", "awareness", "buyers who know of AI"),
                                ("artists", "artist_ai_adoption", "artists who have taken up AI"),
                                ("artists", "share_of_artist_work_with_ai", "artists' work done with AI")):
        c = _curve(getattr(bands, table, None), metric)
        if c:
            series.append({"name": name, **c})
    if series:
        out.append(band_lines(series, "Who knows of AI, and who uses it", "% of each group",
                              f"{src} {axes['adoption']}", percent=True, y_range=[0, 1]))

    price = _curve(bands.retouchers, "price", factor)
    cap = _curve(bands.retouchers, "price_cap", factor)
    if price and price["central"] and max(price["high"]) > 0:
        series = [{"name": "retoucher's price", **price}]
        notes = []
        if cap:  # the cap's own band would hide the price's: its median only
            series.append({"name": "its cap: the buyer's own AI cost per image", "dash": "dash",
                           **{k: v for k, v in cap.items() if k not in ("low", "high")}})
        p0, c0 = price["central"][0], (cap["central"][0] if cap else None)
        held = c0 is not None and abs(p0 - c0) <= 1e-9 * max(1.0, c0)
        why = ("the retoucher charges the cap: the buyer's own AI image costs no more" if held else
               f"the retoucher's asking price ({money(p0, ccy)}) is under the cap ({money(c0, ccy)}): a retoucher "
               "cannot charge more than the buyer would pay to make another AI image" if c0 is not None else "")
        flat = max(price["central"]) - min(price["central"]) <= 1e-9 * max(1.0, p0)
        if flat:
            why += "; flat because AI's cost per image is held at the scenario's figure (no cost decline a year)"
        if why:
            # wrapped to fit a half-width column; the axis leaves room for it above the band; placed a little inside
            # the plot (paper coordinates) on a white ground, so it never touches the y axis's numbers
            notes.append({"x": 0.02, "xref": "paper", "bgcolor": "rgba(255,255,255,0.9)",
                          "text": _wrap(why[0].upper() + why[1:] + ".", 56)})
        top = max(max(s.get("high") or s["y"]) for s in series)
        room = 1.0 + 0.17 * (notes[0]["text"].count("<br>") + 1) if notes else 1.2
        out.append(band_lines(series, f"The retoucher's price per image ({ccy})", f"{ccy} per retouched image",
                              f"{src} {axes['retoucher']}",
                              y_range=[0, top * (room + 0.05)],
                              notes=[{**n, "y": top * (room + 0.03), "yanchor": "top"} for n in notes]))
    return out


def market_axis_notes(ccy: str) -> dict[str, str]:
    """What each market chart's vertical axis means, one sentence per chart (its caption's last): the artists'
    chart is against a market without AI, the others are plain shares or money."""
    return {
        "artists": "100% = artists' income (or commissions) in the same month of a market without AI.",
        "shares": "Each line: the share of all images bought that month that buyers got that way; in each draw the "
                  "four add up to 100%.",
        "adoption": "Buyers who know of AI: % of all buyers; artists who have taken up AI: % of all artists; artists' "
                    "work done with AI: % of the images artists make.",
        "retoucher": f"The retoucher's price: {ccy} per image retouched; its cap: what the buyer's own AI image would "
                     "cost them instead.",
    }


def _wrap(text: str, width: int = 80) -> str:
    """A chart note broken into lines of about `width` characters (plotly does not wrap annotations)."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width))


def _band_at(bands: Any, table: str, metric: str, t: int) -> tuple[float, float, float, float]:
    """(central, p50, p5, p95) of one market curve in month t."""
    df = getattr(bands, table)
    row = df[(df["metric"] == metric) & (df["t"] == t)].iloc[0]
    return float(row["central"]), float(row["p50"]), float(row["p5"]), float(row["p95"])


def market_sentence(bands: Any) -> str:
    """Artists' income and commissions in the last simulated month against the no-AI level: each its median over
    the draws with its 90% band."""
    last = int(bands.artists["t"].max())
    month = str(bands.artists[bands.artists["t"] == last]["month"].iloc[0])[:7]
    _, inc, inc_lo, inc_hi = _band_at(bands, "artists", "income_index", last)
    _, com, com_lo, com_hi = _band_at(bands, "artists", "commissions_index", last)
    return (f"Artists: by {month} they typically earn {inc:.0%} of their no-AI income (90%: {inc_lo:.0%}–{inc_hi:.0%}) "
            f"and keep {com:.0%} of their commissions (90%: {com_lo:.0%}–{com_hi:.0%}).")


# --------------------------------------------------------------------------- the market's back-test


def backtest_rows(check: Any) -> list[dict[str, str]]:
    """The back-test (`model.market_check.MarketCheck`) as a reader's table: each published figure beside the model's
    median and 90% band at the same segment and months after the study's own release."""
    from artcost.model.market_check import band_text, curve_text, figure_text, horizon_text, verdict_text

    return [{"evidence": r.id, "place, date": f"{r.place}, {r.published}", "months after release": horizon_text(r),
             "segment: curve": curve_text(r), "published figure": figure_text(r.effect, r.kind),
             "model: median (90% band)": band_text(r), "verdict": verdict_text(r)} for r in check.rows]


def backtest_chart(check: Any) -> Chart:
    """Evidence against band, one line per compared figure: the model's 90% band as a bar, its median as a tick and
    the published figure as a dot (changes in %, differences in pp; the retoucher's price ratio is left out: another
    scale). Rows the model cannot meet are listed in the table, not drawn."""
    import plotly.graph_objects as go

    from artcost.dashboard.charts import _style

    rows = [r for r in check.rows if r.model is not None and r.kind != "price_ratio"]
    # a 235% rise would squash every other row: the axis is clipped at +100% and the dot drawn at the edge, labelled
    clip = lambda x: max(min(x * 100, 100.0), -100.0)  # noqa: E731
    names = [r.id for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=names, x=[clip(r.model.p95) - clip(r.model.p5) for r in rows],
                         base=[clip(r.model.p5) for r in rows], orientation="h", name="model: 90% band",
                         marker_color="rgba(0,114,178,0.35)"))
    fig.add_trace(go.Scatter(y=names, x=[clip(r.model.median) for r in rows], mode="markers", name="model: median",
                             marker=dict(symbol="line-ns-open", size=14, color="#0072B2")))
    fig.add_trace(go.Scatter(y=names, x=[clip(r.effect) for r in rows], mode="markers", name="published figure",
                             marker=dict(size=9, color=["#009E73" if r.verdict == "inside" else "#D55E00" for r in rows]),
                             text=[f"{r.effect:+.1%}" for r in rows], hoverinfo="text+y"))
    _style(fig, "Back-test: what studies found beside the model's band", height=max(380, 26 * len(rows) + 120))
    fig.update_xaxes(title="change against no AI, or share of artists for a survey (%; differential rows: pp); "
                           "clipped at ±100", range=[-105, 105])
    fig.update_yaxes(autorange="reversed")
    c = check.counts()
    caption = (f"{check.summary()}. Evidence table {check.evidence_file} (as of {check.evidence_as_of}); model: "
               f"{check.note()}. Green dot: inside the band, orange: outside. {c['not compared']} rows not drawn "
               "(no curve in the model, or a price ratio on another scale): see the table.")
    return Chart(fig, caption)
