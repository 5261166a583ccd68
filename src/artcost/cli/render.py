"""Tables that read whole at any terminal width.

A rich table wider than the terminal is squeezed: at 60 columns every cell of `artcost bench`'s record, of
`simulate`, `sensitivity`, `market` and `market-check` was cut to a few letters and '…', figures included.
`print_table` prints the table when the terminal holds it whole, else each row as one paragraph wrapped at
words, every cell after its column's header.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text


def _text(con: Console, x: Any) -> Text:
    """A cell, header or title as Text, read with the console's own markup setting."""
    if isinstance(x, Text):
        return x.copy()
    return con.render_str(x) if isinstance(x, str) else Text(str(x))


def print_table(table: Table, con: Console) -> None:
    """`table` whole, or (too wide for `con`) each row as 'first cell: header value; header value; ...'."""
    if con.measure(table, options=con.options.update_width(10_000)).maximum <= con.width:
        con.print(table)
        return
    if table.title:
        con.print(_text(con, table.title), style="bold", overflow="fold")
    headers = [" ".join(_text(con, c.header).plain.split()) for c in table.columns]
    for row in zip(*(list(c.cells) for c in table.columns)):
        first, *rest = (_text(con, cell) for cell in row)
        parts = [Text.assemble(f"{h} ", v) for h, v in zip(headers[1:], rest) if v.plain.strip()]
        first.stylize("bold")
        line = Text.assemble(first, ": " if parts and first.plain else "", Text("; ").join(parts))
        con.print(line, overflow="fold")
    if table.caption:
        con.print(_text(con, table.caption), overflow="fold")
