"""Overview: the headline for the chosen scenario, the key chart, the itemised cost, delivery time, and sources.

Built to show something useful at once: the headline and the key chart (plain SVG, `svg.key_chart`) go out
before anything waits on plotly; the plotly charts and the sources table follow.
"""

from __future__ import annotations

import streamlit as st

from artcost.dashboard import sources, svg, ui
from artcost.dashboard.escape import md
from artcost.model.headline import INTERVAL, Headline, headline, headline_note, ratio_cell
from artcost.units import duration_range, figure, money_approx

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
    ui.svg_chart(svg.key_chart(r), svg.key_title(r), svg.key_chart(r, narrow=True))
    st.caption(md(svg.key_caption(r)))

from artcost.dashboard import charts  # noqa: E402  (after the headline: nothing above waits on plotly)

# The big figures are the headline's (median with its 90% interval), never the point run: the point's
# 30.47 CNY under a headline of 33 read as a second answer (issue #28). The point stays in the itemised chart.
h = Headline.from_dict(r["headline"])


def _interval(s) -> str:
    if h.is_point:
        return "a point (no uncertain inputs)"
    return "fixed" if s.p5 == s.p95 else f"{INTERVAL}: {money_approx(s.p5, '')}–{money_approx(s.p95, ccy)}"


ratio = h.ratio.median
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("AI, per usable image", money_approx(h.ai.median, ccy))
c1.caption(_interval(h.ai))
c2.metric("Artist, per image", money_approx(h.artist.median, ccy))
c2.caption(_interval(h.artist))
# the value short enough for a fifth of the page (at 1400 px '80x cheaper' was cut to '80x chea...')
c3.metric("AI cheaper than the artist" if ratio >= 1 else "AI dearer than the artist",
          f"{figure(ratio)}x" if ratio >= 1 else f"{figure(1 / ratio)}x")
c3.caption("a point (no uncertain inputs)" if h.is_point else f"{INTERVAL}: {ratio_cell(h.ratio)}")
for col, sp, label in ((c4, h.ai_delivery, "AI delivery"), (c5, h.artist_delivery, "Artist delivery")):
    col.metric(label, charts.duration(sp.median))
    col.caption("a point (no uncertain inputs)" if h.is_point else f"{INTERVAL}: {duration_range(sp.p5, sp.p95)}")
st.caption("Each figure: the median of the headline's Monte Carlo draws and its 90% interval (5th–95th percentile). "
           "The itemised chart below shows central values (a point): every uncertain input at its mode, midpoint "
           "or median.")
left, right = st.columns([3, 2])
with left:
    ui.show(charts.cost_waterfall(r), key="overview-waterfall")
with right:
    ui.show(charts.delivery(r, None if h.is_point else
                            {"ai": h.ai_delivery.to_dict(), "artist": h.artist_delivery.to_dict()}),
            key="overview-delivery")

st.subheader(sources.SOURCES_TITLE)
st.caption(md(
    f"{sources.intro(r)} "
    "Each figure links to its section of the report (Report page, opens in a new tab)."
))  # a source quoted: text, not Markdown
stem = r["scenario"]["file"].rsplit("/", 1)[-1].removesuffix(".yaml")
query = f"?scenario={stem}" if st.session_state.sid.startswith("shipped:") else ""
st.html(sources.sources_table(
    r, link=lambda path: f"report{query}#{sources.anchor(path.split('.', 1)[0])}", link_text="in the report", ids=False))
