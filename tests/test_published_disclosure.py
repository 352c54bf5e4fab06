"""Nothing disclosive in a published report: no offence reference, no coordinates, no
suppressed count (run on the default assessment, which uses the demonstration extract)."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from needs_assessment.methods.disclosure import MARKER_SUFFIX, SUPPRESSED_MARKER
from needs_assessment.prepare import read

pytestmark = pytest.mark.e2e


def published_text(folder) -> dict[str, bytes]:
    """Every published file's bytes (xlsx opened: its XML parts)."""
    contents = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                contents[str(path)] = b"".join(archive.read(n) for n in archive.namelist())
        elif path.suffix != ".pdf":
            contents[str(path)] = path.read_bytes()
    return contents


def test_no_offence_reference_anywhere(published, default_config):
    references = read(default_config, "force_extract")["offence_reference"]
    prefixes = {ref.split("-")[0] + "-" for ref in references.head(1000)}
    assert prefixes == {"SYNTH-"}
    sample = set(references.sample(2000, random_state=1))
    for name, content in published_text(published).items():
        assert b"SYNTH-" not in content, name
        text = content.decode("utf-8", "ignore")
        assert not [ref for ref in sample if ref in text], name


def test_no_coordinates_or_identifier_columns(published):
    for path in (published / "tables").glob("*.csv"):
        columns = {c.lower() for c in pd.read_csv(path, nrows=0).columns}
        assert not columns & {
            "latitude",
            "longitude",
            "crime_id",
            "offence_reference",
            "easting",
            "northing",
            "offence_date",
        }, path.name


def test_suppressed_counts_are_blank(published):
    for path in (published / "tables").glob("*.csv"):
        table = pd.read_csv(path)
        for marker in [c for c in table.columns if c.endswith(MARKER_SUFFIX)]:
            value = marker[: -len(MARKER_SUFFIX)]
            hidden = table[marker] == SUPPRESSED_MARKER
            assert table.loc[hidden, value].isna().all(), f"{path.name}: {value}"
