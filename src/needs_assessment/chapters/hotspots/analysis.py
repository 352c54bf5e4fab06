"""Hotspots chapter: where serious violence concentrates, where it clusters, whether it persists.

Two tiers of data locate offences in Lower Layer Super Output Areas (LSOAs, 2011):

- **police.uk street-level crime (real)**: the months shipped in ``data/raw`` (for
  Cambridgeshire 7 months between October 2018 and January 2021). Categories: "Violence and
  sexual offences", "Robbery", "Possession of weapons", "Drugs". Rows without a location, or
  snapped to an LSOA outside the configured districts, are left out and counted.
- **the force offence extract** (``force_extract``): knife or sharp instrument offences,
  violence with injury and drug supply, by financial year. In the default config it is a
  synthetic demonstration extract, and everything drawn from it is labelled so.

Methods, per tier and category:

- **Concentration**: the share of LSOAs that hold 25% and 50% of the events (taking the
  LSOAs with most events first; LSOAs with no event count in the denominator), with a
  Lorenz-style curve. Beside it, the same shares if the same number of events had fallen at
  random in proportion to residents (seeded multinomial simulation): with few events per
  LSOA, much apparent concentration is chance.
- **Rates**: events per 1,000 residents a year. The denominator is person-years: each
  period's LSOA population (ONS mid-year estimate of that calendar year; a police.uk month
  counts as 1/12 of a year; a financial year uses the mid-year of its first year; years past
  the last estimate use the last estimate).
- **Hotspots**: Getis-Ord Gi* (:class:`esda.G_Local`, focal LSOA included) on LSOA rates,
  with queen contiguity (:class:`libpysal.weights.Queen`) built from the polygons of the
  area's LSOAs only, and row-standardised (the self-weight is 1 before standardising).
  *Edge of the area*: the study area is the force area, so an LSOA's neighbours outside
  the force are not used; LSOAs on the force boundary have fewer neighbours. *Islands*:
  an LSOA with no contiguous neighbour in the area is given its nearest LSOA by centroid
  as a neighbour (k = 1, added in both directions so the weights stay symmetric)
  (``islands="nearest"``, the default), or dropped from the tests and reported as "Not
  tested" (``islands="drop"``). p-values come from conditional permutation
  (:data:`PERMUTATIONS` draws, seeded with ``config.seed``), two-sided: twice the smaller
  tail of the permutation distribution (:func:`permutation_p_values`), rather than esda's
  default "directed" p-value, the smaller tail alone, which its authors note is too small.
  9,999 permutations rather than 999 because the smallest attainable p-value is
  2 / (permutations + 1): with 999 draws and ~500 LSOAs, Benjamini-Hochberg at 5% can
  flag nothing unless at least 20 LSOAs all sit at that floor. Multiple testing is controlled by the
  Benjamini-Hochberg false discovery rate (:func:`benjamini_hochberg`, implemented here
  and tested against statsmodels) at :data:`FDR_LEVEL`. A *hot spot* is an LSOA whose Gi*
  is significant after FDR control with a positive z-score; a *cold spot* has a negative one.
- **Local Moran** (:class:`esda.Moran_Local`, same weights without the self-weight, same
  permutations and FDR control): clusters High-High, Low-Low, High-Low, Low-High, or Not
  significant.
- **Persistence**: for each LSOA, the number of periods (police.uk months; extract
  financial years) in which it was in the top decile of counts: among the
  ceil(10% x LSOAs) LSOAs with the most events (ties at the boundary all included), and with
  at least one event. A *persistent* LSOA is in the top decile in at least
  :data:`PERSISTENT_SHARE` of the periods.
- The extract's hotspots use its latest :data:`EXTRACT_WINDOW_YEARS` financial years;
  its persistence and time profiles use every year it covers.
"""

from __future__ import annotations

import copy
import math
import warnings
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

with warnings.catch_warnings():  # esda's optional progress bars warn when imported in Jupyter
    warnings.simplefilter("ignore")
    import esda
    from libpysal.weights import Queen, W

from needs_assessment.config import AssessmentConfig
from needs_assessment.definitions import Definitions, offences_in
from needs_assessment.methods import stats
from needs_assessment.methods.disclosure import (
    assert_no_identifiers,
    marker_column,
    suppress_small_counts,
)
from needs_assessment.presentation.text import join

TIER_POLICE_UK = "police_uk"
TIER_EXTRACT = "force_extract"
POLICE_UK_CATEGORIES = (
    "violence_and_sexual_offences",
    "robbery",
    "possession_of_weapons",
    "drug_offences",
)
EXTRACT_CATEGORIES = ("knife_crime", "violence_with_injury", "drug_supply")
HEADLINE = (TIER_POLICE_UK, "violence_and_sexual_offences")

FDR_LEVEL = 0.05
FDR_METHOD = "Benjamini-Hochberg (implemented in needs_assessment, hotspots chapter)"
PERMUTATIONS = 9_999
P_VALUE = "two-sided conditional permutation pseudo p-value: 2 (min(#>=, #<=) + 1) / (R + 1)"
EXTRACT_WINDOW_YEARS = 3
TOP_SHARE = 0.10
PERSISTENT_SHARE = 0.75
CONCENTRATION_SHARES = (0.25, 0.50)
RANDOM_SIMULATIONS = 200
TOP_PER_DISTRICT = 5

HOT, COLD, NOT_SIGNIFICANT, NOT_TESTED = "Hot spot", "Cold spot", "Not significant", "Not tested"
LISA_LABELS = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
ISLAND_HANDLING = {
    "nearest": "given their nearest LSOA by centroid as a neighbour (k = 1, both ways)",
    "drop": "left out of the tests and shown as not tested",
}

#: Columns of ``tables/hotspots_lsoa.csv``, in order.
LSOA_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "district",
    "count",
    "rate_per_1000",
    "gi_z",
    "p_value",
    "fdr_significant",
    "lisa_cluster",
    "persistence",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# -- the area ------------------------------------------------------------------------------


def area_lsoas(
    boundaries: gpd.GeoDataFrame, lookup: pd.DataFrame, districts: dict[str, str]
) -> gpd.GeoDataFrame:
    """The area's LSOAs: ``lsoa_code, lsoa_name, district_code, district, geometry``."""
    area = lookup.loc[lookup["lad17_code"].isin(districts), ["lsoa11_code", "lad17_code"]]
    if area.empty:
        raise ValueError("no LSOA in the lookup belongs to the configured districts")
    frame = boundaries.merge(area, on="lsoa11_code", how="inner")
    missing = sorted(set(area["lsoa11_code"]) - set(frame["lsoa11_code"]))
    if missing:
        raise ValueError(f"{len(missing)} LSOAs of the area have no boundary, e.g. {missing[0]}")
    out = gpd.GeoDataFrame(
        {
            "lsoa_code": frame["lsoa11_code"].astype(str).to_numpy(),
            "lsoa_name": frame["lsoa11_name"].astype(str).to_numpy(),
            "district_code": frame["lad17_code"].astype(str).to_numpy(),
            "district": frame["lad17_code"].map(districts).astype(str).to_numpy(),
        },
        geometry=frame.geometry.to_numpy(),
        crs=boundaries.crs,
    )
    return out.sort_values("lsoa_code").reset_index(drop=True)


