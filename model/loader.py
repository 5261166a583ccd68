"""Reading scenario files safely, and turning every problem into one clear line.

Each problem line names the file, the YAML line where it knows it, the field path and what
is wrong:  ``scenarios/x.yaml:12: human.wage_per_hour: must be >= 0 (got -5)``.
Nothing is executed: safe loading only, aliases refused (no alias bombs), 1 MB at most.

The work is bounded before any document is built: one pass over the parser's events (libyaml's C
parser where PyYAML has it) refuses nesting deeper than MAX_DEPTH and documents of more than
MAX_NODES nodes, so any input under the size cap is parsed or refused in a fraction of a second,
and nothing recursive ever sees a deep document.  `extends:` reads YAML scenario files only, and an
error about a file that is not a scenario never quotes it.
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
from artcost.model.suggest import closest, did_you_mean

MAX_BYTES = 1_000_000
MAX_EXTENDS_DEPTH = 5
# The largest shipped scenario has ~400 nodes and nests 6 deep; these leave room for long market
# series and hand-written sources while bounding what a hostile file can cost.
MAX_NODES = 20_000
MAX_DEPTH = 24
SCENARIO_SUFFIXES = (".yaml", ".yml")
MAX_NAME_CHARS = 255
OVERRIDE_LABEL = "override"  # who set an overridden figure, unless the caller names it (the CLI: its --set)

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
    try:
        if not path.exists():
            raise UserError(f"{shown}: no such file")
        if path.is_dir():
            raise UserError(f"{shown}: is a directory, not a scenario file")
        if not path.is_file():  # a FIFO or a device (/dev/zero) would hang or never end
            raise UserError(f"{shown}: not a regular file")
        size = path.stat().st_size
        if size > MAX_BYTES:  # checked before reading, so a huge file is never loaded
            raise UserError(f"{shown}: file is {size:,} bytes; scenario files are limited to {MAX_BYTES:,} bytes")
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)  # never more, whatever stat said
    except (OSError, ValueError) as exc:  # unreadable, name too long, NUL in the name
        raise UserError(f"{shown}: cannot be read ({_os_reason(exc)})") from None
    return decode_scenario_bytes(data, shown)


def _os_reason(exc: BaseException) -> str:
    """The reason of an OSError without the path it carries (shown already, and possibly huge)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return "invalid file name" if isinstance(exc, ValueError) else type(exc).__name__


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


# libyaml's C parser is ~100x faster than PyYAML's pure-Python one (a 900 KB scalar: 20 ms
# against 2.3 s here); PyYAML wheels ship it, and the pure-Python parser is the fallback.
_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ScenarioYamlLoader(_SafeBase):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader, plus exponent floats without a dot (`1e3`), which YAML 1.2 allows
    and people write; PyYAML's YAML 1.1 rules would read them as text."""


ScenarioYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


# Tags a scenario may spell out (`!!str 2022`, `!!float 1`): the standard JSON-like types.
_PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")} | {"!"}


