"""The serious-violence definition file, checked against the Home Office code list."""

import pandas as pd
import pytest
import yaml

from needs_assessment.definitions import load_definitions
from needs_assessment.errors import ConfigError
from needs_assessment.paths import RAW_DIR, from_root
from needs_assessment.sources import ho_open_data


@pytest.fixture(scope="module")
def definitions(default_config):
    return load_definitions(default_config.definitions)


@pytest.fixture(scope="module")
def official_codes(default_config):
    """The 2017/18 code list, updated by the newest description of each code in the Home
    Office open data tables (which add 8T, 8U, 29B and 29C)."""
    lookup = pd.read_csv(RAW_DIR / "crime_sim_toolkit" / "CrimeCatMappings.csv", dtype=str)
    newest = ho_open_data.load(from_root(default_config.data.home_office_open_data))
    newest = newest.sort_values("financial_year").drop_duplicates("offence_code", keep="last")
    return {
        **dict(zip(lookup["Offence_Code"], lookup["Offence_Description"], strict=True)),
        **dict(zip(newest["offence_code"], newest["offence_description"], strict=True)),
    }


def test_codes_and_descriptions_match_the_home_office_list(definitions, official_codes):
    assert definitions.code_mismatches(official_codes) == []


def test_a_wrong_description_is_caught(definitions, official_codes):
    official = dict(official_codes, **{"8N": "Something else"})
    problems = definitions.code_mismatches(official)
    assert any("code 8N" in p for p in problems)


def test_categories_the_chapters_use(definitions):
    expected = {
        "homicide",
        "knife_crime",
        "gun_crime",
        "violence_with_injury",
        "violence_without_injury",
        "robbery",
        "possession_of_weapons",
        "drug_supply",
        "drug_possession",
    }
    assert expected <= set(definitions.categories)
    assert definitions.categories["knife_crime"].marker == "sharp_instrument"
    assert definitions.categories["gun_crime"].marker == "firearm"
    assert set(definitions.categories["drug_supply"].home_office_codes) == {"92A"}


def test_every_ons_group_exists_in_the_ons_file(definitions, recorded_crime):
    groups = set(recorded_crime["offence_group"])
    assert set(definitions.ons_group_to_category()) <= groups


def test_policeuk_types_are_official(definitions):
    official = {
        "Anti-social behaviour",
        "Bicycle theft",
        "Burglary",
        "Criminal damage and arson",
        "Drugs",
        "Other crime",
        "Other theft",
        "Possession of weapons",
        "Public order",
        "Robbery",
        "Shoplifting",
        "Theft from the person",
        "Vehicle crime",
        "Violence and sexual offences",
    }
    assert set(definitions.policeuk_type_to_categories()) <= official


def test_a_group_in_two_categories_is_refused(tmp_path, default_config):
    raw = yaml.safe_load(open(default_config.definitions))
    raw["categories"]["robbery"]["ons_offence_groups"] = ["Homicide"]
    path = tmp_path / "defs.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="Homicide"):
        load_definitions(path).ons_group_to_category()


def test_unknown_key_is_refused(tmp_path, default_config):
    raw = yaml.safe_load(open(default_config.definitions))
    raw["categories"]["robbery"]["colour"] = "red"
    path = tmp_path / "defs.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="categories.robbery.colour"):
        load_definitions(path)
