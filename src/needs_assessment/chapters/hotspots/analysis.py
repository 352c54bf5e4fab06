"""Hotspots chapter: where serious violence concentrates, where it clusters, whether it persists.

Two tiers of data locate offences in LSOAs (2011), see :mod:`.events`. Per tier and
category the chapter computes, on the LSOAs of the area:

- **Concentration** (:mod:`needs_assessment.methods.concentration`): the share of LSOAs
  holding 25% and 50% of the events, a Lorenz-style curve, and the same shares if the
  events had fallen at random in proportion to residents.
- **Rates**: events per 1,000 residents over the police.uk months, per 1,000 residents a
  year over the extract's financial years (:func:`.events.rate_denominator`).
- **Hot spots** (:mod:`needs_assessment.methods.spatial`): Getis-Ord Gi* on LSOA rates with
  queen contiguity among the area's LSOAs only (the force boundary is a hard edge),
  two-sided permutation p-values drawn until the Benjamini-Hochberg decision is settled
  (:func:`~needs_assessment.methods.spatial.settled_permutation_test`, seeded with
  ``config.seed``), so the published hot spots do not depend on the seed; z from the same
  null. A *hot spot* is an LSOA whose Gi* is significant after FDR control with a
  positive z-score. Local Moran clusters for the headline category, the same way.
- **Spikes**: an LSOA whose count is far above what its residents predict at the area's
  rate, allowing for the usual spread between LSOAs (negative binomial), whatever its
  neighbours (:func:`~needs_assessment.methods.spatial.count_excess`, FDR-controlled).
- **Persistence**: the number of periods (police.uk months; extract financial years) in
  which an LSOA was in the top tenth of LSOAs by count (ties at the boundary included, at
  least one event); *persistent* when that holds in at least :data:`PERSISTENT_SHARE` of
  the periods. Being in the top tenth is not being a hot spot.

This module returns frames and typed facts only: the words are in ``text/*.md.j2``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from needs_assessment import tiers
from needs_assessment.chapters.hotspots.area import area_districts, area_lsoas
from needs_assessment.chapters.hotspots.events import (
    EXTRACT_WINDOW_YEARS,
    EventSet,
    extract_events,
    lsoa_counts,
    policeuk_events,
    rate_denominator,
    window_person_years,
)
from needs_assessment.chapters.hotspots.timing import hour_by_weekday, month_profile
from needs_assessment.config import AssessmentConfig
from needs_assessment.definitions import Definitions
from needs_assessment.methods import stats
from needs_assessment.methods.concentration import (
    TOP_SHARE,
    concentration_shares,
    in_top_share,
    lorenz_curve,
    random_concentration,
)
from needs_assessment.methods.spatial import (
    COLD,
    FDR_LEVEL,
    HOT,
    PERMUTATIONS,
    SpatialWeights,
    contiguity_weights,
    count_excess,
    local_statistics,
)

TIER_POLICE_UK = tiers.POLICE_UK.key
TIER_EXTRACT = "force_extract"
HEADLINE = (TIER_POLICE_UK, "violence_and_sexual_offences")
PERSISTENT_SHARE = 0.75


# -- one tier and category -------------------------------------------------------------------


def persistence(events: pd.DataFrame, category: str, periods, lsoa_codes) -> pd.Series:
    """Number of ``periods`` in which each LSOA was in the top tenth of LSOAs by count."""
    codes = list(lsoa_codes)
    total = pd.Series(0, index=pd.Index(codes, name="lsoa_code"))
    for period in periods:
        total += in_top_share(lsoa_counts(events, category, [period], codes), TOP_SHARE).astype(int)
    return total


def persistent_threshold(periods: int, share: float = PERSISTENT_SHARE) -> int:
    """Periods in the top tenth that make an LSOA persistent (at least ``share`` of them)."""
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
    """Every LSOA for one tier and category: counts, rates, Gi*, Local Moran, spikes,
    persistence."""
    codes = list(lsoas["lsoa_code"])
    counts = lsoa_counts(event_set.events, category, event_set.window, codes)
    person_years = exposure.reindex(codes)
    denominator = rate_denominator(event_set, person_years)
    rate = counts / denominator * 1000
    local = local_statistics(
        rate, weights, seed=seed, permutations=permutations, fdr=fdr, lisa=lisa
    )
    periods = list(event_set.periods["period"])
    frame = pd.DataFrame(
        {
            "tier": event_set.key,
            "category": category,
            "lsoa_code": codes,
            "lsoa_name": lsoas["lsoa_name"].to_numpy(),
            "district_code": lsoas["district_code"].to_numpy(),
            "district": lsoas["district"].to_numpy(),
            "count": counts.to_numpy(),
            "person_years": person_years.to_numpy(),
            "denominator": denominator.to_numpy(),
            "rate_per_1000": rate.to_numpy(),
        }
    )
    frame = frame.join(local.reset_index(drop=True))
    frame = frame.join(count_excess(counts, person_years, fdr).table.reset_index(drop=True))
    frame["persistence"] = persistence(event_set.events, category, periods, codes).to_numpy()
    frame["periods"] = len(periods)
    frame["persistent"] = frame["persistence"] >= persistent_threshold(len(periods))
    return frame


def concentration_row(frame: pd.DataFrame, *, seed: int) -> dict:
    """Concentration, random benchmark and hot spot counts for one tier and category."""
    shares = concentration_shares(frame["count"])
    chance = random_concentration(frame["person_years"], int(frame["count"].sum()), seed=seed)
    periods = int(frame["periods"].iloc[0])
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
        "spikes": int(frame["spike"].sum()),
        "unsettled": int(frame["unsettled"].sum()),
        "most_draws": int(frame["draws"].max()),
        "persistent_lsoas": int(frame["persistent"].sum()),
        "persistent_hot_spots": int((frame["persistent"] & (frame["hotspot"] == HOT)).sum()),
        "periods": periods,
        "persistent_threshold": persistent_threshold(periods),
    }


def district_comparison(results: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per tier, category and district: events, rate with interval, share, hot spots."""
    grouped = results.groupby(["tier", "category", "district_code", "district"], sort=False)
    table = grouped.agg(
        count=("count", "sum"),
        person_years=("person_years", "sum"),
        denominator=("denominator", "sum"),
        lsoas=("lsoa_code", "size"),
        hot_spots=("hotspot", lambda s: int((s == HOT).sum())),
        persistent_lsoas=("persistent", "sum"),
    ).reset_index()
    rate, lower, upper = stats.rate_interval(
        table["count"].astype(float).to_numpy(),
        table["denominator"].to_numpy(),
        per=1000,
        level=level,
    )
    force = table.groupby(["tier", "category"])["count"].transform("sum")
    return table.assign(
        per=np.round(1000 * table["person_years"] / table["denominator"], 4),
        rate_per_1000=np.round(rate, 3),
        rate_lower=np.round(lower, 3),
        rate_upper=np.round(upper, 3),
        share_of_force_pct=np.round(table["count"] / force * 100, 1),
    )


