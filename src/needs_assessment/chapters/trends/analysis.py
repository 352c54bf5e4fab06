"""Trends chapter: serious violence by financial year, with rates, benchmarks and judgements.

Counts come from the richest real source for each category and year: the ONS rolling-year
force file (offence groups to 2017/18), the ONS Police Force Area tables (offence groups
for 2018/19; knife or sharp instrument offences from 2010/11 to 2018/19). Rates use each
year's mid-year population (financial year 2017/18 -> mid-2017). The benchmark is England
and Wales as the sum of the 43 territorial forces; peers are the forces most like this one
on density and deprivation (:func:`needs_assessment.forces.peer_forces`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs_assessment.config import AssessmentConfig, financial_year_label
from needs_assessment.definitions import Definitions, offences_in
from needs_assessment.methods import stats
from needs_assessment.presentation.text import join, rate, signed_pct
from needs_assessment.sources.ons_recorded_crime import financial_years

TIER_ONS = "ONS police recorded crime (real)"
TIER_ONS_TABLES = "ONS Police Force Area tables (real)"
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


@dataclass(frozen=True)
class Sources:
    """The processed tables the chapter reads."""

    recorded_crime: pd.DataFrame
    pfa_offence_groups: pd.DataFrame
    pfa_knife: pd.DataFrame
    force_population: pd.DataFrame


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
    counts = counts.merge(
        population.rename(columns={"population": "population"}), on=["force", "year"], how="left"
    )
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


# -- benchmarks, rank and judgements -----------------------------------------------------


def ranks(counts: pd.DataFrame, population: pd.DataFrame, force: str) -> pd.DataFrame:
    """The force's rank among all forces on each category's rate, per year (1 = highest)."""
    frame = with_rates(counts.merge(population, on=["force", "year"]))
    frame["rank"] = frame.groupby(["category", "year"])["rate_per_1000"].rank(
        ascending=False, method="min"
    )
    frame["forces"] = frame.groupby(["category", "year"])["force"].transform("nunique")
    return frame[frame["force"] == force][["category", "year", "rank", "forces"]]


def judgements(series: pd.DataFrame, rank_table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """The performance-pack table: the latest year of each category, judged four ways.

    - against the previous year and against the average of the 3 years before it, by the
      Poisson Z test on counts (``stats.poisson_z_against_average``: the earlier counts
      are themselves observed, so their noise is allowed for);
    - against England and Wales, by whether the national rate lies inside the force's
      95% interval (the Fingertips rule);
    - the long-term trend: annual % change from a Poisson regression of counts on year
      with the population as offset (quasi-Poisson when overdispersed).
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
    previous = group[group["year"] == year - 1]["count"]
    earlier = group[group["year"].between(year - 3, year - 1)]["count"]
    previous_count = int(previous.iloc[0]) if len(previous) else None
    average = float(earlier.mean()) if len(earlier) == 3 else None
    trend = stats.poisson_trend(
        group["year"].to_numpy(),
        group["count"].astype(float).to_numpy(),
        group["population"].astype(float).to_numpy(),
        level=level,
    )
    benchmark = national["rate_per_1000"].get((category, year))
    peer_rate = peers["rate_per_1000"].get((category, year))
    rank = rank_table[(rank_table["category"] == category) & (rank_table["year"] == year)]
    return {
        "category": category,
        "label": latest["label"],
        "financial_year": latest["financial_year"],
        "count": int(latest["count"]),
        "rate_per_1000": latest["rate_per_1000"],
        "rate_lower_95": latest["rate_lower_95"],
        "rate_upper_95": latest["rate_upper_95"],
        "previous_count": previous_count,
        "change_on_previous_pct": _pct(latest["count"], previous_count),
        "vs_previous_year": _z_judgement(latest["count"], previous_count, 1, level),
        "three_year_average": None if average is None else round(average, 1),
        "vs_three_year_average": _z_judgement(latest["count"], average, 3, level),
        "trend_pct_per_year": round(trend.pct_change, 1),
        "trend_lower_95": round(trend.lower, 1),
        "trend_upper_95": round(trend.upper, 1),
        "trend_years": f"{group['financial_year'].iloc[0]} to {latest['financial_year']}",
        "trend_model": trend.model,
        "england_wales_rate": None if benchmark is None else float(benchmark),
        "vs_england_wales": stats.compare_with_benchmark(
            latest["rate_lower_95"],
            latest["rate_upper_95"],
            np.nan if benchmark is None else benchmark,
        ),
        "peer_rate": None if peer_rate is None else float(peer_rate),
        "rank_of_forces": None
        if rank.empty
        else f"{int(rank['rank'].iloc[0])} of {int(rank['forces'].iloc[0])}",
        "source_tier": latest["source_tier"],
    }


