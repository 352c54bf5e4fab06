"""Trends chapter: serious violence by financial year, with rates, benchmarks and judgements.

The force, peer and England and Wales series come from
:func:`needs_assessment.force_series.open_data_series` (Home Office open data from 2012/13,
the ONS rolling-year file as an earlier vintage before that, ONS Table P5 for knife crime;
Census-2021-based populations). This module adds what the chapter judges: the latest year
against the previous year, the 3-year average, the long-term trend, England and Wales and
the other forces (ranked as ONS ranks them, :mod:`needs_assessment.methods.ranks`); the
rolling 12 months and the published rolling-year ranks (:mod:`.rolling`); the context
series that run past the counts; and, from the force extract, districts and gun crime.
Frames and typed values only: tables are shaped in ``tables``, words in ``words`` and
``text/``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs_assessment import tiers
from needs_assessment.chapters.trends import rolling
from needs_assessment.config import AssessmentConfig, financial_year_label
from needs_assessment.definitions import Definitions, offences_in
from needs_assessment.force_series import (
    CURRENT,
    EARLIER,
    NATIONAL,
    SERIES_COLUMNS,
    OpenData,
    open_data_counts,
    open_data_series,
    peer_group,
    rate_per,
    rate_population,
    with_unit_rates,
)
from needs_assessment.forces import NOT_RANKED
from needs_assessment.methods import change, stats
from needs_assessment.methods.ranks import grouped_ons_ranks, rank_label

ENGLAND_AND_WALES_CODE = "K04000001"
COVID_YEAR = rolling.COVID_YEAR  # financial year 2020/21: lockdowns throughout
SEVERITY_GROUP = "Violence against the person"
AVERAGE_YEARS = 3  # the latest year is also judged against the average of the 3 before it
DISTRICT_CATEGORIES = ("violence_with_injury", "knife_crime", "robbery", "possession_of_weapons")
#: The force extract's series (districts, gun crime): the open-data columns, no vintage.
EXTRACT_COLUMNS = [*SERIES_COLUMNS[: SERIES_COLUMNS.index("source_tier") + 1], "district_code"]


# -- the chapter in one call ---------------------------------------------------------------


@dataclass(frozen=True)
class TrendsChapter:
    """What the chapter shows; ``extract_tier`` and the extract's frames are None without one."""

    series: pd.DataFrame
    judgements: pd.DataFrame
    coverage: dict
    peers: pd.DataFrame
    peers_chosen: bool
    severity: pd.DataFrame
    admissions: pd.DataFrame
    region: str | None
    rolling: pd.DataFrame
    rolling_ranks: pd.DataFrame
    latest: dict
    extract_tier: tiers.Tier | None = None
    districts: pd.DataFrame | None = None
    gun_crime: pd.DataFrame | None = None


def build(
    config: AssessmentConfig,
    definitions: Definitions,
    *,
    force_offence_categories: pd.DataFrame,
    force_offence_rolling_year: pd.DataFrame,
    recorded_crime: pd.DataFrame,
    pfa_knife: pd.DataFrame,
    pfa_rates: pd.DataFrame,
    pfa_offence_groups: pd.DataFrame,
    force_population_mye21: pd.DataFrame,
    force_population: pd.DataFrame,
    force_context: pd.DataFrame,
    lsoa_lookup: pd.DataFrame,
    crime_severity: pd.DataFrame,
    hospital_admissions: pd.DataFrame,
    district_population_mye21: pd.DataFrame,
    district_population: pd.DataFrame,
    force_extract: pd.DataFrame | None,
) -> TrendsChapter:
    """Everything the chapter shows, from the processed tables it names.

    ``force_extract`` is None when the config names no extract: no districts, no gun crime.
    """
    data = OpenData(
        force_offence_categories,
        recorded_crime,
        pfa_knife,
        force_population_mye21,
        force_population,
    )
    counts = open_data_counts(data, definitions)
    people = rate_population(data)
    peers = peer_group(config, force_context)
    series = open_data_series(counts, people, config, definitions, list(peers["force"]))
    level = config.thresholds.confidence_level
    region = region_of(lsoa_lookup, list(config.area.districts))
    shown = set(series["category"])
    published = rolling.published_ranks(
        pfa_rates, pfa_offence_groups, pfa_knife, config, definitions
    )
    populations = _district_populations(district_population_mye21, district_population)
    return TrendsChapter(
        series=series,
        judgements=judgements(series, ranks(counts, people, config), level),
        coverage=coverage(series, config),
        peers=peers,
        peers_chosen=bool(config.area.peers),
        severity=severity_series(crime_severity, config.area.force_code, config),
        admissions=admissions_series(hospital_admissions, region, config),
        region=region,
        rolling=rolling.rolling_year(
            force_offence_rolling_year[force_offence_rolling_year["category"].isin(shown)],
            pfa_knife,
            series[series["area_type"] == "force"],
            config,
            definitions,
            level,
        ),
        rolling_ranks=published[published["category"].isin(shown)].reset_index(drop=True),
        latest=latest_year(series),
        **_from_extract(config, definitions, force_extract, populations, people),
    )


