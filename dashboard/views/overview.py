"""Overview: the headline for the chosen scenario, the itemised cost, delivery time, and sources."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from artcost.model.headline import headline, headline_note
from artcost.dashboard import charts, ui
from artcost.units import figure, ratio_phrase

loaded, problems = ui.current()
r = ui.result(loaded)
ccy = r["currency"]

st.title("What does one illustration cost?")
st.caption(f"{r['scenario']['name']} — {r['scenario']['file']}, figures as of {r['scenario']['as_of']}")
st.markdown(f"### {headline(r)}")
st.caption(headline_note(r))
if problems:
    st.warning("Your last edit on the Cost page does not validate; showing the last good figures. See the Cost page.")
for w in r["warnings"]:
    st.warning(w)

st.markdown("**Central values (point)**: every uncertain input at its mode, midpoint or median; the figures, "
            "the waterfall and the charts below use them.")
POINT = "Central values (point), not the Monte Carlo median of the sentence above."
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("AI, per usable image", charts.money(r["breakdown"]["per_usable_image"], ccy), help=POINT)
c2.metric("Artist, per image", charts.money(r["artist"]["per_image"], ccy), help=POINT)
# AI's cost as a share of the artist's: "1/104" when AI is cheaper, "2.4x" when dearer (the headline says it in full)
c3.metric("AI / artist cost", ratio_phrase(r["ratio"]) if r["ratio"] >= 1 else f"{figure(1 / r['ratio'])}x", help=POINT)
c4.metric("AI delivery", charts.duration(r["delivery"]["ai_hours"]))
c5.metric("Artist delivery", charts.duration(r["delivery"]["artist_hours"]))

left, right = st.columns([3, 2])
with left:
    ui.show(charts.cost_waterfall(r), key="overview-waterfall")
with right:
    ui.show(charts.ai_vs_artist(r), key="overview-ai-artist")
    ui.show(charts.delivery(r), key="overview-delivery")

st.subheader("Where each figure comes from")
st.caption(
    f"Generation speed from: {r['generation']['seconds_per_image_source']}. "
    "Central values shown; '~' marks a figure the scenario gives as a distribution (see the Uncertainty page)."
)
rows = [
    {"field": path, "value": f"{info['value']:,.4g}" + (" ~" if info["uncertain"] else ""), "unit": info["unit"],
     "source": info["source"]}
    for path, info in r["inputs"].items()
]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=35 * (len(rows) + 1) + 3)
