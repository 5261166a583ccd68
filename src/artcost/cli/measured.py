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


def show_measured(ms: MeasuredSpeed, currency: str | None, json_out: bool, brief: bool) -> None:
    """Print `ms` as text or (``json_out``) as data: `MeasuredSpeed.to_dict()` plus `cost`, the full
    comparison priced on the measured machine, or null when its own figures are not known."""
    from artcost.model.comparison import comparison

    r = comparison(ms.loaded, currency) if ms.loaded is not None else None
    if json_out:
        print(jsonout.dumps({**ms.to_dict(), "cost": r}))
        return
    if r is None:  # priced, the cost below carries the scenario's title
        console.print(Text.assemble((ms.scenario_name, "bold"), f"  ({ms.scenario_file}, as of {ms.as_of})"))
    head, *rest = ms.lines()
    console.print(head, style="bold", soft_wrap=True)
    for line in rest:
        console.print(line, soft_wrap=True)
    if r is not None:
        from artcost.cli.cost import render_cost

        console.print()
        render_cost(r, show_inputs=not brief)
