"""Monte Carlo over a scenario's distributions, through the unchanged vectorised cost model.

Every uncertain field (a `dist:` other than `fixed`) is drawn `draws` times, independently,
with `numpy.random.default_rng(seed)`; the other fields stay scalars and broadcast.  One call
of `costs.compare` then evaluates all draws at once.  Money is in the scenario's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from artcost.errors import ArgumentError
from artcost.model import costs
from artcost.model.loader import LoadedScenario
from artcost.model.schema import Scenario

# The outputs kept per draw, their units, and how they are read.
OUTPUTS: dict[str, tuple[str, str]] = {
    "ai_per_usable_image": ("money", "AI cost per usable image"),
    "artist_per_image": ("money", "artist cost per image"),
    "ratio": ("x", "artist / AI cost per image"),
    "ai_delivery_hours": ("h", "AI delivery time"),
    "artist_delivery_hours": ("h", "artist delivery time"),
    "p_job_success": ("probability", "chance a job yields its finals"),
}
MAX_DRAWS = 20_000_000  # ~2 GB of float64 per kept output beyond this; refuse rather than swap


def scenario_of(scenario: Scenario | LoadedScenario) -> Scenario:
    """The `Scenario` of either a scenario or a loaded one (every model function takes both)."""
    return scenario.scenario if isinstance(scenario, LoadedScenario) else scenario


def cost_quantities(scenario: Scenario | LoadedScenario) -> dict[str, Any]:
    """Dotted path -> Quantity for the fields the cost model reads (not `market.*`)."""
    return {
        p: q for p, q in scenario_of(scenario).cost_quantities().items()
    }


Fields = Literal["cost", "all"]


def uncertain_specs(scenario: Scenario | LoadedScenario, fields: Fields = "cost") -> dict[str, Any]:
    """Dotted path -> distribution spec of every field that is a distribution other than `fixed`: the cost
    model's fields (`fields="cost"`), or every field, the market section's too (`"all"`)."""
    quantities = cost_quantities(scenario) if fields == "cost" else scenario_of(scenario).quantities()
    return {p: q.dist for p, q in quantities.items() if q.uncertain}


def draw_inputs(scenario: Scenario | LoadedScenario, draws: int, rng: np.random.Generator,
                fields: Fields = "cost") -> dict[str, np.ndarray]:
    """Independent draws, shape (draws,), of each uncertain input (`fields`: see `uncertain_specs`), in the
    scenario's field order; each spec samples itself (`DistSpec.sample`).  The market simulator draws "all"."""
    return {path: spec.sample(rng, draws) for path, spec in uncertain_specs(scenario, fields).items()}


def evaluate(scenario: Scenario | LoadedScenario, inputs: dict[str, np.ndarray]) -> dict[str, Any]:
    """`costs.compare` with `inputs` (arrays) replacing the central values of those paths."""
    sc = scenario_of(scenario)
    values: dict[str, Any] = sc.values()
    values.update(inputs)
    return costs.compare(values, sc.compute.kind)


def pick_outputs(result: dict[str, Any]) -> dict[str, np.ndarray]:
    """The OUTPUTS of one `costs.compare` result, as float arrays."""
    ai, artist = result["ai"], result["artist"]
    picked = {
        "ai_per_usable_image": ai["per_usable_image"],
        "artist_per_image": artist["per_image"],
        "ratio": result["ratio"],
        "ai_delivery_hours": ai["delivery_hours"],
        "artist_delivery_hours": artist["delivery_hours"],
        "p_job_success": ai["p_job_success"],
    }
    return {k: np.asarray(v, dtype=float) for k, v in picked.items()}


def describe(x: np.ndarray) -> dict[str, float]:
    """Mean, standard deviation, standard error of the mean, median and 5th/95th percentiles."""
    x = np.asarray(x, dtype=float)
    p5, p50, p95 = np.percentile(x, [5, 50, 95]) if x.size else (np.nan,) * 3
    sd = float(x.std(ddof=1)) if x.size > 1 else 0.0
    return {
        "mean": float(x.mean()),
        "sd": sd,
        "se_mean": sd / np.sqrt(max(x.size, 1)),
        "median": float(p50),
        "p5": float(p5),
        "p95": float(p95),
    }


