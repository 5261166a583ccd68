"""One diffusers pipeline's life in a benchmark, as one object: `PipelineSession`.

Like an optimum-benchmark backend, a session has a lifecycle, and the single-device benchmark
(`runner`) and every cluster worker (`cluster_worker`) go through the same one:

    1. load     - build or load the weights for a preset, on the device (`loading.load`);
    2. prepare  - the scheduler the run asked for (`presets.set_scheduler`);
    3. warm-up  - untimed calls, the first under the activation check (`warm_up`);
    4. measure  - timed calls inside one energy window (`timed_loop`), or one call (`call`);
    5. clean    - the pipeline dropped and device memory given back (`loading.free`).

The idle-power window before any of it is `measure_idle`. The parts live in their own modules -
`weights` (which checkpoint, checked), `loading` (building and loading), `presets` (dtype, memory
format, compile, scheduler), `phases` (one phase-timed call), `errors` - and are importable from here
as before.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from artcost.bench.config import BenchConfig
from artcost.bench.energy import EnergyMonitor, Measurement
from artcost.bench.errors import DeviceOOM, PresetUnsupported, import_torch, is_oom  # noqa: F401
from artcost.bench.heartbeat import Heartbeat, say
from artcost.bench.loading import (FixedTokenIds, LoadedPipeline, build_synthetic_pipeline, free,  # noqa: F401
                                   load, load_pipeline_from_path)
from artcost.bench.phases import (PROMPT, PhaseRecorder, RunMarks, RunTiming, denoiser,  # noqa: F401
                                  host_memory_guard, run_dict, run_once, timing_from_marks)
from artcost.bench.presets import apply_preset, cpu_flags, preset_dtype, set_scheduler  # noqa: F401
from artcost.bench.weights import check_model_path, detect_checkpoint_arch, file_sha256  # noqa: F401


# --- the steps -----------------------------------------------------------------------------------------

def measure_idle(monitor: EnergyMonitor, seconds: float, console=None) -> dict | None:
    """Idle power over ``seconds`` before any work (skipped without a meter); None when not measured.

    Returns ``{"seconds", "energy_j", "mean_w", "meter"}`` (s, J, W), as the record stores it."""
    if seconds <= 0 or monitor.meter == "none":
        return None
    say(console, f"measuring idle power for {seconds:g} s ...")
    monitor.begin_window("idle")
    time.sleep(seconds)
    m = monitor.end_window("idle")
    return {"seconds": m.seconds, "energy_j": m.energy_j, "mean_w": m.mean_w, "meter": m.meter}


@dataclass
class WarmUp:
    """What the warm-up calls left: seconds per call, the activation check (`synthetic.HealthReport.as_dict`,
    None when skipped) and notes for the record."""

    warmup_s: list[float] = field(default_factory=list)
    health: dict | None = None
    notes: list[str] = field(default_factory=list)


def warm_up(loaded: LoadedPipeline, timer, cfg: BenchConfig, resolution: int, guard=None, console=None,
            label: str = "", on_call: Callable[[int, int], None] | None = None) -> WarmUp:
    """``cfg.warmup_runs`` untimed pipeline calls of ``cfg.warmup_steps_for(compiled)`` steps (default 1:
    every kernel of the timed call at its shapes); the first one under activation-health hooks.

    A compiled UNet skips the health check: its first call is where dynamo traces the UNet, and the
    hooks' ``.item()`` would put ~60 graph breaks into the compiled graph that is then timed. Synthetic
    weights are the same for every preset, so stock's check covers them.
    """
    out = WarmUp()
    steps = cfg.warmup_steps_for(loaded.compiled)
    for i in range(cfg.warmup_runs):
        say(console, f"{label}warm-up {i + 1}/{cfg.warmup_runs} ({steps} step{'s' if steps != 1 else ''}) ...")
        kw = dict(resolution=resolution, steps=steps, guidance_scale=cfg.guidance_scale,
                  batch_size=cfg.batch_size, seed=cfg.seed, memory_guard=guard)
        with Heartbeat(console, f"{label}warm-up {i + 1}/{cfg.warmup_runs}") as beat:
            beat.watch(loaded.pipe, steps)
            if i == 0 and loaded.compiled:
                beat.say("first call compiles the UNet (torch.compile): this can take minutes")
            if i == 0 and not loaded.compiled:
                from artcost.bench.synthetic import activation_health

                with activation_health({loaded.arch.denoiser: denoiser(loaded.pipe), "vae": loaded.pipe.vae}) as health:
                    w = run_once(loaded, timer, **kw)
                out.health = health.as_dict()
                if not health.ok:
                    out.notes.append(f"activation check failed: {out.health['worst']}")
            else:
                if i == 0:
                    out.notes.append("activation check skipped: its hooks would break the compiled graph "
                                     "(stock's check covers the same weights)")
                w = run_once(loaded, timer, **kw)
            say(console, f"{label}warm-up {i + 1}/{cfg.warmup_runs}: done in {w.total_s:.1f} s")
        out.warmup_s.append(w.total_s)
        if on_call is not None:
            on_call(i + 1, cfg.warmup_runs)
    return out


@dataclass
class TimedWindow:
    """The timed calls of one energy window: their timings, the window's energy, its wall seconds and
    the host clock (``time.perf_counter``) at the first call's start."""

    timings: list[RunTiming]
    energy: Measurement
    wall_s: float
    first_start: float


