"""`artcost bench compare ID`: a stored benchmark record beside the published runs of its model, normalised by
counted FLOPs (steps, resolution, CFG), with what differs (precision, energy scope, batch, runtime) said."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from artcost import jsonout
from artcost.cli.render import print_table

console = Console(highlight=False, markup=False)


def _g(x: float | None, unit: str = "") -> str:
    if x is None:
        return "—"
    return (f"{x:,.0f}" if x >= 100 else f"{x:.3g}") + unit


def render_compare(d: dict[str, Any]) -> None:
    r = d["record"]
    console.print(Text.assemble(("Bench record ", "bold"), (str(r["id"]), "bold"),
                                f" ({r['date']}, {r['device']}, {r['weights']}): {r['settings']}"))
    console.print(f"  ours: {_g(r['seconds_per_image'], ' s')} per image, "
                  f"{_g(r['joules_per_image'], ' J')} per image ({r['energy_scope_words']}), "
                  f"{_g(r['achieved_tflops'], ' TFLOP/s')} achieved on {_g((r['flops_per_image'] or 0) / 1e12, ' TFLOP')} "
                  "counted per image")
    if not d["rows"]:
        console.print(f"no published run of {r['settings'].split()[0]} in the catalogue can be brought to these settings")
    else:
        t = Table(title="Published runs of the same model, at our settings (x counted FLOPs ours / theirs)",
                  title_justify="left")
        for col, just in (("published run", "left"), ("published", "right"), ("at our settings", "right"),
                          ("ours / theirs per GPU", "right"), ("J / image at ours", "right")):
            t.add_column(col, justify=just, overflow="fold")
        for row in d["rows"]:
            j = row["joules_per_image_at_record_settings"]
            t.add_row(f"{row['device']}: {row['published_settings']} ({row['id']}, {row['date']})",
                      _g(row["published_seconds_per_image"], " s"),
                      _g(row["seconds_per_image_at_record_settings"], " s")
                      + ("" if row["flop_ratio"] is None else f" (x{row['flop_ratio']:.3g})")
                      + ("" if row["gpus"] == 1 else f" on {row['gpus']} GPUs"),
                      "—" if row["record_over_row"] is None else f"{row['record_over_row']:.3g}x",
                      "—" if j is None else f"{_g(j)} ({row['energy_scope']})")
        print_table(t, console)
        console.print(Text("What the FLOPs do not even out", style="bold"))
        for row in d["rows"]:
            if row["flags"]:
                console.print(Padding(Text(f"{row['id']}: " + "; ".join(row["flags"]), overflow="fold"), (0, 0, 0, 2)))
    for sk in d["not_comparable"]:
        console.print(Text.assemble(("not comparable: ", "yellow"), f"{sk['id']}: {sk['why']}"), soft_wrap=True)
    console.print(f"method: {d['method']}", soft_wrap=True)


def compare_cmd(record_id: str = typer.Argument(..., help="Record id or 'latest'."),
                as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON.")):
    """A record beside the published runs of its model, normalised by counted FLOPs; flags precision and energy scope."""
    from artcost.bench.store import ResultStore
    from artcost.model.bench_compare import compare_record

    d = compare_record(ResultStore().resolve(record_id))
    if as_json:
        typer.echo(jsonout.dumps(d))
        return
    render_compare(d)
