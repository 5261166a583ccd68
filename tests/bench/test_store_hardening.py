"""The results database fails safe (issue #13): a damaged file, a read-only or impossible data folder
is one `error:` line naming the file and what to do, exit code 2, no traceback; a damaged file is
never written, deleted or overwritten; a benchmark checks the database before it measures.

Read-only folders are tested in a subprocess without CAP_DAC_OVERRIDE (root ignores file modes):
as a normal user directly, as root through ``setpriv``; skipped where neither is possible.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from artcost.bench.cluster_store import ClusterStore
from artcost.bench.record import BenchRecord
from artcost.bench.store import ResultStore, database_error
from artcost.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"

READERS = {
    "bench list": ["bench", "list"],
    "bench show": ["bench", "show", "latest"],
    "bench export": ["bench", "export", "--json", "{tmp}/out.json"],
    "bench-cluster list": ["bench-cluster", "list"],
    "bench-cluster show": ["bench-cluster", "show", "latest"],
    "bench cluster list": ["bench", "cluster", "list"],
    "bench cluster show": ["bench", "cluster", "show", "latest"],
    "cost --from-bench": ["cost", str(SEED), "--from-bench", "latest"],
    "cost --from-cluster": ["cost", str(SEED), "--from-cluster", "latest"],
}


def _record(blob: str = "") -> BenchRecord:
    return BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={"arch": "tiny"},
                       environment={"blob": blob}, weights_label="synthetic-weights",
                       summary={"seconds_per_image": 1.0})


def _fill(path: Path, n: int = 40) -> None:
    st = ResultStore(path)
    for _ in range(n):
        st.save(_record("x" * 3000))


def _truncated(path: Path) -> None:
    """A real results database cut in half (an interrupted copy): header and schema readable, data pages gone."""
    _fill(path)
    size = path.stat().st_size
    assert size > 100_000 and not Path(f"{path}-wal").exists()
    with open(path, "r+b") as f:
        f.truncate(size // 2)


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(13).randbytes(50_000))  # fixed: the same bytes on every run


def _foreign_schema(path: Path) -> None:
    """A healthy SQLite file whose bench_records table is not ours (another program, another version)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE bench_records (id INTEGER PRIMARY KEY, foo TEXT)")
    conn.commit()
    conn.close()


DAMAGE = {"truncated": _truncated, "random bytes": _random_bytes, "foreign schema": _foreign_schema}


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _run(argv: list[str], capsys) -> tuple[int, str]:
    from artcost.cli import main

    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.err


def _one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("damage", list(DAMAGE))
@pytest.mark.parametrize("command", list(READERS))
def test_damaged_database_is_one_line_and_left_untouched(damage, command, data_dir, tmp_path, capsys):
    data_dir.mkdir(parents=True)
    db = data_dir / "results.sqlite"
    DAMAGE[damage](db)
    before = _snapshot(data_dir)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in READERS[command]]
    rc, err = _run(argv, capsys)
    assert rc == 2
    line = _one_error_line(err)
    assert str(db) in line
    assert f"mv {db} {db}.broken" in line and "ARTCOST_DATA" in line
    assert _snapshot(data_dir) == before  # not written, not deleted, no side files left behind
    assert not (tmp_path / "out.json").exists()


def test_moving_the_damaged_file_aside_as_told_works(data_dir, capsys):
    data_dir.mkdir(parents=True)
    db = data_dir / "results.sqlite"
    _random_bytes(db)
    _run(["bench", "list"], capsys)
    db.rename(f"{db}.broken")
    rc, err = _run(["bench", "list"], capsys)
    assert rc == 0, err
    assert Path(f"{db}.broken").exists()


@pytest.mark.parametrize("under", ["file/x", "file"])
@pytest.mark.parametrize("command", ["bench list", "cost --from-bench", "bench-cluster list", "cost --from-cluster"])
def test_data_folder_under_a_regular_file(under, command, tmp_path, monkeypatch, capsys):
    (tmp_path / "file").write_text("not a folder\n")
    monkeypatch.setenv("ARTCOST_DATA", str(tmp_path / under))
    rc, err = _run(READERS[command], capsys)
    assert rc == 2
    line = _one_error_line(err)
    assert f"{tmp_path / under}" in line and f"{tmp_path / 'file'} is a file, not a folder" in line
    assert "set ARTCOST_DATA to a folder you can write" in line
    assert (tmp_path / "file").read_text() == "not a folder\n"


