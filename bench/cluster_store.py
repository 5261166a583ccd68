"""Cluster jobs in the results database, next to the single-device records (no torch, no ray import).

Same SQLite file as `store.ResultStore` (``artcost.paths.results_db_path()``, WAL). Two tables:
``cluster_jobs`` (one row per job, the aggregate) and ``cluster_parts`` (one row per worker, with
``job_id`` referencing the job). A job and all its parts are written in ONE transaction, so a run
killed at any point leaves the whole job or nothing. Opening, checking, connecting and the
preflight write test are `store.Store`'s, shared with the benchmark records.

Per-worker parts are not `BenchRecord` rows: a part is a share of one job (no GEMM probe, no preset
comparison), and listing it among single-device benchmarks would let ``--from-bench latest`` pick a
worker's share instead of a benchmark.
"""

from __future__ import annotations

import json
import sqlite3

from artcost.bench.cluster_aggregate import ClusterJob
from artcost.bench.store import Store, describe_ids, parse_ref, pause_before_commit
from artcost.errors import UserError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cluster_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    workers INTEGER NOT NULL,
    device_kind TEXT,
    arch TEXT,
    resolution INTEGER,
    steps INTEGER,
    images INTEGER,
    generation_wall_s REAL,
    images_per_minute REAL,
    scaling_efficiency REAL,
    joules_per_image REAL,
    job_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cluster_parts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id INTEGER NOT NULL REFERENCES cluster_jobs(id) ON DELETE CASCADE,
    worker INTEGER NOT NULL,
    status TEXT NOT NULL,
    hostname TEXT,
    device_name TEXT,
    images INTEGER,
    images_per_minute REAL,
    joules_per_image REAL,
    part_json TEXT NOT NULL,
    UNIQUE (job_id, worker)
);
"""


class ClusterStore(Store):
    """Cluster jobs at ``path`` (default: the shared results database)."""

    SCHEMA = _SCHEMA

    def save(self, job: ClusterJob | dict) -> int:
        """Insert the job and its ``parts`` in one transaction; sets and returns ``job.id``."""
        typed = job if isinstance(job, ClusterJob) else ClusterJob.model_validate(job)
        s, c = typed.summary, typed.config
        with self._db("the job was not stored") as conn, conn:  # BEGIN ... COMMIT, or ROLLBACK on any error
            cur = conn.execute(
                "INSERT INTO cluster_jobs (created_at, status, workers, device_kind, arch, resolution, steps,"
                " images, generation_wall_s, images_per_minute, scaling_efficiency, joules_per_image, job_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')",
                (typed.created_at, typed.status, s.workers, s.device_kind, c.get("arch"), c.get("resolution"),
                 c.get("steps"), s.images, s.generation_wall_s, s.images_per_minute, s.scaling_efficiency,
                 s.joules_per_image),
            )
            job_id = cur.lastrowid
            for p in typed.parts:
                conn.execute(
                    "INSERT INTO cluster_parts (job_id, worker, status, hostname, device_name, images,"
                    " images_per_minute, joules_per_image, part_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (job_id, p.worker, p.status, p.hostname, p.device_name, p.images, p.images_per_minute,
                     p.joules_per_image, p.model_dump_json()),
                )
            body = typed.model_dump(mode="json", exclude={"parts"})
            body["id"] = job_id
            conn.execute("UPDATE cluster_jobs SET job_json = ? WHERE id = ?", (json.dumps(body), job_id))
            pause_before_commit()
        job["id"] = job_id
        return job_id

    def list_jobs(self) -> list[dict]:
        """One flat row per job (no parts), oldest first."""
        with self._read() as conn:
            conn.row_factory = sqlite3.Row
            rows = conn.execute("SELECT id, created_at, status, workers, device_kind, arch, resolution, steps, images,"
                                " generation_wall_s, images_per_minute, scaling_efficiency, joules_per_image"
                                " FROM cluster_jobs ORDER BY id").fetchall()
            return [dict(r) for r in rows]

    def get_job(self, job_id: int) -> ClusterJob:
        """The full job with its ``parts`` (ordered by worker); UserError when there is none."""
        with self._read() as conn:
            row = conn.execute("SELECT job_json FROM cluster_jobs WHERE id = ?", (job_id,)).fetchone()
            parts = conn.execute("SELECT part_json FROM cluster_parts WHERE job_id = ? ORDER BY worker",
                                 (job_id,)).fetchall()
        if row is None:
            raise UserError(f"no cluster job with id {job_id} in {self.path} ({self._ids()})")
        try:
            job = json.loads(row[0])
            missing = {"created_at", "config", "summary"} - set(job)  # what every stored job has (the model defaults them)
            if missing:
                raise ValueError(f"no {', '.join(sorted(missing))}")
            job["parts"] = [json.loads(p[0]) for p in parts]
            job = ClusterJob.model_validate(job)
        except (TypeError, ValueError) as exc:  # json's errors and pydantic's ValidationError are ValueErrors
            why = "not valid JSON" if isinstance(exc, json.JSONDecodeError) else "not a cluster job"
            raise UserError(f"{self.path}: cluster job {job_id} is damaged ({why}); the other jobs are intact "
                            f"({self._ids()})") from None
        job.id = job_id
        return job

    def resolve(self, ref: str | int) -> ClusterJob:
        """``latest`` or a job id (int or digits)."""
        job_id = parse_ref(ref, "cluster job")
        if job_id is None:
            with self._read() as conn:
                job_id = conn.execute("SELECT MAX(id) FROM cluster_jobs").fetchone()[0]
            if job_id is None:
                raise UserError(f"no cluster jobs yet in {self.path}: run one first")
        return self.get_job(job_id)

    def _ids(self) -> str:
        with self._read() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM cluster_jobs ORDER BY id")]
        return describe_ids(ids)

    def import_job(self, job: ClusterJob) -> tuple[int, bool]:
        """Store ``job`` unless the same job is stored already: (its id, whether it was stored now)."""
        from artcost.bench.store import fingerprint

        with self._read() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM cluster_jobs ORDER BY id")]
        mine = fingerprint(job)
        for job_id in ids:
            try:
                if fingerprint(self.get_job(job_id)) == mine:
                    return job_id, False
            except UserError:  # a damaged job is no match
                continue
        copy = job.model_copy(deep=True)
        copy.id = None
        return self.save(copy), True

    def counts(self) -> tuple[int, int]:
        """(jobs, parts) rows: what a test checks for half-written jobs."""
        with self._read() as conn:
            return (conn.execute("SELECT COUNT(*) FROM cluster_jobs").fetchone()[0],
                    conn.execute("SELECT COUNT(*) FROM cluster_parts").fetchone()[0])


def list_jobs() -> list[dict]:
    return ClusterStore().list_jobs()


def get_job(job_id: int) -> ClusterJob:
    return ClusterStore().get_job(job_id)
