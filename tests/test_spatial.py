"""methods.spatial: the Gi* z against esda and its permutation moments, permutation decisions
that do not depend on the seed, and the single-area spike test."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from needs_assessment.methods import spatial as s

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import esda

import geopandas as gpd

SIDE = 10


def lattice(side: int = SIDE) -> gpd.GeoDataFrame:
    ids = [f"r{r:02d}c{c:02d}" for r in range(side) for c in range(side)]
    shapes = [shapely.box(c, r, c + 1, r + 1) for r in range(side) for c in range(side)]
    return gpd.GeoDataFrame({"lsoa_code": ids}, geometry=shapes)


@pytest.fixture(scope="module")
def weights():
    return s.contiguity_weights(lattice())


def skewed(seed: int, n: int = SIDE * SIDE) -> np.ndarray:
    return np.random.default_rng(seed).lognormal(1, 1, size=n)


def test_gi_star_z_is_esdas_for_binary_weights_and_unchanged_by_row_standardising(weights):
    y = skewed(1)
    binary = s.with_self(weights.w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = esda.G_Local(y, copy.deepcopy(binary), transform="B", star=None, permutations=0)
    np.testing.assert_allclose(s.gi_star_z(y, binary), expected.Zs, rtol=1e-10)
    standardised = copy.deepcopy(binary)
    standardised.transform = "R"
    np.testing.assert_allclose(s.gi_star_z(y, standardised), expected.Zs, rtol=1e-10)


def test_gi_star_z_is_the_statistic_standardised_by_its_permutation_moments(weights):
    y = skewed(2)
    sizes, matrix = s._binary(s.with_self(weights.w))
    rows = np.arange(len(y))
    sums = s._neighbour_sums(y, rows, sizes, np.random.default_rng(3), 40_000, False)
    z_by_draws = (matrix @ y - sums.mean(axis=1)) / sums.std(axis=1)
    np.testing.assert_allclose(s.gi_star_z(y, s.with_self(weights.w)), z_by_draws, atol=0.03)


def test_distinct_picks_have_no_repeats_and_cover_the_pool():
    picks = s._distinct_picks(np.random.default_rng(4), 20_000, 30, 8)
    assert all(len(set(row)) == 8 for row in picks[:2_000])
    counts = np.bincount(picks.ravel(), minlength=30)
    assert counts.min() > 0.9 * counts.mean() and counts.max() < 1.1 * counts.mean()


def test_conditional_draws_never_pick_the_area_itself():
    y = np.arange(12, dtype=float)
    rows, sizes = np.array([0, 5, 11]), np.array([11, 11, 11])
    sums = s._neighbour_sums(y, rows, sizes, np.random.default_rng(5), 50, True)
    # all the other 11 values: the sum leaves out exactly the area's own value
    np.testing.assert_allclose(sums, (y.sum() - y[rows]).reshape(-1, 1) * np.ones((1, 50)))


def planted_rates(seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    grid = lattice()
    block = {f"r{r:02d}c{c:02d}" for r in range(3, 6) for c in range(3, 6)}
    means = np.where(grid["lsoa_code"].isin(block), 16.0, 4.0)
    return pd.Series(rng.poisson(means) / 1500 * 1000, index=grid["lsoa_code"])


@pytest.mark.parametrize("data_seed", [1, 2])
def test_the_decision_depends_on_the_seed_only_where_it_says_so(weights, data_seed):
    # An area whose exact permutation p sits within Monte Carlo error of the cut-off at the
    # most draws is reported unsettled (and not significant); every other decision must be
    # the same whatever the seed.
    rates = planted_rates(data_seed)
    runs = [s.local_statistics(rates, weights, seed=seed) for seed in (11, 12, 13)]
    first = runs[0]
    assert (first["hotspot"] == s.HOT).sum() >= 3
    for other in runs[1:]:
        differ = first.index[first["hotspot"] != other["hotspot"]]
        assert (first.loc[differ, "unsettled"] | other.loc[differ, "unsettled"]).all()
        pd.testing.assert_series_equal(first["lisa_cluster"], other["lisa_cluster"])


def test_settled_decision_is_benjamini_hochberg_on_its_p_values(weights):
    rates = planted_rates(3)
    out = s.local_statistics(rates, weights, seed=7)
    settled = ~out["unsettled"]
    expected = s.benjamini_hochberg(out["p_value"].to_numpy())
    assert (out.loc[settled, "fdr_significant"] == expected[settled.to_numpy()]).all()
    assert (out.loc[out["unsettled"], "fdr_significant"] == False).all()  # noqa: E712
    hot = out[out["hotspot"] == s.HOT]
    assert (hot["gi_z"] > 0).all() and (out.loc[out["hotspot"] == s.COLD, "gi_z"] < 0).all()
    # areas near the cut-off were given more draws than the first round
    assert out["draws"].max() > s.PERMUTATIONS >= out["draws"].min()


# -- spikes ----------------------------------------------------------------------------------


def test_poisson_counts_give_a_poisson_test():
    exposure = pd.Series(1000.0, index=[f"a{i}" for i in range(200)])
    counts = pd.Series(np.random.default_rng(8).poisson(20, size=200), index=exposure.index)
    found = s.count_excess(counts, exposure)
    assert found.alpha == 0.0  # no extra-Poisson variation: the test is Poisson's
    expected = counts.sum() / exposure.sum() * 1000
    np.testing.assert_allclose(found.table["expected"], expected)
    np.testing.assert_allclose(found.table["spike_p"], stats.poisson.sf(counts - 1, expected))


def test_negative_binomial_tail_by_hand():
    # NB2 with mean 10 and alpha 0.5: size 2, p = 2 / 12; P(Y >= 30)
    p = s.negative_binomial_upper_p([30], [10], 0.5)[0]
    assert p == pytest.approx(stats.nbinom.sf(29, 2, 2 / 12))


def overdispersed(seed: int, n: int = 300) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    exposure = pd.Series(rng.uniform(800, 2500, size=n), index=[f"a{i}" for i in range(n)])
    rates = rng.gamma(shape=2.0, scale=0.01 / 2.0, size=n)  # NB2 alpha = 0.5 around 10 / 1,000
    return pd.Series(rng.poisson(rates * exposure), index=exposure.index), exposure


def test_a_planted_spike_is_found_and_ordinary_spread_is_not_flagged():
    flagged = 0
    for seed in range(20):
        counts, exposure = overdispersed(seed)
        found = s.count_excess(counts, exposure)
        flagged += int(found.table["spike"].any())
        assert found.alpha == pytest.approx(0.5, abs=0.25)
    assert flagged <= 3  # FDR 5% with no spike: few runs flag anything (here: at most 3 of 20)
    counts, exposure = overdispersed(99)
    spike = exposure.index[exposure.sub(exposure.median()).abs().argmin()]
    counts[spike] += int(39 * 0.01 * exposure[spike])  # about 40 times the area's rate
    found = s.count_excess(counts, exposure)
    assert found.table.loc[spike, "spike"]
    assert found.table["spike"].sum() <= 2


def test_spike_test_refuses_missing_exposure():
    counts = pd.Series([1, 2], index=["a", "b"])
    with pytest.raises(ValueError, match="positive exposure"):
        s.count_excess(counts, pd.Series([1.0], index=["a"]))
