"""The single-device benchmark: `run_benchmark(cfg)` measures every preset and stores one record.

A run, step by step (each step a method of `BenchmarkRun`, numbered as diffusers numbers a pipeline's
``__call__``; everything outside the timed regions unless said):

  0. `open_store`     the results database opened, checked and write-tested before anything is measured;
  1. `check_inputs`   the device resolved (and made current), the architecture and the weights checked,
                      and each preset's memory need (weights x dtype + activations) against the device's
                      free memory: a primary preset that cannot fit is refused here, with both figures;
  2. `start_meter`    the energy monitor started, the environment and the GPU read;
  3. `measure_idle`   idle power for a few seconds (skipped without a meter);
  4. `run_preset`     per preset: one `pipeline.PipelineSession` (load, scheduler, a one-step warm-up
                      with the activation check on the first call, timed runs until both ``min_runs`` and
                      ``min_seconds`` in one energy window, clean), then a GEMM probe in its dtype (cached
                      per dtype; after the timed runs, so it does not delay the first one), FLOPs counted
                      on the meta device from the loaded model's own configs (cached per model), and the
                      preset's figures (`summaries.summarise_preset`);
  5. `compare_to_stock` every preset's time and energy as a ratio to stock;
  6. `sweep_batches`  optionally batch 1, 2, 4, ... on the primary preset until out of memory;
  7. `make_record`    the primary preset's `record.BenchSummary` (a utilisation above 100% is a
                      measurement error, never a figure) and the record;
  8. the record saved in one transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Callable

from artcost.bench import pipeline as P
from artcost.bench.archs import get_arch
from artcost.bench.config import FASTEST, BenchConfig, resolve_device
from artcost.bench.device_info import datasheet_peak, environment
from artcost.bench.energy import EnergyMonitor, make_monitor
from artcost.bench.heartbeat import say
from artcost.bench.presets import dtype_labels
from artcost.bench.record import BenchRecord, BenchSummary, PresetResult, PresetSummary
from artcost.bench.summaries import ratios_to_stock, summarise_preset
from artcost.errors import UserError

__all__ = ["BenchmarkRun", "Progress", "batch_sweep", "dtype_labels", "open_store", "run_benchmark",
           "summarise_preset"]

Progress = Callable[[dict], None]
"""Called with one event per step of the run, for a progress bar: ``{"phase": "gemm" | "build" |
"warmup" | "timed" | "sweep", "preset": str, ...}``; warm-up events carry ``i``/``n`` (calls done of
n), timed events ``runs``/``need_runs`` and ``seconds``/``min_seconds`` (the loop ends when both
are reached)."""


def _emit(progress: Progress | None, **event) -> None:
    if progress is not None:
        progress(event)


def run_benchmark(cfg: BenchConfig, console=None, monitor: EnergyMonitor | None = None,
                  command_started: float | None = None, store=None, progress: Progress | None = None,
                  keep_to=None) -> BenchRecord:
    """Run the whole benchmark described by ``cfg``; save (when ``cfg.store``) and return the record.

    ``console``: where progress lines go (``.print``); ``monitor``: an energy monitor (default: the best
    meter for the device); ``command_started``: ``time.perf_counter()`` at the command's start, for
    ``timeline.startup_to_first_timed_step_s``; ``store``: a `store.ResultStore` (default: the user's);
    ``progress``: see `Progress`; ``keep_to``: an `artcost.outputs.Output` (the --json-out file) where the
    record is kept when the database refuses it (`store.NotStored`; default: a named file beside the database).
    """
    # 0. The results database, checked before minutes of measuring
    store = open_store(cfg, store)
    run = BenchmarkRun(cfg, console, progress, command_started)
    # 1. Device, architecture, weights
    run.check_inputs()
    # 2. Energy meter and environment
    run.start_meter(monitor)
    try:
        # 3. Idle power
        run.measure_idle()
        # 4. Every preset: probe, load, prepare, warm up, timed runs, figures
        for preset in cfg.presets:
            run.run_preset(preset)
        # 5. Ratios to stock
        run.compare_to_stock()
        # 6. Batch sweep on the primary preset
        run.sweep_batches()
        # 7. The record
        record = run.make_record()
    finally:
        run.monitor.stop()
    # 8. Stored in one transaction
    if cfg.store:
        from artcost.bench.kept import save_or_keep
        from artcost.bench.store import ResultStore

        save_or_keep(store or ResultStore(), record, keep_to)
    return record


def error_line(exc: BaseException, limit: int = 300) -> str:
    """One line for a preset's error: its type and the first line of its message, at most ``limit``
    characters (a compiler's error is pages long: the first line names it)."""
    first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def open_store(cfg: BenchConfig, store=None):
    """Step 0: when ``cfg.store``, ``store`` (default: the user's results database) opened, checked and
    write-tested now, not after minutes of measuring; None when nothing is to be stored."""
    if not cfg.store:
        return store
    from artcost.bench.store import ResultStore

    return ResultStore.for_benchmark(store)


class BenchmarkRun:
    """The state `run_benchmark`'s steps share: the settings, the device, the meter, and every preset's
    result so far (``results``), GEMM probes by dtype label (``probes``), the idle window (``idle``)."""

    def __init__(self, cfg: BenchConfig, console=None, progress: Progress | None = None,
                 command_started: float | None = None):
        self.cfg = cfg
        self.console = console
        self.progress = progress
        self.command_started = command_started or time.perf_counter()
        self.results: list[PresetResult] = []
        self.probes: dict[str, dict] = {}
        self.idle: dict | None = None
        self.sweep: dict | None = None
        self.first_step_at: float | None = None  # perf_counter at the end of the first timed denoising step
        self.weights_label: str | None = None
        self.tokenizer: str | None = None
        self.scheduler_used: str | None = cfg.scheduler
        self.too_big: dict[str, str] = {}  # preset -> why it cannot fit (`check_memory`)
        self.primary_name: str | None = None  # the record's preset, once every preset ran (`compare_to_stock`)
        self.primary_chosen: str | None = None  # why, when the fastest was asked for

    # 1. Device, architecture, weights
    def check_inputs(self) -> None:
        """Resolve the device (a CUDA one becomes the current device), check the architecture and the
        weights; sets ``device``, ``resolution`` (pixels) and ``torch``."""
        cfg = self.cfg
        self.torch = P.import_torch()
        self.device = resolve_device(cfg.device)
        if self.device.startswith("cuda"):
            # Kernels, streams and events default to the *current* device: make it the one asked for.
            self.torch.cuda.set_device(self.device)
        arch = get_arch(cfg.arch)
        if cfg.model is not None:
            P.check_model_path(cfg.model, cfg.arch)
        self.resolution = cfg.effective_resolution()
        if arch.denoiser == "unet" and self.resolution % arch.pixel_multiple:
            say(self.console, f"[yellow]note: {self.resolution}px is not a multiple of {arch.pixel_multiple}; "
                              "the UNet pads internally[/]")
        self.check_memory()

    def check_memory(self) -> None:
        """Each preset's memory need against the device's free memory, before anything is built
        (`memory.memory_need`): the primary preset not fitting is a `memory.DoesNotFit` (one line, both
        figures); another preset that cannot fit is skipped with that line. Synthetic weights only: a
        user's model is not the template, and its loader fails on its own if it is too big."""
        from artcost.bench import memory

        cfg = self.cfg
        if cfg.model is not None:
            return
        free, where = memory.free_bytes(self.device)
        for preset in cfg.presets:
            try:
                dtype = P.preset_dtype(preset, self.device)
            except P.PresetUnsupported:
                continue  # said when the preset comes up
            need = memory.memory_need(cfg.arch, dtype, self.resolution, cfg.batch_size, cfg.cfg_on, cfg.without)
            try:
                memory.check_fits(need, free, where)
            except memory.DoesNotFit as exc:
                if preset == cfg.primary_preset or (cfg.primary_preset == FASTEST and preset == "stock"):
                    raise
                self.too_big[preset] = str(exc)

    # 2. Energy meter and environment
    def start_meter(self, monitor: EnergyMonitor | None = None) -> None:
        """Start ``monitor`` (default: `energy.make_monitor`), read the environment and the GPU, make the timer."""
        from artcost.bench.timing import make_timer

        self.env = environment(self.device)
        self.monitor = monitor or make_monitor(self.device)
        self.monitor.start()
        self.device_info = {"name": self.env.get("device_name"),
                            "kind": "cuda" if self.device.startswith("cuda") else "cpu"}
        if self.monitor.device is not None:
            self.device_info["gpu"] = self.monitor.device.info()
        self.timer = make_timer(self.device)

    # 3. Idle power
    def measure_idle(self) -> None:
        self.idle = P.measure_idle(self.monitor, self.cfg.idle_seconds, self.console)

    @property
    def idle_w(self) -> float | None:
        return self.idle["mean_w"] if self.idle else None

    # 4. One preset
    def run_preset(self, preset: str) -> PresetResult:
        """Probe, session (load, prepare, warm up, timed runs, clean) and figures for ``preset``; a preset
        this device cannot run is ``skipped``, one that runs out of memory ``failed``, with the reason."""
        res = PresetResult(name=preset, status="ok")
        self.results.append(res)
        try:
            dtype = P.preset_dtype(preset, self.device)
        except P.PresetUnsupported as exc:
            return self._skipped(res, exc)
        if preset in self.too_big:
            return self._skipped(res, P.PresetUnsupported(self.too_big[preset]))
        res.dtype, peak_dtype, probe_tf32 = dtype_labels(self.device, dtype, self.torch)
        try:
            with P.PipelineSession(self.cfg, self.device, self.timer, preset=preset, resolution=self.resolution,
                                   console=self.console, label=f"preset {preset}: ") as session:
                _emit(self.progress, phase="build", preset=preset)
                try:
                    session.load()
                except P.PresetUnsupported as exc:
                    return self._skipped(res, exc)
                self.measure_preset(res, session, peak_dtype, lambda: self.probe(preset, res.dtype, dtype, probe_tf32))
        except P.DeviceOOM as exc:
            self._failed(res, f"out of memory at batch {self.cfg.batch_size}: {exc}")
        except Exception as exc:  # noqa: BLE001 - one preset's error is its line in the record, never the run's end
            # A preset that breaks (a compiler error, a kernel this build lacks) cost the presets already
            # measured their record, with a traceback (issue #29): it is now one line and the run goes on.
            self._failed(res, error_line(exc))
        return res

    def _failed(self, res: PresetResult, reason: str) -> None:
        res.status, res.reason = "failed", reason
        # nothing half-measured is kept as a figure
        res.summary, res.runs, res.flops, res.utilisation, res.energy = PresetSummary(), [], {}, {}, {}
        res.measurement_errors = []
        # an energy window the preset left open (it failed inside its timed runs) is dropped, not measured
        self.monitor.discard_window(res.name)
        from rich.markup import escape

        say(self.console, f"[red]preset {res.name}: failed ({escape(reason)})[/]")

    def _skipped(self, res: PresetResult, exc: Exception) -> PresetResult:
        res.status, res.reason = "skipped", str(exc)
        say(self.console, f"[yellow]preset {res.name}: skipped ({exc})[/]")
        return res

    def probe(self, preset: str, label: str, dtype, tf32: bool) -> None:
        """The GEMM probe in ``dtype`` (``cfg.gemm_seconds`` of it), once per dtype label."""
        if self.cfg.gemm_seconds <= 0 or label in self.probes:
            return
        from artcost.bench.gemm_probe import gemm_probe

        say(self.console, f"GEMM probe ({label}, {self.cfg.gemm_seconds:g} s) ...")
        _emit(self.progress, phase="gemm", preset=preset)
        self.probes[label] = gemm_probe(self.device, dtype, self.cfg.gemm_seconds, tf32=tf32)

    def measure_preset(self, res: PresetResult, session: P.PipelineSession, peak_dtype: str,
                       probe: Callable[[], None] = lambda: None) -> None:
        """Prepare, warm up and time a loaded session, then ``probe`` (the GEMM probe in the preset's dtype);
        fill ``res`` with its figures.

        The probe runs after the timed window, not before the build: it is the same device in the same
        run either way, and before, its seconds stood between the command's start and the first timed step."""
        from artcost.bench.flops import ModelConfigs, count_flops

        cfg, preset, loaded = self.cfg, res.name, session.loaded
        res.load_s = loaded.load_s
        res.notes = loaded.notes
        res.scheduler = self.scheduler_used = session.prepare()
        self.weights_label, self.tokenizer = loaded.weights_label, loaded.tokenizer_label
        warm = session.warm_up(on_call=lambda i, n: _emit(self.progress, phase="warmup", preset=preset, i=i, n=n))
        res.warmup_s, res.health = warm.warmup_s, warm.health
        res.notes.extend(warm.notes)
        say(self.console, f"preset {preset}: timed runs (min {cfg.min_runs} runs, {cfg.min_seconds:g} s) ...")
        window = session.timed(self.monitor, preset, on_run=lambda k, need, secs: _emit(
            self.progress, phase="timed", preset=preset, runs=k, need_runs=need, seconds=secs,
            min_seconds=cfg.min_seconds))
        if self.first_step_at is None:
            # End of the first denoising step of the first timed run, from that run's start mark:
            # includes its text encoding and scheduler set-up, as a user waits for them.
            self.first_step_at = window.first_start + (window.timings[0].first_step_end_s or 0.0)
        probe()
        peak = datasheet_peak(self.env.get("device_name"), peak_dtype) if self.device.startswith("cuda") else None
        # FLOPs of the model that ran (its own configs, on meta; cached per model), never the arch's
        # template: a user's folder may be a fraction of it (issue #16).
        flops = count_flops(ModelConfigs.from_pipeline(loaded.pipe, cfg.arch), self.resolution)
        summarise_preset(res, window.timings, window.energy, window.wall_s, cfg.batch_size, flops,
                         self.probes.get(res.dtype), peak, self.idle_w)
        if res.health and not res.health.get("ok", True):
            # Non-finite activations: the images are NaN and the timings are of a broken pipeline. It was kept
            # only as a note, which the console never printed: a NaN run read as a valid record.
            h = res.health
            what = (f"{h.get('nonfinite_outputs')} module outputs non-finite" if h.get("nonfinite_outputs")
                    else f"{h.get('subnormal_fraction', 0):.1%} of values subnormal (slow arithmetic)")
            res.measurement_errors.append(f"activation check failed on the warm-up call: {what} (first: "
                                          f"{'; '.join(h.get('worst') or [])}); these timings are not a model's")
        if loaded.compiled and res.warmup_s:
            # Compilation happens inside the first call; what it adds is first call minus steady state.
            res.compile_s = max(0.0, res.warmup_s[0] - res.summary.run_s_stats["median"])

    # 5. Ratios to stock
    def compare_to_stock(self) -> None:
        """Every preset's ratios to stock, and the primary preset (``fastest``: `pick_fastest`)."""
        ratios_to_stock(self.results)
        if self.cfg.primary_preset == FASTEST:
            self.primary_name, self.primary_chosen = pick_fastest(self.results)
            say(self.console, f"primary preset: {self.primary_chosen}")
        else:
            self.primary_name, self.primary_chosen = self.cfg.primary_preset, None

    # 6. Batch sweep
    def sweep_batches(self) -> None:
        if self.cfg.batch_sweep:
            self.sweep = batch_sweep(self.cfg, self.device, self.resolution, self.timer, self.console, self.progress,
                                     preset=self.primary_name)

    # 7. The record
    def make_record(self) -> BenchRecord:
        """The record of the run; an error (nothing stored) when the primary preset has no result."""
        cfg = self.cfg
        if getattr(self, "primary_name", None) is None:
            self.compare_to_stock()
        name, chosen = self.primary_name, self.primary_chosen
        primary = next((r for r in self.results if r.name == name), None)
        if primary is None or primary.status != "ok":
            why = primary.reason if primary else "not run"
            # Not an argument's fault (a ceiling, the device's memory, a preset this device cannot run): the
            # reason says what happened; it read as if `primary_preset` had been mistyped.
            raise UserError(f"the primary preset ({name}) has no result: {why}; nothing stored")
        from artcost.bench.allocator import applied, malloc_environment

        # the allocator is part of what was measured: what the process started with, and what `alloc` set
        self.env["allocator"] = {"at_start": malloc_environment() or "the C library's defaults",
                                 "alloc_preset": applied(),
                                 "presets_with_it": [r.name for r in self.results if "alloc" in r.name.split("+")]}
        config_dump = cfg.model_dump(mode="json")
        config_dump.update(resolution=self.resolution, device=self.device, scheduler=self.scheduler_used)
        return BenchRecord(
            created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            config=config_dump,
            environment=self.env,
            device=self.device_info,
            weights_label=self.weights_label or "unknown",
            tokenizer=self.tokenizer,
            gemm_probe=self.probes.get(primary.dtype),
            energy_meter={"meter": self.monitor.meter, "reason": self.monitor.reason,
                          "period_s": self.monitor.period_s},
            idle=self.idle,
            presets=self.results,
            primary_preset=primary.name,
            primary_chosen=chosen,
            batch_sweep=self.sweep,
            timeline={
                "startup_to_first_timed_step_s": (self.first_step_at - self.command_started
                                                  if self.first_step_at else None),
                "gemm_probes": self.probes,
            },
            summary=BenchSummary.of_preset(primary, arch=cfg.arch, resolution=self.resolution, steps=cfg.steps,
                                           cfg=cfg.cfg_on),
            measurement_errors=[f"preset {r.name}: {e}" for r in self.results for e in r.measurement_errors],
        )


def pick_fastest(results: list[PresetResult]) -> tuple[str, str]:
    """(name, why) of the preset whose figures a ``--primary-preset fastest`` record reports.

    Honest candidates only: presets that ran, with a passing activation check and no measurement error.
    One beats stock only when every one of its timed runs was faster than stock's fastest run (per image);
    an overlap is a tie, and a tie is stock's (the default needs no explaining). Among those that beat
    stock, the lowest median seconds per image."""
    def per_image(r: PresetResult) -> list[float]:
        return [run["total_s"] / (r.summary.batch_size or 1) for run in r.runs]

    stock = next((r for r in results if r.name == "stock" and r.status == "ok"), None)
    if stock is None:
        return "stock", "stock has no result"
    ok = [r for r in results if r is not stock and r.status == "ok" and r.runs and not r.measurement_errors
          and (r.health is None or r.health.get("ok", True))]
    floor = min(per_image(stock))
    beat = [r for r in ok if max(per_image(r)) < floor]
    if not beat:
        tried = ", ".join(r.name for r in ok) or "none other ran"
        return "stock", f"stock: no other preset beat it in every run ({tried})"
    best = min(beat, key=lambda r: r.summary.seconds_per_image_stats["median"])
    speed = stock.summary.seconds_per_image_stats["median"] / best.summary.seconds_per_image_stats["median"]
    return best.name, (f"{best.name}: the fastest of {len(ok) + 1} presets that ran, {speed:.2f}x stock's "
                       f"images per second (medians; every run faster than stock's fastest)")


def batch_sweep(cfg: BenchConfig, device: str, resolution: int, timer, console=None,
                progress: Progress | None = None, preset: str | None = None) -> dict:
    """Batch 1, 2, 4, ... on ``preset`` (default: the primary preset) until out of memory (or ``max_batch``);
    never raises OOM.

    Returns ``{"points": [{"batch_size", "seconds_per_image", "seconds_per_step", "peak_memory_bytes" |
    "rss_bytes"}], "limit": {"failed_batch", "max_ok_batch", "reason"}, "ceiling": str | None}``.
    """
    import gc

    torch = P.import_torch()
    cuda = device.startswith("cuda")
    points, limit = [], None
    with P.PipelineSession(cfg, device, timer, preset=preset, resolution=resolution) as session:
        session.load()
        session.prepare()
        bs = 1
        while bs <= cfg.max_batch:
            say(console, f"batch sweep: batch {bs} ...")
            _emit(progress, phase="sweep", batch=bs)
            try:
                if cuda:
                    torch.cuda.reset_peak_memory_stats(device)
                r = session.call(bs)
            except P.DeviceOOM as exc:
                limit = {"failed_batch": bs, "max_ok_batch": points[-1]["batch_size"] if points else None,
                         "reason": str(exc)}
                gc.collect()
                if cuda:
                    torch.cuda.empty_cache()
                break
            point = {"batch_size": bs, "seconds_per_image": r.total_s / bs,
                     "seconds_per_step": r.denoise_s / max(1, len(r.step_s))}
            if cuda:
                point["peak_memory_bytes"] = torch.cuda.max_memory_allocated(device)
            else:
                import psutil

                point["rss_bytes"] = psutil.Process().memory_info().rss
            points.append(point)
            bs *= 2
    if limit is None:
        limit = {"failed_batch": None, "max_ok_batch": points[-1]["batch_size"] if points else None,
                 "reason": f"reached max_batch {cfg.max_batch} without running out of memory"}
    return {"points": points, "limit": limit,
            "ceiling": ("host_mem_ceiling_gb=%g" % cfg.host_mem_ceiling_gb) if cfg.host_mem_ceiling_gb else None}
