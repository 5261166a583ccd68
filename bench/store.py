"""Benchmark records in an embedded SQLite database (no torch import).

WAL journal mode, one transaction per record: a benchmark killed at any point (SIGKILL included)
leaves either the whole record or none of it, and readers are never blocked. The full record is
stored as JSON; a few columns are duplicated for listing and lookups.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from artcost.bench.record import BenchRecord
from artcost.errors import UserError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bench_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    arch TEXT,
    resolution INTEGER,
    steps INTEGER,
    device_name TEXT,
    weights_label TEXT,
    seconds_per_image REAL,
    record_json TEXT NOT NULL
);
"""


def open_database(path: str | Path | None, schema: str) -> Path:
    """The results database file (default: `artcost.paths.results_db_path()`), in WAL mode with `schema` created."""
    if path is None:
        from artcost.paths import results_db_path

        path = results_db_path()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:  # ``with conn`` only commits; the connection must be closed explicitly.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(schema)
    finally:
        conn.close()
    return path


def connect(path: Path) -> sqlite3.Connection:
    """One connection as every writer of the results database uses it."""
    conn = sqlite3.connect(path, timeout=30)
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class ResultStore:
    """The results database at ``path`` (default: `artcost.paths.results_db_path()`)."""

    def __init__(self, path: str | Path | None = None):
        self.path = open_database(path, _SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return connect(self.path)

    def save(self, record: BenchRecord) -> int:
        """Insert ``record`` in one transaction; sets and returns its id."""
        conn = self._connect()
        try:
            with conn:  # BEGIN ... COMMIT, or ROLLBACK on error
                cur = conn.execute(
                    "INSERT INTO bench_records (created_at, arch, resolution, steps, device_name, weights_label,"
                    " seconds_per_image, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, '{}')",
                    (record.created_at, record.arch, record.resolution, record.steps, record.device_name,
                     record.weights_label, record.summary.get("seconds_per_image")),
                )
                record.id = cur.lastrowid
                conn.execute("UPDATE bench_records SET record_json = ? WHERE id = ?", (record.to_json(), record.id))
        finally:
            conn.close()
        return record.id

    def get(self, record_id: int) -> BenchRecord:
        conn = self._connect()
        try:
            row = conn.execute("SELECT record_json FROM bench_records WHERE id = ?", (record_id,)).fetchone()
        finally:
            conn.close()
        if row is None:
            raise UserError(f"no bench record with id {record_id} in {self.path} (see `artcost bench list`)")
        return BenchRecord.from_json(row[0])

    def latest(self) -> BenchRecord:
        conn = self._connect()
        try:
            row = conn.execute("SELECT record_json FROM bench_records ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            conn.close()
        if row is None:
            raise UserError(f"no bench records yet in {self.path}; run `artcost bench` first")
        return BenchRecord.from_json(row[0])

    def resolve(self, ref: str | int) -> BenchRecord:
        """``latest`` or an integer id (as text or int)."""
        if isinstance(ref, int):
            return self.get(ref)
        ref = str(ref).strip()
        if ref == "latest":
            return self.latest()
        if not ref.isdigit():
            raise UserError(f"bench record reference {ref!r}: expected 'latest' or a record id (a number)")
        return self.get(int(ref))

    def all(self) -> list[BenchRecord]:
        conn = self._connect()
        try:
            rows = conn.execute("SELECT record_json FROM bench_records ORDER BY id").fetchall()
        finally:
            conn.close()
        return [BenchRecord.from_json(r[0]) for r in rows]

    def count(self) -> int:
        conn = self._connect()
        try:
            return conn.execute("SELECT COUNT(*) FROM bench_records").fetchone()[0]
        finally:
            conn.close()

    def integrity_ok(self) -> bool:
        conn = self._connect()
        try:
            return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()


def export_json(records: list[BenchRecord], path: Path) -> None:
    path.write_text(json.dumps([json.loads(r.to_json()) for r in records], indent=1) + "\n")


def export_csv(records: list[BenchRecord], path: Path) -> None:
    import csv

    from artcost.bench.record import FLAT_FIELDS, flat_row

    rows = [flat_row(r) for r in records]
    fields = list(rows[0].keys()) if rows else FLAT_FIELDS
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
