"""One generation job spread over many devices with Ray: actors, share splitting, re-queue, scaling.

Shape of a job (``run_cluster_job``):

1. Ray: connect to ``ray_address``, or start a small local Ray (stopped again at the end), or reuse
   one this process already started (tests).
2. One actor per device: per GPU (``num_gpus=1``) when the cluster has GPUs and ``--device`` allows,
   else per CPU slot (``num_cpus=1``, one torch thread). Each actor builds the pipeline once, runs the
   benchmark's idle window and warm-up, and then generates *chunks* of pipeline calls with the
   single-device benchmark's own timed loop (`pipeline.PipelineSession.timed`: its timers, its `EnergyMonitor`
   windows). No measurement logic lives here; this module schedules and adds up.
3. Calibration: worker 0 alone makes the first ``calibration_runs`` pipeline calls -> throughput of one
   worker, measured in the same run on the same kind of device.
4. Scaled phase: the remaining calls are split into equal shares, one per live worker, dispatched a
   chunk at a time (two in flight per actor so a device never waits for the driver). Run ``j`` of the
   job always uses seed ``cfg.seed + j``, whichever worker makes it.
5. A worker that dies (process exit, OOM, lost node) is recorded; what it had not delivered is
   re-queued once, spread over the survivors. Work lost a second time is not re-queued again: the
   job is then ``incomplete`` and says how many images are missing.
6. Scaling efficiency = (scaled-phase images/min / workers) / (calibration images/min).

Ray is imported lazily; without it `MissingExtraError("cluster", "ray", ...)`.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from artcost.bench.config import BenchConfig
from artcost.bench.energy import net_energy_j
from artcost.bench.record import summarise
from artcost.errors import MissingExtraError, UserError

# Test hook: "WORKER:IMAGES" makes that worker's process exit (os._exit) once it has made IMAGES
# images; the driver then sees a real ActorDiedError. Read by the driver and handed to one actor.
FAULT_ENV = "ARTCOST_CLUSTER_FAULT"
IN_FLIGHT_PER_WORKER = 2


def import_ray():
    try:
        import ray
    except ImportError as exc:
        raise MissingExtraError("cluster", "ray", "artcost bench --workers") from exc
    return ray


# --- pure planning -------------------------------------------------------------------------------------

@dataclass
class Chunk:
    """``runs`` consecutive pipeline calls of the job starting at call ``first_run``."""

    first_run: int
    runs: int
    requeued: bool = False


def split_even(total: int, parts: int) -> list[int]:
    """``total`` items in ``parts`` shares differing by at most one (earlier shares get the extra)."""
    if parts < 1:
        raise ValueError("parts must be >= 1")
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def plan_shares(first_run: int, total_runs: int, workers: list[int], chunk_runs: int = 1) -> dict[int, list[Chunk]]:
    """Equal shares of calls ``first_run .. first_run+total_runs-1`` for ``workers``, cut into chunks.

    Each worker's share is a contiguous block of call indices (so seeds are contiguous too).
    """
    plan: dict[int, list[Chunk]] = {w: [] for w in workers}
    start = first_run
    for w, n in zip(workers, split_even(total_runs, len(workers))):
        end = start + n
        for s in range(start, end, chunk_runs):
            plan[w].append(Chunk(s, min(chunk_runs, end - s)))
        start = end
    return plan


def redistribute(chunks: list[Chunk], survivors: list[int], load: dict[int, int]) -> dict[int, list[Chunk]]:
    """Give each chunk to the survivor with the least outstanding work (``load``: runs queued per worker).

    Returns {worker: chunks added}; ``load`` is updated in place. Chunks are marked ``requeued``.
    """
    added: dict[int, list[Chunk]] = {w: [] for w in survivors}
    for c in chunks:
        w = min(survivors, key=lambda k: (load.get(k, 0), k))
        c.requeued = True
        added[w].append(c)
        load[w] = load.get(w, 0) + c.runs
    return {w: cs for w, cs in added.items() if cs}


def calibration_plan(total_runs: int, workers: int, requested: int | None = None) -> tuple[int, str | None]:
    """(pipeline calls the single-worker calibration phase makes, why none when 0).

    Default: a tenth of the job, at least 2 calls, leaving at least two calls per worker for the
    scaled phase. One worker needs no calibration (its efficiency is 1 by definition).
    """
    if workers <= 1:
        return 0, "one worker: efficiency is 1 by definition"
    room = total_runs - 2 * workers
    if requested is not None:
        if requested < 1:
            return 0, f"--calibration-runs {requested}: no calibration phase asked for"
        if requested > room:
            return 0, (f"--calibration-runs {requested}: a job of {total_runs} pipeline call(s) on {workers} workers "
                       f"has room for at most {max(0, room)} (two calls per worker stay for the scaled phase)")
        return requested, None
    if room < 2:
        return 0, (f"too few pipeline calls ({total_runs}) for a calibration phase of 2 and two calls per worker "
                   f"({workers} workers need at least {2 * workers + 2})")
    return min(room, max(2, round(0.1 * total_runs))), None


def calibration_runs(total_runs: int, workers: int, requested: int | None = None) -> int:
    """Pipeline calls of the calibration phase (0 when it cannot be done; `calibration_plan` says why)."""
    return calibration_plan(total_runs, workers, requested)[0]


def scaling_efficiency(ipm_scaled: float, workers: int, ipm_one: float) -> float:
    """(throughput of N workers / N) / throughput of one worker; 1.0 is perfect data-parallel scaling."""
    return ipm_scaled / workers / ipm_one


def energy_sharing(parts: list[dict]) -> str | None:
    """Why summed per-worker energy would double count, or None when each worker has its own meter.

    NVML meters one GPU each; RAPL meters a whole CPU package, so two workers on one machine would
    each count the other's joules.
    """
    meters = {p.get("meter") for p in parts}
    if not parts or "none" in meters or None in meters:
        reasons = {p.get("meter_reason") for p in parts if p.get("meter") in (None, "none")}
        return "no energy meter on " + ", ".join(sorted({p.get("hostname") or "?" for p in parts if p.get("meter") in (None, "none")})) \
            + (f" ({'; '.join(sorted(r for r in reasons if r))})" if any(reasons) else "")
    by_meter: dict[tuple, int] = {}
    for p in parts:
        gpu = (p.get("gpu_uuid") or p.get("nvml_index")) if p.get("meter", "").startswith("nvml") else None
        key = (p.get("node_id"), p.get("meter"), gpu)
        by_meter[key] = by_meter.get(key, 0) + 1
    shared = [k for k, n in by_meter.items() if n > 1]
    if shared:
        return (f"{by_meter[shared[0]]} workers share one {shared[0][1]} meter on node {str(shared[0][0])[:8]} "
                "(it counts the whole package/device), so per-worker joules cannot be added up")
    return None


# --- the actor ----------------------------------------------------------------------------------------------

class GenerationWorker:
    """One device's worker (a Ray actor): build once, then generate chunks on request.

    ``fault_after_images`` (tests only): exit the process from inside the pipeline (before a UNet call)
    once this many images are done, so Ray reports a real actor death mid-chunk.
    """

    def __init__(self, cfg_json: str, index: int, threads: int | None = None, fault_after_images: int | None = None):
        self.cfg = BenchConfig.model_validate_json(cfg_json)
        self.index = index
        self.threads = threads
        self.fault_after = fault_after_images
        self.images_done = 0
        self.loaded = None
        self.session = None
        self.monitor = None
        self.windows = 0

    def setup(self) -> dict:
        """Idle window, then the benchmark's own `pipeline.PipelineSession`: load, prepare, warm up (as
        `runner.run_benchmark` does for a preset); returns where and what this worker is."""
        from artcost.bench import pipeline as P
        from artcost.bench.config import resolve_device
        from artcost.bench.device_info import environment
        from artcost.bench.energy import make_monitor
        from artcost.bench.timing import make_timer

        torch = P.import_torch()
        if self.threads:
            torch.set_num_threads(self.threads)
        cfg = self.cfg
        device = resolve_device(cfg.device)
        self.device = device
        # Ray sets CUDA_VISIBLE_DEVICES, so torch's cuda:0 is rarely NVML's GPU 0: make_monitor finds the
        # NVML handle by the GPU's UUID (energy.nvml_handle_for), exactly as the single-device run does.
        self.monitor = make_monitor(device)
        nvml_index = self.monitor.device.nvml_index if self.monitor.device is not None else None
        gpu_uuid = self.monitor.device.uuid if self.monitor.device is not None else None
        self.monitor.start()
        idle = P.measure_idle(self.monitor, cfg.idle_seconds)
        self.idle_w = idle["mean_w"] if idle else None
        self.session = P.PipelineSession(cfg, device, make_timer(device))
        self.loaded = self.session.load()
        scheduler = self.session.prepare()
        base_guard = self.session.guard

        def guard() -> None:
            if self.fault_after is not None and self.images_done >= self.fault_after:
                os._exit(1)  # a real process death, as an OOM kill or a lost node looks to Ray
            if base_guard is not None:
                base_guard()

        self.guard = guard
        # The single-device benchmark's own warm-up (activation-health check on the first call included).
        warm = self.session.warm_up()
        env = environment(device)
        gpu = self.monitor.device.info() if self.monitor.device is not None else None
        try:
            import ray

            ctx = ray.get_runtime_context()
            node_id, gpu_ids = ctx.get_node_id(), [str(g) for g in ray.get_gpu_ids()]
        except Exception:  # noqa: BLE001 - used outside Ray (unit tests)
            node_id, gpu_ids = None, []
        return {
            "worker": self.index, "hostname": socket.gethostname(), "pid": os.getpid(), "node_id": node_id,
            "gpu_ids": gpu_ids, "nvml_index": nvml_index, "gpu_uuid": gpu_uuid, "device": device, "device_name": env.get("device_name"),
            "gpu": gpu, "environment": env, "torch_threads": torch.get_num_threads(),
            "weights_label": self.loaded.weights_label, "tokenizer": self.loaded.tokenizer_label,
            "scheduler": scheduler, "dtype": str(self.loaded.dtype).replace("torch.", ""),
            "load_s": self.loaded.load_s, "warmup_s": warm.warmup_s, "health": warm.health,
            "notes": self.loaded.notes + warm.notes, "idle": idle,
            "meter": self.monitor.meter, "meter_reason": self.monitor.reason,
        }

    def run_chunk(self, first_run: int, runs: int) -> dict:
        """``runs`` timed pipeline calls (seeds ``cfg.seed + first_run ...``) in one energy window."""
        cfg = self.cfg
        self.windows += 1
        started = time.time()
        w = self.session.timed(self.monitor, f"chunk-{self.windows}", runs=runs, first_run=first_run,
                               guard=self.guard)
        self.images_done += runs * cfg.batch_size
        return {"worker": self.index, "first_run": first_run, "runs": [t.as_dict() for t in w.timings],
                "images": len(w.timings) * cfg.batch_size, "wall_s": w.wall_s, "energy": w.energy.as_dict(),
                "started_at": started, "ended_at": time.time()}

    def close(self) -> None:
        if self.monitor is not None:
            self.monitor.stop()
        if self.session is not None:
            self.session.clean()
        self.loaded = None


# --- the driver --------------------------------------------------------------------------------------------

@dataclass
class ClusterSettings:
    """How to spread the job.

    Attributes:
        workers: actors to start (one device each).
        ray_address: an existing cluster (``HOST:6379`` or ``auto``); None starts a local Ray.
        calibration_runs: calls worker 0 makes alone first (None: `calibration_runs` default).
        chunk_runs: calls per dispatched chunk (the unit of re-queue).
        fault: (worker, images) test hook; default from ``ARTCOST_CLUSTER_FAULT``.
        object_store_mb: object store size of a local Ray (results are small dicts).
    """

    workers: int = 2
    ray_address: str | None = None
    calibration_runs: int | None = None
    chunk_runs: int = 1
    fault: tuple[int, int] | None = None
    object_store_mb: int = 200
    local_cpus: int | None = None


def parse_fault(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        w, n = text.split(":")
        return int(w), int(n)
    except ValueError:
        raise UserError(f"{FAULT_ENV}={text!r}: expected WORKER:IMAGES, e.g. 1:2") from None


@dataclass
class _Slot:
    index: int
    handle: Any
    info: dict = field(default_factory=dict)
    alive: bool = True
    queue: deque = field(default_factory=deque)
    error: str | None = None


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """UserError unless HOST:PORT accepts a TCP connection (Ray itself retries for minutes)."""
    if address in ("auto", "local") or address.startswith("ray://") or ":" not in address:
        return
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise UserError(f"--ray-address {address}: expected HOST:PORT, e.g. 10.0.0.5:6379")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise UserError(f"--ray-address {address}: nothing answers there ({exc.strerror or exc}); "
                        "start the head with `ray start --head --port=6379` (see docs/cluster.md)") from None


class _Ray:
    """Connect, start or reuse Ray; `close` undoes only what `open` did."""

    def __init__(self, settings: ClusterSettings):
        self.s = settings
        self.started = False
        self.mode = None

    def open(self):
        ray = import_ray()
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        common = dict(include_dashboard=False, log_to_driver=False, configure_logging=False, namespace="artcost")
        if ray.is_initialized():
            self.mode = "reused"
        elif self.s.ray_address:
            check_reachable(self.s.ray_address)
            try:
                ray.init(address=self.s.ray_address, **common)
            except Exception as exc:  # noqa: BLE001 - ConnectionError, timeouts: one line for the user
                raise UserError(f"--ray-address {self.s.ray_address}: cannot connect to a Ray cluster "
                                f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
            self.started, self.mode = True, "existing"
        else:
            ray.init(num_cpus=self.s.local_cpus or os.cpu_count(), object_store_memory=self.s.object_store_mb * 1024**2,
                     **common)
            self.started, self.mode = True, "local"
        return ray

    def close(self) -> None:
        if self.started:
            import ray

            ray.shutdown()
            self.started = False


def _chunk_error(exc: BaseException) -> tuple[str, bool]:
    """(one-line reason, whether the worker process is gone) for an exception from a chunk."""
    import ray.exceptions as rx

    cause = getattr(exc, "cause", None)
    if isinstance(exc, rx.RayTaskError) and cause is not None:
        msg = str(cause).splitlines()[0] if str(cause) else ""
        return f"{type(cause).__name__}: {msg}", False
    dead = isinstance(exc, (rx.RayActorError, rx.NodeDiedError, rx.WorkerCrashedError, rx.OutOfMemoryError,
                            rx.LocalRayletDiedError))
    text = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    # Ray's death message is long: keep its first line and the one naming the cause (exit, OOM kill, node loss).
    detail = next((ln for ln in text[1:] if any(w in ln.lower() for w in ("exit", "memory", "node", "killed"))), "")
    head = text[0] if text else "worker died"
    return f"{type(exc).__name__}: {head}{' ' + detail if detail else ''}"[:400], dead


def _device_plan(ray, cfg: BenchConfig, workers: int) -> tuple[str, dict]:
    """('cuda'|'cpu', actor resource options) after checking the cluster has room for ``workers``."""
    res = ray.cluster_resources()
    gpus, cpus = int(res.get("GPU", 0)), int(res.get("CPU", 0))
    if cfg.device.startswith("cuda:"):
        raise UserError(f"--device {cfg.device}: with --workers Ray assigns the GPUs; use --device cuda or auto")
    use_gpu = cfg.device == "cuda" or (cfg.device == "auto" and gpus > 0)
    if use_gpu:
        if gpus < workers:
            raise UserError(f"--workers {workers}: the Ray cluster has {gpus} GPU(s); ask for at most {gpus} "
                            "or add machines (see docs/cluster.md)")
        return "cuda", {"num_gpus": 1, "num_cpus": 1}
    if cpus < workers:
        raise UserError(f"--workers {workers}: the Ray cluster has {cpus} CPU slot(s) and no GPU; "
                        f"ask for at most {cpus}")
    return "cpu", {"num_cpus": 1}


Event = Callable[..., None]


def run_cluster_job(cfg: BenchConfig, settings: ClusterSettings, on_event: Event | None = None,
                    store=None) -> dict:
    """Run the job; store and return its record (a dict, see docs/cluster.md for the fields).

    Ctrl-C (KeyboardInterrupt, also when raised by ``on_event``) kills every actor, stops a Ray this
    call started and stores nothing.
    """
    if settings.workers < 1:
        raise UserError(f"--workers: must be at least 1 (got {settings.workers})")
    if settings.chunk_runs < 1:
        raise UserError(f"--chunk-runs: must be at least 1 (got {settings.chunk_runs})")
    total_runs = -(-cfg.num_images // cfg.batch_size)
    if settings.calibration_runs is not None and settings.workers > 1:
        n, why = calibration_plan(total_runs, settings.workers, settings.calibration_runs)
        if n == 0 and settings.calibration_runs > 0:
            raise UserError(why)
    if cfg.model is not None:
        from artcost.bench.pipeline import check_model_path

        check_model_path(cfg.model, cfg.arch)  # before any worker loads it, as the single-device run does
    if cfg.store:  # open, check and write-test the results database before Ray starts and workers measure
        from artcost.bench.cluster_store import ClusterStore

        store = ClusterStore.for_benchmark(store)
    emit = on_event or (lambda kind, **kw: None)
    fault = settings.fault or parse_fault(os.environ.get(FAULT_ENV))
    t_command = time.perf_counter()
    ray_ctl = _Ray(settings)
    ray = ray_ctl.open()
    slots: list[_Slot] = []
    try:
        kind, resources = _device_plan(ray, cfg, settings.workers)
        wcfg = cfg.model_copy(update={"device": kind})
        actor_cls = ray.remote(GenerationWorker)
        emit("starting", workers=settings.workers, device_kind=kind, mode=ray_ctl.mode)
        for i in range(settings.workers):
            fail = fault[1] if fault and fault[0] == i else None
            handle = actor_cls.options(max_restarts=0, max_task_retries=0, **resources).remote(
                wcfg.model_dump_json(), i, 1 if kind == "cpu" else None, fail)
            slots.append(_Slot(i, handle))
        failures: list[dict] = []
        setup_refs = {s.handle.setup.remote(): s for s in slots}
        t_setup = time.perf_counter()
        pending = list(setup_refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            slot = setup_refs[ready[0]]
            try:
                slot.info = ray.get(ready[0])
                emit("ready", worker=slot.index, info=slot.info)
            except Exception as exc:  # noqa: BLE001
                cause = getattr(exc, "cause", None)
                if isinstance(cause, UserError):
                    raise cause from None
                reason, _ = _chunk_error(exc)
                _kill(ray, slot, reason)
                failures.append({"worker": slot.index, "phase": "setup", "error": reason, "requeued_images": 0})
                emit("failed", worker=slot.index, error=reason, requeued_images=0)
        setup_s = time.perf_counter() - t_setup
        live = [s for s in slots if s.alive]
        if not live:
            raise UserError(f"every worker failed while starting: {failures[0]['error']}")

        calib_n, calib_reason = calibration_plan(total_runs, len(live), settings.calibration_runs)
        results: list[dict] = []
        calib = None
        next_run = 0
        if calib_n:
            c0 = live[0]
            emit("phase", name="calibration", workers=1, runs=calib_n)
            plan = plan_shares(0, calib_n, [c0.index], settings.chunk_runs)
            t0 = time.perf_counter()
            got, lost = _dispatch(ray, slots, plan, failures, emit, phase="calibration", requeue=False)
            wall1 = time.perf_counter() - t0
            results += got
            imgs = sum(r["images"] for r in got)
            if lost or not imgs:
                calib = {"worker": c0.index, "runs": calib_n, "images": imgs, "wall_s": wall1, "images_per_minute": None,
                         "reason": "the calibration worker failed"}
            else:
                calib = {"worker": c0.index, "runs": calib_n, "images": imgs, "wall_s": wall1,
                         "images_per_minute": 60.0 * imgs / wall1}
            next_run = calib_n
            lost_calib = lost
        else:
            lost_calib = []
        live = [s for s in slots if s.alive]
        if not live:
            raise UserError("every worker failed: " + "; ".join(f["error"] for f in failures))
        n_scaled = len(live)
        emit("phase", name="scaled", workers=n_scaled, runs=total_runs - next_run)
        plan = plan_shares(next_run, total_runs - next_run, [s.index for s in live], settings.chunk_runs)
        if lost_calib:
            load = {w: sum(c.runs for c in cs) for w, cs in plan.items()}
            for w, cs in redistribute(lost_calib, [s.index for s in live], load).items():
                plan[w] += cs
            entry = next(f for f in reversed(failures) if f["phase"] == "calibration")
            entry.update(requeued_images=entry.pop("lost_images"), requeued_to="the scaled phase's workers")
            entry.pop("lost_why", None)
            for c in lost_calib:
                c.requeued = True
        t0 = time.perf_counter()
        got, lost = _dispatch(ray, slots, plan, failures, emit, phase="scaled", requeue=True,
                              batch=cfg.batch_size)
        wall_n = time.perf_counter() - t0
        results += got
        for s in slots:
            if s.alive:
                try:
                    ray.get(s.handle.close.remote(), timeout=30)
                except Exception:  # noqa: BLE001 - closing is best effort; the process is killed next
                    pass
        job = build_job(cfg, settings, ray_ctl.mode, kind, slots, results, failures, calib, n_scaled, wall_n,
                        setup_s, time.perf_counter() - t_command, total_runs,
                        sum(c.runs for c in lost) * cfg.batch_size, ray, calib_reason=calib_reason)
    finally:
        for s in slots:
            _kill(ray, s, None)
        ray_ctl.close()
    if cfg.store:
        from artcost.bench.cluster_store import ClusterStore

        (store or ClusterStore()).save(job)
    emit("done", job=job)
    return job


def _kill(ray, slot: _Slot, reason: str | None) -> None:
    if reason is not None:
        slot.error = reason
    if slot.alive or reason is None:
        try:
            ray.kill(slot.handle, no_restart=True)
        except Exception:  # noqa: BLE001 - already gone
            pass
    if reason is not None:
        slot.alive = False


def _dispatch(ray, slots: list[_Slot], plan: dict[int, list[Chunk]], failures: list[dict], emit: Event,
              phase: str, requeue: bool, batch: int = 1) -> tuple[list[dict], list[Chunk]]:
    """Run ``plan`` ({worker: chunks}); returns (chunk results, chunks lost for good).

    A failing worker is killed and recorded in ``failures``; with ``requeue`` its undelivered chunks
    go to the survivors once (a chunk already re-queued is not re-queued again).
    """
    by_index = {s.index: s for s in slots}
    for w, chunks in plan.items():
        by_index[w].queue.extend(chunks)
    inflight: dict[Any, tuple[_Slot, Chunk]] = {}
    results: list[dict] = []
    lost_for_good: list[Chunk] = []

    def top_up() -> None:
        for s in slots:
            n = sum(1 for sl, _ in inflight.values() if sl is s)
            while s.alive and s.queue and n < IN_FLIGHT_PER_WORKER:
                c = s.queue.popleft()
                inflight[s.handle.run_chunk.remote(c.first_run, c.runs)] = (s, c)
                n += 1

    top_up()
    while inflight:
        ready, _ = ray.wait(list(inflight), num_returns=1)
        slot, chunk = inflight.pop(ready[0])
        try:
            res = ray.get(ready[0])
        except Exception as exc:  # noqa: BLE001 - any failure of a chunk is a failure of its worker
            if not slot.alive:
                continue
            reason, _ = _chunk_error(exc)
            _kill(ray, slot, reason)
            undelivered = [chunk] + [c for r, (sl, c) in list(inflight.items()) if sl is slot] + list(slot.queue)
            for r in [r for r, (sl, _) in inflight.items() if sl is slot]:
                del inflight[r]
            slot.queue.clear()
            undelivered.sort(key=lambda c: c.first_run)
            survivors = [s.index for s in slots if s.alive]
            if requeue and survivors:
                fresh = [c for c in undelivered if not c.requeued]
                again = [c for c in undelivered if c.requeued]
            else:
                fresh, again = [], undelivered
            entry = {"worker": slot.index, "phase": phase, "error": reason,
                     "requeued_images": 0, "lost_images": 0}
            if fresh:
                load = {s.index: sum(c.runs for c in s.queue) for s in slots if s.alive}
                moved = redistribute(fresh, survivors, load)
                for w, cs in moved.items():
                    by_index[w].queue.extend(cs)
                entry["requeued_images"] = sum(c.runs for c in fresh) * batch
                entry["requeued_to"] = {str(w): sum(c.runs for c in cs) * batch for w, cs in moved.items()}
            if again:
                entry["lost_images"] = sum(c.runs for c in again) * batch
                entry["lost_why"] = ("no surviving worker" if not survivors else
                                     "already re-queued once" if requeue else "not re-queued in this phase")
                lost_for_good += again
            failures.append(entry)
            emit("failed", worker=slot.index, error=reason, requeued_images=entry["requeued_images"])
        else:
            results.append({**res, "phase": phase, "requeued": chunk.requeued})
            emit("chunk", worker=slot.index, images=res["images"], phase=phase)
        top_up()
    return results, lost_for_good


# --- aggregation (pure) ---------------------------------------------------------------------------------------

def build_job(cfg: BenchConfig, settings: ClusterSettings, mode: str, kind: str, slots: list[_Slot],
              results: list[dict], failures: list[dict], calib: dict | None, n_scaled: int, wall_n: float,
              setup_s: float, command_s: float, total_runs: int, lost_images: int, ray=None,
              calib_reason: str | None = None) -> dict:
    """The job record: per-worker parts and the aggregate (images, wall, images/min, J/image, spread, scaling)."""
    batch = cfg.batch_size
    parts = []
    for s in slots:
        mine = [r for r in results if r["worker"] == s.index]
        scaled = [r for r in mine if r["phase"] == "scaled"]
        per_image = [run["total_s"] / batch for r in scaled for run in r["runs"]]
        busy = sum(r["wall_s"] for r in scaled)
        imgs = sum(r["images"] for r in scaled)
        energies = [r["energy"]["energy_j"] for r in scaled]
        energy_j = sum(energies) if scaled and all(e is not None for e in energies) else None
        info = {k: v for k, v in s.info.items() if k != "environment"}
        part = {
            **info, "worker": s.index, "status": "ok" if s.alive else "died", "error": s.error,
            "images": sum(r["images"] for r in mine), "scaled_images": imgs,
            "calibration_images": sum(r["images"] for r in mine if r["phase"] == "calibration"),
            "requeued_images_done": sum(r["images"] for r in mine if r["requeued"]),
            "busy_s": busy, "images_per_minute": 60.0 * imgs / busy if busy > 0 else None,
            "seconds_per_image_stats": summarise(per_image),
            "energy_j": energy_j, "joules_per_image": energy_j / imgs if energy_j is not None and imgs else None,
            "chunks": [{k: v for k, v in r.items() if k != "worker"} for r in mine],
        }
        if energy_j is not None and s.info.get("idle") and s.info["idle"].get("mean_w") is not None:
            seconds = sum(r["energy"]["seconds"] for r in scaled)
            part["joules_per_image_net"] = net_energy_j(energy_j, s.info["idle"]["mean_w"], seconds) / imgs if imgs else None
        parts.append(part)
    images = sum(p["images"] for p in parts)
    scaled_images = sum(p["scaled_images"] for p in parts)
    calib_wall = calib["wall_s"] if calib else 0.0
    gen_wall = calib_wall + wall_n
    ipm_scaled = 60.0 * scaled_images / wall_n if wall_n > 0 else None
    scaling = {"method": "(scaled-phase images/min / workers) / calibration images/min; both measured by the "
                         "driver's clock in this run, the calibration on worker 0 alone after every worker's warm-up",
               "workers": n_scaled, "scaled_images_per_minute": ipm_scaled,
               "one_worker_images_per_minute": calib.get("images_per_minute") if calib else None}
    if settings.workers == 1:
        scaling.update(efficiency=1.0, reason="one worker: efficiency is 1 by definition")
    elif calib and calib.get("images_per_minute") and ipm_scaled:
        scaling["efficiency"] = scaling_efficiency(ipm_scaled, n_scaled, calib["images_per_minute"])
        if failures:
            scaling["note"] = "a worker failed during the job; the scaled phase includes the re-queued work"
    else:
        scaling.update(efficiency=None, reason=(calib or {}).get("reason") or calib_reason or
                       calibration_plan(total_runs, n_scaled)[1])
    ok_parts = [p for p in parts if p["scaled_images"] and p["images_per_minute"]]
    share_reason = energy_sharing([p for p in parts if p["images"]])
    energy_vals = [p["energy_j"] for p in ok_parts]
    if share_reason is None and ok_parts and all(e is not None for e in energy_vals):
        jpi, jreason = sum(energy_vals) / sum(p["scaled_images"] for p in ok_parts), None
    else:
        jpi, jreason = None, share_reason or "a worker has no energy figure"
    status = "complete" if lost_images == 0 and images >= cfg.num_images else "incomplete"
    nodes = sorted({p.get("hostname") or "?" for p in parts if p.get("hostname")})
    summary = {
        "status": status, "workers": settings.workers, "device_kind": kind, "nodes": nodes,
        "images": images, "images_requested": cfg.num_images, "missing_images": max(0, cfg.num_images - images),
        "generation_wall_s": gen_wall, "setup_s": setup_s, "command_s": command_s,
        "images_per_minute": 60.0 * images / gen_wall if gen_wall > 0 else None,
        "scaled_images_per_minute": ipm_scaled, "scaling_efficiency": scaling.get("efficiency"),
        "joules_per_image": jpi, "energy_reason": jreason,
        "per_worker_images_per_minute": summarise([p["images_per_minute"] for p in ok_parts]),
        "failures": len(failures),
    }
    return {
        "id": None,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "status": status,
        "config": {**cfg.model_dump(mode="json"), "resolution": cfg.effective_resolution(), "device": kind},
        "cluster": {"mode": mode, "address": settings.ray_address, "chunk_runs": settings.chunk_runs,
                    "in_flight_per_worker": IN_FLIGHT_PER_WORKER,
                    "resources": dict(ray.cluster_resources()) if ray is not None else None},
        "calibration": calib,
        "scaled_phase": {"workers": n_scaled, "images": scaled_images, "wall_s": wall_n, "images_per_minute": ipm_scaled},
        "scaling": scaling,
        "failures": failures,
        "summary": summary,
        "parts": parts,
    }
