"""Report: a self-contained HTML report of the scenario being explored, to send after the meeting."""

from __future__ import annotations

import streamlit as st

from artcost.model.headline import headline, headline_note
from artcost.dashboard import cached, ui

loaded, problems = ui.current()
r = ui.result(loaded)

st.title("Report")
st.markdown(f"### {headline(r)}")
st.caption(headline_note(r))
st.write(
    "One HTML file with the headline, the charts (plotly embedded inline, so it opens offline), "
    "the itemised cost, every assumption with its source, the benchmark provenance and notes on the method."
)
if problems:
    st.warning("Your last edit does not validate; the report uses the last good figures.")
html, name = cached.report(loaded, ui.currency(), ui.bench_records_for(st.session_state.sid))
st.download_button("Download the HTML report", data=html.encode("utf-8"), file_name=name, mime="text/html",
                   type="primary", key="download-report", icon=":material/download:")
st.caption(f"{name}: {len(html.encode('utf-8')) / 1e6:.1f} MB, of which about 4.6 MB is the embedded plotly.js. "
           "PDF export is not offered: no PDF library is part of artcost; print the HTML to PDF from a browser.")
