"""Shared test setup: every test gets its own data directory; GPU tests skip without CUDA."""

from __future__ import annotations

from pathlib import Path

import pytest

try:  # speed is measured in benchmarks, never asserted: hypothesis's 200 ms deadline per example failed
    # test_binomial_at_least_matches_scipy at 4.2 s on a loaded machine (scipy.stats imported inside it)
    from hypothesis import settings as _hypothesis_settings

    _hypothesis_settings.register_profile("artcost", deadline=None)
    _hypothesis_settings.load_profile("artcost")
except ImportError:  # hypothesis is a dev extra; the tests that use it import it themselves
    pass

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
SEED = SCENARIOS / "seed-2022-hobbyist-3060ti.yaml"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    """Never write to the user's real results database from a test."""
    monkeypatch.setenv("ARTCOST_DATA", str(tmp_path_factory.mktemp("artcost-data")))


def _cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def pytest_collection_modifyitems(config, items):
    if _cuda_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU (none on this machine)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
