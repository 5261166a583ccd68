"""A figure of a scenario: a number with its source and, optionally, a distribution; and its bounds.

    wage_per_hour: 31                                   # a plain number
    wage_per_hour: {value: 31, source: "NBS 2022 ..."}  # a number with its source
    wage_per_hour: {dist: triangular, low: 20, mode: 31, high: 50, source: "..."}

All three become a `Quantity`.  The bound types (`NonNegative`, `Positive`, `Share`, `Probability`,
`AtLeastOne`) check the number *and* everything a distribution can produce.  Both schemas build on
this module: the scenario's (`model.schema`) and its market section's (`model.market_schema`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from artcost.model.distributions import DIST_KINDS, DistSpec, magnitude_problem
from artcost.model.suggest import did_you_mean


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, values are not silently coerced from text."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Quantity(Strict):
    """A number with an optional source and an optional distribution."""

    value: float | None = Field(None, strict=True)  # "40" in quotes is text, not a number
    source: str | None = None
    dist: DistSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if isinstance(data, bool) or data is None:
            raise ValueError(f"must be a number (got {data!r})")
        number = data.get("value") if isinstance(data, dict) else data
        if isinstance(number, int) and not isinstance(number, bool):
            problem = magnitude_problem(number)
            if problem:  # an int too large for a float is said so here, as the other sizes are below
                raise ValueError(problem)
        if isinstance(data, (int, float)):
            return {"value": data}
        if isinstance(data, str):
            raise ValueError(
                f"must be a number, {{value: N, source: ...}} or {{dist: ..., source: ...}} (got text {data!r})"
            )
        if isinstance(data, dict) and "dist" in data and not isinstance(data["dist"], dict):
            kind = data["dist"]
            if kind not in DIST_KINDS:
                hint = did_you_mean(str(kind), DIST_KINDS)
                raise ValueError(
                    f"unknown distribution {kind!r}{hint}; known: {', '.join(DIST_KINDS)}"
                )
            rest = {k: v for k, v in data.items() if k != "source"}
            return {"dist": rest, "source": data.get("source")}
        return data

    @model_validator(mode="after")
    def _one_of(self):
        if (self.value is None) == (self.dist is None):
            raise ValueError("give either a value or a dist, not both")
        if self.value is not None:
            problem = magnitude_problem(self.value)
            if problem:
                raise ValueError(problem)
        return self

    @property
    def span(self) -> tuple[float, float]:
        """Smallest and largest value it takes: the value, or its distribution's extent."""
        if self.value is not None:
            return (self.value, self.value)
        return self.dist.extent()

    @property
    def central(self) -> float:
        """The value the deterministic model uses (see `model.distributions` for each kind's centre)."""
        return float(self.value) if self.value is not None else float(self.dist.central())

    @property
    def uncertain(self) -> bool:
        return self.dist is not None and self.dist.dist != "fixed"


def bounds(*, ge: float | None = None, gt: float | None = None, le: float | None = None):
    """A validator checking a Quantity's value, or its distribution's whole support, against bounds."""

    def describe(lo: float, hi: float) -> str | None:
        if ge is not None and lo < ge:
            return f">= {ge:g}"
        if gt is not None and lo <= gt:
            return f"> {gt:g}"
        if le is not None and hi > le:
            return f"<= {le:g}"
        return None

    def check(q: Quantity) -> Quantity:
        if q.dist is None:
            need = describe(q.value, q.value)
            if need:
                raise ValueError(f"must be {need} (got {q.value:g})")
        else:
            lo, hi = q.dist.support()
            need = describe(lo, hi)
            if need:
                raise ValueError(
                    f"must be {need}, but the {q.dist.dist} distribution can produce values from "
                    f"{lo:g} to {hi:g}; narrow it or truncate it (low/high)"
                )
        return q

    return AfterValidator(check)


NonNegative = Annotated[Quantity, bounds(ge=0)]
Positive = Annotated[Quantity, bounds(gt=0)]
Share = Annotated[Quantity, bounds(ge=0, le=1)]  # a share that may be zero: 0..1
Probability = Annotated[Quantity, bounds(gt=0, le=1)]  # a rate that must be possible: (0, 1]
AtLeastOne = Annotated[Quantity, bounds(ge=1)]


def default(value: float, why: str):
    """A default that says where it comes from, so the output can label it."""
    return Field(default_factory=lambda: Quantity(value=value, source=f"default: {why}"))
