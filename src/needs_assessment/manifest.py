"""The raw-data manifest: every input with its provenance and sha256 checksum."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from needs_assessment.errors import ChecksumError, ConfigError
from needs_assessment.paths import MANIFEST, from_root


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
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"data manifest not found: {path}") from None
    for number, source in enumerate(manifest.get("sources", []), start=1):
        missing = {"id", "title", "publisher", "licence", "origin", "years", "files"} - set(source)
        if missing:
            raise ConfigError(f"{path}: source {number} lacks {', '.join(sorted(missing))}")
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


def verify(path: str | Path = MANIFEST) -> list[FileCheck]:
    """Raise ``ChecksumError`` listing every missing or changed file; return the checks."""
    checks = check_files(path)
    bad = [c for c in checks if not c.ok]
    if bad:
        lines = [
            f"  - {c.path}: {'missing' if c.actual is None else 'sha256 differs from the manifest'}"
            for c in bad
        ]
        raise ChecksumError(f"{len(bad)} raw file(s) do not match {path}:\n" + "\n".join(lines))
    return checks
