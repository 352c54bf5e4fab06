"""`sna check-data --config FILE`: the configured area in each source, failing by name."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

from needs_assessment.config import load_config, parse_config
from needs_assessment.coverage import area_checks
from needs_assessment.paths import DEFAULT_CONFIG
from needs_assessment.refresh import AREA_TABLES, area_report

SNA = Path(sys.executable).with_name("sna")


def test_default_area_has_rows_in_every_source():
    checks = {c.source: c for c in area_report(load_config(DEFAULT_CONFIG))}
    assert set(checks) == set(AREA_TABLES) - {"wimd"}  # no Welsh LSOAs
    assert all(c.ok for c in checks.values())
    assert checks["lsoa_lookup"].rows == 69 + 49 + 60 + 104 + 93 + 112  # 2011 LSOAs by district


def test_a_source_with_no_rows_for_the_area_is_named(default_config):
    lookup = pd.DataFrame({"lsoa11_code": ["E01000001"], "lad17_code": ["E06000031"]})
    tables = {
        "lsoa_lookup": lookup,
        "recorded_crime": pd.DataFrame({"force": ["Dorset"]}),
        "force_offence_categories": pd.DataFrame({"area": ["Cambridgeshire"]}),
        "district_population": pd.DataFrame({"code": ["E06000031"]}),
        "imd": pd.DataFrame({"lsoa11_code": ["E01000001"]}),
        "wimd": None,
        "police_uk_counts": pd.DataFrame({"lsoa_code": ["E01011954"]}),  # Cleveland's
        "force_extract": None,
    }
    empty = [c.source for c in area_checks(default_config, tables) if not c.ok]
    assert empty == ["recorded_crime", "police_uk_counts"]


def test_check_data_checks_a_force_with_its_own_police_uk(tmp_path):
    config = tmp_path / "cleveland-2021.yaml"
    config.write_text(
        "area:\n  force: Cleveland\n  display_name: Cleveland\n"
        "  districts: {E06000001: Hartlepool}\n"
    )
    done = subprocess.run(
        [str(SNA), "check-data", "--config", str(config)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "police_uk_counts" in done.stderr and "NONE" not in done.stderr


def test_a_welsh_area_is_checked_against_the_welsh_index(tmp_path):
    text = "area:\n  force: Gwent\n  display_name: Gwent\n  districts: {W06000022: Newport}\n"
    checks = {c.source: c for c in area_report(parse_config(text, tmp_path / "gwent.yaml"))}
    assert "imd" not in checks and checks["wimd"].ok
    assert checks["wimd"].rows == checks["lsoa_lookup"].rows  # every Newport LSOA is in WIMD


def test_an_extract_below_80_percent_of_the_published_count_is_thin(default_config):
    from needs_assessment.coverage import thin_extract
    from needs_assessment.definitions import load_definitions
    from needs_assessment.prepare import read

    extract = read(default_config, "force_extract")
    published = read(default_config, "force_offence_categories")
    definitions = load_definitions(default_config.definitions)
    whole = {
        (t.category, t.financial_year)
        for t in thin_extract(extract, published, "Cambridgeshire", definitions)
    }
    small = thin_extract(
        extract.sample(300, random_state=1), published, "Cambridgeshire", definitions
    )
    assert all(t.share < 0.8 for t in small)
    assert len({(t.category, t.financial_year) for t in small}) > len(whole)
    assert ("violence_with_injury", 2012) in {(t.category, t.financial_year) for t in small}
    assert ("violence_with_injury", 2012) not in whole
