"""Benchmark: the market simulator as `artcost market` and `artcost market-check` run it on the seed scenario.

Not collected by the normal test run (the file is bench_*.py).  Run it with
    .venv/bin/pytest tests/perf/bench_market.py --benchmark-only -p no:cacheprovider -o python_files='bench_*.py'
docs/market-model.md section 7 quotes the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from artcost.model.loader import load_scenario
from artcost.model.market import DEFAULT_DRAWS, bands_of, run_draws, simulate_market
from artcost.model.market_check import market_check
from artcost.model.market_evidence import load_evidence

SEED = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"


@pytest.fixture(scope="module")
def loaded():
    return load_scenario(SEED)


def test_market_central_run(benchmark, loaded):
    """One run at the central values: 99 months x 3 segments x 4 options."""
    r = benchmark.pedantic(lambda: simulate_market(loaded), rounds=10, iterations=1, warmup_rounds=1)
    assert len(r.artists) == 99


def test_market_headline_default_draws(benchmark, loaded):
    """What `artcost market FILE` computes besides the central run: DEFAULT_DRAWS draws, every curve's band, the
    headline (median and 90% band)."""
    h = benchmark.pedantic(lambda: bands_of(run_draws(loaded, DEFAULT_DRAWS, 0)).headline(), rounds=3, iterations=1,
                           warmup_rounds=1)
    assert h.draws == DEFAULT_DRAWS


def test_market_check_default(benchmark, loaded):
    """`artcost market-check FILE`: the same draws read at each of the 27 evidence rows (the survey rows through the artists' distribution)."""
    table = load_evidence()
    c = benchmark.pedantic(lambda: market_check(loaded, table), rounds=3, iterations=1, warmup_rounds=1)
    assert len(c.rows) == len(table)


def test_market_fit_step(benchmark):
    """One step of `artcost market-fit-outcomes`: 32 walkers through the simulator at once (the 41 months the evidence
    needs, the survey rows through 5 artist types each), and their log-likelihood."""
    import numpy as np

    from artcost.model.market_fit import Simulator, fit_rows, log_likelihood, params_for

    prior = load_scenario(SEED.parent / "seed-2022-market-prior.yaml").scenario
    rows = fit_rows(list(load_evidence()))
    ps = params_for(prior)
    sim = Simulator(prior, ps, rows)
    theta = np.column_stack([p.sample(np.random.default_rng(0), 32) for p in ps])
    ll = benchmark.pedantic(lambda: log_likelihood(sim.figures(theta), rows), rounds=5, iterations=1, warmup_rounds=1)
    assert ll.shape == (32,)
