"""Processed data is rebuilt only when inputs change, and never left half-written."""

import shutil

import pytest

from needs_assessment import prepare as prep
from needs_assessment.config import load_config
from needs_assessment.errors import DataError
from needs_assessment.paths import DEFAULT_CONFIG, RAW_DIR

ONE = ["recorded_crime"]


@pytest.fixture
def isolated_config(tmp_path, monkeypatch):
    """The default config with its own copy of the ONS file and processed folder."""
    raw = tmp_path / "rec-crime-pfa.csv"
    shutil.copy(RAW_DIR / "ons_rec_crime_pfa" / "rec-crime-pfa.csv", raw)
    base = load_config(DEFAULT_CONFIG)
    data = base.data.model_copy(
        update={"ons_recorded_crime": raw, "processed_dir": tmp_path / "processed"}
    )
    return base.model_copy(update={"data": data})


def test_builds_once_then_reuses(isolated_config):
    assert prep.prepare(isolated_config, only=ONE) == ["recorded_crime"]
    assert prep.prepare(isolated_config, only=ONE) == []
    assert len(prep.read(isolated_config, "recorded_crime")) == 46_469


def test_changed_input_rebuilds(isolated_config):
    prep.prepare(isolated_config, only=ONE)
    with open(isolated_config.data.ons_recorded_crime, "a") as handle:
        handle.write("31-03-2019,Cambridgeshire,East,Robbery,700\n")
    assert prep.prepare(isolated_config, only=ONE) == ["recorded_crime"]
    assert len(prep.read(isolated_config, "recorded_crime")) == 46_470


def test_bad_input_leaves_processed_untouched(isolated_config):
    prep.prepare(isolated_config, only=ONE)
    folder = isolated_config.data.processed_dir
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    with open(isolated_config.data.ons_recorded_crime, "a") as handle:
        handle.write("31-03-2019,Cambridgeshire,East,Robbery,seven\n")
    with pytest.raises(DataError, match="row 46471, column 'Rolling year total"):
        prep.prepare(isolated_config, only=ONE)
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in folder.iterdir() if p.name.startswith(".staging")]


def test_reading_before_preparing_says_what_to_do(isolated_config):
    with pytest.raises(FileNotFoundError, match="sna prepare"):
        prep.read(isolated_config, "recorded_crime")


def test_corrupted_processed_table_is_rebuilt(isolated_config):
    prep.prepare(isolated_config, only=ONE)
    path = isolated_config.data.processed_dir / "recorded_crime.parquet"
    good = path.read_bytes()
    path.write_bytes(good[:-100] + b"x" * 100)
    assert prep.prepare(isolated_config, only=ONE) == ["recorded_crime"]
    assert path.read_bytes() == good
    assert len(prep.read(isolated_config, "recorded_crime")) == 46_469
