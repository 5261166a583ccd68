"""A real dashboard server and Debian's headless Chromium, shared by the browser tests and the
first-paint benchmark (tests/perf/bench_dashboard_paint.py). Not a test module.

`start_server()` runs `streamlit run dashboard/app.py` exactly as `artcost dashboard` does, on a
free port; `launch()` opens Chromium through Playwright (never `playwright install`);
`paint_times(page, url)` is the clock both use: seconds from `goto` to the headline's text and to
the first chart drawn (a plotly SVG, or the inline SVG of the key chart).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

try:  # how the dashboard is served (`artcost dashboard` runs the same command line)
    from artcost.dashboard import server as dashboard_cli
except ImportError:  # before the CLI moved to src/artcost/cli/
    from artcost.dashboard import cli as dashboard_cli

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ARTCOST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
# A chart counts as drawn when plotly has drawn its SVG, or when a chart drawn as plain SVG (an <img> marked
# data-artcost-chart, see dashboard/ui.py svg_chart) has loaded and has a size.
CHART_DRAWN = ("document.querySelector('.js-plotly-plot .main-svg') || "
               "[...document.querySelectorAll('img[data-artcost-chart]')].some(i => i.complete && i.naturalWidth > 0)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def start_server(data_dir: Path, log: Path) -> Iterator[dict]:
    """The dashboard server on a free port; yields {'url', 'health_s' (start to health), 'proc'}."""
    port = free_port()
    env = dashboard_cli.server_env()
    env["ARTCOST_DATA"] = str(data_dir)
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
                raise RuntimeError(f"dashboard server did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)
        yield {"url": url, "health_s": time.perf_counter() - started, "proc": proc}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def launch():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def paint_times(page, url: str, headline: str = "One usable image:", timeout_ms: int = 45_000) -> dict[str, float]:
    """Open `url` in `page`; seconds from the navigation to the headline's text and to the first chart drawn."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.get_by_text(headline, exact=False).first.wait_for(state="visible", timeout=timeout_ms)
    t_headline = time.perf_counter() - t0
    page.wait_for_function(f"() => !!({CHART_DRAWN})", timeout=timeout_ms, polling=20)
    t_chart = time.perf_counter() - t0
    return {"headline_s": t_headline, "first_chart_s": t_chart}


def open_page(browser, url: str, expect: str, width: int = 1400, height: int = 2600):
    """A page with `url` fully drawn: its text `expect` shown, the script run finished, every chart drawn."""
    # tall enough for a whole page: Streamlit scrolls inside its own container, so a
    # full-page screenshot only shows the viewport
    page = browser.new_page(viewport={"width": width, "height": height})
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
