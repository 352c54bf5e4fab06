"""NHS hospital admissions for assault by a sharp object (HES, external cause X99),
by Government Office Region of residence and month, England, April 2012 onwards.

Sheet ``GOR-Data-Totals`` of the NHS Digital tabulation for the Home Office. Layout and
quirks handled:

* header on two rows: region names on the upper row (one per pair of columns), "FAEs" /
  "FCEs" below, next to "Year" / "Month"; only FAEs (finished admission episodes) are read;
* the year label ("2017-18", some with a trailing space or newline) is written only on the
  first month of each year;
* ``*`` = suppressed (1 to 7 admissions) -> null ``admissions``, ``suppressed`` True; a few
  blank cells (2020-21, "Foreign" / "Other UK Country") -> null, ``suppressed`` False;
* counts are rounded to the nearest 5 (the "England" column is not rounded);
* each year ends with a "YYYY-YY Total" row: the published annual figure, rounded on its
  own, so it can differ by 5-10 from the sum of the rounded months. The last one is
  mislabelled "2020-21 Total" although it closes 2021-22: :func:`annual_totals` assigns each
  total row to the year block it closes.

Counts are by patient residence, not where the assault happened; 2021-22 is provisional.
"""

from __future__ import annotations

import calendar
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from openpyxl.utils import get_column_letter

from needs_assessment.errors import DataError
from needs_assessment.sources._common import read_sheet, validate

SHEET = "GOR-Data-Totals"
YEAR = re.compile(r"(\d{4})-(\d{2})")
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}

_COMMON = {
    "region": pa.Column(str, pa.Check.str_length(min_value=1)),
    "financial_year": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$")),
}
_COUNTS = {
    "admissions": pa.Column("Int64", pa.Check.ge(0), nullable=True),
    "suppressed": pa.Column(bool),
}
SCHEMA = pa.DataFrameSchema(
    {**_COMMON, "month": pa.Column("datetime64[ns]"), **_COUNTS},
    unique=["region", "month"],
    name="HES assault by sharp object, months",
    strict=True,
)
ANNUAL_SCHEMA = pa.DataFrameSchema(
    {**_COMMON, **_COUNTS},
    unique=["region", "financial_year"],
    name="HES assault by sharp object, annual totals",
    strict=True,
)


def load(path: str | Path, sheet: str = SHEET) -> pd.DataFrame:
    """Monthly FAEs per region: region, financial_year, month (1st), admissions, suppressed."""
    name, rows = read_sheet(path, sheet)
    header, regions = _header(path, name, rows)
    records = [
        {
            "_row": index + 1,
            "region": region,
            "financial_year": year,
            "month": _month_start(year, month),
            **_count(path, name, rows, index, col, region),
        }
        for index, year, month in _lines(path, name, rows, header)
        if month
        for col, region in regions
    ]
    return _finish(path, name, records, SCHEMA, ["month"])


def annual_totals(path: str | Path, sheet: str = SHEET) -> pd.DataFrame:
    """The published "YYYY-YY Total" rows: region, financial_year, admissions, suppressed."""
    name, rows = read_sheet(path, sheet)
    header, regions = _header(path, name, rows)
    records = [
        {
            "_row": index + 1,
            "region": region,
            "financial_year": year,
            **_count(path, name, rows, index, col, region),
        }
        for index, year, month in _lines(path, name, rows, header)
        if not month
        for col, region in regions
    ]
    return _finish(path, name, records, ANNUAL_SCHEMA, [])


def sum_of_months(frame: pd.DataFrame) -> pd.DataFrame:
    """Financial-year sums of the monthly figures (suppressed months count as 0), with the
    number of suppressed months: region, financial_year, admissions, suppressed_months."""
    grouped = frame.groupby(["region", "financial_year"], sort=False)
    return grouped.agg(
        admissions=("admissions", "sum"), suppressed_months=("suppressed", "sum")
    ).reset_index()


# ---------------------------------------------------------------------------- parsing


