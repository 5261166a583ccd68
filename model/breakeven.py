"""Where AI and the artist cost the same: one input's break-even value, and a two-input grid of the ratio.

Both work on the deterministic model (every other input at its central value) and reuse
`costs.compare` vectorised.  Money is in the scenario's currency.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import optimize

from artcost.errors import ArgumentError, UserError
from artcost.model import quantity
from artcost.model.distributions import MAX_MAGNITUDE, MIN_MAGNITUDE, magnitude_problem
from artcost.model.loader import LoadedScenario
from artcost.model.schema import Scenario, model_class_of
from artcost.model.suggest import did_you_mean
from artcost.model.uncertainty import cost_quantities, evaluate, scenario_of

# The bound types of `model.quantity`, recognised by their (shared) validator object:
# (lowest allowed, lowest is allowed itself, highest allowed).
_BOUND_TYPES = {
    id(quantity.NonNegative.__metadata__[0]): (0.0, True, math.inf),
    id(quantity.Positive.__metadata__[0]): (0.0, False, math.inf),
    id(quantity.Share.__metadata__[0]): (0.0, True, 1.0),
    id(quantity.Probability.__metadata__[0]): (0.0, False, 1.0),
    id(quantity.AtLeastOne.__metadata__[0]): (1.0, True, math.inf),
}
GRID_POINTS = 400  # where to look for sign changes before brentq refines each one
SPAN = 1e4  # default search reaches this many times the central value (and this far below it)
PER_DECADE = 8  # logarithmic scan points a decade, at least
MAX_GRID_STEPS = 200  # grid points a side of a two-input grid: 40,000 model runs, a table no one reads whole


def field_bounds(path: str) -> tuple[float, bool, float]:
    """(low, low_inclusive, high) allowed for a numeric scenario field, from the schema's bound types."""
    cls: Any = Scenario
    parts = path.split(".")
    for part in parts[:-1]:
        cls = model_class_of(cls.model_fields[part].annotation)
    info = cls.model_fields[parts[-1]]
    for meta in info.metadata:
        if id(meta) in _BOUND_TYPES:
            return _BOUND_TYPES[id(meta)]
    return (-math.inf, True, math.inf)


def check_param(scenario: Scenario | LoadedScenario, path: str, argument: str = "param") -> None:
    """ArgumentError about `argument` (with 'did you mean') unless `path` is a numeric cost-model field of this scenario."""
    known = list(cost_quantities(scenario))
    if path not in known:
        why = " (market fields do not enter the cost model; see `artcost market`)" if path.startswith("market.") else ""
        raise ArgumentError(
            argument, f"not a numeric cost-model field of this scenario{why}{did_you_mean(path, known)}; "
            f"known: {', '.join(known)}", path
        )


def check_in_bounds(path: str, values: np.ndarray, argument: str) -> None:
    """ArgumentError about `argument` unless every value lies inside the field's bounds and is a size a
    scenario's figure may have (`distributions.magnitude_problem`: a number the file could not hold
    is no value to solve or grid over either)."""
    lo, inclusive, hi = field_bounds(path)
    v = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(v)):
        raise ArgumentError(argument, f"{path}: values must be finite numbers")
    for x in v.ravel():
        problem = magnitude_problem(float(x))
        if problem:
            raise ArgumentError(argument, f"{path} {problem}")
    below = v < lo if inclusive else v <= lo
    if np.any(below) or np.any(v > hi):
        need = f"{'>=' if inclusive else '>'} {lo:g}" + (f" and <= {hi:g}" if math.isfinite(hi) else "")
        bad = v[below | (v > hi)][0]
        raise ArgumentError(argument, f"{path} must be {need} (got {bad:g})")


def _check_finite(path: str, lo: float, hi: float, argument: str) -> None:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ArgumentError(argument, f"{path}: values must be finite numbers")


def default_range(scenario: Scenario | LoadedScenario, path: str) -> tuple[float, float]:
    """The field's allowed range, cut to SPAN times either side of its central value."""
    lo_b, inclusive, hi_b = field_bounds(path)
    c = abs(scenario_of(scenario).values()[path]) or 1.0
    lo = lo_b if inclusive else max(lo_b, c / SPAN, MIN_MAGNITUDE)
    if not math.isfinite(lo):
        lo = -min(c * SPAN, MAX_MAGNITUDE)
    hi = min(hi_b, max(c, 1.0) * SPAN, MAX_MAGNITUDE)
    return float(lo), float(hi)


