"""One generation job spread over many devices with Ray: what it is made of, and where each part lives.

A job makes ``num_images`` images in pipeline calls ``0 .. N-1`` (call ``j`` uses seed ``cfg.seed + j``,
whichever worker makes it) on one worker per device, measures one worker alone (calibration) and all
of them together (the scaled phase), and reports the scaling efficiency between the two:

    cluster_plan       the settings, chunks and shares, re-queueing, the calibration's size (pure)
    cluster_worker     the Ray actor: the single-device benchmark's `pipeline.PipelineSession`, once per device
    cluster_driver     `run_cluster_job`: Ray, the actors, the two phases, failures re-queued once
    cluster_aggregate  the typed job record (`ClusterJob` and its parts) and how it is added up (pure)
    cluster_store      the job in the results database; cluster_apply: its scaling into the cost model

This module gathers their public names, so ``from artcost.bench.cluster import run_cluster_job`` and the
rest keep working.
"""

from __future__ import annotations

from artcost.bench.cluster_aggregate import (Calibration, ChunkResult, ClusterJob, Failure, JobSummary,  # noqa: F401
                                             JobTally, ScaledPhase, Scaling, WorkerInfo, WorkerPart, build_job,
                                             energy_sharing)
from artcost.bench.cluster_driver import (_Slot, _device_plan, check_reachable, import_ray,  # noqa: F401
                                          run_cluster_job)
from artcost.bench.cluster_plan import (FAULT_ENV, IN_FLIGHT_PER_WORKER, Chunk, ClusterSettings,  # noqa: F401
                                        calibration_plan, calibration_runs, parse_fault, plan_shares,
                                        redistribute, scaling_efficiency, split_even)
from artcost.bench.cluster_worker import GenerationWorker  # noqa: F401
