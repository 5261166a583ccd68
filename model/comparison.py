"""One scenario's answer as plain data: the itemised AI cost, the artist side, the ratio, and
where every input came from.  The CLI, the JSON output, the dashboard and the report all
render this one structure, so each number is computed in one place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import math

from artcost.errors import UserError
from artcost.model import costs
from artcost.model.currency import rate_table_for
from artcost.model.headline import headline_for
from artcost.model.loader import LoadedScenario

# Inputs that are money (converted with --currency); every other input keeps its unit.
MONEY_INPUT_SUFFIXES = ("_price", "price_per_image", "_value", "price_per_kwh", "price_per_gpu_hour",
                        "monthly_fee", "price_per_extra_image", "wage_per_hour", "revision_price_per_image",
                        "living_cost_per_month", "willingness_to_pay",  # these two: the market section
                        "price_per_megapixel", "price_per_step", "carbon_price_per_tonne")  # an API's prices, carbon's


def _f(x: Any) -> float:
    return float(np.asarray(x))


def is_money(path: str) -> bool:
    leaf = path.rsplit(".", 1)[-1]
    return any(leaf.endswith(s) or leaf == s for s in MONEY_INPUT_SUFFIXES)


def comparison(loaded: LoadedScenario, currency: str | None = None, with_headline: bool = True) -> dict[str, Any]:
    """The full answer for one scenario, in `currency` (default: the scenario's own).

    Every figure is the central-value model (the point) except `headline`: the median and 90%
    interval of a seeded Monte Carlo (`model/headline.py`), with its sentence; `with_headline=False`
    leaves it out (and its ~10 ms) where only the inputs are wanted.
    """
    s = loaded.scenario
    own = s.meta.currency
    target = (currency or own).upper()
    table = rate_table_for(s)  # the scenario's own year: a 2022 scenario converts at 2022's rates
    fx = table.factor(own, target)
    result = costs.compare(s.values(), s.compute.kind)
    ai, artist = result["ai"], result["artist"]

    _refuse_non_finite(loaded, ai, artist, result)
    breakdown = {k: _f(ai[k]) * fx for k in costs.ITEMS}
    breakdown["total"] = _f(ai["total"]) * fx
    breakdown["per_usable_image"] = _f(ai["per_usable_image"]) * fx
    with_reruns: float | None = _f(ai["per_usable_image_with_reruns"]) * fx
    with_reruns_note = None
    if not math.isfinite(with_reruns):
        # the chance of success underflows to 0: re-running until success has no finite expectation
        with_reruns = None
        with_reruns_note = (
            f"cannot be computed: the chance that a job yields its {s.job.finals_needed.central:g} finals is "
            f"{_f(ai['p_job_success']):.3g} (job.finals_needed, generation.candidates_per_job, generation.acceptance_rate)"
        )

    expected = _f(ai["expected_accepted"])
    finals = s.job.finals_needed.central
    warnings = list(loaded.notes)
    if bool(ai["shortfall"]):
        need = int(np.ceil(finals / s.generation.acceptance_rate.central))
        warnings.append(
            f"expected usable images {expected:.2f} < finals needed {finals:g}: the scenario needs about "
            f"{need:,} candidates at an acceptance rate of {s.generation.acceptance_rate.central:g}; "
            "cost per usable image is computed on the expected usable images"
        )

    inputs = {
        path: {
            "value": q.central * (fx if is_money(path) else 1.0),
            "unit": field_unit(path, target),
            "label": field_label(path),
            "source": loaded.source_of(path),
            "uncertain": q.uncertain,
            **({"dist": q.dist.model_dump()} if q.dist is not None else {}),
        }
        for path, q in s.cost_quantities().items()
    }
    return {
        "scenario": {"name": s.meta.name, "file": loaded.path, "as_of": str(s.meta.as_of), "compute": s.compute.kind,
                     "device": s.generation.device, "artist_tier": s.artist.tier,
                     # the references a source's 'seed:' or 'refs:' prefix points to (meta.sources)
                     "sources": [{"id": None, "title": x, "url": None} if isinstance(x, str) else x.model_dump()
                                 for x in s.meta.sources]},
        "currency": target,
        "exchange_rate": None if target == own else {"from": own, "to": target, "factor": fx, "source": table.label,
                                                     "year": table.year},
        "breakdown": breakdown,
        "compute_total": _f(ai["compute_total"]) * fx,
        "human_total": _f(ai["human_total"]) * fx,
        "usable_images": _f(ai["usable_images"]),
        "expected_accepted": expected,
        "p_job_success": _f(ai["p_job_success"]),
        "per_usable_image_with_reruns": with_reruns,
        **({"per_usable_image_with_reruns_note": with_reruns_note} if with_reruns_note else {}),
        "generation": {
            "gpu_seconds": _f(ai["gpu_seconds"]),
            "wall_seconds": _f(ai["wall_seconds"]),
            "energy_kwh": _f(ai["energy_kwh"]) if "energy_kwh" in ai else None,
            "seconds_per_image_source": loaded.source_of("generation.seconds_per_image"),
        },
        "artist": {
            "per_image": _f(artist["per_image"]) * fx,
            "total": _f(artist["total"]) * fx,
            "delivery_days": _f(artist["delivery_hours"]) / costs.HOURS_PER_DAY,
            "availability_probability": _f(artist["availability_probability"]),
        },
        "ratio": _f(result["ratio"]),
        "delivery": {
            "ai_hours": _f(ai["delivery_hours"]),
            "artist_hours": _f(artist["delivery_hours"]),
            "artist_over_ai": _f(result["time_ratio"]),
        },
        "warnings": warnings,
        "inputs": inputs,
        **({"headline": headline_for(loaded, target).to_dict()} if with_headline else {}),
    }


# The inputs the AI delivery time is made of, to name them when it cannot be computed.
_AI_TIME_INPUTS = ("human.prompt_tuning_minutes_per_job", "human.screening_seconds_per_candidate",
                   "generation.seconds_per_image")


def _refuse_non_finite(loaded: LoadedScenario, ai: dict, artist: dict, result: dict) -> None:
    """Every figure of the answer is finite and non-negative, or the scenario is refused naming its inputs.

    The schema bounds each input and the pairs that bound each other, and refuses an AI side that can
    cost nothing (`model.degenerate`); this is the last guard, naming the inputs of a figure that overflows.
    """
    shown = loaded.path
    problems = []
    for name, value in [("AI cost per job", ai["total"]), ("artist price per image", artist["per_image"]),
                        ("AI delivery time", ai["delivery_hours"])]:
        v = _f(value)
        if not math.isfinite(v) or v < 0:
            problems.append(f"{shown}: {name} comes out as {v:g}; check the inputs it is made of")
    per_image = _f(ai["per_usable_image"])
    # an AI side that costs nothing is refused by the schema itself (`model.degenerate`), for every command
    if not math.isfinite(per_image) or not math.isfinite(_f(result["ratio"])):
        problems.append(f"{shown}: AI cost per usable image cannot be computed ({per_image:g}); "
                        "check generation.candidates_per_job and generation.acceptance_rate")
    if _f(ai["delivery_hours"]) == 0 or not math.isfinite(_f(result["time_ratio"])):
        problems.append(f"{shown}: {_AI_TIME_INPUTS[0]}: the AI side takes no time at all, so the delivery "
                        f"ratio would be infinite; give {', '.join(_AI_TIME_INPUTS)}")
    if problems:
        raise UserError(problems)


_UNITS = {
    "_seconds": "s", "seconds_per_image": "s", "_minutes_per_job": "min", "_minutes_per_image": "min",
    "_hours": "h", "_days": "days", "_years": "years", "_per_year": "h/year", "_w": "W", "_share": "share",
    "_rate": "share", "_efficiency": "share", "_probability": "probability", "_per_candidate": "s", "pue": "ratio",
}


def _per(path: str) -> str:
    """What a money input is per, from its name: 'CNY' + '/kWh', '/h', '/image', ..."""
    leaf = path.rsplit(".", 1)[-1]
    for suffix, per in (("_per_kwh", "/kWh"), ("_per_gpu_hour", "/GPU-h"), ("_per_hour", "/h"),
                        ("_per_image", "/image"), ("_per_extra_image", "/image"), ("monthly_fee", "/month"),
                        ("_per_month", "/month"), ("willingness_to_pay", "/image")):
        if leaf.endswith(suffix):
            return per
    return ""


def _as_shared_awareness(path: str) -> str:
    """A segment's own awareness curve (market.segments.low.awareness.p_per_year) reads like market.awareness's."""
    parts = path.split(".")
    if path.startswith(_SEGMENTS) and len(parts) == 5 and parts[3] == "awareness":
        return f"market.awareness.{parts[4]}"
    return path


def _unit(path: str) -> str:
    path = _as_shared_awareness(path)
    if path in _UNIT_OF_FIELD:
        return _UNIT_OF_FIELD[path]
    if path.startswith(_SEGMENTS) and path.rsplit(".", 1)[-1] in _UNIT_OF_FIELD:
        return _UNIT_OF_FIELD[path.rsplit(".", 1)[-1]]
    leaf = path.rsplit(".", 1)[-1]
    for suffix, unit in _UNITS.items():
        if leaf.endswith(suffix) or leaf == suffix:
            return unit
    return "count"


def field_unit(path: str, currency: str) -> str:
    """The unit of an input as the tables and axes print it: 'CNY/h', 's', 'share', 'count' ..."""
    leaf = path.rsplit(".", 1)[-1]
    if path in _UNIT_OF_FIELD or (path.startswith(_SEGMENTS) and leaf in _UNIT_OF_FIELD):
        return _unit(path)  # 'weight_price' ends like a price but is utils
    return f"{currency}{_per(path)}" if is_money(path) else _unit(path)


# Fields whose name the suffix rule above misreads (a Bass 'p_per_year' is a rate, not hours a year).
_SEGMENTS = "market.segments."
_UNIT_OF_FIELD = {
    "market.awareness.p_per_year": "per year", "market.awareness.q_per_year": "per year",
    "market.artist_ai.adoption.p_per_year": "per year", "market.artist_ai.adoption.q_per_year": "per year",
    "market.awareness.m": "share", "market.artist_ai.adoption.m": "share",
    "market.ai.quality_start": "score 0-1", "market.ai.quality_ceiling": "score 0-1",
    "market.ai.cost_decline_per_year": "share a year", "market.ai.retouch_quality_gain": "share",
    "market.ai.retouch_cap_multiple": "x", "market.artist_ai.time_saving": "share",
    "market.artist_ai.price_pass_through": "elasticity", "market.artists.price_elasticity": "elasticity",
    "market.choice_sensitivity": "x", "market.artist_spread.quality_sd": "score 0-1",
    "market.artist_spread.price_log_sd": "log", "market.artist_spread.loss_threshold": "share",
    "market.artist_spread.luck_sd": "log",
    # names the suffixes misread: 'startup_seconds_per_gpu' printed as a count, the monthly volumes as bare counts
    "compute.cloud.startup_seconds_per_gpu": "s", "compute.subscription.images_included_per_month": "images/month",
    "job.jobs_per_month": "jobs/month",
    # segment fields (market.segments.<low|mid|high>.<field>)
    "commissions_per_month": "commissions/month", "artist_price_multiple": "x", "artist_quality": "score 0-1",
    "artist_images_per_month": "images/month", "quality_requirement": "score 0-1",
    "requirement_flex": "points per 10x cheaper", "weight_price": "utils", "weight_time_per_day": "utils/day",
    "weight_quality": "utils per quality point", "demand_elasticity": "elasticity",
}

# Every input in words, for people who never saw the YAML: tornado and heatmap axes, the sources
# tables, the report.  One table, here beside the units; `field_label` falls back to the name.
FIELD_LABELS = {
    "job.finals_needed": "final images the job needs",
    "job.jobs_per_month": "jobs a month",
    "generation.seconds_per_image": "GPU time per image",
    "generation.candidates_per_job": "candidates generated per job",
    "generation.acceptance_rate": "share of candidates good enough to use",
    "generation.gpus": "GPUs used",
    "generation.scaling_efficiency": "multi-GPU scaling efficiency",
    "compute.owned.purchase_price": "GPU purchase price",
    "compute.owned.resale_value": "GPU resale value",
    "compute.owned.lifetime_years": "GPU lifetime",
    "compute.owned.hours_used_per_year": "GPU hours of use a year",
    "compute.owned.board_power_w": "GPU board power",
    "compute.owned.system_power_w": "power of the rest of the computer",
    "compute.owned.price_per_kwh": "electricity price",
    "compute.owned.pue": "cooling overhead (PUE)",
    "compute.cloud.price_per_gpu_hour": "cloud price per GPU-hour",
    "compute.cloud.billing_granularity_seconds": "cloud billing step",
    "compute.cloud.minimum_billed_seconds": "cloud minimum billed time",
    "compute.cloud.startup_seconds_per_gpu": "billed start-up time per GPU",
    "compute.subscription.monthly_fee": "subscription fee",
    "compute.subscription.images_included_per_month": "images included a month",
    "compute.subscription.price_per_extra_image": "price per extra image",
    "human.wage_per_hour": "operator's hourly wage",
    "human.prompt_tuning_minutes_per_job": "prompt tuning per job",
    "human.learning_hours": "time to learn the tool",
    "human.learning_jobs_amortised": "jobs the learning time is spread over",
    "human.screening_seconds_per_candidate": "screening time per candidate",
    "human.screening_rounds": "screening rounds",
    "human.attend_share": "share of generation time spent watching",
    "human.retouch_share": "share of finals that need retouching",
    "human.retouch_price_per_image": "retoucher's price per image",
    "human.retouch_minutes_per_image": "own retouching time per image",
    "human.retouch_lead_time_days": "retoucher's turnaround",
    "artist.price_per_image": "artist's price per image",
    "artist.revision_price_per_image": "artist's revision price per image",
    "artist.lead_time_days": "artist's lead time",
    "artist.availability_probability": "chance the artist is free in time",
    "market.awareness.p_per_year": "buyers learning of AI on their own (Bass p)",
    "market.awareness.q_per_year": "buyers learning of AI from others (Bass q)",
    "market.awareness.m": "buyers who eventually know of AI",
    "market.ai.quality_start": "AI image quality at the start",
    "market.ai.quality_ceiling": "AI image quality in the long run",
    "market.ai.quality_halflife_years": "years for AI's quality gap to halve",
    "market.ai.cost_decline_per_year": "AI cost decline a year",
    "market.ai.retouch_quality_gain": "share of AI's quality gap a retoucher closes",
    "market.ai.retouch_cap_multiple": "retoucher's price cap, times the buyer's own AI cost",
    "market.artist_ai.time_saving": "artist's time saved by using AI",
    "market.artist_ai.price_pass_through": "how much of that saving artists pass on in price",
    "market.artist_ai.adoption.p_per_year": "artists taking up AI on their own (Bass p)",
    "market.artist_ai.adoption.q_per_year": "artists taking up AI from others (Bass q)",
    "market.artist_ai.adoption.m": "artists who eventually use AI",
    "market.artists.price_elasticity": "how far artists' prices follow demand",
    "market.artists.living_cost_per_month": "an artist's living cost a month",
    "market.choice_sensitivity": "how sharply buyers choose (a factor on every weight)",
    "market.artist_spread.quality_sd": "spread of artists' quality within a segment",
    "market.artist_spread.price_log_sd": "spread of artists' prices within a segment (log)",
    "market.artist_spread.loss_threshold": "loss an artist counts as having lost work",
    "market.artist_spread.luck_sd": "an artist's own luck (log spread of their work)",
}
_SEGMENT_WORDS = {"low": "low-end buyers", "mid": "mid-market buyers", "high": "high-end buyers"}
_SEGMENT_FIELDS = {
    "commissions_per_month": "commissions a month",
    "artist_price_multiple": "artist's price, times the scenario's",
    "artist_quality": "their artists' quality",
    "artist_images_per_month": "images their artist finishes a month",
    "willingness_to_pay": "willingness to pay per image",
    "quality_requirement": "quality they ask for",
    "requirement_flex": "how far that drops per 10x cheaper",
    "weight_price": "weight on price",
    "weight_time_per_day": "weight on delivery time",
    "weight_quality": "weight on quality",
    "demand_elasticity": "how far their commissions follow price",
}


def field_label(path: str) -> str:
    """An input's name in words: 'human.wage_per_hour' -> "operator's hourly wage"."""
    if path in FIELD_LABELS:
        return FIELD_LABELS[path]
    parts = path.split(".")
    shared = _as_shared_awareness(path)
    if shared != path and parts[2] in _SEGMENT_WORDS and shared in FIELD_LABELS:
        return f"{_SEGMENT_WORDS[parts[2]]}: {FIELD_LABELS[shared].removeprefix('buyers ')}"
    if path.startswith(_SEGMENTS) and len(parts) == 4 and parts[2] in _SEGMENT_WORDS:
        return f"{_SEGMENT_WORDS[parts[2]]}: {_SEGMENT_FIELDS.get(parts[3], parts[3].replace('_', ' '))}"
    return parts[-1].replace("_", " ")


def field_title(path: str, currency: str) -> str:
    """An input's name in words with its unit, for an axis: "operator's hourly wage (CNY/h)"; a count has none."""
    unit = field_unit(path, currency)
    if unit in PERCENT_UNITS:
        unit = "%"  # shares are shown as percentages
    return field_label(path) if unit == "count" else f"{field_label(path)} ({unit})"


# Units whose values are fractions of one, shown as percentages (0.005 -> 0.5%).
PERCENT_UNITS = ("share", "probability")
