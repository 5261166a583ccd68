"""The bad-input contract over about 3,600 malformed scenarios and command lines (issues #13, #24: the fuzz suite).

Every case from `fuzz_cases.cases()` runs in-process through `load_scenario` (a file
`case.yaml` next to the helper files it may extend, so `extends:` resolves as `artcost validate`
does) and must keep the contract: a `UserError` and nothing else, at most 21 lines, each naming
the file, no line quoting a file that is not a scenario, within CASE_SECONDS; a case that may be
accepted must give finite, non-negative figures that JSON can hold.  The command-line classes
(command_line_numbers, zero_cost) run `artcost.cli.main` in-process: a one-line refusal naming the flag,
the --set or the file, or an answer with no nan, inf or warning (`fuzz_cases.cli_violations`).  A few cases go through the
real command line in subprocesses; a hypothesis property checks valid perturbations of the
shipped scenarios.  At the end of the module a table of cases per class and outcome is printed
(`python tests/foundation/fuzz_cases.py --summary` prints the same without pytest).
"""

from __future__ import annotations

import copy
import os
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
import fuzz_cases as fc

from artcost.errors import UserError

CASES = fc.cases()
_RESULTS: dict[str, tuple[str, str, bool]] = {}  # case name -> (class, outcome, kept the contract)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """One folder for every in-process case: the helper files are written once, case.yaml each time."""
    path = tmp_path_factory.mktemp("fuzz")
    fc.prepare(path)
    return path


@pytest.fixture(scope="module", autouse=True)
def _summary(request):
    """After the module: cases per class and outcome, the figures the issue note needs."""
    yield
    if not _RESULTS:
        return
    rows: dict[str, Counter] = defaultdict(Counter)
    for cls, outcome, ok in _RESULTS.values():
        rows[cls]["cases"] += 1
        rows[cls][outcome] += 1
        rows[cls]["ok" if ok else "violations"] += 1
    lines = [f"fuzz cases per class ({len(_RESULTS)} run):",
             f"  {'class':18} {'cases':>5} {'refused':>7} {'accepted':>8} {'crash':>5} {'killed':>6} {'violate':>7}"]
    total: Counter = Counter()
    for cls, r in rows.items():
        total.update(r)
        lines.append(f"  {cls:18} {r['cases']:5} {r['refused']:7} {r['accepted']:8} {r['crash']:5} {r['killed']:6} {r['violations']:7}")
    lines.append(f"  {'total':18} {total['cases']:5} {total['refused']:7} {total['accepted']:8} {total['crash']:5} {total['killed']:6} {total['violations']:7}")
    capman = request.config.pluginmanager.getplugin("capturemanager")
    if capman is not None:
        with capman.global_and_fixture_disabled():
            print("\n" + "\n".join(lines))
    else:
        print("\n" + "\n".join(lines))


# --------------------------------------------------------------------------- the generator itself


def test_generator_covers_every_class():
    names = [c.name for c in CASES]
    assert len(CASES) >= 1500
    assert len(set(names)) == len(names)
    counts = Counter(c.cls for c in CASES)
    for cls in ("missing_required", "wrong_type", "quoted_number", "bool_as_number", "negative", "non_finite", "huge",
                "tiny", "unknown_field", "bad_distribution", "yaml_alias", "yaml_tag", "deep_nesting", "big_input",
                "encoding", "duplicate_key", "extends", "cross_field", "syntax", "line_break", "yaml_numbers", "control",
                "command_line_numbers", "zero_cost"):
        assert counts[cls] >= 5, (cls, counts[cls])
    assert {c.expect for c in CASES} == {fc.REFUSED, fc.EITHER}
    # the command-line classes (issue #24) run their command line: every command, flag and ranged value
    cli = [c for c in CASES if c.argv]
    assert {c.cls for c in cli} == {"command_line_numbers", "zero_cost"}
    assert set(fc.CLI_COMMANDS) <= {c.name.split("/")[3] for c in cli if c.name.startswith("zero_cost/all-zero/")}
    assert {"--set", "--currency", "--range", "--grid-range", "--draws", "--sobol-n", "--jobs-per-month",
            "--horizon-months", "--finals", "--jobs", "--steps", "--resolution"} <= {a for c in cli for a in c.argv}
    assert sum(c.heavy for c in CASES) <= 6  # the big inputs stay few: CI runs this suite in well under a minute
    # wrong types at every numeric field of the schema, for each of the five kinds
    plan = fc.Plan(random.Random(0))
    for path in plan.paths:
        for typ in ("text", "list", "bool", "null", "mapping"):
            assert any(c.name.startswith(f"wrong_type/{typ}/") and c.name.endswith("/" + fc.dotted(path)) for c in CASES), (typ, path)


def test_generator_is_deterministic():
    fc.cases.cache_clear()
    again = fc.cases()
    assert [(c.name, c.data, c.expect) for c in again] == [(c.name, c.data, c.expect) for c in CASES]


