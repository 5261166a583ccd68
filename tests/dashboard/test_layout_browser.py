"""Every page at a phone's width (420 px) and a desktop's (1400 px): no text cut or running out of its box.

A real server and Debian's headless Chromium (tests/dashboard/browser_harness.py). Each page's full screenshot
is kept under test-output/screenshots/layout/ for a person to look at; the check compares each text element's
scroll size with its client size (a cut or clipped text scrolls inside its box) and its right edge with the
window's. Tables that scroll on purpose (dataframes, code) and the charts' own SVG are not text elements here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("artcost_browser_harness_layout", HERE / "browser_harness.py")
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

SHOTS = HERE.parents[1] / "test-output" / "screenshots" / "layout"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not harness.CHROMIUM.exists(), reason=f"no Chromium at {harness.CHROMIUM} (make browser-deps)"),
]

# url path -> text the page shows once it has run
PAGES = {
    "overview": "One usable image:",
    "presenter": "One usable image:",
    "cost": "Compare scenarios side by side",
    "uncertainty": "AI is cheaper than the artist in",
    "market": "Market",
    "routes": "Routes",
    "benchmark": "Results database",
    "report": "Download the HTML report",
}

CUT_TEXT = """() => {
  const bad = [];
  const sel = 'h1,h2,h3,h4,h5,h6,p,li,span,td,th,label,[data-testid="stMetricValue"],[data-testid="stMetricLabel"],'
            + '[data-testid="stCaptionContainer"],[data-testid="stMarkdownContainer"]';
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    const text = (el.innerText || '').trim();
    if (!text || r.width === 0 || r.height === 0) continue;
    if (el.closest('pre, code, [data-testid="stDataFrame"], [data-testid="stCode"], .js-plotly-plot')) continue;
    const side = el.closest('[data-testid="stSidebar"]');  // collapsed on a phone: drawn off-screen, squeezed
    if (side && (side.getAttribute('aria-expanded') === 'false' || side.getBoundingClientRect().right <= 1)) continue;
    const style = getComputedStyle(el);
    if (style.overflowX === 'auto' || style.overflowX === 'scroll') continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      bad.push(`${el.tagName} cut (${el.scrollWidth} > ${el.clientWidth} px): ${text.slice(0, 60)}`);
    else if (r.right > window.innerWidth + 1 && !el.closest('[data-testid="stSidebar"]'))
      bad.push(`${el.tagName} runs out of the window (${Math.round(r.right)} > ${window.innerWidth} px): ${text.slice(0, 60)}`);
  }
  return bad;
}"""


# The charts drawn as SVG images scale with their box: their 13 px text must stay readable (at 420 px the
# presenter's routes chart, drawn 760 px wide, printed its text about 5 px high).
SMALL_SVG_TEXT = """() => [...document.querySelectorAll('img[data-artcost-chart]')]
  .filter(i => i.complete && i.getBoundingClientRect().width > 0 && (i.currentSrc || i.src).startsWith('data:image/svg+xml;base64,'))
  .map(i => {
    const svg = atob((i.currentSrc || i.src).split(',', 2)[1]);  // the source the <picture> chose
    const box = /viewBox="[-\\d.]+ [-\\d.]+ ([\\d.]+) /.exec(svg);
    const sizes = [...svg.matchAll(/font-size="([\\d.]+)"/g)].map(m => parseFloat(m[1]));
    const scale = box ? i.getBoundingClientRect().width / parseFloat(box[1]) : 1;
    return {chart: i.getAttribute('alt').slice(0, 40), px: Math.round(Math.min(...sizes, 13) * scale * 10) / 10};
  })
  .filter(x => x.px < 9)"""


def _store_two_records(data) -> None:
    """The Benchmark page with history: a 64 px tiny run and a 256 px SD 1.5 record (its charts and table drawn)."""
    import os

    pytest.importorskip("artcost.bench.store")
    from artcost.bench.record import BenchRecord, PresetResult
    from artcost.bench.store import ResultStore

    old = os.environ.get("ARTCOST_DATA")
    os.environ["ARTCOST_DATA"] = str(data)
    try:
        for arch, res, spi in (("tiny", 64, 0.2), ("sd15", 256, 9.0)):
            ResultStore().save(BenchRecord(
                created_at="2026-12-05T01:00:00+00:00", config={"arch": arch, "resolution": res, "steps": 3, "device": "cpu"},
                environment={"device_name": "a test CPU"}, weights_label="synthetic-weights",
                energy_meter={"meter": "none", "reason": "test"},
                presets=[PresetResult(name="stock", status="ok", summary={"seconds_per_image": spi, "batch_size": 1},
                                      utilisation={"vs_probe": 0.5})],
                summary={"seconds_per_image": spi}))
    finally:
        if old is None:
            os.environ.pop("ARTCOST_DATA", None)
        else:
            os.environ["ARTCOST_DATA"] = old


# Plotly draws its titles and labels as SVG text that never wraps: a title longer than its chart runs past the
# chart's edge and is cut ('Utilisation: share of the measured GEMM...' in a third of the page).
PLOTLY_TEXT_OUT = """() => {
  const bad = [];
  for (const plot of document.querySelectorAll('.js-plotly-plot')) {
    const svg = plot.querySelector('.main-svg');
    if (!svg) continue;
    const box = svg.getBoundingClientRect();
    for (const t of plot.querySelectorAll('.gtitle, .g-xtitle text, .g-ytitle text, .annotation-text, .legendtext, .xtick text')) {
      const r = t.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        bad.push(`${t.getAttribute('class') || t.parentElement.getAttribute('class')}: ${t.textContent.slice(0, 60)}`);
    }
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("layout-data")
    _store_two_records(data)
    with harness.start_server(data, tmp_path_factory.mktemp("log") / "s.log") as s:
        yield s


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("playwright.sync_api")
    with harness.launch() as b:
        yield b


@pytest.mark.parametrize("width", [420, 1400])
@pytest.mark.parametrize("path", list(PAGES))
def test_no_text_is_cut(server, browser, path, width):
    page = harness.open_page(browser, f"{server['url']}/{path}", PAGES[path], width=width, height=2600)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path}-{width}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0
        cut = page.evaluate(CUT_TEXT)
        assert not cut, cut[:10]
        small = page.evaluate(SMALL_SVG_TEXT)
        assert not small, f"chart text under 9 px: {small}"
        out = page.evaluate(PLOTLY_TEXT_OUT)
        assert not out, f"chart text past the chart's edge: {out[:10]}"
    finally:
        page.close()
