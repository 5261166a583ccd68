"""One command for a GPU (`make gpu-check`, ``python -m artcost.bench.gpu_check``): everything that can only
be checked on CUDA, in a few minutes, with one small JSON of what it found under ``bench/results/``.

Steps (budget: under 8 minutes on one H100-class GPU, because GPU time is scarce):

1. the GPU-only tests (``pytest -m gpu``), with a time limit;
2. a short real benchmark of SD 1.5 at 512 px, SDXL at 1024 px and FLUX.1-schnell at 1024 px, all with
   synthetic weights (`runner.run_benchmark`, nothing stored in the user's database);
3. the NVML energy counter against power sampled on the same window (within 5%): `compare_meters`;
4. CUDA-event time against the host clock over the same work (within 5%): `compare_clocks`;
5. ``bench/results/gpu-check-<gpu>-<date>.json``.

Without CUDA it says so and exits 0 (there is nothing to check). Every piece that touches the device is
injectable, so tests drive the whole path with fakes (fake NVML, fake timings).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from artcost.bench.energy import trapezoid_j

TOLERANCE = 0.05
RESULTS = Path(__file__).resolve().parent / "results"  # bench/results in a checkout
TEST_TIMEOUT_S = 180

# (arch, resolution, steps, primary preset): the issue's three runs, each a few timed calls.
BENCH_RUNS = (("sd15", 512, 20, "fp16"), ("sdxl", 1024, 20, "fp16"), ("flux-schnell", 1024, 4, "bf16"))
BENCH_SETTINGS = dict(warmup_runs=1, min_runs=3, min_seconds=0.0, max_runs=3, idle_seconds=2.0, gemm_seconds=1.0,
                      store=False, device="cuda")


def slug(text: str) -> str:
    """A file-name-safe form of a GPU name: 'NVIDIA H100 80GB HBM3' -> 'nvidia-h100-80gb-hbm3'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "gpu"


def agreement(measured: float, reference: float, tolerance: float = TOLERANCE) -> dict:
    """``measured`` against ``reference``: relative difference and whether it is within ``tolerance``."""
    rel = measured / reference - 1 if reference else float("inf")
    return {"rel_diff": rel, "ok": abs(rel) <= tolerance, "tolerance": tolerance}


def compare_meters(monitor, work: Callable[[], None]) -> dict:
    """Energy over one window of ``work`` two ways: the NVML counter's difference, and the trapezoid of the
    power the monitor sampled in the same window (its background thread, or `poll` calls in ``work``).

    ``monitor``: an `energy.EnergyMonitor` with a counter and a power reader (meter ``nvml-counter``)."""
    if monitor.counter_j is None or monitor.power_w is None:
        return {"ok": None, "reason": f"meter {monitor.meter}: needs both the NVML energy counter and power readings"}
    monitor.poll()
    t0, e0 = monitor.clock(), monitor.counter_j()
    work()
    monitor.poll()
    t1, e1 = monitor.clock(), monitor.counter_j()
    sampled = trapezoid_j(monitor.samples, t0, t1)
    counter = e1 - e0
    n = sum(1 for t, _ in monitor.samples if t0 <= t <= t1)
    return {"seconds": t1 - t0, "counter_j": counter, "sampled_j": sampled, "samples": n,
            **agreement(sampled, counter)}


def compare_clocks(timer, work: Callable[[], None], host_clock: Callable[[], float] = time.perf_counter) -> dict:
    """Seconds of ``work`` by the timer's marks (CUDA events) against the host clock around it, the device
    synchronised before and after so both cover the same work."""
    timer.sync()
    h0 = host_clock()
    a = timer.mark()
    work()
    b = timer.mark()
    timer.sync()
    h1 = host_clock()
    device_s, host_s = timer.elapsed(a, b), h1 - h0
    return {"device_s": device_s, "host_s": host_s, **agreement(device_s, host_s)}


def gemm_work(device: str = "cuda", seconds: float = 10.0, n: int = 8192) -> Callable[[], None]:
    """Work for the two comparisons: bf16 matmuls for about ``seconds`` (queued, then waited for)."""
    def work() -> None:
        import torch

        a = torch.randn(n, n, device=device, dtype=torch.bfloat16)
        b = torch.randn(n, n, device=device, dtype=torch.bfloat16)
        torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            for _ in range(20):
                a @ b
            torch.cuda.synchronize(device)

    return work


def run_gpu_tests(timeout_s: int = TEST_TIMEOUT_S) -> dict:
    """``pytest -m gpu`` over the test suite in a subprocess; its exit code and last summary line."""
    root = Path(__file__).resolve().parents[1]
    try:
        p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "gpu",
                            str(root / "tests")], capture_output=True, text=True, timeout=timeout_s, cwd=root)
    except subprocess.TimeoutExpired:
        return {"ok": False, "returncode": None, "summary": f"timed out after {timeout_s} s"}
    lines = [ln for ln in p.stdout.strip().splitlines() if ln.strip()]
    return {"ok": p.returncode == 0, "returncode": p.returncode, "summary": lines[-1] if lines else ""}