def _district_populations(current: pd.DataFrame, earlier: pd.DataFrame) -> pd.DataFrame:
    """District estimates on the Census 2021 base; the older estimates only before them."""
    first = int(current["year"].min())
    older = earlier[earlier["year"] < first]
    keep = ["code", "year", "population"]
    return pd.concat([current[keep], older[keep]], ignore_index=True)


def _from_extract(config, definitions, extract, district_population, force_population) -> dict:
    if extract is None:
        return {}
    tier = tiers.force_extract(bool(config.data.force_extract_is_synthetic))
    return {
        "extract_tier": tier,
        "districts": extract_series(extract, district_population, config, definitions, tier),
        "gun_crime": gun_crime_series(extract, config, definitions, force_population, tier),
    }


def region_of(lsoa_lookup: pd.DataFrame, districts: list[str]) -> str | None:
    """The region most of the force's LSOAs lie in (None outside the lookup's regions)."""
    regions = lsoa_lookup.loc[lsoa_lookup["lad17_code"].isin(districts), "region_name"].dropna()
    return regions.mode().iloc[0] if len(regions) else None


def latest_year(series: pd.DataFrame) -> dict:
    """The latest financial year of real force counts, and the source it comes from."""
    force = series[series["area_type"] == "force"]
    row = force.loc[force["year"].idxmax()]
    return {"financial_year": row["financial_year"], "source": row["source_tier"]}


# -- benchmarks, rank and judgements -----------------------------------------------------


