"""The commit guard: large files, raw files without provenance, real force extracts."""

from __future__ import annotations

import gzip
import importlib.util

import pytest
import yaml

from needs_assessment.paths import ROOT

spec = importlib.util.spec_from_file_location("guard_files", ROOT / ".ci" / "guard_files.py")
guard = importlib.util.module_from_spec(spec)
spec.loader.exec_module(guard)

EXTRACT_HEADER = "offence_reference,offence_date,home_office_code,lsoa_code\n"


@pytest.fixture
def project(tmp_path):
    raw = tmp_path / "data" / "raw"
    (raw / "extracts").mkdir(parents=True)
    manifest = {
        "sources": [
            {"id": "demo", "synthetic": True, "files": [{"path": "extracts/demo.csv.gz"}]},
            {"id": "real", "files": [{"path": "extracts/force.csv"}]},
        ]
    }
    (raw / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    with gzip.open(raw / "extracts" / "demo.csv.gz", "wt") as out:
        out.write(EXTRACT_HEADER)
    (raw / "extracts" / "force.csv").write_text(EXTRACT_HEADER)
    return tmp_path


def test_synthetic_extract_passes_and_real_one_is_refused(project):
    raw = project / "data" / "raw" / "extracts"
    assert guard.problems([raw / "demo.csv.gz"], root=project) == []
    (found,) = guard.problems([raw / "force.csv"], root=project)
    assert "force.csv" in found and "not marked synthetic" in found


def test_unlisted_raw_file_and_large_file_are_refused(project):
    stray = project / "data" / "raw" / "extracts" / "new.csv"
    stray.write_text("a,b\n")
    big = project / "reports.html"
    big.write_bytes(b"x" * (guard.LIMIT_BYTES + 1))
    found = guard.problems([stray, big], root=project)
    assert len(found) == 2
    assert "not listed" in found[0] and "over 5 MB" in found[1]


def test_the_repository_passes():
    assert guard.problems(guard.tracked_files()) == []
