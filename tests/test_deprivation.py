"""Deprivation chapter: planted gradients, hand calculations, disclosure and the real data."""

from __future__ import annotations

import itertools
import json
import math

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from needs_assessment.chapters.deprivation import analysis as dep
from needs_assessment.chapters.deprivation import charts
from needs_assessment.config import Period
from needs_assessment.definitions import load_definitions
from needs_assessment.methods import stats
from needs_assessment.paths import KERNEL_NAME, ROOT

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
    assert dep.describe_rho(flat.rho_imd).startswith("no clear association")


def test_overdispersed_counts_use_negative_binomial():
    lsoas, events, people = simulated_area(doubling, seed=3, shape=2.0)
    a = dep.analyse(lsoas, events, people, seed=SEED, n_boot=200, with_districts=False)
    assert a.gradient.model == "negative binomial"
    assert a.gradient.dispersion > stats.OVERDISPERSION_THRESHOLD
    assert a.gradient.lower <= 2 ** (1 / 9) <= a.gradient.upper
    poisson_width = math.log(
        dep.fit_gradient(
            a.table["count"],
            a.table["deprivation_step"],
            a.table["person_years"],
            overdispersion_threshold=1e9,
        ).upper
    )
    assert math.log(a.gradient.upper) > poisson_width  # honest, wider interval


def test_rate_ratio_matches_hand_calculation():
    table = pd.DataFrame(
        {
            "lsoa11_code": ["a", "b", "c", "d", "e"],
            "imd_decile": [1, 1, 5, 10, 10],
            "population": [500.0, 500.0, 800.0, 1200.0, 800.0],
            "count": [30, 10, 9, 4, 6],
        }
    )
    table["person_years"] = table["population"] * 6 / 12  # six months
    deciles = dep.decile_table(table)
    assert list(deciles.columns[:7]) == dep.DECILE_COLUMNS
    first = deciles.iloc[0]
    assert (first["lsoas"], first["population"], first["count"]) == (2, 1000, 40)
    assert first["rate_per_1000"] == pytest.approx(40 / 500 * 1000)  # annualised: 80 a year
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


def test_annualised_rate_and_population_average():
    people = pd.DataFrame(
        {
            "lsoa11_code": ["x", "x", "x"],
            "year": [2018, 2019, 2020],
            "population": [1000.0, 1100.0, 1300.0],
        }
    )
    months = ("2018-11", "2018-12", "2019-01", "2021-01")  # 2021 -> nearest year, 2020
    population, years = dep.population_for_months(people, months)
    assert years == {2018: 2, 2019: 1, 2020: 1}
    assert population["x"] == pytest.approx((2 * 1000 + 1100 + 1300) / 4)
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
    assert row["rate_per_1000"] == pytest.approx(11 / 4 * 12 / 1100 * 1000)
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
    assert dep.SYNTHETIC_LABEL in events.source


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
    more = dep.unexpected_list(a.table, dep.MORE)
    assert more["lsoa11_code"].iloc[0] == code
    assert more["ratio_observed_expected"].iloc[0] > 5
    assert len(more) <= 3


def test_nothing_unexpected_without_outliers(flat):
    assert flat.table["unexpected"].isna().all()
    assert "No LSOA departs" in dep.describe_unexpected(flat)


def test_district_gradients_flag_uncertainty():
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
    assert "uncertain in Small" in dep.describe_districts(a.districts)
    assert "fewer than 30 LSOAs" in dep.describe_districts(a.districts)


# -- disclosure ------------------------------------------------------------------------------


def test_secondary_cells_cover_both_published_totals():
    counts = np.array([3, 20, 30, 40, 50, 60], dtype=float)
    primary = np.array([True, False, False, False, False, False])
    districts = np.array(["A", "A", "A", "B", "B", "B"])
    deciles = np.array([1, 2, 3, 1, 2, 3])
    hidden = dep.secondary_cells(counts, primary, [districts, deciles])
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
    safe = dep.published_lsoas(table, default_config)
    assert pd.isna(safe.loc[0, "count"]) and safe.loc[0, "count_marker"] == "[c]"
    assert pd.isna(safe.loc[0, "rate_per_1000"]) and pd.isna(safe.loc[0, "ratio_observed_expected"])
    assert safe.loc[1, "count"] == 8 and safe.loc[1, "rate_per_1000_marker"] == "[low]"
    shown = safe["count"].dropna()
    assert not shown.between(1, 5).any()
    low = safe["count"].notna() & (safe["count"] < 10)
    assert safe.loc[low, "rate_per_1000"].isna().all()
    hidden = safe["count"].isna().to_numpy()
    for column in ("district_code", "imd_decile"):
        assert (pd.Series(hidden).groupby(safe[column].to_numpy()).sum() != 1).all()


def test_published_decile_columns_exactly(planted, default_config):
    table = dep.published_deciles(planted.deciles, default_config)
    assert list(table.columns) == dep.DECILE_COLUMNS


# -- words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rho, words",
    [
        (
            stats.Interval(0.41, 0.33, 0.49),
            "a moderate positive association: rho 0.41, 95% CI 0.33 to 0.49",
        ),
        (
            stats.Interval(0.71, 0.65, 0.75),
            "a very strong positive association: rho 0.71, 95% CI 0.65 to 0.75 (at least strong)",
        ),
        (
            stats.Interval(-0.2, -0.3, -0.12),
            "a weak negative association: rho −0.20, 95% CI −0.30 to −0.12",
        ),
        (
            stats.Interval(0.05, -0.04, 0.13),
            "no clear association (negligible at most: rho 0.05, 95% CI −0.04 to 0.13)",
        ),
    ],
)
def test_describe_rho(rho, words):
    assert dep.describe_rho(rho) == words


