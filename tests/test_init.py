"""`sna init`: a valid config for any force or partnership, never another area's files."""

import pytest

from needs_assessment import init as area_init
from needs_assessment.config import load_config, parse_config
from needs_assessment.errors import ConfigError
from needs_assessment.forces import police_uk_force
from needs_assessment.paths import RAW_DIR

CLEVELAND = {"E06000001", "E06000002", "E06000003", "E06000004"}
EXTRACT = RAW_DIR / "demo_force_extract" / "demo_force_extract_cambridgeshire.csv.gz"


@pytest.fixture(scope="module")
def tables(default_config_module):
    return area_init.lookups(default_config_module)


@pytest.fixture(scope="module")
def default_config_module():
    return load_config("config/cambridgeshire-2021.yaml")


def plan(force, tables, **options):
    return area_init.plan(force, tables=tables, **options)


def test_cleveland_has_its_own_police_uk_and_no_extract(tables, tmp_path):
    made = plan("cleveland", tables)
    config = load_config(area_init.write(made, area_init.config_path(made, tmp_path)))
    assert config.area.force == "Cleveland" and config.area.force_code == "E23000013"
    assert set(config.area.districts) == CLEVELAND
    assert config.data.police_uk.name == "policeuk_street_cleveland"
    assert config.data.force_extract is None
    assert "county_lines" not in config.report.chapters
    assert {"hotspots", "deprivation"} <= set(config.report.chapters)


def test_dorset_gets_no_other_forces_files(tables, tmp_path):
    made = plan("Dorset", tables)
    config = load_config(area_init.write(made, tmp_path / "dorset.yaml"))
    assert config.data.police_uk is None and config.data.force_extract is None
    assert config.report.chapters == ("summary", "trends", "people", "costs")
    assert set(made.left_out) == {"hotspots", "deprivation", "county_lines"}


def test_welsh_force_has_its_w15_code_and_no_english_deprivation(tables):
    made = plan("South Wales", tables)
    assert made.force_code == "W15000003"
    assert all(code.startswith("W06") for code in made.districts)
    assert "deprivation" in made.left_out


def test_west_midlands_takes_the_force_code_not_the_regions(tables):
    assert plan("West Midlands", tables).force_code == "E23000014"


def test_partnership_of_two_districts(tables, tmp_path):
    made = plan("Cambridgeshire", tables, districts=["E07000008", "E06000031"])
    assert made.partnership and made.display_name == "Cambridge & Peterborough"
    config = load_config(area_init.write(made, area_init.config_path(made, tmp_path)))
    assert config.area.force == "Cambridgeshire"
    assert set(config.area.districts) == {"E07000008", "E06000031"}


def test_district_of_another_force_is_refused_naming_it(tables):
    with pytest.raises(ConfigError, match=r"E06000001 \(Cleveland\)"):
        plan("Cambridgeshire", tables, districts=["E07000008", "E06000001"])


def test_extract_of_another_force_is_refused_naming_it(tables):
    with pytest.raises(ConfigError, match="lie in Cambridgeshire, not Cleveland"):
        plan("Cleveland", tables, extract=EXTRACT)


def test_extract_of_the_force_adds_county_lines(tables):
    assert "county_lines" in plan("Cambridgeshire", tables, extract=EXTRACT).chapters


def test_police_uk_of_another_force_is_refused_at_load(tmp_path):
    text = (
        "area:\n  force: Dorset\n  display_name: Dorset\n  districts: {E06000028: Bournemouth}\n"
        "data:\n  police_uk: data/raw/policeuk_street_cambridgeshire\n"
    )
    with pytest.raises(ConfigError, match="holds Cambridgeshire's crimes, not Dorset's"):
        parse_config(text, tmp_path / "dorset.yaml")


def test_a_chapter_without_its_data_is_refused_at_load(tmp_path):
    text = (
        "area:\n  force: Dorset\n  display_name: Dorset\n  districts: {E06000028: Bournemouth}\n"
        "report:\n  chapters: [trends, hotspots]\n"
    )
    with pytest.raises(ConfigError, match="hotspots needs police.uk"):
        parse_config(text, tmp_path / "dorset.yaml")


def test_unknown_force_suggests_the_nearest():
    with pytest.raises(ConfigError, match="did you mean Cleveland"):
        area_init.match_force("Clevland")


def test_year_past_the_published_series_is_refused(tables):
    with pytest.raises(ConfigError, match="--year 2200"):
        plan("Dorset", tables, year=2200)


def test_existing_config_is_never_overwritten(tables, tmp_path):
    made = plan("Dorset", tables)
    area_init.write(made, tmp_path / "dorset.yaml")
    with pytest.raises(ConfigError, match="already exists"):
        area_init.write(made, tmp_path / "dorset.yaml")


@pytest.mark.parametrize(
    ("falls_within", "force"),
    [
        ("Cleveland Police", "Cleveland"),
        ("Metropolitan Police Service", "Metropolitan Police"),
        ("Devon & Cornwall Police", "Devon and Cornwall"),
        ("Cambridgeshire Constabulary", "Cambridgeshire"),
        ("British Transport Police", "British Transport Police"),
    ],
)
def test_police_uk_names_map_to_ons_names(falls_within, force):
    assert police_uk_force(falls_within) == force
