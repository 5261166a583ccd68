"""Tables read whole at any terminal width (`artcost.cli.render.print_table`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table

from artcost.cli.render import print_table

SEED = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"


def _table() -> Table:
    t = Table("preset", "dtype", "seconds per image", "run vs GEMM probe", title="bench [record]")
    t.add_row("stock", "float32", "14.2", "47%")
    t.add_row("fp16", "float16", "[skipped]", "")
    return t


def test_a_table_that_fits_is_printed_as_a_table():
    con = Console(width=120, record=True, markup=False)
    print_table(_table(), con)
    out = con.export_text()
    assert "┃ preset" in out and "14.2" in out


def test_a_table_too_wide_is_one_paragraph_per_row_with_every_cell_whole():
    con = Console(width=30, record=True, markup=False)  # scenario text may hold [brackets]: read as text
    print_table(_table(), con)
    out = con.export_text()
    flat = " ".join(out.split())
    assert "…" not in out and max(len(line.rstrip()) for line in out.splitlines()) <= 30
    assert "bench [record]" in flat
    assert "stock: dtype float32; seconds per image 14.2; run vs GEMM probe 47%" in flat
    assert "fp16: dtype float16; seconds per image [skipped]" in flat  # an empty cell is left out


@pytest.mark.parametrize("args", [["simulate", str(SEED), "--draws", "2000"], ["market", str(SEED)],
                                  ["bench", "flops", "--arch", "flux-schnell"]], ids=lambda a: a[0] + "-" + a[1][:6])
def test_commands_read_whole_at_60_columns(args):
    """At 60 columns these tables were cut to a few letters and '…', figures included."""
    out = subprocess.run([sys.executable, "-m", "artcost.cli", *args], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "COLUMNS": "60"})
    assert out.returncode == 0, out.stderr
    assert "…" not in out.stdout
    assert max(len(line.rstrip()) for line in out.stdout.splitlines()) <= 60
