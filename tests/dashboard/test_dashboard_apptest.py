"""Every page through Streamlit's AppTest: widgets change the headline exactly as the model says."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from artcost.dashboard.escape import unescape
from artcost.model.headline import headline
from artcost.model.comparison import comparison
from artcost.model.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboard" / "app.py"
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
SID = "shipped:seed-2022-hobbyist-3060ti"
PAGES = ["overview.py", "presenter.py", "benchmark.py", "cost.py", "uncertainty.py", "market.py", "report.py"]


def expected(path: Path = SEED, overrides=None, currency=None) -> str:
    return headline(comparison(load_scenario(path, overrides), currency))


def headlines(at: AppTest) -> list[str]:
    """The pages' headlines as the reader sees them (the page escapes them as text: `dashboard.escape.md`)."""
    return [unescape(m.value.removeprefix("### ")) for m in at.markdown if m.value.startswith("### ")]


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.run()
    no_exceptions(app)
    return app


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(at, page):
    at.switch_page(f"views/{page}").run()
    no_exceptions(at)
    assert at.title, "each page has a title"


def test_overview_headline_is_the_cli_sentence(at):
    assert headlines(at) == [expected()]


def test_editing_a_field_changes_the_headline_on_every_page(at):
    at.switch_page("views/cost.py").run()
    at.number_input(key=f"field:{SID}:artist.price_per_image").set_value(5000).run()
    no_exceptions(at)
    want = expected(overrides={"artist.price_per_image": 5000})
    assert want != expected()
    assert headlines(at) == [want]
    at.switch_page("views/overview.py").run()
    assert headlines(at) == [want], "an edit made on the Cost page holds on the Overview"


def test_field_help_carries_unit_and_source(at):
    at.switch_page("views/cost.py").run()
    w = at.number_input(key=f"field:{SID}:human.wage_per_hour")
    assert w.label == "operator's hourly wage (CNY/h, uncertain)"
    assert "NBS 2022 average wage" in unescape(w.help) and "Unit: CNY" in unescape(w.help)


def test_invalid_edit_shows_error_at_the_field_and_keeps_last_good(at):
    at.switch_page("views/cost.py").run()
    at.number_input(key=f"field:{SID}:artist.price_per_image").set_value(4000).run()
    good = expected(overrides={"artist.price_per_image": 4000})
    at.number_input(key=f"field:{SID}:generation.acceptance_rate").set_value(2.0).run()
    no_exceptions(at)
    assert any("must be <= 1 (got 2)" in unescape(e.value) for e in at.sidebar.error)
    assert headlines(at) == [good]


def test_currency_picker_converts(at):
    at.selectbox(key="_currency").set_value("USD").run()
    no_exceptions(at)
    assert headlines(at) == [expected(currency="USD")]


def test_scenario_picker(at):
    at.selectbox(key="_sid").set_value("shipped:freelancer-2024-rtx4090").run()
    no_exceptions(at)
    assert headlines(at) == [expected(REPO / "scenarios" / "freelancer-2024-rtx4090.yaml")]


UPLOAD_OK = b"""extends: seed-2022-hobbyist-3060ti.yaml
meta:
  name: "Uploaded: seed with a pricier artist"
artist:
  price_per_image: {value: 6000, source: "a quote"}
"""


def test_good_upload_becomes_the_scenario(at):
    at.switch_page("views/cost.py").run()
    at.file_uploader[0].set_value(("mine.yaml", UPLOAD_OK, "application/x-yaml")).run()
    no_exceptions(at)
    want = expected(overrides={"artist.price_per_image": 6000})
    assert headlines(at) == [want]
    assert at.selectbox(key="_sid").value == "upload:mine.yaml"


