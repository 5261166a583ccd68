"""GPU-only checks (skipped without CUDA): CUDA-event timing and a short real run."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gpu


def test_cuda_event_timer_measures_sleep():
    import torch

    from artcost.bench.timing import CudaEventTimer

    t = CudaEventTimer()
    a = t.mark()
    torch.cuda._sleep(10_000_000)
    b = t.mark()
    t.sync()
    assert t.elapsed(a, b) > 0


def test_tiny_on_cuda(data_dir):
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark

    rec = run_benchmark(make_config(arch="tiny", device="cuda", steps=2, min_runs=2, min_seconds=0,
                                    idle_seconds=1, gemm_seconds=0.5, presets=["stock", "fp16"]))
    assert rec.preset("stock").summary["seconds_per_image"] > 0
    assert rec.environment["device_name"]
