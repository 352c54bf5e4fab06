"""Tests for needs_assessment.methods.stats, pinned to published values and independent oracles.

Oracles: PHStatsMethods (DHSC's implementation of the Fingertips methods, GPL-3, used
here only, never imported by the package), Garwood / Newcombe table values, scipy's
Poisson distribution, statsmodels fits, hand calculations and simulations with a known
truth.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import PHStatsMethods as fingertips
import pytest
import statsmodels.api as sm
from scipy import stats as st

from needs_assessment.methods.stats import (
    InequalityIndices,
    compare_with_benchmark,
    judgement,
    poisson_count_interval,
    poisson_trend,
    poisson_z,
    poisson_z_against_average,
    rate_interval,
    rate_ratio_interval,
    relative_ranks,
    slope_index_of_inequality,
    spc_limits,
    spearman_with_bootstrap,
    wilson_interval,
)

GRID = [0, 1, 5, 9, 10, 11, 50, 1000]
Z95 = 1.959963984540054


# --- rates: Byar's and exact Poisson --------------------------------------------------


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_rate_interval_matches_fingertips_package(level):
    counts = [c for c in GRID if c > 0]  # PHStatsMethods refuses a count of 0
    table = pd.DataFrame({"n": counts, "pop": [25_000] * len(counts)})
    expected = fingertips.ph_rate(table, "n", "pop", confidence=level, multiplier=100_000)
    suffix = "95" if level == 0.95 else "99_8"
    rate, lower, upper = rate_interval(table["n"], table["pop"], per=100_000, level=level)
    np.testing.assert_allclose(rate, expected["Value"], rtol=1e-12)
    np.testing.assert_allclose(lower, expected[f"lower_{suffix}_ci"], rtol=1e-9)
    np.testing.assert_allclose(upper, expected[f"upper_{suffix}_ci"], rtol=1e-9)


def test_zero_count_upper_limit_matches_fingertips_package():
    _, lower, upper = rate_interval(0, 1000, per=1000)
    assert lower == 0
    assert upper == pytest.approx(fingertips.exact_upper(0), rel=1e-12)


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [
        (0, 0.0, 3.689),  # exact (Garwood) table values
        (1, 0.0253, 5.572),
        (5, 1.623, 11.668),
        (9, 4.115, 17.085),
        (10, 4.787, 18.391),  # Byar's from 10 up
    ],
)
def test_count_limits_hand_checked(count, lower, upper):
    limits = poisson_count_interval(count)
    assert limits.lower == pytest.approx(lower, abs=6e-4)
    assert limits.upper == pytest.approx(upper, abs=6e-4)


@pytest.mark.parametrize("count", [1, 2, 5, 9])
def test_exact_limits_have_their_defining_tail_probabilities(count):
    lower, upper = poisson_count_interval(count, level=0.95)
    assert st.poisson.sf(count - 1, lower) == pytest.approx(0.025, rel=1e-8)
    assert st.poisson.cdf(count, upper) == pytest.approx(0.025, rel=1e-8)


def test_byar_is_within_0_2_percent_of_exact_from_10_events():
    # PHE Technical Guide (Confidence Intervals): Byar's is within 0.2% of the exact
    # limits for numerators of 10 or more, at 95%.
    counts = np.arange(10, 3001, dtype=float)
    lower, upper = poisson_count_interval(counts)
    exact_lower = st.chi2.ppf(0.025, 2 * counts) / 2
    exact_upper = st.chi2.ppf(0.975, 2 * counts + 2) / 2
    assert np.max(np.abs(lower / exact_lower - 1)) < 0.002
    assert np.max(np.abs(upper / exact_upper - 1)) < 0.002


def test_rate_interval_keeps_shape_of_input():
    counts = pd.Series([4, 40], index=["Luton", "Bedford"])
    rate, lower, upper = rate_interval(counts, 20_000)
    assert list(rate.index) == ["Luton", "Bedford"]
    assert rate["Bedford"] == pytest.approx(2.0)
    assert isinstance(rate_interval(4, 20_000).lower, float)
    assert isinstance(rate_interval(np.array([4, 5]), 20_000).upper, np.ndarray)


def test_missing_count_gives_missing_limits():
    counts = pd.Series([3, None, 30], dtype="Int64")
    rate, lower, upper = rate_interval(counts, 1000)
    assert np.isnan(rate[1]) and np.isnan(lower[1]) and np.isnan(upper[1])
    assert not np.isnan(lower[[0, 2]]).any()


def test_rate_interval_rejects_bad_input():
    with pytest.raises(ValueError, match="negative"):
        rate_interval(-1, 100)
    with pytest.raises(ValueError, match="greater than zero"):
        rate_interval(1, 0)
    with pytest.raises(ValueError, match="level"):
        rate_interval(1, 100, level=95)


# --- proportions: Wilson --------------------------------------------------------------


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_wilson_matches_fingertips_package(level):
    table = pd.DataFrame({"n": GRID, "d": [1000] * len(GRID)})
    expected = fingertips.ph_proportion(table, "n", "d", confidence=level)
    suffix = "95" if level == 0.95 else "99_8"
    proportion, lower, upper = wilson_interval(table["n"], table["d"], level=level)
    np.testing.assert_allclose(proportion, expected["Value"], rtol=1e-12)
    np.testing.assert_allclose(lower, expected[f"lower_{suffix}_ci"], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(upper, expected[f"upper_{suffix}_ci"], rtol=1e-9)


@pytest.mark.parametrize(
    ("successes", "trials", "lower", "upper"),
    # Newcombe (1998), Stat Med 17:857-872, Table II, score method
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
     (1, 29, 0.0061, 0.1718)],
)  # fmt: skip
def test_wilson_reproduces_newcombe_table(successes, trials, lower, upper):
    _, low, high = wilson_interval(successes, trials)
    assert low == pytest.approx(lower, abs=6e-5)
    assert high == pytest.approx(upper, abs=6e-5)


def test_wilson_rejects_more_successes_than_trials():
    with pytest.raises(ValueError, match="exceed"):
        wilson_interval(11, 10)


# --- comparing counts -----------------------------------------------------------------


def test_poisson_z_hand_calculation():
    assert poisson_z(25, 16) == pytest.approx(2.0)  # 2 * (5 - 4)
    assert poisson_z(81, 100) == pytest.approx(-2.0)  # 2 * (9 - 10)
    np.testing.assert_allclose(poisson_z(np.array([49, 0]), np.array([36, 4])), [2.0, -4.0])


def test_poisson_z_against_average_hand_calculation():
    # 2 * (sqrt(25) - sqrt(16)) / sqrt(1 + 1/3) = 2 / sqrt(4/3) = sqrt(3)
    assert poisson_z_against_average(25, 16, 3) == pytest.approx(math.sqrt(3))
    # one earlier year: divides the plain Z by sqrt(2)
    assert poisson_z_against_average(25, 16, 1) == pytest.approx(math.sqrt(2))


def test_poisson_z_against_average_is_standard_normal_under_no_change():
    rng = np.random.default_rng(2024)
    earlier = rng.poisson(60, size=(40_000, 3))
    latest = rng.poisson(60, size=40_000)
    z = poisson_z_against_average(latest, earlier.mean(axis=1), 3)
    assert np.std(z) == pytest.approx(1.0, abs=0.03)
    assert np.mean(np.abs(z) >= Z95) == pytest.approx(0.05, abs=0.008)


def test_plain_poisson_z_overstates_change_between_two_observed_counts():
    rng = np.random.default_rng(7)
    a, b = rng.poisson(60, size=(2, 40_000))
    assert np.std(poisson_z(a, b)) == pytest.approx(math.sqrt(2), abs=0.04)


@pytest.mark.parametrize(
    ("z", "expected"),
    [(1.96, "Higher"), (1.959, "Comparable"), (0.0, "Comparable"), (-1.959, "Comparable"),
     (-1.96, "Lower"), (float("nan"), "Not compared")],
)  # fmt: skip
def test_judgement_thresholds_at_1_96(z, expected):
    assert judgement(z) == expected


def test_judgement_other_level_and_series():
    assert judgement(2.5, level=0.99) == "Comparable"
    assert judgement(2.6, level=0.99) == "Higher"
    labels = judgement(pd.Series([3.0, -3.0, 0.5], index=list("abc")))
    assert labels.to_dict() == {"a": "Higher", "b": "Lower", "c": "Comparable"}


@pytest.mark.parametrize(
    ("lower", "upper", "benchmark", "expected"),
    [(5.0, 7.0, 4.9, "Higher"), (5.0, 7.0, 7.1, "Lower"), (5.0, 7.0, 6.0, "Comparable"),
     (5.0, 7.0, 5.0, "Comparable"), (5.0, 7.0, 7.0, "Comparable"),
     (float("nan"), 7.0, 6.0, "Not compared")],
)  # fmt: skip
def test_compare_with_benchmark_fingertips_rule(lower, upper, benchmark, expected):
    assert compare_with_benchmark(lower, upper, benchmark) == expected


def test_compare_with_benchmark_vectorised_against_interval_from_counts():
    counts = pd.Series([30, 60, 45], index=["A", "B", "C"])
    _, lower, upper = rate_interval(counts, 10_000)
    labels = compare_with_benchmark(lower, upper, 4.5)
    assert labels.to_dict() == {"A": "Lower", "B": "Higher", "C": "Comparable"}


# --- rate ratio -----------------------------------------------------------------------


def test_rate_ratio_hand_calculation():
    ratio, lower, upper = rate_ratio_interval(30, 10_000, 20, 10_000)
    se = math.sqrt(1 / 30 + 1 / 20)  # 0.288675
    assert ratio == pytest.approx(1.5)
    assert lower == pytest.approx(1.5 * math.exp(-Z95 * se))
    assert upper == pytest.approx(1.5 * math.exp(Z95 * se))
    assert (lower, upper) == pytest.approx((0.8519, 2.6413), abs=1e-4)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # saturated model
@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_rate_ratio_matches_poisson_regression_wald_interval():
    counts, people = np.array([57.0, 23.0]), np.array([41_000.0, 29_500.0])
    design = sm.add_constant(np.array([1.0, 0.0]))
    fit = sm.GLM(counts, design, family=sm.families.Poisson(), offset=np.log(people)).fit()
    expected = np.exp(np.asarray(fit.conf_int())[1])
    ratio, lower, upper = rate_ratio_interval(57, 41_000, 23, 29_500)
    assert ratio == pytest.approx(math.exp(fit.params[1]), rel=1e-8)
    assert (lower, upper) == pytest.approx(tuple(expected), rel=1e-6)


def test_rate_ratio_with_a_zero_count_is_undefined():
    ratio, lower, upper = rate_ratio_interval(0, 1000, 5, 1000)
    assert np.isnan([ratio, lower, upper]).all()


# --- trend ----------------------------------------------------------------------------

YEARS = np.arange(2012, 2022)


def _planted_counts(rng, annual_change, base=400.0, population=None):
    mean = base * (1 + annual_change) ** np.arange(len(YEARS))
    if population is not None:
        mean = mean * population / population[0]
    return rng.poisson(mean)


def test_trend_recovers_an_exact_geometric_series():
    counts = 1000 * 0.9 ** np.arange(len(YEARS))
    result = poisson_trend(YEARS, counts)
    assert result.pct_change == pytest.approx(-10.0, abs=1e-6)
    assert result.model == "Poisson"


def test_trend_recovers_planted_slope_with_population_offset():
    rng = np.random.default_rng(11)
    population = 250_000 * 1.01 ** np.arange(len(YEARS))
    counts = _planted_counts(rng, -0.05, population=population)
    result = poisson_trend(YEARS, counts, population=population)
    assert result.lower < -5.0 < result.upper
    assert result.pct_change == pytest.approx(-5.0, abs=1.5)
    assert result.p_value < 0.001


def test_trend_interval_covers_truth_about_95_percent_of_the_time():
    rng = np.random.default_rng(12)
    results = [poisson_trend(YEARS, _planted_counts(rng, 0.04)) for _ in range(150)]
    covered = np.mean([r.lower < 4.0 < r.upper for r in results])
    assert 0.89 <= covered <= 0.99
    assert np.mean([r.pct_change for r in results]) == pytest.approx(4.0, abs=0.3)


def test_trend_flags_no_trend_on_flat_data():
    rng = np.random.default_rng(13)
    flat = [poisson_trend(YEARS, rng.poisson(200, len(YEARS))) for _ in range(150)]
    assert np.mean([r.p_value < 0.05 for r in flat]) <= 0.10
    first = flat[0]
    assert first.lower < 0 < first.upper and first.p_value > 0.05


def test_overdispersed_counts_switch_to_quasi_poisson_and_stay_calibrated():
    rng = np.random.default_rng(14)
    mean = 300 * 0.97 ** np.arange(len(YEARS))
    shape = 20.0  # negative binomial: variance = mean + mean**2 / 20, dispersion ~ 15
    results = [
        poisson_trend(YEARS, rng.negative_binomial(shape, shape / (shape + mean)))
        for _ in range(100)
    ]
    assert all(r.model == "quasi-Poisson" for r in results)
    assert np.median([r.dispersion for r in results]) > 5
    covered = np.mean([r.lower < -3.0 < r.upper for r in results])
    assert covered >= 0.88


def test_quasi_poisson_widens_the_poisson_interval_by_root_dispersion():
    counts = [310, 260, 330, 240, 300, 210, 280, 190, 250, 200]
    quasi = poisson_trend(YEARS, counts)
    plain = poisson_trend(YEARS, counts, overdispersion_threshold=np.inf)
    assert (quasi.model, plain.model) == ("quasi-Poisson", "Poisson")
    assert quasi.pct_change == pytest.approx(plain.pct_change)
    half_width = np.log1p(np.array([plain.upper, quasi.upper]) / 100)
    half_width -= np.log1p(plain.pct_change / 100)
    se = half_width[0] / Z95
    t_crit = st.t.ppf(0.975, df=len(YEARS) - 2)
    assert half_width[1] == pytest.approx(t_crit * se * math.sqrt(quasi.dispersion), rel=1e-6)


def test_trend_rejects_unusable_series():
    with pytest.raises(ValueError, match="at least 3"):
        poisson_trend([2020, 2021], [5, 6])
    with pytest.raises(ValueError, match="no events"):
        poisson_trend(YEARS, np.zeros(len(YEARS)))


# --- SPC ------------------------------------------------------------------------------


def test_xmr_limits_hand_calculation():
    # mean 12; moving ranges 2, 1, 3, 1 -> 1.75; 2.66 * 1.75 = 4.655
    limits = spc_limits([10, 12, 11, 14, 13])
    assert (limits.centre, limits.lower, limits.upper) == pytest.approx((12, 7.345, 16.655))


def test_c_chart_limits_hand_calculation():
    limits = spc_limits([12, 16, 20, 16], chart="c")
    assert (limits.centre, limits.lower, limits.upper) == pytest.approx((16, 4, 28))
    assert spc_limits([1, 2, 0], chart="c").lower == 0


# --- Spearman bootstrap ---------------------------------------------------------------

TRUE_RHO = 6 / math.pi * math.asin(0.6 / 2)  # Spearman rho of a bivariate normal, r = 0.6


def _correlated_sample(rng, n=200):
    return rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=n).T


def test_spearman_point_estimate_and_interval():
    x, y = _correlated_sample(np.random.default_rng(21))
    rho, lower, upper = spearman_with_bootstrap(x, y, seed=5)
    assert rho == pytest.approx(st.spearmanr(x, y).statistic)
    assert lower < TRUE_RHO < upper
    # close to the Bonett-Wright Fisher-z interval
    se = math.sqrt((1 + rho**2 / 2) / (len(x) - 3))
    approx = np.tanh(np.arctanh(rho) + np.array([-Z95, Z95]) * se)
    assert (lower, upper) == pytest.approx(tuple(approx), abs=0.03)


def test_spearman_bootstrap_is_reproducible_for_a_seed():
    x, y = _correlated_sample(np.random.default_rng(22), n=60)
    assert spearman_with_bootstrap(x, y, seed=9) == spearman_with_bootstrap(x, y, seed=9)
    assert spearman_with_bootstrap(x, y, seed=9) != spearman_with_bootstrap(x, y, seed=10)


def test_spearman_bootstrap_covers_true_rho_in_repeated_samples():
    rng = np.random.default_rng(23)
    hits = []
    for seed in range(80):
        x, y = _correlated_sample(rng, n=80)
        _, lower, upper = spearman_with_bootstrap(x, y, n_boot=500, seed=seed)
        hits.append(lower < TRUE_RHO < upper)
    assert np.mean(hits) >= 0.86


def test_spearman_bootstrap_uses_ranks_not_values():
    x = np.arange(30.0)
    y = np.exp(x / 3)  # monotone but far from linear: every resample has rho = 1
    assert spearman_with_bootstrap(x, y, n_boot=300) == (1.0, 1.0, 1.0)


def test_spearman_drops_incomplete_pairs():
    x = [1, 2, 3, 4, np.nan, 6]
    y = [2, 1, 4, 3, 5, np.nan]
    rho, _, _ = spearman_with_bootstrap(x, y, n_boot=200)
    assert rho == pytest.approx(0.6)


# --- inequality -----------------------------------------------------------------------


def test_relative_ranks_are_cumulative_population_midpoints():
    # PHE example: a quantile with 12% of the population ranks 0.06, the next (10%) 0.17
    ranks = relative_ranks([12, 10, 78])
    np.testing.assert_allclose(ranks, [0.06, 0.17, 0.61])


def test_sii_and_rii_hand_calculation():
    # weights .2/.3/.5, ridits .1/.35/.75 -> slope -2.05/.07, intercept 17 - slope * .5
    result = slope_index_of_inequality([30, 20, 10], [200, 300, 500])
    slope = -2.05 / 0.07
    intercept = 17 - slope * 0.5
    assert result == InequalityIndices(
        pytest.approx(slope), pytest.approx((intercept + slope) / intercept)
    )
    assert result.sii == pytest.approx(-29.2857, abs=1e-4)


def test_sii_matches_phe_square_root_weighted_regression():
    # PHE: fit Y*sqrt(a) = b0*sqrt(a) + b1*x*sqrt(a), a = population share, x = relative rank
    rates = np.array([48.0, 41.5, 39.0, 30.2, 33.1, 25.0, 22.4, 21.0, 16.8, 14.9])
    people = np.array([7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534.0])
    share = people / people.sum()
    x = np.cumsum(share) - share / 2
    root = np.sqrt(share)
    coef, *_ = np.linalg.lstsq(np.column_stack([root, x * root]), rates * root, rcond=None)
    result = slope_index_of_inequality(rates, people)
    assert result.sii == pytest.approx(coef[1], rel=1e-10)
    assert result.rii == pytest.approx((coef[0] + coef[1]) / coef[0], rel=1e-10)
    assert result.sii < 0 and result.rii < 1  # higher rates in the more deprived deciles


def test_sii_recovers_exact_line():
    people = np.array([1000, 3000, 2000, 4000.0])
    rates = 50 - 20 * relative_ranks(people)
    sii, rii = slope_index_of_inequality(rates, people)
    assert sii == pytest.approx(-20)
    assert rii == pytest.approx(30 / 50)
