"""`artcost report FILE [-o report.html] [--pdf report.pdf] [--currency ...]`: the stakeholder report.

The same self-contained HTML file the dashboard's Report page downloads (artcost.dashboard.report),
written from the command line, and its PDF printed by headless Chromium when --pdf is given.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from artcost.cli.options import CurrencyOpt, FileArg, SetOpt, flag_names, load_scenario_options, scenario_inputs
from artcost.errors import UserError

app = typer.Typer(add_completion=False)


@app.command("report")
def report(
    file: FileArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the HTML report ('-': standard output).")] = Path("report.html"),
    pdf: Annotated[Optional[Path], typer.Option(
        "--pdf", help="Also print the report to this PDF (needs Chromium: apt-get install chromium; '-': standard output).")] = None,
    presenter: Annotated[Optional[Path], typer.Option(
        "--presenter", help="Also write the one-page presenter sheet (HTML) here ('-': standard output).")] = None,
    currency: CurrencyOpt = None,
    set_: SetOpt = None,
    json_out: Annotated[bool, typer.Option(
        "--json", help="Print the files written, the headline and the findings as JSON instead of lines.")] = False,
) -> None:
    """Write the report of one scenario: headline with its range, findings, every way to get the image, itemised
    cost, delivery, uncertainty, break-even, the market, benchmark provenance and every assumption with its source.
    One HTML file that opens offline; --pdf prints it with headless Chromium."""
    from artcost.dashboard.report import find_chromium, write_report
    from artcost.outputs import plan_outputs

    # every target checked before minutes of simulation: not an input, not the database, not a device, not twice
    plan = plan_outputs({"-o": output, "--presenter": presenter, "--pdf": pdf}, scenario_inputs(file),
                        stdout_taken="--json" if json_out else None)
    if pdf is not None and find_chromium() is None:  # say so before minutes of simulation, not after
        raise UserError(f"--pdf {pdf}: a PDF needs Chromium (apt-get install chromium, or set ARTCOST_CHROMIUM); "
                        "the HTML report alone needs nothing")
    loaded = load_scenario_options(file, set_)
    with flag_names(currency="--currency"):
        done = write_report(loaded, plan["-o"], currency=currency, pdf_path=plan.outputs.get("--pdf"),
                            presenter_path=plan.outputs.get("--presenter"), protected=plan.protected)
    if json_out:
        from artcost import jsonout

        print(jsonout.dumps({**done, "files": {k: None if v is None else str(v) for k, v in done["files"].items()}}))
        return
    say = (lambda line: print(line, file=sys.stderr)) if plan.any_stdout else print  # a file on stdout stays clean
    say(done["sentence"])
    for kind, path in done["files"].items():
        if path is not None:
            say(f"wrote {path}" + (" (one-page presenter sheet)" if kind == "presenter" else ""))
