"""Trends chapter on the real ONS data: counts, rates, benchmarks and judgements."""

import math

import pandas as pd
import pytest

from needs_assessment import force_series, tiers
from needs_assessment.chapters import registry
from needs_assessment.chapters.trends import tables
from needs_assessment.chapters.trends.results import TrendsResults, results
from needs_assessment.definitions import load_definitions
from needs_assessment.methods import change, stats
from needs_assessment.methods.ranks import ordinal
from needs_assessment.paths import RAW_DIR
from needs_assessment.prepare import read
from needs_assessment.sources._common import read_sheet
from needs_assessment.sources.ho_open_data import TERRITORIAL_FORCES
from needs_assessment.sources.ons_pfa_tables import clean_area_name


@pytest.fixture(scope="module")
def definitions(default_config):
    return load_definitions(default_config.definitions)


@pytest.fixture(scope="module")
def chapter(ready):
    return registry.build("trends", ready)


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
        ("robbery", "2019/20", 752),
        ("robbery", "2021/22", 651),
        ("possession_of_weapons", "2021/22", 697),
        ("violence_against_the_person", "2021/22", 25_231),
        ("homicide", "2020/21", 12),
        ("violence_with_injury", "2010/11", 4_529),  # the earlier vintage (ONS rolling-year file)
        ("knife_crime", "2017/18", 536),  # newest P5 edition (the March 2018 edition said 535)
        ("knife_crime", "2010/11", 291),
        ("knife_crime", "2018/19", 380),
    ],
)
def test_real_cambridgeshire_counts(chapter, category, year, expected):
    assert force_value(chapter, category, year) == expected


def test_rates_use_that_years_census_2021_based_population(chapter, ready):
    people = read(ready, "force_population_mye21").set_index(["force", "year"])["population"]
    assert (
        force_value(chapter, "robbery", "2021/22", "population") == people["Cambridgeshire", 2021]
    )
    rate, lower, _ = stats.rate_interval(651, people["Cambridgeshire", 2021])
    assert force_value(chapter, "robbery", "2021/22", "rate") == pytest.approx(rate, abs=1e-3)
    assert force_value(chapter, "robbery", "2021/22", "rate_lower_95") == pytest.approx(
        lower, abs=1e-3
    )
    older = read(ready, "force_population").set_index(["force", "year"])["population"]
    assert force_value(chapter, "robbery", "2010/11", "population") == older["Cambridgeshire", 2010]


@pytest.mark.parametrize(
    "category, per", [("homicide", 1_000_000), ("knife_crime", 100_000), ("robbery", 1_000)]
)
def test_rates_are_per_the_categorys_unit(chapter, category, per):
    rows = chapter.series[chapter.series.category == category]
    assert rows["per"].eq(per).all()
    row = rows.iloc[-1]
    assert row["rate"] == pytest.approx(row["count"] / row["population"] * per, rel=5e-4)


def test_vintages_are_marked_never_blended(chapter):
    force = chapter.series[chapter.series.area_type == "force"]
    vwi = force[force.category == "violence_with_injury"].set_index("financial_year")
    assert vwi.loc["2011/12", "source_tier"] == force_series.TIER_EARLIER
    assert vwi.loc["2011/12", "vintage"] == force_series.EARLIER
    assert vwi.loc["2012/13", "source_tier"] == force_series.TIER_HO
    assert vwi.loc["2012/13", "vintage"] == force_series.CURRENT
    knife = force[force.category == "knife_crime"].set_index("financial_year")
    assert knife.loc["2010/11", "vintage"] == force_series.EARLIER  # the older population
    assert knife.loc["2011/12", "vintage"] == force_series.CURRENT
    assert chapter.coverage["violence_with_injury"]["earlier_vintage"] == ["2010/11", "2011/12"]
    assert "[e]" in tables.rate_table(chapter.series).iloc[0, 1]


