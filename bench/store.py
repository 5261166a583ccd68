"""Benchmark records in an embedded SQLite database (no torch import).

WAL journal mode, one transaction per record: a benchmark killed at any point (SIGKILL included)
leaves either the whole record or none of it, and readers are never blocked. The full record is
stored as JSON; a few columns are duplicated for listing and lookups.

Opening, checking and connecting live here once, for this store and `cluster_store.ClusterStore`
(same file). The database fails safe: a damaged file, a read-only or impossible data folder, a full
disk or a lock held too long is one `UserError` line naming the file and what the user can do; a
damaged file is checked before anything is written to it and never deleted or overwritten.
`Store.for_benchmark()` opens, checks and write-tests the database before a benchmark measures, so
a run does not find out after minutes that it cannot store its result.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import sqlite3
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, TextIO

from pydantic import ValidationError

from artcost.bench.record import BenchRecord
from artcost.errors import UserError, one_line

#: Test hook: when set (to a file path), `save` writes that file and sleeps after its INSERT/UPDATE
#: statements and before COMMIT, so a test can SIGKILL the process inside the transaction
#: (``ARTCOST_TEST_PAUSE_BEFORE_COMMIT_S``: seconds to sleep, default 600, then it commits).
PAUSE_ENV = "ARTCOST_TEST_PAUSE_BEFORE_COMMIT"

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

#: How long a connection waits for another process's lock before the operation fails (SQLite's busy timeout).
BUSY_TIMEOUT_S = 30.0

_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_UNWRITABLE = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}
_LOCKED = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}


def _move_aside(path: Path) -> str:
    """The command that moves a damaged database (and its WAL side files, when present) out of the way."""
    q = shlex.quote
    cmd = f"mv {q(str(path))} {q(f'{path}.broken')}"
    for suffix in ("-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            cmd += f" && mv {q(f'{path}{suffix}')} {q(f'{path}.broken{suffix}')}"
    return (f"artcost leaves it as it is: move it aside ({cmd}) to start a new one, "
            "or set ARTCOST_DATA to another folder")


def _writable_target(path: Path) -> str:
    folder = path.parent
    if not os.access(folder, os.W_OK):
        return f"the folder {folder}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path}"
    return f"{folder} and {path}"


def damaged(path: Path, why: str) -> UserError:
    return UserError(f"{path}: the results database is damaged or not an SQLite database ({why}); {_move_aside(path)}")


def database_error(path: Path, exc: BaseException, note: str = "") -> UserError | None:
    """One line for a database or file-system failure on ``path``, naming what the user can do.

    None for errors that are bugs in artcost (constraint violations, misuse of the API): those stay
    tracebacks. ``note`` (e.g. "the record was not stored") goes before the advice.
    """
    note = f"{note}; " if note else ""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if not code:  # older builds without error codes: go by the message
            low = msg.lower()
            code = (sqlite3.SQLITE_CORRUPT if "malformed" in low or "not a database" in low
                    else sqlite3.SQLITE_READONLY if "readonly" in low or "unable to open" in low
                    else sqlite3.SQLITE_BUSY if "locked" in low
                    else sqlite3.SQLITE_FULL if "disk is full" in low
                    else sqlite3.SQLITE_IOERR if "disk i/o" in low else 0)
        if code in _DAMAGED:
            return UserError(f"{path}: the results database is damaged or not an SQLite database ({msg}); "
                             f"{note}{_move_aside(path)}")
    elif isinstance(exc, PermissionError):
        code = sqlite3.SQLITE_READONLY
    elif isinstance(exc, OSError):
        code = sqlite3.SQLITE_IOERR
    else:
        return None
    if code in _UNWRITABLE:
        if path.is_dir():
            return UserError(f"{path}: is a folder, where the results database file should be; {note}"
                             "move it aside, or set ARTCOST_DATA to another folder")
        target = _writable_target(path)
        return UserError(f"{path}: cannot open the results database for writing ({msg}); {note}"
                         f"make {target} writable (chmod u+w), or set ARTCOST_DATA to a folder you can write")
    if code in _LOCKED:
        return UserError(f"{path}: the results database is locked by another process ({msg}); {note}"
                         "wait for it (another benchmark storing its result?) and run again, or set ARTCOST_DATA "
                         "to another folder")
    if code == sqlite3.SQLITE_FULL:
        return UserError(f"{path}: the disk is full ({msg}); {note}"
                         "free space on it, or set ARTCOST_DATA to a folder on another disk")
    if code == sqlite3.SQLITE_IOERR:
        return UserError(f"{path}: the results database could not be read or written ({msg}); {note}"
                         "check the disk, or set ARTCOST_DATA to another folder")
    return None


@contextmanager
def translated(path: Path, note: str = ""):
    """Re-raise database and file-system failures on ``path`` as one-line `UserError`s (bugs pass through)."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        err = database_error(path, exc, note)
        if err is None:
            raise
        raise err from None