def _check_shape(text: str, shown: str) -> None:
    """One streaming pass over the parser's events: aliases, nesting and size are refused here,
    before a document is composed, so the work is bounded by MAX_NODES whatever the input."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=ScenarioYamlLoader):
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1
            raise UserError(f"{shown}:{line}: YAML aliases (*{_short(event.anchor)}) are not allowed in scenario files")
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            nodes += 1
            if nodes > MAX_NODES:
                line = event.start_mark.line + 1
                raise UserError(f"{shown}:{line}: more than {MAX_NODES:,} values; a scenario is far smaller (is this the right file?)")
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _PLAIN_TAGS and not (isinstance(event, yaml.ScalarEvent) and event.implicit[0]):
            # !!binary, !!set, !!python/..., custom tags: nothing a scenario needs, and their text is not shown
            raise UserError(f"{shown}:{event.start_mark.line + 1}: not valid YAML for a scenario: explicit tags (!!binary, !!set, !name) are not allowed")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                raise UserError(f"{shown}:{line}: nested more than {MAX_DEPTH} levels deep; a scenario nests about 5")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _short(value: Any, limit: int = 60) -> str:
    """`value` as text of at most `limit` characters, so no error line carries a whole input."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_yaml(text: str, shown: str) -> tuple[Any, dict[Path_, int]]:
    """Safe-load YAML, refusing aliases and repeated keys; return the data and a map of key path -> line (1-based)."""
    try:
        _check_shape(text, shown)
        loader = ScenarioYamlLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None  # safe constructors only
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UserError(f"{shown}{where}: not valid YAML: {_short(problem, 120)}") from None
    except (ValueError, OverflowError) as exc:  # PyYAML's date constructor raises this for e.g. 2022-13-01
        if "integer string conversion" in str(exc):  # Python's own limit, said without its advice to raise it
            raise UserError(f"{shown}: not valid YAML: a number of more than 4,300 digits") from None
        raise UserError(f"{shown}: not valid YAML: {_short(exc, 120)}") from None
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
                dotted = _short(".".join(str(p) for p in key))
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
    return read_text_raw(_read_text(path, shown), shown, _sibling_resolver(path, shown), _depth)


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
    sections = set(Scenario.model_fields) | {"extends"}
    if not any(isinstance(k, str) and k in sections for k in data):
        # none of its keys is a section: not a scenario with a typo but another kind of file,
        # whose keys (possibly secrets) are not repeated back
        raise UserError(
            f"{shown}:1: not a scenario file: none of its {len(data):,} top-level keys is a section "
            f"({', '.join(Scenario.model_fields)})"
        )
    where = {k: f"{shown}:{v}" for k, v in lines.items()}
    parent = data.pop("extends", None)
    if parent is None:
        return data, where
    line = lines.get(("extends",), 1)
    if not isinstance(parent, str):
        raise UserError(f"{shown}:{line}: extends: must be a file name (got {_short(repr(parent))})")
    if resolve_parent is None:
        raise UserError(f"{shown}:{line}: extends: this scenario may not extend another file")
    if _depth >= MAX_EXTENDS_DEPTH:
        raise UserError(f"{shown}: extends: chain deeper than {MAX_EXTENDS_DEPTH} files (a cycle?)")
    # the resolver first: it only maps a name to a path (and may refuse it, as uploads do), opening nothing
    parent_path, parent_shown = resolve_parent(parent)
    _check_parent_name(parent, f"{shown}:{line}")
    parent_data, parent_where = _read_parent(parent_path, parent_shown, f"{shown}:{line}", _depth + 1)
    replaced: list[Path_] = []
    merged = _deep_merge(parent_data, data, (), replaced)
    # a replaced field's inner keys now come from the child: forget the parent's lines for them
    for path in replaced:
        for key in [k for k in parent_where if len(k) > len(path) and k[: len(path)] == path]:
            del parent_where[key]
    parent_where.update(where)
    return merged, parent_where


def _check_parent_name(name: str, at: str) -> None:
    """An `extends:` target must name a YAML file: refused by name before anything is opened."""
    if "\0" in name or len(name) > MAX_NAME_CHARS or not name.strip():
        raise UserError(f"{at}: extends: {_short(repr(name))} is not a usable file name")
    if not name.lower().endswith(SCENARIO_SUFFIXES):
        raise UserError(
            f"{at}: extends: {_short(repr(name))} is not a scenario file (scenario files end in .yaml or .yml)"
        )


def _read_parent(path: Path, shown: str, at: str, depth: int) -> tuple[dict, dict[Path_, str]]:
    """A parent scenario, checked to be one before any of its content can reach an error line:
    a YAML mapping whose top-level keys are all scenario sections."""
    try:
        text = _read_text(path, shown)
    except UserError as exc:  # no such file, not a regular file, too big: these name only the file
        raise UserError(f"{at}: extends: {exc.problems[0]}") from None
    try:
        data, _ = parse_yaml(text, shown)
    except UserError:
        # a parse problem may quote the file (a repeated key, an anchor): it is not shown until the
        # file is known to be a scenario, and then it is checked on its own
        raise UserError(f"{at}: extends: {shown} is not a readable scenario file (not valid scenario YAML); "
                        "check that file on its own") from None
    sections = set(Scenario.model_fields) | {"extends"}
    if not isinstance(data, dict) or not data or not all(isinstance(k, str) and k in sections for k in data):
        raise UserError(
            f"{at}: extends: {shown} is not a scenario file (its top level must be scenario sections: "
            f"{', '.join(Scenario.model_fields)})"
        )
    return read_text_raw(text, shown, _sibling_resolver(path, shown), depth)


