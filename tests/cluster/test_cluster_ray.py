"""Real Ray on this machine: two CPU workers with the tiny pipeline; a worker killed mid-job; Ctrl-C.

Each test starts (and stops) its own local Ray, as `artcost bench-cluster` does without --ray-address.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("ray")
pytest.importorskip("diffusers")

from artcost.bench.cluster import ClusterSettings, run_cluster_job  # noqa: E402
from artcost.bench.cluster_store import ClusterStore  # noqa: E402
from artcost.bench.config import make_config  # noqa: E402

pytestmark = pytest.mark.slow


def _cfg(n):
    return make_config(arch="tiny", steps=2, num_images=n, device="cpu", warmup_runs=1, idle_seconds=0, gemm_seconds=0)


def _ray_down():
    import ray

    return not ray.is_initialized()


def test_two_workers_complete_a_job_and_aggregate():
    job = run_cluster_job(_cfg(10), ClusterSettings(workers=2, local_cpus=2))
    assert _ray_down()
    s = job["summary"]
    assert job["status"] == "complete" and s["images"] == 10 and s["missing_images"] == 0
    parts = job["parts"]
    assert [p["status"] for p in parts] == ["ok", "ok"]
    assert sum(p["images"] for p in parts) == 10 and all(p["scaled_images"] >= 2 for p in parts)
    assert parts[0]["calibration_images"] == job["calibration"]["images"] == 2
    assert {p["pid"] for p in parts}.__len__() == 2 and os.getpid() not in {p["pid"] for p in parts}
    # Every pipeline call of the job ran exactly once, whichever worker made it.
    calls = sorted(c["first_run"] for p in parts for c in p["chunks"])
    assert calls == list(range(10))
    # The aggregate is what the parts add up to.
    ipm = 60.0 * job["scaled_phase"]["images"] / job["scaled_phase"]["wall_s"]
    assert s["scaled_images_per_minute"] == pytest.approx(ipm)
    assert s["scaling_efficiency"] == pytest.approx(ipm / 2 / job["calibration"]["images_per_minute"])
    assert 0 < s["scaling_efficiency"] < 2
    busy = sum(c["wall_s"] for c in parts[1]["chunks"])
    assert parts[1]["images_per_minute"] == pytest.approx(60.0 * parts[1]["scaled_images"] / busy)
    # Each worker timed its runs with the benchmark's own loop (per-run phase split present).
    run = parts[1]["chunks"][0]["runs"][0]
    assert run["total_s"] > 0 and len(run["step_s"]) == run["unet_calls"] >= 2  # PNDM adds a warm-up step
    stored = ClusterStore().get_job(job["id"])
    assert stored["summary"] == s and len(stored["parts"]) == 2


def test_killed_worker_share_is_requeued_and_job_finishes():
    # Worker 1 exits (os._exit) at the start of the pipeline call after its 2nd image: a real process death.
    job = run_cluster_job(_cfg(12), ClusterSettings(workers=2, local_cpus=2, fault=(1, 2)))
    assert job["status"] == "complete" and job["summary"]["images"] == 12
    (f,) = job["failures"]
    assert f["worker"] == 1 and f["phase"] == "scaled" and "ActorDiedError" in f["error"]
    assert f["requeued_images"] == 5 - 2 and f["lost_images"] == 0 and f["requeued_to"] == {"0": 3}
    p0, p1 = job["parts"]
    assert p1["status"] == "died" and p1["images"] == 2 and p1["error"]
    assert p0["images"] == 10 and p0["requeued_images_done"] == 3
    assert sorted(c["first_run"] for p in job["parts"] for c in p["chunks"]) == list(range(12))
    st = ClusterStore()
    assert st.counts() == (1, 2) and st.get_job(job["id"])["failures"] == job["failures"]


# Limits for the Ctrl-C test.  Each wait ends on its condition (a line seen, the process gone), so the limit
# is only how long a machine may be loaded before the test calls it a hang: generous, as a suite shared
# by several runs on 2 cores once took more than 120 s to stop Ray while the test passed alone.
STARTED_LIMIT_S = 900  # until both workers are generating
STOPPED_LIMIT_S = 900  # from Ctrl-C until the driver has exited
CLEANED_LIMIT_S = 600  # until every Ray process it started is gone


def _follow(proc: subprocess.Popen) -> tuple[list[str], threading.Event]:
    """Every line `proc` prints, read by a thread for as long as it runs: the pipe never fills (a driver
    blocked writing an event cannot act on Ctrl-C), and the test waits on the condition, not on a read."""
    lines: list[str] = []
    changed = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line.strip())
            changed.set()
        changed.set()

    threading.Thread(target=read, daemon=True).start()
    return lines, changed


def _wait_for(condition, changed: threading.Event, limit_s: float) -> bool:
    """Wait until `condition()` holds, waking when a line arrives (at least every second); False after limit_s."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        changed.wait(1.0)
        changed.clear()
    return True


def test_ctrl_c_stops_workers_and_stores_nothing(tmp_path):
    script = tmp_path / "drive.py"
    # A Ctrl-C at a terminal raises KeyboardInterrupt; a shell that runs the suite in the background starts it with
    # SIGINT ignored, and Python then never installs its handler (the driver ran on and exited 0): restore it.
    script.write_text(textwrap.dedent("""
        import signal
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from artcost.bench.config import make_config
        from artcost.bench.cluster import ClusterSettings, run_cluster_job
        cfg = make_config(arch="tiny", steps=2, num_images=2000, device="cpu", idle_seconds=0, gemm_seconds=0)
        run_cluster_job(cfg, ClusterSettings(workers=2, local_cpus=2),
                        on_event=lambda kind, **kw: print(kind, flush=True))
    """))
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env)
    import psutil

    try:
        seen, changed = _follow(proc)
        # both workers started and the first phase begun: the Ctrl-C comes while the job runs. (Waiting for six
        # chunks as well let a loaded fresh clone finish the whole job first: the driver exited 0 after 269 s and the
        # test tested nothing; in another run the first chunk alone took minutes there.)
        generating = lambda: seen.count("ready") >= 2 and "phase" in seen  # noqa: E731
        started = _wait_for(lambda: generating() or proc.poll() is not None, changed, STARTED_LIMIT_S)
        assert proc.poll() is None, f"the driver exited ({proc.poll()}) before the Ctrl-C; it printed: {seen[-20:]}"
        assert started and generating(), (
            f"the workers never both generated ({'exited ' + str(proc.poll()) if proc.poll() is not None else 'still running'} "
            f"after {STARTED_LIMIT_S} s); the driver printed: {seen[-20:]}")
        children = psutil.Process(proc.pid).children(recursive=True)
        assert any("GenerationWorker" in " ".join(c.cmdline()) for c in children if c.is_running())
        proc.send_signal(signal.SIGINT)
        try:
            rc = proc.wait(timeout=STOPPED_LIMIT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the driver still runs {STOPPED_LIMIT_S} s after Ctrl-C; it printed: {seen[-20:]}")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rc in (130, -signal.SIGINT)  # KeyboardInterrupt propagated after cleanup

    def alive() -> list[int]:
        return [c.pid for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]

    gone = _wait_for(lambda: not alive(), threading.Event(), CLEANED_LIMIT_S)
    assert gone, f"Ray processes left behind {CLEANED_LIMIT_S} s after the driver exited: {alive()}"
    assert ClusterStore(Path(env["ARTCOST_DATA"]) / "results.sqlite").counts() == (0, 0)
