"""What the dashboard is looking at: which scenario, uploaded files, edited fields, currency.

Pure functions (no Streamlit import) so they are tested directly; the pages keep only the
identifiers and edit dictionaries in ``st.session_state`` and call these.

A scenario is named by an id: ``shipped:<file stem>`` for a file in the shipped
``scenarios/`` folder, ``upload:<file name>`` for a file uploaded in this browser session.
Edits are dotted-path overrides applied through the loader, so an edited figure is
validated by the same schema and labelled "edited in the dashboard" as its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from artcost.errors import UserError
from artcost.model.measured import load_with_options
from artcost.model import loader
from artcost.model.comparison import comparison, field_label
from artcost.model.loader import LoadedScenario
from artcost.paths import shipped_scenarios_dir
from artcost.units import duration, money, ratio_phrase

DEFAULT_SCENARIO = "seed-2022-hobbyist-3060ti"
SHIPPED = "shipped:"
UPLOAD = "upload:"
EDIT_LABEL = "edited in the dashboard"
MAX_COMPARE = 4
UPLOAD_SUFFIXES = (".yaml", ".yml")
SECTION_TITLES = {
    "job": "Job",
    "generation": "Generation",
    "compute": "Compute",
    "human": "Operator (human time)",
    "artist": "Artist",
}


@dataclass(frozen=True)
class FieldProblem:
    """One validation problem, split so a page can show it next to the field it names."""

    field: str  # dotted path, or "" when the problem is about the whole file
    where: str  # "file:line" as the loader wrote it
    message: str

    @property
    def line(self) -> str:
        return f"{self.where}: {self.field}: {self.message}" if self.field else f"{self.where}: {self.message}"


# --------------------------------------------------------------------------- scenario ids


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario files by id, the default first, the rest by name."""
    files = sorted(shipped_scenarios_dir().glob("*.yaml"), key=lambda p: (p.stem != DEFAULT_SCENARIO, p.stem))
    return {SHIPPED + p.stem: p for p in files}


def default_id() -> str:
    return SHIPPED + DEFAULT_SCENARIO


def label_of(sid: str) -> str:
    """A short label for pickers: the file stem, uploads marked as such."""
    if sid.startswith(UPLOAD):
        return f"{sid[len(UPLOAD):]} (uploaded)"
    return sid.removeprefix(SHIPPED)


# --------------------------------------------------------------------------- loading


def check_upload(name: str, data: bytes) -> str:
    """The text of an uploaded scenario file, or UserError: YAML name, <= 1 MB, UTF-8 text, no NUL bytes."""
    shown = safe_name(name)
    if not shown.lower().endswith(UPLOAD_SUFFIXES):
        raise UserError(f"{shown}: only YAML scenario files (.yaml, .yml) can be uploaded")
    return loader.decode_scenario_bytes(data, shown)


def safe_name(name: str) -> str:
    """An uploaded file's base name with nothing that could be read as a path or break error lines."""
    base = Path(name.replace("\\", "/")).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)[:80] or "upload.yaml"


def load_text(
    text: str, name: str, overrides: Mapping[str, Any] | None = None, label: str = EDIT_LABEL
) -> LoadedScenario:
    """Validate scenario text the way `loader.load_scenario` validates a file; never executes anything.

    `extends:` in an uploaded file may name a shipped scenario only (no paths): an upload has no
    folder of its own to resolve other names in.
    """
    shown = safe_name(name)

    def shipped_only(parent: str) -> tuple[Path, str]:
        shipped = {p.name: p for p in shipped_scenarios().values()}
        if parent not in shipped:
            raise UserError(
                f"{shown}: extends: an uploaded file may extend a shipped scenario only "
                f"(one of: {', '.join(sorted(shipped))}; got {parent!r})"
            )
        return shipped[parent], parent

    loaded = loader.load_text(text, shown, shipped_only, dict(overrides) if overrides else None, label)
    loaded.path = f"upload:{shown}"
    return loaded


