"""Reading scenario files safely, and turning every problem into one clear line.

Each problem line names the file, the YAML line where it knows it, the field path and what
is wrong:  ``scenarios/x.yaml:12: human.wage_per_hour: must be >= 0 (got -5)``.
Nothing is executed: safe loading only, aliases refused (no alias bombs), 1 MB at most.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Union, get_args

import yaml
from pydantic import BaseModel, ValidationError

from artcost.errors import UserError
from artcost.model import distributions
from artcost.model.schema import Quantity, Scenario, model_class_of
from artcost.model.suggest import did_you_mean

MAX_BYTES = 1_000_000
MAX_EXTENDS_DEPTH = 5

Path_ = tuple[Union[str, int], ...]


@dataclass
class LoadedScenario:
    """A validated scenario with what is needed to explain it: where it came from and what was overridden."""

    scenario: Scenario
    path: str
    raw: dict[str, Any]
    overrides: dict[str, str] = field(default_factory=dict)  # dotted path -> label of who set it
    notes: list[str] = field(default_factory=list)  # what a reader must know about mixed provenance

    def source_of(self, dotted: str) -> str:
        """Where a field's figure comes from: an override, the scenario file's source text, or a labelled default."""
        if dotted in self.overrides:
            return self.overrides[dotted]
        q = self.scenario.quantities().get(dotted)
        if q is not None and q.source:
            return q.source if q.source.startswith("default:") else f"{self.path}: {q.source}"
        return f"{self.path} (no source given)"


# --------------------------------------------------------------------------- YAML reading


def _read_text(path: Path, shown: str) -> str:
    if not path.exists():
        raise UserError(f"{shown}: no such file")
    if path.is_dir():
        raise UserError(f"{shown}: is a directory, not a scenario file")
    size = path.stat().st_size
    if size > MAX_BYTES:  # checked before reading, so a huge file is never loaded
        raise UserError(f"{shown}: file is {size:,} bytes; scenario files are limited to {MAX_BYTES:,} bytes")
    return decode_scenario_bytes(path.read_bytes(), shown)


def decode_scenario_bytes(data: bytes, shown: str) -> str:
    """Scenario bytes as text: at most MAX_BYTES, no binary data, UTF-8."""
    if len(data) > MAX_BYTES:
        raise UserError(f"{shown}: file is {len(data):,} bytes; scenario files are limited to {MAX_BYTES:,} bytes")
    if b"\x00" in data:
        raise UserError(f"{shown}: not a text file (binary data)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{shown}: not UTF-8 text (byte {exc.start})") from None


class ScenarioYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, plus exponent floats without a dot (`1e3`), which YAML 1.2 allows
    and people write; PyYAML's YAML 1.1 rules would read them as text."""


ScenarioYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def parse_yaml(text: str, shown: str) -> tuple[Any, dict[Path_, int]]:
    """Safe-load YAML, refusing aliases and repeated keys; return the data and a map of key path -> line (1-based)."""
    try:
        for event in yaml.parse(text, Loader=ScenarioYamlLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1
                raise UserError(f"{shown}:{line}: YAML aliases (*{event.anchor}) are not allowed in scenario files")
        node = yaml.compose(text, Loader=ScenarioYamlLoader)
        data = yaml.load(text, Loader=ScenarioYamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{shown}{where}: not valid YAML: {problem}") from None
    except ValueError as exc:  # PyYAML's date constructor raises this for e.g. 2022-13-01
        raise UserError(f"{shown}: not valid YAML: {exc}") from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _collect_lines(node, (), lines, shown)
    return data, lines


def _collect_lines(node: yaml.Node, prefix: Path_, out: dict[Path_, int], shown: str) -> None:
    out.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = prefix + (key_node.value,)
            if key_node.value in seen:
                dotted = ".".join(str(p) for p in key)
                raise UserError(f"{shown}:{key_node.start_mark.line + 1}: {dotted}: written twice (the first would be ignored)")
            seen.add(key_node.value)
            out[key] = key_node.start_mark.line + 1
            _collect_lines(value_node, key, out, shown)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _collect_lines(item, prefix + (i,), out, shown)


def _deep_merge(base: dict, child: dict, prefix: Path_ = (), replaced: list[Path_] | None = None) -> dict:
    """Child sections merge into the parent's; a child field (a number, {value:}, {dist:}) replaces the
    parent's whole. `replaced` collects the paths replaced, so their old line numbers can be dropped."""
    out = copy.deepcopy(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and "dist" not in value and "value" not in value:
            out[key] = _deep_merge(out[key], value, prefix + (key,), replaced)
        else:
            out[key] = copy.deepcopy(value)
            if replaced is not None:
                replaced.append(prefix + (key,))
    return out


def read_raw(path: Path, shown: str | None = None, _depth: int = 0) -> tuple[dict, dict[Path_, str]]:
    """The scenario file as a plain dict with `extends:` resolved next to it, and where each key was written."""
    shown = shown or str(path)

    def sibling(name: str) -> tuple[Path, str]:
        return (path.parent / name).resolve(), str(Path(shown).parent / name)

    return read_text_raw(_read_text(path, shown), shown, sibling, _depth)


ParentResolver = Callable[[str], tuple[Path, str]]


def read_text_raw(
    text: str, shown: str, resolve_parent: ParentResolver | None, _depth: int = 0
) -> tuple[dict, dict[Path_, str]]:
    """Scenario text as a plain dict with `extends:` resolved, and where each key was written (file:line).

    `resolve_parent(name)` returns the (path, shown name) of an `extends:` target or raises
    UserError; None means this text may not extend anything.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise UserError(f"{shown}: scenario files are limited to {MAX_BYTES:,} bytes")
    data, lines = parse_yaml(text, shown)
    if data is None:
        raise UserError(f"{shown}: file is empty")
    if not isinstance(data, dict):
        raise UserError(f"{shown}:1: a scenario must be a mapping of sections (meta, job, ...), got {type(data).__name__}")
    where = {k: f"{shown}:{v}" for k, v in lines.items()}
    parent = data.pop("extends", None)
    if parent is None:
        return data, where
    line = lines.get(("extends",), 1)
    if not isinstance(parent, str):
        raise UserError(f"{shown}:{line}: extends: must be a file name (got {parent!r})")
    if resolve_parent is None:
        raise UserError(f"{shown}:{line}: extends: this scenario may not extend another file")
    if _depth >= MAX_EXTENDS_DEPTH:
        raise UserError(f"{shown}: extends: chain deeper than {MAX_EXTENDS_DEPTH} files (a cycle?)")
    parent_path, parent_shown = resolve_parent(parent)
    parent_data, parent_where = read_raw(parent_path, parent_shown, _depth + 1)
    replaced: list[Path_] = []
    merged = _deep_merge(parent_data, data, (), replaced)
    # a replaced field's inner keys now come from the child: forget the parent's lines for them
    for path in replaced:
        for key in [k for k in parent_where if len(k) > len(path) and k[: len(path)] == path]:
            del parent_where[key]
    parent_where.update(where)
    return merged, parent_where


# --------------------------------------------------------------------------- errors


def _model_at(loc: Path_) -> tuple[type[BaseModel] | None, Path_]:
    """Walk the schema along `loc`; return the model class reached and the loc as the user wrote it."""
    cls: Any = Scenario
    shown: list = []
    i = 0
    while i < len(loc):
        part = loc[i]
        if cls is Quantity and part == "dist" and i + 1 < len(loc):
            # pydantic puts the discriminator tag in the path; the user wrote the spec inline.
            cls = _spec_class(loc[i + 1])
            i += 2
            continue
        shown.append(part)
        fields = getattr(cls, "model_fields", None)
        if fields is None or part not in fields:
            cls = None
            shown.extend(loc[i + 1 :])
            break
        cls = model_class_of(fields[part].annotation)
        i += 1
    return cls, tuple(shown)


def _spec_class(tag: Any) -> type[BaseModel] | None:
    for spec in get_args(get_args(distributions.DistSpec)[0]):
        if spec.model_fields["dist"].annotation.__args__[0] == tag:
            return spec
    return None


def _clean_loc(loc: Path_) -> Path_:
    _, shown = _model_at(loc)
    # strip pydantic's union-member labels such as 'str' or 'Source' in meta.sources
    return tuple(p for p in shown if p not in ("str", "Source", "function-after[check(), Quantity]"))


def format_validation_error(exc: ValidationError, where: dict[Path_, str], shown: str) -> list[str]:
    lines = []
    seen = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        clean = _clean_loc(loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            parent_cls, _ = _model_at(loc[:-1])
            options = list(getattr(parent_cls, "model_fields", {}) or {})
            if parent_cls is Quantity:
                options = ["value", "source", "dist"]
            msg = f"unknown key{did_you_mean(str(loc[-1]), options)}"
            if options:
                msg += f"; allowed here: {', '.join(options)}"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] in ("model_type", "dict_type") and "input" in err:
            msg = f"must be a mapping (got {err['input']!r})"
        elif "input" in err and err["type"] not in ("value_error", "assertion_error") and not isinstance(err["input"], dict):
            msg = f"{msg} (got {err['input']!r})"
        dotted = ".".join(str(p) for p in clean) or "(top level)"
        position = _nearest(where, clean) or shown
        line = f"{position}: {dotted}: {msg}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


def _nearest(where: dict[Path_, str], loc: Path_) -> str | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in where:
            return where[loc[:n]]
    return None


# --------------------------------------------------------------------------- overrides


def parse_assignment(text: str) -> tuple[str, Any]:
    """'human.wage_per_hour=40' -> ('human.wage_per_hour', 40); the value is read as YAML."""
    if "=" not in text:
        raise UserError(f"--set {text}: expected PATH=VALUE, e.g. --set human.wage_per_hour=40")
    path, _, value_text = text.partition("=")
    path = path.strip()
    if not path or any(not p for p in path.split(".")):
        raise UserError(f"--set {text}: expected PATH=VALUE with a dotted path, e.g. human.wage_per_hour=40")
    data, _ = parse_yaml(value_text, f"--set {text}")
    return path, data


def apply_overrides(raw: dict, overrides: dict[str, Any]) -> dict:
    """Set dotted paths in a copy of the raw scenario; unknown paths are caught by the schema."""
    out = copy.deepcopy(raw)
    for dotted, value in overrides.items():
        node = out
        parts = dotted.split(".")
        for part in parts[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise UserError(f"--set {dotted}: {part} holds a value, not a section")
            node = nxt
        leaf = parts[-1]
        old = node.get(leaf)
        if isinstance(old, dict) and isinstance(value, (int, float)) and not isinstance(value, bool):
            # keep the field's source next to the new number, marked as overridden
            node[leaf] = {"value": value, "source": f"overridden (was: {old.get('source', 'no source')})"}
        else:
            node[leaf] = value
    return out


# --------------------------------------------------------------------------- entry points


def validate_raw(raw: dict, where: dict[Path_, str], shown: str) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise UserError(format_validation_error(exc, where, shown)) from None


def load_scenario(
    path: str | Path,
    overrides: dict[str, Any] | None = None,
    override_label: str = "--set on the command line",
) -> LoadedScenario:
    """Read, resolve `extends:`, apply overrides and validate one scenario file."""
    raw, where = read_raw(Path(path), str(path))
    return _validated(raw, where, str(path), str(path), overrides, override_label)


def load_text(
    text: str,
    shown: str,
    resolve_parent: ParentResolver | None = None,
    overrides: dict[str, Any] | None = None,
    override_label: str = "--set on the command line",
) -> LoadedScenario:
    """The same as `load_scenario` for text that is not a file (an upload); `shown` names it in errors."""
    raw, where = read_text_raw(text, shown, resolve_parent)
    return _validated(raw, where, shown, shown, overrides, override_label)


def _validated(raw, where, shown, path_label, overrides, override_label) -> LoadedScenario:
    labels: dict[str, str] = {}
    if overrides:
        raw = apply_overrides(raw, overrides)
        for dotted in overrides:
            where[tuple(dotted.split("."))] = f"{shown} ({override_label} {dotted})"
            labels[dotted] = override_label
    scenario = validate_raw(raw, where, shown)
    return LoadedScenario(scenario=scenario, path=path_label, raw=raw, overrides=labels)
