"""'Where each figure comes from': every input in words, its value, and its source quoted whole.

One HTML table for the dashboard's Overview and the report (no plotly: the Overview draws it without
waiting for a chart library).  The scenario file is named once above the table, not at the start of
every source; sources wrap instead of being cut; long names never truncate because they are words,
with the YAML path small underneath for whoever edits the file.  Inputs are grouped by what they
describe (the job, the generation, the computer, the operator, the artist); each group has an anchor
(`src-<section>`), each input its own (`src-<dotted path>`), so the report's other sections and the
dashboard can link to "the figure's section of the report".
"""

from __future__ import annotations

import html
import re
from typing import Any, Callable, Mapping, Sequence

# The section's title: captions and links name it by it, so a reader of the printed page can find it.
SOURCES_TITLE = "Where each figure comes from"


GROUPS = {
    "job": "The job",
    "generation": "Generating the images",
    "compute": "The computer",
    "human": "The operator's time",
    "artist": "The artist",
    "market": "The market",
}
UNCERTAIN_MARK = "~"

CSS = """
table.sources { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 0.92em; margin: 0.4em 0 1.2em 0; }
table.sources th, table.sources td { border-bottom: 1px solid #e3e3e3; padding: 5px 8px; vertical-align: top;
  text-align: left; overflow-wrap: anywhere; word-break: normal; white-space: normal; }
table.sources th { background: #f3f3f3; font-weight: 600; }
table.sources col.figure { width: 27%; } table.sources col.value { width: 20%; } table.sources col.source { width: 53%; }
table.sources td.value { font-variant-numeric: tabular-nums; overflow-wrap: normal; }
table.sources tr.group td { background: #f7f9fc; font-weight: 600; padding-top: 9px; }
table.sources .path { display: block; color: #777; font-size: 0.82em; font-family: monospace; overflow-wrap: normal; }
table.sources .dist { display: block; color: #666; font-size: 0.85em; white-space: normal; overflow-wrap: normal; }
table.sources .path a { font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; }
table.sources a { color: #0060a0; text-decoration: none; } table.sources a:hover { text-decoration: underline; }
@media (max-width: 640px) {
  table.sources, table.sources tbody, table.sources tr, table.sources td { display: block; width: auto; }
  table.sources thead, table.sources colgroup { display: none; }
  table.sources td { border: 0; padding: 2px 6px; } table.sources tr { border-bottom: 1px solid #e3e3e3; padding: 4px 0; }
}
"""


def value_text(x: float, unit: str) -> str:
    """An input's value with its unit as a person writes it: '0.5%' for a share, '31 CNY/h', '2.8 s', '500'."""
    if unit in ("share", "probability"):
        pct = x * 100
        return f"{pct:.2g}%" if 0 < abs(pct) < 1 else f"{pct:,.3g}%" if pct < 100 else f"{pct:,.0f}%"
    number = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:,.4g}"
    if unit in ("count", "", "ratio"):
        return number
    if unit in ("days", "years") and number == "1":
        unit = unit[:-1]
    return f"{number}x" if unit == "x" else f"{number} {unit}"


def range_text(lo: float, hi: float, unit: str) -> str:
    """An input's range to two significant figures, the unit once: '26 to 46 CNY/h', '0.46% to 1.5%'."""
    if unit in ("share", "probability"):
        return f"{value_text(lo, unit)} to {value_text(hi, unit)}"
    a, b = value_text(float(f"{lo:.2g}"), "count"), value_text(float(f"{hi:.2g}"), unit)
    return f"{a} to {b}"


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _breakable(path: str) -> str:
    """A dotted path that may break after its dots and underscores, never inside a word."""
    return _e(path).replace(".", ".<wbr>").replace("_", "_<wbr>")


def anchor(path: str) -> str:
    """The HTML id of an input's row ('src-human.wage_per_hour') or of a group ('src-human')."""
    return "src-" + path


