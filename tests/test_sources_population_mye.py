"""Census-2021-based mid-year estimates: districts, 2021 LSOAs, forces; SAPE years on disk."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from needs_assessment import forces
from needs_assessment.errors import DataError
from needs_assessment.paths import from_root
from needs_assessment.sources import geography, population
from needs_assessment.sources import population_mye as mye

CAMBRIDGE = "E07000008"
#: Cambridgeshire & Peterborough, sum of its six districts (SOURCES.md section 16).
CP_TOTALS = {2011: 806_769, 2015: 851_257, 2019: 881_675, 2020: 884_999, 2021: 897_217,
             2022: 907_715, 2023: 919_082}  # fmt: skip
EW_TOTALS = {2011: 56_170_927, 2021: 59_660_524, 2022: 60_245_218, 2023: 60_854_727}


def _file(config, key):
    return from_root(getattr(config.data, key))


@pytest.fixture(scope="module")
def mye4(default_config) -> pd.DataFrame:
    return mye.read_mye4(_file(default_config, "district_population_mye21"))


@pytest.fixture(scope="module")
def districts(mye4) -> pd.DataFrame:
    return mye.districts_only(mye4)


@pytest.fixture(scope="module")
def changes(default_config) -> pd.DataFrame:
    return mye.read_district_changes(_file(default_config, "district_changes_2023"))


@pytest.fixture(scope="module")
def lsoas(default_config, changes) -> pd.DataFrame:
    return mye.lsoa21_population(
        mye.read_lsoa21_population(_file(default_config, "lsoa21_population")),
        mye.read_lsoa21_district_lookup(_file(default_config, "lsoa21_district_lookup")),
        changes,
    )


@pytest.fixture(scope="module")
def district_force(default_config, changes) -> pd.DataFrame:
    lookup = forces.district_force_lookup(
        geography.read_lsoa_force_lookup(_file(default_config, "lsoa_force_lookup")),
        pd.read_csv(_file(default_config, "district_force_supplement"), dtype=str),
    )
    return mye.successor_forces(lookup, changes)


def _value(frame, code, year) -> int:
    return int(frame.set_index(["code", "year"]).loc[(code, year), "population"])


def test_years_come_from_the_workbook(mye4, districts):
    assert sorted(mye4["year"].unique()) == list(range(2011, 2024))
    assert districts["code"].nunique() == 318  # April 2023: 296 English + 22 Welsh
    for year, total in EW_TOTALS.items():
        assert _value(mye4, "K04000001", year) == total
    by_year = districts.groupby("year")["population"].sum()
    national = mye4[mye4["code"] == "K04000001"].set_index("year")["population"]
    assert (by_year == national).all()  # districts add up to England and Wales


def test_cambridge_re_based_and_the_older_series_kept_apart(districts, default_config):
    assert _value(districts, CAMBRIDGE, 2020) == 143_741
    assert _value(districts, CAMBRIDGE, 2011) == 122_725
    older = population.read_district_population(_file(default_config, "district_population"))
    assert _value(older, CAMBRIDGE, 2020) == 125_063
    assert default_config.data.district_population != default_config.data.district_population_mye21


def test_lsoa_series_sums_exactly_to_the_districts(lsoas, districts):
    assert lsoas["lsoa21_code"].nunique() == 35_672
    assert sorted(lsoas["year"].unique()) == list(range(2011, 2023))
    mye.check_sums(lsoas, districts)  # raises on any difference
    summed = lsoas.groupby(["district_code", "year"])["population"].sum()
    estimates = districts[districts["year"] <= 2022].set_index(["code", "year"])["population"]
    assert len(summed) == len(estimates) == 318 * 12
    assert (summed.sort_index() == estimates.sort_index()).all()
    assert set(lsoas.loc[lsoas["lad22_code"] == "E07000163", "district_code"]) == {"E06000065"}


def test_mixed_vintages_are_refused(lsoas, districts):
    changed = lsoas.copy()
    changed.loc[changed.index[0], "population"] += 1
    with pytest.raises(DataError, match="E09000001 sum to .* in mid-2011"):
        mye.check_sums(changed, districts)


def test_force_population_is_the_sum_of_its_districts(districts, district_force):
    people = forces.force_population(districts, district_force)
    assert people["force"].nunique() == 43 and len(people) == 43 * 13
    cambs = people[people["force"] == "Cambridgeshire"].set_index("year")["population"]
    assert {year: cambs[year] for year in CP_TOTALS} == CP_TOTALS
    by_year = people.groupby("year")["population"].sum()
    assert {year: by_year[year] for year in EW_TOTALS} == EW_TOTALS
    new = district_force.set_index("lad_code")["force"]
    assert new["E06000063"] == new["E06000064"] == "Cumbria"
    assert (new["E06000065"], new["E06000066"]) == ("North Yorkshire", "Avon and Somerset")


def test_a_new_district_in_two_forces_is_refused(district_force, changes):
    lookup = district_force.copy()
    lookup.loc[lookup["lad_code"] == "E07000026", "force"] = "Durham"
    lookup = lookup[~lookup["lad_code"].str.startswith("E0600006")]
    with pytest.raises(ValueError, match="E06000063 spans two forces"):
        mye.successor_forces(lookup, changes)


def test_years_discovered_from_the_lsoa_file(tmp_path):
    path = tmp_path / "lsoa21.csv"
    path.write_text(
        "lsoa21_code,lsoa21_name,area_sq_km,pop_mid2023,pop_mid2024\n"
        "E01000001,City of London 001A,0.13,1600,1610\n"
    )
    frame = mye.read_lsoa21_population(path)
    assert frame["year"].tolist() == [2023, 2024]


def test_bad_lsoa_number_names_file_row_and_column(tmp_path):
    path = tmp_path / "lsoa21.csv"
    path.write_text(
        "lsoa21_code,lsoa21_name,pop_mid2021\n"
        "E01000001,City of London 001A,1600\n"
        "E01000002,City of London 001B,many\n"
    )
    with pytest.raises(DataError, match="not a number") as caught:
        mye.read_lsoa21_population(path)
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        str(path),
        3,
        "pop_mid2021",
    )


def test_workbook_without_mye4_is_refused(default_config):
    other = _file(default_config, "hospital_admissions")  # an .xlsx with other sheets
    with pytest.raises(DataError, match="sheet 'MYE4' is missing"):
        mye.read_mye4(other)


# -- the older LSOA (2011) series: SAPE years found in the configured folder -----------


def test_sape_years_found_in_the_folder(tmp_path, default_config):
    assert population.LSOA_YEARS == (2011, 2017, 2019, 2020)
    folder = _file(default_config, "lsoa_population_dir")
    assert set(population.sape_files(folder)) == {"sape_2017", "sape_2019", "sape_2020"}
    shutil.copy(folder / "ons_sape_mid2019_lsoa11_persons_syoa.csv.gz", tmp_path)
    (tmp_path / "notes.txt").write_text("not a population file")
    files = population.sape_files(tmp_path)
    assert list(files) == ["sape_2019"]
    assert population.nearest_lsoa_year(2020, population.lsoa_years(files)) == 2019
    assert population.sape_files(tmp_path / "missing") == {}


def test_lsoa_population_uses_only_the_given_sape_years(tmp_path, default_config):
    folder = _file(default_config, "lsoa_population_dir")
    source = folder / "ons_sape_mid2019_lsoa11_persons_syoa.csv.gz"
    shutil.copy(source, tmp_path / "ons_sape_mid2018_lsoa11_persons_syoa.csv.gz")
    files = {
        **population.sape_files(tmp_path),
        "census_2011": population.FILES["census_2011"],
        "district_mye": population.FILES["district_mye"],
    }
    assert population.lsoa_years(files) == (2011, 2018)
    frame = population.lsoa_population_for_year(2019, files=files)
    assert set(frame["base_year"]) == {2018} and len(frame) == 34_753
    assert round(frame["population"].sum()) == 59_439_840  # mid-2019 district estimates


def test_prepare_builds_the_three_tables(tmp_path, default_config, districts):
    from needs_assessment import prepare as prep

    data = default_config.data.model_copy(update={"processed_dir": tmp_path})
    config = default_config.model_copy(update={"data": data})
    names = ["district_population_mye21", "lsoa21_population", "force_population_mye21"]
    assert prep.prepare(config, only=names) == names
    pd.testing.assert_frame_equal(prep.read(config, "district_population_mye21"), districts)
    people = prep.read(config, "force_population_mye21")
    assert people.groupby("year")["population"].sum()[2023] == EW_TOTALS[2023]
    assert len(prep.read(config, "lsoa21_population")) == 35_672 * 12