@pytest.mark.parametrize(
    "name, data, field, message",
    [
        ("bad.yaml", UPLOAD_OK.replace(b"6000", b"-5"), "artist.price_per_image", "must be > 0 (got -5)"),
        ("typo.yaml", UPLOAD_OK + b"human:\n  wage_per_huor: 3\n", "human.wage_per_huor", "did you mean 'wage_per_hour'"),
        ("bin.yaml", b"meta:\x00\x01", "", "not a text file"),
        ("alias.yaml", b"a: &x 1\nb: *x\n", "", "aliases"),
        ("big.yaml", b"#" * 1_000_001, "", "limited to 1,000,000 bytes"),
        ("escape.yaml", b"extends: ../../etc/passwd\n", "", "may extend a shipped scenario only"),
    ],
)
def test_bad_upload_shows_error_and_keeps_last_good(at, name, data, field, message):
    at.switch_page("views/cost.py").run()
    at.file_uploader[0].set_value((name, data, "application/x-yaml")).run()
    no_exceptions(at)
    errors = " ".join(unescape(e.value) for e in at.error)
    assert message in errors
    assert field in errors
    assert headlines(at) == [expected()]
    assert at.selectbox(key="_sid").value == SID


def test_compare_up_to_four(at, html_table):
    at.switch_page("views/cost.py").run()
    ms = at.multiselect(key="compare")
    assert ms.max_selections == 4
    ms.set_value([SID, "shipped:studio-cloud-h100", "shipped:subscription-midjourney"]).run()
    no_exceptions(at)
    table = html_table(at)
    assert list(table.columns)[1:] == ["seed-2022-hobbyist-3060ti", "studio-cloud-h100", "subscription-midjourney"]


def test_uncertainty_headline_matches_simulation(at):
    unc = pytest.importorskip("artcost.model.uncertainty")
    at.switch_page("views/uncertainty.py").run()
    no_exceptions(at)
    p = unc.simulate(load_scenario(SEED), 20_000, 0).probabilities()["ai_cheaper"]
    assert headlines(at) == [f"AI is cheaper than the artist in {p:.1%} of 20,000 draws"]


def test_report_page_offers_download(at):
    at.switch_page("views/report.py").run()
    no_exceptions(at)
    assert headlines(at) == [expected()]
    assert any("report" in str(b.proto.label).lower() for b in at.get("download_button"))


def test_market_headline_matches_simulator(at):
    market = pytest.importorskip("artcost.model.market")
    at.switch_page("views/market.py").run()
    no_exceptions(at)
    from artcost.dashboard.analysis import market_sentence
    from artcost.dashboard.report import MARKET_DRAWS

    bands = market.market_bands(load_scenario(SEED), MARKET_DRAWS, 0)
    assert headlines(at) == [market_sentence(bands)]
    assert "typically earn" in headlines(at)[0] and "(90%: " in headlines(at)[0]
    h = market.simulate_market(load_scenario(SEED)).headline()  # the central run stays, labelled
    assert any(f"artists earn {h['artist_income_index']:.0%} of their no-AI income" in unescape(c.value) for c in at.caption)
    # issue #27: the big figures are the typical draw (median with its band), and the verdict goes with the claim
    last = bands.headline().typical["last"]
    (work,) = [x for x in at.metric if x.label.startswith("Artists' commissions vs no-AI")]
    assert work.value == f"{last['commissions_index'].median:.0%}" and "90%:" in str(work.proto.delta)
    (aware,) = [x for x in at.metric if x.label.startswith("Buyers aware of AI")]
    assert aware.value == f"{last['awareness'].median:.0%}"
    from artcost.model.market_check import market_check

    verdict = market_check(load_scenario(SEED), draws=MARKET_DRAWS).verdict_line()
    assert any(verdict in unescape(m.value) for m in at.markdown), verdict
    assert "Back-test: what studies found beside the model's band" in chart_titles(at)


def apply_record(at: AppTest, rid: str) -> None:
    at.switch_page("views/benchmark.py").run()
    no_exceptions(at)
    at.selectbox(key="bench_pick").set_value(rid).run()
    at.button(key="bench_apply").click().run()
    no_exceptions(at)


