"""Local spatial statistics: contiguity weights, Getis-Ord Gi*, Local Moran, FDR control,
and single-area excesses.

Chapter-agnostic: areas are polygons with an id, values are one number per area.

- **Weights**: queen contiguity (:class:`libpysal.weights.Queen`) built from the given
  polygons only, so the study area's edge is a hard edge (neighbours outside it are never
  used). An area with no contiguous neighbour (an *island*) is given the area whose
  centroid is nearest (k = 1, added in both directions so the weights stay symmetric)
  with ``islands="nearest"``, or left out of the tests with ``islands="drop"``.
- **Gi\\*** (focal area included with weight 1, row-standardised) under *total*
  randomisation (every value, the area's own included, shuffled: the null of Getis and
  Ord 1992): ``gi_z`` is Gi\\* standardised by that null's exact mean and variance
  (:func:`gi_star_z`; esda's ``G_Local.Zs`` takes the binary-weights variance even for
  row-standardised weights, which shrinks z by about the square root of the number of
  neighbours), and ``p_value`` is the two-sided permutation p of the same statistic under
  the same null: a hot spot's z is positive, a cold spot's negative.
- **Local Moran** (:class:`esda.Moran_Local`, same weights without the self-weight) under
  *conditional* randomisation (the area's own value fixed): z from esda's exact moments
  (``EIc``, ``VIc``; Sokal, Oden and Thomson 1998), p from permutations.
- **Decisions that do not depend on the seed** (:func:`settled_permutation_test`): the
  normal approximation is far too liberal for skewed rates (on the Cambridgeshire
  violence rates it gives 30 hot spots where the permutation distribution gives 9), so p
  comes from permutations, drawn until the FDR decision is settled: areas whose
  Monte Carlo interval straddles the Benjamini-Hochberg cut-off get more draws (up to
  :data:`MOST_DRAWS`); an area still undecided there is *unsettled*, not significant.
- **Multiple testing**: the Benjamini-Hochberg false discovery rate
  (:func:`benjamini_hochberg`, tested against statsmodels). A *hot spot* is an area whose
  Gi* is significant after FDR control with a positive z-score; a *cold spot* has a
  negative one.
- **Spikes** (:func:`count_excess`): an area whose count is far above what its exposure
  predicts, whatever its neighbours: a one-sided negative binomial test of its count
  against ``exposure x the areas' rate``, with the NB2 dispersion of the areas' counts
  (:func:`needs_assessment.methods.inequality.nb2_alpha`), so an area must stand out
  from the usual spread between areas, not only from Poisson noise; the rate and the
  dispersion are re-estimated without the areas flagged until nothing changes, so one
  extreme area does not hide itself; Benjamini-Hochberg FDR.

References: Getis and Ord (1992), Ord and Getis (1995); Anselin (1995); Sokal, Oden and
Thomson (1998); Benjamini and Hochberg (1995); Rey and Anselin, PySAL esda.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import cKDTree

with warnings.catch_warnings():  # esda's optional progress bars warn when imported in Jupyter
    warnings.simplefilter("ignore")
    import esda
    from libpysal.weights import Queen, W

from needs_assessment.methods.inequality import nb2_alpha

FDR_LEVEL = 0.05
PERMUTATIONS = 9_999
#: Relative difference below which a permuted statistic ties the observed one.
TIE_TOLERANCE = 1e-9
#: How an area with no contiguous neighbour is handled (see the module docstring).
ISLAND_OPTIONS = ("nearest", "drop")

HOT, COLD, NOT_SIGNIFICANT, NOT_TESTED = "Hot spot", "Cold spot", "Not significant", "Not tested"
LISA_LABELS = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}


# -- weights ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpatialWeights:
    """Binary queen contiguity among the given areas (outside neighbours never used).

    ``w`` holds the areas tested (``ids``, in order); ``islands`` are the areas that had no
    contiguous neighbour, handled as ``handling`` says (one of :data:`ISLAND_OPTIONS`);
    with ``"drop"`` they are not in ``ids``.
    """

    w: W
    ids: tuple[str, ...]
    islands: tuple[str, ...]
    handling: str


def contiguity_weights(
    areas: gpd.GeoDataFrame, id_column: str = "lsoa_code", islands: str = "nearest"
) -> SpatialWeights:
    """Queen contiguity from the polygons of ``areas`` only, islands handled."""
    if islands not in ISLAND_OPTIONS:
        raise ValueError(f"islands must be one of {sorted(ISLAND_OPTIONS)}, not {islands!r}")
    ids = [str(i) for i in areas[id_column]]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{id_column} has duplicates")
    if len(ids) < 2:
        raise ValueError("spatial weights need at least two areas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        queen = Queen.from_dataframe(areas, use_index=False, ids=ids, silence_warnings=True)
    neighbours = {i: [str(j) for j in queen.neighbors[i]] for i in ids}
    lonely = [i for i in ids if not neighbours[i]]
    if islands == "drop":
        ids = [i for i in ids if i not in lonely]
        if len(ids) < 2:
            raise ValueError("fewer than two areas have a neighbour")
        neighbours = {i: neighbours[i] for i in ids}
    elif lonely:
        _link_nearest(areas, ids, lonely, neighbours)
    w = W(neighbours, id_order=ids, silence_warnings=True)
    return SpatialWeights(w=w, ids=tuple(ids), islands=tuple(lonely), handling=islands)


def _link_nearest(areas: gpd.GeoDataFrame, ids: list[str], lonely, neighbours: dict) -> None:
    """Give each island the area whose centroid is nearest its own, in both directions."""
    centroids = areas.geometry.centroid
    points = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
    tree = cKDTree(points)
    position = {code: k for k, code in enumerate(ids)}
    for island in lonely:
        _, found = tree.query(points[position[island]], k=2)
        nearest = ids[int(found[1])] if ids[int(found[0])] == island else ids[int(found[0])]
        for a, b in ((island, nearest), (nearest, island)):
            if b not in neighbours[a]:
                neighbours[a].append(b)


def with_self(w: W) -> W:
    """The same binary weights with each area its own neighbour (weight 1), for Gi*."""
    neighbours = {i: [*w.neighbors[i], i] for i in w.id_order}
    return W(neighbours, id_order=list(w.id_order), silence_warnings=True)


# -- p-values and false discovery rate -------------------------------------------------------


def benjamini_hochberg(p_values, q: float = FDR_LEVEL) -> np.ndarray:
    """Which tests the Benjamini-Hochberg step-up procedure rejects at false discovery rate q.

    Sort the m p-values; find the largest k with p(k) <= k q / m; reject the k smallest.
    Missing p-values (NaN) are not tests: they are left out of m and never rejected.
    """
    if not 0 < q < 1:
        raise ValueError(f"q must be between 0 and 1, got {q}")
    p = np.asarray(p_values, dtype=float)
    rejected = np.zeros(p.shape, dtype=bool)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0:
        return rejected
    order = tested[np.argsort(p[tested], kind="stable")]
    below = np.flatnonzero(p[order] <= q * np.arange(1, m + 1) / m)
    if len(below):
        rejected[order[: below[-1] + 1]] = True
    return rejected


def _tail_counts(observed: np.ndarray, simulations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draws at or above, and at or below, each observed value (ties within tolerance)."""
    tolerance = TIE_TOLERANCE * np.maximum(np.abs(observed), np.finfo(float).tiny)
    upper = (simulations >= observed - tolerance).sum(axis=1)
    lower = (simulations <= observed + tolerance).sum(axis=1)
    return upper, lower