def test_controls_are_accepted(folder):
    """The unmutated shipped scenarios load: every mutation starts from a valid scenario."""
    for case in (c for c in CASES if c.cls == "control"):
        out, _ = fc.run_case(case, folder)
        assert out.status == "accepted", (case.name, out.problems[:3], out.error)
        assert not out.figure_issues, (case.name, out.figure_issues)


# --------------------------------------------------------------------------- every case, in-process


def _chunks(size: int = 40) -> list[tuple[str, tuple[fc.Case, ...]]]:
    """Cases in chunks of one class: one pytest item per chunk (an item per case would double the run time
    in pytest's per-test overhead); a failing chunk lists every failing case in it."""
    by_cls: dict[str, list[fc.Case]] = defaultdict(list)
    for c in CASES:
        by_cls[c.cls].append(c)
    out = []
    for cls, items in by_cls.items():
        for i in range(0, len(items), size):
            out.append((f"{cls}-{i // size:02d}", tuple(items[i : i + size])))
    return out


CHUNKS = _chunks()


@pytest.mark.parametrize("chunk", [c for _, c in CHUNKS], ids=[name for name, _ in CHUNKS])
def test_cases_keep_the_contract(chunk: tuple[fc.Case, ...], folder: Path):
    failures = []
    for case in chunk:
        out, path = fc.run_case(case, folder)
        bad = fc.violations(case, out, str(path))
        _RESULTS[case.name] = (case.cls, out.status, not bad)
        if bad:
            failures.append(
                f"{case.name} (expect {case.expect}) -> {out.status} in {out.seconds:.2f} s\n"
                + "\n".join(f"  - {b}" for b in bad)
                + ("\n  problems:\n" + "\n".join(f"    {p}" for p in out.problems[:5]) if out.problems else "")
            )
    assert not failures, (
        f"{len(failures)} of {len(chunk)} cases break the contract "
        "(repeat one: python tests/foundation/fuzz_cases.py --summary --failures 9 --match NAME):\n\n" + "\n\n".join(failures)
    )


# --------------------------------------------------------------------------- whole commands (issue #24)

import fuzz_commands as fcmd  # noqa: E402

COMMAND_CASES = [c for c in fcmd.command_cases() if not c.heavy]  # heavy: `python fuzz_commands.py` runs them too


def _command_chunks(size: int = 30) -> list[tuple[str, tuple]]:
    by_cls: dict[str, list] = defaultdict(list)
    for c in COMMAND_CASES:
        by_cls[c.cls].append(c)
    return [(f"{cls}-{i // size:02d}", tuple(items[i : i + size])) for cls, items in by_cls.items()
            for i in range(0, len(items), size)]


@pytest.mark.parametrize("chunk", [c for _, c in _command_chunks()], ids=[n for n, _ in _command_chunks()])
def test_command_cases_keep_the_contract(chunk, tmp_path):
    """Output targets (the command's inputs, the results database, devices, FIFOs, impossible names, two outputs
    on one file) and damaged `record_json` rows, through `artcost.cli.main` in a folder of their own."""
    failures = []
    for case in chunk:
        out = fcmd.run_command_case(case, tmp_path)
        _RESULTS[case.name] = (case.cls, out.status, not out.violations)
        if out.violations:
            failures.append(f"{case.name} -> {out.status} (exit {out.rc}): " + "; ".join(out.violations[:3]))
    assert not failures, f"{len(failures)} of {len(chunk)} cases break the contract:\n" + "\n".join(failures)


# --------------------------------------------------------------------------- the real command line

# one case of most classes; each must be refused on its own (validate reports every file's problems)
CLI_SAMPLE = [
    "missing_required/seed/human.wage_per_hour",
    "wrong_type/text/studio/compute.cloud.price_per_gpu_hour",
    "quoted_number/brief/seed/human.wage_per_hour",
    "non_finite/value/",
    "bad_distribution/lognormal-mu-1000/seed/human.wage_per_hour",
    "deep_nesting/flow-seq-600",
    "encoding/utf-16-le-bom",
    "yaml_tag/00/",
    "extends/etc-passwd/bare",
    "duplicate_key/flow/seed/human.wage_per_hour",
    "cross_field/seed/finals_needed=1e9",
]


def _pick(prefix: str) -> fc.Case:
    return next(c for c in CASES if c.name.startswith(prefix))


