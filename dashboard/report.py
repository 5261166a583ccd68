"""The stakeholder report: one self-contained HTML file that opens offline.

plotly.js is embedded inline once (with the first chart); nothing is fetched from the network:
no `<script src>`, no stylesheet links, no web fonts.  The report carries the headline, the
charts with their source captions, the itemised cost, every assumption with its source,
the benchmark provenance (device and date) and notes on the method.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any, Mapping, Sequence

import plotly.io as pio

from artcost import __version__ as ARTCOST_VERSION
from artcost.model.headline import headline, headline_note
from artcost.dashboard.charts import PLOTLY_CONFIG, Chart
from artcost.dashboard.state import figures_note, report_rows
from artcost.model.loader import LoadedScenario


METHOD_NOTES = [
    "AI cost of one job = compute (electricity at the wall and GPU depreciation per hour of use; or cloud GPU time "
    "billed per granularity; or the share of a subscription) + the operator's time at their wage (prompt tuning, "
    "learning amortised over jobs, screening every candidate, supervising runs) + retouching.",
    "Cost per usable image = job cost / usable images, where usable images = min(finals needed, candidates x "
    "acceptance rate). The chance that a job yields all its finals is binomial(candidates, acceptance rate).",
    "The artist's side is the quoted price per image plus paid revisions; delivery is the artist's lead time.",
    "Uncertain inputs carry distributions in the scenario. The headline is the median and 90% interval (5th to 95th "
    "percentile) of a seeded Monte Carlo that samples them all through the full model; the itemised cost, the charts "
    "and the assumptions table use each one's central value (mode for triangular/PERT, midpoint for uniform, mean "
    "for normal, median for lognormal), a point that sits below the median when the ranges are right-skewed.",
    "Money in other currencies is converted with one dated exchange-rate table (named under the charts).",
    "The formulas, with a worked example, are in docs/cost-model.md of the artcost repository.",
]

CSS = """
body { font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; color: #222; max-width: 1100px;
       margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
.headline { font-size: 1.3em; font-weight: 600; background: #eef5fb; border-left: 5px solid #0072B2;
            padding: 0.6em 0.9em; }
.caption { color: #555; font-size: 0.9em; margin: 0 0 1.6em 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; margin: 0.6em 0 1.2em 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; vertical-align: top; text-align: left; }
td.num { text-align: right; white-space: nowrap; } th { background: #f3f3f3; }
.warn { color: #8a4b00; } .meta { color: #555; }
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def chart_html(charts: Sequence[Chart]) -> str:
    """The charts as HTML divs; plotly.js inline with the first one only."""
    parts = []
    for i, chart in enumerate(charts):
        div = pio.to_html(chart.fig, full_html=False, include_plotlyjs=(i == 0), config=PLOTLY_CONFIG,
                          include_mathjax=False, div_id=f"chart-{i}")
        parts.append(f'<figure>{div}<figcaption class="caption">{_e(chart.caption)}</figcaption></figure>')
    return "\n".join(parts)


def build_report(
    r: Mapping[str, Any],
    loaded: LoadedScenario,
    charts: Sequence[Chart],
    bench_records: Sequence[Mapping[str, Any]] = (),
    sections: Sequence[tuple[str, str]] = (),
    generated: dt.datetime | None = None,
) -> str:
    """The report for one scenario as a complete HTML document (UTF-8 text).

    r: `comparison(loaded, currency)`; charts: figures to embed, in order; bench_records: benchmark
    records to cite (dicts with id, device, created/date, preset, seconds_per_image ...);
    sections: extra (title, already-escaped HTML) pairs, e.g. an uncertainty summary.
    """
    s = loaded.scenario
    ccy = r["currency"]
    generated = generated or dt.datetime.now().astimezone()
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>artcost report: {_e(s.meta.name)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(s.meta.name)}</h1>",
        f'<p class="meta">Scenario {_e(r["scenario"]["file"])}, figures as of {_e(r["scenario"]["as_of"])}; '
        f"money in {_e(ccy)}; report generated {_e(generated.strftime('%Y-%m-%d %H:%M %Z'))} by artcost {_e(ARTCOST_VERSION)}.</p>",
        f'<p class="headline">{_e(headline(dict(r)))}</p>',
        f'<p class="meta">{_e(headline_note(dict(r)))}</p>',
    ]
    if s.meta.description:
        out.append(f"<p>{_e(s.meta.description)}</p>")
    for w in r.get("warnings", []):
        out.append(f'<p class="warn">Warning: {_e(w)}</p>')

    out.append("<h2>Cost of one job, item by item</h2>")
    out.append(_table(["figure", "value", "share of job"], report_rows(dict(r)), numeric=(1, 2)))
    out.append(f'<p class="meta">{_e(figures_note([dict(r)]))}</p>')

    out.append("<h2>Charts</h2>")
    out.append(chart_html(charts))

    for title, body in sections:
        out.append(f"<h2>{_e(title)}</h2>{body}")

    out.append("<h2>Assumptions and their sources</h2>")
    out.append('<p class="meta">Central values (what the model uses); "~" marks a figure given as a distribution.</p>')
    arows = []
    quantities = s.cost_quantities()
    for path, info in r["inputs"].items():
        spec = quantities[path].dist if path in quantities else None
        dist = spec.describe() if spec is not None else ""
        arows.append((path, f"{info['value']:,.4g}" + (" ~" if info["uncertain"] else ""), info["unit"], dist, info["source"]))
    out.append(_table(["field", "value", "unit", "distribution", "source"], arows, numeric=(1,)))
    if s.meta.sources:
        out.append("<p>Sources named by the scenario:</p><ul>")
        for src in s.meta.sources:
            if isinstance(src, str):
                out.append(f"<li>{_e(src)}</li>")
            else:
                label = f"[{src.id}] " if src.id else ""
                url = f" ({src.url})" if src.url else ""  # plain text: the report links to nothing
                out.append(f"<li>{_e(label + src.title + url)}</li>")
        out.append("</ul>")
    if r.get("exchange_rate"):
        fx = r["exchange_rate"]
        out.append(f"<p>Exchange rate {_e(fx['from'])} to {_e(fx['to'])}: x{fx['factor']:.4g} ({_e(fx['source'])}).</p>")

    out.append("<h2>Benchmark provenance</h2>")
    out.append(f"<p>Generation speed (seconds per image) from: {_e(r['generation']['seconds_per_image_source'])}. "
               f"Device named by the scenario: {_e(r['scenario']['device'] or 'none')}.</p>")
    if bench_records:
        brows = [
            (b.get("id", ""), b.get("device", ""), b.get("created", b.get("date", "")), b.get("preset", ""),
             _num(b.get("seconds_per_image")), _num(b.get("joules_per_image")), b.get("energy_method", b.get("meter", "")))
            for b in bench_records
        ]
        out.append(_table(["record", "device", "date", "preset", "s/image", "J/image", "energy meter"], brows, numeric=(4, 5)))
    else:
        out.append("<p>No benchmark record is attached to this report: the speed is the scenario's stated figure.</p>")

    out.append("<h2>Method</h2><ul>" + "".join(f"<li>{_e(n)}</li>" for n in METHOD_NOTES) + "</ul>")
    out.append("</body></html>")
    return "\n".join(out)


def _num(x: Any) -> str:
    return "" if x is None else f"{float(x):,.4g}"


def report_for(
    loaded: LoadedScenario,
    currency: str | None = None,
    bench_records: Sequence[Mapping[str, Any]] = (),
    draws: int = 20_000,
    seed: int = 0,
    generated: dt.datetime | None = None,
) -> tuple[str, str]:
    """The report of one scenario and a file name for it: (html, name).

    Adds the Monte Carlo summary and charts when the uncertainty layer is installed.
    """
    from artcost.dashboard import analysis, charts
    from artcost.model.comparison import comparison
    from artcost.model.currency import rate_table_for

    r = comparison(loaded, currency)
    figs = [charts.cost_waterfall(r), charts.ai_vs_artist(r), charts.delivery(r)]
    sections: list[tuple[str, str]] = []
    try:
        from artcost.model.uncertainty import simulate
    except ImportError:
        simulate = None
    if simulate is not None and any(q.uncertain for q in loaded.scenario.cost_quantities().values()):
        own = loaded.scenario.meta.currency
        factor = rate_table_for(loaded).factor(own, r["currency"])  # the scenario's year, as the tables
        mc = simulate(loaded, draws, seed)
        p = mc.probabilities()
        rows = analysis.mc_rows(mc, r["currency"], factor)
        body = (f"<p>{_e(mc.summary()['note'])}. AI is cheaper than the artist in {p['ai_cheaper']:.1%} of draws; "
                f"the artist costs 100x or more in {p['ratio_ge_100']:.1%}.</p>"
                + _table(list(rows[0]), [list(x.values()) for x in rows], numeric=(2, 3, 4, 5, 6)))
        sections.append(("Uncertainty (Monte Carlo)", body))
        figs += analysis.mc_charts(mc, r["currency"], factor)
    generated = generated or dt.datetime.now().astimezone()
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in loaded.path.rsplit("/", 1)[-1].removesuffix(".yaml"))
    name = f"artcost-report-{stem}-{generated.strftime('%Y%m%d-%H%M')}.html"
    return build_report(r, loaded, figs, bench_records, sections, generated), name
