"""Published files beside the page: results.json, tables.xlsx and the PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from needs_assessment.config import AssessmentConfig
from needs_assessment.methods.disclosure import LOW_EVENTS_MARKER, MARKER_SUFFIX, SUPPRESSED_MARKER

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
        contents.to_excel(writer, sheet_name="Contents", index=False)
        notes = pd.DataFrame([_notes(folder, e, config) for e in entries])
        notes.to_excel(writer, sheet_name="Notes", index=False)
        for entry in entries:
            frame = pd.read_csv(folder / "tables" / f"{entry['name']}.csv")
            frame.to_excel(writer, sheet_name=entry["name"][:31], index=False)
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
    """Print the page to PDF with headless Chromium; False when Chromium is not installed."""
    chromium = find_chromium()
    if chromium is None:
        return False
    with tempfile.TemporaryDirectory(prefix="sna-chromium-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium did not write {pdf_path}")
    return True
