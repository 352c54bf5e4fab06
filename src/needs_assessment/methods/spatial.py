"""Local spatial statistics: contiguity weights, Getis-Ord Gi*, Local Moran, FDR control.

Chapter-agnostic: areas are polygons with an id, values are one number per area.

- **Weights**: queen contiguity (:class:`libpysal.weights.Queen`) built from the given
  polygons only, so the study area's edge is a hard edge (neighbours outside it are never
  used). An area with no contiguous neighbour (an *island*) is given the area whose
  centroid is nearest (k = 1, added in both directions so the weights stay symmetric)
  with ``islands="nearest"``, or left out of the tests with ``islands="drop"``.
- **Gi\\*** (:class:`esda.G_Local`, focal area included with weight 1, row-standardised)
  and **Local Moran** (:class:`esda.Moran_Local`, same weights without the self-weight).
- **p-values** come from conditional permutation, two-sided: twice the smaller tail of the
  permutation distribution (:func:`permutation_p_values`), rather than esda's default
  "directed" p-value (the smaller tail alone), which its authors note is too small. The
  smallest attainable p-value is 2 / (permutations + 1), so the default is 9,999 draws:
  with 999 draws and ~500 areas, Benjamini-Hochberg at 5% can flag nothing unless at least
  20 areas all sit at that floor.
- **Multiple testing**: the Benjamini-Hochberg false discovery rate
  (:func:`benjamini_hochberg`, tested against statsmodels). A *hot spot* is an area whose
  Gi* is significant after FDR control with a positive z-score; a *cold spot* has a
  negative one.

References: Getis and Ord (1992), Ord and Getis (1995); Anselin (1995); Benjamini and
Hochberg (1995); Rey and Anselin, PySAL esda.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

with warnings.catch_warnings():  # esda's optional progress bars warn when imported in Jupyter
    warnings.simplefilter("ignore")
    import esda
    from libpysal.weights import Queen, W

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
    draws = simulations.shape[1]
    tolerance = TIE_TOLERANCE * np.maximum(np.abs(observed), np.finfo(float).tiny)
    upper = (simulations >= observed - tolerance).sum(axis=1)
    lower = (simulations <= observed + tolerance).sum(axis=1)
    return np.minimum(1.0, 2 * (np.minimum(upper, lower) + 1) / (draws + 1))


def smallest_p_value(permutations: int) -> float:
    """The smallest two-sided permutation p-value ``permutations`` draws can give."""
    return 2 / (permutations + 1)


# -- local statistics ------------------------------------------------------------------------


def _quiet_esda() -> None:
    """Silence esda's notice about its default p-value (not used here: see
    :func:`permutation_p_values`) and its z_sim divisions by zero (not used either)."""
    warnings.filterwarnings("ignore", message="The alternative hypothesis")
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="esda")


def _untested(index: pd.Index) -> pd.DataFrame:
    out = pd.DataFrame(index=index)
    out["gi_z"] = np.nan
    out["p_value"] = np.nan
    out["fdr_significant"] = False
    out["hotspot"] = NOT_TESTED
    out["lisa_i"] = np.nan
    out["lisa_p"] = np.nan
    out["lisa_significant"] = False
    out["lisa_cluster"] = NOT_TESTED
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

    Columns: ``gi_z`` (Gi* z-score), ``p_value`` (Gi* two-sided permutation p),
    ``fdr_significant``, ``hotspot`` (Hot spot / Cold spot / Not significant / Not tested),
    ``lisa_i``, ``lisa_p``, ``lisa_significant``, ``lisa_cluster``. Areas not in the weights
    (dropped islands), or every area when the values do not vary, are "Not tested"; with
    ``lisa=False`` Local Moran is skipped (its columns stay "Not tested").
    """
    out = _untested(pd.Index(values.index.astype(str), name=values.index.name))
    ids = list(weights.ids)
    y = _tested_values(values, ids)
    if np.ptp(y) == 0:
        return out
    with warnings.catch_warnings():
        _quiet_esda()
        gi = esda.G_Local(
            y,
            with_self(weights.w),
            transform="R",
            star=None,
            permutations=permutations,
            seed=seed,
            keep_simulations=True,
            n_jobs=1,
        )
    gi_p = permutation_p_values(gi.Gs, gi.rGs)
    gi_sig = benjamini_hochberg(gi_p, fdr)
    z = np.asarray(gi.Zs, dtype=float)
    out.loc[ids, "gi_z"] = z
    out.loc[ids, "p_value"] = gi_p
    out.loc[ids, "fdr_significant"] = gi_sig
    out.loc[ids, "hotspot"] = np.where(
        gi_sig & (z > 0), HOT, np.where(gi_sig & (z < 0), COLD, NOT_SIGNIFICANT)
    )
    if lisa:
        _local_moran(out, y, weights, ids, seed=seed, permutations=permutations, fdr=fdr)
    return out


def _local_moran(out, y, weights, ids, *, seed: int, permutations: int, fdr: float) -> None:
    """Fill the ``lisa_*`` columns of ``out`` for the areas ``ids``."""
    with warnings.catch_warnings():
        _quiet_esda()
        moran = esda.Moran_Local(
            y,
            copy.deepcopy(weights.w),
            transformation="r",
            permutations=permutations,
            seed=seed,
            keep_simulations=True,
            n_jobs=1,
        )
    lisa_p = permutation_p_values(moran.Is, moran.rlisas)
    lisa_sig = benjamini_hochberg(lisa_p, fdr)
    out.loc[ids, "lisa_i"] = np.asarray(moran.Is, dtype=float)
    out.loc[ids, "lisa_p"] = lisa_p
    out.loc[ids, "lisa_significant"] = lisa_sig
    quadrant = pd.Series(np.asarray(moran.q)).map(LISA_LABELS).to_numpy()
    out.loc[ids, "lisa_cluster"] = np.where(lisa_sig, quadrant, NOT_SIGNIFICANT)