def timed_loop(loaded: LoadedPipeline, timer, cfg: BenchConfig, batch: int, monitor: EnergyMonitor, window: str,
               resolution: int, guard=None, on_run: Callable[[int, int, float], None] | None = None
               ) -> TimedWindow:
    """Timed runs until ``min_runs`` and ``min_seconds`` are both reached (or ``max_runs``), in one energy
    window named ``window``; call ``k`` uses seed ``cfg.seed + k``.

    ``on_run(runs_done, need_runs, seconds_so_far)`` is called after each run (outside its timed region).
    """
    need_runs = max(cfg.min_runs, -(-cfg.num_images // batch))
    timings: list[RunTiming] = []
    monitor.begin_window(window)
    t_begin = time.perf_counter()
    first_start = None
    while True:
        if first_start is None:
            first_start = time.perf_counter()
        r = run_once(loaded, timer, resolution=resolution, steps=cfg.steps, guidance_scale=cfg.guidance_scale,
                     batch_size=batch, seed=cfg.seed + len(timings), memory_guard=guard)
        timings.append(r)
        total = sum(t.total_s for t in timings)
        if on_run is not None:
            on_run(len(timings), need_runs, total)
        if len(timings) >= cfg.max_runs or (len(timings) >= need_runs and total >= cfg.min_seconds):
            break
    wall = time.perf_counter() - t_begin
    meas = monitor.end_window(window)
    return TimedWindow(timings, meas, wall, first_start)


# --- the session -------------------------------------------------------------------------------------------

_FROM_CONFIG = object()


class PipelineSession:
    """One preset's pipeline on one device, from loading to freeing (module docstring: the five steps).

        with PipelineSession(cfg, device, timer, preset="stock") as session:
            session.load()                    # 1. LoadedPipeline (PresetUnsupported: this device cannot)
            session.prepare()                 # 2. scheduler class name
            warm = session.warm_up()          # 3. WarmUp
            window = session.timed(monitor, "stock")   # 4. TimedWindow (or session.call(batch) for one call)
        # 5. clean() on the way out, after an error too

    Attributes:
        cfg: the run's settings; ``preset`` defaults to ``cfg.primary_preset``, ``resolution`` (pixels) to
            ``cfg.effective_resolution()``.
        guard: called before each UNet call and VAE decode (DeviceOOM above the host-memory ceiling);
            by default `phases.host_memory_guard(cfg.host_mem_ceiling_gb)`.
        console, label: where build and warm-up progress is said, and its prefix ("preset stock: ").
        loaded: the `LoadedPipeline` once loaded; ``scheduler`` the class name once prepared.
    """

    def __init__(self, cfg: BenchConfig, device: str, timer, *, preset: str | None = None,
                 resolution: int | None = None, console=None, label: str = "", guard=_FROM_CONFIG):
        self.cfg = cfg
        self.device = device
        self.timer = timer
        # ``fastest`` is chosen after every preset ran; a session made before that (a cluster worker) is stock
        self.preset = preset or (cfg.primary_preset if cfg.primary_preset != "fastest" else "stock")
        self.resolution = resolution or cfg.effective_resolution()
        self.console = console
        self.label = label
        self.guard = host_memory_guard(cfg.host_mem_ceiling_gb) if guard is _FROM_CONFIG else guard
        self.loaded: LoadedPipeline | None = None
        self.scheduler: str | None = None

    # 1. load
    def load(self) -> LoadedPipeline:
        """Build or load the weights in the preset's dtype, on the device, preset applied."""
        say(self.console, f"{self.label}building pipeline ...")
        with Heartbeat(self.console, f"{self.label}building pipeline") as beat:
            beat.phase = "building the pipeline (model weights into memory)"
            self.loaded = load(self.cfg.arch, self.cfg.model, self.preset, self.device, without=self.cfg.without)
        return self.loaded

    # 2. prepare
    def prepare(self) -> str:
        """Swap in the scheduler the run asked for (``cfg.scheduler``; None keeps the model's own)."""
        self.scheduler = set_scheduler(self._pipeline().pipe, self.cfg.scheduler, self.cfg.scheduler_overrides)
        return self.scheduler

    # 3. warm up
    def warm_up(self, on_call: Callable[[int, int], None] | None = None, guard=_FROM_CONFIG) -> WarmUp:
        """``cfg.warmup_runs`` untimed calls (`warm_up`); ``guard`` defaults to the session's."""
        return warm_up(self._pipeline(), self.timer, self.cfg, self.resolution,
                       self.guard if guard is _FROM_CONFIG else guard, self.console, self.label, on_call)

    # 4. measure
    def timed(self, monitor: EnergyMonitor, window: str, *, runs: int | None = None, first_run: int = 0,
              on_run: Callable[[int, int, float], None] | None = None, guard=_FROM_CONFIG) -> TimedWindow:
        """Timed calls in one energy window (`timed_loop`): until ``cfg.min_runs`` and ``cfg.min_seconds``
        are reached, or exactly ``runs`` calls with seeds ``cfg.seed + first_run ...`` (a cluster chunk)."""
        cfg = self.cfg
        if runs is not None:
            # The loop stops after max(min_runs, images/batch) calls once min_seconds is reached: pinning
            # all three makes it run exactly ``runs`` calls.
            cfg = cfg.model_copy(update={"min_runs": runs, "max_runs": runs, "min_seconds": 0.0,
                                         "num_images": runs * cfg.batch_size, "seed": cfg.seed + first_run})
        return timed_loop(self._pipeline(), self.timer, cfg, cfg.batch_size, monitor, window, self.resolution,
                          self.guard if guard is _FROM_CONFIG else guard, on_run)

    def call(self, batch_size: int, seed: int | None = None) -> RunTiming:
        """One phase-timed call of ``batch_size`` images (DeviceOOM when memory runs out)."""
        return run_once(self._pipeline(), self.timer, resolution=self.resolution, steps=self.cfg.steps,
                        guidance_scale=self.cfg.guidance_scale, batch_size=batch_size,
                        seed=self.cfg.seed if seed is None else seed, memory_guard=self.guard)

    # 5. clean
    def clean(self) -> None:
        """Drop the pipeline and give device memory back (safe to call twice, or before loading)."""
        free(self.loaded)
        self.loaded = None

    def __enter__(self) -> "PipelineSession":
        return self

    def __exit__(self, *exc) -> bool:
        self.clean()
        return False

    def _pipeline(self) -> LoadedPipeline:
        if self.loaded is None:
            raise RuntimeError("PipelineSession: load() first")
        return self.loaded
