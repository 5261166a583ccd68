"""Pure and fake-backed checks of the benchmark's GPU-only logic (runs on CPU)."""

from __future__ import annotations

import types

import pytest

torch = pytest.importorskip("torch")


class _Stop(Exception):
    pass


# --- 1. CUDA events and the current device ----------------------------------------------------------------

def _fake_cuda_torch(log):
    class Event:
        def __init__(self, enable_timing=False):
            self.stream = "unrecorded"

        def record(self, stream=None):
            self.stream = stream if stream is not None else "current stream of the current device (cuda:0)"

    cuda = types.SimpleNamespace(
        Event=Event,
        current_stream=lambda device=None: f"stream of {device}",
        synchronize=lambda device=None: log.append(("sync", device)),
    )
    return types.SimpleNamespace(cuda=cuda)


def test_cuda_events_recorded_on_the_devices_stream():
    from artcost.bench.timing import CudaEventTimer

    log = []
    t = CudaEventTimer(torch_module=_fake_cuda_torch(log), device="cuda:1")
    ev = t.mark()
    assert ev.stream == "stream of cuda:1"
    t.sync()
    assert log == [("sync", "cuda:1")]


def test_run_benchmark_makes_the_requested_gpu_current(monkeypatch):
    from artcost.bench import runner
    from artcost.bench.config import make_config

    seen = []
    monkeypatch.setattr(runner, "resolve_device", lambda d: "cuda:1")
    monkeypatch.setattr(torch.cuda, "set_device", lambda d: seen.append(d))

    def stop(_name):
        raise _Stop

    monkeypatch.setattr(runner, "get_arch", stop)
    with pytest.raises(_Stop):
        runner.run_benchmark(make_config(arch="tiny", device="cuda:1", store=False))
    assert seen == ["cuda:1"]


def test_gemm_probe_sets_the_device(monkeypatch):
    from artcost.bench.gemm_probe import gemm_probe

    seen = []

    def set_device(d):
        seen.append(d)
        raise _Stop

    monkeypatch.setattr(torch.cuda, "set_device", set_device)
    with pytest.raises(_Stop):
        gemm_probe("cuda:1", torch.float32, budget_s=0.1)
    assert seen == ["cuda:1"]


# --- 4. fp32 with cuDNN TF32 on Ampere+ ----------------------------------------------------------------------

def _fake_gpu_torch(cap, cudnn_tf32=True, matmul_tf32=False):
    return types.SimpleNamespace(
        backends=types.SimpleNamespace(cudnn=types.SimpleNamespace(allow_tf32=cudnn_tf32),
                                       cuda=types.SimpleNamespace(matmul=types.SimpleNamespace(allow_tf32=matmul_tf32))),
        cuda=types.SimpleNamespace(get_device_capability=lambda d=None: cap),
    )


def test_fp32_mode_selects_tf32_peak_and_probe_on_ampere():
    from artcost.bench.device_info import fp32_mode
    from artcost.bench.runner import dtype_labels

    m = fp32_mode("cuda:0", _fake_gpu_torch((8, 0)))
    assert (m["label"], m["peak_dtype"], m["probe_tf32"]) == ("float32 (TF32 convs)", "tf32", True)
    m = fp32_mode("cuda", _fake_gpu_torch((8, 9), matmul_tf32=True))
    assert (m["label"], m["peak_dtype"], m["probe_tf32"]) == ("float32 (TF32)", "tf32", True)
    for t in (_fake_gpu_torch((7, 5)), _fake_gpu_torch((9, 0), cudnn_tf32=False)):
        m = fp32_mode("cuda", t)
        assert (m["label"], m["peak_dtype"], m["probe_tf32"]) == ("float32", "float32", False)
    assert fp32_mode("cpu", torch)["label"] == "float32"
    fake = _fake_gpu_torch((8, 6))
    assert dtype_labels("cuda", torch.float32, fake) == ("float32 (TF32 convs)", "tf32", True)
    assert dtype_labels("cuda", torch.float16, fake) == ("float16", "float16", False)
    assert dtype_labels("cpu", torch.float32, torch) == ("float32", "float32", False)


def test_tf32_peaks_and_flags_recorded():
    from artcost.bench.device_info import datasheet_peak, environment

    assert datasheet_peak("NVIDIA A100-SXM4-80GB", "tf32")["flops"] == pytest.approx(156e12)
    assert datasheet_peak("NVIDIA H100 80GB HBM3", "tf32")["flops"] == pytest.approx(494.7e12)
    assert datasheet_peak("Tesla T4", "tf32") is None  # Turing: no TF32
    env = environment("cpu")
    assert set(env["tf32"]) == {"cudnn_allow_tf32", "cuda_matmul_allow_tf32"}


