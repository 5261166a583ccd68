"""`artcost validate`, `artcost cost` and `artcost compare`: the cost model on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from artcost import jsonout
from artcost.cli.options import CurrencyOpt, FileArg, FilesArg, JsonOpt, SetOpt, flag_names, set_overrides
from artcost.cli.render import print_table
from artcost.errors import UserError
from artcost.units import duration, figure, money

console = Console(highlight=False, markup=False)  # scenario text may contain [brackets]


def _cells(r: dict[str, Any]) -> dict[str, str]:
    from artcost.model.headline import Headline

    return Headline.from_dict(r["headline"]).cells()


def render_cost(r: dict[str, Any], show_inputs: bool = True) -> None:
    from artcost.model import costs
    from artcost.model.headline import Headline, headline, headline_note

    ccy = r["currency"]
    console.print(Text.assemble((r["scenario"]["name"], "bold"), f"  ({r['scenario']['file']}, as of {r['scenario']['as_of']})"))
    # The answer first: a reader who stops after three lines has the typical figure with its range.
    console.print(headline(r), style="bold")
    delivery = Headline.from_dict(r["headline"]).delivery_words()
    if delivery:
        console.print(f"Delivery: {delivery}.")
    console.print(headline_note(r))
    h = r["headline"]
    if h.get("draws"):  # the same draws, from the command line
        console.print(f"(`artcost simulate {r['scenario']['file']} --draws {h['draws']} --seed {h['seed']}` shows "
                      "the same draws)")
    for w in r["warnings"]:
        console.print(Text.assemble(("warning: ", "yellow"), w))
    if r["exchange_rate"]:
        fx = r["exchange_rate"]
        console.print(f"money converted {fx['from']} -> {fx['to']} x{fx['factor']:.4g} ({fx['source']})")
    console.print()
    t = Table(title="Detail - AI: cost of one job, item by item (central values, a point)", title_justify="left")
    t.add_column("item")
    t.add_column("cost", justify="right")
    t.add_column("share", justify="right")
    total = r["breakdown"]["total"]
    for item in costs.ITEMS:
        value = r["breakdown"][item]
        if value == 0 and item in costs.COMPUTE_ITEMS:
            continue
        t.add_row(costs.ITEM_WORDS[item], money(value, ccy), f"{value / total:.1%}" if total else "-")
    t.add_row(Text("total", style="bold"), Text(money(total, ccy), style="bold"), "100%")
    t.add_row("usable images", f"{r['usable_images']:g}", "")
    t.add_row(Text("per usable image, central values (point)", style="bold"),
              Text(money(r["breakdown"]["per_usable_image"], ccy), style="bold"), "")
    print_table(t, console)

    g = r["generation"]
    console.print(
        f"generation: {g['gpu_seconds'] / 60:,.1f} GPU-min, wall {duration(g['wall_seconds'] / 3600)}"
        + (f", {g['energy_kwh']:.3f} kWh at the wall" if g.get("energy_kwh") is not None else "")
        + f"; speed from: {g['seconds_per_image_source']}"
    )
    console.print(
        f"chance the job yields the finals it needs: {r['p_job_success']:.1%} "
        f"(expected accepted candidates: {r['expected_accepted']:.2f}); re-running failed jobs, "
        + (f"a usable image costs {money(r['per_usable_image_with_reruns'], ccy)} on average"
           if r["per_usable_image_with_reruns"] is not None else r["per_usable_image_with_reruns_note"])
    )
    a = r["artist"]
    console.print(
        f"artist, central values (a point): {money(a['per_image'], ccy)} per image ({money(a['total'], ccy)} for the "
        f"job), delivery {duration(r['delivery']['artist_hours'])}, available in time with probability "
        f"{a['availability_probability']:.0%}"
    )
    console.print(f"AI delivery, central values (a point): {duration(r['delivery']['ai_hours'])} (tuning + generation "
                  "+ screening + retouching)")
    n_uncertain = sum(1 for info in r["inputs"].values() if info["uncertain"])
    if n_uncertain:
        console.print(f"(the table and the lines after the answer use the central values of {n_uncertain} uncertain "
                      f"inputs: mode, midpoint or median of each range; the answer above is the median and 90% "
                      f"interval of the draws; `artcost simulate {r['scenario']['file']}` gives every output's)")
    if show_inputs:
        render_inputs(r["inputs"], r["scenario"]["file"], r["scenario"].get("sources", []))


def render_inputs(inputs: dict[str, dict[str, Any]], file: str, references: list[dict[str, Any]] = ()) -> None:
    """Each input with its value and its source, the source whole on its own indented lines.

    Not a table: a table folds a long source into a narrow column, interleaved with its neighbours'
    lines, and at 80 columns a source of two hundred characters becomes twelve scraps. Here every
    source reads as one paragraph at any terminal width, and the scenario file is named once.
    """
    console.print(Text(f"Inputs (central values) and where they come from; sources quoted from {file} unless marked",
                       style="bold"))
    prefix = f"{file}: "
    for path, info in inputs.items():
        value = f"{info['value']:,.4g}" + (" ~" if info["uncertain"] else "")
        console.print(Text.assemble("  ", (path, "bold"), f"  {value} {info['unit']}"), overflow="fold")
        source = info["source"].removeprefix(prefix)
        console.print(Padding(Text(source, overflow="fold"), (0, 0, 0, 6)))
    console.print("~ = uncertain: a distribution in the scenario; its central value is used here (see `artcost simulate`).")
    # 'seed: ...' in a source meant nothing to a reader who never saw the file's meta.sources
    if references:
        console.print(Text("The scenario's references (a source that starts with one's id, as 'seed:', cites it):", style="bold"))
    for ref in references:
        what = ref["title"] + (f" ({ref['url']})" if ref.get("url") else "")
        label = f"{ref['id']}: " if ref.get("id") else "source: "
        console.print(Text.assemble(("  " + label, "bold"), what), overflow="fold")


def validate(files: FilesArg, json_out: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object per file (ok, name, figures, unsourced, problems) instead of lines.")] = False,
) -> None:
    """Check scenario files against the schema; one line per problem, exit 2 if any is wrong."""
    from artcost.model.loader import load_scenario

    problems: list[UserError] = []
    report: list[dict[str, Any]] = []
    for f in files:
        try:
            loaded = load_scenario(f)
        except UserError as exc:
            problems.append(exc)
            report.append({"file": str(f), "ok": False, "problems": exc.problems})
            continue
        n = len(loaded.scenario.quantities())
        unsourced = [p for p, q in loaded.scenario.quantities().items() if not q.source]
        report.append({"file": str(f), "ok": True, "name": loaded.scenario.meta.name, "figures": n,
                       "unsourced": unsourced, "problems": []})
        if not json_out:
            note = f"; {len(unsourced)} without a source: {', '.join(unsourced)}" if unsourced else ""
            console.print(f"ok: {f} ({loaded.scenario.meta.name}; {n} figures{note})", markup=False)
    if json_out:
        print(jsonout.dumps(report))
    if problems:
        raise UserError.combine(problems)


def cost(
    file: FileArg,
    set_: SetOpt = None,
    currency: CurrencyOpt = None,
    json_out: JsonOpt = False,
    from_bench: Annotated[
        Optional[str], typer.Option("--from-bench", help="Take seconds per image (and power) from a stored benchmark: 'latest' or an ID.")
    ] = None,
    scale_by_flops: Annotated[
        bool, typer.Option("--scale-by-flops", help="Allow a benchmark at another resolution/steps, scaled by counted FLOPs.")
    ] = False,
    from_cluster: Annotated[
        Optional[str], typer.Option("--from-cluster", help="Take GPUs and scaling efficiency from a stored cluster job: 'latest' or an ID.")
    ] = None,
    brief: Annotated[bool, typer.Option("--brief", help="Leave out the table of inputs and sources.")] = False,
) -> None:
    """Itemised cost of one usable image with AI, against the artist, for one scenario."""
    from artcost.model.comparison import comparison
    from artcost.model.measured import MeasuredSpeed, load_measured

    with flag_names(from_bench="--from-bench", scale_by_flops="--scale-by-flops"):
        loaded = load_measured(file, from_bench=from_bench, scale_by_flops=scale_by_flops, from_cluster=from_cluster,
                               **set_overrides(set_))
    if isinstance(loaded, MeasuredSpeed):  # a record from another machine: what it measured, never a mixed cost
        from artcost.cli.measured import show_measured

        with flag_names(currency="--currency"):
            show_measured(loaded, currency, json_out, brief)
        return
    with flag_names(currency="--currency"):
        r = comparison(loaded, currency)
    if json_out:
        print(jsonout.dumps(r))
    else:
        render_cost(r, show_inputs=not brief)


def _answer_table(results: list[dict[str, Any]], ccy: str) -> Table:
    """One row per scenario, the headline's figures: what the question asks, first."""
    from artcost.model.headline import Headline

    t = Table(title=f"The answer, side by side (money in {ccy}; median and 90% interval of the draws)",
              title_justify="left")
    for header in ("scenario", "AI per usable image", "artist per image", "AI vs artist", "AI delivery",
                   "artist delivery"):
        t.add_column(header, justify="left" if header == "scenario" else "right", overflow="fold")
    for r in results:
        c, h = _cells(r), Headline.from_dict(r["headline"])
        t.add_row(Path(r["scenario"]["file"]).stem, c["ai"], c["artist"], c["ratio"],
                  duration(h.ai_delivery.median), duration(h.artist_delivery.median))
    return t


