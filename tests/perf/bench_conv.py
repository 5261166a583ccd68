"""Benchmark: the SD 1.5 UNet's 3x3 convolutions against the fp32 GEMM probe, eager NCHW vs channels_last vs
weights prepacked once (what inductor freezing does, the `compile` preset) vs a plain GEMM of the same FLOPs
(issue #29: the UNet at 50-66% of the GEMM probe, 65% of its time in mkldnn_convolution).

Not collected by the normal test run. Run it with `make perf`, or as a script:
    .venv/bin/python tests/perf/bench_conv.py 256
Variants alternate within each shape, so a shared machine's load touches them alike: read the ratios.
"""

from __future__ import annotations

import statistics
import sys
import time


def shapes(res: int) -> list[tuple[int, int]]:
    """(channels, latent side) of a 3x3 convolution at each UNet level, at ``res`` px."""
    lat = res // 8
    return [(320, lat), (640, lat // 2), (1280, lat // 4), (1280, lat // 8)]


def _rate(fn, flops: float, reps: int = 5) -> float:
    fn()
    ts = []
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - s)
    return flops / statistics.median(ts)


def measure(res: int) -> list[dict]:
    import torch
    import torch.nn.functional as F

    n = 2048
    a, b = torch.randn(n, n), torch.randn(n, n)
    rows = []
    with torch.inference_mode():
        gemm = _rate(lambda: a @ b, 2 * n**3)
        for c, hw in shapes(res):
            x, w, bias = torch.randn(2, c, hw, hw), torch.randn(c, c, 3, 3), torch.randn(c)
            flops = 2 * 2 * c * hw * hw * c * 9
            xcl, wcl = x.contiguous(memory_format=torch.channels_last), w.contiguous(memory_format=torch.channels_last)
            packed = torch.ops.mkldnn._reorder_convolution_weight(w, [1, 1], [1, 1], [1, 1], 1, list(x.shape))
            A, B = torch.randn(2 * hw * hw, c * 9), torch.randn(c * 9, c)
            rows.append({"channels": c, "side": hw, "gemm": gemm,
                         "nchw": _rate(lambda: F.conv2d(x, w, bias, padding=1), flops),
                         "channels_last": _rate(lambda: F.conv2d(xcl, wcl, bias, padding=1), flops),
                         "prepacked": _rate(lambda: torch.ops.mkldnn._convolution_pointwise(
                             xcl, packed, bias, [1, 1], [1, 1], [1, 1], 1, "none", [], ""), flops),
                         "same_flop_gemm": _rate(lambda: A @ B, flops)})
    return rows


def table(rows: list[dict]) -> str:
    out = ["channels side  GEMM2048 | NCHW, channels_last, prepacked, same-FLOP GEMM: GFLOP/s (share of GEMM2048)"]
    for r in rows:
        g = r["gemm"]
        out.append(f"{r['channels']:8d} {r['side']:4d} {g / 1e9:9.0f} | " + "  ".join(
            f"{r[k] / 1e9:5.0f} ({r[k] / g:4.0%})" for k in ("nchw", "channels_last", "prepacked", "same_flop_gemm")))
    return "\n".join(out)


def test_convolutions_against_the_gemm_probe(benchmark):
    import pytest

    pytest.importorskip("torch")
    got = []
    benchmark.pedantic(lambda: got.extend(measure(256)), rounds=1, iterations=1)
    print("\n" + table(got))
    benchmark.extra_info["prepacked_over_nchw"] = [round(r["prepacked"] / r["nchw"], 2) for r in got]
    assert [(r["channels"], r["side"]) for r in got] == shapes(256) and all(r["nchw"] > 0 for r in got)


if __name__ == "__main__":
    print(table(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 256)))