# -- the chapter in one call -----------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The method's settings, as the chapter ran."""

    fdr_level: float
    permutations: int
    seed: int
    islands: tuple[str, ...]
    island_handling: str
    confidence_level: float
    top_share: float = TOP_SHARE
    persistent_share: float = PERSISTENT_SHARE
    extract_window_years: int = EXTRACT_WINDOW_YEARS


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
    settings: Settings
    area: str = "the area"

    @property
    def police_uk(self) -> EventSet:
        return self.tiers[TIER_POLICE_UK]

    @property
    def extract(self) -> EventSet | None:
        """The force extract's events, or None when no extract is configured."""
        return self.tiers.get(TIER_EXTRACT)


def build(
    config: AssessmentConfig,
    definitions: Definitions,
    permutations: int = PERMUTATIONS,
    islands: str = "nearest",
    *,
    police_uk_counts: pd.DataFrame,
    imd: pd.DataFrame,
    lsoa_lookup: pd.DataFrame,
    lsoa_population: pd.DataFrame,
    lsoa_boundaries: gpd.GeoDataFrame,
    force_extract: pd.DataFrame | None,
) -> HotspotsChapter:
    """Everything the chapter shows, from the processed tables it names."""
    lsoas = area_lsoas(lsoa_boundaries, lsoa_lookup, config.area.districts)
    codes = list(lsoas["lsoa_code"])
    event_sets = {TIER_POLICE_UK: policeuk_events(police_uk_counts, definitions, codes)}
    if force_extract is not None:
        event_sets[TIER_EXTRACT] = extract_events(
            force_extract, definitions, codes, synthetic=config.data.force_extract_is_synthetic
        )
    weights = contiguity_weights(lsoas, islands=islands)
    frames, rows, curves = [], [], []
    for tier, event_set in event_sets.items():
        exposure = window_person_years(event_set, lsoa_population, codes)
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
            label = definitions.labels[category]
            rows.append(
                {
                    "tier": tier,
                    "tier_label": event_set.label,
                    "category": category,
                    "label": label,
                    "window": event_set.window_label,
                    **concentration_row(frame, seed=config.seed),
                }
            )
            curves.append(
                lorenz_curve(frame["count"]).assign(tier=tier, category=category, label=label)
            )
    results = pd.concat(frames, ignore_index=True)
    level = config.thresholds.confidence_level
    return HotspotsChapter(
        lsoas=lsoas,
        districts=area_districts(lsoas),
        weights=weights,
        tiers=event_sets,
        results=results,
        concentration=pd.DataFrame(rows),
        lorenz=pd.concat(curves, ignore_index=True),
        district_table=district_comparison(results, level),
        imd_decile=imd.set_index("lsoa11_code")["imd_decile"].reindex(codes),
        hour_week=None if force_extract is None else hour_by_weekday(force_extract, definitions),
        months=None if force_extract is None else month_profile(force_extract, definitions),
        labels=dict(definitions.labels),
        settings=Settings(
            fdr_level=FDR_LEVEL,
            permutations=permutations,
            seed=config.seed,
            islands=weights.islands,
            island_handling=weights.handling,
            confidence_level=level,
        ),
        area=config.area.display_name,
    )