def area_districts(lsoas: gpd.GeoDataFrame, sliver_share: float = 0.001) -> gpd.GeoDataFrame:
    """District outlines dissolved from the area's LSOAs: ``district_code, district, geometry``.

    Dissolving the LSOAs (rather than drawing the separate district boundary file, which is
    generalised differently) keeps outlines and LSOAs aligned on the maps. Holes smaller
    than ``sliver_share`` of a district's area (gaps between generalised LSOA polygons)
    are filled; real holes (Cambridge inside South Cambridgeshire) stay.
    """
    dissolved = lsoas.dissolve("district_code", as_index=False)[
        ["district_code", "district", "geometry"]
    ]
    dissolved["geometry"] = [_fill_slivers(g, sliver_share) for g in dissolved.geometry]
    return dissolved.sort_values("district").reset_index(drop=True)


def _fill_slivers(geometry, share: float):
    parts = []
    for part in shapely.get_parts(geometry):
        holes = [
            ring for ring in part.interiors if shapely.Polygon(ring).area >= share * geometry.area
        ]
        parts.append(shapely.Polygon(part.exterior, holes))
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


# -- spatial weights ---------------------------------------------------------------------


@dataclass(frozen=True)
class SpatialWeights:
    """Binary queen contiguity among the area's LSOAs (outside neighbours never used).

    ``w`` holds the areas tested (``ids``, in order); ``islands`` are the LSOAs that had no
    contiguous neighbour inside the area, handled as ``handling`` says (see
    :data:`ISLAND_HANDLING`); with ``"drop"`` they are not in ``ids``.
    """

    w: W
    ids: tuple[str, ...]
    islands: tuple[str, ...]
    handling: str


def contiguity_weights(
    areas: gpd.GeoDataFrame, id_column: str = "lsoa_code", islands: str = "nearest"
) -> SpatialWeights:
    """Queen contiguity from the polygons of ``areas`` only, islands handled.

    ``islands="nearest"`` links each island to the area whose centroid is nearest its own
    (k = 1), in both directions; ``islands="drop"`` leaves islands out. Areas outside
    ``areas`` are never neighbours: the study area's edge is a hard edge.
    """
    if islands not in ISLAND_HANDLING:
        raise ValueError(f"islands must be one of {sorted(ISLAND_HANDLING)}, not {islands!r}")
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
        kept = [i for i in ids if i not in lonely]
        if len(kept) < 2:
            raise ValueError("fewer than two areas have a neighbour")
        neighbours = {i: neighbours[i] for i in kept}
        ids = kept
    elif lonely:
        centroids = areas.geometry.centroid
        points = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
        tree = cKDTree(points)
        position = {code: k for k, code in enumerate(areas[id_column].astype(str))}
        for island in lonely:
            _, found = tree.query(points[position[island]], k=2)
            nearest = ids[int(found[1])] if ids[int(found[0])] == island else ids[int(found[0])]
            for a, b in ((island, nearest), (nearest, island)):
                if b not in neighbours[a]:
                    neighbours[a].append(b)
    w = W(neighbours, id_order=ids, silence_warnings=True)
    return SpatialWeights(w=w, ids=tuple(ids), islands=tuple(lonely), handling=islands)


def _with_self(w: W) -> W:
    """The same binary weights with each area its own neighbour (weight 1), for Gi*."""
    neighbours = {i: [*w.neighbors[i], i] for i in w.id_order}
    return W(neighbours, id_order=list(w.id_order), silence_warnings=True)


