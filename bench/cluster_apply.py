"""Use a stored cluster job's measured scaling in the cost model (no torch, no ray import).

The cost model divides a job's GPU-seconds by ``generation.gpus × generation.scaling_efficiency``
to get wall time (model/costs.py `generation_seconds`), and wall time drives supervision and cloud
billing. A cluster job measured both on the same devices in one run, so it supplies both.
"""

from __future__ import annotations

from artcost.bench.cluster_aggregate import ClusterJob
from artcost.errors import UserError


def cluster_overrides(job_ref: str | int, job: ClusterJob | dict | None = None) -> tuple[dict[str, float], str]:
    """``({"generation.gpus": N, "generation.scaling_efficiency": e}, provenance)`` from cluster job ``job_ref``.

    ``job_ref``: ``latest`` or a job id. Refuses an incomplete job and one without a measured
    efficiency (too few images for the calibration phase). A measured efficiency above 1 (timing
    noise, or one worker's cache luck) is capped at 1, the scenario field's upper bound, and the
    provenance says so.
    """
    if job is None:
        from artcost.bench.cluster_store import ClusterStore

        job = ClusterStore().resolve(job_ref)
    elif not isinstance(job, ClusterJob):
        job = ClusterJob.model_validate(job)
    s = job.summary
    if job.status != "complete":
        raise UserError(f"cluster job {job.id}: status {job.status} ({s.missing_images} of "
                        f"{s.images_requested} images missing); its scaling is not a clean measurement")
    eff = job.scaling.efficiency
    if eff is None:
        raise UserError(f"cluster job {job.id}: no scaling efficiency measured "
                        f"({job.scaling.reason or 'unknown reason'})")
    workers = int(job.scaling.workers or s.workers)
    capped = min(1.0, float(eff))
    devices = sorted({p.device_name or "?" for p in job.parts})
    where = (f"cluster job {job.id}, {job.created_at[:10]}: {workers} {s.device_kind} workers "
             f"({', '.join(devices) if devices else 'devices not recorded'}), measured efficiency {eff:.3f}"
             + (" capped at 1" if capped != eff else "")
             + ("; a worker failed and its share was re-queued" if job.failures else ""))
    return {"generation.gpus": workers, "generation.scaling_efficiency": capped}, where
