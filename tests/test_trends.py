"""Trends chapter computations on the real ONS force series."""

import pytest

from needs_assessment import trends
from needs_assessment.definitions import load_definitions


@pytest.fixture(scope="module")
def counts(default_config, recorded_crime):
    return trends.force_annual_counts(recorded_crime, default_config,
                                      load_definitions(default_config.definitions))


def value(counts, category, year):
    row = counts[(counts.category == category) & (counts.financial_year == year)]
    return int(row["count"].iloc[0])


def test_real_cambridgeshire_counts(counts):
    assert value(counts, "violence_with_injury", "2017/18") == 4_973
    assert value(counts, "robbery", "2017/18") == 669
    assert value(counts, "possession_of_weapons", "2017/18") == 514
    assert value(counts, "drug_offences", "2017/18") == 1_423


def test_years_start_in_2010_and_stop_where_the_data_does(counts, default_config):
    assert counts["financial_year"].min() == "2010/11"
    cov = trends.coverage(counts, default_config)
    assert cov["last_year"] == "2017/18"
    assert cov["years_missing"] == ["2018/19", "2019/20", "2020/21", "2021/22"]
    assert "stops before the period ends" in trends.describe_coverage(cov, default_config)


def test_every_category_every_year(counts):
    assert counts.groupby("category").size().eq(8).all()
    assert set(counts["source_tier"]) == {trends.TIER_ONS}


def test_headline_change_is_computed(counts):
    headline = trends.headline(counts)["violence_with_injury"]
    expected = round((4_973 - headline["first_count"]) / headline["first_count"] * 100, 1)
    assert headline["pct_change_since_first"] == expected
    text = trends.describe_headline(trends.headline(counts), "C&P")
    assert "4,973 offences in 2017/18" in text


def test_another_force_by_config_alone(recorded_crime, default_config):
    area = default_config.area.model_copy(update={"force": "Cleveland", "display_name": "Cleveland"})
    config = default_config.model_copy(update={"area": area})
    counts = trends.force_annual_counts(recorded_crime, config,
                                        load_definitions(config.definitions))
    assert set(counts["area"]) == {"Cleveland"}
    assert value(counts, "robbery", "2017/18") != 669


def test_unknown_force_is_refused(recorded_crime, default_config):
    area = default_config.area.model_copy(update={"force": "Atlantis"})
    with pytest.raises(ValueError, match="Atlantis"):
        trends.force_annual_counts(recorded_crime, default_config.model_copy(update={"area": area}),
                                   load_definitions(default_config.definitions))
