"""Annual force-level series from the real data: counts, rates, peers and benchmark.

Two paths share the peers, pooling and ordering below:

* :func:`open_data_series` (the trends chapter): offence categories counted by offence code
  from one edition of the Home Office open data tables (2012/13 on,
  ``force_offence_categories``); 2010/11 and 2011/12 from the ONS rolling-year file, an
  *earlier vintage* kept apart by the ``vintage`` column (``earlier`` / ``current``), for the
  categories whose definition names ONS offence groups; knife or sharp instrument offences
  from ONS Table P5 (years ending March 2011 to March 2019), each year from the newest
  edition that covers it, so a value a later edition withdrew is never used. Rates use the
  Census-2021-based mid-year estimates from mid-2011 (``force_population_mye21``) and the
  older estimate before that (a year with it is also ``earlier``). Each category's rate is
  per :func:`rate_per` residents: per 1,000 by default, per 100,000 for knife crime and per
  million for homicide (:data:`RATE_PER`; a ``rate_per`` in a category of the definitions
  file overrides it once the definitions model has that field); published tables keep 4
  significant figures (:func:`significant`), so every published rate has at least 3.
* :func:`annual_rates` (County Lines, unchanged): counts from the ONS rolling-year file to
  2017/18 and the ONS PFA tables for 2018/19, rates per 1,000 on the pre-Census-2021
  estimates.

Rates are for financial year Y on the mid-Y population (2021/22 -> mid-2021). England and
Wales is the sum of the 43 territorial forces (of those with a value, for knife crime in
the years a later edition withdrew Greater Manchester's figure); peers are the forces most
like this one on density and deprivation (:func:`needs_assessment.forces.peer_forces`)
unless the config names them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs_assessment.config import AssessmentConfig, financial_year_label
from needs_assessment.definitions import Definitions
from needs_assessment.methods import stats
from needs_assessment.sources.ons_recorded_crime import financial_years

TIER_ONS = "ONS police recorded crime (real)"
TIER_ONS_TABLES = "ONS Police Force Area tables (real)"
TIER_HO = "Home Office police recorded crime open data tables (real)"
TIER_EARLIER = "ONS police recorded crime rolling-year file (real, earlier vintage)"
CURRENT, EARLIER = "current", "earlier"
#: Residents per rate where a category's rate is not per 1,000 (ONS publishes knife crime
#: per 100,000; homicide per 1,000 would need 5 decimals for 3 significant figures).
RATE_PER = {"homicide": 1_000_000, "knife_crime": 100_000}
DEFAULT_RATE_PER = 1_000
#: Significant figures a published rate keeps (one more than the 3 the page shows).
RATE_FIGURES = 4
NATIONAL = "England and Wales"
PEERS = "Peer forces"
FORCE_NAME_ALIASES = {"London, City of": "City of London"}
COLUMNS = [
    "area",
    "area_type",
    "category",
    "label",
    "financial_year",
    "year",
    "count",
    "population",
    "rate_per_1000",
    "rate_lower_95",
    "rate_upper_95",
    "source_tier",
]
#: The open-data series: rates per ``per`` residents, and the vintage of each row.
SERIES_COLUMNS = [
    *COLUMNS[:8],
    "per",
    "rate",
    "rate_lower_95",
    "rate_upper_95",
    "source_tier",
    "population_vintage",
    "vintage",
]


@dataclass(frozen=True)
class Sources:
    """The processed tables the force counts come from."""

    recorded_crime: pd.DataFrame
    pfa_offence_groups: pd.DataFrame
    pfa_knife: pd.DataFrame
    force_population: pd.DataFrame


def annual_rates(
    config: AssessmentConfig,
    definitions: Definitions,
    categories: Iterable[str],
    *,
    recorded_crime: pd.DataFrame,
    pfa_offence_groups: pd.DataFrame,
    pfa_knife: pd.DataFrame,
    force_population: pd.DataFrame,
    force_context: pd.DataFrame,
) -> pd.DataFrame:
    """Counts and rates per 1,000 for the force, its peers and England and Wales, by year.

    One row per area (``area_type`` force / peers / national), category and financial year
    of the configured period, with the columns in :data:`COLUMNS` (the interval columns are
    at the configured confidence level). ``categories`` are definition keys with a public
    ONS series (e.g. ``["drug_offences"]``); an unknown or unpublished one is an error.
    """
    wanted = list(categories)
    sources = Sources(recorded_crime, pfa_offence_groups, pfa_knife, force_population)
    counts = force_counts(sources, definitions)
    _check_categories(wanted, definitions, counts)
    peers = peer_group(config, force_context)
    series = annual_series(counts, force_population, config, definitions, list(peers["force"]))
    return series[series["category"].isin(wanted)].reset_index(drop=True)


def _check_categories(wanted: list[str], definitions: Definitions, counts: pd.DataFrame) -> None:
    unknown = [c for c in wanted if c not in definitions.categories]
    if unknown:
        raise ValueError(f"unknown offence categories: {', '.join(unknown)}")
    unpublished = [c for c in wanted if c not in set(counts["category"])]
    if unpublished:
        raise ValueError(f"no public ONS force series for: {', '.join(unpublished)}")


def peer_group(config: AssessmentConfig, force_context: pd.DataFrame) -> pd.DataFrame:
    """The configured peer forces, else the forces most like this one (one row per force)."""
    from needs_assessment.forces import peer_forces

    context = force_context.set_index("force")
    if not config.area.peers:
        return peer_forces(context, config.area.force)
    unknown = [p for p in config.area.peers if p not in context.index]
    if unknown:
        raise ValueError(f"area.peers names forces not in the force context: {', '.join(unknown)}")
    return context.loc[list(config.area.peers)].reset_index(names="force")


# -- counts for every force ------------------------------------------------------------


def force_counts(sources: Sources, definitions: Definitions) -> pd.DataFrame:
    """Counts per territorial force, category and financial year from the real ONS data.

    Columns ``force, category, year, count, source_tier``. Offence groups come from the
    rolling-year file where it has the year, else from the newest PFA table edition;
    knife or sharp instrument offences from Table P5.
    """
    groups = definitions.ons_group_to_category()
    rolling = _rolling_year_counts(sources.recorded_crime, groups)
    tables = _pfa_table_counts(sources.pfa_offence_groups, groups)
    tables = tables.merge(rolling[["force", "category", "year"]], how="left", indicator=True)
    tables = tables[tables.pop("_merge") == "left_only"]
    frames = [rolling, tables]
    knife = definitions.categories_with("ons_series")
    for key in knife:
        frames.append(_knife_counts(sources.pfa_knife).assign(category=key))
    counts = pd.concat(frames, ignore_index=True)
    return counts.sort_values(["force", "category", "year"]).reset_index(drop=True)


def _rolling_year_counts(recorded_crime: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    annual = financial_years(recorded_crime)
    annual = annual[annual["is_territorial_force"] & annual["offence_group"].isin(list(groups))]
    frame = annual.assign(category=annual["offence_group"].map(groups))
    frame = frame.groupby(["force", "category", "year"], as_index=False)["count"].sum()
    return frame.assign(source_tier=TIER_ONS)


def _pfa_table_counts(table: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    march = table[
        (table["area_type"] == "force")
        & (table["period_end"].dt.month == 3)
        & table["offence_group"].isin(list(groups))
    ]
    march = march.sort_values("edition").drop_duplicates(
        ["area_code", "period_end", "offence_group"], keep="last"
    )
    frame = pd.DataFrame(
        {
            "force": march["area_name"].replace(FORCE_NAME_ALIASES),
            "category": march["offence_group"].map(groups),
            "year": march["period_end"].dt.year - 1,
            "count": march["count"],
        }
    )
    frame = frame.groupby(["force", "category", "year"], as_index=False)["count"].sum()
    return frame.assign(source_tier=TIER_ONS_TABLES)


def _knife_counts(knife: pd.DataFrame) -> pd.DataFrame:
    march = knife[
        (knife["area_type"] == "force")
        & (knife["period_end"].dt.month == 3)
        & (knife["period_end"].dt.day == 31)
    ].dropna(subset=["knife_offences"])
    return pd.DataFrame(
        {
            "force": march["area_name"].replace(FORCE_NAME_ALIASES).to_numpy(),
            "year": (march["period_end"].dt.year - 1).to_numpy(),
            "count": march["knife_offences"].astype("Int64").to_numpy(),
            "source_tier": TIER_ONS_TABLES,
        }
    )


# -- rates for the force, the peers and England and Wales -------------------------------


def with_rates(frame: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Add rate per 1,000 and its interval (Byar; exact Poisson under 10 events)."""
    rate, lower, upper = stats.rate_interval(
        frame["count"].astype(float).to_numpy(),
        frame["population"].astype(float).to_numpy(),
        per=1000,
        level=level,
    )
    return frame.assign(
        rate_per_1000=np.round(rate, 3),
        rate_lower_95=np.round(lower, 3),
        rate_upper_95=np.round(upper, 3),
    )


