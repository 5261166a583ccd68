"""Distribution specs a scenario field may carry instead of a plain number.

The deterministic model uses each spec's *central* value (documented per kind below);
the uncertainty work samples the same specs (`sample`, `ppf`, `mean_value`, `variance`, all through
numpy/scipy: `scipy_dist()` is each spec's frozen scipy.stats distribution).  Validation here
is about the spec itself
(low <= mode <= high, sigma > 0, weights summing to 1); whether a spec fits the field it
sits on (an acceptance rate above 1, a negative price) is checked by `support()` against
the field's bounds in `model.schema`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

def _stats():
    """scipy.stats, imported on first use: it takes a third of a second, and only sampling needs it."""
    from scipy import stats

    return stats


# z-score of the 90th percentile of a standard normal; used to turn (median, p90) into sigma.
Z90 = 1.2815515655446004

# Every figure a scenario can hold, and the bulk of every distribution, lies within these sizes:
# nothing in an illustration's cost is larger than a trillion or, unless zero, smaller than a
# billionth of its unit, and inside them every total, ratio and quantile the model computes is a
# finite float (products of a few such numbers stay far from 1e308).
MAX_MAGNITUDE = 1e12
MIN_MAGNITUDE = 1e-9
# Unbounded kinds (normal, lognormal) are checked over mean +- 8 sd (in log space for lognormal):
# a draw beyond that has a chance below 1e-15.
BULK_Z = 8.0


def magnitude_problem(x: float | int) -> str | None:
    """Why `x` cannot be a scenario figure, or None: not finite, too large, or too close to zero.
    An integer too large for a float (YAML reads 310 nines as one) is too large, said without
    converting it (which raises OverflowError) or printing all its digits."""
    if isinstance(x, int) and not isinstance(x, bool):
        if abs(x) > MAX_MAGNITUDE:
            size = f"{x:g}" if x.bit_length() <= 1000 else f"a{' negative' if x < 0 else ''} number of {_digits(x):,} digits"
            return f"must be at most {MAX_MAGNITUDE:g} in size (got {size})"
        x = float(x)
    if not math.isfinite(x):
        return f"must be a finite number (got {x})"
    if abs(x) > MAX_MAGNITUDE:
        return f"must be at most {MAX_MAGNITUDE:g} in size (got {x:g})"
    if x != 0 and abs(x) < MIN_MAGNITUDE:
        return f"must be 0 or at least {MIN_MAGNITUDE:g} in size (got {x:g})"
    return None


def _digits(n: int) -> int:
    """Decimal digits of `n`, from its bit length (str() of a huge int is slow, and refused past 4,300 digits)."""
    n = abs(n)
    digits = max(1, math.floor((n.bit_length() - 1) * math.log10(2)) + 1)  # exact, or one short
    return digits + 1 if n >= 10**digits else digits


class _Spec(BaseModel):
    # strict: a parameter written '40' or true is text or a boolean, not a number (as for `value:`)
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _ints_a_float_can_hold(cls, data: Any) -> Any:
        """An integer parameter too large for a float is refused in words, not as 'not a valid number'."""
        if isinstance(data, dict):
            for name, value in data.items():
                for x in value if isinstance(value, list) else [value]:
                    if isinstance(x, int) and not isinstance(x, bool) and x.bit_length() > 1000:
                        raise ValueError(f"{data.get('dist')} parameter {name} {magnitude_problem(x)}")
        return data

    @model_validator(mode="after")
    def _finite(self):
        for name, value in self:
            for x in value if isinstance(value, list) else [value]:
                if isinstance(x, float) and not math.isfinite(x):
                    raise ValueError(f"{self.dist} parameter {name} must be a finite number (got {x})")
        try:
            lo, hi = self.extent()
        except (TypeError, ValueError, ZeroDivisionError):  # parameters missing or out of order:
            return self  # the kind's own validator (after this one) says which
        for x in (lo, hi):
            if magnitude_problem(x):
                reach = "beyond 1e308" if math.isinf(x) else f"{x:g}"
                raise ValueError(
                    f"{self.describe()} gives values of {reach}; every figure must be 0 or between "
                    f"{MIN_MAGNITUDE:g} and {MAX_MAGNITUDE:g} in size"
                )
        return self

    def extent(self) -> tuple[float, float]:
        """The range its draws fall in: the support where it is bounded, else mean +- BULK_Z sd."""
        return self.support()

    def scaled(self, factor: float) -> "_Spec":
        """The distribution of `factor` times the variable (a money input shown in another currency): every
        location and scale parameter times `factor`; shapes and weights (PERT's lamb, a lognormal's sigma,
        a choice's weights) as they are; a lognormal's mu moved by log(factor). Not validated again."""

        def one(k: str, v: Any) -> Any:
            if v is None or k in ("dist", "lamb", "sigma", "weights"):
                return v
            if k == "mu":
                return v + math.log(factor)
            if k == "values":
                return [x * factor for x in v]
            return v * factor if isinstance(v, (int, float)) else v

        return self.model_copy(update={k: one(k, v) for k, v in self.model_dump().items()})

    def describe(self, number_format: str = "g") -> str:
        """The spec as one line, e.g. 'triangular(low=20, mode=31, high=55)'; numbers in `number_format`."""
        params = ", ".join(
            f"{k}={v:{number_format}}" if isinstance(v, (int, float)) else f"{k}={v}"
            for k, v in self.model_dump().items()
            if k != "dist" and v is not None
        )
        return f"{self.dist}({params})"

    def central(self) -> float:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can produce (may be infinite)."""
        raise NotImplementedError  # pragma: no cover

    # ---- sampling: continuous kinds go through their frozen scipy.stats distribution.

    def scipy_dist(self):
        """The frozen `scipy.stats` distribution this spec describes (continuous kinds only)."""
        raise NotImplementedError  # pragma: no cover

    def ppf(self, q) -> np.ndarray:
        """Quantile function: the value below which a share `q` (array, each in [0, 1]) of draws falls."""
        return np.asarray(self.scipy_dist().ppf(np.asarray(q, dtype=float)), dtype=float)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """`n` independent draws, shape (n,), from `rng` (a numpy Generator, so a seed reproduces them).

        Kinds override this with the numpy Generator's own sampler where it has one: scipy's
        `rvs` adds ~15 ms of argument handling per million draws per input.
        """
        return np.asarray(self.scipy_dist().rvs(size=n, random_state=rng), dtype=float)

    def mean_value(self) -> float:
        """Closed-form mean (what a large sample's average converges to)."""
        return float(self.scipy_dist().mean())

    def variance(self) -> float:
        """Closed-form variance."""
        return float(self.scipy_dist().var())


class Fixed(_Spec):
    """A single value; the same as writing the number, but explicit."""

    dist: Literal["fixed"]
    value: float

    def central(self) -> float:
        return self.value

    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def ppf(self, q) -> np.ndarray:
        return np.full(np.shape(q), self.value, dtype=float)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, self.value, dtype=float)

    def mean_value(self) -> float:
        return self.value

    def variance(self) -> float:
        return 0.0


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

    def scipy_dist(self):
        return _stats().uniform(loc=self.low, scale=self.high - self.low)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size=n)


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

    def scipy_dist(self):
        width = self.high - self.low
        return _stats().triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, size=n)


