"""The options and arguments several commands share, declared once: same name, same help, everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

SET_HELP = ("Override a field: PATH=VALUE, e.g. --set human.wage_per_hour=40 (repeatable). "
            "Money is read in the scenario's own currency, whatever --currency shows, unless it names "
            "one: --set human.wage_per_hour=45USD (converted at the scenario's year's rate).")

FileArg = Annotated[Path, typer.Argument(help="Scenario YAML file.")]
FilesArg = Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help=SET_HELP)]
CurrencyOpt = Annotated[Optional[str], typer.Option("--currency", help="Show money in this ISO currency (e.g. USD).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of numpy's default_rng: the same seed gives the same numbers.")]
