"""Properties the cost model must keep for any inputs (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from artcost.model import costs
from artcost.model.currency import rate_table

BASE_VALUES = {
    "job.finals_needed": 2.0,
    "generation.seconds_per_image": 3.0,
    "generation.candidates_per_job": 100.0,
    "generation.acceptance_rate": 0.1,
    "generation.gpus": 2.0,
    "generation.scaling_efficiency": 1.0,
    "compute.owned.purchase_price": 1000.0,
    "compute.owned.resale_value": 200.0,
    "compute.owned.lifetime_years": 4.0,
    "compute.owned.hours_used_per_year": 2000.0,
    "compute.owned.board_power_w": 300.0,
    "compute.owned.system_power_w": 100.0,
    "compute.owned.price_per_kwh": 0.2,
    "compute.owned.pue": 1.5,
    "human.wage_per_hour": 30.0,
    "human.prompt_tuning_minutes_per_job": 10.0,
    "human.learning_hours": 8.0,
    "human.learning_jobs_amortised": 4.0,
    "human.screening_seconds_per_candidate": 2.0,
    "human.screening_rounds": 2.0,
    "human.attend_share": 0.5,
    "human.retouch_share": 0.5,
    "human.retouch_price_per_image": 40.0,
    "human.retouch_minutes_per_image": 0.0,
    "human.retouch_lead_time_days": 0.0,
    "artist.price_per_image": 500.0,
    "artist.revision_price_per_image": 0.0,
    "artist.lead_time_days": 10.0,
    "artist.availability_probability": 1.0,
}

positive = st.floats(min_value=0.01, max_value=1e4, allow_nan=False)


def per_image(**changes) -> float:
    return float(costs.ai_job({**BASE_VALUES, **changes}, "owned")["per_usable_image"])


@given(a=positive, b=positive)
def test_cost_rises_with_wage(a, b):
    lo, hi = sorted((a, b))
    assert per_image(**{"human.wage_per_hour": lo}) <= per_image(**{"human.wage_per_hour": hi})


@given(a=positive, b=positive)
def test_cost_rises_with_seconds_per_image(a, b):
    lo, hi = sorted((a, b))
    assert per_image(**{"generation.seconds_per_image": lo}) <= per_image(**{"generation.seconds_per_image": hi})


@given(a=st.floats(1e-4, 1.0), b=st.floats(1e-4, 1.0))
def test_cost_falls_with_acceptance_rate(a, b):
    lo, hi = sorted((a, b))
    assert per_image(**{"generation.acceptance_rate": hi}) <= per_image(**{"generation.acceptance_rate": lo}) * (1 + 1e-12)


@given(
    seconds=positive,
    candidates=st.floats(1, 5000),
    price=st.floats(0, 5),
    watts=st.floats(0, 1000),
)
def test_zero_wage_leaves_only_compute(seconds, candidates, price, watts):
    v = {**BASE_VALUES, "human.wage_per_hour": 0.0, "human.retouch_share": 0.0,
         "generation.seconds_per_image": seconds, "generation.candidates_per_job": candidates,
         "compute.owned.price_per_kwh": price, "compute.owned.board_power_w": watts}
    ai = costs.ai_job(v, "owned")
    for item in costs.HUMAN_ITEMS:
        assert ai[item] == 0
    assert np.isclose(ai["total"], ai["electricity"] + ai["hardware"])


@settings(max_examples=50)
@given(amount=st.floats(0, 1e7), a=st.sampled_from(["USD", "CNY", "EUR", "GBP", "JPY"]), b=st.sampled_from(["USD", "CNY", "EUR", "GBP", "JPY"]))
def test_currency_round_trips(amount, a, b):
    t = rate_table()
    there = t.convert(amount, a, b)
    assert np.isclose(t.convert(there, b, a), amount, rtol=1e-12, atol=1e-9)


@given(
    k=st.integers(-2, 60),
    n=st.integers(0, 50),
    p=st.floats(0, 1),
)
def test_binomial_at_least_matches_scipy(k, n, p):
    from scipy import stats

    expected = stats.binom.sf(k - 1, n, p)
    assert np.isclose(costs.binomial_at_least(k, n, p), expected, atol=1e-12)