def _sibling_resolver(path: Path, shown: str) -> ParentResolver:
    def sibling(name: str) -> tuple[Path, str]:
        return (path.parent / name), str(Path(shown).parent / name)

    return sibling


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


def _allowed_keys(parent: Path_) -> list[str]:
    """The keys the schema allows at `parent` (a quantity's: value, source, dist)."""
    parent_cls, _ = _model_at(parent)
    if parent_cls is Quantity:
        return ["value", "source", "dist"]
    return list(getattr(parent_cls, "model_fields", {}) or {})


def _misspelt(errors: list[dict]) -> set[Path_]:
    """Required fields an unknown key beside them is a misspelling of ('wage_per_hr' for 'wage_per_hour'): the
    unknown key's line already says 'did you mean', so a second line saying the field is missing is noise."""
    out = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = tuple(err["loc"])
            close = closest(str(loc[-1]), _allowed_keys(loc[:-1]))
            if close:
                out.add((*loc[:-1], close))
    return out


def format_validation_error(exc: ValidationError, where: dict[Path_, str], shown: str,
                            overridden: tuple[Path_, ...] = (), override_label: str = OVERRIDE_LABEL) -> list[str]:
    """One line per problem, each at the file's line of the field (or the override that set it).
    `overridden`: the paths overrides set; a problem with a figure the file wrote but an override
    changed part of (its high) is said to come from both."""
    lines = []
    seen = set()
    errors = exc.errors(include_url=False)
    misspelt = _misspelt(errors)
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "missing" and loc in misspelt:
            continue
        clean = _clean_loc(loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            options = _allowed_keys(loc[:-1])
            msg = f"unknown key{did_you_mean(str(loc[-1]), options)}"
            if options:
                msg += f"; allowed here: {', '.join(options)}"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] in ("model_type", "dict_type") and "input" in err:
            msg = f"must be a mapping (got {_short(repr(err['input']))})"
        elif "input" in err and err["type"] not in ("value_error", "assertion_error") and not isinstance(err["input"], dict):
            msg = f"{msg} (got {_short(repr(err['input']))})"
        if not clean:  # a cross-field check names its first field: point at that field's line
            named = re.match(r"([a-z_]+(?:\.[a-z_0-9]+)+) ", msg)
            if named:
                clean = tuple(named.group(1).split("."))
                msg = msg[named.end():]
        dotted = _short(".".join(str(p) for p in clean), 120) or "(top level)"
        position = _nearest(where, clean) or shown
        if clean and _in_file(position, shown) and f"({override_label})" not in position and any(
                len(k) > len(clean) and k[: len(clean)] == clean for k in overridden):
            position = f"{position} (with {override_label})"
        if not _in_file(position, shown):
            # the problem lies in a file this one extends: name the field the schema knows and the file,
            # but quote nothing of it (its values or key names), whatever that file really is
            known = _known_prefix(clean)
            dotted = ".".join(str(p) for p in known) or "(top level)"
            parent_file = position.rsplit(":", 1)[0]
            msg = f"not valid in {parent_file}, which this scenario extends; check that file on its own"
        line = f"{position}: {dotted}: {msg}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines


def _in_file(position: str, shown: str) -> bool:
    """Whether an error position ('file:line', 'file (override ...)') lies in the file `shown` itself."""
    return position == shown or position.startswith((f"{shown}:", f"{shown} ("))


