"""ONS recorded crime at Police Force Area level: rolling 12-month totals by offence group.

The file (``rec-crime-pfa.csv``) has one row per period end x force x offence group, with
annual points to March 2007 and quarterly rolling years to December 2018. Quirks handled:
DD-MM-YYYY dates, one written ``30-12-2017`` (meaning the year ending 31 December 2017),
British Transport Police and fraud bodies listed among the forces, and a few small
negative totals (published adjustments, in fraud and illegal-driving groups), kept as published.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.forces import OTHER_BODIES
from needs_assessment.sources._common import (
    file_row,
    read_csv_text,
    require_columns,
    to_number,
    validate,
)

COLUMNS = {
    "12 months ending": "period_end",
    "PFA": "force",
    "Region": "region",
    "Offence": "offence_group",
    "Rolling year total number of offences": "count",
}
# Known misprints of period ends in the published file -> the date meant.
DATE_FIXES = {"30-12-2017": "31-12-2017"}

SCHEMA = pa.DataFrameSchema(
    {
        "period_end": pa.Column("datetime64[ns]"),
        "force": pa.Column(str, pa.Check.str_length(min_value=1)),
        "region": pa.Column(str),
        "offence_group": pa.Column(str, pa.Check.str_length(min_value=1)),
        "count": pa.Column("Int64"),  # a few small negatives: published adjustments
        "is_territorial_force": pa.Column(bool),
    },
    unique=["period_end", "force", "offence_group"],
    name="ONS recorded crime (rec-crime-pfa)",
    coerce=False,
)


def load(path: str | Path) -> pd.DataFrame:
    """Read and validate the rolling-year file; one tidy row per period end, force and group."""
    raw = read_csv_text(path)
    require_columns(raw, COLUMNS, path)
    frame = raw[list(COLUMNS)].rename(columns=COLUMNS)
    frame["period_end"] = _parse_period_end(raw["12 months ending"], raw, path)
    frame["count"] = to_number(raw, "Rolling year total number of offences", path)
    frame["is_territorial_force"] = ~frame["force"].isin(OTHER_BODIES)
    _check_month_ends(frame, raw, path)
    _check_unique(frame, raw, path)
    return validate(SCHEMA, frame, path)


def financial_years(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep the years ending 31 March and label them by financial year ('2017/18')."""
    march = frame[(frame["period_end"].dt.month == 3) & (frame["period_end"].dt.day == 31)]
    start = march["period_end"].dt.year - 1
    labels = start.astype(str) + "/" + (start + 1).mod(100).astype(str).str.zfill(2)
    return march.assign(financial_year=labels, year=start.astype(int))


def _parse_period_end(text: pd.Series, raw: pd.DataFrame, path) -> pd.Series:
    cleaned = text.str.strip().replace(DATE_FIXES)
    dates = pd.to_datetime(cleaned, format="%d-%m-%Y", errors="coerce")
    if dates.isna().any():
        position = int(dates.isna().to_numpy().argmax())
        raise DataError(
            path,
            f"not a DD-MM-YYYY date: {text.iloc[position]!r}",
            row=file_row(raw, position),
            column="12 months ending",
        )
    return dates.astype("datetime64[ns]")


def _check_month_ends(frame: pd.DataFrame, raw: pd.DataFrame, path) -> None:
    not_month_end = ~frame["period_end"].dt.is_month_end
    if not_month_end.any():
        position = int(not_month_end.to_numpy().argmax())
        raise DataError(
            path,
            f"period end {raw['12 months ending'].iloc[position]!r} is not the last day of a month",
            row=file_row(raw, position),
            column="12 months ending",
        )


def _check_unique(frame: pd.DataFrame, raw: pd.DataFrame, path) -> None:
    duplicated = frame.duplicated(["period_end", "force", "offence_group"])
    if duplicated.any():
        position = int(duplicated.to_numpy().argmax())
        raise DataError(
            path,
            "the same period, force and offence appear twice",
            row=file_row(raw, position),
            column="Offence",
        )
