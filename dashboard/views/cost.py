"""Cost: pick or upload a scenario, edit any figure in the sidebar, compare up to four side by side."""

from __future__ import annotations

import streamlit as st

from artcost.model.headline import headline, headline_note
from artcost.dashboard import charts, edit, state, tables, ui
from artcost.dashboard.escape import md
from artcost.model.comparison import comparison

ss = st.session_state
sid = ss.sid

st.title("Cost: explore a scenario")

st.file_uploader(
    "Upload a scenario (YAML, at most 1 MB; validated against the schema, never executed)",
    type=["yaml", "yml"], key="upload", on_change=edit.on_upload, max_upload_size=1,
)
for p in ss.get("upload_problems", []):
    st.error(f"**{md(p.field or 'file')}** — {md(p.message)}  \n{md(p.where)}", icon=":material/error:")
if ss.get("upload_problems"):
    st.caption(md(f"The upload was not used; still showing {state.label_of(sid)}."))

problems = edit.sidebar_editor(sid)
loaded, _ = ui.current(sid)
r = ui.result(loaded)

st.markdown(f"### {md(headline(r))}")
st.caption(md(headline_note(r)))
if problems:
    st.error("Some edits do not validate (see the sidebar); the figures below use the last good values.")
for w in r["warnings"]:
    st.warning(md(w))
edited = ss.edits.get(sid, {})
if edited:
    st.caption(md("Edited in the dashboard: " + ", ".join(f"{k} = {v:g}" for k, v in edited.items())))
# the figures as shown, edits included: one YAML file that uploads (or runs with `artcost cost`) again
st.download_button("Download this scenario as YAML", state.scenario_yaml(loaded, edited),
                   file_name=state.label_of(sid).split(" ", 1)[0].removesuffix(".yaml") + "-edited.yaml",
                   mime="application/x-yaml", key="download-yaml")
ui.show(charts.cost_waterfall(r), key="cost-waterfall")

st.subheader("Compare scenarios side by side")
ids = ui.scenario_ids()
default = [sid] + [x for x in ids if x != sid][:1]
picked = st.multiselect("Scenarios (up to four)", ids, default=default, max_selections=state.MAX_COMPARE,
                        format_func=state.label_of, key="compare")
if picked:
    target = ui.currency() or r["currency"]
    results = [comparison(ui.current(x)[0], target) for x in picked]
    names = [state.label_of(x) for x in picked]
    rows = state.comparison_rows(results, names)
    # the speed's source is a sentence, not a figure: quoted whole under the table (a cell would cut it)
    speed = next((row for row in rows if row[""] == "speed from"), None)
    rows = [row for row in rows if row is not speed]
    # an HTML table that stacks on a phone (a dataframe kept only its first column in view at 420 px)
    st.html(tables.stacking_table(rows, strong=[row[""] for row in rows[:5]]))
    st.caption(md(state.figures_note(results)))
    if speed:
        st.caption(md("Speed from: " + "; ".join(f"{n}: {speed[n]}" for n in names)))  # sources quoted: text
    a, b = st.columns(2)
    with a:
        ui.show(charts.compare_items(results, names), key="cost-compare-items")
    with b:
        ui.show(charts.compare_ai_artist(results, names), key="cost-compare-ai-artist")
