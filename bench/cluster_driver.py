"""The driver of a cluster job: Ray up, one actor per device, the calibration and the scaled phase
dispatched chunk by chunk, failures re-queued once, and the job record added up and stored.

`run_cluster_job` in steps (each a `Driver` method where it needs the job's state):

0. `check_job`       settings, weights and the results database checked before Ray starts;
1. `_Ray.open`       connect to ``ray_address``, start a small local Ray (stopped again at the end), or
                     reuse one this process already started (tests);
2. `start_workers` / `set_up`   one `cluster_worker.GenerationWorker` per GPU (``num_gpus=1``) when the
                     cluster has GPUs and the device setting allows, else per CPU slot (``num_cpus=1``,
                     one torch thread); all build and warm up in parallel;
3. `calibrate`       worker 0 alone makes the first calls: one worker's images per minute, measured in the
                     same run on the same kind of device;
4. `run_scaled`      the remaining calls in equal shares, one per live worker, two chunks in flight per
                     worker; a worker that dies has its undelivered chunks re-queued once to the others;
5. `ClusterJob.aggregate`  the job record (`cluster_aggregate`), stored in one transaction.

Ray is imported lazily; without it `MissingExtraError("cluster", "ray", ...)`.
"""

from __future__ import annotations

import os
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from artcost.bench.cluster_aggregate import Calibration, ChunkResult, ClusterJob, Failure, JobTally, WorkerInfo
from artcost.bench.cluster_plan import (FAULT_ENV, IN_FLIGHT_PER_WORKER, Chunk, ClusterSettings, calibration_plan,
                                        parse_fault, plan_shares, redistribute)
from artcost.bench.cluster_worker import GenerationWorker
from artcost.bench.config import BenchConfig
from artcost.errors import ArgumentError, MissingExtraError, UserError

Event = Callable[..., None]
"""``on_event(kind, **fields)``: "starting" (workers, device_kind, mode), "ready" (worker, info), "phase"
(name, workers, runs), "chunk" (worker, images, phase), "failed" (worker, error, requeued_images),
"done" (job)."""


def import_ray():
    try:
        import ray
    except ImportError as exc:
        raise MissingExtraError("cluster", "ray", "a cluster job") from exc
    return ray


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """UserError unless HOST:PORT accepts a TCP connection (Ray itself retries for minutes)."""
    if address in ("auto", "local") or address.startswith("ray://") or ":" not in address:
        return
    host, _, port = address.rpartition(":")
    if not port.isdigit():
        raise ArgumentError("ray_address", "expected HOST:PORT, e.g. 10.0.0.5:6379", address)
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise ArgumentError("ray_address", f"nothing answers there ({exc.strerror or exc}); "
                            "start the head with `ray start --head --port=6379` (see docs/cluster.md)", address) from None


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
                raise ArgumentError("ray_address", "cannot connect to a Ray cluster "
                                    f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                                    self.s.ray_address) from None
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
        raise ArgumentError("device", "on a cluster Ray assigns the GPUs; use the device cuda or auto", cfg.device)
    use_gpu = cfg.device == "cuda" or (cfg.device == "auto" and gpus > 0)
    if use_gpu:
        if gpus < workers:
            raise ArgumentError("workers", f"the Ray cluster has {gpus} GPU(s); ask for at most {gpus} "
                                "or add machines (see docs/cluster.md)", workers)
        return "cuda", {"num_gpus": 1, "num_cpus": 1}
    if cpus < workers:
        raise ArgumentError("workers", f"the Ray cluster has {cpus} CPU slot(s) and no GPU; ask for at most {cpus}",
                            workers)
    return "cpu", {"num_cpus": 1}


@dataclass
class _Slot:
    """One worker as the driver sees it: its actor handle, what it said at setup, its queue of chunks."""

    index: int
    handle: Any
    info: WorkerInfo | dict = field(default_factory=WorkerInfo)
    alive: bool = True
    queue: deque = field(default_factory=deque)
    error: str | None = None


# --- the job ----------------------------------------------------------------------------------------------

