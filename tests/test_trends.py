"""Trends chapter on the real ONS data: counts, rates, benchmarks and judgements."""

import math

import pandas as pd
import pytest

from needs_assessment.chapters.trends import analysis as trends
from needs_assessment.definitions import load_definitions
from needs_assessment.methods import stats
from needs_assessment.prepare import prepare, read


@pytest.fixture(scope="module")
def ready(default_config):
    prepare(default_config)
    return default_config


@pytest.fixture(scope="module")
def definitions(default_config):
    return load_definitions(default_config.definitions)


@pytest.fixture(scope="module")
def chapter(ready, definitions):
    return trends.build(ready, definitions, read)


def force_value(chapter, category, year, column="count"):
    rows = chapter.series[
        (chapter.series.area_type == "force")
        & (chapter.series.category == category)
        & (chapter.series.financial_year == year)
    ]
    return rows[column].iloc[0]


@pytest.mark.parametrize(
    "category, year, expected",
    [
        ("violence_with_injury", "2017/18", 4_973),
        ("robbery", "2017/18", 669),
        ("possession_of_weapons", "2017/18", 514),
        ("drug_offences", "2017/18", 1_423),
        ("knife_crime", "2017/18", 536),  # newest P5 edition (the March 2018 edition said 535)
        ("knife_crime", "2010/11", 291),
        ("knife_crime", "2018/19", 380),
    ],
)
def test_real_cambridgeshire_counts(chapter, category, year, expected):
    assert force_value(chapter, category, year) == expected


def test_rates_use_that_years_population(chapter):
    assert force_value(chapter, "robbery", "2017/18", "population") == 847_151
    rate, lower, upper = stats.rate_interval(669, 847_151)
    assert force_value(chapter, "robbery", "2017/18", "rate_per_1000") == pytest.approx(
        rate, abs=1e-3
    )
    assert force_value(chapter, "robbery", "2017/18", "rate_lower_95") == pytest.approx(
        lower, abs=1e-3
    )


def test_tiers_say_where_each_year_comes_from(chapter):
    force = chapter.series[chapter.series.area_type == "force"]
    vwi = force[force.category == "violence_with_injury"].set_index("financial_year")
    assert vwi.loc["2017/18", "source_tier"] == trends.TIER_ONS
    assert vwi.loc["2018/19", "source_tier"] == trends.TIER_ONS_TABLES


def test_national_benchmark_is_the_43_territorial_forces(chapter, ready, definitions):
    recorded = read(ready, "recorded_crime")
    march_2018 = recorded[
        (recorded.period_end == pd.Timestamp("2018-03-31"))
        & recorded.is_territorial_force
        & (recorded.offence_group == "Robbery")
    ]
    national = chapter.series[
        (chapter.series.area_type == "national")
        & (chapter.series.category == "robbery")
        & (chapter.series.financial_year == "2017/18")
    ]
    assert int(national["count"].iloc[0]) == int(march_2018["count"].sum())


def test_judgements_follow_the_stated_tests(chapter):
    robbery = chapter.judgements.set_index("category").loc["robbery"]
    assert robbery["financial_year"] == "2018/19"
    z = 2 * (math.sqrt(robbery["count"]) - math.sqrt(robbery["previous_count"])) / math.sqrt(2)
    assert robbery["vs_previous_year"] == (
        "Higher" if z > 1.96 else "Lower" if z < -1.96 else "Comparable"
    )
    inside = robbery["rate_lower_95"] <= robbery["england_wales_rate"] <= robbery["rate_upper_95"]
    assert (robbery["vs_england_wales"] == "Comparable") == inside
    assert robbery["rank_of_forces"].endswith("of 43")


def test_coverage_says_where_real_data_stops(chapter, ready):
    assert chapter.coverage["violence_with_injury"]["last_year"] == "2018/19"
    assert chapter.coverage["knife_crime"]["years_missing"] == ["2019/20", "2020/21", "2021/22"]
    text = trends.describe_coverage(chapter.coverage, ready)
    assert "stop before it ends" in text and "2021/22" in text


def test_context_series_run_past_the_counts(chapter):
    assert chapter.severity["financial_year"].max() == "2021/22"
    force = chapter.severity[chapter.severity.area != trends.NATIONAL].set_index("year")
    assert force.loc[2010, "severity_score"] == pytest.approx(1.96, abs=0.005)
    assert force.loc[2021, "severity_score"] == pytest.approx(4.11, abs=0.005)
    assert chapter.region == "East of England"
    assert len(chapter.admissions) == 10


def test_peers_are_similar_english_forces(chapter):
    peers = list(chapter.peers["force"])
    assert len(peers) == 5 and "Cambridgeshire" not in peers
    assert not {"Dyfed-Powys", "Gwent", "North Wales", "South Wales", "City of London"} & set(peers)


@pytest.mark.parametrize(
    "force, name, code",
    [
        ("Cleveland", "Cleveland", "E23000013"),
        ("Devon and Cornwall", "Devon and Cornwall", "E23000035"),
        ("South Wales", "South Wales", "W15000003"),
    ],
)
def test_another_force_by_config_alone(ready, definitions, force, name, code):
    area = ready.area.model_copy(
        update={"force": force, "display_name": name, "force_code": code, "recording_breaks": []}
    )
    other = trends.build(ready.model_copy(update={"area": area}), definitions, read)
    assert set(other.series.loc[other.series.area_type == "force", "area"]) == {name}
    assert len(other.judgements) == 7
    assert force_value(other, "robbery", "2017/18") != 669


def test_words_quote_the_computed_numbers(chapter):
    text = trends.describe_judgements(chapter.judgements, "C&P")
    vwi = chapter.judgements.set_index("category").loc["violence_with_injury"]
    assert f"{vwi['count']:,} offences in {vwi['financial_year']}" in text
    assert f"{vwi['rate_per_1000']:.2f} per 1,000" in text
    homicide = chapter.judgements.set_index("category").loc["homicide"]
    assert f"{homicide['rate_per_1000']:.3g} per 1,000" in text  # small rates keep 3 figures


def test_districts_and_gun_crime_come_from_the_extract(chapter, ready, definitions):
    districts = chapter.districts
    assert set(districts["area"]) == set(ready.area.districts.values())
    assert (
        districts["source_tier"].eq("Force offence extract: demonstration data (synthetic)").all()
    )
    extract = read(ready, "force_extract")
    vwi = definitions.categories["violence_with_injury"].home_office_codes
    expected = int(
        extract[(extract.year == 2017) & extract.home_office_code.isin(list(vwi))].shape[0]
    )
    got = districts[(districts.category == "violence_with_injury") & (districts.year == 2017)]
    assert int(got["count"].sum()) == expected == 4_973  # the extract is calibrated to ONS
    assert districts.loc[districts.year == 2021, "population_year"].eq(2020).all()
    gun = chapter.gun_crime
    assert len(gun) == 12 and gun["count"].sum() == int(extract["firearm"].sum())


def test_district_table_shows_markers_not_hidden_rates(chapter, ready):
    small = chapter.districts.copy()
    small.loc[small.index[-1], "count"] = 3
    published = trends.publishable_districts(small, ready)
    assert published["count_marker"].eq("[c]").sum() >= 2  # primary and secondary
    table = trends.district_table(published)
    assert "[c]" in table.to_string()