def _two_sided(upper: np.ndarray, lower: np.ndarray, draws: int) -> np.ndarray:
    return np.minimum(1.0, 2 * (np.minimum(upper, lower) + 1) / (draws + 1))


def permutation_p_values(observed, simulations) -> np.ndarray:
    """Two-sided permutation p-values: twice the smaller tail, (min(#>=, #<=) + 1) / (R + 1).

    ``observed`` has one statistic per area, ``simulations`` one row of R simulated
    statistics per area; p is capped at 1 and is at least 2 / (R + 1). A draw within
    :data:`TIE_TOLERANCE` (relative) of the observed value is a tie and counts in both
    tails: permutations of equal values (many LSOAs have no event) give exact ties, which
    rounding in the rates' denominators must not break one way or the other.
    """
    observed = np.asarray(observed, dtype=float).reshape(-1, 1)
    simulations = np.asarray(simulations, dtype=float)
    upper, lower = _tail_counts(observed, simulations)
    return _two_sided(upper, lower, simulations.shape[1])


def classify(z, significant) -> np.ndarray:
    """Hot spot (significant, z > 0), Cold spot (significant, z < 0), or Not significant."""
    z = np.asarray(z, dtype=float)
    return np.where(
        significant & (z > 0), HOT, np.where(significant & (z < 0), COLD, NOT_SIGNIFICANT)
    )


