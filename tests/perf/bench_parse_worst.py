"""Benchmark: the worst-case time to read (and refuse) a scenario file just under the 1 MB limit.

Not collected by the normal test run (the file is bench_*.py).  Run it with
    .venv/bin/pytest tests/perf/bench_parse_worst.py --benchmark-only -p no:cacheprovider -o python_files='bench_*.py'
(`make perf` runs every tests/perf/bench_*.py).  Each input is the kind of file the fuzz suite
(tests/foundation/test_fuzz.py) sends at the loader, at the largest size the loader reads:
a flow list of 333,000 items, 83,000 top-level keys, brackets nested 499,000 deep, one
999 KB string and a real scenario padded with 999 KB of comments.  Each must finish (refused or
accepted) well inside the fuzz suite's 5 s bound per case; the table gives the figure to quote.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from artcost.model.loader import MAX_BYTES, load_scenario

from artcost.errors import UserError

SEED = Path(__file__).resolve().parents[2] / "scenarios" / "studio-cloud-h100.yaml"
BOUND_S = 5.0


def _fit(head: str, unit: str, tail: str) -> str:
    """head + unit * n + tail, as long as it stays under the loader's byte limit."""
    n = (MAX_BYTES - 64 - len(head) - len(tail)) // len(unit)
    return head + unit * n + tail


def _keys() -> str:
    lines, size, i = [], 0, 0
    while size < MAX_BYTES - 64:
        line = f"k{i:07d}: {i % 10}\n"
        lines.append(line)
        size += len(line)
        i += 1
    return "".join(lines[:-1])


def _depth() -> str:
    n = (MAX_BYTES - 64) // 2
    return "a: " + "[" * n + "]" * n + "\n"


INPUTS = {
    "flow-list-333k": lambda: _fit("a: [0", ", 0", "]\n"),
    "top-level-keys-83k": _keys,
    "nested-brackets-499k": _depth,
    "nested-maps-166k": lambda: "a: " + "{a: " * ((MAX_BYTES - 64) // 6) + "1" + "}" * ((MAX_BYTES - 64) // 6) + "\n",
    "one-999KB-string": lambda: _fit('meta: {name: "', "n", '"}\n'),
    "scenario-plus-comments": lambda: _fit(SEED.read_text(encoding="utf-8"), "# padding padding padding padding\n", ""),
    "many-small-errors": lambda: _fit("human:\n", "  w: x\n", ""),
}


@pytest.mark.parametrize("name", list(INPUTS))
def test_parse_worst_case(benchmark, tmp_path, name):
    text = INPUTS[name]()
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size <= MAX_BYTES

    def once():
        try:
            load_scenario(path)
            return "accepted"
        except UserError as exc:
            assert len(exc.problems) <= 21
            return "refused"

    outcome = benchmark.pedantic(once, rounds=3, iterations=1, warmup_rounds=0)
    benchmark.extra_info["outcome"] = outcome
    benchmark.extra_info["bytes"] = len(text.encode("utf-8"))
    assert benchmark.stats.stats.max < BOUND_S, f"{name}: {benchmark.stats.stats.max:.2f} s"
