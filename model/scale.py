"""How cost per usable image falls with scale: more finals per job, more jobs per month.

Two levers, on the deterministic model (other inputs central), through `costs.compare`:

* finals per job `f`: candidates grow in proportion (the scenario's candidates per final is
  kept), so screening grows with the job while prompt tuning and learning are shared by
  more images.
* jobs per month `J`: the one-off learning time is spread over the jobs of `horizon_months`
  (default: the GPU's lifetime for owned hardware, else 36 months); with a subscription the
  monthly fee is spread over J jobs; with owned hardware and `gpu="dedicated"` the card does
  only this work, so its yearly hours are J * 12 * GPU-hours per job and its depreciation is
  shared by all those jobs.  `gpu="shared"` keeps the scenario's hours_used_per_year.

Money is in the scenario's currency.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from artcost.errors import ArgumentError
from artcost.model import costs
from artcost.model.distributions import magnitude_problem
from artcost.model.loader import LoadedScenario
from artcost.model.schema import Scenario
from artcost.model.uncertainty import scenario_of

DEFAULT_FINALS = (1, 2, 5, 10, 20, 50, 100)
DEFAULT_JOBS_PER_MONTH = (0.5, 1, 2, 4, 8, 16, 32, 64)
DEFAULT_HORIZON_MONTHS = 36.0
MAX_VALUES = 200  # values a side of the table; more is no table anyone reads (and 1e5 of them, a big array)


def scale_curve(
    scenario: Scenario | LoadedScenario,
    finals=DEFAULT_FINALS,
    jobs_per_month=DEFAULT_JOBS_PER_MONTH,
    horizon_months: float | None = None,
    gpu: Literal["dedicated", "shared"] = "dedicated",
) -> dict[str, Any]:
    """Cost per usable image over a grid: rows are jobs per month, columns finals per job.

    Returns {"finals": (nf,), "jobs_per_month": (nj,), "per_usable_image": (nj, nf),
    "items_per_usable_image": {item: (nj, nf)}, "artist_per_image": float, "ratio": (nj, nf),
    "horizon_months", "gpu", "assumptions": [str], "currency"}.
    """
    sc = scenario_of(scenario)
    f = np.asarray(finals, dtype=float).ravel()
    j = np.asarray(jobs_per_month, dtype=float).ravel()
    if f.size == 0 or j.size == 0:
        raise ArgumentError("finals" if f.size == 0 else "jobs_per_month", "need at least one value")
    for name, values in (("finals", f), ("jobs_per_month", j)):
        if values.size > MAX_VALUES:
            raise ArgumentError(name, f"at most {MAX_VALUES} values (got {values.size:,})")
    if np.any(~np.isfinite(f)) or np.any(f < 1):
        raise ArgumentError("finals", f"each value must be >= 1 (got {_listed(f)})")
    if np.any(~np.isfinite(j)) or np.any(j <= 0):
        raise ArgumentError("jobs_per_month", f"each value must be > 0 (got {_listed(j)})")
    for name, values in (("finals", f), ("jobs_per_month", j)):  # the sizes a scenario's figure may have
        problem = next(filter(None, map(magnitude_problem, values.tolist())), None)
        if problem:
            raise ArgumentError(name, f"each value {problem}")
    if gpu not in ("dedicated", "shared"):
        raise ArgumentError("gpu", f"must be 'dedicated' or 'shared' (got {gpu!r})")
    kind = sc.compute.kind
    v: dict[str, Any] = sc.values()
    if horizon_months is None:
        horizon_months = v["compute.owned.lifetime_years"] * 12 if kind == "owned" else DEFAULT_HORIZON_MONTHS
    if not horizon_months > 0:
        raise ArgumentError("horizon_months", f"must be > 0 (got {horizon_months:g})")
    problem = magnitude_problem(float(horizon_months))  # inf months spread learning over 'inf months'
    if problem:
        raise ArgumentError("horizon_months", problem)

    F = f[None, :]
    J = j[:, None]
    per_final = v["generation.candidates_per_job"] / v["job.finals_needed"]
    candidates = per_final * F
    v["job.finals_needed"] = F
    v["generation.candidates_per_job"] = candidates
    v["human.learning_jobs_amortised"] = np.maximum(1.0, J * horizon_months)
    v["job.jobs_per_month"] = J
    assumptions = [f"candidates per final kept at the scenario's {per_final:g}"]
    assumptions.append(
        f"learning ({v['human.learning_hours']:g} h) spread over jobs_per_month x {horizon_months:g} months"
    )
    if kind == "owned" and gpu == "dedicated":
        gpu_hours_per_job = candidates * v["generation.seconds_per_image"] / costs.SECONDS_PER_HOUR
        v["compute.owned.hours_used_per_year"] = J * 12.0 * gpu_hours_per_job
        assumptions.append("the GPU does only this work: hours_used_per_year = jobs x 12 x GPU-hours per job")
    elif kind == "owned":
        assumptions.append(f"the GPU is shared: hours_used_per_year stays {v['compute.owned.hours_used_per_year']:g}")
    elif kind == "subscription":
        assumptions.append("the subscription fee is spread over jobs_per_month")
    r = costs.compare(v, kind)
    shape = (j.size, f.size)

    def grid(x: Any) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=float), shape).copy()

    usable = grid(r["ai"]["usable_images"])
    return {
        "finals": f,
        "jobs_per_month": j,
        "per_usable_image": grid(r["ai"]["per_usable_image"]),
        "items_per_usable_image": {k: grid(r["ai"][k]) / usable for k in costs.ITEMS},
        "artist_per_image": float(np.asarray(r["artist"]["per_image"])),
        "ratio": grid(r["ratio"]),
        "horizon_months": float(horizon_months),
        "gpu": gpu if kind == "owned" else None,
        "assumptions": assumptions,
        "currency": sc.meta.currency,
    }


def _listed(values: np.ndarray, most: int = 8) -> str:
    """Values as a refusal quotes them: the first `most`, then how many more."""
    shown = ", ".join(f"{x:g}" for x in values[:most])
    return shown + (f", ... ({values.size - most:,} more)" if values.size > most else "")
