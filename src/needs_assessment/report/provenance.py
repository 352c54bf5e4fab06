"""The provenance appendix and the run manifest: what the assessment rests on."""

from __future__ import annotations

import importlib.metadata
import json
import platform
import subprocess
from pathlib import Path

import yaml
from markupsafe import Markup

from needs_assessment import __version__
from needs_assessment.config import AssessmentConfig
from needs_assessment.definitions import load_definitions
from needs_assessment.manifest import load_manifest
from needs_assessment.paths import ROOT, from_root
from needs_assessment.presentation.text import Wording
from needs_assessment.report.chapter import wording_folder
from needs_assessment.tiers import SYNTHETIC_LABEL

PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "geopandas",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbconvert",
    "pandera",
    "duckdb",
    "pydantic",
)


def git_commit() -> str | None:
    """The project's current commit (with '-dirty' when the work tree has changes)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("-dirty" if dirty else "")


def versions() -> dict[str, str]:
    found = {"needs-assessment": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def appendix_markdown(config: AssessmentConfig, results: dict | None = None) -> str:
    """The appendix (wording in ``report/text/appendix.md.j2``): sources with licences and
    attribution, which data each chapter rests on, the definition, methods, config,
    versions and commit."""
    words = Wording(config.thresholds.confidence_level, wording_folder(config))
    return words.markdown("appendix/appendix", **appendix_context(config, results or {}))


def appendix_context(config: AssessmentConfig, results: dict) -> dict:
    """The facts the appendix states; every value is escaped by the template engine."""
    manifest = load_manifest(from_root(config.data.manifest))
    definitions = load_definitions(config.definitions)
    settings = yaml.safe_dump(
        published_settings(config.model_dump(mode="json", exclude={"name"})), sort_keys=False
    )
    return {
        "sources": manifest["sources"],
        "attribution": manifest["attribution"],
        "chapters": chapter_tiers(results),
        "synthetic": config.data.force_extract_is_synthetic,
        "synthetic_label": SYNTHETIC_LABEL,
        "definitions_file": relative_to_root(from_root(config.definitions)),
        "categories": list(definitions.categories.values()),
        "suppress_up_to": config.thresholds.suppress_counts_up_to,
        "min_events": config.thresholds.min_events_for_rate,
        "config_file": f"{config.name}.yaml",
        # A code block shows its text literally; a backtick could end the block early.
        "settings": Markup(settings.rstrip().replace("`", "'")),
        "packages": [f"{name} {version}" for name, version in versions().items()],
        "commit": git_commit() or "not a git checkout",
        "costs": results.get("costs"),
    }


def published_settings(value):
    """The config as published: any absolute path made relative to the project root."""
    if isinstance(value, dict):
        return {key: published_settings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [published_settings(item) for item in value]
    if isinstance(value, str) and Path(value).is_absolute():
        return relative_to_root(Path(value))
    return value


def chapter_tiers(results: dict) -> list[dict]:
    """Each chapter that recorded its sources, with the tiers it rests on."""
    chapters = []
    for chapter, values in results.items():
        tiers = values.get("sources") or values.get("tiers") or []
        if isinstance(values.get("source"), str):
            tiers = [values["source"], *tiers]
        if tiers:
            chapters.append({"name": chapter.replace("_", " ").capitalize(), "tiers": tiers})
    return chapters


def relative_to_root(path: Path) -> str:
    """A path as published: relative to the project root when inside it, else its name."""
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def run_manifest(
    config: AssessmentConfig, config_path: Path, timings: dict[str, float], inputs: dict[str, str]
) -> dict:
    """Everything needed to reproduce the run."""
    return {
        "config_name": config.name,
        "config_file": relative_to_root(config_path),
        "config": json.loads(config.model_dump_json()),
        "data_sha256": inputs,
        "versions": versions(),
        "git_commit": git_commit(),
        "timings_seconds": {k: round(v, 2) for k, v in timings.items()},
    }
