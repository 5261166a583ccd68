"""The artcost dashboard's entry script: `artcost dashboard` runs this file with Streamlit.

The page scripts are in `views/` (not `pages/`: Streamlit switches to its legacy multipage mode,
ignoring `st.navigation`, when the entry script has a sibling folder named `pages`); they stay
thin and call `state`, `charts`, `report`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from artcost.dashboard import ui

HERE = Path(__file__).parent / "views"

st.set_page_config(page_title="artcost: what does an illustration cost?", page_icon="🎨", layout="wide")

# Every page answers on its own URL. The default page is served at `/` whatever its url_path, so the
# Overview is also registered, hidden from the menu, at `/overview` (same script, its own URL).
PAGES = [
    st.Page(HERE / "overview.py", title="Overview", icon=":material/summarize:", url_path="home", default=True),
    st.Page(HERE / "overview.py", title="Overview", icon=":material/summarize:", url_path="overview",
            visibility="hidden"),
    st.Page(HERE / "presenter.py", title="Presenter view", icon=":material/co_present:", url_path="presenter"),
    st.Page(HERE / "benchmark.py", title="Benchmark", icon=":material/speed:", url_path="benchmark"),
    st.Page(HERE / "cost.py", title="Cost", icon=":material/payments:", url_path="cost"),
    st.Page(HERE / "uncertainty.py", title="Uncertainty", icon=":material/ssid_chart:", url_path="uncertainty"),
    st.Page(HERE / "market.py", title="Market", icon=":material/groups:", url_path="market"),
    st.Page(HERE / "routes.py", title="Routes", icon=":material/alt_route:", url_path="routes"),
    st.Page(HERE / "report.py", title="Report", icon=":material/description:", url_path="report"),
]

page = st.navigation(PAGES)
ui.sidebar()
page.run()
