"""County Lines chapter: planted market patterns are recovered, small numbers stay uncertain,
outputs are disclosure-safe and labelled, and the shipped demonstration extract gives back the
pattern it was generated with (and a different extract a different one)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from needs_assessment import tiers
from needs_assessment.chapters import registry
from needs_assessment.chapters.county_lines import analysis, charts, tables
from needs_assessment.chapters.county_lines import indicators as ind
from needs_assessment.chapters.county_lines import markets as mk
from needs_assessment.chapters.county_lines import violence as vl
from needs_assessment.chapters.county_lines.results import results
from needs_assessment.config import financial_year_label
from needs_assessment.definitions import load_definitions
from needs_assessment.methods import disclosure, stats
from needs_assessment.prepare import read

AREA = {
    "E07000001": "Importville",
    "E07000002": "Hometown",
    "E07000003": "Midway",
    "E07000004": "Smallham",
}
LONDON = "E09000012"
YEARS = list(range(2015, 2021))
LSOAS = [f"E0100{i:04d}" for i in range(40)]


@pytest.fixture(scope="module")
def definitions(default_config):
    return load_definitions(default_config.definitions)


def rows(
    n,
    *,
    code="92A",
    district="E07000001",
    year=2015,
    home=None,
    age=30,
    lsoa=None,
    month=6,
    sharp=False,
    county_lines=False,
    postcode=None,
):
    """``n`` offences in the extract's schema (only the columns the chapter uses)."""
    return pd.DataFrame(
        {
            "home_office_code": code,
            "district_code": district,
            "year": year,
            "financial_year": financial_year_label(year),
            "offence_date": pd.Timestamp(year=year, month=month, day=15),
            "lsoa_code": lsoa or LSOAS[0],
            "sharp_instrument": sharp,
            "firearm": False,
            "offender_age": pd.array([age] * n, dtype="Int64"),
            "offender_home_district": pd.array([home] * n, dtype="string"),
            "offender_postcode_district": pd.array([postcode] * n, dtype="string"),
            "county_lines": county_lines,
        },
        index=range(n),
    )


def simulate(
    plan: dict[str, tuple[int, float]], seed: int = 7, unknown: float = 0.1
) -> pd.DataFrame:
    """Supply offences: per district (offenders a year, planted share from outside the force).

    Local offenders live in their own district; outsiders in Hackney; some homes unknown."""
    rng = np.random.default_rng(seed)
    parts = []
    for year in YEARS:
        for district, (n, share) in plan.items():
            draw = rng.random(n)
            home = np.where(rng.random(n) < unknown, None, np.where(draw < share, LONDON, district))
            frame = rows(n, district=district, year=year)
            frame["offender_home_district"] = pd.array(home, dtype="string")
            parts.append(frame)
    return pd.concat(parts, ignore_index=True)


PLANTED = {
    "E07000001": (200, 0.80),
    "E07000002": (200, 0.15),
    "E07000003": (200, 0.50),
    "E07000004": (12, 0.90),
}


@pytest.fixture(scope="module")
def planted(definitions):
    return mk.markets(simulate(PLANTED), definitions, AREA, YEARS)


# -- classification --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, share, expected",
    [
        (100, 0.65, mk.IMPORTING),
        (100, 0.20, mk.HOME_GROWN),
        (100, 0.50, mk.MIXED),  # exactly on the threshold
        (19, 0.90, mk.TOO_FEW),  # under the minimum: not guessed, however clear
        (0, np.nan, mk.TOO_FEW),
    ],
)
def test_classify_on_the_share_itself(n, share, expected):
    assert mk.classify(n, share, 0.5, 20) == expected


@pytest.mark.parametrize(
    "market_type, lower, upper, expected",
    [
        (mk.IMPORTING, 0.55, 0.75, mk.CLEAR),
        (mk.IMPORTING, 0.45, 0.75, mk.UNCERTAIN),
        (mk.HOME_GROWN, 0.10, 0.30, mk.CLEAR),
        (mk.HOME_GROWN, 0.30, 0.50, mk.UNCERTAIN),  # touching the threshold is not clear
        (mk.TOO_FEW, 0.80, 0.95, None),
    ],
)
def test_certainty_is_stated_separately(market_type, lower, upper, expected):
    assert mk.certainty(market_type, lower, upper, 0.5) == expected


