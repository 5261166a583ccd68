"""A cluster job's record, typed, and how it is added up from what the workers sent (pure: no Ray, no
torch; the cost model and the job store read these types).

optimum-benchmark style: each part of the record is a `typed.TypedResult` (attributes to read, the stored
JSON unchanged) and the ones made from smaller ones have an ``aggregate``:

    ChunkResult     one chunk a worker made (its runs, wall seconds, energy window)
    WorkerInfo      where and what a worker is, sent once its pipeline is built and warm
    WorkerPart      one worker's share of the job: WorkerPart.aggregate(info, its chunks)
    Calibration     worker 0 alone: one worker's images per minute
    ScaledPhase     every live worker at once
    Scaling         efficiency = (scaled images/min / workers) / one worker's images/min
    Failure         a worker that died or failed a chunk, and where its work went
    JobSummary      the job's headline figures
    ClusterJob      all of it: ClusterJob.aggregate(cfg, settings, tally)

`JobTally` is what the driver hands over: the workers, every chunk result, the failures and the clocks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field

from artcost.bench.cluster_plan import IN_FLIGHT_PER_WORKER, ClusterSettings, calibration_plan, scaling_efficiency
from artcost.bench.config import BenchConfig
from artcost.bench.energy import net_energy_j
from artcost.bench.record import summarise
from artcost.bench.typed import TypedResult

SCALING_METHOD = ("(scaled-phase images/min / workers) / calibration images/min; both measured by the driver's "
                  "clock in this run, the calibration on worker 0 alone after every worker's warm-up")


class ChunkResult(TypedResult):
    """``runs`` phase-timed calls (`phases.RunTiming.as_dict` each) from call ``first_run``, in one energy
    window (`energy.Measurement.as_dict`): ``images`` made in ``wall_s`` seconds; ``started_at``/``ended_at``
    are the worker's wall clock (epoch s). The driver adds ``phase`` and whether it was ``requeued``."""

    worker: int | None = None
    first_run: int = 0
    runs: list[dict] = Field(default_factory=list)
    images: int = 0
    wall_s: float = 0.0
    energy: dict = Field(default_factory=dict)
    started_at: float | None = None
    ended_at: float | None = None
    phase: str | None = None  # "calibration" | "scaled"
    requeued: bool | None = None


class WorkerInfo(TypedResult):
    """Where and what one worker is (`cluster_worker.GenerationWorker.setup`): its host and Ray node, its
    device and energy meter, and how its pipeline was built and warmed up (seconds)."""

    worker: int | None = None
    hostname: str | None = None
    pid: int | None = None
    node_id: str | None = None
    gpu_ids: list[str] | None = None
    nvml_index: int | None = None
    gpu_uuid: str | None = None
    device: str | None = None
    device_name: str | None = None
    gpu: dict | None = None
    environment: dict | None = None
    torch_threads: int | None = None
    weights_label: str | None = None
    tokenizer: str | None = None
    scheduler: str | None = None
    dtype: str | None = None
    load_s: float | None = None
    warmup_s: list[float] | None = None
    health: dict | None = None
    notes: list[str] | None = None
    idle: dict | None = None  # `pipeline.measure_idle`: seconds, energy_j, mean_w, meter
    meter: str | None = None
    meter_reason: str | None = None


