"""Financial-year arithmetic, in one place: labels, years of dates, months of a period.

A financial year is named by the calendar year it starts in: 2017 is 2017/18, April 2017
to March 2018.
"""

from __future__ import annotations

import re

import pandas as pd

FY_LABEL = re.compile(r"^(?P<start>\d{4})/(?P<end>\d{2})$")


def financial_year_label(start_year: int) -> str:
    """2017 -> '2017/18'."""
    start_year = int(start_year)
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def financial_year_start(label: str) -> int:
    """'2017/18' -> 2017; refuses a label whose two years do not follow on."""
    match = FY_LABEL.match(str(label).strip())
    if not match or (int(match["start"]) + 1) % 100 != int(match["end"]):
        raise ValueError(f"not a financial year label: {label!r} (expected e.g. '2017/18')")
    return int(match["start"])


def financial_year_of(dates: pd.Series) -> pd.Series:
    """The financial year (start year) each date falls in."""
    dates = pd.to_datetime(dates)
    return (dates.dt.year - (dates.dt.month < 4)).astype("Int64")


def months_in_years(first_year: int, last_year: int) -> tuple[str, ...]:
    """'YYYY-MM' for every month of financial years ``first_year`` to ``last_year``."""
    months = pd.period_range(f"{first_year}-04", f"{last_year + 1}-03", freq="M")
    return tuple(str(month) for month in months)
