"""The Home Office's three violence reduction measures for under-25s, each from the
richest tier available and labelled with it.

1. Hospital admissions for assault with a sharp object (real, NHS HES): by region of
   residence and age group only, so the nearest bands to under-25 (10-19 and 20-29) in the
   area's region; suppressed months (``*`` = 1 to 7) give a lower and an upper bound.
2. Knife-enabled serious violence with a victim under 25 (force extract): rows of the
   ``knife_crime`` codes carrying its marker, victim aged under 25.
3. Non-domestic homicide with a victim under 25 (force extract): homicide rows with a
   victim aged under 25 and ``domestic_abuse = N``; not available without that flag.

Rates: per 100,000 residents of the age group (as ONS publishes knife crime).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from needs_assessment import tiers
from needs_assessment.definitions import Definitions
from needs_assessment.methods import stats

PER = 100_000
YOUNG = 25
HES_BANDS = ("10-19", "20-29")
KNIFE, HOMICIDE = "knife_crime", "homicide"


@dataclass(frozen=True)
class Measure:
    """One measure: its key, tier, and (when available) the latest year's figures."""

    key: str
    tier: tiers.Tier | None
    available: bool
    gap: str = ""  # why not available (a key the words turn into a sentence)
    period: str = ""
    count: int | None = None
    lower: float | None = None  # bounds of a suppressed count (HES), else the count
    upper: float | None = None
    rate: float | None = None
    rate_lower: float | None = None
    rate_upper: float | None = None
    bands: tuple[str, ...] = ()
    by_band: dict[str, dict] = field(default_factory=dict)
    series: dict[int, int] = field(default_factory=dict)
    population_basis: str = ""


def home_office_measures(
    extract: pd.DataFrame | None,
    definitions: Definitions,
    population: pd.DataFrame,
    admissions: pd.DataFrame,
    district_population_age: pd.DataFrame,
    region: tuple[str, str] | None,
    tier: tiers.Tier | None,
    level: float,
) -> list[Measure]:
    """The three measures, in the Home Office's order."""
    return [
        sharp_object_admissions(admissions, district_population_age, region),
        knife_victims_under_25(extract, definitions, population, tier, level),
        non_domestic_homicide_under_25(extract, definitions, population, tier, level),
    ]


def sharp_object_admissions(
    admissions: pd.DataFrame, population: pd.DataFrame, region: tuple[str, str] | None
) -> Measure:
    """The latest year's admissions aged 10-19 and 20-29 in the area's region."""
    if region is None:
        return Measure("sharp_object_admissions", tiers.HOSPITAL, False, gap="no_region")
    code, name = region
    rows = admissions[(admissions["region"] == name) & admissions["age_band"].isin(HES_BANDS)]
    if rows.empty:
        return Measure("sharp_object_admissions", tiers.HOSPITAL, False, gap="no_admissions")
    year = max(rows["financial_year"])
    latest = rows[rows["financial_year"] == year].set_index("age_band")
    residents = _region_residents(population, code, int(year[:4]))
    by_band = {}
    for band in HES_BANDS:
        row = latest.loc[band]
        people = residents.get(band)
        by_band[band] = {
            "shown": int(row["admissions_shown"]),
            "suppressed_months": int(row["suppressed_months"]),
            "lower": int(row["lower"]),
            "upper": int(row["upper"]),
            "rate_lower": row["lower"] / people * PER if people else None,
            "rate_upper": row["upper"] / people * PER if people else None,
            "population": people,
        }
    young = by_band[HES_BANDS[0]]
    return Measure(
        "sharp_object_admissions",
        tiers.HOSPITAL,
        True,
        period=year.replace("-", "/"),
        lower=young["lower"],
        upper=young["upper"],
        rate_lower=young["rate_lower"],
        rate_upper=young["rate_upper"],
        bands=HES_BANDS,
        by_band=by_band,
    )


def _region_residents(population: pd.DataFrame, code: str, year: int) -> dict[str, int]:
    rows = population[
        (population["code"] == code)
        & (population["sex"] == "persons")
        & (population["year"] == year)
    ]
    out = {}
    for band in HES_BANDS:
        low, high = (int(x) for x in band.split("-"))
        people = int(rows.loc[rows["age"].between(low, high), "population"].sum())
        if people:
            out[band] = people
    return out


def knife_victims_under_25(
    extract, definitions: Definitions, population, tier, level: float
) -> Measure:
    if extract is None:
        return Measure("knife_under_25", None, False, gap="no_extract")
    knife = definitions.categories.get(KNIFE)
    if knife is None:
        return Measure("knife_under_25", tier, False, gap="no_definition")
    rows = extract[extract["home_office_code"].isin(list(knife.home_office_codes))]
    if knife.marker:
        rows = rows[rows[knife.marker]]
    return _young_victims("knife_under_25", rows, extract, population, tier, level)


def non_domestic_homicide_under_25(
    extract, definitions: Definitions, population, tier, level: float
) -> Measure:
    if extract is None:
        return Measure("homicide_under_25", None, False, gap="no_extract")
    if "domestic_abuse" not in extract.columns:
        return Measure("homicide_under_25", tier, False, gap="no_domestic_flag")
    homicide = definitions.categories[HOMICIDE]
    rows = extract[extract["home_office_code"].isin(list(homicide.home_office_codes))]
    rows = rows[~rows["domestic_abuse"]]
    return _young_victims("homicide_under_25", rows, extract, population, tier, level)


def _young_victims(key, rows, extract, population, tier, level: float) -> Measure:
    young = rows[rows["victim_age"] < YOUNG]
    years = sorted(int(y) for y in extract["year"].unique())
    series = young.groupby("year").size().reindex(years, fill_value=0)
    latest = years[-1]
    count = int(series[latest])
    residents = population[
        (population["year"] == latest)
        & (population["sex"] == "persons")
        & (population["age"] < YOUNG)
    ]
    people = int(residents["population"].sum())
    rate = lower = upper = None
    if people:
        rate, lower, upper = (float(v) for v in stats.rate_interval(count, people, PER, level))
    return Measure(
        key,
        tier,
        True,
        period=f"{latest}/{(latest + 1) % 100:02d}",
        count=count,
        lower=count,
        upper=count,
        rate=rate,
        rate_lower=lower,
        rate_upper=upper,
        series={int(y): int(n) for y, n in series.items()},
        population_basis=str(residents["basis"].iloc[0]) if people else "",
    )