def test_database_path_that_is_a_folder(data_dir, capsys):
    (data_dir / "results.sqlite").mkdir(parents=True)
    rc, err = _run(["bench", "list"], capsys)
    assert rc == 2 and "is a folder" in _one_error_line(err)


# --- the benchmark checks the database before it measures ----------------------------------------------

class _Measured(Exception):
    pass


def _no_measuring(monkeypatch):
    """Make the first step of measuring (importing torch, starting Ray) raise `_Measured`."""
    import artcost.bench.cluster_driver as C
    import artcost.bench.runner as R

    def measured(*a, **k):
        raise _Measured

    monkeypatch.setattr(R.P, "import_torch", measured)
    monkeypatch.setattr(C, "_Ray", measured)


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_benchmark_refuses_a_damaged_database_before_measuring(damage, data_dir, monkeypatch):
    from artcost.bench.cluster import ClusterSettings, run_cluster_job
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark

    data_dir.mkdir(parents=True)
    db = data_dir / "results.sqlite"
    DAMAGE[damage](db)
    before = _snapshot(data_dir)
    _no_measuring(monkeypatch)
    with pytest.raises(UserError) as e:
        run_benchmark(make_config(arch="tiny", device="cpu"))
    assert str(db) in str(e.value) and len(e.value.problems) == 1
    with pytest.raises(UserError) as e:
        run_cluster_job(make_config(arch="tiny", device="cpu", num_images=4), ClusterSettings(workers=2))
    assert str(db) in str(e.value) and len(e.value.problems) == 1
    assert _snapshot(data_dir) == before


def test_no_store_benchmark_does_not_touch_the_database(data_dir, monkeypatch):
    from artcost.bench.cluster import ClusterSettings, run_cluster_job
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark

    data_dir.mkdir(parents=True)
    _random_bytes(data_dir / "results.sqlite")
    _no_measuring(monkeypatch)
    with pytest.raises(_Measured):  # straight to measuring: the database is not opened
        run_benchmark(make_config(arch="tiny", device="cpu", store=False))
    with pytest.raises(_Measured):
        run_cluster_job(make_config(arch="tiny", device="cpu", num_images=4, store=False), ClusterSettings(workers=2))


def test_a_healthy_database_passes_the_preflight_and_measuring_starts(data_dir, monkeypatch):
    from artcost.bench.cluster import ClusterSettings, run_cluster_job
    from artcost.bench.config import make_config
    from artcost.bench.runner import run_benchmark

    data_dir.mkdir(parents=True)
    _fill(data_dir / "results.sqlite", 2)
    _no_measuring(monkeypatch)
    with pytest.raises(_Measured):
        run_benchmark(make_config(arch="tiny", device="cpu"))
    with pytest.raises(_Measured):
        run_cluster_job(make_config(arch="tiny", device="cpu", num_images=4), ClusterSettings(workers=2))
    assert ResultStore().count() == 2


def test_preflight_write_test_changes_nothing_stored(tmp_path):
    db = tmp_path / "r.sqlite"
    st = ResultStore(db)
    rid = st.save(_record("payload"))
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    st.preflight()
    ClusterStore(db).preflight()
    assert [r.id for r in st.all()] == [rid] and st.get(rid).environment == {"blob": "payload"}
    assert st.integrity_ok() and ClusterStore(db).counts() == (0, 0)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
    conn.close()


def _read_only_connections(monkeypatch):
    """Every connection to a database file opens it read-only, as SQLite does for a chmod 444 file
    (which root could still write)."""
    real = sqlite3.connect

    def connect(path, **k):
        return real(path, **k) if str(path) == ":memory:" else real(f"{Path(path).as_uri()}?mode=ro", uri=True, **k)

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_preflight_write_test_does_write(tmp_path, monkeypatch):
    """The write test commits through the WAL, so a database that opens but cannot take a write fails it."""
    db = tmp_path / "r.sqlite"
    ResultStore(db)
    _read_only_connections(monkeypatch)
    st = ResultStore(db)  # opening and reading still work ...
    assert st.count() == 0
    with pytest.raises(UserError) as e:  # ... the write test does not
        ResultStore.for_benchmark(st)
    assert str(db) in str(e.value) and "nothing was measured" in str(e.value) and len(e.value.problems) == 1


