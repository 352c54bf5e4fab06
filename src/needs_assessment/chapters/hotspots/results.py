"""The hotspots chapter's block of ``results.json``: typed facts, no sentences.

The executive summary words its hotspot findings from :class:`Findings`; every other key
is the chapter's record of its method, tiers and counts.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from needs_assessment.chapters.hotspots.analysis import (
    COLD,
    HEADLINE,
    HOT,
    TIER_EXTRACT,
    HotspotsChapter,
    concentration_of,
    headline,
    hot_spot_facts,
    selection,
    spikes,
)
from needs_assessment.methods.spatial import BOUND_RISK, MOST_DRAWS

#: How the method is described in the results block (values of ``method``).
FDR_METHOD = "Benjamini-Hochberg (implemented in needs_assessment, methods.spatial)"
P_VALUE = (
    "Gi*: two-sided permutation p under total randomisation, 2 (min(#>=, #<=) + 1) / (R + 1), "
    "with R raised for areas whose Clopper-Pearson bounds straddle the FDR cut-off until the "
    "decision is settled (unsettled at the most draws: not significant); z from the same "
    "null's exact mean and variance. Local Moran: the same, under conditional randomisation"
)
SPIKE_TEST = (
    "one-sided negative binomial (NB2) test of each LSOA's count against person-years x the "
    "area's rate, dispersion by maximum likelihood, both re-fitted without the LSOAs "
    "flagged until no flag changes; Benjamini-Hochberg FDR"
)
WEIGHTS = "queen contiguity among the area's LSOAs, row-standardised"
EDGE = "neighbours outside the force area are not used"


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Method(_Block):
    fdr_level: float
    fdr_method: str = FDR_METHOD
    p_value: str = P_VALUE
    permutations: int
    most_permutations: int
    bound_risk: float
    seed: int
    spike_test: str = SPIKE_TEST
    weights: str = WEIGHTS
    islands: list[str]
    island_handling: str
    edge: str = EDGE
    top_share: float
    persistent_share: float
    extract_window_years: int
    confidence_level: float


class Excluded(_Block):
    category: str
    events: int
    no_location: int
    outside_area: int


class TierBlock(_Block):
    label: str
    synthetic: bool
    periods: list[str]
    hotspot_window: list[str]
    excluded_events: list[Excluded]


class SpotCounts(_Block):
    hot_spots: int
    cold_spots: int
    hot_spot_names: list[str]
    cold_spot_names: list[str]
    unsettled: int
    most_draws: int


class Spike(_Block):
    """An LSOA with far more offences than its residents predict (names, no counts)."""

    tier: str
    category: str
    label: str
    lsoa_code: str
    lsoa_name: str
    district: str
    times_expected: float
    hot_spot: bool


class Concentration(_Block):
    events: int
    share_lsoas_25pct: float
    share_lsoas_50pct: float
    random_share_lsoas_50pct: float


class Persistence(_Block):
    persistent_lsoas: int
    persistent_hot_spots: int
    periods: int
    threshold: int


class CategoryHotSpots(_Block):
    category: str
    label: str
    hot_spots: int


class ExtractFindings(_Block):
    label: str
    synthetic: bool
    tag: str
    window_label: str
    hot_spots: list[CategoryHotSpots]


class Findings(_Block):
    """What the executive summary says about hot spots, as numbers and labels."""

    area: str
    category: str
    label: str
    window_label: str
    lsoas: int
    share_lsoas_50pct: float
    random_share_lsoas_50pct: float
    hot_spots: int
    hot_spots_by_district: dict[str, int]
    persistent_hot_spots: int
    persistent_threshold: int
    periods: int
    top_share: float
    fdr_level: float
    extract: ExtractFindings | None


class Headline(_Block):
    tier: str
    category: str
    hot_spot_lsoas: list[str]
    local_moran_clusters: dict[str, int]
    hot_spots_by_district: dict[str, int]


class HotspotsResults(_Block):
    method: Method
    tiers: dict[str, TierBlock]
    hot_spots: dict[str, dict[str, SpotCounts]]
    concentration: dict[str, dict[str, Concentration]]
    persistent_hotspots: dict[str, dict[str, Persistence]]
    findings: Findings
    headline: Headline
    spikes: list[Spike]


def results(chapter: HotspotsChapter) -> HotspotsResults:
    """The chapter's results block (``chapter.record(**results(x).model_dump())``)."""
    hot_spots: dict = {}
    concentration: dict = {}
    persistent: dict = {}
    for row in chapter.concentration.itertuples():
        rows = selection(chapter, row.tier, row.category).sort_values("gi_z", ascending=False)
        hot_spots.setdefault(row.tier, {})[row.category] = SpotCounts(
            hot_spots=row.hot_spots,
            cold_spots=row.cold_spots,
            hot_spot_names=list(rows.loc[rows["hotspot"] == HOT, "lsoa_name"]),
            cold_spot_names=list(rows.loc[rows["hotspot"] == COLD, "lsoa_name"][::-1]),
            unsettled=row.unsettled,
            most_draws=row.most_draws,
        )
        concentration.setdefault(row.tier, {})[row.category] = Concentration(
            events=row.events,
            share_lsoas_25pct=row.share_lsoas_25pct,
            share_lsoas_50pct=row.share_lsoas_50pct,
            random_share_lsoas_50pct=row.random_share_lsoas_50pct,
        )
        persistent.setdefault(row.tier, {})[row.category] = Persistence(
            persistent_lsoas=row.persistent_lsoas,
            persistent_hot_spots=row.persistent_hot_spots,
            periods=row.periods,
            threshold=row.persistent_threshold,
        )
    return HotspotsResults(
        method=method(chapter),
        tiers={key: tier_block(event_set) for key, event_set in chapter.tiers.items()},
        hot_spots=hot_spots,
        concentration=concentration,
        persistent_hotspots=persistent,
        findings=findings(chapter),
        headline=headline_block(chapter),
        spikes=spike_list(chapter),
    )


