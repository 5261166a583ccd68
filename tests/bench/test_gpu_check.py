"""`make gpu-check` without a GPU: the no-CUDA path exits 0 and writes nothing; with fakes (a fake NVML
replaying a power trace, fake CUDA-event timings) the whole check runs and writes its one JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from artcost.bench.energy import make_monitor
from artcost.bench.gpu_check import Device, compare_clocks, compare_meters, gpu_check, slug

from .fake_pynvml import FakeClock, make_fake_pynvml


class FakeTimer:
    """CUDA-event stand-in: marks read a device clock that runs ``skew`` times the host's."""

    kind = "cuda_event"

    def __init__(self, host, skew=1.0):
        self.host, self.skew = host, skew

    def mark(self):
        return self.host() * self.skew

    def sync(self):
        pass

    def elapsed(self, a, b):
        return b - a


def _device(power_trace, clock, skew=1.0, scale=1.0):
    def work():  # 10 s of "GPU work", the monitor's thread sampling at 10 Hz meanwhile
        for _ in range(100):
            clock.advance(0.1)
            mon.poll_safe()  # swallows reads after the monitor stopped (the clock check)

    nvml = make_fake_pynvml(power_trace, clock)
    mon = make_monitor("cuda", nvml=nvml, clock=clock, uuid="GPU-3f2a9c4e-0000-4000-8000-000000000000")
    mon.start = lambda: mon  # no background thread: `work` polls as it would
    if scale != 1.0:
        inner = mon.power_w
        mon.power_w = lambda: inner() * scale
    return Device("NVIDIA H100 80GB HBM3", lambda: mon, FakeTimer(clock, skew), work, {"torch": "fake"}, clock)


def _bench(arch, res, steps, preset):
    return {"arch": arch, "resolution": res, "steps": steps, "preset": preset, "seconds_per_image": 1.0,
            "measurement_errors": []}


def test_without_cuda_says_so_and_exits_0(tmp_path):
    said = []
    code, path = gpu_check(None, out_dir=tmp_path, say=said.append)
    assert (code, path) == (0, None)
    assert "no CUDA device" in said[0] and not list(tmp_path.iterdir())


def test_with_fakes_writes_one_json(power_trace, tmp_path):
    clock = FakeClock(5.0)
    runs = []
    code, path = gpu_check(_device(power_trace, clock), run_tests=lambda: {"ok": True, "returncode": 0,
                                                                            "summary": "3 passed"},
                           run_bench=lambda *a: runs.append(a) or _bench(*a), out_dir=tmp_path,
                           today=dt.date(2026, 12, 1), say=lambda s: None)
    assert code == 0
    assert path == tmp_path / "gpu-check-nvidia-h100-80gb-hbm3-2026-12-01.json"
    out = json.loads(path.read_text())
    assert [r[0] for r in runs] == ["sd15", "sdxl", "flux-schnell"]
    assert [(b["arch"], b["resolution"]) for b in out["benchmarks"]] == [("sd15", 512), ("sdxl", 1024),
                                                                          ("flux-schnell", 1024)]
    e = out["energy_check"]
    assert e["ok"] and abs(e["rel_diff"]) < 0.05 and e["samples"] >= 100
    assert e["seconds"] == pytest.approx(10.0)
    assert out["clock_check"]["ok"] and out["clock_check"]["device_s"] == pytest.approx(10.0)
    assert out["ok"] is True and out["tests"]["summary"] == "3 passed"


def test_disagreements_fail_the_check(power_trace, tmp_path):
    """Sampled power reading 10% high, or device time 8% short of the host's, is a failed check (exit 1)."""
    code, path = gpu_check(_device(power_trace, FakeClock(5.0), scale=1.10),
                           run_tests=lambda: {"ok": True, "summary": ""}, run_bench=_bench, out_dir=tmp_path,
                           say=lambda s: None)
    out = json.loads(path.read_text())
    assert code == 1 and out["energy_check"]["ok"] is False
    assert out["energy_check"]["rel_diff"] == pytest.approx(0.10, abs=0.01)
    code, path = gpu_check(_device(power_trace, FakeClock(5.0), skew=0.92),
                           run_tests=lambda: {"ok": True, "summary": ""}, run_bench=_bench, out_dir=tmp_path,
                           say=lambda s: None)
    assert code == 1 and json.loads(path.read_text())["clock_check"]["rel_diff"] == pytest.approx(-0.08)


def test_a_failing_benchmark_is_reported_not_raised(power_trace, tmp_path):
    def bench(arch, *a):
        if arch == "flux-schnell":
            raise RuntimeError("CUDA out of memory\nmore")
        return _bench(arch, *a)

    code, path = gpu_check(_device(power_trace, FakeClock(5.0)), run_tests=lambda: {"ok": True, "summary": ""},
                           run_bench=bench, out_dir=tmp_path, say=lambda s: None)
    out = json.loads(path.read_text())
    assert code == 1 and out["benchmarks"][2]["error"] == "RuntimeError: CUDA out of memory"


def test_meter_comparison_needs_both_readers():
    class M:
        counter_j, power_w, meter = None, None, "none"

    assert compare_meters(M(), lambda: None)["ok"] is None
    host = FakeClock()
    r = compare_clocks(FakeTimer(host), lambda: host.advance(2.0), host)
    assert r["host_s"] == pytest.approx(2.0) and r["ok"]
    assert slug("NVIDIA GeForce RTX 4090") == "nvidia-geforce-rtx-4090"
