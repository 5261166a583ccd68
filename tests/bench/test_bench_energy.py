"""Energy meters against a fake pynvml replaying a power trace, and RAPL against a fake powercap tree."""

from __future__ import annotations

import pytest

from artcost.bench.energy import counter_delta, make_monitor, net_energy_j, trapezoid_j

from .fake_pynvml import FakeClock, make_fake_pynvml


def _drive(mon, clock, start, end, period=0.1):
    """Advance the fake clock from ``start`` to ``end`` polling at ``period`` (what the thread does)."""
    clock.t = start
    while clock.t < end - 1e-9:
        clock.advance(min(period, end - clock.t))
        mon.poll()


def _exact(trace, t0, t1):
    from .fake_pynvml import _integral

    return _integral(trace, t1) - _integral(trace, t0)


def test_counter_path_matches_trace_integral(power_trace):
    clock = FakeClock()
    mon = make_monitor("cuda", nvml=make_fake_pynvml(power_trace, clock), clock=clock)
    assert mon.meter == "nvml-counter"
    clock.t = 10.0
    mon.begin_window("run")
    _drive(mon, clock, 10.0, 20.0)
    m = mon.end_window("run")
    assert m.energy_j == pytest.approx(_exact(power_trace, 10, 20), rel=1e-3)
    assert m.seconds == pytest.approx(10.0)
    assert 150 < m.mean_w < 200
    assert m.peak_w >= m.mean_w


def test_sampling_path_agrees_with_counter_within_5_percent(power_trace):
    results = {}
    for counter in (True, False):
        clock = FakeClock()
        mon = make_monitor("cuda", nvml=make_fake_pynvml(power_trace, clock, energy_counter=counter), clock=clock)
        clock.t = 6.0
        mon.begin_window("run")
        _drive(mon, clock, 6.0, 26.0)
        results[mon.meter] = mon.end_window("run")
    c, s = results["nvml-counter"], results["nvml-sampling"]
    assert s.reason and "nvmlDeviceGetTotalEnergyConsumption" in s.reason
    assert s.energy_j == pytest.approx(c.energy_j, rel=0.05)
    assert s.samples > 150


def test_idle_subtraction():
    # Hand numbers: 20 W idle until t=9, ramp to 120 W at t=10, flat after. Idle window 0-4 s: 20 W.
    # Run window 10-20 s: 120 W x 10 s = 1200 J gross; net = 1200 - 20 W x 10 s = 1000 J.
    trace = [(0.0, 20.0), (9.0, 20.0), (10.0, 120.0), (30.0, 120.0)]
    clock = FakeClock()
    mon = make_monitor("cuda", nvml=make_fake_pynvml(trace, clock), clock=clock)
    mon.begin_window("idle")
    _drive(mon, clock, 0.0, 4.0)
    idle = mon.end_window("idle")
    assert idle.mean_w == pytest.approx(20.0, abs=1e-3)
    clock.t = 10.0
    mon.begin_window("run")
    _drive(mon, clock, 10.0, 20.0)
    run = mon.end_window("run")
    assert run.energy_j == pytest.approx(1200.0, abs=1e-2)
    assert net_energy_j(run.energy_j, idle.mean_w, run.seconds) == pytest.approx(1000.0, abs=0.1)


def test_no_driver_gives_none_with_reason(power_trace):
    clock = FakeClock()
    nv = make_fake_pynvml(power_trace, clock, driver=False)
    mon = make_monitor("cuda", nvml=nv, clock=clock)
    assert mon.meter == "none"
    assert "NVML could not start (NVMLError_DriverNotLoaded: Driver Not Loaded)" in mon.reason
    mon.begin_window("x")
    m = mon.end_window("x")
    assert m.energy_j is None and m.mean_w is None and m.reason