def database_path(path: str | Path | None, create: bool = True) -> Path:
    """``path``, or by default `artcost.paths.results_db_path()`; its folder exists afterwards when ``create``.
    Without ``create`` (a reader) nothing is made, but a folder that cannot exist (under a file) is still the
    one-line error a writer gives."""
    from artcost.paths import check_dir, ensure_dir, results_db_path

    if path is None:
        return results_db_path(create)
    path = Path(path)
    if create:
        ensure_dir(path.parent, "results database folder")
    else:
        check_dir(path.parent, "results database folder")
    return path


def _expected_columns(schema: str) -> dict[str, set[str]]:
    mem = sqlite3.connect(":memory:")
    try:
        mem.executescript(schema)
        tables = [r[0] for r in mem.execute("SELECT name FROM sqlite_master WHERE type='table'"
                                            " AND name NOT LIKE 'sqlite_%'")]
        return {t: {r[1] for r in mem.execute(f"PRAGMA table_info({t})")} for t in tables}
    finally:
        mem.close()


@lru_cache(maxsize=1)
def _artcost_tables() -> dict[str, set[str]]:
    """Every table artcost keeps in the results database, with its columns (both stores share the file)."""
    from artcost.bench.cluster_store import _SCHEMA as CLUSTER_SCHEMA

    return {**_expected_columns(_SCHEMA), **_expected_columns(CLUSTER_SCHEMA)}


def _check(conn: sqlite3.Connection, path: Path) -> None:
    """Read-only checks of an existing file before anything is written to it: quick_check, then that its
    tables are artcost's with the columns this version writes."""
    result = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
    if result != ["ok"]:
        raise damaged(path, "integrity check: " + "; ".join(str(r) for r in result)[:200])
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"
                                       " AND name NOT LIKE 'sqlite_%'")}
    ours = _artcost_tables()
    if have and not have & set(ours):
        raise UserError(f"{path}: holds tables {', '.join(sorted(have)[:5])} and none of artcost's: not an artcost "
                        f"results database; {_move_aside(path)}")
    for table in sorted(have & set(ours)):
        missing = ours[table] - {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if missing:
            raise UserError(f"{path}: table {table} lacks column(s) {', '.join(sorted(missing))}: not an artcost "
                            f"results database, or one from another version; {_move_aside(path)}")


def open_database(path: str | Path | None, schema: str) -> Path:
    """The results database file (default: `artcost.paths.results_db_path()`), checked, in WAL mode, `schema` created.

    An existing file is checked (``PRAGMA quick_check``, the columns of our tables) before anything
    is written to it. Every failure is a one-line `UserError`.
    """
    path = database_path(path)
    if path.is_dir():
        raise UserError(f"{path}: is a folder, where the results database file should be; "
                        "move it aside, or set ARTCOST_DATA to another folder")
    with translated(path):
        existed = path.exists() and path.stat().st_size > 0
        conn = connect(path)
        try:  # ``with conn`` only commits; the connection must be closed explicitly.
            if existed:
                _check(conn, path)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(schema)
        finally:
            conn.close()
    return path


def connect(path: Path) -> sqlite3.Connection:
    """One connection as every writer of the results database uses it (callers wrap it in `translated`)."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
    except BaseException:
        conn.close()
        raise
    return conn


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A connection for reading an existing database, which issues no write statement and needs no write
    access. Where the folder and file can be written it is an ordinary connection (SQLite then removes the WAL
    side files it made when it closes, leaving the folder as it found it); where they cannot, read-only
    (``mode=ro``); and a WAL database in a read-only folder without its -shm file, which SQLite cannot open
    read-only (it would create the -shm), is opened as immutable: nobody can write there to change it."""
    uri = path.resolve().as_uri()
    for target, kw in ((path, {}), (f"{uri}?mode=ro", {"uri": True}), (f"{uri}?mode=ro&immutable=1", {"uri": True})):
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, **kw)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.Error as exc:
            conn.close()
            code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
            if code not in _UNWRITABLE:
                raise
            last = exc
    raise last


