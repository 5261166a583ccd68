"""Issue #26, small truths: the headline's rate year is the rate table's, a grid figure is not called lifecycle when
its source does not say so, the docs' delivery formula has the operator's own retouching and compute lists `api`."""

from __future__ import annotations

from pathlib import Path

import pytest

from artcost.model import costs
from artcost.model.carbon import grid_carbon_table
from artcost.model.currency import rate_table
from artcost.model.headline import headline_for
from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]


def test_rate_year_is_the_year_of_the_table_used():
    studio = load_scenario(REPO / "scenarios" / "studio-cloud-h100.yaml")  # as of 2026: no 2026 table
    h = headline_for(studio)
    assert studio.scenario.meta.as_of.year == 2026
    assert h.rate_year == rate_table(2026).year != 2026
    seed = headline_for(load_scenario(REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"))
    assert seed.rate_year == 2022


def test_ember_2022_world_is_not_called_lifecycle():
    row = grid_carbon_table().by_id["ember-2022-world"]
    assert row.g_co2e_per_kwh == 436 and row.factors != "lifecycle_co2e" and "lifecycle," not in row.scope


def test_the_docs_delivery_formula_is_the_codes():
    doc = (REPO / "docs" / "cost-model.md").read_text()
    assert "`subscription`, `api`)" in doc
    assert "own retouch hours (finals × retouch_share × retouch_minutes_per_image / 60)" in doc
    # and the code does add them: 1 final, all retouched, 60 min by hand = 1 h more delivery
    v = {"job.finals_needed": 1.0, "generation.candidates_per_job": 10.0, "generation.seconds_per_image": 0.0,
         "generation.gpus": 1.0, "generation.scaling_efficiency": 1.0, "generation.acceptance_rate": 0.5,
         "human.wage_per_hour": 0.0, "human.prompt_tuning_minutes_per_job": 0.0, "human.learning_hours": 0.0,
         "human.learning_jobs_amortised": 1.0, "human.screening_seconds_per_candidate": 0.0,
         "human.screening_rounds": 1.0, "human.attend_share": 0.0, "human.retouch_share": 1.0,
         "human.retouch_price_per_image": 0.0, "human.retouch_minutes_per_image": 60.0,
         "human.retouch_lead_time_days": 0.0, "compute.api.price_per_image": 0.0, "compute.api.price_per_megapixel": 0.0,
         "compute.api.billed_megapixels": 0.0, "compute.api.price_per_step": 0.0, "compute.api.extra_steps": 0.0}
    assert float(costs.ai_job(v, "api")["delivery_hours"]) == pytest.approx(1.0)
