"""The Benchmark page's background job: one run at a time, progress from the runner's lines."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from artcost.dashboard import bench_job


def cfg(**kw):
    base = dict(presets=["stock", "fp16"], min_seconds=1.0, arch="tiny", steps=2, batch_size=1)
    base.update(kw)
    return SimpleNamespace(**base)


def test_progress_from_runner_lines():
    lines = ["GEMM probe ...", "preset stock: building pipeline ...", "preset stock: warm-up 1/2 ..."]
    p1 = bench_job.estimate_progress(lines, ["stock", "fp16"], 0, 10)
    p2 = bench_job.estimate_progress(lines + ["preset stock: timed runs (min 3 runs, 10 s) ..."], ["stock", "fp16"], 5, 10)
    p3 = bench_job.estimate_progress(lines + ["preset fp16: building pipeline ..."], ["stock", "fp16"], 0, 10)
    assert 0 < p1 < p2 < p3 <= 0.97
    assert bench_job.estimate_progress([], ["stock"], 0, 10) == 0


def test_second_start_is_refused_while_running():
    release = threading.Event()

    def runner(c, console, monitor):
        console.print("preset stock: [yellow]building pipeline[/] ...")
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

    def runner(c, console, monitor):
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
