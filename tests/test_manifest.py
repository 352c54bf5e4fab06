import os
import shutil

import pytest
import yaml

from needs_assessment import manifest as manifest_module
from needs_assessment.errors import ChecksumError, ConfigError
from needs_assessment.manifest import VERIFIED, check_files, load_manifest, verify, verify_raw
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


# -- a manifest that is not a list of sources, and verification with a cache ---------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n- b\n", "expected a mapping with a 'sources' list"),
        ("sources: [unclosed\n", r"line \d+: not valid YAML"),
        ("sources: []\nsources: []\n", "line 2: duplicate key 'sources'"),
        ("sources:\n- just a name\n", "source 1 is not a mapping"),
    ],
    ids=["a list", "invalid YAML", "duplicate key", "source not a mapping"],
)
def test_a_malformed_manifest_is_named(tmp_path, text, message):
    path = tmp_path / "manifest.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_manifest(path)


def one_source_manifest(tmp_path):
    manifest = yaml.safe_load(MANIFEST.read_text())
    source = manifest["sources"][0]
    manifest["sources"] = [source]
    first = source["files"][0]["path"]
    copy = tmp_path / first
    copy.parent.mkdir(parents=True)
    shutil.copy(RAW_DIR / first, copy)
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump(manifest))
    return tmp_path / "manifest.yaml", copy


def test_verification_rehashes_only_changed_files(tmp_path, monkeypatch):
    path, copy = one_source_manifest(tmp_path)
    processed = tmp_path / "processed"
    hashed = []
    real = manifest_module.sha256
    monkeypatch.setattr(manifest_module, "sha256", lambda p: hashed.append(p) or real(p))
    assert [c.ok for c in verify_raw(path, processed)] == [True]
    assert (processed / VERIFIED).exists() and len(hashed) == 1
    verify_raw(path, processed)
    assert len(hashed) == 1  # size and mtime unchanged: not hashed again
    with copy.open("a") as handle:
        handle.write("tampered\n")
    with pytest.raises(ChecksumError, match=rf"{copy.name}: sha256 differs"):
        verify_raw(path, processed)
    assert len(hashed) == 2


def test_a_tampered_file_with_its_old_size_and_time_is_refused_once_rehashed(tmp_path):
    path, copy = one_source_manifest(tmp_path)
    processed = tmp_path / "processed"
    verify_raw(path, processed)
    stat = copy.stat()
    data = bytearray(copy.read_bytes())
    data[100] ^= 1
    copy.write_bytes(bytes(data))
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    with pytest.raises(ChecksumError, match=copy.name):
        verify_raw(path, processed)
