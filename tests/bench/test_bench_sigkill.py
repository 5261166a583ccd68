"""A benchmark killed with SIGKILL leaves the database readable and without a half record."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from artcost.bench.record import BenchRecord
from artcost.bench.store import ResultStore

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


# The real CLI benchmark, with the record's save transaction held open after its INSERT and UPDATE
# (before COMMIT) so the kill lands while the record is being written. Only a pause is added around
# the real `ResultStore.save`'s statements; the code under test is unchanged.
SLOW_SAVE = """
import sys, time
import artcost.bench.store as S
_connect = S.ResultStore._connect

class Paused:
    def __init__(self, conn):
        self.conn = conn
    def __enter__(self):
        self.conn.__enter__()
        return self
    def __exit__(self, *exc):
        return self.conn.__exit__(*exc)
    def execute(self, sql, *args):
        cur = self.conn.execute(sql, *args)
        if sql.startswith("UPDATE bench_records"):
            print("SAVING-RECORD", flush=True)
            time.sleep(120)
        return cur
    def __getattr__(self, name):
        return getattr(self.conn, name)

S.ResultStore._connect = lambda self: Paused(_connect(self))
from artcost.bench.cli import main
sys.argv = ["artcost-bench"] + sys.argv[1:]
main()
"""


@pytest.mark.slow
def test_sigkill_while_the_benchmark_saves_its_record(tmp_path):
    pytest.importorskip("diffusers")
    env = dict(os.environ, ARTCOST_DATA=str(tmp_path))
    ResultStore(tmp_path / "results.sqlite").save(
        BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={"arch": "tiny"}, environment={},
                    weights_label="synthetic-weights"))
    cmd = [sys.executable, "-c", SLOW_SAVE, "--arch", "tiny", "--device", "cpu", "--steps", "2", "--min-runs", "2",
           "--min-seconds", "0", "--idle-seconds", "0", "--gemm-seconds", "0"]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    seen = False
    try:
        for line in p.stdout:
            if "SAVING-RECORD" in line:
                seen = True
                break
            if time.time() > deadline:
                break
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    finally:
        if p.poll() is None:
            p.kill()
    assert seen, "the benchmark never reached its save"
    st = ResultStore(tmp_path / "results.sqlite")
    assert st.integrity_ok()
    assert st.count() == 1  # the earlier record; the killed one left no row, not even its INSERT