def load(
    sid: str,
    uploads: Mapping[str, str],
    overrides: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> LoadedScenario:
    """Load scenario `sid` with `overrides` (dotted path -> number); `labels` names who set each override.

    A shipped file goes through `artcost.model.measured.load_with_options`, as the CLI's `cost` and `compare`
    do, so a file naming `generation.from_bench` takes the benchmark's speed here too; the edits are
    passed to it as values (they win over a measurement), labelled `EDIT_LABEL`.
    """
    overrides = dict(overrides or {})
    if sid.startswith(UPLOAD):
        name = sid[len(UPLOAD):]
        if name not in uploads:
            raise UserError(f"{name}: this uploaded scenario is no longer in this session; upload it again")
        loaded = load_text(uploads[name], name, overrides or None)
    else:
        files = shipped_scenarios()
        if sid not in files:
            raise UserError(f"{sid}: no such shipped scenario")
        path = files[sid]
        shown = f"scenarios/{path.name}"  # as the command line names it, wherever the server runs
        try:
            loaded = load_with_options(path, overrides or None, label=EDIT_LABEL)
        except UserError as exc:
            raise UserError([line.replace(str(path), shown) for line in exc.problems]) from None
        loaded.path = shown
    for path, label in (labels or {}).items():
        if path in loaded.overrides:
            loaded.overrides[path] = label
    return loaded


def scenario_yaml(loaded: LoadedScenario, edits: Mapping[str, float]) -> str:
    """The scenario as shown, edits included, as one self-contained YAML file that uploads and loads again.

    `extends:` is resolved (an upload may extend shipped files only, and a reader gets every figure in one
    place); each edited figure keeps its old source beside it ("overridden (was: ...)"), as `--set` does.
    """
    import yaml

    edited = ", ".join(f"{k} = {v:g}" for k, v in edits.items()) or "none"
    header = (f"# {loaded.scenario.meta.name}\n# Downloaded from the artcost dashboard: {loaded.path} with "
              f"`extends:` resolved.\n# Edits: {edited}\n")
    header = "".join(line if line.startswith("# ") else f"# {line}" for line in header.splitlines(keepends=True))
    return header + yaml.safe_dump(loaded.raw, sort_keys=False, allow_unicode=True, width=100)


def split_problems(problems: list[str]) -> list[FieldProblem]:
    """Split the loader's lines ('file:line: field.path: message') into field, place and message."""
    out = []
    for text in problems:
        parts = text.split(": ", 2)
        if len(parts) == 3 and re.fullmatch(r"[A-Za-z_][\w]*(\.[\w]+)*|\(top level\)", parts[1]):
            field = "" if parts[1] == "(top level)" else parts[1]
            out.append(FieldProblem(field=field, where=parts[0], message=parts[2]))
        else:
            where, _, message = text.partition(": ")
            out.append(FieldProblem(field="", where=where, message=message or text))
    return out


def problems_by_field(problems: list[FieldProblem]) -> dict[str, list[str]]:
    """Messages keyed by dotted field; a message on a section (e.g. 'human') is kept under that section."""
    out: dict[str, list[str]] = {}
    for p in problems:
        out.setdefault(p.field, []).append(p.message)
    return out


# --------------------------------------------------------------------------- editing


@dataclass(frozen=True)
class FieldInfo:
    """One editable figure: its central value, unit and source, for a sidebar widget."""

    path: str
    section: str
    label: str
    value: float
    unit: str
    source: str
    dist: str | None  # e.g. "triangular(low=20, mode=31, high=55)" when the figure is uncertain

    @property
    def help(self) -> str:
        text = f"Unit: {self.unit}. Source: {self.source}"
        if self.dist:
            text += f". Uncertain in the scenario: {self.dist}; the model uses its central value, and an edit fixes it."
        return text


def editable_fields(loaded: LoadedScenario) -> list[FieldInfo]:
    """Every numeric figure of the scenario in the scenario's own currency, in schema order."""
    inputs = comparison(loaded, with_headline=False)["inputs"]
    quantities = loaded.scenario.cost_quantities()
    out = []
    for path, info in inputs.items():
        section = path.split(".", 1)[0]
        spec = quantities[path].dist
        dist = spec.describe() if spec is not None else None
        out.append(
            FieldInfo(
                path=path,
                section=section,
                label=field_label(path),  # words, not the YAML key ('wage_per_hour (CNY/h) ~' read as code)
                value=float(info["value"]),
                unit=info["unit"],
                source=info["source"],
                dist=dist,
            )
        )
    return out


def changed(fields: list[FieldInfo], values: Mapping[str, float], rel: float = 1e-9) -> dict[str, float]:
    """The widget values that differ from the scenario's central values: the overrides to apply."""
    base = {f.path: f.value for f in fields}
    out = {}
    for path, v in values.items():
        b = base.get(path)
        if b is None or abs(v - b) > rel * max(1.0, abs(b)):
            out[path] = float(v)
    return out


def _cells(r: dict[str, Any]) -> dict[str, str]:
    """The headline's median (90%) cells of one result (`model/headline.py`), money without the currency."""
    from artcost.model.headline import Headline

    return Headline.from_dict(r["headline"]).cells()


def figures_note(results: list[dict[str, Any]]) -> str:
    """What the table's rows are: the central-value point, and the Monte Carlo behind the 'median (90%)' rows."""
    h = max((r["headline"] for r in results), key=lambda x: x["draws"])
    mc = (f"rows marked 'median (90%)': median and 5th-95th percentile of {h['draws']:,} Monte Carlo draws "
          f"(seed {h['seed']}), each figure its own median; " if h["draws"] else "")
    return mc + "every other figure: the central-value model (each uncertain input at its mode, midpoint or median), a point."


# How a figure of the central-value model is labelled beside the Monte Carlo's medians (as `artcost cost` does).
POINT = "central values (a point)"


def _figures(ccy: str) -> list[tuple[str, str, Any]]:
    """The figures of the compare table and the report's cost table: (key, label with unit, r -> text)."""
    from artcost.dashboard.charts import ITEM_LABELS
    from artcost.model import costs

    def m(x: float) -> str:
        return money(x, "")

    # The answer first (the headline's medians and intervals), then the itemised point figures, labelled a point.
    rows: list[tuple[str, str, Any]] = [
        ("median_ai", f"AI per usable image, median (90%) ({ccy})", lambda r: _cells(r)["ai"]),
        ("median_artist", f"artist per image, median (90%) ({ccy})", lambda r: _cells(r)["artist"]),
        ("median_ratio", "AI vs artist, median (90%)", lambda r: _cells(r)["ratio"]),
        ("median_ai_hours", "AI delivery, median (90%)", lambda r: _delivery_cell(r, "ai")),
        ("median_artist_hours", "artist delivery, median (90%)", lambda r: _delivery_cell(r, "artist")),
    ]
    rows += [
        (item, f"{ITEM_LABELS[item]} ({ccy}/job, a point)", lambda r, i=item: m(r["breakdown"][i]))
        for item in costs.ITEMS
    ]
    rows += [
        ("total", f"total per job ({ccy}, a point)", lambda r: m(r["breakdown"]["total"])),
        ("usable_images", "usable images", lambda r: f"{r['usable_images']:g}"),
        # the same figures from the central values: said so, or '30.47' under '33 (19–56)' reads as a contradiction
        ("per_usable_image", f"AI per usable image, {POINT} ({ccy})", lambda r: m(r["breakdown"]["per_usable_image"])),
        ("artist", f"artist per image, {POINT} ({ccy})", lambda r: m(r["artist"]["per_image"])),
        ("ratio", f"AI vs artist per image, {POINT}", lambda r: ratio_phrase(r["ratio"])),
        ("p_job_success", "chance the job yields its finals", lambda r: f"{r['p_job_success']:.1%}"),
        ("speed", "speed from", lambda r: r["generation"]["seconds_per_image_source"]),
    ]
    return rows


def _delivery_cell(r: dict[str, Any], side: str) -> str:
    """'24.8 h (24.5–25.4 h)': the headline draws' delivery time, the figure the CLI and the Overview print."""
    from artcost.model.headline import Headline
    from artcost.units import duration_range

    h = Headline.from_dict(r["headline"])
    sp = h.ai_delivery if side == "ai" else h.artist_delivery
    if sp is None:
        return duration(r["delivery"][f"{side}_hours"]) + " (point)"
    if h.is_point or sp.p5 == sp.p95:
        return duration(sp.median) + (" (point)" if h.is_point else " (fixed)")
    return f"{duration(sp.median)} ({duration_range(sp.p5, sp.p95)})"


def _shown(key: str, results: list[dict[str, Any]]) -> bool:
    """An item row is shown when some scenario has that cost, or it is the operator's time (zero is news there)."""
    from artcost.model import costs

    if key not in costs.ITEMS:
        return True
    return key in costs.HUMAN_ITEMS or any(r["breakdown"][key] != 0 for r in results)


def comparison_rows(results: list[dict[str, Any]], names: list[str]) -> list[dict[str, str]]:
    """Scenarios side by side (one row per figure, one column per scenario), money in the results' currency.

    The same figures as the report's cost table (`report_rows`); the results must share one currency.
    """
    ccy = results[0]["currency"]
    if any(r["currency"] != ccy for r in results):
        raise ValueError("comparison_rows: every result must be in one currency")
    return [
        {"": label, **{n: fn(r) for n, r in zip(names, results)}}
        for key, label, fn in _figures(ccy)
        if _shown(key, results)
    ]


def report_rows(r: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The report's cost table for one scenario: (figure, value, share of the job for the cost items)."""
    from artcost.model import costs

    total = r["breakdown"]["total"]

    def share(key: str) -> str:
        if key in costs.ITEMS:
            return f"{r['breakdown'][key] / total:.1%}" if total else "-"
        return "100%" if key == "total" else ""

    return [(label, fn(r), share(key)) for key, label, fn in _figures(r["currency"]) if _shown(key, [r])]
