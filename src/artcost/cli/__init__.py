"""The `artcost` command: one Typer app whose commands live one group per module of this package.

    cost.py         validate, cost, compare          uncertainty.py  simulate, sensitivity, breakeven, scale
    measured.py     what `cost --from-bench` prints  market.py       market, market-fit, market-check, market-fit-outcomes
    bench.py        bench (run, list, show, export, cluster list/show; bench-cluster: hidden alias)
    dashboard.py    dashboard                        options.py      the options several commands share

This package is the only code that knows flags, exit codes and terminal tables; the layers below it
(`artcost.model`, `artcost.bench`, `artcost.dashboard`) raise `UserError` and return plain results.

Start-up is cheap: a command's module is imported only when that command runs (or when the help
lists it: the modules import typer and rich only, and load the model, numpy or torch inside their
functions).  To add a command group: a module here with a module-level `app = typer.Typer()`
holding its commands, and one line per command in COMMANDS below.
"""

from __future__ import annotations

import importlib
import os
import sys
import time

STARTED = time.perf_counter()  # the command's start, for the benchmark's "time to first timed step"

# Rich wraps tables to 80 columns when output is not a terminal (CI logs, pipes), which folds
# every wide table; give such output room unless the user set a width.
if not sys.stdout.isatty():
    os.environ.setdefault("COLUMNS", "160")

import typer  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from artcost.errors import UserError  # noqa: E402

# command name -> the module of this package that defines it (in its `app`), in the order `--help` lists them
COMMANDS: dict[str, str] = {
    "validate": "cost",
    "cost": "cost",
    "compare": "cost",
    "routes": "routes",
    "bench": "bench",
    "simulate": "uncertainty",
    "sensitivity": "uncertainty",
    "breakeven": "uncertainty",
    "scale": "uncertainty",
    "market": "market",
    "market-fit": "market",
    "market-check": "market",
    "market-fit-outcomes": "market",
    "dashboard": "dashboard",
    "report": "report",
    "bench-cluster": "bench",  # hidden: the old name of `bench cluster list|show`
}


def command_module(name: str):
    """The module of this package that defines command `name` (imported now)."""
    return importlib.import_module(f"{__name__}.{COMMANDS[name]}")


def unavailable() -> dict[str, str]:
    """Command modules that fail to import, with why (empty when every command is there)."""
    out: dict[str, str] = {}
    for module in dict.fromkeys(COMMANDS.values()):
        try:
            importlib.import_module(f"{__name__}.{module}")
        except Exception as exc:  # noqa: BLE001 - reported, never raised: one broken group must not hide the rest
            out[f"{__name__}.{module}"] = f"{type(exc).__name__}: {exc}"
    return out


class LazyGroup(TyperGroup):
    """A group whose commands are loaded from their module when first asked for (to run, or for help)."""

    def get_params(self, ctx) -> list:
        return _flags_take_no_value(super().get_params(ctx))

    def list_commands(self, ctx) -> list[str]:
        return [*COMMANDS, *(n for n in super().list_commands(ctx) if n not in COMMANDS)]

    def get_command(self, ctx, cmd_name: str):
        if cmd_name in self.commands or cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        try:
            module = command_module(cmd_name)
        except ImportError as exc:
            raise UserError(f"artcost {cmd_name}: unavailable in this installation ({type(exc).__name__}: {exc})") from None
        group = typer.main.get_group(module.app)
        cmd = group.commands[cmd_name]
        _no_value_for_flags(cmd)
        self.commands[cmd_name] = cmd
        return cmd


def _flags_take_no_value(params: list) -> list:
    """typer 0.29 prints '--json <bool>' in help, as if the flag took a value ('--brief true' then fails with
    'unexpected extra argument'): an empty metavar, which its help prints instead, says it takes none."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


def _no_value_for_flags(cmd) -> None:
    """`_flags_take_no_value` on ``cmd``'s parameters (the --help one is made on each call) and its sub-commands'."""
    get_params = cmd.get_params
    cmd.get_params = lambda ctx: _flags_take_no_value(get_params(ctx))
    for sub in getattr(cmd, "commands", {}).values():
        _no_value_for_flags(sub)


app = typer.Typer(
    name="artcost",
    cls=LazyGroup,
    help="What does an illustration cost when a machine makes it? Measured, itemised, sourced.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from artcost import __version__

        print(f"artcost {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """What does an illustration cost when a machine makes it? Measured, itemised, sourced."""


def _err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def main(argv: list[str] | None = None) -> int:
    """Entry point: user mistakes become one line each on stderr and exit code 2, never a traceback."""
    try:
        rv = app(args=argv, standalone_mode=False)
        if isinstance(rv, int) and rv:  # typer returns, not raises, exit codes when not standalone
            if rv == 130:
                _err_console().print("interrupted", markup=False)
            return rv
    except UserError as exc:
        err = _err_console()
        problems = exc.problems
        if type(exc).__name__ == "UnpricedMeasurement":  # the model's words; the CLI names its command and flags
            from artcost.cli.measured import refusal_line

            problems = [refusal_line(exc.speed)]
        for line in problems:
            err.print(f"error: {line}", markup=False, soft_wrap=True, emoji=False, style="red")
        return exc.exit_code
    except KeyboardInterrupt:
        _err_console().print("interrupted", markup=False)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:  # click raises this for --help
        return int(exc.code or 0)
    except Exception as exc:  # click usage errors come as ClickException subclasses
        if type(exc).__name__ == "Abort":
            _err_console().print("aborted", markup=False)
            return 1
        if type(exc).__name__ == "NoArgsIsHelpError":  # `artcost` or `artcost bench` alone: the help
            exc.show()
            return 0
        if isinstance(exc, _click_exception_classes()):
            _err_console().print(f"error: {usage_error_line(exc)}", markup=False, soft_wrap=True, emoji=False,
                                 style="red")
            return UserError.exit_code
        raise
    return 0


def _click_exception_classes() -> tuple[type, ...]:
    """Click's exception base, wherever this typer keeps it (typer >= 0.26 vendors click as typer._click)."""
    found = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(importlib.import_module(name).ClickException)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def usage_error_line(exc: Exception) -> str:
    """A typer/click usage error as one line: the command, what is wrong, where help is."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "artcost"
    message = " ".join(exc.format_message().split())  # click may wrap its message over lines
    return f"{command}: {message} (see '{command} --help')"
