"""Break-even between routes (issue #17; docs/routes.md): the monthly volume above which owning a GPU bought for
the work beats renting it, the cheapest API and the subscription, solved with `breakeven.solve_crossings`.

Owning a GPU bought for this work alone spreads its price over the work's own hours: at J jobs a month of
G GPU-seconds each on n GPUs, hours_used_per_year = min(12 x J x G / 3600 / n, 8,784); its cost per usable
image falls with the volume, while a rented GPU's, an API's (flat per image) and a subscription's (a fee
shared by the month's jobs) do not or fall differently. The volume where the two costs meet is a root; a
change of sign without a meeting (a billing step) is not reported as one. A `route` here is a
`model.routes.Route` with its scenario (`loaded`) and central figures (`point`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from artcost.model.breakeven import solve_crossings
from artcost.model.uncertainty import evaluate


class Route(Protocol):
    """What break-even reads of a `model.routes.Route` (that module imports this one, so not the class itself)."""

    key: str
    kind: str
    name: str
    loaded: Any  # LoadedScenario, or None for a route not priced
    point: dict[str, float]


HOURS_PER_YEAR_MAX = 8784.0  # a leap year: one GPU cannot work more
JOBS_LOW = 0.01  # the break-even scan starts at one job in a hundred months
CURVE_POINTS = 240


@dataclass
class Crossing:
    """Owning `own` against `rival` as the monthly volume grows: the volume where they cost the same."""

    own: str
    rival: str
    own_name: str
    rival_name: str
    jobs_per_month: float | None
    images_per_month: float | None
    gpu_hours_per_month: float | None  # the owned GPUs' hours of use at that volume
    verdict: str  # "above" | "always" | "never"
    capacity_jobs_per_month: float
    sentence: str
    at_volume: dict[str, float] | None = None  # {jobs_per_month, own, rival}: both costs at the scenario's volume

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --------------------------------------------------------------------------- break-even volumes


def own_cost(route: Route, jobs: np.ndarray | float) -> np.ndarray:
    """Cost per usable image of owning a GPU bought for this work alone: its hours a year are the work's."""
    sc = route.loaded.scenario
    p = route.point
    gpus = sc.generation.gpus.central
    hours = np.minimum(12.0 * np.asarray(jobs, dtype=float) * p["gpu_seconds"] / 3600.0 / gpus, HOURS_PER_YEAR_MAX)
    r = evaluate(sc, {"job.jobs_per_month": np.asarray(jobs, dtype=float), "compute.owned.hours_used_per_year": hours})
    return np.asarray(r["ai"]["per_usable_image"], dtype=float)


def rival_cost(route: Route, jobs: np.ndarray | float) -> np.ndarray:
    sc = route.loaded.scenario
    r = evaluate(sc, {"job.jobs_per_month": np.asarray(jobs, dtype=float)})
    return np.broadcast_to(np.asarray(r["ai"]["per_usable_image"], dtype=float), np.shape(jobs)).astype(float)


def capacity_jobs(route: Route) -> float:
    """Jobs a month the owned GPUs can do at most (every hour of the year busy)."""
    gpus = route.loaded.scenario.generation.gpus.central
    return HOURS_PER_YEAR_MAX * gpus / 12.0 / (route.point["gpu_seconds"] / 3600.0)


