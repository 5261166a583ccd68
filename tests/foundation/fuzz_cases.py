"""Malformed scenarios for the bad-input contract (issue #13), derived from the shipped ones.

The contract for bad input: the library raises `artcost.errors.UserError` (the CLI exits 2),
one line per problem, each `FILE[:LINE]: FIELD: what is wrong`, at most 21 lines (twenty, then
"... and N more"), no traceback, bounded time, and no error line ever quoting a line of a file
that is not a scenario.  A scenario that may be accepted must then give finite, non-negative
figures (`artcost.model.comparison.comparison`).

`cases()` builds every case, deterministically (a seeded `random.Random` over the shipped
scenarios in scenarios/*.yaml, loaded with yaml.safe_load, mutated and dumped, plus raw text).
Each case is (name, cls, data, expect): `expect` is REFUSED (must be refused) or EITHER (may be
accepted, but then its figures must be finite and >= 0).  `run_case` runs one through the
library the way `artcost validate` does (a file `case.yaml` in a folder of its own, so
`extends:` resolves next to it); `violations` lists how an outcome breaks the contract.
Two classes (issue #24) are command lines run through `artcost.cli.main` in-process:
`command_line_numbers` (--set values, --currency, every numeric option, break-even ranges) and
`zero_cost` (an AI side that costs or can cost nothing, through every command; degenerate but
allowed scenarios that every command must answer without nan, inf or a warning).

    .venv/bin/python tests/foundation/fuzz_cases.py --summary          # counts per class and outcome
    .venv/bin/python tests/foundation/fuzz_cases.py --summary --failures 3 [--cls extends]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import math
import os
import random
import re
import resource
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, NamedTuple, get_args, get_origin

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIO_DIR = ROOT / "scenarios"
SEED = 13_2024
REFUSED, EITHER = "refused", "either"
CASE_FILE = "case.yaml"
ROOT_TOKEN = "@@ROOT@@"  # replaced by the repository root when a case is written
SECRET = "FUZZSECRET"  # every helper file that is not a scenario carries it; no error line may
MAX_LINES = 21  # twenty problems, then "... and N more"
CASE_SECONDS = 5.0  # the per-case bound, generous for a noisy 2-core machine
HARD_SECONDS = 20  # a case still running after this is stopped and reported (in process)
SANDBOX_SECONDS = 8  # the same for a case run in a forked child (device files, FIFOs, deep nesting)
MORE_LINE = re.compile(r"^\.\.\. and [\d,]+ more")
CASE_TOKEN, OUT_TOKEN = "@@CASE@@", "@@OUT@@"  # a command line case's scenario file and output folder
CLI_HARD_SECONDS = 120  # a command-line case still running after this is stopped and reported (a hang, not speed)
MAX_LINE_CHARS = 600  # a refusal line longer than this carries a whole input back
# what no command may print: a figure that is not finite, or a warning (numpy's, SALib's) on its way out
NOT_A_FIGURE = re.compile(r"\b(nan|inf|-inf|NaN|Infinity)\b|Warning|Traceback")

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Case(NamedTuple):
    name: str
    cls: str
    data: bytes
    expect: str  # REFUSED or EITHER
    heavy: bool = False  # a big input (a few of these only: they cost seconds today)
    sandbox: bool = False  # run in a forked child with memory and time limits (recursion, device files)
    leak_files: tuple[str, ...] = ()  # non-scenario files (ROOT_TOKEN allowed) whose lines no error may quote
    parents: tuple[str, ...] = ()  # `extends:` targets as written: an error line may name one as its FILE
    # A case of the command line (issue #24): `data` is written as case.yaml as for every case, and this
    # command line runs in-process through `artcost.cli.main` (CASE_TOKEN: that file; OUT_TOKEN: a folder for
    # what it writes).  `names`: what every refusal line must say it is about (a flag, the --set, the file).
    argv: tuple[str, ...] = ()
    names: str = ""


# --------------------------------------------------------------------------- shipped scenarios


@cache
def shipped() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SCENARIO_DIR.glob("*.yaml"))}


SHORT = {
    "seed-2022-hobbyist-3060ti": "seed",
    "freelancer-2024-rtx4090": "freelancer",
    "studio-cloud-h100": "studio",
    "subscription-midjourney": "subscription",
}


@cache
def bases() -> dict[str, dict]:
    """The standalone shipped scenarios (no `extends:`), the optional market section left out (it makes
    a case 2.5 times slower to read), and the seed with its market for the market section's fields."""
    out = {}
    for stem, short in SHORT.items():
        d = copy.deepcopy(shipped()[stem])
        d.pop("market", None)
        out[short] = d
    out["seedmarket"] = copy.deepcopy(shipped()["seed-2022-hobbyist-3060ti"])
    return out


COST_BASES = tuple(SHORT.values())


def dump(d: Any) -> str:
    return yaml.dump(d, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)


def render(d: Any, raw: dict[str, str] | None = None) -> bytes:
    """Dump `d`, then put raw YAML text where `d` holds a placeholder (FUZZSLOT<n> / FUZZKEY<n>)."""
    text = dump(d)
    for token, value in (raw or {}).items():
        text, n = re.subn(re.escape(token) + r"\b", lambda _m, v=value: v, text)
        assert n >= 1, (token, text[:200])
    return text.encode("utf-8")


def get_path(d: Any, path: tuple) -> Any:
    for p in path:
        d = d[p]
    return d


def has_path(d: Any, path: tuple) -> bool:
    try:
        get_path(d, path)
        return True
    except (KeyError, IndexError, TypeError):
        return False


def set_path(d: dict, path: tuple, value: Any) -> None:
    for p in path[:-1]:
        d = d.setdefault(p, {})
    d[path[-1]] = value


def del_path(d: dict, path: tuple) -> None:
    get_path(d, path[:-1]).pop(path[-1])


def with_raw(base: dict, path: tuple, raw_value: str) -> bytes:
    """`base` with the field at `path` written as the raw YAML text `raw_value`."""
    short = next((k for k, b in bases().items() if b is base), None)
    if short is None:
        d = copy.deepcopy(base)
        set_path(d, path, "FUZZSLOT0")
        return render(d, {"FUZZSLOT0": raw_value})
    return _template(short, path).replace("FUZZSLOT0", raw_value).encode("utf-8")


@cache
def _template(short: str, path: tuple) -> str:
    """A shipped base dumped once per path, with a placeholder where the field's text goes."""
    d = copy.deepcopy(bases()[short])
    set_path(d, path, "FUZZSLOT0")
    text = dump(d)
    assert text.count("FUZZSLOT0") == 1, (short, path)
    return text


def dotted(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def fmt(x: float) -> str:
    """A number as YAML text that reads back as the same float."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    r = repr(float(x))
    if "e" in r and "." not in r.split("e")[0]:
        r = r.replace("e", ".0e", 1)  # YAML 1.1 needs a dot; the loader reads 1e3 too, but be plain
    return r


# --------------------------------------------------------------------------- the schema's fields


@dataclass(frozen=True)
class NumField:
    path: tuple
    kind: str  # "quantity" or "int"
    optional: bool  # None is allowed (an absent optional figure)
    required: bool


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(get_origin(a) is list for a in get_args(annotation))


def _allows_none(annotation: Any) -> bool:
    return type(None) in get_args(annotation)


def _is_int(annotation: Any) -> bool:
    return annotation is int or (int in get_args(annotation) and float not in get_args(annotation))


def schema_walk(model: Any, prefix: tuple, present: Any) -> Iterable[tuple[str, tuple, Any]]:
    """Yield (what, path, field info) for every field of `model` and of its sub-sections present in `present`:
    what is 'quantity', 'int', 'section' or 'other'."""
    from artcost.model.schema import Quantity, model_class_of

    for name, f in model.model_fields.items():
        path = prefix + (name,)
        ann = f.annotation
        sub = None if _is_list(ann) else model_class_of(ann)
        if sub is Quantity:
            yield "quantity", path, f
        elif sub is not None:
            yield "section", path, f
            if isinstance(present, dict) and isinstance(present.get(name), dict):
                yield from schema_walk(sub, path, present[name])
        elif _is_int(ann):
            yield "int", path, f
        else:
            yield "other", path, f


def num_fields(base: dict) -> list[NumField]:
    from artcost.model.schema import Scenario

    out = []
    for what, path, f in schema_walk(Scenario, (), base):
        if what in ("quantity", "int") and has_path(base, path[:-1]):
            out.append(NumField(path, what, _allows_none(f.annotation), f.is_required()))
    return out


def required_fields(base: dict) -> list[tuple]:
    from artcost.model.schema import Scenario

    return [path for what, path, f in schema_walk(Scenario, (), base) if f.is_required() and has_path(base, path)]


def section_paths(base: dict) -> list[tuple]:
    from artcost.model.schema import Scenario

    return [()] + [path for what, path, f in schema_walk(Scenario, (), base) if what == "section" and has_path(base, path)]


def field_names(base: dict, section: tuple) -> list[str]:
    from artcost.model.schema import Scenario, model_class_of

    cls: Any = Scenario
    for p in section:
        cls = model_class_of(cls.model_fields[p].annotation)
    return list(cls.model_fields)


def central(x: Any) -> float:
    """A representative number of a field as written: the number, its value, or its distribution's centre."""
    if isinstance(x, bool) or x is None:
        return 1.0
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, dict):
        if "value" in x:
            return central(x["value"])
        for k in ("mode", "median", "mean"):
            if k in x:
                return float(x[k])
        if "low" in x and "high" in x:
            return (float(x["low"]) + float(x["high"])) / 2
        if "values" in x:
            return float(x["values"][0])
    return 1.0