def _statements(schema: str) -> dict[str, str]:
    """Each CREATE TABLE statement of ``schema`` by its table name."""
    out = {}
    for stmt in (x.strip() for x in schema.split(";")):
        words = stmt.split()
        if len(words) > 5 and words[:2] == ["CREATE", "TABLE"]:
            out[words[5] if words[2:5] == ["IF", "NOT", "EXISTS"] else words[2]] = stmt
    return out


def write_test(path: Path) -> None:
    """One committed write through the WAL (``user_version`` rewritten with its own value): proves the
    file, its folder and the lock can be written without changing anything stored."""
    with translated(path):
        conn = connect(path)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(f"PRAGMA user_version = {version}")
            conn.commit()
        finally:
            conn.close()


def pause_before_commit() -> None:
    """The `PAUSE_ENV` test hook (a no-op unless the variable is set)."""
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get(PAUSE_ENV + "_S", "600")))


def describe_ids(ids: list[int]) -> str:
    """What a lookup could have found, for its error: 'it holds ids 1-3, 7' or 'it holds none'."""
    if not ids:
        return "it holds none"
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    shown = ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)
    return f"it holds id{'s' if len(ids) > 1 else ''} {shown}"


def parse_ref(ref: str | int, what: str) -> int | None:
    """``latest`` (None) or an id (as text or int) for a record reference; `UserError` otherwise."""
    if isinstance(ref, int):
        return ref
    ref = str(ref).strip()
    if ref == "latest":
        return None
    if not ref.isdigit():
        raise UserError(f"{what} reference {ref!r}: expected 'latest' or a {what.split()[-1]} id (a number)")
    return int(ref)


