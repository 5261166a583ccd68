"""Routes: every way to get the scenario's image side by side (own, rent, API, subscription, the artist), with
delivery, energy and carbon, and when owning a GPU pays (issue #17). The figures are `model.routes`'s, the
charts `dashboard.routes_chart`'s; this page only lays them out."""

from __future__ import annotations

import json

import streamlit as st

from artcost.dashboard import svg, tables, ui
from artcost.dashboard.escape import md
from artcost.dashboard.routes_chart import breakeven_figure, own_keys
from artcost.model.loader import LoadedScenario
from artcost.units import duration, money_approx, signed_money_approx


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
    tied = [r for r in priced if r["kind"] != "artist" and r["rank"] == best["rank"]]
    lead = (f"{len(tied)} ways tied for the cheapest" if len(tied) > 1 else f"Cheapest way to one usable image: {best['name']}")
    st.markdown("### " + md(f"{lead}, {money_approx(c['median'], ccy)} (90%: {money_approx(c['p5'], '')}–"
                             f"{money_approx(c['p95'], ccy)})"))
for f in d.get("findings", []):
    st.markdown(md(f))
st.caption(md(f"{d['scenario']['name']} — scenario {d['scenario']['file']}, figures as of {d['scenario']['as_of']}. "
              f"The scenario's job ({d['scenario']['settings']}) and its human time on every route; "
              f"grid: {d['grid']['source']}."))
# the same SVG chart as the report and the presenter sheet: names above the bars, and a phone layout below 640 px
# (the plotly chart's plot was ~50 px wide at 420 px, names and values cut)
ui.svg_chart(svg.routes_chart(d), "Every way to get the image", svg.routes_chart(d, narrow=True))
st.caption(md(svg.routes_caption(d)))


def _money(x: float | None) -> str:
    return "—" if x is None else money_approx(x, "")


def _row(r: dict) -> dict:
    """One route in words: figures rounded as the headline is, a missing one said so (never '31.9788' or 'None')."""
    c, carbon = r["cost_per_usable_image"], r["carbon"] or {}
    v, m = r.get("vs_scenario"), r.get("machine_only_per_usable_image")
    kwh, g = carbon.get("energy_kwh_per_usable_image"), carbon.get("g_co2e_per_usable_image")
    rank = r.get("rank_label") or r["rank"]
    return {
        "route": f"{rank}. {r['name']}" if rank else r["name"],
        f"cost per usable image ({ccy}), median (90%)": "not priced" if c is None else
        f"{_money(c['median'])} ({_money(c['p5'])}–{_money(c['p95'])})",
        f"against the scenario's way ({ccy}, paired)": "—" if v is None or r["kind"] == "scenario" else
        f"{signed_money_approx(v['median'])} ({signed_money_approx(v['p5'])} to {signed_money_approx(v['p95'])})",
        "chance it is cheaper": "—" if v is None or r["kind"] == "scenario" else f"{v['p_cheaper']:.0%}",
        f"machine only ({ccy})": "—" if m is None or r["kind"] == "artist" else _money(m["median"]),
        "delivery": "not known" if r["delivery_hours"] is None else duration(r["delivery_hours"]),
        "energy (Wh)": "not known" if kwh is None else f"{kwh * 1000:.3g}",
        "CO2e (g)": "not known" if g is None else f"{g:.3g}",
    }


st.html(tables.stacking_table([_row(r) for r in d["routes"]], first="route"))
st.caption(md(f"'=' before a rank marks a tie: {d['tie_rule']}."))

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
        st.markdown(f"**{md(str(r.get('rank_label') or r['rank'] or '–'))}. {md(r['name'])}**")
        lines = [f"speed: {r['speed_source']}", f"price: {r['price_source']}"]
        if r["carbon"]:
            lines.append(f"energy: {r['carbon']['energy_source']}")
        lines += r["notes"]
        st.text("\n".join(lines))
for n in d["notes"]:
    st.caption(md(n))
for sk in d["skipped"]:
    st.caption(md(f"not shown: {sk}"))