class Plan:
    """Per-path base choice: which shipped scenario a mutation of a path starts from."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.by_path: dict[tuple, list[str]] = defaultdict(list)
        self.field: dict[tuple, NumField] = {}
        for short in COST_BASES:
            for nf in num_fields(bases()[short]):
                self.by_path[nf.path].append(short)
                self.field[nf.path] = nf
        for nf in num_fields(bases()["seedmarket"]):
            if nf.path[0] == "market":
                self.by_path[nf.path].append("seedmarket")
                self.field[nf.path] = nf
        self.paths = sorted(self.by_path, key=dotted)
        # (base, path) of every field written as a distribution
        self.dists: list[tuple[str, tuple]] = []
        for short, d in bases().items():
            for nf in num_fields(d):
                if short == "seedmarket" and nf.path[0] != "market":
                    continue
                if has_path(d, nf.path) and isinstance(get_path(d, nf.path), dict) and "dist" in get_path(d, nf.path):
                    self.dists.append((short, nf.path))

    def base_for(self, path: tuple) -> str:
        return self.rng.choice(self.by_path[path])


# --------------------------------------------------------------------------- the cases


def _q(path: tuple) -> str:
    return dotted(path)


def gen_missing_required(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for short, base in bases().items():
        for path in required_fields(base):
            if short == "seedmarket" and path[0] != "market":
                continue
            d = copy.deepcopy(base)
            del_path(d, path)
            yield Case(f"missing_required/{short}/{_q(path)}", "missing_required", render(d), REFUSED)
        if short != "seedmarket":
            d = copy.deepcopy(base)
            kind = next(iter(d["compute"]))
            del d["compute"][kind]
            yield Case(f"missing_required/{short}/compute.{kind}", "missing_required", render(d), REFUSED)
    # a required key of a source entry
    d = copy.deepcopy(bases()["seed"])
    d["meta"]["sources"][0].pop("title")
    yield Case("missing_required/seed/meta.sources.0.title", "missing_required", render(d), REFUSED)


WRONG = {
    "text": ["forty", "'31'", "'31 CNY'", "''", "N/A", "'thirty-one'", '"1,000"', "'0x1F'"],
    "list": ["[1, 2]", "[31]", "[]", "[{value: 3}]", "[[1]]"],
    "bool": ["true", "false", "yes", "no", "on", "off", "True", "Y"],
    "null": ["null", "~", "", "Null"],
    "mapping": ["{}", "{a: 1}", "{value: {value: 3}}", "{value: [1]}", "{source: only a source}",
                "{value: 3, dist: uniform, low: 1, high: 5}", "{value: null}", "{dist: null}"],
}


def gen_wrong_type(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for path in plan.paths:
        nf = plan.field[path]
        short = plan.base_for(path)
        for typ, options in WRONG.items():
            raw = rng.choice(options)
            if typ == "bool" and raw == "Y":
                raw = "yes"  # PyYAML reads Y as text; keep it a boolean
            expect = REFUSED
            if typ == "null" and nf.optional:
                expect = EITHER  # an absent optional figure
            yield Case(f"wrong_type/{typ}/{short}/{_q(path)}", "wrong_type", with_raw(bases()[short], path, raw), expect)
        if nf.kind == "int":
            for raw in ("4.5", "'4'", "1e400", "{value: 4}"):
                yield Case(f"wrong_type/int/{short}/{_q(path)}={raw}", "wrong_type", with_raw(bases()[short], path, raw), REFUSED)
    # text fields with numbers, lists, mappings
    texts = [("meta", "name"), ("meta", "currency"), ("meta", "as_of"), ("meta", "description"),
             ("generation", "arch"), ("generation", "device"), ("artist", "tier")]
    for path in texts:
        short = rng.choice(COST_BASES)
        for raw in ("40", "[a, b]", "{a: 1}", "true"):
            yield Case(f"wrong_type/textfield/{short}/{_q(path)}={raw}", "wrong_type", with_raw(bases()[short], path, raw), REFUSED)
    for raw in ("40", "'just text'", "{a: 1}", "[1, 2]", "[{id: x}]", "[{title: [a]}]"):
        yield Case(f"wrong_type/textfield/seed/meta.sources={raw}", "wrong_type", with_raw(bases()["seed"], ("meta", "sources"), raw), REFUSED)
    for raw in ("'yesterday'", "2022-13-01", "'2022-02-30'", "1e9", "-1", ".nan"):
        yield Case(f"wrong_type/date/meta.as_of={raw}", "wrong_type", with_raw(bases()["studio"], ("meta", "as_of"), raw), REFUSED)
    for path in (("market", "start"), ("market", "end"), ("market", "release")):
        for raw in ("2022", "'2022-13'", "[2022, 10]", "true", "2022-10-40"):
            yield Case(f"wrong_type/month/{_q(path)}={raw}", "wrong_type", with_raw(bases()["seedmarket"], path, raw), REFUSED)
    for section in ("meta", "job", "generation", "compute", "human", "artist"):
        short = rng.choice(COST_BASES)
        for raw in ("42", "[a, b]", "'text'", "true"):
            yield Case(f"wrong_type/section/{short}/{section}={raw}", "wrong_type", with_raw(bases()[short], (section,), raw), REFUSED)


def gen_quoted_number(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for path in plan.paths:
        nf = plan.field[path]
        short = plan.base_for(path)
        base = bases()[short]
        v = central(get_path(base, path)) if has_path(base, path) else 1.0
        q = rng.choice(["'{}'", '"{}"'])
        text = fmt(v if nf.kind == "quantity" else int(v) or 1)
        yield Case(f"quoted_number/{short}/{_q(path)}", "quoted_number", with_raw(base, path, q.format(text)), REFUSED)
        if nf.kind == "quantity":
            yield Case(f"quoted_number/value/{short}/{_q(path)}", "quoted_number",
                       with_raw(base, path, "{value: " + q.format(text) + ", source: quoted}"), REFUSED)
    for short, path in plan.dists:
        base = bases()[short]
        spec = dict(get_path(base, path))
        params = [k for k, v in spec.items() if k not in ("dist", "source") and isinstance(v, (int, float))]
        if not params:
            continue
        k = rng.choice(params)
        spec[k] = "FUZZSLOT1"
        d = copy.deepcopy(base)
        set_path(d, path, spec)
        yield Case(f"quoted_number/dist/{short}/{_q(path)}.{k}", "quoted_number",
                   render(d, {"FUZZSLOT1": rng.choice(["'{}'", '"{}"']).format(fmt(float(get_path(base, path)[k])))}), REFUSED)
        if spec["dist"] == "choice":
            d = copy.deepcopy(base)
            s = dict(get_path(base, path))
            s["values"] = [str(v) for v in s["values"]]
            set_path(d, path, s)
            yield Case(f"quoted_number/choice-values/{short}/{_q(path)}", "quoted_number", render(d), REFUSED)
    brief = "{dist: triangular, low: true, mode: '40', high: 50}"
    for short in COST_BASES:
        yield Case(f"quoted_number/brief/{short}/human.wage_per_hour", "quoted_number",
                   with_raw(bases()[short], ("human", "wage_per_hour"), brief), REFUSED)
        yield Case(f"quoted_number/brief/{short}/generation.resolution_px", "quoted_number",
                   with_raw(bases()[short], ("generation", "resolution_px"), "'40'"), REFUSED)
    yield Case("quoted_number/exponent/seed/generation.candidates_per_job", "quoted_number",
               with_raw(bases()["seed"], ("generation", "candidates_per_job"), "'1e3'"), REFUSED)


def gen_bool_as_number(rng: random.Random, plan: Plan) -> Iterable[Case]:
    bools = ["true", "false", "yes", "on", "off", "no", "True", "FALSE"]
    for path in plan.paths:
        nf = plan.field[path]
        short = plan.base_for(path)
        raw = rng.choice(bools)
        if nf.kind == "quantity":
            raw = "{value: " + raw + ", source: a boolean}"
        yield Case(f"bool_as_number/{short}/{_q(path)}", "bool_as_number", with_raw(bases()[short], path, raw), REFUSED)
    for short, path in plan.dists:
        base = bases()[short]
        spec = dict(get_path(base, path))
        params = [k for k, v in spec.items() if k not in ("dist", "source") and isinstance(v, (int, float))]
        if not params:
            continue
        k = rng.choice(params)
        spec[k] = "FUZZSLOT1"
        d = copy.deepcopy(base)
        set_path(d, path, spec)
        yield Case(f"bool_as_number/dist/{short}/{_q(path)}.{k}", "bool_as_number",
                   render(d, {"FUZZSLOT1": rng.choice(bools)}), REFUSED)
        if spec["dist"] == "choice":
            s = dict(get_path(base, path))
            s["values"] = [True] + list(s["values"][1:])
            d = copy.deepcopy(base)
            set_path(d, path, s)
            yield Case(f"bool_as_number/choice-values/{short}/{_q(path)}", "bool_as_number", render(d), REFUSED)


def _dist_shifted(spec: dict, rng: random.Random) -> dict:
    """The distribution moved so that it can produce negative values."""
    s = dict(spec)
    kind = s["dist"]
    if kind in ("uniform", "triangular", "pert"):
        width = float(s["high"]) - float(s["low"])
        s["low"] = -abs(width) - 1
    elif kind == "choice":
        s["values"] = [-abs(float(v)) - 1 for v in s["values"]]
    elif kind == "normal":
        s["low"] = -1.0
    elif kind == "fixed":
        s["value"] = -abs(float(s["value"])) - 1
    elif kind == "lognormal":
        s = {"dist": "normal", "mean": 1.0, "sd": 2.0, "source": s.get("source", "")}
    return s


def gen_negative(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for path in plan.paths:
        nf = plan.field[path]
        short = plan.base_for(path)
        base = bases()[short]
        v = abs(central(get_path(base, path))) if has_path(base, path) else 1.0
        v = v or 1.0
        if nf.kind == "int":
            for raw in ("-1", "0", "-512"):
                yield Case(f"negative/{short}/{_q(path)}={raw}", "negative", with_raw(base, path, raw), REFUSED)
            continue
        yield Case(f"negative/{short}/{_q(path)}", "negative", with_raw(base, path, fmt(-v)), REFUSED)
        yield Case(f"negative/value/{short}/{_q(path)}", "negative",
                   with_raw(base, path, "{value: " + fmt(-v) + ", source: negative}"), REFUSED)
    for short, path in plan.dists:
        base = bases()[short]
        d = copy.deepcopy(base)
        set_path(d, path, _dist_shifted(get_path(base, path), rng))
        yield Case(f"negative/dist/{short}/{_q(path)}", "negative", render(d), REFUSED)
    for short in COST_BASES:  # negative zero is zero
        yield Case(f"negative/zero/{short}/human.learning_hours", "negative",
                   with_raw(bases()[short], ("human", "learning_hours"), "-0.0"), EITHER)


NONFINITE = [".nan", ".inf", "-.inf", ".NaN", ".Inf", "-.INF", "+.inf"]


def gen_non_finite(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for i, path in enumerate(plan.paths):
        short = plan.base_for(path)
        base = bases()[short]
        for raw in (".nan", rng.choice([".inf", ".Inf", "+.inf"]), rng.choice(["-.inf", "-.INF"])):
            yield Case(f"non_finite/{short}/{_q(path)}={raw}", "non_finite", with_raw(base, path, raw), REFUSED)
        if plan.field[path].kind == "quantity":
            raw = NONFINITE[i % len(NONFINITE)]
            yield Case(f"non_finite/value/{short}/{_q(path)}={raw}", "non_finite",
                       with_raw(base, path, "{value: " + raw + ", source: not a number}"), REFUSED)
    for short, path in plan.dists:
        base = bases()[short]
        spec = dict(get_path(base, path))
        params = [k for k, v in spec.items() if k not in ("dist", "source") and isinstance(v, (int, float))]
        if not params:
            continue
        k = rng.choice(params)
        spec[k] = "FUZZSLOT1"
        d = copy.deepcopy(base)
        set_path(d, path, spec)
        raw = rng.choice(NONFINITE)
        yield Case(f"non_finite/dist/{short}/{_q(path)}.{k}={raw}", "non_finite", render(d, {"FUZZSLOT1": raw}), REFUSED)
        if spec["dist"] == "choice":
            s = dict(get_path(base, path))
            s["weights"] = "FUZZSLOT2"
            d = copy.deepcopy(base)
            set_path(d, path, s)
            n = len(s["values"])
            yield Case(f"non_finite/choice-weights/{short}/{_q(path)}", "non_finite",
                       render(d, {"FUZZSLOT2": "[" + ", ".join([".nan"] * n) + "]"}), REFUSED)


def gen_huge_tiny(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for path in plan.paths:
        nf = plan.field[path]
        short = plan.base_for(path)
        base = bases()[short]
        if nf.kind == "int":
            yield Case(f"huge/{short}/{_q(path)}=10**30", "huge", with_raw(base, path, str(10**30)), EITHER)
            yield Case(f"huge/{short}/{_q(path)}=10**400", "huge", with_raw(base, path, str(10**400)), EITHER)
            continue
        yield Case(f"huge/{short}/{_q(path)}=1e308", "huge", with_raw(base, path, rng.choice(["1.0e308", "1e308", "1.7976931348623157e308"])), EITHER)
        yield Case(f"huge/{short}/{_q(path)}=1e400", "huge", with_raw(base, path, rng.choice(["1.0e400", "1e400", "-1e400"])), REFUSED)
        yield Case(f"tiny/{short}/{_q(path)}=5e-324", "tiny", with_raw(base, path, rng.choice(["5e-324", "4.9e-324"])), EITHER)
        yield Case(f"tiny/{short}/{_q(path)}=1e-320", "tiny", with_raw(base, path, rng.choice(["1e-320", "2.2250738585072014e-308", "1.0e-320"])), EITHER)
    for short, path in plan.dists:
        base = bases()[short]
        spec = dict(get_path(base, path))
        kind = spec["dist"]
        if kind in ("uniform", "triangular", "pert"):
            spec["high"] = "FUZZSLOT1"
            d = copy.deepcopy(base)
            set_path(d, path, spec)
            yield Case(f"huge/dist/{short}/{_q(path)}.high=1e308", "huge", render(d, {"FUZZSLOT1": "1.0e308"}), EITHER)
            yield Case(f"huge/dist/{short}/{_q(path)}.high=1e400", "huge", render(d, {"FUZZSLOT1": "1e400"}), REFUSED)
        elif kind == "choice":
            spec["values"] = "FUZZSLOT1"
            d = copy.deepcopy(base)
            set_path(d, path, spec)
            n = len(get_path(base, path)["values"])
            yield Case(f"huge/dist/{short}/{_q(path)}.values=1e308", "huge",
                       render(d, {"FUZZSLOT1": "[" + ", ".join(["1.0e308"] * n) + "]"}), EITHER)
            yield Case(f"tiny/dist/{short}/{_q(path)}.values=5e-324", "tiny",
                       render(d, {"FUZZSLOT1": "[" + ", ".join(["5e-324"] * n) + "]"}), EITHER)
    # a lognormal whose centre overflows, or nearly
    for short in COST_BASES:
        for raw, expect in (("{dist: lognormal, mu: 709, sigma: 1}", EITHER), ("{dist: lognormal, mu: -745, sigma: 1}", EITHER),
                            ("{dist: lognormal, median: 1.0e300, p90: 1.0e308}", EITHER)):
            path = rng.choice([p for p in plan.paths if short in plan.by_path[p] and plan.field[p].kind == "quantity"])
            yield Case(f"huge/lognormal/{short}/{_q(path)}={raw}", "huge", with_raw(bases()[short], path, raw), expect)


def _typos(name: str, rng: random.Random) -> list[str]:
    out = []
    if len(name) > 3:
        i = rng.randrange(1, len(name) - 1)
        out.append(name[:i] + name[i + 1 :])  # a dropped letter
        out.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])  # swapped letters
    out.append(name.upper())
    out.append(name.replace("_", "-"))
    out.append(name.replace("a", "\u0430", 1) if "a" in name else name + "\u200b")  # a Cyrillic a / zero-width space
    return [o for o in out if o != name]


def _key_text(name: str) -> str:
    return json.dumps(name, ensure_ascii=False) if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name) else name


JUNK_KEYS = ["extra", "__class__", "__proto__", "sourc", "comment", "'  '", "1", "null", "true", "x" * 300, "value2", "<<"]


def gen_unknown_field(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for short, base in bases().items():
        for section in section_paths(base):
            if short == "seedmarket" and (not section or section[0] != "market"):
                continue
            names = field_names(base, section)
            typo = rng.choice(_typos(rng.choice(names), rng) or ["zzz"])
            junk = rng.choice(JUNK_KEYS)
            for label, key in (("typo", typo), ("junk", junk)):
                d = copy.deepcopy(base)
                target = get_path(d, section) if section else d
                target["FUZZKEY0"] = "FUZZSLOT0"
                raw_key = key if key in JUNK_KEYS else _key_text(key)
                yield Case(f"unknown_field/{label}/{short}/{_q(section) or '(top)'}", "unknown_field",
                           render(d, {"FUZZKEY0": raw_key, "FUZZSLOT0": rng.choice(["1", "x", "{a: 1}", "[1]"])}), REFUSED)
    # inside a {value, source} mapping and inside a distribution, on every field (base rotated)
    for path in plan.paths:
        nf = plan.field[path]
        if nf.kind != "quantity":
            continue
        short = plan.base_for(path)
        base = bases()[short]
        cur = get_path(base, path) if has_path(base, path) else 1
        d = copy.deepcopy(base)
        if isinstance(cur, dict) and "dist" in cur:
            spec = dict(cur)
            spec["FUZZKEY0"] = 1
            set_path(d, path, spec)
            key = rng.choice(["lw", "mdoe", "hi", "sd", "sigma", "weights", "value", "source2", "loc", "scale"])
            if key in spec:
                key = "unit"
            yield Case(f"unknown_field/dist/{short}/{_q(path)}.{key}", "unknown_field", render(d, {"FUZZKEY0": key}), REFUSED)
        else:
            set_path(d, path, {"value": central(cur), "source": "x", "FUZZKEY0": "y"})
            key = rng.choice(["unit", "sources", "val", "Value", "note", "min", "dist_"])
            yield Case(f"unknown_field/quantity/{short}/{_q(path)}.{key}", "unknown_field", render(d, {"FUZZKEY0": key}), REFUSED)
    d = copy.deepcopy(bases()["seed"])
    d["meta"]["sources"][0]["FUZZKEY0"] = "x"
    yield Case("unknown_field/seed/meta.sources.0.link", "unknown_field", render(d, {"FUZZKEY0": "link"}), REFUSED)
    # a wrong section name at the top level, one per section
    for section in ("meta", "job", "generation", "compute", "human", "artist", "market"):
        short = rng.choice(COST_BASES)
        d = copy.deepcopy(bases()[short] if section != "market" else bases()["seedmarket"])
        d[section + "s"] = d.pop(section)
        yield Case(f"unknown_field/section/{short}/{section}s", "unknown_field", render(d), REFUSED)


BAD_DISTS = [
    "{dist: triangle, low: 1, mode: 2, high: 3}",
    "{dist: beta, a: 1, b: 2}",
    "{dist: Normal, mean: 1, sd: 0.1, low: 0}",
    "{dist: '', value: 1}",
    "{dist: 42, value: 1}",
    "{dist: [uniform], low: 1, high: 2}",
    "{dist: {kind: uniform}, low: 1, high: 2}",
    "{dist: uniform, low: 5, high: 1}",
    "{dist: uniform, low: 2, high: 2}",
    "{dist: uniform, low: 1}",
    "{dist: triangular, low: 3, mode: 2, high: 1}",
    "{dist: triangular, low: 1, mode: 9, high: 3}",
    "{dist: triangular, low: 1, high: 3}",
    "{dist: triangular, mode: 2, high: 3}",
    "{dist: pert, low: 1, mode: 2, high: 3, lamb: 0}",
    "{dist: pert, low: 1, mode: 2, high: 3, lamb: -4}",
    "{dist: pert, low: 1, mode: 0.5, high: 3}",
    "{dist: normal, mean: 1, sd: 0, low: 0}",
    "{dist: normal, mean: 1, sd: -1, low: 0}",
    "{dist: normal, mean: 1, low: 0}",
    "{dist: normal, mean: 1, sd: 0.1}",
    "{dist: normal, mean: 1, sd: 0.1, low: 2, high: 1}",
    "{dist: lognormal, mu: 0, sigma: 0}",
    "{dist: lognormal, mu: 0, sigma: -1}",
    "{dist: lognormal, mu: 0}",
    "{dist: lognormal, median: 2}",
    "{dist: lognormal, median: 2, p90: 1}",
    "{dist: lognormal, median: 0, p90: 1}",
    "{dist: lognormal, median: 2, p90: 3, mu: 0, sigma: 1}",
    "{dist: lognormal, mu: 1000, sigma: 1}",
    "{dist: lognormal, mu: 1000, sigma: 1, source: brief}",
    "{dist: lognormal}",
    "{dist: choice, values: [1, 2], weights: [0.5, 0.6]}",
    "{dist: choice, values: [1, 2], weights: [0.2, 0.2]}",
    "{dist: choice, values: [1, 2], weights: [1.5, -0.5]}",
    "{dist: choice, values: [1, 2, 3], weights: [0.5, 0.5]}",
    "{dist: choice, values: []}",
    "{dist: choice, values: [], weights: []}",
    "{dist: choice, values: [a, b]}",
    "{dist: choice, values: 3}",
    "{dist: choice, values: [1, 2], weights: [0, 0]}",
    "{dist: fixed}",
    "{dist: fixed, value: one}",
    "{dist: uniform, low: 1, high: 2, value: 1.5}",
    "{value: 3, dist: {dist: uniform, low: 1, high: 5}}",
    "{dist: ~, low: 1, high: 2}",
]


def gen_bad_distribution(rng: random.Random, plan: Plan) -> Iterable[Case]:
    qpaths = [p for p in plan.paths if plan.field[p].kind == "quantity"]
    for i, raw in enumerate(BAD_DISTS):
        for j in range(3):  # three fields each, rotating over the fields and scenarios
            path = qpaths[(i * 3 + j) * 7 % len(qpaths)]
            short = plan.base_for(path)
            yield Case(f"bad_distribution/{i:02d}/{short}/{_q(path)}", "bad_distribution", with_raw(bases()[short], path, raw), REFUSED)
    # the brief's lognormal on every cost field of the seed
    for nf in num_fields(bases()["seed"]):
        if nf.kind == "quantity":
            yield Case(f"bad_distribution/lognormal-mu-1000/seed/{_q(nf.path)}", "bad_distribution",
                       with_raw(bases()["seed"], nf.path, "{dist: lognormal, mu: 1000, sigma: 1}"), REFUSED)
    # a distribution the field cannot hold: unbounded normal on a non-negative field, a rate above 1
    for short in COST_BASES:
        yield Case(f"bad_distribution/support/{short}/generation.acceptance_rate", "bad_distribution",
                   with_raw(bases()[short], ("generation", "acceptance_rate"), "{dist: uniform, low: 0.5, high: 1.5}"), REFUSED)
        yield Case(f"bad_distribution/support/{short}/human.wage_per_hour", "bad_distribution",
                   with_raw(bases()[short], ("human", "wage_per_hour"), "{dist: normal, mean: 30, sd: 5}"), REFUSED)


def gen_yaml_alias(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for short in COST_BASES:
        base = bases()[short]
        d = copy.deepcopy(base)
        d["human"]["wage_per_hour"] = "FUZZSLOT0"
        d["human"]["learning_hours"] = "FUZZSLOT1"
        yield Case(f"yaml_alias/number/{short}", "yaml_alias", render(d, {"FUZZSLOT0": "&w 31", "FUZZSLOT1": "*w"}), REFUSED)
        d = copy.deepcopy(base)
        d["human"]["wage_per_hour"] = "FUZZSLOT0"
        d["human"]["learning_hours"] = "FUZZSLOT1"
        yield Case(f"yaml_alias/mapping/{short}", "yaml_alias",
                   render(d, {"FUZZSLOT0": "&w {value: 31, source: x}", "FUZZSLOT1": "*w"}), REFUSED)
        d = copy.deepcopy(base)
        d["human"]["wage_per_hour"] = "FUZZSLOT0"
        yield Case(f"yaml_alias/anchor-only/{short}", "yaml_alias", render(d, {"FUZZSLOT0": "&w 31"}), EITHER)
        text = dump(base).replace("artist:\n", "artist: &art\n", 1) + "extra_artist: *art\n"
        yield Case(f"yaml_alias/section/{short}", "yaml_alias", text.encode(), REFUSED)
        text = "defaults: &d\n  wage_per_hour: 31\n" + dump(base).replace("human:\n", "human:\n  <<: *d\n", 1)
        yield Case(f"yaml_alias/merge-key/{short}", "yaml_alias", text.encode(), REFUSED)
        text = dump(base).replace("human:\n", "human:\n  <<: {learning_hours: 3}\n", 1)
        yield Case(f"yaml_alias/merge-inline/{short}", "yaml_alias", text.encode(), EITHER)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    yield Case("yaml_alias/billion-laughs", "yaml_alias", bomb.encode(), REFUSED)
    yield Case("yaml_alias/bomb-in-scenario", "yaml_alias", (dump(bases()["seed"]) + bomb.replace("a:", "z_a:", 1)).encode(), REFUSED)
    yield Case("yaml_alias/alias-as-key", "yaml_alias", (dump(bases()["seed"]).replace("human:\n", "human:\n  &k wage_per_hr: 1\n  *k : 2\n", 1)).encode(), REFUSED)
    yield Case("yaml_alias/undefined-alias", "yaml_alias", with_raw(bases()["studio"], ("human", "wage_per_hour"), "*nowhere"), REFUSED)
    yield Case("yaml_alias/recursive", "yaml_alias", b"a: &a [*a]\n", REFUSED)


TAGS = [
    (("human", "wage_per_hour"), "!!python/object/apply:os.system ['echo FUZZ-EXECUTED']", REFUSED),
    (("meta",), "!!python/object:artcost.model.schema.Meta {name: x}", REFUSED),
    (("human", "wage_per_hour"), "!!python/name:os.system", REFUSED),
    (("human", "wage_per_hour"), "!!python/tuple [1, 2]", REFUSED),
    (("human", "wage_per_hour"), "!!python/object/new:float [31]", REFUSED),
    (("human", "wage_per_hour"), "!!python/int 31", REFUSED),
    (("meta", "name"), "!!binary aGVsbG8gd29ybGQ=", REFUSED),
    (("human", "wage_per_hour"), "!!binary MzE=", REFUSED),
    (("meta", "sources"), "!!set {a, b}", REFUSED),
    (("human", "wage_per_hour"), "!!set {31}", REFUSED),
    (("human", "wage_per_hour"), "!!timestamp 2022-01-01", REFUSED),
    (("human", "wage_per_hour"), "!!str 31", REFUSED),
    (("human", "wage_per_hour"), "!!omap [value: 31]", REFUSED),
    (("human",), "!!pairs [[wage_per_hour, 31]]", REFUSED),
    (("human", "wage_per_hour"), "!vault |\n    $ANSIBLE_VAULT;1.1;AES256\n    6162", REFUSED),
    (("human", "wage_per_hour"), "!<tag:yaml.org,2002:python/object/apply:os.getcwd> []", REFUSED),
    (("human", "wage_per_hour"), "!custom 31", REFUSED),
    (("human", "wage_per_hour"), "!!null ''", REFUSED),
    (("human", "wage_per_hour"), "!!bool 'yes'", REFUSED),
    (("human", "wage_per_hour"), "!!float '31'", EITHER),
    (("human", "wage_per_hour"), "!!int '31'", EITHER),
    (("generation", "batch_size"), "!!int '4'", EITHER),
    (("meta", "name"), "!!str 12345", EITHER),
    (("human", "wage_per_hour"), "!!float '.nan'", REFUSED),
    (("human", "wage_per_hour"), "!!map {value: 31}", EITHER),
]


def gen_yaml_tag(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for i, (path, raw, expect) in enumerate(TAGS):
        short = COST_BASES[i % len(COST_BASES)]
        tag = raw.split()[0].strip("!")[:30]
        yield Case(f"yaml_tag/{i:02d}/{short}/{_q(path)}/{tag}", "yaml_tag", with_raw(bases()[short], path, raw), expect)
    yield Case("yaml_tag/document", "yaml_tag", b"--- !!python/object/apply:os.system ['echo FUZZ-EXECUTED']\n", REFUSED)
    yield Case("yaml_tag/directive", "yaml_tag", b"%TAG !e! tag:yaml.org,2002:python/object/apply:\n---\nmeta: !e!os.system ['echo x']\n", REFUSED)


def gen_deep_nesting(rng: random.Random, plan: Plan) -> Iterable[Case]:
    yield Case("deep_nesting/flow-seq-600", "deep_nesting", ("a: " + "[" * 600 + "]" * 600 + "\n").encode(), REFUSED, sandbox=True)
    yield Case("deep_nesting/flow-seq-5000", "deep_nesting", ("a: " + "[" * 5000 + "]" * 5000 + "\n").encode(), REFUSED, sandbox=True)
    yield Case("deep_nesting/flow-map-2000", "deep_nesting", ("a: " + "{a: " * 2000 + "1" + "}" * 2000 + "\n").encode(), REFUSED, sandbox=True)
    block = "".join("  " * i + "a:\n" for i in range(600)) + "  " * 600 + "b: 1\n"  # 600 levels, ~360 KB
    yield Case("deep_nesting/block-map-600", "deep_nesting", block.encode(), REFUSED, sandbox=True)
    yield Case("deep_nesting/block-seq-2000", "deep_nesting", ("a:\n" + "- " * 2000 + "x\n").encode(), REFUSED, sandbox=True)
    yield Case("deep_nesting/field-seq-600", "deep_nesting",
               with_raw(bases()["seed"], ("human", "wage_per_hour"), "[" * 600 + "]" * 600), REFUSED, sandbox=True)
    yield Case("deep_nesting/field-value-1000", "deep_nesting",
               with_raw(bases()["freelancer"], ("human", "wage_per_hour"), "{value: " * 1000 + "1" + "}" * 1000), REFUSED, sandbox=True)
    yield Case("deep_nesting/dist-1000", "deep_nesting",
               with_raw(bases()["studio"], ("human", "wage_per_hour"), "{dist: " * 1000 + "uniform" + "}" * 1000), REFUSED, sandbox=True)
    yield Case("deep_nesting/sources-2000", "deep_nesting",
               with_raw(bases()["subscription"], ("meta", "sources"), "[" * 2000 + "]" * 2000), REFUSED, sandbox=True)
    yield Case("deep_nesting/field-seq-100", "deep_nesting",
               with_raw(bases()["seed"], ("human", "wage_per_hour"), "[" * 100 + "1" + "]" * 100), REFUSED)


def gen_big_input(rng: random.Random, plan: Plan) -> Iterable[Case]:
    # keep these few: each is close to the 1 MB limit and costs seconds today
    items = ", ".join("0" for _ in range(100_000))
    yield Case("big_input/flow-list-100k", "big_input", ("a: [" + items + "]\n").encode(), REFUSED, heavy=True)
    yield Case("big_input/sources-100k-numbers", "big_input",
               with_raw(bases()["seed"], ("meta", "sources"), "[" + items + "]"), REFUSED, heavy=True)
    keys = "".join(f"k{i:07d}: {i % 10}\n" for i in range(80_000))  # ~790 KB, 80,000 unknown keys
    yield Case("big_input/top-level-keys-80k", "big_input", keys.encode(), REFUSED, heavy=True)
    d = copy.deepcopy(bases()["studio"])
    d["human"]["FUZZKEY0"] = 1
    many = "\n".join(f"  wage_{i:06d}: 1" for i in range(60_000))
    yield Case("big_input/section-keys-60k", "big_input", render(d, {"FUZZKEY0: 1": many.lstrip()}), REFUSED, heavy=True)
    yield Case("big_input/over-1MB", "big_input", b"# " + b"x" * 1_000_001 + b"\n", REFUSED)
    yield Case("big_input/flow-list-1k-at-field", "big_input",
               with_raw(bases()["freelancer"], ("human", "wage_per_hour"), "[" + ", ".join(["1"] * 1000) + "]"), REFUSED)
    d = copy.deepcopy(bases()["studio"])
    d["human"] = {f"wage_{i:04d}": 1 for i in range(500)}  # 500 unknown keys and every required one missing
    yield Case("big_input/problems-500", "big_input", render(d), REFUSED)
    d = copy.deepcopy(bases()["freelancer"])
    for i in range(19):
        d["artist"][f"extra_{i:02d}"] = 1
    yield Case("big_input/problems-about-20", "big_input", render(d), REFUSED)
    yield Case("big_input/long-name-100KB", "big_input", with_raw(bases()["studio"], ("meta", "name"), "'" + "n" * 100_000 + "'"), EITHER)


def gen_encoding(rng: random.Random, plan: Plan) -> Iterable[Case]:
    seed = dump(bases()["seed"])
    studio = dump(bases()["studio"])
    latin = seed.replace("name: ", "name: Caf\u00e9 ", 1).encode("latin-1", errors="replace")
    yield Case("encoding/latin-1-name", "encoding", latin, REFUSED)
    yield Case("encoding/latin-1-comment", "encoding", ("# r\u00e9sum\u00e9\n" + studio).encode("latin-1", errors="replace"), REFUSED)
    yield Case("encoding/cp1252-quotes", "encoding", studio.replace("name: ", "name: \u201cx\u201d ", 1).encode("cp1252"), REFUSED)
    yield Case("encoding/utf-16-le-bom", "encoding", studio.encode("utf-16"), REFUSED)
    yield Case("encoding/utf-16-be-bom", "encoding", b"\xfe\xff" + studio.encode("utf-16-be"), REFUSED)
    yield Case("encoding/utf-32-bom", "encoding", studio.encode("utf-32"), REFUSED)
    yield Case("encoding/nul-in-value", "encoding", studio.replace("name: ", "name: a\x00b", 1).encode(), REFUSED)
    yield Case("encoding/nul-at-end", "encoding", studio.encode() + b"\x00", REFUSED)
    yield Case("encoding/invalid-continuation", "encoding", studio.encode().replace(b"name: ", b"name: \xe2\x28\xa1 ", 1), REFUSED)
    yield Case("encoding/overlong-slash", "encoding", studio.encode().replace(b"name: ", b"name: \xc0\xaf ", 1), REFUSED)
    yield Case("encoding/lone-surrogate", "encoding", studio.encode().replace(b"name: ", b"name: \xed\xa0\x80 ", 1), REFUSED)
    yield Case("encoding/truncated-multibyte", "encoding", studio.encode() + b"# \xe6\x97", REFUSED)
    yield Case("encoding/bel-in-value", "encoding", studio.replace("name: ", "name: a\x07b ", 1).encode(), REFUSED)
    yield Case("encoding/esc-in-value", "encoding", studio.replace("name: ", "name: \x1b[31mred ", 1).encode(), REFUSED)
    yield Case("encoding/del-in-key", "encoding", studio.replace("human:", "hu\x7fman:", 1).encode(), REFUSED)
    yield Case("encoding/utf-8-bom", "encoding", b"\xef\xbb\xbf" + studio.encode(), EITHER)
    yield Case("encoding/crlf", "encoding", studio.replace("\n", "\r\n").encode(), EITHER)
    yield Case("encoding/cr-only", "encoding", studio.replace("\n", "\r").encode(), EITHER)
    yield Case("encoding/emoji-name", "encoding", with_raw(bases()["studio"], ("meta", "name"), "\U0001f3a8 palette"), EITHER)
    yield Case("encoding/escaped-esc-in-name", "encoding", with_raw(bases()["studio"], ("meta", "name"), '"\\e[2J\\e[31mred\\u2028x"'), EITHER)
    yield Case("encoding/bidi-key", "encoding", studio.replace("human:", "hu\u202eman:", 1).encode(), REFUSED)
    yield Case("encoding/zero-width-key", "encoding", studio.replace("  wage_per_hour:", "  wage\u200b_per_hour:", 1).encode(), REFUSED)


def gen_duplicate_key(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for short, base in bases().items():
        for section in section_paths(base):
            if short == "seedmarket" and (not section or section[0] != "market"):
                continue
            target = get_path(base, section) if section else base
            if not isinstance(target, dict) or not target:
                continue
            key = rng.choice(list(target))
            d = copy.deepcopy(base)
            t = get_path(d, section) if section else d
            t["FUZZKEY0"] = "FUZZSLOT0"
            val = rng.choice(["1", "{value: 2}", "x"]) if section else "{}"
            yield Case(f"duplicate_key/{short}/{_q(section + (key,))}", "duplicate_key",
                       render(d, {"FUZZKEY0": rng.choice([key, f"'{key}'", f'"{key}"']), "FUZZSLOT0": val}), REFUSED)
    for short in COST_BASES:
        yield Case(f"duplicate_key/flow/{short}/human.wage_per_hour", "duplicate_key",
                   with_raw(bases()[short], ("human", "wage_per_hour"), "{value: 10, value: 20}"), REFUSED)
        yield Case(f"duplicate_key/dist/{short}/human.wage_per_hour", "duplicate_key",
                   with_raw(bases()[short], ("human", "wage_per_hour"), "{dist: uniform, low: 1, high: 2, low: 0}"), REFUSED)
    yield Case("duplicate_key/extends-twice", "duplicate_key",
               f"extends: {ROOT_TOKEN}/scenarios/seed-2022-hobbyist-3060ti.yaml\nextends: {ROOT_TOKEN}/scenarios/studio-cloud-h100.yaml\n".encode(),
               REFUSED, parents=(f"{ROOT_TOKEN}/scenarios/seed-2022-hobbyist-3060ti.yaml", f"{ROOT_TOKEN}/scenarios/studio-cloud-h100.yaml"))
    yield Case("duplicate_key/int-and-text", "duplicate_key", with_raw(bases()["studio"], ("human",), "{1: a, '1': b}"), REFUSED)


# helper files prepare() writes next to case.yaml; every one carries SECRET
HELPERS: dict[str, str] = {
    "notes.txt": f"{SECRET}-notes plain text, not YAML: the admin password is {SECRET}-pw\nsecond line {SECRET}-line2 [unclosed\n",
    "creds.yaml": f"# {SECRET}-comment\napi_token: \"{SECRET}-token\"\npassword: {SECRET}-password\n",
    "clash.yaml": f"meta: {SECRET}-meta\nhuman:\n  wage_per_hour: \"{SECRET}-wage\"\njob: [{SECRET}-job]\n",
    "keyed.yaml": f"{SECRET}-key: 1\nnested:\n  {SECRET}-inner: 2\n",
    "sections.yaml": f"human:\n  {SECRET}-nested-key: 1\nartist:\n  tier: [{SECRET}-tier]\n",
    "dupkey.yaml": f"{SECRET}-dup: 1\n{SECRET}-dup: 2\n",
    "vault.yaml": f"password: !{SECRET}-tag |\n  $ANSIBLE_VAULT;1.1;AES256\n  {SECRET}-ciphertext\n",
    "date.yaml": f"as_of: 2022-13-01\nnote: {SECRET}-date\n",
    "broken.yaml": f"key: [{SECRET}-unclosed\nother: {SECRET}-x\n",
    "workflow.yml": (f"name: deploy {SECRET}-wf\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                     f"      - run: echo {SECRET}-step\n        env:\n          TOKEN: {SECRET}-env\n"),
    "upper.YAML": f"{SECRET}-upper: plain text in a file named like a scenario\n  {SECRET}-second line\n",
    "loop.yaml": "extends: case.yaml\n",
    "chain1.yaml": "extends: chain2.yaml\n",
    "chain2.yaml": "extends: chain3.yaml\n",
    "chain3.yaml": "extends: chain4.yaml\n",
    "chain4.yaml": "extends: chain5.yaml\n",
    "chain5.yaml": "extends: chain6.yaml\n",
    "chain6.yaml": f"extends: {ROOT_TOKEN}/scenarios/seed-2022-hobbyist-3060ti.yaml\n",
}


SYMLINKS = {
    "passwd.yaml": "/etc/passwd",
    "shadow.yaml": "/etc/shadow",
    "etc.yaml": "/etc",
    "zero.yaml": "/dev/zero",
    "urandom.yaml": "/dev/urandom",
    "environ.yaml": "/proc/self/environ",
    "status.yaml": "/proc/self/status",
    "readme.yaml": f"{ROOT_TOKEN}/README.md",
    "pyproject.yaml": f"{ROOT_TOKEN}/pyproject.toml",
    "rates.yaml": f"{ROOT_TOKEN}/src/artcost/data/exchange_rates.yaml",
    "dangling.yaml": "/nonexistent/FUZZ/nothing.yaml",
    "selflink.yaml": "selflink.yaml",
}


def prepare(folder: Path) -> Path:
    """Write the helper files and folders a case may extend (once per folder); return the path of case.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "chain6.yaml").exists():
        return folder / CASE_FILE
    for name, text in HELPERS.items():
        (folder / name).write_text(text.replace(ROOT_TOKEN, str(ROOT)), encoding="utf-8")
    (folder / "subdir").mkdir(exist_ok=True)
    # names that end in .yaml but lead elsewhere: a scenario's name is no proof of a scenario
    for name, target in SYMLINKS.items():
        link = folder / name
        if not link.is_symlink():
            try:
                link.symlink_to(target.replace(ROOT_TOKEN, str(ROOT)))
            except OSError:
                pass
    (folder / "dir.yaml").mkdir(exist_ok=True)
    big = folder / "huge.yaml"  # 2 GB, sparse: costs nothing on disk, must never be read whole
    if not big.exists():
        with open(big, "wb") as f:
            f.truncate(2 * 1024**3)
    fifo = folder / "pipe.yaml"
    if not fifo.exists():
        try:
            os.mkfifo(fifo)
        except (OSError, AttributeError):
            pass
    return folder / CASE_FILE


