"""Routes: every way to get the scenario's image side by side (own, rent, API, subscription, the artist), with
delivery, energy and carbon, and when owning a GPU pays (issue #17). The figures are `model.routes`'s, the
charts `dashboard.routes_chart`'s; this page only lays them out."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from artcost.dashboard import ui
from artcost.dashboard.escape import md
from artcost.dashboard.routes_chart import breakeven_figure, own_keys, routes_figure
from artcost.model.loader import LoadedScenario
from artcost.units import duration, money_approx


@st.cache_data(show_spinner="Pricing every route ...", max_entries=16,
               hash_funcs={LoadedScenario: lambda x: json.dumps([x.path, x.raw, x.overrides], sort_keys=True, default=str)})
def routes_dict(loaded: LoadedScenario, currency: str | None) -> dict:
    from artcost.model.routes import routes_for

    return routes_for(loaded.path, base=loaded).to_dict(currency)


st.title("Routes")
loaded, problems = ui.current()
d = routes_dict(loaded, ui.currency())
ccy = d["currency"]
priced = [r for r in d["routes"] if r["cost_per_usable_image"] is not None]
best = next((r for r in priced if r["kind"] != "artist"), None)
if best is not None:
    c = best["cost_per_usable_image"]
    st.markdown("### " + md(f"Cheapest way to one usable image: {best['name']}, {money_approx(c['median'], ccy)} "
                             f"(90%: {money_approx(c['p5'], '')}–{money_approx(c['p95'], ccy)})"))
st.caption(md(f"The scenario's job ({d['scenario']['settings']}) and its human time on every route; "
              f"grid: {d['grid']['source']}."))
ui.show(routes_figure(d), key="routes-bars")


def _row(r: dict) -> dict:
    c, carbon = r["cost_per_usable_image"], r["carbon"] or {}
    kwh, g = carbon.get("energy_kwh_per_usable_image"), carbon.get("g_co2e_per_usable_image")
    return {
        "rank": r["rank"], "route": r["name"],
        f"median ({ccy})": None if c is None else round(c["median"], 4),
        "90% interval": "not priced" if c is None else f"{money_approx(c['p5'], '')}–{money_approx(c['p95'], ccy)}",
        "delivery": "—" if r["delivery_hours"] is None else duration(r["delivery_hours"]),
        "energy (Wh)": None if kwh is None else round(kwh * 1000, 3),
        "CO2e (g)": None if g is None else round(g, 3),
        "energy from": carbon.get("energy_source", ""),
    }


st.dataframe(pd.DataFrame([_row(r) for r in d["routes"]]), hide_index=True, width="stretch")

st.subheader("When owning a GPU pays")
keys = own_keys(d)
if not keys:
    st.info(md("No owned-GPU route to compare: " + "; ".join(d["skipped"][:2])))
else:
    by_name = {d["curves"]["names"][k]: k for k in keys}
    own = by_name[st.selectbox("GPU bought for the work", list(by_name), key="routes_own")]
    ui.show(breakeven_figure(d, own), key="routes-breakeven")
    for c in d["breakeven"]:
        if c["own"] == own:
            st.markdown(f"- {md(c['sentence'])}")

with st.expander("Where each route's figures come from"):
    for r in d["routes"]:
        st.markdown(f"**{md(r['rank'] or '–')}. {md(r['name'])}**")
        lines = [f"speed: {r['speed_source']}", f"price: {r['price_source']}"]
        if r["carbon"]:
            lines.append(f"energy: {r['carbon']['energy_source']}")
        lines += r["notes"]
        st.text("\n".join(lines))
for n in d["notes"]:
    st.caption(md(n))
for sk in d["skipped"]:
    st.caption(md(f"not shown: {sk}"))
