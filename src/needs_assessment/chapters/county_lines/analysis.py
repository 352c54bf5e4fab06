"""County Lines chapter: which district drug markets import their dealers, and what goes with it.

The force's 2019 assessment found Peterborough's dealers "home grown" while out-of-town
dealers dominate Cambridge, St Neots and Huntingdon. The chapter measures that each year,
district by district, from the force offence-level extract (tier 2; in the default config a
SYNTHETIC demonstration extract), and sets it beside real public data. The numbers come
from one module per idea:

* :mod:`.markets`: market classification (import share, threshold and minimum of
  offenders; clear or uncertain by its Wilson interval; people counted once where the
  extract has offender ids) and the origins of out-of-force supply offenders;
* :mod:`.indicators`: supply, possession, under-18, weapon-linked and County Lines flagged
  offences per district and year, with their trends;
* :mod:`.violence`: serious violence in importing against home-grown district-years, and the
  overlap of supply and violence hotspot LSOAs;
* this module: the public cross-check (drug offences per 1,000 for the force, its peers and
  England and Wales from the real ONS series, :func:`needs_assessment.force_series.
  annual_rates`) and :func:`build`, the whole chapter from the processed tables.

What is published is shaped in :mod:`.tables`, worded in ``text/*.md.j2`` (context from
:mod:`.words`) and recorded in ``results.json`` by :mod:`.results`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from needs_assessment import force_series, tiers
from needs_assessment.chapters.county_lines.indicators import (
    NOT_FITTED,
    district_population_by_year,
    indicator_trends,
    indicators,
)
from needs_assessment.chapters.county_lines.markets import (
    DEFAULT_SETTINGS,
    IMPORTING,
    POSSESSION,
    SUPPLY,
    TOO_FEW,
    Settings,
    area_names,
    codes,
    district_summary,
    markets,
    origins,
    pooled,
    recent_years,
    settings,
    unit,
)
from needs_assessment.chapters.county_lines.violence import (
    HotspotOverlap,
    ViolenceLink,
    hotspot_overlap,
    violence_link,
)
from needs_assessment.config import AssessmentConfig
from needs_assessment.definitions import Definitions
from needs_assessment.methods import stats
from needs_assessment.periods import financial_year_label

#: The public ONS category the cross-check reads.
DRUG_OFFENCES = "drug_offences"


def data_label(synthetic: bool) -> str:
    """How figures from the extract are labelled: the synthetic label, or the tier's name."""
    return tiers.SYNTHETIC_LABEL if synthetic else tiers.force_extract(False).label


# -- public cross-check (real data) -----------------------------------------------------------


def public_drug_rates(series: pd.DataFrame) -> pd.DataFrame:
    """Drug offences per 1,000 for the force, peers and England and Wales (real ONS data),
    with the force judged against England and Wales each year (Fingertips rule)."""
    drugs = series[series["category"] == DRUG_OFFENCES].copy()
    national = drugs[drugs["area_type"] == "national"].set_index("year")["rate_per_1000"]
    peers = drugs[drugs["area_type"] == "peers"].set_index("year")["rate_per_1000"]
    force = drugs[drugs["area_type"] == "force"]
    judged = stats.compare_with_benchmark(
        force["rate_lower_95"], force["rate_upper_95"], force["year"].map(national)
    )
    drugs["vs_england_wales"] = pd.Series(judged, index=force.index).reindex(drugs.index)
    drugs["peer_rate_per_1000"] = drugs["year"].map(peers)
    drugs["england_wales_rate_per_1000"] = drugs["year"].map(national)
    return drugs.reset_index(drop=True)