class WorkerPart(WorkerInfo):
    """One worker's share: its `WorkerInfo` (without the environment) and its figures. ``images`` counts
    both phases; rates and joules are the scaled phase's, over the worker's own busy seconds."""

    status: str | None = None  # "ok" | "died"
    error: str | None = None
    images: int = 0
    scaled_images: int = 0
    calibration_images: int = 0
    requeued_images_done: int = 0
    busy_s: float = 0.0
    images_per_minute: float | None = None
    seconds_per_image_stats: dict = Field(default_factory=dict)
    energy_j: float | None = None
    joules_per_image: float | None = None
    joules_per_image_net: float | None = None
    chunks: list[dict] = Field(default_factory=list)

    @classmethod
    def aggregate(cls, worker: int, info: WorkerInfo | dict | None, chunks: list[ChunkResult], batch: int,
                  alive: bool = True, error: str | None = None) -> "WorkerPart":
        """Worker ``worker``'s part from the chunks it delivered (both phases) and its ``info``."""
        info = info if isinstance(info, WorkerInfo) else WorkerInfo.model_validate(info or {})
        scaled = [c for c in chunks if c.phase == "scaled"]
        busy = sum(c.wall_s for c in scaled)
        imgs = sum(c.images for c in scaled)
        energies = [c.energy["energy_j"] for c in scaled]
        energy_j = sum(energies) if scaled and all(e is not None for e in energies) else None
        data: dict[str, Any] = info.model_dump(exclude={"environment"})
        data.update(
            worker=worker, status="ok" if alive else "died", error=error,
            images=sum(c.images for c in chunks), scaled_images=imgs,
            calibration_images=sum(c.images for c in chunks if c.phase == "calibration"),
            requeued_images_done=sum(c.images for c in chunks if c.requeued),
            busy_s=busy, images_per_minute=60.0 * imgs / busy if busy > 0 else None,
            seconds_per_image_stats=summarise([run["total_s"] / batch for c in scaled for run in c.runs]),
            energy_j=energy_j, joules_per_image=energy_j / imgs if energy_j is not None and imgs else None,
            chunks=[c.model_dump(exclude={"worker"}) for c in chunks],
        )
        idle_w = (info.idle or {}).get("mean_w")
        if energy_j is not None and idle_w is not None:
            seconds = sum(c.energy["seconds"] for c in scaled)
            data["joules_per_image_net"] = net_energy_j(energy_j, idle_w, seconds) / imgs if imgs else None
        return cls.model_validate(data)


class Calibration(TypedResult):
    """Worker 0 alone for the first ``runs`` calls: ``images`` in ``wall_s`` seconds of the driver's clock."""

    worker: int | None = None
    runs: int = 0
    images: int = 0
    wall_s: float = 0.0
    images_per_minute: float | None = None
    reason: str | None = None  # why there is no figure


class ScaledPhase(TypedResult):
    workers: int = 0
    images: int = 0
    wall_s: float = 0.0
    images_per_minute: float | None = None


class Scaling(TypedResult):
    """Scaling efficiency against one worker measured in the same run (1.0: perfect data-parallel)."""

    method: str | None = None
    workers: int | None = None
    scaled_images_per_minute: float | None = None
    one_worker_images_per_minute: float | None = None
    efficiency: float | None = None
    reason: str | None = None  # why there is no efficiency (or why it is 1)
    note: str | None = None

    @classmethod
    def aggregate(cls, settings: ClusterSettings, calibration: Calibration | None, scaled: ScaledPhase,
                  failures: list["Failure"], total_runs: int, calibration_reason: str | None = None) -> "Scaling":
        one = calibration.images_per_minute if calibration else None
        out = cls(method=SCALING_METHOD, workers=scaled.workers, scaled_images_per_minute=scaled.images_per_minute,
                  one_worker_images_per_minute=one)
        if settings.workers == 1:
            out.efficiency, out.reason = 1.0, "one worker: efficiency is 1 by definition"
        elif one and scaled.images_per_minute:
            out.efficiency = scaling_efficiency(scaled.images_per_minute, scaled.workers, one)
            if failures:
                out.note = "a worker failed during the job; the scaled phase includes the re-queued work"
        else:
            out.efficiency = None
            out.reason = ((calibration.reason if calibration else None) or calibration_reason
                          or calibration_plan(total_runs, scaled.workers)[1])
        return out


class Failure(TypedResult):
    """A worker that died or failed a chunk in ``phase`` ("setup" | "calibration" | "scaled"): images of its
    undelivered work re-queued (``requeued_to``: images per surviving worker, or where they went) and lost."""

    worker: int | None = None
    phase: str | None = None
    error: str | None = None
    requeued_images: int = 0
    requeued_to: dict[str, int] | str | None = None
    lost_images: int | None = None
    lost_why: str | None = None


