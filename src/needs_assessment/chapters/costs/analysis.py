"""Costs chapter: what recorded serious violence costs, by category, year, area and district.

Cost = real recorded offences (Home Office open data, :mod:`needs_assessment.force_series`
counts) x the Home Office unit cost of the offence (*The economic and social costs of
crime*, Heeks et al. 2018, 2015/16 prices) x the GDP-deflator factor to the prices of the
latest year (:mod:`needs_assessment.methods.costs`). Only the categories in
:data:`COSTED_CATEGORIES` have a unit cost; the rest are listed, never costed at zero.
The local serious-violence definition is costed only for its offence codes that belong to
a costed category. Recorded crime only, so every cost is a lower bound. Frames and typed
values only: tables are shaped in ``tables``, words in ``words`` and ``text/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from needs_assessment import tiers
from needs_assessment.config import AssessmentConfig, financial_year_label
from needs_assessment.definitions import Definitions, offences_in
from needs_assessment.force_series import NATIONAL, PEERS, peer_group
from needs_assessment.methods.costs import Uprating, costs, uncosted, uprating
from needs_assessment.sources.ho_open_data import category_codes

#: Definition category -> the offence of the unit-costs file it is costed as. The
#: categories count the same offences as the Home Office offence groups of the same name.
COSTED_CATEGORIES = {
    "homicide": "Homicide",
    "violence_with_injury": "Violence with injury",
    "robbery": "Robbery",
}
LOCAL_DEFINITION = "local_serious_violence"
TOTAL, RESPONSE = "total", ("police", "criminal_justice")
PER = 1_000  # cost per this many residents
DEFLATOR_SOURCE = "ONS GDP at market prices, implied deflator (series YBGB, dataset UKEA)"
UNIT_COST_SOURCE = (
    "Home Office, The economic and social costs of crime (Heeks et al., 2018, Research Report 99)"
)


@dataclass(frozen=True)
class Prices:
    """The prices costs are shown in: the unit costs' base, or uprated to ``year``."""

    base_year: int
    year: int
    factor: float
    uprated: bool
    uprating: Uprating | None = None

    @property
    def base_label(self) -> str:
        return financial_year_label(self.base_year)

    @property
    def label(self) -> str:
        return financial_year_label(self.year)


@dataclass(frozen=True)
class CostsChapter:
    """What the chapter shows; a frame is None when the data it needs is not configured."""

    latest_year: int
    unit_costs: pd.DataFrame | None
    prices: Prices | None
    by_category: pd.DataFrame | None  # force: category x component x year
    areas: pd.DataFrame | None  # force, peers, England and Wales: total cost per 1,000
    local: pd.DataFrame | None  # the local definition: costed codes and the rest
    local_uncosted_codes: dict[str, str]
    uncosted: list[str]
    unused_unit_costs: list[str]
    response_categories: list[str]
    peers: list[str]
    deflator_missing: bool
    extract_tier: tiers.Tier | None = None
    districts: pd.DataFrame | None = None
    labels: dict[str, str] = field(default_factory=dict)


def build(
    config: AssessmentConfig,
    definitions: Definitions,
    *,
    force_offence_categories: pd.DataFrame,
    force_offences: pd.DataFrame,
    force_population_mye21: pd.DataFrame,
    district_population_mye21: pd.DataFrame,
    force_context: pd.DataFrame,
    unit_costs: pd.DataFrame | None,
    gdp_deflator: pd.DataFrame | None,
    force_extract: pd.DataFrame | None,
) -> CostsChapter:
    """Everything the chapter shows, from the processed tables it names.

    ``unit_costs`` None: nothing is costed (the page says so); ``gdp_deflator`` None: costs
    stay at the unit costs' price base; ``force_extract`` None: no district costs.
    """
    counts = period_counts(force_offence_categories, config)
    latest = latest_year(counts, config)
    peers = list(peer_group(config, force_context)["force"])
    mapping = costed_mapping(definitions, unit_costs)
    categories = [k for k in definitions.categories if k != LOCAL_DEFINITION]
    common = {
        "latest_year": latest,
        "unit_costs": unit_costs,
        "uncosted": [
            definitions.labels[k] for k in uncosted(categories, _or_empty(unit_costs), mapping)
        ],
        "peers": peers,
        "deflator_missing": gdp_deflator is None,
        "labels": definitions.labels,
        "local_uncosted_codes": local_uncosted_codes(definitions, force_offences, config),
    }
    if unit_costs is None:
        return CostsChapter(
            prices=None,
            by_category=None,
            areas=None,
            local=None,
            unused_unit_costs=[],
            response_categories=[],
            **common,
        )
    prices = price_basis(unit_costs, gdp_deflator, latest, config.costs.prices)
    force = counts[counts["area"] == config.area.force]
    by_category = _labelled(costs(force, unit_costs, mapping, prices.factor), definitions)
    return CostsChapter(
        prices=prices,
        by_category=by_category,
        areas=area_costs(
            counts, force_population_mye21, config, peers, unit_costs, mapping, prices
        ),
        local=local_costs(
            force_offences, force_offence_categories, config, definitions, unit_costs, prices
        ),
        unused_unit_costs=sorted(set(unit_costs["offence"]) - set(mapping.values())),
        response_categories=response_categories(by_category),
        **common,
        **_from_extract(
            config,
            definitions,
            force_extract,
            district_population_mye21,
            unit_costs,
            mapping,
            prices,
        ),
    )


