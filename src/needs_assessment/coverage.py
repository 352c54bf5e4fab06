"""What each processed table covers: rows, time span and areas.

Used by ``sna check-data`` to report each source, and by ``sna new`` to say which inputs
stop before a new assessment period ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from needs_assessment.config import AssessmentConfig, financial_year_label

#: table -> (date-like column, area column); None where the table has no such column.
SPANS: dict[str, tuple[str | None, str | None]] = {
    "recorded_crime": ("period_end", "force"),
    "pfa_offence_groups": ("period_end", "area_code"),
    "pfa_rates": ("period_end", "area_code"),
    "pfa_knife": ("period_end", "area_code"),
    "crime_severity": ("year_ending", "area_code"),
    "hospital_admissions": ("financial_year", "region"),
    "home_office_offences": ("financial_year", "area_name"),
    "police_uk_counts": ("month", "force"),
    "imd": (None, "lsoa11_code"),
    "lsoa_lookup": (None, "lsoa11_code"),
    "district_population": ("year", "code"),
    "force_population": ("year", "force"),
    "force_context": (None, "force"),
    "lsoa_population": ("year", "lsoa11_code"),
    "lsoa_boundaries": (None, "lsoa11_code"),
    "district_boundaries": (None, "lad17_code"),
    "force_extract": ("offence_date", "lsoa_code"),
}


@dataclass(frozen=True)
class Coverage:
    table: str
    rows: int
    first: str | None
    last: str | None
    last_financial_year: int | None  # start year of the last financial year with data
    areas: int | None

    def describe(self) -> str:
        span = f"{self.first} to {self.last}" if self.first else "no time dimension"
        areas = f", {self.areas:,} areas" if self.areas is not None else ""
        return f"{self.rows:,} rows, {span}{areas}"


def table_coverage(name: str, frame: pd.DataFrame) -> Coverage:
    """Rows, first and last period, and number of distinct areas of one processed table."""
    when, where = SPANS.get(name, (None, None))
    first = last = None
    last_fy = None
    if when is not None and when in frame and frame[when].notna().any():
        values = frame[when].dropna()
        if pd.api.types.is_datetime64_any_dtype(values):
            first, last = f"{values.min():%Y-%m}", f"{values.max():%Y-%m}"
            latest = values.max()
            last_fy = latest.year - (1 if latest.month <= 3 else 0)
        elif pd.api.types.is_numeric_dtype(values):
            first, last = str(int(values.min())), str(int(values.max()))
            last_fy = int(values.max())
        else:
            ordered = sorted(values.astype(str).unique())
            first, last = ordered[0], ordered[-1]
            last_fy = int(last[:4]) if last[:4].isdigit() else None
    areas = int(frame[where].nunique()) if where is not None and where in frame else None
    return Coverage(name, len(frame), first, last, last_fy, areas)


def stale_inputs(coverages: list[Coverage], config: AssessmentConfig) -> list[str]:
    """Sentences naming the tables whose data end before the assessment period does."""
    wanted = config.period.last_year
    notes = []
    for item in coverages:
        if item.last_financial_year is not None and item.last_financial_year < wanted:
            notes.append(
                f"{item.table}: data end in {financial_year_label(item.last_financial_year)}"
                f" ({item.last}), before {financial_year_label(wanted)}"
            )
    return notes