def _detail_rows() -> list[tuple[str, Any]]:
    """(label in words, cell maker) for the itemised point figures of one scenario."""
    from artcost.model import costs

    def m(x: float) -> str:
        return money(x, "")

    rows: list[tuple[str, Any]] = [(costs.ITEM_WORDS[item], lambda r, i=item: m(r["breakdown"][i]))
                                   for item in costs.ITEMS]
    return rows + [
        ("total per job", lambda r: m(r["breakdown"]["total"])),
        ("usable images per job", lambda r: f"{r['usable_images']:g}"),
        ("AI per usable image", lambda r: m(r["breakdown"]["per_usable_image"])),
        ("artist per image", lambda r: m(r["artist"]["per_image"])),
    ]


def _detail_table(results: list[dict[str, Any]], ccy: str, part: str) -> Table:
    t = Table(title=f"Detail{part}: one job item by item, central values (a point), {ccy}", title_justify="left")
    t.add_column("")
    for r in results:
        t.add_column(Path(r["scenario"]["file"]).stem, justify="right", overflow="fold")
    for label, fn in _detail_rows():
        t.add_row(label, *[fn(r) for r in results])
    return t


def render_compare(results: list[dict[str, Any]], ccy: str) -> None:
    """The headline figures as one row per scenario, then the itemised point figures in as few tables as the
    terminal holds whole (eight scenarios in one table at 160 columns ran on as lines of 'name value; ...')."""
    print_table(_answer_table(results, ccy), console)
    wide = console.options.update_width(10_000)
    per_table = len(results)
    while per_table > 1 and console.measure(_detail_table(results[:per_table], ccy, ""), options=wide).maximum > console.width:
        per_table -= 1
    chunks = [results[i:i + per_table] for i in range(0, len(results), per_table)]
    for n, chunk in enumerate(chunks, 1):
        console.print()
        print_table(_detail_table(chunk, ccy, f" ({n} of {len(chunks)})" if len(chunks) > 1 else ""), console)


