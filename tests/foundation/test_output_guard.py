"""Issue #24: no command destroys what it was given. Every option that writes a file goes through one guard
(`artcost.outputs`): it refuses, in one line naming the option, the path and why, exit 2, nothing written, a
target that is one of the command's inputs (the scenario, everything it `extends:`, a model file), the results
database or its side files, not a regular file (folder, device, FIFO, /dev/stdout), or another output of the
same command; '-' is standard output; regular files are written atomically; an impossible name is one line.

Devices are checked without any write (`plan_outputs` only), so a broken guard cannot replace /dev/stdout or
/dev/full on the test machine; the CLI paths are checked with a FIFO and a device node made in tmp_path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest

from artcost.errors import UserError
from artcost.outputs import Output, Protected, database_files, plan_outputs, write_output

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink()
                                         else "special") for p in sorted(folder.rglob("*"))}


def _run(argv, capsys):
    from artcost.cli import main

    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return rc, out.out, out.err


def _refused(argv, capsys, flag: str, says: str) -> str:
    rc, out, err = _run(argv, capsys)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2 and len(lines) == 1, err
    assert lines[0].startswith(f"error: {flag} "), lines[0]
    assert says in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder with the seed scenario S.yaml, a child C.yaml that extends it, and a results database."""
    from artcost.bench.store import ResultStore

    w = tmp_path / "w"
    w.mkdir()
    shutil.copy(SEED, w / "S.yaml")
    (w / "C.yaml").write_text("extends: S.yaml\nmeta:\n  name: child\n")
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("ARTCOST_DATA", str(data))
    from artcost.bench.record import BenchRecord

    ResultStore(data / "results.sqlite").save(BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={},
                                                          environment={}, weights_label="w", summary={}))
    monkeypatch.chdir(w)
    return w, data / "results.sqlite"


# --------------------------------------------------------------------------- the command's own inputs


@pytest.mark.parametrize("argv, flag", [
    (["report", "S.yaml", "-o", "S.yaml"], "-o"),
    (["report", "S.yaml", "--presenter", "S.yaml"], "--presenter"),
    (["report", "S.yaml", "--pdf", "S.yaml"], "--pdf"),
    (["report", "C.yaml", "-o", "S.yaml"], "-o"),  # the file C.yaml extends
    (["market", "S.yaml", "--draws", "0", "--csv", "S.yaml"], "--csv"),
    (["market", "C.yaml", "--draws", "0", "--csv", "S.yaml"], "--csv"),
])
def test_an_input_is_never_overwritten(work, argv, flag, capsys):
    w, _ = work
    before = _snapshot(w.parent)
    line = _refused(argv, capsys, flag, "this command reads")
    assert "S.yaml" in line
    assert _snapshot(w.parent) == before


@pytest.mark.parametrize("how", ["symlink", "hard link", "other spelling"])
def test_inputs_are_compared_by_identity(work, how, capsys):
    w, _ = work
    name = {"symlink": "L.yaml", "hard link": "H.yaml", "other spelling": f"../{w.name}/./S.yaml"}[how]
    if how == "symlink":
        (w / "L.yaml").symlink_to("S.yaml")
    elif how == "hard link":
        os.link(w / "S.yaml", w / "H.yaml")
    before = _snapshot(w.parent)
    _refused(["report", "S.yaml", "-o", name], capsys, "-o", "is the scenario file this command reads")
    assert _snapshot(w.parent) == before


# --------------------------------------------------------------------------- the results database


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("command", ["report", "export --json", "export --csv", "bench --json-out"])
def test_the_results_database_is_never_overwritten(work, suffix, command, capsys):
    w, db = work
    target = f"{db}{suffix}"
    argv, flag = {"report": (["report", "S.yaml", "-o", target], "-o"),
                  "export --json": (["bench", "export", "--json", target], "--json"),
                  "export --csv": (["bench", "export", "--csv", target], "--csv"),
                  "bench --json-out": (["bench", "--arch", "tiny", "--device", "cpu", "--json-out", target],
                                       "--json-out")}[command]
    before = _snapshot(db.parent)
    line = _refused(argv, capsys, flag, "is the results database")
    if command == "bench --json-out":
        assert "nothing was measured" in line
    assert _snapshot(db.parent) == before
    from artcost.bench.store import ResultStore

    assert ResultStore(db).count() == 1