def gen_extends(rng: random.Random, plan: Plan) -> Iterable[Case]:
    seed_path = f"{ROOT_TOKEN}/scenarios/seed-2022-hobbyist-3060ti.yaml"
    targets: list[tuple[str, str, tuple, bool, str]] = [
        # (label, target as written, leak files, sandbox, expectation)
        ("etc-shadow", "/etc/shadow", ("/etc/shadow",), False, REFUSED),
        ("etc-passwd", "/etc/passwd", ("/etc/passwd",), False, REFUSED),
        ("etc-passwd-relative", "../../../../../../../../../../etc/passwd", ("/etc/passwd",), False, REFUSED),
        ("etc-hostname", "/etc/hostname", ("/etc/hostname",), False, REFUSED),
        ("etc-dir", "/etc", (), False, REFUSED),
        ("root-dir", "/", (), False, REFUSED),
        ("subdir", "subdir", (), False, REFUSED),
        ("empty-name", "''", (), False, REFUSED),
        ("nul", '"\\0"', (), False, REFUSED),
        ("nul-inside", '"seed\\0.yaml"', (), False, REFUSED),
        ("name-300", "a" * 300 + ".yaml", (), False, REFUSED),
        ("name-5000", "b" * 5000, (), False, REFUSED),
        ("path-4097", "/".join(["c" * 200] * 21), (), False, REFUSED),
        ("readme", f"{ROOT_TOKEN}/README.md", (f"{ROOT_TOKEN}/README.md",), False, REFUSED),
        ("pyproject", f"{ROOT_TOKEN}/pyproject.toml", (f"{ROOT_TOKEN}/pyproject.toml",), False, REFUSED),
        ("makefile", f"{ROOT_TOKEN}/Makefile", (f"{ROOT_TOKEN}/Makefile",), False, REFUSED),
        ("python-source", f"{ROOT_TOKEN}/src/artcost/errors.py", (f"{ROOT_TOKEN}/src/artcost/errors.py",), False, REFUSED),
        ("exchange-rates", f"{ROOT_TOKEN}/src/artcost/data/exchange_rates.yaml", (f"{ROOT_TOKEN}/src/artcost/data/exchange_rates.yaml",), False, REFUSED),
        ("peaks-yaml", f"{ROOT_TOKEN}/bench/configs/peaks.yaml", (f"{ROOT_TOKEN}/bench/configs/peaks.yaml",), False, REFUSED),
        ("csv", f"{ROOT_TOKEN}/scenarios/adoption-pew-chatgpt-us-adults.csv", (f"{ROOT_TOKEN}/scenarios/adoption-pew-chatgpt-us-adults.csv",), False, REFUSED),
        ("notes-txt", "notes.txt", (), False, REFUSED),
        ("creds-yaml", "creds.yaml", (), False, REFUSED),
        ("clash-yaml", "clash.yaml", (), False, REFUSED),
        ("keyed-yaml", "keyed.yaml", (), False, REFUSED),
        ("sections-yaml", "sections.yaml", (), False, REFUSED),
        ("dupkey-yaml", "dupkey.yaml", (), False, REFUSED),
        ("vault-yaml", "vault.yaml", (), False, REFUSED),
        ("date-yaml", "date.yaml", (), False, REFUSED),
        ("broken-yaml", "broken.yaml", (), False, REFUSED),
        ("github-workflow", "workflow.yml", (), False, REFUSED),
        ("missing", "missing.yaml", (), False, REFUSED),
        ("missing-dir", "nodir/missing.yaml", (), False, REFUSED),
        ("home-tilde", "~/.ssh/id_rsa", (), False, REFUSED),
        ("url", "https://example.com/scenario.yaml", (), False, REFUSED),
        ("self", CASE_FILE, (), False, REFUSED),
        ("self-dot", f"./{CASE_FILE}", (), False, REFUSED),
        ("two-cycle", "loop.yaml", (), False, REFUSED),
        ("chain-too-deep", "chain1.yaml", (), False, REFUSED),
        ("dev-null", "/dev/null", (), False, REFUSED),
        ("dev-zero", "/dev/zero", (), True, REFUSED),
        ("dev-urandom", "/dev/urandom", (), True, REFUSED),
        ("fifo", "pipe.yaml", (), True, REFUSED),
        ("proc-environ", "/proc/self/environ", (), True, REFUSED),
        ("proc-status", "/proc/self/status", ("/proc/self/status",), True, REFUSED),
        ("huge-sparse-yaml", "huge.yaml", (), True, REFUSED),
        ("dir-named-yaml", "dir.yaml", (), False, REFUSED),
        ("YAML-uppercase", "upper.YAML", (), False, REFUSED),
    ]
    for name, target in SYMLINKS.items():  # a .yaml name that is a link to something else
        device = target.startswith(("/dev/", "/proc/"))
        leaks = (target,) if not device and not target.startswith("/nonexistent") and target != name else ()
        targets.append((f"symlink-{name}", name, leaks, device, REFUSED))
    for label, target, leaks, sandbox, expect in targets:
        written = target.strip("'\"") if not target.startswith('"') else json.loads(target.replace("\\0", "\\u0000"))
        yield Case(f"extends/{label}/bare", "extends", f"extends: {target}\n".encode(), expect,
                   sandbox=sandbox, leak_files=leaks, parents=(written,))
        if not sandbox:  # a whole scenario that also extends the target
            short = rng.choice(COST_BASES)
            d = {"extends": "FUZZSLOT0", **copy.deepcopy(bases()[short])}
            # clash.yaml's top level is scenario sections, so the loader takes it as a scenario; a child
            # that overrides every one of them leaves nothing of it in use, and may be accepted (nothing
            # of it is quoted either way: leak_files still checks that)
            whole_expect = EITHER if label == "clash-yaml" else expect
            yield Case(f"extends/{label}/{short}", "extends", render(d, {"FUZZSLOT0": target}), whole_expect,
                       leak_files=leaks, parents=(written,))
    for raw in ("42", "[a.yaml, b.yaml]", "{file: x}", "true", ".nan"):
        yield Case(f"extends/not-a-name={raw}", "extends", with_raw(bases()["studio"], ("extends",), raw), REFUSED)
    # extends: null is no parent; a shipped scenario is a fine parent (controls)
    yield Case("extends/null", "extends", with_raw(bases()["studio"], ("extends",), "null"), EITHER)
    yield Case("extends/shipped", "extends", f"extends: {seed_path}\n".encode(), EITHER, parents=(seed_path,))
    child = f"{ROOT_TOKEN}/scenarios/seed-2022-artist-high.yaml"
    yield Case("extends/shipped-child", "extends", f"extends: {child}\nartist:\n  tier: x\n".encode(), EITHER, parents=(child,))
    # a child of a shipped scenario with a bad field: the error names the child
    for i, (path, raw) in enumerate([
        (("human", "wage_per_hour"), "-5"), (("human", "wage_per_hour"), "'40'"), (("generation", "acceptance_rate"), ".nan"),
        (("artist", "price_per_image"), "{dist: uniform, low: 5, high: 1}"), (("compute", "owned", "pue"), "true"),
        (("human", "wage_per_hr"), "31"), (("generation", "resolution_px"), "'512'"), (("job", "finals_needed"), "1.0e9"),
        (("compute", "owned", "resale_value"), "100000"), (("market", "awareness", "m"), "2"),
    ]):
        d = {"extends": "FUZZSLOT0"}
        set_path(d, path, "FUZZSLOT1")
        yield Case(f"extends/child-bad/{_q(path)}={raw}", "extends", render(d, {"FUZZSLOT0": seed_path, "FUZZSLOT1": raw}),
                   REFUSED, parents=(seed_path,))