class Store:
    """What both stores share: the database at ``path``, connections, the preflight.

    Opening a store only reads: the file is checked read-only and reading methods use read-only
    connections, so listing works in a read-only folder and a missing database reads as an empty one
    (nothing is created). The first write (`_writable`) opens it for writing: folder created, checked,
    WAL mode, schema.
    """

    SCHEMA = ""

    def __init__(self, path: str | Path | None = None):
        self._given = path
        self.path = database_path(path, create=False)
        self._opened_for_writing = False
        if self.path.is_dir():
            raise UserError(f"{self.path}: is a folder, where the results database file should be; "
                            "move it aside, or set ARTCOST_DATA to another folder")
        if self.path.exists() and self.path.stat().st_size > 0:
            with translated(self.path):
                conn = connect_read_only(self.path)
                try:
                    _check(conn, self.path)
                finally:
                    conn.close()

    def _writable(self, note: str = "") -> None:
        """Before the first write: the database opened for writing (created, checked, WAL, schema)."""
        if not self._opened_for_writing:
            try:
                self.path = open_database(self._given if self._given is not None else self.path, self.SCHEMA)
            except UserError as exc:
                if not note:
                    raise
                raise UserError([f"{line}; {note}" for line in exc.problems]) from None
            self._opened_for_writing = True

    def _connect(self) -> sqlite3.Connection:
        self._writable()
        return connect(self.path)

    def _read_connection(self) -> sqlite3.Connection:
        """Read-only; this store's tables that the file lacks (or the whole file, when missing) read as empty."""
        if self.path.exists() and self.path.stat().st_size > 0:
            conn = connect_read_only(self.path)
        else:
            conn = sqlite3.connect(":memory:")
        conn.text_factory = lambda b: b.decode("utf-8", "replace")  # a row of bad UTF-8 is one damaged row, not a crash
        try:
            have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            for table, stmt in _statements(self.SCHEMA).items():
                if table not in have:  # a TEMP table of the same shape: empty, and nothing written to the file
                    conn.execute(stmt.replace("CREATE TABLE", "CREATE TEMP TABLE", 1))
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def _db(self, note: str = ""):
        """A connection for writing, closed afterwards; database failures as one-line `UserError`s."""
        self._writable(note)
        with translated(self.path, note):
            conn = connect(self.path)
            try:
                yield conn
            finally:
                conn.close()

    @contextmanager
    def _read(self):
        """A read-only connection, closed afterwards; database failures as one-line `UserError`s."""
        with translated(self.path):
            conn = self._read_connection()
            try:
                yield conn
            finally:
                conn.close()

    def preflight(self) -> None:
        """Before a long measurement: check the database again and write-test it (one-line `UserError`)."""
        self.path = open_database(self._given if self._given is not None else self.path, self.SCHEMA)
        self._opened_for_writing = True
        write_test(self.path)

    @classmethod
    def for_benchmark(cls, store: Store | None = None) -> Store:
        """``store`` (default: one on the default database), opened, checked and write-tested before a
        benchmark measures; a failure is a `UserError` that says nothing was measured."""
        try:
            store = store or cls()
            store.preflight()
        except UserError as exc:
            raise UserError([f"{line} (checked before measuring: nothing was measured)" for line in exc.problems]
                            ) from None
        return store

    def integrity_ok(self) -> bool:
        with self._read() as conn:
            return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class ResultStore(Store):
    """The results database at ``path`` (default: `artcost.paths.results_db_path()`)."""

    SCHEMA = _SCHEMA

    def save(self, record: BenchRecord) -> int:
        """Insert ``record`` in one transaction; sets and returns its id."""
        prior = record.id
        try:
            with self._db("the record was not stored") as conn, conn:  # BEGIN ... COMMIT, or ROLLBACK on error
                cur = conn.execute(
                    "INSERT INTO bench_records (created_at, arch, resolution, steps, device_name, weights_label,"
                    " seconds_per_image, record_json) VALUES (?, ?, ?, ?, ?, ?, ?, '{}')",
                    (record.created_at, record.arch, record.resolution, record.steps, record.device_name,
                     record.weights_label, record.summary.seconds_per_image),
                )
                record.id = cur.lastrowid
                conn.execute("UPDATE bench_records SET record_json = ? WHERE id = ?",
                             (record.to_json(), record.id))
                pause_before_commit()
        except BaseException:
            record.id = prior  # not stored: no id that points at nothing
            raise
        return record.id

    def get(self, record_id: int) -> BenchRecord:
        with self._read() as conn:
            row = conn.execute("SELECT id, record_json FROM bench_records WHERE id = ?", (record_id,)).fetchone()
            ids = [] if row is not None else [r[0] for r in conn.execute("SELECT id FROM bench_records ORDER BY id")]
        if row is None:
            raise UserError(f"no bench record with id {record_id} in {self.path} ({describe_ids(ids)})")
        return self._parsed_or_refused(row)

    def latest(self) -> BenchRecord:
        with self._read() as conn:
            row = conn.execute("SELECT id, record_json FROM bench_records ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            raise UserError(f"no bench records yet in {self.path}: measure one first")
        return self._parsed_or_refused(row, latest=True)

    def resolve(self, ref: str | int) -> BenchRecord:
        """``latest`` or an integer id (as text or int)."""
        rid = parse_ref(ref, "bench record")
        return self.latest() if rid is None else self.get(rid)

    def scan(self) -> RecordScan:
        """Every record, oldest first, with a line for each row that cannot be read as one (one bad row
        never hides the good ones)."""
        with self._read() as conn:
            rows = conn.execute("SELECT id, record_json FROM bench_records ORDER BY id").fetchall()
        good, bad = [], []
        for row in rows:
            rec = parse_row(row[0], row[1])
            if isinstance(rec, BenchRecord):
                good.append(rec)
            else:
                bad.append(damaged_row_line(self.path, row[0], rec))
        return RecordScan(good, bad)

    def all(self) -> list[BenchRecord]:
        """Every readable record, oldest first (damaged rows left out: `scan` names them)."""
        return self.scan().records

    def count(self) -> int:
        with self._read() as conn:
            return conn.execute("SELECT COUNT(*) FROM bench_records").fetchone()[0]

    def _parsed_or_refused(self, row: tuple, latest: bool = False) -> BenchRecord:
        """The record of one row, or a one-line `UserError` naming the damaged row and the good ones."""
        rec = parse_row(row[0], row[1])
        if isinstance(rec, BenchRecord):
            return rec
        good = [r.id for r in self.scan().records]
        which = " (the latest)" if latest else ""
        raise UserError(f"{self.path}: bench record {row[0]}{which} is damaged: {rec}; the other records are "
                        f"intact: give one of their ids ({describe_ids(good)})")

    def fingerprints(self) -> dict[str, int]:
        """`fingerprint` of every readable record -> its id (what `bench import` checks before storing)."""
        return {fingerprint(r): r.id for r in self.all()}

    def import_record(self, record: BenchRecord) -> tuple[int, bool]:
        """Store ``record`` unless the same measurement is stored already: (its id, whether it was stored now).
        Idempotent: the record's identity is its content without the store's id (`fingerprint`)."""
        known = self.fingerprints().get(fingerprint(record))
        if known is not None:
            return known, False
        copy = record.model_copy(deep=True)
        copy.id = None
        return self.save(copy), True


class RecordScan(NamedTuple):
    records: list[BenchRecord]
    damaged: list[str]  # one line per row that is not a readable record


def parse_row(row_id: int, text: object) -> BenchRecord | str:
    """The record a row holds (its id the row's), or why it holds none, in a few words (never its content)."""
    if not isinstance(text, (str, bytes)):
        return f"record_json is {type(text).__name__}, not JSON text"
    try:
        rec = BenchRecord.from_json(text)
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False)
        if errors and errors[0].get("type") == "json_invalid":
            return f"record_json is not valid JSON ({one_line(errors[0].get('msg', ''))[:120]})"
        fields = "; ".join(f"{'.'.join(map(str, e.get('loc', ()))) or '(top level)'}: {e.get('msg', '')}" for e in errors[:3])
        more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
        return f"record_json is not a bench record ({one_line(fields)[:200]}{more})"
    except ValueError as exc:  # e.g. a number too big to read
        return f"record_json cannot be read ({one_line(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:120]})"
    why = _unusable(rec)
    if why:
        return f"record_json is not a usable bench record ({why})"
    rec.id = row_id  # the row's id is the record's, whatever its JSON says
    return rec


