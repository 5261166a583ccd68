"""A real browser against a real server: every page renders its headline and no exception box.

Starts `streamlit run dashboard/app.py` exactly as `artcost dashboard` does (on a free port),
opens each page in Debian's headless Chromium through Playwright, and saves a full-page
screenshot of each under test-output/screenshots/ for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from artcost.dashboard import server as dashboard_cli

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ARTCOST_CHROMIUM", "/usr/bin/chromium"))
SHOTS = REPO / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"),
]

# url path -> text the page must show once it has run
PAGES = {
    "": "One usable image:",  # the Overview is the default page, served at /
    "overview": "One usable image:",  # ... and on its own URL (issue #19: /overview said "Page not found")
    "presenter": "Cheapest way:",
    "cost": "Compare scenarios side by side",
    "uncertainty": "AI is cheaper than the artist in",
    "market": "typically earn",
    "routes": "Cheapest way to one usable image:",
    "benchmark": "Results database",  # after the GPU probe (the title shows before it)
    "report": "Download the HTML report",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    env = dashboard_cli.server_env()
    env["ARTCOST_DATA"] = str(tmp_path_factory.mktemp("dashboard-data"))
    log = tmp_path_factory.mktemp("dashboard-log") / "server.log"
    started = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(dashboard_cli.streamlit_command(port), cwd=dashboard_cli.DASHBOARD, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dashboard server did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield {"url": url, "started": started, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url: str, expect: str):
    # tall enough for a whole page: Streamlit scrolls inside its own container, so a
    # full-page screenshot only shows the viewport
    page = browser.new_page(viewport={"width": 1400, "height": 2600})
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_text(expect, exact=False).first.wait_for(state="visible", timeout=45_000)
    # wait for the script run to finish (the status widget shows while it runs), then for charts to draw
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=45_000
    )
    # charts and tables are loaded lazily: skeletons first, then the element's code
    page.wait_for_load_state("networkidle", timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30_000
    )
    charts = page.locator('[data-testid="stPlotlyChart"]').count()
    if charts:
        page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
                               timeout=30_000)
    page.wait_for_timeout(800)
    return page


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders(server, browser, path):
    page = _open(browser, f"{server['url']}/{path}", PAGES[path])
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path or 'overview'}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()
        body = page.inner_text("body")
        assert PAGES[path] in body
        assert "Page not found" not in body
        if path in ("", "overview", "presenter"):  # the chart drawn as SVG (an <img>) has loaded and has a size
            assert page.evaluate("() => [...document.querySelectorAll('img[data-artcost-chart]')]"
                                 ".some(i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 300)")
    finally:
        page.close()


def test_overview_headline_matches_cli(server, browser):
    """The browser shows the same sentence as `artcost cost` prints for the default scenario."""
    from artcost.model.headline import headline
    from artcost.model.comparison import comparison
    from artcost.model.loader import load_scenario

    expected = headline(comparison(load_scenario(REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml")))
    page = _open(browser, f"{server['url']}/", "One usable image:")
    try:
        assert expected in page.inner_text("body")
    finally:
        page.close()


@pytest.mark.parametrize("width", [420, 700, 900, 1100, 1400])
def test_sources_table_reads_at_any_width(server, browser, width):
    """'Where each figure comes from' (issue #19): at any window width no cell is cut or runs out of the table,
    and the table fits its column (sources wrap; nothing scrolls sideways)."""
    page = browser.new_page(viewport={"width": width, "height": 1600})
    try:
        page.goto(f"{server['url']}/overview", wait_until="domcontentloaded")
        page.locator("table.sources").first.wait_for(state="visible", timeout=45_000)
        if width == 420:
            page.screenshot(path=str(SHOTS / "overview-420px.png"))
        cut = page.evaluate("""() => {
            const t = document.querySelector('table.sources');
            const box = t.parentElement.getBoundingClientRect();
            const bad = [];
            if (t.getBoundingClientRect().width > box.width + 1) bad.push('table wider than its column');
            for (const td of t.querySelectorAll('td')) {
                if (td.scrollWidth > td.clientWidth + 1) bad.push(td.innerText.slice(0, 60));
            }
            return bad;
        }""")
        assert not cut, cut
        # each source whole: the longest source of the seed is on the page, every word of it
        text = page.inner_text("table.sources")
        assert "500 images at 2.75 s are 23 min on the GPU" in " ".join(text.split())
    finally:
        page.close()


# --------------------------------------------------------------------------- issue #24: text, and nothing leaves

PAYLOAD = "![t](https://example.org/x.png) [click](https://example.org/p) :red[RED] $x^2$"
TAG = '<a href="https://example.org/h">H</a>'  # drawn by plotly as a link unless escaped (route names)
HOSTILE = f"""extends: seed-2022-hobbyist-3060ti.yaml
meta:
  name: 'N {PAYLOAD}'
  sources:
    - {{id: s, title: 'T {PAYLOAD}'}}
generation:
  device: 'D {PAYLOAD} {TAG}'
  seconds_per_image: {{value: 2.75, source: 'S {PAYLOAD}'}}
human:
  wage_per_hour: {{dist: triangular, low: 20, mode: 31, high: 55, source: 'W {PAYLOAD}'}}
artist:
  tier: 'A {PAYLOAD}'
"""
# the Overview is the default page (its link is "/"); the pages that quote the scenario's words
NAV = ["", "presenter", "benchmark", "cost", "uncertainty", "market", "routes", "report"]
QUOTES = {"", "presenter", "cost", "uncertainty", "routes", "report"}
LEAKS = """() => ({
  images: [...document.querySelectorAll('img, image')].map(i => i.getAttribute('src') || i.getAttribute('href') || '')
          .filter(s => /^(https?:)?\\/\\//i.test(s) && !/^https?:\\/\\/(127\\.0\\.0\\.1|localhost)[:/]/i.test(s)),
  links: [...document.querySelectorAll('a')].map(a => a.getAttribute('href') || a.getAttribute('xlink:href') || '')
          .filter(h => h.includes('example.org')),
  katex: document.querySelectorAll('.katex, .katex-display, math').length,
})"""


def _outside(url: str) -> bool:
    from urllib.parse import urlparse

    if url.startswith(("data:", "blob:", "about:")):
        return False
    return urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1")


def _settle(page) -> None:
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
    page.wait_for_load_state("networkidle", timeout=30_000)
    page.wait_for_timeout(1200)


def test_hostile_scenario_is_text_and_nothing_leaves(server, browser, tmp_path):
    """Issue #24: an uploaded scenario whose words hold Markdown (an outside image, a link, a colour, KaTeX) and a
    plotly link shows them as written on every page; no page, first load included, requests anything from a host
    other than this machine (the favicon was a material icon from fonts.gstatic.com)."""
    upload = tmp_path / "hostile.yaml"
    upload.write_text(HOSTILE, encoding="utf-8")
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 2600})
    page.on("request", lambda req: requests.append(req.url) if _outside(req.url) else None)
    try:
        page.goto(f"{server['url']}/cost", wait_until="domcontentloaded")
        page.get_by_text("Compare scenarios side by side").first.wait_for(state="visible", timeout=60_000)
        _settle(page)
        assert requests == [], f"first load requested outside hosts: {sorted(set(requests))}"
        page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(upload))
        page.get_by_text("upload:hostile.yaml", exact=False).first.wait_for(timeout=60_000)
        _settle(page)
        for path in NAV:
            page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
            page.get_by_text(PAGES[path], exact=False).first.wait_for(state="visible", timeout=90_000)
            _settle(page)
            where = path or "overview"
            assert page.locator('[data-testid="stException"]').count() == 0, where
            leaks = page.evaluate(LEAKS)
            assert leaks == {"images": [], "links": [], "katex": 0}, (where, leaks)
            text = page.inner_text("body").replace("\u2060", "")  # the word joiner that stops autolinks
            assert "upload:hostile.yaml" in text or path in ("market", "benchmark"), f"{where}: not the upload"
            if path in QUOTES:
                assert PAYLOAD in text, f"{where}: the scenario's words are not shown as written"
            if path == "routes":
                assert TAG in text, "routes: the device's tag is not shown as written"
            assert requests == [], f"{where} requested outside hosts: {sorted(set(requests))}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "hostile-report.png"), full_page=True)
    finally:
        page.close()
