"""Hotspots chapter: planted clusters on a lattice, hand-checked concentration and
persistence, island handling, disclosure, and the real police.uk months for Cambridgeshire."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from statsmodels.stats.multitest import multipletests

from needs_assessment import tiers
from needs_assessment.chapters import registry
from needs_assessment.chapters.hotspots import analysis as h
from needs_assessment.chapters.hotspots import charts, events, tables, timing
from needs_assessment.chapters.hotspots.results import results
from needs_assessment.definitions import load_definitions
from needs_assessment.methods import concentration as conc
from needs_assessment.methods import spatial as s

SIDE = 12
SEED = 20210331


def lattice(
    side: int = SIDE, extra: list[tuple[str, shapely.Polygon]] | None = None
) -> gpd.GeoDataFrame:
    """A side x side grid of unit squares with ids rRRcCC, plus any extra polygons."""
    ids, shapes = [], []
    for r in range(side):
        for c in range(side):
            ids.append(f"r{r:02d}c{c:02d}")
            shapes.append(shapely.box(c, r, c + 1, r + 1))
    for name, shape in extra or []:
        ids.append(name)
        shapes.append(shape)
    return gpd.GeoDataFrame({"lsoa_code": ids}, geometry=shapes)


def cell(code: str) -> tuple[int, int]:
    return int(code[1:3]), int(code[4:6])


CLUSTER = {(r, c) for r in range(3, 6) for c in range(3, 6)}


def distance_to_cluster(code: str) -> int:
    r, c = cell(code)
    return min(max(abs(r - a), abs(c - b)) for a, b in CLUSTER)


def poisson_rates(
    grid: gpd.GeoDataFrame, base: float, planted: float | None, seed: int
) -> pd.Series:
    rng = np.random.default_rng(seed)
    means = np.array(
        [planted if planted and cell(code) in CLUSTER else base for code in grid["lsoa_code"]]
    )
    counts = rng.poisson(means)
    return pd.Series(counts / 1500 * 1000, index=grid["lsoa_code"])  # 1,500 residents each


# -- Gi* and Local Moran on a lattice ---------------------------------------------------------


@pytest.fixture(scope="module")
def weights():
    return s.contiguity_weights(lattice())


def test_queen_contiguity_on_the_lattice(weights):
    w = weights.w
    assert w.n == SIDE * SIDE and not weights.islands
    assert sorted(w.neighbors["r00c00"]) == ["r00c01", "r01c00", "r01c01"]
    assert len(w.neighbors["r05c05"]) == 8


@pytest.mark.parametrize("seed", [SEED, 1, 2])
def test_planted_cluster_is_flagged_and_nothing_far_from_it(weights, seed):
    # a 3 x 3 block at 4 times the background rate; Gi* with queen neighbours sees the
    # centre and the edge midpoints (at least 6 of their 9 cells in the block) most clearly
    rates = poisson_rates(lattice(), base=4, planted=16, seed=seed)
    result = s.local_statistics(rates, weights, seed=SEED)
    hot = result.index[result["hotspot"] == s.HOT]
    flagged = result.index[result["fdr_significant"]]
    assert "r04c04" in hot
    assert sum(cell(code) in CLUSTER for code in hot) >= 4
    assert all(distance_to_cluster(code) <= 1 for code in flagged)
    high_high = result.index[result["lisa_cluster"] == "High-High"]
    assert len(high_high) >= 3
    assert all(distance_to_cluster(code) <= 1 for code in high_high)
    assert set(result.loc[result["lisa_cluster"] != s.NOT_SIGNIFICANT, "lisa_cluster"]) <= {
        "High-High",
        "Low-Low",
        "High-Low",
        "Low-High",
    }


def test_no_planted_cluster_flags_nothing(weights):
    rates = poisson_rates(lattice(), base=8, planted=None, seed=SEED)
    result = s.local_statistics(rates, weights, seed=SEED)
    assert result["fdr_significant"].sum() == 0
    assert result["lisa_significant"].sum() == 0
    assert (result["hotspot"] == s.NOT_SIGNIFICANT).all()
    # Without FDR control, chance alone would have "found" hot spots:
    assert (result["p_value"] < 0.05).sum() > 0


def test_permutations_are_seeded(weights):
    rates = poisson_rates(lattice(), base=4, planted=16, seed=1)
    first = s.local_statistics(rates, weights, seed=7, permutations=199)
    again = s.local_statistics(rates, weights, seed=7, permutations=199)
    pd.testing.assert_series_equal(first["p_value"], again["p_value"])


def test_constant_values_are_not_tested(weights):
    flat = pd.Series(2.0, index=lattice()["lsoa_code"])
    result = s.local_statistics(flat, weights, seed=SEED)
    assert (result["hotspot"] == s.NOT_TESTED).all()


# -- p-values and false discovery rate --------------------------------------------------------


def test_benjamini_hochberg_by_hand():
    assert s.benjamini_hochberg([0.01, 0.02, 0.03, 0.04, 0.2]).tolist() == [True] * 4 + [False]
    # sorted: 0.001 <= 0.0125, 0.012 <= 0.025, 0.04 > 0.0375, 0.3 > 0.05: two rejected
    assert s.benjamini_hochberg([0.001, 0.3, 0.012, 0.04]).tolist() == [True, False, True, False]
    # step-up: 0.04 fails its own threshold but 0.045 <= 0.05 carries it
    assert s.benjamini_hochberg([0.04, 0.045], 0.05).tolist() == [True, True]
    assert s.benjamini_hochberg([np.nan, 0.001]).tolist() == [False, True]


def test_benjamini_hochberg_matches_statsmodels():
    p = np.random.default_rng(3).beta(0.3, 2, size=400)
    for q in (0.01, 0.05, 0.1):
        expected = multipletests(p, alpha=q, method="fdr_bh")[0]
        assert (s.benjamini_hochberg(p, q) == expected).all()


def test_permutation_p_values_by_hand():
    sims = np.array([[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]], dtype=float)
    p = s.permutation_p_values([5, 10], sims)
    assert p[0] == pytest.approx(2 * 3 / 7)  # 2 draws >= 5, 5 draws <= 5
    assert p[1] == pytest.approx(2 * 1 / 7)  # beyond every draw: the floor 2 / (R + 1)
    assert s.permutation_p_values([3.5], sims[:1])[0] == 1.0


def test_permutation_ties_survive_rounding():
    # a draw equal to the observed value up to float rounding is still a tie (both tails)
    sims = np.array([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.7, 0.8]])
    exact = s.permutation_p_values([0.7], sims)[0]
    assert exact == pytest.approx(2 * (3 + 1) / 10)  # 3 draws >= 0.7, 8 draws <= 0.7
    assert s.permutation_p_values([0.7 * (1 + 1e-15)], sims)[0] == exact
    assert s.permutation_p_values([0.7 * (1 - 1e-15)], sims)[0] == exact
    assert s.permutation_p_values([0.7 * (1 + 1e-6)], sims)[0] == pytest.approx(2 * 2 / 10)


# -- islands and the edge of the area ---------------------------------------------------------


def test_island_gets_its_nearest_neighbour_both_ways():
    grid = lattice(3, extra=[("island", shapely.box(6, 2, 7, 3))])
    weights = s.contiguity_weights(grid)
    assert weights.islands == ("island",)
    assert weights.w.neighbors["island"] == ["r02c02"]
    assert "island" in weights.w.neighbors["r02c02"]
    assert not weights.w.islands


def test_island_can_be_dropped_and_is_then_not_tested():
    grid = lattice(3, extra=[("island", shapely.box(6, 2, 7, 3))])
    weights = s.contiguity_weights(grid, islands="drop")
    assert "island" not in weights.ids and weights.w.n == 9
    values = pd.Series(np.arange(10, dtype=float), index=grid["lsoa_code"])
    result = s.local_statistics(values, weights, seed=SEED, permutations=99)
    assert result.loc["island", "hotspot"] == s.NOT_TESTED
    assert result.drop(index="island")["gi_z"].notna().all()
    with pytest.raises(ValueError):
        s.contiguity_weights(grid, islands="ignore")


def test_neighbours_outside_the_area_are_not_used():
    grid = lattice(4)
    inner = grid[grid["lsoa_code"].isin(["r01c01", "r01c02", "r02c01", "r02c02"])]
    weights = s.contiguity_weights(inner)
    assert all(len(weights.w.neighbors[i]) == 3 for i in weights.ids)
    assert set().union(*map(set, weights.w.neighbors.values())) == set(inner["lsoa_code"])


# -- concentration and persistence -------------------------------------------------------------


def test_concentration_by_hand():
    # 10 events over 5 LSOAs: the busiest (4) passes 2.5 events; two (4 + 3 = 7) pass 5.
    shares = conc.concentration_shares([0, 3, 1, 4, 2])
    assert shares == {0.25: 20.0, 0.5: 40.0}
    assert conc.concentration_shares([10, 0, 0, 0]) == {0.25: 25.0, 0.5: 25.0}
    # exactly reaching the share counts: 5 of 20 events is 25%
    assert conc.concentration_shares([5, 5, 5, 5])[0.25] == 25.0
    assert all(math.isnan(v) for v in conc.concentration_shares([0, 0]).values())


def test_lorenz_curve_by_hand():
    curve = conc.lorenz_curve([0, 3, 1, 4, 2])
    assert curve["share_of_lsoas_pct"].tolist() == [0, 20, 40, 60, 80, 100]
    assert curve["share_of_events_pct"].tolist() == pytest.approx([0, 40, 70, 90, 100, 100])


def test_random_concentration_is_near_even_spread_for_many_events():
    chance = conc.random_concentration(np.ones(100), 100_000, seed=SEED, simulations=20)
    assert chance[0.5] == pytest.approx(50, abs=2)
    few = conc.random_concentration(np.ones(100), 30, seed=SEED, simulations=50)
    assert few[0.5] < 20  # 30 events in 100 LSOAs: chance alone concentrates them


def test_top_decile_and_persistence_by_hand():
    codes = [f"L{i}" for i in range(10)]  # ceil(10% of 10) = 1 LSOA per period
    events = pd.DataFrame(
        {
            "category": "x",
            "period": ["p1", "p1", "p2", "p2", "p3", "p4"],
            "lsoa_code": ["L0", "L1", "L0", "L1", "L5", "L0"],
            "count": [5, 1, 2, 2, 0, 3],
        }
    )
    # p1: L0 alone on top; p2: L0 and L1 tie for the top; p3: nobody (no event); p4: L0
    result = h.persistence(events, "x", ["p1", "p2", "p3", "p4"], codes)
    assert result.to_dict() == {"L0": 3, "L1": 1, **{f"L{i}": 0 for i in range(2, 10)}}
    assert h.persistent_threshold(7) == 6 and h.persistent_threshold(12) == 9
    counts = pd.Series([3, 3, 3] + [0] * 17)  # 20 LSOAs: top 2, a tie of 3 takes all three
    assert conc.in_top_share(counts).sum() == 3


# -- events, denominators and time ---------------------------------------------------------


@pytest.fixture(scope="module")
def definitions(default_config):
    return load_definitions(default_config.definitions)


def test_policeuk_events_leave_out_unlocated_and_outside(definitions):
    counts = pd.DataFrame(
        {
            "month": pd.to_datetime(["2019-01-01"] * 4 + ["2019-02-01"]),
            "force": "F",
            "lsoa_code": ["A", "A", None, "Z", "B"],
            "crime_type": ["Robbery", "Robbery", "Robbery", "Robbery", "Burglary"],
            "crimes": [2, 1, 4, 3, 9],
        }
    )
    found = events.policeuk_events(counts, definitions, ["A", "B"], categories=("robbery",))
    assert found.events.to_dict(orient="records") == [
        {"category": "robbery", "period": "2019-01", "lsoa_code": "A", "count": 3}
    ]
    assert found.excluded.iloc[0].to_dict() == {
        "category": "robbery",
        "events": 10,
        "no_location": 4,
        "outside_area": 3,
    }
    assert list(found.periods["period"]) == ["2019-01", "2019-02"]
    assert found.tier == tiers.POLICE_UK and not found.synthetic


def small_extract() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "offence_date": pd.to_datetime(
                ["2019-04-06", "2019-04-06", "2020-07-04", "2021-01-01", "2018-05-05"]
            ),
            "offence_hour": pd.array([22, 22, 3, None, 12], dtype="Int64"),
            "home_office_code": ["8N", "8N", "8N", "92A", "8N"],
            "lsoa_code": ["A", "B", "A", "A", "B"],
            "sharp_instrument": [True, False, False, False, False],
            "financial_year": ["2019/20", "2019/20", "2020/21", "2020/21", "2018/19"],
            "year": [2019, 2019, 2020, 2020, 2018],
        }
    )


def test_extract_categories_follow_codes_and_markers(definitions):
    found = events.extract_events(
        small_extract(), definitions, ["A", "B"], synthetic=True, window_years=2
    )
    totals = found.events.groupby("category")["count"].sum().to_dict()
    assert totals == {"knife_crime": 1, "violence_with_injury": 4, "drug_supply": 1}
    assert found.window == ("2019/20", "2020/21")
    assert found.tier == tiers.force_extract(True) and found.tier.tag
    assert found.window_label == "2019/20 to 2020/21"


def test_period_span_labels():
    assert events.period_span(["2019/20", "2020/21", "2021/22"], monthly=False) == (
        "2019/20 to 2021/22"
    )
    assert events.period_span(["May 2019", "June 2019"], monthly=True) == (
        "2 months, May 2019 to June 2019"
    )
    assert events.period_span(["May 2019"], monthly=True) == "May 2019"


def test_extract_events_leave_out_unlocated_and_outside(definitions):
    extract = small_extract()
    extract.loc[0, "lsoa_code"] = None  # a violence with injury offence with no location
    extract.loc[1, "lsoa_code"] = "Z"  # ... and one outside the area
    found = events.extract_events(extract, definitions, ["A", "B"], synthetic=False)
    violence = found.excluded.set_index("category").loc["violence_with_injury"]
    assert violence.to_dict() == {"events": 4, "no_location": 1, "outside_area": 1}
    assert found.events.query("category == 'violence_with_injury'")["count"].sum() == 2


def _window(tier, periods: list[str], window: list[str]) -> events.EventSet:
    return events.EventSet(
        tier=tier,
        categories=(),
        events=pd.DataFrame(columns=["category", "period", "lsoa_code", "count"]),
        periods=pd.DataFrame({"period": periods, "name": periods}),
        window=tuple(window),
    )


def test_person_years_use_each_periods_population():
    population = pd.DataFrame(
        {
            "lsoa11_code": ["A", "A", "B", "B"],
            "year": [2019, 2020] * 2,
            "population": [1200.0, 1320.0, 600.0, 660.0],
        }
    )
    months = _window(tiers.POLICE_UK, ["2019-01", "2021-01"], ["2019-01", "2021-01"])
    years = events.window_person_years(months, population, ["A", "B"])
    assert years["A"] == pytest.approx(100 + 110)  # a month is 1/12; 2021 uses 2020's estimate
    assert years["B"] == pytest.approx(50 + 55)
    with pytest.raises(ValueError, match="no population"):
        events.window_person_years(months, population, ["A", "C"])
    financial = _window(tiers.force_extract(True), ["2018/19", "2019/20"], ["2019/20"])
    one_year = events.window_person_years(financial, population, ["A", "B"])
    assert one_year.to_dict() == {"A": 1200.0, "B": 600.0}  # 2019/20 at mid-2019, one year


def test_hour_by_weekday_and_month_profile(definitions):
    extract = small_extract()
    grid = timing.hour_by_weekday(extract, definitions, categories=("violence_with_injury",))
    saturday_22 = grid[(grid["weekday"] == 5) & (grid["hour"] == 22)]
    assert int(saturday_22["count"].iloc[0]) == 2  # 6 April 2019 was a Saturday
    assert grid["count"].sum() == 4 and grid["share_pct"].sum() == pytest.approx(100)
    months = timing.month_profile(extract, definitions, categories=("violence_with_injury",))
    april = months[months["month"] == 4].iloc[0]
    # 4 offences over 2018/19 to 2020/21 (1,096 days); April: 2 offences over 90 days
    assert april["days"] == 90
    assert april["index"] == pytest.approx(round((2 / 90) / (4 / 1096) * 100, 1))


# -- the real police.uk months for Cambridgeshire ----------------------------------------------


@pytest.fixture(scope="module")
def real(hotspots_chapter):
    return hotspots_chapter


def row(real, tier, category):
    table = real.concentration.set_index(["tier", "category"])
    return table.loc[(tier, category)]


def test_real_area_and_weights(real):
    assert len(real.lsoas) == 487 and len(real.districts) == 6
    assert real.weights.islands == () and real.weights.w.n == 487


def test_real_violence_hot_spots_and_concentration(real):
    violence = row(real, *h.HEADLINE)
    assert violence["events"] == 11_114
    assert violence["share_lsoas_25pct"] == 6.6
    assert violence["share_lsoas_50pct"] == 20.3
    assert violence["random_share_lsoas_50pct"] > 30  # far less concentrated by chance
    assert violence["hot_spots"] == 9 and violence["cold_spots"] == 6
    top = h.headline(real)
    hot = top[top["hotspot"] == s.HOT]
    assert set(hot["district"]) == {"Peterborough"}
    assert "E01015599" in set(hot["lsoa_code"])  # Peterborough 014A, the city centre
    assert violence["persistent_lsoas"] == 12 and violence["periods"] == 7


def test_real_police_uk_exclusions(real):
    excluded = real.tiers[h.TIER_POLICE_UK].excluded.set_index("category")
    assert excluded.loc["violence_and_sexual_offences", "no_location"] == 441
    assert excluded.loc["violence_and_sexual_offences", "outside_area"] == 131


@pytest.mark.parametrize("tier", [h.TIER_POLICE_UK, h.TIER_EXTRACT])
def test_real_published_lsoa_tables_are_disclosure_controlled(real, default_config, tier):
    safe = tables.lsoa_table(real, default_config, tier)
    table = tables.lsoa_csv(safe)
    assert list(table.columns) == tables.LSOA_COLUMNS
    assert len(table) == 487 * len(real.tiers[tier].categories)
    counts = table["count"].dropna()
    assert not counts.between(1, default_config.thresholds.suppress_counts_up_to).any()
    source = real.results[real.results["tier"] == tier].set_index(["category", "lsoa_code"])
    true = pd.Series(list(zip(table["category"], table["lsoa_code"], strict=True))).map(
        source["count"]
    )
    few = true < default_config.thresholds.min_events_for_rate
    for derived in ("rate_per_1000", "times_expected"):
        assert table.loc[few, derived].isna().all()
        assert table.loc[~few & table["count"].notna(), derived].notna().all()
    # no category and district has exactly one hidden count (district totals are published)
    hidden = table["count"].isna().groupby([table["category"], table["district"]]).sum()
    assert not (hidden == 1).any()
    # Gi* z and p are not published where they rest on a hidden count (own or neighbour's)
    for category, rows in table.groupby("category"):
        hidden = set(rows.loc[rows["count"].isna(), "lsoa_code"])
        touched = set(hidden).union(*(real.weights.w.neighbors[c] for c in hidden))
        assert rows.loc[rows["lsoa_code"].isin(touched), ["gi_z", "p_value"]].isna().all().all()
        assert rows.loc[~rows["lsoa_code"].isin(touched), "gi_z"].notna().all(), category
    # no record-level identifier: one row per LSOA and category, nothing finer
    assert not table.duplicated(["category", "lsoa_code"]).any()
    assert not {"offence_reference", "offence_date", "victim_id", "offender_id"} & set(table)


def test_real_district_table(real, default_config):
    table = tables.district_csv(real, default_config)
    violence = table[
        (table["tier"] == h.TIER_POLICE_UK) & (table["category"] == "violence_and_sexual_offences")
    ].set_index("district")
    assert violence["count"].sum() == 11_114
    assert violence.loc["Peterborough", "hot_spots"] == 9
    assert violence["share_of_force_pct"].sum() == pytest.approx(100, abs=0.2)
    peterborough = violence.loc["Peterborough"]
    assert peterborough["rate_lower"] < peterborough["rate_per_1000"] < peterborough["rate_upper"]


def test_real_results_block(real):
    out = results(real).model_dump(mode="json")
    assert out["method"]["fdr_level"] == s.FDR_LEVEL
    assert out["hot_spots"][h.TIER_POLICE_UK]["violence_and_sexual_offences"]["hot_spots"] == 9
    assert (
        out["concentration"][h.TIER_POLICE_UK]["violence_and_sexual_offences"]["share_lsoas_50pct"]
        == 20.3
    )
    assert out["headline"]["hot_spots_by_district"] == {"Peterborough": 9}
    assert set(out) == {
        "method",
        "tiers",
        "hot_spots",
        "concentration",
        "persistent_hotspots",
        "findings",
        "headline",
        "spikes",
    }


def test_real_findings_are_facts_for_the_summary(real):
    facts = results(real).findings
    assert facts.window_label == "7 months, October 2018 to January 2021"
    assert (facts.lsoas, facts.share_lsoas_50pct, facts.hot_spots) == (487, 20.3, 9)
    assert facts.random_share_lsoas_50pct > 30
    assert facts.hot_spots_by_district == {"Peterborough": 9}
    assert (facts.persistent_hot_spots, facts.persistent_threshold, facts.periods) == (4, 6, 7)
    assert facts.extract is not None
    assert [r.hot_spots for r in facts.extract.hot_spots] == [
        int(row(real, h.TIER_EXTRACT, r.category)["hot_spots"]) for r in facts.extract.hot_spots
    ]
    assert facts.extract.synthetic == real.extract.synthetic


def test_real_hot_spot_facts(real):
    facts = h.hot_spot_facts(real, *h.HEADLINE)
    top = h.headline(real)
    hot = top[top["hotspot"] == s.HOT]
    assert facts.hot_spots == 9 and facts.lsoas == 487 and facts.by_district == {"Peterborough": 9}
    assert facts.share_of_offences_pct == pytest.approx(
        hot["count"].sum() / top["count"].sum() * 100
    )
    assert facts.share_of_lsoas_pct == pytest.approx(9 / 487 * 100)
    assert facts.persistent_hot_spots == len(facts.hot_spot_names) == 4


def test_build_asks_for_its_tables_by_name():
    assert registry.inputs("hotspots") == (
        "police_uk_counts",
        "imd",
        "lsoa_lookup",
        "lsoa_population",
        "lsoa_boundaries",
        "force_extract",
    )


def test_real_extract_tier_is_labelled_synthetic(real, default_config):
    if not default_config.data.force_extract_is_synthetic:
        pytest.skip("the configured extract is not the synthetic demonstration extract")
    extract = real.extract
    assert extract.synthetic and extract.tier == tiers.force_extract(True)
    assert len(extract.window) == events.EXTRACT_WINDOW_YEARS


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]


def test_images_from_the_synthetic_extract_are_stamped(real):
    import matplotlib.pyplot as plt

    synthetic = real.extract.synthetic
    stamped = [
        charts.force_maps(real, h.TIER_EXTRACT),
        charts.hour_heatmap(real.hour_week, synthetic),
        charts.month_profile(real.months, synthetic),
        charts.lorenz(real),
    ]
    try:
        assert all(tiers.SYNTHETIC_STAMP in _texts(fig) for fig in stamped) == synthetic
        real_only = charts.force_maps(real, h.TIER_POLICE_UK)
        assert tiers.SYNTHETIC_STAMP not in _texts(real_only)
    finally:
        plt.close("all")


def test_display_headers_keep_hot_spot_for_gi_star(real, default_config):
    safe = tables.lsoa_table(real, default_config, h.TIER_POLICE_UK)
    shown = tables.lsoa_display(tables.hot_spot_rows(safe), real, h.TIER_POLICE_UK)
    hot = real.concentration.query("tier == @h.TIER_POLICE_UK")["hot_spots"].sum()
    assert len(shown) == hot and (shown["Hot spot (Gi*, FDR)"] == "Yes").all()
    persistence = [c for c in shown.columns if "top" in c]
    assert persistence == ["Months in the top 10% by count (of 7)"]
    extract = tables.lsoa_display(
        tables.lsoa_table(real, default_config, h.TIER_EXTRACT), real, h.TIER_EXTRACT
    )
    assert "Financial years in the top 10% by count (of 12)" in extract.columns
    assert "Per 1,000 residents a year" in extract.columns
    districts = tables.district_display(
        tables.district_csv(real, default_config), real, *h.HEADLINE
    )
    assert "Per 1,000 residents over the 7 months (95% CI)" in districts.columns
    assert not [c for c in districts.columns if "hot spot" in c.lower() and "top" in c.lower()]


def test_force_maps_zoom_on_districts_whose_flagged_lsoas_are_too_small_to_see(real):
    import matplotlib.pyplot as plt

    from needs_assessment.presentation.maps import districts_to_zoom

    rows = real.results[real.results["tier"] == h.TIER_POLICE_UK]
    first = rows[rows["category"] == rows["category"].iloc[0]]
    data = real.lsoas[["lsoa_code", "geometry"]].merge(first, on="lsoa_code")
    flagged = data["hotspot"].isin([h.HOT, h.COLD]).to_numpy()
    wanted = districts_to_zoom(data, flagged, real.districts, name="district")
    assert wanted  # the default area's flagged LSOAs are town-sized
    fig = charts.force_maps(real, h.TIER_POLICE_UK)
    try:
        axes = [a for ax in fig.axes for a in (ax, *ax.child_axes)]  # insets are children
        titles = [ax.get_title() for ax in axes]
        assert all(district in titles for district in wanted)
        assert any(t.get_text().endswith(" km") for ax in axes for t in ax.texts)
    finally:
        plt.close(fig)
