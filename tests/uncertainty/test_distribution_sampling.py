"""Each distribution kind: sample moments match the closed forms, quantiles are right, bad specs are clear errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import TypeAdapter
from scipy import stats

from artcost.errors import UserError
from artcost.model.distributions import DistSpec
from artcost.model.loader import load_scenario

SEED = Path(__file__).resolve().parents[2] / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
spec_of = TypeAdapter(DistSpec).validate_python
N = 400_000

SPECS = {
    "uniform": ({"dist": "uniform", "low": 2, "high": 5}, 3.5, 9 / 12),
    "triangular": ({"dist": "triangular", "low": 0, "mode": 1, "high": 4}, 5 / 3, (0 + 1 + 16 - 0 - 0 - 4) / 18),
    # PERT(low=100, mode=500, high=1000): mean (low + 4 mode + high) / 6; Beta(a=2.778, b=3.222) on [100, 1000]
    "pert": ({"dist": "pert", "low": 100, "mode": 500, "high": 1000}, 3100 / 6, None),
    "normal": ({"dist": "normal", "mean": 10, "sd": 2}, 10.0, 4.0),
    "normal_truncated": ({"dist": "normal", "mean": 1, "sd": 2, "low": 0}, None, None),
    "lognormal_quantiles": ({"dist": "lognormal", "median": 100, "p90": 200}, None, None),
    "lognormal_params": ({"dist": "lognormal", "mu": 0.5, "sigma": 0.25}, math.exp(0.5 + 0.25**2 / 2), None),
    "choice": ({"dist": "choice", "values": [1, 2, 5], "weights": [0.5, 0.3, 0.2]}, 2.1, 0.5 * 1.1**2 + 0.3 * 0.1**2 + 0.2 * 2.9**2),
    "fixed": ({"dist": "fixed", "value": 7}, 7.0, 0.0),
}


def _closed_forms(raw):
    """Mean and variance from formulas written here, independent of the code under test where possible."""
    kind = raw["dist"]
    if kind == "pert":
        lo, m, hi = raw["low"], raw["mode"], raw["high"]
        a = 1 + 4 * (m - lo) / (hi - lo)
        b = 1 + 4 * (hi - m) / (hi - lo)
        var01 = a * b / ((a + b) ** 2 * (a + b + 1))
        return (lo + 4 * m + hi) / 6, var01 * (hi - lo) ** 2
    if kind == "normal" and raw.get("low") is not None:
        # half-open truncation at 0: mean = mu + sd * phi(alpha) / (1 - Phi(alpha))
        mu, sd = raw["mean"], raw["sd"]
        alpha = (raw["low"] - mu) / sd
        lam = stats.norm.pdf(alpha) / stats.norm.sf(alpha)
        return mu + sd * lam, sd**2 * (1 + alpha * lam - lam**2)
    if kind == "lognormal":
        mu = math.log(raw["median"]) if "median" in raw else raw["mu"]
        s = (math.log(raw["p90"]) - math.log(raw["median"])) / stats.norm.ppf(0.9) if "median" in raw else raw["sigma"]
        return math.exp(mu + s**2 / 2), (math.exp(s**2) - 1) * math.exp(2 * mu + s**2)
    raise AssertionError(kind)


@pytest.mark.parametrize("name", list(SPECS))
def test_sample_moments_match_closed_forms(name):
    raw, mean, var = SPECS[name]
    if mean is None or var is None:
        m2, v2 = _closed_forms(raw)
        mean = m2 if mean is None else mean
        var = v2 if var is None else var
    spec = spec_of(raw)
    x = spec.sample(np.random.default_rng(123), N)
    assert x.shape == (N,)
    assert spec.mean_value() == pytest.approx(mean, rel=1e-9, abs=1e-12)
    assert spec.variance() == pytest.approx(var, rel=1e-9, abs=1e-12)
    se = math.sqrt(var / N)
    assert abs(x.mean() - mean) <= 4 * se + 1e-12
    # the sample variance of 400k draws is within a few percent of the true one
    assert x.var(ddof=1) == pytest.approx(var, rel=0.03, abs=1e-12)
    lo, hi = spec.support()
    assert x.min() >= lo and x.max() <= hi


@pytest.mark.parametrize("name", [n for n in SPECS if n != "fixed"])
def test_ppf_inverts_the_empirical_distribution(name):
    spec = spec_of(SPECS[name][0])
    x = spec.sample(np.random.default_rng(7), N)
    for q in (0.1, 0.5, 0.9):
        value = float(spec.ppf(q))
        # share of draws at or below the q-quantile is q (discrete kinds: at least q)
        share = np.mean(x <= value)
        if name == "choice":
            assert share >= q - 0.005
        else:
            assert share == pytest.approx(q, abs=0.005)


def test_known_quantiles():
    assert spec_of({"dist": "uniform", "low": 1, "high": 2}).ppf([0.1, 0.9]) == pytest.approx([1.1, 1.9])
    assert float(spec_of({"dist": "lognormal", "median": 100, "p90": 200}).ppf(0.9)) == pytest.approx(200)
    assert float(spec_of({"dist": "lognormal", "median": 100, "p90": 200}).ppf(0.5)) == pytest.approx(100)
    choice = spec_of({"dist": "choice", "values": [2, 1], "weights": [0.4, 0.6]})
    assert choice.ppf([0.1, 0.6, 0.61, 0.9]).tolist() == [1, 1, 2, 2]
    # triangular(0, 0, 1): P(X <= x) = 1 - (1 - x)^2, so the median is 1 - sqrt(0.5)
    assert float(spec_of({"dist": "triangular", "low": 0, "mode": 0, "high": 1}).ppf(0.5)) == pytest.approx(1 - math.sqrt(0.5))


def test_central_value_semantics_unchanged():
    assert spec_of({"dist": "uniform", "low": 2, "high": 4}).central() == 3
    assert spec_of({"dist": "triangular", "low": 0, "mode": 1, "high": 4}).central() == 1
    assert spec_of({"dist": "pert", "low": 0, "mode": 1, "high": 4}).central() == 1
    assert spec_of({"dist": "lognormal", "median": 100, "p90": 200}).central() == pytest.approx(100)
    assert spec_of({"dist": "normal", "mean": -1, "sd": 1, "low": 0}).central() == 0
    assert spec_of({"dist": "choice", "values": [1, 2], "weights": [0.3, 0.7]}).central() == 2


def test_same_rng_seed_same_draws():
    spec = spec_of(SPECS["pert"][0])
    a = spec.sample(np.random.default_rng(5), 1000)
    b = spec.sample(np.random.default_rng(5), 1000)
    c = spec.sample(np.random.default_rng(6), 1000)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


# ---------------------------------------------------------------- invalid specs are errors naming the field

BAD = {
    "uniform low > high": ("human.wage_per_hour", {"dist": "uniform", "low": 50, "high": 20}, "low < high"),
    "triangular mode outside": ("human.wage_per_hour", {"dist": "triangular", "low": 20, "mode": 60, "high": 55}, "low <= mode <= high"),
    "pert low > high": ("artist.price_per_image", {"dist": "pert", "low": 4000, "mode": 2500, "high": 2000}, "low <= mode <= high"),
    "negative sigma": ("human.wage_per_hour", {"dist": "lognormal", "mu": 3, "sigma": -0.5}, "sigma > 0"),
    "normal sd <= 0": ("human.wage_per_hour", {"dist": "normal", "mean": 31, "sd": 0, "low": 0}, "greater than 0"),
    "lognormal p90 below median": ("human.wage_per_hour", {"dist": "lognormal", "median": 31, "p90": 20}, "p90 > median"),
    "weights not summing to 1": ("human.screening_rounds", {"dist": "choice", "values": [1, 2], "weights": [0.6, 0.6]}, "sum to 1"),
    "weights count": ("human.screening_rounds", {"dist": "choice", "values": [1, 2], "weights": [1.0]}, "one weight per value"),
    "acceptance rate above 1 possible": ("generation.acceptance_rate", {"dist": "normal", "mean": 0.5, "sd": 0.2, "low": 0.01}, "<= 1"),
    "negative wage possible": ("human.wage_per_hour", {"dist": "normal", "mean": 31, "sd": 10}, ">= 0"),
    "unknown kind": ("human.wage_per_hour", {"dist": "triangle", "low": 1, "mode": 2, "high": 3}, "did you mean 'triangular'"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_invalid_spec_is_a_clear_error_naming_the_field(case, tmp_path):
    path, spec, needle = BAD[case]
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    section, *rest = path.split(".")
    data[section][rest[-1]] = {**spec, "source": "test"}
    f = tmp_path / "bad.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_scenario(f)
    text = "\n".join(exc.value.problems)
    assert path in text, text
    assert needle in text, text
    assert str(f) in text
