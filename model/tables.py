"""The shipped dated tables (API prices, published runs, grid carbon, GPU offers), read like scenarios.

Each table is a YAML file in `artcost/data/` with a header (`table`, `as_of`, ...) and `rows`; each row is
checked by a typed pydantic model (unknown keys, missing fields, wrong types and out-of-range numbers are
errors), and every problem is one line naming the file, the line, the row (its index and id) and the field:

    src/artcost/data/api_prices.yaml:152: rows[5] (fal-flux-dev): price: must be >= 0 (got -1)

The YAML is read with the scenario loader's safe parser (`loader.parse_yaml`: no aliases, no tags, node and
depth budgets), so a damaged table is refused in one pass and never executed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Iterator, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from artcost.errors import UserError
from artcost.model.loader import MAX_BYTES, Path_, decode_scenario_bytes, parse_yaml
from artcost.model.suggest import did_you_mean
from artcost.paths import package_data

ROW_ID = re.compile(r"^[a-z0-9][a-z0-9._:-]*$")
# A publication date as the tables write it: a year, a month or a day.
DATE_TEXT = re.compile(r"^(19|20)\d\d(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


class TableRow(BaseModel):
    """Base of every row: unknown keys are errors; rows are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not ROW_ID.match(v):
            raise ValueError(f"must be a lower-case slug (letters, digits, '.', '-', ':'), got {v!r}")
        return v


class Part(BaseModel):
    """A mapping inside a row (its source, its assumptions): unknown keys are errors too."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class RowSource(Part):
    """Where a row's figure was read: a title is required (a page, a file, a dataset), the address if any."""

    title: str = Field(min_length=3)
    url: str | None = None
    primary: bool | None = None
    publisher_url: str | None = None


def date_text(v: Any) -> str:
    """A publication date as text (YYYY, YYYY-MM or YYYY-MM-DD); YAML may have read a full date as a date."""
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not DATE_TEXT.match(v):
        raise ValueError(f"must be a date written YYYY, YYYY-MM or YYYY-MM-DD (got {v!r})")
    return v


R = TypeVar("R", bound=TableRow)


@dataclass(frozen=True)
class Table(Generic[R]):
    """A validated table: its header and its rows by id, in file order."""

    name: str
    file: str
    as_of: str
    header: dict[str, Any]
    rows: tuple[R, ...]
    by_id: dict[str, R] = field(default_factory=dict, compare=False)

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, row_id: str, what: str = "row") -> R:
        """The row `row_id`, or a UserError naming the table and the nearest id."""
        if row_id in self.by_id:
            return self.by_id[row_id]
        raise UserError(f"{what} {row_id!r}: no such row in {self.file}{did_you_mean(row_id, self.by_id)}; "
                        f"{len(self.by_id)} rows, e.g. {', '.join(list(self.by_id)[:4])}")


def _line(lines: dict[Path_, int], loc: Path_) -> int | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _message(err: dict[str, Any], row_model: type[BaseModel], loc: tuple) -> str:
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbid" or err["type"] == "extra_forbidden":
        allowed = list(row_model.model_fields) if len(loc) == 1 else []
        hint = did_you_mean(str(loc[-1]), allowed) if allowed else ""
        return f"unknown field{hint}" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    if err["type"] == "missing":
        return "required field is missing"
    bound = {"greater_than_equal": (">=", "ge"), "greater_than": (">", "gt"), "less_than_equal": ("<=", "le"),
             "less_than": ("<", "lt")}.get(err["type"])
    if bound and "ctx" in err:
        msg = f"must be {bound[0]} {err['ctx'][bound[1]]:g}"
    elif err["type"] in ("model_type", "dict_type", "model_attributes_type"):
        msg = "must be a mapping of fields"
    if "input" in err and err["type"] not in ("value_error", "assertion_error", "missing") and not isinstance(err["input"], dict):
        text = repr(err["input"])
        return f"{msg} (got {text if len(text) <= 60 else text[:59] + '…'})"
    return msg


def load_table(name: str, row_model: type[R], path: str | Path | None = None, shown: str | None = None) -> Table[R]:
    """Read table `name` (`artcost/data/<name>.yaml`, or `path`) and validate every row with `row_model`.

    UserError with one line per problem (file:line: rows[i] (id): field: what is wrong) when anything
    is wrong: a table is either entirely valid or not used.
    """
    file = Path(path) if path is not None else package_data(f"{name}.yaml")
    shown = shown or _shown(file)
    try:
        data_bytes = file.read_bytes()
    except OSError as exc:
        raise UserError(f"{shown}: cannot be read ({(exc.strerror or type(exc).__name__).lower()})") from None
    if len(data_bytes) > MAX_BYTES:
        raise UserError(f"{shown}: file is {len(data_bytes):,} bytes; tables are limited to {MAX_BYTES:,} bytes")
    data, lines = parse_yaml(decode_scenario_bytes(data_bytes, shown), shown)
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise UserError(f"{shown}:1: a table must be a mapping with a list of `rows`")
    problems: list[str] = []
    if data.get("table") != name:
        problems.append(f"{shown}:{_line(lines, ('table',)) or 1}: table: must be {name!r} (got {data.get('table')!r})")
    try:
        as_of = date_text(data.get("as_of"))
    except ValueError as exc:
        problems.append(f"{shown}:{_line(lines, ('as_of',)) or 1}: as_of: {exc}")
        as_of = ""
    rows: list[R] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(data["rows"]):
        rid = raw.get("id") if isinstance(raw, dict) else None
        label = f"rows[{i}]" + (f" ({rid})" if isinstance(rid, str) else "")
        if not isinstance(raw, dict):
            problems.append(f"{shown}:{_line(lines, ('rows', i)) or 1}: {label}: must be a mapping of fields")
            continue
        try:
            row = row_model.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
                where = _line(lines, ("rows", i, *loc)) or 1
                dotted = ".".join(str(p) for p in loc) or "(row)"
                problems.append(f"{shown}:{where}: {label}: {dotted}: {_message(err, row_model, loc)}")
            continue
        if row.id in seen:
            problems.append(f"{shown}:{_line(lines, ('rows', i, 'id')) or 1}: {label}: id: written twice "
                            f"(first in rows[{seen[row.id]}])")
            continue
        seen[row.id] = i
        rows.append(row)
    if problems:
        raise UserError(problems)
    header = {k: v for k, v in data.items() if k != "rows"}
    return Table(name=name, file=shown, as_of=as_of, header=header, rows=tuple(rows),
                 by_id={r.id: r for r in rows})


def _shown(file: Path) -> str:
    """The file as a short path: relative to the working directory when inside it."""
    try:
        return str(file.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(file)
