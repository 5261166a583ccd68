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


@pytest.mark.slow
def test_sigkill_mid_benchmark(tmp_path):
    pytest.importorskip("diffusers")
    env = dict(os.environ, ARTCOST_DATA=str(tmp_path))
    ResultStore(tmp_path / "results.sqlite").save(
        BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={"arch": "tiny"}, environment={},
                    weights_label="synthetic-weights"))
    cmd = [sys.executable, "-c", "from artcost.bench.cli import main; main()", "--arch", "tiny", "--device", "cpu",
           "--steps", "2", "--min-runs", "100000", "--min-seconds", "1000", "--idle-seconds", "0", "--gemm-seconds", "0"]
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 90
    for line in p.stdout:
        if "timed runs" in line or time.time() > deadline:
            break
    time.sleep(0.5)
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    st = ResultStore(tmp_path / "results.sqlite")
    assert st.integrity_ok()
    assert st.count() == 1  # the earlier record, nothing half-written
