"""The `artcost` command: one Typer app; each layer adds its own commands in its own module."""

from __future__ import annotations

import os
import sys

# Rich wraps tables to 80 columns when output is not a terminal (CI logs, pipes), which folds
# every wide table; give such output room unless the user set a width.
if not sys.stdout.isatty():
    os.environ.setdefault("COLUMNS", "160")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402

from artcost.errors import UserError  # noqa: E402

app = typer.Typer(
    name="artcost",
    help="What does an illustration cost when a machine makes it? Measured, itemised, sourced.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True, highlight=False)


_unavailable: dict[str, str] = {}


def _register() -> None:
    """Mount each layer's commands; a layer whose module is absent simply adds nothing."""
    from artcost import cli_cost

    cli_cost.register(app)
    import importlib

    for module_name, attr, name in (
        ("artcost.bench.cli", "app", "bench"),
        ("artcost.model.cli_uncertainty", "register", None),
        ("artcost.model.cli_market", "register", None),
        ("artcost.dashboard.cli", "register", None),
        ("artcost.bench.cluster_cli", "register", None),
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # this layer is not part of this build
            _unavailable[module_name] = f"{type(exc).__name__}: {exc}"
            continue
        except Exception as exc:  # a broken optional layer must not take the other commands down
            _unavailable[module_name] = f"{type(exc).__name__}: {exc}"
            continue
        if name:
            app.add_typer(getattr(module, attr), name=name)
        else:
            getattr(module, attr)(app)


_register()


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
    for module_name, why in _unavailable.items():
        err_console.print(f"warning: commands from {module_name} are unavailable ({why})", markup=False, style="yellow")


def main(argv: list[str] | None = None) -> int:
    """Entry point: user mistakes become one line each on stderr and exit code 2, never a traceback."""
    try:
        rv = app(args=argv, standalone_mode=False)
        if isinstance(rv, int) and rv:  # typer returns, not raises, exit codes when not standalone
            if rv == 130:
                err_console.print("interrupted", markup=False)
            return rv
    except UserError as exc:
        for line in exc.problems:
            err_console.print(f"error: {line}", markup=False, soft_wrap=True, emoji=False, style="red")
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        return 130
    except typer.Exit as exc:
        return exc.exit_code
    except SystemExit as exc:  # click raises this for --help
        return int(exc.code or 0)
    except Exception as exc:  # click usage errors come as ClickException subclasses
        if type(exc).__name__ == "Abort":
            err_console.print("aborted", markup=False)
            return 1
        if type(exc).__name__ == "NoArgsIsHelpError":  # `artcost` or `artcost bench` alone: the help
            exc.show()
            return 0
        if isinstance(exc, _click_exception_classes()):
            err_console.print(f"error: {usage_error_line(exc)}", markup=False, soft_wrap=True, emoji=False, style="red")
            return UserError.exit_code
        raise
    return 0


def _click_exception_classes() -> tuple[type, ...]:
    """Click's exception base, wherever this typer keeps it (typer >= 0.26 vendors click as typer._click)."""
    import importlib

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


if __name__ == "__main__":
    sys.exit(main())