def test_planted_importing_and_home_grown_districts_are_recovered(planted):
    types = planted.pivot(index="year", columns="district", values="market_type")
    sure = planted.pivot(index="year", columns="district", values="certainty")
    assert (types["Importville"] == mk.IMPORTING).all() and (sure["Importville"] == mk.CLEAR).all()
    assert (types["Hometown"] == mk.HOME_GROWN).all() and (sure["Hometown"] == mk.CLEAR).all()
    assert (sure["Midway"] == mk.UNCERTAIN).sum() >= len(YEARS) - 1


def test_a_district_with_too_few_offenders_is_uncertain_not_guessed(planted):
    small = planted[planted["district"] == "Smallham"]
    assert (small["supply_offenders"] < 20).all()
    assert (small["import_share"] > 0.5).all()  # the point estimate says importing...
    assert (small["market_type"] == mk.TOO_FEW).all()  # ...but it is not called
    assert small["certainty"].isna().all()


def test_years_and_pool_agree_on_the_type_and_differ_in_certainty(definitions):
    """A leaning market (42% from outside, 30 offenders a year): home-grown every year but
    uncertain, home-grown and clear pooled (the old interval rule said "mixed" each year)."""
    extract = simulate({"E07000001": (30, 0.42)}, seed=3, unknown=0)
    years = mk.markets(extract, definitions, AREA, YEARS)
    mine = years[years["district"] == "Importville"]
    assert (mine["market_type"] == mk.HOME_GROWN).sum() >= len(YEARS) - 1
    assert (mine["certainty"] == mk.UNCERTAIN).sum() >= len(YEARS) - 1
    pooled = mk.pooled(extract, definitions, AREA, YEARS).set_index("district")
    assert pooled.loc["Importville", "market_type"] == mk.HOME_GROWN
    assert pooled.loc["Importville", "certainty"] == mk.CLEAR


def test_usual_type_counts_classified_years_only(definitions):
    extract = pd.concat(
        [
            rows(
                10 if year < 2018 else 40, year=year, home=LONDON if i % 5 else "E07000001"
            ).assign(offender_id=[f"p{year}-{j}" for j in range(10 if year < 2018 else 40)])
            for i, year in enumerate(YEARS)
        ],
        ignore_index=True,
    )
    table = mk.markets(extract, definitions, AREA, YEARS)
    whole = mk.pooled(extract, definitions, AREA, YEARS)
    summary = mk.district_summary(table, whole, whole).set_index("district")
    row = summary.loc["Importville"]
    assert (row["years_too_few"], row["years_classified"]) == (3, 3)
    assert row["usual_market_type"] == mk.IMPORTING  # 3 of 3 classified, not 3 of 6
    assert summary.loc["Smallham", "usual_market_type"] == mk.TOO_FEW  # nothing classified


def test_people_are_counted_once_with_their_usual_home(definitions):
    repeat = rows(10, home=LONDON).assign(offender_id="p1")
    repeat.loc[0, "offender_home_district"] = "E07000001"  # one offence records a local home
    local = rows(10, home="E07000001").assign(offender_id=[f"q{i}" for i in range(10)])
    no_id = rows(2, home=LONDON).assign(offender_id=pd.NA)
    extract = pd.concat([repeat, local, no_id], ignore_index=True)
    row = mk.markets(extract, definitions, AREA, [2015]).set_index("district").loc["Importville"]
    assert row["supply_offences"] == 22
    assert row["supply_offenders"] == 13  # p1 once, 10 local people, 2 offences without an id
    assert row["from_outside_force"] == 3  # p1 lives in Hackney (9 of 10 records)
    assert mk.unit(extract) == mk.PEOPLE
    by_offence = mk.markets(extract.drop(columns="offender_id"), definitions, AREA, [2015])
    assert by_offence.set_index("district").loc["Importville", "supply_offenders"] == 22
    assert mk.unit(extract.drop(columns="offender_id")) == mk.OFFENCES


