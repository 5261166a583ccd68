"""Presenter view: the headline, the key chart and one sentence per finding, on one printable page."""

from __future__ import annotations

import streamlit as st

from artcost.dashboard import cached, ui
from artcost.dashboard.escape import md
from artcost.dashboard.report import presenter_html, presenter_parts

loaded, problems = ui.current()
fx = cached.facts(loaded, ui.currency())
p = presenter_parts(fx)

# Printing this page (Ctrl-P) prints the sheet alone: no sidebar, header or buttons.
st.html("""<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  .stDownloadButton, [data-testid="stElementToolbar"], .no-print { display: none !important; }
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] { padding: 0 !important; margin: 0 !important; }
  @page { size: A4; margin: 12mm; }
}
</style>""")
st.title(md(p["title"]))
st.caption(md(p["meta"]))
if problems:
    st.warning("Your last edit does not validate; showing the last good figures.")
st.markdown(f"### {md(p['headline'])}")
ui.svg_chart(p["chart"], p["headline"], p["chart_narrow"])
st.caption(md(p["caption"]))
st.markdown("\n".join(f"- {md(line)}" for line in p["findings"]))
sheet = presenter_html(fx)
st.download_button("Download this page (HTML, prints on one A4 page)", data=sheet.encode("utf-8"),
                   file_name=f"artcost-presenter-{loaded.path.rsplit('/', 1)[-1].removesuffix('.yaml')}.html",
                   mime="text/html", key="download-presenter", icon=":material/download:")
