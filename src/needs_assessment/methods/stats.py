"""Statistics for the assessment: intervals, comparisons, trends, correlation, inequality.

Pure functions over numbers, numpy arrays and pandas Series. Where OHID Fingertips has a
method (Byar's / exact Poisson limits for rates, Wilson limits for proportions, the
interval-versus-benchmark rule) it is followed, so figures match published indicators.

Vectorised functions return the same shape they were given: a float (or str) for scalars,
a numpy array for arrays and a Series (with the first Series argument's index) for Series.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as st
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

BYAR_MIN_COUNT = 10
"""Counts from this many events up get Byar's limits; fewer get exact Poisson limits."""

OVERDISPERSION_THRESHOLD = 1.5
"""Pearson chi-square / df above which `poisson_trend` switches to quasi-Poisson."""

XMR_SIGMA_FACTOR = 2.66
"""3 / d2 with d2 = 1.128: turns the mean moving range into 3-sigma limits (XmR chart)."""

HIGHER, COMPARABLE, LOWER, NOT_COMPARED = "Higher", "Comparable", "Lower", "Not compared"

_BOOTSTRAP_CHUNK = 250


class CountLimits(NamedTuple):
    lower: float | np.ndarray | pd.Series
    upper: float | np.ndarray | pd.Series


class Interval(NamedTuple):
    estimate: float | np.ndarray | pd.Series
    lower: float | np.ndarray | pd.Series
    upper: float | np.ndarray | pd.Series


class InequalityIndices(NamedTuple):
    sii: float
    rii: float


@dataclass(frozen=True)
class TrendResult:
    """Annual percentage change from `poisson_trend`, with its interval and p-value."""

    model: str
    dispersion: float
    pct_change: float
    lower: float
    upper: float
    p_value: float


@dataclass(frozen=True)
class SpcLimits:
    """Centre line and control limits of an XmR or c-chart."""

    chart: str
    centre: float
    lower: float
    upper: float


# --- shared helpers -------------------------------------------------------------------


def _floats(values) -> np.ndarray:
    """Values as a float array, pandas missing values as NaN."""
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=float, na_value=np.nan)
    return np.asarray(values, dtype=float)


def _shaped_like(result: np.ndarray, *inputs):
    """Return `result` as a float, array or Series, following the shape of the inputs."""
    for item in inputs:
        if isinstance(item, pd.Series):
            return pd.Series(result, index=item.index)
    if all(np.ndim(item) == 0 for item in inputs):
        return result.item()
    return result


def _z_for(level: float) -> float:
    """Two-sided standard normal critical value, e.g. 1.959964 for level 0.95."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    return float(st.norm.ppf(0.5 + level / 2))


def _require_non_negative(values: np.ndarray, what: str) -> None:
    if np.any(values < 0):
        raise ValueError(f"{what} must not be negative")


def _require_positive(values: np.ndarray, what: str) -> None:
    if np.any(values <= 0):
        raise ValueError(f"{what} must be greater than zero")


def _labels(higher: np.ndarray, lower: np.ndarray, missing: np.ndarray, *inputs):
    """Higher / Lower / Comparable / Not compared labels, shaped like the inputs."""
    labels = np.select([missing, higher, lower], [NOT_COMPARED, HIGHER, LOWER], COMPARABLE)
    labels = labels.astype(object)
    for item in inputs:
        if isinstance(item, pd.Series):
            return pd.Series(labels, index=item.index, dtype=object)
    if all(np.ndim(item) == 0 for item in inputs):
        return str(labels.item())
    return labels


# --- 1. counts and rates --------------------------------------------------------------


def _exact_limits(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) Poisson limits: chi-square quantiles halved; lower limit of 0 is 0."""
    tail = (1 - level) / 2
    with np.errstate(invalid="ignore"):
        lower = st.chi2.ppf(tail, 2 * counts) / 2
    lower = np.where(counts == 0, 0.0, lower)
    upper = st.chi2.ppf(1 - tail, 2 * counts + 2) / 2
    return lower, upper


