"""Routes compared in pairs, on common random numbers (issue #26; docs/routes.md, "Ties").

Every route's scenario keeps the scenario's human inputs (wage, screening, retouching, acceptance, candidates),
and those inputs make nearly all of a machine route's cost and nearly all of its interval. Drawn apart, two
routes that differ by cents read "31 (17-57)" each and cannot be told apart; drawn together, the shared
inputs cancel in the difference and what is left is what the route changes. So:

* the scenario's uncertain inputs are drawn once, exactly as `uncertainty.simulate` draws them for its
  headline (`numpy.random.default_rng(seed)`, the scenario's field order): the scenario's own route in
  these draws is its headline;
* each route reuses those draws for every input it shares with the scenario (same path, same
  distribution); an input of its own (a rental price range, a new card's price range) is drawn from a
  stream of its own (seed and a hash of the route's key), so it is reproducible too;
* the difference of two routes is taken draw by draw: its median, 5th and 95th percentile, and the share
  of draws where the first is cheaper (`Paired`).

Tie rule (`is_tied`): a route is tied with another when the paired 90% interval of their difference
includes 0 (within noise), or when the median difference is under MATERIALITY (1%) of the other's median
cost (too small to matter). Ranks: routes in order of their median difference to the scenario; a route
tied with the first route of the group above it takes that group's rank ("=1").
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from artcost.model.loader import LoadedScenario
from artcost.model.uncertainty import draw_inputs, evaluate, uncertain_specs

MATERIALITY = 0.01
TIE_RULE = ("tied = the paired 90% interval of the difference includes 0 (within noise), or the median difference "
            f"is under {MATERIALITY:.0%} of the cheaper route's median cost (too small to matter); routes are "
            "drawn from the same draws of the scenario's inputs (common random numbers)")


@dataclass(frozen=True)
class Paired:
    """One route minus another, draw by draw: median, 5th/95th percentile, P(first is cheaper)."""

    median: float
    p5: float
    p95: float
    p_cheaper: float

    @classmethod
    def of(cls, diff: np.ndarray) -> "Paired":
        d = np.asarray(diff, dtype=float)
        p5, p50, p95 = np.percentile(d, [5, 50, 95])
        return cls(float(p50), float(p5), float(p95), float(np.mean(d < 0)))

    def to_dict(self, factor: float = 1.0) -> dict[str, float]:
        return {"median": self.median * factor, "p5": self.p5 * factor, "p95": self.p95 * factor,
                "p_cheaper": self.p_cheaper}


@dataclass
class Draws:
    """A route's outputs per draw: cost per usable image, its machine part and its human part."""

    total: np.ndarray
    compute: np.ndarray
    human: np.ndarray


def base_inputs(base: LoadedScenario, draws: int, seed: int) -> dict[str, np.ndarray]:
    """The scenario's uncertain inputs drawn as `uncertainty.simulate(base, draws, seed)` draws them."""
    return draw_inputs(base, draws, np.random.default_rng(seed))


def _spec_key(spec: Any) -> Any:
    return repr(sorted(spec.model_dump().items()))


def route_inputs(loaded: LoadedScenario, base: LoadedScenario, shared: dict[str, np.ndarray], draws: int,
                 seed: int, key: str) -> dict[str, np.ndarray]:
    """A route's draws: the scenario's for every input it shares (same path and distribution), its own stream
    (seed, crc32 of `key`) for the rest."""
    base_specs = {p: _spec_key(s) for p, s in uncertain_specs(base).items()}
    own_rng = np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])
    out: dict[str, np.ndarray] = {}
    for path, spec in uncertain_specs(loaded).items():
        if path in shared and base_specs.get(path) == _spec_key(spec):
            out[path] = shared[path]
        else:
            out[path] = spec.sample(own_rng, draws)
    return out


def machine_draws(loaded: LoadedScenario, inputs: dict[str, np.ndarray], draws: int) -> Draws:
    sc = loaded.scenario
    ai = evaluate(sc, inputs)["ai"]
    usable = np.broadcast_to(np.asarray(ai["usable_images"], dtype=float), (draws,))

    def per(x):
        return np.broadcast_to(np.asarray(x, dtype=float), (draws,)) / usable

    return Draws(per(ai["total"]), per(ai["compute_total"]), per(ai["human_total"]))


def artist_draws(base: LoadedScenario, shared: dict[str, np.ndarray], draws: int) -> Draws:
    per_image = np.broadcast_to(np.asarray(evaluate(base.scenario, shared)["artist"]["per_image"], dtype=float),
                                (draws,))
    return Draws(per_image, np.zeros(draws), per_image)


def is_tied(diff: Paired, reference_median: float) -> bool:
    """The tie rule (module docstring): interval includes 0, or |median| < MATERIALITY x the reference's median."""
    within_noise = diff.p5 <= 0.0 <= diff.p95
    immaterial = abs(diff.median) < MATERIALITY * abs(reference_median)
    return bool(within_noise or immaterial)


def rank_groups(order: Sequence[str], samples: dict[str, Draws]) -> dict[str, tuple[int, str]]:
    """key -> (rank, leader key) for keys already in cost order: a key tied with its group's leader (the first
    of the group) shares the leader's rank; otherwise it leads a new group at its own position."""
    out: dict[str, tuple[int, str]] = {}
    leader, rank = None, 0
    for i, k in enumerate(order, 1):
        if leader is not None:
            d = Paired.of(samples[k].total - samples[leader].total)
            if is_tied(d, float(np.median(samples[leader].total))):
                out[k] = (rank, leader)
                continue
        leader, rank = k, i
        out[k] = (rank, k)
    return out


def human_share(d: Draws) -> float:
    """Median share of people's time (and bought retouching) in a route's cost per usable image."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.median(d.human / d.total))