# -- facts the words quote -------------------------------------------------------------------


def selection(chapter: HotspotsChapter, tier: str, category: str) -> pd.DataFrame:
    """Every LSOA of one tier and category."""
    rows = chapter.results
    return rows[(rows["tier"] == tier) & (rows["category"] == category)].reset_index(drop=True)


def headline(chapter: HotspotsChapter) -> pd.DataFrame:
    """Every LSOA of the headline tier and category (police.uk violence)."""
    return selection(chapter, *HEADLINE)


def concentration_of(chapter: HotspotsChapter, tier: str, category: str) -> pd.Series:
    """The concentration row of one tier and category."""
    return chapter.concentration.set_index(["tier", "category"]).loc[(tier, category)]


@dataclass(frozen=True)
class HotSpotFacts:
    """The hot spots of one tier and category, and what they hold."""

    lsoas: int
    hot_spots: int
    cold_spots: int
    by_district: dict[str, int]
    hot_spot_names: list[str]
    share_of_offences_pct: float
    share_of_lsoas_pct: float
    high_high: int
    persistent_hot_spots: int


def hot_spot_facts(chapter: HotspotsChapter, tier: str, category: str) -> HotSpotFacts:
    """Hot spots by district (most first), their share of offences and of LSOAs."""
    rows = selection(chapter, tier, category)
    hot = rows[rows["hotspot"] == HOT]
    total = rows["count"].sum()
    ranked = hot[hot["persistent"]].sort_values("gi_z", ascending=False)
    return HotSpotFacts(
        lsoas=len(rows),
        hot_spots=len(hot),
        cold_spots=int((rows["hotspot"] == COLD).sum()),
        by_district={str(d): int(n) for d, n in hot["district"].value_counts().items()},
        hot_spot_names=list(ranked["lsoa_name"]),
        share_of_offences_pct=float(hot["count"].sum() / total * 100) if total else math.nan,
        share_of_lsoas_pct=len(hot) / len(rows) * 100,
        high_high=int((hot["lisa_cluster"] == "High-High").sum()),
        persistent_hot_spots=len(ranked),
    )


