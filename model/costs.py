"""The cost model: pure, vectorised arithmetic from scenario values to an itemised job cost.

Inputs are a mapping from dotted scenario path ('human.wage_per_hour') to a float or a numpy
array; arrays broadcast, so the Monte Carlo reuses these functions unchanged.  Every formula
is written once here and explained, with a worked example, in docs/cost-model.md.
All money is in the scenario's currency; times are in the unit their key names.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy import special

ArrayLike = float | np.ndarray
Values = Mapping[str, ArrayLike]

SECONDS_PER_HOUR = 3600.0
JOULES_PER_KWH = 3.6e6
HOURS_PER_DAY = 24.0

# The stable keys of the itemised breakdown, in display order (CLI, JSON, dashboard).
COMPUTE_ITEMS = ("electricity", "hardware", "cloud", "subscription", "api")
HUMAN_ITEMS = ("prompt_tuning", "learning", "screening", "supervision", "retouching")
ITEMS = COMPUTE_ITEMS + HUMAN_ITEMS
# Each item in words, the one list the CLI table, the charts and the report print (never `prompt_tuning`).
ITEM_WORDS = {
    "electricity": "electricity", "hardware": "GPU depreciation", "cloud": "cloud GPU time",
    "subscription": "subscription", "api": "API images", "prompt_tuning": "prompt tuning",
    "learning": "learning (amortised)", "screening": "screening candidates", "supervision": "supervising runs",
    "retouching": "retouching",
}


def _a(v: Values, key: str) -> np.ndarray:
    return np.asarray(v[key], dtype=float)


def generation_seconds(v: Values) -> dict[str, np.ndarray]:
    """GPU-seconds of generation per job and the wall time it takes on `gpus` GPUs."""
    gpu_seconds = _a(v, "generation.candidates_per_job") * _a(v, "generation.seconds_per_image")
    wall = gpu_seconds / (_a(v, "generation.gpus") * _a(v, "generation.scaling_efficiency"))
    return {"gpu_seconds": gpu_seconds, "wall_seconds": wall}


def owned_costs(v: Values, gpu_seconds: np.ndarray) -> dict[str, np.ndarray]:
    """Electricity at the wall (with PUE) and hardware depreciation per hour of use."""
    p = "compute.owned."
    watts = _a(v, p + "board_power_w") + _a(v, p + "system_power_w")
    kwh = gpu_seconds * watts / JOULES_PER_KWH * _a(v, p + "pue")
    electricity = kwh * _a(v, p + "price_per_kwh")
    depreciation_per_hour = (_a(v, p + "purchase_price") - _a(v, p + "resale_value")) / (
        _a(v, p + "lifetime_years") * _a(v, p + "hours_used_per_year")
    )
    hardware = gpu_seconds / SECONDS_PER_HOUR * depreciation_per_hour
    return {"electricity": electricity, "hardware": hardware, "energy_kwh": kwh}


def cloud_costs(v: Values, wall_seconds: np.ndarray) -> dict[str, np.ndarray]:
    """Each GPU is billed for the wall time (plus start-up), rounded up to the granularity, at least the minimum."""
    p = "compute.cloud."
    gpus = _a(v, "generation.gpus")
    per_gpu = wall_seconds + _a(v, p + "startup_seconds_per_gpu")
    granularity = _a(v, p + "billing_granularity_seconds")
    billed_per_gpu = np.maximum(np.ceil(per_gpu / granularity - 1e-9) * granularity, _a(v, p + "minimum_billed_seconds"))
    billed = gpus * billed_per_gpu
    return {"cloud": billed / SECONDS_PER_HOUR * _a(v, p + "price_per_gpu_hour"), "billed_gpu_seconds": billed}


def subscription_costs(v: Values) -> dict[str, np.ndarray]:
    """The monthly fee and included images are shared by the month's jobs; extra images cost extra."""
    p = "compute.subscription."
    jobs = _a(v, "job.jobs_per_month")
    included_per_job = _a(v, p + "images_included_per_month") / jobs
    extra = np.maximum(_a(v, "generation.candidates_per_job") - included_per_job, 0.0)
    return {"subscription": _a(v, p + "monthly_fee") / jobs + extra * _a(v, p + "price_per_extra_image")}