def _known_prefix(loc: Path_) -> Path_:
    """The leading part of `loc` that names schema fields (an unknown key and what follows are cut)."""
    cls: Any = Scenario
    out: list = []
    for part in loc:
        fields = getattr(cls, "model_fields", None)
        if fields is None or part not in fields:
            break
        out.append(part)
        cls = model_class_of(fields[part].annotation)
    return tuple(out)


def _nearest(where: dict[Path_, str], loc: Path_) -> str | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in where:
            return where[loc[:n]]
    return None


# --------------------------------------------------------------------------- overrides


def apply_overrides(raw: dict, overrides: dict[str, Any]) -> dict:
    """Set dotted paths (values, not text) in a copy of the raw scenario; unknown paths are caught by the schema."""
    out = copy.deepcopy(raw)
    for dotted, value in overrides.items():
        node = out
        parts = dotted.split(".")
        if not all(parts):
            raise UserError(f"{dotted!r}: not a dotted field path such as human.wage_per_hour")
        for part in parts[:-1]:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                raise UserError(f"{dotted}: {part} holds a value, not a section")
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


def validate_raw(raw: dict, where: dict[Path_, str], shown: str,
                 overridden: tuple[Path_, ...] = (), override_label: str = OVERRIDE_LABEL) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise UserError(format_validation_error(exc, where, shown, overridden, override_label)) from None


def load_scenario(
    path: str | Path,
    overrides: dict[str, Any] | None = None,
    override_label: str = OVERRIDE_LABEL,
) -> LoadedScenario:
    """Read, resolve `extends:`, apply overrides (dotted path -> value) and validate one scenario file."""
    raw, where = read_raw(Path(path), str(path))
    return validate_scenario(raw, where, str(path), overrides, override_label)


def load_text(
    text: str,
    shown: str,
    resolve_parent: ParentResolver | None = None,
    overrides: dict[str, Any] | None = None,
    override_label: str = OVERRIDE_LABEL,
) -> LoadedScenario:
    """The same as `load_scenario` for text that is not a file (an upload); `shown` names it in errors."""
    raw, where = read_text_raw(text, shown, resolve_parent)
    return validate_scenario(raw, where, shown, overrides, override_label)


def validate_scenario(
    raw: dict,
    where: dict[Path_, str],
    shown: str,
    overrides: dict[str, Any] | None = None,
    override_label: str = OVERRIDE_LABEL,
) -> LoadedScenario:
    """A scenario already read (`read_raw`: `raw` and where each key was written), with `overrides` applied,
    validated; `raw` and `where` are left as they were, so one reading serves several validations."""
    labels: dict[str, str] = {}
    where = dict(where)
    if overrides:
        raw = apply_overrides(raw, overrides)
        at = f"{shown} ({override_label})"  # the field follows in the line: not twice
        for dotted in overrides:
            key = tuple(dotted.split("."))
            # the override replaces the whole figure: the file's lines for its parts (low, high) no longer hold it
            for inner in [k for k in where if len(k) > len(key) and k[: len(key)] == key]:
                del where[inner]
            for n in range(1, len(key)):  # a section the override made up (a.b of a.b.c) is no line of the file
                where.setdefault(key[:n], at)
            where[key] = at
            labels[dotted] = override_label
    overridden = tuple(tuple(dotted.split(".")) for dotted in overrides or {})
    scenario = validate_raw(raw, where, shown, overridden, override_label)
    return LoadedScenario(scenario=scenario, path=shown, raw=raw, overrides=labels)


def scenario_files(path: str | Path) -> list[Path]:
    """The scenario file and every file its `extends:` chain names, as far as they can be read (a command's
    inputs, which none of its outputs may overwrite; a broken chain is reported by `load_scenario`)."""
    path = Path(path)
    files = [path]
    for _ in range(MAX_EXTENDS_DEPTH):
        try:
            data, _ = parse_yaml(_read_text(path, str(path)), str(path))
        except UserError:
            break
        parent = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(parent, str) or "\0" in parent or not parent.strip():
            break
        path, _ = _sibling_resolver(path, str(path))(parent)
        files.append(path)
    return files