def test_pooled_years_count_a_person_once(definitions):
    extract = pd.concat(
        [rows(3, year=y, home=LONDON).assign(offender_id=["a", "b", "c"]) for y in (2015, 2016)],
        ignore_index=True,
    )
    years = mk.markets(extract, definitions, AREA, [2015, 2016])
    assert years.loc[years["district"] == "Importville", "supply_offenders"].sum() == 6
    pooled = mk.pooled(extract, definitions, AREA, [2015, 2016]).set_index("district")
    assert pooled.loc["Importville", "supply_offenders"] == 3


def test_wilson_interval_matches_stats(planted):
    expected = stats.wilson_interval(planted["from_outside_force"], planted["supply_offenders"])
    np.testing.assert_allclose(planted["import_share"], expected.estimate)
    np.testing.assert_allclose(planted["import_lower_95"], expected.lower)
    np.testing.assert_allclose(planted["import_upper_95"], expected.upper)


def test_unknown_homes_are_left_out_and_other_districts_are_not_imports(definitions):
    extract = pd.concat(
        [
            rows(10, home=LONDON),
            rows(20, home="E07000001"),
            rows(6, home="E07000002"),
            rows(4, home=None),
            rows(3, home="E07000002", code="92E"),
        ],
        ignore_index=True,
    )
    table = mk.markets(extract, definitions, AREA, [2015]).set_index("district").loc["Importville"]
    assert table["supply_offences"] == 40 and table["supply_offenders"] == 36
    assert table["from_outside_force"] == 10 and table["from_outside_district"] == 16
    assert table["import_share"] == pytest.approx(10 / 36)


def test_threshold_and_minimum_come_from_the_config(default_config, definitions):
    assert mk.settings(default_config).import_threshold == getattr(
        getattr(default_config, "county_lines", None), "import_threshold", 0.5
    )
    custom = SimpleNamespace(
        county_lines=SimpleNamespace(import_threshold=0.9, min_offenders=5),
        thresholds=default_config.thresholds,
    )
    chosen = mk.settings(custom)
    assert (chosen.import_threshold, chosen.min_offenders) == (0.9, 5)
    table = mk.markets(simulate(PLANTED), definitions, AREA, YEARS, chosen)
    types = table.pivot(index="year", columns="district", values="market_type")
    assert not (types["Importville"] == mk.IMPORTING).any()  # 80% is not above 90%
    assert (types["Smallham"] != mk.TOO_FEW).all()  # 12 offenders pass a minimum of 5


def test_pooling_years_narrows_the_interval(planted, definitions):
    pooled = mk.pooled(simulate(PLANTED), definitions, AREA, YEARS).set_index("district")
    assert pooled.loc["Smallham", "market_type"] == mk.IMPORTING  # 72 offenders pooled
    assert pooled.loc["Smallham", "certainty"] == mk.CLEAR
    assert pooled.loc["Smallham", "period"] == "2015/16 to 2020/21"


# -- disclosure ----------------------------------------------------------------------------


def one_year(n, k, settings: mk.Settings = mk.DEFAULT_SETTINGS) -> pd.DataFrame:
    """A classified market table of one year, a district per pair of counts."""
    names = list(AREA.values())[: len(n)]
    return mk.with_classification(
        pd.DataFrame(
            {
                "district_code": list(AREA)[: len(n)],
                "district": names,
                "year": 2020,
                "financial_year": "2020/21",
                "supply_offenders": n,
                "from_outside_force": k,
                "from_outside_district": k,
            }
        ),
        settings,
    )


