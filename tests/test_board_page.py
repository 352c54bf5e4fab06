"""The page as a Board reads it: measured in a real browser at desktop and phone width.

Budgets from issue 16: no sideways scroll, no word or number broken in a table, body and
summary word counts, body table rows, figure text at least 10 px at 1280 px, and a PDF
under 25 pages with no empty page and no heading alone at a page foot.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from needs_assessment.report.publish import CHROMIUM_FLAGS, find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
WIDTHS = (1280, 390)
SHOTS = Path("/tmp/board-shots")
BODY_WORDS = 5_500
SUMMARY_WORDS = 350
BODY_TABLE_ROWS = 12
MIN_FIGURE_TEXT_PX = 10.0
PDF_PAGES = 25

#: Measures the page: sections by chapter heading, words shown (collapsed blocks and the
#: appendix apart), table rows, words broken across lines in table cells, figure text.
MEASURE = r"""
() => {
  const main = document.querySelector('main');
  const heads = [...main.querySelectorAll('h2[id^="chapter-"]')];
  const appendix = heads.findIndex(h => h.id.startsWith('chapter-appendix'));
  const body = appendix < 0 ? heads : heads.slice(0, appendix);
  const after = (a, b) => !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
  const section = node => {
    let found = -1;
    heads.forEach((h, i) => { if (h === node || after(h, node)) found = i; });
    return found;
  };
  const shown = el => !el.closest('details:not([open]) > :not(summary)')
    && el.checkVisibility({visibilityProperty: true});
  const words = text => (text.match(/\S+/g) || []).filter(w => /[\p{L}\p{N}]/u.test(w)).length;
  const count = heads.map(() => ({words: 0, table_words: 0}));
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const i = section(node);
    if (i < 0 || !shown(el)) continue;
    const n = words(node.textContent);
    count[i].words += n;
    if (el.closest('table')) count[i].table_words += n;
  }
  const tables = [...main.querySelectorAll('table')].filter(t => shown(t)).map(t => ({
    section: section(t),
    caption: (t.querySelector('caption') || {}).textContent || '',
    rows: t.querySelectorAll('tbody tr').length,
    headers: [...t.querySelectorAll('thead th')].map(th => th.textContent.trim()),
  }));
  const broken = [];
  for (const cell of main.querySelectorAll('td, th')) {
    if (!shown(cell)) continue;
    const text = cell.firstChild && cell.textContent;
    const cw = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = cw.nextNode(); node; node = cw.nextNode()) {
      for (const m of node.textContent.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  const figures = [...main.querySelectorAll('figure img')].map(img => ({
    section: section(img),
    caption: (img.closest('figure').querySelector('figcaption') || {}).textContent || '',
    natural: img.naturalWidth,
    shown: img.getBoundingClientRect().width,
    text_pt: parseFloat(img.dataset.textPt || 'NaN'),
    dpi: parseFloat(img.dataset.dpi || 'NaN'),
    size: img.dataset.size || '',
  }));
  return {
    titles: heads.map(h => h.textContent.trim()),
    body_sections: body.length,
    count, tables, broken, figures,
    scroll_width: document.documentElement.scrollWidth,
    client_width: document.documentElement.clientWidth,
    height: document.documentElement.scrollHeight,
  };
}
"""


def measure(page) -> dict:
    """The page's numbers: see ``MEASURE``; adds body and summary totals."""
    found = page.evaluate(MEASURE)
    body = range(found["body_sections"])
    found["summary_words"] = found["count"][0]["words"] if found["count"] else 0
    found["summary_prose_words"] = (
        found["summary_words"] - found["count"][0]["table_words"] if found["count"] else 0
    )
    found["body_words"] = sum(found["count"][i]["words"] for i in body)
    found["body_tables"] = [t for t in found["tables"] if t["section"] in body]
    for figure in found["figures"]:
        figure["text_px"] = figure["text_pt"] * figure["dpi"] / 72 * figure["shown"]
        figure["text_px"] /= figure["natural"] or 1
    return found


def open_page(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(path.as_uri(), wait_until="load")
    return page, errors


def summary_shot(page, path: Path) -> Path:
    """A screenshot of the summary section (its heading down to the next chapter's)."""
    box = page.evaluate(
        """() => {
          const heads = [...document.querySelectorAll('main h2[id^="chapter-"]')];
          const top = heads[0].getBoundingClientRect().top + window.scrollY;
          const end = heads[1] ? heads[1].getBoundingClientRect().top + window.scrollY
                               : document.documentElement.scrollHeight;
          return {x: 0, y: top, width: document.documentElement.clientWidth, height: end - top};
        }"""
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, clip=box)
    return path


@pytest.fixture(scope="module")
def board(published):
    """Each width's page, its measurements and console errors, plus summary screenshots."""
    from playwright.sync_api import sync_playwright

    flags = [f for f in CHROMIUM_FLAGS if f not in ("--headless", "--no-pdf-header-footer")]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        pages = {}
        for width in WIDTHS:
            page, errors = open_page(browser, published / "assessment.html", width)
            summary_shot(page, SHOTS / f"summary-{width}.png")
            pages[width] = {"page": page, "errors": errors, "found": measure(page)}
        yield pages
        browser.close()


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_no_sideways_scroll(board, width):
    found = board[width]["found"]
    assert found["scroll_width"] <= found["client_width"], found["scroll_width"]
    assert board[width]["errors"] == []


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_no_word_or_number_broken_in_a_table(board, width):
    found = board[width]["found"]
    assert found["tables"], "the page shows no table"
    assert found["broken"] == []


@needs_chromium
def test_body_tables_are_short(board):
    long = [
        (t["caption"][:60], t["rows"])
        for t in board[1280]["found"]["body_tables"]
        if t["rows"] > BODY_TABLE_ROWS
    ]
    assert long == []


@needs_chromium
def test_table_headers_are_human(board):
    snake = [
        (t["caption"][:50], h)
        for t in board[1280]["found"]["tables"]
        for h in t["headers"]
        if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)
    ]
    assert snake == []


@needs_chromium
def test_every_figure_is_drawn_to_a_house_size(board):
    figures = board[1280]["found"]["figures"]
    assert figures and all(f["text_pt"] > 0 and f["dpi"] > 0 for f in figures)


@needs_chromium
def test_figure_text_is_at_least_10px_at_desktop_width(board):
    small = [
        (f["caption"][:50], round(f["text_px"], 1))
        for f in board[1280]["found"]["figures"]
        if f["text_px"] < MIN_FIGURE_TEXT_PX
    ]
    assert small == []


@needs_chromium
def test_body_word_count_within_budget(board):
    assert 0 < board[1280]["found"]["body_words"] < BODY_WORDS


@needs_chromium
def test_summary_prose_fits_one_screen(board):
    """The summary's words, its dashboard table apart (the table is read at a glance)."""
    assert 0 < board[1280]["found"]["summary_prose_words"] <= SUMMARY_WORDS


@needs_chromium
@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_violation(board, width):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(board[width]["page"])
    violations = [f"{v['id']} ({v['impact']})" for v in results.response["violations"]]
    assert violations == []


@needs_chromium
def test_summary_screenshots_saved(board):
    for width in WIDTHS:
        assert (SHOTS / f"summary-{width}.png").stat().st_size > 10_000


# -- the PDF ------------------------------------------------------------------------------


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text, the page-number footer removed."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [re.sub(r"Page \d+ of \d+", "", page) for page in pages]


def pages_with_images(pdf: Path) -> set[int]:
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    return {int(line.split()[0]) for line in listing.splitlines()[2:] if line.strip()}


def headings(html_path: Path) -> set[str]:
    from html.parser import HTMLParser

    found, current = set(), []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if re.fullmatch(r"h[1-4]", tag):
                current.append("")

        def handle_data(self, data):
            if current:
                current[-1] += data

        def handle_endtag(self, tag):
            if re.fullmatch(r"h[1-4]", tag) and current:
                found.add(" ".join(current.pop().split()))

    Parser().feed(html_path.read_text(encoding="utf-8"))
    return {h for h in found if h}


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfimages") is None,
    reason="poppler-utils not installed",
)


@needs_chromium
@needs_poppler
def test_pdf_has_no_empty_page(published):
    pdf = published / "assessment.pdf"
    pages = pdf_pages(pdf)
    images = pages_with_images(pdf)
    empty = [n for n, text in enumerate(pages, 1) if not text.strip() and n not in images]
    assert pages and empty == []


@needs_chromium
@needs_poppler
def test_pdf_has_no_heading_alone_at_a_page_foot(published):
    titles = headings(published / "assessment.html")
    feet = []
    for number, text in enumerate(pdf_pages(published / "assessment.pdf")[:-1], 1):
        lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        if lines and lines[-1] in titles:
            feet.append((number, lines[-1]))
    assert feet == []


@needs_chromium
@needs_poppler
def test_pdf_is_under_25_pages(published):
    assert 2 <= len(pdf_pages(published / "assessment.pdf")) < PDF_PAGES