def bench_one(arch: str, resolution: int, steps: int, preset: str) -> dict:
    """One short real benchmark (synthetic weights), as the few figures the JSON keeps."""
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark

    cfg = make_config(arch=arch, resolution=resolution, steps=steps, presets=[preset], primary_preset=preset,
                      **BENCH_SETTINGS)
    rec = run_benchmark(cfg)
    s = rec.summary
    return {"arch": arch, "resolution": resolution, "steps": steps, "preset": preset,
            "weights": rec.weights_label, "seconds_per_image": s.get("seconds_per_image"),
            "seconds_per_step": s.get("seconds_per_step"), "utilisation_vs_probe": s.get("utilisation_vs_probe"),
            "utilisation_vs_datasheet": s.get("utilisation_vs_datasheet"),
            "joules_per_image": s.get("joules_per_image_gross"), "meter": rec.energy_meter.get("meter"),
            "measurement_errors": rec.measurement_errors}


@dataclass
class Device:
    """What the check needs from the machine; `cuda_device` builds the real one, tests give fakes."""

    name: str
    monitor_factory: Callable[[], object]
    timer: object
    work: Callable[[], None]
    environment: dict = field(default_factory=dict)
    host_clock: Callable[[], float] = time.perf_counter


def cuda_device() -> Device | None:
    """The real CUDA device 0, or None without CUDA."""
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    from artcost.bench.energy import make_monitor
    from artcost.bench.timing import make_timer

    import diffusers

    env = {"torch": torch.__version__, "cuda": torch.version.cuda, "diffusers": diffusers.__version__,
           "capability": ".".join(map(str, torch.cuda.get_device_capability(0)))}
    return Device(torch.cuda.get_device_name(0), lambda: make_monitor("cuda"), make_timer("cuda"), gemm_work(), env)


def gpu_check(device: Device | None, *, run_tests: Callable[[], dict] = run_gpu_tests,
              run_bench: Callable[..., dict] = bench_one, out_dir: Path = RESULTS,
              today: dt.date | None = None, say: Callable[[str], None] = print) -> tuple[int, Path | None]:
    """The whole check (module docstring); returns (exit code, JSON path). No device: (0, None)."""
    if device is None:
        say("gpu-check: no CUDA device here (torch sees none), so there is nothing to check; exit 0")
        return 0, None
    t_start = time.perf_counter()
    out: dict = {"gpu": device.name, "date": (today or dt.date.today()).isoformat(), "environment": device.environment}
    say(f"gpu-check on {device.name}: 1/4 GPU-only tests (pytest -m gpu) ...")
    out["tests"] = run_tests()
    say(f"  {out['tests']['summary']}")
    out["benchmarks"] = []
    for i, (arch, res, steps, preset) in enumerate(BENCH_RUNS, 1):
        say(f"2/4 benchmark {i}/{len(BENCH_RUNS)}: {arch} {res} px, {steps} steps, {preset}, synthetic weights ...")
        try:
            out["benchmarks"].append(run_bench(arch, res, steps, preset))
        except Exception as exc:  # noqa: BLE001 - one failed model is reported, the others still run
            out["benchmarks"].append({"arch": arch, "resolution": res, "steps": steps, "preset": preset,
                                      "error": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"})
    say("3/4 NVML energy counter vs sampled power on one window ...")
    monitor = device.monitor_factory()
    monitor.start()
    try:
        out["energy_check"] = compare_meters(monitor, device.work)
    finally:
        monitor.stop()
    say("4/4 CUDA-event time vs host clock ...")
    out["clock_check"] = compare_clocks(device.timer, device.work, device.host_clock)
    out["wall_s"] = time.perf_counter() - t_start
    ok = (out["tests"]["ok"] and out["energy_check"].get("ok") is not False and out["clock_check"]["ok"]
          and not any("error" in b or b.get("measurement_errors") for b in out["benchmarks"]))
    out["ok"] = bool(ok)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"gpu-check-{slug(device.name)}-{out['date']}.json"
    path.write_text(json.dumps(out, indent=1, default=str) + "\n")
    e, c = out["energy_check"], out["clock_check"]
    say(f"energy: counter {e.get('counter_j', float('nan')):.1f} J, sampled {e.get('sampled_j', float('nan')):.1f} J"
        f" ({e.get('rel_diff', float('nan')):+.1%}); clock: events {c['device_s']:.3f} s, host {c['host_s']:.3f} s "
        f"({c['rel_diff']:+.1%}); {'all checks passed' if ok else 'SOME CHECKS FAILED'}; wrote {path} "
        f"in {out['wall_s']:.0f} s")
    return (0 if ok else 1), path


def main() -> int:  # pragma: no cover - the real device path; tested through gpu_check with fakes
    code, _ = gpu_check(cuda_device())
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