@dataclass
class MonteCarloResult:
    """Draws of the model's outputs; `samples[name]` has shape (draws,), money in `currency`."""

    scenario_name: str
    scenario_file: str | None
    currency: str
    draws: int
    seed: int
    samples: dict[str, np.ndarray]
    inputs: dict[str, np.ndarray]
    sources: dict[str, str]  # uncertain input path -> where its distribution comes from
    dists: dict[str, dict]  # uncertain input path -> the spec as written
    described: dict[str, str] = field(default_factory=dict)  # the spec as one line, for tables
    item_means: dict[str, float] = field(default_factory=dict)  # mean cost per job of each AI item
    deterministic: dict[str, float] = field(default_factory=dict)  # the outputs at central values

    def probabilities(self) -> dict[str, float]:
        r = self.samples["ratio"]
        return {
            "ai_cheaper": float(np.mean(r > 1)),
            "ratio_ge_10": float(np.mean(r >= 10)),
            "ratio_ge_100": float(np.mean(r >= 100)),
        }

    def summary(self) -> dict[str, Any]:
        """Plain-data answer: statistics per output, the headline probabilities, and provenance."""
        total = sum(self.item_means.values())
        return {
            "kind": "monte_carlo",
            "note": (
                f"Monte Carlo simulation: {self.draws:,} independent draws of the "
                f"{len(self.sources)} uncertain inputs, numpy default_rng seed {self.seed}"
            ),
            "scenario": {"name": self.scenario_name, "file": self.scenario_file},
            "currency": self.currency,
            "money_unit": f"{self.currency} (the scenario's currency)",
            "draws": self.draws,
            "seed": self.seed,
            "outputs": {
                name: {"label": OUTPUTS[name][1], "unit": self.currency if OUTPUTS[name][0] == "money" else OUTPUTS[name][0],
                       "deterministic": self.deterministic.get(name), **describe(x)}
                for name, x in self.samples.items()
            },
            "probabilities": self.probabilities(),
            "ai_items_mean_per_job": {
                k: {"mean": v, "share": (v / total) if total else None} for k, v in self.item_means.items()
            },
            "inputs": {
                p: {"dist": self.dists[p], "describe": self.described[p], "source": self.sources[p]} for p in self.sources
            },
        }


def simulate(scenario: Scenario | LoadedScenario, draws: int = 100_000, seed: int = 0) -> MonteCarloResult:
    """Draw every uncertain input `draws` times and run the full cost model once, vectorised.

    The same (scenario, draws, seed) gives the same numbers.  Inputs are independent of one
    another (no correlations are modelled; the docs say what that implies).
    """
    if isinstance(draws, bool) or int(draws) != draws or draws < 2:
        raise ArgumentError("draws", f"need a whole number >= 2 (got {draws})")
    if draws > MAX_DRAWS:
        raise ArgumentError("draws", f"at most {MAX_DRAWS:,} (got {draws:,}); memory grows with the draws")
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ArgumentError("seed", f"need a whole number >= 0 (got {seed})")
    draws, seed = int(draws), int(seed)
    sc = scenario_of(scenario)
    loaded = scenario if isinstance(scenario, LoadedScenario) else None
    rng = np.random.default_rng(seed)
    inputs = draw_inputs(sc, draws, rng)
    result = evaluate(sc, inputs)
    samples = pick_outputs(result)
    for k, v in samples.items():  # outputs that depend on no uncertain input come back as scalars
        if v.shape != (draws,):
            samples[k] = np.broadcast_to(v, (draws,)).copy()
    central = {k: float(v) for k, v in pick_outputs(evaluate(sc, {})).items()}
    quantities = sc.quantities()
    sources = {
        p: (loaded.source_of(p) if loaded else (quantities[p].source or "(no source given)")) for p in inputs
    }
    return MonteCarloResult(
        scenario_name=sc.meta.name,
        scenario_file=loaded.path if loaded else None,
        currency=sc.meta.currency,
        draws=draws,
        seed=seed,
        samples=samples,
        inputs=inputs,
        sources=sources,
        dists={p: quantities[p].dist.model_dump() for p in inputs},
        described={p: quantities[p].dist.describe() for p in inputs},
        item_means={k: float(np.mean(result["ai"][k])) for k in costs.ITEMS},
        deterministic=central,
    )
