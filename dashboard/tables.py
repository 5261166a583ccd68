"""Tables as HTML that read whole at any width: columns on a wide screen, one block per row on a phone.

A Streamlit dataframe of four scenarios kept its columns at 420 px and showed only the first, the rest
behind a sideways scroll (issue #28).  `stacking_table` keeps the columns where they fit and, below 640 px,
prints each row as its label followed by every cell under its column's name.  Every cell is escaped: scenario
names and uploaded file names are text, never markup.
"""

from __future__ import annotations

from html import escape
from typing import Mapping, Sequence

CSS = """
table.stacking { border-collapse: collapse; width: 100%; font-size: 0.92em; margin: 0.4em 0 1em 0; }
table.stacking th, table.stacking td { border-bottom: 1px solid #e3e3e3; padding: 4px 8px; vertical-align: top;
  text-align: right; overflow-wrap: anywhere; white-space: normal; }
table.stacking th { background: #f3f3f3; font-weight: 600; }
table.stacking th:first-child, table.stacking td:first-child { text-align: left; }
table.stacking td { font-variant-numeric: tabular-nums; }
table.stacking tr.answer td { font-weight: 600; }
@media (max-width: 640px) {
  table.stacking, table.stacking tbody, table.stacking tr, table.stacking td { display: block; width: auto; }
  table.stacking thead { display: none; }
  table.stacking tr { border-bottom: 1px solid #e3e3e3; padding: 4px 0; }
  table.stacking td { border: 0; padding: 1px 6px; text-align: left; }
  table.stacking td[data-label]::before { content: attr(data-label) ": "; color: #666; }
}
"""


def stacking_table(rows: Sequence[Mapping[str, str]], first: str = "", strong: Sequence[str] = ()) -> str:
    """`rows` (each {first: label, column: cell, ...}, the same keys in every row) as an HTML table; a row whose
    label is in `strong` is bold (the answer's rows)."""
    if not rows:
        return ""
    columns = [c for c in rows[0] if c != first]
    head = "".join(f"<th>{escape(c)}</th>" for c in [first, *columns])
    body = []
    for row in rows:
        cls = ' class="answer"' if row[first] in strong else ""
        cells = "".join(f'<td data-label="{escape(c, quote=True)}">{escape(str(row[c]))}</td>' for c in columns)
        body.append(f"<tr{cls}><td>{escape(str(row[first]))}</td>{cells}</tr>")
    return (f"<style>{CSS}</style><table class=\"stacking\"><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")
