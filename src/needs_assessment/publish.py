"""Published files beside the page: results.json, tables.xlsx and the PDF."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--no-pdf-header-footer",
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
    for path in sorted((folder / "tables").glob("_index_*.json")):
        entries.extend(json.loads(path.read_text(encoding="utf-8")))
    return entries


def write_workbook(folder: Path) -> Path:
    """``tables.xlsx``: a contents sheet, then one sheet per published CSV."""
    entries = table_index(folder)
    path = folder / "tables.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        contents = pd.DataFrame(
            [{"sheet": e["name"][:31], "table": e["caption"], "chapter": e["chapter"]} for e in entries]
        )
        contents.to_excel(writer, sheet_name="Contents", index=False)
        for entry in entries:
            frame = pd.read_csv(folder / "tables" / f"{entry['name']}.csv")
            frame.to_excel(writer, sheet_name=entry["name"][:31], index=False)
    return path


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
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium did not write {pdf_path}")
    return True