def test_published_markets_hide_small_counts_and_what_reveals_them():
    safe = tables.publishable_markets(one_year([4, 50, 50, 50], [2, 3, 48, 30]))
    csv = tables.market_csv(safe)
    assert list(csv.columns) == tables.MARKET_COLUMNS
    hidden = csv.set_index("district")
    assert pd.isna(hidden.loc["Importville", "supply_offenders"])  # 4 offenders
    for district in ("Importville", "Hometown", "Midway"):  # 2, 3 outside; 2 local
        assert pd.isna(hidden.loc[district, "from_outside_force"])
        assert pd.isna(hidden.loc[district, "import_share"])
        assert pd.isna(hidden.loc[district, "import_upper_95"])
        assert pd.isna(hidden.loc[district, "certainty"])  # "clear" would bound the count
    assert hidden.loc["Smallham", "from_outside_force"] == 30
    assert hidden.loc["Smallham", "import_share"] == pytest.approx(0.6)
    assert hidden.loc["Midway", "market_type"] == mk.IMPORTING  # the type stays
    shown = tables.market_display(safe).set_index("Financial year")
    assert shown.loc["2020/21", "Hometown"] == "home-grown: [c]"
    assert shown.loc["2020/21", "Smallham"].startswith("importing, uncertain: 60% (")


def test_a_type_that_would_bound_a_hidden_count_is_hidden():
    settings = mk.Settings(min_offenders=8)
    safe = tables.publishable_markets(one_year([20, 10, 9, 8], [5, 5, 6, 3], settings), settings)
    types = safe.set_index("district")["market_type"]
    assert safe["from_outside_force"].isna().all()
    assert types["Importville"] == mk.HOME_GROWN  # 5 of 20: "home-grown" only says under 10
    assert pd.isna(types["Hometown"])  # 5 of 10: "mixed" would say exactly 5
    assert pd.isna(types["Midway"])  # 6 of 9: "importing" would say at most 4 live inside
    assert pd.isna(types["Smallham"])  # 3 of 8: "home-grown" would say at most 3 outside
    few = one_year([3], [1])
    assert tables.publishable_markets(few)["market_type"].iloc[0] == mk.TOO_FEW  # under 20
    five = mk.Settings(min_offenders=5)
    assert pd.isna(tables.publishable_markets(one_year([3], [1], five), five)["market_type"][0])


def test_pooled_figures_cannot_give_back_a_hidden_year(definitions):
    """East Cambridgeshire's leak: one recent year's count from outside was hidden, yet the
    pooled share times the pooled offenders minus the shown years gave it back."""
    plan = [(30, 12), (30, 13), (30, 11), (25, 5), (28, 14), (26, 9)]
    table = mk.with_classification(
        pd.DataFrame(
            {
                "district_code": "E07000001",
                "district": "Importville",
                "year": YEARS,
                "financial_year": [financial_year_label(y) for y in YEARS],
                "supply_offenders": [n for n, _ in plan],
                "from_outside_force": [k for _, k in plan],
                "from_outside_district": [k for _, k in plan],
            }
        )
    )
    safe = tables.publishable_markets(table)
    recent = table["year"].isin(mk.recent_years(table))
    hidden = safe["from_outside_force"].isna()
    assert hidden[3]  # 5 from outside: primary
    assert hidden[recent].sum() >= 2  # and another recent year with it
    groups = tables.pool_labels(table)
    totals = {g: table.loc[groups == g, "from_outside_force"].sum() for g in set(groups)}
    bounds = disclosure.bounds_from_totals(safe["from_outside_force"], [groups], [totals])
    assert disclosure.exposed(bounds, 5).empty
    only_small = table["from_outside_force"].mask(table.index == 3)
    attack = disclosure.bounds_from_totals(only_small, [groups], [totals])
    assert list(disclosure.exposed(attack, 5).index) == [3]  # hiding it alone would not do


def test_origins_are_named_ranked_and_suppressed(definitions):
    extract = pd.concat(
        [
            rows(12, home=LONDON, postcode="E8"),
            rows(7, home="E06000032", postcode="LU1"),
            rows(3, home="E07000154", postcode="NN1"),
            rows(9, home="E07000001"),
        ],
        ignore_index=True,
    )
    names = {LONDON: "Hackney", "E06000032": "Luton"}
    table = mk.origins(extract, definitions, AREA, names, [2015], top=2)
    mine = table[table["district"] == "Importville"]
    assert list(mine["origin"]) == ["Hackney", "Luton", mk.OTHER_ORIGINS]
    assert list(mine["offenders"]) == [12, 7, 3]
    assert mine["share"].sum() == pytest.approx(1)
    assert mine["postcode_districts"].iloc[0] == "E8"
    full = mk.origins(extract, definitions, AREA, names, [2015])
    assert "E07000154" in set(full["origin"])  # no name: the code
    safe = tables.publishable_origins(full).set_index("origin")
    assert pd.isna(safe.loc["E07000154", "offenders"])  # 3: suppressed
    assert pd.isna(safe.loc["Luton", "offenders"])  # the complement
    assert safe.loc["Hackney", "offenders"] == 12


