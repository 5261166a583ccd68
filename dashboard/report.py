"""The stakeholder report: one self-contained HTML file that opens offline, a PDF of it, and a one-page
presenter sheet.  Library functions only (text in, text or files out); `artcost report` and the
dashboard's Report and Presenter pages call them.

The report stands alone: every figure it shows, and every assumption with its source quoted in full;
nothing it says sends the reader to a file, a page or a program they do not have.  Its charts are static
SVG drawn when it is written (`figure_svg`, `svg`): no script, no stylesheet links, no web fonts.

Sections (each with an id, so the sources table and the dashboard can link to them):
  headline    the Monte Carlo median and 90% interval (model/headline.py), the key chart
  findings    one sentence per finding (also the presenter sheet)
  routes      every way to get the image (model/routes.py): own, rent, API, subscription, the artist
  cost        the itemised cost of one job
  delivery    how long each side takes, with its spread
  uncertainty the Monte Carlo summary, the spread of AI's cost, what moves it
  breakeven   where AI and the artist cost the same
  market      what it does to artists (when the scenario has a market section)
  benchmark   where the generation speed comes from
  sources     every assumption, its value, distribution and source; the scenario's own source list
  method      how the numbers are made
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from artcost import __version__ as ARTCOST_VERSION
from artcost.dashboard import sources, svg
from artcost.dashboard.charts import Chart
from artcost.dashboard.state import figures_note, report_rows
from artcost.errors import UserError
from artcost.outputs import Output, Protected, write_output
from artcost.model.comparison import field_label, field_unit
from artcost.model.headline import Headline, headline
from artcost.model.loader import LoadedScenario
from artcost.units import duration, money, money_approx, signed_money_approx

CHART_WIDTH = 700  # px: fits an A4 page with 12 mm margins (186 mm), so the PDF prints every chart whole
MARKET_DRAWS = 1_000  # the market's bands: model.market.DEFAULT_DRAWS, as `artcost market` (about a second)

METHOD_NOTES = [
    "AI cost of one job = compute (electricity at the wall and GPU depreciation per hour of use; or cloud GPU time "
    "billed per granularity; or the share of a subscription) + the operator's time at their wage (prompt tuning, "
    "learning amortised over jobs, screening every candidate, supervising runs) + retouching.",
    "Cost per usable image = job cost / usable images, where usable images = min(finals needed, candidates x "
    "acceptance rate). The chance that a job yields all its finals is binomial(candidates, acceptance rate).",
    "The artist's side is the quoted price per image plus paid revisions; delivery is the artist's lead time.",
    "Uncertain inputs carry distributions in the scenario. The headline is the median and 90% interval (5th to 95th "
    "percentile) of a seeded Monte Carlo that samples them all through the full model; the itemised cost and the "
    "table of sources use each one's central value (mode for triangular/PERT, midpoint for uniform, mean for normal, "
    "median for lognormal), a point that sits below the median when the ranges are right-skewed.",
    "Money in other currencies is converted with one dated exchange-rate table, at the scenario's year (named where "
    "it is used).",
    "The market: buyers in low, mid and high-end segments learn of AI along a Bass diffusion curve and choose among an "
    "artist, AI on their own, AI plus a retoucher and an artist using AI by a multinomial logit on price, delivery "
    "time and quality shortfall; artists' prices settle on the demand left, never below their cost of living. Its "
    "bands redo the whole simulation for each Monte Carlo draw of the inputs.",
]

CSS = """
body { font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; color: #222; max-width: 1000px;
       margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
h3 { margin: 1.2em 0 0.3em 0; font-size: 1.05em; }
.headline { font-size: 1.3em; font-weight: 600; background: #eef5fb; border-left: 5px solid #0072B2;
            padding: 0.6em 0.9em; }
.caption { color: #555; font-size: 0.9em; margin: 0.2em 0 1.6em 0; }
figure { margin: 0.8em 0; }
table.plain { border-collapse: collapse; width: 100%; font-size: 0.92em; margin: 0.6em 0 1.2em 0; }
table.plain th, table.plain td { border: 1px solid #ddd; padding: 4px 8px; vertical-align: top; text-align: left;
  overflow-wrap: break-word; }
table.plain td.num { text-align: right; white-space: nowrap; } table.plain th { background: #f3f3f3; }
table.plain.narrow { width: auto; min-width: 60%; }
ol.findings li, ul.findings li { margin: 0.35em 0; }
.warn { color: #8a4b00; } .meta { color: #555; } a { color: #0060a0; }
nav.toc { font-size: 0.92em; color: #555; } nav.toc a { margin-right: 0.8em; }
.appendix-title { margin-top: 2.5em; font-size: 1.25em; font-weight: 600; color: #555; }
@page { size: A4; margin: 12mm 12mm 14mm 12mm;
        @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 9pt; color: #555; } }
.print-only { display: none; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  a.more { display: none; } .print-only { display: inline; }
  h2 { break-after: avoid; page-break-after: avoid; } h3 { break-after: avoid; }
  figure, tr, .headline, svg { break-inside: avoid; page-break-inside: avoid; }
  nav.toc { display: none; } a { color: #222; text-decoration: none; }
  .appendix { break-before: page; page-break-before: always; }
}
"""

PRESENTER_CSS = """
body { font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; color: #222; max-width: 820px;
       margin: 1.2em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.35em; margin: 0 0 0.2em 0; } .meta { color: #555; font-size: 0.85em; margin: 0 0 0.6em 0; }
.headline { font-size: 1.18em; font-weight: 600; background: #eef5fb; border-left: 5px solid #0072B2;
            padding: 0.5em 0.8em; margin: 0.4em 0 0.6em 0; }
ul.findings { padding-left: 1.2em; margin: 0.5em 0; } ul.findings li { margin: 0.3em 0; }
.caption { color: #555; font-size: 0.8em; margin: 0.1em 0 0.5em 0; }
@page { size: A4; margin: 12mm; }
@media print { body { margin: 0; padding: 0; max-width: none; font-size: 9pt; } }
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: Sequence[int] = (), narrow: bool = False) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{_e(c)}</td>' if i in numeric and len(str(c)) <= 32 else f"<td>{_e(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f'<table class="plain{" narrow" if narrow else ""}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


SOURCES_LINK = f'<a href="#sources">&quot;{sources.SOURCES_TITLE}&quot;</a>'


def linked_sections(text_html: str) -> str:
    """Escaped text with each mention of the sources section ("Where each figure comes from", as captions name
    it) made a link to it: the name reads the same on paper, the link works on screen."""
    return text_html.replace(f"&quot;{sources.SOURCES_TITLE}&quot;", SOURCES_LINK)


def _link(path: str) -> str:
    """An input's name in words, linked to its row under 'Where each figure comes from'."""
    return f'<a href="#{_e(sources.anchor(path))}">{_e(field_label(path))}</a>'


class _Charts:
    """The report's charts as static SVG (`figure_svg`), every chart CHART_WIDTH wide: no plotly.js, no script,
    so the report is small (issue #29: 5.4 MB with plotly.js inline), opens offline and prints as it shows."""

    def __init__(self) -> None:
        self.count = 0
        self.titles: list[str] = []

    def html(self, chart: Chart) -> str:
        from artcost.dashboard.figure_svg import figure_svg

        drawn = figure_svg(chart.fig, CHART_WIDTH, label=f"chart-{self.count}")
        self.count += 1
        self.titles.append(chart.title)
        return f'<figure>{drawn}<figcaption class="caption">{linked_sections(_e(chart.caption))}</figcaption></figure>'


# --------------------------------------------------------------------------- what the report knows


@dataclass
class Facts:
    """Everything the report and the presenter sheet say about one scenario, computed once."""

    loaded: LoadedScenario
    r: dict[str, Any]  # comparison(loaded, currency)
    factor: float  # the scenario's currency -> r["currency"], at the scenario's year
    rate_label: str
    mc: Any = None  # uncertainty.MonteCarloResult, or None without uncertain inputs
    tornado: list[dict[str, Any]] = field(default_factory=list)
    breakevens: dict[str, dict[str, Any]] = field(default_factory=dict)
    grid: dict[str, Any] | None = None
    market: Any = None  # MarketResult
    bands: Any = None  # MarketBands
    market_check: Any = None  # MarketCheck: the back-test of the same draws (its verdict goes with every market claim)
    market_problem: str = ""
    routes: dict[str, Any] | None = None  # model.routes.RoutesResult.to_dict(currency)
    routes_problem: str = ""

    @property
    def headline(self) -> Headline:
        return Headline.from_dict(self.r["headline"])

    @property
    def own(self) -> str:
        return self.loaded.scenario.meta.currency

    def delivery_spreads(self) -> dict[str, dict[str, float]] | None:
        if self.mc is None:
            return None
        return {side: dict(zip(("p5", "median", "p95"),
                               map(float, np.percentile(self.mc.samples[f"{side}_delivery_hours"], [5, 50, 95]))))
                for side in ("ai", "artist")}


BREAKEVEN_INPUTS = ("artist.price_per_image", "human.wage_per_hour")


def facts(loaded: LoadedScenario, currency: str | None = None, draws: int = 20_000, seed: int = 0,
          market_draws: int = MARKET_DRAWS) -> Facts:
    """Run what the report shows: the comparison, its Monte Carlo, the tornado, break-even and the market."""
    from artcost.model.breakeven import axis_values, breakeven, ratio_grid
    from artcost.model.comparison import comparison
    from artcost.model.currency import rate_table_for
    from artcost.model.sensitivity import tornado
    from artcost.model.uncertainty import simulate

    r = comparison(loaded, currency)
    # the report names the scenario by its file name: where the file lay on the machine that wrote it is no news
    r["scenario"]["file"] = Path(loaded.path).name if not loaded.path.startswith("upload:") else loaded.path
    # ... and it is named once, at the top: the speed's source is quoted without it (as in the sources table)
    r["generation"]["seconds_per_image_source"] = sources.source_text(r["generation"]["seconds_per_image_source"])
    table = rate_table_for(loaded)
    f = Facts(loaded=loaded, r=r, factor=table.factor(loaded.scenario.meta.currency, r["currency"]),
              rate_label=table.label)
    quantities = loaded.scenario.cost_quantities()
    if any(q.uncertain for q in quantities.values()):
        f.mc = simulate(loaded, draws, seed)
        f.tornado = [row for row in tornado(loaded, "per_usable_image") if row["swing"] > 0]
    for path in BREAKEVEN_INPUTS:
        if path in quantities:
            f.breakevens[path] = breakeven(loaded, path).to_dict()
    if all(p in quantities for p in BREAKEVEN_INPUTS):
        x, y = BREAKEVEN_INPUTS
        f.grid = ratio_grid(loaded, x, axis_values(loaded, x, None, None, 40), y, axis_values(loaded, y, None, None, 40))
    f.routes, f.routes_problem = routes_of(loaded, r["currency"])
    if loaded.scenario.market is not None:  # the market's assumptions join the sources table (the cost's are there)
        r["inputs"].update(market_inputs(loaded, r["currency"], f.factor))
    if loaded.scenario.market is not None:
        from artcost.model.market import bands_of, run_draws, simulate_market
        from artcost.model.market_check import check_draws

        try:
            f.market = simulate_market(loaded)
            d = run_draws(loaded, market_draws, seed)
            f.bands, f.market_check = bands_of(d), check_draws(d)
        except UserError as exc:
            f.market_problem = " ".join(exc.problems)
    return f


def market_inputs(loaded: LoadedScenario, currency: str | None = None, factor: float = 1.0) -> dict[str, dict[str, Any]]:
    """The market section's inputs as `comparison`'s `inputs` lists the cost's: {path: {'value' (central),
    'unit', 'label', 'source', 'uncertain'}}, money in `currency` (the scenario's times `factor`; default its own)."""
    from artcost.dashboard.analysis import input_in

    own = loaded.scenario.meta.currency
    out = {}
    for path, q in loaded.scenario.quantities().items():
        if path.startswith("market."):
            value, unit = input_in(path, float(q.central), own, currency, factor)
            out[path] = {"value": value, "unit": unit, "label": field_label(path), "source": loaded.source_of(path),
                         "uncertain": bool(q.uncertain)}
    return out


def routes_of(loaded: LoadedScenario, currency: str) -> tuple[dict[str, Any] | None, str]:
    """Every route to the scenario's image (`model.routes`), money in `currency`: (its to_dict, "") or (None, why not).

    The routes model needs the shipped price tables; a scenario it cannot price (or an installation without it)
    leaves the report without that section, said so, never without a report."""
    try:
        from artcost.model.routes import routes_for
    except ImportError as exc:
        return None, f"the routes model is not available in this installation ({exc})"
    try:
        d = routes_for(loaded.path, base=loaded).to_dict(currency)
    except UserError as exc:
        return None, " ".join(exc.problems)
    name = Path(loaded.path).name if not loaded.path.startswith("upload:") else loaded.path
    d["scenario"]["file"] = name
    # its sources quote the scenario by the path it was read from: the report names the file once, at the top
    # (as the sources table does), and elsewhere by its name only
    return _reworded(_renamed(_renamed(d, f"{loaded.path}: ", ""), loaded.path, name)), ""


# What the routes model leaves for its caller to say (the command line names its flags there): a report's reader has
# neither flags nor the full price table, so the report says what it means instead.
_ROUTE_PHRASES = (
    (re.compile(r" \(all \d+ rows on request\)"), ""),
    (re.compile(r"the scenario gives no job\.jobs_per_month; give one to change it"),
     "the scenario does not say how many jobs a month"),
    (re.compile(r"^to price it, give (\S+) "), lambda m: f"to price it, the scenario would need its {field_label(m.group(1))} "),
    (re.compile(r"; give one to change it"), ""),
)
_SECTION_WORDS = {"compute.owned": "GPU figures", "compute.cloud": "cloud figures",
                  "compute.subscription": "subscription figures"}
_FIELD_PATH = re.compile(r"\b(?:job|generation|compute|human|artist|market)(?:\.[a-z_]+)+\b")


def reader_words(text: str) -> str:
    """A routes note or source in words a report's reader can use: no request or command-line instruction
    they cannot act on, and every scenario field (`job.jobs_per_month`) by its name in words."""
    from artcost.model.comparison import FIELD_LABELS

    for pattern, new in _ROUTE_PHRASES:
        text = pattern.sub(new, text)

    def word(m: re.Match) -> str:
        path = m.group(0)
        if path in FIELD_LABELS or path.startswith("market.segments."):
            return field_label(path)
        return _SECTION_WORDS.get(path, path)

    return _FIELD_PATH.sub(word, text)


def _reworded(obj: Any) -> Any:
    """`obj` (plain data) with `reader_words` applied to every string inside it."""
    if isinstance(obj, str):
        return reader_words(obj)
    if isinstance(obj, dict):
        return {k: _reworded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_reworded(v) for v in obj]
    return obj


def _renamed(obj: Any, old: str, new: str) -> Any:
    """`obj` (plain data) with every `old` inside its strings replaced by `new`."""
    if isinstance(obj, str):
        return obj.replace(old, new)
    if isinstance(obj, dict):
        return {k: _renamed(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_renamed(v, old, new) for v in obj]
    return obj


# --------------------------------------------------------------------------- findings: one sentence each


def _cost_split(r: Mapping[str, Any]) -> str:
    from artcost.model import costs

    b, total = r["breakdown"], r["breakdown"]["total"]
    if not total:
        return ""
    human = sum(b[k] for k in costs.HUMAN_ITEMS if k in b)
    top = max(costs.ITEMS, key=lambda k: b.get(k, 0.0))
    words = {"retouching": "retouching", "screening": "screening the candidates", "prompt_tuning": "prompt tuning",
             "learning": "learning the tool", "supervision": "watching the runs", "electricity": "electricity",
             "hardware": "the GPU's depreciation", "cloud": "cloud GPU time", "subscription": "the subscription",
             "api": "the API's charge"}
    compute = total - human
    ccy = r["currency"]
    return (f"Where AI's cost goes: people's time (the operator's and the retoucher's) is {human / total:.0%} of it, "
            f"the largest item {words.get(top, top)} ({b[top] / total:.0%}); the machine "
            f"({money(compute / r['usable_images'], ccy)} per usable image) is {compute / total:.1%}.")


def findings(fx: Facts) -> list[tuple[str, str]]:
    """The report's findings, one sentence each, with the section that shows each: [(anchor, sentence)]."""
    r = fx.r
    ccy = r["currency"]
    out: list[tuple[str, str]] = []
    out += routes_findings(fx)
    split = _cost_split(r)
    if split:
        out.append(("cost", split))
    if fx.mc is not None:
        p = fx.mc.probabilities()
        out.append(("uncertainty", f"How sure: AI is cheaper than the artist in {p['ai_cheaper']:.1%} of "
                                   f"{fx.mc.draws:,} draws of the uncertain inputs, and the artist costs 100 times AI "
                                   f"or more in {p['ratio_ge_100']:.0%} of them."))
    if fx.tornado:
        from artcost.dashboard.analysis import input_range_text

        t = fx.tornado[0]
        out.append(("uncertainty",
                    f"What moves it most: the {field_label(t['param'])} ({input_range_text(t, fx.own, ccy, fx.factor)}) moves AI's cost per usable image from "
                    f"{money(t['output_low'] * fx.factor, ccy)} to {money(t['output_high'] * fx.factor, ccy)}."))
    be = fx.breakevens.get("artist.price_per_image")
    if be:
        now = money(be["central"] * fx.factor, ccy)
        if be.get("roots"):
            out.append(("breakeven", f"Break-even: AI would cost as much as the artist only if the artist charged "
                                     f"{money(be['roots'][0] * fx.factor, ccy)} an image (the scenario's artist: {now})."))
        else:
            cheaper = "AI" if be["ai_at_central"] < be["artist_at_central"] else "the artist"
            out.append(("breakeven", f"Break-even: none for any artist's price from {money(be['lo'] * fx.factor, ccy)} "
                                     f"to {money(be['hi'] * fx.factor, ccy)}: {cheaper} stays cheaper."))
    sp = fx.delivery_spreads()
    d = r["delivery"]
    ai_h, art_h = (sp["ai"]["median"], sp["artist"]["median"]) if sp else (d["ai_hours"], d["artist_hours"])
    from artcost.dashboard.charts import delivery_phrase

    out.append(("delivery", f"Delivery: AI typically takes {duration(ai_h)}, the artist {duration(art_h)} "
                            f"({delivery_phrase(ai_h, art_h)}); the artist is free in time in "
                            f"{r['artist']['availability_probability']:.0%} of cases."))
    if fx.bands is not None:
        out.append(("market", market_sentence(fx)))
    return out


def _priced_routes(d: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [x for x in d["routes"] if x.get("cost_per_usable_image") and x["cost_per_usable_image"].get("median") is not None]


def _spread_text(c: Mapping[str, Any], ccy: str) -> str:
    """A Monte Carlo median with its 90% interval, to two significant figures as the headline writes them."""
    if c["p5"] is None or c["p95"] is None or c["p5"] == c["p95"]:
        return money(c["median"], ccy)
    return f"{money_approx(c['median'], ccy)} (90%: {money_approx(c['p5'], '')}–{money_approx(c['p95'], ccy)})"


def routes_findings(fx: Facts) -> list[tuple[str, str]]:
    """The routes in a sentence or two: the cheapest way, where the scenario's own way ranks, and the volume
    above which buying a GPU beats renting one."""
    d = fx.routes
    if not d:
        return []
    ccy = d["currency"]
    priced = _priced_routes(d)
    machines = [x for x in priced if x["kind"] != "artist"]
    if not machines:
        return []
    best = machines[0]
    if d.get("findings"):  # the paired comparison's own words: ties called ties (model.routes)
        out = list(d["findings"])
    else:
        out = [f"Cheapest way: {best['name']}, typically {_spread_text(best['cost_per_usable_image'], ccy)} per usable "
               f"image, of {len(priced)} ways priced"]
        own = next((x for x in priced if x["kind"] == "scenario"), None)
        if own is not None and own is not best:
            out[0] += (f"; the scenario's own way ranks {own['rank']} "
                       f"({money_approx(own['cost_per_usable_image']['median'], ccy)})")
        out[0] += "."
    rent = [c for c in d.get("breakeven", []) if c["rival"].startswith("rent:") and c["own"].split(":", 1)[-1] ==
            c["rival"].split(":", 1)[-1]]
    above = [c for c in rent if c["verdict"] == "above"]
    if above:
        count = count_text
        c = min(above, key=lambda c: c["jobs_per_month"])
        gpu = c["own_name"].removeprefix("own ")
        out.append(f"Buying {gpu} beats renting it above {count(c['jobs_per_month'])} jobs a month "
                   f"({count(c['images_per_month'])} usable images); the scenario has {count(d['jobs_per_month'])} "
                   f"{'job' if d['jobs_per_month'] == 1 else 'jobs'} a month.")
    return [("routes", text) for text in out]


def market_sentence(fx: Facts) -> str:
    """Artists' income and commissions in the last simulated month against the no-AI baseline, median and band,
    with the back-test's verdict (the claim never travels without it)."""
    from artcost.dashboard.analysis import market_sentence as words

    verdict = f" {fx.market_check.verdict_line()[0].upper()}{fx.market_check.verdict_line()[1:]}." \
        if fx.market_check is not None else ""
    return words(fx.bands) + verdict


def headline_note(fx: Facts) -> str:
    """How the headline was made, in the report's own words (no command the reader cannot run)."""
    h = fx.headline
    if h.is_point:
        return "Every input is a single number, so the headline is the model's point figure; there is no spread to show."
    return (f"Medians and 90% intervals (5th to 95th percentile) of {h.draws:,} Monte Carlo draws of the "
            f"{h.uncertain_inputs} uncertain inputs (seed {h.seed}); each figure is its own median, so the ratio is the "
            f"typical draw's ratio, not one median over the other. For comparison, {h.point_sentence()}.")


# --------------------------------------------------------------------------- the report


def _market_section(fx: Facts, charts: _Charts) -> str:
    from artcost.dashboard import analysis

    if fx.market_problem:
        return f'<p class="warn">The market simulation could not run: {_e(fx.market_problem)}</p>'
    body = [f"<p>{_e(market_sentence(fx))}</p>"]
    for chart in analysis.market_band_charts(fx.market, fx.bands, fx.r["currency"], fx.factor, fx.rate_label,
                                              fx.r["scenario"]["file"]):
        body.append(charts.html(chart))
    return "".join(body)


def _quoted(source: str) -> str:
    """A route's source as the table quotes it: whole, without the name of the data file it was read from
    (a file the reader does not have; the source it quotes is named after it)."""
    return sources.source_text(source)


def _routes_section(fx: Facts) -> str:
    """The ways compared, for the short report: the chart, its caption, and when buying a GPU pays; the table of
    every way with its paired difference and notes is in the appendix (`_routes_detail`)."""
    if fx.routes is None:
        return f'<p class="warn">The ways of getting the image could not be compared: {_e(fx.routes_problem)}</p>'
    d = fx.routes
    body = [f"<figure>{svg.routes_chart(d)}<figcaption class=\"caption\">{_e(svg.routes_caption(d))}</figcaption></figure>"]
    if d.get("breakeven"):
        body.append(f"<h3>Buying a GPU for the work, against the alternatives</h3><p>At {_e(count_text(d['jobs_per_month']))} "
                    f"{'job' if d['jobs_per_month'] == 1 else 'jobs'} a month ({_e(d['jobs_per_month_source'])}); the volume at which owning starts to pay:</p>"
                    '<ul class="findings">' + "".join(f"<li>{_e(c['sentence'])}</li>" for c in d["breakeven"]) + "</ul>")
    body.append(f'<p class="meta">Every way in a table, with its paired difference to the scenario\'s way: '
                f'<a href="#routes-detail">{_e(dict(SECTIONS)["routes-detail"])}</a>.</p>')
    return "".join(body)


def _routes_detail(fx: Facts) -> str:
    """Every way in a table (appendix): cost, paired difference, delivery, energy; the tie rule and the notes."""
    d = fx.routes
    ccy = d["currency"]
    rows = []
    for x in d["routes"]:
        c = x.get("cost_per_usable_image")
        energy = (x.get("carbon") or {}).get("energy_kwh_per_usable_image")
        v = x.get("vs_scenario")
        rows.append((x.get("rank_label") or x["rank"] or "–", x["name"], _spread_text(c, ccy) if c and c.get("median") is not None
                     else f"not priced: {x.get('unpriced_because') or 'no price'}",
                     "reference" if x["kind"] == "scenario" else "—" if v is None else
                     f"{signed_money_approx(v['median'])} ({signed_money_approx(v['p5'])} to {signed_money_approx(v['p95'])})",
                     duration(x["delivery_hours"]) if x.get("delivery_hours") is not None else "",
                     f"{energy * 1000:,.3g} Wh" if energy else "not known"))
    body = [_table(["rank", "way", f"cost per usable image ({ccy})", "vs the scenario's way (paired)", "delivery",
                    "energy per usable image"], rows, numeric=(0, 3, 4, 5))]
    if d.get("tie_rule"):
        body.append(f'<p class="meta">\'=\' before a rank marks a tie: {_e(d["tie_rule"])}.</p>')
    body.append('<p class="meta">Where each way\'s speed, price and energy come from: '
                f'<a href="#routes-sources">under "{sources.SOURCES_TITLE}"</a>.</p>')
    extra = [*d.get("notes", []), *(f"left out: {x}" for x in d.get("skipped", []))]
    if extra:
        body.append('<p class="meta">' + " ".join(_e(n[0].upper() + n[1:] + ("" if n.endswith(".") else ".")) for n in extra)
                    + f" Grid: {_e(d['grid']['g_co2e_per_kwh'])} g CO2e per kWh ({_e(d['grid']['source'])}).</p>")
    return "".join(body)


def _routes_sources(fx: Facts) -> str:
    """Each route's sources quoted whole (speed, price, energy, notes), for the sources section."""
    d = fx.routes
    if not d:
        return ""
    body = ['<h3 id="routes-sources">Each way to get the image</h3><ul class="sources-list">']
    for x in d["routes"]:
        notes = "".join(f"; {_e(n)}" for n in x.get("notes") or [])
        energy = (x.get("carbon") or {}).get("energy_source")
        body.append(f"<li><b>{_e(x['name'])}</b>: speed from {_e(_quoted(x['speed_source']))}; price from "
                    f"{_e(_quoted(x['price_source']))}" + (f"; energy: {_e(_quoted(energy))}" if energy else "")
                    + f"{notes}.</li>")
    body.append("</ul>")
    return "".join(body)


def count_text(x: float) -> str:
    """A volume as people say it: '1,220', '85.7', '8.04', '0.35'."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}" if x >= 1 else f"{x:.2g}"


def _uncertainty_section(fx: Facts, charts: _Charts) -> str:
    from artcost.dashboard import analysis

    ccy = fx.r["currency"]
    mc = fx.mc
    p = mc.probabilities()
    rows = analysis.mc_rows(mc, ccy, fx.factor)
    body = [f"<p>{_e(mc.summary()['note'])}. AI is cheaper than the artist in {p['ai_cheaper']:.1%} of draws; the "
            f"artist costs 100 times AI or more in {p['ratio_ge_100']:.1%}.</p>",
            _table(list(rows[0]), [list(x.values()) for x in rows], numeric=(2, 3, 4, 5, 6))]
    hist, _ = analysis.mc_charts(mc, ccy, fx.factor, fx.r["scenario"]["file"])
    body.append(charts.html(hist))
    if fx.tornado:
        body.append("<h3>What moves the answer</h3>")
        body.append(charts.html(analysis.tornado_chart(fx.tornado, "per_usable_image", ccy, fx.factor, fx.own)))
    return "".join(body)


def _breakeven_section(fx: Facts, charts: _Charts) -> str:
    from artcost.dashboard import analysis

    body = []
    for path, be in fx.breakevens.items():
        words = analysis.breakeven_words(be, fx.r["currency"], fx.factor)
        body.append(f"<p>{_e(words)} <span class=\"meta\">(source: {_link(path)})</span></p>")
    if fx.grid is not None:
        x, y = BREAKEVEN_INPUTS
        caption = (f"The cost model with every other input at its central value; each axis spans its input's 5th to "
                   f"95th percentile if uncertain, else half to twice its value; money in {fx.r['currency']}.")
        body.append(charts.html(analysis.grid_chart(fx.grid, caption, fx.own, fx.r["currency"], fx.factor)))
    return "".join(body) or "<p>No input to vary.</p>"


def _benchmark_section(fx: Facts, bench_records: Sequence[Mapping[str, Any]]) -> str:
    r = fx.r
    speed = r["generation"]["seconds_per_image_source"]  # without the file name (facts)
    out = [f"<p>Generation speed (seconds per image) from: {_e(speed)}. "
           f"Device named by the scenario: {_e(r['scenario']['device'] or 'none')}.</p>"]
    if bench_records:
        brows = [
            (b.get("id", ""), b.get("device", ""), b.get("created", b.get("date", "")), b.get("preset", ""),
             _num(b.get("seconds_per_image")), _num(b.get("joules_per_image")) or "not measured",
             b.get("energy_method", b.get("meter", "")) or "none")
            for b in bench_records
        ]
        out.append(_table(["record", "device", "date", "preset", "seconds per image", "joules per image",
                           "energy meter"], brows, numeric=(4, 5)))
    else:
        out.append("<p>No benchmark record is attached to this report: the speed is the scenario's stated figure.</p>")
    return "".join(out)


def _sources_section(fx: Facts) -> str:
    r, s = fx.r, fx.loaded.scenario
    dists = input_dists(fx)
    out = [f'<p class="meta">{_e(sources.intro(r))}</p>', sources.sources_table(r, dists, paths=False),
           _routes_sources(fx)]
    if s.meta.sources:
        out.append("<h3>Sources the scenario lists</h3><ul>")
        for src in s.meta.sources:
            if isinstance(src, str):
                out.append(f"<li>{_e(src)}</li>")
            else:
                label = f"[{src.id}] " if src.id else ""
                url = f" ({src.url})" if src.url else ""  # plain text: the report links to nothing outside itself
                out.append(f"<li>{_e(label + src.title + url)}</li>")
        out.append("</ul>")
    if r.get("exchange_rate"):
        e = r["exchange_rate"]
        out.append(f"<p>Exchange rate {_e(e['from'])} to {_e(e['to'])}: x{e['factor']:.4g} ({_e(e['source'])}).</p>")
    return "".join(out)


def input_dists(fx: Facts) -> dict[str, str]:
    """Each uncertain input's distribution in one line, a money input's values in the report's currency."""
    from artcost.dashboard.analysis import input_in, scaled_describe

    own, ccy = fx.own, fx.r["currency"]
    out = {}
    for path, q in fx.loaded.scenario.quantities().items():
        if q.uncertain:
            converted = input_in(path, 1.0, own, ccy, fx.factor)[1] != field_unit(path, own)
            out[path] = scaled_describe(q.dist, fx.factor if converted else 1.0)
    return out


def _num(x: Any) -> str:
    return "" if x is None else f"{float(x):,.4g}"


SECTIONS = (("headline", "The answer"), ("findings", "Findings"), ("routes", "Every way to get the image"),
            ("cost", "Cost of one job, item by item"),
            ("delivery", "Delivery time"), ("uncertainty", "How sure: uncertainty"),
            ("breakeven", "Where AI and the artist break even"), ("market", "What it does to artists: the market"),
            # the appendix: the tables and sources behind the findings, after the short report (issue #28: 21
            # pages read as one, the last five dense citations)
            ("routes-detail", "Appendix A: every way, in a table"), ("cost-detail", "Appendix B: the cost table"),
            ("benchmark", "Appendix C: benchmark provenance"), ("sources", sources.SOURCES_TITLE),
            ("method", "Method"))
APPENDIX = ("routes-detail", "cost-detail", "benchmark", "sources", "method")


def more_link(anchor: str) -> str:
    """A finding's pointer to the section that shows it: a link 'more' on screen; on paper, where a link goes
    nowhere, the section's title."""
    title = dict(SECTIONS).get(anchor, "")
    return (f'<a class="more" href="#{_e(anchor)}">more</a>'
            f'<span class="print-only">(see &ldquo;{_e(title)}&rdquo;)</span>')


def build_report(fx: Facts, bench_records: Sequence[Mapping[str, Any]] = (),
                 generated: dt.datetime | None = None) -> str:
    """The report for one scenario as a complete HTML document (UTF-8 text)."""
    from artcost.dashboard import charts as ch

    r, s = fx.r, fx.loaded.scenario
    ccy = r["currency"]
    generated = generated or dt.datetime.now().astimezone()
    charts = _Charts()
    present = {"uncertainty": fx.mc is not None, "breakeven": bool(fx.breakevens),
               "routes": fx.routes is not None or bool(fx.routes_problem), "routes-detail": fx.routes is not None,
               "market": fx.bands is not None or bool(fx.market_problem)}
    titles = [(k, t) for k, t in SECTIONS if present.get(k, True)]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(report_title(fx))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{_e(report_title(fx))}</h1>",
        f'<p class="meta">Scenario {_e(r["scenario"]["file"])}, figures as of {_e(r["scenario"]["as_of"])}; '
        f"money in {_e(ccy)}{_e(conversion_note(fx))}; report generated "
        f"{_e(generated.strftime('%Y-%m-%d %H:%M %Z'))} by artcost {_e(ARTCOST_VERSION)}.</p>",
        '<nav class="toc">' + "".join(f'<a href="#{k}">{_e(t)}</a>' for k, t in titles) + "</nav>",
    ]
    if s.meta.description:
        out.append(f"<p>{_e(s.meta.description)}</p>")

    def section(key: str, body: str) -> None:
        if present.get(key, True):
            out.append(f'<section id="{key}"><h2>{_e(dict(SECTIONS)[key])}</h2>{body}</section>')

    section("headline", f'<p class="headline">{_e(headline(r))}</p><p class="meta">{_e(headline_note(fx))}</p>'
                        + "".join(f'<p class="warn">Warning: {_e(w)}</p>' for w in r.get("warnings", []))
                        + f"<figure>{svg.key_chart(r)}<figcaption class=\"caption\">{_e(svg.key_caption(r))}"
                          "</figcaption></figure>")
    section("findings", '<ul class="findings">' + "".join(
        f"<li>{_e(text)} {more_link(a)}</li>" for a, text in findings(fx)) + "</ul>")
    if present["routes"]:
        section("routes", _routes_section(fx))
    # the short report shows the cost as a chart; its table is in the appendix, and the speed's source is quoted
    # once, under "Where each figure comes from" (the cost section, the benchmark and the sources repeated it)
    section("cost", charts.html(ch.cost_waterfall(r))
            + '<p class="meta">Every item as a figure: <a href="#cost-detail">'
            + f'{_e(dict(SECTIONS)["cost-detail"])}</a>.</p>')
    section("delivery", charts.html(ch.delivery(r, fx.delivery_spreads())))
    if fx.mc is not None:
        section("uncertainty", _uncertainty_section(fx, charts))
    if fx.breakevens:
        section("breakeven", _breakeven_section(fx, charts))
    if present["market"]:
        section("market", _market_section(fx, charts))
    out.append('<div class="appendix"><p class="appendix-title">Appendix: the tables and sources behind the '
               "report</p>")
    if present["routes-detail"]:
        section("routes-detail", _routes_detail(fx))
    cost_rows = [row for row in report_rows(dict(r)) if row[0] != "speed from"]
    section("cost-detail", _table(["figure", "value", "share of job"], cost_rows, numeric=(1, 2), narrow=True)
            + f'<p class="meta">{_e(figures_note([dict(r)]))}</p>')
    section("benchmark", _benchmark_section(fx, bench_records))
    section("sources", _sources_section(fx))
    section("method", "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in METHOD_NOTES) + "</ul>")
    out.append("</div></body></html>")
    return "\n".join(out)


def conversion_note(fx: Facts) -> str:
    """How the scenario's money became the report's, said once at the top: ' (converted from the scenario's CNY at
    0.1486 USD per CNY, Federal Reserve ...)'; '' when the report is in the scenario's own currency."""
    ccy = fx.r["currency"]
    if ccy == fx.own:
        return ""
    return (f" (converted from the scenario's {fx.own} at {fx.factor:.4g} {ccy} per {fx.own}, {fx.rate_label}; "
            "every amount in this report)")


def file_stem(loaded: LoadedScenario) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in loaded.path.rsplit("/", 1)[-1].removesuffix(".yaml"))


def report_for(
    loaded: LoadedScenario,
    currency: str | None = None,
    bench_records: Sequence[Mapping[str, Any]] = (),
    draws: int = 20_000,
    seed: int = 0,
    generated: dt.datetime | None = None,
    market_draws: int = MARKET_DRAWS,
) -> tuple[str, str]:
    """The report of one scenario and a file name for it: (html, name)."""
    generated = generated or dt.datetime.now().astimezone()
    fx = facts(loaded, currency, draws, seed, market_draws)
    name = f"artcost-report-{file_stem(loaded)}-{generated.strftime('%Y%m%d-%H%M')}.html"
    return build_report(fx, bench_records, generated), name


# --------------------------------------------------------------------------- the presenter sheet


def report_title(fx: Facts) -> str:
    """The full report's title (its heading and its document title), by which the presenter sheet names it: the
    scenario's name."""
    return fx.loaded.scenario.meta.name



def presenter_parts(fx: Facts) -> dict[str, Any]:
    """What the presenter view shows: title, meta line, headline, the routes chart (SVG; the key chart when the
    routes could not be priced) and its caption, findings."""
    r = fx.r
    routes_svg = svg.routes_chart(fx.routes, cheapest_per_kind=True) if fx.routes else ""
    return {
        "title": fx.loaded.scenario.meta.name,
        "meta": f"Scenario {r['scenario']['file']}, figures as of {r['scenario']['as_of']}; money in {r['currency']}.",
        "headline": headline(r),
        "note": headline_note(fx),
        "chart": routes_svg or svg.key_chart(r),
        "chart_narrow": (svg.routes_chart(fx.routes, cheapest_per_kind=True, narrow=True) if routes_svg
                         else svg.key_chart(r, narrow=True)),
        "caption": (svg.routes_caption(fx.routes, cheapest_per_kind=True, report=report_title(fx)) if routes_svg
                    else svg.key_caption(r)),
        "findings": [text for _, text in findings(fx)],
    }


def presenter_html(fx: Facts, generated: dt.datetime | None = None) -> str:
    """The presenter sheet as a complete HTML document: one A4 page, no scripts."""
    p = presenter_parts(fx)
    generated = generated or dt.datetime.now().astimezone()
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>artcost: {_e(p['title'])}</title><style>{PRESENTER_CSS}</style></head><body>",
        f"<h1>{_e(p['title'])}</h1>",
        f'<p class="meta">{_e(p["meta"])} Made {_e(generated.strftime("%Y-%m-%d"))} with artcost '
        f"{_e(ARTCOST_VERSION)}; every figure and its source is in the full report, &ldquo;{_e(report_title(fx))}&rdquo;.</p>",
        f'<p class="headline">{_e(p["headline"])}</p>',
        p["chart"],
        f'<p class="caption">{_e(p["caption"])}</p>',
        '<ul class="findings">' + "".join(f"<li>{_e(t)}</li>" for t in p["findings"]) + "</ul>",
        "</body></html>",
    ])


def presenter_for(loaded: LoadedScenario, currency: str | None = None, generated: dt.datetime | None = None,
                  market_draws: int = MARKET_DRAWS) -> tuple[str, str]:
    generated = generated or dt.datetime.now().astimezone()
    fx = facts(loaded, currency, market_draws=market_draws)
    return presenter_html(fx, generated), f"artcost-presenter-{file_stem(loaded)}-{generated.strftime('%Y%m%d-%H%M')}.html"


# --------------------------------------------------------------------------- files and PDF

PDF_TIMEOUT_S = 120
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Chromium for printing: $ARTCOST_CHROMIUM, else the first of CHROMIUM_NAMES on PATH, else None."""
    given = os.environ.get("ARTCOST_CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def write_pdf(html_path: Path, pdf_path: Path, timeout_s: float = PDF_TIMEOUT_S) -> Path:
    """Print an HTML file to PDF with headless Chromium (its charts drawn first); UserError in one line when
    Chromium is missing, fails or takes longer than `timeout_s`."""
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    chromium = find_chromium()
    if chromium is None:
        raise UserError(f"{pdf_path}: a PDF needs Chromium (one of {', '.join(CHROMIUM_NAMES)} on PATH, or "
                        f"ARTCOST_CHROMIUM): install it, e.g. apt-get install chromium; the HTML report is {html_path}")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    tmp_pdf = pdf_path.with_name(f".{pdf_path.name}.part")
    with tempfile.TemporaryDirectory(prefix="artcost-chromium-") as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", "--print-to-pdf-no-header",
               "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000",
               f"--print-to-pdf={tmp_pdf}", html_path.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired:
            tmp_pdf.unlink(missing_ok=True)
            raise UserError(f"{pdf_path}: Chromium did not finish printing within {timeout_s:g} s") from None
        except OSError as exc:
            raise UserError(f"{pdf_path}: could not run Chromium ({chromium}): {exc.strerror or exc}") from None
    if proc.returncode != 0 or not tmp_pdf.exists() or tmp_pdf.stat().st_size == 0:
        tmp_pdf.unlink(missing_ok=True)
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1][:200]
        raise UserError(f"{pdf_path}: Chromium could not print {html_path.name} (exit {proc.returncode}: {last})")
    tmp_pdf.replace(pdf_path)
    return pdf_path


def write_report(loaded: LoadedScenario, html_path: Path | Output, currency: str | None = None,
                 pdf_path: Path | Output | None = None, bench_records: Sequence[Mapping[str, Any]] = (),
                 presenter_path: Path | Output | None = None, generated: dt.datetime | None = None,
                 protected: Iterable[Protected] = ()) -> dict[str, Any]:
    """Write the report (and its PDF, and the presenter sheet, when asked).

    Each target is a path or an `artcost.outputs.Output` the caller checked with `plan_outputs` (its option
    names it in errors; no path: standard output); each is written through the output guard (atomic, never
    over one of `protected`). Returns {'files': {'html', 'presenter', 'pdf': the paths written, None where not
    asked, '-' for standard output}, 'sentence': the headline in words, 'headline': its figures
    (`Headline.to_dict`, money in 'currency'), 'currency', 'findings'}."""
    generated = generated or dt.datetime.now().astimezone()
    fx = facts(loaded, currency)
    html_text = build_report(fx, bench_records, generated)
    files: dict[str, Path | str | None] = {"html": None, "presenter": None, "pdf": None}
    for kind, target, make in (("html", html_path, lambda: html_text),
                               ("presenter", presenter_path, lambda: presenter_html(fx, generated)),
                               ("pdf", pdf_path, lambda: pdf_bytes(html_text))):
        if target is None:
            continue
        out = target if isinstance(target, Output) else Output(f"the {kind} file", Path(target))
        try:
            data = make()
        except UserError as exc:  # Chromium's failure, said of the target rather than of a temporary file
            raise UserError([f"{out.flag} {out.shown()}: " + line.split(": ", 1)[-1] for line in exc.problems]) from None
        write_output(out, data.encode("utf-8") if isinstance(data, str) else data, protected)
        files[kind] = out.shown() if out.path is None else out.path
    return {"files": files, "sentence": headline(fx.r), "headline": fx.r["headline"], "currency": fx.r["currency"],
            "findings": [text for _, text in findings(fx)]}


def pdf_bytes(html_text: str, timeout_s: float = PDF_TIMEOUT_S) -> bytes:
    """A PDF of an HTML document (for a download button); UserError as `write_pdf`."""
    with tempfile.TemporaryDirectory(prefix="artcost-report-") as d:
        src, out = Path(d) / "report.html", Path(d) / "report.pdf"
        src.write_text(html_text, encoding="utf-8")
        write_pdf(src, out, timeout_s)
        return out.read_bytes()

