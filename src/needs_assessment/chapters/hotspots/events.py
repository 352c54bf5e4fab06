"""Events by LSOA and period, for each tier of data, and the person-years they are rated on.

- **police.uk street-level crime** (:data:`tiers.POLICE_UK`): the months shipped in
  ``data/raw`` (for Cambridgeshire 7 months between October 2018 and January 2021). Rows
  without a location, or snapped to an LSOA outside the configured districts, are left out
  and counted.
- **the force offence extract** (:func:`tiers.force_extract`): by financial year; its hot
  spot tests use the latest :data:`EXTRACT_WINDOW_YEARS` years, its persistence every year.

Counting and person-years come from :mod:`needs_assessment.small_area` (one way for every
chapter): a police.uk month counts 1/12 of a year at its calendar year's ONS mid-year
estimate; a financial year counts one year at the estimate of its first year; a year with
no estimate uses the nearest year that has one. Rates (:func:`rate_denominator`) are per
1,000 residents *over the police.uk months* (not annualised: the months are not a year)
and per 1,000 residents *a year* over the extract's financial years.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from needs_assessment import small_area, tiers
from needs_assessment.definitions import Definitions
from needs_assessment.periods import financial_year_start, months_in_years
from needs_assessment.tiers import Tier

POLICE_UK_CATEGORIES = (
    "violence_and_sexual_offences",
    "robbery",
    "possession_of_weapons",
    "drug_offences",
)
EXTRACT_CATEGORIES = ("knife_crime", "violence_with_injury", "drug_supply")
EXTRACT_WINDOW_YEARS = 3


@dataclass(frozen=True)
class EventSet:
    """Counts of one tier by ``category, period, lsoa_code`` (column ``count``).

    ``periods`` lists every period the tier covers (``period``, display ``name``), in
    order; ``window`` names the periods hot spots use.
    ``excluded`` counts, per category, the events left out (no location, outside the area).
    """

    tier: Tier
    categories: tuple[str, ...]
    events: pd.DataFrame
    periods: pd.DataFrame
    window: tuple[str, ...]
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def key(self) -> str:
        return self.tier.key

    @property
    def label(self) -> str:
        return self.tier.label

    @property
    def synthetic(self) -> bool:
        return self.tier.synthetic

    @property
    def monthly(self) -> bool:
        """True for police.uk months (which need not be consecutive), False for years."""
        return self.tier.key == tiers.POLICE_UK.key

    def names(self, periods) -> list[str]:
        """The display names of ``periods`` ('October 2018', '2019/20')."""
        return self.periods.set_index("period")["name"].reindex(list(periods)).tolist()

    @property
    def window_label(self) -> str:
        """The periods hot spots use, e.g. '7 months, October 2018 to January 2021'."""
        return period_span(self.names(self.window), self.monthly)

    @property
    def span_label(self) -> str:
        """Every period the tier covers, e.g. '2010/11 to 2021/22'."""
        return period_span(self.names(self.periods["period"]), self.monthly)


def period_span(names: list[str], monthly: bool) -> str:
    """'2019/20 to 2021/22'; several months: '7 months, October 2018 to January 2021'."""
    span = names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"
    return f"{len(names)} months, {span}" if monthly and len(names) > 1 else span


def policeuk_events(
    counts: pd.DataFrame, definitions: Definitions, lsoa_codes, categories=POLICE_UK_CATEGORIES
) -> EventSet:
    """police.uk street-level counts by category, month and LSOA, inside the area only."""
    months = small_area.police_uk_months(counts)
    labels = counts["month"].dt.strftime("%Y-%m")
    by_month = {month: counts[labels == month] for month in months}
    frames, dropped = [], []
    for category in categories:
        types = definitions.categories[category].policeuk_crime_types
        monthly = {
            month: small_area.police_uk_counts(rows, lsoa_codes, types, [month])
            for month, rows in by_month.items()
        }
        frames += [_long(category, month, found) for month, found in monthly.items()]
        dropped.append(_excluded(category, monthly.values()))
    periods = pd.DataFrame(
        {"period": list(months), "name": pd.to_datetime(list(months)).strftime("%B %Y")}
    )
    return EventSet(
        tier=tiers.POLICE_UK,
        categories=tuple(categories),
        events=pd.concat(frames, ignore_index=True),
        periods=periods,
        window=tuple(months),
        excluded=pd.DataFrame(dropped),
    )


def extract_events(
    extract: pd.DataFrame,
    definitions: Definitions,
    lsoa_codes,
    synthetic: bool,
    categories=EXTRACT_CATEGORIES,
    window_years: int = EXTRACT_WINDOW_YEARS,
) -> EventSet:
    """Force extract counts by category, financial year and LSOA, inside the area only."""
    years = extract[["financial_year", "year"]].drop_duplicates().sort_values("year")
    labels = years["financial_year"].astype(str).tolist()
    by_year = {
        label: (extract[extract["year"] == year], months_in_years(year, year))
        for label, year in zip(labels, years["year"].astype(int), strict=True)
    }
    frames, dropped = [], []
    for category in categories:
        rule = definitions.categories[category]
        yearly = {
            label: small_area.extract_counts(
                rows, lsoa_codes, rule.home_office_codes, months, marker=rule.marker
            )
            for label, (rows, months) in by_year.items()
        }
        frames += [_long(category, label, found) for label, found in yearly.items()]
        dropped.append(_excluded(category, yearly.values()))
    return EventSet(
        tier=tiers.force_extract(synthetic),
        categories=tuple(categories),
        events=pd.concat(frames, ignore_index=True),
        periods=pd.DataFrame({"period": labels, "name": labels}),
        window=tuple(labels[-window_years:]),
        excluded=pd.DataFrame(dropped),
    )


def _long(category: str, period: str, found: small_area.AreaCounts) -> pd.DataFrame:
    """One period's counts as rows ``category, period, lsoa_code, count`` (LSOAs with events)."""
    counts = found.per_lsoa[found.per_lsoa > 0]
    return pd.DataFrame(
        {
            "category": category,
            "period": period,
            "lsoa_code": counts.index.astype(str),
            "count": counts.to_numpy(dtype=int),
        }
    )


