"""The Benchmark page's background job: one run at a time, progress from the runner's events."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from artcost.dashboard import bench_job


def cfg(**kw):
    base = dict(presets=["stock", "fp16"], min_seconds=1.0, arch="tiny", steps=2, batch_size=1)
    base.update(kw)
    return SimpleNamespace(**base)


def test_progress_from_runner_events():
    presets = ["stock", "fp16"]
    ev = [{"phase": "build", "preset": "stock"}]
    p0 = bench_job.progress_fraction(ev, presets)
    ev.append({"phase": "warmup", "preset": "stock", "i": 1, "n": 1})
    p1 = bench_job.progress_fraction(ev, presets)
    # 2 of 4 runs done but only 2 of 10 s: the seconds rule binds
    ev.append({"phase": "timed", "preset": "stock", "runs": 2, "need_runs": 4, "seconds": 2.0, "min_seconds": 10.0})
    p2 = bench_job.progress_fraction(ev, presets)
    assert p2 == pytest.approx((0.4 + 0.55 * 0.2) / 2)
    ev.append({"phase": "timed", "preset": "stock", "runs": 4, "need_runs": 4, "seconds": 10.0, "min_seconds": 10.0})
    p3 = bench_job.progress_fraction(ev, presets)
    assert p3 == pytest.approx(0.95 / 2)
    ev.append({"phase": "gemm", "preset": "stock"})  # the probe comes after the timed runs: no step back
    assert bench_job.progress_fraction(ev, presets) == pytest.approx(p3)
    ev.append({"phase": "build", "preset": "fp16"})
    p4 = bench_job.progress_fraction(ev, presets)
    assert 0 < p0 < p1 < p2 < p3 < p4 <= 0.97
    assert bench_job.progress_fraction([], presets) == 0


def test_real_runner_reports_every_step(tmp_path, monkeypatch):
    """The tiny pipeline through run_benchmark: events arrive in order and end at the loop's stopping rule."""
    pytest.importorskip("diffusers")
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark

    monkeypatch.setenv("ARTCOST_DATA", str(tmp_path))
    events = []
    c = make_config(arch="tiny", steps=2, device="cpu", presets=["stock"], min_runs=3, min_seconds=0,
                    idle_seconds=0, gemm_seconds=0, warmup_runs=1)
    run_benchmark(c, progress=events.append)
    phases = [e["phase"] for e in events]
    assert phases == ["build", "warmup", "timed", "timed", "timed"]
    last = events[-1]
    assert last["runs"] == last["need_runs"] == 3 and last["seconds"] > 0
    assert bench_job.progress_fraction(events, ["stock"]) == pytest.approx(0.95)


def test_second_start_is_refused_while_running():
    release = threading.Event()

    def runner(c, console, monitor, progress):
        console.print("preset stock: [yellow]building pipeline[/] ...")
        progress({"phase": "build", "preset": "stock"})
        release.wait(5)
        return SimpleNamespace(id=7)

    slot = bench_job.JobSlot(runner=runner, monitor_factory=lambda c: SimpleNamespace(meter="none", reason="no meter here", samples=[]))
    assert slot.start(cfg())
    first = slot.job
    assert not slot.start(cfg()), "a second click must not start a second run"
    assert slot.job is first and first.running
    time.sleep(0.1)
    assert first.messages == ["preset stock: building pipeline ..."]
    assert first.meter() == ("none", "no meter here") and first.power() == []
    assert first.events == [{"phase": "build", "preset": "stock"}] and 0 < first.progress() < 0.1
    release.set()
    for _ in range(100):
        if not first.running:
            break
        time.sleep(0.02)
    assert first.status == "done" and first.record.id == 7 and first.progress() == 1.0
    assert slot.start(cfg()), "a new run may start once the last one finished"
    release.set()


def test_failure_is_reported_not_raised():
    from artcost.errors import UserError

    def runner(c, console, monitor, progress):
        raise UserError("--primary-preset stock: no result (out of memory); nothing stored")

    slot = bench_job.JobSlot(runner=runner, monitor_factory=lambda c: None)
    slot.start(cfg())
    for _ in range(100):
        if not slot.job.running:
            break
        time.sleep(0.02)
    assert slot.job.status == "failed" and "nothing stored" in slot.job.error[0]


def test_power_samples_relative_to_start():
    job = bench_job.BenchJob(cfg=cfg(), started=100.0, monitor=SimpleNamespace(samples=[(101.0, 150.0), (102.5, 180.0)]))
    assert job.power() == [(1.0, 150.0), (2.5, 180.0)]