# -- permutation tests whose decision does not depend on the seed ---------------------------

#: Draws of the first round, the most any area gets, and the risk each Monte Carlo
#: bound on a p-value is wrong (Clopper-Pearson).
FIRST_DRAWS = PERMUTATIONS
MOST_DRAWS = 10_239_999
BOUND_RISK = 1e-4
CHUNK = 50_000


@dataclass(frozen=True)
class PermutationTest:
    """Two-sided permutation p-values and the FDR decision they settle (see
    :func:`settled_permutation_test`): ``p`` the estimate from each area's ``draws``;
    ``significant`` the decision; ``unsettled`` the areas still undecided at
    :data:`MOST_DRAWS` (not significant)."""

    p: np.ndarray
    draws: np.ndarray
    significant: np.ndarray
    unsettled: np.ndarray


def _distinct_picks(rng, draws: int, pool: int, size: int) -> np.ndarray:
    """``draws`` rows of ``size`` distinct indices below ``pool``, each row a uniform
    sample without replacement (rows with a repeat are drawn again)."""
    picks = rng.integers(0, pool, size=(draws, size), dtype=np.int32)
    rows = np.arange(draws)
    while len(rows):
        ordered = np.sort(picks[rows], axis=1)
        rows = rows[(ordered[:, 1:] == ordered[:, :-1]).any(axis=1)]
        picks[rows] = rng.integers(0, pool, size=(len(rows), size), dtype=np.int32)
    return picks


def _neighbour_sums(y, rows, sizes, rng, draws: int, conditional: bool) -> np.ndarray:
    """Simulated sums of ``sizes[r]`` values drawn without replacement, per row ``r``:
    from every value (total randomisation) or from every value but the row's own
    (conditional randomisation). One draw of indices is shared by every row."""
    picks = _distinct_picks(rng, draws, len(y) - conditional, int(sizes.max()))
    sums = np.empty((len(rows), draws))
    for k, row in enumerate(rows):
        chosen = picks[:, : sizes[k]]
        if conditional:
            chosen = chosen + (chosen >= row)
        sums[k] = y[chosen].sum(axis=1)
    return sums


def _p_bounds(upper, lower, draws) -> tuple[np.ndarray, np.ndarray]:
    """Clopper-Pearson bounds (risk :data:`BOUND_RISK` each) of the two-sided p-values."""
    tail = np.minimum(upper, lower)
    low = stats.beta.ppf(BOUND_RISK, np.maximum(tail, 1e-12), draws - tail + 1)
    high = stats.beta.ppf(1 - BOUND_RISK, tail + 1, np.maximum(draws - tail, 1e-12))
    return np.minimum(1.0, 2 * np.where(tail == 0, 0.0, low)), np.minimum(1.0, 2 * high)