def gen_cross_field(rng: random.Random, plan: Plan) -> Iterable[Case]:
    owned = [s for s in COST_BASES if "owned" in bases()[s]["compute"]]
    cloud = [s for s in COST_BASES if "cloud" in bases()[s]["compute"]]
    sub = [s for s in COST_BASES if "subscription" in bases()[s]["compute"]]
    for short in owned:
        base = bases()[short]
        price = central(base["compute"]["owned"]["purchase_price"])
        yield Case(f"cross_field/{short}/resale>purchase", "cross_field",
                   with_raw(base, ("compute", "owned", "resale_value"), fmt(price * 2)), REFUSED)
        yield Case(f"cross_field/{short}/resale-dist>purchase", "cross_field",
                   with_raw(base, ("compute", "owned", "resale_value"), "{dist: uniform, low: 0, high: " + fmt(price * 3) + "}"), REFUSED)
        yield Case(f"cross_field/{short}/hours_used_per_year=1e-320", "cross_field",
                   with_raw(base, ("compute", "owned", "hours_used_per_year"), "1e-320"), EITHER)
        yield Case(f"cross_field/{short}/lifetime_years=5e-324", "cross_field",
                   with_raw(base, ("compute", "owned", "lifetime_years"), "5e-324"), EITHER)
    for short in cloud:
        base = bases()[short]
        yield Case(f"cross_field/{short}/billing_granularity_seconds=1e-320", "cross_field",
                   with_raw(base, ("compute", "cloud", "billing_granularity_seconds"), "1e-320"), REFUSED)
        yield Case(f"cross_field/{short}/minimum_billed_seconds=1e308", "cross_field",
                   with_raw(base, ("compute", "cloud", "minimum_billed_seconds"), "1.0e308"), EITHER)
    for short in sub:
        yield Case(f"cross_field/{short}/jobs_per_month=5e-324", "cross_field",
                   with_raw(bases()[short], ("job", "jobs_per_month"), "5e-324"), EITHER)
    for short in COST_BASES:
        base = bases()[short]
        yield Case(f"cross_field/{short}/wage_per_hour=1e308", "cross_field", with_raw(base, ("human", "wage_per_hour"), "1.0e308"), REFUSED)
        yield Case(f"cross_field/{short}/candidates_per_job=5e-324", "cross_field",
                   with_raw(base, ("generation", "candidates_per_job"), "5e-324"), REFUSED)
        yield Case(f"cross_field/{short}/finals_needed=1e9", "cross_field", with_raw(base, ("job", "finals_needed"), "1.0e9"), REFUSED)
        yield Case(f"cross_field/{short}/acceptance_rate=5e-324", "cross_field",
                   with_raw(base, ("generation", "acceptance_rate"), "5e-324"), EITHER)
        yield Case(f"cross_field/{short}/gpus=1e308", "cross_field", with_raw(base, ("generation", "gpus"), "1.0e308"), EITHER)
        yield Case(f"cross_field/{short}/retouch-both-ways", "cross_field",
                   with_raw(with_field(base, ("human", "retouch_price_per_image"), 10), ("human", "retouch_minutes_per_image"), "5"), REFUSED)
        yield Case(f"cross_field/{short}/all-costs-zero", "cross_field", render(all_zero(base)), EITHER)
    yield Case("cross_field/seedmarket/quality_ceiling<start", "cross_field",
               with_raw(bases()["seedmarket"], ("market", "ai", "quality_ceiling"), "0.1"), REFUSED)
    yield Case("cross_field/seedmarket/end<start", "cross_field", with_raw(bases()["seedmarket"], ("market", "end"), "'2001-01'"), REFUSED)
    yield Case("cross_field/seedmarket/10000-years", "cross_field", with_raw(bases()["seedmarket"], ("market", "end"), "'9999-12'"), REFUSED)
    yield Case("cross_field/two-compute-kinds", "cross_field",
               with_raw(bases()["seed"], ("compute", "cloud"), "{price_per_gpu_hour: 2}"), REFUSED)
    yield Case("cross_field/subscription-without-jobs_per_month", "cross_field",
               render({k: v for k, v in bases()["subscription"].items() if k != "job"} | {"job": {"finals_needed": 2}}), REFUSED)