def test_missing_energy_function_falls_back_to_sampling(power_trace):
    """Old driver: the binding has the function but the library does not (FunctionNotFound on call)."""
    clock = FakeClock()
    nv = make_fake_pynvml(power_trace, clock, missing=("nvmlDeviceGetTotalEnergyConsumption",))
    assert hasattr(nv, "nvmlDeviceGetTotalEnergyConsumption")  # as in the real module
    mon = make_monitor("cuda", nvml=nv, clock=clock)
    assert mon.meter == "nvml-sampling"
    assert "NVMLError_FunctionNotFound: Function Not Found" in mon.reason
    nv = make_fake_pynvml(power_trace, clock, missing=("nvmlDeviceGetTotalEnergyConsumption", "nvmlDeviceGetPowerUsage"))
    mon = make_monitor("cuda", nvml=nv, clock=clock)
    assert mon.meter == "none" and "nvmlDeviceGetPowerUsage unavailable" in mon.reason
    assert nv.state["init"] == 0  # NVML shut down again


def test_handle_failure_never_raises_and_shuts_nvml_down(power_trace):
    clock = FakeClock()
    nv = make_fake_pynvml(power_trace, clock)  # one GPU
    mon = make_monitor("cuda:3", nvml=nv, clock=clock, uuid="")
    assert mon.meter == "none"
    assert "no handle for cuda:3 (NVMLError_InvalidArgument" in mon.reason
    assert nv.calls[-1] == "nvmlShutdown" and nv.state["init"] == 0
    mon = make_monitor("cuda", nvml=make_fake_pynvml(power_trace, clock), clock=clock, uuid="GPU-not-here")
    assert mon.meter == "none" and "NVMLError_NotFound" in mon.reason


TWO_GPUS = (("GPU-aaaaaaaa-0000-4000-8000-000000000000", 1.0), ("GPU-bbbbbbbb-0000-4000-8000-000000000000", 2.0))


def test_handle_is_the_torch_gpu_by_uuid(power_trace, monkeypatch):
    """torch's cuda:0 may be NVML's GPU 1 (CUDA_VISIBLE_DEVICES=1, or CUDA's fastest-first order)."""
    from artcost.bench import energy

    clock = FakeClock(10.0)
    nv = make_fake_pynvml(power_trace, clock, gpus=TWO_GPUS)
    mon = make_monitor("cuda", nvml=nv, clock=clock, uuid=TWO_GPUS[1][0])
    assert mon.device.nvml_index == 1 and mon.device.info()["uuid"] == TWO_GPUS[1][0]
    assert mon.power_w() == pytest.approx(2 * _watts(power_trace, clock), rel=1e-3)  # GPU 1's trace
    # By default make_monitor asks torch for the UUID of the device it was given.
    seen = []
    monkeypatch.setattr(energy, "torch_gpu_uuid", lambda dev, torch_module=None: seen.append(dev) or TWO_GPUS[1][0])
    mon = make_monitor("cuda:0", nvml=make_fake_pynvml(power_trace, clock, gpus=TWO_GPUS), clock=clock)
    assert seen == ["cuda:0"] and mon.device.nvml_index == 1


def _watts(trace, clock):
    from .fake_pynvml import _interp

    return _interp(trace, clock())


def test_torch_gpu_uuid_spelling():
    import types

    from artcost.bench.energy import torch_gpu_uuid

    def fake_torch(uuid, available=True):
        props = types.SimpleNamespace(uuid=uuid)
        cuda = types.SimpleNamespace(is_available=lambda: available, get_device_properties=lambda d: props)
        return types.SimpleNamespace(cuda=cuda)

    assert torch_gpu_uuid("cuda:1", fake_torch("bbbbbbbb-0000")) == "GPU-bbbbbbbb-0000"
    assert torch_gpu_uuid("cuda", fake_torch("GPU-bbbbbbbb-0000")) == "GPU-bbbbbbbb-0000"
    assert torch_gpu_uuid("cuda", fake_torch("x", available=False)) is None


def test_gpu_info_tolerates_unsupported_fields(power_trace):
    clock = FakeClock()
    mon = make_monitor("cuda", nvml=make_fake_pynvml(power_trace, clock), clock=clock)
    info = mon.device.info()
    assert info["name"] == "NVIDIA GeForce RTX 3060 Ti"
    assert info["power_limit_w"] == pytest.approx(200.0)
    assert info["temperature_c"] is None  # NVML said Not Supported
    assert info["memory_total_bytes"] == 8 * 1024**3


