"""One benchmark run at a time, in a background thread, with progress and live power for the page.

The Benchmark page keeps one `JobSlot` for the whole server (`st.cache_resource`): a GPU runs
one benchmark at a time, so a second click, from this browser or another, is refused while a
run is going.  The runner reports progress only as console lines (``run_benchmark(console=)``);
`estimate_progress` turns those lines into a fraction.  Power comes from the energy monitor we
hand the runner, sampled by its own thread.  No Streamlit import here.
"""

from __future__ import annotations

import importlib.util
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from artcost.errors import UserError

INSTALL_HINT = "pip install 'artcost[bench]'   (from a checkout: make install-bench)"
TINY_LABEL = ("CPU tiny run: a small SD-shaped test model with synthetic weights at 64 px. It measures this CPU "
              "and the harness, not a real image model: do not use its speed as any scenario's figure.")

_PRESET_LINE = re.compile(r"preset (\w+): (building pipeline|warm-up (\d+)/(\d+)|timed runs)")


def bench_extra_missing() -> list[str]:
    """The [bench] extra's import names that are not installed (checked without importing torch)."""
    return [m for m in ("torch", "diffusers") if importlib.util.find_spec(m) is None]


def estimate_progress(messages: list[str], presets: list[str], elapsed_in_timed: float, min_seconds: float) -> float:
    """A fraction in [0, 0.97] from the runner's console lines; 1.0 is set only when the run returns.

    Each preset is an equal share: building 5%, warm-ups up to 40%, timed runs the rest (by elapsed
    time against --min-seconds, since the runner does not report each timed run).
    """
    n = max(len(presets), 1)
    done, within = 0, 0.0
    current = None
    for msg in messages:
        m = _PRESET_LINE.search(msg)
        if not m:
            continue
        if m.group(1) != current:
            if current is not None:
                done += 1
            current, within = m.group(1), 0.0
        if m.group(2) == "building pipeline":
            within = 0.05
        elif m.group(3):
            i, k = int(m.group(3)), int(m.group(4))
            within = 0.05 + 0.35 * (i - 1) / max(k, 1)
        else:
            within = 0.4 + 0.55 * min(1.0, elapsed_in_timed / max(min_seconds * 1.5, 1e-9))
    return min(0.97, (done + within) / n)


class _Console:
    """What the runner prints to: keeps each line (rich markup removed) with its time."""

    def __init__(self, job: "BenchJob"):
        self.job = job

    def print(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        text = re.sub(r"\[/?[a-z ]*\]", "", str(msg))
        with self.job.lock:
            self.job.messages.append(text)
            if "timed runs" in text:
                self.job.timed_since = time.monotonic()


@dataclass
class BenchJob:
    cfg: Any
    started: float = field(default_factory=time.monotonic)
    status: str = "running"  # running | done | failed
    messages: list[str] = field(default_factory=list)
    record: Any = None
    error: list[str] = field(default_factory=list)
    monitor: Any = None
    timed_since: float | None = None
    finished: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def running(self) -> bool:
        return self.status == "running"

    def progress(self) -> float:
        if not self.running:
            return 1.0
        with self.lock:
            msgs = list(self.messages)
            since = self.timed_since
        elapsed = time.monotonic() - since if since else 0.0
        return estimate_progress(msgs, list(self.cfg.presets), elapsed, float(self.cfg.min_seconds))

    def power(self) -> list[tuple[float, float]]:
        """(seconds since start, watts) samples so far; empty without a power meter."""
        samples = list(getattr(self.monitor, "samples", []) or [])
        return [(t - self.started, w) for t, w in samples]

    def meter(self) -> tuple[str, str | None]:
        return (getattr(self.monitor, "meter", "none"), getattr(self.monitor, "reason", None))


def _default_runner(cfg: Any, console: Any, monitor: Any) -> Any:
    from artcost.bench.runner import run_benchmark

    return run_benchmark(cfg, console=console, monitor=monitor)


def _default_monitor(cfg: Any) -> Any:
    try:
        from artcost.bench.config import resolve_device
        from artcost.bench.energy import make_monitor

        return make_monitor(resolve_device(cfg.device))
    except Exception:  # noqa: BLE001 - no monitor means no power chart, never a failed page
        return None


class JobSlot:
    """Holds the current (or last) benchmark job; `start` refuses while one is running."""

    def __init__(self, runner: Callable[[Any, Any, Any], Any] | None = None,
                 monitor_factory: Callable[[Any], Any] | None = None):
        self._lock = threading.Lock()
        self.job: BenchJob | None = None
        self.runner = runner or _default_runner
        self.monitor_factory = monitor_factory or _default_monitor

    def start(self, cfg: Any) -> bool:
        """Start a run of `cfg` (a BenchConfig) in a thread; False if one is already running."""
        with self._lock:
            if self.job is not None and self.job.running:
                return False
            job = BenchJob(cfg=cfg)
            job.monitor = self.monitor_factory(cfg)
            self.job = job
        threading.Thread(target=self._run, args=(job,), name="artcost-dashboard-bench", daemon=True).start()
        return True

    def _run(self, job: BenchJob) -> None:
        try:
            record = self.runner(job.cfg, _Console(job), job.monitor)
        except UserError as exc:
            job.error, job.status = list(exc.problems), "failed"
        except Exception as exc:  # noqa: BLE001 - shown on the page; the server keeps serving
            job.error, job.status = [f"{type(exc).__name__}: {exc}"], "failed"
        else:
            job.record, job.status = record, "done"
        finally:
            job.finished = time.monotonic()


# --------------------------------------------------------------------------- history and applying


def history_rows(records: list[Any]) -> list[dict[str, Any]]:
    """One row per (record, preset that ran): s/image, J/image, MFU (vs GEMM probe and datasheet)."""
    rows = []
    for rec in records:
        for p in rec.presets:
            if p.status != "ok":
                continue
            rows.append({
                "id": str(rec.id),
                "created": rec.created_at[:16].replace("T", " "),
                "device": rec.device_name,
                "arch": rec.arch,
                "resolution": rec.resolution,
                "steps": rec.steps,
                "preset": p.name,
                "batch": p.summary.get("batch_size"),
                "seconds_per_image": p.summary.get("seconds_per_image"),
                "joules_per_image": p.energy.get("joules_per_image_gross"),
                "mfu_vs_probe": p.utilisation.get("vs_probe"),
                "mfu_vs_datasheet": p.utilisation.get("vs_datasheet"),
                "weights": rec.weights_label,
                "energy_meter": rec.energy_meter.get("meter"),
            })
    return rows


def apply_record(record: Any, scenario: Any, scale_by_flops: bool) -> tuple[dict[str, float], str, dict[str, Any]]:
    """Overrides that make `record` the scenario's speed (and power, for an owned GPU), their label, and
    a provenance row for the report.  UserError when the record does not fit the scenario."""
    from artcost.bench.apply import bench_overrides

    overrides, provenance = bench_overrides(str(record.id), scenario, scale_by_flops, record=record)
    known = scenario.quantities()
    overrides = {k: v for k, v in overrides.items() if k in known}  # power only where the GPU is owned
    s = record.summary
    row = {"id": record.id, "device": record.device_name, "created": record.created_at, "preset": record.primary_preset,
           "seconds_per_image": s.get("seconds_per_image"), "joules_per_image": s.get("joules_per_image_gross"),
           "energy_method": record.energy_meter.get("meter")}
    return overrides, provenance, row