def compare(
    files: Annotated[list[Path], typer.Argument(help="Two or more scenario YAML files.")],
    currency: CurrencyOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Scenarios side by side, in one currency (default: the first file's)."""
    from artcost.model.comparison import comparison
    from artcost.model.measured import load_with_options

    loaded = [load_with_options(f) for f in files]  # honours each file's generation.from_bench, as `cost` does
    target = currency or loaded[0].scenario.meta.currency
    with flag_names(currency="--currency"):
        results = [comparison(x, target) for x in loaded]
    if json_out:
        print(jsonout.dumps(results))
        return
    render_compare(results, target)
    h = max((r["headline"] for r in results), key=lambda x: x["draws"])
    console.print("point: the central-value model (every input at its mode, midpoint or median); median (90%): "
                  + (f"{h['draws']:,} Monte Carlo draws of each scenario's uncertain inputs, seed {h['seed']}, "
                     "each figure its own median and 5th-95th percentile; " if h["draws"] else "")
                  + "a scenario without uncertain inputs shows its point there", markup=False)
    for r in results:
        console.print(f"speed in {Path(r['scenario']['file']).stem}: {r['generation']['seconds_per_image_source']}", markup=False)
    fx = [r["exchange_rate"] for r in results if r["exchange_rate"]]
    if fx:
        console.print(f"exchange rates: {fx[0]['source']}")


app = typer.Typer(add_completion=False)
app.command("validate")(validate)
app.command("cost")(cost)
app.command("compare")(compare)
