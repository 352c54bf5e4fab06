"""What each processed table covers: rows, time span and areas.

Used by ``sna check-data`` to report each source, by ``sna new`` to say which inputs
stop before a new assessment period ends, and by every chapter page built on the force
extract to say which categories and years it holds too little of (:func:`thin_extract`).
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
    "wimd": (None, "lsoa11_code"),
    "lsoa_lookup": (None, "lsoa11_code"),
    "district_population": ("year", "code"),
    "force_population": ("year", "force"),
    "force_context": (None, "force"),
    "lsoa_population": ("year", "lsoa11_code"),
    "lsoa_boundaries": (None, "lsoa11_code"),
    "district_boundaries": (None, "lad17_code"),
    "force_extract": ("offence_date", "lsoa_code"),
}


#: table -> the publication that supplies its next edition (for ``sna new``).
PUBLICATIONS: dict[str, str] = {
    "recorded_crime": "ONS, Police recorded crime by police force area (rolling-year file)",
    "pfa_offence_groups": "ONS, Crime in England and Wales: Police Force Area data tables",
    "pfa_rates": "ONS, Crime in England and Wales: Police Force Area data tables",
    "pfa_knife": "ONS, Crime in England and Wales: Police Force Area data tables",
    "crime_severity": "ONS, Crime Severity Score (experimental statistics), by force",
    "hospital_admissions": "NHS England, Hospital Episode Statistics: assault by sharp object",
    "hospital_admissions_age": "NHS England, Hospital Episode Statistics: assault by sharp object",
    "home_office_offences": "Home Office, police recorded crime open data tables",
    "force_offences": "Home Office, police recorded crime open data tables (PFA)",
    "force_offence_categories": "Home Office, police recorded crime open data tables (PFA)",
    "force_offence_rolling_year": "Home Office, police recorded crime open data tables (PFA)",
    "police_uk_counts": "data.police.uk, street-level crime archive (the force's months)",
    "force_extract": "the force's own offence-level extract (docs/force_extract.md)",
    "district_population": "ONS, mid-year population estimates for local authorities",
    "force_population": "ONS, mid-year population estimates for local authorities",
    "lsoa_population": "ONS, small area population estimates (LSOA)",
    "district_population_mye21": "ONS, mid-year population estimates (Census 2021 based)",
    "force_population_mye21": "ONS, mid-year population estimates (Census 2021 based)",
    "lsoa21_population": "ONS, small area population estimates (2021 LSOAs)",
    "district_population_age": "ONS, mid-year estimates by single year of age",
    "sape_population_age": "ONS, small area population estimates by single year of age",
    "gdp_deflator": "ONS, GDP deflator (YBGB), quarterly national accounts",
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


# -- the configured area in each source (``sna check-data``) -------------------------------


@dataclass(frozen=True)
class AreaCheck:
    """How much of one source covers the configured area."""

    source: str
    rows: int
    detail: str

    @property
    def ok(self) -> bool:
        return self.rows > 0


def area_checks(
    config: AssessmentConfig, tables: dict[str, pd.DataFrame | None]
) -> list[AreaCheck]:
    """Rows for the area's force, districts and LSOAs in each source (a missing table: no
    check). ``tables`` are the processed tables by name, None for one the config omits."""
    force, districts = config.area.force, set(config.area.districts)
    lookup = tables["lsoa_lookup"]
    lsoas = set(lookup.loc[lookup["lad17_code"].isin(districts), "lsoa11_code"])
    checks = [
        AreaCheck("lsoa_lookup", len(lsoas), f"{len(lsoas):,} LSOAs in {len(districts)} districts"),
        _rows("recorded_crime", tables.get("recorded_crime"), "force", {force}, force),
        _rows(
            "force_offence_categories",
            tables.get("force_offence_categories"),
            "area",
            {force},
            force,
        ),
        _rows(
            "district_population",
            tables.get("district_population"),
            "code",
            districts,
            "its districts",
        ),
    ]
    for index, prefix, country in (("imd", "E", "English"), ("wimd", "W", "Welsh")):
        own = {lsoa for lsoa in lsoas if lsoa.startswith(prefix)}  # each country's own index
        if own:
            checks.append(
                _rows(index, tables.get(index), "lsoa11_code", own, f"its {country} LSOAs")
            )
    police = tables.get("police_uk_counts")
    if police is not None:
        checks.append(_rows("police_uk_counts", police, "lsoa_code", lsoas, "its LSOAs"))
    extract = tables.get("force_extract")
    if extract is not None:
        checks.append(_rows("force_extract", extract, "lsoa_code", lsoas, "its LSOAs"))
    return [check for check in checks if check is not None]


def _rows(name: str, frame: pd.DataFrame | None, column: str, wanted: set, what: str):
    if frame is None:
        return None
    inside = frame[column].isin(wanted)
    return AreaCheck(
        name, int(inside.sum()), f"{int(inside.sum()):,} of {len(frame):,} rows for {what}"
    )


# -- a thin extract: its yearly totals against the published force counts ------------------

#: An extract whose yearly count for a category falls below this share of the Home Office's
#: published count for the force is "read with care" for that category and year.
THIN_SHARE = 0.8


@dataclass(frozen=True)
class ThinYear:
    category: str
    financial_year: int
    extract: int
    published: int

    @property
    def share(self) -> float:
        return self.extract / self.published


def thin_extract(
    extract: pd.DataFrame,
    published: pd.DataFrame,
    force: str,
    definitions,
    share: float = THIN_SHARE,
) -> list[ThinYear]:
    """Category-years where the extract holds under ``share`` of the published force count.

    ``published`` is the processed ``force_offence_categories`` table. Compared only where
    the extract covers the force (not a partnership: its districts hold part of the force's
    offences by design) and the published count is above zero.
    """
    from needs_assessment.definitions import offences_in

    counts = published[published["area"] == force].set_index(["category", "financial_year"])
    thin = []
    for key, category in definitions.categories_with("home_office_codes").items():
        per_year = extract[offences_in(extract, category)].groupby("year").size()
        for year, count in per_year.items():
            total = counts["count"].get((key, int(year)))
            if total and count < share * total:
                thin.append(ThinYear(key, int(year), int(count), int(total)))
    return thin


@dataclass(frozen=True)
class ThinCategory:
    """One category's thin years, as the chapter pages name them."""

    category: str
    runs: tuple[tuple[int, int], ...]  # (first, last) financial years of each unbroken run
    lowest_share: float


def thin_by_category(thin: list[ThinYear], first_year: int, last_year: int) -> list[ThinCategory]:
    """The thin years of the period ``first_year`` to ``last_year``, grouped by category
    (in order of first appearance) into runs of consecutive years."""
    grouped: dict[str, list[ThinYear]] = {}
    for item in thin:
        if first_year <= item.financial_year <= last_year:
            grouped.setdefault(item.category, []).append(item)
    return [
        ThinCategory(
            category,
            year_runs(sorted(i.financial_year for i in items)),
            min(i.share for i in items),
        )
        for category, items in grouped.items()
    ]


def year_runs(years: list[int]) -> tuple[tuple[int, int], ...]:
    """[2012, 2013, 2014, 2017] -> ((2012, 2014), (2017, 2017))."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return tuple((first, last) for first, last in runs)