def _or_empty(unit_costs: pd.DataFrame | None) -> pd.DataFrame:
    if unit_costs is None:
        return pd.DataFrame({"offence": [], "component": [], "unit_cost_gbp": []})
    return unit_costs


def period_counts(categories: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """``area, area_type, category, financial_year, count`` in the configured period."""
    frame = categories[
        categories["financial_year"].between(config.period.first_year, config.period.last_year)
    ]
    return frame.assign(financial_year=frame["financial_year"].astype(int))


def latest_year(counts: pd.DataFrame, config: AssessmentConfig) -> int:
    """The latest financial year of real force counts in the period."""
    force = counts[counts["area"] == config.area.force]
    if force.empty:
        raise ValueError(f"no recorded crime for force {config.area.force!r} in the period")
    return int(force["financial_year"].max())


def costed_mapping(definitions: Definitions, unit_costs: pd.DataFrame | None) -> dict[str, str]:
    """The costed categories of :data:`COSTED_CATEGORIES` this definitions file has."""
    offences = set() if unit_costs is None else set(unit_costs["offence"])
    return {
        key: offence
        for key, offence in COSTED_CATEGORIES.items()
        if key in definitions.categories and offence in offences
    }


def price_basis(
    unit_costs: pd.DataFrame, deflator: pd.DataFrame | None, latest: int, prices: str
) -> Prices:
    """Uprated to ``latest`` by the deflator, unless the config asks for base prices or
    there is no deflator."""
    bases = sorted(set(unit_costs["price_base"].astype(int)))
    if len(bases) != 1:
        raise ValueError(f"the unit costs mix price bases: {bases}")
    base = bases[0]
    if prices == "base" or deflator is None:
        return Prices(base, base, 1.0, uprated=False)
    factor = uprating(deflator, base, latest)
    return Prices(base, factor.to_year, factor.factor, uprated=True, uprating=factor)


def _labelled(frame: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    return frame.assign(
        label=frame["category"].map(definitions.labels),
        year_label=frame["financial_year"].map(financial_year_label),
    )


def response_categories(by_category: pd.DataFrame) -> list[str]:
    """The categories whose police and criminal-justice shares are both sourced."""
    components = by_category.groupby("category")["component"].agg(set)
    return [c for c, found in components.items() if set(RESPONSE) <= found]


def area_costs(
    counts: pd.DataFrame,
    population: pd.DataFrame,
    config: AssessmentConfig,
    peers: list[str],
    unit_costs: pd.DataFrame,
    mapping: dict[str, str],
    prices: Prices,
) -> pd.DataFrame:
    """Full cost of the costed categories and cost per :data:`PER` residents, per year:
    the force, its peer forces (pooled) and England and Wales (the 43 forces)."""
    forces = counts[counts["area_type"] == "force"]
    groups = [
        (config.area.display_name, "force", forces[forces["area"] == config.area.force]),
        (PEERS, "peers", forces[forces["area"].isin(peers)]),
        (NATIONAL, "national", forces),
    ]
    people = population.rename(columns={"force": "area", "year": "financial_year"})
    frames = []
    for name, area_type, rows in groups:
        cost = costs(rows, unit_costs, mapping, prices.factor)
        cost = cost[cost["component"] == TOTAL].groupby("financial_year")["cost_gbp"].sum()
        members = people[people["area"].isin(set(rows["area"]))]
        residents = members.groupby("financial_year")["population"].sum().astype(float)
        frame = pd.DataFrame({"cost_gbp": cost, "population": residents.reindex(cost.index)})
        frames.append(frame.reset_index().assign(area=name, area_type=area_type))
    frame = pd.concat(frames, ignore_index=True).dropna(subset=["population"])
    frame["cost_per_1000"] = frame["cost_gbp"] / frame["population"] * PER
    frame["year_label"] = frame["financial_year"].map(financial_year_label)
    return frame[
        [
            "area",
            "area_type",
            "financial_year",
            "year_label",
            "cost_gbp",
            "population",
            "cost_per_1000",
        ]
    ]


def local_costs(
    offences: pd.DataFrame,
    categories: pd.DataFrame,
    config: AssessmentConfig,
    definitions: Definitions,
    unit_costs: pd.DataFrame,
    prices: Prices,
) -> pd.DataFrame | None:
    """The local definition by year: its offences, those costed (codes of a costed
    category, at that category's unit cost) and their full cost. None without the
    definition."""
    if LOCAL_DEFINITION not in definitions.categories:
        return None
    codes = category_codes(definitions)
    mapping = costed_mapping(definitions, unit_costs)
    local = codes[LOCAL_DEFINITION]
    force = offences[offences["force"] == config.area.force]
    force = force[
        force["financial_year"].between(config.period.first_year, config.period.last_year)
    ]
    parts = []
    for key in mapping:
        shared = local & codes[key]
        rows = force[force["offence_code"].isin(shared)]
        counted = rows.groupby("financial_year", as_index=False)["count"].sum()
        parts.append(counted.assign(category=key))
    counted = pd.concat(parts, ignore_index=True)
    counted["financial_year"] = counted["financial_year"].astype(int)
    cost = costs(counted, unit_costs, mapping, prices.factor)
    cost = cost[cost["component"] == TOTAL]
    totals = period_counts(categories, config)
    totals = totals[
        (totals["area"] == config.area.force) & (totals["category"] == LOCAL_DEFINITION)
    ]
    frame = pd.DataFrame(
        {
            "offences": totals.set_index("financial_year")["count"].astype(int),
            "costed_offences": cost.groupby("financial_year")["count"].sum(),
            "cost_gbp": cost.groupby("financial_year")["cost_gbp"].sum(),
        }
    ).fillna({"costed_offences": 0, "cost_gbp": 0.0})
    frame["costed_offences"] = frame["costed_offences"].astype(int)
    frame["uncosted_offences"] = frame["offences"] - frame["costed_offences"]
    frame = frame.rename_axis("financial_year").reset_index()
    frame["year_label"] = frame["financial_year"].map(financial_year_label)
    return frame


def local_uncosted_codes(
    definitions: Definitions, offences: pd.DataFrame, config: AssessmentConfig
) -> dict[str, str]:
    """The local definition's offence codes (-> description) that no costed category
    counts and that recorded offences in the force in the period."""
    if LOCAL_DEFINITION not in definitions.categories:
        return {}
    codes = category_codes(definitions)
    costed = set().union(*(codes[k] for k in COSTED_CATEGORIES if k in codes))
    period = offences["financial_year"].between(config.period.first_year, config.period.last_year)
    force = offences[(offences["force"] == config.area.force) & period & (offences["count"] > 0)]
    recorded = set(force["offence_code"])
    listed = definitions.categories[LOCAL_DEFINITION].home_office_codes
    return {code: text for code, text in listed.items() if code not in costed and code in recorded}


def _from_extract(config, definitions, extract, population, unit_costs, mapping, prices) -> dict:
    if extract is None:
        return {}
    tier = tiers.force_extract(bool(config.data.force_extract_is_synthetic))
    frame = district_costs(extract, population, config, definitions, unit_costs, mapping, prices)
    return {"extract_tier": tier, "districts": frame.assign(source_tier=tier.label)}


def district_costs(
    extract: pd.DataFrame,
    population: pd.DataFrame,
    config: AssessmentConfig,
    definitions: Definitions,
    unit_costs: pd.DataFrame,
    mapping: dict[str, str],
    prices: Prices,
) -> pd.DataFrame:
    """Full cost by district and costed category in the extract's latest year of the
    period, with cost per :data:`PER` residents (that year's district estimate, or the
    nearest one)."""
    year = int(extract.loc[extract["year"] <= config.period.last_year, "year"].max())
    rows = extract[extract["year"] == year]
    frames = []
    for key in mapping:
        counted = rows[offences_in(rows, definitions.categories[key])]
        counted = counted.groupby("district_code").size().reindex(list(config.area.districts))
        frames.append(
            counted.fillna(0)
            .astype(int)
            .rename("count")
            .rename_axis("district_code")
            .reset_index()
            .assign(category=key, financial_year=year)
        )
    counts = pd.concat(frames, ignore_index=True)
    cost = pd.concat(
        [
            costs(part, unit_costs, mapping, prices.factor).assign(district_code=district)
            for district, part in counts.groupby("district_code", sort=False)
        ],
        ignore_index=True,
    )
    frame = cost[cost["component"] == TOTAL].drop(columns="component").reset_index(drop=True)
    nearest = min(max(year, int(population["year"].min())), int(population["year"].max()))
    people = population[population["year"] == nearest].set_index("code")["population"]
    frame["population"] = frame["district_code"].map(people).astype(float)
    frame["population_year"] = nearest
    frame["cost_per_1000"] = frame["cost_gbp"] / frame["population"] * PER
    frame["area"] = frame["district_code"].map(config.area.districts)
    frame["label"] = frame["category"].map(definitions.labels)
    frame["year_label"] = financial_year_label(year)
    return frame
