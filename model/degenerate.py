"""Scenarios no figure can be computed for: refused once, where every command reads a scenario.

A scenario whose AI side can cost nothing makes artist / AI infinite (or 0/0 where both are 0):
`cost` printed a refusal while `routes` printed 'median nan', `sensitivity` 'inf .. inf' and
`market` a numpy divide-by-zero warning, each command meeting the zero in its own arithmetic.
The rule is checked here, in the schema's own validation (`schema.Scenario`), so `validate`,
every command and the dashboard refuse such a scenario with the same line before any arithmetic.

"Can cost nothing" is judged over the scenario's ranges, not only its central values: a
distribution that reaches 0 (a `choice` holding 0, a uniform from 0) would give some Monte Carlo
draws a zero cost and an infinite ratio, although the central value is positive.  The AI cost of
a job is a sum of items that each grow with their cost inputs (prices, wage, minutes, power), so
it can be 0 exactly when it is 0 with every input at the low end of its range; the two inputs
that lower a cost as they grow (`resale_value`, a subscription's `images_included_per_month`)
are taken at their high end.  Every other figure (delivery time, the artist's price) cannot be 0:
the schema bounds seconds per image, candidates and the artist's price above 0.

The market section can make the AI side cost nothing too: its AI cost falls by
`cost_decline_per_year` a year, and a decline of 100% (or one that shrinks the cost below any
float by the last month) leaves buyers dividing by a zero price.
"""

from __future__ import annotations

from typing import Any

# Inputs that lower the AI cost as they grow: the cheapest case takes them at the top of their range.
_LOWERING = ("compute.owned.resale_value", "compute.subscription.images_included_per_month")

# Per compute kind: its costs in words, and the input a user would give a price to.
_COMPUTE_COSTS = {
    "owned": ("the GPU's electricity and depreciation", "compute.owned.price_per_kwh"),
    "cloud": ("the cloud GPU time", "compute.cloud.price_per_gpu_hour"),
    "subscription": ("the subscription's fee and extra images", "compute.subscription.monthly_fee"),
    "api": ("the API's prices", "compute.api.price_per_image"),
}


# A cost shrunk below this share of today's is 0 to the market's arithmetic (a price ratio overflows).
_MARKET_FLOOR = 1e-200


def problems(scenario: Any) -> list[str]:
    """Every reason the scenario cannot be priced, each starting with the field to point at."""
    return [p for p in (zero_cost_problem(scenario), market_zero_cost_problem(scenario)) if p]


def market_zero_cost_problem(scenario: Any) -> str | None:
    """Why the market's AI cost reaches nothing before its last month, or None."""
    market = getattr(scenario, "market", None)
    if market is None:
        return None
    decline = market.ai.cost_decline_per_year.span[1]
    years = (market.n_months - 1) / 12.0
    left = (1.0 - decline) ** years if decline < 1 or years > 0 else 1.0
    if left >= _MARKET_FLOOR:
        return None
    fell = "to nothing" if left == 0 else f"to {left:.3g} of today's figure (nothing, to the arithmetic)"
    return (f"market.ai.cost_decline_per_year at up to {decline:.12g} a year brings the AI cost {fell} by "
            f"{market.end}, so buyers would divide by a zero price; give a decline below 1 (e.g. 0.3)")


def cheapest_values(scenario: Any) -> dict[str, float]:
    """The cost model's inputs at the cheapest corner of the scenario's ranges (see the module's note)."""
    values = scenario.values()
    for path, q in scenario.cost_quantities().items():
        lo, hi = q.span
        values[path] = hi if path in _LOWERING else lo
    return values


def zero_cost_problem(scenario: Any) -> str | None:
    """Why the scenario cannot be priced (its AI side can cost nothing), as a schema error names it
    (the field first, so the loader points at its line), or None."""
    import numpy as np

    from artcost.model import costs

    kind = scenario.compute.kind
    with np.errstate(all="ignore"):
        total = float(np.asarray(costs.ai_job(cheapest_values(scenario), kind)["total"]))
    if total != 0:  # (nan, which bounded inputs cannot give, is left to the figures' own finiteness checks)
        return None
    central_zero = float(np.asarray(costs.ai_job(scenario.values(), kind)["total"])) == 0
    how, zero = ("costs nothing", "are all 0") if central_zero else ("can cost nothing", "can all be 0 within their ranges")
    words, priced = _COMPUTE_COSTS[kind]
    return (f"human.wage_per_hour the AI side {how}: the operator's time, retouching and {words} {zero}, so "
            f"artist / AI would be infinite; give at least one cost that cannot be 0, e.g. human.wage_per_hour "
            f"or {priced}")
