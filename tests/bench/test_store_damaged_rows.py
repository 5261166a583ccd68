"""Issue #24: a results database with artcost's table but a damaged `record_json` row ('{not json', '{}',
a number) used to give a pydantic traceback in `bench list/show/export`, `cost --from-bench latest` and the
dashboard's Benchmark page. One bad row never hides the good ones: they are listed and exported, the bad
row is named in one warning line (exit 0); a command that needs exactly that row refuses in one line (exit 2).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from artcost.bench.record import BenchRecord
from artcost.bench.store import ResultStore
from artcost.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
BAD = {"not json": "{not json", "empty object": "{}", "a number": 7, "a list": "[1, 2]",
       "wrong types": json.dumps({"created_at": 5, "config": "x", "environment": [], "weights_label": None})}


def _record(blob: str) -> BenchRecord:
    return BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={"arch": "tiny"}, environment={"blob": blob},
                       weights_label="synthetic-weights", summary={"seconds_per_image": 1.0})


def _damage(db: Path, value) -> int:
    conn = sqlite3.connect(db)
    cur = conn.execute("INSERT INTO bench_records (created_at, record_json) VALUES ('2026-11-26', ?)", (value,))
    conn.commit()
    conn.close()
    return cur.lastrowid


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A database with good records 1 and 2, then a damaged row 3."""
    data = tmp_path / "data"
    monkeypatch.setenv("ARTCOST_DATA", str(data))
    data.mkdir()
    path = data / "results.sqlite"
    st = ResultStore(path)
    st.save(_record("one"))
    st.save(_record("two"))
    return path


def _run(argv, capsys):
    from artcost.cli import main

    rc = main(argv)
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return rc, out.out, out.err


@pytest.mark.parametrize("bad", list(BAD))
def test_library_skips_and_names_the_damaged_row(db, bad):
    rid = _damage(db, BAD[bad])
    st = ResultStore(db)
    scan = st.scan()
    assert [r.id for r in scan.records] == [1, 2]
    assert len(scan.damaged) == 1 and f"bench record {rid} is damaged" in scan.damaged[0] and str(db) in scan.damaged[0]
    assert [r.environment["blob"] for r in st.all()] == ["one", "two"]
    for ref in (rid, "latest"):
        with pytest.raises(UserError) as e:
            st.resolve(ref)
        assert len(e.value.problems) == 1 and f"bench record {rid}" in str(e.value) and "ids 1, 2" in str(e.value)
    assert st.get(2).environment == {"blob": "two"}


@pytest.mark.parametrize("bad", ["not json", "empty object"])
def test_cli_lists_and_exports_the_good_rows_and_warns(db, bad, tmp_path, capsys):
    rid = _damage(db, BAD[bad])
    rc, out, err = _run(["bench", "list"], capsys)
    assert rc == 0
    warnings = [ln for ln in err.splitlines() if ln.strip()]
    assert len(warnings) == 1 and warnings[0].startswith("warning: ") and f"bench record {rid}" in warnings[0]
    assert "synthetic-weights" in out
    rc, out, err = _run(["bench", "list", "--json"], capsys)
    assert rc == 0 and [r["id"] for r in json.loads(out)] == [1, 2] and f"bench record {rid}" in err
    target = tmp_path / "out.json"
    rc, out, err = _run(["bench", "export", "--json", str(target), "--csv", str(tmp_path / "out.csv")], capsys)
    assert rc == 0 and [r["id"] for r in json.loads(target.read_text())] == [1, 2]
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 3
    assert "1 damaged row skipped" in out + err


@pytest.mark.parametrize("argv", [["bench", "show", "latest"], ["bench", "show", "3"],
                                  ["cost", str(SEED), "--from-bench", "latest"], ["cost", str(SEED), "--from-bench", "3"]])
def test_cli_refuses_the_damaged_row_it_was_asked_for(db, argv, capsys):
    _damage(db, "{not json")
    rc, out, err = _run(argv, capsys)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("error: ")
    assert "bench record 3" in lines[0] and "ids 1, 2" in lines[0] and "{not json" not in lines[0]


def test_cli_shows_a_good_row_beside_a_damaged_one(db, capsys):
    _damage(db, "{}")
    rc, out, err = _run(["bench", "show", "2", "--json"], capsys)
    assert rc == 0 and json.loads(out)["environment"] == {"blob": "two"}


def test_a_damaged_cluster_job_is_one_line(db, capsys):
    from artcost.bench.cluster_store import ClusterStore

    ClusterStore(db)._writable()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO cluster_jobs (created_at, status, workers, job_json) VALUES ('x', 'complete', 1, '{}')")
    conn.commit()
    conn.close()
    rc, out, err = _run(["bench", "cluster", "show", "latest"], capsys)
    assert rc == 2 and "cluster job 1 is damaged" in err and len(err.strip().splitlines()) == 1


def test_dashboard_benchmark_page_lists_the_good_rows_and_names_the_bad(db):
    """The Benchmark page used to show a pydantic traceback; now its table holds the good records and a
    warning names the bad row."""
    from streamlit.testing.v1 import AppTest

    from artcost.bench.record import PresetResult

    good = _record("three")
    good.presets = [PresetResult(name="stock", status="ok", summary={"seconds_per_image": 9.0, "batch_size": 1})]
    ResultStore(db).save(good)
    rid = _damage(db, "{not json")
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("views/benchmark.py").run(timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"bench record {rid} is damaged" in w.value for w in at.warning), [w.value for w in at.warning]
    assert "3" in set(at.dataframe[0].value["record"])


def test_bad_utf8_and_non_finite_rows_are_damaged_rows_too(db, capsys):
    """Found by the damaged_rows fuzz class: a row of bad UTF-8 crashed every reader (sqlite3's decode error),
    a NaN or 400-digit figure passed as a measurement."""
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO bench_records (created_at, record_json) VALUES ('x', CAST(? AS TEXT))", (b'{"a": "caf\xe9"}',))
    conn.commit()
    conn.close()
    base = json.loads(_record("nan").model_dump_json())
    nan_id = _damage(db, json.dumps({**base, "summary": {"seconds_per_image": float("nan")}}))
    big_id = _damage(db, json.dumps({**base, "summary": {"seconds_per_image": 10**400}}))
    scan = ResultStore(db).scan()
    assert [r.id for r in scan.records] == [1, 2] and len(scan.damaged) == 3
    assert any(f"bench record {nan_id}" in d and "summary.seconds_per_image" in d for d in scan.damaged)
    assert any(f"bench record {big_id}" in d and "seconds_per_image is inf" in d for d in scan.damaged)
    rc, out, err = _run(["bench", "list"], capsys)
    assert rc == 0 and err.count("warning: ") == 3


def test_a_record_without_some_figures_is_shown_not_refused(db, capsys):
    """A record stored before a figure existed lacks it: `bench show` says not measured ('—'), no KeyError."""
    from artcost.bench.record import PresetResult

    old = _record("old")
    old.presets = [PresetResult(name="stock", status="ok", summary={"seconds_per_image": 9.0})]
    rid = ResultStore(db).save(old)
    rc, out, err = _run(["bench", "show", str(rid)], capsys)
    assert rc == 0 and not err.strip() and "stock" in out and "—" in out
