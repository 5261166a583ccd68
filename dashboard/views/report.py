"""Report: the self-contained report of the scenario being explored (HTML, and PDF where Chromium is installed),
and its sources section, which the Overview's "in the report" links open."""

from __future__ import annotations

import streamlit as st

from artcost.dashboard import cached, sources, state, ui
from artcost.dashboard.escape import md
from artcost.dashboard.report import find_chromium
from artcost.errors import UserError
from artcost.model.headline import headline, headline_note

ss = st.session_state
# A link from the Overview ("report?scenario=<file stem>#src-human") opens a new tab, a new session: take its scenario.
wanted = st.query_params.get("scenario")
if wanted and not ss.get("_report_link_taken") and state.SHIPPED + wanted in ui.scenario_ids():
    ss["_report_link_taken"] = True
    if ss.sid != state.SHIPPED + wanted:
        ss.sid = state.SHIPPED + wanted
        st.rerun()

loaded, problems = ui.current()
r = ui.result(loaded)

st.title("Report")
st.markdown(f"### {md(headline(r))}")
st.caption(md(headline_note(r)))
st.write(
    "One file that stands alone: the headline with its range, the findings, the itemised cost, delivery, uncertainty, "
    "break-even, the market, the benchmark's provenance and every assumption with its source, quoted in full. "
    "The charts are drawn into it (SVG, no script), so it opens offline; the PDF is the same report, printed."
)
if problems:
    st.warning("Your last edit does not validate; the report uses the last good figures.")
html, name = cached.report(loaded, ui.currency(), ui.bench_records_for(ss.sid))
a, b, c = st.columns([1.2, 1, 1])
a.download_button("Download the HTML report", data=html.encode("utf-8"), file_name=name, mime="text/html",
                  type="primary", key="download-report", icon=":material/download:")
if find_chromium() is None:
    b.caption("PDF: needs Chromium on this machine (apt-get install chromium); print the HTML from a browser instead.")
elif b.button("Make the PDF", key="make-pdf", icon=":material/picture_as_pdf:") or ss.get("pdf_for") == name:
    try:
        pdf = cached.pdf(html)
    except UserError as exc:
        b.error(md(" ".join(exc.problems)))
    else:
        ss.pdf_for = name
        b.download_button("Download the PDF", data=pdf, file_name=name.removesuffix(".html") + ".pdf",
                          mime="application/pdf", key="download-pdf", icon=":material/download:")
c.page_link("views/presenter.py", label="Presenter view (one page)", icon=":material/co_present:")
st.caption(md(f"{name}: {len(html.encode('utf-8')) / 1e6:.2f} MB. "
              f"From the command line: artcost report {r['scenario']['file']} -o report.html --pdf report.pdf"))

st.header(sources.SOURCES_TITLE, anchor="sources")
st.caption(md(sources.intro(r)))
dists = {p: q.dist.describe() for p, q in loaded.scenario.cost_quantities().items() if q.uncertain}
for group in sources.groups(r):
    st.subheader(group["title"], anchor=sources.anchor(group["section"]))
    st.html(sources.sources_table(r, dists, only=group["section"]))
