"""Charts and tables from the uncertainty and market layers, for the dashboard and the report.

Pure functions: they take the layers' results (`MonteCarloResult`, tornado rows, a ratio grid,
a `MarketResult`) and return `Chart`s or plain rows.  Money is converted from the scenario's
currency with `factor` (1.0 keeps it).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from artcost.dashboard.charts import Chart, cdf, heatmap, histogram, money, tornado

TORNADO_OUTPUTS = {"per_usable_image": "AI cost per usable image", "ratio": "artist / AI cost per image"}


def mc_caption(mc: Any) -> str:
    return (
        f"Monte Carlo: {mc.draws:,} independent draws of {len(mc.sources)} uncertain inputs "
        f"(numpy default_rng seed {mc.seed}) through the cost model; scenario {mc.scenario_file or mc.scenario_name}. "
        "Each input's distribution and source: see the table of uncertain inputs."
    )


def mc_charts(mc: Any, ccy: str, factor: float = 1.0) -> list[Chart]:
    """Histogram of AI cost per usable image (P5/P50/P95 marked) and CDFs of AI and artist cost per image."""
    ai = mc.samples["ai_per_usable_image"] * factor
    artist = mc.samples["artist_per_image"] * factor
    p5, p50, p95 = np.percentile(ai, [5, 50, 95])
    hist = histogram(ai, ccy, "AI cost per usable image", mc_caption(mc), marks={"P5": p5, "median": p50, "P95": p95})
    both = cdf({"AI per usable image": ai, "artist per image": artist}, ccy, "AI vs artist per image", mc_caption(mc))
    return [hist, both]


def mc_rows(mc: Any, ccy: str, factor: float = 1.0) -> list[dict[str, str]]:
    """One row per output: central (deterministic), mean, median, P5, P95 — money converted."""
    summary = mc.summary()["outputs"]
    rows = []
    for name, s in summary.items():
        is_money = s["unit"] == mc.currency
        f = factor if is_money else 1.0
        unit = ccy if is_money else s["unit"]

        def fmt(x: float | None) -> str:
            if x is None:
                return ""
            return money(x * f, ccy) if is_money else f"{x:,.4g}"

        rows.append({"output": s["label"], "unit": unit, "central": fmt(s["deterministic"]), "mean": fmt(s["mean"]),
                     "median": fmt(s["median"]), "P5": fmt(s["p5"]), "P95": fmt(s["p95"])})
    return rows


def input_rows(mc: Any) -> list[dict[str, str]]:
    """Each uncertain input with its distribution (`DistSpec.describe`, as the simulation kept it) and source."""
    return [{"input": path, "distribution": mc.described[path], "source": mc.sources[path]} for path in mc.sources]


def tornado_chart(rows: Sequence[Mapping[str, Any]], output: str, ccy: str, factor: float = 1.0) -> Chart:
    """The sensitivity layer's tornado rows as a chart; money outputs converted with `factor`."""
    rows = [r for r in rows if r["swing"] > 0]  # inputs this output does not read (e.g. the market's) add nothing
    f = factor if output == "per_usable_image" else 1.0
    unit = ccy if output == "per_usable_image" else "x"
    bars = [{"name": r["param"], "low": r["output_low"] * f, "high": r["output_high"] * f} for r in rows]
    base = rows[0]["base"] * f if rows else 0.0
    caption = (
        "One input at a time at its 10th and 90th percentile, every other input at its central value "
        f"(artcost.model.sensitivity.tornado). Base: {base:,.4g} {unit}. Sources: "
        + "; ".join(f"{r['param']}: {r['source']}" for r in list(rows)[:3])
        + ("; the rest in the table of uncertain inputs below." if len(rows) > 3 else ".")
    )
    return tornado(bars, base, unit, TORNADO_OUTPUTS[output], caption)


def grid_chart(grid: Mapping[str, Any], caption: str) -> Chart:
    """The break-even heatmap: artist/AI ratio over two inputs, with the ratio = 1 contour."""
    import numpy as np

    crosses = bool(np.nanmin(grid["ratio"]) < 1 < np.nanmax(grid["ratio"]))
    where = "black line: break-even" if crosses else "no break-even in this range: AI is cheaper everywhere" \
        if np.nanmin(grid["ratio"]) >= 1 else "no break-even in this range: the artist is cheaper everywhere"
    title = f"Artist / AI cost ratio over {grid['x_param']} and {grid['y_param']} ({where})"
    return heatmap(grid["x"], grid["y"], grid["ratio"], grid["x_param"], grid["y_param"], title, caption)


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


def market_charts(result: Any, ccy: str | None = None, factor: float = 1.0, fx_source: str = "") -> list[Chart]:
    """Artists' income and commissions against the no-AI baseline, buyers' awareness, retouchers' market,
    and the buyers' choice of option over time (share of commissions, all segments).

    Money (the retouch price) is shown in `ccy`, converted from the scenario's currency with `factor`."""
    import pandas as pd

    from artcost.dashboard.charts import lines

    ccy = ccy or result.currency
    frames = market_frames(result, factor)
    src = (f"Market simulator (artcost.model.market) on {result.scenario_file}; its inputs and their sources are in the "
           "scenario's market section. Index 1 = the no-AI baseline.")
    if ccy != result.currency:
        src += f" Money converted {result.currency} to {ccy} at {factor:.4g} ({fx_source or 'artcost/data/exchange_rates.yaml'})."
    out = [
        lines(result.artists, "month", ["income_index", "commissions_index"], "Artists against the no-AI baseline",
              "index (1 = no-AI baseline)", src),
        lines(result.artists, "month", ["artist_ai_adoption", "share_of_artist_work_with_ai"],
              "Artists taking up AI (Bass diffusion)", "share (0..1)", src),
        lines(result.buyers, "month", ["awareness"], "Buyers who know the AI options", "share of buyers (0..1)", src),
        lines(frames["retouchers"], "month", ["price", "price_cap"], f"Retouch price per image ({ccy})",
              f"{ccy} per retouched image", src),
    ]
    m = result.monthly
    shares = m.groupby(["month", "option"], as_index=False)["commissions"].sum()
    wide = shares.pivot(index="month", columns="option", values="commissions").fillna(0.0)
    wide = wide.div(wide.sum(axis=1), axis=0).reset_index()
    out.append(lines(pd.DataFrame(wide), "month", [c for c in wide.columns if c != "month"],
                     "How buyers get their images (share of commissions)", "share of commissions (0..1)", src))
    return out