def test_a_save_that_fails_is_one_line_and_leaves_no_id(tmp_path, monkeypatch):
    db = tmp_path / "r.sqlite"
    ResultStore(db), ClusterStore(db)
    _read_only_connections(monkeypatch)
    rec = _record()
    with pytest.raises(UserError, match="the record was not stored") as e:
        ResultStore(db).save(rec)
    assert str(db) in str(e.value) and rec.id is None
    job = {"created_at": "2026-11-25T00:00:00+00:00", "status": "complete", "config": {},
           "summary": {"workers": 1, "images": 1}, "parts": [{"worker": 0, "status": "ok", "images": 1}]}
    with pytest.raises(UserError, match="the job was not stored"):
        ClusterStore(db).save(job)


def test_database_error_names_what_to_do(tmp_path):
    db = tmp_path / "r.sqlite"

    def err(cls, msg, code):
        e = cls(msg)
        e.sqlite_errorcode = code
        return e

    full = database_error(db, err(sqlite3.OperationalError, "database or disk is full", sqlite3.SQLITE_FULL))
    assert "disk is full" in str(full) and "free space" in str(full)
    locked = database_error(db, err(sqlite3.OperationalError, "database is locked", sqlite3.SQLITE_BUSY))
    assert "locked by another process" in str(locked)
    io = database_error(db, err(sqlite3.OperationalError, "disk I/O error", sqlite3.SQLITE_IOERR | (3 << 8)))
    assert "could not be read or written" in str(io)
    # a constraint violation is a bug in artcost, not the user's environment: it stays an exception
    bug = err(sqlite3.IntegrityError, "UNIQUE constraint failed", sqlite3.SQLITE_CONSTRAINT)
    assert database_error(db, bug) is None
    for e in (full, locked, io):
        assert len(e.problems) == 1 and str(db) in str(e) and "ARTCOST_DATA" in str(e)


# --- read-only data folder, from outside ------------------------------------------------------------

def _unprivileged() -> list[str]:
    """A command prefix under which file modes apply (root without CAP_DAC_OVERRIDE); skip if none."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"] if setpriv else None
    if prefix and subprocess.run([*prefix, "true"], check=False, capture_output=True).returncode == 0:
        return prefix
    pytest.skip("running as root without a working setpriv: a read-only folder is writable for root")


_MANY = """
import io, json, sys
from contextlib import redirect_stderr, redirect_stdout
from artcost.cli import main
out = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        rc = main(argv)
    out.append([rc, err.getvalue()])
