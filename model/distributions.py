"""Distribution specs a scenario field may carry instead of a plain number.

The deterministic model uses each spec's *central* value (documented per kind below);
the uncertainty work samples the same specs.  Validation here is about the spec itself
(low <= mode <= high, sigma > 0, weights summing to 1); whether a spec fits the field it
sits on (an acceptance rate above 1, a negative price) is checked by `support()` against
the field's bounds in `model.schema`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

# z-score of the 90th percentile of a standard normal; used to turn (median, p90) into sigma.
Z90 = 1.2815515655446004


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def central(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can produce (may be infinite)."""
        raise NotImplementedError  # pragma: no cover


class Fixed(_Spec):
    """A single value; the same as writing the number, but explicit."""

    dist: Literal["fixed"]
    value: float

    def central(self) -> float:
        return self.value

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)


class Uniform(_Spec):
    """Every value in [low, high] equally likely. Central value: the midpoint."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if not self.low < self.high:
            raise ValueError(f"uniform needs low < high (got low={self.low}, high={self.high})")
        return self

    def central(self) -> float:
        return (self.low + self.high) / 2

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Triangular(_Spec):
    """Triangular on [low, high] peaking at mode. Central value: the mode (the figure an author states)."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"{self.dist} needs low <= mode <= high and low < high "
                f"(got low={self.low}, mode={self.mode}, high={self.high})"
            )
        return self

    def central(self) -> float:
        return self.mode

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)


class Pert(Triangular):
    """Beta-PERT on [low, high] with the given mode; `lamb` weights the mode (4 is the classic PERT).

    Central value: the mode, as for triangular.
    """

    dist: Literal["pert"]  # type: ignore[assignment]
    lamb: float = Field(4.0, gt=0)


class Normal(_Spec):
    """Normal(mean, sd), optionally truncated to [low, high]. Central value: the mean (clipped into the bounds)."""

    dist: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)
    low: float | None = None
    high: float | None = None

    @model_validator(mode="after")
    def _order(self):
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"normal truncation needs low < high (got low={self.low}, high={self.high})")
        return self

    def central(self) -> float:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        return min(max(self.mean, lo), hi)

    def support(self) -> tuple[float, float]:
        return (
            -math.inf if self.low is None else self.low,
            math.inf if self.high is None else self.high,
        )


class LogNormal(_Spec):
    """Log-normal given either by (median, p90) or by (mu, sigma) of the underlying normal.

    Central value: the median.
    """

    dist: Literal["lognormal"]
    median: float | None = Field(None, gt=0)
    p90: float | None = Field(None, gt=0)
    mu: float | None = None
    sigma: float | None = None

    @model_validator(mode="after")
    def _params(self):
        by_quantiles = self.median is not None or self.p90 is not None
        by_moments = self.mu is not None or self.sigma is not None
        if by_quantiles == by_moments:
            raise ValueError("lognormal needs either median and p90, or mu and sigma (not both, not neither)")
        if by_quantiles:
            if self.median is None or self.p90 is None:
                raise ValueError("lognormal by quantiles needs both median and p90")
            if not self.p90 > self.median:
                raise ValueError(f"lognormal needs p90 > median (got median={self.median}, p90={self.p90})")
        else:
            if self.mu is None or self.sigma is None:
                raise ValueError("lognormal by parameters needs both mu and sigma")
            if not self.sigma > 0:
                raise ValueError(f"lognormal needs sigma > 0 (got {self.sigma})")
        return self

    @property
    def log_mu(self) -> float:
        return math.log(self.median) if self.median is not None else float(self.mu)

    @property
    def log_sigma(self) -> float:
        if self.sigma is not None:
            return float(self.sigma)
        return (math.log(self.p90) - math.log(self.median)) / Z90

    def central(self) -> float:
        return math.exp(self.log_mu)

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)


class Choice(_Spec):
    """One of `values` with the given `weights` (default: equal). Central value: the most likely value."""

    dist: Literal["choice"]
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights(self):
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"choice needs one weight per value (got {len(self.values)} values, {len(self.weights)} weights)"
                )
            if any(w < 0 for w in self.weights):
                raise ValueError("choice weights must be >= 0")
            if not math.isclose(sum(self.weights), 1.0, abs_tol=1e-6):
                raise ValueError(f"choice weights must sum to 1 (got {sum(self.weights):g})")
        return self

    @property
    def probabilities(self) -> list[float]:
        return self.weights if self.weights is not None else [1 / len(self.values)] * len(self.values)

    def central(self) -> float:
        probs = self.probabilities
        return self.values[max(range(len(probs)), key=probs.__getitem__)]

    def support(self) -> tuple[float, float]:
        return (min(self.values), max(self.values))


DistSpec = Annotated[
    Union[Fixed, Uniform, Triangular, Pert, Normal, LogNormal, Choice],
    Field(discriminator="dist"),
]

DIST_KINDS = ("fixed", "uniform", "triangular", "pert", "normal", "lognormal", "choice")