def _unusable(rec: BenchRecord) -> str | None:
    """Why a record that parses still cannot be a stored measurement: a figure that is not finite (a stored
    record never holds one: artcost writes null for it). Figures that are missing are not damage: records
    stored before a figure existed lack it, and every reader shows it as not measured."""
    bad: list[str] = []

    def walk(x: object, where: str) -> None:
        if len(bad) >= 1:
            return
        if isinstance(x, bool):
            return
        if isinstance(x, float) and not math.isfinite(x):
            bad.append(f"{where} is {x}")
        elif isinstance(x, int) and abs(x) > 1e308:
            bad.append(f"{where} is a {len(str(abs(x)))}-digit number")
        elif isinstance(x, dict):
            for k, v in x.items():
                walk(v, f"{where}.{k}" if where else str(k))
        elif isinstance(x, (list, tuple)):
            for i, v in enumerate(x):
                walk(v, f"{where}[{i}]")

    walk(rec.model_dump(mode="python"), "")
    return f"{one_line(bad[0])[:120]}: not a measured figure" if bad else None


def damaged_row_line(path: Path, row_id: int, why: str) -> str:
    return f"{path}: bench record {row_id} is damaged and was skipped: {why}"


def fingerprint(record: BenchRecord) -> str:
    """A measurement's identity: the hash of its record without the id a store gave it."""
    import hashlib

    body = json.dumps(record.model_dump(mode="json", exclude={"id"}), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def export_json_text(records: list[BenchRecord]) -> str:
    """Every record, complete, as one JSON list."""
    return json.dumps([json.loads(r.to_json()) for r in records], indent=1) + "\n"


def export_csv_text(records: list[BenchRecord]) -> str:
    """One flat row per record (`record.flat_row`), CSV."""
    import io

    buf = io.StringIO(newline="")
    export_csv(records, buf)
    return buf.getvalue()


def export_csv(records: list[BenchRecord], stream: TextIO) -> None:
    """One flat row per record (`record.flat_row`) onto an open text stream (files go through `artcost.outputs`)."""
    import csv

    from artcost.bench.record import FLAT_FIELDS, flat_row

    rows = [flat_row(r) for r in records]
    fields = list(rows[0].keys()) if rows else FLAT_FIELDS
    w = csv.DictWriter(stream, fieldnames=fields)
    w.writeheader()
    w.writerows(rows)
