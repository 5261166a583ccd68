"""Streamlit glue shared by the pages: session state, cached loading, the shared sidebar, chart display.

Session state (``st.session_state``):
  sid          id of the scenario being explored (see `state`); a widget key in the shared sidebar
  currency     ISO code to show money in, or OWN for the scenario's own currency
  uploads      {file name: text} of uploaded scenarios that validated
  edits        {sid: {dotted path: number}} the sidebar's edits of each scenario
  edit_labels  {sid: {dotted path: label}} who set an edit, when not the sidebar (a benchmark run)
  bench_applied {sid: provenance row} the benchmark record applied to a scenario (cited by the report)
  good_edits   {sid: edits} the last edits that validated, used while the current ones do not
"""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from artcost.dashboard import state
from artcost.errors import UserError
from artcost.dashboard.charts import PLOTLY_CONFIG, Chart
from artcost.dashboard.escape import md
from artcost.model.comparison import comparison
from artcost.model.currency import known_currencies
from artcost.model.loader import LoadedScenario

OWN = "scenario's own"


def init() -> None:
    ss = st.session_state
    ss.setdefault("sid", state.default_id())
    ss.setdefault("currency", OWN)
    for name in ("uploads", "edits", "edit_labels", "good_edits", "bench_applied"):
        ss.setdefault(name, {})


def scenario_ids() -> list[str]:
    return list(state.shipped_scenarios()) + [state.UPLOAD + n for n in st.session_state.uploads]


@st.cache_data(show_spinner=False, max_entries=256)
def _load(sid: str, upload_text: str | None, edits_json: str, labels_json: str) -> LoadedScenario:
    uploads = {sid[len(state.UPLOAD):]: upload_text} if upload_text is not None else {}
    return state.load(sid, uploads, json.loads(edits_json), json.loads(labels_json))


def load(sid: str, edits: dict[str, float] | None = None, labels: dict[str, str] | None = None) -> LoadedScenario:
    """Cached `state.load`; raises UserError like it."""
    text = st.session_state.uploads.get(sid[len(state.UPLOAD):]) if sid.startswith(state.UPLOAD) else None
    return _load(sid, text, json.dumps(edits or {}, sort_keys=True), json.dumps(labels or {}, sort_keys=True))


def base(sid: str | None = None) -> LoadedScenario:
    """The scenario as written, without edits."""
    return load(sid or st.session_state.sid)


def current(sid: str | None = None) -> tuple[LoadedScenario, list[state.FieldProblem]]:
    """The scenario with its edits; if the edits do not validate, the last good ones, and the problems."""
    ss = st.session_state
    sid = sid or ss.sid
    edits = ss.edits.get(sid, {})
    labels = ss.edit_labels.get(sid, {})
    try:
        loaded = load(sid, edits, labels)
    except UserError as exc:
        problems = state.split_problems(exc.problems)
        return load(sid, ss.good_edits.get(sid, {}), labels), problems
    ss.good_edits[sid] = dict(edits)
    return loaded, []


def currency() -> str | None:
    c = st.session_state.currency
    return None if c == OWN else c


def result(loaded: LoadedScenario) -> dict[str, Any]:
    return comparison(loaded, currency())


def sidebar() -> None:
    """The pickers every page shares: which scenario, which currency."""
    init()
    ids = scenario_ids()
    if st.session_state.sid not in ids:
        st.session_state.sid = state.default_id()
    # The widgets get their own keys, copied into the plain keys `sid`/`currency` on change:
    # Streamlit drops a widget's state when the page changes, plain keys survive.
    ss = st.session_state
    ss["_sid"], ss["_currency"] = ss.sid, ss.currency
    with st.sidebar:
        st.selectbox("Scenario", ids, key="_sid", format_func=state.label_of, on_change=_copy, args=("_sid", "sid"),
                     help="A shipped scenario, or one you uploaded on the Cost page.")
        st.selectbox("Currency", [OWN, *known_currencies()], key="_currency", on_change=_copy, args=("_currency", "currency"),
                     help="Money is converted with one dated exchange-rate table (artcost/data/exchange_rates.yaml).")


def _copy(src: str, dst: str) -> None:
    st.session_state[dst] = st.session_state[src]


def show(chart: Chart, key: str | None = None) -> None:
    st.plotly_chart(chart.fig, config=PLOTLY_CONFIG, key=key)
    st.caption(md(chart.caption))  # a caption quotes sources: text, not Markdown (a "$399" is money, not LaTeX)


def svg_chart(svg_text: str, label: str, narrow_text: str = "") -> None:
    """A chart drawn as plain SVG (`artcost.dashboard.svg`), shown as an image; with `narrow_text` (the same chart
    in its phone layout) a <picture> shows that one below 640 px, where the wide chart's text shrank to ~7 px.

    Not `st.html`: Streamlit's sanitiser drops <svg> elements there (the chart vanished, its caption stayed).
    An <img> of the SVG needs no plotly and no script; `data-artcost-chart` marks it for the browser tests'
    clock (tests/dashboard/browser_harness.py)."""
    import base64
    import html
    import re

    if not svg_text:
        return

    def panels(text: str) -> list[str]:  # a chart of two panels (routes and its zoom) is two <svg> elements
        return re.findall(r"<svg\b.*?</svg>", text, flags=re.S) or [text]

    def data(one: str) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(one.encode("utf-8")).decode("ascii")

    wide = panels(svg_text)
    narrow = panels(narrow_text) if narrow_text else []
    alt = html.escape(label, quote=True)
    for i, one in enumerate(wide):
        img = f'<img src="{data(one)}" data-artcost-chart="{alt}" alt="{alt}" style="width:100%;max-width:760px">'
        if i < len(narrow):
            img = f'<picture><source media="(max-width: 640px)" srcset="{data(narrow[i])}">{img}</picture>'
        st.markdown(img, unsafe_allow_html=True)


def bench_records_for(sid: str) -> tuple:
    """Benchmark records whose speed was applied to scenario `sid` on the Benchmark page (for the report)."""
    rec = st.session_state.get("bench_applied", {}).get(sid)
    return (tuple(sorted(rec.items())),) if rec else ()
