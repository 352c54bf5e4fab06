"""The area's small areas, their event counts and person-years: one place for every chapter.

The unit is the 2011 LSOA. Every per-LSOA Series this module returns is indexed by
``lsoa11_code`` and holds every area LSOA (zeros included), in the order given.

Units:

- **counts** are events over the months pooled (``AreaCounts.months``). For police.uk
  these are only the months present in the street files (for Cambridgeshire 7, not
  consecutive), never a whole year unless the files hold one.
- **person-years** are residents x months / 12: each month counts 1/12 of a year at the
  ONS mid-year estimate of its calendar year (the nearest year with an estimate when its
  own has none). ``count / person_years * 1000`` is therefore events per 1,000
  person-years *over those N months*: a police.uk rate rests on the months present only,
  so state it as "per 1,000 residents over N months" scaled to 12, not as a year observed.
- **average population** is the residents of an LSOA averaged over the months pooled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

INDEX = "lsoa11_code"
IMD_COLUMNS = ("imd_rank", "imd_decile", "income_rank", "income_decile")
AREA_COLUMNS = ("lsoa11_code", "lsoa11_name", "district_code", "district")


@dataclass(frozen=True)
class AreaCounts:
    """Events per area LSOA over ``months``, and the events left out (not in any LSOA)."""

    per_lsoa: pd.Series  # index lsoa11_code (every area LSOA), int64, name "count"
    months: tuple[str, ...]  # 'YYYY-MM', the months pooled
    no_location: int = 0  # events with no LSOA
    outside_area: int = 0  # events located in an LSOA outside the area

    @property
    def total(self) -> int:
        """Events inside the area."""
        return int(self.per_lsoa.sum())


# -- the area --------------------------------------------------------------------------------


def area_lsoas(
    lookup: pd.DataFrame, districts: Mapping[str, str], *, imd: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The area's LSOAs: those of the lookup whose district (``lad17_code``) is in ``districts``.

    Columns ``lsoa11_code, lsoa11_name, district_code, district`` (``districts`` maps code to
    name), plus ``imd_rank, imd_decile, income_rank, income_decile`` (int64) when ``imd`` is
    given; one row per LSOA, sorted by code. Fails when no LSOA is in the districts, or when
    ``imd`` is given and an area LSOA has no rank.
    """
    _require(lookup, ["lsoa11_code", "lsoa11_name", "lad17_code"], "LSOA lookup")
    area = lookup.loc[
        lookup["lad17_code"].isin(list(districts)), ["lsoa11_code", "lsoa11_name", "lad17_code"]
    ].drop_duplicates("lsoa11_code")
    if area.empty:
        raise ValueError("no LSOA of the lookup lies in the configured districts")
    frame = area.rename(columns={"lad17_code": "district_code"})
    frame["district"] = frame["district_code"].map(dict(districts))
    frame = frame[list(AREA_COLUMNS)]
    if imd is not None:
        frame = _with_imd(frame, imd)
    return frame.sort_values("lsoa11_code").reset_index(drop=True)


def _with_imd(frame: pd.DataFrame, imd: pd.DataFrame) -> pd.DataFrame:
    _require(imd, ["lsoa11_code", *IMD_COLUMNS], "IMD table")
    frame = frame.merge(imd[["lsoa11_code", *IMD_COLUMNS]], on="lsoa11_code", how="left")
    missing = frame.loc[frame["imd_rank"].isna(), "lsoa11_code"]
    if len(missing):
        raise ValueError(f"{len(missing)} area LSOAs have no IMD 2019 rank, e.g. {missing.iloc[0]}")
    for column in IMD_COLUMNS:
        frame[column] = frame[column].astype("int64")
    return frame


# -- events ----------------------------------------------------------------------------------


def police_uk_months(counts: pd.DataFrame, within: Iterable[str] | None = None) -> tuple[str, ...]:
    """The months ('YYYY-MM') present in police.uk counts (any crime type), in order.

    With ``within``, only those months among it (e.g. the assessment period's).
    """
    present = set(_month_labels(counts["month"]))
    if within is not None:
        present &= set(within)
    return tuple(sorted(present))


def police_uk_counts(
    counts: pd.DataFrame, lsoa_codes: Iterable[str], crime_types: Iterable[str], months
) -> AreaCounts:
    """police.uk street-level crimes per area LSOA, pooled over ``months``.

    ``counts`` has ``month, crime_type, lsoa_code, crimes``. The months pooled are those
    of ``months`` present in ``counts`` (any crime type): the rate's N. Rows with no LSOA
    and rows located outside ``lsoa_codes`` are left out and counted. Fails when no month
    of ``months`` is present.
    """
    _require(counts, ["month", "crime_type", "lsoa_code", "crimes"], "police.uk counts")
    pooled = police_uk_months(counts, months)
    if not pooled:
        raise ValueError("no police.uk month falls in the months asked for")
    in_months = _month_labels(counts["month"]).isin(pooled).to_numpy()
    rows = counts[in_months & counts["crime_type"].isin(list(crime_types)).to_numpy()]
    return _counted(rows, rows["crimes"], lsoa_codes, pooled)