def _powercap(tmp_path, values, max_range=1_000_000):
    d = tmp_path / "powercap" / "intel-rapl:0"
    d.mkdir(parents=True)
    (d / "name").write_text("package-0\n")
    (d / "energy_uj").write_text(f"{values}\n")
    (d / "max_energy_range_uj").write_text(f"{max_range}\n")
    sub = tmp_path / "powercap" / "intel-rapl:0:0"  # a subdomain: must not be double counted
    sub.mkdir()
    (sub / "energy_uj").write_text("5\n")
    (sub / "max_energy_range_uj").write_text(f"{max_range}\n")
    return tmp_path / "powercap", d


def test_rapl_counter_with_wrap(tmp_path):
    root, dom = _powercap(tmp_path, 900_000)
    clock = FakeClock()
    mon = make_monitor("cpu", powercap_root=root, clock=clock)
    assert mon.meter == "rapl"
    mon.begin_window("run")
    clock.advance(1.0)
    dom.joinpath("energy_uj").write_text("950000\n")
    mon.poll()
    clock.advance(1.0)
    dom.joinpath("energy_uj").write_text("30000\n")  # wrapped: +50_000 to the top, +30_000 after
    m = mon.end_window("run")
    assert m.energy_j == pytest.approx((100_000 + 30_000) / 1e6)
    assert m.mean_w == pytest.approx(0.065)
    assert m.peak_w == pytest.approx(0.08)


def test_rapl_ignores_psys_domain(tmp_path):
    """``psys`` (platform) already contains the package: summing both would double count."""
    root, dom = _powercap(tmp_path, 100_000)
    psys = root / "intel-rapl:1"
    psys.mkdir()
    (psys / "name").write_text("psys\n")
    (psys / "energy_uj").write_text("500000\n")
    (psys / "max_energy_range_uj").write_text("1000000\n")
    clock = FakeClock()
    mon = make_monitor("cpu", powercap_root=root, clock=clock)
    mon.begin_window("run")
    clock.advance(1.0)
    dom.joinpath("energy_uj").write_text("300000\n")
    psys.joinpath("energy_uj").write_text("900000\n")
    m = mon.end_window("run")
    assert m.energy_j == pytest.approx(0.2)  # package only, not 0.2 + 0.4
    only_psys = tmp_path / "p2"
    only_psys.mkdir()
    psys.rename(only_psys / "intel-rapl:1")
    mon = make_monitor("cpu", powercap_root=only_psys)
    assert mon.meter == "none" and "package" in mon.reason


def test_rapl_unreadable_or_absent(tmp_path, monkeypatch):
    mon = make_monitor("cpu", powercap_root=tmp_path / "nothing")
    assert mon.meter == "none" and "powercap" in mon.reason
    root, dom = _powercap(tmp_path, 1)
    real_read = type(dom).read_text

    def deny(self, *a, **k):
        if self.name == "energy_uj":
            raise PermissionError("denied")
        return real_read(self, *a, **k)

    monkeypatch.setattr(type(dom), "read_text", deny)
    mon = make_monitor("cpu", powercap_root=root)
    assert mon.meter == "none" and "not readable" in mon.reason


def test_pure_helpers():
    assert counter_delta(10, 30, 100) == 20
    assert counter_delta(90, 5, 100) == 15
    assert trapezoid_j([(0, 10), (1, 20)], 0, 1) == pytest.approx(15)
    assert trapezoid_j([(0.5, 10)], 0, 1) == pytest.approx(10)


def test_background_thread_samples_real_clock(power_trace):
    import time

    clock = FakeClock()
    nv = make_fake_pynvml(power_trace, clock)
    mon = make_monitor("cuda", nvml=nv, period_s=0.01)  # real monotonic clock for the thread
    mon.start()
    mon.begin_window("w")
    time.sleep(0.1)
    m = mon.end_window("w")
    mon.stop()
    assert m.samples >= 3
