import shutil

import pytest
import yaml

from needs_assessment.errors import ChecksumError
from needs_assessment.manifest import check_files, load_manifest, verify
from needs_assessment.paths import MANIFEST, RAW_DIR


def test_every_raw_file_matches_its_checksum():
    checks = verify()
    assert len(checks) >= 40
    assert all(check.ok for check in checks)


def test_every_raw_file_is_in_the_manifest():
    listed = {entry["path"] for s in load_manifest()["sources"] for entry in s["files"]}
    on_disk = {
        str(p.relative_to(RAW_DIR))
        for p in RAW_DIR.rglob("*")
        if p.is_file() and p.name not in {"manifest.yaml", "README.md"}
    }
    assert on_disk == listed


def test_every_source_has_provenance():
    for source in load_manifest()["sources"]:
        assert "Open Government Licence" in source["licence"]
        assert source["origin"] and source["publisher"] and source["years"]


def test_changed_and_missing_files_are_reported(tmp_path):
    manifest = yaml.safe_load(MANIFEST.read_text())
    source = manifest["sources"][0]
    manifest["sources"] = [source]
    first = source["files"][0]["path"]
    copy = tmp_path / first
    copy.parent.mkdir(parents=True)
    shutil.copy(RAW_DIR / first, copy)
    with copy.open("a") as handle:
        handle.write("tampered\n")
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    assert [c.ok for c in check_files(tmp_path / "manifest.yaml")] == [False]
    with pytest.raises(ChecksumError, match="sha256 differs"):
        verify(tmp_path / "manifest.yaml")
    copy.unlink()
    with pytest.raises(ChecksumError, match="missing"):
        verify(tmp_path / "manifest.yaml")