def source_text(source: str, file: str | None = None) -> str:
    """A source as the table quotes it: without the scenario file's name in front (it is named once above);
    without `file`, whichever scenario file ('....yaml: ') starts it."""
    if file is None:
        m = re.match(r"^(\S+\.ya?ml)(: | \(no source given\)$)", source)
        if not m:
            return source
        file = m.group(1)
    if source == f"{file} (no source given)":
        return "no source given"
    return source.removeprefix(f"{file}: ")


def groups(r: Mapping[str, Any], dists: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The inputs of a `comparison` result grouped by section, each {'section', 'title', 'rows'}; a row is
    {'path', 'label', 'value' (text with unit), 'uncertain', 'dist' (its distribution in words, if given), 'source'}."""
    out: dict[str, dict[str, Any]] = {}
    for path, info in r["inputs"].items():
        section = path.split(".", 1)[0]
        g = out.setdefault(section, {"section": section, "title": GROUPS.get(section, section), "rows": []})
        g["rows"].append({
            "path": path,
            "label": info.get("label") or path,
            "value": value_text(info["value"], info["unit"]),
            "uncertain": bool(info["uncertain"]),
            "dist": (dists or {}).get(path, ""),
            "source": source_text(info["source"]),
        })
    return list(out.values())


def sources_table(r: Mapping[str, Any], dists: Mapping[str, str] | None = None,
                  link: Callable[[str], str | None] | None = None, link_text: str = "in the report",
                  ids: bool = True, only: str | None = None, paths: bool = True) -> str:
    """The table as HTML (a <style> and a <table>).  `link(path)` gives each row's link to the figure's section of
    the report (None: no link); `ids` gives groups and rows their anchors (the report's own copy); `only` keeps
    one group (a section name), without its title row; `paths=False` leaves out the YAML path under each name
    (the report's reader has the names in words, not the file's editor's field names)."""
    body = []
    for g in groups(r, dists):
        if only is not None and g["section"] != only:
            continue
        gid = f' id="{_e(anchor(g["section"]))}"' if ids else ""
        if only is None:
            body.append(f'<tr class="group"><td colspan="3"{gid}>{_e(g["title"])}</td></tr>')
        for row in g["rows"]:
            rid = f' id="{_e(anchor(row["path"]))}"' if ids else ""
            href = link(row["path"]) if link else None
            more = f' · <a href="{_e(href)}" target="_blank" rel="noopener">{_e(link_text)}</a>' if href else ""
            dist = f'<span class="dist">{_e(row["dist"])}</span>' if row["dist"] else ""
            mark = f" {UNCERTAIN_MARK}" if row["uncertain"] else ""
            body.append(
                f"<tr{rid}><td>{_e(row['label'])}"
                + (f"<span class=\"path\">{_breakable(row['path']) if paths else ''}{more}</span>" if paths or more else "")
                + "</td>"
                f'<td class="value">{_e(row["value"])}{mark}{dist}</td><td>{_e(row["source"])}</td></tr>'
            )
    return (f"<style>{CSS}</style>"
            '<table class="sources"><colgroup><col class="figure"><col class="value"><col class="source"></colgroup>'
            "<thead><tr><th>figure</th><th>value (central)</th><th>source</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def intro(r: Mapping[str, Any]) -> str:
    """The sentence above the table: the file named once, what '~' means."""
    s = r["scenario"]
    return (f"Sources are quoted in full from the scenario file {s['file']} (figures as of {s['as_of']}) unless they "
            f"say otherwise. Values are central values; {UNCERTAIN_MARK} marks a figure the scenario gives as a range "
            "(a distribution), which the Monte Carlo samples.")


def rows_for(paths: Sequence[str], r: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of some inputs, in the given order (for a short table elsewhere)."""
    by_path = {row["path"]: row for g in groups(r) for row in g["rows"]}
    return [by_path[p] for p in paths if p in by_path]