def test_the_database_through_a_symlink_is_refused(work, capsys):
    w, db = work
    (w / "db-link").symlink_to(db)
    before = _snapshot(db.parent)
    _refused(["bench", "export", "--json", "db-link"], capsys, "--json", "is the results database")
    assert _snapshot(db.parent) == before


def test_bench_json_out_never_overwrites_the_model_it_loads(work, capsys):
    w, _ = work
    (w / "weights.safetensors").write_bytes(b"weights")
    _refused(["bench", "--arch", "sd15", "--model", "weights.safetensors", "--json-out", "weights.safetensors"],
             capsys, "--json-out", "is the model this benchmark loads")
    assert (w / "weights.safetensors").read_bytes() == b"weights"


def test_bench_json_out_never_writes_inside_the_model_folder(work, capsys):
    w, _ = work
    (w / "model").mkdir()
    (w / "model" / "model_index.json").write_text("{}")
    _refused(["bench", "--arch", "sd15", "--model", "model", "--json-out", "model/model_index.json"],
             capsys, "--json-out", "is inside the model this benchmark loads")
    assert (w / "model" / "model_index.json").read_text() == "{}"


# --------------------------------------------------------------------------- two outputs, one file


@pytest.mark.parametrize("argv, flag", [
    (["report", "S.yaml", "-o", "x.html", "--presenter", "x.html"], "--presenter"),
    (["report", "S.yaml", "-o", "x.html", "--pdf", "./x.html"], "--pdf"),
    (["bench", "export", "--csv", "x.out", "--json", "x.out"], "--json"),
    (["bench", "export", "--csv", "-", "--json", "-"], "--json"),
    (["report", "S.yaml", "-o", "-", "--json"], "-o"),
    (["market", "S.yaml", "--draws", "0", "--csv", "-", "--json"], "--csv"),
])
def test_two_outputs_never_share_a_file(work, argv, flag, capsys):
    w, _ = work
    (w / "x.html").write_text("old")
    before = _snapshot(w)
    _refused(argv, capsys, flag, "")
    assert _snapshot(w) == before


# --------------------------------------------------------------------------- what is not a regular file


@pytest.mark.parametrize("target", ["/dev/full", "/dev/stdout", "/dev/stderr", "/dev/null", "/proc/self/fd/1",
                                    "/dev/fd/1"])
def test_devices_are_refused_before_anything_is_written(target):
    """Checked with `plan_outputs` alone: no write is attempted, whatever the guard answers."""
    with pytest.raises(UserError) as e:
        plan_outputs({"-o": target})
    assert str(e.value).startswith(f"-o {target}: cannot write it") and "use '-' for standard output" in str(e.value)