def with_field(base: dict, path: tuple, value: Any) -> dict:
    d = copy.deepcopy(base)
    set_path(d, path, value)
    return d


def all_zero(base: dict) -> dict:
    """Every cost input that may be zero set to zero: the AI side then costs nothing at all."""
    d = copy.deepcopy(base)
    for key in ("wage_per_hour", "prompt_tuning_minutes_per_job", "learning_hours", "screening_seconds_per_candidate",
                "retouch_price_per_image", "retouch_minutes_per_image"):
        if key in d["human"]:
            d["human"][key] = 0
    for section in d["compute"].values():
        if not isinstance(section, dict):  # grid_region: a region's name, not a cost
            continue
        for key in list(section):
            if key not in ("lifetime_years", "hours_used_per_year", "billing_granularity_seconds", "pue"):
                section[key] = 0
    return d


SYNTAX = [
    ("unclosed-flow", "meta:\n  name: [unclosed\njob: 1\n"),
    ("unclosed-quote", "meta:\n  name: 'unclosed\njob: 1\n"),
    ("tab-indent", "meta:\n\tname: x\n"),
    ("bad-indent", "meta:\n  name: x\n   currency: USD\n"),
    ("mapping-in-scalar", "meta: name: x\n"),
    ("multi-document", "meta: {}\n---\nmeta: {}\n"),
    ("directive-1.3", "%YAML 1.3\n---\nmeta: {}\n"),
    ("directive-twice", "%YAML 1.1\n%YAML 1.1\n---\na: 1\n"),
    ("unhashable-key", "[a, b]: 1\n"),
    ("complex-key", "? {a: 1}\n: 1\n"),
    ("top-scalar", "just a string\n"),
    ("top-number", "42\n"),
    ("top-list", "- meta\n- job\n"),
    ("empty", ""),
    ("only-comments", "# nothing here\n# at all\n"),
    ("only-document-marker", "---\n...\n"),
    ("whitespace", "   \n\n  \n"),
    ("null-key", "~: 1\n"),
    ("bool-key", "yes: 1\nno: 2\n"),
    ("float-key", ".nan: 1\n"),
    ("date-key", "2022-01-01: 1\n"),
    ("stray-colon", ": 1\n"),
    ("reserved-char", "@meta: 1\n"),
    ("backtick", "`meta`: 1\n"),
    ("json", '{"meta": {"name": "x", "currency": "USD", "as_of": "2024-01-01"}}\n'),
]


