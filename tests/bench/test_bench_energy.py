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


def test_idle_subtraction(power_trace):
    clock = FakeClock()
    mon = make_monitor("cuda", nvml=make_fake_pynvml(power_trace, clock), clock=clock)
    mon.begin_window("idle")
    _drive(mon, clock, 0.0, 4.0)
    idle = mon.end_window("idle")
    assert 16 < idle.mean_w < 20
    clock.t = 10.0
    mon.begin_window("run")
    _drive(mon, clock, 10.0, 20.0)
    run = mon.end_window("run")
    net = net_energy_j(run.energy_j, idle.mean_w, run.seconds)
    assert net == pytest.approx(run.energy_j - idle.mean_w * 10.0)
    assert 0 < net < run.energy_j


def test_no_driver_gives_none_with_reason(power_trace):
    clock = FakeClock()
    mon = make_monitor("cuda", nvml=make_fake_pynvml(power_trace, clock, driver=False), clock=clock)
    assert mon.meter == "none"
    assert "NVML could not start" in mon.reason
    mon.begin_window("x")
    m = mon.end_window("x")
    assert m.energy_j is None and m.mean_w is None and m.reason


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