class JobSummary(TypedResult):
    """The job's headline figures: images, seconds (wall, setup, whole command), images per minute
    (overall and with every worker), scaling efficiency and joules per image (None with the reason)."""

    status: str | None = None  # "complete" | "incomplete"
    workers: int = 0
    device_kind: str | None = None  # "cuda" | "cpu"
    nodes: list[str] = Field(default_factory=list)
    images: int = 0
    images_requested: int | None = None
    missing_images: int | None = None
    generation_wall_s: float | None = None  # calibration + scaled phase
    setup_s: float | None = None
    command_s: float | None = None
    images_per_minute: float | None = None
    scaled_images_per_minute: float | None = None
    scaling_efficiency: float | None = None
    joules_per_image: float | None = None
    energy_reason: str | None = None
    per_worker_images_per_minute: dict = Field(default_factory=dict)  # `record.summarise` over the parts
    failures: int = 0


@dataclass
class WorkerState:
    """A worker as the driver last saw it (the driver's own slots have the same four attributes)."""

    index: int
    info: WorkerInfo | dict = field(default_factory=WorkerInfo)
    alive: bool = True
    error: str | None = None


@dataclass
class JobTally:
    """What the driver hands over for aggregation.

    Attributes:
        mode: how Ray was reached ("local" | "existing" | "reused"); device_kind: "cuda" | "cpu".
        workers: every worker started (`WorkerState`-like: index, info, alive, error).
        results: every chunk delivered, with its phase; failures: in the order they happened.
        calibration: None when there was no calibration phase (``calibration_reason`` says why).
        scaled_workers / scaled_wall_s: workers alive at the scaled phase's start, its wall seconds.
        setup_s: start, build and warm-up of every worker; command_s: the whole job, Ray start included.
        total_runs: pipeline calls the job asked for; lost_images: images lost for good.
        resources: `ray.cluster_resources()` (None outside Ray).
    """

    mode: str | None
    device_kind: str
    workers: list[Any]
    results: list[ChunkResult]
    failures: list[Failure]
    calibration: Calibration | None
    scaled_workers: int
    scaled_wall_s: float
    setup_s: float
    command_s: float
    total_runs: int
    lost_images: int
    resources: dict | None = None
    calibration_reason: str | None = None

    def __post_init__(self) -> None:
        self.results = [r if isinstance(r, ChunkResult) else ChunkResult.model_validate(r) for r in self.results]
        self.failures = [f if isinstance(f, Failure) else Failure.model_validate(f) for f in self.failures]
        if self.calibration is not None and not isinstance(self.calibration, Calibration):
            self.calibration = Calibration.model_validate(self.calibration)