def gen_syntax(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for label, text in SYNTAX:
        yield Case(f"syntax/{label}", "syntax", text.encode(), REFUSED)
    studio = dump(bases()["studio"])
    yield Case("syntax/scenario-truncated", "syntax", studio[: len(studio) // 2].rsplit("\n", 1)[0].encode() + b" {", REFUSED)
    yield Case("syntax/scenario-second-document", "syntax", (studio + "---\n" + studio).encode(), REFUSED)
    yield Case("syntax/scenario-as-json", "syntax", json.dumps(bases()["studio"], default=str).encode(), EITHER)
    yield Case("syntax/scenario-flow", "syntax",
               yaml.dump(bases()["freelancer"], Dumper=_Dumper, sort_keys=False, default_flow_style=True, width=100000).encode(), EITHER)


def gen_control(rng: random.Random, plan: Plan) -> Iterable[Case]:
    for short, base in bases().items():
        yield Case(f"control/{short}", "control", render(base), EITHER)
    for stem in shipped():
        text = (SCENARIO_DIR / f"{stem}.yaml").read_text(encoding="utf-8")
        text = re.sub(r"^extends: (\S+)", lambda m: f"extends: {ROOT_TOKEN}/scenarios/{m.group(1)}", text, flags=re.MULTILINE)
        yield Case(f"control/as-shipped/{stem}", "control", text.encode(), EITHER)


BREAKS = {"lf": "\\n", "cr": "\\r", "crlf": "\\r\\n", "vt": "\\v", "ff": "\\f", "nel": "\\N", "ls": "\\L", "ps": "\\P",
          "fs": "\\x1c"}


def gen_line_break(rng: random.Random, plan: Plan) -> Iterable[Case]:
    """Text that reaches an error line with a line break in it (written as a YAML double-quoted escape)."""
    for i, (label, esc) in enumerate(BREAKS.items()):
        short = COST_BASES[i % len(COST_BASES)]
        base = bases()[short]
        key = f'"wage{esc}per_hour"'
        for where in ((), ("human",), ("compute", next(iter(base["compute"])))):
            d = copy.deepcopy(base)
            (get_path(d, where) if where else d)["FUZZKEY0"] = 1
            yield Case(f"line_break/key/{label}/{short}/{_q(where) or '(top)'}", "line_break", render(d, {"FUZZKEY0": key}), REFUSED)
        yield Case(f"line_break/quantity-key/{label}/{short}", "line_break",
                   with_raw(base, ("human", "wage_per_hour"), '{value: 1, "sou' + esc + 'rce": x}'), REFUSED)
        yield Case(f"line_break/dist-key/{label}/{short}", "line_break",
                   with_raw(base, ("human", "wage_per_hour"), '{dist: uniform, low: 1, high: 2, "lo' + esc + 'w": 1}'), REFUSED)
        yield Case(f"line_break/extends/{label}/{short}", "line_break", with_raw(base, ("extends",), f'"a{esc}b.yaml"'), REFUSED)
        yield Case(f"line_break/value/{label}/{short}", "line_break", with_raw(base, ("human", "wage_per_hour"), f'"3{esc}1"'), REFUSED)
        yield Case(f"line_break/currency/{label}/{short}", "line_break", with_raw(base, ("meta", "currency"), f'"US{esc}D"'), REFUSED)
        yield Case(f"line_break/dist-kind/{label}/{short}", "line_break",
                   with_raw(base, ("human", "wage_per_hour"), '{dist: "uni' + esc + 'form", low: 1, high: 2}'), REFUSED)
    d = copy.deepcopy(bases()["seed"])
    d["meta"]["sources"][0]["FUZZKEY0"] = "x"
    yield Case("line_break/source-key", "line_break", render(d, {"FUZZKEY0": '"li\\nnk"'}), REFUSED)
    yield Case("line_break/month", "line_break", with_raw(bases()["seedmarket"], ("market", "start"), '"2022\\n-10"'), REFUSED)
    yield Case("line_break/name-ok", "line_break", with_raw(bases()["studio"], ("meta", "name"), '"two\\nlines"'), EITHER)


YAML_NUMBERS = ["0x1F", "0o17", "017", "1_000", "1:30", "0b101", ".5", "1.", "+12", "1E+3", "1e3", "12e-1", "0.0", "190:20:30", "1__0"]


def gen_yaml_numbers(rng: random.Random, plan: Plan) -> Iterable[Case]:
    """YAML 1.1 spellings of numbers (hex, octal, sexagesimal, underscores): fine if read as numbers, but finite."""
    qpaths = [p for p in plan.paths if plan.field[p].kind == "quantity" and p[0] != "market"]
    for i, raw in enumerate(YAML_NUMBERS):
        for j in range(2):
            path = qpaths[(i * 2 + j) * 5 % len(qpaths)]
            short = plan.base_for(path)
            yield Case(f"yaml_numbers/{raw}/{short}/{_q(path)}", "yaml_numbers", with_raw(bases()[short], path, raw), EITHER)
    for raw, expect in (("1" + "0" * 400, REFUSED), ("1" + "0" * 5000, REFUSED), ("0x" + "f" * 300, REFUSED),
                        ("1" + "0" * 400 + ".0", REFUSED), ("-0x10", REFUSED), ("0." + "0" * 400 + "1", EITHER)):
        short = rng.choice(COST_BASES)
        yield Case(f"yaml_numbers/{raw[:12]}..{len(raw)}/{short}/human.wage_per_hour", "yaml_numbers",
                   with_raw(bases()[short], ("human", "wage_per_hour"), raw), expect)
        yield Case(f"yaml_numbers/{raw[:12]}..{len(raw)}/{short}/generation.resolution_px", "yaml_numbers",
                   with_raw(bases()[short], ("generation", "resolution_px"), raw), EITHER if expect == EITHER else REFUSED)



# --------------------------------------------------------------------------- the command line (issue #24)

SET_BLAME = "--set"  # every refusal of a --set case names it ('(--set on the command line)', '--set PATH=...:')
BIG = "9" * 310  # an int no float holds: a traceback in five commands before issue #24
# One quick argument list per command that reads a scenario with --set (CASE_TOKEN: the scenario).
CLI_COMMANDS = {
    "cost": ["cost", CASE_TOKEN, "--brief"],
    "simulate": ["simulate", CASE_TOKEN, "--draws", "200"],
    "routes": ["routes", CASE_TOKEN],
    "sensitivity": ["sensitivity", CASE_TOKEN, "--sobol-n", "32"],
    "breakeven": ["breakeven", CASE_TOKEN, "--param", "human.wage_per_hour"],
    "scale": ["scale", CASE_TOKEN],
    "market": ["market", CASE_TOKEN, "--draws", "0"],
    "report": ["report", CASE_TOKEN, "-o", OUT_TOKEN + "/report.html"],
}
# (text after '=', expect): numbers typed badly, too big, too small, not finite, quoted, with currencies
SET_VALUES = [
    (BIG, REFUSED), ("-" + BIG, REFUSED), ("9" * 5000, REFUSED), ("1e400", REFUSED), ("-1e400", REFUSED),
    (".nan", REFUSED), (".inf", REFUSED), ("-.inf", REFUSED), ("nan", REFUSED), ("inf", REFUSED), ("1e13", REFUSED),
    ("99999999999999999999", REFUSED), ("-5", REFUSED), ("5e-324", REFUSED), ("1e-10", REFUSED), ("4e-400", EITHER),
    ("'40'", REFUSED), ('"40"', REFUSED), ("", REFUSED), ("~", REFUSED), ("true", REFUSED), ("[1, 2]", REFUSED),
    ("[1, 2", REFUSED), ("{value: " + BIG + "}", REFUSED), ("{dist: uniform, low: 0, high: " + BIG + "}", REFUSED),
    ("{dist: triangular, low: -1e400, mode: 1, high: 2}", REFUSED), ("!!python/object:os.system", REFUSED),
    ("*alias", REFUSED), ("0x10", EITHER), ("1_000", EITHER), ("40USD", EITHER), (BIG + "USD", REFUSED),
    ("1e400USD", REFUSED), ("-40USD", REFUSED), ("40 XYZ", REFUSED), ("nanUSD", REFUSED), ("1e12USD", REFUSED),
]
SET_FIELDS = ["human.wage_per_hour", "generation.candidates_per_job", "generation.steps", "job.finals_needed",
              "compute.owned.price_per_kwh", "generation.acceptance_rate", "market.ai.cost_decline_per_year",
              "meta.as_of", "human.wage_per_hour.high", "a.b.c", "generation.gpus"]
CURRENCIES = [("", REFUSED), (" ", REFUSED), ("\t", REFUSED), ("usd", EITHER), ("XXX", REFUSED), ("A" * 5000, REFUSED),
              ("US D", REFUSED), ("€", REFUSED), ("EUR\n", REFUSED), ("--", REFUSED), ("1e400", REFUSED), ("nan", REFUSED)]
# other numbers a command takes: (command, flags..., expect)
OPTION_NUMBERS = [
    *[(["simulate", CASE_TOKEN, "--draws", v], REFUSED) for v in ("-1", "0", "1", BIG, "nan")],
    *[(["simulate", CASE_TOKEN, "--draws", "100", "--seed", v], EITHER) for v in ("-1", "0", BIG)],
    (["simulate", CASE_TOKEN, "--seed", "nan"], REFUSED),
    *[(["market", CASE_TOKEN, "--draws", v], REFUSED) for v in ("-1", BIG, "nan")],
    *[(["sensitivity", CASE_TOKEN, "--sobol-n", v], REFUSED) for v in ("0", "3", "-1", BIG, "nan")],
    *[(["routes", CASE_TOKEN, "--jobs-per-month", v], REFUSED) for v in ("0", "-1", "nan", "inf", "1e400", BIG)],
    (["routes", CASE_TOKEN, "--jobs-per-month", "1e-300"], EITHER),
    *[(["scale", CASE_TOKEN, "--horizon-months", v], REFUSED) for v in ("0", "-1", "nan", "inf", "1e400", BIG, "1e13")],
    *[(["scale", CASE_TOKEN, flag, v], REFUSED) for flag in ("--finals", "--jobs")
      for v in ("1,nan", "inf", "0", "-1", BIG, "1e13", "", ",", "1e-300", ",".join(["1"] * 300))],
    *[(["breakeven", CASE_TOKEN, "--param", "human.wage_per_hour", "--grid", "generation.seconds_per_image", "--steps", v],
       REFUSED) for v in ("0", "1", "-3", "100000", BIG)],
    *[(["bench", "flops", "--arch", "sd15", flag, v], REFUSED) for flag in ("--resolution", "--steps")
      for v in ("0", "-1", BIG, "nan", "1e9", "100000")],
    (["bench", "flops", "--arch", "sd15", "--guidance-scale", "nan"], REFUSED),
]
# breakeven --range (and --grid-range) LO HI on the wage (>= 0) and the acceptance rate ((0, 1])
RANGES = [
    ("human.wage_per_hour", "0", "1e12", EITHER), ("human.wage_per_hour", "0", "1e200", REFUSED),
    ("human.wage_per_hour", "1e200", "0", REFUSED), ("human.wage_per_hour", "nan", "1", REFUSED),
    ("human.wage_per_hour", "-inf", "inf", REFUSED), ("human.wage_per_hour", "0", "0", REFUSED),
    ("human.wage_per_hour", "1e308", "1e308", REFUSED), ("human.wage_per_hour", "-1e308", "1e308", REFUSED),
    ("human.wage_per_hour", "0", "1e-300", REFUSED), ("human.wage_per_hour", "5", "1", REFUSED),
    ("human.wage_per_hour", "-1", "5", REFUSED), ("human.wage_per_hour", BIG, "1", REFUSED),
    ("generation.acceptance_rate", "0", "2", REFUSED), ("generation.acceptance_rate", "0.5", "1", EITHER),
    ("generation.acceptance_rate", "1e-9", "1", EITHER),
]


def _flag_of(argv: list[str]) -> str:
    """The flag a refusal must name: the last option given (the one the case is about)."""
    return next(a for a in reversed(argv) if a.startswith("--"))


def gen_command_line_numbers(rng: random.Random, plan: Plan) -> Iterable[Case]:
    """Numbers typed on the command line: --set values on many fields, --currency, every numeric option and
    break-even ranges, each through a command in turn (the shipped seed, which has a market section)."""
    seed = (SCENARIO_DIR / "seed-2022-hobbyist-3060ti.yaml").read_bytes()
    commands = list(CLI_COMMANDS)
    i = 0
    for path in SET_FIELDS:
        values = SET_VALUES if path in ("human.wage_per_hour", "generation.candidates_per_job") else SET_VALUES[:18]
        for value, expect in values:
            name = commands[i % len(commands)]
            i += 1
            if path == "a.b.c" or (path == "meta.as_of" and expect == EITHER):
                expect = REFUSED  # no such field; a number is no date
            yield Case(f"command_line_numbers/set/{name}/{path}={value[:24]}", "command_line_numbers", seed, expect,
                       argv=(*CLI_COMMANDS[name], "--set", f"{path}={value}"), names=SET_BLAME)
    for value, expect in CURRENCIES:
        for name, argv in (("cost", ["cost", CASE_TOKEN, "--brief"]), ("compare", ["compare", CASE_TOKEN, CASE_TOKEN]),
                           ("routes", ["routes", CASE_TOKEN]), ("report", CLI_COMMANDS["report"])):
            yield Case(f"command_line_numbers/currency/{name}/{value[:12]!r}", "command_line_numbers", seed, expect,
                       argv=(*argv, "--currency", value), names="--currency")
    for argv, expect in OPTION_NUMBERS:
        yield Case(f"command_line_numbers/option/{argv[0]}{'-' + argv[1] if argv[0] == 'bench' else ''}"
                   f"/{_flag_of(argv)}={argv[-1][:24]}", "command_line_numbers", seed, expect, argv=tuple(argv),
                   names=_flag_of(argv))
    for path, lo, hi, expect in RANGES:
        yield Case(f"command_line_numbers/range/{path}/{lo[:12]}..{hi[:12]}", "command_line_numbers", seed, expect,
                   argv=("breakeven", CASE_TOKEN, "--param", path, "--range", lo, hi), names="--range")
        if path == "human.wage_per_hour":
            yield Case(f"command_line_numbers/grid-range/{lo[:12]}..{hi[:12]}", "command_line_numbers", seed, expect,
                       argv=("breakeven", CASE_TOKEN, "--param", "human.wage_per_hour", "--grid", path.replace(
                           "human.wage_per_hour", "generation.seconds_per_image"), "--grid-range", lo, hi,
                           "--steps", "3"), names="--grid-range")


def _flat(x: Any) -> Any:
    """A scenario with every distribution at its central value: nothing uncertain."""
    if isinstance(x, dict):
        return central(x) if "dist" in x else {k: _flat(v) for k, v in x.items()}
    return [_flat(v) for v in x] if isinstance(x, list) else x


ZERO_SETS = ["human.wage_per_hour=0", "human.prompt_tuning_minutes_per_job=0", "human.learning_hours=0",
             "human.screening_seconds_per_candidate=0", "human.retouch_price_per_image=0",
             "human.retouch_minutes_per_image=0", "compute.owned.purchase_price=0", "compute.owned.resale_value=0",
             "compute.owned.price_per_kwh=0"]
MARKET_EXTREMES = ["market.artists.price_elasticity=1e12", "market.artists.living_cost_per_month=0",
                   "market.segments.mid.willingness_to_pay=1", "market.segments.low.willingness_to_pay=1e-9",
                   "market.segments.high.weight_time_per_day=1e12", "market.segments.low.artist_price_multiple=1e12",
                   "market.ai.cost_decline_per_year=0.99", "market.segments.mid.weight_price=1e12"]


def gen_zero_cost(rng: random.Random, plan: Plan) -> Iterable[Case]:
    """Degenerate scenarios: an AI side that costs (or can cost) nothing, through every command, refused with
    one line naming the file (or the --set); and degenerate-but-allowed ones (nothing uncertain, costs of a
    billionth, extreme market weights) that every command must answer without nan, inf or a warning."""
    seedmarket = shipped()["seed-2022-hobbyist-3060ti"]
    zero = {short: render(all_zero(base)) for short, base in bases().items()}
    zero["seedmarket"] = render(all_zero(seedmarket))
    for short, data in zero.items():
        for name, argv in CLI_COMMANDS.items():
            yield Case(f"zero_cost/all-zero/{short}/{name}", "zero_cost", data, REFUSED, argv=tuple(argv),
                       names=CASE_TOKEN)
    reach = [("uniform-from-0", "{dist: uniform, low: 0, high: 10}"),
             ("choice-with-0", "{dist: choice, values: [0, 10], weights: [0.5, 0.5]}"),
             ("triangular-from-0", "{dist: triangular, low: 0, mode: 5, high: 10}")]
    for label, wage in reach:
        for name, argv in CLI_COMMANDS.items():
            yield Case(f"zero_cost/range-reaches-0/{label}/{name}", "zero_cost", zero["seedmarket"], REFUSED,
                       argv=(*argv, "--set", f"human.wage_per_hour={wage}"), names=SET_BLAME)
    seed = (SCENARIO_DIR / "seed-2022-hobbyist-3060ti.yaml").read_bytes()
    sets = tuple(x for a in ZERO_SETS for x in ("--set", a))
    for name, argv in CLI_COMMANDS.items():
        yield Case(f"zero_cost/set-to-0/{name}", "zero_cost", seed, REFUSED, argv=(*argv, *sets), names=SET_BLAME)
        yield Case(f"zero_cost/market-decline-1/{name}", "zero_cost", seed, REFUSED,
                   argv=(*argv, "--set", "market.ai.cost_decline_per_year=1"), names=SET_BLAME)
    yield Case("zero_cost/market-decline-to-underflow", "zero_cost", seed, REFUSED,
               argv=("market", CASE_TOKEN, "--draws", "0", "--set", "market.ai.cost_decline_per_year=0.999999999999",
                     "--set", "market.end='2099-12'"), names=SET_BLAME)
    fixed = render(_flat(seedmarket))
    tiny = all_zero(seedmarket)
    tiny["human"]["wage_per_hour"] = 1e-9
    tiny["human"]["prompt_tuning_minutes_per_job"] = 1e-9
    tiny_data = render(tiny)
    for name, argv in CLI_COMMANDS.items():
        yield Case(f"zero_cost/nothing-uncertain/{name}", "zero_cost", fixed, EITHER, argv=tuple(argv))
        yield Case(f"zero_cost/a-billionth/{name}", "zero_cost", tiny_data, EITHER, argv=tuple(argv))
    for assignment in MARKET_EXTREMES:
        yield Case(f"zero_cost/market-extreme/{assignment}", "zero_cost", seed, EITHER,
                   argv=("market", CASE_TOKEN, "--draws", "3", "--set", assignment))


GENERATORS = [
    gen_missing_required, gen_wrong_type, gen_quoted_number, gen_bool_as_number, gen_negative, gen_non_finite,
    gen_huge_tiny, gen_unknown_field, gen_bad_distribution, gen_yaml_alias, gen_yaml_tag, gen_deep_nesting,
    gen_big_input, gen_encoding, gen_duplicate_key, gen_extends, gen_cross_field, gen_syntax, gen_line_break,
    gen_yaml_numbers, gen_control, gen_command_line_numbers, gen_zero_cost,
]


@lru_cache(maxsize=1)
def cases() -> tuple[Case, ...]:
    """Every case, the same on every run (one seeded Random, shipped scenarios in name order)."""
    rng = random.Random(SEED)
    plan = Plan(rng)
    out: list[Case] = []
    seen: set[str] = set()
    for gen in GENERATORS:
        for case in gen(rng, plan):
            name = case.name
            n = 2
            while name in seen:
                name = f"{case.name}#{n}"
                n += 1
            seen.add(name)
            out.append(case._replace(name=name))
    return tuple(out)


# --------------------------------------------------------------------------- running one case


@dataclass
class Outcome:
    status: str  # "refused" (UserError), "accepted", "crash" (any other exception), "killed" (time or memory)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    error: str = ""  # the exception a crash raised, or why the child was killed
    figure_issues: list[str] = field(default_factory=list)  # accepted: figures that are not finite or negative
    stage: str = "load"  # where it was refused: "load" (load_scenario) or "comparison"


class _HardTimeout(BaseException):
    """Raised by the alarm: a BaseException, so no `except Exception` in the code under test swallows it."""


def _arm_hard_limit(seconds: float):
    """Raise _HardTimeout in the main thread after `seconds` (an interval timer; elsewhere no limit); returns the
    function that disarms it and puts the old SIGALRM handler back (call it in a `finally`)."""
    if not (hasattr(signal, "setitimer") and _main_thread()):
        return lambda: None

    def _alarm(signum, frame):
        raise _HardTimeout()

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)

    def stop() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)

    return stop


def _figure_issues(result: Any) -> list[str]:
    issues: list[str] = []

    def walk(x: Any, where: str, signed_ok: bool) -> None:
        if x is None or isinstance(x, (str, bool, dt.date)):
            return
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, f"{where}.{k}" if where else str(k), signed_ok or (where.startswith("inputs.") and k == "dist"))
            return
        if isinstance(x, (list, tuple)):
            for i, v in enumerate(x):
                walk(v, f"{where}[{i}]", signed_ok)
            return
        try:
            f = float(x)
        except (TypeError, ValueError):
            issues.append(f"{where}: not a number ({type(x).__name__})")
            return
        if not math.isfinite(f):
            issues.append(f"{where} = {f}")
        elif f < 0 and not signed_ok:
            issues.append(f"{where} = {f} < 0")

    walk(result, "", False)
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError) as exc:
        issues.append(f"json.dumps(allow_nan=False): {exc}")
    return issues


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:300]}"


