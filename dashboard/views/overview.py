"""Overview: the headline for the chosen scenario, the key chart, the itemised cost, delivery time, and sources.

Built to show something useful at once: the headline and the key chart (plain SVG, `svg.key_chart`) go out
before anything waits on plotly; the plotly charts and the sources table follow.
"""

from __future__ import annotations

import streamlit as st

from artcost.dashboard import sources, svg, ui
from artcost.dashboard.escape import md
from artcost.model.headline import headline, headline_note
from artcost.units import figure, ratio_phrase

loaded, problems = ui.current()
r = ui.result(loaded)
ccy = r["currency"]

st.title("What does one illustration cost?")
st.caption(md(f"{r['scenario']['name']} — scenario {r['scenario']['file']}, figures as of {r['scenario']['as_of']}"))
st.markdown(f"### {md(headline(r))}")
st.caption(md(headline_note(r)))
if problems:
    st.warning("Your last edit on the Cost page does not validate; showing the last good figures. See the Cost page.")
for w in r["warnings"]:
    st.warning(md(w))

key, _ = st.columns([3, 1])
with key:
    ui.svg_chart(svg.key_chart(r), svg.key_title(r))
    st.caption(md(svg.key_caption(r)))

import numpy as np  # noqa: E402  (after the headline: nothing above waits on these)

from artcost.dashboard import cached, charts  # noqa: E402

st.markdown("**Central values (point)**: every uncertain input at its mode, midpoint or median; the figures and "
            "the itemised cost below use them. The key chart above and the delivery chart show the Monte Carlo "
            "medians with their 90% intervals.")
POINT = "Central values (point), not the Monte Carlo median of the sentence above."
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("AI, per usable image", charts.money(r["breakdown"]["per_usable_image"], ccy), help=POINT)
c2.metric("Artist, per image", charts.money(r["artist"]["per_image"], ccy), help=POINT)
# AI's cost as a share of the artist's: "1/104" when AI is cheaper, "2.4x" when dearer (the headline says it in full)
c3.metric("AI / artist cost", ratio_phrase(r["ratio"]) if r["ratio"] >= 1 else f"{figure(1 / r['ratio'])}x", help=POINT)
c4.metric("AI delivery", charts.duration(r["delivery"]["ai_hours"]), help=POINT)
c5.metric("Artist delivery", charts.duration(r["delivery"]["artist_hours"]), help=POINT)

spreads = None
if r["headline"]["draws"]:  # the headline's own draws (same scenario, draws and seed): delivery times' spread
    mc = cached.simulate(loaded, r["headline"]["draws"], r["headline"]["seed"])
    spreads = {side: dict(zip(("p5", "median", "p95"),
                              map(float, np.percentile(mc.samples[f"{side}_delivery_hours"], [5, 50, 95]))))
               for side in ("ai", "artist")}
left, right = st.columns([3, 2])
with left:
    ui.show(charts.cost_waterfall(r), key="overview-waterfall")
with right:
    ui.show(charts.delivery(r, spreads), key="overview-delivery")

st.subheader(sources.SOURCES_TITLE)
st.caption(md(
    f"{sources.intro(r)} Generation speed from: {sources.source_text(r['generation']['seconds_per_image_source'], r['scenario']['file'])}. "
    "Each figure links to its section of the report (Report page, opens in a new tab)."
))  # a source quoted: text, not Markdown
stem = r["scenario"]["file"].rsplit("/", 1)[-1].removesuffix(".yaml")
query = f"?scenario={stem}" if st.session_state.sid.startswith("shipped:") else ""
st.html(sources.sources_table(
    r, link=lambda path: f"report{query}#{sources.anchor(path.split('.', 1)[0])}", link_text="in the report", ids=False))
