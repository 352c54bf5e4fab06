"""The costs chapter's results block (``results.json["costs"]``), as a typed model.

The executive summary quotes these values; a value is None when the data behind it is
not configured (the page then says why).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from needs_assessment.chapters.costs.analysis import (
    DEFLATOR_SOURCE,
    PER,
    RESPONSE,
    TOTAL,
    UNIT_COST_SOURCE,
    CostsChapter,
)
from needs_assessment.config import financial_year_label
from needs_assessment.force_series import TIER_HO


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Uprating(_Block):
    """From the unit costs' price base to the prices shown, by the GDP deflator."""

    from_year: str
    to_year: str
    from_index: float
    to_index: float
    factor: float
    method: str
    source: str


class AreaCost(_Block):
    """The full cost of the costed categories in the latest year, per ``per`` residents."""

    area: str
    cost_gbp: float
    cost_per_residents: float
    per: int


class CostsResults(_Block):
    """What the chapter found. ``total_cost_gbp`` is the full cost (anticipation,
    consequences, response) of the costed categories in ``latest_year`` at ``prices``
    prices; ``homicide_police_cjs_cost_gbp`` the police and criminal-justice part for
    homicide, the only category whose shares are sourced. Recorded crime only: lower bounds.
    """

    latest_year: str
    price_base: str | None
    prices: str | None
    uprating: Uprating | None
    total_cost_gbp: float | None
    homicide_police_cjs_cost_gbp: float | None
    costed_categories: list[str]
    uncosted_categories: list[str]
    areas: list[AreaCost]
    local_definition_cost_gbp: float | None
    sources: list[str]


def results(chapter: CostsChapter) -> CostsResults:
    """The chapter's key figures as a :class:`CostsResults`."""
    prices = chapter.prices
    return CostsResults(
        latest_year=financial_year_label(chapter.latest_year),
        price_base=None if prices is None else prices.base_label,
        prices=None if prices is None else prices.label,
        uprating=_uprating(chapter),
        total_cost_gbp=_total(chapter),
        homicide_police_cjs_cost_gbp=_response(chapter, "homicide"),
        costed_categories=_costed(chapter),
        uncosted_categories=chapter.uncosted,
        areas=_areas(chapter),
        local_definition_cost_gbp=_local(chapter),
        sources=_sources(chapter),
    )


def _uprating(chapter: CostsChapter) -> Uprating | None:
    prices = chapter.prices
    if prices is None or prices.uprating is None:
        return None
    factor = prices.uprating
    return Uprating(
        from_year=financial_year_label(factor.from_year),
        to_year=financial_year_label(factor.to_year),
        from_index=factor.from_index,
        to_index=factor.to_index,
        factor=factor.factor,
        method="financial-year means of quarterly index values",
        source=DEFLATOR_SOURCE,
    )


def latest_rows(chapter: CostsChapter, component: str = TOTAL):
    """The force's costed rows of the latest year for one component."""
    frame = chapter.by_category
    return frame[
        (frame["financial_year"] == chapter.latest_year) & (frame["component"] == component)
    ]


def _total(chapter: CostsChapter) -> float | None:
    if chapter.by_category is None:
        return None
    return float(latest_rows(chapter)["cost_gbp"].sum())


def _response(chapter: CostsChapter, category: str) -> float | None:
    if category not in chapter.response_categories:
        return None
    frame = chapter.by_category
    rows = frame[
        (frame["financial_year"] == chapter.latest_year)
        & (frame["category"] == category)
        & frame["component"].isin(RESPONSE)
    ]
    return float(rows["cost_gbp"].sum())


def _costed(chapter: CostsChapter) -> list[str]:
    if chapter.by_category is None:
        return []
    return list(dict.fromkeys(chapter.by_category["label"]))


def _areas(chapter: CostsChapter) -> list[AreaCost]:
    if chapter.areas is None:
        return []
    latest = chapter.areas[chapter.areas["financial_year"] == chapter.latest_year]
    return [
        AreaCost(
            area=row.area,
            cost_gbp=float(row.cost_gbp),
            cost_per_residents=float(row.cost_per_1000),
            per=PER,
        )
        for row in latest.itertuples()
    ]


def _local(chapter: CostsChapter) -> float | None:
    if chapter.local is None:
        return None
    rows = chapter.local[chapter.local["financial_year"] == chapter.latest_year]
    return float(rows["cost_gbp"].sum()) if len(rows) else None


def _sources(chapter: CostsChapter) -> list[str]:
    found = [TIER_HO]
    if chapter.unit_costs is not None:
        found.append(UNIT_COST_SOURCE)
    if chapter.prices is not None and chapter.prices.uprated:
        found.append(DEFLATOR_SOURCE)
    if chapter.extract_tier is not None:
        found.append(chapter.extract_tier.label)
    return found
