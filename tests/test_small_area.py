"""The shared small-area module, on hand-made frames with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from needs_assessment import small_area
from needs_assessment.periods import months_in_years

LOOKUP = pd.DataFrame(
    {
        "lsoa11_code": ["E01000003", "E01000001", "E01000002", "E01000009"],
        "lsoa11_name": ["C 1", "A 1", "B 1", "Elsewhere 1"],
        "lad17_code": ["E07000001", "E07000001", "E07000002", "E07000099"],
    }
)
DISTRICTS = {"E07000001": "Alpha", "E07000002": "Beta"}
IMD = pd.DataFrame(
    {
        "lsoa11_code": ["E01000001", "E01000002", "E01000003", "E01000009"],
        "imd_rank": [100, 20000, 3000, 5],
        "imd_decile": [1, 7, 1, 1],
        "income_rank": [200, 19000, 2500, 7],
        "income_decile": [1, 6, 1, 1],
    }
)
CODES = ["E01000001", "E01000002", "E01000003"]


def test_area_lsoas_keeps_the_districts_sorted_with_names():
    frame = small_area.area_lsoas(LOOKUP, DISTRICTS)
    assert list(frame.columns) == ["lsoa11_code", "lsoa11_name", "district_code", "district"]
    assert list(frame["lsoa11_code"]) == CODES
    assert list(frame["district"]) == ["Alpha", "Beta", "Alpha"]


def test_area_lsoas_with_imd_adds_integer_ranks():
    frame = small_area.area_lsoas(LOOKUP, DISTRICTS, imd=IMD)
    assert list(frame["imd_rank"]) == [100, 20000, 3000]
    assert list(frame["income_decile"]) == [1, 6, 1]
    assert frame["imd_rank"].dtype == "int64"


def test_area_lsoas_refuses_no_lsoa_and_a_missing_rank():
    with pytest.raises(ValueError, match="configured districts"):
        small_area.area_lsoas(LOOKUP, {"E07000050": "Nowhere"})
    with pytest.raises(ValueError, match="no IMD 2019 rank, e.g. E01000003"):
        small_area.area_lsoas(LOOKUP, DISTRICTS, imd=IMD[IMD["lsoa11_code"] != "E01000003"])
    with pytest.raises(ValueError, match="lacks column"):
        small_area.area_lsoas(LOOKUP.drop(columns="lsoa11_name"), DISTRICTS)


POLICE = pd.DataFrame(
    {
        "month": pd.to_datetime(
            ["2019-04-01", "2019-04-01", "2019-04-01", "2019-05-01", "2019-05-01", "2020-06-01"]
            + ["2019-07-01"]
        ),
        "crime_type": ["Violence", "Violence", "Robbery", "Violence", "Violence", "Violence"]
        + ["Drugs"],
        "lsoa_code": ["E01000001", None, "E01000002", "E01000001", "E01000009", "E01000003"]
        + ["E01000002"],
        "crimes": [4, 2, 3, 1, 5, 7, 1],
    }
)


def test_police_uk_counts_pools_the_months_present_and_counts_exclusions():
    months = months_in_years(2019, 2019)  # April 2019 to March 2020
    counted = small_area.police_uk_counts(POLICE, CODES, ["Violence"], months)
    assert counted.months == ("2019-04", "2019-05", "2019-07")  # July: a Drugs row only
    assert counted.per_lsoa.to_dict() == {"E01000001": 5, "E01000002": 0, "E01000003": 0}
    assert counted.per_lsoa.index.name == "lsoa11_code"
    assert (counted.no_location, counted.outside_area, counted.total) == (2, 5, 5)


def test_police_uk_counts_over_every_month_and_several_types():
    months = small_area.police_uk_months(POLICE)
    assert months == ("2019-04", "2019-05", "2019-07", "2020-06")
    counted = small_area.police_uk_counts(POLICE, CODES, ["Violence", "Robbery"], months)
    assert counted.per_lsoa.tolist() == [5, 3, 7]


def test_police_uk_counts_refuses_months_it_does_not_hold():
    with pytest.raises(ValueError, match="no police.uk month"):
        small_area.police_uk_counts(POLICE, CODES, ["Violence"], months_in_years(2015, 2015))


EXTRACT = pd.DataFrame(
    {
        "offence_date": pd.to_datetime(
            ["2019-04-02", "2019-06-30", "2020-03-31", "2020-04-01", "2019-05-05", "2019-05-06"]
            + ["2019-08-08"]
        ),
        "home_office_code": ["8N", "8N", "5D", "8N", "8N", "8N", "99"],
        "lsoa_code": ["E01000002", "E01000002", "E01000003", "E01000002", None, "E01000009"]
        + ["E01000001"],
        "sharp_instrument": [True, False, True, True, True, True, True],
    }
)


def test_extract_counts_selects_codes_marker_and_months():
    months = months_in_years(2019, 2019)
    counted = small_area.extract_counts(
        EXTRACT, CODES, ["8N", "5D"], months, marker="sharp_instrument"
    )
    assert counted.per_lsoa.tolist() == [0, 1, 1]  # April 2020 is outside; one 8N unmarked
    assert (counted.no_location, counted.outside_area) == (1, 1)
    assert len(counted.months) == 12
    unmarked = small_area.extract_counts(EXTRACT, CODES, ["8N", "5D"], months)
    assert unmarked.per_lsoa.tolist() == [0, 2, 1]


POPULATION = pd.DataFrame(
    {
        "lsoa11_code": CODES * 2,
        "year": [2019] * 3 + [2020] * 3,
        "population": [1200, 2400, 600, 1800, 2400, 0],
    }
)


def test_population_years_takes_each_months_calendar_year_or_the_nearest():
    months = months_in_years(2019, 2020)  # April 2019 to March 2021: 2021 has no estimate
    assert small_area.population_years(POPULATION, months) == {2019: 9, 2020: 15}
    assert small_area.population_years(POPULATION, ["2016-01"]) == {2019: 1}


def test_average_population_and_person_years():
    months = months_in_years(2019, 2019)  # 9 months of 2019, 3 of 2020
    average = small_area.average_population(POPULATION, months, CODES)
    assert average.tolist() == pytest.approx([1350.0, 2400.0, 450.0])
    years = small_area.person_years(POPULATION, months, CODES)
    assert years.tolist() == pytest.approx([1350.0, 2400.0, 450.0])  # 12 months: 1 year
    seven = small_area.person_years(POPULATION, ["2019-04", "2019-05"], CODES)
    assert seven.tolist() == pytest.approx([200.0, 400.0, 100.0])  # 2 months = 1/6 year
    assert years.index.name == "lsoa11_code"


def test_person_years_by_year_for_financial_years_at_their_first_year():
    years = small_area.person_years_by_year(POPULATION, {2019: 1.0, 2020: 1.0, 2021: 1.0}, CODES)
    assert years.tolist() == pytest.approx([1200 + 1800 + 1800, 2400 * 3, 600.0])


def test_person_years_refuses_an_lsoa_without_population():
    with pytest.raises(ValueError, match="no population estimate for 1 LSOAs, e.g. E01000009"):
        small_area.person_years(POPULATION, ["2019-04"], [*CODES, "E01000009"])
