"""Which uncertain inputs move the answer: a one-at-a-time tornado and global, variance-based measures.

* `tornado`: each uncertain input alone at its 10th and 90th percentile, every other input at
  its central value (the value the deterministic model uses); rows sorted by the swing.
* `sobol`: Sobol first-order (S1) and total (ST) indices with SALib, computed in unit space:
  SALib's quasi-random points in [0, 1]^k are mapped through each input's quantile function,
  so every distribution kind is handled exactly.  ST - S1 is what an input does through
  interactions with others (the tornado cannot see that).
* `rank_correlation`: Spearman's rank correlation of each input with the output over Monte
  Carlo draws: a cheap global check on the sign and strength of each input's effect.

Money outputs are in the scenario's currency.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from artcost.errors import ArgumentError
from artcost.model.loader import LoadedScenario
from artcost.model.schema import Scenario
from artcost.model.uncertainty import evaluate, scenario_of, uncertain_specs

Output = Literal["per_usable_image", "ratio"]
OUTPUT_LABELS = {
    "per_usable_image": "AI cost per usable image",
    "ratio": "artist / AI cost per image",
}
# Quantiles are taken a hair inside [0, 1] so unbounded distributions (normal, lognormal) stay finite.
_EPS = 1e-9


def _output(result: dict[str, Any], output: str) -> np.ndarray:
    if output == "per_usable_image":
        return np.asarray(result["ai"]["per_usable_image"], dtype=float)
    if output == "ratio":
        return np.asarray(result["ratio"], dtype=float)
    raise ArgumentError("output", f"unknown output {output!r}; known: {', '.join(OUTPUT_LABELS)}")


def _source(scenario: Scenario | LoadedScenario, path: str) -> str:
    if isinstance(scenario, LoadedScenario):
        return scenario.source_of(path)
    return scenario.quantities()[path].source or "(no source given)"


def tornado(
    scenario: Scenario | LoadedScenario,
    output: Output = "per_usable_image",
    low_q: float = 0.10,
    high_q: float = 0.90,
) -> list[dict[str, Any]]:
    """One row per uncertain input, biggest swing first.

    Each row: param, input_low/input_high (its `low_q`/`high_q` quantiles), input_central,
    output_low/output_high (the output with that input at its low/high quantile, all others
    central), base (the output at all-central values), swing = |output_high - output_low|,
    share_of_total_swing, source.
    """
    if not 0 <= low_q < high_q <= 1:
        raise ValueError(f"need 0 <= low_q < high_q <= 1 (got {low_q}, {high_q})")
    _output({"ai": {"per_usable_image": 0}, "ratio": 0}, output)  # reject an unknown output early
    sc = scenario_of(scenario)
    specs = uncertain_specs(sc)
    base = float(_output(evaluate(sc, {}), output))
    if not specs:
        return []
    paths = list(specs)
    k = len(paths)
    central = sc.values()
    # One vectorised call: column 2i holds input i at low_q, column 2i+1 at high_q, the rest central.
    inputs = {p: np.full(2 * k, central[p]) for p in paths}
    lows, highs = {}, {}
    for i, p in enumerate(paths):
        lo, hi = specs[p].ppf([max(low_q, _EPS), min(high_q, 1 - _EPS)])
        lows[p], highs[p] = float(lo), float(hi)
        inputs[p][2 * i], inputs[p][2 * i + 1] = lo, hi
    out = _output(evaluate(sc, inputs), output)
    rows = []
    for i, p in enumerate(paths):
        o_lo, o_hi = float(out[2 * i]), float(out[2 * i + 1])
        rows.append(
            {
                "param": p,
                "dist": specs[p].dist,
                "input_low": lows[p],
                "input_central": float(central[p]),
                "input_high": highs[p],
                "output_low": o_lo,
                "output_high": o_hi,
                "base": base,
                "swing": abs(o_hi - o_lo),
                "source": _source(scenario, p),
            }
        )
    rows.sort(key=lambda r: (-r["swing"], r["param"]))
    total = sum(r["swing"] for r in rows)
    for r in rows:
        r["share_of_total_swing"] = r["swing"] / total if total else 0.0
    return rows


def _unit_to_inputs(specs: dict[str, Any], unit: np.ndarray) -> dict[str, np.ndarray]:
    """Map points in [0, 1]^k (shape (n, k)) through each input's quantile function."""
    u = np.clip(unit, _EPS, 1 - _EPS)
    return {p: specs[p].ppf(u[:, i]) for i, p in enumerate(specs)}


def sobol(
    scenario: Scenario | LoadedScenario,
    output: Output = "per_usable_image",
    n: int = 1024,
    seed: int = 0,
) -> dict[str, Any]:
    """Sobol indices of `output` with respect to every uncertain input (SALib, Saltelli/Sobol' scheme).

    `n` is the base sample (a power of two); the model runs n * (k + 2) times for k inputs.
    Returns {"n", "model_runs", "seed", "output", "rows": [{param, S1, S1_conf, ST, ST_conf}, ...]
    sorted by ST, "sum_S1"}: sum_S1 well below 1 means interactions matter.
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if n < 2 or n & (n - 1):
        raise ArgumentError("n", f"need a power of two >= 2 (got {n})")
    sc = scenario_of(scenario)
    specs = uncertain_specs(sc)
    if not specs:
        return {"n": n, "model_runs": 0, "seed": seed, "output": output, "rows": [], "sum_S1": None}
    paths = list(specs)
    problem = {"num_vars": len(paths), "names": paths, "bounds": [[0.0, 1.0]] * len(paths)}
    unit = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = _output(evaluate(sc, _unit_to_inputs(specs, unit)), output)
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed, print_to_console=False)
    rows = [
        {
            "param": p,
            "S1": float(res["S1"][i]),
            "S1_conf": float(res["S1_conf"][i]),
            "ST": float(res["ST"][i]),
            "ST_conf": float(res["ST_conf"][i]),
        }
        for i, p in enumerate(paths)
    ]
    rows.sort(key=lambda r: (-r["ST"], r["param"]))
    return {
        "n": n,
        "model_runs": int(unit.shape[0]),
        "seed": seed,
        "output": output,
        "rows": rows,
        "sum_S1": float(np.sum(res["S1"])),
    }


def rank_correlation(
    scenario: Scenario | LoadedScenario,
    output: Output = "per_usable_image",
    draws: int = 20_000,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Spearman rank correlation of each uncertain input with `output` over Monte Carlo draws.

    Rows [{param, spearman}] sorted by |spearman|.  An input drawn as a single repeated value
    (impossible for an uncertain input, but kept safe) gets 0.
    """
    from scipy import stats  # a third of a second to import: only when a correlation is asked for

    sc = scenario_of(scenario)
    specs = uncertain_specs(sc)
    rng = np.random.default_rng(seed)
    inputs = {p: spec.sample(rng, draws) for p, spec in specs.items()}
    y = _output(evaluate(sc, inputs), output)
    y_rank = stats.rankdata(y)
    rows = []
    for p, x in inputs.items():
        rho = 0.0
        if np.ptp(x) > 0 and np.ptp(y) > 0:
            rho = float(np.corrcoef(stats.rankdata(x), y_rank)[0, 1])
        rows.append({"param": p, "spearman": rho})
    rows.sort(key=lambda r: (-abs(r["spearman"]), r["param"]))
    return rows
