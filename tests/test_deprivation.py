"""Deprivation chapter: planted gradients, hand calculations, disclosure and words (the real
data: test_deprivation_real.py)."""

from __future__ import annotations

import dataclasses
import itertools
import math

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from needs_assessment import small_area, tiers
from needs_assessment.chapters.deprivation import analysis as dep
from needs_assessment.chapters.deprivation import charts, gradient, tables, words
from needs_assessment.config import Period
from needs_assessment.methods import stats

SEED = 20210331


# -- small synthetic areas -----------------------------------------------------------------


def simulated_area(
    rates_by_decile,
    per_decile=50,
    population=1500,
    months=12,
    seed=1,
    shape=None,
    districts=("D1", "D2"),
):
    """LSOAs in deciles 1-10 with Poisson (or gamma-mixed, given `shape`) counts.

    ``rates_by_decile(decile)`` is the annual rate per 1,000. Returns (lsoas, events,
    population frame) ready for :func:`dep.analyse`.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for decile in range(1, 11):
        for i in range(per_decile):
            rows.append({"lsoa11_code": f"E01{decile:02d}{i:04d}", "decile": decile})
    frame = pd.DataFrame(rows)
    n = len(frame)
    frame["imd_rank"] = ((frame["decile"] - 1) * 3284 + rng.integers(1, 3284, n)).astype("int64")
    mean = np.array([rates_by_decile(d) for d in frame["decile"]]) * population / 1000 * months / 12
    if shape is not None:
        mean = mean * rng.gamma(shape, 1 / shape, n)
    counts = rng.poisson(mean)
    lsoas = pd.DataFrame(
        {
            "lsoa11_code": frame["lsoa11_code"],
            "lsoa11_name": [f"Area {i:03d}" for i in range(n)],
            "district_code": [districts[i % len(districts)] for i in range(n)],
            "district": [districts[i % len(districts)] for i in range(n)],
            "imd_rank": frame["imd_rank"],
            "imd_decile": frame["decile"].astype("int64"),
            "income_rank": frame["imd_rank"],
            "income_decile": frame["decile"].astype("int64"),
            "index": "IMD 2019",
        }
    )
    lsoas["imd_local_quintile"] = dep.local_quintiles(lsoas["imd_rank"])
    month_list = tuple(str(m) for m in pd.period_range("2019-01", periods=months, freq="M"))
    events = dep.Events(
        key="test",
        label="Test offences",
        source="simulated",
        months=month_list,
        counts=pd.Series(counts, index=pd.Index(lsoas["lsoa11_code"])),
    )
    people = pd.DataFrame(
        {"lsoa11_code": lsoas["lsoa11_code"], "year": 2019, "population": float(population)}
    )
    return lsoas, events, people


def doubling(decile: int) -> float:
    """Rates double from the least deprived decile (10) to the most deprived (1)."""
    return 10.0 * 2 ** ((10 - decile) / 9)


@pytest.fixture(scope="module")
def planted():
    lsoas, events, people = simulated_area(doubling, seed=7)
    return dep.analyse(lsoas, events, people, seed=SEED, n_boot=1000)


@pytest.fixture(scope="module")
def flat():
    lsoas, events, people = simulated_area(lambda d: 10.0, seed=11)
    return dep.analyse(lsoas, events, people, seed=SEED, n_boot=1000)


def test_planted_gradient_is_found(planted):
    g, rho = planted.gradient, planted.rho_imd
    assert g.irr > 1 and g.lower > 1
    assert g.lower <= 2 ** (1 / 9) <= g.upper  # the planted step
    assert rho.estimate > 0 and rho.lower > 0
    assert planted.rate_ratio.lower <= 2 <= planted.rate_ratio.upper
    assert planted.rate_ratio.lower > 1
    # PHE convention: higher rates in deprived areas give a negative SII and an RII below 1
    assert planted.inequality.sii < 0 and planted.inequality.rii < 1


def test_no_gradient_where_none_was_planted(flat):
    assert flat.gradient.lower <= 1 <= flat.gradient.upper
    assert flat.rho_imd.lower <= 0 <= flat.rho_imd.upper
    assert flat.rate_ratio.lower <= 1 <= flat.rate_ratio.upper
    assert flat.gradient.model == "Poisson"
    assert dep.direction(flat.rho_imd) == "no clear association"
    assert flat.association == "no clear association"


def test_overdispersed_counts_use_negative_binomial():
    lsoas, events, people = simulated_area(doubling, seed=3, shape=2.0)
    a = dep.analyse(lsoas, events, people, seed=SEED, n_boot=200, with_districts=False)
    assert a.gradient.model == "negative binomial"
    assert a.gradient.dispersion > stats.OVERDISPERSION_THRESHOLD
    assert a.gradient.lower <= 2 ** (1 / 9) <= a.gradient.upper
    poisson_width = math.log(
        gradient.fit_gradient(
            a.table["count"],
            a.table["deprivation_step"],
            a.table["person_years"],
            overdispersion_threshold=1e9,
        ).upper
    )
    assert math.log(a.gradient.upper) > poisson_width  # honest, wider interval
    poisson = dep.rate_ratio(dep.decile_table(a.table, alpha=0))
    assert a.alpha > 0.2 and a.rate_ratio.estimate == pytest.approx(poisson.estimate)
    width = math.log(a.rate_ratio.upper / a.rate_ratio.lower)
    assert width > 2 * math.log(poisson.upper / poisson.lower)  # gamma shape 2: ~3 times


def _five_lsoas() -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "lsoa11_code": ["a", "b", "c", "d", "e"],
            "imd_decile": [1, 1, 5, 10, 10],
            "population": [500.0, 500.0, 800.0, 1200.0, 800.0],
            "count": [30, 10, 9, 4, 6],
            "months": 6,
        }
    )
    table["person_years"] = table["population"] * 6 / 12  # six months
    return table


def test_rate_ratio_matches_hand_calculation():
    table = _five_lsoas()
    deciles = dep.decile_table(table, alpha=0)  # Poisson: the log method on the counts
    assert list(deciles.columns[: len(dep.DECILE_COLUMNS)]) == dep.DECILE_COLUMNS
    first = deciles.iloc[0]
    assert (first["lsoas"], first["months"], first["population"], first["count"]) == (
        2,
        6,
        1000,
        40,
    )
    assert first[dep.RATE] == pytest.approx(40 / 1000 * 1000)  # over 6 months, not a year
    assert first["design_effect"] == 1.0
    rr = dep.rate_ratio(deciles)
    # decile 1: 40 events in 500 person-years; decile 10: 10 events in 1000 person-years
    expected = (40 / 500) / (10 / 1000)
    margin = math.exp(1.959964 * math.sqrt(1 / 40 + 1 / 10))
    assert (rr.most_deprived_decile, rr.least_deprived_decile) == (1, 10)
    assert rr.estimate == pytest.approx(8.0)
    assert rr.estimate == pytest.approx(expected)
    assert rr.lower == pytest.approx(8.0 / margin, rel=1e-6)
    assert rr.upper == pytest.approx(8.0 * margin, rel=1e-6)
    assert rr.lower == pytest.approx(4.0008, abs=1e-3)


def test_rate_ratio_allows_for_overdispersion_by_hand():
    table = _five_lsoas()
    alpha = dep.decile_alpha(table)
    assert alpha > 0  # counts 30 and 10 on equal populations: far from Poisson
    deciles = dep.decile_table(table, alpha=alpha)
    # decile 1: means 20, 20; decile 10: means 6, 4 (rates 40/1000 and 10/2000 per person)
    effect_1, effect_10 = 1 + alpha * 800 / 40, 1 + alpha * 52 / 10
    assert deciles["design_effect"].iloc[[0, -1]].tolist() == pytest.approx([effect_1, effect_10])
    rr = dep.rate_ratio(deciles)
    margin = math.exp(1.959964 * math.sqrt(effect_1 / 40 + effect_10 / 10))
    assert (rr.estimate, rr.lower, rr.upper) == pytest.approx((8.0, 8 / margin, 8 * margin))
    assert deciles[dep.RATE].tolist() == pytest.approx([40.0, 11.25, 5.0])  # crude rates kept


def test_decile_limits_do_not_depend_on_the_seed():
    lsoas, events, people = simulated_area(doubling, seed=3, shape=2.0)
    runs = [
        dep.analyse(lsoas, events, people, seed=seed, n_boot=50, with_districts=False)
        for seed in (1, 2)
    ]
    assert runs[0].rate_ratio == runs[1].rate_ratio and runs[0].alpha == runs[1].alpha
    assert runs[0].deciles.equals(runs[1].deciles)
    assert runs[0].decile_model == "negative binomial"


def test_months_make_whole_years_only_with_every_calendar_month_alike():
    year = [f"2019-{m:02d}" for m in range(1, 13)]
    assert dep.covers_whole_years(year)
    assert dep.covers_whole_years([*year, *(m.replace("2019", "2021") for m in year)])
    assert not dep.covers_whole_years(year[:-1])
    assert not dep.covers_whole_years([*year, "2020-01"])
    assert not dep.covers_whole_years(())


def test_rate_over_the_months_and_population_average():
    people = pd.DataFrame(
        {
            "lsoa11_code": ["x", "x", "x"],
            "year": [2018, 2019, 2020],
            "population": [1000.0, 1100.0, 1300.0],
        }
    )
    months = ("2018-11", "2018-12", "2019-01", "2021-01")  # 2021 -> nearest year, 2020
    years = small_area.population_years(people, months)
    population = small_area.average_population(people, months, ["x"])
    assert years == {2018: 2, 2019: 1, 2020: 1}
    assert population["x"] == pytest.approx((2 * 1000 + 1100 + 1300) / 4)
    person_years = small_area.person_years(people, months, ["x"])
    assert person_years["x"] == pytest.approx(population["x"] * 4 / 12)
    lsoas = pd.DataFrame(
        {
            "lsoa11_code": ["x"],
            "lsoa11_name": ["X"],
            "district_code": ["D"],
            "district": ["D"],
            "imd_rank": [5],
            "imd_decile": [1],
            "income_rank": [7],
            "income_decile": [1],
            "imd_local_quintile": [1],
        }
    )
    events = dep.Events("k", "K", "s", months, pd.Series([11], index=["x"]))
    row = dep.lsoa_table(lsoas, events, population).iloc[0]
    assert row[dep.RATE] == pytest.approx(11 / 1100 * 1000)  # over 4 months, not annualised
    assert row["deprivation_step"] == 9


def test_police_uk_events_excludes_and_counts():
    counts = pd.DataFrame(
        {
            "month": pd.to_datetime(
                ["2018-10-01", "2018-10-01", "2018-11-01", "2018-11-01", "2009-01-01", "2018-12-01"]
            ),
            "force": "F",
            "lsoa_code": ["E01000001", None, "E09999999", "E01000002", "E01000001", "E01000001"],
            "crime_type": ["Violence and sexual offences"] * 5 + ["Burglary"],
            "crimes": [4, 3, 2, 5, 100, 7],
        }
    )
    events = dep.police_uk_events(
        counts,
        ["E01000001", "E01000002", "E01000003"],
        ["Violence and sexual offences"],
        key="v",
        label="V",
        period=Period(first_year=2010, last_year=2021),
    )
    assert events.months == ("2018-10", "2018-11", "2018-12")  # 2009 is outside the period
    assert events.counts.to_dict() == {"E01000001": 4, "E01000002": 5, "E01000003": 0}
    assert (events.no_location, events.outside_area, events.total) == (3, 2, 9)
    assert events.source == tiers.POLICE_UK.label and not events.synthetic


def test_extract_events_keep_marked_codes_in_the_months():
    extract = pd.DataFrame(
        {
            "offence_date": pd.to_datetime(
                ["2019-01-05", "2019-01-06", "2019-02-01", "2019-02-02", "2025-01-01", "2019-03-03"]
            ),
            "home_office_code": ["8N", "8N", "105A", "34B", "8N", "8N"],
            "sharp_instrument": [True, False, True, True, True, True],
            "lsoa_code": ["E01000001", "E01000001", "E01000001", "E01000002", "E01000001", None],
        }
    )
    events = dep.extract_events(
        extract,
        ["E01000001", "E01000002"],
        ["8N", "34B"],
        ("2019-01", "2019-02", "2019-03"),
        key="k",
        label="Knife",
        synthetic=True,
    )
    assert events.counts.to_dict() == {"E01000001": 1, "E01000002": 1}
    assert events.no_location == 1
    assert events.synthetic and tiers.SYNTHETIC_LABEL in events.source
    assert events.source == tiers.force_extract(True).label


def test_local_quintiles_and_terciles():
    ranks = pd.Series([10, 50, 20, 40, 30, 60, 70, 80, 90, 100])
    assert list(dep.local_quintiles(ranks)) == [1, 3, 1, 2, 2, 3, 4, 4, 5, 5]
    assert sorted(dep.terciles(pd.Series(range(9))).value_counts()) == [3, 3, 3]


def test_months_in_period_are_financial_years():
    months = dep.months_in_period(Period(first_year=2010, last_year=2021))
    assert (len(months), months[0], months[-1]) == (144, "2010-04", "2022-03")


def test_unexpected_lsoa_is_flagged():
    lsoas, events, people = simulated_area(doubling, seed=5)
    code = lsoas["lsoa11_code"].iloc[-1]  # least deprived decile
    counts = events.counts.copy()
    counts[code] = 200  # a night-time-economy centre
    planted = dep.Events(events.key, events.label, events.source, events.months, counts)
    a = dep.analyse(lsoas, planted, people, seed=SEED, n_boot=200, with_districts=False)
    more = gradient.unexpected_list(a.table, gradient.MORE)
    assert more["lsoa11_code"].iloc[0] == code
    assert more["ratio_observed_expected"].iloc[0] > 5
    assert len(more) <= 3


def test_nothing_unexpected_without_outliers(flat, default_config):
    assert flat.table["unexpected"].isna().all()
    assert not flat.has_unexpected
    context = words.unexpected(dep.DeprivationChapter(flat, [], None, None), default_config)
    assert (context["more"], context["fewer"], context["top"]) == (0, 0, [])


def test_district_gradients_flag_uncertainty(default_config):
    lsoas, events, people = simulated_area(
        doubling, per_decile=30, seed=9, districts=("Big", "Big", "Big", "Big", "Small")
    )
    # "Small" gets every 5th LSOA: 60 LSOAs; shrink it to a narrow, small sample
    keep = ~((lsoas["district"] == "Small") & (lsoas["imd_decile"] > 2))
    lsoas = lsoas[keep].reset_index(drop=True)
    events = dep.Events(
        events.key, events.label, events.source, events.months, events.counts[lsoas["lsoa11_code"]]
    )
    a = dep.analyse(lsoas, events, people, seed=SEED, n_boot=200)
    rows = a.districts.set_index("district")
    assert rows.loc["Big", "reliability"] == "clear"
    assert rows.loc["Small", "reliability"].startswith("uncertain")
    assert "only 12 LSOAs" in rows.loc["Small", "reliability"]
    assert "span only 2 deciles" in rows.loc["Small", "reliability"]
    context = words.districts(dep.DeprivationChapter(a, [], None, None), default_config)
    assert context["uncertain"] == ["Small"]
    assert (context["min_lsoas"], context["min_deciles"]) == (30, 5)
    small = next(d for d in context["districts"] if d["district"] == "Small")
    assert small["lsoas"] == 12 and small["deciles_spanned"] == 2


def _police_uk(a: dep.Analysis, months) -> dep.Analysis:
    events = dataclasses.replace(a.events, source=tiers.POLICE_UK.label, months=tuple(months))
    return dataclasses.replace(a, events=events)


def test_police_uk_months_short_of_a_year_are_read_with_care(planted, default_config):
    cleveland = ("2018-10", "2018-11", "2018-12", "2019-01", "2019-02")  # 5 months
    chapter = dep.DeprivationChapter(_police_uk(planted, cleveland), [planted], None, None)
    context = words.partial_year(chapter, default_config)
    assert context["measures"] == [planted.events.label]
    assert (context["span"]["months"], context["span"]["consecutive"]) == (5, True)
    assert context["seasons"] == [
        {"season": "winter", "months": 3},
        {"season": "autumn", "months": 2},
    ]
    assert context["folder"] == str(default_config.data.police_uk)
    year = [str(m) for m in pd.period_range("2019-04", periods=12, freq="M")]
    whole = dep.DeprivationChapter(_police_uk(planted, year), [], None, None)
    assert words.partial_year(whole, default_config) is None
    assert (
        words.partial_year(dep.DeprivationChapter(planted, [], None, None), default_config) is None
    )


# -- disclosure ------------------------------------------------------------------------------


def test_secondary_cells_cover_both_published_totals():
    counts = np.array([3, 20, 30, 40, 50, 60], dtype=float)
    primary = np.array([True, False, False, False, False, False])
    districts = np.array(["A", "A", "A", "B", "B", "B"])
    deciles = np.array([1, 2, 3, 1, 2, 3])
    hidden = tables.secondary_cells(counts, primary, [districts, deciles])
    # district A: hide 20 (smallest); decile 1 then has one hidden: hide 40; district B:
    # one hidden (40): hide 50; decile 2 has 20 and 50 hidden: done.
    assert list(hidden) == [True, True, False, True, True, False]
    for labels in (districts, deciles):
        for key in np.unique(labels):
            assert hidden[labels == key].sum() != 1


def test_published_lsoa_table_is_safe(planted, default_config):
    table = planted.table.copy()
    # rows 0 and 2 share district D1 and decile 1, so no secondary suppression is needed
    table.loc[0, "count"], table.loc[2, "count"] = 3, 4  # small counts
    table.loc[1, "count"] = 8  # a rate on too few events
    safe = tables.published_lsoas(table, default_config)
    assert pd.isna(safe.loc[0, "count"]) and safe.loc[0, "count_marker"] == "[c]"
    assert pd.isna(safe.loc[0, dep.RATE]) and pd.isna(safe.loc[0, "ratio_observed_expected"])
    assert safe.loc[1, "count"] == 8 and safe.loc[1, f"{dep.RATE}_marker"] == "[low]"
    shown = safe["count"].dropna()
    assert not shown.between(1, 5).any()
    low = safe["count"].notna() & (safe["count"] < 10)
    assert safe.loc[low, dep.RATE].isna().all()
    hidden = safe["count"].isna().to_numpy()
    for column in ("district_code", "imd_decile"):
        assert (pd.Series(hidden).groupby(safe[column].to_numpy()).sum() != 1).all()


def test_published_decile_columns_exactly(planted, default_config):
    table = tables.published_deciles(planted.deciles, default_config)
    assert list(table.columns) == dep.DECILE_COLUMNS
    assert dep.RATE == "rate_per_1000_over_months" and (table["months"] == 12).all()


def test_a_small_decile_hides_its_design_effect_with_its_count(planted, default_config):
    deciles = planted.deciles.copy()
    deciles.loc[0, "count"] = 4
    table = tables.published_deciles(deciles, default_config)
    assert pd.isna(table.loc[0, "count"]) and pd.isna(table.loc[0, "design_effect"])
    assert table.loc[1:, "design_effect"].notna().all()


def test_rates_are_labelled_by_their_months(planted):
    assert tables.rate_header(7) == "Per 1,000 residents over 7 months"
    assert tables.rate_header(1) == "Per 1,000 residents over 1 month"
    shown = tables.decile_display(planted.deciles)
    assert "Per 1,000 residents over 12 months" in shown.columns
    assert set(tables.decile_formats(12)) <= set(shown.columns)
    assert not [c for c in shown.columns if "year" in c.lower()]
    mixed = planted.deciles.assign(months=[7] * 5 + [12] * 5)
    with pytest.raises(ValueError, match="one number of months"):
        tables.decile_display(mixed)


def test_shown_tables_have_human_headers(planted, default_config):
    chapter = dep.DeprivationChapter(planted, [planted], None, None)
    deciles = tables.published_deciles(planted.deciles, default_config)
    lsoas = tables.published_lsoas(planted.table, default_config)
    measures = tables.measures_table(chapter.analyses)
    shown = [
        tables.decile_display(deciles),
        tables.district_display(planted.districts),
        tables.unexpected_display(planted, lsoas),
        tables.measures_display(measures),
    ]
    for frame in shown:
        snake = [c for c in frame.columns if "_" in c or c != c.strip()]
        assert snake == [], snake
    assert len(tables.measures_display(measures).columns) == len(measures.columns) - 4
    assert tables.measures_display(measures)["Offences"].tolist() == [planted.events.total] * 2


# -- words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rho, verdict, size, floor",
    [
        (stats.Interval(0.41, 0.33, 0.49), "rises with deprivation", "moderate", "moderate"),
        (stats.Interval(0.71, 0.65, 0.75), "rises with deprivation", "very strong", "strong"),
        (stats.Interval(-0.2, -0.3, -0.12), "falls with deprivation", "weak", "weak"),
        (stats.Interval(0.05, -0.04, 0.13), "no clear association", "negligible", "negligible"),
    ],
)
def test_verdict_and_strength_of_rho(rho, verdict, size, floor):
    assert dep.direction(rho) == verdict
    context = words.rho(rho)
    assert (context["association"], context["strength"], context["floor"]) == (verdict, size, floor)
    assert (context["estimate"], context["lower"], context["upper"]) == tuple(rho)


def test_contexts_carry_the_numbers_computed(planted, default_config):
    chapter = dep.DeprivationChapter(planted, [], None, None)
    context = words.gradient(chapter, default_config)
    rr, g = planted.rate_ratio, planted.gradient
    assert context["rate_ratio"] == {
        "estimate": rr.estimate,
        "lower": rr.lower,
        "upper": rr.upper,
        "model": planted.decile_model,
    }
    assert (context["irr"]["estimate"], context["irr"]["lower"]) == (g.irr, g.lower)
    assert context["irr"]["change"] == pytest.approx((g.irr - 1) * 100)
    assert context["sii"] < 0  # higher where more deprived: "higher than the least deprived"
    association = words.association(chapter, default_config)
    assert association["rho_imd"]["estimate"] == planted.rho_imd.estimate
    assert association["n_boot"] == dep.N_BOOT


def test_bivariate_palette_is_colour_blind_safe():
    """Every pair of the 9 cells stays >= 10 CIELAB units apart under simulated CVD."""
    machado = {  # Machado, Oliveira & Fernandes (2009), severity 1.0, linear RGB
        "protan": [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ],
        "deutan": [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ],
        "tritan": [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ],
        "normal": np.eye(3),
    }

    def linear(hex_colour):
        c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
        return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)

    def lab(rgb):
        xyz = (
            np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
            @ rgb
            / np.array([0.95047, 1, 1.08883])
        )
        f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    assert len(charts.BIVARIATE) == 9
    for matrix in machado.values():
        colours = [
            lab(np.clip(np.asarray(matrix) @ linear(c), 0, 1)) for c in charts.BIVARIATE.values()
        ]
        gaps = [np.linalg.norm(a - b) for a, b in itertools.combinations(colours, 2)]
        assert min(gaps) >= 10


def test_charts_draw(planted, default_config):
    squares = gpd.GeoDataFrame(
        {"lsoa11_code": planted.table["lsoa11_code"]},
        geometry=[
            box(i % 25 * 100, i // 25 * 100, i % 25 * 100 + 100, i // 25 * 100 + 100)
            for i in range(len(planted.table))
        ],
        crs="EPSG:27700",
    )
    outline = gpd.GeoDataFrame(
        {"lad17_code": ["D1", "D2"], "lad17_name": ["D1", "D2"]},
        geometry=[box(0, 0, 2500, 1000), box(0, 1000, 2500, 2000)],
        crs="EPSG:27700",
    )
    chapter = dep.DeprivationChapter(planted, [], squares, outline)
    config = default_config
    for fig in (
        charts.deciles(planted),
        charts.scatter(planted),
        charts.districts(planted),
        charts.bivariate_map(chapter),
        charts.unexpected_map(chapter),
    ):
        assert isinstance(fig, plt.Figure)
        plt.close(fig)
    deciles = words.deciles_chart(chapter, config)
    assert deciles["rate_ratio"] == planted.rate_ratio.estimate
    assert deciles["first"]["decile"] == 1 and deciles["last"]["decile"] == 10
    cells = dep.bivariate_counts(planted.table)
    bivariate = words.bivariate_map(chapter, config)
    assert bivariate["both_high"] == cells.loc[3, 3] and bivariate["lsoas"] == len(planted.table)
    assert int(cells.to_numpy().sum()) == len(planted.table)