def test_national_benchmark_is_the_43_territorial_forces(chapter, ready):
    categories = read(ready, "force_offence_categories")
    forces = categories[(categories.area_type == "force") & (categories.financial_year == 2021)]
    assert forces["area"].nunique() == 43
    assert set(forces["area"]) == TERRITORIAL_FORCES
    robbery = forces[forces.category == "robbery"]["count"].sum()
    national = chapter.series[
        (chapter.series.area_type == "national")
        & (chapter.series.category == "robbery")
        & (chapter.series.financial_year == "2021/22")
    ]
    assert int(national["count"].iloc[0]) == int(robbery)


def test_a_knife_figure_a_later_edition_withdrew_is_never_used(ready, definitions):
    knife = read(ready, "pfa_knife")
    counts = force_series.open_data_counts(_open_data(ready), definitions)
    gmp = counts[(counts.force == "Greater Manchester") & (counts.category == "knife_crime")]
    assert set(gmp["year"]) == set(range(2010, 2017))  # withdrawn for 2017/18 and 2018/19
    kept = force_series.published_knife(knife)
    gmp = kept[kept.area_name == "Greater Manchester"].set_index("period_end")
    withdrawn = pd.to_datetime(["2018-03-31", "2019-03-31", "2018-12-31", "2019-12-31"])
    assert not gmp.index.isin(withdrawn).any()
    assert gmp.loc["2017-03-31", "knife_offences"] == 1_655


def test_judgements_follow_the_stated_tests(chapter):
    robbery = chapter.judgements.set_index("category").loc["robbery"]
    assert robbery["financial_year"] == "2021/22"
    rows = chapter.series[
        (chapter.series.area_type == "force") & (chapter.series.category == "robbery")
    ].sort_values("year")
    before = rows[(rows.year < 2021) & (rows.vintage == "current")]
    fit = change.fit_baseline(before.year, before["count"], before.population, exclude=(2020,))
    for periods, column in ((1, "vs_previous_year"), (3, "vs_three_year_average")):
        current = rows[rows.vintage == "current"]  # 2010/11-2011/12: an earlier vintage
        expected = change.judge_latest(
            current.year, current["count"], current.population, periods, exclude=(2020,)
        )
        assert robbery[column] == expected.judgement
    assert robbery["dispersion"] == pytest.approx(fit.dispersion, abs=0.05)
    assert robbery["dispersion"] > 1  # overdispersed, like most series: the reason for the method
    assert chapter.judgements["dispersion"].max() > 50
    growth = rows.population.iloc[-1] / rows.population.iloc[-2]
    assert robbery["expected_change_on_previous_pct"] == pytest.approx(
        (math.exp(fit.slope) * growth - 1) * 100, abs=0.05
    )
    inside = robbery["rate_lower_95"] <= robbery["benchmark_rate"] <= robbery["rate_upper_95"]
    assert (robbery["vs_england_wales"] == "Comparable") == inside
    assert robbery["rank_of_forces"].endswith("of 42")
    assert robbery["england_wales_rate"] == pytest.approx(robbery["benchmark_rate"], abs=1e-3)


def test_each_judgement_says_whether_its_baseline_includes_the_lockdown(chapter):
    table = chapter.judgements.set_index("category")
    latest = table.loc["violence_with_injury"]  # 2021/22: the previous year is 2020/21
    assert latest["previous_includes_lockdown"] and latest["average_includes_lockdown"]
    assert latest["trend_includes_lockdown"]
    knife = table.loc["knife_crime"]  # 2018/19: before the lockdown
    assert not (knife["previous_includes_lockdown"] or knife["average_includes_lockdown"])
    assert not knife["trend_includes_lockdown"]
    rolling = chapter.rolling.set_index("category")
    assert not rolling.loc["knife_crime", "baseline_includes_lockdown"]  # year to Dec 2018


