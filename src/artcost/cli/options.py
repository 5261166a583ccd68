"""The options and arguments several commands share, declared once: same name, same help, everywhere."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Iterator, Optional

import typer

from artcost.errors import ArgumentError, UserError

SET_HELP = ("Override a field: PATH=VALUE, e.g. --set human.wage_per_hour=40 (repeatable). "
            "Money is read in the scenario's own currency (whatever --currency shows) unless it names "
            "one: --set human.wage_per_hour=45USD (converted at the scenario's year's rate).")

FileArg = Annotated[Path, typer.Argument(help="Scenario YAML file.")]
FilesArg = Annotated[list[Path], typer.Argument(help="Scenario YAML files.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", help=SET_HELP)]


def _currency_given(value: Optional[str]) -> Optional[str]:
    """--currency as typed: an empty or blank code is refused here (an empty text would otherwise read as
    'not given' and show the scenario's currency without a word); which codes exist, the model says."""
    if value is not None and not value.strip():
        raise UserError(f"--currency {value!r}: give an ISO currency code, e.g. --currency USD")
    return value


CurrencyOpt = Annotated[Optional[str], typer.Option("--currency", help="Show money in this ISO currency (e.g. USD).",
                                                    callback=_currency_given)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of numpy's default_rng: the same seed gives the same numbers.")]

# --------------------------------------------------------------------------- --set, read


SET_LABEL = "--set on the command line"  # the source of a figure given with --set


def parse_set(text: str) -> tuple[str, Any]:
    """'human.wage_per_hour=40' -> ('human.wage_per_hour', 40); the value is read as YAML (safely, as a scenario is)."""
    from artcost.model.loader import parse_yaml

    shown = text if len(text) <= 80 else text[:79] + "…"  # a 5,000-digit value is not said back whole
    if "=" not in text:
        raise UserError(f"--set {shown}: expected PATH=VALUE, e.g. --set human.wage_per_hour=40")
    path, _, value_text = text.partition("=")
    path = path.strip()
    if not path or any(not p for p in path.split(".")):
        raise UserError(f"--set {shown}: expected PATH=VALUE with a dotted path, e.g. human.wage_per_hour=40")
    data, _ = parse_yaml(value_text, f"--set {shown}")
    return path, data


def set_overrides(sets: list[str] | None) -> dict[str, Any]:
    """The --set options as keyword arguments of `model.measured.load_measured`/`load_with_options`:
    the overrides as values, their label, and how each was typed (for the messages about them)."""
    pairs = [parse_set(s) for s in sets or []]
    return {"overrides": dict(pairs), "label": SET_LABEL,
            "typed": {path: f"--set {s.strip()}" for (path, _), s in zip(pairs, sets or [])}}


def load_scenario_options(file: Path, sets: list[str] | None = None):
    """The scenario of a command that needs a priced one: FILE with its --set overrides (and its own
    `generation.from_bench`), via `model.measured.load_with_options`."""
    from artcost.model.measured import load_with_options

    return load_with_options(file, **set_overrides(sets))


def scenario_inputs(file: Path) -> list:
    """What a command reading scenario FILE must never write over: the file, everything its `extends:` chain
    names, and the results database (`artcost.outputs.Protected` entries for `plan_outputs`)."""
    from artcost.model.loader import scenario_files
    from artcost.outputs import inputs, results_database

    files = scenario_files(file)
    return [*inputs(files[:1], "the scenario file this command reads"),
            *inputs(files[1:], "a scenario file this command reads (through extends:)"), *results_database()]


@contextmanager
def flag_names(**flags: str) -> Iterator[None]:
    """Inside the block, a library's `ArgumentError` about one of `flags` (argument name -> flag) is said with the
    flag the user typed: 'draws: need a whole number >= 2' becomes '--draws: need a whole number >= 2'; another
    argument the problem names in backticks (`scale_by_flops`) is said as its flag too, when `flags` maps it."""
    try:
        yield
    except ArgumentError as exc:
        if exc.argument not in flags:
            raise
        value = "" if getattr(exc, "value", None) is None else f" {exc.value}"
        problem = exc.problem
        for name, flag in flags.items():
            problem = problem.replace(f"`{name}`", flag)
        raise UserError(f"{flags[exc.argument]}{value}: {problem}") from None