def svg_charts(at: AppTest) -> list[str]:
    """The charts a page drew as plain SVG (`ui.svg_chart`: an <img> of the SVG in a markdown element), decoded."""
    import base64
    import re

    out = []
    for m in at.markdown:
        found = re.search(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" data-artcost-chart=', m.value)
        if found:
            out.append(base64.b64decode(found.group(1)).decode("utf-8"))
    return out


def html_of(at: AppTest) -> list[str]:
    """The HTML the page put out with st.html (the key chart, the sources table)."""
    return [e.proto.body for e in at.get("html")]


def sources(at: AppTest) -> dict[str, str]:
    """The Overview's "Where each figure comes from" table: field (its dotted path) -> source, as the page shows them."""
    import html as html_mod
    import re

    (table,) = [h for h in html_of(at) if 'class="sources"' in h]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        if len(cells) == 3:
            path = re.search(r'<span class="path">(.*?)(?: · <a|</span>)', cells[0]).group(1).replace("<wbr>", "")
            out[html_mod.unescape(path)] = html_mod.unescape(cells[2])
    return out


def test_benchmark_result_becomes_the_scenario_speed(at, stored_record):
    """A stored record applied on the Benchmark page changes the headline and names the record as the source."""
    apply_record(at, stored_record)
    at.switch_page("views/overview.py").run()
    assert headlines(at) == [expected(overrides={"generation.seconds_per_image": 9.0})]
    assert "bench record" in sources(at)["generation.seconds_per_image"]
    assert at.session_state["bench_applied"][SID]["id"] == int(stored_record)


def test_hand_edit_after_benchmark_is_labelled_as_an_edit(at, stored_record):
    apply_record(at, stored_record)
    at.switch_page("views/cost.py").run()
    field = at.number_input(key=f"field:{SID}:generation.seconds_per_image")
    assert field.value == 9.0
    at.number_input(key=f"field:{SID}:human.wage_per_hour").set_value(40).run()  # another field: label kept
    assert "bench record" in at.session_state["edit_labels"][SID]["generation.seconds_per_image"]
    at.number_input(key=f"field:{SID}:generation.seconds_per_image").set_value(7).run()
    no_exceptions(at)
    assert SID not in at.session_state["edit_labels"]
    assert SID not in at.session_state["bench_applied"], "the report no longer cites the benchmark"
    at.switch_page("views/overview.py").run()
    assert headlines(at) == [expected(overrides={"generation.seconds_per_image": 7, "human.wage_per_hour": 40})]
    assert sources(at)["generation.seconds_per_image"] == "edited in the dashboard"


def test_reset_forgets_the_benchmark(at, stored_record):
    apply_record(at, stored_record)
    at.switch_page("views/cost.py").run()
    at.button(key=f"reset:{SID}").click().run()
    no_exceptions(at)
    assert headlines(at) == [expected()]
    assert SID not in at.session_state["bench_applied"] and SID not in at.session_state["edit_labels"]
    at.switch_page("views/overview.py").run()
    assert "bench record" not in sources(at)["generation.seconds_per_image"]


def test_reupload_forgets_the_benchmark(at, stored_record):
    at.switch_page("views/cost.py").run()
    at.file_uploader[0].set_value(("mine.yaml", UPLOAD_OK, "application/x-yaml")).run()
    new = "upload:mine.yaml"
    apply_record(at, stored_record)
    assert new in at.session_state["bench_applied"]
    at.switch_page("views/cost.py").run()
    at.file_uploader[0].set_value(("mine.yaml", UPLOAD_OK.replace(b"6000", b"7000"), "application/x-yaml")).run()
    no_exceptions(at)
    assert new not in at.session_state["bench_applied"] and new not in at.session_state["edit_labels"]
    assert headlines(at) == [expected(overrides={"artist.price_per_image": 7000})]


def test_breakeven_axes_offer_cost_inputs_only(at):
    pytest.importorskip("artcost.model.breakeven")
    at.switch_page("views/uncertainty.py").run()
    no_exceptions(at)
    from artcost.model.comparison import field_label

    sc = load_scenario(SEED).scenario
    market_words = {field_label(p) for p in sc.quantities() if p.startswith("market.")}
    for key in ("grid_x", "grid_y"):
        options = at.selectbox(key=key).options  # shown in words, never as YAML paths
        assert options and not set(options) & market_words and not [o for o in options if "." in o or "_" in o]
    assert set(at.selectbox(key="grid_x").options) == {field_label(p) for p in sc.cost_quantities()}
    at.selectbox(key="grid_x").set_value("human.screening_seconds_per_candidate").run()
    no_exceptions(at)
    assert not at.error


def test_uncertainty_spread_uses_money_format(at):
    unc = pytest.importorskip("artcost.model.uncertainty")
    at.selectbox(key="_currency").set_value("USD").run()
    at.switch_page("views/uncertainty.py").run()
    from artcost.model.currency import rate_table
    from artcost.model.headline import headline_for
    from artcost.units import money_approx

    ai = unc.simulate(load_scenario(SEED), 20_000, 0).summary()["outputs"]["ai_per_usable_image"]
    f = rate_table(2022).factor("CNY", "USD")
    (m,) = [x for x in at.metric if x.label.startswith("AI per usable image")]
    # rounded as the headline rounds it: the same interval, the same digits
    assert m.value == f"{money_approx(ai['p5'] * f, '')}–{money_approx(ai['p95'] * f, 'USD')}"
    h = headline_for(load_scenario(SEED), "USD")
    assert m.value == f"{money_approx(h.ai.p5, '')}–{money_approx(h.ai.p95, 'USD')}"


def chart_titles(at: AppTest) -> list[str]:
    """Each plotly chart's title as one line of words (the figure wraps it with '<br>' to fit a phone)."""
    import json
    import re

    return [re.sub(r"</?sup>", "", json.loads(c.proto.spec)["layout"]["title"]["text"].replace("<br>", " "))
            for c in at.get("plotly_chart")]


def test_ai_dearer_than_the_artist(at, html_table):
    """With the artist at 10 CNY an image, AI costs more: no '1/0' anywhere."""
    from artcost.units import ratio_phrase

    at.switch_page("views/cost.py").run()
    at.number_input(key=f"field:{SID}:artist.price_per_image").set_value(10).run()
    at.switch_page("views/overview.py").run()
    no_exceptions(at)
    r = comparison(load_scenario(SEED, {"artist.price_per_image": 10}))
    assert r["ratio"] < 1
    assert headlines(at) == [expected(overrides={"artist.price_per_image": 10})]
    assert "AI costs" in headlines(at)[0] and "1/0" not in headlines(at)[0]
    titles = chart_titles(at)
    (key,) = svg_charts(at)
    assert "typically AI costs" in key and "x the artist" in key and "1/0" not in key, key[:300]
    assert not [t for t in titles if "1/0" in t or " 0x" in t]
    (ratio,) = [m.value for m in at.metric if m.label == "AI dearer than the artist"]
    assert ratio.endswith("x") and "1/" not in ratio and ratio != "0x"
    at.switch_page("views/cost.py").run()
    table = html_table(at)
    assert "AI costs" in table[table[""] == "AI vs artist per image, central values (a point)"].iloc[0, 1]


def test_artist_faster_than_ai_says_so(at):
    at.switch_page("views/cost.py").run()
    at.number_input(key=f"field:{SID}:artist.lead_time_days").set_value(0.001).run()
    r = comparison(load_scenario(SEED, {"artist.lead_time_days": 0.001}))
    assert r["delivery"]["artist_hours"] < r["delivery"]["ai_hours"]
    at.switch_page("views/overview.py").run()
    no_exceptions(at)
    (title,) = [t for t in chart_titles(at) if t.startswith("Delivery:")]
    assert "AI takes" in title and "as long as the artist" in title and " 0x" not in title


def test_captions_point_to_sections_that_exist(at):
    at.switch_page("views/overview.py").run()
    assert any(s.value == "Where each figure comes from" for s in at.subheader)
    captions = " ".join(unescape(c.value) for c in at.caption)
    assert "under Assumptions" not in captions and "Where each figure comes from" in captions


def test_market_money_follows_the_currency_picker(at):
    market = pytest.importorskip("artcost.model.market")
    from artcost.model.currency import rate_table
    from artcost.units import money

    at.selectbox(key="_currency").set_value("USD").run()
    at.switch_page("views/market.py").run()
    no_exceptions(at)
    from artcost.dashboard.report import MARKET_DRAWS

    b = market.market_bands(load_scenario(SEED), MARKET_DRAWS, 0)  # big figures: the typical draw, not the central run
    rp = b.at("retouchers", "price", int(b.retouchers["t"].max()))
    (m,) = [x for x in at.metric if x.label == "Retouch price per image"]
    assert m.value == money(rp.median * rate_table(2022).factor("CNY", "USD"), "USD")
    assert "The retoucher's price per image (USD)" in chart_titles(at)
    assert not [t for t in chart_titles(at) if "per job" in t]


def test_presenter_page_headline_routes_chart_and_findings(at):
    """The presenter view (issue #19): the headline, the routes chart (plain SVG) and one sentence per finding."""
    at.switch_page("views/presenter.py").run()
    no_exceptions(at)
    assert headlines(at) == [expected()]
    chart, zoom = svg_charts(at)  # the routes on one scale, then the machines' alone on a scale of their own
    assert 'data-artcost-chart="routes"' in chart and "the artist" in chart
    assert 'data-artcost-chart="routes-zoom"' in zoom
    findings = [unescape(m.value) for m in at.markdown if m.value.startswith("- ")]
    assert findings and "Cheapest way:" in findings[0] and findings[0].count("\n- ") >= 4


def test_overview_key_chart_is_drawn(at):
    """The Overview's first chart is SVG (no plotly to wait for): AI and the artist on a linear axis."""
    at.run()
    no_exceptions(at)
    (chart,) = svg_charts(at)
    assert 'data-artcost-chart="key"' in chart and "AI" in chart and "Artist" in chart


def test_benchmark_history_in_words(at, stored_record):
    """The results table (issue #19): columns in words with units, an unmeasured energy said so, never 'None'."""
    at.switch_page("views/benchmark.py").run(timeout=60)
    no_exceptions(at)
    table = at.dataframe[0].value
    assert "seconds per image" in table.columns and "energy per image (J, at the wall)" in table.columns
    assert not [c for c in table.columns if "_" in c]
    row = table[table["record"] == stored_record].iloc[0]
    assert row["seconds per image"] == "9" and row["energy per image (J, at the wall)"] == "no meter"
    assert "None" not in table.to_string()


def test_report_page_makes_the_pdf(at):
    """The Report page's "Make the PDF" prints the report with Chromium and offers it for download."""
    from artcost.dashboard.report import find_chromium

    if find_chromium() is None:
        pytest.skip("needs Chromium (apt-get install chromium)")
    at.switch_page("views/report.py").run()
    no_exceptions(at)
    at.button(key="make-pdf").click().run(timeout=180)
    no_exceptions(at)
    assert not at.error
    assert at.session_state["pdf_for"].endswith(".html")
    assert any("Download the PDF" == str(b.proto.label) for b in at.get("download_button"))


def test_cost_page_offers_the_edited_scenario_as_yaml(at):
    at.switch_page("views/cost.py").run()
    at.number_input(key=f"field:{SID}:human.wage_per_hour").set_value(44).run()
    no_exceptions(at)
    (button,) = [b for b in at.get("download_button") if b.proto.label == "Download this scenario as YAML"]
    assert button.proto.label
