"""`artcost cost --from-bench` when the record was measured on another machine than the scenario's:
print the `MeasuredSpeed` report (what was measured, at the scenario's settings, how it compares),
never a cost headline that joins one machine's speed with another's price and power.  With the
measured machine's own price and power given (--set), its priced cost follows the report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from artcost import jsonout

if TYPE_CHECKING:
    from artcost.model.measured import MeasuredSpeed

console = Console(highlight=False, markup=False)  # device names and scenario text may contain [brackets]


def set_flag(path: str) -> str:
    """How a user gives one of the measured machine's own figures on the command line."""
    return f"--set {path}=N"


def show_command(ms: MeasuredSpeed) -> str:
    """The command that prints what a record from another machine measured, at the scenario's settings."""
    return f"`artcost cost {ms.scenario_file} --from-bench {ms.record_id}{' --scale-by-flops' if ms.flop_scale is not None else ''}`"


def refusal_line(ms: MeasuredSpeed) -> str:
    """`MeasuredSpeed.refusal` in the CLI's words: the command that shows the measurement, the flags to give."""
    return ms.refusal(give=set_flag, show=show_command(ms))


def show_measured(ms: MeasuredSpeed, currency: str | None, json_out: bool, brief: bool) -> None:
    """Print `ms` as text or (``json_out``) as data: `MeasuredSpeed.to_dict()` plus `cost`, the full
    comparison priced on the measured machine, or null when its own figures are not known."""
    from artcost.model.comparison import comparison

    r = comparison(ms.loaded, currency) if ms.loaded is not None else None
    if json_out:
        print(jsonout.dumps({**ms.to_dict(), "lines": ms.lines(give=set_flag), "cost": r}))
        return
    if r is None:  # priced, the cost below carries the scenario's title
        console.print(Text.assemble((ms.scenario_name, "bold"), f"  ({ms.scenario_file}, as of {ms.as_of})"))
    head, *rest = ms.lines(give=set_flag)
    console.print(head, style="bold", soft_wrap=True)
    for line in rest:
        console.print(line, soft_wrap=True)
    if r is not None:
        from artcost.cli.cost import render_cost

        console.print()
        render_cost(r, show_inputs=not brief)