def _byar_limits(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact limits (Breslow & Day 1987); for counts > 0."""
    z = _z_for(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = counts * (1 - 1 / (9 * counts) - z / (3 * np.sqrt(counts))) ** 3
        above = counts + 1
        upper = above * (1 - 1 / (9 * above) + z / (3 * np.sqrt(above))) ** 3
    return lower, upper


def poisson_count_interval(count, level: float = 0.95) -> CountLimits:
    """Confidence limits for an observed count of events, by the Fingertips rule.

    Counts of 10 or more use Byar's method; counts under 10 use the exact Poisson method
    (chi-square quantiles), whose lower limit for a count of 0 is 0. Missing counts give
    missing limits.
    """
    counts = _floats(count)
    _require_non_negative(counts, "counts")
    exact_lower, exact_upper = _exact_limits(counts, level)
    byar_lower, byar_upper = _byar_limits(counts, level)
    use_byar = counts >= BYAR_MIN_COUNT
    lower = np.where(use_byar, byar_lower, exact_lower)
    upper = np.where(use_byar, byar_upper, exact_upper)
    return CountLimits(_shaped_like(lower, count), _shaped_like(upper, count))


def rate_interval(count, population, per: float = 1000, level: float = 0.95) -> Interval:
    """Crude rate per `per` population with Byar's / exact Poisson confidence limits.

    The population is treated as fixed, so the limits are the count's limits scaled by
    per / population (as Fingertips does).
    """
    counts, people = _floats(count), _floats(population)
    _require_positive(people, "populations")
    limits = poisson_count_interval(counts, level)
    scale = per / people
    shaped = [
        _shaped_like(np.asarray(v * scale, dtype=float), count, population)
        for v in (counts, limits.lower, limits.upper)
    ]
    return Interval(*shaped)


# --- 2. proportions -------------------------------------------------------------------


def wilson_interval(successes, trials, level: float = 0.95) -> Interval:
    """Proportion with Wilson score limits (Newcombe & Altman 2000), as Fingertips uses."""
    r, n = _floats(successes), _floats(trials)
    _require_non_negative(r, "successes")
    _require_positive(n, "trials")
    if np.any(r > n):
        raise ValueError("successes must not exceed trials")
    z = _z_for(level)
    centre = 2 * r + z**2
    spread = z * np.sqrt(z**2 + 4 * r * (1 - r / n))
    denominator = 2 * (n + z**2)
    lower = np.clip((centre - spread) / denominator, 0.0, 1.0)
    upper = np.clip((centre + spread) / denominator, 0.0, 1.0)
    shaped = [
        _shaped_like(np.asarray(v, dtype=float), successes, trials) for v in (r / n, lower, upper)
    ]
    return Interval(*shaped)


# --- 3. comparing counts --------------------------------------------------------------


def poisson_z(current, baseline):
    """Variance-stabilised Poisson Z of a count against a baseline count on the same base.

    Z = 2 * (sqrt(current) - sqrt(baseline)). Under a Poisson model sqrt(X) has variance
    close to 1/4, so Z is approximately standard normal *when the baseline is a known
    expectation* (a long-run or modelled expected count). If the baseline is itself one
    observed count, its noise doubles the variance; use `poisson_z_against_average` with
    `n_periods=1`, which divides by sqrt(2).
    """
    a, b = _floats(current), _floats(baseline)
    _require_non_negative(a, "counts")
    _require_non_negative(b, "baseline counts")
    return _shaped_like(2 * (np.sqrt(a) - np.sqrt(b)), current, baseline)


def poisson_z_against_average(current, baseline_mean, n_periods: int):
    """Poisson Z of the latest count against the mean of `n_periods` earlier counts.

    Derivation: with k earlier periods the baseline mean is m = S / k where S, their sum,
    is Poisson. Var(sqrt(X)) ~ 1/4 for a Poisson count, so Var(sqrt(m)) ~ 1/(4k) and,
    the periods being independent, Var(sqrt(a) - sqrt(m)) ~ (1 + 1/k) / 4. Hence

        Z = 2 * (sqrt(a) - sqrt(m)) / sqrt(1 + 1/k),

    approximately standard normal when all periods share one underlying rate. With k = 3
    this compares the latest year with the 3-year average; k = 1 compares two single years.
    """
    if n_periods < 1:
        raise ValueError("n_periods must be at least 1")
    z = _floats(poisson_z(current, baseline_mean)) / np.sqrt(1 + 1 / n_periods)
    return _shaped_like(np.asarray(z, dtype=float), current, baseline_mean)


def judgement(z, level: float = 0.95):
    """'Higher' / 'Lower' when |z| reaches the two-sided critical value, else 'Comparable'.

    At level 0.95 the critical value is 1.959964; missing z gives 'Not compared'.
    """
    values, critical = _floats(z), _z_for(level)
    return _labels(values >= critical, values <= -critical, np.isnan(values), z)


def compare_with_benchmark(rate_lower, rate_upper, benchmark_rate):
    """Fingertips rule: 'Higher' if the benchmark lies below the interval, 'Lower' if above.

    A benchmark inside the interval, limits included, is 'Comparable'; any missing input
    gives 'Not compared'.
    """
    lower, upper, benchmark = _floats(rate_lower), _floats(rate_upper), _floats(benchmark_rate)
    missing = np.isnan(lower) | np.isnan(upper) | np.isnan(benchmark)
    return _labels(
        benchmark < lower, benchmark > upper, missing, rate_lower, rate_upper, benchmark_rate
    )


def rate_ratio_interval(count_a, pop_a, count_b, pop_b, level: float = 0.95) -> Interval:
    """Ratio of rate A to rate B with limits by the log method.

    log(RR) is taken as normal with standard error sqrt(1/count_a + 1/count_b) (the Poisson
    variance of each log count, populations fixed), so the limits are
    RR * exp(-/+ z * SE). Undefined (NaN) when either count is zero.
    """
    a, b = _floats(count_a), _floats(count_b)
    na, nb = _floats(pop_a), _floats(pop_b)
    _require_non_negative(a, "counts")
    _require_non_negative(b, "counts")
    _require_positive(na, "populations")
    _require_positive(nb, "populations")
    z = _z_for(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((a > 0) & (b > 0), (a / na) / (b / nb), np.nan)
        margin = np.exp(z * np.sqrt(1 / a + 1 / b))
    inputs = (count_a, pop_a, count_b, pop_b)
    shaped = [
        _shaped_like(np.asarray(v, dtype=float), *inputs)
        for v in (ratio, ratio / margin, ratio * margin)
    ]
    return Interval(*shaped)


# --- 6. trend -------------------------------------------------------------------------


def _trend_design(years, counts, population):
    year = _floats(years)
    y = _floats(counts)
    if year.shape != y.shape or year.ndim != 1:
        raise ValueError("years and counts must be one-dimensional and the same length")
    if len(y) < 3:
        raise ValueError("a trend needs at least 3 years")
    if np.isnan(year).any() or np.isnan(y).any():
        raise ValueError("years and counts must not be missing")
    _require_non_negative(y, "counts")
    if y.sum() == 0:
        raise ValueError("no events in any year: there is no trend to estimate")
    offset = None
    if population is not None:
        people = _floats(population)
        if people.shape != y.shape or np.isnan(people).any():
            raise ValueError("population must be given, without gaps, for every year")
        _require_positive(people, "populations")
        offset = np.log(people)
    design = sm.add_constant(year - year.mean(), has_constant="add")
    return y, design, offset


def poisson_trend(
    years,
    counts,
    population=None,
    level: float = 0.95,
    overdispersion_threshold: float = OVERDISPERSION_THRESHOLD,
) -> TrendResult:
    """Average annual % change in a count (or rate, given `population`).

    Fits log E[count] = a + b * year (+ log population offset) as a Poisson GLM; the
    annual change is 100 * (exp(b) - 1). If the Pearson chi-square / df exceeds
    `overdispersion_threshold` (default 1.5) the model becomes quasi-Poisson: the same
    estimate with standard errors inflated by sqrt(dispersion) and t-based intervals on the
    residual df. Quasi-Poisson rather than negative binomial because with ~10 annual points
    the negative binomial shape parameter is too poorly estimated to rely on. The fixed
    threshold errs towards caution: about 15% of truly Poisson 10-year series exceed it
    by chance, which only widens their interval.
    """
    _z_for(level)
    y, design, offset = _trend_design(years, counts, population)
    glm = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset)
    with warnings.catch_warnings():
        # a series that fits the line exactly is not a problem for a Poisson model
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        fit = glm.fit()
        dispersion = float(fit.pearson_chi2 / fit.df_resid)
        model = "Poisson"
        if dispersion > overdispersion_threshold:
            fit = glm.fit(scale="X2", use_t=True)
            model = "quasi-Poisson"
    low, high = np.asarray(fit.conf_int(alpha=1 - level))[1]
    slope = float(np.asarray(fit.params)[1])
    return TrendResult(
        model=model,
        dispersion=dispersion,
        pct_change=100 * float(np.expm1(slope)),
        lower=100 * float(np.expm1(low)),
        upper=100 * float(np.expm1(high)),
        p_value=float(np.asarray(fit.pvalues)[1]),
    )


# --- 7. statistical process control ---------------------------------------------------


def spc_limits(values, chart: Literal["xmr", "c"] = "xmr") -> SpcLimits:
    """Control limits for a run of values (e.g. monthly counts).

    'xmr': centre = mean, limits = mean -/+ 2.66 * mean moving range (3-sigma individuals
    chart). 'c': for counts of events, centre = mean count c, limits = c -/+ 3 * sqrt(c),
    the lower floored at 0. A point outside the limits is a signal of special cause.
    """
    x = _floats(values)
    x = x[~np.isnan(x)]
    if chart == "xmr":
        if len(x) < 2:
            raise ValueError("an XmR chart needs at least 2 values")
        centre = float(x.mean())
        spread = XMR_SIGMA_FACTOR * float(np.abs(np.diff(x)).mean())
        return SpcLimits("xmr", centre, centre - spread, centre + spread)
    if chart == "c":
        if len(x) < 1:
            raise ValueError("a c-chart needs at least 1 value")
        _require_non_negative(x, "counts")
        centre = float(x.mean())
        spread = 3 * float(np.sqrt(centre))
        return SpcLimits("c", centre, max(0.0, centre - spread), centre + spread)
    raise ValueError(f"chart must be 'xmr' or 'c', got {chart!r}")


# --- 8. correlation -------------------------------------------------------------------


def _rowwise_spearman(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Spearman rho of each row pair (average ranks for ties); NaN for constant rows."""
    rx = st.rankdata(xs, axis=1)
    ry = st.rankdata(ys, axis=1)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (rx * ry).sum(axis=1) / np.sqrt((rx**2).sum(axis=1) * (ry**2).sum(axis=1))


def spearman_with_bootstrap(
    x, y, n_boot: int = 2000, seed: int | None = 0, level: float = 0.95
) -> Interval:
    """Spearman's rho with a percentile bootstrap interval (pairs resampled).

    Pairs with a missing value are dropped. Resamples in which either variable is constant
    have no rho and are left out of the percentiles. The same seed gives the same interval.
    """
    _z_for(level)
    a, b = _floats(x), _floats(y)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("x and y must be one-dimensional and the same length")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if len(a) < 3:
        raise ValueError("Spearman's rho needs at least 3 complete pairs")
    rho = float(st.spearmanr(a, b).statistic)
    rng = np.random.default_rng(seed)
    replicates = []
    for start in range(0, n_boot, _BOOTSTRAP_CHUNK):
        rows = min(_BOOTSTRAP_CHUNK, n_boot - start)
        picks = rng.integers(0, len(a), size=(rows, len(a)))
        replicates.append(_rowwise_spearman(a[picks], b[picks]))
    tail = (1 - level) / 2
    lower, upper = np.nanquantile(np.concatenate(replicates), [tail, 1 - tail])
    return Interval(rho, float(lower), float(upper))


# --- 9. inequality --------------------------------------------------------------------


def relative_ranks(populations) -> np.ndarray:
    """Ridit scores: each group's midpoint in the cumulative population share, in (0, 1)."""
    people = _floats(populations)
    _require_positive(people, "populations")
    share = people / people.sum()
    return np.cumsum(share) - share / 2


def slope_index_of_inequality(rates_by_decile, populations) -> InequalityIndices:
    """Slope (SII) and relative (RII) index of inequality, PHE/OHID definition.

    Groups must be ordered from most deprived to least deprived. Each gets its relative
    rank x (`relative_ranks`); the rates are regressed on x by least squares weighted by
    population share: rate = a + b * x. Then

    - SII = b = fitted(least deprived, x=1) - fitted(most deprived, x=0), in rate units.
      Negative when rates are higher in more deprived areas (as for most violence).
    - RII = fitted(x=1) / fitted(x=0) = (a + b) / a. Below 1 when rates are higher in
      more deprived areas.
    """
    y = _floats(rates_by_decile)
    w = _floats(populations)
    if y.shape != w.shape or y.ndim != 1 or len(y) < 2:
        raise ValueError("need one rate and one population for each of at least 2 groups")
    if np.isnan(y).any():
        raise ValueError("rates must not be missing")
    x = relative_ranks(w)
    x_bar, y_bar = np.average(x, weights=w), np.average(y, weights=w)
    slope = np.sum(w * (x - x_bar) * (y - y_bar)) / np.sum(w * (x - x_bar) ** 2)
    intercept = y_bar - slope * x_bar
    with np.errstate(divide="ignore", invalid="ignore"):
        rii = (intercept + slope) / intercept
    return InequalityIndices(sii=float(slope), rii=float(rii))
