"""GPU-only checks (skipped without CUDA): CUDA-event timing and a short real run."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gpu


def test_cuda_event_timer_measures_sleep():
    """Event time between two marks agrees with the host wall clock bracketing the same GPU work."""
    import time

    import torch

    from artcost.bench.timing import CudaEventTimer

    dev = f"cuda:{torch.cuda.device_count() - 1}"  # the last GPU: not the default one when there are several
    torch.cuda.set_device(dev)
    t = CudaEventTimer(device=dev)
    torch.cuda._sleep(1000)  # wake the device
    torch.cuda.synchronize(dev)
    w0 = time.perf_counter()
    a = t.mark()
    torch.cuda._sleep(200_000_000)  # ~0.1 s at 2 GHz
    b = t.mark()
    t.sync()
    wall = time.perf_counter() - w0
    ev = t.elapsed(a, b)
    assert 0.8 * wall <= ev <= 1.0 * wall, (ev, wall)


def test_tiny_on_cuda(data_dir):
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark

    rec = run_benchmark(make_config(arch="tiny", device="cuda", steps=2, min_runs=2, min_seconds=0,
                                    idle_seconds=1, gemm_seconds=0.5, presets=["stock", "fp16"]))
    assert rec.preset("stock").summary["seconds_per_image"] > 0
    assert rec.environment["device_name"]
