"""Build ``data/processed/`` (tidy Parquet) from ``data/raw/``, only when inputs changed.

Each processed table has a builder (raw files -> validated frame) and a list of inputs.
A stamp file records the sha256 of each table's inputs and the package version; a table
is rebuilt when either changes. All rebuilt tables are written to a staging folder and
moved into place only when every builder has succeeded, so a bad input leaves
``data/processed/`` exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import __version__
from .config import AssessmentConfig
from .manifest import sha256
from .paths import from_root
from . import sources
from .sources import ons_recorded_crime

STAMP = "_stamp.json"


@dataclass(frozen=True)
class Table:
    name: str
    inputs: Callable[[AssessmentConfig], list[Path]]
    build: Callable[[AssessmentConfig], pd.DataFrame]


TABLES: tuple[Table, ...] = (
    Table(
        "recorded_crime",
        lambda c: [from_root(c.data.ons_recorded_crime)],
        lambda c: ons_recorded_crime.load(from_root(c.data.ons_recorded_crime)),
    ),
)


def prepare(config: AssessmentConfig, *, force: bool = False) -> list[str]:
    """Rebuild the stale processed tables; return the names rebuilt."""
    folder = from_root(config.data.processed_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _read_stamp(folder)
    fingerprints = {t.name: _fingerprint(t, config) for t in TABLES}
    stale = [
        t for t in TABLES
        if force or stamp.get(t.name) != fingerprints[t.name] or not (folder / f"{t.name}.parquet").exists()
    ]
    if not stale:
        return []
    with tempfile.TemporaryDirectory(dir=folder, prefix=".staging-") as staging:
        for table in stale:
            table.build(config).to_parquet(Path(staging) / f"{table.name}.parquet", index=False)
        for table in stale:
            os.replace(Path(staging) / f"{table.name}.parquet", folder / f"{table.name}.parquet")
            stamp[table.name] = fingerprints[table.name]
        _write_stamp(folder, stamp)
    return [t.name for t in stale]


def read(config: AssessmentConfig, name: str) -> pd.DataFrame:
    """Read one processed table (run ``sna prepare`` first; ``sna run`` does it for you)."""
    path = from_root(config.data.processed_dir) / f"{name}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `sna prepare --config <file>` first")
    return pd.read_parquet(path)


def _fingerprint(table: Table, config: AssessmentConfig) -> dict:
    return {
        "package_version": __version__,
        "loader_code": _loader_code_hash(),
        "inputs": {str(p): sha256(p) for p in table.inputs(config)},
    }


def _loader_code_hash() -> str:
    """Hash of the loaders' source, so a change in parsing rebuilds the tables."""
    digest = hashlib.sha256()
    for path in sorted(Path(sources.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_stamp(folder: Path) -> dict:
    path = folder / STAMP
    return json.loads(path.read_text()) if path.exists() else {}


def _write_stamp(folder: Path, stamp: dict) -> None:
    handle, temp = tempfile.mkstemp(dir=folder, suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(stamp, out, indent=2, sort_keys=True)
    os.replace(temp, folder / STAMP)


def clear(config: AssessmentConfig) -> None:
    """Delete every processed table (they are rebuilt from raw)."""
    folder = from_root(config.data.processed_dir)
    for path in folder.glob("*.parquet"):
        path.unlink()
    (folder / STAMP).unlink(missing_ok=True)
    shutil.rmtree(folder / ".staging", ignore_errors=True)