def check_job(cfg: BenchConfig, settings: ClusterSettings) -> int:
    """Step 0: the settings and the weights, before any worker or Ray starts; returns the job's pipeline
    calls (``num_images`` in calls of ``batch_size``)."""
    if settings.workers < 1:
        raise ArgumentError("workers", f"must be at least 1 (got {settings.workers})")
    if settings.chunk_runs < 1:
        raise ArgumentError("chunk_runs", f"must be at least 1 (got {settings.chunk_runs})")
    total_runs = -(-cfg.num_images // cfg.batch_size)
    if settings.calibration_runs is not None and settings.workers > 1:
        n, why = calibration_plan(total_runs, settings.workers, settings.calibration_runs)
        if n == 0 and settings.calibration_runs > 0:
            raise ArgumentError("calibration_runs", why.split(": ", 1)[1], settings.calibration_runs)
    if cfg.model is not None:
        from artcost.bench.weights import check_model_path

        check_model_path(cfg.model, cfg.arch)  # before any worker loads it, as the single-device run does
    return total_runs


def open_store(cfg: BenchConfig, store=None):
    """Step 0: when ``cfg.store``, the results database opened, checked and write-tested before Ray
    starts and workers measure; None when nothing is to be stored."""
    if not cfg.store:
        return store
    from artcost.bench.cluster_store import ClusterStore

    return ClusterStore.for_benchmark(store)


def run_cluster_job(cfg: BenchConfig, settings: ClusterSettings, on_event: Event | None = None,
                    store=None, keep_to=None) -> ClusterJob:
    """Run the job; store and return its record (docs/cluster.md says what each figure means).

    Ctrl-C (KeyboardInterrupt, also when raised by ``on_event``) kills every actor, stops a Ray this
    call started and stores nothing.
    """
    # 0. Settings, weights and the results database, before Ray starts
    total_runs = check_job(cfg, settings)
    store = open_store(cfg, store)
    emit = on_event or (lambda kind, **kw: None)
    t_command = time.perf_counter()
    # 1. Ray
    ray_ctl = _Ray(settings)
    ray = ray_ctl.open()
    driver = Driver(ray, cfg, settings, emit)
    try:
        # 2. One actor per device, built and warmed up in parallel
        driver.start_workers(ray_ctl.mode, settings.fault or parse_fault(os.environ.get(FAULT_ENV)))
        driver.set_up()
        # 3. Calibration: worker 0 alone
        driver.calibrate(total_runs)
        # 4. Scaled phase: every live worker
        driver.run_scaled(total_runs)
        driver.close_workers()
        # 5. The record
        job = ClusterJob.aggregate(cfg, settings, driver.tally(ray_ctl.mode, total_runs,
                                                               time.perf_counter() - t_command))
    finally:
        driver.kill_all()
        ray_ctl.close()
    # 6. Stored in one transaction
    if cfg.store:  # a job the database refuses is kept in a file (keep_to: the --json-out file) for bench import
        from artcost.bench.cluster_store import ClusterStore
        from artcost.bench.kept import save_or_keep

        save_or_keep(store or ClusterStore(), job, keep_to)
    emit("done", job=job)
    return job


class Driver:
    """The state of a running job: the workers (``slots``), chunk results, failures, the phases' clocks."""

    def __init__(self, ray, cfg: BenchConfig, settings: ClusterSettings, emit: Event):
        self.ray, self.cfg, self.settings, self.emit = ray, cfg, settings, emit
        self.slots: list[_Slot] = []
        self.results: list[ChunkResult] = []
        self.failures: list[Failure] = []
        self.calibration: Calibration | None = None
        self.calibration_reason: str | None = None
        self.next_run = 0
        self.lost_in_calibration: list[Chunk] = []
        self.lost_for_good: list[Chunk] = []
        self.setup_s = 0.0
        self.scaled_workers = 0
        self.scaled_wall_s = 0.0

    def live(self) -> list[_Slot]:
        return [s for s in self.slots if s.alive]

    # 2. Workers
    def start_workers(self, mode: str | None, fault: tuple[int, int] | None) -> None:
        """One actor per device (`_device_plan` checks there is room); ``fault``: the (worker, images) test hook."""
        self.device_kind, resources = _device_plan(self.ray, self.cfg, self.settings.workers)
        wcfg = self.cfg.model_copy(update={"device": self.device_kind})
        actor_cls = self.ray.remote(GenerationWorker)
        self.emit("starting", workers=self.settings.workers, device_kind=self.device_kind, mode=mode)
        for i in range(self.settings.workers):
            fail = fault[1] if fault and fault[0] == i else None
            handle = actor_cls.options(max_restarts=0, max_task_retries=0, **resources).remote(
                wcfg.model_dump_json(), i, 1 if self.device_kind == "cpu" else None, fail)
            self.slots.append(_Slot(i, handle))

    def set_up(self) -> None:
        """Every worker's setup (build, warm-up), waited for in any order; a worker that fails is recorded.
        A UserError from a worker (e.g. its weights) stops the job; no worker left is an error."""
        ray = self.ray
        setup_refs = {s.handle.setup.remote(): s for s in self.slots}
        t_setup = time.perf_counter()
        pending = list(setup_refs)
        while pending:
            ready, pending = ray.wait(pending, num_returns=1)
            slot = setup_refs[ready[0]]
            try:
                slot.info = ray.get(ready[0])
                self.emit("ready", worker=slot.index, info=slot.info)
            except Exception as exc:  # noqa: BLE001
                cause = getattr(exc, "cause", None)
                if isinstance(cause, UserError):
                    raise cause from None
                reason, _ = _chunk_error(exc)
                _kill(ray, slot, reason)
                self.failures.append(Failure(worker=slot.index, phase="setup", error=reason, requeued_images=0))
                self.emit("failed", worker=slot.index, error=reason, requeued_images=0)
        self.setup_s = time.perf_counter() - t_setup
        if not self.live():
            raise UserError(f"every worker failed while starting: {self.failures[0].error}")

    # 3. Calibration
    def calibrate(self, total_runs: int) -> None:
        """Worker 0 (the first live one) alone makes the first calls; its chunks lost are re-queued to the
        scaled phase."""
        n, self.calibration_reason = calibration_plan(total_runs, len(self.live()), self.settings.calibration_runs)
        if not n:
            return
        c0 = self.live()[0]
        self.emit("phase", name="calibration", workers=1, runs=n)
        plan = plan_shares(0, n, [c0.index], self.settings.chunk_runs)
        t0 = time.perf_counter()
        got, self.lost_in_calibration = _dispatch(self.ray, self.slots, plan, self.failures, self.emit,
                                                  phase="calibration", requeue=False)
        wall = time.perf_counter() - t0
        self.results += got
        imgs = sum(r.images for r in got)
        if self.lost_in_calibration or not imgs:
            self.calibration = Calibration(worker=c0.index, runs=n, images=imgs, wall_s=wall, images_per_minute=None,
                                           reason="the calibration worker failed")
        else:
            self.calibration = Calibration(worker=c0.index, runs=n, images=imgs, wall_s=wall,
                                           images_per_minute=60.0 * imgs / wall)
        self.next_run = n

    # 4. Scaled phase
    def run_scaled(self, total_runs: int) -> None:
        """The calls left, in equal shares over every live worker (plus what calibration lost)."""
        live = self.live()
        if not live:
            raise UserError("every worker failed: " + "; ".join(f.error for f in self.failures))
        self.scaled_workers = len(live)
        self.emit("phase", name="scaled", workers=len(live), runs=total_runs - self.next_run)
        plan = plan_shares(self.next_run, total_runs - self.next_run, [s.index for s in live], self.settings.chunk_runs)
        if self.lost_in_calibration:
            self._requeue_calibration(plan, [s.index for s in live])
        t0 = time.perf_counter()
        got, self.lost_for_good = _dispatch(self.ray, self.slots, plan, self.failures, self.emit, phase="scaled",
                                            requeue=True, batch=self.cfg.batch_size)
        self.scaled_wall_s = time.perf_counter() - t0
        self.results += got

    def _requeue_calibration(self, plan: dict[int, list[Chunk]], workers: list[int]) -> None:
        """The calibration's lost chunks join the scaled phase's plan; its failure says so."""
        load = {w: sum(c.runs for c in cs) for w, cs in plan.items()}
        for w, cs in redistribute(self.lost_in_calibration, workers, load).items():
            plan[w] += cs
        i = max(k for k, f in enumerate(self.failures) if f.phase == "calibration")
        lost = self.failures[i]
        self.failures[i] = Failure(worker=lost.worker, phase=lost.phase, error=lost.error,
                                   requeued_images=lost.lost_images, requeued_to="the scaled phase's workers")
        for c in self.lost_in_calibration:
            c.requeued = True

    def close_workers(self) -> None:
        for s in self.live():
            try:
                self.ray.get(s.handle.close.remote(), timeout=30)
            except Exception:  # noqa: BLE001 - closing is best effort; the process is killed next
                pass

    def kill_all(self) -> None:
        for s in self.slots:
            _kill(self.ray, s, None)

    # 5. What the record is made of
    def tally(self, mode: str | None, total_runs: int, command_s: float) -> JobTally:
        return JobTally(
            mode=mode, device_kind=self.device_kind, workers=self.slots, results=self.results,
            failures=self.failures, calibration=self.calibration, scaled_workers=self.scaled_workers,
            scaled_wall_s=self.scaled_wall_s, setup_s=self.setup_s, command_s=command_s, total_runs=total_runs,
            lost_images=sum(c.runs for c in self.lost_for_good) * self.cfg.batch_size,
            resources=dict(self.ray.cluster_resources()), calibration_reason=self.calibration_reason)


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


def _dispatch(ray, slots: list[_Slot], plan: dict[int, list[Chunk]], failures: list[Failure], emit: Event,
              phase: str, requeue: bool, batch: int = 1) -> tuple[list[ChunkResult], list[Chunk]]:
    """Run ``plan`` ({worker: chunks}); returns (chunk results, chunks lost for good).

    A failing worker is killed and recorded in ``failures``; with ``requeue`` its undelivered chunks
    go to the survivors once (a chunk already re-queued is not re-queued again).
    """
    by_index = {s.index: s for s in slots}
    for w, chunks in plan.items():
        by_index[w].queue.extend(chunks)
    inflight: dict[Any, tuple[_Slot, Chunk]] = {}
    results: list[ChunkResult] = []
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
            entry, again = _failed(slots, by_index, slot, reason, undelivered, phase, requeue, batch)
            lost_for_good += again
            failures.append(entry)
            emit("failed", worker=slot.index, error=reason, requeued_images=entry.requeued_images)
        else:
            res.phase, res.requeued = phase, chunk.requeued
            results.append(res)
            emit("chunk", worker=slot.index, images=res.images, phase=phase)
        top_up()
    return results, lost_for_good


def _failed(slots: list[_Slot], by_index: dict[int, _Slot], slot: _Slot, reason: str, undelivered: list[Chunk],
            phase: str, requeue: bool, batch: int) -> tuple[Failure, list[Chunk]]:
    """(the failure of ``slot`` in ``phase``, its chunks lost for good). With ``requeue``, its undelivered
    chunks not yet re-queued go to the survivors with the least outstanding work (queued on them here)."""
    survivors = [s.index for s in slots if s.alive]
    if requeue and survivors:
        fresh = [c for c in undelivered if not c.requeued]
        again = [c for c in undelivered if c.requeued]
    else:
        fresh, again = [], undelivered
    entry = Failure(worker=slot.index, phase=phase, error=reason, requeued_images=0, lost_images=0)
    if fresh:
        load = {s.index: sum(c.runs for c in s.queue) for s in slots if s.alive}
        moved = redistribute(fresh, survivors, load)
        for w, cs in moved.items():
            by_index[w].queue.extend(cs)
        entry.requeued_images = sum(c.runs for c in fresh) * batch
        entry.requeued_to = {str(w): sum(c.runs for c in cs) * batch for w, cs in moved.items()}
    if again:
        entry.lost_images = sum(c.runs for c in again) * batch
        entry.lost_why = ("no surviving worker" if not survivors else
                          "already re-queued once" if requeue else "not re-queued in this phase")
    return entry, again
