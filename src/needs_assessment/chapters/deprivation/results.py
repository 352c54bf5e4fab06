"""The deprivation chapter's block of ``results.json``, as a typed model.

The executive summary quotes these values (``association`` is the chapter's own verdict),
so it never re-judges the finding with a rule of its own.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict

from needs_assessment.chapters.deprivation.analysis import (
    Analysis,
    Association,
    DeprivationChapter,
    covers_whole_years,
    unexpected_counts,
)
from needs_assessment.chapters.deprivation.tables import measures_table


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Estimate(_Block):
    """An estimate and its interval at the configured level, rounded to 4 decimals."""

    estimate: float
    lower: float
    upper: float


class RateRatio(_Block):
    """Rate ratio most vs least deprived decile; ``model`` "negative binomial" when its limits
    allow for overdispersion between LSOAs (NB2 shape ``alpha``), "Poisson" when alpha is 0."""

    most_deprived_decile: int
    least_deprived_decile: int
    estimate: float
    lower: float
    upper: float
    model: str
    alpha: float


class IncomeStep(_Block):
    """Incidence rate ratio per income-domain decile step more deprived, and the model."""

    estimate: float
    lower: float
    upper: float
    model: str


class DecileStep(IncomeStep):
    """Incidence rate ratio per IMD decile step more deprived, the model and its dispersion
    (Poisson Pearson chi-square / df)."""

    dispersion: float


class District(_Block):
    district: str
    lsoas: int
    irr_per_decile: float | None
    irr_lower_95: float | None
    irr_upper_95: float | None
    rho: float | None
    rho_lower_95: float | None
    rho_upper_95: float | None
    reliability: str


class Measure(_Block):
    measure: str
    source: str
    months: int
    first_month: str
    last_month: str
    lsoas: int
    count: int
    rate_per_1000_over_months: float | None
    rho_imd: float | None
    rho_imd_lower_95: float | None
    rho_imd_upper_95: float | None
    rho_income: float | None
    rho_income_lower_95: float | None
    rho_income_upper_95: float | None
    rate_ratio: float | None
    rate_ratio_lower_95: float | None
    rate_ratio_upper_95: float | None
    irr_per_decile: float | None
    irr_lower_95: float | None
    irr_upper_95: float | None
    model: str


class DeprivationResults(_Block):
    """Key figures of the headline measure, each district and every measure."""

    measure: str
    source: str
    crime_types: list[str]
    months: list[str]
    months_pooled: int
    population_years: dict[str, int]
    lsoas: int
    events: int
    excluded_no_location: int
    excluded_outside_area: int
    months_cover_whole_years: bool
    rate_per_1000_over_months: float
    rho_imd: Estimate
    rho_income: Estimate
    rate_ratio: RateRatio
    irr_per_decile: DecileStep
    irr_per_income_decile: IncomeStep
    sii_per_1000_over_months: float
    rii: float
    unexpected_more: int
    unexpected_fewer: int
    districts: list[District]
    measures: list[Measure]
    association: Association
    #: The index the LSOAs are ranked on ("IMD 2019", "WIMD 2019", or both for an area in
    #: England and Wales); ``rho_imd`` and the decile figures are on it.
    index: str = "IMD 2019"


def results(chapter: DeprivationChapter) -> DeprivationResults:
    """The results block of a built chapter."""
    h = chapter.headline
    unexpected = unexpected_counts(h.table)
    return DeprivationResults(
        index=chapter.index,
        measure=h.events.label,
        source=h.events.source,
        crime_types=list(h.events.crime_types),
        months=list(h.events.months),
        months_pooled=len(h.events.months),
        population_years={str(k): v for k, v in h.population_years.items()},
        lsoas=len(h.table),
        events=h.events.total,
        excluded_no_location=h.events.no_location,
        excluded_outside_area=h.events.outside_area,
        months_cover_whole_years=covers_whole_years(h.events.months),
        rate_per_1000_over_months=round(h.area_rate, 3),
        rho_imd=_estimate(h.rho_imd),
        rho_income=_estimate(h.rho_income),
        rate_ratio=_rate_ratio(h),
        irr_per_decile=DecileStep(
            **_rounded(h.gradient, "irr"),
            model=h.gradient.model,
            dispersion=round(h.gradient.dispersion, 3),
        ),
        irr_per_income_decile=IncomeStep(
            **_rounded(h.income_gradient, "irr"), model=h.income_gradient.model
        ),
        sii_per_1000_over_months=round(h.inequality.sii, 4),
        rii=round(h.inequality.rii, 4),
        unexpected_more=unexpected["more"],
        unexpected_fewer=unexpected["fewer"],
        districts=[District(**row) for row in _district_records(h.districts)],
        measures=[Measure(**_nulls(row)) for row in _measure_records(chapter)],
        association=h.association,
    )


def _rate_ratio(a: Analysis) -> RateRatio:
    rr = a.rate_ratio
    return RateRatio(
        most_deprived_decile=rr.most_deprived_decile,
        least_deprived_decile=rr.least_deprived_decile,
        **_rounded(rr),
        model=a.decile_model,
        alpha=round(a.alpha, 4),
    )


def _estimate(value) -> Estimate:
    return Estimate(**_rounded(value))


def _rounded(value, name: str = "estimate") -> dict:
    return {
        "estimate": round(float(getattr(value, name)), 4),
        "lower": round(float(value.lower), 4),
        "upper": round(float(value.upper), 4),
    }


DISTRICT_FIELDS = list(District.model_fields)


def _district_records(districts) -> list[dict]:
    frame = districts[DISTRICT_FIELDS].round(4)
    return [_nulls(row) for row in frame.to_dict("records")]


def _measure_records(chapter: DeprivationChapter) -> list[dict]:
    return measures_table(chapter.analyses).to_dict("records")


def _nulls(row: dict) -> dict:
    """NaN (no estimate) as None, numpy scalars as Python values."""
    clean = {}
    for key, value in row.items():
        if isinstance(value, np.generic):
            value = value.item()
        clean[key] = None if isinstance(value, float) and math.isnan(value) else value
    return clean
