"""Costs chapter on the real data: count x unit cost x uprating, recomputed from the raw files."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from needs_assessment.chapters import registry
from needs_assessment.chapters.costs import tables, words
from needs_assessment.chapters.costs.analysis import COSTED_CATEGORIES
from needs_assessment.chapters.costs.results import CostsResults, results
from needs_assessment.config import Costs
from needs_assessment.errors import ConfigError
from needs_assessment.paths import from_root
from needs_assessment.prepare import read
from needs_assessment.presentation.text import Wording


@pytest.fixture(scope="module")
def chapter(ready):
    return registry.build("costs", ready)


@pytest.fixture(scope="module")
def raw_unit_costs(ready) -> dict[tuple[str, str], int]:
    """(offence, first word of the component) -> pounds, read from the raw CSV by hand."""
    with open(from_root(ready.data.unit_costs), encoding="utf-8") as handle:
        return {
            (row["offence"], row["cost_component"].split()[0]): int(row["unit_cost_gbp"])
            for row in csv.DictReader(handle)
        }


@pytest.fixture(scope="module")
def raw_factor(ready, chapter) -> float:
    """The deflator of the latest year over that of 2015/16, from the raw quarterly rows."""
    quarters = {}
    with open(from_root(ready.data.gdp_deflator), encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if len(row) == 2 and " Q" in row[0]:
                year, quarter = row[0].split(" Q")
                quarters[(int(year), int(quarter))] = float(row[1])

    def financial_year(start: int) -> float:
        keys = [(start, 2), (start, 3), (start, 4), (start + 1, 1)]
        return sum(quarters[k] for k in keys) / 4

    return financial_year(chapter.latest_year) / financial_year(2015)


@pytest.fixture(scope="module")
def force_counts(ready) -> pd.DataFrame:
    frame = read(ready, "force_offence_categories")
    return frame[frame["area"] == ready.area.force].set_index(["category", "financial_year"])[
        "count"
    ]


def test_totals_are_count_times_unit_cost(chapter, raw_unit_costs, raw_factor, force_counts):
    total = chapter.by_category[chapter.by_category["component"] == "total"]
    assert set(total["category"]) == set(COSTED_CATEGORIES)
    for row in total.itertuples():
        count = int(force_counts[(row.category, row.financial_year)])
        unit = raw_unit_costs[(COSTED_CATEGORIES[row.category], "total")]
        assert row.count == count
        assert row.cost_gbp == pytest.approx(count * unit * raw_factor, rel=1e-9)
    summary = results(chapter)
    expected = sum(
        int(force_counts[(key, chapter.latest_year)]) * raw_unit_costs[(offence, "total")]
        for key, offence in COSTED_CATEGORIES.items()
    )
    assert summary.total_cost_gbp == pytest.approx(expected * raw_factor, rel=1e-9)


def test_police_and_justice_cost_for_homicide_only(
    chapter, raw_unit_costs, raw_factor, force_counts
):
    assert chapter.response_categories == ["homicide"]
    count = int(force_counts[("homicide", chapter.latest_year)])
    units = raw_unit_costs[("Homicide", "police")] + raw_unit_costs[("Homicide", "criminal")]
    assert results(chapter).homicide_police_cjs_cost_gbp == pytest.approx(
        count * units * raw_factor, rel=1e-9
    )
    others = chapter.by_category[chapter.by_category["category"] != "homicide"]
    assert set(others["component"]) == {"total"}  # never an invented share


def test_uprating_is_the_ratio_of_financial_year_means(chapter, raw_factor):
    assert chapter.prices.factor == pytest.approx(raw_factor, rel=1e-9)
    assert chapter.prices.label == "2021/22"
    assert results(chapter).uprating.factor == pytest.approx(raw_factor, rel=1e-9)


def test_base_prices_by_config(ready, raw_unit_costs, force_counts):
    config = ready.model_copy(update={"costs": Costs(prices="base")})
    base = registry.build("costs", config)
    assert base.prices.factor == 1.0 and base.prices.label == "2015/16"
    row = base.by_category.query("category == 'robbery' and component == 'total'").iloc[-1]
    expected = (
        int(force_counts[("robbery", row.financial_year)]) * raw_unit_costs[("Robbery", "total")]
    )
    assert row.cost_gbp == expected


def test_unknown_price_choice_is_refused(tmp_path, ready):
    from needs_assessment.config import parse_config

    text = from_root("config/cambridgeshire-2021.yaml").read_text() + "costs:\n  prices: today\n"
    with pytest.raises(ConfigError, match="costs.prices"):
        parse_config(text, tmp_path / "bad-costs.yaml")


def test_cost_per_residents_uses_the_force_population(chapter, ready):
    people = read(ready, "force_population_mye21")
    people = people[people["force"] == ready.area.force].set_index("year")["population"]
    force = chapter.areas[chapter.areas["area_type"] == "force"]
    total = chapter.by_category[chapter.by_category["component"] == "total"]
    cost = total.groupby("financial_year")["cost_gbp"].sum()
    for row in force.itertuples():
        assert row.cost_per_1000 == pytest.approx(
            cost[row.financial_year] / people[row.financial_year] * 1_000
        )
    assert set(chapter.areas["area_type"]) == {"force", "peers", "national"}


def test_england_and_wales_is_the_sum_of_the_forces(chapter, ready, raw_unit_costs, raw_factor):
    counts = read(ready, "force_offence_categories")
    year = chapter.latest_year
    forces = counts[(counts["area_type"] == "force") & (counts["financial_year"] == year)]
    expected = sum(
        int(forces.loc[forces["category"] == key, "count"].sum())
        * raw_unit_costs[(offence, "total")]
        for key, offence in COSTED_CATEGORIES.items()
    )
    national = chapter.areas.query("area_type == 'national' and financial_year == @year")
    assert national["cost_gbp"].iloc[0] == pytest.approx(expected * raw_factor, rel=1e-9)


def test_local_definition_costs_only_its_costed_codes(chapter, ready, raw_unit_costs, raw_factor):
    offences = read(ready, "force_offences")
    year = chapter.latest_year
    rows = offences[(offences["force"] == ready.area.force) & (offences["financial_year"] == year)]
    by_code = rows.groupby("offence_code")["count"].sum()
    homicide = sum(int(by_code.get(c, 0)) for c in ("1", "1/4.1/4.10/4.2", "4.1", "4.10", "4.2"))
    injury = sum(int(by_code.get(c, 0)) for c in ("2", "5D"))  # in both definitions
    local = chapter.local.set_index("financial_year").loc[year]
    assert local["costed_offences"] == homicide + injury
    expected = (
        homicide * raw_unit_costs[("Homicide", "total")]
        + injury * raw_unit_costs[("Violence with injury", "total")]
    )
    assert local["cost_gbp"] == pytest.approx(expected * raw_factor, rel=1e-9)
    assert local["uncosted_offences"] > 0
    assert "Threats to kill" in chapter.local_uncosted_codes.values()


def test_uncosted_categories_are_listed_on_the_page(chapter, ready):
    text = Wording().markdown("costs/uncosted", **words.uncosted(chapter, ready))
    assert "Violence without injury" in chapter.uncosted
    for label in chapter.uncosted:
        assert f"- {label}" in text
    assert "violence_without_injury" not in set(chapter.by_category["category"])
    assert results(chapter).uncosted_categories == chapter.uncosted


def test_uprating_factor_and_source_on_the_page_and_in_the_appendix(chapter, ready):
    wording = Wording()
    page = wording.markdown("costs/prices", **words.prices(chapter, ready))
    factor = f"{chapter.prices.factor:.4f}"
    assert factor in page and "YBGB" in page and "2015/16" in page
    block = results(chapter).model_dump(mode="json")
    appendix = wording.markdown("appendix/methods", suppress_up_to=5, min_events=10, costs=block)
    assert factor in appendix and "YBGB" in appendix and "mean of its four quarters" in appendix


def test_districts_pass_disclosure_control(chapter, ready):
    published = tables.publishable_districts(chapter.districts, ready.thresholds)
    counts = published["count"].dropna()
    assert not counts.between(1, ready.thresholds.suppress_counts_up_to).any()
    hidden = published["count"].isna()
    assert hidden.any() and published.loc[hidden, "cost_gbp"].isna().all()
    few = published["count"].fillna(0) < ready.thresholds.min_events_for_rate
    assert published.loc[few, "cost_per_1000"].isna().all()
    assert set(published["source_tier"]) == {chapter.extract_tier.label}


def test_missing_inputs_are_states_not_crashes(ready):
    bare = ready.data.model_copy(update={"unit_costs": None, "force_extract": None})
    none = registry.build("costs", ready.model_copy(update={"data": bare}))
    assert none.by_category is None and none.districts is None
    summary = results(none)
    assert summary.total_cost_gbp is None and summary.uprating is None
    assert "Violence without injury" in summary.uncosted_categories
    flat = ready.data.model_copy(update={"gdp_deflator": None})
    base = registry.build("costs", ready.model_copy(update={"data": flat}))
    assert base.deflator_missing and base.prices.factor == 1.0 and not base.prices.uprated


def test_build_declares_the_tables_it_reads():
    names = set(registry.inputs("costs"))
    assert {"unit_costs", "gdp_deflator", "force_offence_categories", "force_extract"} <= names


def test_results_block_validates(chapter, ready):
    block = results(chapter).model_dump(mode="json")
    assert CostsResults.model_validate(block).latest_year == "2021/22"
    assert block["price_base"] == "2015/16" and block["prices"] == "2021/22"
    areas = [a["area"] for a in block["areas"]]
    assert areas == [ready.area.display_name, "Peer forces", "England and Wales"]
