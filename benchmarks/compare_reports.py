"""Compare two published reports (or two folders of them) in content, and list what differs.

What is compared: ``results.json`` and ``results/*.json``, every table CSV, each executed
notebook's cells (source, outputs, execution counts; not papermill's timings, nor the
folders in the parameters cell: the staging folder's name is random), the page HTML, the
workbook's cell values, and ``run_manifest.json`` less its timings, whether each chapter
was reused, and cache keys (those hash the code, which changes while a shared checkout is
edited). A PDF is compared by
presence only (Chromium stamps its creation time into it).

    python benchmarks/compare_reports.py REPORT_A REPORT_B
    python benchmarks/compare_reports.py --batch BATCH_A BATCH_B   # every <force>/ in both
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat


def notebook_content(path: Path) -> list[dict]:
    notebook = nbformat.read(path, as_version=4)
    return [
        {
            "source": _parameters(cell.source),
            "outputs": cell.get("outputs"),
            "count": cell.get("execution_count"),
        }
        for cell in notebook.cells
    ]


def _parameters(source: str) -> str:
    """The parameters cell without its folders: the staging folder's name is random, and
    two batches write their configs to two folders."""
    source = re.sub(r'output_dir = ".*"', 'output_dir = "*"', source)
    return re.sub(r'config_path = ".*/([^/"]+)"', r'config_path = "*/\1"', source)


def workbook_values(path: Path) -> dict[str, list]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def manifest_content(path: Path) -> dict:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("timings_seconds", None)
    for record in manifest.get("chapters", {}).values():
        record.pop("cache_key", None)
        record.pop("reused", None)  # how it was made, not what it holds
    return manifest


def _read(path: Path):
    if path.suffix == ".ipynb":
        return notebook_content(path)
    if path.suffix == ".xlsx":
        return workbook_values(path)
    if path.name == "run_manifest.json":
        return manifest_content(path)
    if path.suffix == ".pdf":
        return "present"
    return path.read_bytes()


def differences(first: Path, second: Path) -> list[str]:
    """The files present in only one report, or whose content differs."""
    names = {p.relative_to(first) for p in first.rglob("*") if p.is_file()}
    others = {p.relative_to(second) for p in second.rglob("*") if p.is_file()}
    found = [f"only in {first}: {name}" for name in sorted(names - others)]
    found += [f"only in {second}: {name}" for name in sorted(others - names)]
    for name in sorted(names & others):
        if _read(first / name) != _read(second / name):
            found.append(f"differs: {name}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--batch", action="store_true", help="compare each <force>/ in both")
    args = parser.parse_args()
    pairs = (
        [
            (args.first / name, args.second / name)
            for name in sorted(p.name for p in args.first.iterdir() if p.is_dir())
            if not name.startswith(("_", ".")) and (args.second / name).is_dir()
        ]
        if args.batch
        else [(args.first, args.second)]
    )
    failed = 0
    for first, second in pairs:
        found = differences(first, second)
        failed += bool(found)
        print(f"{first.name}: {'same' if not found else f'{len(found)} differences'}")
        for line in found:
            print(f"  {line}")
    print(f"{len(pairs) - failed} of {len(pairs)} reports the same in content")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
