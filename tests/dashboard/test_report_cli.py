"""`artcost report` (issue #19): the HTML report and its PDF from the command line.

The PDF is printed by headless Chromium and read back with poppler: its pages rendered to PNG
(`pdftoppm`, kept under test-output/report-pages/ for a person to look at), its text extracted
(`pdftotext`), and every chart's region found by its caption's position on the page and checked for
colour: a chart that printed blank (axes at most, no bars, lines or cells) fails.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from artcost.cli import main
from artcost.dashboard.report import find_chromium

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "scenarios" / "seed-2022-hobbyist-3060ti.yaml"
PAGES_OUT = REPO / "test-output" / "report-pages"
DPI = 50  # a PDF point is 1/72 inch: pixel = point * DPI / 72

needs_pdf = pytest.mark.skipif(find_chromium() is None or not shutil.which("pdftoppm") or not shutil.which("pdftotext"),
                               reason="needs Chromium (apt-get install chromium) and poppler-utils")


class Captions(HTMLParser):
    """Every figure's caption text in the report, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.captions: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag == "figcaption":
            self._in = True
            self.captions.append("")

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.captions[-1] += data


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    if find_chromium() is None:
        pytest.skip("needs Chromium (apt-get install chromium)")
    out = tmp_path_factory.mktemp("report")
    html, pdf, sheet = out / "seed.html", out / "seed.pdf", out / "presenter.html"
    rc = main(["report", str(SEED), "-o", str(html), "--pdf", str(pdf), "--presenter", str(sheet), "--currency", "USD"])
    assert rc == 0
    return {"html": html, "pdf": pdf, "presenter": sheet, "dir": out}


def page_words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes (points): [(x0, y0, x1, y1, text)] per page."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True,
                         timeout=60).stdout
    pages = []
    for page in re.findall(r"<page [^>]*>(.*?)</page>", xml, flags=re.S):
        pages.append([(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in
                      re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)])
    return pages


def pages_text(pdf: Path) -> list[str]:
    """Each page's text, one string a page (pdftotext separates pages with a form feed)."""
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout.split("\f")


def find_phrase(words, phrase: list[str]) -> list[tuple[float, float]]:
    """Where a run of words starts on one page: [(x0, y0)] in points."""
    n = len(phrase)
    texts = [w[4] for w in words]
    return [(words[i][0], words[i][1]) for i in range(len(words) - n + 1) if texts[i:i + n] == phrase]


def coloured_share(png: Path, box: tuple[int, int, int, int]) -> float:
    """The share of pixels in `box` (left, top, right, bottom; pixels) that are clearly coloured (not white,
    grey or black): a chart's bars, lines, bands or cells."""
    import numpy as np
    from PIL import Image

    with Image.open(png) as im:
        left, top, right, bottom = box
        rgb = np.asarray(im.convert("RGB").crop((left, top, min(right, im.width), min(bottom, im.height))), dtype=int)
    spread = rgb.max(axis=-1) - rgb.min(axis=-1)
    return float((spread > 40).mean()) if spread.size else 0.0


@needs_pdf
def test_pdf_pages_text_and_charts(made):
    pdf = made["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 8 <= pages <= 30, pages
    assert "A4" in info or "595" in info  # printed on A4 (595 x 842 points)

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60).stdout
    flat = " ".join(text.split())
    for heading in ("The answer", "Findings", "Every way to get the image", "Cost of one job, item by item",
                    "How sure: uncertainty", "Where AI and the artist break even", "What it does to artists: the market",
                    "Appendix: the tables and sources behind the report", "Appendix A: every way, in a table",
                    "Appendix B: the cost table", "Appendix C: benchmark provenance", "Where each figure comes from",
                    "Method"):
        assert heading in flat, heading
    # the short report comes first: the appendix starts on a page of its own, after the charts
    first_appendix = next(i for i, page in enumerate(pages_text(pdf)) if "Appendix: the tables and sources" in page)
    assert 4 <= first_appendix + 1 <= 14 and first_appendix + 1 < pages
    assert "One usable image:" in flat and "(90%:" in flat
    assert "Federal Reserve G.5A annual average 2022" in flat  # a source quoted in full
    assert str(REPO) not in flat

    # render every page and check each chart's region (just above its caption) has colour in it
    PAGES_OUT.mkdir(parents=True, exist_ok=True)
    for old in PAGES_OUT.glob("page-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(PAGES_OUT / "page")], check=True, timeout=120)
    pngs = sorted(PAGES_OUT.glob("page-*.png"))
    assert len(pngs) == pages
    parser = Captions()
    parser.feed(made["html"].read_text(encoding="utf-8"))
    captions = [c.split() for c in parser.captions]
    assert len(captions) >= 10  # key chart, routes, waterfall, delivery, histogram, tornado, heatmap, 4 market charts
    words = page_words(pdf)
    starts = {tuple(c[:5]) for c in captions}
    found: list[tuple[int, float, float, str]] = []
    for start in starts:
        for i, page in enumerate(words):
            found += [(i, x, y, " ".join(start)) for x, y in find_phrase(page, list(start))]
    assert len(found) == len(captions), (len(found), len(captions))
    scale = DPI / 72
    for i, x, y, start in found:
        # the 190 pt above a caption: its chart (printed whole above it, 145 to 360 pt tall) and at most the
        # text above a short one (text is black or grey: it adds no colour)
        top = max(0.0, y - 190)
        box = (int(30 * scale), int(top * scale), int(565 * scale), int(y * scale))
        share = coloured_share(pngs[i], box)
        assert share > 0.004, f"page {i + 1}: the chart above '{start}...' looks blank ({share:.2%} coloured)"


def test_html_stands_alone(made):
    """No file or page the reader lacks; nothing fetched from outside (plotly.js inline, no links to load)."""
    html = made["html"].read_text(encoding="utf-8")
    assert "<script src" not in html and '<link rel="stylesheet"' not in html
    assert str(REPO) not in html, "no path of the machine that wrote the report"
    assert "Overview page" not in html and "the Uncertainty page" not in html


def test_quoted_sources_cite_no_local_notes(made):
    """The data tables the routes section quotes (GPU offers, API prices, published runs) cite no project notes."""
    text = re.sub(r"<script.*?</script>", "", made["html"].read_text(encoding="utf-8"), flags=re.S)
    assert "shared/" not in text


def test_presenter_sheet(made):
    """The presenter sheet: the headline, the routes chart (plain SVG, no script) and the findings."""
    sheet = made["presenter"].read_text(encoding="utf-8")
    assert "<script" not in sheet
    assert 'data-artcost-chart="routes"' in sheet or 'data-artcost-chart="key"' in sheet
    assert "One usable image:" in sheet and sheet.count("<li>") >= 4


@needs_pdf
def test_presenter_sheet_prints_on_one_page(made):
    from artcost.dashboard.report import write_pdf

    pdf = write_pdf(made["presenter"], made["dir"] / "presenter.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60).stdout
    assert re.search(r"Pages:\s+1\n", info), info
    PAGES_OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(pdf), str(PAGES_OUT / "presenter")],
                   check=True, timeout=60)
    assert coloured_share(PAGES_OUT / "presenter.png", (0, 0, 10_000, 10_000)) > 0.004  # its chart printed


