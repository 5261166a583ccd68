"""Benchmark: the full cost model over 1,000,000 Monte Carlo draws of the seed scenario.

Not collected by the normal test run (the file is bench_*.py).  Run it with
    .venv/bin/pytest tests/perf/bench_montecarlo.py --benchmark-only -p no:cacheprovider -o python_files='bench_*.py'
The issue's target is under 1 s per million draws on a 2-core machine; the figure goes in the README.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from artcost.model.loader import load_scenario
from artcost.model.sensitivity import sobol
from artcost.model.uncertainty import simulate

SEED = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(SEED)


def test_simulate_one_million_draws(benchmark, loaded):
    """Sampling 17 inputs + the full vectorised model + P(...) once: what `artcost simulate --draws 1000000` computes."""
    result = benchmark.pedantic(
        lambda: simulate(loaded, draws=1_000_000, seed=0).probabilities(), rounds=5, iterations=1, warmup_rounds=1
    )
    assert 0.0 <= result["ratio_ge_100"] <= 1.0


def test_sobol_default(benchmark, loaded):
    """The Sobol analysis the `artcost sensitivity` command runs per output (base sample 1024)."""
    res = benchmark.pedantic(lambda: sobol(loaded, n=1024, seed=0), rounds=3, iterations=1, warmup_rounds=1)
    assert res["rows"]
