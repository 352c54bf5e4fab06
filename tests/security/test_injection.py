"""Injection strings in every text field of a config reach the page, the tables, the workbook
and the PDF as inert text: no live tag or attribute, no formula, no file content."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import yaml

from needs_assessment.paths import DEFAULT_CONFIG, ROOT
from needs_assessment.report.publish import FORMULA_START, NUMBER, find_chromium
from needs_assessment.report.render import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.e2e
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "</script><script>alert(2)</script>"
LINK = "[x](javascript:alert(3))"
FRAME = '<iframe src="file:///etc/passwd"></iframe>'
FORMULA = '=HYPERLINK("http://evil.invalid","x")'
INJECTIONS = (IMG, SCRIPT, LINK, FRAME, FORMULA)
ALL = " ".join(INJECTIONS)
#: Elements that would load, run or submit something; none may come from the config.
ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "base", "form", "link", "meta"}
ALLOWED_META = {"charset", "viewport", "description", "content-security-policy", "referrer"}


def injected_settings(folder: Path) -> dict:
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    settings["title"] = f"Assessment {ALL}"
    area = settings["area"]
    area["display_name"] = f"Area {ALL}"
    codes = list(area["districts"])
    names = [FORMULA, *(f"{text} d{i}" for i, text in enumerate(INJECTIONS))]
    area["districts"] = dict(zip(codes, names, strict=False))
    area["recording_breaks"][0]["note"] = f"Recording note {ALL}"
    notes = folder / "notes.md"
    notes.write_text("Analyst notes\n\n" + "\n\n".join(INJECTIONS) + "\n", encoding="utf-8")
    settings["report"]["analyst_notes"] = str(notes)
    settings["report"]["chapters"] = ["summary", "trends"]
    return settings


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """One run of a summary-and-trends config with every injection string in every field."""
    from needs_assessment.report.run import run

    folder = tmp_path_factory.mktemp("injection")
    config = folder / "injected.yaml"
    config.write_text(yaml.safe_dump(injected_settings(folder)), encoding="utf-8")
    return run(config, reports_dir=folder / "reports")


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the page's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def page(report) -> Elements:
    parsed = Elements()
    parsed.feed((report / "assessment.html").read_text(encoding="utf-8"))
    return parsed


def test_injections_show_as_text(page):
    text = " ".join(page.text)
    for injection in (IMG, "</script><script>", LINK, FRAME, FORMULA):
        assert injection in text, injection
    assert "Analyst notes" in text and "Recording note" in text


def test_no_live_tag_or_attribute(page):
    assert not [(tag, attrs) for tag, attrs in page.tags if tag in ACTIVE_TAGS - {"meta"}]
    metas = [attrs for tag, attrs in page.tags if tag == "meta"]
    assert all(_meta_kind(attrs) in ALLOWED_META for attrs in metas)
    handlers = [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    assert not handlers
    sources = [attrs.get("src", "") for tag, attrs in page.tags if tag == "img"]
    assert sources and all(src.startswith("data:image/png;base64,") for src in sources)
    links = [attrs.get("href", "") for tag, attrs in page.tags if tag == "a"]
    assert links and all(href.startswith("#") for href in links)
    assert not [attrs for _, attrs in page.tags if "srcdoc" in attrs or "formaction" in attrs]


def _meta_kind(attrs: dict[str, str]) -> str:
    return ("charset" if "charset" in attrs else attrs.get("name") or attrs["http-equiv"]).lower()


def test_the_page_carries_the_policy(page):
    policies = [
        attrs["content"]
        for tag, attrs in page.tags
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "content-security-policy"
    ]
    assert policies == [CONTENT_SECURITY_POLICY]
    assert "default-src 'none'" in policies[0] and "script-src" not in policies[0]


def _formula_like(value) -> bool:
    text = isinstance(value, str)
    return text and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value)


def test_csv_cells_are_neutralised(report):
    cells = [
        cell
        for path in sorted((report / "tables").glob("*.csv"))
        for row in csv.reader(path.open(newline="", encoding="utf-8"))
        for cell in row
    ]
    assert not [cell for cell in cells if _formula_like(cell)]
    assert "'" + FORMULA in cells  # the district named as a formula, neutralised


def test_workbook_cells_are_neutralised(report):
    book = openpyxl.load_workbook(report / "tables.xlsx")
    values = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in values if c.data_type == "f" or _formula_like(c.value)]
    assert "'" + FORMULA in {c.value for c in values}
    assert any(isinstance(c.value, (int, float)) for c in values)  # numbers stay numbers


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed")
def test_the_pdf_holds_no_file_content(report):
    text = subprocess.run(
        ["pdftotext", str(report / "assessment.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Analyst notes" in text  # the page was printed
    assert "root:" not in text and "/bin/bash" not in text and "nologin" not in text


@pytest.mark.browser
@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed")
def test_in_a_browser_no_script_runs_and_no_request_leaves(report):
    from playwright.sync_api import sync_playwright

    page_url = (report / "assessment.html").resolve().as_uri()
    requests, dialogs, errors = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page()  # script enabled, as a reader's browser has it
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("request", lambda r: None if r.url in (page_url,) else requests.append(r.url))
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url == page_url else route.abort(),
            )
            page.goto(page_url, wait_until="load")
            page.wait_for_timeout(500)
            scripts = page.evaluate("document.scripts.length")
            frames = len(page.frames)
            broken = page.evaluate(
                "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length"
            )
        finally:
            browser.close()
    assert not dialogs and not errors
    assert scripts == 0 and frames == 1
    assert [url for url in requests if not url.startswith("data:")] == []
    assert broken == 0  # the figures still render under the policy


def test_published_artefacts_carry_no_project_path(report):
    root = str(ROOT)
    assert root not in (report / "run_manifest.json").read_text(encoding="utf-8")
    for notebook in (report / "notebooks").glob("*.ipynb"):
        record = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["papermill"]
        assert record["input_path"] == f"notebooks/{notebook.name}"
        assert record["output_path"] == f"notebooks/{notebook.name}"
        assert root not in json.dumps(record["parameters"])