def test_prose_states_the_numbers_it_computed(planted):
    text = dep.describe_gradient(planted)
    rr, g = planted.rate_ratio, planted.gradient
    assert f"{rr.estimate:.2f} (95% CI {rr.lower:.2f} to {rr.upper:.2f})" in text
    assert (
        f"{g.irr:.3f}, the incidence rate ratio (IRR) per decile (95% CI {g.lower:.3f} to "
        f"{g.upper:.3f}" in text
    )
    assert "higher than at the least deprived end" in text
    association = dep.describe_association(planted)
    assert f"rho {planted.rho_imd.estimate:.2f}" in association and "income domain" in association


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


def test_charts_draw(planted):
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
    for fig in (
        charts.deciles(planted),
        charts.scatter(planted),
        charts.districts(planted),
        charts.bivariate_map(chapter),
        charts.unexpected_map(chapter),
    ):
        assert isinstance(fig, plt.Figure)
        plt.close(fig)
    assert "rate ratio of" in dep.alt_deciles(planted)
    bivariate = dep.alt_bivariate(planted, "X")
    assert "LSOAs are in the most deprived and highest-rate third" in bivariate


# -- the real data ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(default_config):
    from needs_assessment.prepare import prepare, read

    prepare(default_config)
    return dep.build(default_config, load_definitions(default_config.definitions), read)


def test_real_area_and_months(real):
    h = real.headline
    assert len(h.table) == 487
    assert h.table["district"].value_counts().to_dict() == {
        "Peterborough": 112,
        "Huntingdonshire": 105,
        "South Cambridgeshire": 96,
        "Cambridge": 69,
        "Fenland": 55,
        "East Cambridgeshire": 50,
    }
    assert h.events.months == (
        "2018-10",
        "2018-11",
        "2018-12",
        "2019-01",
        "2019-02",
        "2019-08",
        "2021-01",
    )
    assert h.events.crime_types == ("Violence and sexual offences",)
    # police.uk: 11,686 rows' worth of crimes, less 441 with no location and 131 outside
    assert (h.events.total, h.events.no_location, h.events.outside_area) == (11_114, 441, 131)
    assert h.population_years == {2018: 3, 2019: 3, 2020: 1}
    assert h.deciles["count"].sum() == h.events.total


def test_real_results(real):
    h = real.headline
    assert h.rho_imd.estimate == pytest.approx(0.7069, abs=1e-3)
    assert (h.rho_imd.lower, h.rho_imd.upper) == pytest.approx((0.652, 0.7524), abs=2e-3)
    assert h.rho_income.estimate == pytest.approx(0.7092, abs=1e-3)
    assert (h.rate_ratio.estimate, h.rate_ratio.lower, h.rate_ratio.upper) == pytest.approx(
        (4.8468, 4.3818, 5.3610), abs=1e-3
    )
    assert h.gradient.model == "negative binomial"
    assert (h.gradient.irr, h.gradient.lower, h.gradient.upper) == pytest.approx(
        (1.1947, 1.1736, 1.2162), abs=1e-3
    )
    assert h.inequality.sii < 0 and h.inequality.rii < 1


def test_real_measures_and_synthetic_label(real, default_config):
    labels = [a.events.label for a in real.analyses]
    assert labels[:3] == [
        "Violence and sexual offences (police.uk)",
        "Robbery",
        "Possession of weapons",
    ]
    if default_config.data.force_extract_is_synthetic:
        knife = real.analyses[3]
        assert knife.events.synthetic and dep.SYNTHETIC_LABEL in knife.events.source
        assert len(knife.events.months) == 144
        assert dep.SYNTHETIC_LABEL in dep.describe_caveats(real)
        assert dep.SYNTHETIC_LABEL in dep.tier_note(real)
    caveats = dep.describe_caveats(real)
    assert "broader than serious violence" in caveats and "crime domain" in caveats
    record = dep.results(real)
    json.dumps(record)
    assert record["months_pooled"] == 7 and record["lsoas"] == 487


@pytest.mark.e2e
def test_notebook_runs_under_papermill(tmp_path):
    import papermill

    out = tmp_path / "out"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "02_deprivation.ipynb"),
        str(tmp_path / "run.ipynb"),
        parameters={"config_path": "config/cambridgeshire-2021.yaml", "output_dir": str(out)},
        kernel_name=KERNEL_NAME,
        cwd=str(ROOT),
        progress_bar=False,
        execution_timeout=300,
    )
    deciles = pd.read_csv(out / "tables" / "deprivation_by_decile.csv")
    assert list(deciles.columns) == dep.DECILE_COLUMNS
    lsoas = pd.read_csv(out / "tables" / "deprivation_lsoa.csv")
    assert len(lsoas) == 487
    assert set(dep.LSOA_COLUMNS) <= set(lsoas.columns)
    assert not lsoas["count"].dropna().between(1, 5).any()
    assert lsoas.loc[lsoas["count"] < 10, "rate_per_1000"].isna().all()
    districts = pd.read_csv(out / "tables" / "deprivation_districts.csv")
    assert set(dep.DISTRICT_COLUMNS) <= set(districts.columns) and len(districts) == 6
    record = json.loads((out / "results" / "deprivation.json").read_text())
    assert record["months_pooled"] == 7 and record["lsoas"] == 487
    assert record["source"] == dep.TIER_POLICE_UK
