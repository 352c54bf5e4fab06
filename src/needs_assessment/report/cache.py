"""Chapter cache: reuse a chapter's executed notebook, tables and results from the last
published report when nothing it depends on has changed.

A chapter's key hashes its notebook, the package's code and templates, the config
sections it reads, and the build fingerprints of the processed tables it reads (see
:mod:`needs_assessment.chapters.registry`). The keys are kept in ``run_manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from needs_assessment.chapters.registry import SPECS, chapter_notebook, inputs
from needs_assessment.config import AssessmentConfig
from needs_assessment.manifest import files_hash, path_hash
from needs_assessment.paths import from_root
from needs_assessment.prepare import stamp

PACKAGE = Path(__file__).parents[1]
CODE = {".py", ".j2", ".css", ".json"}


def code_hash(key: str) -> str:
    """The package's modules and templates, less other chapters' folders.

    A change in shared code (statistics, loaders, templates) re-runs every chapter; a
    change in one chapter's folder re-runs only that chapter (and the summary).
    """
    others = {other for other in SPECS if other != key}
    return files_hash(
        path
        for path, parts in _code_files()
        if not (len(parts) > 2 and parts[0] == "chapters" and parts[1] in others)
    )


def _code_files() -> list[tuple[Path, tuple[str, ...]]]:
    """The package's code files, each with its path parts inside the package."""
    return [
        (p, p.relative_to(PACKAGE).parts)
        for p in PACKAGE.rglob("*")
        if p.suffix in CODE and p.is_file()
    ]


def wording_hash(config: AssessmentConfig) -> str | None:
    """The assessment's wording overrides (a changed template re-runs the chapters)."""
    if config.report.wording is None:
        return None
    folder = from_root(config.report.wording)
    return files_hash(sorted(p for p in folder.rglob("*") if p.is_file()))


#: The tables a chapter on the force extract also reads for its read-with-care notice
#: (``Chapter.start``: the extract's yearly totals against the published force counts).
THIN_NOTICE_TABLES = ("force_offence_categories", "lsoa_lookup")


def read_tables(key: str) -> list[str]:
    """The processed tables chapter ``key`` reads: its build's, and the notice's."""
    names = list(inputs(key))
    if "force_extract" in names:
        names += [t for t in THIN_NOTICE_TABLES if t not in names]
    return names


def chapter_key(key: str, config: AssessmentConfig, upstream: dict[str, str] | None = None) -> str:
    spec = SPECS[key]
    settings = config.model_dump(mode="json")
    built = stamp(config)
    parts = {
        "notebook": path_hash(chapter_notebook(key)),
        "code": code_hash(key),
        "config": {name: settings.get(name) for name in spec.config},
        "tables": {name: built.get(name) for name in read_tables(key)},
        "wording": wording_hash(config),
    }
    if spec.uses_results:  # built from the other chapters' results
        parts["upstream"] = dict(sorted((upstream or {}).items()))
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def page_key(config: AssessmentConfig, keys: dict[str, str], *, pdf: bool = True) -> str:
    """The page depends on every chapter, the whole config and the rendering code (and
    on whether a PDF was printed: a page published without one is not reused for a run
    that wants it)."""
    parts = {
        "chapters": dict(sorted(keys.items())),
        "config": config.model_dump(mode="json"),
        "code": files_hash(path for path, _ in _code_files()),
    }
    if not pdf:
        parts["pdf"] = False
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


PAGE_FILES = ("assessment.html", "assessment.pdf", "tables.xlsx", "results.json")


def reuse_page(key: str, report: Path | None, staging: Path) -> bool:
    """Copy the last report's page, PDF, workbook and results when nothing changed."""
    if report is None or previous_keys(report).get("_page") != key:
        return False
    present = [name for name in PAGE_FILES if (report / name).exists()]
    if "assessment.html" not in present or "results.json" not in present:
        return False
    for name in present:
        shutil.copy2(report / name, staging / name)
    return True


def previous_keys(report: Path | None) -> dict[str, str]:
    """Chapter keys recorded by the last published run (empty if there is none)."""
    if report is None or not (report / "run_manifest.json").exists():
        return {}
    chapters = json.loads((report / "run_manifest.json").read_text()).get("chapters", {})
    return {key: value["cache_key"] for key, value in chapters.items()}


def reuse(key: str, report: Path, staging: Path) -> bool:
    """Copy a chapter's outputs from the last report into staging; False if any is missing."""
    notebook = report / "notebooks" / chapter_notebook(key).name
    index = report / "results" / "tables" / f"{key}.json"
    result = report / "results" / f"{key}.json"
    if not notebook.exists() or not result.exists():
        return False
    tables = json.loads(index.read_text()) if index.exists() else []
    sources = [report / "tables" / f"{t['name']}.csv" for t in tables]
    if not all(path.exists() for path in sources):
        return False
    shutil.copy2(notebook, staging / "notebooks" / notebook.name)
    shutil.copy2(result, staging / "results" / result.name)
    if index.exists():
        (staging / "results" / "tables").mkdir(exist_ok=True)
        shutil.copy2(index, staging / "results" / "tables" / index.name)
    for path in sources:
        shutil.copy2(path, staging / "tables" / path.name)
    return True
