"""One benchmark run at a time, in a background thread, with progress and live power for the page.

The Benchmark page keeps one `JobSlot` for the whole server (`st.cache_resource`): a GPU runs
one benchmark at a time, so a second click, from this browser or another, is refused while a
run is going.  The runner reports each step as a progress event (``run_benchmark(progress=)``);
`progress_fraction` turns them into a fraction, and its console lines are kept for the page's log.  Power comes from the energy monitor we
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

def offered_archs(has_gpu: bool) -> list[str]:
    """The architectures the page offers: on a GPU every real one of the registry (SD1.5, SDXL, FLUX.1,
    SD 3.5 and the few-step SDXL variants, issue #16) and the test-sized ``tiny``; on a CPU only ``tiny``
    (a real model's minutes per image there answer no one's question)."""
    if not has_gpu:
        return ["tiny"]
    from artcost.bench.archs import arch_choices

    return arch_choices(include_tests=False) + ["tiny"]


PRESET_CHOICES = ["stock", "fp16", "bf16", "channels_last", "compile", "alloc", "bf16+alloc", "bf16+compile+alloc",
                  "fp16+compile"]
"""What the page offers: each option alone and the combinations that win somewhere (bf16+compile+alloc on
a CPU with AMX, issue #29; fp16+compile on a GPU)."""


def default_presets(has_gpu: bool) -> list[str]:
    """The presets a run starts with: stock and the fast ones this kind of device may support (one this device
    cannot run is skipped with its reason); the record's figure is the fastest (`FASTEST`), beside stock's."""
    if has_gpu:
        return ["stock", "fp16", "bf16"]
    return ["stock", "bf16", "alloc", "bf16+alloc"]


FASTEST = "fastest"  # the page's runs report the fastest preset that beat stock in every run (`runner.pick_fastest`)


def primary_line(record: Any) -> str | None:
    """Which preset a finished run's figure is and why, beside stock's (None when it was named)."""
    from artcost.bench.summaries import primary_sentence

    return primary_sentence(record)


def form_defaults(arch: str) -> tuple[int, int]:
    """(resolution px, steps) the form starts at for ``arch``: a few-step variant's from its model card,
    an architecture's own defaults, ``tiny`` 64 px and 10 steps (the CPU run's size)."""
    from artcost.bench.archs import get_arch, get_variant

    if arch == "tiny":
        return 64, 10
    variant = get_variant(arch)
    if variant is not None:
        return variant.resolution, variant.steps
    spec = get_arch(arch)
    return spec.default_resolution, spec.default_steps


def bench_extra_missing() -> list[str]:
    """The [bench] extra's import names that are not installed (checked without importing torch)."""
    return [m for m in ("torch", "diffusers") if importlib.util.find_spec(m) is None]


def progress_fraction(events: list[dict], presets: list[str]) -> float:
    """A fraction in [0, 0.97] from the runner's progress events (`artcost.bench.runner.Progress`);
    1.0 is set only when the run returns.

    Each preset is an equal share: its build 5%, warm-up calls up to 40%, and the timed
    runs the rest, by whichever of the loop's two stopping rules (runs, seconds) is further from done.
    """
    n = max(len(presets), 1)
    done, within, current = 0, 0.0, None
    for e in events:
        preset = e.get("preset")
        if preset is None:  # batch sweep after every preset
            return 0.97
        if preset != current:
            if current is not None:
                done += 1
            current, within = preset, 0.0
        phase = e.get("phase")
        if phase == "build":
            within = 0.05
        elif phase == "gemm":  # after the timed runs (before them in records of older runs): never a step back
            within = max(within, 0.05)
        elif phase == "warmup":
            within = 0.05 + 0.35 * e["i"] / max(e["n"], 1)
        elif phase == "timed":
            by_runs = e["runs"] / max(e["need_runs"], 1)
            by_time = e["seconds"] / e["min_seconds"] if e["min_seconds"] > 0 else 1.0
            within = 0.4 + 0.55 * min(1.0, by_runs, by_time)
    return min(0.97, (done + within) / n)


class _Console:
    """What the runner prints to: keeps each line (rich markup removed) with its time."""

    def __init__(self, job: "BenchJob"):
        self.job = job

    def print(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        text = re.sub(r"\[/?[a-z ]*\]", "", str(msg))
        with self.job.lock:
            self.job.messages.append(text)


@dataclass
class BenchJob:
    cfg: Any
    started: float = field(default_factory=time.monotonic)
    status: str = "running"  # running | done | failed
    messages: list[str] = field(default_factory=list)
    record: Any = None
    error: list[str] = field(default_factory=list)
    monitor: Any = None
    events: list[dict] = field(default_factory=list)
    finished: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def running(self) -> bool:
        return self.status == "running"

    def progress(self) -> float:
        if not self.running:
            return 1.0
        with self.lock:
            events = list(self.events)
        return progress_fraction(events, list(self.cfg.presets))

    def on_progress(self, event: dict) -> None:
        with self.lock:
            self.events.append(dict(event))

    def power(self) -> list[tuple[float, float]]:
        """(seconds since start, watts) samples so far; empty without a power meter."""
        samples = list(getattr(self.monitor, "samples", []) or [])
        return [(t - self.started, w) for t, w in samples]

    def meter(self) -> tuple[str, str | None]:
        return (getattr(self.monitor, "meter", "none"), getattr(self.monitor, "reason", None))


def _default_runner(cfg: Any, console: Any, monitor: Any, progress: Callable[[dict], None]) -> Any:
    from artcost.bench.runner import run_benchmark

    return run_benchmark(cfg, console=console, monitor=monitor, progress=progress)


def _default_monitor(cfg: Any) -> Any:
    try:
        from artcost.bench.config import resolve_device
        from artcost.bench.energy import make_monitor

        return make_monitor(resolve_device(cfg.device))
    except Exception:  # noqa: BLE001 - no monitor means no power chart, never a failed page
        return None


class JobSlot:
    """Holds the current (or last) benchmark job; `start` refuses while one is running."""

    def __init__(self, runner: Callable[[Any, Any, Any, Callable[[dict], None]], Any] | None = None,
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
            record = self.runner(job.cfg, _Console(job), job.monitor, job.on_progress)
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
                "setting": setting_label(rec),
                "batch": p.summary.get("batch_size"),
                "seconds_per_image": p.summary.get("seconds_per_image"),
                "joules_per_image": p.energy.get("joules_per_image_gross"),
                "mfu_vs_probe": p.utilisation.get("vs_probe"),
                "mfu_vs_datasheet": p.utilisation.get("vs_datasheet"),
                "weights": rec.weights_label,
                "energy_meter": rec.energy_meter.get("meter"),
            })
    return rows


def setting_label(rec: Any) -> str:
    """What a record ran, for a chart's column: 'sd15 256 px, 3 steps'. A 64 px tiny run and `make run`'s 256 px
    SD 1.5 record stood in one column ('stock') with nothing to tell them apart."""
    return f"{rec.arch} {rec.resolution} px, {rec.steps} steps"


def result_line(rec: Any) -> str:
    """What a finished run measured, in one line: 'stock: 0.42 s per image (51% of the same-run GEMM probe);
    bf16: 0.19 s (2.2x stock's speed)'. Failed presets say so; nothing is called a result that was not measured."""
    parts, stock = [], None
    for p in rec.presets:
        if p.status != "ok" or p.summary.get("seconds_per_image") is None:
            parts.append(f"{p.name}: did not run ({p.status})")
            continue
        spi = float(p.summary["seconds_per_image"])
        stock = spi if p.name == "stock" else stock
        probe = p.utilisation.get("vs_probe")
        util = f" ({probe:.0%} of the same-run GEMM probe)" if probe is not None and probe <= 1 else ""
        vs = f", {stock / spi:.2g}x stock's speed" if stock and p.name != "stock" else ""
        parts.append(f"{p.name}: {spi:.3g} s per image{util}{vs}")
    return "; ".join(parts) or "no preset measured"


# The history table's columns in words with their units (the rows keep the names the charts read).
HISTORY_WORDS = {
    "id": "record", "created": "run at", "device": "device", "arch": "model", "resolution": "resolution (px)",
    "steps": "steps", "preset": "preset", "setting": "what ran", "batch": "batch size", "seconds_per_image": "seconds per image",
    "joules_per_image": "energy per image (J, at the wall)", "mfu_vs_probe": "share of measured GEMM peak",
    "mfu_vs_datasheet": "share of datasheet peak", "weights": "weights", "energy_meter": "energy meter",
}


def history_table(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """`history_rows` as a person reads them: columns in words, shares in %, a figure that was not measured
    said so (never 'None')."""
    def cell(key: str, value: Any) -> str:
        if value is None or value == "":
            return "no meter" if key in ("joules_per_image", "energy_meter") else "not measured"
        if key in ("mfu_vs_probe", "mfu_vs_datasheet"):
            return f"{float(value):.1%}"
        if key in ("seconds_per_image", "joules_per_image"):
            return f"{float(value):,.4g}"
        return str(value)

    return [{HISTORY_WORDS.get(k, k): cell(k, v) for k, v in row.items()} for row in rows]


def apply_record(record: Any, scenario: Any, scale_by_flops: bool) -> tuple[dict[str, float], str, dict[str, Any]]:
    """Overrides that make `record` the scenario's speed (and power, for an owned GPU), their label, and
    a provenance row for the report.  UserError when the record does not fit the scenario."""
    from artcost.bench.apply import bench_overrides
    from artcost.model.measured import measured_speed, same_device

    from artcost.errors import ArgumentError

    try:
        overrides, provenance = bench_overrides(str(record.id), scenario, scale_by_flops, record=record)
    except ArgumentError as exc:  # the page's words for the library's argument: its checkbox
        raise UserError(f"bench record {record.id}: " + exc.problem.replace(
            "`scale_by_flops`", "tick 'Scale by counted FLOPs'")) from None
    if same_device(record.device_name, getattr(scenario.generation, "device", None)) is False:
        # never price one machine's speed with another's hardware and power (issue #15): say what it measured
        import types

        ms = measured_speed(types.SimpleNamespace(scenario=scenario, path=scenario.meta.name), record,
                             overrides, provenance, {})
        raise UserError([ms.sentence(),
                         f"Not applied: {ms.not_priced_because}. To cost the job on {record.device_name}, run "
                         f"`artcost cost FILE --from-bench {record.id}{' --scale-by-flops' if scale_by_flops else ''}"
                         + "".join(f" --set {m}=N" for m in ms.missing) + "` with that machine's own figures."])
    known = scenario.quantities()
    # the page edits numeric fields only: the record's device name and batch size stay in the provenance
    overrides = {k: v for k, v in overrides.items() if k in known}
    s = record.summary
    row = {"id": record.id, "device": record.device_name, "created": record.created_at, "preset": record.primary_preset,
           "seconds_per_image": s.get("seconds_per_image"), "joules_per_image": s.get("joules_per_image_gross"),
           "energy_method": record.energy_meter.get("meter")}
    return overrides, provenance, row
