"""Fuzz class "markup" (issue #24): a scenario's strings are shown as text on every page, never as markup.

Every string field of an uploaded scenario (the seed's, all of them that still validate with a payload in them:
name, description, sources' titles, every figure's source, the device, the artist's tier, the market's words ...)
gets one of the payloads below; each page then runs through Streamlit's AppTest and every string Streamlit
would render as Markdown (titles, captions, alerts, labels, tooltips, expanders, buttons, progress text) must
hold the payload escaped, every plotly figure its tags as entities, every st.html its HTML escaped.  Plain-text
elements (st.text, st.code, tables, the options of a picker) may hold it as written.  The browser test
(test_dashboard_browser.py::test_hostile_scenario_is_text_and_nothing_leaves) checks what the browser draws.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from artcost.dashboard import state
from artcost.dashboard.escape import WJ, md, plotly_text, unescape
from artcost.errors import UserError

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboard" / "app.py"
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
PAGES = ["overview.py", "presenter.py", "benchmark.py", "cost.py", "uncertainty.py", "market.py", "routes.py",
         "report.py"]

# Markdown image and link, a Streamlit colour, KaTeX, raw HTML a plotly title would draw as a link, an emoji
# short code, a material icon, a bare URL and a www. address (GitHub autolinks), emphasis, code, a heading.
MARK = "ZQXMARK"  # in every payload: finds it escaped or not
PAYLOADS = {k: f"{MARK} {v}" for k, v in {
    "markdown": "![t](https://example.org/x.png) [click](https://example.org/p) :red[RED] $x^2$",
    "html": '<a href="https://example.org/h">H</a> <img src="https://example.org/i.png"> <b>B</b> &amp;',
    "katex": "$$\\int_0^1 x\\,dx$$ \\(y\\) $z$",
    "colour": ":red[R] :blue-background[B] :rainbow[W] :small[S] :violet-badge[V] :smile: :material/home:",
    "autolink": "https://example.org/bare www.example.org/w mail@example.org <https://example.org/auto>",
    "blocks": "*em* _u_ **b** ~~s~~ `c` # h | a | b | > q - li 1. one [^1] \\",
}.items()}
# Raw forms that must not reach a Markdown-rendered string (each is broken by md(): an escaped punctuation
# character, or a word joiner inside a URL's '//', after 'www' or after '@').
RAW_MARKERS = ["![t]", "[click]", "](https", ":red[", "$x^2$", "$$", "$z$", ":blue-", ":smile:", ":material/",
               "://", "www.", "@e", "<a href=", "<img src=", "<b>B", "&amp;", "*em*", "_u_", "**b**", "~~s~~", "`c`", "[^1]"]
# string leaves that are identifiers, not words: the schema accepts only names from a list there
NOT_WORDS = {"currency", "as_of", "arch", "dist", "from_bench", "from_catalogue", "from_price_table", "grid_region",
             "extends", "id"}


def _leaves(d: Any, path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _leaves(v, path + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _leaves(v, path + (i,))
    elif isinstance(d, str) and path[-1] not in NOT_WORDS:
        yield path, d


def _set(d: Any, path: tuple, value: Any) -> None:
    for p in path[:-1]:
        d = d[p]
    d[path[-1]] = value


def hostile(payload: str) -> tuple[bytes, list[str]]:
    """The seed with `payload` in every string field that still validates with it; and those fields' paths."""
    base = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    kept = []
    for path, text in _leaves(base):
        trial = json.loads(json.dumps(base, default=str))
        _set(trial, path, f"{text} {payload}")
        try:
            state.load_text(yaml.safe_dump(trial, allow_unicode=True), "h.yaml")
        except UserError:
            continue
        _set(base, path, f"{text} {payload}")
        kept.append(".".join(map(str, path)))
    return yaml.safe_dump(json.loads(json.dumps(base, default=str)), allow_unicode=True).encode(), kept


def test_every_word_field_takes_the_payload():
    """The fuzz reaches the fields the issue names, and every figure's source."""
    _, kept = hostile(PAYLOADS["markdown"])
    for field in ("meta.name", "meta.description", "generation.device", "artist.tier", "meta.sources.0.title",
                  "human.wage_per_hour.source", "generation.seconds_per_image.source"):
        assert field in kept, (field, kept)
    assert sum(k.endswith(".source") for k in kept) >= 20


# --------------------------------------------------------------------------- the escaper itself


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_md_escapes_every_marker_and_round_trips(name):
    text = f"{PAYLOADS[name]} plain words, 2,600 CNY (90%: 1-2)"
    out = md(text)
    for marker in RAW_MARKERS:
        assert marker not in out, (marker, out)
    assert unescape(out) == text


def test_md_flattens_blocks_and_keeps_words():
    assert md("a\n\n# b\n    c") == "a \\# b c"
    assert md("    code") == "code"
    assert md("x@y.z") == f"x\\@{WJ}y\\.z"
    assert md(3) == "3"


