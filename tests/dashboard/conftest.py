"""Shared dashboard test helpers: a stored benchmark record that fits the seed scenario; an HTML table drawn
with st.html read back into rows (`html_table`)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest




class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _html_table(at, index: int = 0):
    """The `index`-th table drawn with st.html on the page, header row as the columns."""
    bodies = [h.proto.body for h in at.get("html") if "<table" in h.proto.body]
    parser = _Rows()
    parser.feed(bodies[index])
    head, *rows = parser.rows
    import pandas as pd

    return pd.DataFrame(rows, columns=head)


@pytest.fixture
def html_table():
    """html_table(at, index=0): the index-th st.html table of an AppTest page as a DataFrame, header as columns."""
    return _html_table


@pytest.fixture
def stored_record() -> str:
    """The id of a stored sd15 512 px 20-step record at 9.0 s/image (in the test's own data directory), measured on
    the seed scenario's own GPU: a record from another machine is not priced with the scenario's hardware."""
    pytest.importorskip("artcost.bench.store")
    from artcost.bench.record import BenchRecord, PresetResult
    from artcost.bench.store import ResultStore

    rec = BenchRecord(created_at="2026-11-25T10:00:00+00:00",
                      config={"arch": "sd15", "resolution": 512, "steps": 20, "device": "cuda"},
                      environment={"device_name": "NVIDIA GeForce RTX 3060 Ti"}, weights_label="synthetic-weights",
                      energy_meter={"meter": "none", "reason": "test"},
                      presets=[PresetResult(name="stock", status="ok", summary={"seconds_per_image": 9.0, "batch_size": 1})],
                      summary={"seconds_per_image": 9.0})
    return str(ResultStore().save(rec))