def test_the_rolling_year_is_judged_by_the_same_method(chapter):
    rolling = chapter.rolling.set_index("category").loc["possession_of_weapons"]
    rows = chapter.series[
        (chapter.series.area_type == "force") & (chapter.series.category == "possession_of_weapons")
    ]
    rows = rows[rows.vintage == "current"]
    fit = change.fit_baseline(rows.year, rows["count"], rows.population, exclude=(2020,))
    ratio = rolling["count"] / rolling["previous_count"]
    t = (math.log(ratio) - fit.slope) / math.sqrt(fit.variance * (2 + 1 / fit.sxx))
    critical = 2.365  # Student's t on 7 df (2012/13 to 2021/22 less 2020/21), 95%
    assert fit.df == 7
    assert rolling["judgement"] == (
        "Higher" if t > critical else "Lower" if t < -critical else "Comparable"
    )


def test_ranks_are_ons_ranks_on_unrounded_rates(chapter, ready):
    categories = read(ready, "force_offence_categories")
    people = read(ready, "force_population_mye21")
    year = categories[(categories.financial_year == 2021) & (categories.area_type == "force")]
    vap = year[year.category == "violence_against_the_person"].merge(
        people[people.year == 2021], left_on="area", right_on="force"
    )
    vap = vap[vap.force != "City of London"]
    rates = vap.set_index("force")["count"].astype(float) / vap.set_index("force")["population"]
    expected = 1 + int((rates > rates["Cambridgeshire"]).sum())
    row = chapter.judgements.set_index("category").loc["violence_against_the_person"]
    assert row["rank_of_forces"] == f"{ordinal(expected)} of 42"
    knife = chapter.judgements.set_index("category").loc["knife_crime"]
    assert knife["rank_of_forces"].endswith("of 41")  # Greater Manchester's figure withdrawn


def test_coverage_says_where_real_data_stops(chapter):
    assert chapter.coverage["violence_with_injury"]["last_year"] == "2021/22"
    assert chapter.coverage["violence_with_injury"]["years_missing"] == []
    assert chapter.coverage["knife_crime"]["years_missing"] == ["2019/20", "2020/21", "2021/22"]
    assert chapter.coverage["stalking_and_harassment"]["years_missing"] == ["2010/11", "2011/12"]
    assert chapter.latest == {"financial_year": "2021/22", "source": force_series.TIER_HO}


def test_rolling_year_runs_to_the_latest_quarter(chapter, ready):
    rolling = chapter.rolling.set_index("category")
    latest = read(ready, "force_offence_rolling_year")["period_end"].max()
    assert rolling.loc["robbery", "period"] == f"year ending {latest:%B %Y}"
    assert rolling.loc["knife_crime", "period"] == "year ending December 2019"
    counts = read(ready, "force_offence_rolling_year")
    mine = counts[
        (counts.area == "Cambridgeshire")
        & (counts.category == "robbery")
        & (counts.period_end == latest)
    ]
    assert rolling.loc["robbery", "count"] == int(mine["count"].iloc[0])


def test_a_later_period_runs_to_2022_23_by_config_alone(ready):
    period = ready.period.model_copy(update={"last_year": 2022})
    later = registry.build("trends", ready.model_copy(update={"period": period}))
    robbery = later.judgements.set_index("category").loc["robbery"]
    assert robbery["financial_year"] == "2022/23" and robbery["count"] == 640
    assert later.latest["financial_year"] == "2022/23"
    assert later.coverage["violence_against_the_person"]["last_year"] == "2022/23"


def test_context_series_run_past_the_counts(chapter):
    assert chapter.severity["financial_year"].max() == "2021/22"
    force = chapter.severity[chapter.severity.area != force_series.NATIONAL].set_index("year")
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
def test_another_force_by_config_alone(ready, force, name, code):
    area = ready.area.model_copy(
        update={"force": force, "display_name": name, "force_code": code, "recording_breaks": []}
    )
    other = registry.build("trends", ready.model_copy(update={"area": area}))
    assert set(other.series.loc[other.series.area_type == "force", "area"]) == {name}
    assert len(other.judgements) == 12
    assert force_value(other, "robbery", "2017/18") != 670