def settled_permutation_test(
    y,
    observed,
    sizes,
    *,
    seed: int,
    conditional: bool,
    fdr: float = FDR_LEVEL,
    first_draws: int = FIRST_DRAWS,
) -> PermutationTest:
    """Permutation tests of neighbour sums, drawn until the FDR decision is settled.

    Each area's statistic is ``observed`` (a sum of ``sizes`` values); the null draws that
    many values at random (see :func:`_neighbour_sums`). After ``first_draws`` draws,
    Benjamini-Hochberg is applied to the lower and to the upper Clopper-Pearson bound of
    every p-value: an area significant under the one but not the other is *undecided* and
    gets twice as many draws again, until no area is undecided or it reaches
    :data:`MOST_DRAWS`. The decision is then the one the exact permutation p-values would
    give, except with a chance of the order of :data:`BOUND_RISK` per area, whatever the
    seed (the sequential idea of Gandy and Hahn 2014, "MMCTest").
    """
    y, observed = np.asarray(y, dtype=float), np.asarray(observed, dtype=float)
    sizes = np.asarray(sizes, dtype=int)
    rng = np.random.default_rng(seed)
    n = len(observed)
    upper, lower, draws = np.zeros(n), np.zeros(n), np.zeros(n)
    active, batch = np.arange(n), first_draws
    while True:
        for start in range(0, batch, CHUNK):
            size = min(CHUNK, batch - start)
            sums = _neighbour_sums(y, active, sizes[active], rng, size, conditional)
            more_upper, more_lower = _tail_counts(observed[active].reshape(-1, 1), sums)
            upper[active] += more_upper
            lower[active] += more_lower
        draws[active] += batch
        low, high = _p_bounds(upper, lower, draws)
        undecided = benjamini_hochberg(low, fdr) & ~benjamini_hochberg(high, fdr)
        active = np.flatnonzero(undecided & (draws < MOST_DRAWS))
        if not len(active):
            break
        batch = int(draws[active].min()) + 1  # doubles the draws of the least-drawn
    p = np.minimum(1.0, 2 * (np.minimum(upper, lower) + 1) / (draws + 1))
    return PermutationTest(
        p=p, draws=draws.astype(int), significant=benjamini_hochberg(high, fdr), unsettled=undecided
    )


# -- Getis-Ord Gi* ---------------------------------------------------------------------------


def gi_star_z(y, weights: W) -> np.ndarray:
    """Gi* z-scores of ``y`` for ``weights`` that include each area's self-weight.

    Gi* standardised by its mean and variance under randomisation of all n values (Ord
    and Getis 1995, eq. 9), with the population mean and variance of ``y`` (``ybar``,
    ``s2``), row sums ``W_i`` and sums of squares ``S_i`` of the weights:

        z_i = (sum_j w_ij y_j - W_i ybar) / sqrt(s2 (n S_i - W_i**2) / (n - 1)).

    z does not change when a row of weights is scaled, so row-standardised and binary
    weights give the same z; it is 0 where Gi* cannot vary (the neighbourhood is every area).
    """
    y = np.asarray(y, dtype=float)
    matrix = weights.sparse
    n = len(y)
    row_sums = np.asarray(matrix.sum(axis=1)).ravel()
    row_squares = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
    spread = y.var() * (n * row_squares - row_sums**2) / (n - 1)
    return _standardised(matrix @ y - row_sums * y.mean(), spread)


def _standardised(deviation: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """deviation / sqrt(variance); 0 where the statistic cannot vary (e.g. an area whose
    neighbourhood is every area)."""
    deviation, variance = np.asarray(deviation, dtype=float), np.asarray(variance, dtype=float)
    varies = variance > 1e-12 * np.maximum(deviation**2, 1.0)
    return np.where(varies, deviation / np.sqrt(np.where(varies, variance, 1.0)), 0.0)


def _binary(weights: W) -> tuple[np.ndarray, np.ndarray]:
    """Each area's neighbour count and neighbour sum matrix, for equal weights in a row."""
    matrix = (weights.sparse != 0).astype(float)
    return np.asarray(matrix.sum(axis=1)).ravel().astype(int), matrix


# -- local statistics ------------------------------------------------------------------------


def _quiet_esda() -> None:
    """Silence esda's notice about its default p-value (not used here: see
    :func:`permutation_p_values`) and its z_sim divisions by zero (not used either)."""
    warnings.filterwarnings("ignore", message="The alternative hypothesis")
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="esda")