class Pert(Triangular):
    """Beta-PERT on [low, high] with the given mode; `lamb` weights the mode (4 is the classic PERT).

    Central value: the mode, as for triangular.
    """

    dist: Literal["pert"]  # type: ignore[assignment]
    lamb: float = Field(4.0, gt=0)

    def beta_params(self) -> tuple[float, float]:
        """Beta-PERT is Beta(alpha, beta) scaled onto [low, high]; mean = (low + lamb*mode + high) / (lamb + 2)."""
        width = self.high - self.low
        return 1 + self.lamb * (self.mode - self.low) / width, 1 + self.lamb * (self.high - self.mode) / width

    def scipy_dist(self):
        alpha, beta = self.beta_params()
        return _stats().beta(alpha, beta, loc=self.low, scale=self.high - self.low)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # numpy's own beta sampler: the same draws as before, without importing scipy.stats (a third of a second)
        return self.low + (self.high - self.low) * rng.beta(*self.beta_params(), size=n)


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

    def extent(self) -> tuple[float, float]:
        lo, hi = self.support()
        return (max(lo, self.mean - BULK_Z * self.sd), min(hi, self.mean + BULK_Z * self.sd))

    def scipy_dist(self):
        if self.low is None and self.high is None:
            return _stats().norm(loc=self.mean, scale=self.sd)
        lo, hi = self.support()
        return _stats().truncnorm((lo - self.mean) / self.sd, (hi - self.mean) / self.sd, loc=self.mean, scale=self.sd)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # truncnorm.rvs is slow (about 0.4 s per million); inverting uniforms is exact and twice as fast.
        if self.low is None and self.high is None:
            return rng.normal(self.mean, self.sd, size=n)
        return self.ppf(rng.random(n))


def _exp_or_inf(x: float) -> float:
    return math.inf if x > 709 else math.exp(x)


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
        # strictly positive: the smallest float above 0, so a lognormal fits a field that must be > 0
        return (math.nextafter(0.0, 1.0), math.inf)

    def extent(self) -> tuple[float, float]:
        # in log space first, so mu = 1000 is refused instead of overflowing exp()
        lo_log = self.log_mu - BULK_Z * self.log_sigma
        hi_log = self.log_mu + BULK_Z * self.log_sigma
        return (_exp_or_inf(lo_log), _exp_or_inf(hi_log))

    def scipy_dist(self):
        return _stats().lognorm(s=self.log_sigma, scale=math.exp(self.log_mu))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.lognormal(self.log_mu, self.log_sigma, size=n)


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

    def _sorted(self) -> tuple[np.ndarray, np.ndarray]:
        values = np.asarray(self.values, dtype=float)
        probs = np.asarray(self.probabilities, dtype=float)
        probs = probs / probs.sum()  # weights are checked to sum to 1 within 1e-6; make it exact
        order = np.argsort(values, kind="stable")
        return values[order], probs[order]

    def ppf(self, q) -> np.ndarray:
        # The smallest value whose cumulative probability reaches q (the usual discrete quantile).
        values, probs = self._sorted()
        idx = np.searchsorted(np.cumsum(probs), np.asarray(q, dtype=float) - 1e-12, side="left")
        return values[np.minimum(idx, len(values) - 1)]

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        values, probs = self._sorted()
        return rng.choice(values, size=n, p=probs)

    def mean_value(self) -> float:
        values, probs = self._sorted()
        return float(values @ probs)

    def variance(self) -> float:
        values, probs = self._sorted()
        m = values @ probs
        return float(((values - m) ** 2) @ probs)


DistSpec = Annotated[
    Union[Fixed, Uniform, Triangular, Pert, Normal, LogNormal, Choice],
    Field(discriminator="dist"),
]

DIST_KINDS = ("fixed", "uniform", "triangular", "pert", "normal", "lognormal", "choice")
