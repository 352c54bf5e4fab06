"""NHS HES admissions for assault by a sharp object, by region and month."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from needs_assessment.errors import DataError
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import hospital_admissions as hes

PATH = (
    RAW_DIR
    / "nhs_hes_assault_sharp_object"
    / "hes_assault_sharp_object_by_region_month_2012-13_to_2021-22.xlsx"
)
EAST = "East of England"


@pytest.fixture(scope="module")
def months() -> pd.DataFrame:
    return hes.load(PATH)


@pytest.fixture(scope="module")
def totals() -> pd.DataFrame:
    return hes.annual_totals(PATH)


def _by_year(frame, region):
    rows = frame[frame["region"] == region]
    return dict(zip(rows["financial_year"], rows["admissions"], strict=True))


def test_east_of_england_sum_of_months(months):
    sums = _by_year(hes.sum_of_months(months), EAST)
    assert {
        year: sums[year] for year in ("2012-13", "2017-18", "2019-20", "2020-21", "2021-22")
    } == {"2012-13": 270, "2017-18": 375, "2019-20": 380, "2020-21": 260, "2021-22": 290}


def test_east_of_england_published_totals_differ_by_rounding(months, totals):
    published = _by_year(totals, EAST)
    assert {
        year: published[year] for year in ("2012-13", "2017-18", "2019-20", "2020-21", "2021-22")
    } == {"2012-13": 275, "2017-18": 370, "2019-20": 375, "2020-21": 265, "2021-22": 290}
    sums = _by_year(hes.sum_of_months(months), EAST)
    assert all(abs(sums[year] - published[year]) <= 5 for year in published)


def test_last_total_row_is_mislabelled_but_assigned_to_its_year(totals):
    assert sorted(totals["financial_year"].unique()) == [
        f"{y}-{(y + 1) % 100:02d}" for y in range(2012, 2022)
    ]
    england = _by_year(totals, "England")
    assert (england["2020-21"], england["2021-22"]) == (4014, 4049)


def test_england_column_is_unrounded_and_adds_up(months, totals):
    sums = _by_year(hes.sum_of_months(months), "England")
    assert sums == _by_year(totals, "England")
    assert sums["2012-13"] == 3849


def test_months_layout(months):
    assert months["region"].nunique() == 14
    per_region = months.groupby("region").size()
    assert (per_region == 120).all()  # April 2012 - March 2022
    east = months[months["region"] == EAST]
    assert east["month"].min() == pd.Timestamp("2012-04-01")
    assert east["month"].max() == pd.Timestamp("2022-03-01")
    assert set(months["financial_year"]) >= {"2017-18", "2018-19"}  # labels had "\n"
    jan = months[(months["region"] == EAST) & (months["month"] == "2013-01-01")]
    assert jan["financial_year"].tolist() == ["2012-13"]
    april_2020 = months[(months["region"] == EAST) & (months["month"] == "2020-04-01")]
    assert april_2020["suppressed"].tolist() == [True]
    assert april_2020["admissions"].isna().all()
    assert (months["admissions"].dropna() % 5 == 0)[months["region"] != "England"].all()
    blank = months["admissions"].isna() & ~months["suppressed"]
    assert set(months[blank]["region"]) <= {
        "Foreign (incl. Isle of Man & Channel Islands)",
        "Other UK Country",
    }


# ------------------------------------------------------------------------- bad input

ROWS = [
    ["Count of Finished Admissions Episodes ..."],
    [],
    [],
    ["Activity in English NHS Hospitals"],
    [None, None, "East Midlands", None, "East of England", None],
    ["Year", "Month", "FAEs", "FCEs", "FAEs", "FCEs"],
    ["2012-13\n", "April", 15, 15, 20, 20],
    [None, "May", "*", "*", 40, 40],
    ["2012-13 Total", None, 20, 20, 60, 60],
    ["Source: Hospital Episode Statistics (HES), NHS Digital"],
]


def _workbook(tmp_path, rows, sheet=hes.SHEET, name="hes.xlsx"):
    book = openpyxl.Workbook()
    book.active.title = "Interpretation"
    target = book.create_sheet(sheet)
    for row in rows:
        target.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _edit(row, col, value):
    rows = [list(r) for r in ROWS]
    rows[row - 1][col] = value
    return rows


def test_small_workbook(tmp_path):
    frame = hes.load(_workbook(tmp_path, ROWS))
    assert len(frame) == 4
    may = frame[(frame["region"] == "East Midlands") & (frame["month"] == "2012-05-01")]
    assert may["suppressed"].tolist() == [True] and may["admissions"].isna().all()
    assert hes.annual_totals(_workbook(tmp_path, ROWS, name="b.xlsx"))["admissions"].tolist() == [
        20,
        60,
    ]


def test_non_numeric_count_names_row_and_column(tmp_path):
    path = _workbook(tmp_path, _edit(8, 4, "forty"))
    with pytest.raises(DataError, match="not a number: 'forty'") as caught:
        hes.load(path)
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        str(path),
        8,
        "E (East of England)",
    )
    assert "sheet 'GOR-Data-Totals'" in str(caught.value)


def test_missing_sheet(tmp_path):
    path = _workbook(tmp_path, ROWS, sheet="GOR-Data-Gender")
    with pytest.raises(DataError, match="sheet 'GOR-Data-Totals' is missing") as caught:
        hes.load(path)
    assert "'Interpretation'" in str(caught.value)


def test_missing_header_and_region(tmp_path):
    no_header = _workbook(tmp_path, _edit(6, 0, "Financial year"), name="a.xlsx")
    with pytest.raises(DataError, match="no header row with 'Year' and 'Month'") as caught:
        hes.load(no_header)
    assert caught.value.column == "Year"
    no_region = _workbook(tmp_path, _edit(5, 4, None), name="b.xlsx")
    with pytest.raises(DataError, match="region name missing") as caught:
        hes.load(no_region)
    assert (caught.value.row, caught.value.column) == (6, "E")


def test_bad_year_and_month(tmp_path):
    bad_year = _workbook(tmp_path, _edit(7, 0, "2012-14"), name="a.xlsx")
    with pytest.raises(DataError, match="not a financial year") as caught:
        hes.load(bad_year)
    assert (caught.value.row, caught.value.column) == (7, "A (Year)")
    bad_month = _workbook(tmp_path, _edit(8, 1, "Mai"), name="b.xlsx")
    with pytest.raises(DataError, match="not a month name: 'Mai'") as caught:
        hes.load(bad_month)
    assert (caught.value.row, caught.value.column) == (8, "B (Month)")


def test_empty_file_and_fractional_count(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match="file is empty"):
        hes.load(empty)
    fraction = _workbook(tmp_path, _edit(7, 2, 12.5))
    with pytest.raises(DataError, match="whole number") as caught:
        hes.load(fraction)
    assert (caught.value.row, caught.value.column) == (7, "C (East Midlands)")