def breakeven(routes: list[Route], jobs: float | None = None) -> tuple[list[Crossing], dict[str, Any]]:
    """For each owned GPU: the monthly volume above which owning it (bought for this work) beats renting it,
    the cheapest API and the subscription; and the curves to plot (cost per usable image by jobs a month)."""
    owns = [r for r in routes if r.kind == "own" and r.loaded is not None]
    rents = {r.key.split(":", 1)[1]: r for r in routes if r.kind == "rent" and r.loaded is not None}
    own_rented = next((r for r in routes if r.kind == "scenario" and r.loaded is not None
                       and r.loaded.scenario.compute.kind == "cloud"), None)
    if own_rented is not None:  # the scenario rents one of the GPUs itself: its own route is that GPU's rent
        from artcost.model.gpu_offers import offer_for

        offer = offer_for(own_rented.loaded.scenario.generation.device or "")
        if offer is not None:
            rents.setdefault(offer.id, own_rented)
    apis = [r for r in routes if r.kind == "api" and r.loaded is not None]
    cheapest_api = min(apis, key=lambda r: r.point["per_usable_image"]) if apis else None
    subs = [r for r in routes if r.kind == "subscription" and r.loaded is not None]
    crossings: list[Crossing] = []
    if not owns:
        return crossings, {}
    hi = max(capacity_jobs(o) for o in owns)
    grid = np.geomspace(JOBS_LOW, hi, CURVE_POINTS)
    curves: dict[str, Any] = {"jobs_per_month": grid.tolist(), "cost": {}, "names": {}, "kinds": {}, "capacity": {}}
    for o in owns:
        cap = capacity_jobs(o)
        ys = own_cost(o, np.minimum(grid, cap))
        curves["cost"][o.key] = [float(y) if x <= cap else float("nan") for x, y in zip(grid, ys)]
        curves["names"][o.key], curves["kinds"][o.key], curves["capacity"][o.key] = o.name, o.kind, cap
        rivals = [x for x in (rents.get(o.key.split(":", 1)[1]), cheapest_api, *subs) if x is not None]
        for rv in rivals:
            crossings.append(_crossing(o, rv, cap, jobs))
    for rv in [*rents.values(), *([cheapest_api] if cheapest_api else []), *subs]:
        curves["cost"][rv.key] = rival_cost(rv, grid).tolist()
        curves["names"][rv.key], curves["kinds"][rv.key] = rv.name, rv.kind
    return crossings, curves


def count(x: float) -> str:
    """A volume as people say it: '1,220', '85.7', '8.0', '0.35'."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}" if x >= 1 else f"{x:.2g}"


def _crossing(own: Route, rival: Route, cap: float, jobs: float | None = None) -> Crossing:
    finals = own.point["usable_images"]
    gpu_hours = own.point["gpu_seconds"] / 3600.0  # a job's GPU-hours on the owned GPU

    def sides(j):
        a, b = own_cost(own, j), rival_cost(rival, j)
        return {"ai": a, "artist": b, "diff": a - b}

    roots, _steps = solve_crossings(sides, JOBS_LOW, cap)
    at_cap = sides(cap)
    cheaper_at_cap = float(at_cap["diff"]) < 0
    if roots and cheaper_at_cap:
        j = roots[-1]
        verdict, text = "above", (f"owning beats {rival.name} above {count(j)} jobs a month "
                                  f"({count(j * finals)} usable images, {count(j * gpu_hours)} GPU-hours)")
    elif cheaper_at_cap:
        j, verdict = None, "always"
        text = f"owning beats {rival.name} at any volume from {JOBS_LOW:g} jobs a month"
    else:
        j, verdict = None, "never"
        text = f"owning never beats {rival.name}, even with the GPU busy all year ({count(cap)} jobs a month)"
    at_volume = None
    if jobs is not None:  # the same central-value costs at the scenario's own volume, to read beside the ranking
        v = min(jobs, cap)
        at_volume = {"jobs_per_month": jobs, "own": float(own_cost(own, v)), "rival": float(rival_cost(rival, v))}
        text += (f"; at the scenario's {count(jobs)} job{'' if jobs == 1 else 's'} a month: owning "
                 f"{at_volume['own']:.4g}, {rival.name.split(':')[0] if rival.kind != 'rent' else 'renting'} "
                 f"{at_volume['rival']:.4g} per usable image")
    return Crossing(own=own.key, rival=rival.key, own_name=own.name, rival_name=rival.name, jobs_per_month=j,
                    images_per_month=None if j is None else j * finals,
                    gpu_hours_per_month=None if j is None else j * gpu_hours, verdict=verdict,
                    capacity_jobs_per_month=cap, sentence=f"{own.name}: {text}", at_volume=at_volume)