def ordered(chapter: HotspotsChapter, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` in the chapter's order of tiers and categories (a stable sort)."""
    order = {
        (tier, category): i
        for i, (tier, category) in enumerate(
            (t, c) for t, event_set in chapter.tiers.items() for c in event_set.categories
        )
    }
    keys = [order[k] for k in zip(rows["tier"], rows["category"], strict=True)]
    return rows.assign(_order=keys).sort_values("_order", kind="stable").drop(columns="_order")


def spikes(chapter: HotspotsChapter) -> pd.DataFrame:
    """Every spike of every tier and category, the largest excess first within each."""
    rows = chapter.results[chapter.results["spike"]]
    rows = rows.sort_values(["excess_ratio", "lsoa_code"], ascending=[False, True])
    return ordered(chapter, rows).reset_index(drop=True)


def hot_spots_everywhere(chapter: HotspotsChapter) -> pd.DataFrame:
    """The hot spots of every tier and category, the highest Gi* z first within each."""
    rows = chapter.results[chapter.results["hotspot"] == HOT]
    rows = rows.sort_values(["gi_z", "lsoa_code"], ascending=[False, True])
    return ordered(chapter, rows).reset_index(drop=True)


@dataclass(frozen=True)
class DistrictContrast:
    """The districts with the highest and lowest rate, and the largest share of offences."""

    highest: dict
    lowest: dict
    largest: dict
    intervals_overlap: bool
    hot_spots: dict[str, int]


def district_contrast(chapter: HotspotsChapter, tier: str, category: str) -> DistrictContrast:
    table = chapter.district_table
    rows = table[(table["tier"] == tier) & (table["category"] == category)]
    rows = rows.sort_values("rate_per_1000", ascending=False)
    high, low = rows.iloc[0], rows.iloc[-1]
    return DistrictContrast(
        highest=high.to_dict(),
        lowest=low.to_dict(),
        largest=rows.loc[rows["share_of_force_pct"].idxmax()].to_dict(),
        intervals_overlap=bool(high["rate_lower"] <= low["rate_upper"]),
        hot_spots={r.district: int(r.hot_spots) for r in rows.sort_values("district").itertuples()},
    )


def hot_spots_per_district(chapter: HotspotsChapter, tier: str, category: str) -> dict[str, int]:
    """Hot spots in every district (zeros included), districts in alphabetical order."""
    rows = selection(chapter, tier, category)
    by = rows[rows["hotspot"] == HOT]["district"].value_counts()
    return {d: int(by.get(d, 0)) for d in sorted(rows["district"].unique())}


RATE_CLASSES = 5


def rate_classes(rates: pd.Series, k: int = RATE_CLASSES) -> np.ndarray:
    """Upper bounds of up to ``k`` quantile classes of the rates (duplicates merged)."""
    values = rates.dropna().to_numpy(dtype=float)
    return np.unique(np.quantile(values, np.linspace(0, 1, k + 1)[1:]))


def mapped_rates(rows: pd.DataFrame, min_events_for_rate: int) -> pd.Series:
    """The LSOA rates a map shows: none from fewer than ``min_events_for_rate`` events."""
    return rows.loc[rows["count"] >= min_events_for_rate, "rate_per_1000"]