def _pct(current, previous) -> float | None:
    if previous in (None, 0):
        return None
    return round((float(current) - previous) / previous * 100, 1)


def _z_judgement(current, baseline, periods: int, level: float) -> str:
    if baseline is None:
        return "Not compared"
    z = stats.poisson_z_against_average(float(current), float(baseline), periods)
    return stats.judgement(z, level=level)


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
        }
    return out


# -- context series that run past the counts ---------------------------------------------

COVID_YEAR = 2020  # financial year 2020/21: lockdowns throughout
SEVERITY_GROUP = "Violence against the person"


def severity_series(
    severity: pd.DataFrame, force_code: str | None, config: AssessmentConfig
) -> pd.DataFrame:
    """ONS crime severity (violence against the person) for the force and England and Wales."""
    if force_code is None:
        return severity.iloc[0:0]
    rows = severity[
        (severity["offence_group"] == SEVERITY_GROUP)
        & severity["area_code"].isin([force_code, "K04000001"])
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


def breaks_for(config: AssessmentConfig, category: str) -> list:
    return [b for b in config.area.recording_breaks if not b.categories or category in b.categories]


# -- words -------------------------------------------------------------------------------

TREND_WORDS = {True: "rising", False: "falling"}


def describe_coverage(cov: dict, config: AssessmentConfig) -> str:
    """Say plainly which years the real data covers and which it lacks."""
    spans: dict[tuple, list[str]] = {}
    for item in cov.values():
        spans.setdefault(
            (item["first_year"], item["last_year"], tuple(item["years_missing"])), []
        ).append(item["label"].lower())
    lines = []
    for (first, last, missing), labels in spans.items():
        line = f"- {join(labels).capitalize()}: real force counts from {first} to {last}"
        if missing:
            line += f"; none for {join(list(missing))}"
        lines.append(line + ".")
    text = (
        f"The assessment period is {config.period_label}. Published force-level counts "
        "stop before it ends:\n\n"
        if any(k[2] for k in spans)
        else ""
    )
    return text + "\n".join(lines)


def describe_judgements(table: pd.DataFrame, area: str) -> str:
    """One bullet per category, in the words of a performance pack, every number computed."""
    bullets = [f"In {area}, in the latest year with published counts:\n"]
    for row in table.itertuples():
        change = (
            ""
            if row.change_on_previous_pct is None
            else f"{signed_pct(row.change_on_previous_pct)} on the previous year "
            f"({row.vs_previous_year.lower()}), "
        )
        bullets.append(
            f"- **{row.label}**: {row.count:,} offences in {row.financial_year}, "
            f"{rate(row.rate_per_1000)} per 1,000 residents (95% CI {rate(row.rate_lower_95)} to "
            f"{rate(row.rate_upper_95)}); {change}{_vs_average(row)}; {_trend_words(row)}. "
            f"{_vs_benchmark(row)}"
        )
    return "\n".join(bullets)


def _vs_benchmark(row) -> str:
    if row.england_wales_rate is None:
        return ""
    word = {"Higher": "Higher than", "Lower": "Lower than", "Comparable": "Comparable with"}
    text = (
        f"{word.get(row.vs_england_wales, 'Not compared with')} England and Wales "
        f"({rate(row.england_wales_rate)} per 1,000)"
    )
    if row.rank_of_forces:
        text += f"; ranked {row.rank_of_forces} forces (1 = highest rate)"
    return text + "."


def _vs_average(row) -> str:
    if row.three_year_average is None:
        return "no 3-year average to compare"
    word = {"Higher": "higher than", "Lower": "lower than", "Comparable": "comparable with"}
    return f"{word[row.vs_three_year_average]} the 3-year average ({row.three_year_average:,.0f})"


def _trend_words(row) -> str:
    significant = row.trend_lower_95 > 0 or row.trend_upper_95 < 0
    shape = (
        f"{TREND_WORDS[row.trend_pct_per_year > 0]} by {abs(row.trend_pct_per_year):.1f}% a year"
        if significant
        else "no clear long-term trend"
    )
    return (
        f"{shape} over {row.trend_years} (95% CI {signed_pct(row.trend_lower_95)} to "
        f"{signed_pct(row.trend_upper_95)} a year)"
    )


def describe_peers(peers: pd.DataFrame, area: str, chosen: bool) -> str:
    names = join(list(peers["force"]))
    if chosen:
        return f"The peer group is set in the config: {names}."
    density = "population density (people per hectare, 2011 Census areas, mid-2018 populations)"
    if "imd_score" not in peers.attrs.get("measures", ["imd_score"]):
        return (
            f"The peer group is the {len(peers)} forces most like {area} on {density}: "
            f"{names}. The Index of Multiple Deprivation covers England only, so Welsh "
            "forces are matched on density alone."
        )
    return (
        f"The peer group is the {len(peers)} forces most like {area} on {density} and "
        "deprivation (population-weighted IMD 2019 score), each standardised across the "
        f"English forces: {names}. Welsh forces have no IMD score and are not candidates."
    )


def describe_severity(frame: pd.DataFrame, area: str) -> str:
    if frame.empty:
        return "No crime severity series is available for this force."
    force = frame[frame["area"] == area].sort_values("year")
    national = frame[frame["area"] == NATIONAL].set_index("year")["severity_score"]
    first, last = force.iloc[0], force.iloc[-1]
    return (
        f"The ONS crime severity score weights each offence by its average sentence, so it "
        f"runs to {last['financial_year']}, past the published counts. For violence against "
        f"the person in {area} it went from {first['severity_score']:.2f} in "
        f"{first['financial_year']} to {last['severity_score']:.2f} in {last['financial_year']} "
        f"({signed_pct((last['severity_score'] / first['severity_score'] - 1) * 100)}); England "
        f"and Wales went from {national[first['year']]:.2f} to {national[last['year']]:.2f}."
    )


def describe_admissions(frame: pd.DataFrame, region: str | None) -> str:
    if frame.empty:
        return (
            "Hospital admissions for assault by a sharp object are published for English "
            "regions only."
        )
    frame = frame.sort_values("year")
    peak = frame.loc[frame["admissions"].idxmax()]
    last = frame.iloc[-1]
    return (
        f"Hospital admissions for assault by a sharp object are published by region of "
        f"residence, not by force. In the {region} region they peaked at "
        f"{int(peak['admissions']):,} in {peak['financial_year']} and were "
        f"{int(last['admissions']):,} in {last['financial_year']} (counts rounded to 5; "
        "2020/21 was shaped by lockdowns)."
    )


def alt_rates(series: pd.DataFrame, table: pd.DataFrame, area: str) -> str:
    years = series["financial_year"]
    lower = [r.label for r in table.itertuples() if r.vs_england_wales == "Lower"]
    higher = [r.label for r in table.itertuples() if r.vs_england_wales == "Higher"]
    text = (
        f"Small multiple line charts of rates per 1,000 residents, {years.min()} to "
        f"{years.max()}, for {area} with 95% interval bands, its peer forces and England "
        "and Wales."
    )
    if lower:
        text += (
            f" In the latest year {area} is lower than England and Wales for {join(lower).lower()}."
        )
    if higher:
        text += f" It is higher for {join(higher).lower()}."
    return text


def alt_indexed(series: pd.DataFrame, area: str) -> str:
    force = series[series["area_type"] == "force"].sort_values("year")
    change = force.groupby("label", sort=False)["count"].agg(
        lambda s: s.iloc[-1] / s.iloc[0] * 100 - 100
    )
    top, bottom = change.idxmax(), change.idxmin()
    return (
        f"Line chart of recorded offences in {area} indexed to {force['financial_year'].min()} "
        f"= 100. The largest rise is {top.lower()} ({signed_pct(change[top])}); the largest "
        f"fall or smallest rise is {bottom.lower()} ({signed_pct(change[bottom])})."
    )


def alt_severity(frame: pd.DataFrame, area: str) -> str:
    return (
        "Line chart of the crime severity score for violence against the person. "
        + describe_severity(frame, area).split(". ", 1)[1]
    )


def alt_admissions(frame: pd.DataFrame, region: str | None) -> str:
    return "Bar chart of hospital admissions by year. " + describe_admissions(frame, region)


# -- the chapter in one call ---------------------------------------------------------------


@dataclass(frozen=True)
class TrendsChapter:
    series: pd.DataFrame
    judgements: pd.DataFrame
    coverage: dict
    peers: pd.DataFrame
    peers_chosen: bool
    severity: pd.DataFrame
    admissions: pd.DataFrame
    region: str | None
    rolling: pd.DataFrame
    districts: pd.DataFrame | None = None
    gun_crime: pd.DataFrame | None = None


def build(config: AssessmentConfig, definitions: Definitions, read) -> TrendsChapter:
    """Everything the chapter shows, from the processed tables (``read(config, name)``)."""
    from needs_assessment.forces import peer_forces

    sources = Sources(
        *(
            read(config, name)
            for name in ("recorded_crime", "pfa_offence_groups", "pfa_knife", "force_population")
        )
    )
    counts = force_counts(sources, definitions)
    context = read(config, "force_context").set_index("force")
    if config.area.peers:
        peers = context.loc[config.area.peers].reset_index(names="force")
    else:
        peers = peer_forces(context, config.area.force)
    series = annual_series(
        counts, sources.force_population, config, definitions, list(peers["force"])
    )
    table = judgements(
        series,
        ranks(counts, sources.force_population, config.area.force),
        config.thresholds.confidence_level,
    )
    lookup = read(config, "lsoa_lookup")
    regions = lookup.loc[lookup["lad17_code"].isin(config.area.districts), "region_name"].dropna()
    region = regions.mode().iloc[0] if len(regions) else None
    return TrendsChapter(
        series=series,
        judgements=table,
        coverage=coverage(series, config),
        peers=peers,
        peers_chosen=bool(config.area.peers),
        severity=severity_series(read(config, "crime_severity"), config.area.force_code, config),
        admissions=admissions_series(read(config, "hospital_admissions"), region, config),
        region=region,
        rolling=rolling_year(sources, config, definitions, config.thresholds.confidence_level),
        **_from_extract(config, definitions, read, sources.force_population),
    )


def _from_extract(config, definitions, read, force_population) -> dict:
    if config.data.force_extract is None:
        return {}
    extract = read(config, "force_extract")
    return {
        "districts": extract_series(
            extract, read(config, "district_population"), config, definitions
        ),
        "gun_crime": gun_crime_series(extract, config, definitions, force_population),
    }


def results(chapter: TrendsChapter) -> dict:
    """Key figures for ``results.json``."""
    return {
        "coverage": chapter.coverage,
        "judgements": chapter.judgements.replace({np.nan: None}).to_dict(orient="records"),
        "peers": list(chapter.peers["force"]),
        "rolling_year": chapter.rolling.to_dict(orient="records"),
        "recent_counts": recent_counts(chapter.series),
        "sources": sorted(set(chapter.series["source_tier"]))
        + ([] if chapter.districts is None else [chapter.districts["source_tier"].iloc[0]]),
    }


def judgement_table(table: pd.DataFrame) -> pd.DataFrame:
    """The judgements as a Board reads them (a performance-pack layout)."""
    return pd.DataFrame(
        {
            "Category": table["label"],
            "Year": table["financial_year"],
            "Offences": table["count"],
            "Per 1,000": table["rate_per_1000"].map(rate),
            "Previous year": table["previous_count"],
            "vs previous year": table["vs_previous_year"],
            "3-year average": table["three_year_average"].map(
                lambda v: "–" if v is None or pd.isna(v) else f"{v:,.0f}"
            ),
            "vs 3-year average": table["vs_three_year_average"],
            "Trend % a year": table["trend_pct_per_year"].map("{:+.1f}".format),
            "England & Wales per 1,000": table["england_wales_rate"].map(rate),
            "vs England & Wales": table["vs_england_wales"],
            "Rank (1 = highest)": table["rank_of_forces"],
        }
    )


def rate_table(series: pd.DataFrame) -> pd.DataFrame:
    """Rates with intervals by year (rows) for the force, and the benchmarks' rates."""
    force = series[series["area_type"] == "force"]
    shown = force.assign(
        value=force.apply(
            lambda r: f"{rate(r.rate_per_1000)} ({rate(r.rate_lower_95)}–{rate(r.rate_upper_95)})",
            axis=1,
        )
    )
    wide = shown.pivot(index="financial_year", columns="label", values="value")
    order = list(dict.fromkeys(force["label"]))
    return wide[order].reset_index().rename(columns={"financial_year": "Financial year"})


# -- rolling 12 months ------------------------------------------------------------------------


def rolling_year(
    sources: Sources, config: AssessmentConfig, definitions: Definitions, level: float = 0.95
) -> pd.DataFrame:
    """The latest published rolling 12 months against the 12 months before it, per category.

    Uses the newest quarter the ONS PFA tables give for the force (offence groups from
    Table P1, knife offences from Table P5), compared with the same period a year earlier
    by the Poisson Z test.
    """
    groups = definitions.ons_group_to_category()
    p1 = sources.pfa_offence_groups
    p1 = p1[(p1["area_type"] == "force") & p1["offence_group"].isin(list(groups))]
    p1 = p1.assign(
        force=p1["area_name"].replace(FORCE_NAME_ALIASES), category=p1["offence_group"].map(groups)
    )
    p1 = p1.sort_values("edition").drop_duplicates(["force", "category", "period_end"], keep="last")
    knife = sources.pfa_knife[sources.pfa_knife["area_type"] == "force"]
    knife = knife.assign(
        force=knife["area_name"].replace(FORCE_NAME_ALIASES), count=knife["knife_offences"]
    )
    frames = [p1[["force", "category", "period_end", "count"]]]
    for key in definitions.categories_with("ons_series"):
        frames.append(knife.assign(category=key)[["force", "category", "period_end", "count"]])
    rows = pd.concat(frames)
    rows = rows[rows["force"] == config.area.force].dropna(subset=["count"])
    out = []
    for category, group in rows.groupby("category", sort=False):
        group = group.set_index("period_end")["count"]
        latest = group.index.max()
        before = latest - pd.DateOffset(years=1)
        if before not in group.index:
            continue
        current, previous = int(group[latest]), int(group[before])
        z = stats.poisson_z_against_average(float(current), float(previous), 1)
        out.append(
            {
                "category": category,
                "label": definitions.labels[category],
                "period": f"year ending {latest:%B %Y}",
                "count": current,
                "previous_period": f"year ending {before:%B %Y}",
                "previous_count": previous,
                "change_pct": _pct(current, previous),
                "judgement": stats.judgement(z, level=level),
            }
        )
    order = {c: i for i, c in enumerate(definitions.categories)}
    return (
        pd.DataFrame(out).sort_values("category", key=lambda s: s.map(order)).reset_index(drop=True)
    )


def recent_counts(series: pd.DataFrame, years: int = 4) -> dict[str, dict[str, int]]:
    """The force's counts for the last ``years`` financial years, per category."""
    force = series[series["area_type"] == "force"]
    out = {}
    for category, group in force.groupby("category", sort=False):
        group = group.sort_values("year").tail(years)
        out[category] = dict(zip(group["financial_year"], group["count"].astype(int), strict=True))
    return out


# -- the force extract: districts and gun crime ------------------------------------------

DISTRICT_CATEGORIES = ("violence_with_injury", "knife_crime", "robbery", "possession_of_weapons")
TIER_EXTRACT = "Force offence extract"


def extract_tier(synthetic: bool) -> str:
    return f"{TIER_EXTRACT}: demonstration data (synthetic)" if synthetic else TIER_EXTRACT


def extract_series(
    extract: pd.DataFrame,
    district_population: pd.DataFrame,
    config: AssessmentConfig,
    definitions: Definitions,
    categories: tuple[str, ...] = DISTRICT_CATEGORIES,
) -> pd.DataFrame:
    """Counts and rates per district, category and financial year from the force extract.

    What public data lack: a district breakdown. Each district-year uses that year's
    district mid-year estimate (the newest available for later years, noted in
    ``population_year``). Every row carries the extract's tier.
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
    frame["source_tier"] = extract_tier(config.data.force_extract_is_synthetic)
    return with_rates(frame, config.thresholds.confidence_level)[
        [*COLUMNS, "district_code", "population_year"]
    ]


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
) -> pd.DataFrame:
    """Gun crime for the force by financial year: no public force series exists."""
    key = "gun_crime"
    rows = extract[offences_in(extract, definitions.categories[key])]
    years = range(config.period.first_year, config.period.last_year + 1)
    counts = rows.groupby("year").size().reindex(years, fill_value=0).rename("count").reset_index()
    people = force_population[force_population["force"] == config.area.force]
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
        source_tier=extract_tier(config.data.force_extract_is_synthetic),
    )
    return with_rates(frame, config.thresholds.confidence_level)[COLUMNS]


def describe_districts(series: pd.DataFrame, synthetic: bool) -> str:
    """Which district has the highest and lowest rate in the latest year, per category."""
    latest = series[series["year"] == series["year"].max()]
    lines = [
        f"In {latest['financial_year'].iloc[0]}"
        + (" (demonstration data, synthetic)" if synthetic else "")
        + ":"
    ]
    for _, group in latest.groupby("category", sort=False):
        top, low = (
            group.loc[group["rate_per_1000"].idxmax()],
            group.loc[group["rate_per_1000"].idxmin()],
        )
        lines.append(
            f"- **{top['label']}**: highest in {top['area']} ({rate(top['rate_per_1000'])} per "
            f"1,000, 95% CI {rate(top['rate_lower_95'])} to {rate(top['rate_upper_95'])}), "
            f"lowest in {low['area']} ({rate(low['rate_per_1000'])} per 1,000)."
        )
    return "\n".join(lines)


def describe_gun_crime(series: pd.DataFrame, synthetic: bool) -> str:
    total = int(series["count"].sum())
    first, last = series.iloc[0], series.iloc[-1]
    label = " (demonstration data, synthetic)" if synthetic else ""
    return (
        f"No published series counts gun crime by force, so it comes from the force "
        f"extract{label}: {total:,} offences involving a firearm from {first['financial_year']} "
        f"to {last['financial_year']}, {int(last['count'])} in the latest year."
    )


def publishable_districts(series: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """District rows after disclosure control (the force total per category-year is public)."""
    from needs_assessment.methods.disclosure import suppress_small_counts

    rates = {c: "count" for c in ("rate_per_1000", "rate_lower_95", "rate_upper_95")}
    return suppress_small_counts(
        series,
        ["count"],
        config.thresholds.suppress_counts_up_to,
        total_groups=["category", "year"],
        derived_columns=rates,
        min_events_for_rate=config.thresholds.min_events_for_rate,
    )


def district_table(published: pd.DataFrame) -> pd.DataFrame:
    """Latest year's rates by district (rows) and category (columns), after disclosure
    control: a blanked rate shows its marker ([c] or [low])."""
    latest = published[published["year"] == published["year"].max()]

    def cell(row) -> str:
        if pd.isna(row.rate_per_1000):
            return str(row.rate_per_1000_marker)
        return f"{rate(row.rate_per_1000)} ({rate(row.rate_lower_95)}–{rate(row.rate_upper_95)})"

    shown = latest.assign(value=[cell(r) for r in latest.itertuples()])
    wide = shown.pivot(index="area", columns="label", values="value")
    wide = wide[list(dict.fromkeys(latest["label"]))]
    title = f"District ({latest['financial_year'].iloc[0]}, per 1,000 with 95% CI)"
    return wide.reset_index().rename(columns={"area": title})