def ranks(counts: pd.DataFrame, population: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """The force's ONS rank on each category's unrounded rate, per year (1 = highest).

    Every force with a count is ranked but City of London (:data:`forces.NOT_RANKED`); a
    year a figure was withdrawn ranks the forces that have one. Columns ``category, year,
    rank, tied, of``.
    """
    period = config.period
    frame = counts[counts["year"].between(period.first_year, period.last_year)]
    frame = frame.merge(population, on=["force", "year"]).dropna(subset=["count"])
    frame = frame.assign(rate=frame["count"].astype(float) / frame["population"].astype(float))
    ranked = grouped_ons_ranks(frame, ["category", "year"], "force", "rate", NOT_RANKED)
    return ranked[ranked["force"] == config.area.force].drop(columns="force")


def judgements(series: pd.DataFrame, rank_table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """The performance-pack table: the latest year of each category, judged four ways.

    - against the previous year and the average of the ``AVERAGE_YEARS`` before it, as
      rates, by :mod:`needs_assessment.methods.change`: the earlier rate carried forward along
      the force's own trend, the year-to-year variation measured from the force's own series
      (the current vintage's years before the latest, less the lockdown year ``COVID_YEAR``);
    - against England and Wales, by whether the national rate lies inside the force's
      interval at ``level`` (the Fingertips rule);
    - the long-term trend: annual % change from a Poisson regression of counts on year
      with the population as offset (quasi-Poisson when overdispersed).

    The ``*_includes_lockdown`` columns say whether each baseline or trend has ``COVID_YEAR``.
    """
    rows = []
    force = series[series["area_type"] == "force"]
    national = series[series["area_type"] == "national"].set_index(["category", "year"])
    peers = series[series["area_type"] == "peers"].set_index(["category", "year"])
    for category, group in force.groupby("category", sort=False):
        rows.append(_judge(category, group.sort_values("year"), national, peers, rank_table, level))
    return pd.DataFrame(rows)


def _judge(category, group, national, peers, rank_table, level) -> dict:
    latest = group.iloc[-1]
    year = int(latest["year"])
    previous = group[group["year"] == year - 1]
    earlier = group[group["year"].between(year - AVERAGE_YEARS, year - 1)]
    previous_count = int(previous["count"].iloc[0]) if len(previous) else None
    average = float(earlier["count"].mean()) if len(earlier) == AVERAGE_YEARS else None
    trend = stats.poisson_trend(
        group["year"].to_numpy(),
        group["count"].astype(float).to_numpy(),
        group["population"].astype(float).to_numpy(),
        level=level,
    )
    fit = _baseline_fit(group[(group["year"] < year) & (group["vintage"] == CURRENT)])
    vs_previous = _change(fit, latest, previous, level)
    vs_average = _change(fit, latest, earlier if average is not None else earlier.iloc[0:0], level)
    benchmark = national["rate"].get((category, year))
    peer_rate = peers["rate"].get((category, year))
    rank = rank_table[(rank_table["category"] == category) & (rank_table["year"] == year)]
    per = int(latest["per"])
    return {
        "category": category,
        "label": latest["label"],
        "financial_year": latest["financial_year"],
        "count": int(latest["count"]),
        "per": per,
        "rate": latest["rate"],
        "rate_lower_95": latest["rate_lower_95"],
        "rate_upper_95": latest["rate_upper_95"],
        "rate_per_1000": _per_1000(latest["count"], latest["population"]),
        "previous_count": previous_count,
        "change_on_previous_pct": _pct(latest["count"], previous_count),
        "vs_previous_year": change.judgement_of(vs_previous),
        "expected_change_on_previous_pct": _expected_pct(vs_previous, latest, previous),
        "previous_includes_lockdown": COVID_YEAR in set(previous["year"]),
        "three_year_average": None if average is None else round(average, 1),
        "vs_three_year_average": change.judgement_of(vs_average),
        "expected_change_on_average_pct": _expected_pct(vs_average, latest, earlier),
        "average_includes_lockdown": average is not None and COVID_YEAR in set(earlier["year"]),
        "dispersion": None if fit is None else round(fit.dispersion, 1),
        "trend_pct_per_year": round(trend.pct_change, 1),
        "trend_lower_95": round(trend.lower, 1),
        "trend_upper_95": round(trend.upper, 1),
        "trend_years": f"{group['financial_year'].iloc[0]} to {latest['financial_year']}",
        "trend_model": trend.model,
        "trend_includes_lockdown": COVID_YEAR in set(group["year"]),
        "benchmark_rate": None if benchmark is None else float(benchmark),
        "england_wales_rate": None if benchmark is None else float(benchmark) * 1_000 / per,
        "vs_england_wales": stats.compare_with_benchmark(
            latest["rate_lower_95"],
            latest["rate_upper_95"],
            np.nan if benchmark is None else benchmark,
        ),
        "peer_rate": None if peer_rate is None else float(peer_rate),
        "rank_of_forces": None if rank.empty else _rank_of(rank.iloc[0]),
        "source_tier": latest["source_tier"],
    }


def _baseline_fit(before: pd.DataFrame) -> change.Baseline | None:
    """The trend and year-to-year variation of ``before`` (the current vintage's years
    before the latest: a change of vintage is not common variation), less the lockdown year
    (a known special cause)."""
    return change.fit_baseline(
        before["year"].to_numpy(),
        before["count"].astype(float).to_numpy(),
        before["population"].astype(float).to_numpy(),
        exclude=(COVID_YEAR,),
    )


def _change(fit, latest: pd.Series, earlier: pd.DataFrame, level: float) -> change.Change | None:
    """The latest rate against the pooled rate of ``earlier`` (None when it is empty)."""
    if earlier.empty:
        return None
    return change.judge(
        fit,
        float(latest["count"]),
        float(latest["population"]),
        float(latest["year"]),
        earlier["count"].astype(float).to_numpy(),
        earlier["population"].astype(float).to_numpy(),
        earlier["year"].to_numpy(),
        level,
    )


def _expected_pct(result: change.Change | None, latest: pd.Series, earlier: pd.DataFrame):
    """The % change in the count on ``earlier``'s mean count that the trend and population
    change alone predict (None without a judgement)."""
    if result is None:
        return None
    mean_population = float(earlier["population"].astype(float).mean())
    growth = float(latest["population"]) / mean_population
    return round((result.expected_ratio * growth - 1) * 100, 1)


def _rank_of(rank: pd.Series) -> str:
    """'10th of 42', '=3rd of 42'."""
    return f"{rank_label(rank['rank'], bool(rank['tied']))} of {int(rank['of'])}"


def _per_1000(count, population) -> float:
    """The rate per 1,000 (what the summary's indicator table shows for every category)."""
    return float(count) / float(population) * 1_000


def _pct(current, previous) -> float | None:
    if previous in (None, 0):
        return None
    return round((float(current) - previous) / previous * 100, 1)


def coverage(series: pd.DataFrame, config: AssessmentConfig) -> dict:
    """Per category: the years real data covers, and the configured years it lacks."""
    force = series[series["area_type"] == "force"]
    wanted = range(config.period.first_year, config.period.last_year + 1)
    out = {}
    for category, group in force.groupby("category", sort=False):
        years = sorted(group["year"])
        out[category] = {
            "label": group["label"].iloc[0],
            "first_year": financial_year_label(years[0]),
            "last_year": financial_year_label(years[-1]),
            "years_missing": [financial_year_label(y) for y in wanted if y not in years],
            "earlier_vintage": list(group.loc[group["vintage"] == EARLIER, "financial_year"]),
        }
    return out


# -- context series that run past the counts ---------------------------------------------


def severity_series(
    severity: pd.DataFrame, force_code: str | None, config: AssessmentConfig
) -> pd.DataFrame:
    """ONS crime severity (violence against the person) for the force and England and Wales."""
    if force_code is None:
        return severity.iloc[0:0]
    rows = severity[
        (severity["offence_group"] == SEVERITY_GROUP)
        & severity["area_code"].isin([force_code, ENGLAND_AND_WALES_CODE])
    ].copy()
    rows["year"] = rows["year_ending"].dt.year - 1
    rows = rows[rows["year"].between(config.period.first_year, config.period.last_year)]
    rows["financial_year"] = rows["year"].map(financial_year_label)
    rows["area"] = np.where(rows["area_code"] == force_code, config.area.display_name, NATIONAL)
    return rows[["area", "financial_year", "year", "severity_score"]].reset_index(drop=True)


def admissions_series(
    admissions: pd.DataFrame, region: str | None, config: AssessmentConfig
) -> pd.DataFrame:
    """Hospital admissions for assault by a sharp object, for the force's region (England)."""
    rows = admissions[admissions["region"] == region].copy()
    rows["year"] = rows["financial_year"].str[:4].astype(int)
    rows = rows[rows["year"].between(config.period.first_year, config.period.last_year)]
    rows["financial_year"] = rows["year"].map(financial_year_label)
    return rows[["region", "financial_year", "year", "admissions"]].reset_index(drop=True)


def index_series(series: pd.DataFrame) -> pd.DataFrame:
    """The force's rows from the first year every category is on the current vintage (the
    base of the indexed chart)."""
    force = series[series["area_type"] == "force"].sort_values("year", kind="stable")
    current = force[force["vintage"] == CURRENT]
    base = int(current.groupby("category")["year"].min().max())
    return current[current["year"] >= base]


def breaks_for(config: AssessmentConfig, category: str) -> list:
    return [b for b in config.area.recording_breaks if not b.categories or category in b.categories]


# -- recent counts ---------------------------------------------------------------------------


def recent_counts(series: pd.DataFrame, years: int = 4) -> dict[str, dict[str, int]]:
    """The force's counts for the last ``years`` financial years, per category."""
    force = series[series["area_type"] == "force"]
    out = {}
    for category, group in force.groupby("category", sort=False):
        group = group.sort_values("year").tail(years)
        out[category] = dict(zip(group["financial_year"], group["count"].astype(int), strict=True))
    return out


# -- the force extract: districts and gun crime ------------------------------------------


def extract_series(
    extract: pd.DataFrame,
    district_population: pd.DataFrame,
    config: AssessmentConfig,
    definitions: Definitions,
    tier: tiers.Tier,
    categories: tuple[str, ...] = DISTRICT_CATEGORIES,
) -> pd.DataFrame:
    """Counts and rates per district, category and financial year from the force extract.

    What public data lack: a district breakdown. Each district-year uses that year's
    district mid-year estimate (the newest available for later years, noted in
    ``population_year``). Every row carries the extract's tier label.
    """
    frames = []
    for key in categories:
        rows = extract[offences_in(extract, definitions.categories[key])]
        counts = rows.groupby(["district_code", "year"]).size().rename("count")
        frames.append(counts.reset_index().assign(category=key))
    frame = _complete_grid(pd.concat(frames, ignore_index=True), config, categories)
    frame = _with_district_population(frame, district_population)
    frame["area"] = frame["district_code"].map(config.area.districts)
    frame["area_type"] = "district"
    frame["label"] = frame["category"].map(definitions.labels)
    frame["financial_year"] = frame["year"].map(financial_year_label)
    frame["source_tier"] = tier.label
    return _unit_rates(frame, definitions, config)[[*EXTRACT_COLUMNS, "population_year"]]


def _unit_rates(frame: pd.DataFrame, definitions: Definitions, config) -> pd.DataFrame:
    """Rates per each category's unit (:func:`force_series.rate_per`)."""
    frame = frame.assign(per=frame["category"].map(lambda c: rate_per(definitions, c)))
    return with_unit_rates(frame, config.thresholds.confidence_level)


def _complete_grid(counts: pd.DataFrame, config: AssessmentConfig, categories) -> pd.DataFrame:
    """Every district x year x category, zero where the extract has no offence."""
    years = range(config.period.first_year, config.period.last_year + 1)
    grid = pd.MultiIndex.from_product(
        [list(config.area.districts), years, categories],
        names=["district_code", "year", "category"],
    )
    full = counts.set_index(["district_code", "year", "category"])["count"].reindex(
        grid, fill_value=0
    )
    return full.reset_index()


def _with_district_population(frame: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    latest = int(population["year"].max())
    frame = frame.assign(population_year=frame["year"].clip(upper=latest))
    people = population.rename(columns={"code": "district_code", "year": "population_year"})
    return frame.merge(
        people[["district_code", "population_year", "population"]],
        on=["district_code", "population_year"],
        how="left",
    )


def gun_crime_series(
    extract: pd.DataFrame,
    config: AssessmentConfig,
    definitions: Definitions,
    force_population: pd.DataFrame,
    tier: tiers.Tier,
) -> pd.DataFrame:
    """Gun crime for the force by financial year: no public force series exists.

    ``force_population`` is the rate population (:func:`force_series.rate_population`).
    """
    key = "gun_crime"
    rows = extract[offences_in(extract, definitions.categories[key])]
    years = range(config.period.first_year, config.period.last_year + 1)
    counts = rows.groupby("year").size().reindex(years, fill_value=0).rename("count").reset_index()
    people = force_population[force_population["force"] == config.area.force][
        ["year", "population"]
    ]
    latest = int(people["year"].max())
    counts["population"] = (
        counts["year"].clip(upper=latest).map(people.set_index("year")["population"])
    )
    frame = counts.assign(
        area=config.area.display_name,
        area_type="force",
        category=key,
        label=definitions.labels[key],
        financial_year=counts["year"].map(financial_year_label),
        source_tier=tier.label,
        district_code=None,
    )
    return _unit_rates(frame, definitions, config)[EXTRACT_COLUMNS]
