"""A thin force extract: every chapter page built on it opens with "read with care", naming
the categories and years where it holds under 80% of the published force count."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from needs_assessment import coverage
from needs_assessment.chapters import registry
from needs_assessment.config import parse_config
from needs_assessment.paths import DEFAULT_CONFIG, RAW_DIR, from_root
from needs_assessment.prepare import prepare
from needs_assessment.report import chapter as channel

EXTRACT_CHAPTERS = [key for key in registry.CHAPTERS if "force_extract" in registry.inputs(key)]


def test_years_run_together():
    assert coverage.year_runs([2012, 2013, 2014, 2017, 2019, 2020]) == (
        (2012, 2014),
        (2017, 2017),
        (2019, 2020),
    )
    assert coverage.year_runs([]) == ()


def test_thin_years_are_grouped_by_category_within_the_period():
    thin = [
        coverage.ThinYear("robbery", 2012, 10, 100),
        coverage.ThinYear("robbery", 2013, 30, 100),
        coverage.ThinYear("drug_supply", 2015, 5, 10),
        coverage.ThinYear("robbery", 2020, 1, 100),
    ]
    grouped = coverage.thin_by_category(thin, 2012, 2019)
    assert [(g.category, g.runs, g.lowest_share) for g in grouped] == [
        ("robbery", ((2012, 2013),), 0.1),
        ("drug_supply", ((2015, 2015),), 0.5),
    ]


@pytest.fixture(scope="module")
def thin_config(ready, tmp_path_factory):
    """The default area with a 300-row sample of its extract, given as the force's own."""
    demo = RAW_DIR / "demo_force_extract" / "demo_force_extract_cambridgeshire.csv.gz"
    rows = pd.read_csv(demo, dtype=str, keep_default_na=False)
    inside = Path("data/raw") / "_test_thin_300.csv"  # configs name files in the project
    rows.sample(300, random_state=1).to_csv(from_root(inside), index=False)
    text = DEFAULT_CONFIG.read_text()
    line = next(x for x in text.splitlines() if x.strip().startswith("force_extract:"))
    text = text.replace(line, f"  force_extract: {inside}")
    text = text.replace("force_extract_is_synthetic: true", "force_extract_is_synthetic: false")
    path = tmp_path_factory.mktemp("thin") / "thin.yaml"
    path.write_text(text)
    config = parse_config(text, path)
    prepare(config)
    yield path
    from_root(inside).unlink(missing_ok=True)


def started(key: str, config_path: Path, tmp_path: Path) -> channel.Chapter:
    shown = []
    original = channel.display
    channel.display = shown.append
    try:
        return channel.Chapter.start(key, str(config_path), str(tmp_path / key))
    finally:
        channel.display = original


def test_the_registry_knows_which_chapters_read_the_extract():
    assert set(EXTRACT_CHAPTERS) >= {"deprivation", "county_lines", "people"}
    assert "summary" not in EXTRACT_CHAPTERS


@pytest.mark.parametrize("key", EXTRACT_CHAPTERS)
def test_a_thin_extract_is_read_with_care_on_each_chapter_page(thin_config, tmp_path, key):
    (gap,) = started(key, thin_config, tmp_path).gaps
    assert gap["status"] == "read with care" and gap["section"] == "Force extract"
    assert "Violence with injury (2012/13 to 2021/22; as little as" in gap["reason"]


def test_the_summary_page_has_no_notice_of_its_own(thin_config, tmp_path):
    assert started("summary", thin_config, tmp_path).gaps == []


@pytest.mark.parametrize("key", EXTRACT_CHAPTERS)
def test_the_default_extract_says_nothing(ready, tmp_path, key):
    assert started(key, DEFAULT_CONFIG, tmp_path).gaps == []