def extract_counts(
    extract: pd.DataFrame,
    lsoa_codes: Iterable[str],
    home_office_codes: Iterable[str],
    months,
    *,
    marker: str | None = None,
) -> AreaCounts:
    """Force-extract offences per area LSOA over ``months``: one offence, one event.

    Counts rows whose ``home_office_code`` is among ``home_office_codes`` (and, with
    ``marker``, whose marker column is true) dated in ``months``; the months pooled are
    all of ``months`` (the extract covers its whole period). Rows with no LSOA and rows
    located outside ``lsoa_codes`` are left out and counted.
    """
    _require(extract, ["offence_date", "home_office_code", "lsoa_code"], "force extract")
    months = tuple(months)
    if not months:
        raise ValueError("extract counts need at least one month")
    mask = extract["home_office_code"].isin(list(home_office_codes))
    if marker is not None:
        _require(extract, [marker], "force extract")
        mask &= extract[marker].fillna(False).astype(bool)
    mask &= _month_labels(extract["offence_date"]).isin(months)
    rows = extract[mask.to_numpy()]
    return _counted(rows, pd.Series(1, index=rows.index), lsoa_codes, months)


def _counted(rows: pd.DataFrame, events: pd.Series, lsoa_codes, months) -> AreaCounts:
    codes = list(lsoa_codes)
    located = rows["lsoa_code"].notna()
    inside = located & rows["lsoa_code"].isin(codes)
    per_lsoa = events[inside].groupby(rows.loc[inside, "lsoa_code"].astype(str)).sum()
    return AreaCounts(
        per_lsoa=every_lsoa(per_lsoa, codes),
        months=tuple(months),
        no_location=int(events[~located].sum()),
        outside_area=int(events[located & ~inside].sum()),
    )


def every_lsoa(per_lsoa: pd.Series, lsoa_codes: Iterable[str]) -> pd.Series:
    """``per_lsoa`` on every LSOA of ``lsoa_codes`` (zeros filled), int64, named ``count``."""
    index = pd.Index(list(lsoa_codes), name=INDEX)
    return per_lsoa.reindex(index, fill_value=0).astype("int64").rename("count")


def _month_labels(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates).dt.strftime("%Y-%m")


# -- population ------------------------------------------------------------------------------


def population_years(lsoa_population: pd.DataFrame, months) -> dict[int, int]:
    """``{mid-year estimate used: months}``: each month takes its calendar year's estimate.

    A year with no estimate uses the nearest year that has one (the earlier on a tie).
    """
    _require(lsoa_population, ["lsoa11_code", "year", "population"], "LSOA population")
    available = np.array(sorted(lsoa_population["year"].dropna().astype(int).unique()))
    if not len(available):
        raise ValueError("the LSOA population table has no year")
    used = [_nearest(available, int(month[:4])) for month in months]
    if not used:
        raise ValueError("population over no month asked for")
    counts = pd.Series(used).value_counts().sort_index()
    return {int(year): int(n) for year, n in counts.items()}


def average_population(
    lsoa_population: pd.DataFrame, months, lsoa_codes: Iterable[str]
) -> pd.Series:
    """Residents per LSOA averaged over ``months`` (see :func:`population_years`)."""
    weights = population_years(lsoa_population, months)
    return _weighted_population(lsoa_population, weights, lsoa_codes).rename("population")


def person_years(lsoa_population: pd.DataFrame, months, lsoa_codes: Iterable[str]) -> pd.Series:
    """Residents x years at risk per LSOA over ``months``: average population x N / 12.

    A rate ``count / person_years * 1000`` is per 1,000 residents over those N months,
    scaled to 12 months; it does not observe a whole year unless N months make one.
    """
    months = tuple(months)
    average = average_population(lsoa_population, months, lsoa_codes)
    return (average * len(months) / 12).rename("person_years")


def person_years_by_year(
    lsoa_population: pd.DataFrame, years_at_risk: Mapping[int, float], lsoa_codes
) -> pd.Series:
    """Person-years per LSOA from ``{estimate year: years at risk}`` (e.g. a financial year
    at its first year's estimate: ``{2019: 1.0}``); the nearest year stands in for a missing one.
    """
    _require(lsoa_population, ["lsoa11_code", "year", "population"], "LSOA population")
    available = np.array(sorted(lsoa_population["year"].dropna().astype(int).unique()))
    weights: dict[int, float] = {}
    for year, length in years_at_risk.items():
        nearest = _nearest(available, int(year))
        weights[nearest] = weights.get(nearest, 0.0) + float(length)
    if not weights or sum(weights.values()) <= 0:
        raise ValueError("person-years need at least one year at risk")
    average = _weighted_population(lsoa_population, weights, lsoa_codes)
    return (average * sum(weights.values())).rename("person_years")


def _weighted_population(lsoa_population, weights: Mapping[int, float], lsoa_codes) -> pd.Series:
    codes = list(lsoa_codes)
    rows = lsoa_population[lsoa_population["lsoa11_code"].isin(codes)]
    wide = rows.pivot_table(index="lsoa11_code", columns="year", values="population", aggfunc="sum")
    years = list(weights)
    missing = sorted(set(codes) - set(wide.index))
    if missing:
        raise ValueError(f"no population estimate for {len(missing)} LSOAs, e.g. {missing[0]}")
    wide = wide.reindex(index=pd.Index(codes, name=INDEX), columns=years)
    gaps = wide.isna().any(axis=1)
    if gaps.any():
        raise ValueError(f"no population estimate for LSOA {wide.index[gaps][0]} in some year")
    share = np.array([weights[y] for y in years], dtype=float)
    return (wide * share).sum(axis=1) / share.sum()


def _nearest(available: np.ndarray, year: int) -> int:
    return int(available[np.abs(available - year).argmin()])


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {', '.join(missing)}")