def _run_inline(path: Path, hard_seconds: float = HARD_SECONDS) -> Outcome:
    from artcost.model.comparison import comparison
    from artcost.model.loader import load_scenario

    from artcost.errors import UserError

    stop = _arm_hard_limit(hard_seconds)
    t0 = time.perf_counter()
    try:
        try:
            loaded = load_scenario(path)
        except UserError as exc:
            return Outcome("refused", time.perf_counter() - t0, list(exc.problems))
        try:
            result = comparison(loaded, None)
        except UserError as exc:  # refused when computing: `artcost cost` exits 2, `artcost validate` says ok
            return Outcome("refused", time.perf_counter() - t0, list(exc.problems), stage="comparison")
        except Exception as exc:  # noqa: BLE001 - the point is to see it
            return Outcome("accepted", time.perf_counter() - t0, error=_describe(exc), figure_issues=[f"comparison raised {_describe(exc)}"])
        return Outcome("accepted", time.perf_counter() - t0, figure_issues=_figure_issues(result))
    except _HardTimeout:
        return Outcome("killed", time.perf_counter() - t0, error=f"still running after {hard_seconds:g} s")
    except RecursionError as exc:
        return Outcome("crash", time.perf_counter() - t0, error=_describe(exc))
    except Exception as exc:  # noqa: BLE001
        return Outcome("crash", time.perf_counter() - t0, error=_describe(exc))
    finally:
        stop()


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _vm_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _run_forked(path: Path) -> Outcome:
    """Run a case in a forked child: 2 GB more address space than now at most, stopped after SANDBOX_SECONDS."""
    r, w = os.pipe()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(r)
            limit = _vm_bytes() + 2 * 1024**3
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            out = _run_inline(path, SANDBOX_SECONDS)
            with os.fdopen(w, "w") as f:
                f.write(json.dumps(asdict(out)))
        except BaseException:  # noqa: BLE001
            code = 3
        finally:
            os._exit(code)
    os.close(w)
    with os.fdopen(r, "r") as f:
        payload = f.read()
    _, status = os.waitpid(pid, 0)
    if payload:
        return Outcome(**json.loads(payload))
    why = f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exited {os.WEXITSTATUS(status)} with no result"
    return Outcome("killed", time.perf_counter() - t0, error=f"child {why} (memory limit, time limit or a crash)")


