"""County Lines chapter: planted market patterns are recovered, small numbers stay uncertain,
outputs are disclosure-safe and labelled, and the shipped demonstration extract gives back the
pattern it was generated with (and a different extract a different one)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from needs_assessment.chapters.county_lines import analysis as cl
from needs_assessment.config import financial_year_label
from needs_assessment.definitions import load_definitions
from needs_assessment.methods import stats
from needs_assessment.prepare import prepare, read

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
    return cl.markets(simulate(PLANTED), definitions, AREA, YEARS)


# -- classification --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, lower, upper, expected",
    [
        (100, 0.55, 0.75, cl.IMPORTING),
        (100, 0.10, 0.30, cl.HOME_GROWN),
        (100, 0.40, 0.60, cl.MIXED),
        (100, 0.50, 0.70, cl.MIXED),  # touching the threshold is not wholly above it
        (19, 0.80, 1.00, cl.TOO_FEW),  # under the minimum: not guessed, however clear
        (0, np.nan, np.nan, cl.TOO_FEW),
    ],
)
def test_classify_rules(n, lower, upper, expected):
    assert cl.classify(n, lower, upper, 0.5, 20) == expected


def test_planted_importing_and_home_grown_districts_are_recovered(planted):
    types = planted.pivot(index="year", columns="district", values="market_type")
    assert (types["Importville"] == cl.IMPORTING).all()
    assert (types["Hometown"] == cl.HOME_GROWN).all()
    assert (types["Midway"] == cl.MIXED).sum() >= len(YEARS) - 1


def test_a_district_with_too_few_offenders_is_uncertain_not_guessed(planted):
    small = planted[planted["district"] == "Smallham"]
    assert (small["supply_offenders"] < 20).all()
    assert (small["import_share"] > 0.5).all()  # the point estimate says importing...
    assert (small["market_type"] == cl.TOO_FEW).all()  # ...but it is not called


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
    table = cl.markets(extract, definitions, AREA, [2015]).set_index("district").loc["Importville"]
    assert table["supply_offences"] == 40 and table["supply_offenders"] == 36
    assert table["from_outside_force"] == 10 and table["from_outside_district"] == 16
    assert table["import_share"] == pytest.approx(10 / 36)


def test_threshold_and_minimum_come_from_the_config(default_config, definitions):
    assert cl.settings(default_config).import_threshold == getattr(
        getattr(default_config, "county_lines", None), "import_threshold", 0.5
    )
    custom = SimpleNamespace(
        county_lines=SimpleNamespace(import_threshold=0.9, min_offenders=5),
        thresholds=default_config.thresholds,
    )
    chosen = cl.settings(custom)
    assert (chosen.import_threshold, chosen.min_offenders) == (0.9, 5)
    table = cl.markets(simulate(PLANTED), definitions, AREA, YEARS, chosen)
    types = table.pivot(index="year", columns="district", values="market_type")
    assert not (types["Importville"] == cl.IMPORTING).any()  # 80% is not wholly above 90%
    assert (types["Smallham"] != cl.TOO_FEW).all()  # 12 offenders pass a minimum of 5


def test_pooling_years_narrows_the_interval(planted):
    pooled = cl.pooled(planted, YEARS).set_index("district")
    assert pooled.loc["Smallham", "market_type"] == cl.IMPORTING  # 72 offenders pooled
    assert pooled.loc["Smallham", "period"] == "2015/16 to 2020/21"


# -- disclosure ----------------------------------------------------------------------------


def test_published_markets_hide_small_counts_and_what_reveals_them():
    table = cl.with_classification(
        pd.DataFrame(
            {
                "district": ["A", "B", "C", "D"],
                "financial_year": "2020/21",
                "supply_offenders": [4, 50, 50, 50],
                "from_outside_force": [2, 3, 48, 30],
                "from_outside_district": [2, 3, 48, 30],
            }
        )
    )
    safe = cl.publishable_markets(table)
    csv = cl.market_csv(safe)
    assert list(csv.columns) == cl.MARKET_COLUMNS
    hidden = csv.set_index("district")
    assert pd.isna(hidden.loc["A", "supply_offenders"])  # 4 offenders
    for district in ("A", "B", "C"):  # 2, 3 outside; 2 local
        assert pd.isna(hidden.loc[district, "from_outside_force"])
        assert pd.isna(hidden.loc[district, "import_share"])
        assert pd.isna(hidden.loc[district, "import_upper_95"])
    assert hidden.loc["D", "from_outside_force"] == 30
    assert hidden.loc["D", "import_share"] == pytest.approx(0.6)
    assert hidden.loc["C", "market_type"] == cl.IMPORTING  # the type stays
    shown = cl.market_display(safe).set_index("Financial year")
    assert shown.loc["2020/21", "B"] == "home-grown: [c]"
    assert shown.loc["2020/21", "D"].startswith("mixed / uncertain: 60% (")


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
    table = cl.origins(extract, definitions, AREA, names, [2015], top=2)
    mine = table[table["district"] == "Importville"]
    assert list(mine["origin"]) == ["Hackney", "Luton", cl.OTHER_ORIGINS]
    assert list(mine["offenders"]) == [12, 7, 3]
    assert mine["share"].sum() == pytest.approx(1)
    assert mine["postcode_districts"].iloc[0] == "E8"
    full = cl.origins(extract, definitions, AREA, names, [2015])
    assert "E07000154" in set(full["origin"])  # no name: the code
    safe = cl.publishable_origins(full).set_index("origin")
    assert pd.isna(safe.loc["E07000154", "offenders"])  # 3: suppressed
    assert pd.isna(safe.loc["Luton", "offenders"])  # the complement
    assert safe.loc["Hackney", "offenders"] == 12


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
    names = cl.area_names(population, boundaries, AREA)
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
    population = cl.district_population_by_year(small_population, AREA, [2015, 2016])
    assert population.loc[population["year"] == 2016, "population_year"].eq(2015).all()
    table = cl.indicators(extract, definitions, AREA, population)
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
    safe = cl.publishable_indicators(table)
    assert pd.isna(safe.loc[row.name, "county_lines_per_1000"])  # 9 events: no rate
    assert safe.loc[row.name, "county_lines_per_1000_marker"] == "[low]"


def test_trends_find_a_planted_rise_and_skip_sparse_series(definitions, small_population):
    extract = pd.concat(
        [rows(int(40 * 1.2**i), year=y, home="E07000002") for i, y in enumerate(YEARS)],
        ignore_index=True,
    )
    population = cl.district_population_by_year(small_population, AREA, YEARS)
    trend = cl.indicator_trends(cl.indicators(extract, definitions, AREA, population))
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
    )
    markets = pd.DataFrame(
        [
            {"district_code": c, "year": y, "market_type": t}
            for c, t in (("E07000001", cl.IMPORTING), ("E07000002", cl.HOME_GROWN))
            for y in YEARS
        ]
    )
    link = cl.violence_link(markets, indicators)
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
        {"district_code": ["E07000001"], "year": [2015], "market_type": [cl.IMPORTING]}
    )
    link = cl.violence_link(markets, indicators)
    assert not link.compared
    assert "could not be compared" in cl.describe_violence_link(link, cl.REAL_LABEL, 1)


def test_hotspot_overlap_detects_shared_hotspots(definitions):
    hot = LSOAS[:4]
    parts = [rows(20 if lsoa in hot else 1, lsoa=lsoa) for lsoa in LSOAS]
    parts += [rows(20 if lsoa in hot else 2, code="8N", lsoa=lsoa) for lsoa in LSOAS]
    overlap = cl.hotspot_overlap(pd.concat(parts, ignore_index=True), definitions, LSOAS)
    assert overlap.hotspots == 4 and overlap.both == 4 and overlap.overlap_share == 1
    assert overlap.expected_share == pytest.approx(0.1)
    assert overlap.p_value < 0.001
    apart = [rows(20 if lsoa in LSOAS[:4] else 1, lsoa=lsoa) for lsoa in LSOAS]
    apart += [rows(20 if lsoa in LSOAS[-4:] else 2, code="8N", lsoa=lsoa) for lsoa in LSOAS]
    separate = cl.hotspot_overlap(pd.concat(apart, ignore_index=True), definitions, LSOAS)
    assert separate.both == 0 and separate.p_value > 0.05


# -- the shipped demonstration extract -----------------------------------------------------


@pytest.fixture(scope="module")
def ready(default_config):
    prepare(default_config)
    return default_config


@pytest.fixture(scope="module")
def demo(ready, definitions):
    return cl.build(ready, definitions, read)


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
    assert demo.synthetic and demo.label == "demonstration data (synthetic)"
    summary = demo.summary.set_index("district")
    assert summary.loc["Cambridge", "years_importing"] >= 9
    assert summary.loc["Cambridge", "whole_market_type"] == cl.IMPORTING
    assert summary.loc["Peterborough", "years_home_grown"] >= 9
    assert summary.loc["Peterborough", "latest_market_type"] == cl.HOME_GROWN
    hunts = demo.markets[demo.markets["district"] == "Huntingdonshire"]
    assert (hunts["import_share"] > 0.5).sum() >= 9  # above half in most years ...
    assert summary.loc["Huntingdonshire", "whole_market_type"] == cl.IMPORTING  # ... and pooled
    assert summary.loc["Huntingdonshire", "recent_market_type"] == cl.IMPORTING
    assert summary.loc["Huntingdonshire", "years_home_grown"] == 0
    assert set(cl.importing_districts(demo.summary)) >= {"Cambridge", "Huntingdonshire"}


def test_a_different_extract_gives_a_different_pattern(ready, definitions):
    extract = flip_homes(read(ready, "force_extract"), ready.area.districts)
    other = cl.build(ready, definitions, read, extract=extract).summary.set_index("district")
    assert other.loc["Peterborough", "years_importing"] >= 9
    assert other.loc["Cambridge", "years_home_grown"] >= 9
    assert other.loc["Huntingdonshire", "whole_market_type"] == cl.HOME_GROWN


def test_demo_origins_are_london_and_nearby_towns(demo):
    origins = demo.origins
    cambridge = origins[
        (origins["district"] == "Cambridge") & (origins["origin"] != cl.OTHER_ORIGINS)
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


def paragraphs(text: str) -> list[str]:
    """Markdown paragraphs; a bullet list belongs to the sentence that introduces it."""
    blocks: list[str] = []
    for block in text.split("\n\n"):
        if block.startswith("- ") and blocks:
            blocks[-1] += "\n\n" + block
        else:
            blocks.append(block)
    return blocks


def test_every_extract_paragraph_and_caption_is_labelled(demo):
    label = "demonstration data (synthetic)"
    texts = [
        cl.describe_method(demo.settings, demo.label),
        cl.describe_markets(demo.summary, demo.label),
        cl.describe_power(demo.summary, demo.settings, demo.label),
        cl.describe_origins(
            cl.publishable_origins(demo.origins), demo.summary, demo.recent_period, demo.label
        ),
        cl.describe_violence_link(demo.violence, demo.label, 6),
        cl.describe_overlap(demo.overlap, demo.label),
        cl.describe_limits(demo.label, 6),
        cl.describe_tiers(True, "C&P"),
        cl.describe_public(demo.public, demo.extract_check, "C&P", True, demo.label),
        cl.alt_import_shares(demo.markets, demo.summary, demo.settings, demo.label),
        cl.alt_map(demo.summary, demo.label),
        cl.alt_indicators(demo.indicators, demo.label),
        cl.alt_origins(demo.origins, demo.summary, demo.recent_period, demo.label),
    ]
    texts.append(cl.describe_indicators(demo.indicators, demo.trends, demo.label))
    for paragraph in (p for t in texts for p in paragraphs(t)):
        assert label in paragraph, paragraph[:80]
    captions = cl.captions(demo, "C&P")
    for key, caption in captions.items():
        assert (label in caption) == (key != "public_figure"), key
    real = cl.describe_markets(demo.summary, cl.data_label(False))
    assert label not in real


def test_words_quote_the_computed_numbers(demo):
    text = cl.describe_markets(demo.summary, demo.label)
    cambridge = demo.summary.set_index("district").loc["Cambridge"]
    share = f"{cambridge['latest_import_share'] * 100:.0f}%"
    assert f"{share} of {cambridge['latest_supply_offenders']:,}" in text
    link = cl.describe_violence_link(demo.violence, demo.label, 6)
    assert f"{demo.violence.rate_ratio:.2f} (95% CI {demo.violence.lower:.2f}" in link


def test_results_record_types_shares_ratio_and_tier(demo):
    results = json.loads(json.dumps(cl.results(demo)))
    assert results["synthetic"] is True
    assert results["latest_market_type"]["Peterborough"] == cl.HOME_GROWN
    assert set(results["latest_market_type"]) == set(demo.districts.values())
    first = results["import_shares"][0]
    assert first["lower_95"] <= first["import_share"] <= first["upper_95"]
    ratio = results["violence_rate_ratio"]
    assert ratio["lower_95"] <= ratio["importing_vs_home_grown"] <= ratio["upper_95"]


def test_published_tables_carry_no_identifiers(demo):
    from needs_assessment.methods.disclosure import assert_no_identifiers

    for table in (
        cl.market_csv(cl.publishable_markets(demo.markets)),
        cl.publishable_indicators(demo.indicators),
        cl.publishable_origins(demo.origins),
    ):
        assert_no_identifiers(table)
        assert not {"offence_reference", "offence_date", "lsoa_code"} & set(table.columns)
    counts = cl.publishable_indicators(demo.indicators)["supply_under_18"].dropna()
    assert not counts.between(1, 5).any()


def test_demo_pooled_shares_contain_the_planted_shares(demo):
    from needs_assessment.demo import SUPPLY_IMPORT_SHARE

    whole = demo.summary.set_index("district_code")
    for code, planted_share in SUPPLY_IMPORT_SHARE.items():
        row = whole.loc[code]
        assert row["whole_import_lower_95"] <= planted_share <= row["whole_import_upper_95"], code
