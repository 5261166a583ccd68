"""Small builders for foundation tests: a complete minimal scenario dict and a writer."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

BASE = {
    "meta": {"name": "t", "currency": "USD", "as_of": "2024-01-01"},
    "job": {"finals_needed": 2},
    "generation": {"seconds_per_image": 3.0, "candidates_per_job": 100, "acceptance_rate": 0.1, "gpus": 2},
    "compute": {
        "owned": {
            "purchase_price": 1000,
            "resale_value": 200,
            "lifetime_years": 4,
            "hours_used_per_year": 2000,
            "board_power_w": 300,
            "system_power_w": 100,
            "price_per_kwh": 0.2,
            "pue": 1.5,
        }
    },
    "human": {
        "wage_per_hour": 30,
        "prompt_tuning_minutes_per_job": 10,
        "learning_hours": 8,
        "learning_jobs_amortised": 4,
        "screening_seconds_per_candidate": 2,
        "screening_rounds": 2,
        "attend_share": 0.5,
        "retouch_share": 0.5,
        "retouch_price_per_image": 40,
    },
    "artist": {"price_per_image": 500, "revision_price_per_image": 50, "lead_time_days": 10, "availability_probability": 0.8},
}


def scenario_dict(**sections) -> dict:
    d = copy.deepcopy(BASE)
    for name, value in sections.items():
        d[name] = value
    return d


def write(tmp_path: Path, data, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p