def write_case(case: Case, folder: Path) -> Path:
    path = prepare(folder)
    path.write_bytes(case.data.replace(ROOT_TOKEN.encode(), str(ROOT).encode()))
    return path


def run_case(case: Case, folder: Path) -> tuple[Outcome, Path]:
    """Write the case as `folder/case.yaml` (with the helper files next to it) and load it as the CLI does
    (a command-line case: run its command line)."""
    path = write_case(case, folder)
    if case.argv:
        return _run_cli(case, path), path
    sandbox = case.sandbox and hasattr(os, "fork")
    return (_run_forked(path) if sandbox else _run_inline(path)), path


def _run_cli(case: Case, path: Path, hard_seconds: float = CLI_HARD_SECONDS) -> Outcome:
    """`artcost.cli.main(case.argv)` in this process: stdout, stderr and every Python warning captured (each
    warning recorded, however often it was seen before); what it prints that is no figure is an issue."""
    import contextlib
    import io
    import warnings

    from artcost.cli import main

    out_dir = path.parent / "out"
    out_dir.mkdir(exist_ok=True)
    argv = [a.replace(CASE_TOKEN, str(path)).replace(OUT_TOKEN, str(out_dir)) for a in case.argv]
    stop = _arm_hard_limit(hard_seconds)
    stdout, stderr = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    code: Any = None
    error = ""
    try:
        with warnings.catch_warnings(record=True) as seen, contextlib.redirect_stdout(stdout), \
                contextlib.redirect_stderr(stderr):
            warnings.simplefilter("always")
            try:
                code = main(argv)
            except _HardTimeout:
                raise
            except BaseException as exc:  # noqa: BLE001 - the point is to see it (SystemExit included)
                error = _describe(exc)
    except _HardTimeout:
        return Outcome("killed", time.perf_counter() - t0, error=f"still running after {hard_seconds:g} s")
    finally:
        stop()
    seconds = time.perf_counter() - t0
    out, err = stdout.getvalue(), stderr.getvalue()
    issues = [f"warning {w.category.__name__}: {str(w.message)[:120]} ({Path(w.filename).name}:{w.lineno})"
              for w in seen]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    shown = out if code == 2 else out + err  # a refusal may quote what was typed ('got inf' for 1e400)
    bad = NOT_A_FIGURE.search(shown)
    if bad:
        issues.append(f"printed {bad.group(0)!r}: ...{shown[max(0, bad.start() - 100):bad.end() + 40]!r}")
    if error or code not in (0, 2):
        return Outcome("crash", seconds, lines, error=error or f"exit {code}: {err.strip()[-300:]!r}", figure_issues=issues)
    return Outcome("refused" if code == 2 else "accepted", seconds, lines if code == 2 else [], figure_issues=issues)


def cli_violations(case: Case, out: Outcome, shown: str) -> list[str]:
    """How a command-line case breaks the contract: a crash, a hang, a warning, nan or inf printed, a refusal
    that is not one line per problem naming what it is about, or an accepted case that must be refused."""
    if out.status == "crash":
        return [f"raised {out.error} instead of a one-line refusal", *out.figure_issues[:3]]
    if out.status == "killed":
        return [f"did not finish: {out.error}"]
    bad = list(out.figure_issues[:5])
    if out.status == "accepted":
        if case.expect == REFUSED:
            bad.append("accepted, but must be refused")
        return bad
    names = case.names.replace(CASE_TOKEN, shown)
    if not out.problems:
        bad.append("exit 2 with no problem line")
    if len(out.problems) > MAX_LINES:
        bad.append(f"{len(out.problems)} problem lines (at most {MAX_LINES})")
    for i, line in enumerate(out.problems):
        if not line.startswith("error: "):
            bad.append(f"line {i + 1} is not an 'error: ' line: {line[:200]!r}")
        elif names and names not in line and not MORE_LINE.match(line.removeprefix("error: ")):
            bad.append(f"line {i + 1} does not say it is about {names!r}: {line[:200]!r}")
        if len(line) > MAX_LINE_CHARS:
            bad.append(f"line {i + 1} is {len(line):,} characters: it carries an input back whole")
    return bad[:8]


@lru_cache(maxsize=64)
def _file_lines(name: str) -> tuple[str, ...]:
    try:
        text = Path(name.replace(ROOT_TOKEN, str(ROOT))).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    return tuple({ln.strip() for ln in text.splitlines() if len(ln.strip()) >= 10})


def violations(case: Case, out: Outcome, shown: str) -> list[str]:
    """How `out` breaks the contract for `case` (empty: it keeps it)."""
    if case.argv:
        return cli_violations(case, out, shown)
    bad: list[str] = []
    if out.status == "crash":
        return [f"raised {out.error} instead of a UserError"]
    if out.status == "killed":
        return [f"did not finish: {out.error}"]
    if out.seconds > CASE_SECONDS:
        bad.append(f"took {out.seconds:.1f} s (bound {CASE_SECONDS:g} s)")
    if out.status == "accepted":
        if case.expect == REFUSED:
            bad.append("accepted, but must be refused")
        if out.error:
            bad.append(f"figures could not be computed: {out.error}")
        bad.extend(f"figure not finite and >= 0: {x}" for x in out.figure_issues[:5])
        return bad
    # refused
    if case.expect == REFUSED and out.stage != "load":
        bad.append(f"refused only when computing figures, not by load_scenario (artcost validate would accept it): {out.problems[:1]}")
    lines = out.problems
    if not lines:
        bad.append("UserError with no problem line")
    if len(lines) > MAX_LINES:
        bad.append(f"{len(lines)} problem lines (at most {MAX_LINES})")
    parent_dir = Path(shown).parent
    prefixes = [shown] + [str(parent_dir / p.replace(ROOT_TOKEN, str(ROOT))) for p in case.parents if "\0" not in p]
    prefixes += [p.replace(ROOT_TOKEN, str(ROOT)) for p in case.parents if "\0" not in p]
    prefixes += [str(parent_dir / h) for h in HELPERS]  # a helper in a chain (loop.yaml, chain*.yaml)
    leak_lines = [ln for f in case.leak_files for ln in _file_lines(f)]
    for i, line in enumerate(lines):
        if i == len(lines) - 1 and i >= 1 and MORE_LINE.match(line):
            continue
        if not any(line.startswith(p + ":") for p in prefixes):
            bad.append(f"line {i + 1} does not start with the file name {shown!r}: {line[:200]!r}")
        if len(line.splitlines()) > 1 or "\x00" in line:
            bad.append(f"line {i + 1} holds a line break or NUL, so it prints as more than one line: {line[:200]!r}")
        if "Traceback" in line:
            bad.append(f"line {i + 1} holds a traceback")
        if SECRET in line:
            bad.append(f"line {i + 1} quotes a file that is not a scenario: {line[:200]!r}")
        for leak in leak_lines:
            if leak in line:
                bad.append(f"line {i + 1} quotes {leak!r} from a file that is not a scenario")
                break
    return bad[:8]


# --------------------------------------------------------------------------- summary


def summarize(selected: Iterable[Case], folder: Path, failures: int = 1) -> dict[str, Any]:
    rows: dict[str, Counter] = defaultdict(Counter)
    failing: dict[str, list[tuple[str, list[str], Outcome]]] = defaultdict(list)
    slow: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    for case in selected:
        out, path = run_case(case, folder)
        bad = violations(case, out, str(path))
        rows[case.cls]["cases"] += 1
        rows[case.cls][out.status] += 1
        rows[case.cls]["ok" if not bad else "violations"] += 1
        if bad:
            failing[case.cls].append((case.name, bad, out))
        slow.append((out.seconds, case.name))
    return {"rows": rows, "failing": failing, "slow": sorted(slow, reverse=True)[:10], "seconds": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--summary", action="store_true", help="run every case and print counts per class and outcome")
    ap.add_argument("--cls", action="append", help="only this class (repeatable)")
    ap.add_argument("--match", help="only cases whose name contains this")
    ap.add_argument("--failures", type=int, default=1, help="failing cases shown per class")
    ap.add_argument("--list", action="store_true", help="list the cases and their expectations")
    ap.add_argument("--skip-heavy", action="store_true")
    args = ap.parse_args(argv)
    selected = [c for c in cases() if (not args.cls or c.cls in args.cls) and (not args.match or args.match in c.name)
                and not (args.skip_heavy and c.heavy)]
    if args.list:
        for c in selected:
            print(f"{c.cls:18} {c.expect:8} {len(c.data):>9,} B  {c.name}")
        print(f"{len(selected)} cases")
        return 0
    counts = Counter(c.cls for c in selected)
    expects = Counter((c.cls, c.expect) for c in selected)
    if not args.summary:
        for cls, n in counts.items():
            print(f"{cls:18} {n:5}  (refused {expects[cls, REFUSED]}, either {expects[cls, EITHER]})")
        print(f"{'total':18} {sum(counts.values()):5}")
        return 0
    os.environ.setdefault("ARTCOST_DATA", tempfile.mkdtemp(prefix="artcost-fuzz-data-"))
    with tempfile.TemporaryDirectory(prefix="artcost-fuzz-") as tmp:
        s = summarize(selected, Path(tmp), args.failures)
    head = f"{'class':18} {'cases':>5} {'refused':>7} {'accepted':>8} {'crash':>5} {'killed':>6} {'ok':>5} {'violate':>7}"
    print(head)
    print("-" * len(head))
    total: Counter = Counter()
    for cls in counts:
        r = s["rows"][cls]
        total.update(r)
        print(f"{cls:18} {r['cases']:5} {r['refused']:7} {r['accepted']:8} {r['crash']:5} {r['killed']:6} {r['ok']:5} {r['violations']:7}")
    print("-" * len(head))
    print(f"{'total':18} {total['cases']:5} {total['refused']:7} {total['accepted']:8} {total['crash']:5} {total['killed']:6} {total['ok']:5} {total['violations']:7}")
    print(f"\n{s['seconds']:.1f} s for {total['cases']} cases; slowest: " + ", ".join(f"{n} {t:.2f}s" for t, n in s["slow"][:5]))
    if s["failing"]:
        print("\nfailing (first of each class):")
        for cls, items in s["failing"].items():
            print(f"\n[{cls}] {len(items)} failing")
            for name, bad, out in items[: args.failures]:
                print(f"  {name}: {bad[0]}")
                for more in bad[1:3]:
                    print(f"      {more}")
    return 1 if total["violations"] else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src")) if not (ROOT / "src" / "artcost").exists() else None
    sys.exit(main())