class ClusterJob(TypedResult):
    """One job over many devices, as stored (`cluster_store.ClusterStore`) and priced (`cluster_apply`)."""

    id: int | None = None
    created_at: str = ""
    status: str | None = None  # "complete" | "incomplete"
    config: dict = Field(default_factory=dict)  # BenchConfig, with resolution and the device kind
    cluster: dict = Field(default_factory=dict)  # mode, address, chunk_runs, in_flight_per_worker, resources
    calibration: Calibration | None = None
    scaled_phase: ScaledPhase = Field(default_factory=ScaledPhase)
    scaling: Scaling = Field(default_factory=Scaling)
    failures: list[Failure] = Field(default_factory=list)
    summary: JobSummary = Field(default_factory=JobSummary)
    parts: list[WorkerPart] = Field(default_factory=list)

    @classmethod
    def aggregate(cls, cfg: BenchConfig, settings: ClusterSettings, tally: JobTally) -> "ClusterJob":
        """The job record from what the driver saw: parts, phases, scaling, energy and the summary."""
        parts = [WorkerPart.aggregate(w.index, w.info, [r for r in tally.results if r.worker == w.index],
                                      cfg.batch_size, alive=w.alive, error=w.error) for w in tally.workers]
        calib = tally.calibration
        scaled_images = sum(p.scaled_images for p in parts)
        wall_n = tally.scaled_wall_s
        scaled = ScaledPhase(workers=tally.scaled_workers, images=scaled_images, wall_s=wall_n,
                             images_per_minute=60.0 * scaled_images / wall_n if wall_n > 0 else None)
        scaling = Scaling.aggregate(settings, calib, scaled, tally.failures, tally.total_runs,
                                    tally.calibration_reason)
        jpi, jreason = joules_per_image(parts)
        images = sum(p.images for p in parts)
        gen_wall = (calib.wall_s if calib else 0.0) + wall_n
        status = "complete" if tally.lost_images == 0 and images >= cfg.num_images else "incomplete"
        ok_parts = [p for p in parts if p.scaled_images and p.images_per_minute]
        summary = JobSummary(
            status=status, workers=settings.workers, device_kind=tally.device_kind,
            nodes=sorted({p.hostname for p in parts if p.hostname}),
            images=images, images_requested=cfg.num_images, missing_images=max(0, cfg.num_images - images),
            generation_wall_s=gen_wall, setup_s=tally.setup_s, command_s=tally.command_s,
            images_per_minute=60.0 * images / gen_wall if gen_wall > 0 else None,
            scaled_images_per_minute=scaled.images_per_minute, scaling_efficiency=scaling.efficiency,
            joules_per_image=jpi, energy_reason=jreason,
            per_worker_images_per_minute=summarise([p.images_per_minute for p in ok_parts]),
            failures=len(tally.failures),
        )
        return cls(
            id=None,
            created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            status=status,
            config={**cfg.model_dump(mode="json"), "resolution": cfg.effective_resolution(), "device": tally.device_kind},
            cluster={"mode": tally.mode, "address": settings.ray_address, "chunk_runs": settings.chunk_runs,
                     "in_flight_per_worker": IN_FLIGHT_PER_WORKER, "resources": tally.resources},
            calibration=calib, scaled_phase=scaled, scaling=scaling, failures=tally.failures,
            summary=summary, parts=parts,
        )


def joules_per_image(parts: list[WorkerPart]) -> tuple[float | None, str | None]:
    """(the workers' scaled-phase joules / scaled images, None) when every worker has its own meter, else
    (None, why)."""
    ok_parts = [p for p in parts if p.scaled_images and p.images_per_minute]
    share_reason = energy_sharing([p for p in parts if p.images])
    energy_vals = [p.energy_j for p in ok_parts]
    if share_reason is None and ok_parts and all(e is not None for e in energy_vals):
        return sum(energy_vals) / sum(p.scaled_images for p in ok_parts), None
    return None, share_reason or "a worker has no energy figure"


def energy_sharing(parts: list) -> str | None:
    """Why summed per-worker energy would double count, or None when each worker has its own meter.

    NVML meters one GPU each; RAPL meters a whole CPU package, so two workers on one machine would
    each count the other's joules. ``parts``: `WorkerPart`s or stored parts (dicts) alike.
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


def build_job(cfg: BenchConfig, settings: ClusterSettings, mode: str | None, kind: str, slots: list,
              results: list, failures: list, calib: Calibration | dict | None, n_scaled: int, wall_n: float,
              setup_s: float, command_s: float, total_runs: int, lost_images: int, ray=None,
              calib_reason: str | None = None) -> ClusterJob:
    """`ClusterJob.aggregate` with the tally given piece by piece (positionally, as before `JobTally`);
    ``ray``: the Ray module, for the cluster's resources."""
    return ClusterJob.aggregate(cfg, settings, JobTally(
        mode=mode, device_kind=kind, workers=slots, results=results, failures=failures, calibration=calib,
        scaled_workers=n_scaled, scaled_wall_s=wall_n, setup_s=setup_s, command_s=command_s, total_runs=total_runs,
        lost_images=lost_images, resources=dict(ray.cluster_resources()) if ray is not None else None,
        calibration_reason=calib_reason))