def test_postcode_minimum_follows_the_suppression_threshold(definitions, small_population):
    extract = pd.concat(
        [
            rows(7, home=LONDON, postcode="E8").assign(offender_id=[f"a{i}" for i in range(7)]),
            rows(12, home=LONDON, postcode="N1").assign(offender_id=[f"b{i}" for i in range(12)]),
            rows(20, home="E07000001").assign(offender_id=[f"c{i}" for i in range(20)]),
        ],
        ignore_index=True,
    )

    def postcodes(threshold: int) -> str:
        chosen = mk.Settings(suppress_counts_up_to=threshold)
        parts = analysis.analyse(
            extract, definitions, AREA, small_population, LSOAS, [2015], chosen
        )
        return parts["origins"].set_index("origin_code").loc[LONDON, "postcode_districts"]

    assert postcodes(5) == "N1, E8"  # 7 and 12 people: both more than 5
    assert postcodes(9) == "N1"  # 7 people is not more than 9


def test_area_names_prefer_current_then_older_codes():
    population = pd.DataFrame(
        {
            "code": ["E06000032", "E06000032"],
            "name": ["Luton", "Luton"],
            "year": [2019, 2020],
            "population": [1, 1],
        }
    )
    boundaries = pd.DataFrame({"lad17_code": ["E07000154"], "lad17_name": ["Northampton"]})
    names = mk.area_names(population, boundaries, AREA)
    assert names["E06000032"] == "Luton" and names["E07000154"] == "Northampton"
    assert names["E07000001"] == "Importville"


# -- indicators ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_population():
    return pd.DataFrame(
        [
            {"code": c, "name": n, "year": y, "population": 100_000}
            for c, n in AREA.items()
            for y in (2014, 2015)
        ]
    )


def test_indicators_count_rate_and_share(definitions, small_population):
    extract = pd.concat(
        [
            rows(30, home="E07000001", age=16),  # supply, under 18
            rows(70, home="E07000001", age=30, lsoa=LSOAS[1]),  # supply, adults
            rows(2, code="10D", lsoa=LSOAS[0]),  # weapons in LSOA 0, June
            rows(5, code="10D", lsoa=LSOAS[1], month=7),  # weapons in LSOA 1, July
            rows(50, code="92E"),  # possession
            rows(8, code="8N", sharp=True),  # violence with injury + knife
            rows(4, code="34B", sharp=True),  # knife robbery only
            rows(6, code="34B"),  # robbery without a knife
            rows(9, code="92E", county_lines=True),
        ],
        ignore_index=True,
    )
    population = ind.district_population_by_year(small_population, AREA, [2015, 2016])
    assert population.loc[population["year"] == 2016, "population_year"].eq(2015).all()
    table = ind.indicators(extract, definitions, AREA, population)
    row = table[(table["district"] == "Importville") & (table["year"] == 2015)].iloc[0]
    assert row["supply_offences"] == 100 and row["possession_offences"] == 59
    assert row["supply_per_1000"] == pytest.approx(stats.rate_interval(100, 100_000).estimate)
    assert row["supply_to_possession"] == pytest.approx(100 / 59)
    assert row["under_18_share"] == pytest.approx(0.3)
    assert row["under_18_lower_95"] == pytest.approx(stats.wilson_interval(30, 100).lower)
    assert row["weapon_linked_supply"] == 30  # only LSOA 0 in June
    assert row["serious_violence"] == 12  # 8N once, knife robbery
    assert row["county_lines_flagged"] == 9
    empty = table[(table["district"] == "Smallham") & (table["year"] == 2016)].iloc[0]
    assert empty["supply_offences"] == 0 and pd.isna(empty["under_18_share"])
    safe = tables.publishable_indicators(table)
    assert pd.isna(safe.loc[row.name, "county_lines_per_1000"])  # 9 events: no rate
    assert safe.loc[row.name, "county_lines_per_1000_marker"] == "[low]"