def test_gemm_probe_tf32_switch_is_restored(monkeypatch):
    from artcost.bench.gemm_probe import gemm_probe

    seen = []

    def set_device(d):
        seen.append(torch.backends.cuda.matmul.allow_tf32)
        raise _Stop

    monkeypatch.setattr(torch.cuda, "set_device", set_device)
    before = torch.backends.cuda.matmul.allow_tf32
    with pytest.raises(_Stop):
        gemm_probe("cuda", torch.float32, budget_s=0.1, tf32=True)
    assert seen == [True] and torch.backends.cuda.matmul.allow_tf32 == before


# --- 5. datasheet name matching -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("NVIDIA L4", "NVIDIA L4"),
    ("NVIDIA L40S", None),
    ("NVIDIA L40", None),
    ("NVIDIA T400", None),
    ("NVIDIA T400 4GB", None),
    ("Tesla T4", "NVIDIA Tesla T4"),
    ("NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 4090"),
    ("NVIDIA GeForce RTX 4090 D", None),
    ("NVIDIA GeForce RTX 3090 Ti", None),
    ("NVIDIA H100 PCIe", "NVIDIA H100 PCIe"),
    ("NVIDIA H100 80GB HBM3", "NVIDIA H100 SXM5"),
    ("NVIDIA H100 NVL", None),
    ("NVIDIA RTX A1000", None),
])
def test_datasheet_matches_whole_words(name, expected):
    from artcost.bench.device_info import datasheet_peak

    got = datasheet_peak(name, "float32")
    assert (got["device"] if got else None) == expected


# --- 6. bf16 needs compute capability 8 ---------------------------------------------------------------------

def test_bf16_refused_below_ampere_even_if_emulated(monkeypatch):
    from artcost.bench import pipeline as P

    asked = []
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)  # emulation counts as True
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda d=None: asked.append(d) or (7, 5))
    with pytest.raises(P.PresetUnsupported, match="compute capability 7.5"):
        P.preset_dtype("bf16", "cuda:1")
    assert asked == ["cuda:1"]
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda d=None: (8, 0))
    assert P.preset_dtype("bf16", "cuda:1") is torch.bfloat16
    assert P.preset_dtype("fp16", "cuda:1") is torch.float16


# --- 10. summarise_preset arithmetic ------------------------------------------------------------------------

def test_summarise_preset_divides_by_images_not_runs():
    from artcost.bench.energy import Measurement
    from artcost.bench.flops import FlopBreakdown
    from artcost.bench.pipeline import RunTiming
    from artcost.bench.record import PresetResult
    from artcost.bench.runner import summarise_preset

    batch, runs = 4, 3
    # Each run: 8 s for 4 images; 2 UNet calls of 8 rows (CFG), text 2 passes x 4 rows, 4 VAE rows.
    timings = [RunTiming(total_s=8.0, text_s=0.5, step_s=[3.0, 3.0], decode_s=1.0, unet_calls=2,
                         unet_rows=16, text_rows={"text_encoder": 8}, vae_rows=4) for _ in range(runs)]
    flops = FlopBreakdown("tiny", 64, {"text_encoder": 1e9}, 10e9, 5e9)
    # 24 s window, 240 J gross, 5 W idle.
    meas = Measurement("stock", 24.0, 240.0, 10.0, 12.0, "rapl")
    res = PresetResult(name="stock", status="ok")
    summarise_preset(res, timings, meas, 24.0, batch, flops, {"best_flops": 100e9}, None, idle_w=5.0)
    s = res.summary
    assert s["images"] == 12
    assert s["seconds_per_image"] == pytest.approx(2.0)  # 8 s / 4 images
    assert s["images_per_minute"] == pytest.approx(30.0)
    assert s["seconds_per_step"] == pytest.approx(3.0)
    assert s["harness_overhead_share"] == pytest.approx(0.5 / 8.0)
    assert res.energy["joules_per_image_gross"] == pytest.approx(20.0)  # 240 J / 12 images (not / 3 runs)
    assert res.energy["joules_per_image_net"] == pytest.approx(10.0)  # (240 - 5 W x 24 s) / 12
    # FLOPs per image: (8 x 1 + 16 x 10 + 4 x 5) GFLOP / 4 images = 47 GFLOP; 12 images in 24 s.
    assert res.flops["per_image"] == pytest.approx(47e9)
    assert res.utilisation["achieved_flops"] == pytest.approx(47e9 * 12 / 24.0)
    assert res.utilisation["vs_probe"] == pytest.approx(47e9 * 12 / 24.0 / 100e9)
    assert res.utilisation["vs_datasheet"] is None
    assert res.runs[0]["unet_rows"] == 16 and len(res.runs) == 3
