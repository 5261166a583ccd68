"""The benchmark: idle power, GEMM probe, per-preset warm-up and timed runs, batch sweep, record.

Order of a run (each step outside the timed regions unless said):
  1. resolve device, validate weights, start the energy monitor and read GPU info;
  2. idle window (a few seconds) for idle power;
  3. per preset: GEMM probe in the preset's dtype (cached per dtype), build/load, FLOPs per component
     counted on the meta device from the loaded model's own configs (cached per model), warm-up run(s)
     (the first one under activation-health hooks), then timed runs until both ``min_runs`` and
     ``min_seconds`` are reached, inside one energy window;
  4. optional batch sweep 1, 2, 4, ... on the primary preset until out of memory;
  5. summaries (a utilisation above 100% becomes a measurement error, never a figure), ratios to
     stock, one record saved in one transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Callable

from artcost.bench import pipeline as P
from artcost.bench.archs import get_arch
from artcost.bench.config import BenchConfig, resolve_device
from artcost.bench.device_info import datasheet_peak, environment, fp32_mode
from artcost.bench.energy import EnergyMonitor, make_monitor, net_energy_j
from artcost.bench.record import BenchRecord, PresetResult, summarise, utilisation_errors


def _say(console, msg: str) -> None:
    if console is not None:
        console.print(msg)


Progress = Callable[[dict], None]
"""Called with one event per step of the run, for a progress bar: ``{"phase": "gemm" | "build" |
"warmup" | "timed" | "sweep", "preset": str, ...}``; warm-up events carry ``i``/``n`` (calls done of
n), timed events ``runs``/``need_runs`` and ``seconds``/``min_seconds`` (the loop ends when both
are reached)."""


def _emit(progress: Progress | None, **event) -> None:
    if progress is not None:
        progress(event)


HEARTBEAT_S = 15.0
"""While the pipeline is built and while a warm-up call runs, a console line at least this often: on a
loaded machine the first call (kernel selection, memory allocation, compilation) can take minutes."""


class Heartbeat:
    """A console line when a phase starts and every ``every`` seconds while it lasts, with the elapsed
    seconds: ``preset stock: warm-up 1/1: UNet call 2 of ~4, 41 s``.  Silent without a console.

    ``watch(pipe)`` (optional, inside the ``with``) adds forward pre-hooks that name the phase of an
    untimed call (prompt encoding, each UNet call, the VAE decode); never used in timed runs.  A
    compiled UNet is not hooked (a hook in its traced frame would change what is timed)."""

    def __init__(self, console, label: str, every: float = HEARTBEAT_S):
        self.console, self.label, self.every = console, label, every
        self.phase = "starting"
        self._t0 = time.perf_counter()
        self._stop = None
        self._thread = None
        self._handles: list = []

    def elapsed(self) -> float:
        return time.perf_counter() - self._t0

    def say(self, phase: str) -> None:
        self.phase = phase
        _say(self.console, f"{self.label}: {phase} ({self.elapsed():.0f} s)")

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            _say(self.console, f"{self.label}: still {self.phase}, {self.elapsed():.0f} s")

    def __enter__(self) -> "Heartbeat":
        if self.console is not None:
            import threading

            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._beat, name="artcost-heartbeat", daemon=True)
            self._thread.start()
        return self

    def watch(self, pipe, steps: int) -> None:
        if self.console is None:
            return
        calls = [0]

        def text(*_a, **_k):
            if not self.phase.startswith("encoding"):
                self.say("encoding the prompt")

        def unet(*_a, **_k):
            calls[0] += 1
            if calls[0] == 1:
                self.say(f"first UNet call of ~{steps} (the first is the slowest)")
            else:
                self.phase = f"UNet call {calls[0]} of ~{steps}"

        def decode(*_a, **_k):
            self.say("VAE decode")

        for name in ("text_encoder", "text_encoder_2"):
            if getattr(pipe, name, None) is not None:
                self._handles.append(getattr(pipe, name).register_forward_pre_hook(text))
        if not hasattr(pipe.unet, "_orig_mod"):
            self._handles.append(pipe.unet.register_forward_pre_hook(unet))
        decoder = getattr(getattr(pipe, "vae", None), "decoder", None)
        if decoder is not None:
            self._handles.append(decoder.register_forward_pre_hook(decode))

    def __exit__(self, *exc) -> bool:
        for h in self._handles:
            h.remove()
        self._handles.clear()
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=1)
        return False


def host_memory_guard(ceiling_gb: float | None) -> Callable[[], None] | None:
    """A check called before each UNet call and VAE decode: DeviceOOM once RSS exceeds the ceiling."""
    if ceiling_gb is None:
        return None
    import psutil

    proc = psutil.Process()
    limit = ceiling_gb * 1024**3

    def guard() -> None:
        rss = proc.memory_info().rss
        if rss > limit:
            raise P.DeviceOOM(f"host memory {rss / 1024**3:.1f} GiB above the --host-mem-ceiling-gb {ceiling_gb:g}")

    return guard


def run_dict(t) -> dict:
    """A `pipeline.RunTiming` as the plain dict a record stores per run (bench and cluster records alike)."""
    return {"total_s": t.total_s, "text_s": t.text_s, "step_s": t.step_s, "decode_s": t.decode_s,
            "overhead_s": t.overhead_s, "unet_calls": t.unet_calls, "unet_rows": t.unet_rows,
            "text_rows": t.text_rows, "vae_rows": t.vae_rows}


def measure_idle(monitor: EnergyMonitor, seconds: float, console=None) -> dict | None:
    """Idle power over ``seconds`` before any work (skipped without a meter); None when not measured."""
    if seconds <= 0 or monitor.meter == "none":
        return None
    _say(console, f"measuring idle power for {seconds:g} s ...")
    monitor.begin_window("idle")
    time.sleep(seconds)
    m = monitor.end_window("idle")
    return {"seconds": m.seconds, "energy_j": m.energy_j, "mean_w": m.mean_w, "meter": m.meter}


def warm_up(loaded, timer, cfg: BenchConfig, resolution: int, guard=None, console=None, label: str = "",
            on_call: Callable[[int, int], None] | None = None) -> dict:
    """``cfg.warmup_runs`` untimed pipeline calls; the first one under activation-health hooks.

    Returns ``{"warmup_s": [seconds per call], "health": dict | None, "notes": [str]}``. A compiled UNet
    skips the health check: its first call is where dynamo traces the UNet, and the hooks' ``.item()``
    would put ~60 graph breaks into the compiled graph that is then timed. Synthetic weights are the
    same for every preset, so stock's check covers them.
    """
    out = {"warmup_s": [], "health": None, "notes": []}
    for i in range(cfg.warmup_runs):
        _say(console, f"{label}warm-up {i + 1}/{cfg.warmup_runs} ...")
        kw = dict(resolution=resolution, steps=cfg.steps, guidance_scale=cfg.guidance_scale,
                  batch_size=cfg.batch_size, seed=cfg.seed, memory_guard=guard)
        with Heartbeat(console, f"{label}warm-up {i + 1}/{cfg.warmup_runs}") as beat:
            beat.watch(loaded.pipe, cfg.steps)
            if i == 0 and loaded.compiled:
                beat.say("first call compiles the UNet (torch.compile): this can take minutes")
            if i == 0 and not loaded.compiled:
                from artcost.bench.synthetic import activation_health

                with activation_health({"unet": loaded.pipe.unet, "vae": loaded.pipe.vae}) as health:
                    w = P.run_once(loaded, timer, **kw)
                out["health"] = health.as_dict()
                if not health.ok:
                    out["notes"].append(f"activation check failed: {out['health']['worst']}")
            else:
                if i == 0:
                    out["notes"].append("activation check skipped: its hooks would break the compiled graph "
                                        "(stock's check covers the same weights)")
                w = P.run_once(loaded, timer, **kw)
            _say(console, f"{label}warm-up {i + 1}/{cfg.warmup_runs}: done in {w.total_s:.1f} s")
        out["warmup_s"].append(w.total_s)
        if on_call is not None:
            on_call(i + 1, cfg.warmup_runs)
    return out


def timed_loop(loaded, timer, cfg: BenchConfig, batch: int, monitor: EnergyMonitor, window: str,
               resolution: int, guard=None, on_run: Callable[[int, int, float], None] | None = None
               ) -> tuple[list, object, float, float]:
    """Timed runs until ``min_runs`` and ``min_seconds`` are both reached (or ``max_runs``).

    ``on_run(runs_done, need_runs, seconds_so_far)`` is called after each run (outside its timed region).

    Returns (timings, energy measurement, wall seconds of the window, perf_counter at the first run's start).
    """
    need_runs = max(cfg.min_runs, -(-cfg.num_images // batch))
    timings = []
    monitor.begin_window(window)
    t_begin = time.perf_counter()
    first_start = None
    while True:
        if first_start is None:
            first_start = time.perf_counter()
        r = P.run_once(loaded, timer, resolution=resolution, steps=cfg.steps, guidance_scale=cfg.guidance_scale,
                       batch_size=batch, seed=cfg.seed + len(timings), memory_guard=guard)
        timings.append(r)
        total = sum(t.total_s for t in timings)
        if on_run is not None:
            on_run(len(timings), need_runs, total)
        if len(timings) >= cfg.max_runs or (len(timings) >= need_runs and total >= cfg.min_seconds):
            break
    wall = time.perf_counter() - t_begin
    meas = monitor.end_window(window)
    return timings, meas, wall, first_start


def summarise_preset(res: PresetResult, timings, meas, wall: float, batch: int, flops, probe: dict | None,
                     peak: dict | None, idle_w: float | None) -> None:
    """Fill ``res.runs``, ``summary``, ``flops``, ``utilisation``, ``energy`` from raw timings (pure)."""
    res.runs = [run_dict(t) for t in timings]
    per_image = [t.total_s / batch for t in timings]
    steps_all = [s for t in timings for s in t.step_s]
    images = batch * len(timings)
    run_total = sum(t.total_s for t in timings)
    fpi = flops.per_image(timings[0].text_rows, timings[0].unet_rows, timings[0].vae_rows, batch)
    unet_per_call = flops.unet_per_row * timings[0].unet_rows / max(1, timings[0].unet_calls)
    s_img = summarise(per_image)
    s_step = summarise(steps_all)
    res.summary = {
        "batch_size": batch,
        "images": images,
        "seconds_per_image": s_img["mean"],
        "seconds_per_image_stats": s_img,
        "images_per_minute": 60.0 / s_img["mean"],
        "seconds_per_step": s_step["mean"],
        "seconds_per_step_stats": s_step,
        "denoise_iterations_per_run": len(timings[0].step_s),
        "unet_calls_per_run": timings[0].unet_calls,
        "run_s_stats": summarise([t.total_s for t in timings]),
        "text_s_stats": summarise([t.text_s for t in timings]),
        "decode_s_stats": summarise([t.decode_s for t in timings]),
        "overhead_s_stats": summarise([t.overhead_s for t in timings]),
        "harness_overhead_share": sum(t.overhead_s for t in timings) / run_total,
        "between_runs_share": max(0.0, wall - run_total) / wall if wall > 0 else None,
        "phase_share": {
            "text": sum(t.text_s for t in timings) / run_total,
            "denoise": sum(t.denoise_s for t in timings) / run_total,
            "decode": sum(t.decode_s for t in timings) / run_total,
        },
    }
    res.flops = {
        "per_image": fpi,
        "unet_per_call": unet_per_call,
        "unet_per_row": flops.unet_per_row,
        "vae_decode_per_row": flops.vae_decode_per_row,
        "text_per_row": flops.text_per_row,
        "latent_side": flops.latent_side,
        "counted_with": "torch.utils.flop_counter.FlopCounterMode on meta",
        "source": flops.source or None,
    }
    achieved = fpi * images / run_total
    step_rate = unet_per_call / s_step["median"] if s_step["median"] else None
    util = {"achieved_flops": achieved, "unet_step_flops": step_rate}
    if probe:
        util["probe_flops"] = probe["best_flops"]
        util["vs_probe"] = achieved / probe["best_flops"]
        util["unet_step_vs_probe"] = step_rate / probe["best_flops"] if step_rate else None
    if peak:
        util["datasheet_flops"] = peak["flops"]
        util["datasheet_source"] = peak["source"]
        util["vs_datasheet"] = achieved / peak["flops"]
        util["unet_step_vs_datasheet"] = step_rate / peak["flops"] if step_rate else None
    else:
        util["vs_datasheet"] = None
        util["datasheet_reason"] = "device not in the shipped datasheet table (configs/peaks.yaml)"
    res.measurement_errors = utilisation_errors(util)
    res.utilisation = util
    energy = {"meter": meas.meter, "reason": meas.reason, "window": meas.as_dict()}
    if meas.energy_j is not None:
        energy["joules_per_image_gross"] = meas.energy_j / images
        energy["mean_w"] = meas.mean_w
        energy["peak_w"] = meas.peak_w
        if idle_w is not None:
            energy["idle_w"] = idle_w
            energy["joules_per_image_net"] = net_energy_j(meas.energy_j, idle_w, meas.seconds) / images
    res.energy = energy


def dtype_labels(device: str, dtype, torch) -> tuple[str, str, bool]:
    """(dtype label shown in the record, key of the datasheet peak, GEMM probe with TF32 matmuls).

    float32 on an Ampere+ GPU with cuDNN TF32 on is labelled ``float32 (TF32 convs)`` and compared with
    the TF32 peak and a TF32 probe (`device_info.fp32_mode`); every other dtype is itself.
    """
    name = str(dtype).replace("torch.", "")
    if name != "float32":
        return name, name, False
    mode = fp32_mode(device, torch)
    return mode["label"], mode["peak_dtype"], mode["probe_tf32"]


def run_benchmark(cfg: BenchConfig, console=None, monitor: EnergyMonitor | None = None,
                  command_started: float | None = None, store=None, progress: Progress | None = None) -> BenchRecord:
    """Run the whole benchmark described by ``cfg``; save and return the record."""
    if cfg.store:  # open, check and write-test the results database now, not after minutes of measuring
        from artcost.bench.store import ResultStore

        store = ResultStore.for_benchmark(store)
    torch = P.import_torch()
    command_started = command_started or time.perf_counter()
    device = resolve_device(cfg.device)
    if device.startswith("cuda"):
        # Kernels, streams and events default to the *current* device: make it the one asked for.
        torch.cuda.set_device(device)
    arch = get_arch(cfg.arch)
    if cfg.model is not None:
        P.check_model_path(cfg.model, cfg.arch)
    resolution = cfg.effective_resolution()
    if resolution % (arch.vae_scale * 8):
        _say(console, f"[yellow]note: {resolution}px is not a multiple of {arch.vae_scale * 8}; the UNet pads internally[/]")
    env = environment(device)
    monitor = monitor or make_monitor(device)
    monitor.start()
    device_info = {"name": env.get("device_name"), "kind": "cuda" if device.startswith("cuda") else "cpu"}
    if monitor.device is not None:
        device_info["gpu"] = monitor.device.info()
    try:
        idle = measure_idle(monitor, cfg.idle_seconds, console)
        idle_w = idle["mean_w"] if idle else None

        from artcost.bench.flops import ModelConfigs, count_flops
        from artcost.bench.timing import make_timer

        timer = make_timer(device)
        probes: dict[str, dict] = {}
        results: list[PresetResult] = []
        weights_label, tokenizer = None, None
        first_step_at = None
        scheduler_used = cfg.scheduler
        for preset in cfg.presets:
            res = PresetResult(name=preset, status="ok")
            results.append(res)
            try:
                dtype = P.preset_dtype(preset, device)
            except P.PresetUnsupported as exc:
                res.status, res.reason = "skipped", str(exc)
                _say(console, f"[yellow]preset {preset}: skipped ({exc})[/]")
                continue
            dname, peak_dtype, probe_tf32 = dtype_labels(device, dtype, torch)
            res.dtype = dname
            if cfg.gemm_seconds > 0 and dname not in probes:
                from artcost.bench.gemm_probe import gemm_probe

                _say(console, f"GEMM probe ({dname}, {cfg.gemm_seconds:g} s) ...")
                _emit(progress, phase="gemm", preset=preset)
                probes[dname] = gemm_probe(device, dtype, cfg.gemm_seconds, tf32=probe_tf32)
            loaded = None
            try:
                _say(console, f"preset {preset}: building pipeline ...")
                _emit(progress, phase="build", preset=preset)
                try:
                    with Heartbeat(console, f"preset {preset}: building pipeline") as beat:
                        beat.phase = "building the pipeline (model weights into memory)"
                        loaded = P.load(cfg.arch, cfg.model, preset, device)
                except P.PresetUnsupported as exc:
                    res.status, res.reason = "skipped", str(exc)
                    _say(console, f"[yellow]preset {preset}: skipped ({exc})[/]")
                    continue
                res.load_s = loaded.load_s
                res.notes = loaded.notes
                res.scheduler = scheduler_used = P.set_scheduler(loaded.pipe, cfg.scheduler)
                weights_label, tokenizer = loaded.weights_label, loaded.tokenizer_label
                guard = host_memory_guard(cfg.host_mem_ceiling_gb)
                warm = warm_up(loaded, timer, cfg, resolution, guard, console, label=f"preset {preset}: ",
                               on_call=lambda i, n, p=preset: _emit(progress, phase="warmup", preset=p, i=i, n=n))
                res.warmup_s, res.health = warm["warmup_s"], warm["health"]
                res.notes.extend(warm["notes"])
                _say(console, f"preset {preset}: timed runs (min {cfg.min_runs} runs, {cfg.min_seconds:g} s) ...")
                timings, meas, wall, t_first = timed_loop(
                    loaded, timer, cfg, cfg.batch_size, monitor, preset, resolution, guard,
                    on_run=lambda k, need, secs, p=preset: _emit(progress, phase="timed", preset=p, runs=k, need_runs=need,
                                                                 seconds=secs, min_seconds=cfg.min_seconds))
                if first_step_at is None:
                    # End of the first denoising step of the first timed run, from that run's start
                    # mark: includes its text encoding and scheduler set-up, as a user waits for them.
                    first_step_at = t_first + (timings[0].first_step_end_s or 0.0)
                peak = datasheet_peak(env.get("device_name"), peak_dtype) if device.startswith("cuda") else None
                # FLOPs of the model that ran (its own configs, on meta; cached per model), never the
                # arch's template: a user's folder may be a fraction of it (issue #16).
                flops = count_flops(ModelConfigs.from_pipeline(loaded.pipe, cfg.arch), resolution)
                summarise_preset(res, timings, meas, wall, cfg.batch_size, flops, probes.get(dname), peak, idle_w)
                if loaded.compiled and res.warmup_s:
                    # Compilation happens inside the first call; what it adds is first call minus steady state.
                    res.compile_s = max(0.0, res.warmup_s[0] - res.summary["run_s_stats"]["median"])
            except P.DeviceOOM as exc:
                res.status, res.reason = "failed", f"out of memory at batch {cfg.batch_size}: {exc}"
                _say(console, f"[red]preset {preset}: {res.reason}[/]")
            finally:
                P.free(loaded)

        stock = next((r for r in results if r.name == "stock" and r.status == "ok"), None)
        for r in results:
            if stock is not None and r.status == "ok":
                r.ratio_to_stock = {
                    "seconds_per_image": r.summary["seconds_per_image"] / stock.summary["seconds_per_image"],
                    "speedup": stock.summary["seconds_per_image"] / r.summary["seconds_per_image"],
                }
                if r.energy.get("joules_per_image_gross") and stock.energy.get("joules_per_image_gross"):
                    r.ratio_to_stock["joules_per_image"] = (
                        r.energy["joules_per_image_gross"] / stock.energy["joules_per_image_gross"])

        sweep = None
        if cfg.batch_sweep:
            sweep = batch_sweep(cfg, device, resolution, timer, console, progress)

        primary = next((r for r in results if r.name == cfg.primary_preset), None)
        if primary is None or primary.status != "ok":
            why = primary.reason if primary else "not run"
            from artcost.errors import UserError

            raise UserError(f"--primary-preset {cfg.primary_preset}: no result ({why}); nothing stored")
        summary = {
            "preset": primary.name,
            "arch": cfg.arch,
            "resolution": resolution,
            "steps": cfg.steps,
            "batch_size": cfg.batch_size,
            "cfg": cfg.cfg_on,
            "seconds_per_image": primary.summary["seconds_per_image"],
            "images_per_minute": primary.summary["images_per_minute"],
            "seconds_per_step": primary.summary["seconds_per_step"],
            "harness_overhead_share": primary.summary["harness_overhead_share"],
            "flops_per_image": primary.flops["per_image"],
            "flops_source": primary.flops.get("source"),
            "utilisation_vs_probe": primary.utilisation.get("vs_probe"),
            "unet_step_vs_probe": primary.utilisation.get("unet_step_vs_probe"),
            "utilisation_vs_datasheet": primary.utilisation.get("vs_datasheet"),
            "joules_per_image_gross": primary.energy.get("joules_per_image_gross"),
            "joules_per_image_net": primary.energy.get("joules_per_image_net"),
            "mean_w": primary.energy.get("mean_w"),
            "peak_w": primary.energy.get("peak_w"),
            "energy_reason": primary.energy.get("reason") if primary.energy.get("joules_per_image_gross") is None else None,
        }
        config_dump = cfg.model_dump(mode="json")
        config_dump.update(resolution=resolution, device=device, scheduler=scheduler_used)
        record = BenchRecord(
            created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            config=config_dump,
            environment=env,
            device=device_info,
            weights_label=weights_label or "unknown",
            tokenizer=tokenizer,
            gemm_probe=probes.get(primary.dtype),
            energy_meter={"meter": monitor.meter, "reason": monitor.reason, "period_s": monitor.period_s},
            idle=idle,
            presets=results,
            primary_preset=primary.name,
            batch_sweep=sweep,
            timeline={
                "startup_to_first_timed_step_s": (first_step_at - command_started) if first_step_at else None,
                "gemm_probes": probes,
            },
            summary=summary,
            measurement_errors=[f"preset {r.name}: {e}" for r in results for e in r.measurement_errors],
        )
    finally:
        monitor.stop()
    if cfg.store:
        from artcost.bench.store import ResultStore

        (store or ResultStore()).save(record)
    return record


def batch_sweep(cfg: BenchConfig, device: str, resolution: int, timer, console=None,
                progress: Progress | None = None) -> dict:
    """Batch 1, 2, 4, ... on the primary preset until out of memory (or ``max_batch``); never raises OOM."""
    import gc

    torch = P.import_torch()
    points, limit = [], None
    loaded = P.load(cfg.arch, cfg.model, cfg.primary_preset, device)
    P.set_scheduler(loaded.pipe, cfg.scheduler)
    guard = host_memory_guard(cfg.host_mem_ceiling_gb)
    bs = 1
    try:
        while bs <= cfg.max_batch:
            _say(console, f"batch sweep: batch {bs} ...")
            _emit(progress, phase="sweep", batch=bs)
            try:
                if device.startswith("cuda"):
                    torch.cuda.reset_peak_memory_stats(device)
                r = P.run_once(loaded, timer, resolution=resolution, steps=cfg.steps,
                               guidance_scale=cfg.guidance_scale, batch_size=bs, seed=cfg.seed, memory_guard=guard)
            except P.DeviceOOM as exc:
                limit = {"failed_batch": bs, "max_ok_batch": points[-1]["batch_size"] if points else None,
                         "reason": str(exc)}
                gc.collect()
                if device.startswith("cuda"):
                    torch.cuda.empty_cache()
                break
            point = {"batch_size": bs, "seconds_per_image": r.total_s / bs, "seconds_per_step": r.denoise_s / max(1, len(r.step_s))}
            if device.startswith("cuda"):
                point["peak_memory_bytes"] = torch.cuda.max_memory_allocated(device)
            else:
                import psutil

                point["rss_bytes"] = psutil.Process().memory_info().rss
            points.append(point)
            bs *= 2
    finally:
        P.free(loaded)
    if limit is None:
        limit = {"failed_batch": None, "max_ok_batch": points[-1]["batch_size"] if points else None,
                 "reason": f"reached --max-batch {cfg.max_batch} without running out of memory"}
    return {"points": points, "limit": limit,
            "ceiling": ("host_mem_ceiling_gb=%g" % cfg.host_mem_ceiling_gb) if cfg.host_mem_ceiling_gb else None}