def test_json_names_the_files(tmp_path, capsys):
    import json

    assert main(["report", str(SEED), "-o", str(tmp_path / "r.html"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["files"] == {"html": str(tmp_path / "r.html"), "presenter": None, "pdf": None}
    assert out["sentence"].startswith("One usable image:") and out["headline"]["draws"] == 20_000
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count(out["sentence"].split(":")[0]) >= 1


def test_missing_chromium_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ARTCOST_CHROMIUM", str(tmp_path / "no-such-chromium"))
    rc = main(["report", str(SEED), "-o", str(tmp_path / "r.html"), "--pdf", str(tmp_path / "r.pdf")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "--pdf" in err[0] and "Chromium" in err[0], err
    assert not (tmp_path / "r.html").exists()  # refused before any work


def test_bad_file_and_currency_are_one_line(tmp_path, capsys):
    assert main(["report", str(tmp_path / "none.yaml"), "-o", str(tmp_path / "r.html")]) == 2
    assert main(["report", str(SEED), "-o", str(tmp_path / "r.html"), "--currency", "XYZ"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "none.yaml" in err[0] and "--currency" in err[1], err
    assert not (tmp_path / "r.html").exists()


@needs_pdf
def test_pdf_reads_on_paper(made):
    """What the reviewer read in the printed report (USD): page numbers, no link word 'more' that goes nowhere,
    no field name split over two lines, the break-even in the currency asked for."""
    pages = [subprocess.run(["pdftotext", "-layout", "-f", str(i + 1), "-l", str(i + 1), str(made["pdf"]), "-"],
                            capture_output=True, text=True, check=True, timeout=60).stdout
             for i in range(len(page_words(made["pdf"])))]
    for i, page in enumerate(pages):
        assert f"page {i + 1} of {len(pages)}" in page, f"page {i + 1} has no page number"
    text = "\n".join(pages)
    dead = re.search(r"[.)]\s+more(\s|$)", " ".join(text.split()))  # a finding's sentence, then its link word
    assert not dead, "a finding ends in a dead 'more'"
    assert "(see “Where AI and the artist break even”)" in " ".join(text.split())
    assert not re.search(r"\b(?:job|generation|compute|human|artist|market)\.[a-z_]+", text), \
        re.search(r"\b(?:job|generation|compute|human|artist|market)\.[a-z_]+", text).group(0)
    flat = " ".join(text.split())
    breakeven = flat.split("Where AI and the artist break even")[-1].split("What it does to artists")[0]
    assert "USD/image" in breakeven and "CNY" not in breakeven, breakeven[:400]


@needs_pdf
def test_the_seeds_chinese_words_print(made):
    """The seed quotes '模型泄露'; without a CJK font on the printing machine the PDF showed boxes (issue #28).
    `make browser-deps` installs one; pdftotext reads the glyphs back only where a real font drew them."""
    if not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip():
        pytest.skip("no CJK font on this machine (make browser-deps installs fonts-wqy-zenhei)")
    assert "模型泄露" in made["html"].read_text(encoding="utf-8")
    text = subprocess.run(["pdftotext", str(made["pdf"]), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    assert "模型泄露" in "".join(text.split())  # the line may break inside the words
    fonts = subprocess.run(["pdffonts", str(made["pdf"])], capture_output=True, text=True, timeout=60).stdout
    assert any("yes" in line.split()[-5:-2] for line in fonts.splitlines()[2:])  # fonts embedded: prints anywhere