def test_trends_find_a_planted_rise_and_skip_sparse_series(definitions, small_population):
    extract = pd.concat(
        [rows(int(40 * 1.2**i), year=y, home="E07000002") for i, y in enumerate(YEARS)],
        ignore_index=True,
    )
    population = ind.district_population_by_year(small_population, AREA, YEARS)
    trend = ind.indicator_trends(ind.indicators(extract, definitions, AREA, population))
    supply = trend[(trend["district"] == "Importville") & (trend["indicator"] == "supply_offences")]
    assert supply["direction"].iloc[0] == "rising"
    assert supply["lower_95"].iloc[0] < 20 < supply["upper_95"].iloc[0]
    sparse = trend[(trend["district"] == "Smallham") & (trend["indicator"] == "supply_offences")]
    assert sparse["model"].iloc[0].startswith("not fitted")


# -- violence ------------------------------------------------------------------------------


def test_violence_rate_ratio_recovers_a_planted_ratio():
    indicators = pd.DataFrame(
        [
            {
                "district_code": c,
                "district": AREA[c],
                "year": y,
                "population": 100_000,
                "serious_violence": v,
            }
            for c, v in (("E07000001", 1_000), ("E07000002", 500))
            for y in YEARS
        ]
        + [
            {"district_code": "E07000003", "district": "Midway", "year": 2015}
            | {"population": 100_000, "serious_violence": 50_000}
        ]
    )
    markets = pd.DataFrame(
        [
            {"district_code": c, "year": y, "market_type": t, "certainty": mk.CLEAR}
            for c, t in (("E07000001", mk.IMPORTING), ("E07000002", mk.HOME_GROWN))
            for y in YEARS
        ]
        + [  # an uncertain year is left out
            {"district_code": "E07000003", "year": 2015, "market_type": mk.IMPORTING}
            | {"certainty": mk.UNCERTAIN}
        ]
    )
    link = vl.violence_link(markets, indicators)
    assert link.rate_ratio == pytest.approx(2.0)
    expected = stats.rate_ratio_interval(6_000, 600_000, 3_000, 600_000)
    assert (link.lower, link.upper) == pytest.approx((expected.lower, expected.upper))
    assert link.adjusted_rate_ratio == pytest.approx(2.0)
    assert link.importing_districts == ["Importville"]


def test_violence_not_compared_without_both_market_types():
    indicators = pd.DataFrame(
        {
            "district_code": ["E07000001"],
            "district": ["Importville"],
            "year": [2015],
            "population": [1_000],
            "serious_violence": [5],
        }
    )
    markets = pd.DataFrame(
        {
            "district_code": ["E07000001"],
            "year": [2015],
            "market_type": [mk.IMPORTING],
            "certainty": [mk.CLEAR],
        }
    )
    link = vl.violence_link(markets, indicators)
    assert not link.compared


def test_hotspot_overlap_detects_shared_hotspots(definitions):
    hot = LSOAS[:4]
    parts = [rows(20 if lsoa in hot else 1, lsoa=lsoa) for lsoa in LSOAS]
    parts += [rows(20 if lsoa in hot else 2, code="8N", lsoa=lsoa) for lsoa in LSOAS]
    overlap = vl.hotspot_overlap(pd.concat(parts, ignore_index=True), definitions, LSOAS)
    assert overlap.hotspots == 4 and overlap.both == 4 and overlap.overlap_share == 1
    assert overlap.expected_share == pytest.approx(0.1)
    assert overlap.p_value < 0.001
    apart = [rows(20 if lsoa in LSOAS[:4] else 1, lsoa=lsoa) for lsoa in LSOAS]
    apart += [rows(20 if lsoa in LSOAS[-4:] else 2, code="8N", lsoa=lsoa) for lsoa in LSOAS]
    separate = vl.hotspot_overlap(pd.concat(apart, ignore_index=True), definitions, LSOAS)
    assert separate.both == 0 and separate.p_value > 0.05


# -- the shipped demonstration extract -----------------------------------------------------


