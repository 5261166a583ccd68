"""Shared dashboard test helpers: a stored benchmark record that fits the seed scenario."""

from __future__ import annotations

import pytest


@pytest.fixture
def stored_record() -> str:
    """The id of a stored sd15 512 px 20-step record at 9.0 s/image (in the test's own data directory), measured on
    the seed scenario's own GPU: a record from another machine is not priced with the scenario's hardware."""
    pytest.importorskip("artcost.bench.store")
    from artcost.bench.record import BenchRecord, PresetResult
    from artcost.bench.store import ResultStore

    rec = BenchRecord(created_at="2026-11-25T10:00:00+00:00",
                      config={"arch": "sd15", "resolution": 512, "steps": 20, "device": "cuda"},
                      environment={"device_name": "NVIDIA GeForce RTX 3060 Ti"}, weights_label="synthetic-weights",
                      energy_meter={"meter": "none", "reason": "test"},
                      presets=[PresetResult(name="stock", status="ok", summary={"seconds_per_image": 9.0, "batch_size": 1})],
                      summary={"seconds_per_image": 9.0})
    return str(ResultStore().save(rec))
