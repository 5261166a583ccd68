"""Planning a cluster job (pure: no Ray, no torch): how it is spread, how calls are cut into chunks
and shares, what a lost chunk is re-queued to, and how long the single-worker calibration is.

Pipeline call ``j`` of a job (``j`` from 0 to ``total_runs - 1``) makes ``batch_size`` images with
seed ``cfg.seed + j``, whichever worker makes it; a `Chunk` is a run of consecutive calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from artcost.errors import UserError

# Test hook: "WORKER:IMAGES" makes that worker's process exit (os._exit) once it has made IMAGES
# images; the driver then sees a real ActorDiedError. Read by the driver and handed to one actor.
FAULT_ENV = "ARTCOST_CLUSTER_FAULT"
IN_FLIGHT_PER_WORKER = 2


@dataclass
class ClusterSettings:
    """How to spread the job.

    Attributes:
        workers: actors to start (one device each).
        ray_address: an existing cluster (``HOST:6379`` or ``auto``); None starts a local Ray.
        calibration_runs: calls worker 0 makes alone first (None: `calibration_runs` default).
        chunk_runs: calls per dispatched chunk (the unit of re-queue).
        fault: (worker, images) test hook; default from ``ARTCOST_CLUSTER_FAULT``.
        object_store_mb: object store size of a local Ray (results are small).
        local_cpus: CPUs a local Ray is started with (default: all of this machine's).
    """

    workers: int = 2
    ray_address: str | None = None
    calibration_runs: int | None = None
    chunk_runs: int = 1
    fault: tuple[int, int] | None = None
    object_store_mb: int = 200
    local_cpus: int | None = None


def parse_fault(text: str | None) -> tuple[int, int] | None:
    """The `FAULT_ENV` test hook's value, ``WORKER:IMAGES``, as (worker, images); None when unset."""
    if not text:
        return None
    try:
        w, n = text.split(":")
        return int(w), int(n)
    except ValueError:
        raise UserError(f"{FAULT_ENV}={text!r}: expected WORKER:IMAGES, e.g. 1:2") from None


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
            return 0, f"{requested} calibration run(s) asked for: no calibration phase"
        if requested > room:
            return 0, (f"{requested} calibration run(s) asked for: a job of {total_runs} pipeline call(s) on {workers} workers "
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