@pytest.fixture(scope="module")
def demo(ready):
    return registry.build("county_lines", ready)


def inputs(config, **replace) -> dict:
    """The processed tables the chapter's build asks for, some replaced."""
    tables = {name: read(config, name) for name in registry.inputs("county_lines")}
    return tables | replace


def flip_homes(extract: pd.DataFrame, districts) -> pd.DataFrame:
    """Supply offenders from outside now live in the district of the offence, and local ones
    in Hackney: the same offences, the opposite market."""
    flipped = extract.copy()
    supply = flipped["home_office_code"].eq("92A")
    home = flipped["offender_home_district"]
    known = supply & home.notna()
    inside = known & home.isin(list(districts))
    flipped.loc[known & ~inside, "offender_home_district"] = flipped.loc[
        known & ~inside, "district_code"
    ]
    flipped.loc[inside, "offender_home_district"] = LONDON
    return flipped


def test_demo_extract_gives_back_its_planted_pattern(demo):
    assert demo.synthetic and demo.label == tiers.SYNTHETIC_LABEL
    summary = demo.summary.set_index("district")
    assert summary.loc["Cambridge", "years_importing"] >= 9
    assert summary.loc["Cambridge", "whole_market_type"] == mk.IMPORTING
    assert summary.loc["Peterborough", "years_home_grown"] >= 9
    assert summary.loc["Peterborough", "latest_market_type"] == mk.HOME_GROWN
    hunts = demo.markets[demo.markets["district"] == "Huntingdonshire"]
    assert (hunts["import_share"] > 0.5).sum() >= 9  # above half in most years ...
    assert summary.loc["Huntingdonshire", "whole_market_type"] == mk.IMPORTING  # ... and pooled
    assert summary.loc["Huntingdonshire", "recent_market_type"] == mk.IMPORTING
    assert summary.loc["Huntingdonshire", "usual_market_type"] == mk.IMPORTING
    assert set(demo.importing) >= {"Cambridge", "Huntingdonshire"}


def test_a_different_extract_gives_a_different_pattern(ready, definitions):
    extract = flip_homes(read(ready, "force_extract"), ready.area.districts)
    other = analysis.build(ready, definitions, **inputs(ready, force_extract=extract))
    other = other.summary.set_index("district")
    assert other.loc["Peterborough", "years_importing"] >= 9
    assert other.loc["Cambridge", "years_home_grown"] >= 9
    assert other.loc["Huntingdonshire", "whole_market_type"] == mk.HOME_GROWN


def test_demo_origins_are_london_and_nearby_towns(demo):
    origins = demo.origins
    cambridge = origins[
        (origins["district"] == "Cambridge") & (origins["origin"] != mk.OTHER_ORIGINS)
    ]
    assert set(cambridge["origin"].head(5)) <= {
        "Hackney",
        "Haringey",
        "Enfield",
        "Luton",
        "Waltham Forest",
        "Islington",
        "Bedford",
    }
    peterborough = origins[origins["district"] == "Peterborough"]
    assert "Northampton" in set(peterborough["origin"].head(3))  # 2017 code, named


def test_public_cross_check_uses_real_ons_numbers(demo):
    force = demo.public[demo.public["area_type"] == "force"].set_index("financial_year")
    assert force.loc["2017/18", "count"] == 1_423  # ONS, real
    assert force.loc["2018/19", "vs_england_wales"] == "Lower"
    assert force.loc["2018/19", "england_wales_rate_per_1000"] == pytest.approx(2.523, abs=1e-3)
    assert (demo.extract_check["difference"] == 0).all()  # calibrated to ONS totals


def test_results_record_types_shares_ratio_and_tier(demo):
    recorded = json.loads(json.dumps(results(demo).model_dump(mode="json")))
    assert recorded["synthetic"] is True
    assert recorded["data_label"] == tiers.SYNTHETIC_LABEL
    assert recorded["latest_market_type"]["Peterborough"] == mk.HOME_GROWN
    assert set(recorded["latest_market_type"]) == set(demo.districts.values())
    first = recorded["import_shares"][0]
    assert first["lower_95"] <= first["import_share"] <= first["upper_95"]
    ratio = recorded["violence_rate_ratio"]
    assert ratio["lower_95"] <= ratio["importing_vs_home_grown"] <= ratio["upper_95"]


