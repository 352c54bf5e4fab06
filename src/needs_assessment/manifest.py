"""The raw-data manifest: every input with its provenance and sha256 checksum."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from needs_assessment.errors import ChecksumError, ConfigError
from needs_assessment.paths import MANIFEST, from_root
from needs_assessment.yaml_files import read_yaml

#: Under the processed folder: size, mtime and sha256 of each raw file when last verified.
VERIFIED = "_verified.json"
SOURCE_KEYS = {"id", "title", "publisher", "licence", "origin", "years", "files"}


@dataclass(frozen=True)
class FileCheck:
    source: str
    path: str
    expected: str
    actual: str | None

    @property
    def ok(self) -> bool:
        return self.actual == self.expected


def sha256(path: str | Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def path_hash(path: str | Path) -> str:
    """sha256 of a file, or of a folder's files (relative names and contents), sorted."""
    path = Path(path)
    if path.is_file():
        return sha256(path)
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode() + sha256(file).encode())
    return digest.hexdigest()


def files_hash(paths) -> str:
    """One sha256 over several files' contents, in sorted path order."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        digest.update(path.name.encode() + Path(path).read_bytes())
    return digest.hexdigest()


def load_manifest(path: str | Path = MANIFEST) -> dict:
    """Read the manifest; each source has id, title, publisher, licence, origin, years, files."""
    path = from_root(path)
    manifest = read_yaml(path, "data manifest")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("sources"), list):
        raise ConfigError(f"{path}: expected a mapping with a 'sources' list at the top level")
    for number, source in enumerate(manifest["sources"], start=1):
        if not isinstance(source, dict):
            raise ConfigError(f"{path}: source {number} is not a mapping of id, title, ...")
        missing = SOURCE_KEYS - set(source)
        if missing:
            raise ConfigError(f"{path}: source {number} lacks {', '.join(sorted(missing))}")
        files = source["files"]
        if not isinstance(files, list) or not all(
            isinstance(f, dict) and {"path", "sha256"} <= set(f) for f in files
        ):
            raise ConfigError(f"{path}: source {number}: each file needs a path and a sha256")
    return manifest


def check_files(path: str | Path = MANIFEST) -> list[FileCheck]:
    """Hash every file the manifest lists (paths relative to the manifest's folder)."""
    path = from_root(path)
    folder = path.parent
    checks = []
    for source in load_manifest(path)["sources"]:
        for entry in source["files"]:
            file = folder / entry["path"]
            actual = sha256(file) if file.exists() else None
            checks.append(FileCheck(source["id"], entry["path"], entry["sha256"], actual))
    return checks


def verify(path: str | Path = MANIFEST, checks: list[FileCheck] | None = None) -> list[FileCheck]:
    """Raise ``ChecksumError`` listing every missing or changed file; return the checks."""
    checks = check_files(path) if checks is None else checks
    bad = [c for c in checks if not c.ok]
    if bad:
        lines = [
            f"  - {c.path}: {'missing' if c.actual is None else 'sha256 differs from the manifest'}"
            for c in bad
        ]
        raise ChecksumError(f"{len(bad)} raw file(s) do not match {path}:\n" + "\n".join(lines))
    return checks


def verify_raw(manifest: str | Path, processed_dir: str | Path) -> list[FileCheck]:
    """:func:`verify`, re-hashing only the files whose size or mtime changed since the last
    verification (remembered in ``processed_dir/_verified.json``)."""
    manifest = from_root(manifest)
    cache_path = from_root(processed_dir) / VERIFIED
    cache = _read_cache(cache_path)
    fresh: dict[str, list] = {}
    checks = []
    for source in load_manifest(manifest)["sources"]:
        for entry in source["files"]:
            file = (manifest.parent / entry["path"]).resolve()
            actual = _known_hash(file, cache.get(str(file)), fresh)
            checks.append(FileCheck(source["id"], entry["path"], entry["sha256"], actual))
    verify(manifest, checks)
    if fresh != cache:
        _write_cache(cache_path, fresh)
    return checks


def _known_hash(file: Path, cached: list | None, fresh: dict) -> str | None:
    try:
        info = file.stat()
    except OSError:
        return None
    stamp = [info.st_size, info.st_mtime_ns]
    digest = cached[2] if cached and cached[:2] == stamp else sha256(file)
    fresh[str(file)] = [*stamp, digest]
    return digest


def _read_cache(path: Path) -> dict:
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return cache if isinstance(cache, dict) else {}


def _write_cache(path: Path, cache: dict) -> None:
    """Atomic: a temporary file beside the cache, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".verified-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(cache, out, indent=1, sort_keys=True)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