def test_plotly_text_shows_tags_as_written():
    assert plotly_text('<a href="https://example.org/h">H</a> & <br>') == \
        '&lt;a href="https://example.org/h"&gt;H&lt;/a&gt; &amp; &lt;br&gt;'


# --------------------------------------------------------------------------- every page, every element

PLAIN = {"text", "code", "arrow_data_frame", "arrow_table", "file_uploader", "empty"}  # drawn as text or data
# fields of a widget's proto that are identifiers or values, not words shown
NOT_SHOWN = {"id", "formId", "form_id", "key", "type", "default", "icon", "url", "pageScriptHash", "mimeType",
             "data", "format", "value", "rawValues", "setValue", "anchor", "width", "height", "page"}
OPTIONS_PLAIN = {"selectbox", "multiselect"}  # their options are drawn as text (a radio's are Markdown)


def _strings(d: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _strings(v, f"{path}.{k}" if path else k)
    elif isinstance(d, list):
        for v in d:
            yield from _strings(v, path)
    elif isinstance(d, str):
        yield path, d


def _elements(node: Any) -> Iterator[Any]:
    children = getattr(node, "children", None)
    if children is not None and not hasattr(node, "value") or children:
        proto = getattr(node, "proto", None)
        if proto is not None:
            yield node
        for child in (children.values() if isinstance(children, dict) else children):
            yield from _elements(child)
    else:
        yield node


def problems_on(at: AppTest) -> tuple[list[str], Counter]:
    """Every place the page would render a payload as markup; and how many strings of each element type carry
    a payload (to show the fuzz reached the page)."""
    bad, seen = [], Counter()
    for el in _elements(at._tree):
        proto, kind = getattr(el, "proto", None), getattr(el, "type", type(el).__name__)
        if proto is None or kind in PLAIN or not hasattr(proto, "DESCRIPTOR"):
            continue
        fields = MessageToDict(proto, preserving_proto_field_name=False)
        if kind == "plotly_chart":
            spec = json.loads(fields.get("spec", "{}"))
            for where, s in _strings(spec):
                if MARK in s:
                    seen[kind] += 1
                    if "<a " in s or "<img" in s:
                        bad.append(f"plotly {where}: {s[:120]!r}")
            continue
        for where, s in _strings(fields):
            if MARK not in s:
                continue
            last = where.rsplit(".", 1)[-1]
            if last in NOT_SHOWN or (kind in OPTIONS_PLAIN and last == "options"):
                continue
            seen[kind] += 1
            if kind == "html":  # st.html: HTML, escaped by the page (sources table, print style)
                if '<a href="https://example.org' in s or '<img src="https://example.org' in s:
                    bad.append(f"html: {s[:120]!r}")
                continue
            if kind == "markdown" and '<img src="data:image/svg+xml;base64,' in s:
                continue  # ui.svg_chart: our own <img> of an SVG, its label escaped as an attribute
            hits = [m for m in RAW_MARKERS if m in s]
            if hits:
                bad.append(f"{kind} {where}: {hits} in {s[:160]!r}")
    return bad, seen


@pytest.fixture(scope="module", params=list(PAYLOADS))
def uploaded(request):
    data, kept = hostile(PAYLOADS[request.param])
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page("views/cost.py").run()
    at.file_uploader[0].set_value((f"markup-{request.param}.yaml", data, "application/x-yaml")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="_sid").value == f"upload:markup-{request.param}.yaml", [e.value for e in at.error]
    return request.param, at


@pytest.mark.parametrize("page", PAGES)
def test_no_payload_renders_as_markup(uploaded, page):
    name, at = uploaded
    at.switch_page(f"views/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    bad, seen = problems_on(at)
    assert not bad, "\n".join(bad)
    if page not in ("benchmark.py", "market.py"):  # these show no scenario words (the file's name, the market's figures)
        assert sum(seen.values()) > 0, f"no payload reached {page}: the check would pass for nothing"


# --------------------------------------------------------------------------- the report and the presenter sheet


@pytest.mark.parametrize("name", ["markdown", "html"])
def test_report_and_presenter_sheet_escape_every_payload(name):
    """The HTML report and the presenter sheet (files, not Streamlit) escape the payload as HTML everywhere,
    their SVG charts included: no outside image or link, no script; the words are there as written."""
    import html as html_mod
    import re

    from artcost.dashboard.report import facts, build_report, presenter_html

    data, _ = hostile(PAYLOADS[name])
    fx = facts(state.load_text(data.decode("utf-8"), f"markup-{name}.yaml"), draws=2_000, market_draws=50)
    for doc in (build_report(fx), presenter_html(fx)):
        assert "<script" not in doc
        assert not re.search(r"<(a|img|image)\b[^>]*(href|src)=\"?(https?:)?//", doc), "an outside link or image"
        shown = html_mod.unescape(re.sub(r"<[^>]+>", " ", doc))
        assert PAYLOADS[name] in shown
