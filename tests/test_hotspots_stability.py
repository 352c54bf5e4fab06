"""Hot spots that do not depend on the seed, and what a planted cluster and a planted spike
in the force extract do to the published hot spots and spikes (by name)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from needs_assessment.chapters.hotspots import analysis as h
from needs_assessment.chapters.hotspots import tables, words
from needs_assessment.chapters.hotspots.results import results
from needs_assessment.definitions import load_definitions
from needs_assessment.methods import spatial as s
from needs_assessment.prepare import read_optional
from needs_assessment.presentation.text import Wording

SEEDS = (20210331, 1, 2, 3, 4)
CATEGORY = "violence_with_injury"
#: Planted effect sizes: each cluster LSOA gets 5 x its expected count on top of its own
#: (about 6 times the area's rate, over the 3 financial years hot spots use; at 4 times,
#: Gi* finds only the core of the block); the spike LSOA gets 39 x its expected count
#: (about 40 times the area's rate), as in issue 15.
CLUSTER_EXTRA = 5.0
SPIKE_EXTRA = 39.0
CLUSTER_SIZE = 6


@pytest.fixture(scope="module")
def inputs(ready):
    names = ("police_uk_counts", "imd", "lsoa_lookup", "lsoa_population", "lsoa_boundaries")
    frames = {name: read_optional(ready, name) for name in (*names, "force_extract")}
    return ready, load_definitions(ready.definitions), frames


def build(inputs, seed: int | None = None, **replaced) -> h.HotspotsChapter:
    config, definitions, frames = inputs
    if seed is not None:
        config = config.model_copy(update={"seed": seed})
    return h.build(config, definitions, **{**frames, **replaced})


@pytest.fixture(scope="module")
def baseline(inputs):
    return build(inputs)


def spots(chapter: h.HotspotsChapter) -> dict:
    """Hot and cold spots (LSOA codes) of every tier and category."""
    rows = chapter.results
    return {
        key: (
            sorted(g.loc[g["hotspot"] == s.HOT, "lsoa_code"]),
            sorted(g.loc[g["hotspot"] == s.COLD, "lsoa_code"]),
        )
        for key, g in rows.groupby(["tier", "category"], sort=False)
    }


def published_lists(chapter: h.HotspotsChapter, config) -> dict:
    """What the page and results.json list: hot spot rows of each LSOA table, the results'
    names, Local Moran clusters, spikes."""
    block = results(chapter)
    shown = {
        tier: list(tables.hot_spot_rows(tables.lsoa_table(chapter, config, tier))["lsoa_code"])
        for tier in chapter.tiers
    }
    names = {
        (tier, category): (spot.hot_spot_names, spot.cold_spot_names)
        for tier, categories in block.hot_spots.items()
        for category, spot in categories.items()
    }
    return {
        "tables": shown,
        "names": names,
        "headline": block.headline.hot_spot_lsoas,
        "moran": block.headline.local_moran_clusters,
        "spikes": [(x.tier, x.category, x.lsoa_code) for x in block.spikes],
    }


def test_five_seeds_publish_the_same_hot_and_cold_spots(inputs, baseline):
    config = inputs[0]
    first_spots, first_lists = spots(baseline), published_lists(baseline, config)
    assert sum(len(hot) for hot, _ in first_spots.values()) > 0
    for seed in SEEDS[1:]:
        again = build(inputs, seed)
        assert spots(again) == first_spots, seed
        assert published_lists(again, config) == first_lists, seed


# -- planting ------------------------------------------------------------------------------


def expected_counts(chapter: h.HotspotsChapter) -> pd.Series:
    """Each LSOA's violence with injury count at the area's rate (extract window)."""
    rows = h.selection(chapter, h.TIER_EXTRACT, CATEGORY).set_index("lsoa_code")
    return rows["person_years"] * rows["count"].sum() / rows["person_years"].sum()


def planted(extract: pd.DataFrame, chapter, definitions, extra: dict[str, int]) -> pd.DataFrame:
    """The extract with ``extra[lsoa]`` violence with injury offences added in each LSOA,
    copied from offences of the hot spot window (dates, years and codes kept)."""
    codes = list(definitions.categories[CATEGORY].home_office_codes)
    window = list(chapter.extract.window)
    pool = extract[extract["home_office_code"].isin(codes) & extract["financial_year"].isin(window)]
    rng = np.random.default_rng(15)
    added = []
    for lsoa, n in extra.items():
        rows = pool.iloc[rng.integers(0, len(pool), size=n)].copy()
        rows["lsoa_code"] = lsoa
        district = chapter.lsoas.set_index("lsoa_code").loc[lsoa, "district_code"]
        rows["district_code"] = district
        rows["offence_reference"] = [f"PLANTED-{lsoa}-{i}" for i in range(n)]
        added.append(rows)
    return pd.concat([extract, *added], ignore_index=True)


def quiet_lsoas(chapter: h.HotspotsChapter) -> set[str]:
    """LSOAs that are neither hot, cold nor spikes in any category, nor next to one."""
    rows = chapter.results
    flagged = set(rows.loc[(rows["hotspot"] != s.NOT_SIGNIFICANT) | rows["spike"], "lsoa_code"])
    near = set(flagged)
    for code in flagged:
        near |= set(chapter.weights.w.neighbors[code])
    return set(chapter.lsoas["lsoa_code"]) - near


def cluster_of(chapter: h.HotspotsChapter) -> list[str]:
    """A quiet LSOA outside Peterborough and Cambridge and the five quiet neighbours that
    touch most of the others: a compact block of six contiguous LSOAs."""
    quiet = quiet_lsoas(chapter)
    neighbours = chapter.weights.w.neighbors
    lsoas = chapter.lsoas.set_index("lsoa_code")
    for code in sorted(quiet):
        if lsoas.loc[code, "district"] in {"Peterborough", "Cambridge"}:
            continue
        around = [n for n in neighbours[code] if n in quiet]
        if len(around) >= CLUSTER_SIZE - 1:
            touching = {n: sum(m in neighbours[n] for m in around) for n in around}
            ranked = sorted(around, key=lambda n: (-touching[n], n))
            return [code, *ranked[: CLUSTER_SIZE - 1]]
    raise AssertionError("no quiet block of six LSOAs to plant a cluster in")


def spike_of(chapter: h.HotspotsChapter, avoid: set[str]) -> str:
    """A quiet small-town LSOA (median residents) whose neighbours are all quiet."""
    quiet = quiet_lsoas(chapter) - avoid
    rows = h.selection(chapter, h.TIER_EXTRACT, CATEGORY).set_index("lsoa_code")
    candidates = [
        code
        for code in sorted(quiet)
        if rows.loc[code, "district"] in {"Fenland", "East Cambridgeshire"}
        and set(chapter.weights.w.neighbors[code]) <= quiet
    ]
    years = rows.loc[candidates, "person_years"]
    return str((years - years.median()).abs().idxmin())


@pytest.fixture(scope="module")
def cluster_run(inputs, baseline):
    config, definitions, frames = inputs
    members = cluster_of(baseline)
    expected = expected_counts(baseline)
    extra = {code: int(round(CLUSTER_EXTRA * expected[code])) for code in members}
    extract = planted(frames["force_extract"], baseline, definitions, extra)
    return members, build(inputs, force_extract=extract)


@pytest.fixture(scope="module")
def spike_run(inputs, baseline):
    config, definitions, frames = inputs
    code = spike_of(baseline, avoid=set(cluster_of(baseline)))
    extra = {code: int(round(SPIKE_EXTRA * expected_counts(baseline)[code]))}
    extract = planted(frames["force_extract"], baseline, definitions, extra)
    return code, extra[code], build(inputs, force_extract=extract)


def names(chapter: h.HotspotsChapter, codes) -> list[str]:
    return list(chapter.lsoas.set_index("lsoa_code").loc[list(codes), "lsoa_name"])


def test_a_planted_cluster_is_published_by_name(inputs, baseline, cluster_run):
    config = inputs[0]
    members, chapter = cluster_run
    before = h.selection(baseline, h.TIER_EXTRACT, CATEGORY).set_index("lsoa_code")
    assert (before.loc[members, "hotspot"] == s.NOT_SIGNIFICANT).all()
    rows = h.selection(chapter, h.TIER_EXTRACT, CATEGORY).set_index("lsoa_code")
    hot = [code for code in members if rows.loc[code, "hotspot"] == s.HOT]
    assert len(hot) >= 4, rows.loc[members, ["gi_z", "p_value", "hotspot"]]
    # ... and nothing new far from it: new hot spots are members or their neighbours
    new = set(rows.index[rows["hotspot"] == s.HOT]) - set(before.index[before["hotspot"] == s.HOT])
    around = set(members).union(*(chapter.weights.w.neighbors[m] for m in members))
    assert new <= around
    # results.json and the page's hot spot table list them by name
    block = results(chapter).hot_spots[h.TIER_EXTRACT][CATEGORY]
    assert set(names(chapter, hot)) <= set(block.hot_spot_names)
    safe = tables.lsoa_table(chapter, config, h.TIER_EXTRACT)
    page = tables.lsoa_display(tables.hot_spot_rows(safe), chapter, h.TIER_EXTRACT)
    assert set(names(chapter, hot)) <= set(page["LSOA"])


def test_a_planted_spike_is_published_by_name(inputs, baseline, spike_run):
    config = inputs[0]
    code, extra, chapter = spike_run
    name = names(chapter, [code])[0]
    before = h.selection(baseline, h.TIER_EXTRACT, CATEGORY).set_index("lsoa_code")
    assert not before.loc[code, "spike"]
    rows = h.selection(chapter, h.TIER_EXTRACT, CATEGORY).set_index("lsoa_code")
    assert rows.loc[code, "spike"]
    assert rows.loc[code, "excess_ratio"] > 20  # planted at about 40 x; the rate refits
    assert extra > 100
    # one extreme LSOA hides none of the spikes found before (the fit leaves spikes out)
    assert set(before.index[before["spike"]]) <= set(rows.index[rows["spike"]])
    spikes = results(chapter).spikes
    assert (h.TIER_EXTRACT, CATEGORY, name) in {(x.tier, x.category, x.lsoa_name) for x in spikes}
    sentence = Wording().markdown("hotspots/spikes", **words.spikes(chapter))
    assert name in sentence
    safe = [tables.lsoa_table(chapter, config, tier) for tier in chapter.tiers]
    page = tables.spikes_display(tables.spikes_csv(safe), chapter)
    assert name in set(page["LSOA"])
    assert name in set(tables.spikes_csv(safe)["lsoa_name"])