print(json.dumps(out))
"""


def _cli(prefix: list[str], data: Path, *argv: str) -> subprocess.CompletedProcess:
    """One `artcost` command with ARTCOST_DATA=data, as a user runs it."""
    code = "import sys; from artcost.cli import main; sys.exit(main(sys.argv[1:]))"
    env = dict(os.environ, ARTCOST_DATA=str(data), COLUMNS="400")
    return subprocess.run([*prefix, sys.executable, "-c", code, *argv], check=False, env=env, capture_output=True,
                          text=True, timeout=300)


def _cli_many(prefix: list[str], data: Path, argvs: list[list[str]]) -> list[tuple[int, str]]:
    """Several `artcost` commands in one subprocess (one interpreter start): (exit code, stderr) each."""
    env = dict(os.environ, ARTCOST_DATA=str(data), COLUMNS="400")
    p = subprocess.run([*prefix, sys.executable, "-c", _MANY, json.dumps(argvs)], check=False, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return [tuple(r) for r in json.loads(p.stdout.splitlines()[-1])]


@pytest.fixture
def read_only(tmp_path):
    """Folders: ``empty`` (read-only, no database), ``with-db`` (read-only, a healthy database with one
    record), ``db-file`` (writable folder, the database file itself read-only)."""
    prefix = _unprivileged()
    folders = {n: tmp_path / n for n in ("empty", "with-db", "db-file")}
    for name in ("with-db", "db-file"):
        folders[name].mkdir()
        ResultStore(folders[name] / "results.sqlite").save(_record())
    folders["empty"].mkdir()
    os.chmod(folders["db-file"] / "results.sqlite", 0o444)
    for name in ("empty", "with-db"):
        os.chmod(folders[name], 0o555)
    yield prefix, folders
    for f in folders.values():
        os.chmod(f, 0o755)


def test_read_only_data_folder_is_read_and_never_written(read_only, tmp_path):
    """Issue #24: reading commands open the database read-only, so a read-only folder (or one that cannot be
    created) lists what it holds; it used to be 'cannot open ... for writing'. Nothing there changes."""
    prefix, folders = read_only
    commands = ("bench list", "bench show", "bench-cluster list", "cost --from-cluster")
    expect = {"empty": {"bench list": (0, "no bench records"), "bench show": (2, "no bench records yet"),
                        "bench-cluster list": (0, ""), "cost --from-cluster": (2, "no cluster jobs yet")},
              "with-db": {"bench list": (0, ""), "bench show": (0, ""),
                          "bench-cluster list": (0, ""), "cost --from-cluster": (2, "no cluster jobs yet")}}
    for name in ("empty", "with-db"):
        before = _snapshot(folders[name])
        results = _cli_many(prefix, folders[name], [READERS[c] for c in commands])
        for command, (rc, err) in zip(commands, results):
            want_rc, want_text = expect[name][command]
            assert rc == want_rc, (name, command, err)
            assert "for writing" not in err and "Traceback" not in err, (name, command, err)
            if rc:
                assert want_text in _one_error_line(err), (name, command, err)
        assert _snapshot(folders[name]) == before
    p = _cli(prefix, folders["with-db"], "bench", "list")
    assert p.returncode == 0 and "synthetic-weights" in p.stdout, p.stderr
    out = tmp_path / "export.json"
    p = _cli(prefix, folders["with-db"], "bench", "export", "--json", str(out))
    assert p.returncode == 0 and len(json.loads(out.read_text())) == 1, p.stderr
    p = _cli(prefix, folders["empty"] / "sub", "bench", "list")  # a data folder that does not exist: nothing to list
    assert p.returncode == 0 and "no bench records" in p.stdout and not (folders["empty"] / "sub").exists(), p.stderr
    p = _cli(prefix, folders["with-db"], "bench", "import", str(out))  # already there: nothing to write
    assert p.returncode == 0 and "already stored as record 1" in p.stdout, p.stderr
    # a writer still needs the write access, and says so in one line
    other = tmp_path / "other.json"
    other.write_text(_record("another measurement").model_dump_json())
    p = _cli(prefix, folders["with-db"], "bench", "import", str(other))
    assert p.returncode == 2 and f"make the folder {folders['with-db']} writable" in _one_error_line(p.stderr)
    assert _snapshot(folders["with-db"]) == before


def test_benchmark_with_a_read_only_database_fails_before_measuring(read_only):
    """`artcost bench` and `artcost bench --workers`, as a user runs them: one line, before torch or Ray start."""
    prefix, folders = read_only
    db = folders["db-file"] / "results.sqlite"
    before = _snapshot(folders["db-file"])
    assert _cli(prefix, folders["db-file"], "bench", "list").returncode == 0  # reading still works
    for argv in (["bench", "--arch", "tiny", "--device", "cpu", "--steps", "2"],
                 ["bench", "--workers", "2", "--arch", "tiny", "--device", "cpu", "--num-images", "4"]):
        p = _cli(prefix, folders["db-file"], *argv)
        assert p.returncode == 2, p.stderr
        line = _one_error_line(p.stderr)
        assert str(db) in line and "nothing was measured" in line and f"make the file {db} writable" in line
        assert "Ray" not in p.stdout + p.stderr
    after = _snapshot(folders["db-file"])
    assert after["results.sqlite"] == before["results.sqlite"]
    # SQLite leaves its (empty) side files next to a database it could open only read-only
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