# -- local statistics ----------------------------------------------------------------------


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
    statistics per area; p is capped at 1 and is at least 2 / (R + 1).
    """
    observed = np.asarray(observed, dtype=float).reshape(-1, 1)
    simulations = np.asarray(simulations, dtype=float)
    draws = simulations.shape[1]
    upper = (simulations >= observed).sum(axis=1)
    lower = (simulations <= observed).sum(axis=1)
    return np.minimum(1.0, 2 * (np.minimum(upper, lower) + 1) / (draws + 1))


def _quiet_esda() -> None:
    """Silence esda's notice about its default p-value (not used here: see
    :func:`permutation_p_values`) and its z_sim divisions by zero (not used either)."""
    warnings.filterwarnings("ignore", message="The alternative hypothesis")
    warnings.filterwarnings("ignore", category=RuntimeWarning, module="esda")


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
    out = pd.DataFrame(index=pd.Index(values.index.astype(str), name=values.index.name))
    out["gi_z"] = np.nan
    out["p_value"] = np.nan
    out["fdr_significant"] = False
    out["hotspot"] = NOT_TESTED
    out["lisa_i"] = np.nan
    out["lisa_p"] = np.nan
    out["lisa_significant"] = False
    out["lisa_cluster"] = NOT_TESTED
    ids = list(weights.ids)
    y = values.set_axis(values.index.astype(str)).reindex(ids).astype(float).to_numpy()
    if np.isnan(y).any():
        raise ValueError("values are missing for some areas in the weights")
    if (y < 0).any():
        raise ValueError("Gi* needs non-negative values")
    if np.ptp(y) == 0:
        return out
    with warnings.catch_warnings():
        _quiet_esda()
        gi = esda.G_Local(
            y,
            _with_self(weights.w),
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
    if not lisa:
        return out
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
    return out


# -- concentration ---------------------------------------------------------------------------


def concentration_shares(counts, shares=CONCENTRATION_SHARES) -> dict[float, float]:
    """Percentage of places that hold each share of the events, most events first.

    The smallest number of places whose events reach at least ``share`` of the total,
    over all places (places with no event included). NaN when there is no event.
    """
    values = np.sort(np.asarray(counts, dtype=float))[::-1]
    total = values.sum()
    if len(values) == 0 or total <= 0:
        return {share: float("nan") for share in shares}
    cumulative = np.cumsum(values)
    return {
        share: float((np.argmax(cumulative >= share * total) + 1) / len(values) * 100)
        for share in shares
    }


def lorenz_curve(counts) -> pd.DataFrame:
    """Cumulative % of events against cumulative % of places, places with most events first."""
    values = np.sort(np.asarray(counts, dtype=float))[::-1]
    total = values.sum()
    places = np.arange(len(values) + 1) / max(len(values), 1) * 100
    events = np.concatenate([[0.0], np.cumsum(values)]) / (total if total > 0 else 1) * 100
    return pd.DataFrame({"share_of_lsoas_pct": places, "share_of_events_pct": events})


def random_concentration(
    exposure,
    events: int,
    *,
    seed: int,
    shares=CONCENTRATION_SHARES,
    simulations: int = RANDOM_SIMULATIONS,
) -> dict[float, float]:
    """Mean concentration shares if ``events`` fell at random in proportion to ``exposure``."""
    weights = np.asarray(exposure, dtype=float)
    if events <= 0 or weights.sum() <= 0:
        return {share: float("nan") for share in shares}
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(int(events), weights / weights.sum(), size=simulations)
    found = [concentration_shares(row, shares) for row in draws]
    return {share: float(np.mean([f[share] for f in found])) for share in shares}


# -- events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSet:
    """Counts of one tier by ``category, period, lsoa_code`` (column ``count``).

    ``periods`` lists every period the tier covers, in order, with the population year
    and the length in years each one uses; ``window`` names the periods hotspots use.
    """

    tier: str
    label: str
    source: str
    synthetic: bool
    categories: tuple[str, ...]
    events: pd.DataFrame
    periods: pd.DataFrame
    window: tuple[str, ...]
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def window_label(self) -> str:
        """The periods hotspots use, e.g. '7 months, October 2018 to January 2021'."""
        return _period_span(self, self.window)

    @property
    def span_label(self) -> str:
        """Every period the tier covers, e.g. '2010/11 to 2021/22'."""
        return _period_span(self, self.periods["period"])

    @property
    def tag(self) -> str:
        """' (demonstration data, synthetic)' for a synthetic tier, else ''."""
        return " (demonstration data, synthetic)" if self.synthetic else ""


def policeuk_events(
    counts: pd.DataFrame, definitions: Definitions, lsoa_codes, categories=POLICE_UK_CATEGORIES
) -> EventSet:
    """police.uk street-level counts by category, month and LSOA, inside the area only."""
    area = set(lsoa_codes)
    frames, dropped = [], []
    for category in categories:
        types = definitions.categories[category].policeuk_crime_types
        rows = counts[counts["crime_type"].isin(types)]
        located = rows["lsoa_code"].notna()
        inside = located & rows["lsoa_code"].isin(area)
        dropped.append(
            {
                "category": category,
                "events": int(rows["crimes"].sum()),
                "no_location": int(rows.loc[~located, "crimes"].sum()),
                "outside_area": int(rows.loc[located & ~inside, "crimes"].sum()),
            }
        )
        kept = rows[inside]
        frames.append(
            pd.DataFrame(
                {
                    "category": category,
                    "period": kept["month"].dt.strftime("%Y-%m").to_numpy(),
                    "lsoa_code": kept["lsoa_code"].astype(str).to_numpy(),
                    "count": kept["crimes"].astype(int).to_numpy(),
                }
            )
        )
    events = (
        pd.concat(frames, ignore_index=True)
        .groupby(["category", "period", "lsoa_code"], as_index=False)["count"]
        .sum()
    )
    months = pd.DatetimeIndex(sorted(counts["month"].dropna().unique()))
    periods = pd.DataFrame(
        {
            "period": months.strftime("%Y-%m"),
            "population_year": months.year,
            "period_years": 1 / 12,
            "name": months.strftime("%B %Y"),
        }
    )
    return EventSet(
        tier=TIER_POLICE_UK,
        label="police.uk street-level crime (real)",
        source="police.uk street-level crime data",
        synthetic=False,
        categories=tuple(categories),
        events=events,
        periods=periods,
        window=tuple(periods["period"]),
        excluded=pd.DataFrame(dropped),
    )


def extract_events(
    extract: pd.DataFrame,
    definitions: Definitions,
    synthetic: bool,
    categories=EXTRACT_CATEGORIES,
    window_years: int = EXTRACT_WINDOW_YEARS,
) -> EventSet:
    """Force extract counts by category, financial year and LSOA."""
    frames, dropped = [], []
    for category in categories:
        rows = extract[offences_in(extract, definitions.categories[category])]
        located = rows["lsoa_code"].notna()
        dropped.append(
            {
                "category": category,
                "events": len(rows),
                "no_location": int((~located).sum()),
                "outside_area": 0,
            }
        )
        frames.append(
            rows[located]
            .groupby(["financial_year", "lsoa_code"])
            .size()
            .rename("count")
            .reset_index()
            .rename(columns={"financial_year": "period"})
            .assign(category=category)
        )
    events = pd.concat(frames, ignore_index=True)[["category", "period", "lsoa_code", "count"]]
    events["lsoa_code"] = events["lsoa_code"].astype(str)
    years = extract[["financial_year", "year"]].drop_duplicates().sort_values("year")
    periods = pd.DataFrame(
        {
            "period": years["financial_year"].astype(str).to_numpy(),
            "population_year": years["year"].astype(int).to_numpy(),
            "period_years": 1.0,
            "name": years["financial_year"].astype(str).to_numpy(),
        }
    )
    label = "force offence extract" + (": demonstration data (synthetic)" if synthetic else "")
    return EventSet(
        tier=TIER_EXTRACT,
        label=label,
        source="force offence extract" + (" (demonstration data, synthetic)" if synthetic else ""),
        synthetic=synthetic,
        categories=tuple(categories),
        events=events,
        periods=periods,
        window=tuple(periods["period"].iloc[-window_years:]),
        excluded=pd.DataFrame(dropped),
    )


def person_years(periods: pd.DataFrame, population: pd.DataFrame, lsoa_codes) -> pd.Series:
    """Residents x years at risk per LSOA over ``periods`` (see the module docstring)."""
    codes = list(lsoa_codes)
    table = population[population["lsoa11_code"].isin(codes)].pivot_table(
        index="lsoa11_code", columns="year", values="population", aggfunc="sum"
    )
    missing = sorted(set(codes) - set(table.index))
    if missing:
        raise ValueError(f"no population for {len(missing)} LSOAs, e.g. {missing[0]}")
    years = np.asarray(table.columns, dtype=int)
    total = pd.Series(0.0, index=pd.Index(codes, name="lsoa_code"))
    for row in periods.itertuples():
        year = int(np.clip(row.population_year, years.min(), years.max()))
        total += table[year].reindex(codes).to_numpy() * float(row.period_years)
    return total


# -- one tier and category -------------------------------------------------------------------


def lsoa_counts(events: pd.DataFrame, category: str, periods, lsoa_codes) -> pd.Series:
    """Events per LSOA over ``periods`` (zeros included), indexed by ``lsoa_code``."""
    rows = events[(events["category"] == category) & events["period"].isin(list(periods))]
    counts = rows.groupby("lsoa_code")["count"].sum()
    return counts.reindex(list(lsoa_codes), fill_value=0).rename_axis("lsoa_code").astype(int)


def top_decile(counts: pd.Series, share: float = TOP_SHARE) -> pd.Series:
    """In the top decile: among the ceil(share x n) with most events (ties included), and > 0."""
    k = math.ceil(share * len(counts))
    rank = counts.rank(ascending=False, method="min")
    return (rank <= k) & (counts > 0)


def persistence(events: pd.DataFrame, category: str, periods, lsoa_codes) -> pd.Series:
    """Number of ``periods`` in which each LSOA was in the top decile of counts."""
    codes = list(lsoa_codes)
    total = pd.Series(0, index=pd.Index(codes, name="lsoa_code"))
    for period in periods:
        total += top_decile(lsoa_counts(events, category, [period], codes)).astype(int)
    return total


def persistent_threshold(periods: int, share: float = PERSISTENT_SHARE) -> int:
    """Periods in the top decile that make an LSOA persistent (at least ``share`` of them)."""
    return max(1, math.ceil(share * periods))


def analyse(
    event_set: EventSet,
    category: str,
    lsoas: pd.DataFrame,
    exposure: pd.Series,
    weights: SpatialWeights,
    *,
    seed: int,
    permutations: int = PERMUTATIONS,
    fdr: float = FDR_LEVEL,
    lisa: bool = True,
) -> pd.DataFrame:
    """Every LSOA for one tier and category: counts, rates, Gi*, Local Moran, persistence."""
    codes = list(lsoas["lsoa_code"])
    counts = lsoa_counts(event_set.events, category, event_set.window, codes)
    rate = counts / exposure.reindex(codes) * 1000
    local = local_statistics(
        rate, weights, seed=seed, permutations=permutations, fdr=fdr, lisa=lisa
    )
    periods = list(event_set.periods["period"])
    frame = pd.DataFrame(
        {
            "tier": event_set.tier,
            "category": category,
            "lsoa_code": codes,
            "lsoa_name": lsoas["lsoa_name"].to_numpy(),
            "district_code": lsoas["district_code"].to_numpy(),
            "district": lsoas["district"].to_numpy(),
            "count": counts.to_numpy(),
            "person_years": exposure.reindex(codes).to_numpy(),
            "rate_per_1000": rate.to_numpy(),
        }
    )
    frame = frame.join(local.reset_index(drop=True))
    frame["persistence"] = persistence(event_set.events, category, periods, codes).to_numpy()
    frame["periods"] = len(periods)
    frame["persistent"] = frame["persistence"] >= persistent_threshold(len(periods))
    return frame


def concentration_row(frame: pd.DataFrame, *, seed: int) -> dict:
    """Concentration, random benchmark and hotspot counts for one tier and category."""
    shares = concentration_shares(frame["count"])
    chance = random_concentration(frame["person_years"], int(frame["count"].sum()), seed=seed)
    return {
        "events": int(frame["count"].sum()),
        "lsoas": len(frame),
        "lsoas_with_events": int((frame["count"] > 0).sum()),
        "share_lsoas_25pct": round(shares[0.25], 1),
        "share_lsoas_50pct": round(shares[0.5], 1),
        "random_share_lsoas_25pct": round(chance[0.25], 1),
        "random_share_lsoas_50pct": round(chance[0.5], 1),
        "hot_spots": int((frame["hotspot"] == HOT).sum()),
        "cold_spots": int((frame["hotspot"] == COLD).sum()),
        "persistent_lsoas": int(frame["persistent"].sum()),
        "persistent_hot_spots": int((frame["persistent"] & (frame["hotspot"] == HOT)).sum()),
        "periods": int(frame["periods"].iloc[0]),
        "persistent_threshold": persistent_threshold(int(frame["periods"].iloc[0])),
    }


def district_comparison(results: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per tier, category and district: events, rate with interval, share, hot spots."""
    grouped = results.groupby(["tier", "category", "district_code", "district"], sort=False)
    table = grouped.agg(
        count=("count", "sum"),
        person_years=("person_years", "sum"),
        lsoas=("lsoa_code", "size"),
        hot_spots=("hotspot", lambda s: int((s == HOT).sum())),
        persistent_lsoas=("persistent", "sum"),
    ).reset_index()
    rate, lower, upper = stats.rate_interval(
        table["count"].astype(float).to_numpy(),
        table["person_years"].to_numpy(),
        per=1000,
        level=level,
    )
    force = table.groupby(["tier", "category"])["count"].transform("sum")
    return table.assign(
        rate_per_1000=np.round(rate, 3),
        rate_lower=np.round(lower, 3),
        rate_upper=np.round(upper, 3),
        share_of_force_pct=np.round(table["count"] / force * 100, 1),
    )