def extract_vs_published(
    extract: pd.DataFrame, definitions: Definitions, public: pd.DataFrame
) -> pd.DataFrame:
    """Drug offences per year in the extract against the published (real) force count."""
    drug_codes = codes(definitions, SUPPLY) | codes(definitions, POSSESSION)
    mine = extract[extract["home_office_code"].isin(drug_codes)].groupby("year").size()
    force = public[public["area_type"] == "force"].set_index("year")
    years = sorted(set(force.index) & set(mine.index))
    return pd.DataFrame(
        {
            "financial_year": [financial_year_label(int(y)) for y in years],
            "extract_drug_offences": [int(mine[y]) for y in years],
            "published_drug_offences": [int(force.loc[y, "count"]) for y in years],
            "difference": [int(mine[y]) - int(force.loc[y, "count"]) for y in years],
        }
    )


# -- the chapter in one call ---------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """The configured period, and the financial years of it the chapter analyses: from the
    extract's first to its last year in the area (the whole period if it has none)."""

    first_year: int
    last_year: int
    years: tuple[int, ...]
    has_rows: bool

    @property
    def partial(self) -> bool:
        """The extract starts after the period does, or ends before it."""
        return self.has_rows and (
            self.years[0] > self.first_year or self.years[-1] < self.last_year
        )


def extract_coverage(
    extract: pd.DataFrame, districts: Iterable[str], first_year: int, last_year: int
) -> Coverage:
    """The years to analyse: a year after the extract ends holds no offence, and would read
    as a collapse of every indicator rather than as a gap in the data."""
    area = extract[extract["district_code"].isin(list(districts))]
    held = sorted(int(y) for y in area["year"].dropna().unique() if first_year <= y <= last_year)
    if not held:
        return Coverage(first_year, last_year, tuple(range(first_year, last_year + 1)), False)
    return Coverage(first_year, last_year, tuple(range(held[0], held[-1] + 1)), True)


#: Sections of the chapter that can rest on too little data, and the reason each gives.
PERIOD, MARKETS, ORIGINS, INDICATORS, TRENDS = (
    "period",
    "markets",
    "origins",
    "indicators",
    "trends",
)


@dataclass(frozen=True)
class CountyLinesChapter:
    """Everything the chapter shows, as frames and typed results (no sentences)."""

    settings: Settings
    unit: str
    synthetic: bool
    label: str
    area: str
    districts: dict[str, str]
    supply_codes: tuple[str, ...]
    markets: pd.DataFrame
    recent: pd.DataFrame
    summary: pd.DataFrame
    origins: pd.DataFrame
    indicators: pd.DataFrame
    trends: pd.DataFrame
    violence: ViolenceLink
    overlap: HotspotOverlap
    public: pd.DataFrame
    extract_check: pd.DataFrame
    boundaries: pd.DataFrame
    coverage: Coverage

    @property
    def recent_period(self) -> str:
        return str(self.recent["period"].iloc[0])

    @property
    def importing(self) -> list[str]:
        """Districts importing over the recent pooled period (the origins chart shows these)."""
        return importing_districts(self.summary)

    @property
    def gaps(self) -> dict[str, str]:
        """Section -> why it rests on too little data (none: every section has its data)."""
        return thin_sections(self)


def thin_sections(chapter: CountyLinesChapter) -> dict[str, str]:
    """The sections the extract is too thin for, each with a reason key (``text/gaps``)."""
    chosen, latest = chapter.settings, chapter.indicators["year"].max()
    checks = {
        PERIOD: "no_rows" if not chapter.coverage.has_rows else "partial",
        MARKETS: "none_classified",
        ORIGINS: "no_origins",
        INDICATORS: "no_rates",
        TRENDS: "none_fitted",
    }
    thin = {
        PERIOD: not chapter.coverage.has_rows or chapter.coverage.partial,
        MARKETS: bool((chapter.markets["market_type"] == TOO_FEW).all()),
        ORIGINS: chapter.origins.empty,
        INDICATORS: bool(
            (
                chapter.indicators.loc[chapter.indicators["year"] == latest, "supply_offences"]
                < chosen.min_events_for_rate
            ).all()
        ),
        TRENDS: bool((chapter.trends["model"] == NOT_FITTED).all()),
    }
    return {section: checks[section] for section, is_thin in thin.items() if is_thin}