def test_a_link_to_standard_output_is_refused():
    """A symbolic link (anywhere) that leads to /dev/stdout is a device too: the rename would replace it."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        link = Path(d) / "out.html"
        link.symlink_to("/dev/stdout")
        with pytest.raises(UserError, match="not a regular file"):
            plan_outputs({"-o": str(link)})
        assert link.is_symlink()


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
@pytest.mark.parametrize("argv, flag", [(["report", "S.yaml", "-o", "{t}"], "-o"),
                                        (["market", "S.yaml", "--draws", "0", "--csv", "{t}"], "--csv"),
                                        (["bench", "export", "--json", "{t}"], "--json")])
def test_special_files_are_refused_and_kept(work, kind, argv, flag, capsys):
    w, _ = work
    t = w / "target"
    if kind == "fifo":
        os.mkfifo(t)
    elif kind == "folder":
        t.mkdir()
    else:
        try:  # a device node of our own (like /dev/full): a broken guard would replace this one, not the system's
            os.mknod(t, stat.S_IFCHR | 0o666, os.makedev(1, 7))
        except (PermissionError, OSError):
            pytest.skip("cannot make a device node here (not root, or no CAP_MKNOD)")
    mode = os.lstat(t).st_mode
    _refused([a.replace("{t}", str(t)) for a in argv], capsys, flag,
             {"fifo": "FIFO", "folder": "is a folder", "device": "is a device"}[kind])
    assert os.lstat(t).st_mode == mode  # still the FIFO / folder / device it was


# --------------------------------------------------------------------------- '-' and names


def test_dash_is_standard_output_for_the_report(work, capsys):
    w, _ = work
    rc, out, err = _run(["report", "S.yaml", "-o", "-"], capsys)
    assert rc == 0 and out.startswith("<!DOCTYPE html>") and out.rstrip().endswith("</html>")
    assert "wrote standard output" in err and not (w / "-").exists()


def test_dash_is_standard_output_for_export(work, capsys):
    w, _ = work
    rc, out, err = _run(["bench", "export", "--csv", "-"], capsys)
    assert rc == 0 and out.startswith("id,") and not (w / "-").exists()


@pytest.mark.parametrize("argv, flag", [(["report", "S.yaml", "-o", "{name}"], "-o"),
                                        (["market", "S.yaml", "--draws", "0", "--csv", "{name}"], "--csv"),
                                        (["bench", "export", "--json", "{name}"], "--json")])
@pytest.mark.parametrize("name, says", [("a" * 300 + ".html", "too long"), ("no/such/folder/x", "no folder"),
                                        ("S.yaml/x", "not a folder"), ("", "folder")])
def test_impossible_names_are_one_line(work, argv, flag, name, says, capsys):
    w, _ = work
    before = _snapshot(w)
    _refused([a.replace("{name}", name) for a in argv], capsys, flag, says)
    assert _snapshot(w) == before


def test_a_long_name_the_file_system_takes_is_written(work, capsys):
    """The temporary file has a short name of its own, so a name of 250 characters (the old '.NAME.part' went
    over the 255 limit) is written."""
    w, _ = work
    name = "b" * 245 + ".json"
    rc, out, err = _run(["bench", "export", "--json", name], capsys)
    assert rc == 0, err
    assert (w / name).read_text().startswith("[") and not list(w.glob(".artcost-*"))


# --------------------------------------------------------------------------- writing


def test_write_is_atomic_and_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_output(Output("-o", target), b"new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(UserError, match=r"^-o .*report.html: cannot write it: no space left on device$"):
        write_output(Output("-o", target), b"newer")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_writing_through_a_symlink_keeps_the_link(tmp_path):
    real = tmp_path / "real.html"
    real.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    write_output(Output("-o", link), b"new")
    assert link.is_symlink() and real.read_text() == "new"


def test_protected_entries_match_by_identity(tmp_path):
    db = tmp_path / "results.sqlite"
    db.write_text("db")
    for target in (db, tmp_path / "." / "results.sqlite", Path(f"{db}-wal")):
        with pytest.raises(UserError, match="results database"):
            plan_outputs({"--json": target}, database_files(db))
    plan_outputs({"--json": tmp_path / "other.json"}, [*database_files(db), Protected(tmp_path / "x", "x")])


def test_every_writer_goes_through_the_guard():
    """No module under src/, bench/, model/ or dashboard/ writes a user-named file by itself: the writers left
    are the guard, the maintenance scripts (flops table, GPU check report) and temporary files."""
    import re

    allowed = {"src/artcost/outputs.py", "bench/flops.py", "bench/gpu_check.py", "bench/store.py",
               "dashboard/report.py"}
    found = []
    for folder in ("src", "bench", "model", "dashboard"):
        for path in (REPO / folder).rglob("*.py"):
            rel = str(path.relative_to(REPO))
            text = path.read_text()
            if re.search(r"(?<!plan)\.write_text\(|\.write_bytes\(|open\([^)]*['\"][wax]b?['\"]|\.to_csv\((?!index)", text) and rel not in allowed:
                found.append(rel)
    assert not found, found