# -- time --------------------------------------------------------------------------------------


def hour_by_weekday(
    extract: pd.DataFrame, definitions: Definitions, categories=EXTRACT_CATEGORIES
) -> pd.DataFrame:
    """Offences by day of week and hour (known hours only), with % of the category's total."""
    frames = []
    for category in categories:
        rows = extract[
            offences_in(extract, definitions.categories[category]) & extract["offence_hour"].notna()
        ]
        grid = pd.crosstab(rows["offence_date"].dt.day_of_week, rows["offence_hour"].astype(int))
        grid = grid.reindex(index=range(7), columns=range(24), fill_value=0)
        long = grid.stack().rename("count").reset_index()
        long.columns = ["weekday", "hour", "count"]
        total = long["count"].sum()
        frames.append(
            long.assign(
                category=category,
                label=definitions.labels[category],
                share_pct=long["count"] / total * 100 if total else np.nan,
            )
        )
    return pd.concat(frames, ignore_index=True)[
        ["category", "label", "weekday", "hour", "count", "share_pct"]
    ]


def month_profile(
    extract: pd.DataFrame, definitions: Definitions, categories=EXTRACT_CATEGORIES
) -> pd.DataFrame:
    """Offences per day in each calendar month, indexed to the category's average day (=100).

    Days per month count every day the extract's financial years cover, so February and
    31-day months are compared fairly.
    """
    years = extract["year"].astype(int)
    days = pd.date_range(f"{years.min()}-04-01", f"{years.max() + 1}-03-31", freq="D")
    per_month = pd.Series(days.month).value_counts().reindex(range(1, 13), fill_value=0)
    frames = []
    for category in categories:
        rows = extract[offences_in(extract, definitions.categories[category])]
        counts = rows["offence_date"].dt.month.value_counts().reindex(range(1, 13), fill_value=0)
        per_day = counts / per_month
        average = counts.sum() / per_month.sum()
        frames.append(
            pd.DataFrame(
                {
                    "category": category,
                    "label": definitions.labels[category],
                    "month": range(1, 13),
                    "count": counts.to_numpy(),
                    "days": per_month.to_numpy(),
                    "index": (per_day / average * 100).round(1).to_numpy() if average else np.nan,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# -- the chapter in one call -----------------------------------------------------------------


@dataclass(frozen=True)
class HotspotsChapter:
    lsoas: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    weights: SpatialWeights
    tiers: dict[str, EventSet]
    results: pd.DataFrame
    concentration: pd.DataFrame
    lorenz: pd.DataFrame
    district_table: pd.DataFrame
    imd_decile: pd.Series
    hour_week: pd.DataFrame | None
    months: pd.DataFrame | None
    labels: dict[str, str]
    settings: dict


def build(
    config: AssessmentConfig,
    definitions: Definitions,
    read,
    *,
    permutations: int = PERMUTATIONS,
    islands: str = "nearest",
) -> HotspotsChapter:
    """Everything the chapter shows, from the processed tables (``read(config, name)``)."""
    lsoas = area_lsoas(
        read(config, "lsoa_boundaries"), read(config, "lsoa_lookup"), config.area.districts
    )
    districts = area_districts(lsoas)
    codes = list(lsoas["lsoa_code"])
    tiers = {TIER_POLICE_UK: policeuk_events(read(config, "police_uk_counts"), definitions, codes)}
    extract = None
    if config.data.force_extract is not None:
        extract = read(config, "force_extract")
        tiers[TIER_EXTRACT] = extract_events(
            extract, definitions, synthetic=config.data.force_extract_is_synthetic
        )
    weights = contiguity_weights(lsoas, islands=islands)
    population = read(config, "lsoa_population")
    frames, rows, curves = [], [], []
    for tier, event_set in tiers.items():
        window = event_set.periods[event_set.periods["period"].isin(event_set.window)]
        exposure = person_years(window, population, codes)
        for category in event_set.categories:
            frame = analyse(
                event_set,
                category,
                lsoas,
                exposure,
                weights,
                seed=config.seed,
                permutations=permutations,
                lisa=(tier, category) == HEADLINE,
            )
            frames.append(frame)
            rows.append(
                {
                    "tier": tier,
                    "tier_label": event_set.label,
                    "category": category,
                    "label": definitions.labels[category],
                    "window": _period_span(event_set, event_set.window),
                    **concentration_row(frame, seed=config.seed),
                }
            )
            curves.append(
                lorenz_curve(frame["count"]).assign(
                    tier=tier, category=category, label=definitions.labels[category]
                )
            )
    results = pd.concat(frames, ignore_index=True)
    imd = read(config, "imd").set_index("lsoa11_code")["imd_decile"]
    return HotspotsChapter(
        lsoas=lsoas,
        districts=districts,
        weights=weights,
        tiers=tiers,
        results=results,
        concentration=pd.DataFrame(rows),
        lorenz=pd.concat(curves, ignore_index=True),
        district_table=district_comparison(results, config.thresholds.confidence_level),
        imd_decile=imd.reindex(codes),
        hour_week=None if extract is None else hour_by_weekday(extract, definitions),
        months=None if extract is None else month_profile(extract, definitions),
        labels=dict(definitions.labels),
        settings={
            "fdr_level": FDR_LEVEL,
            "fdr_method": FDR_METHOD,
            "p_value": P_VALUE,
            "permutations": permutations,
            "seed": config.seed,
            "weights": "queen contiguity among the area's LSOAs, row-standardised",
            "islands": list(weights.islands),
            "island_handling": weights.handling,
            "edge": "neighbours outside the force area are not used",
            "top_share": TOP_SHARE,
            "persistent_share": PERSISTENT_SHARE,
            "extract_window_years": EXTRACT_WINDOW_YEARS,
            "confidence_level": config.thresholds.confidence_level,
        },
    )


def _period_span(event_set: EventSet, periods, *, full: bool = False) -> str:
    """'2019/20 to 2021/22'; police.uk months: '7 months, October 2018 to January 2021'."""
    names = event_set.periods.set_index("period")["name"].reindex(list(periods)).tolist()
    if full:
        return join(names)
    span = names[0] if len(names) == 1 else f"{names[0]} to {names[-1]}"
    if event_set.tier == TIER_POLICE_UK and len(names) > 1:
        return f"{len(names)} months, {span}"
    return span


def headline(chapter: HotspotsChapter) -> pd.DataFrame:
    tier, category = HEADLINE
    rows = chapter.results[
        (chapter.results["tier"] == tier) & (chapter.results["category"] == category)
    ]
    return rows.reset_index(drop=True)


def results(chapter: HotspotsChapter, area: str = "the area") -> dict:
    """Key figures for ``results.json`` (``summary_sentences`` feed the executive summary)."""
    out: dict = {
        "method": chapter.settings,
        "tiers": {},
        "hot_spots": {},
        "concentration": {},
        "persistent_hotspots": {},
        "summary_sentences": summary_sentences(chapter, area),
    }
    for tier, event_set in chapter.tiers.items():
        out["tiers"][tier] = {
            "label": event_set.label,
            "synthetic": event_set.synthetic,
            "periods": list(event_set.periods["period"]),
            "hotspot_window": list(event_set.window),
            "excluded_events": event_set.excluded.to_dict(orient="records"),
        }
    for row in chapter.concentration.itertuples():
        out["hot_spots"].setdefault(row.tier, {})[row.category] = {
            "hot_spots": row.hot_spots,
            "cold_spots": row.cold_spots,
        }
        out["concentration"].setdefault(row.tier, {})[row.category] = {
            "events": row.events,
            "share_lsoas_25pct": row.share_lsoas_25pct,
            "share_lsoas_50pct": row.share_lsoas_50pct,
            "random_share_lsoas_50pct": row.random_share_lsoas_50pct,
        }
        out["persistent_hotspots"].setdefault(row.tier, {})[row.category] = {
            "persistent_lsoas": row.persistent_lsoas,
            "persistent_hot_spots": row.persistent_hot_spots,
            "periods": row.periods,
            "threshold": row.persistent_threshold,
        }
    top = headline(chapter)
    hot = top[top["hotspot"] == HOT].sort_values("gi_z", ascending=False)
    out["headline"] = {
        "tier": HEADLINE[0],
        "category": HEADLINE[1],
        "hot_spot_lsoas": list(hot["lsoa_code"]),
        "local_moran_clusters": top["lisa_cluster"].value_counts().to_dict(),
        "hot_spots_by_district": hot["district"].value_counts().to_dict(),
    }
    return out


def summary_sentences(chapter: HotspotsChapter, area: str) -> list[str]:
    """Plain sentences for the Board: concentration, hot spots and persistence."""
    top = headline(chapter)
    tier, category = HEADLINE
    row = chapter.concentration.set_index(["tier", "category"]).loc[(tier, category)]
    label = chapter.labels[category]
    hot = top[top["hotspot"] == HOT]
    persistent = hot[hot["persistent"]]
    sentences = [
        f"Over {chapter.tiers[tier].window_label}, {label.lower()} were concentrated: "
        f"{row['share_lsoas_50pct']:.1f}% of the {len(top):,} neighbourhoods (LSOAs) in {area} "
        f"held half of them, against {row['random_share_lsoas_50pct']:.1f}% had they been "
        "spread at random in proportion to residents."
    ]
    if hot.empty:
        sentences.append(
            f"No neighbourhood is a statistically significant hot spot of "
            f"{label.lower()} after false-discovery-rate control."
        )
    else:
        by = hot["district"].value_counts()
        where = (
            f"all in {by.index[0]}"
            if len(by) == 1
            else join([f"{n} in {d}" for d, n in by.items()])
        )
        sentences.append(
            f"{len(hot)} neighbourhoods are statistically significant hot spots of "
            f"{label.lower()} (Getis-Ord Gi*, false discovery rate "
            f"{chapter.settings['fdr_level'] * 100:.0f}%), {where}; {len(persistent)} of them "
            f"were in the top tenth in at least {int(row['persistent_threshold'])} of the "
            f"{int(row['periods'])} months."
        )
    extract = chapter.concentration[chapter.concentration["tier"] == TIER_EXTRACT]
    if len(extract):
        tag = chapter.tiers[TIER_EXTRACT].tag
        parts = [f"{r.label.lower()} {r.hot_spots}" for r in extract.itertuples()]
        sentences.append(
            f"Hot spots in the force extract{tag}, "
            f"{chapter.tiers[TIER_EXTRACT].window_label}: " + "; ".join(parts) + "."
        )
    return sentences


# -- published tables (after disclosure control) ---------------------------------------------


def lsoa_table(chapter: HotspotsChapter, config: AssessmentConfig) -> pd.DataFrame:
    """The headline LSOA table, disclosure-controlled, with ``<column>_marker`` columns.

    Counts 1 to ``suppress_counts_up_to`` are suppressed, with a second cell in any
    district with one suppressed cell (the district totals are published); rates from
    fewer than ``min_events_for_rate`` events are blanked.
    """
    frame = headline(chapter).sort_values(
        ["gi_z", "lsoa_code"], ascending=[False, True], na_position="last"
    )
    frame = frame.assign(
        gi_z=frame["gi_z"].round(3),
        p_value=frame["p_value"].round(4),
        rate_per_1000=frame["rate_per_1000"].round(2),
    )
    safe = suppress_small_counts(
        frame[[*LSOA_COLUMNS, "district_code"]].reset_index(drop=True),
        ["count"],
        threshold=config.thresholds.suppress_counts_up_to,
        total_groups=["district"],
        derived_columns={"rate_per_1000": "count"},
        min_events_for_rate=config.thresholds.min_events_for_rate,
    )
    assert_no_identifiers(safe)
    return safe


def lsoa_csv(safe: pd.DataFrame) -> pd.DataFrame:
    """Exactly :data:`LSOA_COLUMNS` (hidden cells empty)."""
    return safe[LSOA_COLUMNS]


def district_csv(chapter: HotspotsChapter, config: AssessmentConfig) -> pd.DataFrame:
    """Every tier, category and district, disclosure-controlled (force totals are published)."""
    table = chapter.district_table.assign(label=lambda t: t["category"].map(chapter.labels))
    table = table[
        [
            "tier",
            "category",
            "label",
            "district_code",
            "district",
            "count",
            "person_years",
            "rate_per_1000",
            "rate_lower",
            "rate_upper",
            "share_of_force_pct",
            "lsoas",
            "hot_spots",
            "persistent_lsoas",
        ]
    ]
    table = table.assign(person_years=table["person_years"].round(0))
    safe = suppress_small_counts(
        table,
        ["count"],
        threshold=config.thresholds.suppress_counts_up_to,
        total_groups=["tier", "category"],
        derived_columns={
            c: "count" for c in ("rate_per_1000", "rate_lower", "rate_upper", "share_of_force_pct")
        },
        min_events_for_rate=config.thresholds.min_events_for_rate,
    )
    assert_no_identifiers(safe)
    return safe


def concentration_csv(chapter: HotspotsChapter) -> pd.DataFrame:
    """Concentration and hotspot counts per tier and category (force-wide totals only)."""
    table = chapter.concentration.copy()
    assert_no_identifiers(table)
    return table


# -- tables as a Board reads them --------------------------------------------------------------


def _shown(values: pd.Series, markers: pd.Series, fmt: str) -> pd.Series:
    text = values.map(lambda v: "–" if pd.isna(v) else fmt.format(v)).astype(object)
    return text.where(markers.isna(), markers.astype(object))


def hot_spot_rows(safe: pd.DataFrame) -> pd.DataFrame:
    """The significant hot spots of the (disclosure-controlled) headline table."""
    return safe[safe["fdr_significant"] & (safe["gi_z"] > 0)].reset_index(drop=True)


def top_by_district(
    safe: pd.DataFrame, chapter: HotspotsChapter, n: int = TOP_PER_DISTRICT
) -> pd.DataFrame:
    """The ``n`` LSOAs with the highest Gi* z-score in each district, with the IMD decile."""
    order = {d: i for i, d in enumerate(sorted(chapter.districts["district"]))}
    rows = (
        safe.dropna(subset=["gi_z"])
        .sort_values("gi_z", ascending=False)
        .groupby("district", sort=False)
        .head(n)
    )
    rows = (
        rows.assign(_d=rows["district"].map(order))
        .sort_values(["_d", "gi_z"], ascending=[True, False])
        .drop(columns="_d")
    )
    rows = rows.assign(imd_decile=rows["lsoa_code"].map(chapter.imd_decile).astype("Int64"))
    return rows[
        [*LSOA_COLUMNS, "imd_decile", marker_column("count"), marker_column("rate_per_1000")]
    ].reset_index(drop=True)


def lsoa_display(rows: pd.DataFrame, chapter: HotspotsChapter) -> pd.DataFrame:
    """LSOA rows as a Board reads them: markers in place of hidden values."""
    periods = int(headline(chapter)["periods"].iloc[0])
    return pd.DataFrame(
        {
            "LSOA": rows["lsoa_name"],
            "District": rows["district"],
            "Offences": _shown(rows["count"], rows[marker_column("count")], "{:,}"),
            "Per 1,000 a year": _shown(
                rows["rate_per_1000"], rows[marker_column("rate_per_1000")], "{:.1f}"
            ),
            "IMD decile (1 = most deprived)": rows["lsoa_code"]
            .map(chapter.imd_decile)
            .map(lambda v: "–" if pd.isna(v) else f"{int(v)}"),
            "Gi* z": rows["gi_z"].map("{:.2f}".format),
            "Hot spot (FDR)": np.where(rows["fdr_significant"] & (rows["gi_z"] > 0), "Yes", "No"),
            "Local Moran": rows["lisa_cluster"],
            f"Months in top decile (of {periods})": rows["persistence"],
        }
    ).reset_index(drop=True)


def district_display(safe: pd.DataFrame, tier: str, category: str) -> pd.DataFrame:
    rows = safe[(safe["tier"] == tier) & (safe["category"] == category)]
    rate = rows.apply(_rate_with_interval, axis=1)
    return (
        pd.DataFrame(
            {
                "District": rows["district"],
                "Offences": _shown(rows["count"], rows[marker_column("count")], "{:,}"),
                "Per 1,000 a year (95% CI)": rate,
                "Share of force total": _shown(
                    rows["share_of_force_pct"], rows[marker_column("share_of_force_pct")], "{:.1f}%"
                ),
                "LSOAs": rows["lsoas"],
                "Hot spots (FDR)": rows["hot_spots"],
                "Persistent LSOAs": rows["persistent_lsoas"],
            }
        )
        .sort_values("District")
        .reset_index(drop=True)
    )


def _rate_with_interval(row) -> str:
    if pd.notna(row["rate_per_1000_marker"]):
        return row["rate_per_1000_marker"]
    return f"{row['rate_per_1000']:.1f} ({row['rate_lower']:.1f}–{row['rate_upper']:.1f})"


def concentration_display(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Data": table["tier_label"],
            "Category": table["label"],
            "Period": table["window"],
            "Offences": table["events"],
            "% of LSOAs with 25% of offences": table["share_lsoas_25pct"].map("{:.1f}".format),
            "% of LSOAs with 50% of offences": table["share_lsoas_50pct"].map("{:.1f}".format),
            "… if random (50%)": table["random_share_lsoas_50pct"].map("{:.1f}".format),
            "Hot spots": table["hot_spots"],
            "Cold spots": table["cold_spots"],
            "Persistent LSOAs": table["persistent_lsoas"],
        }
    )


# -- words -------------------------------------------------------------------------------------


def describe_data(chapter: HotspotsChapter, area: str) -> str:
    """Which data each part rests on, over which periods, and what was left out."""
    lines = []
    for event_set in chapter.tiers.values():
        excluded = event_set.excluded
        lost = int(excluded["no_location"].sum() + excluded["outside_area"].sum())
        n = len(event_set.periods)
        full = event_set.tier == TIER_POLICE_UK  # months need not be consecutive
        unit = "months" if event_set.tier == TIER_POLICE_UK else "financial years"
        text = (
            f"- **{event_set.label}**: {n} {unit} "
            f"({_period_span(event_set, event_set.periods['period'], full=full)}); "
            f"{join([chapter.labels[c].lower() for c in event_set.categories])}."
        )
        if event_set.tier == TIER_EXTRACT and len(event_set.window) < n:
            text += (
                f" Hotspots use the latest {len(event_set.window)} financial years "
                f"({_period_span(event_set, event_set.window)}); persistence uses all {n}."
            )
        if lost:
            outside = int(excluded["outside_area"].sum())
            text += (
                f" {lost:,} of {int(excluded['events'].sum()):,} offences are left out: "
                f"{int(excluded['no_location'].sum()):,} have no location"
                + (f" and {outside:,} were placed in LSOAs outside {area}" if outside else "")
                + "."
            )
        lines.append(text)
    return (
        f"The chapter maps {len(chapter.lsoas):,} LSOAs in {len(chapter.districts)} "
        f"districts. Rates are offences per 1,000 residents a year (ONS mid-year "
        f"population estimates for each LSOA).\n\n" + "\n".join(lines)
    )


def describe_method(chapter: HotspotsChapter) -> str:
    """How hotspots are found, in words a Board member can follow; every setting computed."""
    s = chapter.settings
    islands = s["islands"]
    island_text = (
        f"{len(islands)} LSOA{'s' if len(islands) != 1 else ''} had no neighbour "
        f"inside the area and {'were' if len(islands) != 1 else 'was'} "
        f"{ISLAND_HANDLING[s['island_handling']]}."
        if islands
        else "Every LSOA touches at least one other inside the area, so no LSOA is an "
        "island (an island would be given its nearest LSOA as a neighbour)."
    )
    return (
        "A hot spot is an LSOA that, with its neighbours, has a higher rate than chance "
        "would give: the Getis-Ord Gi\\* statistic on LSOA rates. Neighbours are LSOAs that "
        "share a boundary or a corner (queen contiguity), row-standardised. The study area "
        "is the force area: neighbours outside it are not used, so LSOAs on the force "
        f"boundary are judged on fewer neighbours. {island_text} Each LSOA's p-value comes "
        f"from {s['permutations']:,} random permutations of the other rates (two-sided, seed "
        f"{s['seed']}); because hundreds of LSOAs are tested at once, the Benjamini-Hochberg "
        f"procedure keeps the expected share of false discoveries at "
        f"{s['fdr_level'] * 100:.0f}%. That needs very small p-values, so the permutations "
        f"are many: the smallest p-value they can give is {2 / (s['permutations'] + 1):.4f}. "
        "Local Moran's I, tested the same way, says whether "
        "an LSOA is high among high neighbours (High-High), low among low (Low-Low) or an "
        "outlier (High-Low, Low-High). An LSOA is *persistent* when it is in the top "
        f"{s['top_share'] * 100:.0f}% of LSOAs by count in at least "
        f"{s['persistent_share'] * 100:.0f}% of the periods."
    )


def describe_concentration(chapter: HotspotsChapter) -> str:
    bullets = []
    for row in chapter.concentration.itertuples():
        tag = " (synthetic)" if chapter.tiers[row.tier].synthetic else ""
        bullets.append(
            f"- **{row.label}**{tag}, {row.window}: {row.events:,} offences; "
            f"{row.share_lsoas_25pct:.1f}% of LSOAs hold a quarter of them and "
            f"{row.share_lsoas_50pct:.1f}% hold half (if the same number had fallen at "
            f"random in proportion to residents, {row.random_share_lsoas_50pct:.1f}% would)."
        )
    return (
        "How concentrated is it? The smaller the share of LSOAs that holds half the "
        "offences, the more concentrated. Where offences are few, chance alone "
        "concentrates them, so each share is set beside what random placement would "
        "give.\n\n" + "\n".join(bullets)
    )


def describe_hotspots(chapter: HotspotsChapter, area: str) -> str:
    top = headline(chapter)
    hot = top[top["hotspot"] == HOT]
    cold = top[top["hotspot"] == COLD]
    label = chapter.labels[HEADLINE[1]].lower()
    fdr = chapter.settings["fdr_level"] * 100
    if hot.empty:
        lead = (
            f"No LSOA in {area} is a statistically significant hot spot of {label} "
            f"after false-discovery-rate control at {fdr:.0f}%."
        )
    else:
        by = hot["district"].value_counts()
        where = join([f"{n} in {d}" for d, n in by.items()])
        high = int((hot["lisa_cluster"] == "High-High").sum())
        lead = (
            f"{len(hot)} of {len(top):,} LSOAs in {area} are statistically significant "
            f"hot spots (Gi\\*, false discovery rate {fdr:.0f}%) of {label}: {where}. "
            f"Between them they hold {hot['count'].sum() / top['count'].sum() * 100:.1f}% "
            f"of the offences on {len(hot) / len(top) * 100:.1f}% of the LSOAs. Local "
            f"Moran's I places {high} of them in High-High clusters."
        )
        if len(cold):
            lead += f" {len(cold)} are significant cold spots."
    others = []
    for row in chapter.concentration.itertuples():
        if (row.tier, row.category) == HEADLINE:
            continue
        tag = " (synthetic)" if chapter.tiers[row.tier].synthetic else ""
        others.append(f"{row.label.lower()}{tag} {row.hot_spots}")
    return lead + (
        " Hot spots in the other categories: " + "; ".join(others) + "." if others else ""
    )


def describe_persistence(chapter: HotspotsChapter) -> str:
    top = headline(chapter)
    periods = int(top["periods"].iloc[0])
    need = persistent_threshold(periods)
    persistent = top[top["persistent"]]
    both = persistent[persistent["hotspot"] == HOT]
    label = chapter.labels[HEADLINE[1]].lower()
    text = (
        f"For {label}, {len(persistent)} LSOAs were in the top decile of counts in at "
        f"least {need} of the {periods} months; {len(both)} of them are also "
        "significant hot spots."
    )
    if len(both):
        text += f" They are {join(list(both.sort_values('gi_z', ascending=False)['lsoa_name']))}."
    extract = chapter.concentration[chapter.concentration["tier"] == TIER_EXTRACT]
    if len(extract):
        parts = [f"{r.label.lower()} {r.persistent_lsoas}" for r in extract.itertuples()]
        text += (
            f" In the force extract{chapter.tiers[TIER_EXTRACT].tag}, the LSOAs in the top "
            f"decile in at least {extract['persistent_threshold'].iloc[0]} of "
            f"{extract['periods'].iloc[0]} financial years: " + "; ".join(parts) + "."
        )
    return text


def describe_districts(chapter: HotspotsChapter, tier: str, category: str) -> str:
    rows = chapter.district_table[
        (chapter.district_table["tier"] == tier) & (chapter.district_table["category"] == category)
    ]
    rows = rows.sort_values("rate_per_1000", ascending=False)
    high, low = rows.iloc[0], rows.iloc[-1]
    largest = rows.loc[rows["share_of_force_pct"].idxmax()]
    overlap = high["rate_lower"] <= low["rate_upper"]
    label = chapter.labels[category].lower()
    return (
        f"{high['district']} has the highest rate of {label}: {high['rate_per_1000']:.1f} per "
        f"1,000 residents a year (95% CI {high['rate_lower']:.1f} to {high['rate_upper']:.1f}), "
        f"against {low['rate_per_1000']:.1f} ({low['rate_lower']:.1f} to "
        f"{low['rate_upper']:.1f}) in {low['district']}"
        + (", though the intervals overlap" if overlap else "")
        + ". "
        f"{largest['district']} holds the largest share of the force's offences "
        f"({largest['share_of_force_pct']:.1f}%). Hot spots by district: "
        + "; ".join(
            f"{r.district} {int(r.hot_spots)}" for r in rows.sort_values("district").itertuples()
        )
        + "."
    )


def describe_time(hour_week: pd.DataFrame, months: pd.DataFrame, extract: EventSet) -> str:
    """Peaks of the week and of the year, per category of the extract."""
    bullets = [
        f"From the force extract{extract.tag}, {extract.span_label}, offences with a "
        "recorded hour:\n"
    ]
    for category, grid in hour_week.groupby("category", sort=False):
        label = grid["label"].iloc[0]
        peak = grid.loc[grid["share_pct"].idxmax()]
        night = grid[grid["weekday"].isin([4, 5]) & grid["hour"].isin([21, 22, 23])]
        weekend = grid[grid["weekday"] >= 5]["share_pct"].sum()
        profile = months[months["category"] == category]
        top = profile.loc[profile["index"].idxmax()]
        low = profile.loc[profile["index"].idxmin()]
        bullets.append(
            f"- **{label}**: busiest hour {_hour_span(int(peak['hour']))} on "
            f"{WEEKDAYS[int(peak['weekday'])]}s ({peak['share_pct']:.1f}% of the week's "
            f"offences); Friday and Saturday 21:00 to midnight hold "
            f"{night['share_pct'].sum():.1f}%; weekends {weekend:.1f}%. Highest month "
            f"{MONTHS[int(top['month']) - 1]} ({top['index']:.0f}, average day = 100), "
            f"lowest {MONTHS[int(low['month']) - 1]} ({low['index']:.0f})."
        )
    return "\n".join(bullets)


# -- alt text ----------------------------------------------------------------------------------


def alt_force_maps(chapter: HotspotsChapter, tier: str, area: str) -> str:
    rows = chapter.concentration[chapter.concentration["tier"] == tier]
    counts = "; ".join(
        f"{r.label.lower()}: {r.hot_spots} hot spots, {r.cold_spots} cold spots"
        for r in rows.itertuples()
    )
    tag = " Demonstration data (synthetic)." if chapter.tiers[tier].synthetic else ""
    return (
        f"Maps of {area}'s LSOAs, one per category, with district outlines, marking the "
        f"LSOAs that are significant Gi* hot spots or cold spots after "
        f"false-discovery-rate control. {counts}.{tag}"
    )


def alt_district_maps(chapter: HotspotsChapter, tier: str, category: str) -> str:
    rows = chapter.results[
        (chapter.results["tier"] == tier) & (chapter.results["category"] == category)
    ]
    by = rows[rows["hotspot"] == HOT]["district"].value_counts()
    counts = "; ".join(f"{d} {int(by.get(d, 0))}" for d in sorted(rows["district"].unique()))
    return (
        f"One map per district of {chapter.labels[category].lower()} rates per 1,000 "
        f"residents by LSOA in five classes, significant hot spots outlined and marked. "
        f"Hot spots per district: {counts}."
    )


def alt_lorenz(chapter: HotspotsChapter) -> str:
    parts = [
        f"{r.label.lower()}{' (synthetic)' if chapter.tiers[r.tier].synthetic else ''}: "
        f"{r.share_lsoas_50pct:.1f}% of LSOAs hold half"
        for r in chapter.concentration.itertuples()
    ]
    most = chapter.concentration.loc[chapter.concentration["share_lsoas_50pct"].idxmin()]
    return (
        "Concentration curves: cumulative share of offences against cumulative share of "
        f"LSOAs, busiest first. Most concentrated: {most['label'].lower()}. "
        + "; ".join(parts)
        + "."
    )


def alt_heatmap(hour_week: pd.DataFrame, extract: EventSet) -> str:
    parts = []
    for _, grid in hour_week.groupby("category", sort=False):
        peak = grid.loc[grid["share_pct"].idxmax()]
        parts.append(
            f"{grid['label'].iloc[0].lower()} peaks on {WEEKDAYS[int(peak['weekday'])]}"
            f" {_hour_span(int(peak['hour']))} ({peak['share_pct']:.1f}%)"
        )
    return (
        f"Heat maps of offences by hour of day and day of week{extract.tag}: "
        + "; ".join(parts)
        + "."
    )


def alt_months(months: pd.DataFrame, extract: EventSet) -> str:
    parts = []
    for _, profile in months.groupby("category", sort=False):
        top = profile.loc[profile["index"].idxmax()]
        low = profile.loc[profile["index"].idxmin()]
        parts.append(
            f"{profile['label'].iloc[0].lower()} highest in "
            f"{MONTHS[int(top['month']) - 1]} ({top['index']:.0f}) and lowest in "
            f"{MONTHS[int(low['month']) - 1]} ({low['index']:.0f})"
        )
    return (
        "Line chart of offences per day by calendar month, indexed to the average day "
        f"(= 100){extract.tag}: " + "; ".join(parts) + "."
    )


def _hour_span(hour: int) -> str:
    return f"{hour:02d}:00 to {(hour + 1) % 24:02d}:00"
