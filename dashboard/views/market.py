"""Market: what AI images do to artists', retouchers' and buyers' market, from the market simulator, with the
90% bands of its Monte Carlo (every input drawn, the whole market re-run per draw)."""

from __future__ import annotations

import streamlit as st

from artcost.dashboard import analysis, cached, ui
from artcost.dashboard.escape import md
from artcost.dashboard.report import MARKET_DRAWS
from artcost.errors import UserError
from artcost.model.currency import rate_table_for
from artcost.units import money

st.title("Market")
loaded, _ = ui.current()
try:
    result = cached.market(loaded)
    bands = cached.market_bands(loaded, MARKET_DRAWS, 0)
except UserError as exc:
    for line in exc.problems:
        st.error(md(line))
    st.stop()
own = result.currency  # the simulator works in the scenario's currency
ccy = ui.currency() or own
table = rate_table_for(loaded)  # the scenario's as_of year, as on the Cost page
factor = table.factor(own, ccy)
h = result.headline()
st.markdown(f"### {md(analysis.market_sentence(bands))}")
st.caption(f"Medians and 90% bands (5th to 95th percentile) of {bands.draws:,} Monte Carlo draws of the "
           f"{len(bands.uncertain_inputs)} uncertain inputs (seed {bands.seed}). Central values (one run with every "
           f"input at its mode or midpoint): by {h['last_month']} artists earn {h['artist_income_index']:.0%} of their "
           f"no-AI income ({h['artist_income_index_after_12_months']:.0%} after 12 months); the three figures just below are "
           "that run, the charts the medians and bands.")
c1, c2, c3 = st.columns(3)
c1.metric("Artists' commissions vs no-AI", f"{h['artist_commissions_index']:.0%}", help="central values, last month")
c2.metric("Buyers aware of AI", f"{h['awareness']:.0%}", help="central values, last month")
c3.metric("Retouch price per image", money(h["retouch_price"] * factor, ccy),
          help="central values: the retoucher's asking price, never above the buyer's own AI cost per image")
if own != ccy:
    st.caption(md(f"Money converted from the scenario's {own} to {ccy} at {factor:.4g} ({table.label})."))
figs = analysis.market_band_charts(result, bands, ccy, factor, table.label)
for i in range(0, len(figs), 2):
    cols = st.columns(2)
    for col, chart in zip(cols, figs[i:i + 2]):
        with col:
            ui.show(chart, key=f"market-{i}-{chart.title}")
with st.expander(f"Tables of the central run (money in {ccy})"):
    for name, df in analysis.market_tables(result, ccy, factor).items():
        st.caption(md(name))
        st.dataframe(df, hide_index=True, width="stretch")