#: The columns of :func:`local_statistics` and their values for an area not tested.
UNTESTED = {
    "gi_z": np.nan,
    "p_value": np.nan,
    "draws": 0,
    "fdr_significant": False,
    "unsettled": False,
    "hotspot": NOT_TESTED,
    "lisa_i": np.nan,
    "lisa_z": np.nan,
    "lisa_p": np.nan,
    "lisa_significant": False,
    "lisa_cluster": NOT_TESTED,
}


def _untested(index: pd.Index) -> pd.DataFrame:
    out = pd.DataFrame(index=index)
    for column, value in UNTESTED.items():
        out[column] = value
    return out


def _tested_values(values: pd.Series, ids: list[str]) -> np.ndarray:
    y = values.set_axis(values.index.astype(str)).reindex(ids).astype(float).to_numpy()
    if np.isnan(y).any():
        raise ValueError("values are missing for some areas in the weights")
    if (y < 0).any():
        raise ValueError("Gi* needs non-negative values")
    return y


def local_statistics(
    values: pd.Series,
    weights: SpatialWeights,
    *,
    seed: int,
    permutations: int = PERMUTATIONS,
    fdr: float = FDR_LEVEL,
    lisa: bool = True,
) -> pd.DataFrame:
    """Gi* and Local Moran for ``values`` (indexed by area id), FDR-controlled.

    Columns: ``gi_z`` (Gi* z-score, :func:`gi_star_z`), ``p_value`` (two-sided
    permutation p of the same statistic), ``draws`` (its permutations: ``permutations``
    at first, more where the decision needed them), ``fdr_significant``, ``unsettled``
    (undecided after the most draws, so not significant), ``hotspot`` (Hot spot / Cold
    spot / Not significant / Not tested); ``lisa_i``, ``lisa_z``, ``lisa_p``,
    ``lisa_significant``, ``lisa_cluster`` (High-High, Low-Low, High-Low, Low-High or Not
    significant). Areas not in the weights (dropped islands), or every area when the
    values do not vary, are "Not tested"; with ``lisa=False`` Local Moran is skipped.
    """
    out = _untested(pd.Index(values.index.astype(str), name=values.index.name))
    ids = list(weights.ids)
    y = _tested_values(values, ids)
    if np.ptp(y) == 0:
        return out
    gi_weights = with_self(weights.w)
    sizes, matrix = _binary(gi_weights)
    test = settled_permutation_test(
        y, matrix @ y, sizes, seed=seed, conditional=False, fdr=fdr, first_draws=permutations
    )
    z = gi_star_z(y, gi_weights)
    out.loc[ids, "gi_z"] = z
    out.loc[ids, "p_value"] = test.p
    out.loc[ids, "draws"] = test.draws
    out.loc[ids, "fdr_significant"] = test.significant
    out.loc[ids, "unsettled"] = test.unsettled
    out.loc[ids, "hotspot"] = classify(z, test.significant)
    if lisa:
        _local_moran(out, y, weights, ids, seed=seed, permutations=permutations, fdr=fdr)
    return out


