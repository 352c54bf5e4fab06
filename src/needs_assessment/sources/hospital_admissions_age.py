"""NHS hospital admissions for assault by a sharp object by region and AGE GROUP, England.

Sheet ``GOR-Data-Age-Group`` of the workbook read by :mod:`.hospital_admissions`: under
the same two-row header (region names above "FAEs" / "FCEs"), one row per month and age
group ("Year", "Month", "Age group"); the year is written on its first month, the month
on its first age group. Age labels change between years ("10 to 19", "10-19", "Under 10",
"0 to 9", "80 and over", "80+", "Unknown Age", "Unknown") and are read as the bands
``0-9``, ``10-19``, ... ``80+`` and ``unknown``. A month with no row for a band had no
admissions in it. ``*`` = 1 to 7 (suppressed); blank = none shown; counts rounded to 5.

:func:`annual_by_age` gives, per region, financial year and band, the sum of the shown
monthly figures and bounds for the suppressed months (1 and 7 each). By patient
residence, not where the assault happened; 2021-22 is provisional.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.sources._common import read_sheet, validate

SHEET = "GOR-Data-Age-Group"
SUPPRESSED_LOW, SUPPRESSED_HIGH = 1, 7
YEAR = re.compile(r"^(\d{4})-(\d{2})$")
BAND = re.compile(r"^(\d+)\s*(?:to|-)\s*(\d+)$")

SCHEMA = pa.DataFrameSchema(
    {
        "region": pa.Column(str, pa.Check.str_length(min_value=1)),
        "financial_year": pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$")),
        "age_band": pa.Column(str),
        "admissions_shown": pa.Column("int64", pa.Check.ge(0)),
        "suppressed_months": pa.Column("int64", pa.Check.in_range(0, 12)),
        "lower": pa.Column("int64", pa.Check.ge(0)),
        "upper": pa.Column("int64", pa.Check.ge(0)),
    },
    unique=["region", "financial_year", "age_band"],
    name="HES assault by sharp object, by age group",
    strict=True,
    ordered=True,
)


def age_band(label: str) -> str | None:
    """'10 to 19' / '10-19' -> '10-19'; 'Under 10' -> '0-9'; '80+' -> '80+'; 'Unknown' ->
    'unknown'; anything else None."""
    text = " ".join(str(label).split()).lower()
    if text.startswith("unknown"):
        return "unknown"
    if text == "under 10":
        return "0-9"
    if text in ("80 and over", "80+"):
        return "80+"
    match = BAND.match(text)
    return f"{int(match.group(1))}-{int(match.group(2))}" if match else None


def annual_by_age(path: str | Path, sheet: str = SHEET) -> pd.DataFrame:
    """FAEs per region, financial year and age band, with bounds for suppressed months."""
    name, rows = read_sheet(path, sheet)
    header, regions = _header(path, name, rows)
    records = []
    year = None
    for index in range(header + 1, len(rows)):
        row = rows[index]
        first = _text(row[0])
        if first and not YEAR.match(first):
            if "total" in first.lower():
                continue
            break  # the source line under the table
        year = first or year
        label = _text(row[2]) if len(row) > 2 else ""
        if not label:
            continue
        band = age_band(label)
        if year is None or band is None:
            raise DataError(path, f"sheet '{name}': unknown age group {label!r}",
                            row=index + 1, column="C")  # fmt: skip
        for col, region in regions:
            records.append(_cell(path, name, rows, index, col, region, year, band))
    if not records:
        raise DataError(path, f"sheet '{name}' has no age-group rows")
    return _annual(pd.DataFrame.from_records(records), path)


def _header(path, sheet: str, rows: list[tuple]) -> tuple[int, list[tuple[int, str]]]:
    for index, row in enumerate(rows[:20]):
        cells = [_text(c).lower() for c in row[:3]]
        if cells == ["year", "month", "age group"] and index > 0:
            regions = [
                (col, _text(rows[index - 1][col]))
                for col, cell in enumerate(row)
                if _text(cell) == "FAEs" and _text(rows[index - 1][col])
            ]
            if regions:
                return index, regions
    raise DataError(path, f"sheet '{sheet}': no 'Year, Month, Age group' header in 20 rows")


def _cell(path, sheet, rows, index, col, region, year, band) -> dict:
    value = rows[index][col] if col < len(rows[index]) else None
    text = _text(value)
    record = {"region": region, "financial_year": year, "age_band": band}
    if text == "*":
        return {**record, "shown": 0, "suppressed": 1}
    if text == "":
        return {**record, "shown": 0, "suppressed": 0}
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if number < 0 or number != int(number):
        raise DataError(path, f"sheet '{sheet}': not a count: {text!r}",
                        row=index + 1, column=region)  # fmt: skip
    return {**record, "shown": int(number), "suppressed": 0}


def _annual(cells: pd.DataFrame, path) -> pd.DataFrame:
    grouped = cells.groupby(["region", "financial_year", "age_band"], sort=False).agg(
        admissions_shown=("shown", "sum"), suppressed_months=("suppressed", "sum")
    )
    frame = grouped.reset_index()
    frame["lower"] = frame["admissions_shown"] + SUPPRESSED_LOW * frame["suppressed_months"]
    frame["upper"] = frame["admissions_shown"] + SUPPRESSED_HIGH * frame["suppressed_months"]
    for column in ("admissions_shown", "suppressed_months", "lower", "upper"):
        frame[column] = frame[column].astype("int64")
    for column in ("region", "financial_year", "age_band"):
        frame[column] = frame[column].astype("str")
    return validate(SCHEMA, frame, path)


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())
