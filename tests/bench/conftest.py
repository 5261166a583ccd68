"""Shared fixtures for the benchmark tests (all on CPU; GPU tests carry the `gpu` marker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "artcost-data"
    monkeypatch.setenv("ARTCOST_DATA", str(d))
    return d


@pytest.fixture
def power_trace():
    return [tuple(x) for x in json.loads((DATA / "nvml_power_trace.json").read_text())["samples"]]


def pytest_collection_modifyitems(config, items):
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except ImportError:
        has_cuda = False
    if has_cuda:
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
