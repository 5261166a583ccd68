"""Uncertainty: the spread of cost per usable image, P(AI cheaper), what moves it, where it breaks even."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from artcost.dashboard import analysis, cached, ui
from artcost.dashboard.escape import md
from artcost.errors import UserError
from artcost.model.comparison import field_label
from artcost.model.currency import rate_table_for
from artcost.units import money_approx

st.title("Uncertainty")
loaded, problems = ui.current()
own = loaded.scenario.meta.currency
ccy = ui.currency() or own
factor = rate_table_for(loaded).factor(own, ccy)  # the scenario's as_of year, as on the Cost page
uncertain = [p for p, q in loaded.scenario.cost_quantities().items() if q.uncertain]
if not uncertain:
    st.info("This scenario gives every figure as a single number: there is nothing uncertain to simulate. "
            "Give a figure a distribution (e.g. `{dist: triangular, low: .., mode: .., high: ..}`) to see its spread.")
    st.stop()

c1, c2 = st.columns(2)
draws = c1.select_slider("Draws", options=[2_000, 10_000, 20_000, 50_000, 100_000], value=20_000, key="mc_draws")
seed = c2.number_input("Seed", min_value=0, value=0, step=1, key="mc_seed")
mc = cached.simulate(loaded, int(draws), int(seed))
p = mc.probabilities()

st.markdown(f"### AI is cheaper than the artist in {p['ai_cheaper']:.1%} of {mc.draws:,} draws")
m1, m2, m3 = st.columns(3)
ai = mc.summary()["outputs"]["ai_per_usable_image"]
m1.metric("Chance AI is cheaper", f"{p['ai_cheaper']:.1%}")
m2.metric("Chance the artist costs 100x AI or more", f"{p['ratio_ge_100']:.1%}")
# rounded as the headline rounds a Monte Carlo figure (it read 18.68–55.60 under a headline of 19–56)
m3.metric("AI per usable image, 90% interval", f"{money_approx(ai['p5'] * factor, '')}–{money_approx(ai['p95'] * factor, ccy)}",
          help="5th to 95th percentile of the draws")

hist, both = analysis.mc_charts(mc, ccy, factor)
a, b = st.columns(2)
with a:
    ui.show(hist, key="mc-hist")
with b:
    ui.show(both, key="mc-cdf")
st.dataframe(pd.DataFrame(analysis.mc_rows(mc, ccy, factor)), hide_index=True, width="stretch")

st.subheader("What moves the answer")
output = st.radio("Output", list(analysis.TORNADO_OUTPUTS), format_func=analysis.TORNADO_OUTPUTS.get,
                  horizontal=True, key="tornado_output")
ui.show(analysis.tornado_chart(cached.tornado(loaded, output), output, ccy, factor, own), key="mc-tornado")

st.subheader("Where AI and the artist break even")
params = list(loaded.scenario.cost_quantities())  # the market's inputs do not move the cost
x_default = "artist.price_per_image" if "artist.price_per_image" in params else params[0]
y_default = "human.wage_per_hour" if "human.wage_per_hour" in params else params[1]
g1, g2 = st.columns(2)
x_param = g1.selectbox("Horizontal axis", params, index=params.index(x_default), key="grid_x", format_func=field_label)
y_param = g2.selectbox("Vertical axis", params, index=params.index(y_default), key="grid_y", format_func=field_label)
try:
    grid = cached.ratio_grid(loaded, x_param, y_param)
    be = cached.breakeven(loaded, x_param)
except UserError as exc:
    for line in exc.problems:
        st.error(md(line))
else:
    st.markdown(md(analysis.breakeven_words(be, ccy, factor)))
    caption = (f"The cost model with every other input at its central value; each axis spans its input's 5th to 95th "
               f"percentile if uncertain, else half to twice its value; money in {ccy}. "
               f"Sources: {field_label(x_param)}: {loaded.source_of(x_param)}; "
               f"{field_label(y_param)}: {loaded.source_of(y_param)}.")
    ui.show(analysis.grid_chart(grid, caption, own, ccy, factor), key="mc-grid")

with st.expander("Uncertain inputs: distributions and sources"):
    st.dataframe(pd.DataFrame(analysis.input_rows(mc)), hide_index=True, width="stretch")
