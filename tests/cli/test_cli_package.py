"""The `artcost` command as one package (issue #14): cheap to start, every command listed, one naming style,
the library's messages free of flags, '-' for standard output."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import artcost.cli as cli
from artcost.cli import main

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
HEAVY = ("scipy.stats", "SALib", "pandas", "plotly", "streamlit", "torch")


def _imported_after(code: str) -> list[str]:
    """The heavy modules loaded once `code` has run in a fresh interpreter."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library():
    assert _imported_after("import artcost.cli") == []


def test_listing_every_command_loads_no_heavy_library():
    """`artcost --help` imports each command module for its help text: they import typer and rich only."""
    code = "import artcost.cli as c\nfor n in c.COMMANDS: c.command_module(n)\nc.main(['--help'])"
    assert _imported_after(code) == []


def test_version_and_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "artcost.cli", "--version"], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0 and out.stdout.startswith("artcost "), out.stderr


def test_help_lists_every_command_with_its_help(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in cli.COMMANDS:
        if name == "bench-cluster":
            assert "bench-cluster" not in out  # a hidden alias of `bench cluster`
            continue
        assert re.search(rf"\b{re.escape(name)}\s+\S", out), name
    assert "Itemised cost of one usable image" in out and "Monte Carlo over the scenario" in out


def _all_commands():
    """(command path, click command) for every command and sub-command of `artcost`."""
    import typer

    root = typer.main.get_command(cli.app)
    ctx = root.make_context("artcost", ["--version"], resilient_parsing=True)
    out = []

    def walk(path, cmd):
        out.append((path, cmd))
        if hasattr(cmd, "list_commands"):
            for name in cmd.list_commands(ctx):
                walk(f"{path} {name}", cmd.get_command(ctx, name))

    walk("artcost", root)
    return out


def test_every_option_is_kebab_case():
    bad = []
    for path, cmd in _all_commands():
        for p in cmd.params:
            for opt in [*getattr(p, "opts", []), *getattr(p, "secondary_opts", [])]:
                if opt.startswith("--") and not re.fullmatch(r"--[a-z0-9]+(-[a-z0-9]+)*", opt):
                    bad.append(f"{path} {opt}")
    assert not bad, bad


def test_every_command_that_prints_figures_has_json():
    """--json on every command that prints figures: all but the dashboard, which starts a server."""
    leaves = [(path, cmd) for path, cmd in _all_commands() if not hasattr(cmd, "list_commands") or path == "artcost bench"]
    missing = [path for path, cmd in leaves
               if path not in ("artcost", "artcost dashboard", "artcost bench")
               and not any("--json" in getattr(p, "opts", []) for p in cmd.params)]
    assert not missing, missing
    bench = dict(leaves)["artcost bench"]
    assert any("--json-out" in getattr(p, "opts", []) for p in bench.params)  # a run writes its record: '-' for stdout


def test_scale_defaults_are_the_models():
    from artcost.cli import uncertainty
    from artcost.model import scale

    assert uncertainty.DEFAULT_FINALS == ",".join(map(str, scale.DEFAULT_FINALS))
    assert uncertainty.DEFAULT_JOBS == ",".join(map(str, scale.DEFAULT_JOBS_PER_MONTH))


def test_one_cluster_run_command(capsys):
    """`bench --workers` runs a cluster job; `bench cluster list` (and the hidden `bench-cluster list`) reads them."""
    assert main(["bench", "cluster", "list"]) == 0
    assert "no cluster jobs" in capsys.readouterr().out
    assert main(["bench-cluster", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["bench-cluster", "--workers", "2"]) == 2  # no longer a second way to run one
    assert main(["bench", "--chunk-runs", "2", "--arch", "tiny"]) == 2
    assert "give --workers N too" in capsys.readouterr().err


def test_library_errors_name_arguments_the_cli_names_flags(capsys):
    from artcost.errors import ArgumentError
    from artcost.model.loader import load_scenario
    from artcost.model.uncertainty import simulate

    with pytest.raises(ArgumentError) as exc:
        simulate(load_scenario(SEED), draws=1)
    assert exc.value.problems == ["draws: need a whole number >= 2 (got 1)"]
    assert main(["simulate", str(SEED), "--draws", "1"]) == 2
    assert "error: --draws: need a whole number >= 2 (got 1)" in capsys.readouterr().err
    assert main(["market", str(SEED), "--draws", "1"]) == 2
    assert "error: --draws: need a whole number >= 2 for a median and a band (got 1)" in capsys.readouterr().err


# Strings that carry another program's options, not artcost's flags.
OTHER_PROGRAMS = {"bench/device_info.py": "git status --porcelain", "bench/cluster_driver.py": "ray start --head"}


@pytest.mark.parametrize("module", sorted(str(p.relative_to(REPO)) for p in [*REPO.glob("model/*.py"), *REPO.glob("bench/*.py")]
                                          if str(p.relative_to(REPO)) not in OTHER_PROGRAMS))
def test_library_messages_name_no_flag(module):
    """The model's messages name fields and figures; flags are the CLI's to add."""
    tree = ast.parse((REPO / module).read_text())
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    flags = [f"{module}:{n.lineno}: {n.value!r}" for n in ast.walk(tree)
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
             and re.search(r"(?<![\w-])--[a-z]", n.value)]
    assert not flags, flags


@pytest.mark.parametrize("argv,line", [
    (["scale", str(SEED), "--jobs", "0"], "error: --jobs: each value must be > 0 (got 0)"),
    (["scale", str(SEED), "--gpu", "rented"], "error: --gpu: must be 'dedicated' or 'shared' (got 'rented')"),
    (["scale", str(SEED), "--horizon-months", "0"], "error: --horizon-months: must be > 0 (got 0)"),
    (["sensitivity", str(SEED), "--sobol-n", "100"], "error: --sobol-n: need a power of two >= 2 (got 100)"),
    (["cost", str(SEED), "--currency", "XYZ"], "error: --currency: unknown currency 'XYZ'"),
    (["compare", str(SEED), str(SEED), "--currency", "XYZ"], "error: --currency: unknown currency 'XYZ'"),
    (["market-fit", str(REPO / "scenarios" / "adoption-pew-chatgpt-us-adults.csv"), "--m", "2"],
     "error: --m: the market potential must be in (0, 1] (got 2)"),
    (["market-fit", str(REPO / "scenarios" / "adoption-pew-chatgpt-us-adults.csv"), "--origin", "May"],
     "error: --origin: must be a month YYYY-MM (got 'May')"),
])
def test_each_argument_error_names_its_flag(capsys, argv, line):
    assert main(argv) == 2
    assert line in capsys.readouterr().err


def test_validate_json(capsys):
    assert main(["validate", str(SEED), "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["ok"] and row["file"] == str(SEED) and row["figures"] > 20 and row["problems"] == []


def test_bench_export_to_standard_output(capsys):
    from artcost.bench.record import BenchRecord
    from artcost.bench.store import ResultStore

    ResultStore().save(BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={"arch": "tiny"}, environment={},
                                   weights_label="synthetic-weights", summary={"seconds_per_image": 1.0}))
    assert main(["bench", "export", "--json", "-"]) == 0
    cap = capsys.readouterr()
    assert len(json.loads(cap.out)) == 1 and "wrote 1 records to standard output" in cap.err
    assert main(["bench", "export", "--csv", "-"]) == 0
    assert capsys.readouterr().out.startswith("id,")
    assert main(["bench", "export", "--csv", "-", "--json", "-"]) == 2
    assert main(["bench", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["seconds_per_image"] == 1.0


def test_market_csv_to_standard_output(capsys):
    assert main(["market", str(SEED), "--csv", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("month,") and "artist" in out and "wrote" not in out
    assert main(["market", str(SEED), "--csv", "-", "--json"]) == 2


def test_help_shows_no_value_for_a_flag():
    """typer 0.29 printed '--json <bool>' and '--brief <bool>': a reader typed '--brief true' and got
    'unexpected extra argument'. Every command's help (and the root's) shows a flag without a value."""
    import subprocess
    import sys

    from artcost.cli import COMMANDS

    for args in [[], *([c] for c in dict.fromkeys(COMMANDS)), ["bench", "flops"], ["bench", "list"]]:
        out = subprocess.run([sys.executable, "-m", "artcost.cli", *args, "--help"], capture_output=True, text=True,
                             env={**__import__("os").environ, "COLUMNS": "200"}, timeout=120)
        assert out.returncode == 0, (args, out.stderr)
        assert "<bool>" not in out.stdout, (args, [line for line in out.stdout.splitlines() if "<bool>" in line][:3])
