"""Published files beside the page: results.json, tables.xlsx and the PDF."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pandas as pd

from needs_assessment.config import AssessmentConfig
from needs_assessment.methods.disclosure import LOW_EVENTS_MARKER, MARKER_SUFFIX, SUPPRESSED_MARKER

#: Where the printing browser thinks the page lives: a reserved name that never resolves.
PAGE_URL = "https://sna.invalid/assessment.html"
#: A text cell starting with one of these is run as a formula by a spreadsheet (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-pdf-header-footer",
)


def write_results(folder: Path) -> dict:
    """Merge ``results/<chapter>.json`` into ``results.json`` (one key per chapter)."""
    results = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((folder / "results").glob("*.json"))
    }
    (folder / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return results


def neutralise(value):
    """A text cell a spreadsheet would read as a formula, prefixed with ``'``; else unchanged.

    Numbers stay numbers, and so does text that is a plain number (``-3.5``).
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_tables(folder: Path) -> int:
    """Neutralise formula-like cells in every ``tables/*.csv``; return the cells changed.

    A file is rewritten (with the csv module's dialect, as pandas writes it) only when one
    of its cells changes, so the other files stay byte-identical.
    """
    changed = 0
    for path in sorted((folder / "tables").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        safe = [[neutralise(cell) for cell in row] for row in rows]
        count = sum(
            a != b
            for old, new in zip(rows, safe, strict=True)
            for a, b in zip(old, new, strict=True)
        )
        if count:
            with path.open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle, lineterminator="\n").writerows(safe)
            changed += count
    return changed


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with formula-like text neutralised in its cells and headers."""
    return frame.map(neutralise).rename(columns=neutralise)


def table_index(folder: Path) -> list[dict[str, str]]:
    """Every published table with its caption and chapter, in the order written."""
    entries: list[dict[str, str]] = []
    for path in sorted((folder / "results" / "tables").glob("*.json")):
        entries.extend(json.loads(path.read_text(encoding="utf-8")))
    return entries


def write_workbook(folder: Path, config: AssessmentConfig) -> Path:
    """``tables.xlsx``: a contents sheet, a notes sheet, then one sheet per published table."""
    entries = table_index(folder)
    path = folder / "tables.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        contents = pd.DataFrame(
            [
                {"sheet": e["name"][:31], "table": e["caption"], "chapter": e["chapter"]}
                for e in entries
            ]
        )
        _safe_frame(contents).to_excel(writer, sheet_name="Contents", index=False)
        notes = pd.DataFrame([_notes(folder, e, config) for e in entries])
        _safe_frame(notes).to_excel(writer, sheet_name="Notes", index=False)
        for entry in entries:
            frame = pd.read_csv(folder / "tables" / f"{entry['name']}.csv")
            _safe_frame(frame).to_excel(writer, sheet_name=entry["name"][:31], index=False)
        for sheet in writer.sheets.values():
            _fit_columns(sheet)
    return path


def _notes(folder: Path, entry: dict, config: AssessmentConfig) -> dict:
    columns = pd.read_csv(folder / "tables" / f"{entry['name']}.csv", nrows=0).columns
    suppressed = any(c.endswith(MARKER_SUFFIX) for c in columns)
    rule = (
        f"Counts from 1 to {config.thresholds.suppress_counts_up_to} suppressed "
        f"({SUPPRESSED_MARKER}), with secondary suppression; rates from fewer than "
        f"{config.thresholds.min_events_for_rate} events blanked ({LOW_EVENTS_MARKER})"
        if suppressed
        else "None needed (force-level or larger-area figures)"
    )
    return {
        "sheet": entry["name"][:31],
        "source": entry.get("source", ""),
        "coverage": entry.get("coverage", ""),
        "suppression": rule,
    }


def _fit_columns(sheet) -> None:
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 60)


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_path: Path, pdf_path: Path, *, timeout: int = 120) -> bool:
    """Print the page to PDF in headless Chromium; False when Chromium or Playwright is absent.

    The page is served to the browser from a reserved address (``https://sna.invalid/``),
    never from ``file://``, so it can reach no local file; every other request is refused
    (``data:`` images need none), and script is off. The runs are as root, where Chromium
    needs ``--no-sandbox``: the protection is this filter and the page's policy.
    """
    chromium = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return False
    if chromium is None:
        return False
    body = html_path.read_bytes()
    flags = [f for f in CHROMIUM_FLAGS if f not in ("--headless", "--no-pdf-header-footer")]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=flags)
        try:
            context = browser.new_context(java_script_enabled=False)
            context.route("**/*", lambda route: _serve_only_the_page(route, body))
            page = context.new_page()
            page.set_default_timeout(timeout * 1000)
            page.goto(PAGE_URL, wait_until="load")
            page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
        finally:
            browser.close()
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium did not write {pdf_path}")
    return True


def _serve_only_the_page(route, body: bytes) -> None:
    if route.request.url == PAGE_URL and route.request.method == "GET":
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)
    else:
        route.abort("blockedbyclient")
