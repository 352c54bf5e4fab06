"""The trends chapter's results block (``results.json["trends"]``), as a typed model.

The executive summary and the appendix read these keys; ``model_dump(mode="json")`` gives
the same keys and values the chapter has always recorded.
"""

from __future__ import annotations

import math

import pandas as pd
from pydantic import BaseModel, ConfigDict

from needs_assessment.chapters.trends.analysis import TrendsChapter, recent_counts


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Coverage(_Block):
    """The years of real force counts for one category."""

    label: str
    first_year: str
    last_year: str
    years_missing: list[str]
    earlier_vintage: list[str]


class Judgement(_Block):
    """One category's latest year, judged four ways (a performance-pack row)."""

    category: str
    label: str
    financial_year: str
    count: int
    per: int
    rate: float
    rate_lower_95: float
    rate_upper_95: float
    rate_per_1000: float
    previous_count: int | None
    change_on_previous_pct: float | None
    vs_previous_year: str
    expected_change_on_previous_pct: float | None
    previous_includes_lockdown: bool
    three_year_average: float | None
    vs_three_year_average: str
    expected_change_on_average_pct: float | None
    average_includes_lockdown: bool
    dispersion: float | None
    trend_pct_per_year: float
    trend_lower_95: float
    trend_upper_95: float
    trend_years: str
    trend_model: str
    trend_includes_lockdown: bool
    benchmark_rate: float | None
    england_wales_rate: float | None
    vs_england_wales: str
    peer_rate: float | None
    rank_of_forces: str | None
    source_tier: str


class RollingYear(_Block):
    """The latest published rolling 12 months against the 12 months before it."""

    category: str
    label: str
    period: str
    count: int
    previous_period: str
    previous_count: int
    change_pct: float | None
    judgement: str
    expected_change_pct: float | None
    baseline_includes_lockdown: bool


class RollingRank(_Block):
    """The force's rank in the latest rolling year the ONS PFA tables publish."""

    category: str
    label: str
    period: str
    per: int
    rate: float
    rank: int
    rank_label: str
    of: int


class Latest(_Block):
    """The latest financial year of real force counts and where it comes from."""

    financial_year: str
    source: str


class TrendsResults(_Block):
    """What the chapter found, for ``results.json``.

    In ``judgements``, ``rate``, its interval, ``benchmark_rate`` and ``peer_rate`` are per
    ``per`` residents (the category's unit); ``rate_per_1000`` and ``england_wales_rate``
    are per 1,000 for every category (the summary's indicator table). Judgements against
    earlier periods (``methods.change``) carry the % change the trend alone predicts
    (``expected_change_*``), the dispersion of the force's series (its year-to-year
    variance over the Poisson one) and whether each baseline or trend includes the
    lockdown year 2020/21 (``*_includes_lockdown``).
    """

    coverage: dict[str, Coverage]
    judgements: list[Judgement]
    peers: list[str]
    rolling_year: list[RollingYear]
    rolling_ranks: list[RollingRank]
    recent_counts: dict[str, dict[str, int]]
    latest: Latest
    sources: list[str]


def results(chapter: TrendsChapter) -> TrendsResults:
    """The chapter's key figures as a :class:`TrendsResults`."""
    extract = [] if chapter.extract_tier is None else [chapter.extract_tier.label]
    return TrendsResults(
        coverage=chapter.coverage,
        judgements=_records(chapter.judgements),
        peers=list(chapter.peers["force"]),
        rolling_year=_records(chapter.rolling),
        rolling_ranks=_records(chapter.rolling_ranks),
        recent_counts=recent_counts(chapter.series),
        latest=chapter.latest,
        sources=sorted(set(chapter.series["source_tier"])) + extract,
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values, missing values as None."""
    return [
        {key: _plain(value) for key, value in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _plain(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value
