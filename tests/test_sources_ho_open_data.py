"""Home Office police recorded crime open data tables (PFA, 2012/13 onwards, one edition)."""

from __future__ import annotations

import gzip
import re

import pandas as pd
import pytest
import yaml

from needs_assessment.definitions import load_definitions
from needs_assessment.errors import ConfigError, DataError
from needs_assessment.paths import from_root
from needs_assessment.sources import ho_open_data as ho


@pytest.fixture(scope="module")
def path(default_config):
    return from_root(default_config.data.home_office_open_data)


@pytest.fixture(scope="module")
def offences(path) -> pd.DataFrame:
    return ho.load(path)


@pytest.fixture(scope="module")
def definitions(default_config):
    return load_definitions(default_config.definitions)


@pytest.fixture(scope="module")
def annual(offences) -> pd.DataFrame:
    return ho.annual_offences(offences)


@pytest.fixture(scope="module")
def categories(offences, definitions) -> pd.DataFrame:
    return ho.category_counts(offences, definitions)


@pytest.fixture(scope="module")
def rolling(offences, definitions) -> pd.DataFrame:
    return ho.rolling_year_counts(offences, definitions)


def _count(frame: pd.DataFrame, area: str, category: str, year: int) -> int:
    row = frame[
        (frame["area"] == area)
        & (frame["category"] == category)
        & (frame["financial_year"] == year)
    ]
    assert len(row) == 1
    return int(row["count"].iloc[0])


@pytest.mark.parametrize(
    ("category", "year", "expected"),
    [
        ("robbery", 2019, 752),
        ("robbery", 2021, 651),
        ("possession_of_weapons", 2021, 697),
        ("violence_against_the_person", 2021, 25_231),
        ("homicide", 2020, 12),
    ],
)
def test_cambridgeshire_published_values(categories, category, year, expected):
    assert _count(categories, "Cambridgeshire", category, year) == expected


def test_england_and_wales_is_the_sum_of_the_43_forces(categories, annual):
    forces = categories[categories["area_type"] == "force"]
    assert forces["area"].nunique() == 43
    assert set(forces["area"]) == ho.TERRITORIAL_FORCES
    summed = forces.groupby(["category", "financial_year"])["count"].sum()
    national = categories[categories["area"] == ho.NATIONAL]
    national = national.set_index(["category", "financial_year"])["count"]
    pd.testing.assert_series_equal(summed.sort_index(), national.sort_index(), check_names=False)
    # British Transport Police is not in the total
    btp = annual[(annual["force"] == "British Transport Police") & (annual["offence_code"] == "8N")]
    assert btp["count"].sum() > 0 and not annual[annual["force"] == ho.NATIONAL].size


def test_tidy_rows_one_edition(offences, annual):
    assert list(offences.columns) == list(ho.SCHEMA.columns)
    assert sorted(offences["financial_year"].unique()) == list(range(2012, 2024))
    assert ho.complete_years(offences) == list(range(2012, 2023))  # 2023/24: Q1 only
    assert set(offences.loc[offences["financial_year"] == 2023, "quarter"]) == {1}
    assert sorted(annual["financial_year"].unique()) == list(range(2012, 2023))
    assert offences["count"].min() < 0  # published adjustments kept
    assert not annual.duplicated(["force", "financial_year", "offence_code"]).any()


def test_float_codes_normalised(offences):
    codes = set(offences["offence_code"])
    assert not any(re.fullmatch(r"\d+\.\d{8,}", code) for code in codes)
    driving = offences[(offences["financial_year"] == 2012) & (offences["offence_code"] == "4.4")]
    assert set(driving["offence_description"]) == {"Causing death by dangerous driving"}
    assert {"4.1", "4.10", "37.2", "4.6", "4.9"} <= codes  # 4.10 is not 4.1
    assert ho.normalise_code("4.5999999999999996") == "4.6"
    assert ho.normalise_code("4.10") == "4.10"


def test_forces_spelt_as_the_other_tables(offences, recorded_crime):
    names = set(offences["force"])
    assert {"City of London", "Devon and Cornwall"} <= names
    assert not names & {"London, City of", "Devon & Cornwall"}
    assert names <= set(recorded_crime["force"]) | {"Financial Fraud Action UK"}
    territorial = offences[offences["is_territorial_force"]]
    assert territorial["force"].nunique() == 43
    assert offences["force_code"].isna().all()  # this edition has no ONS codes


SUBGROUPS = {
    "homicide": "Homicide",
    "violence_with_injury": "Violence with injury",
    "violence_without_injury": "Violence without injury",
    "stalking_and_harassment": "Stalking and harassment",
    "drug_supply": "Trafficking of drugs",
    "drug_possession": "Possession of drugs",
}
GROUPS = {
    "violence_against_the_person": "Violence against the person",
    "robbery": "Robbery",
    "possession_of_weapons": "Possession of weapons offences",
}


def test_categories_equal_the_published_groups(annual, categories):
    """Codes define the categories; from 2013/14 they give the tables' own subgroups."""
    forces = annual[annual["is_territorial_force"]]
    for category, names in (("offence_subgroup", SUBGROUPS), ("offence_group", GROUPS)):
        for key, name in names.items():
            published = forces[forces[category] == name].groupby(["force", "financial_year"])
            ours = categories[
                (categories["category"] == key) & (categories["area_type"] == "force")
            ]
            ours = ours.set_index(["area", "financial_year"])["count"]
            expected = published["count"].sum()
            years = ours.index.get_level_values(1) >= (2012 if key in GROUPS else 2013)
            assert (ours[years] == expected.reindex(ours.index[years])).all(), key


