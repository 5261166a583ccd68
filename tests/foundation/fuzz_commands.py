"""Command-line fuzz cases (issue #24): where a command writes, and what a damaged results database holds.

The scenario fuzz (`fuzz_cases`) feeds malformed files to the loader; these cases run whole commands
in-process (`artcost.cli.main`) in a fresh folder each and check what they did to the files around them:

- ``output_target``: every option that writes a file (`report -o/--presenter/--pdf`, `market --csv`,
  `bench export --json/--csv`, `bench --json-out`) pointed at the command's own input, an `extends:` parent,
  a link to either, the results database or one of its side files, a folder, a FIFO, a device node, a link
  to a device, a name too long or impossible, the same file as another output, or a plain new file and '-'.
  Refused: exit 2, one `error:` line naming the option, and every file there unchanged. Accepted (a plain
  file, '-'): exit 0 and the protected files unchanged.
- ``damaged_rows``: a results database with two good records and one damaged `record_json` row, read by
  `bench list`, `bench list --json`, `bench export`, `bench show ID|latest`, `cost --from-bench ID|latest`.
  A listing command lists the good rows and names the bad one in a warning (exit 0, counted as accepted); a
  command asked for the bad row refuses in one line (exit 2).

Devices are nodes made in the case's own folder (`os.mknod`, as root) and links to /dev/stdout and /dev/full
there: a guard that failed would replace the case's own file, never the machine's /dev.

    .venv/bin/python tests/foundation/fuzz_commands.py            # the per-class table
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import stat
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
REFUSED, ACCEPTED = "refused", "accepted"
TINY_BENCH = ["bench", "--arch", "tiny", "--device", "cpu", "--steps", "1", "--min-runs", "1", "--min-seconds", "0",
              "--idle-seconds", "0", "--gemm-seconds", "0", "--warmup-runs", "0"]


class CommandCase(NamedTuple):
    name: str
    cls: str
    argv: tuple[str, ...]  # {S} scenario, {C} child, {T} target, {DB} database, {W} the case folder
    target: str  # how the target is made: a key of TARGETS (output_target) or a damaged payload (damaged_rows)
    expect: str  # REFUSED or ACCEPTED
    flag: str = ""  # the option the refusal must name
    bad_id: int = 0  # damaged_rows: the damaged row's id
    heavy: bool = False  # runs a simulation or a benchmark (seconds each): the standalone table only


# --------------------------------------------------------------------------- the folder of one case


def _record(blob: str):
    from artcost.bench.record import BenchRecord

    return BenchRecord(created_at="2026-11-25T00:00:00+00:00", config={"arch": "tiny"}, environment={"blob": blob},
                       weights_label="synthetic-weights", summary={"seconds_per_image": 1.0})


def _mknod(path: Path, minor: int) -> str:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))  # /dev/null is 1,3; /dev/full is 1,7
        return str(path)
    except OSError:  # not root: a FIFO stands in (also not a regular file)
        os.mkfifo(path)
        return str(path)


def _target(w: Path, kind: str) -> str:
    """Make the target `kind` in folder `w` (which holds S.yaml, C.yaml and data/results.sqlite); its name."""
    db = w / "data" / "results.sqlite"
    simple = {"scenario": "S.yaml", "parent": "S.yaml", "db": str(db), "db-wal": f"{db}-wal", "db-shm": f"{db}-shm",
              "db-journal": f"{db}-journal", "new file": "out.file", "dash": "-", "long 300": "a" * 300 + ".out",
              "long 250": "b" * 245 + ".out", "no folder": "no/such/folder/out", "under a file": "S.yaml/out",
              "empty name": "", "dot": ".", "existing file": "old.file"}
    if kind in simple:
        if kind == "existing file":
            (w / "old.file").write_text("old")
        return simple[kind]
    if kind == "symlink to scenario":
        (w / "L.yaml").symlink_to("S.yaml")
        return "L.yaml"
    if kind == "hard link to scenario":
        os.link(w / "S.yaml", w / "H.yaml")
        return "H.yaml"
    if kind == "other spelling of scenario":
        return f"../{w.name}/./S.yaml"
    if kind == "symlink to db":
        (w / "db-link").symlink_to(db)
        return "db-link"
    if kind == "folder":
        (w / "dir").mkdir()
        return "dir"
    if kind == "fifo":
        os.mkfifo(w / "fifo")
        return "fifo"
    if kind == "device node":
        return _mknod(w / "full", 7)
    if kind == "link to /dev/stdout":
        (w / "stdout-link").symlink_to("/dev/stdout")
        return "stdout-link"
    if kind == "link to /dev/full":
        (w / "full-link").symlink_to("/dev/full")
        return "full-link"
    if kind == "dangling link":
        (w / "dangling").symlink_to(w / "nowhere" / "x")
        return "dangling"
    raise KeyError(kind)


_TEMPLATE: dict[str, Path] = {}


def _template_db() -> Path:
    """A results database with good records 1 and 2, made once per process and copied into each case."""
    if "db" not in _TEMPLATE:
        from artcost.bench.store import ResultStore

        folder = Path(tempfile.mkdtemp(prefix="artcost-fuzz-db-"))
        st = ResultStore(folder / "results.sqlite")
        st.save(_record("one"))
        st.save(_record("two"))
        conn = sqlite3.connect(folder / "results.sqlite")  # checkpointed: the copy is the whole database
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        _TEMPLATE["db"] = folder / "results.sqlite"
    return _TEMPLATE["db"]


def _prepare(w: Path, damaged: object | None) -> Path:
    shutil.copy(SEED, w / "S.yaml")
    (w / "C.yaml").write_text("extends: S.yaml\nmeta:\n  name: child\n")
    (w / "data").mkdir()
    db = w / "data" / "results.sqlite"
    shutil.copy(_template_db(), db)
    if damaged is not None:
        conn = sqlite3.connect(db)
        if isinstance(damaged, tuple):  # bytes stored with the TEXT type
            conn.execute("INSERT INTO bench_records (created_at, record_json) VALUES ('2026-11-26', CAST(? AS TEXT))",
                         (damaged[1],))
        else:
            conn.execute("INSERT INTO bench_records (created_at, record_json) VALUES ('2026-11-26', ?)", (damaged,))
        conn.commit()
        conn.close()
    return db


def _snapshot(w: Path) -> dict[str, str]:
    """Every entry under `w` (not following links) -> its kind and content hash."""
    out = {}
    for p in sorted(w.rglob("*")):
        rel = str(p.relative_to(w))
        st = os.lstat(p)
        if stat.S_ISREG(st.st_mode):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif stat.S_ISLNK(st.st_mode):
            out[rel] = "link:" + os.readlink(p)
        else:
            out[rel] = f"mode:{stat.S_IFMT(st.st_mode):o}"
    return out


# --------------------------------------------------------------------------- the cases

TARGETS_REFUSED = ["scenario", "parent", "symlink to scenario", "hard link to scenario", "other spelling of scenario",
                   "db", "db-wal", "db-shm", "db-journal", "symlink to db", "folder", "fifo", "device node",
                   "link to /dev/stdout", "link to /dev/full", "long 300", "no folder", "under a file", "empty name",
                   "dot", "dangling link"]
TARGETS_ACCEPTED = ["new file", "existing file", "dash", "long 250"]

# option -> (argv with {T}, the scenario it reads: S or C)
WRITERS = {
    "report -o": (["report", "{S}", "-o", "{T}"], "-o"),
    "report --presenter": (["report", "{S}", "-o", "r.html", "--presenter", "{T}"], "--presenter"),
    "report --pdf": (["report", "{S}", "-o", "r.html", "--pdf", "{T}"], "--pdf"),
    "market --csv": (["market", "{S}", "--draws", "0", "--csv", "{T}"], "--csv"),
    "bench export --json": (["bench", "export", "--json", "{T}"], "--json"),
    "bench export --csv": (["bench", "export", "--csv", "{T}"], "--csv"),
    "bench --json-out": ([*TINY_BENCH, "--no-store", "--json-out", "{T}"], "--json-out"),
}
# accepted runs cost a simulation or a benchmark (seconds each): every writer tries a new file and '-';
# the others (an existing file, a long name) on the quick bench export only
SLOW_ACCEPTED = {"report --pdf": ()}


def _output_target_cases() -> list[CommandCase]:
    out = []
    for writer, (argv, flag) in WRITERS.items():
        for kind in TARGETS_REFUSED:
            if kind in ("scenario", "parent", "symlink to scenario", "hard link to scenario",
                        "other spelling of scenario") and writer.startswith("bench"):
                continue  # bench reads no scenario
            a = [x.replace("{S}", "C.yaml" if kind == "parent" else "S.yaml") for x in argv]
            out.append(CommandCase(f"output_target/{writer}/{kind}", "output_target", tuple(a), kind, REFUSED, flag))
        accepted = SLOW_ACCEPTED.get(writer, TARGETS_ACCEPTED if writer.startswith("bench export") else ["new file", "dash"])
        for kind in accepted:
            a = [x.replace("{S}", "S.yaml") for x in argv]
            out.append(CommandCase(f"output_target/{writer}/{kind}", "output_target", tuple(a), kind, ACCEPTED, flag,
                                   heavy=writer.startswith(("report", "bench --json-out"))))
    # two outputs of one command on one file
    for name, argv, flag in [
        ("report -o = --presenter", ["report", "S.yaml", "-o", "x.html", "--presenter", "x.html"], "--presenter"),
        ("report -o = --pdf (other spelling)", ["report", "S.yaml", "-o", "x.html", "--pdf", "./x.html"], "--pdf"),
        ("report -o - with --json", ["report", "S.yaml", "-o", "-", "--json"], "-o"),
        ("export --csv = --json", ["bench", "export", "--csv", "x.out", "--json", "x.out"], "--json"),
        ("export --csv - --json -", ["bench", "export", "--csv", "-", "--json", "-"], "--json"),
        ("market --csv - with --json", ["market", "S.yaml", "--draws", "0", "--csv", "-", "--json"], "--csv"),
    ]:
        out.append(CommandCase(f"output_target/same file/{name}", "output_target", tuple(argv), "none", REFUSED, flag))
    return out


#: damaged `record_json` payloads: (name, value)
DAMAGED = [
    ("not json", "{not json"), ("empty object", "{}"), ("empty text", ""), ("null", "null"), ("list", "[1, 2]"),
    ("number", 7), ("float", 1.5), ("blob", b"\x00\xff\xfe"), ("bad utf-8 text", None),
    ("deep nesting", "[" * 5000 + "]" * 5000), ("truncated record", None),
    ("wrong types", json.dumps({"created_at": 5, "config": "x", "environment": [], "weights_label": None})),
    ("string summary", None), ("presets not a list", None), ("preset without summary", None),
    ("NaN figure", None), ("huge int", None), ("control chars", None),
]


def _damaged_value(name: str, value: object) -> object:
    base = json.loads(_record("bad").model_dump_json())
    if name == "truncated record":
        return _record("bad").model_dump_json()[:60]
    if name == "string summary":
        return json.dumps({**base, "summary": "fast"})
    if name == "presets not a list":
        return json.dumps({**base, "presets": {"stock": 1}})
    if name == "preset without summary":
        return json.dumps({**base, "presets": [{"name": "stock", "status": "ok"}]})
    if name == "NaN figure":
        return json.dumps({**base, "summary": {"seconds_per_image": float("nan")}})
    if name == "huge int":
        return json.dumps({**base, "summary": {"seconds_per_image": 10**400}})
    if name == "control chars":
        return json.dumps({**base, "weights_label": "w\x1b[31mred\n[bold]x[/]"})
    if name == "bad utf-8 text":  # stored as TEXT that is not UTF-8 (CAST in `_prepare`)
        return ("text", b'{"created_at": "caf\xe9"}')
    return value


READERS = {
    "bench list": (["bench", "list"], ACCEPTED),
    "bench list --json": (["bench", "list", "--json"], ACCEPTED),
    "bench export": (["bench", "export", "--json", "-"], ACCEPTED),
    "bench show ID": (["bench", "show", "3"], REFUSED),
    "bench show latest": (["bench", "show", "latest"], REFUSED),
    "cost --from-bench ID": (["cost", "S.yaml", "--from-bench", "3"], REFUSED),
    "cost --from-bench latest": (["cost", "S.yaml", "--from-bench", "latest"], REFUSED),
}


#: rows that are not damaged: a text field with a terminal escape, a line break and console markup (nothing of it
#: may reach the terminal as an escape or as markup), a preset without its figures (a record from before they
#: existed: shown as not measured). Every reader accepts them.
HOSTILE_TEXT = {"control chars", "preset without summary"}


def _damaged_row_cases() -> list[CommandCase]:
    # (cost refuses a tiny record for an sd15 scenario, hostile or not: a refusal like any other)
    return [CommandCase(f"damaged_rows/{reader}/{name}", "damaged_rows", tuple(argv), name,
                        ACCEPTED if name in HOSTILE_TEXT and not reader.startswith("cost") else expect, bad_id=3)
            for name, _ in DAMAGED for reader, (argv, expect) in READERS.items()]


def command_cases() -> tuple[CommandCase, ...]:
    return tuple(_output_target_cases() + _damaged_row_cases())


# --------------------------------------------------------------------------- running one


@dataclass
class CommandOutcome:
    status: str  # refused (exit 2), accepted (exit 0), crash (a traceback, another exit code, an exception),
    # killed (still running after HARD_SECONDS: a write into a FIFO with no reader waits for ever)
    rc: int | None = None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)


HARD_SECONDS = float(os.environ.get("ARTCOST_FUZZ_CMD_SECONDS", "120"))  # a case still running after this is stopped and counted as killed (a write into a FIFO hangs)


class _HardTimeout(BaseException):
    """Raised by the alarm: a BaseException, so no `except Exception` in the code under test swallows it."""


def _run_cli(argv: list[str]) -> tuple[int | None, str, str, str]:
    import signal
    import threading

    from artcost.cli import main

    out, err = io.StringIO(), io.StringIO()
    crash = ""
    alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if alarm:
        def _stop(signum, frame):
            raise _HardTimeout()
        old = signal.signal(signal.SIGALRM, _stop)
        signal.setitimer(signal.ITIMER_REAL, HARD_SECONDS)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(argv)
        except SystemExit as exc:
            rc = int(exc.code or 0)
        except _HardTimeout:
            rc, crash = None, f"killed: still running after {HARD_SECONDS:g} s"
        except BaseException as exc:  # noqa: BLE001 - the point is to see it
            rc, crash = None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
        finally:
            if alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
    return rc, out.getvalue(), err.getvalue(), crash


def run_command_case(case: CommandCase, folder: Path) -> CommandOutcome:
    w = folder / "w"
    if w.exists() or w.is_symlink():
        shutil.rmtree(w)
    w.mkdir()
    damaged = _damaged_value(case.target, dict(DAMAGED)[case.target]) if case.cls == "damaged_rows" else None
    db = _prepare(w, damaged)
    target = _target(w, case.target) if case.cls == "output_target" and case.target != "none" else ""
    argv = [a.replace("{T}", target) for a in case.argv]
    before = _snapshot(w)
    cwd = os.getcwd()
    env = os.environ.get("ARTCOST_DATA")
    os.environ["ARTCOST_DATA"] = str(db.parent)
    os.chdir(w)
    t0 = time.perf_counter()
    try:
        rc, out, err, crash = _run_cli(argv)
    finally:
        os.chdir(cwd)
        if env is None:
            os.environ.pop("ARTCOST_DATA", None)
        else:
            os.environ["ARTCOST_DATA"] = env
    seconds = time.perf_counter() - t0
    after = _snapshot(w)
    status = ("killed" if crash.startswith("killed") else "crash" if crash or rc not in (0, 2) or "Traceback" in err + out
              else REFUSED if rc == 2 else ACCEPTED)
    o = CommandOutcome(status, rc, out, err, seconds)
    bad = o.violations
    if crash:
        bad.append(f"raised {crash}")
    elif status == "crash":
        bad.append(f"exit {rc} or a traceback: {err[-300:]!r}")
    if status not in ("crash", "killed") and status != case.expect:
        bad.append(f"{status} (exit {rc}), expected {case.expect}: {err.strip()[:300]!r}")
    errors = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    if status == REFUSED:
        if len(errors) != 1 or len([ln for ln in err.splitlines() if ln.strip()]) != 1:
            bad.append(f"{len(errors)} error lines, {len(err.splitlines())} lines on stderr (one expected): {err[:300]!r}")
    if case.cls == "output_target":
        if status == REFUSED and errors and not errors[0].startswith(f"error: {case.flag} "):
            bad.append(f"the error does not name {case.flag}: {errors[0][:200]!r}")
        protected = {k: v for k, v in before.items() if not k.startswith("r.html")}
        changed = sorted(k for k in protected if after.get(k) != protected[k])
        if status == REFUSED:
            changed += sorted(k for k in after if k not in before)  # nothing written at all
        elif case.target in ("new file", "existing file", "long 250"):
            if not (w / target).is_file():
                bad.append(f"accepted, but {target[:40]} was not written")
            changed = [k for k in changed if k != target]
        if changed:
            bad.append(f"changed or created: {', '.join(c[:60] for c in changed[:5])}")
        if case.target == "dash" and status == ACCEPTED and (w / "-").exists():
            bad.append("wrote a file named '-'")
    elif case.target in HOSTILE_TEXT:
        if "\x1b" in out + err:
            bad.append("a terminal escape from the row reached the terminal")
        if (case.target == "control chars" and case.expect == ACCEPTED and "[bold]" not in out
                and "--json" not in case.name and "export" not in case.name):
            bad.append("the row's '[bold]' was applied as console markup, not shown as typed")
        if after != before:
            bad.append("the database changed")
    else:  # damaged_rows
        if status == ACCEPTED:
            named = [ln for ln in err.splitlines() if ln.startswith("warning: ") and f"bench record {case.bad_id}" in ln]
            if not named:
                bad.append(f"the damaged row {case.bad_id} is not named in a warning: {err[:200]!r}")
            if "one" not in out and '"id": 1' not in out and "synthetic-weights" not in out:
                bad.append("the good records are not listed")
        if status == REFUSED and errors and f"bench record {case.bad_id}" not in errors[0]:
            bad.append(f"the refusal does not name bench record {case.bad_id}: {errors[0][:200]!r}")
        if after != before:
            bad.append("the database changed")
    return o


# --------------------------------------------------------------------------- table


def table(results: dict[str, tuple[str, str, bool]]) -> list[str]:
    rows: dict[str, Counter] = defaultdict(Counter)
    for cls, status, ok in results.values():
        rows[cls]["cases"] += 1
        rows[cls][status] += 1
        rows[cls]["ok" if ok else "violations"] += 1
    lines = [f"  {'class':18} {'cases':>5} {'refused':>7} {'accepted':>8} {'crash':>5} {'killed':>6} {'violate':>7}"]
    for cls, r in rows.items():
        lines.append(f"  {cls:18} {r['cases']:5} {r['refused']:7} {r['accepted']:8} {r['crash']:5} {r['killed']:6} "
                     f"{r['violations']:7}")
    return lines


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--match", help="only cases whose name contains this")
    ap.add_argument("--failures", type=int, default=3, help="failing cases shown per class")
    args = ap.parse_args(argv)
    results: dict[str, tuple[str, str, bool]] = {}
    failing: dict[str, list[str]] = defaultdict(list)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="artcost-fuzz-cmd-") as tmp:
        for case in command_cases():
            if args.match and args.match not in case.name:
                continue
            o = run_command_case(case, Path(tmp))
            results[case.name] = (case.cls, o.status, not o.violations)
            if o.violations:
                failing[case.cls].append(f"{case.name}: {o.violations[0]}")
    print("\n".join(table(results)))
    print(f"\n{time.perf_counter() - t0:.0f} s for {len(results)} cases")
    for cls, items in failing.items():
        print(f"\n[{cls}] {len(items)} failing")
        for line in items[: args.failures]:
            print(f"  {line}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
