"""Project paths, anchored at the project root (never the current directory)."""

from __future__ import annotations

import os
from pathlib import Path

#: The project root: the folder holding ``pyproject.toml``. ``SNA_ROOT`` overrides it.
ROOT = Path(os.environ.get("SNA_ROOT", Path(__file__).resolve().parents[2]))

CONFIG_DIR = ROOT / "config"
DEFAULT_CONFIG = CONFIG_DIR / "cambridgeshire-2021.yaml"
RAW_DIR = ROOT / "data" / "raw"
PROCESSED_DIR = ROOT / "data" / "processed"
NOTEBOOK_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"
MANIFEST = RAW_DIR / "manifest.yaml"
KERNEL_NAME = "needs-assessment"


def from_root(path: str | os.PathLike) -> Path:
    """Resolve ``path`` against the project root unless it is already absolute."""
    path = Path(path)
    return path if path.is_absolute() else ROOT / path
