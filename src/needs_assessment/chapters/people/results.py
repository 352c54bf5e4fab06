"""The People chapter's block of ``results.json``, as a typed model.

Every number is taken from a published (disclosure-controlled) table, so the summary that
quotes it can never show a suppressed count. The three Home Office measures carry their
tier, for the summary dashboard.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from needs_assessment.chapters.people import tables
from needs_assessment.chapters.people.analysis import PeopleChapter
from needs_assessment.config import AssessmentConfig


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgeShare(_Block):
    role: str
    financial_year: str
    known_age: int
    under_18_share: float | None
    under_18_lower: float | None
    under_18_upper: float | None
    share_18_24: float | None


class HomeOfficeMeasure(_Block):
    key: str
    tier: str
    synthetic: bool
    available: bool
    period: str
    count: int | None
    count_lower: int | None
    count_upper: int | None
    rate_per_100000: float | None
    rate_lower: float | None
    rate_upper: float | None


class Repeat(_Block):
    role: str
    period: str
    people: int
    offences: int | None
    top_5pc_share: float | None


class Ratio(_Block):
    role: str
    ages: str
    ethnic_group: str
    rate_ratio: float | None
    lower: float | None
    upper: float | None
    not_recorded_share: float


class PeopleResults(_Block):
    tier: str | None
    synthetic: bool
    latest_year: str | None
    population_basis: str | None
    shares: list[AgeShare]
    measures: list[HomeOfficeMeasure]
    repeats: list[Repeat]
    disproportionality: list[Ratio]
    census_lsoas: int | None
    census_residents: int | None


def results(chapter: PeopleChapter, config: AssessmentConfig) -> PeopleResults:
    """The results block of a built chapter (numbers from the published tables)."""
    e = chapter.ethnicity
    return PeopleResults(
        tier=chapter.tier.label if chapter.tier else None,
        synthetic=bool(chapter.tier and chapter.tier.synthetic),
        latest_year=_fy(chapter.latest_year),
        population_basis=chapter.denominator.basis if chapter.denominator else None,
        shares=_shares(chapter, config),
        measures=[
            HomeOfficeMeasure(**_clean(row), synthetic=_synthetic(row["tier"], chapter))
            for row in _records(tables.published_measures(chapter.measures, config), MEASURE_KEYS)
        ],
        repeats=[
            Repeat(**_clean(row))
            for row in _records(
                tables.published_repeats(chapter, config),
                ["role", "period", "people", "offences", "top_5pc_share"],
            )
        ]
        if chapter.repeats
        else [],
        disproportionality=_ratios(chapter, config) if e else [],
        census_lsoas=e.lsoas if e else None,
        census_residents=int(e.residents["residents"].sum()) if e else None,
    )


MEASURE_KEYS = [
    "measure",
    "tier",
    "available",
    "period",
    "count",
    "count_lower",
    "count_upper",
    "rate_per_100000",
    "rate_lower",
    "rate_upper",
]


def _shares(chapter: PeopleChapter, config: AssessmentConfig) -> list[AgeShare]:
    if chapter.trend.empty:
        return []
    safe = tables.published_trend(chapter, config)
    latest = safe[safe["financial_year"] == _fy(chapter.latest_year)]
    keys = ["role", "financial_year", "known_age", "under_18_share", "under_18_lower"]
    keys += ["under_18_upper", "18_24_share"]
    return [
        AgeShare(
            **_clean({k: v for k, v in row.items() if k != "18_24_share"}),
            share_18_24=_clean(row)["18_24_share"],
        )  # fmt: skip
        for row in _records(latest, keys)
    ]


def _ratios(chapter: PeopleChapter, config: AssessmentConfig) -> list[Ratio]:
    safe = tables.published_ethnicity(chapter, config)
    keys = ["role", "ages", "ethnic_group", "ratio", "ratio_lower", "ratio_upper"]
    rows = _records(safe, [*keys, "not_recorded_share"])
    return [
        Ratio(
            **_clean(
                {
                    **{k: row[k] for k in ("role", "ages", "ethnic_group", "not_recorded_share")},
                    "rate_ratio": row["ratio"],
                    "lower": row["ratio_lower"],
                    "upper": row["ratio_upper"],
                }
            )
        )
        for row in rows
    ]


def _synthetic(tier: str, chapter: PeopleChapter) -> bool:
    return bool(chapter.tier and chapter.tier.synthetic and tier == chapter.tier.label)


def _records(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    rows = frame[keys].rename(columns={"measure": "key"}).to_dict("records")
    return rows


def _fy(year: int | None) -> str | None:
    return None if year is None else f"{year}/{(year + 1) % 100:02d}"


def _clean(row: dict) -> dict:
    """Missing (NA, NaN) as None; numpy scalars as Python values; whole floats of counts kept."""
    clean = {}
    for key, value in row.items():
        if value is pd.NA or value is None:
            value = None
        elif isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and math.isnan(value):
            value = None
        if key in ("count", "count_lower", "count_upper", "offences") and value is not None:
            value = int(value)
        clean[key] = value
    return clean
