"""Market: what AI images do to artists', retouchers' and buyers' market, from the market simulator, with the
90% bands of its Monte Carlo (every input drawn, the whole market re-run per draw), and how the scenario fares
against what studies found (the back-test, `artcost market-check`)."""

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
    bands, check = cached.market_bands_checked(loaded, MARKET_DRAWS, 0)
except UserError as exc:
    for line in exc.problems:
        st.error(md(line))
    st.stop()
own = result.currency  # the simulator works in the scenario's currency
ccy = ui.currency() or own
table = rate_table_for(loaded)  # the scenario's as_of year, as on the Cost page
factor = table.factor(own, ccy)
head = bands.headline()
last = head.typical["last"]
st.markdown(f"### {md(analysis.market_sentence(bands))}")
# the claim never travels without its verdict
st.markdown(f"**{md(check.verdict_line())}**")
h = result.headline()
st.caption(f"Medians and 90% bands (5th to 95th percentile) of {bands.draws:,} Monte Carlo draws of the "
           f"{len(bands.uncertain_inputs)} uncertain inputs (seed {bands.seed}), the figures just below included. "
           f"Central values (one run with every input at its mode or midpoint, not a typical draw): by "
           f"{h['last_month']} artists earn {h['artist_income_index']:.0%} of their no-AI income.")


def _band(s) -> str:
    return f"90%: {s.p5:.0%}–{s.p95:.0%}"


c1, c2, c3 = st.columns(3)
month = head.months["last"]
c1.metric(f"Artists' commissions vs no-AI, {month}", f"{last['commissions_index'].median:.0%}",
          delta=_band(last["commissions_index"]), delta_color="off", help="median of the draws, with its 90% band")
c2.metric(f"Buyers aware of AI, {month}", f"{last['awareness'].median:.0%}", delta=_band(last["awareness"]),
          delta_color="off", help="median of the draws, with its 90% band")
rp = bands.at("retouchers", "price", int(bands.retouchers["t"].max()))
c3.metric("Retouch price per image", money(rp.median * factor, ccy),
          delta=f"90%: {money(rp.p5 * factor, ccy)}–{money(rp.p95 * factor, ccy)}", delta_color="off",
          help="median of the draws: the retoucher's asking price, never above the buyer's own AI cost per image")
if own != ccy:
    st.caption(md(f"Money converted from the scenario's {own} to {ccy} at {factor:.4g} ({table.label})."))
figs = analysis.market_band_charts(result, bands, ccy, factor, table.label)
for i in range(0, len(figs), 2):
    cols = st.columns(2)
    for col, chart in zip(cols, figs[i:i + 2]):
        with col:
            ui.show(chart, key=f"market-{i}-{chart.title}")
st.subheader("Back-test: the model beside what studies found")
st.markdown(md(check.summary() + "."))
ui.show(analysis.backtest_chart(check), key="market-backtest")
with st.expander("The back-test, figure by figure"):
    st.dataframe(analysis.backtest_rows(check), hide_index=True, width="stretch")
    skipped = [r for r in check.rows if r.model is None]
    for r in skipped:
        st.caption(md(f"{r.id}: not compared: {r.why}"))
with st.expander(f"Tables of the central run (money in {ccy})"):
    for name, df in analysis.market_tables(result, ccy, factor).items():
        st.caption(md(name))
        st.dataframe(df, hide_index=True, width="stretch")
