"""The County Lines block of ``results.json``: a typed model the summary can quote.

Keys keep their historical names: ``lower_95`` / ``upper_95`` are the interval limits at
the configured confidence level (95% by default).
"""

from __future__ import annotations

import pandas as pd
from pydantic import BaseModel, ConfigDict

from needs_assessment.chapters.county_lines.analysis import CountyLinesChapter
from needs_assessment.chapters.county_lines.tables import publishable_markets, published_summary

PUBLIC_LABEL = "real data: ONS police recorded crime"
#: Pooled periods recorded per district: the recent years, and the whole period.
POOLS = ("recent", "whole")


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PooledShare(_Block):
    period: str
    supply_offenders: int | None
    import_share: float | None
    lower_95: float | None
    upper_95: float | None
    market_type: str
    certainty: str | None


class YearShare(_Block):
    district: str
    financial_year: str
    supply_offenders: int
    import_share: float | None
    lower_95: float | None
    upper_95: float | None
    market_type: str | None
    certainty: str | None


class ViolenceRatio(_Block):
    importing_vs_home_grown: float | None
    lower_95: float | None
    upper_95: float | None
    adjusted: float | None
    adjusted_lower_95: float | None
    adjusted_upper_95: float | None
    importing_district_years: int
    home_grown_district_years: int


class Overlap(_Block):
    share: float | None
    lower_95: float | None
    upper_95: float | None
    expected: float | None
    odds_ratio: float | None
    odds_lower_95: float | None
    odds_upper_95: float | None
    p_value: float


class PublicDrugOffences(_Block):
    source: str
    financial_year: str
    rate_per_1000: float
    england_wales_rate_per_1000: float
    vs_england_wales: str | None


class CountyLinesResults(_Block):
    """Key figures of the chapter (``results.json["county_lines"]``)."""

    synthetic: bool
    data_label: str
    import_threshold: float
    min_offenders: int
    offenders_counted_as: str
    latest_year: str
    latest_market_type: dict[str, str | None]
    latest_certainty: dict[str, str | None]
    usual_market_type: dict[str, str]
    recent_period: str
    recent_market_type: dict[str, str]
    recent_certainty: dict[str, str | None]
    pooled_import_shares: dict[str, dict[str, PooledShare]]
    import_shares: list[YearShare]
    violence_rate_ratio: ViolenceRatio
    hotspot_overlap: Overlap
    public_drug_offences: PublicDrugOffences


def _float(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 4)


def _int(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def results(chapter: CountyLinesChapter) -> CountyLinesResults:
    """The chapter's key figures, typed."""
    summary = published_summary(chapter)

    def by_district(column: str) -> dict:
        return {d: _text(v) for d, v in zip(summary["district"], summary[column], strict=True)}

    return CountyLinesResults(
        synthetic=chapter.synthetic,
        data_label=chapter.label,
        import_threshold=chapter.settings.import_threshold,
        min_offenders=chapter.settings.min_offenders,
        offenders_counted_as=chapter.unit,
        latest_year=summary["latest_year"].iloc[0],
        latest_market_type=by_district("latest_market_type"),
        latest_certainty=by_district("latest_certainty"),
        usual_market_type=by_district("usual_market_type"),
        recent_period=chapter.recent_period,
        recent_market_type=by_district("recent_market_type"),
        recent_certainty=by_district("recent_certainty"),
        pooled_import_shares={name: _pooled(summary, name) for name in POOLS},
        import_shares=_year_shares(chapter),
        violence_rate_ratio=_violence(chapter),
        hotspot_overlap=_overlap(chapter),
        public_drug_offences=_public(chapter),
    )


def _pooled(summary: pd.DataFrame, name: str) -> dict[str, PooledShare]:
    return {
        row["district"]: PooledShare(
            period=row[f"{name}_period"],
            supply_offenders=_int(row[f"{name}_supply_offenders"]),
            import_share=_float(row[f"{name}_import_share"]),
            lower_95=_float(row[f"{name}_import_lower_95"]),
            upper_95=_float(row[f"{name}_import_upper_95"]),
            market_type=row[f"{name}_market_type"],
            certainty=_text(row[f"{name}_certainty"]),
        )
        for row in summary.to_dict(orient="records")
    }


def _year_shares(chapter: CountyLinesChapter) -> list[YearShare]:
    """Every district-year whose offender count is published (suppressed cells left out)."""
    published = publishable_markets(chapter.markets, chapter.settings)
    return [
        YearShare(
            district=r.district,
            financial_year=r.financial_year,
            supply_offenders=int(r.supply_offenders),
            import_share=_float(r.import_share),
            lower_95=_float(r.import_lower_95),
            upper_95=_float(r.import_upper_95),
            market_type=_text(r.market_type),
            certainty=_text(r.certainty),
        )
        for r in published.itertuples()
        if pd.notna(r.supply_offenders)
    ]


def _violence(chapter: CountyLinesChapter) -> ViolenceRatio:
    link = chapter.violence
    return ViolenceRatio(
        importing_vs_home_grown=_float(link.rate_ratio),
        lower_95=_float(link.lower),
        upper_95=_float(link.upper),
        adjusted=_float(link.adjusted_rate_ratio),
        adjusted_lower_95=_float(link.adjusted_lower),
        adjusted_upper_95=_float(link.adjusted_upper),
        importing_district_years=link.importing_district_years,
        home_grown_district_years=link.home_grown_district_years,
    )


def _overlap(chapter: CountyLinesChapter) -> Overlap:
    overlap = chapter.overlap
    return Overlap(
        share=_float(overlap.overlap_share),
        lower_95=_float(overlap.overlap_lower),
        upper_95=_float(overlap.overlap_upper),
        expected=_float(overlap.expected_share),
        odds_ratio=_float(overlap.odds_ratio),
        odds_lower_95=_float(overlap.odds_lower),
        odds_upper_95=_float(overlap.odds_upper),
        p_value=float(overlap.p_value),
    )


def _public(chapter: CountyLinesChapter) -> PublicDrugOffences:
    force = chapter.public[chapter.public["area_type"] == "force"].sort_values("year")
    latest = force.iloc[-1]
    judged = latest["vs_england_wales"]
    return PublicDrugOffences(
        source=PUBLIC_LABEL,
        financial_year=latest["financial_year"],
        rate_per_1000=float(latest["rate_per_1000"]),
        england_wales_rate_per_1000=float(latest["england_wales_rate_per_1000"]),
        vs_england_wales=None if pd.isna(judged) else str(judged),
    )