def test_districts_and_gun_crime_come_from_the_extract(chapter, ready, definitions):
    districts = chapter.districts
    assert set(districts["area"]) == set(ready.area.districts.values())
    assert districts["source_tier"].eq(tiers.force_extract(True).label).all()
    extract = read(ready, "force_extract")
    vwi = definitions.categories["violence_with_injury"].home_office_codes
    expected = int(
        extract[(extract.year == 2017) & extract.home_office_code.isin(list(vwi))].shape[0]
    )
    got = districts[(districts.category == "violence_with_injury") & (districts.year == 2017)]
    assert int(got["count"].sum()) == expected == 4_973  # the extract is calibrated to ONS
    assert districts.loc[districts.year == 2021, "population_year"].eq(2021).all()
    gun = chapter.gun_crime
    assert len(gun) == 12 and gun["count"].sum() == int(extract["firearm"].sum())


def test_district_table_shows_markers_not_hidden_rates(chapter, ready):
    small = chapter.districts.copy()
    small.loc[small.index[-1], "count"] = 3
    published = tables.publishable_districts(small, ready.thresholds)
    assert published["count_marker"].eq("[c]").sum() >= 2  # primary and secondary
    table = tables.district_table(published, ready.thresholds.confidence_level)
    assert "[c]" in table.to_string()


SERIES_TABLES = (
    "recorded_crime",
    "pfa_offence_groups",
    "pfa_knife",
    "force_population",
    "force_context",
)


def series_tables(config) -> dict:
    return {name: read(config, name) for name in SERIES_TABLES}


def _open_data(config) -> force_series.OpenData:
    return force_series.OpenData(
        read(config, "force_offence_categories"),
        read(config, "recorded_crime"),
        read(config, "pfa_knife"),
        read(config, "force_population_mye21"),
        read(config, "force_population"),
    )


def test_force_series_keeps_the_county_lines_series(ready, definitions):
    drugs = force_series.annual_rates(ready, definitions, ["drug_offences"], **series_tables(ready))
    assert set(drugs["area_type"]) == {"force", "peers", "national"}
    assert len(drugs) == 3 * 9  # three areas, 2010/11 to 2018/19
    force = drugs[drugs.area_type == "force"].set_index("financial_year")
    assert force.loc["2017/18", "count"] == 1_423
    assert list(drugs.columns) == force_series.COLUMNS


@pytest.mark.parametrize("category", ["no_such_offence", "gun_crime"])
def test_force_series_refuses_a_category_without_a_public_series(ready, definitions, category):
    with pytest.raises(ValueError, match=category):
        force_series.annual_rates(ready, definitions, [category], **series_tables(ready))


def test_configured_peers_must_be_forces(ready):
    area = ready.area.model_copy(update={"peers": ["Dorset", "Atlantis"]})
    with pytest.raises(ValueError, match="Atlantis"):
        registry.build("trends", ready.model_copy(update={"area": area}))


def test_build_declares_the_tables_it_reads():
    assert set(registry.inputs("trends")) == {
        *SERIES_TABLES,
        "force_offence_categories",
        "force_offence_rolling_year",
        "force_population_mye21",
        "pfa_rates",
        "district_population_mye21",
        "lsoa_lookup",
        "crime_severity",
        "hospital_admissions",
        "district_population",
        "force_extract",
    }