def importing_districts(summary: pd.DataFrame) -> list[str]:
    """Districts whose market was importing over the recent pooled period."""
    return list(summary.loc[summary["recent_market_type"] == IMPORTING, "district"])


def analyse(
    extract: pd.DataFrame,
    definitions: Definitions,
    districts: Mapping[str, str],
    district_population: pd.DataFrame,
    lsoas: Iterable[str],
    years: Iterable[int],
    settings: Settings = DEFAULT_SETTINGS,
    names: Mapping[str, str] | None = None,
) -> dict:
    """Every extract-based part of the chapter, from frames."""
    years = sorted(set(int(y) for y in years))
    market_table = markets(extract, definitions, districts, years, settings)
    recent_set = recent_years(market_table)
    recent = pooled(extract, definitions, districts, recent_set, settings)
    whole = pooled(extract, definitions, districts, years, settings)
    population = district_population_by_year(district_population, districts, years)
    indicator_table = indicators(extract, definitions, districts, population, settings)
    return {
        "unit": unit(extract),
        "markets": market_table,
        "recent": recent,
        "summary": district_summary(market_table, recent, whole),
        "origins": origins(
            extract,
            definitions,
            districts,
            names or area_names(district_population, None, districts),
            recent_set,
            min_postcode_count=settings.suppress_counts_up_to + 1,
        ),
        "indicators": indicator_table,
        "trends": indicator_trends(indicator_table, settings),
        "violence": violence_link(market_table, indicator_table, settings.level),
        "overlap": hotspot_overlap(extract, definitions, lsoas, settings.level),
    }


def build(
    config: AssessmentConfig,
    definitions: Definitions,
    *,
    force_extract: pd.DataFrame | None,
    district_population: pd.DataFrame,
    district_boundaries: pd.DataFrame,
    lsoa_lookup: pd.DataFrame,
    recorded_crime: pd.DataFrame,
    pfa_offence_groups: pd.DataFrame,
    pfa_knife: pd.DataFrame,
    force_population: pd.DataFrame,
    force_context: pd.DataFrame,
) -> CountyLinesChapter:
    """Everything the chapter shows, from the processed tables it names."""
    if force_extract is None:
        raise ValueError(
            "the County Lines chapter needs the force offence extract: set data.force_extract "
            "in the config, or leave county_lines out of report.chapters"
        )
    chosen = settings(config)
    districts = dict(config.area.districts)
    lsoas = lsoa_lookup.loc[lsoa_lookup["lad17_code"].isin(districts), "lsoa11_code"]
    coverage = extract_coverage(
        force_extract, districts, config.period.first_year, config.period.last_year
    )
    parts = analyse(
        force_extract,
        definitions,
        districts,
        district_population,
        lsoas,
        coverage.years,
        chosen,
        names=area_names(district_population, district_boundaries, districts),
    )
    series = force_series.annual_rates(
        config,
        definitions,
        [DRUG_OFFENCES],
        recorded_crime=recorded_crime,
        pfa_offence_groups=pfa_offence_groups,
        pfa_knife=pfa_knife,
        force_population=force_population,
        force_context=force_context,
    )
    public = public_drug_rates(series)
    synthetic = bool(config.data.force_extract_is_synthetic)
    return CountyLinesChapter(
        settings=chosen,
        synthetic=synthetic,
        label=data_label(synthetic),
        area=config.area.display_name,
        districts=districts,
        supply_codes=tuple(sorted(codes(definitions, SUPPLY))),
        public=public,
        extract_check=extract_vs_published(force_extract, definitions, public),
        boundaries=district_boundaries[district_boundaries["lad17_code"].isin(districts)].copy(),
        coverage=coverage,
        **parts,
    )