def _difference(scenario: Scenario | LoadedScenario, path: str, x: np.ndarray | float) -> dict[str, np.ndarray]:
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # the scan reaches extreme values on purpose
        r = evaluate(scenario, {path: np.asarray(x, dtype=float)})
    ai = np.asarray(r["ai"]["per_usable_image"], dtype=float)
    artist = np.asarray(r["artist"]["per_image"], dtype=float)
    return {"ai": ai, "artist": artist, "diff": ai - artist}


def _grid(lo: float, hi: float, n: int) -> np.ndarray:
    """Linear and logarithmic points together, so both a root near `lo` and one far out are bracketed.

    The logarithmic points reach down to the smallest figure a scenario holds (MIN_MAGNITUDE) when `lo`
    is 0, at least PER_DECADE a decade: over 0..1e12 a root at 5,766 lies between two points a third
    apart, where brentq's tolerance (relative to the interval's end) is fine; with `n` points spread
    from hi / 1e8 it lay in [0, 2.5e9] and, over 0..1e200, in an interval brentq could not resolve."""
    lin = np.linspace(lo, hi, n)
    if lo >= 0 and hi > 0:
        start = lo if lo > 0 else min(MIN_MAGNITUDE, hi / 2)
        decades = math.log10(hi / start)
        return np.unique(np.concatenate([lin, np.geomspace(start, hi, max(n, math.ceil(PER_DECADE * decades)))]))
    return lin