def test_the_page_offers_todays_models_on_a_gpu_with_their_own_defaults():
    """Issue #16: FLUX.1, SD 3.5 and the few-step SDXL variants are offered where a GPU can run them, each
    form starting at the model's own resolution and steps (not SD1.5's 512 px / 20 steps)."""
    from artcost.dashboard import bench_job

    assert bench_job.offered_archs(False) == ["tiny"]
    gpu = bench_job.offered_archs(True)
    for name in ("sd15", "sdxl", "flux-schnell", "flux-dev", "sd35-medium", "sd35-large", "sdxl-turbo",
                 "sdxl-lightning", "sdxl-lcm", "tiny"):
        assert name in gpu
    assert not {"tiny-flux", "tiny-sd3"} & set(gpu)  # test-sized models stay in the tests
    assert bench_job.form_defaults("flux-schnell") == (1024, 4)
    assert bench_job.form_defaults("flux-dev") == (1024, 50)
    assert bench_job.form_defaults("sd15") == (512, 20)
    assert bench_job.form_defaults("sdxl-turbo")[0] == 512 and bench_job.form_defaults("sdxl-turbo")[1] <= 4
    assert bench_job.form_defaults("tiny") == (64, 10)


def _preset(name, spi, probe=None, status="ok"):
    return SimpleNamespace(name=name, status=status, summary={"seconds_per_image": spi, "batch_size": 1},
                           utilisation={"vs_probe": probe, "vs_datasheet": None}, energy={})


def _record(rid, arch, res, steps, presets):
    return SimpleNamespace(id=rid, created_at="2026-12-05T01:00:00", device_name="cpu", arch=arch, resolution=res,
                           steps=steps, presets=presets, weights_label="synthetic-weights", energy_meter={})


def test_records_of_different_settings_never_share_a_column():
    """A 64 px tiny run and make run's 256 px SD 1.5 record stood in one column 'stock' (issue #28)."""
    from artcost.dashboard import charts

    rows = bench_job.history_rows([_record(1, "tiny", 64, 2, [_preset("stock", 0.1)]),
                                   _record(2, "sd15", 256, 3, [_preset("stock", 9.0)])])
    fig = charts.bench_history(rows, "seconds_per_image", "s", "t", "c").fig
    xs = [x for trace in fig.data for x in trace.x]
    assert xs == ["tiny 64 px, 2 steps · stock", "sd15 256 px, 3 steps · stock"]


def test_a_finished_run_says_what_it_measured():
    rec = _record(7, "sd15", 256, 3, [_preset("stock", 4.0, 0.5), _preset("bf16", 2.0, 0.6),
                                      _preset("compile", None, status="failed")])
    line = bench_job.result_line(rec)
    assert line.startswith("stock: 4 s per image (50% of the same-run GEMM probe)")
    assert "bf16: 2 s per image (60% of the same-run GEMM probe), 2x stock's speed" in line
    assert "compile: did not run (failed)" in line
    # a utilisation above 100% is a measurement error: never printed as a result
    over = _record(8, "sd15", 256, 3, [_preset("stock", 4.0, 1.4)])
    assert "140%" not in bench_job.result_line(over) and "%" not in bench_job.result_line(over)


def test_the_page_offers_valid_presets_and_reports_the_fastest():
    """The page ran stock alone; it now starts with the fast presets this kind of device may support and its
    record's figure is the fastest that beat stock in every run, said beside stock's (issue #29)."""
    from artcost.bench.config import make_config

    for has_gpu in (False, True):
        presets = bench_job.default_presets(has_gpu)
        assert presets[0] == "stock" and set(presets) <= set(bench_job.PRESET_CHOICES)
        cfg = make_config(arch="tiny", presets=presets, primary_preset=bench_job.FASTEST)
        assert cfg.primary_preset == "fastest" and len(cfg.presets) == len(presets)
    make_config(arch="tiny", presets=bench_job.PRESET_CHOICES)  # every choice is a preset the runner knows
    import types

    from artcost.bench.record import PresetResult, PresetSummary

    def ran(name, s):
        return PresetResult(name=name, status="ok", summary=PresetSummary(seconds_per_image=s))

    rec = types.SimpleNamespace(primary_preset="bf16", primary_chosen="bf16: the fastest of 2 presets that ran",
                                preset=lambda n: {"stock": ran("stock", 9.5), "bf16": ran("bf16", 4.0)}.get(n))
    assert bench_job.primary_line(rec) == ("the record's figure: preset bf16 (bf16: the fastest of 2 presets that "
                                           "ran); 4 s/image beside stock's 9.5")
    rec.primary_chosen = None
    assert bench_job.primary_line(rec) is None
