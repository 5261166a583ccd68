"""`artcost routes FILE`: every way to get the scenario's image, ranked, with delivery, energy and carbon,
and the monthly volume above which owning a GPU beats renting it, the API and the subscription."""

from __future__ import annotations

import re
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from artcost import jsonout
from artcost.cli.options import CurrencyOpt, FileArg, JsonOpt, SetOpt, flag_names, set_overrides
from artcost.units import duration, money, money_approx

console = Console(highlight=False, markup=False)  # scenario text and provider names may contain [brackets]


def _cost_cell(cost: dict | None, unpriced: str | None) -> str:
    if cost is None or cost.get("median") is None:
        return "not priced" if unpriced else "—"
    m, lo, hi = cost["median"], cost["p5"], cost["p95"]
    if lo == hi:
        return money(m, "")
    return f"{money_approx(m, '')} ({money_approx(lo, '')}–{money_approx(hi, '')})"


def _signed(x: float) -> str:
    """A paired difference with its sign: '+0.193', '−2.34', '0'."""
    if x == 0:
        return "0"
    return ("+" if x > 0 else "−") + money(abs(x), "")


def _vs_cell(v: dict | None, kind: str) -> tuple[str, str]:
    """The paired difference to the scenario's own way, '−0.203 (−0.210 to −0.196)', and P(cheaper), '100%'."""
    if v is None:
        return "—", "—"
    if kind == "scenario":
        return "(reference)", "—"
    if v["p5"] == v["p95"]:
        diff = _signed(v["median"])
    else:
        diff = f"{_signed(v['median'])} ({_signed(v['p5'])} to {_signed(v['p95'])})"
    return diff, f"{v['p_cheaper']:.0%}"


def _energy_cell(c: dict | None) -> tuple[str, str]:
    if c is not None and c.get("g_co2e_published_range"):
        lo, hi = c["g_co2e_published_range"]  # the artist's: a published per-image range, no energy figure
        return "not known", f"{lo / 1000:,.2g}–{hi / 1000:,.2g} kg pub."
    if c is None or c["energy_kwh_per_usable_image"] is None:
        return "not known", "—"  # 'none' read as zero
    wh = c["energy_kwh_per_usable_image"] * 1000
    g = c["g_co2e_per_usable_image"]
    basis = c["energy_basis"] or ""
    tag = "est." if "estimate" in basis else "pub." if basis.startswith("published") else "meas." if basis.startswith("measured") else ""
    return f"{wh:,.3g} Wh {tag}".strip(), f"{g:,.3g} g"


def render_routes(d: dict[str, Any]) -> None:
    """The routes of `RoutesResult.to_dict()` as a ranked table, each route's sources, then the break-even volumes."""
    s = d["scenario"]
    console.print(Text.assemble(("Every way to get the image: ", "bold"), (s["name"], "bold"),
                                f"  ({s['file']}, as of {s['as_of']})"))
    # the answer first: which way is cheapest, or which are tied, and what does move the cost (issue #28)
    for f in d.get("findings", []):
        _say(f, style="bold")
    if d["exchange_rate"]:
        fx = d["exchange_rate"]
        console.print(f"money converted {fx['from']} -> {fx['to']} x{fx['factor']:.4g} ({fx['source']})")
    if s["currency"] != "USD":
        _say(f"prices published in USD are converted to {s['currency']} at the scenario's year's rates: {d['rates']}")
    _say(f"The job: the scenario's, {s['settings']}; the human inputs are the scenario's on every machine route.")
    if console.width >= TABLE_MIN_WIDTH:
        _routes_table(d)
    else:
        _routes_list(d)
    _say(d["tie_rule"][0].upper() + d["tie_rule"][1:] + ".")
    _say("energy per usable image at the device (before PUE): pub. = a published run's joules, meas. = measured "
         "on this machine, est. = rated board power x GPU time (not a measurement); each route's source below")
    _say(f"grid: {d['grid']['source']}")
    if d["carbon_price_per_tonne"] is None:
        _say("carbon as money: give compute.carbon_price_per_tonne (e.g. --set compute.carbon_price_per_tonne=80EUR)")
    _sources_and_breakeven(d)