def _cli(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "artcost.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, encoding="utf-8", errors="replace", env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_cli_sample_exits_2_without_traceback(tmp_path):
    """~12 cases through `python -m artcost.cli`: three processes started together (each costs ~2 s of imports)."""
    files = []
    for i, prefix in enumerate(CLI_SAMPLE):
        case = _pick(prefix)
        assert case.expect == fc.REFUSED, case.name
        files.append(fc.write_case(case, tmp_path / f"s{i}"))
    big = fc.write_case(_pick("big_input/top-level-keys-80k"), tmp_path / "big")
    many = tmp_path / "many" / "many.yaml"  # 500 problems: the CLI prints 20 and says how many more
    many.parent.mkdir()
    d = copy.deepcopy(fc.bases()["studio"])
    d["human"] = {f"wage_{i:04d}": 1 for i in range(500)}
    many.write_text(fc.dump(d), encoding="utf-8")
    t0 = time.perf_counter()
    procs = {"validate": _cli(["validate", *map(str, files)]), "big": _cli(["cost", str(big)]), "many": _cli(["cost", str(many), "--json"])}
    outs = {k: p.communicate(timeout=120) for k, p in procs.items()}
    seconds = time.perf_counter() - t0
    for key, (stdout, stderr) in outs.items():
        assert procs[key].returncode == 2, (key, procs[key].returncode, stderr[-2000:])
        assert "Traceback" not in stderr and "Traceback" not in stdout, (key, stderr[-3000:])
        errors = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("warning: ")]
        assert errors, key
        assert len(errors) <= fc.MAX_LINES, (key, len(errors), errors[:3])
        for ln in errors:
            assert ln.startswith("error: "), (key, ln)
    stderr = outs["validate"][1]
    for f in files:  # every sampled file is refused, and named
        assert f"error: {f}" in stderr, (f, stderr[-3000:])
    lines = [ln for ln in outs["many"][1].splitlines() if ln.startswith("error: ")]
    assert len(lines) == fc.MAX_LINES and fc.MORE_LINE.match(lines[-1].removeprefix("error: ")), lines[-2:]
    assert seconds < 90


# --------------------------------------------------------------------------- property: valid perturbations


def _field_adapters() -> dict[tuple[str, tuple], Any]:
    """A pydantic TypeAdapter per (base, numeric field), with the field's own bounds."""
    from artcost.model.schema import Scenario
    from pydantic import TypeAdapter

    out = {}
    for short in fc.COST_BASES:
        base = fc.bases()[short]
        for what, path, f in fc.schema_walk(Scenario, (), base):
            if what == "quantity" and fc.has_path(base, path[:-1]):
                ann = Annotated[(f.annotation, *f.metadata)] if f.metadata else f.annotation
                out[short, path] = TypeAdapter(ann)
    return out


ADAPTERS = _field_adapters()


def _accepts(short: str, path: tuple, value: Any) -> bool:
    try:
        return ADAPTERS[short, path].validate_python(value) is not None
    except Exception:  # noqa: BLE001 - refused by the field's own rules: not a valid perturbation
        return False


@st.composite
def _perturbed_field(draw, short: str, path: tuple) -> Any:
    base = fc.bases()[short]
    v0 = abs(fc.central(fc.get_path(base, path))) if fc.has_path(base, path) else 1.0
    v0 = v0 or 1.0
    scale = st.floats(-3, 3).map(lambda e: v0 * 10**e)
    number = st.one_of(scale, st.sampled_from([0.0, 1.0, 0.5, 1e-9, 1e-3, 1e6]), st.floats(0, 1))
    kind = draw(st.sampled_from(["value", "value", "plain", "triangular", "uniform", "pert", "lognormal", "choice", "normal"]))
    if kind == "plain":
        return draw(number)
    if kind == "value":
        return {"value": draw(number), "source": "hypothesis"}
    a, b, c = sorted(draw(st.lists(number, min_size=3, max_size=3)))
    if kind in ("triangular", "pert"):
        if not a < c:
            c = a + 1.0
        return {"dist": kind, "low": a, "mode": min(max(b, a), c), "high": c, "source": "hypothesis"}
    if kind == "uniform":
        return {"dist": "uniform", "low": a, "high": c if c > a else a + 1.0}
    if kind == "normal":
        sd = max(v0 * draw(st.floats(0.01, 1)), 1e-6)
        return {"dist": "normal", "mean": b, "sd": sd, "low": a, "high": c if c > a else a + 1.0}
    if kind == "lognormal":
        median = max(b, 1e-6)
        return {"dist": "lognormal", "median": median, "p90": median * draw(st.floats(1.01, 20))}
    values = draw(st.lists(number, min_size=1, max_size=4))
    weights = draw(st.lists(st.floats(0.05, 1), min_size=len(values), max_size=len(values)))
    total = sum(weights)
    weights = [w / total for w in weights]
    weights[-1] = 1.0 - sum(weights[:-1])
    return {"dist": "choice", "values": values, "weights": weights}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_accepted_perturbations_give_finite_non_negative_figures(data):
    """Shipped scenarios with numeric fields moved within their schema bounds: if the loader accepts
    the result (it may refuse cross-field combinations), every figure is finite and >= 0."""
    from artcost.model.comparison import comparison
    from artcost.model.loader import load_text

    short = data.draw(st.sampled_from(fc.COST_BASES), label="scenario")
    d = copy.deepcopy(fc.bases()[short])
    paths = sorted((p for s, p in ADAPTERS if s == short), key=fc.dotted)
    chosen = data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=10, unique=True), label="fields")
    for path in chosen:
        value = data.draw(_perturbed_field(short, path), label=fc.dotted(path))
        if _accepts(short, path, value):
            fc.set_path(d, path, value)
    text = fc.dump(d)
    try:
        loaded = load_text(text, "perturbed.yaml")
        result = comparison(loaded, None)
    except UserError:
        return  # refused as a whole (cross-field rules): allowed
    issues = fc._figure_issues(result)
    assert not issues, (issues[:5], text)
