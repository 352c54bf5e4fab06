"""Shared fixtures: the default config, the real ONS force-level file, a published report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from needs_assessment.config import load_config
from needs_assessment.paths import DEFAULT_CONFIG, RAW_DIR


@pytest.fixture(scope="session")
def default_config():
    return load_config(DEFAULT_CONFIG)


@pytest.fixture(scope="session")
def recorded_crime():
    from needs_assessment.sources import ons_recorded_crime

    return ons_recorded_crime.load(RAW_DIR / "ons_rec_crime_pfa" / "rec-crime-pfa.csv")


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Path:
    """The default assessment, published by the `sna` command into a temporary folder."""
    reports = tmp_path_factory.mktemp("reports")
    sna = Path(sys.executable).with_name("sna")
    result = subprocess.run(
        [str(sna), "run", "--config", str(DEFAULT_CONFIG), "--reports-dir", str(reports)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return reports / "cambridgeshire-2021"
