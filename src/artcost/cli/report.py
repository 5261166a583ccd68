"""`artcost report FILE [-o report.html] [--pdf report.pdf] [--currency ...]`: the stakeholder report.

The same self-contained HTML file the dashboard's Report page downloads (artcost.dashboard.report),
written from the command line, and its PDF printed by headless Chromium when --pdf is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from artcost.cli.options import CurrencyOpt, FileArg, SetOpt, flag_names, load_scenario_options
from artcost.errors import UserError

app = typer.Typer(add_completion=False)


@app.command("report")
def report(
    file: FileArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the HTML report.")] = Path("report.html"),
    pdf: Annotated[Optional[Path], typer.Option(
        "--pdf", help="Also print the report to this PDF (needs Chromium: apt-get install chromium).")] = None,
    presenter: Annotated[Optional[Path], typer.Option(
        "--presenter", help="Also write the one-page presenter sheet (HTML) here.")] = None,
    currency: CurrencyOpt = None,
    set_: SetOpt = None,
    json_out: Annotated[bool, typer.Option(
        "--json", help="Print the files written, the headline and the findings as JSON instead of lines.")] = False,
) -> None:
    """Write the report of one scenario: headline with its range, findings, every way to get the image, itemised
    cost, delivery, uncertainty, break-even, the market, benchmark provenance and every assumption with its source.
    One HTML file that opens offline; --pdf prints it with headless Chromium."""
    from artcost.dashboard.report import find_chromium, write_report

    for given, flag in ((output, "-o"), (pdf, "--pdf"), (presenter, "--presenter")):
        if given is not None and given.exists() and given.is_dir():
            raise UserError(f"{flag} {given}: is a folder; give a file name")
    if pdf is not None and find_chromium() is None:  # say so before minutes of simulation, not after
        raise UserError(f"--pdf {pdf}: a PDF needs Chromium (apt-get install chromium, or set ARTCOST_CHROMIUM); "
                        "the HTML report alone needs nothing")
    loaded = load_scenario_options(file, set_)
    with flag_names(currency="--currency"):
        done = write_report(loaded, output, currency=currency, pdf_path=pdf, presenter_path=presenter)
    if json_out:
        from artcost import jsonout

        print(jsonout.dumps({**done, "files": {k: None if v is None else str(v) for k, v in done["files"].items()}}))
        return
    print(done["sentence"])
    for kind, path in done["files"].items():
        if path is not None:
            print(f"wrote {path}" + (" (one-page presenter sheet)" if kind == "presenter" else ""))
