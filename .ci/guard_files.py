"""Refuse files that must never be committed (run by pre-commit and `make lint`).

- a file over 5 MB outside ``data/raw/`` (executed notebooks, reports, caches);
- a file under ``data/raw/`` that ``data/raw/manifest.yaml`` does not list (no provenance);
- a force offence extract that the manifest does not mark ``synthetic: true``: a real
  extract is private to the force and stays out of the repository.

Usage: ``python .ci/guard_files.py [FILE ...]`` (no files: every tracked file).
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LIMIT_BYTES = 5 * 1024 * 1024
#: Columns that only a force offence extract has (see docs/force_extract.md).
EXTRACT_MARKERS = {"offence_reference", "home_office_code"}
NOT_DATA = {"manifest.yaml", "README.md"}


def tracked_files() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [ROOT / name for name in listing.decode().split("\0") if name]


def manifest_files(raw: Path) -> dict[str, bool]:
    """Each file the manifest lists (relative to data/raw) -> whether it is synthetic."""
    manifest = yaml.safe_load((raw / "manifest.yaml").read_text(encoding="utf-8"))
    return {
        entry["path"]: bool(source.get("synthetic", False))
        for source in manifest.get("sources", [])
        for entry in source.get("files", [])
    }


def header(path: Path) -> set[str]:
    """The first line of a CSV (plain or gzip), as a set of lower-case column names."""
    if not path.name.endswith((".csv", ".csv.gz")):
        return set()
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as handle:
            return {c.strip().strip('"').lower() for c in handle.readline().split(",")}
    except OSError:
        return set()


def problems(paths: list[Path], root: Path = ROOT) -> list[str]:
    raw = root / "data" / "raw"
    listed = manifest_files(raw)
    found = []
    for path in paths:
        if not path.is_file():
            continue
        relative = path.resolve().relative_to(root)
        inside_raw = path.resolve().is_relative_to(raw)
        if not inside_raw and path.stat().st_size > LIMIT_BYTES:
            found.append(f"{relative}: over 5 MB outside data/raw/")
        if inside_raw and path.name not in NOT_DATA:
            key = path.resolve().relative_to(raw).as_posix()
            if key not in listed:
                found.append(f"{relative}: not listed in data/raw/manifest.yaml")
            elif EXTRACT_MARKERS <= header(path) and not listed[key]:
                found.append(
                    f"{relative}: a force offence extract not marked synthetic: real "
                    "extracts are private and are never committed"
                )
    return found


def main(argv: list[str]) -> int:
    paths = [ROOT / name for name in argv] if argv else tracked_files()
    found = problems(paths)
    for line in found:
        print(f"guard: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