RANK_TITLE = ("Routes, cheapest first ({ccy} per usable image: median and 90% interval of each route's Monte Carlo; "
              "vs the scenario's way: the paired difference, draw by draw, median and 90% interval; '=' marks a tie)")

# Below this many columns the seven-column table left the route's name no room at all (its column shrank to
# nothing at 60 columns and figures were cut): each route is then a short block of lines instead.
TABLE_MIN_WIDTH = 150


def _say(text: str, indent: int = 0, label: str | None = None, style: str = "") -> None:
    """One paragraph, wrapped at words to the terminal's width (never cut, never one long line); ``style``
    applies to ``label`` when there is one (bold by default), else to the whole text."""
    body = Text.assemble((label, style or "bold"), text) if label else Text(text, style=style)
    body.overflow = "fold"
    console.print(Padding(body, (0, 0, 0, indent)) if indent else body)


def _route_cells(r: dict[str, Any]) -> dict[str, str]:
    """One route's figures as the table and the narrow list both print them."""
    energy, co2 = _energy_cell(r["carbon"])
    machine = r.get("machine_only_per_usable_image")
    carbon_money = (r["carbon"] or {}).get("carbon_money_per_usable_image")
    vs, p = _vs_cell(r.get("vs_scenario"), r["kind"])
    delivery = "—" if r["delivery_hours"] is None else duration(r["delivery_hours"])
    if r["delivery_hours"] is not None and not r.get("latency_known", True):
        delivery = "≥ " + delivery  # the API's own time is unknown and not in it
    return {"rank": _rank_cell(r), "cost": _cost_cell(r["cost_per_usable_image"], r["unpriced_because"]),
            "vs": vs, "p": p,
            "compute": "—" if machine is None or r["kind"] == "artist" else money(machine["median"], ""),
            "delivery": delivery, "energy": energy, "co2": co2,
            "carbon money": "—" if carbon_money is None else money(carbon_money, "")}


def _rank_cell(r: dict[str, Any]) -> str:
    """'3', '=1' (a rank shared by tied routes), '–' (not priced)."""
    return r.get("rank_label") or (str(r["rank"]) if r["rank"] else "–")


def _routes_list(d: dict[str, Any]) -> None:
    """The ranking for a narrow terminal: each route's name on its own line, its figures wrapped under it."""
    ccy, carbon_price = d["currency"], d["carbon_price_per_tonne"]
    _say(RANK_TITLE.format(ccy=ccy), style="bold")
    for r in d["routes"]:
        c = _route_cells(r)
        _say(f"{c['rank']}. {r['name']}", style="bold")
        vs = ("the reference the others are paired with" if r["kind"] == "scenario" else
              f"vs the scenario's way {c['vs']}, cheaper in {c['p']} of draws")
        figures = (f"{c['cost']} {ccy} per usable image; {vs}; machine only {c['compute']}; delivery {c['delivery']}; "
                   f"energy {c['energy']}; CO2e {c['co2']}")
        if carbon_price is not None:
            figures += f"; carbon at {money(carbon_price, ccy)}/t {c['carbon money']}"
        _say(figures, indent=4)


def _routes_table(d: dict[str, Any]) -> None:
    """The ranking as one table (a terminal of TABLE_MIN_WIDTH columns or more)."""
    ccy, carbon_price = d["currency"], d["carbon_price_per_tonne"]
    t = Table(title=RANK_TITLE.format(ccy=ccy), title_justify="left")
    for col, just in (("#", "right"), ("route", "left"), (f"per usable\nimage ({ccy})", "right"),
                      ("vs the scenario's\nway (paired)", "right"), ("P\ncheaper", "right"),
                      ("machine\nonly", "right"), ("delivery", "right"), ("energy\n/ image", "right"),
                      ("CO2e\n/ image", "right")):
        # the figures keep one line each; the route's name takes what is left and folds
        t.add_column(col, justify=just, overflow="fold", no_wrap=col != "route", ratio=1 if col == "route" else None)
    if carbon_price is not None:
        t.add_column(f"carbon at {money(carbon_price, ccy)}/t", justify="right")
    for r in d["routes"]:
        c = _route_cells(r)
        row = [c["rank"], r["name"], c["cost"], c["vs"], c["p"], c["compute"], c["delivery"], c["energy"], c["co2"]]
        if carbon_price is not None:
            row.append(c["carbon money"])
        t.add_row(*row)
    console.print(t)


