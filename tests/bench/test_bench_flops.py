"""FLOP counts on the meta device against the independent reference numbers, and the GEMM probe bound."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("diffusers")


def test_reference_counts_within_2_percent():
    from artcost.bench.flops import reference_check

    t = time.perf_counter()
    rows = reference_check()
    assert time.perf_counter() - t < 60  # meta device: no arithmetic
    for row in rows:
        assert abs(row["rel_diff"]) < 0.02, row


def test_per_image_formula_matches_nominal():
    from artcost.bench.flops import count_flops

    b = count_flops("sd15", 256)
    # SD1.5 with CFG, 3 UNet calls: 2 text passes, 3 x 2 UNet rows, 1 decode.
    per = b.per_image({"text_encoder": 2}, 6, 1, 1)
    assert per == pytest.approx(b.nominal_per_image(3, cfg=True))
    assert per == pytest.approx(2 * b.text_per_row["text_encoder"] + 6 * 180.1e9 + 622.2e9, rel=0.01)


def test_shipped_flops_table_agrees():
    from artcost.bench.apply import flops_table
    from artcost.bench.flops import count_flops

    entry = flops_table()["sd15"]["512"]
    assert entry["unet_per_row"] == pytest.approx(count_flops("sd15", 512).unet_per_row)


def test_gemm_probe_is_bounded():
    import torch

    from artcost.bench.gemm_probe import gemm_probe

    t = time.perf_counter()
    r = gemm_probe("cpu", torch.float32, budget_s=0.5)
    assert time.perf_counter() - t < 5
    assert r["best_flops"] >= r["median_flops"] > 1e9
    assert r["iterations"] >= 2


def test_tiny_counted_on_meta_matches_a_real_run():
    """A real tiny pipeline call under FlopCounterMode does the work `count_flops` predicts (within 2%).

    Catches a wrong latent size: tiny's VAE has two blocks, so one latent cell is 2 px, not 8 or 4.
    Attention runs on the math backend here: FlopCounterMode has no formula for the CPU flash-attention
    kernel, so with it the real run's attention FLOPs would go uncounted (6.96 instead of 8.02 GFLOP).
    """
    import torch
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    from artcost.bench import pipeline as P
    from artcost.bench.archs import get_arch
    from artcost.bench.flops import count_flops
    from artcost.bench.timing import CpuTimer

    assert get_arch("tiny").vae_scale == 2 and get_arch("sd15").vae_scale == 8 and get_arch("sdxl").vae_scale == 8
    loaded = P.load("tiny", None, "stock", "cpu")
    try:
        rec = P.PhaseRecorder(loaded.pipe, CpuTimer())
        with rec, torch.inference_mode(), sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
            loaded.pipe(prompt=[P.PROMPT], height=64, width=64, num_inference_steps=2, guidance_scale=7.5,
                        generator=torch.Generator("cpu").manual_seed(0), callback_on_step_end=rec.step_callback,
                        output_type="pil")
        m = rec.marks
        predicted = count_flops("tiny", 64).per_image(m.text_rows, sum(m.unet_rows), sum(m.vae_rows), 1)
        assert counter.get_total_flops() == pytest.approx(predicted, rel=0.02)
    finally:
        P.free(loaded)