def _local_moran(out, y, weights, ids, *, seed: int, permutations: int, fdr: float) -> None:
    """Fill the ``lisa_*`` columns of ``out`` for the areas ``ids``: I and its z from esda
    (moments under conditional randomisation, Sokal et al. 1998), p from the settled
    conditional permutation test of the neighbours' sum (I is that sum, shifted and
    scaled by the area's own fixed value)."""
    with warnings.catch_warnings():
        _quiet_esda()
        moran = esda.Moran_Local(y, copy.deepcopy(weights.w), transformation="r", permutations=0)
    sizes, matrix = _binary(weights.w)
    test = settled_permutation_test(
        y, matrix @ y, sizes, seed=seed, conditional=True, fdr=fdr, first_draws=permutations
    )
    quadrant = pd.Series(np.asarray(moran.q)).map(LISA_LABELS).to_numpy()
    out.loc[ids, "lisa_i"] = np.asarray(moran.Is, dtype=float)
    out.loc[ids, "lisa_z"] = _standardised(np.asarray(moran.Is) - moran.EIc, moran.VIc)
    out.loc[ids, "lisa_p"] = test.p
    out.loc[ids, "lisa_significant"] = test.significant
    out.loc[ids, "lisa_cluster"] = np.where(test.significant, quadrant, NOT_SIGNIFICANT)


# -- single-area excess ----------------------------------------------------------------------

#: Rounds of re-estimating the rate and dispersion without the areas flagged so far.
SPIKE_ROUNDS = 10


def negative_binomial_upper_p(counts, means, alpha: float) -> np.ndarray:
    """P(Y >= count) for Y negative binomial (NB2) with ``means`` and shape ``alpha``
    (variance ``mu + alpha mu**2``); Poisson when ``alpha`` is 0."""
    y = np.asarray(counts, dtype=float)
    mu = np.asarray(means, dtype=float)
    if alpha <= 0:
        return stats.poisson.sf(y - 1, mu)
    size = 1 / alpha
    return stats.nbinom.sf(y - 1, size, size / (size + mu))


def _excess_round(y: np.ndarray, e: np.ndarray, fitted: np.ndarray):
    """The rate and NB2 shape of the ``fitted`` areas, and every area's upper-tail p."""
    rate = y[fitted].sum() / e[fitted].sum()
    if rate == 0:
        return 0.0, 0.0, np.where(y > 0, 0.0, 1.0)
    alpha = nb2_alpha(y[fitted], rate * e[fitted])
    return rate, alpha, negative_binomial_upper_p(y, rate * e, alpha)


@dataclass(frozen=True)
class CountExcess:
    """Each area's expected count, p-value and spike flag, and the fit they come from."""

    table: pd.DataFrame
    rate: float
    alpha: float
    rounds: int


def count_excess(counts: pd.Series, exposure: pd.Series, fdr: float = FDR_LEVEL) -> CountExcess:
    """Areas whose count is far above ``exposure`` x the rate of the areas not flagged.

    The rate and the NB2 shape are fitted on the areas not yet flagged, every area is
    tested against them, and the fit is repeated without the new flags until they no
    longer change (at most :data:`SPIKE_ROUNDS` rounds).

    ``table`` (indexed like ``counts``): ``expected``, ``excess_ratio`` (count / expected),
    ``spike_p`` (one-sided NB2 p), ``spike`` (significant after Benjamini-Hochberg at
    ``fdr``). ``rate`` is per unit of exposure; ``alpha`` the NB2 shape of the last round.
    """
    y = counts.to_numpy(dtype=float)
    e = exposure.reindex(counts.index).to_numpy(dtype=float)
    if np.isnan(e).any() or (e <= 0).any():
        raise ValueError("every area needs a positive exposure")
    flagged = np.zeros(len(y), dtype=bool)
    rounds = 0
    while True:
        rounds += 1
        rate, alpha, p = _excess_round(y, e, ~flagged)
        again = benjamini_hochberg(p, fdr)
        if (again == flagged).all() or again.all() or rounds == SPIKE_ROUNDS:
            break
        flagged = again
    table = pd.DataFrame({"expected": rate * e, "spike_p": p, "spike": again}, index=counts.index)
    table.insert(1, "excess_ratio", np.where(table["expected"] > 0, y / table["expected"], np.nan))
    return CountExcess(table=table, rate=float(rate), alpha=float(alpha), rounds=rounds)
