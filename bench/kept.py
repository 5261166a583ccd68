"""A measurement is never lost (issue #24): when the results database refuses a record or a cluster job (a lock
held past the busy timeout, a full disk, a read-only file), it is kept in a file — the --json-out file asked for,
else `unstored-bench-<record|job>-<time>-<hash>.json` beside the database, else the system's temporary folder —
and `NotStored` says where; `read_kept` reads such a file back, validated, for `bench import`, which stores each
measurement once (`store.fingerprint`)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from artcost.bench.record import BenchRecord
from artcost.bench.store import fingerprint, parse_row
from artcost.errors import UserError, one_line

if TYPE_CHECKING:
    from artcost.outputs import Output

KEPT_PREFIX = "unstored-bench-record"


class NotStored(UserError):
    """The measurement was made but the database refused it (locked past the busy timeout, full, read-only):
    `kept` is the file that holds it now (None: no file could be written; `text` is the record's JSON)."""

    def __init__(self, problems: list[str], record: BenchRecord, kept: Path | None, text: str, tried: list[str]):
        self.record, self.kept, self.text, self.tried = record, kept, text, tried
        where = (f"the measurement is kept in {kept}" if kept is not None
                 else "the measurement could not be kept in a file either (" + "; ".join(tried) + ")")
        super().__init__([f"{line}; {where}" for line in problems])


def keep_file_name(record, kind: str = "record") -> str:
    """A name for a kept measurement that says what it is and does not collide:
    unstored-bench-<record|job>-<time>-<hash>.json."""
    stamp = "".join(c for c in str(record.created_at)[:19] if c.isalnum()) or "undated"
    return f"unstored-bench-{kind}-{stamp}-{fingerprint(record)[:8]}.json"


def keep_record(record, database: Path, first: Output | None = None,
                kind: str = "record") -> tuple[Path | None, str, list[str]]:
    """Write ``record`` (a `BenchRecord`, or a cluster job with ``kind='job'``) as JSON where it survives: ``first``
    (the --json-out file asked for), else a named file beside ``database``, else the system's temporary folder.
    (where, the JSON, why each earlier place failed)."""
    from artcost.outputs import Output, database_files, write_output

    text = record.model_dump_json(indent=1) + "\n"
    name = keep_file_name(record, kind)
    places = [first] if first is not None and first.path is not None else []
    places += [Output(f"kept {kind}", database.parent / name), Output(f"kept {kind}", Path(tempfile.gettempdir()) / name)]
    tried = []
    for out in places:
        try:
            write_output(out, text.encode("utf-8"), database_files(database))
            return out.path, text, tried
        except UserError as exc:
            tried.append(exc.problems[0])
    return None, text, tried


def save_or_keep(store, record, keep_to: Output | None = None) -> int:
    """`store.save(record)` (a `ResultStore` and a `BenchRecord`, or a `ClusterStore` and its job); when the
    database refuses it, the measurement is kept in a file (`keep_record`) and `NotStored` says where, so
    `bench import` can store it later."""
    try:
        return store.save(record)
    except UserError as exc:
        kept, text, tried = keep_record(record, store.path, keep_to, "record" if isinstance(record, BenchRecord) else "job")
        raise NotStored(exc.problems, record, kept, text, tried) from None


def read_kept(path: Path) -> list:
    """The records (`BenchRecord`) and cluster jobs (`ClusterJob`) of a file written by `keep_record`,
    `bench --json-out` or `bench export --json` (a list), validated; one-line `UserError` naming the file and
    what is wrong."""
    from artcost.outputs import file_kind

    shown = str(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise UserError(f"{shown}: cannot read it ({(exc.strerror or str(exc)).lower()})") from None
    kind = file_kind(st.st_mode)
    if kind:
        raise UserError(f"{shown}: {kind.split(';')[0].split(' (')[0]}; give a record file written by artcost bench")
    if st.st_size > MAX_IMPORT_BYTES:
        raise UserError(f"{shown}: {st.st_size:,} bytes: too big for a bench record file (at most {MAX_IMPORT_BYTES:,})")
    try:
        data = json.loads(path.read_bytes())
    except json.JSONDecodeError as exc:
        raise UserError(f"{shown}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    except (OSError, UnicodeDecodeError, RecursionError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else type(exc).__name__
        raise UserError(f"{shown}: cannot read it as JSON ({why})") from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise UserError(f"{shown}: an empty list: no bench record to import")
    out = []
    for i, item in enumerate(items):
        at = f"{shown}: record {i + 1} of {len(items)}" if isinstance(data, list) else shown
        if not isinstance(item, dict):
            raise UserError(f"{at}: not a bench record (a JSON {type(item).__name__}, not an object)")
        if "parts" in item and isinstance(item.get("summary"), dict) and "workers" in item["summary"]:
            out.append(_kept_job(item, at))
            continue
        rec = parse_row(0, json.dumps(item))
        if not isinstance(rec, BenchRecord):
            raise UserError(f"{at}: {rec.replace('record_json is', 'it is', 1)}")
        rec.id = item.get("id") if isinstance(item.get("id"), int) else None
        out.append(rec)
    return out


MAX_IMPORT_BYTES = 200 * 1024 * 1024


def _kept_job(item: dict, at: str):
    from artcost.bench.cluster_aggregate import ClusterJob

    missing = {"created_at", "config", "summary", "status"} - set(item)
    try:
        if missing:
            raise ValueError(f"no {', '.join(sorted(missing))}")
        job = ClusterJob.model_validate(item)
    except (TypeError, ValueError) as exc:
        why = exc.errors(include_input=False, include_url=False)[0] if isinstance(exc, ValidationError) else None
        said = f"{'.'.join(map(str, why['loc']))}: {why['msg']}" if why else str(exc)
        raise UserError(f"{at}: not a cluster job ({one_line(said)[:200]})") from None
    job.id = None
    return job