def _header(path, sheet: str, rows: list[tuple]) -> tuple[int, list[tuple[int, str]]]:
    """0-based header row ("Year", "Month", "FAEs", ...) and (column, region) of each FAEs."""
    for index, row in enumerate(rows[:20]):
        if [_text(c).lower() for c in row[:2]] == ["year", "month"] and index > 0:
            regions = [
                (col, _text(rows[index - 1][col]))
                for col, cell in enumerate(row)
                if _text(cell) == "FAEs"
            ]
            for col, region in regions:
                if not region:
                    raise _fail(path, sheet, "region name missing above an FAEs column", index, col)
            if not regions:
                raise _fail(
                    path, sheet, "no 'FAEs' columns next to 'Year', 'Month'", index, label="FAEs"
                )
            return index, regions
    raise _fail(
        path, sheet, "no header row with 'Year' and 'Month' in the first 20 rows", label="Year"
    )


def _lines(path, sheet: str, rows: list[tuple], header: int):
    """(0-based row, financial year, month name or "" for a total row) per data row."""
    year = None
    for index in range(header + 1, len(rows)):
        first, month = _text(_cell(rows, index, 0)), _text(_cell(rows, index, 1)).lower()
        if first.lower().startswith("source"):
            break
        if first.lower().endswith("total"):
            if year is None:
                raise _fail(path, sheet, "total row before any year", index, 0, "Year")
            yield index, year, ""  # belongs to the block above, whatever its label says
            continue
        if first:
            year = _financial_year(path, sheet, first, index)
        if not month:
            continue
        if month not in MONTHS:
            raise _fail(
                path, sheet, f"not a month name: {_cell(rows, index, 1)!r}", index, 1, "Month"
            )
        if year is None:
            raise _fail(path, sheet, "month before any year label", index, 0, "Year")
        yield index, year, month


def _financial_year(path, sheet: str, text: str, index: int) -> str:
    match = YEAR.fullmatch(text.strip())
    if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise _fail(path, sheet, f"not a financial year like '2017-18': {text!r}", index, 0, "Year")
    return match.group(0)


def _count(path, sheet: str, rows: list[tuple], index: int, col: int, region: str) -> dict:
    """{"admissions", "suppressed"} from one cell: whole number, "*" or blank."""
    value = _cell(rows, index, col)
    text = _text(value)
    if text == "*":
        return {"admissions": None, "suppressed": True}
    if not text:
        return {"admissions": None, "suppressed": False}
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        raise _fail(path, sheet, f"not a number: {value!r}", index, col, region) from None
    if number != round(number) or number < 0:
        raise _fail(
            path,
            sheet,
            f"expected a whole number of admissions, found {value!r}",
            index,
            col,
            region,
        )
    return {"admissions": int(number), "suppressed": False}


def _finish(
    path, sheet: str, records: list[dict], schema: pa.DataFrameSchema, order: list[str]
) -> pd.DataFrame:
    if not records:
        raise _fail(path, sheet, "no data rows below the header")
    frame = pd.DataFrame.from_records(records)
    frame["admissions"] = frame["admissions"].astype("float64").astype("Int64")
    if "month" in frame:
        frame["month"] = frame["month"].astype("datetime64[ns]")
    frame = frame.sort_values(["region", "financial_year", *order], kind="stable")
    rows = frame.pop("_row")
    return validate(schema, frame, path, rows=rows).reset_index(drop=True)


def _month_start(year: str, month: str) -> pd.Timestamp:
    number = MONTHS[month]
    start = int(year[:4])
    return pd.Timestamp(start if number >= 4 else start + 1, number, 1)


def _fail(
    path,
    sheet: str,
    problem: str,
    index: int | None = None,
    col: int | None = None,
    label: str | None = None,
) -> DataError:
    column = label
    if col is not None:
        column = get_column_letter(col + 1) + (f" ({label})" if label else "")
    row = None if index is None else index + 1
    return DataError(path, f"sheet '{sheet}': {problem}", row=row, column=column)


def _cell(rows: list[tuple], index: int, col: int):
    row = rows[index]
    return row[col] if col < len(row) else None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