def spike_list(chapter: HotspotsChapter) -> list[Spike]:
    """Every spike, by name, in the chapter's order of tiers and categories."""
    return [
        Spike(
            tier=r.tier,
            category=r.category,
            label=chapter.labels[r.category],
            lsoa_code=r.lsoa_code,
            lsoa_name=r.lsoa_name,
            district=r.district,
            times_expected=round(float(r.excess_ratio), 1),
            hot_spot=r.hotspot == HOT,
        )
        for r in spikes(chapter).itertuples()
    ]


def method(chapter: HotspotsChapter) -> Method:
    s = chapter.settings
    return Method(
        fdr_level=s.fdr_level,
        permutations=s.permutations,
        most_permutations=MOST_DRAWS,
        bound_risk=BOUND_RISK,
        seed=s.seed,
        islands=list(s.islands),
        island_handling=s.island_handling,
        top_share=s.top_share,
        persistent_share=s.persistent_share,
        extract_window_years=s.extract_window_years,
        confidence_level=s.confidence_level,
    )


def tier_block(event_set) -> TierBlock:
    return TierBlock(
        label=event_set.label,
        synthetic=event_set.synthetic,
        periods=list(event_set.periods["period"]),
        hotspot_window=list(event_set.window),
        excluded_events=event_set.excluded.to_dict(orient="records"),
    )


def findings(chapter: HotspotsChapter) -> Findings:
    """The headline's concentration, hot spots and persistence, and the extract's hot spots."""
    tier, category = HEADLINE
    row = concentration_of(chapter, tier, category)
    facts = hot_spot_facts(chapter, tier, category)
    return Findings(
        area=chapter.area,
        category=category,
        label=chapter.labels[category],
        window_label=chapter.tiers[tier].window_label,
        lsoas=facts.lsoas,
        share_lsoas_50pct=float(row["share_lsoas_50pct"]),
        random_share_lsoas_50pct=float(row["random_share_lsoas_50pct"]),
        hot_spots=facts.hot_spots,
        hot_spots_by_district=facts.by_district,
        persistent_hot_spots=facts.persistent_hot_spots,
        persistent_threshold=int(row["persistent_threshold"]),
        periods=int(row["periods"]),
        top_share=chapter.settings.top_share,
        fdr_level=chapter.settings.fdr_level,
        extract=extract_findings(chapter),
    )


def extract_findings(chapter: HotspotsChapter) -> ExtractFindings | None:
    extract = chapter.extract
    if extract is None:
        return None
    rows = chapter.concentration[chapter.concentration["tier"] == TIER_EXTRACT]
    return ExtractFindings(
        label=extract.label,
        synthetic=extract.synthetic,
        tag=extract.tier.tag,
        window_label=extract.window_label,
        hot_spots=[
            CategoryHotSpots(category=r.category, label=r.label, hot_spots=r.hot_spots)
            for r in rows.itertuples()
        ],
    )


def headline_block(chapter: HotspotsChapter) -> Headline:
    top = headline(chapter)
    hot = top[top["hotspot"] == HOT].sort_values("gi_z", ascending=False)
    return Headline(
        tier=HEADLINE[0],
        category=HEADLINE[1],
        hot_spot_lsoas=list(hot["lsoa_code"]),
        local_moran_clusters={
            str(k): int(v) for k, v in top["lisa_cluster"].value_counts().items()
        },
        hot_spots_by_district={str(k): int(v) for k, v in hot["district"].value_counts().items()},
    )
