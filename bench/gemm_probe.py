"""Achievable matrix-multiply rate of this device in a given dtype: the utilisation denominator.

A square ``n x n @ n x n`` GEMM is timed repeatedly for a bounded wall-time budget (a few
seconds). The best iteration is reported as the achievable rate (as ``nvidia-smi``-free practice
in optimum-benchmark and MLPerf do: the device's own demonstrated ceiling); the median is kept too.
If one GEMM alone would exceed a third of the budget, ``n`` is halved so a slow device stays bounded.
"""

from __future__ import annotations

import statistics
import time

from artcost.bench.timing import make_timer


def default_size(device: str) -> int:
    # 2048 fp32 on 2 CPU cores is ~85 ms per GEMM; 8192 on a GPU is big enough to saturate tensor cores.
    return 8192 if device.startswith("cuda") else 2048


def gemm_probe(device: str, dtype, budget_s: float = 3.0, n: int | None = None, tf32: bool = False) -> dict:
    """Time GEMMs for about ``budget_s`` seconds; returns rate figures in FLOP/s.

    ``tf32`` (CUDA, float32): run the probe with ``torch.backends.cuda.matmul.allow_tf32`` on (restored
    afterwards), the ceiling of an fp32 run whose convolutions cuDNN computes in TF32
    (`device_info.fp32_mode`).

    Returns a dict: ``n``, ``dtype``, ``tf32``, ``iterations``, ``best_flops``, ``median_flops``, ``wall_s``.
    """
    import torch

    if tf32 and device.startswith("cuda"):
        before = torch.backends.cuda.matmul.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = True
        try:
            return _probe(torch, device, dtype, budget_s, n) | {"tf32": True}
        finally:
            torch.backends.cuda.matmul.allow_tf32 = before
    return _probe(torch, device, dtype, budget_s, n) | {"tf32": False}


def _probe(torch, device: str, dtype, budget_s: float, n: int | None) -> dict:
    if device.startswith("cuda"):
        # The matmuls run on the tensors' device; the timer's events are recorded on that device's
        # current stream (timing.CudaEventTimer), and cuBLAS handles are created for that device.
        torch.cuda.set_device(device)
    timer = make_timer(device)
    n = n or default_size(device)
    started = time.perf_counter()
    while True:
        a = torch.randn(n, n, device=device).to(dtype)
        b = torch.randn(n, n, device=device).to(dtype)
        torch.matmul(a, b)  # warm-up: library init, kernel selection
        timer.sync()
        s = timer.mark()
        torch.matmul(a, b)
        e = timer.mark()
        timer.sync()
        one = timer.elapsed(s, e)
        if one <= budget_s / 3 or n <= 256:
            break
        n //= 2
    times = [one]
    loop_start = time.perf_counter()
    while time.perf_counter() - loop_start < budget_s and len(times) < 10_000:
        s = timer.mark()
        torch.matmul(a, b)
        e = timer.mark()
        timer.sync()
        times.append(timer.elapsed(s, e))
    flop = 2.0 * n**3
    rates = [flop / t for t in times if t > 0]
    return {
        "n": n,
        "dtype": str(dtype).replace("torch.", ""),
        "iterations": len(times),
        "best_flops": max(rates),
        "median_flops": statistics.median(rates),
        "wall_s": time.perf_counter() - started,
    }