@dataclass
class BreakEven:
    """The input value(s) at which AI cost per usable image equals the artist's per image."""

    param: str
    lo: float
    hi: float
    central: float
    currency: str
    roots: list[float] = field(default_factory=list)
    ai_at_root: list[float] = field(default_factory=list)
    artist_at_root: list[float] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)  # where the sign flips at a jump (e.g. cloud billing), not a root
    ai_at_central: float = 0.0
    artist_at_central: float = 0.0
    source: str = ""

    @property
    def root(self) -> float | None:
        return self.roots[0] if self.roots else None

    @property
    def message(self) -> str:
        if self.roots:
            shown = ", ".join(f"{r:.6g}" for r in self.roots)
            return f"break-even at {self.param} = {shown} (AI = artist = {self.artist_at_root[0]:,.4g} {self.currency} per image)"
        cheaper = "AI" if self.ai_at_central < self.artist_at_central else "the artist"
        return (
            f"no break-even in this range: {self.param} from {self.lo:.6g} to {self.hi:.6g} "
            f"never makes the costs equal ({cheaper} is cheaper at the central value)"
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["root"] = self.root
        d["message"] = self.message
        return d


def breakeven(
    scenario: Scenario | LoadedScenario,
    param: str,
    lo: float | None = None,
    hi: float | None = None,
) -> BreakEven:
    """Solve ai_per_usable_image(param) = artist_per_image(param), every other input central.

    Scans `GRID_POINTS` values in [lo, hi] (default: `default_range`) for sign changes and
    refines each with `scipy.optimize.brentq`; a flip across a discontinuity is reported in
    `steps`, not as a root.
    """
    check_param(scenario, param)
    sc = scenario_of(scenario)
    d_lo, d_hi = default_range(sc, param)
    lo = d_lo if lo is None else float(lo)
    hi = d_hi if hi is None else float(hi)
    _check_finite(param, lo, hi, "range")  # first: 'LO < HI' never says nan
    if not lo < hi:
        raise ArgumentError("range", f"need LO < HI (got {lo:g} {hi:g})")
    check_in_bounds(param, np.array([lo, hi]), "range")
    central = sc.values()[param]
    at_c = _difference(sc, param, central)
    out = BreakEven(
        param=param, lo=lo, hi=hi, central=float(central), currency=sc.meta.currency,
        ai_at_central=float(at_c["ai"]), artist_at_central=float(at_c["artist"]),
        source=scenario.source_of(param) if isinstance(scenario, LoadedScenario) else "",
    )
    roots, steps = solve_crossings(lambda x: _difference(sc, param, x), lo, hi)
    for x in roots:
        check = _difference(sc, param, x)
        out.roots.append(x)
        out.ai_at_root.append(float(check["ai"]))
        out.artist_at_root.append(float(check["artist"]))
    out.steps.extend(steps)
    return out


def solve_crossings(sides, lo: float, hi: float, points: int = GRID_POINTS) -> tuple[list[float], list[float]]:
    """Where two costs cross as one input runs from `lo` to `hi`: (roots, steps).

    `sides(x)` gives {"ai": ..., "artist": ..., "diff": ai - artist} for a number or an array `x` (any two
    costs: `routes` passes owning against renting). The scan takes `points` linear and logarithmic values
    (`_grid`) and refines each sign change with `scipy.optimize.brentq`; a change where the two sides do not
    meet (a jump, e.g. cloud billing by the minute) is a step, not a root."""
    xs = _grid(lo, hi, points)
    diff = np.asarray(sides(xs)["diff"], dtype=float)
    finite = np.isfinite(diff)
    xs, diff = xs[finite], diff[finite]
    roots: list[float] = []
    steps: list[float] = []

    def f(x: float) -> float:
        return float(sides(x)["diff"])

    for i in range(len(xs) - 1):
        a, b, fa, fb = xs[i], xs[i + 1], diff[i], diff[i + 1]
        if fa == 0:
            x = a
        elif (fa < 0 < fb) or (fb < 0 < fa):  # signs compared, not multiplied: fa * fb may overflow
            x = optimize.brentq(f, a, b, xtol=1e-12 * max(1.0, abs(b)), rtol=1e-12, maxiter=200)
        else:
            continue
        check = sides(x)
        scale = max(abs(float(check["artist"])), abs(float(check["ai"])), 1e-12)
        if abs(float(check["diff"])) <= 1e-6 * scale:
            roots.append(float(x))
        else:
            steps.append(float(x))
    if diff.size and diff[-1] == 0:
        roots.append(float(xs[-1]))
    return roots, steps


def ratio_grid(
    scenario: Scenario | LoadedScenario,
    x_param: str,
    x_values,
    y_param: str,
    y_values,
) -> dict[str, Any]:
    """The artist/AI ratio over a grid of two inputs (all others central), for a heatmap.

    Returns {"x_param", "y_param", "x": (nx,), "y": (ny,), "ratio": (ny, nx),
    "ai_per_usable_image": (ny, nx), "artist_per_image": (ny, nx), "currency"}; row j is y[j].
    """
    check_param(scenario, x_param, "x_param")
    check_param(scenario, y_param, "y_param")
    if x_param == y_param:
        raise ArgumentError("y_param", f"pick a second parameter different from `x_param` ({x_param})")
    x = np.asarray(x_values, dtype=float).ravel()
    y = np.asarray(y_values, dtype=float).ravel()
    if x.size == 0 or y.size == 0:
        raise UserError("ratio grid: need at least one value on each axis")
    check_in_bounds(x_param, x, "x_values")
    check_in_bounds(y_param, y, "y_values")
    sc = scenario_of(scenario)
    r = evaluate(sc, {x_param: x[None, :], y_param: y[:, None]})
    shape = (y.size, x.size)
    return {
        "x_param": x_param,
        "y_param": y_param,
        "x": x,
        "y": y,
        "ratio": np.broadcast_to(np.asarray(r["ratio"], dtype=float), shape).copy(),
        "ai_per_usable_image": np.broadcast_to(np.asarray(r["ai"]["per_usable_image"], dtype=float), shape).copy(),
        "artist_per_image": np.broadcast_to(np.asarray(r["artist"]["per_image"], dtype=float), shape).copy(),
        "currency": sc.meta.currency,
    }


def axis_values(scenario: Scenario | LoadedScenario, path: str, lo: float | None, hi: float | None, steps: int,
                argument: str = "values") -> np.ndarray:
    """Grid values for one axis: [lo, hi] given, else the input's p5..p95 if uncertain, else central x [0.5, 2].
    A problem with a given `lo`/`hi` is an ArgumentError about `argument` (the CLI names its flag)."""
    sc = scenario_of(scenario)
    q = sc.quantities()[path]
    if lo is None or hi is None:
        if q.uncertain:
            d_lo, d_hi = (float(v) for v in q.dist.ppf([0.05, 0.95]))
        else:
            # half to twice the value; from 0 to 1 of its unit where it is 0 (0 to 0 is no axis)
            d_lo, d_hi = (0.5 * q.central, 2.0 * q.central) if q.central != 0 else (0.0, 1.0)
            b_lo, inclusive, b_hi = field_bounds(path)
            d_hi = min(d_hi, b_hi)
            d_lo = max(d_lo, b_lo) if inclusive else max(d_lo, b_lo + 1e-9)
        lo = d_lo if lo is None else lo
        hi = d_hi if hi is None else hi
    if steps < 2:
        raise ArgumentError("steps", f"need at least 2 (got {steps})")
    if steps > MAX_GRID_STEPS:  # 1e5 a side asked numpy for a 75 GiB grid; 10^37 raised inside linspace
        raise ArgumentError("steps", f"at most {MAX_GRID_STEPS} a side (got {f'{steps:,}' if steps < 10**15 else f'a number of {len(str(steps))} digits'})")
    _check_finite(path, lo, hi, argument)
    if not lo < hi:
        raise ArgumentError(argument, f"{path}: need LO < HI (got {lo:g} {hi:g})")
    check_in_bounds(path, np.array([lo, hi], dtype=float), argument)
    return np.linspace(lo, hi, steps)