def api_costs(v: Values) -> dict[str, np.ndarray]:
    """A hosted API: every candidate is billed per image, per megapixel billed and per step above those included.

    `compute.api.billed_megapixels` and `.extra_steps` come from the generation settings (`schema.Api.derived_values`)."""
    p = "compute.api."
    per_image = (
        _a(v, p + "price_per_image")
        + _a(v, p + "price_per_megapixel") * _a(v, p + "billed_megapixels")
        + _a(v, p + "price_per_step") * _a(v, p + "extra_steps")
    )
    return {"api": _a(v, "generation.candidates_per_job") * per_image, "api_price_per_image": per_image}


def api_wall_seconds(v: Values, wall_seconds: np.ndarray) -> np.ndarray:
    """Under a rate limit (images a minute), a job takes at least candidates / limit minutes."""
    limit = v.get("compute.api.rate_limit_images_per_minute")
    if limit is None:
        return wall_seconds
    return np.maximum(wall_seconds, _a(v, "generation.candidates_per_job") * 60.0 / np.asarray(limit, dtype=float))


def human_costs(v: Values, wall_seconds: np.ndarray) -> dict[str, np.ndarray]:
    """The operator's time at their wage, and retouching bought or done by hand."""
    h = "human."
    wage = _a(v, h + "wage_per_hour")
    finals = _a(v, "job.finals_needed")
    screening_hours = (
        _a(v, "generation.candidates_per_job")
        * _a(v, h + "screening_seconds_per_candidate")
        * _a(v, h + "screening_rounds")
        / SECONDS_PER_HOUR
    )
    retouched = finals * _a(v, h + "retouch_share")
    retouch_unit = _a(v, h + "retouch_price_per_image") + _a(v, h + "retouch_minutes_per_image") / 60.0 * wage
    return {
        # the operator's own retouching: paid at the wage above and, being their hours, part of the delivery
        "own_retouch_hours": retouched * _a(v, h + "retouch_minutes_per_image") / 60.0,
        "prompt_tuning": _a(v, h + "prompt_tuning_minutes_per_job") / 60.0 * wage,
        "learning": _a(v, h + "learning_hours") * wage / _a(v, h + "learning_jobs_amortised"),
        "screening": screening_hours * wage,
        "supervision": wall_seconds / SECONDS_PER_HOUR * _a(v, h + "attend_share") * wage,
        "retouching": retouched * retouch_unit,
        "screening_hours": screening_hours,
    }


