"""The provenance appendix and the run manifest: what the assessment rests on."""

from __future__ import annotations

import importlib.metadata
import json
import platform
import subprocess
from pathlib import Path

import yaml

from . import __version__
from .config import AssessmentConfig
from .manifest import load_manifest
from .paths import ROOT, from_root

PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "geopandas", "matplotlib", "seaborn",
            "papermill", "nbconvert", "pandera", "duckdb", "pydantic")


def git_commit() -> str | None:
    """The project's current commit (with '-dirty' when the work tree has changes)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
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


def appendix_markdown(config: AssessmentConfig) -> str:
    """The appendix: sources with licences and attribution, config, versions and commit."""
    manifest = load_manifest(from_root(config.data.manifest))
    rows = "\n".join(
        f"| {s['title']}{' (derived)' if s.get('derived') else ''} | {s['publisher']} | "
        f"{s['years']} | {s['licence']} |"
        for s in manifest["sources"]
    )
    settings = yaml.safe_dump(config.model_dump(mode="json", exclude={"name"}), sort_keys=False)
    packages = ", ".join(f"{k} {v}" for k, v in versions().items())
    return f"""## Appendix: data, methods and provenance

### Data sources

| Source | Publisher | Coverage | Licence |
|---|---|---|---|
{rows}

{manifest['attribution']}

Each file's origin and sha256 checksum is listed in `data/raw/manifest.yaml`; the run
manifest (`run_manifest.json`) records the checksums this run used.

### Configuration

Config file `{config.name}.yaml`:

```yaml
{settings}```

### Software

{packages}. Commit: `{git_commit() or 'not a git checkout'}`.
"""


def run_manifest(config: AssessmentConfig, config_path: Path, timings: dict[str, float],
                 inputs: dict[str, str]) -> dict:
    """Everything needed to reproduce the run."""
    return {
        "config_name": config.name,
        "config_file": str(config_path),
        "config": json.loads(config.model_dump_json()),
        "data_sha256": inputs,
        "versions": versions(),
        "git_commit": git_commit(),
        "timings_seconds": {k: round(v, 2) for k, v in timings.items()},
    }
