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
def ready(default_config):
    """The default config with its processed tables built (once per session)."""
    from needs_assessment.prepare import prepare

    prepare(default_config)
    return default_config


@pytest.fixture(scope="session")
def hotspots_chapter(ready):
    """The hotspots chapter built on the default data (once per session: a build takes
    tens of seconds). Tests read it; none may change it."""
    from needs_assessment.chapters import registry

    return registry.build("hotspots", ready)


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


def pytest_addoption(parser):
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite tests/text/snapshots/ from the templates (regenerate wording on purpose)",
    )


@pytest.fixture
def snapshot(request):
    """Compare rendered wording with ``tests/text/snapshots/<name>.md``.

    Wording is covered by snapshots, regenerated on purpose with ``--update-snapshots``;
    behaviour tests assert numbers, never phrasing.
    """
    folder = Path(__file__).parent / "text" / "snapshots"
    update = request.config.getoption("--update-snapshots")

    def check(name: str, text: str) -> None:
        path = folder / f"{name}.md"
        if update or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.rstrip() + "\n", encoding="utf-8")
            if not update:
                pytest.fail(f"new snapshot {path.name} written: check it and commit it")
            return
        expected = path.read_text(encoding="utf-8").rstrip()
        assert text.rstrip() == expected, (
            f"wording of {name} changed: if on purpose, rerun with --update-snapshots"
        )

    return check
