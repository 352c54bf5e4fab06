"""The published page in a real browser: offline, no console errors, accessible (axe-core)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from needs_assessment.report.publish import CHROMIUM_FLAGS, find_chromium

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (.ci/run installs the Debian package)"
)


@pytest.fixture(scope="module")
def browser_page(published, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    requests, console_errors = [], []
    flags = [f for f in CHROMIUM_FLAGS if f not in ("--headless", "--no-pdf-header-footer")]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))

        def refuse_network(route):
            if not route.request.url.startswith(("file://", "data:")):
                requests.append(route.request.url)
                return route.abort()
            return route.continue_()

        page.route("**/*", refuse_network)
        page.goto((published / "assessment.html").as_uri(), wait_until="load")
        shot = tmp_path_factory.mktemp("shots") / "first-screen.png"
        page.screenshot(path=str(shot))
        yield page, requests, console_errors, shot
        browser.close()


@needs_chromium
def test_no_network_request_and_no_console_error(browser_page):
    _, requests, console_errors, shot = browser_page
    assert requests == []
    assert console_errors == []
    assert shot.stat().st_size > 10_000


@needs_chromium
def test_axe_finds_no_serious_or_critical_violation(browser_page):
    from axe_playwright_python.sync_playwright import Axe

    page = browser_page[0]
    results = Axe().run(page)
    violations = results.response["violations"]
    severe = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert severe == [], severe
    assert results.response["passes"]


@needs_chromium
def test_headings_in_order_and_figures_described(browser_page):
    page = browser_page[0]
    levels = [
        int(tag[1])
        for tag in page.eval_on_selector_all(
            "h1, h2, h3, h4, h5, h6", "els => els.map(e => e.tagName.toLowerCase())"
        )
    ]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    alts = page.eval_on_selector_all("img", "els => els.map(e => e.getAttribute('alt') || '')")
    assert alts and all(len(alt) >= 20 for alt in alts)
    captions = page.eval_on_selector_all(
        "table", "els => els.map(e => !!e.querySelector('caption, th'))"
    )
    assert captions and all(captions)


@needs_chromium
def test_pdf_is_printed_with_page_numbers(published):
    pdf = published / "assessment.pdf"
    assert pdf.exists() and pdf.stat().st_size > 20_000
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) >= 2
    assert re.search(r"Page 2 of \d+", text)