def test_results_block_keeps_its_keys_and_values(chapter):
    block = results(chapter).model_dump(mode="json")
    assert list(block) == [
        "coverage",
        "judgements",
        "peers",
        "rolling_year",
        "rolling_ranks",
        "recent_counts",
        "latest",
        "sources",
    ]
    vwi = {row["category"]: row for row in block["judgements"]}["violence_with_injury"]
    assert (vwi["count"], vwi["financial_year"], vwi["previous_count"]) == (5_675, "2021/22", 4_634)
    assert isinstance(vwi["count"], int) and isinstance(vwi["rate_per_1000"], float)
    assert vwi["rate_per_1000"] == pytest.approx(vwi["rate"], abs=1e-3)  # per 1,000 already
    homicide = {row["category"]: row for row in block["judgements"]}["homicide"]
    assert homicide["per"] == 1_000_000
    assert homicide["rate_per_1000"] == pytest.approx(homicide["rate"] / 1_000, abs=1e-6)
    assert block["recent_counts"]["robbery"]["2019/20"] == 752
    assert block["peers"] == list(chapter.peers["force"])
    assert block["sources"][-1] == tiers.force_extract(True).label
    assert TrendsResults.model_validate(block) == results(chapter)


def test_without_an_extract_there_are_no_districts(ready):
    data = ready.data.model_copy(update={"force_extract": None})
    bare = registry.build("trends", ready.model_copy(update={"data": data}))
    assert bare.districts is None and bare.gun_crime is None and bare.extract_tier is None
    assert not any("extract" in s for s in results(bare).sources)


def test_csv_interval_columns_follow_the_level(chapter):
    assert "rate_lower_95" in tables.for_csv(chapter.series, 0.95)
    renamed = tables.for_csv(chapter.judgements, 0.9)
    assert {"rate_lower_90", "rate_upper_90", "trend_lower_90", "trend_upper_90"} <= set(renamed)
    assert not [c for c in renamed if c.endswith("_95")]


def test_published_rates_keep_four_significant_figures(chapter):
    published = tables.for_csv(chapter.series, 0.95)
    homicide = published[(published.category == "homicide") & (published.area_type == "force")]
    row = chapter.series.loc[homicide.index[-1]]
    assert homicide["rate"].iloc[-1] == float(f"{row['rate']:.4g}")
    digits = published["rate"].map(lambda v: len(f"{v:.10g}".replace(".", "").lstrip("0")))
    assert digits.le(4).all()


P6_DECEMBER_2019 = RAW_DIR / "ons_pfa_tables" / "pfatablesdec19.xlsx"


def p6_ranks() -> dict[str, int]:
    """Knife rates per 100,000, year ending December 2019, as ONS Table P6 publishes them,
    ranked (the forces with a rate, City of London left out)."""
    _, rows = read_sheet(P6_DECEMBER_2019, "Table P6")
    rates = {
        clean_area_name(row[1]): row[3]
        for row in rows
        if row and isinstance(row[0], str) and row[0][:3] in ("E23", "W15")
    }
    rates = {force: rate for force, rate in rates.items() if isinstance(rate, (int, float))}
    rates.pop("London, City of", None)
    rates.pop("City of London", None)
    return {force: 1 + sum(r > rate for r in rates.values()) for force, rate in rates.items()}


@pytest.mark.parametrize(
    "force, code, violence_rank",
    [
        ("Cleveland", "E23000013", 3),  # the strategy's "3rd highest violence crime rate"
        ("West Yorkshire", "E23000010", 1),
        ("Kent", "E23000032", 2),
        ("Cambridgeshire", "E23000023", 35),
    ],
)
def test_rolling_year_ranks_by_config_alone(ready, force, code, violence_rank):
    area = ready.area.model_copy(
        update={"force": force, "display_name": force, "force_code": code, "recording_breaks": []}
    )
    other = registry.build("trends", ready.model_copy(update={"area": area}))
    ranks = other.rolling_ranks.set_index("category")
    vap = ranks.loc["violence_against_the_person"]
    assert vap["period"] == "year ending December 2019"
    assert (vap["rank"], vap["of"]) == (violence_rank, 41)  # Greater Manchester unpublished
    assert ranks.loc["knife_crime", "rank"] == p6_ranks()[force]
    assert ranks.loc["knife_crime", "per"] == 100_000
