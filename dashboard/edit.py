"""Streamlit side of editing: the upload callback and the sidebar field editor.

The rules (what validates, which problems belong to which field) are in `state`; this
module only moves values between widgets and ``st.session_state``.
"""

from __future__ import annotations

import streamlit as st

from artcost.dashboard import state, ui
from artcost.dashboard.escape import md
from artcost.errors import UserError


def widget_key(sid: str, path: str) -> str:
    return f"field:{sid}:{path}"


def on_upload() -> None:
    """Validate the uploaded file; if good, keep its text and explore it, else keep the last good scenario."""
    ss = st.session_state
    ss.upload_problems = []
    f = ss.get("upload")
    if f is None:
        return
    try:
        text = state.check_upload(f.name, f.getvalue())
        state.load_text(text, f.name)
    except UserError as exc:
        ss.upload_problems = state.split_problems(exc.problems)
        return
    name = state.safe_name(f.name)
    ss.uploads[name] = text
    new = state.UPLOAD + name
    # a re-upload under the same name starts from its own figures, not the old file's edits or benchmark
    _forget(new)
    ss.sid = new


def _forget(sid: str) -> None:
    """Drop every edit of `sid`: values, who set them, the benchmark applied to it, and its widgets' state."""
    ss = st.session_state
    for name in ("edits", "good_edits", "edit_labels", "bench_applied"):
        ss[name].pop(sid, None)
    for key in [k for k in ss.keys() if isinstance(k, str) and k.startswith(widget_key(sid, ""))]:
        del ss[key]


def _reset(sid: str) -> None:
    _forget(sid)


def _drop_stale_labels(sid: str, applied: dict[str, float], edits: dict[str, float]) -> None:
    """A label (e.g. "measured: bench record ...") names who set a value: once the value is changed by
    hand, or edited back to the scenario's own, the label no longer holds; with no label left from
    the benchmark, the report stops citing it."""
    ss = st.session_state
    labels = ss.edit_labels.get(sid)
    if not labels:
        return
    for path in list(labels):
        new, old = edits.get(path), applied.get(path)
        if new is None or old is None or abs(new - old) > 1e-9 * max(1.0, abs(old)):
            del labels[path]
    if not labels:
        ss.edit_labels.pop(sid, None)
        ss.bench_applied.pop(sid, None)


def sidebar_editor(sid: str) -> list[state.FieldProblem]:
    """Every numeric figure of scenario `sid` as a number input in the sidebar; returns the edits' problems.

    Each input's label carries the unit, its help the source; a problem is shown under the field it names.
    """
    ss = st.session_state
    fields = state.editable_fields(ui.base(sid))
    stored = ss.edits.get(sid, {})
    values = {f.path: float(ss.get(widget_key(sid, f.path), stored.get(f.path, f.value))) for f in fields}
    ss.edits[sid] = state.changed(fields, values)
    _drop_stale_labels(sid, stored, ss.edits[sid])
    _, problems = ui.current(sid)
    by_field = state.problems_by_field(problems)

    with st.sidebar:
        st.subheader("Edit the figures")
        st.caption(f"Money in {ui.base(sid).scenario.meta.currency} (the scenario's own currency). "
                   "Hover the ? for each figure's source.")
        st.button("Reset all edits", on_click=_reset, args=(sid,), key=f"reset:{sid}")
        for section, title in state.SECTION_TITLES.items():
            in_section = [f for f in fields if f.section == section]
            if not in_section:
                continue
            section_problems = by_field.get(section, []) + (by_field.get("", []) if section == "job" else [])
            with st.expander(title, expanded=bool(section_problems) or any(f.path in by_field for f in in_section)):
                for msg in section_problems:
                    st.error(md(msg), icon=":material/error:")
                for f in in_section:
                    st.number_input(
                        editor_label(f),
                        value=values[f.path],
                        format="%g",
                        step=_step(f.value),
                        key=widget_key(sid, f.path),
                        help=md(f.help),  # the source, quoted: text, not Markdown
                    )
                    for msg in by_field.get(f.path, []):
                        st.error(md(msg), icon=":material/error:")
    return problems


def editor_label(f: state.FieldInfo) -> str:
    """A figure's editor label in words with its unit: "operator's hourly wage (CNY/h, uncertain)";
    a share reads '(0 to 1)', a count has no unit. Our own words: no scenario text reaches a label."""
    unit = {"share": "0 to 1", "probability": "0 to 1", "count": ""}.get(f.unit, f.unit)
    said = ", ".join(x for x in (unit, "uncertain" if f.dist else "") if x)
    return f"{f.label} ({said})" if said else f.label


def _step(v: float) -> float:
    """A step of about a tenth of the value's order of magnitude, so +/- moves it sensibly."""
    import math

    if v == 0:
        return 1.0
    return 10.0 ** (math.floor(math.log10(abs(v))) - 1)