def binomial_at_least(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """P(X >= k) for X ~ Binomial(n, p), via the regularised incomplete beta I_p(k, n - k + 1).

    The same number as scipy.stats.binom.sf(k - 1, n, p), from scipy.special, which imports in a
    fraction of the time scipy.stats takes (this sits on the dashboard's first paint).
    """
    k, n, p = np.broadcast_arrays(np.asarray(k, float), np.asarray(n, float), np.asarray(p, float))
    inside = (k >= 1) & (k <= n)
    safe_k = np.where(inside, k, 1.0)
    safe_b = np.where(inside, n - k + 1, 1.0)
    out = np.where(k <= 0, 1.0, np.where(k > n, 0.0, special.betainc(safe_k, safe_b, p)))
    return out[()] if out.ndim == 0 else out


def usable_images(v: Values) -> dict[str, np.ndarray]:
    """Expected usable images, capped at what the job needs, and the chance the job reaches its finals.

    The chance treats each candidate as an independent draw with the acceptance rate:
    P(at least `finals` accepted) for a binomial(candidates, rate).
    """
    finals = _a(v, "job.finals_needed")
    expected = _a(v, "generation.candidates_per_job") * _a(v, "generation.acceptance_rate")
    n = np.floor(_a(v, "generation.candidates_per_job"))
    p_success = binomial_at_least(np.ceil(finals), n, _a(v, "generation.acceptance_rate"))
    return {
        "expected_accepted": expected,
        "usable_images": np.minimum(finals, expected),
        "shortfall": expected < finals,
        "p_job_success": np.asarray(p_success, dtype=float),
    }


def ai_job(v: Values, kind: str) -> dict[str, np.ndarray]:
    """The itemised AI cost of one job (keys: ITEMS, 'total', 'per_usable_image', times and counts)."""
    gen = generation_seconds(v)
    shape = np.broadcast_shapes(*(np.shape(x) for x in v.values()))
    out: dict[str, np.ndarray] = {k: np.zeros(shape) for k in COMPUTE_ITEMS}
    if kind == "owned":
        out.update(owned_costs(v, gen["gpu_seconds"]))
    elif kind == "cloud":
        out.update(cloud_costs(v, gen["wall_seconds"]))
    elif kind == "subscription":
        out.update(subscription_costs(v))
    elif kind == "api":
        out.update(api_costs(v))
        gen["wall_seconds"] = api_wall_seconds(v, gen["wall_seconds"])
    else:
        raise ValueError(f"unknown compute kind {kind!r}")
    out.update(human_costs(v, gen["wall_seconds"]))
    out.update(gen)
    out.update(usable_images(v))
    out["compute_total"] = sum(out[k] for k in COMPUTE_ITEMS)
    out["human_total"] = sum(out[k] for k in HUMAN_ITEMS)
    out["total"] = out["compute_total"] + out["human_total"]
    out["per_usable_image"] = out["total"] / out["usable_images"]
    # A job that misses its finals is run again until it delivers them: expected jobs per delivered
    # job is 1 / p_job_success, and a delivered job yields `finals_needed` images. Reported beside
    # per_usable_image (which follows the seed's reasoning and counts one job).
    with np.errstate(divide="ignore"):
        out["per_usable_image_with_reruns"] = out["total"] / (_a(v, "job.finals_needed") * out["p_job_success"])
    # Delivery: the operator's working time (tuning, screening, their own retouching) plus generation wall
    # time, plus a retoucher's turnaround if any. Own retouching was costed but left out of the delivery
    # until a review found 600 minutes of it still "delivering" in 51 minutes.
    retouch_delay_h = np.where(_a(v, "human.retouch_share") > 0, _a(v, "human.retouch_lead_time_days") * HOURS_PER_DAY, 0.0)
    out["delivery_hours"] = (
        _a(v, "human.prompt_tuning_minutes_per_job") / 60.0
        + gen["wall_seconds"] / SECONDS_PER_HOUR
        + out["screening_hours"]
        + out["own_retouch_hours"]
        + retouch_delay_h
    )
    return out


def artist_job(v: Values) -> dict[str, np.ndarray]:
    """What the same finals cost from an artist, and how long they take."""
    a = "artist."
    per_image = _a(v, a + "price_per_image") + _a(v, a + "revision_price_per_image")
    return {
        "per_image": per_image,
        "total": per_image * _a(v, "job.finals_needed"),
        "delivery_hours": _a(v, a + "lead_time_days") * HOURS_PER_DAY,
        "availability_probability": _a(v, a + "availability_probability"),
    }


def compare(v: Values, kind: str) -> dict[str, dict[str, np.ndarray] | np.ndarray]:
    """AI and artist side by side; `ratio` is artist cost per image / AI cost per usable image."""
    ai = ai_job(v, kind)
    artist = artist_job(v)
    # a side that costs or takes nothing gives an infinite ratio: callers refuse or label it
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = artist["per_image"] / ai["per_usable_image"]
        time_ratio = artist["delivery_hours"] / ai["delivery_hours"]
    return {"ai": ai, "artist": artist, "ratio": ratio, "time_ratio": time_ratio}
