"""Population loaders and the LSOA-population-for-a-year policy, on the real ONS files."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from needs_assessment.errors import DataError
from needs_assessment.sources import geography, population

CP_DISTRICTS = ["E07000008", "E07000009", "E07000010", "E07000011", "E07000012", "E06000031"]
CP_2018 = {"E06000031": 201_041, "E07000008": 125_758, "E07000009": 89_362,
           "E07000010": 101_491, "E07000011": 177_352, "E07000012": 157_519}  # fmt: skip


@pytest.fixture(scope="module")
def districts() -> pd.DataFrame:
    return population.read_district_population()


@pytest.fixture(scope="module")
def lookup() -> pd.DataFrame:
    return geography.read_lsoa_district_lookup()


@pytest.fixture(scope="module")
def cp_lsoas(lookup) -> set[str]:
    return set(geography.district_lsoas(lookup, CP_DISTRICTS))


def _estimate(frame: pd.DataFrame, code: str, year: int) -> int:
    return int(frame.set_index(["code", "year"]).loc[(code, year), "population"])


def test_district_estimates(districts):
    assert len(districts) == 6_620 and districts["year"].between(2001, 2020).all()
    assert _estimate(districts, "E06000031", 2010) == 181_762
    assert _estimate(districts, "E06000031", 2020) == 202_626
    assert _estimate(districts, "E07000008", 2018) == 125_758
    assert _estimate(districts, "E07000012", 2020) == 160_904
    assert not districts["code"].str.contains("\xa0").any()  # Northamptonshire codes stripped
    assert "E06000061" in set(districts["code"])


def test_mye2_title_lines_and_notes(districts):
    mye2 = population.read_mye2_persons()
    assert len(mye2) == 430 and set(mye2["year"]) == {2018}
    assert mye2.set_index("code").loc["K02000001", "population"] == 66_435_550
    cp = mye2[mye2["code"].isin(CP_DISTRICTS)].set_index("code")["population"]
    assert cp.to_dict() == CP_2018
    for code, value in CP_2018.items():
        assert _estimate(districts, code, 2018) == value


def test_mye2_ages_and_bad_number_row(tmp_path):
    ages = population.read_mye2_persons(ages=True)
    assert (ages.filter(like="age_").sum(axis=1) == ages["population"]).all()
    lines = population.FILES["mye2_2018"].read_text(encoding="utf-8-sig").splitlines()
    header_line = next(i for i, line in enumerate(lines, 1) if line.startswith("Code,"))
    assert header_line == 6  # a title cell holds a line break: 4 records above, 5 lines
    lines[header_line + 1] = lines[header_line + 1].replace('"64,553,909"', "n/a", 1)
    bad = tmp_path / "mye2.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match="not a number") as caught:
        population.read_mye2_persons(bad)
    assert (caught.value.row, caught.value.column) == (header_line + 2, "All ages")


@pytest.mark.parametrize(("year", "total", "cp_total"), [
    (2017, 58_744_595, 847_151), (2019, 59_439_840, 855_796), (2020, 59_719_724, 859_830),
])  # fmt: skip
def test_lsoa_estimates(year, total, cp_total, cp_lsoas):
    frame = population.read_lsoa_population(population.FILES[f"sape_{year}"])
    assert len(frame) == 34_753 and set(frame["year"]) == {year}
    assert frame["population"].sum() == total
    assert frame.loc[frame["lsoa11_code"].isin(cp_lsoas), "population"].sum() == cp_total


def test_lsoa_estimate_ages_optional(tmp_path):
    columns = ["lsoa11_code", "lsoa11_name", "total_population", "0", "1", "90+"]
    path = tmp_path / "ons_sape_mid2018_lsoa11_persons_syoa.csv.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(",".join(columns) + "\nE01000001,City of London 001A,6,1,2,3\n"
                     "E01000002,City of London 001B,x,1,2,3\n")  # fmt: skip
    with pytest.raises(DataError, match="not a number") as caught:
        population.read_lsoa_population(path, ages=True)
    assert (caught.value.row, caught.value.column) == (3, "total_population")
    path.write_bytes(gzip.compress(b"lsoa11_code,lsoa11_name,total_population,0,90+\n"
                                   b"E01000001,City of London 001A,6,1,5\n"))  # fmt: skip
    frame = population.read_lsoa_population(path, ages=True)
    assert list(frame.columns) == ["lsoa11_code", "lsoa11_name", "year", "population",
                                   "age_0", "age_90_plus"]  # fmt: skip
    assert frame["year"].iloc[0] == 2018


def test_census_2011_usual_residents(cp_lsoas, tmp_path):
    census = population.read_census_2011_lsoa()
    assert len(census) == 34_753 and census["population"].sum() == 56_075_912
    assert census.loc[census["lsoa11_code"].isin(cp_lsoas), "population"].sum() == 804_841
    first = census.set_index("lsoa11_code").loc["E01020634"]
    assert (first["population"], first["households"]) == (1_563, 666)
    lines = population.FILES["census_2011"].read_text().splitlines()[:3]
    lines[2] = lines[2].replace('"1,379","1,379",0', '"1,379","1,300",0')
    bad = tmp_path / "census.csv"
    bad.write_text("\n".join(lines))
    with pytest.raises(DataError, match="not all usual residents") as caught:
        population.read_census_2011_lsoa(bad)
    assert (caught.value.row, caught.value.column) == (3, "Persons")


@pytest.mark.parametrize(("year", "base"), [
    (2001, 2011), (2013, 2011), (2014, 2017), (2016, 2017), (2018, 2019), (2019, 2019),
    (2020, 2020), (2021, 2020),
])  # fmt: skip
def test_nearest_lsoa_year(year, base):
    assert population.nearest_lsoa_year(year) == base


def test_lsoa_population_scaled_to_district_estimates(districts, lookup, cp_lsoas):
    def cp(year):
        frame = population.lsoa_population_for_year(year, districts=districts, lookup=lookup)
        return frame[frame["lsoa11_code"].isin(cp_lsoas)]

    same = cp(2017)
    assert (same["scale"] == 1).all() and same["population"].sum() == 847_151
    y2018 = cp(2018)
    assert set(y2018["base_year"]) == {2019} and len(y2018) == 487
    sums = y2018.groupby("district_code")["population"].sum().round(6)
    assert sums.to_dict() == {code: float(v) for code, v in CP_2018.items()}
    y2010 = cp(2010)
    assert set(y2010["base_year"]) == {2011}
    peterborough = y2010.loc[y2010["district_code"] == "E06000031", "population"].sum()
    assert round(peterborough, 6) == 181_762


def test_lsoa_population_maps_merged_districts(districts, lookup):
    frame = population.lsoa_population_for_year(2020, districts=districts, lookup=lookup)
    assert len(frame) == 34_753
    dorset = frame.loc[frame["district_code"] == "E06000059", "population"].sum()
    assert round(dorset) == _estimate(districts, "E06000059", 2020)
    with pytest.raises(DataError, match="no district estimates for 1999"):
        population.lsoa_population_for_year(1999, districts=districts, lookup=lookup)
