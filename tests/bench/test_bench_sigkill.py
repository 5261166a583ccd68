"""A benchmark or cluster job killed with SIGKILL leaves the database readable and without a half record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from artcost.bench.cluster_store import ClusterStore
from artcost.bench.record import BenchRecord
from artcost.bench.store import PAUSE_ENV, ResultStore

WRITER = """
import sys
from artcost.bench.record import BenchRecord
from artcost.bench.store import ResultStore
st = ResultStore(sys.argv[1])
big = {"steps": list(range(20000))}
while True:
    st.save(BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={"arch": "tiny"}, environment=big,
                        weights_label="synthetic-weights", summary={"seconds_per_image": 1.0}))
    print("saved", flush=True)
"""


def test_sigkill_during_writes(tmp_path):
    db = tmp_path / "r.sqlite"
    p = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    for _ in range(3):
        p.stdout.readline()
    time.sleep(0.3)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    st = ResultStore(db)
    assert st.integrity_ok()
    recs = st.all()  # every row parses as a complete record
    assert len(recs) >= 3
    assert all(len(r.environment["steps"]) == 20000 for r in recs)


# A kill that lands inside the commit. The stores' test hook (`PAUSE_ENV`, read in `save`) writes a
# marker and sleeps after the INSERT/UPDATE statements, before COMMIT. The payload is larger than
# SQLite's page cache, so the uncommitted pages are already in the WAL file when the kill lands: the
# database on disk holds a half-written transaction, and recovery must drop it.
SAVE_ONE = """
import sys
from artcost.bench.cluster_store import ClusterStore
from artcost.bench.record import BenchRecord
from artcost.bench.store import ResultStore
path, kind, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "bench":
    rid = ResultStore(path).save(BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={"arch": "tiny"},
                                             environment={"blob": "x" * size}, weights_label="synthetic-weights",
                                             summary={"seconds_per_image": 1.0}))
else:
    rid = ClusterStore(path).save({"created_at": "2026-11-25T00:00:00+00:00", "status": "complete", "config": {},
                                   "summary": {"workers": 2, "images": 2},
                                   "parts": [{"worker": 0, "status": "ok", "images": 1, "blob": "x" * size},
                                             {"worker": 1, "status": "ok", "images": 1, "blob": "y" * size}]})
print("committed", rid, flush=True)
"""
BLOB = 8_000_000


def _stored(path, kind):
    """(rows, payload sizes) in the database: what a half-written record or job would show."""
    if kind == "bench":
        st = ResultStore(path)
        assert st.integrity_ok()
        recs = st.all()  # every row parses as a complete record
        return st.count(), [len(r.environment.get("blob", "")) for r in recs]
    st = ClusterStore(path)
    assert st.integrity_ok()
    jobs = [st.get_job(j["id"]) for j in st.list_jobs()]
    return st.counts(), [[len(p.get("blob", "")) for p in j["parts"]] for j in jobs]


def _save_one(path, kind, size, env):
    return subprocess.Popen([sys.executable, "-c", SAVE_ONE, str(path), kind, str(size)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("kind", ["bench", "cluster"])
def test_sigkill_inside_the_commit_leaves_no_part_of_the_record(kind, tmp_path):
    db = tmp_path / "results.sqlite"
    _save_one(db, kind, 10, dict(os.environ)).communicate()  # one earlier, complete record
    before = _stored(db, kind)
    marker = tmp_path / "paused"
    p = _save_one(db, kind, BLOB, dict(os.environ, **{PAUSE_ENV: str(marker)}))
    try:
        while not marker.exists():  # the save has run its statements and waits before COMMIT
            assert p.poll() is None, p.communicate()
            time.sleep(0.05)
        wal = Path(f"{db}-wal")
        assert wal.stat().st_size > BLOB // 2  # the uncommitted pages are on disk: the kill lands mid-transaction
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == -signal.SIGKILL
    assert _stored(db, kind) == before  # opens, passes integrity_check, and holds none of the killed record


@pytest.mark.parametrize("kind", ["bench", "cluster"])
def test_the_pause_hook_then_commits_the_whole_record(kind, tmp_path):
    """The hook only delays: a save that is not killed stores the whole record (the other allowed outcome)."""
    db = tmp_path / "results.sqlite"
    env = dict(os.environ, **{PAUSE_ENV: str(tmp_path / "paused"), PAUSE_ENV + "_S": "0"})
    out, err = _save_one(db, kind, BLOB, env).communicate()
    assert out.startswith("committed"), err
    assert (tmp_path / "paused").exists()
    assert _stored(db, kind) == ((1, [BLOB]) if kind == "bench" else ((1, 2), [[BLOB, BLOB]]))


# The real CLI benchmark, with the record's save transaction held open after its INSERT and UPDATE
# (before COMMIT) by the store's test hook, so the kill lands while the record is being written.
@pytest.mark.slow
def test_sigkill_while_the_benchmark_saves_its_record(tmp_path):
    pytest.importorskip("diffusers")
    env = dict(os.environ, ARTCOST_DATA=str(tmp_path))
    ResultStore(tmp_path / "results.sqlite").save(
        BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={"arch": "tiny"}, environment={},
                    weights_label="synthetic-weights"))
    marker = tmp_path / "saving-record"
    env[PAUSE_ENV] = str(marker)
    code = "import sys; from artcost.cli import main; sys.exit(main(sys.argv[1:]))"
    cmd = [sys.executable, "-c", code, "bench", "--arch", "tiny", "--device", "cpu", "--steps", "2", "--min-runs", "2",
           "--min-seconds", "0", "--idle-seconds", "0", "--gemm-seconds", "0"]
    log = tmp_path / "bench.log"
    with open(log, "w") as out:
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        while not marker.exists():
            assert p.poll() is None, f"the benchmark ended before its save: {log.read_text()[-2000:]}"
            time.sleep(0.2)
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    st = ResultStore(tmp_path / "results.sqlite")
    assert st.integrity_ok()
    assert st.count() == 1  # the earlier record; the killed one left no row, not even its INSERT