def test_blade_or_point_and_local_serious_violence(annual, categories, definitions):
    cambs = annual[(annual["force"] == "Cambridgeshire") & (annual["financial_year"] == 2021)]
    by_code = cambs.set_index("offence_code")["count"]
    assert (
        _count(categories, "Cambridgeshire", "possession_of_blade_or_point", 2021) == by_code["10D"]
    )
    listed = ["1", "4.1", "4.10", "4.2", "2", "5D", "3B", "36", "56A", "29", "29A", "31", "31A",
              "4.4", "4.6", "4.8", "4.9", "37.1"]  # fmt: skip
    local = _count(categories, "Cambridgeshire", "local_serious_violence", 2021)
    assert local == by_code.reindex(listed, fill_value=0).sum()
    codes = ho.category_codes(definitions)["local_serious_violence"]
    assert "8N" not in codes  # GBH without intent is inside 8N with ABH: not counted
    assert {"1", "4.1", "4.10", "4.2", "1/4.1/4.10/4.2"} <= codes
    assert "knife_crime" not in ho.category_codes(definitions)  # needs a marker


def test_homicide_combined_code_of_2012_13(annual, categories):
    cambs = annual[(annual["force"] == "Cambridgeshire") & (annual["financial_year"] == 2012)]
    assert cambs.set_index("offence_code").loc["1/4.1/4.10/4.2", "count"] == 7
    assert _count(categories, "Cambridgeshire", "homicide", 2012) == 7


def test_rolling_year_to_the_latest_quarter(rolling, categories, offences):
    latest = rolling["period_end"].max()
    assert latest == pd.Timestamp("2023-06-30")
    assert rolling["period_end"].min() == pd.Timestamp("2013-03-31")
    march = rolling[rolling["quarter"] == 4].merge(
        categories, on=["area", "area_type", "financial_year", "category"], suffixes=("", "_fy")
    )
    assert len(march) == len(categories) and (march["count"] == march["count_fy"]).all()
    cambs = offences[
        (offences["force"] == "Cambridgeshire") & offences["offence_code"].isin(["34A", "34B"])
    ]
    window = (cambs["financial_year"] == 2023) | (
        (cambs["financial_year"] == 2022) & (cambs["quarter"] > 1)
    )
    row = rolling[
        (rolling["area"] == "Cambridgeshire")
        & (rolling["category"] == "robbery")
        & (rolling["period_end"] == latest)
    ]
    assert int(row["count"].iloc[0]) == cambs.loc[window, "count"].sum()


def _normalised(text: str) -> str:
    text = re.sub(r"\s*\(outcomes? only\)", "", text.lower())
    return " ".join(text.split())


def test_definition_codes_and_descriptions_are_in_the_open_data(offences, definitions):
    """Every counted code exists in this edition with the description the file gives it."""
    published = offences.groupby("offence_code")["offence_description"].agg(
        lambda d: {_normalised(t) for t in d}
    )
    for key in ho.category_codes(definitions):
        for code, description in definitions.categories[key].home_office_codes.items():
            assert code in published.index, f"{key}: {code}"
            assert _normalised(description) in published[code], f"{key}: {code} {description}"


def test_a_code_not_in_the_data_is_refused(tmp_path, default_config, offences):
    raw = yaml.safe_load(from_root(default_config.definitions).read_text())
    raw["categories"]["robbery"]["home_office_codes"]["34Z"] = "Robbery of nothing"
    bad = tmp_path / "defs.yaml"
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match="'robbery': codes 34Z"):
        ho.category_counts(offences, load_definitions(bad))


# -- bad input ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def head(path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [next(handle).rstrip("\n") for _ in range(6)]


def _write(tmp_path, lines: list[str]):
    target = tmp_path / "prc.csv"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def test_missing_column_is_named(tmp_path, head):
    lines = [line.rsplit(",", 1)[0] for line in head]
    bad = _write(tmp_path, lines)
    with pytest.raises(DataError, match="required column is missing") as caught:
        ho.load(bad)
    assert caught.value.column == "Number of Offences" and caught.value.file == str(bad)


def test_bad_count_names_file_row_and_column(tmp_path, head):
    lines = list(head)
    lines[3] = lines[3].rsplit(",", 1)[0] + ",twelve"
    bad = _write(tmp_path, lines)
    with pytest.raises(DataError, match="not a number: 'twelve'") as caught:
        ho.load(bad)
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        str(bad),
        4,
        "Number.of.Offences",
    )


def test_unknown_force_names_file_row_and_column(tmp_path, head):
    lines = list(head)
    lines[5] = (
        lines[5]
        .replace(",Action Fraud,", ",Atlantis Constabulary,")
        .replace(",Avon and Somerset,", ",Atlantis Constabulary,")
    )
    bad = _write(tmp_path, lines)
    with pytest.raises(DataError, match="Atlantis Constabulary") as caught:
        ho.load(bad)
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        str(bad),
        6,
        "Force.Name",
    )


def test_duplicate_row_is_refused(tmp_path, head):
    bad = _write(tmp_path, [*head, head[2]])
    with pytest.raises(DataError, match="schema") as caught:
        ho.load(bad)
    assert caught.value.file == str(bad)


def test_prepare_builds_the_three_tables(tmp_path, default_config, categories):
    from needs_assessment import prepare as prep

    data = default_config.data.model_copy(update={"processed_dir": tmp_path})
    config = default_config.model_copy(update={"data": data})
    names = ["force_offences", "force_offence_categories", "force_offence_rolling_year"]
    assert prep.prepare(config, only=names) == names
    built = prep.read(config, "force_offence_categories")
    pd.testing.assert_frame_equal(built, categories)
    assert len(prep.read(config, "force_offences")) == 63_132
    assert prep.read(config, "force_offence_rolling_year")["period_end"].dtype == "datetime64[ns]"