def test_published_tables_carry_no_identifiers(demo):
    from needs_assessment.methods.disclosure import assert_no_identifiers

    for table in (
        tables.market_csv(tables.publishable_markets(demo.markets)),
        tables.publishable_indicators(demo.indicators),
        tables.publishable_origins(demo.origins),
    ):
        assert_no_identifiers(table)
        assert not {"offence_reference", "offence_date", "lsoa_code"} & set(table.columns)
    counts = tables.publishable_indicators(demo.indicators)["supply_under_18"].dropna()
    assert not counts.between(1, 5).any()


def test_demo_pooled_shares_contain_the_planted_shares(demo):
    from needs_assessment.demo import SUPPLY_IMPORT_SHARE

    whole = demo.summary.set_index("district_code")
    for code, planted_share in SUPPLY_IMPORT_SHARE.items():
        row = whole.loc[code]
        assert row["whole_import_lower_95"] <= planted_share <= row["whole_import_upper_95"], code


# -- the chapter's shape: inputs, results block, charts ------------------------------------


def test_build_asks_for_the_tables_it_reads():
    assert set(registry.inputs("county_lines")) == {
        "force_extract",
        "district_population",
        "district_boundaries",
        "lsoa_lookup",
        "recorded_crime",
        "pfa_offence_groups",
        "pfa_knife",
        "force_population",
        "force_context",
    }


def test_build_without_an_extract_says_what_is_missing(ready, definitions):
    with pytest.raises(ValueError, match="force offence extract"):
        analysis.build(ready, definitions, **inputs(ready, force_extract=None))


def test_results_keep_the_keys_results_json_had(demo):
    recorded = results(demo).model_dump(mode="json")
    assert list(recorded) == [
        "synthetic",
        "data_label",
        "import_threshold",
        "min_offenders",
        "offenders_counted_as",
        "latest_year",
        "latest_market_type",
        "latest_certainty",
        "usual_market_type",
        "recent_period",
        "recent_market_type",
        "recent_certainty",
        "pooled_import_shares",
        "import_shares",
        "violence_rate_ratio",
        "hotspot_overlap",
        "public_drug_offences",
    ]
    cambridge = recorded["pooled_import_shares"]["recent"]["Cambridge"]
    row = demo.summary.set_index("district").loc["Cambridge"]
    assert cambridge["import_share"] == pytest.approx(row["recent_import_share"])
    assert cambridge["lower_95"] == pytest.approx(row["recent_import_lower_95"])
    assert cambridge["supply_offenders"] == row["recent_supply_offenders"]
    assert cambridge["certainty"] == row["recent_certainty"] == mk.CLEAR
    assert recorded["offenders_counted_as"] == mk.PEOPLE  # the demo extract has offender ids
    published = tables.publishable_markets(demo.markets, demo.settings)
    assert len(recorded["import_shares"]) == published["supply_offenders"].notna().sum()


def test_charts_from_the_extract_carry_the_synthetic_stamp(demo):
    import matplotlib.pyplot as plt

    published = tables.published(demo)
    drawings = {
        "import_shares": lambda s: charts.import_shares(published.markets, demo.settings, s),
        "map": lambda s: charts.market_map(demo.boundaries, tables.published_summary(demo), s),
        "origins": lambda s: charts.origins(
            published.origins, demo.importing, demo.recent_period, s
        ),
        "indicators": lambda s: charts.indicators(demo.indicators, s),
    }
    try:
        for name, draw in drawings.items():
            assert tiers.SYNTHETIC_STAMP in draw(True).get_suptitle(), name
            assert tiers.SYNTHETIC_STAMP not in draw(False).get_suptitle(), name
    finally:
        plt.close("all")


def test_trend_table_header_follows_the_configured_level(demo):
    assert "Change a year (90% CI)" in tables.trend_display(demo.trends, 0.9).columns
    shown = tables.trend_csv(demo.trends)
    assert list(shown.columns[:4]) == ["district_code", "district", "indicator", "label"]
