"""Shared fixtures: the default config and the real ONS force-level file."""

from __future__ import annotations

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
