"""County Lines market indicators per district and financial year, and their trends.

Supply and possession offences per 1,000 residents (district mid-year population of the
year the financial year starts in; years past the newest estimate use the newest, and say
so), the supply-to-possession ratio (log-method interval), the share of supply offenders
under 18 (Wilson), *weapon-linked supply* and County Lines flagged offences, each with its
trend (``stats.poisson_trend``). **Weapon-linked supply** is the number of drug-supply
offences recorded in an LSOA and calendar month that also has at least one
possession-of-weapons offence. The alternative, drug offences carrying the sharp-instrument
or firearm marker, was rejected: those markers are recorded only for the violent, sexual and
robbery offences of the ONS knife and firearms collections, so on drug offences they are
empty by design. Co-location is not proof that the weapon and the drugs belong to the same
people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from needs_assessment.chapters.county_lines.markets import (
    DEFAULT_SETTINGS,
    KNIFE,
    POSSESSION,
    SUPPLY,
    VIOLENCE_WITH_INJURY,
    WEAPONS,
    Settings,
    codes,
    period_label,
    supply_rows,
    wilson_shares,
)
from needs_assessment.definitions import Definitions, offences_in
from needs_assessment.methods import stats
from needs_assessment.periods import financial_year_label

INDICATOR_COUNTS = [
    "supply_offences",
    "possession_offences",
    "supply_under_18",
    "weapon_linked_supply",
    "county_lines_flagged",
    "serious_violence",
]
#: Indicators with a trend: count column -> offset column (the population, or the supply
#: offenders whose age is known).
TREND_OFFSETS = {
    "supply_offences": "population",
    "possession_offences": "population",
    "supply_under_18": "supply_offenders_with_age",
    "weapon_linked_supply": "population",
    "county_lines_flagged": "population",
    "serious_violence": "population",
}
#: Count column -> stem of its rate columns (``<stem>_per_1000``, ``<stem>_lower_95``, ...).
RATE_STEMS = {
    "supply_offences": "supply",
    "possession_offences": "possession",
    "weapon_linked_supply": "weapon_linked",
    "county_lines_flagged": "county_lines",
    "serious_violence": "serious_violence",
}
#: Trend of an indicator: the interval of the annual change above, below or across zero.
RISING, FALLING, NO_CLEAR_TREND, NOT_ASSESSED = (
    "rising",
    "falling",
    "no clear trend",
    "not assessed",
)
NOT_FITTED = "not fitted: too few events"


def district_population_by_year(
    district_population: pd.DataFrame, districts: Iterable[str], years: Iterable[int]
) -> pd.DataFrame:
    """Mid-year population per district and year; years past the newest estimate take the
    newest (``population_year`` says which estimate was used)."""
    districts = list(districts)
    frame = district_population[district_population["code"].isin(districts)]
    newest = int(frame["year"].max())
    rows = []
    for year in sorted(set(int(y) for y in years)):
        used = min(year, newest)
        part = frame[frame["year"] == used]
        missing = set(districts) - set(part["code"])
        if missing:
            raise ValueError(f"no mid-{used} population for {sorted(missing)}")
        rows.append(
            pd.DataFrame(
                {
                    "district_code": part["code"].to_numpy(),
                    "year": year,
                    "population": part["population"].astype("int64").to_numpy(),
                    "population_year": used,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def serious_violence_mask(extract: pd.DataFrame, definitions: Definitions) -> pd.Series:
    """Violence with injury, or knife-eligible offences with the sharp-instrument marker."""
    return offences_in(extract, definitions.categories[VIOLENCE_WITH_INJURY]) | offences_in(
        extract, definitions.categories[KNIFE]
    )


def weapon_linked_supply(extract: pd.DataFrame, definitions: Definitions) -> pd.Series:
    """True for drug-supply offences in an LSOA-month with a possession-of-weapons offence."""
    month = extract["offence_date"].dt.to_period("M").astype(str)
    weapons = extract["home_office_code"].isin(codes(definitions, WEAPONS)).to_numpy()
    keys = pd.MultiIndex.from_arrays([extract["lsoa_code"].astype(str), month])
    linked = keys.isin(keys[weapons])
    supply = extract["home_office_code"].isin(codes(definitions, SUPPLY))
    return pd.Series(linked, index=extract.index) & supply & extract["lsoa_code"].notna()


def indicators(
    extract: pd.DataFrame,
    definitions: Definitions,
    districts: Mapping[str, str],
    population: pd.DataFrame,
    settings: Settings = DEFAULT_SETTINGS,
) -> pd.DataFrame:
    """Market indicators per district and financial year, with intervals.

    ``population`` is :func:`district_population_by_year` (it fixes the years).
    """
    area = extract[extract["district_code"].isin(list(districts))]
    supply = supply_rows(area, definitions, districts)
    flags = pd.DataFrame(
        {
            "district_code": area["district_code"],
            "year": area["year"],
            "supply_offences": area["home_office_code"].isin(codes(definitions, SUPPLY)),
            "possession_offences": area["home_office_code"].isin(codes(definitions, POSSESSION)),
            "weapon_linked_supply": weapon_linked_supply(area, definitions),
            "county_lines_flagged": area["county_lines"].astype(bool),
            "serious_violence": serious_violence_mask(area, definitions),
        }
    )
    counts = flags.groupby(["district_code", "year"]).sum()
    ages = supply.groupby(["district_code", "year"]).agg(
        supply_offenders_with_age=("age_known", "sum"), supply_under_18=("under_18", "sum")
    )
    frame = population.merge(
        counts.join(ages, how="outer").reset_index(), on=["district_code", "year"], how="left"
    )
    count_columns = [*INDICATOR_COUNTS, "supply_offenders_with_age"]
    frame[count_columns] = frame[count_columns].fillna(0).astype("int64")
    frame.insert(1, "district", frame["district_code"].map(districts))
    frame.insert(3, "financial_year", frame["year"].map(financial_year_label))
    level = settings.level
    for column, stem in RATE_STEMS.items():
        rate = stats.rate_interval(
            frame[column].astype(float), frame["population"].astype(float), per=1000, level=level
        )
        frame[f"{stem}_per_1000"] = rate.estimate
        frame[f"{stem}_lower_95"], frame[f"{stem}_upper_95"] = rate.lower, rate.upper
    ratio = stats.rate_ratio_interval(
        frame["supply_offences"].astype(float),
        1.0,
        frame["possession_offences"].astype(float),
        1.0,
        level,
    )
    frame["supply_to_possession"] = ratio.estimate
    frame["supply_to_possession_lower_95"] = ratio.lower
    frame["supply_to_possession_upper_95"] = ratio.upper
    share, lower, upper = wilson_shares(
        frame["supply_under_18"], frame["supply_offenders_with_age"], level
    )
    frame["under_18_share"], frame["under_18_lower_95"], frame["under_18_upper_95"] = (
        share,
        lower,
        upper,
    )
    share, lower, upper = wilson_shares(
        frame["weapon_linked_supply"], frame["supply_offences"], level
    )
    frame["weapon_linked_share"] = share
    frame["weapon_linked_share_lower_95"], frame["weapon_linked_share_upper_95"] = lower, upper
    return frame.sort_values(["district_code", "year"], key=_district_order(districts)).reset_index(
        drop=True
    )


def _district_order(districts: Mapping[str, str]):
    order = {code: i for i, code in enumerate(districts)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "district_code" else column

    return key


def indicator_trends(
    indicator_table: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Average annual % change of each indicator per district (Poisson / quasi-Poisson).

    A trend is fitted where there are at least 3 years, an offset (population or supply
    offenders with a known age) in every year, and at least ``min_events_for_rate`` events
    in total; otherwise the row says why not.
    """
    rows = []
    for (code, district), group in indicator_table.groupby(
        ["district_code", "district"], sort=False
    ):
        group = group.sort_values("year")
        years = group["year"].to_numpy()
        for column, offset in TREND_OFFSETS.items():
            counts = group[column].to_numpy(dtype=float)
            exposure = group[offset].to_numpy(dtype=float)
            row = {
                "district_code": code,
                "district": district,
                "indicator": column,
                "years": period_label([int(years[0]), int(years[-1])]),
                "events": int(counts.sum()),
            }
            too_few = counts.sum() < settings.min_events_for_rate
            if len(years) < 3 or (exposure <= 0).any() or too_few:
                row.update(
                    model=NOT_FITTED,
                    pct_change=np.nan,
                    lower_95=np.nan,
                    upper_95=np.nan,
                    p_value=np.nan,
                )
            else:
                fit = stats.poisson_trend(years, counts, exposure, level=settings.level)
                row.update(
                    model=fit.model,
                    pct_change=fit.pct_change,
                    lower_95=fit.lower,
                    upper_95=fit.upper,
                    p_value=fit.p_value,
                )
            row["direction"] = _direction(row["lower_95"], row["upper_95"])
            rows.append(row)
    return pd.DataFrame(rows)


def _direction(lower: float, upper: float) -> str:
    if pd.isna(lower):
        return NOT_ASSESSED
    return RISING if lower > 0 else FALLING if upper < 0 else NO_CLEAR_TREND
