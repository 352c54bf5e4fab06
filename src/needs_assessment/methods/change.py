"""Is the latest period of a count series higher or lower than earlier periods?

Recorded-crime counts vary from year to year far more than a Poisson count would
(overdispersion), populations grow and most series trend, so a Poisson test of two counts
flags far too much. This module judges a rate against earlier rates with the year-to-year
variation measured from the series itself, and carries the earlier rate forward along the
series' own trend:

1. :func:`fit_baseline` fits a straight line to the log rates of the baseline years (those
   before the latest, less any known special-cause year such as a lockdown): slope b per
   year and residual variance v on n - 2 degrees of freedom, never less than the Poisson
   variance of those counts (mean of 1/count). v holds the Poisson noise and the extra
   variation together; v over the Poisson variance is the dispersion.
2. :func:`judge` compares the latest rate r with a baseline rate r0 (one earlier year, or
   the pooled rate of k years): the trend predicts log(r / r0) = b g, g the years from the
   baseline's mean year to the latest, so

       t = (log(r / r0) - b g) / sqrt(v (1 + 1/k + g^2 / Sxx + 2 g L)),

   L = sum over the earlier years in the fit of (x_j - mean year) / (k Sxx) (their pull
   on the slope; 0 for a year left out of the fit),
   judged against Student's t on n - 2 degrees of freedom at the given level: 'Higher',
   'Lower' or 'Comparable'. A zero count has 0.5 added.

On simulated negative binomial series with the real series' dispersion this flags about 5%
at the 95% level when nothing changed (``tests/test_change.py`` states the rates).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

MIN_BASELINE_YEARS = 4  # two parameters and at least two degrees of freedom
CONTINUITY = 0.5  # added to a zero count before its logarithm
NOT_COMPARED = "Not compared"


@dataclass(frozen=True)
class Baseline:
    """The straight line through the baseline years' log rates, and the scatter about it."""

    slope: float  # b: change in log rate per year
    slope_variance: float  # v / Sxx
    variance: float  # v: residual variance of one year's log rate, at least the Poisson one
    dispersion: float  # v over the Poisson variance (1 = Poisson)
    df: int  # residual degrees of freedom (years fitted - 2)
    excluded: tuple[int, ...]  # special-cause years left out of the fit
    fitted: tuple[int, ...]  # the years fitted
    mean_year: float
    sxx: float  # sum of squared deviations of the fitted years from their mean


@dataclass(frozen=True)
class Change:
    """The latest rate against a baseline rate carried forward along the trend."""

    ratio: float  # observed rate / baseline rate
    expected_ratio: float  # what the trend alone predicts, exp(b g)
    statistic: float  # t
    critical: float  # two-sided Student's t at the level, on the baseline's df
    judgement: str  # 'Higher', 'Lower' or 'Comparable'


def _arrays(years, counts, population) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    years = np.asarray(years, dtype=float)
    counts = np.asarray(counts, dtype=float)
    population = np.ones_like(counts) if population is None else np.asarray(population, float)
    if not (years.shape == counts.shape == population.shape) or years.ndim != 1:
        raise ValueError("years, counts and population must be 1-d and of one length")
    if np.isnan(counts).any() or (counts < 0).any():
        raise ValueError("counts must be non-negative numbers")
    if np.isnan(population).any() or (population <= 0).any():
        raise ValueError("population must be positive")
    return years, counts, population


def _positive(counts) -> np.ndarray:
    counts = np.asarray(counts, dtype=float)
    return np.where(counts == 0, CONTINUITY, counts)


def fit_baseline(years, counts, population=None, exclude=()) -> Baseline | None:
    """The trend and scatter of the baseline years' log rates, less the years in ``exclude``.

    None when fewer than :data:`MIN_BASELINE_YEARS` years remain (no judgement is made).
    """
    years, counts, population = _arrays(years, counts, population)
    keep = ~np.isin(years, np.asarray(exclude, dtype=float))
    if keep.sum() < MIN_BASELINE_YEARS:
        return None
    x, counted = years[keep], _positive(counts[keep])
    y = np.log(counted / population[keep])
    centred = x - x.mean()
    sxx = float((centred**2).sum())
    slope = float((centred * (y - y.mean())).sum() / sxx)
    df = int(keep.sum()) - 2
    residual = float(((y - y.mean() - slope * centred) ** 2).sum()) / df
    poisson = float((1 / counted).mean())
    variance = max(residual, poisson)
    excluded = tuple(int(year) for year in np.unique(years[~keep]))
    fitted = tuple(int(year) for year in x)
    return Baseline(
        slope, variance / sxx, variance, variance / poisson, df, excluded, fitted, x.mean(), sxx
    )


def judge(
    baseline: Baseline | None,
    count: float,
    population: float,
    year: float,
    earlier_counts,
    earlier_populations,
    earlier_years,
    level: float = 0.95,
) -> Change | None:
    """The latest count (on ``population``, in ``year``) against the pooled rate of
    ``earlier_counts`` (in ``earlier_years``). None without a ``baseline`` fit.

    Earlier years that are also in the fit pull the slope towards themselves; their
    covariance with it, v (mean of (x_j - mean year) over the earlier years) / Sxx, is added.
    """
    if baseline is None:
        return None
    if not 0 < level < 1:
        raise ValueError("level must lie between 0 and 1")
    earlier = _positive(earlier_counts)
    years = np.asarray(earlier_years, dtype=float)
    a, periods = float(_positive(count)), len(earlier)
    ratio = (a / float(population)) / (float(earlier.sum()) / float(np.sum(earlier_populations)))
    gap = float(year) - float(years.mean())
    drift = baseline.slope * gap
    in_fit = np.isin(years, baseline.fitted)
    leverage = float((years[in_fit] - baseline.mean_year).sum()) / periods / baseline.sxx
    variance = baseline.variance * (1 + 1 / periods + gap**2 / baseline.sxx + 2 * gap * leverage)
    statistic = (np.log(ratio) - drift) / np.sqrt(variance)
    critical = float(sps.t.ppf(1 - (1 - level) / 2, baseline.df))
    return Change(
        ratio, float(np.exp(drift)), float(statistic), critical, _label(statistic, critical)
    )


def _label(statistic: float, critical: float) -> str:
    if statistic >= critical:
        return "Higher"
    if statistic <= -critical:
        return "Lower"
    return "Comparable"


def judge_latest(
    years, counts, population=None, periods: int = 1, exclude=(), level: float = 0.95
) -> Change | None:
    """The last value of a yearly series against the ``periods`` years before it.

    The baseline fit uses every year before the last, less ``exclude``; None when the
    series is too short for the comparison or the fit.
    """
    years, counts, population = _arrays(years, counts, population)
    order = np.argsort(years)
    years, counts, population = years[order], counts[order], population[order]
    latest = years[-1]
    earlier = (years >= latest - periods) & (years < latest)
    if earlier.sum() != periods:
        return None
    before = years < latest
    fit = fit_baseline(years[before], counts[before], population[before], exclude)
    return judge(
        fit,
        counts[-1],
        population[-1],
        latest,
        counts[earlier],
        population[earlier],
        years[earlier],
        level,
    )


def judgement_of(change: Change | None) -> str:
    """The judgement's label, 'Not compared' when there is none."""
    return NOT_COMPARED if change is None else change.judgement