def _excluded(category: str, found) -> dict:
    """Events of a category over every period, and those left out (no LSOA, outside)."""
    found = list(found)
    no_location = sum(f.no_location for f in found)
    outside = sum(f.outside_area for f in found)
    return {
        "category": category,
        "events": sum(f.total for f in found) + no_location + outside,
        "no_location": no_location,
        "outside_area": outside,
    }


def window_person_years(event_set: EventSet, population: pd.DataFrame, lsoa_codes) -> pd.Series:
    """Residents x years at risk per LSOA over the periods hot spots use (module docstring)."""
    if event_set.monthly:
        years = small_area.person_years(population, event_set.window, lsoa_codes)
    else:
        starts = {financial_year_start(label): 1.0 for label in event_set.window}
        years = small_area.person_years_by_year(population, starts, lsoa_codes)
    return years.rename_axis("lsoa_code")


def rate_denominator(event_set: EventSet, person_years: pd.Series) -> pd.Series:
    """What a rate divides by: for police.uk months, the average residents over the months
    (person-years x 12 / months: not a year, the months need not make one); for financial
    years, person-years (a rate a year)."""
    if event_set.monthly:
        return person_years * 12 / len(event_set.window)
    return person_years


def lsoa_counts(events: pd.DataFrame, category: str, periods, lsoa_codes) -> pd.Series:
    """Events per LSOA over ``periods`` (zeros included), indexed by ``lsoa_code``."""
    rows = events[(events["category"] == category) & events["period"].isin(list(periods))]
    counts = rows.groupby("lsoa_code")["count"].sum()
    return counts.reindex(list(lsoa_codes), fill_value=0).rename_axis("lsoa_code").astype(int)