def _sources_and_breakeven(d: dict[str, Any]) -> None:
    """Where each route's figures come from, the break-even volumes, the notes."""
    console.print(Text("Where each route's figures come from", style="bold"))
    for r in d["routes"]:
        _say(f"{_rank_cell(r)}. {r['name']}", indent=2, style="bold")
        lines = []
        if r["kind"] != "artist":
            lines += [f"speed: {r['speed_source']}", f"price: {r['price_source']}"]
        else:
            lines += [f"price: {r['price_source']}", f"lead time: {r['speed_source']}"]
        if r["carbon"] is not None:
            c = r["carbon"]
            lines.append(f"energy: {c['energy_source']}")
            if c["energy_kwh_per_usable_image"] is not None:
                lines.append(f"PUE {c['pue']:g}: {c['pue_source']}")
        if r["unpriced_because"]:
            lines.append(f"not priced: {r['unpriced_because']}")
        lines += r["notes"]
        for line in lines:
            _say(line, indent=6)
    if d["breakeven"]:
        console.print(Text("Break-even: the monthly volume above which owning a GPU bought for this work wins "
                           "(its price spread over the work's own hours; central values)", style="bold"))
        for c in d["breakeven"]:
            _say(c["sentence"], indent=2)
    for n in d["notes"]:
        _say(n, label="note: ")
    for sk in d["skipped"]:
        _say(sk, label="not shown: ", style="yellow")


def routes(
    file: FileArg,
    set_: SetOpt = None,
    currency: CurrencyOpt = None,
    json_out: JsonOpt = False,
    from_bench: Annotated[Optional[str], typer.Option(
        "--from-bench", help="Add this machine as a route, from a stored benchmark: 'latest' or an ID.")] = None,
    scale_by_flops: Annotated[bool, typer.Option(
        "--scale-by-flops", help="Allow the benchmark at another resolution/steps, scaled by counted FLOPs.")] = False,
    jobs_per_month: Annotated[Optional[float], typer.Option(
        "--jobs-per-month", help="Jobs a month sharing a subscription's fee (default: the scenario's job.jobs_per_month, else 1).")] = None,
    all_apis: Annotated[bool, typer.Option(
        "--all-apis", help="Every row of the API price table (default: the scenario's model, else the cheapest of each open model).")] = False,
) -> None:
    """Every way to get the scenario's image side by side: its own, owning or renting catalogue GPUs, each API,
    a subscription, this machine (--from-bench) and the artist; cost per usable image, delivery, energy and CO2e."""
    from artcost.model.routes import routes_for

    with flag_names(jobs_per_month="--jobs-per-month"):
        res = routes_for(file, from_bench=from_bench, scale_by_flops=scale_by_flops, jobs_per_month=jobs_per_month,
                         all_apis=all_apis, **set_overrides(set_))
    with flag_names(currency="--currency"):
        d = res.to_dict(currency)
    if json_out:
        print(jsonout.dumps(d))
        return
    # the library says what to give; the command names its flags
    d["notes"] = [re.sub(r"\(all (\d+) rows on request\)", r"(all \1 rows with --all-apis)", n) for n in d["notes"]]
    for r in d["routes"]:
        r["notes"] = [re.sub(r"^to price it, give (\S+) ", r"to price it: --set \1=N ",
                             n.replace("give one to change it", "--jobs-per-month N sets it")) for n in r["notes"]]
    render_routes(d)


app = typer.Typer(add_completion=False)
app.command("routes")(routes)