def annual_series(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    config: AssessmentConfig,
    definitions: Definitions,
    peers: list[str],
) -> pd.DataFrame:
    """Rows for the force, its peer group and England and Wales, in the configured period.

    The peer group and the national benchmark only include years every member force has.
    """
    period = config.period
    counts = counts[counts["year"].between(period.first_year, period.last_year)]
    counts = counts.merge(population, on=["force", "year"], how="left")
    if counts["population"].isna().any():
        missing = counts.loc[counts["population"].isna(), ["force", "year"]].iloc[0]
        raise ValueError(f"no population for {missing['force']} in mid-{missing['year']}")
    force = counts[counts["force"] == config.area.force]
    if force.empty:
        raise ValueError(f"no recorded crime for force {config.area.force!r} in the period")
    parts = [
        force.assign(area=config.area.display_name, area_type="force"),
        _pooled(counts[counts["force"].isin(peers)], PEERS, "peers", len(peers)),
        _pooled(counts, NATIONAL, "national", counts["force"].nunique()),
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame["label"] = frame["category"].map(definitions.labels)
    frame["financial_year"] = frame["year"].map(financial_year_label)
    frame = with_rates(frame, config.thresholds.confidence_level)
    return _ordered(frame, list(definitions.categories))[COLUMNS]


def _pooled(counts: pd.DataFrame, area: str, area_type: str, members: int) -> pd.DataFrame:
    complete = counts.groupby(["category", "year"])["force"].transform("nunique") == members
    pooled = (
        counts[complete]
        .groupby(["category", "year"], as_index=False)
        .agg(
            count=("count", "sum"),
            population=("population", "sum"),
            source_tier=("source_tier", "first"),
        )
    )
    return pooled.assign(area=area, area_type=area_type)


def _ordered(frame: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    order = {"force": 0, "peers": 1, "national": 2}
    return (
        frame.assign(
            _c=frame["category"].map({c: i for i, c in enumerate(categories)}),
            _a=frame["area_type"].map(order),
        )
        .sort_values(["_a", "_c", "year"])
        .drop(columns=["_c", "_a"])
        .reset_index(drop=True)
    )


# -- the open-data series (trends) ----------------------------------------------------------


@dataclass(frozen=True)
class OpenData:
    """The processed tables the open-data series come from."""

    categories: pd.DataFrame  # force_offence_categories (Home Office open data, 2012/13 on)
    recorded_crime: pd.DataFrame  # the ONS rolling-year file (earlier vintage)
    pfa_knife: pd.DataFrame  # ONS Table P5, newest edition with a value per period
    population: pd.DataFrame  # force_population_mye21 (Census-2021-based)
    earlier_population: pd.DataFrame  # force_population (pre-Census-2021 estimates)


def rate_per(definitions: Definitions, category: str) -> int:
    """Residents per rate for ``category`` (1,000 unless :data:`RATE_PER` or the definition
    says otherwise)."""
    configured = getattr(definitions.categories[category], "rate_per", None)
    return int(configured or RATE_PER.get(category, DEFAULT_RATE_PER))


def open_data_counts(data: OpenData, definitions: Definitions) -> pd.DataFrame:
    """Counts per territorial force, category and financial year, with their vintage.

    Columns ``force, category, year, count, source_tier, vintage``.
    """
    current = data.categories[data.categories["area_type"] == "force"]
    current = pd.DataFrame(
        {
            "force": current["area"],
            "category": current["category"],
            "year": current["financial_year"].astype(int),
            "count": current["count"].astype("Int64"),
            "source_tier": TIER_HO,
            "vintage": CURRENT,
        }
    )
    frames = [current, _earlier_counts(data.recorded_crime, definitions, current)]
    for key in definitions.categories_with("ons_series"):
        knife = _knife_counts(published_knife(data.pfa_knife)).assign(category=key)
        frames.append(knife.assign(vintage=CURRENT))
    counts = pd.concat(frames, ignore_index=True)
    return counts.sort_values(["force", "category", "year"]).reset_index(drop=True)


def _earlier_counts(
    recorded_crime: pd.DataFrame, definitions: Definitions, current: pd.DataFrame
) -> pd.DataFrame:
    """The ONS rolling-year file's counts for the years before the open data begin, for the
    categories counted in both (those whose definition names ONS offence groups)."""
    groups = definitions.ons_group_to_category()
    both = {group: key for group, key in groups.items() if key in set(current["category"])}
    earlier = _rolling_year_counts(recorded_crime, both)
    earlier = earlier[earlier["year"] < int(current["year"].min())]
    return earlier.assign(source_tier=TIER_EARLIER, vintage=EARLIER)


def published_knife(knife: pd.DataFrame) -> pd.DataFrame:
    """Table P5 rows from the newest edition that covers each period.

    ``knife`` keeps one row per area and period (the newest edition *with a value*); a row
    from an older edition than the newest one covering its period is a value that edition
    withdrew, and is dropped with the rows the newest edition leaves blank.
    """
    newest = knife.groupby("period_end")["edition"].transform("max")
    return knife[knife["edition"].eq(newest)].dropna(subset=["knife_offences"])


def rate_population(data: OpenData) -> pd.DataFrame:
    """``force, year, population, population_vintage``: the Census-2021-based estimates for
    every year they cover, the older estimates only for earlier years."""
    current = data.population.assign(population_vintage=CURRENT)
    first = int(current["year"].min())
    earlier = data.earlier_population[data.earlier_population["year"] < first]
    return pd.concat([current, earlier.assign(population_vintage=EARLIER)], ignore_index=True)


def open_data_series(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    config: AssessmentConfig,
    definitions: Definitions,
    peers: list[str],
) -> pd.DataFrame:
    """Rows for the force, its peers and England and Wales in the configured period, with
    the columns in :data:`SERIES_COLUMNS` (rates per :func:`rate_per` residents)."""
    period = config.period
    counts = counts[counts["year"].between(period.first_year, period.last_year)]
    counts = _with_population(counts, population)
    counts["vintage"] = counts["vintage"].where(counts["population_vintage"] == CURRENT, EARLIER)
    force = counts[counts["force"] == config.area.force]
    if force.empty:
        raise ValueError(f"no recorded crime for force {config.area.force!r} in the period")
    parts = [
        force.assign(area=config.area.display_name, area_type="force"),
        _pooled(counts[counts["force"].isin(peers)], PEERS, "peers", len(peers)),
        _pooled_available(counts, NATIONAL, "national"),
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame["label"] = frame["category"].map(definitions.labels)
    frame["financial_year"] = frame["year"].map(financial_year_label)
    frame["per"] = frame["category"].map(lambda c: rate_per(definitions, c))
    frame = with_unit_rates(frame, config.thresholds.confidence_level)
    return _ordered(frame, list(definitions.categories))[SERIES_COLUMNS]


def _with_population(counts: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    counts = counts.merge(population, on=["force", "year"], how="left")
    if counts["population"].isna().any():
        missing = counts.loc[counts["population"].isna(), ["force", "year"]].iloc[0]
        raise ValueError(f"no population for {missing['force']} in mid-{missing['year']}")
    return counts


def _pooled_available(counts: pd.DataFrame, area: str, area_type: str) -> pd.DataFrame:
    """The sum of the forces with a count (all 43 but where a figure was withdrawn)."""
    return (
        counts.groupby(["category", "year"], as_index=False)
        .agg(
            count=("count", "sum"),
            population=("population", "sum"),
            source_tier=("source_tier", "first"),
            vintage=("vintage", "first"),
            population_vintage=("population_vintage", "first"),
            forces=("force", "nunique"),
        )
        .assign(area=area, area_type=area_type)
    )


def with_unit_rates(frame: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Add ``rate`` per ``per`` residents and its interval (Byar; exact Poisson under 10
    events), unrounded: ranks and judgements use them as they are, and a published table
    rounds them once (:func:`significant`)."""
    rate, lower, upper = stats.rate_interval(
        frame["count"].astype(float).to_numpy(),
        frame["population"].astype(float).to_numpy(),
        per=frame["per"].astype(float).to_numpy(),
        level=level,
    )
    return frame.assign(rate=rate, rate_lower_95=lower, rate_upper_95=upper)


def significant(values, figures: int | None = None) -> list[float | None]:
    """Each value rounded to ``figures`` significant figures (default :data:`RATE_FIGURES`);
    missing values stay missing."""
    figures = figures or RATE_FIGURES
    return [
        None if pd.isna(value) else float(f"{value:.{figures}g}")
        for value in pd.Series(values, dtype="Float64")
    ]
