"""Unit costs of crime, the GDP deflator and the cost method, against the published figures."""

from __future__ import annotations

import pandas as pd
import pytest

from needs_assessment.errors import DataError
from needs_assessment.methods import costs
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import gdp_deflator, unit_costs

UNIT_COSTS = RAW_DIR / "home_office_costs_of_crime" / "unit_costs_2015_16_prices.csv"
DEFLATOR = RAW_DIR / "ons_gdp_deflator" / "ons_ybgb_gdp_deflator_ukea_release_2025-06-30.csv"


@pytest.fixture(scope="module")
def table():
    return unit_costs.load(UNIT_COSTS)


@pytest.fixture(scope="module")
def deflator():
    return gdp_deflator.financial_years(DEFLATOR)


def test_unit_costs_as_published(table):
    cost = table.set_index(["offence", "component"])["unit_cost_gbp"]
    assert cost[("Homicide", "total")] == 3_200_000
    assert cost[("Homicide", "police")] == 11_960
    assert cost[("Homicide", "criminal_justice")] == 800_980
    assert cost[("Violence with injury", "total")] == 14_050
    assert cost[("Robbery", "total")] == 11_320
    assert set(table["price_base"]) == {2015}
    assert ("Violence without injury", "total") not in cost.index  # never invented


def test_financial_year_deflator_is_the_mean_of_its_quarters(deflator):
    index = deflator.set_index("financial_year")["deflator"]
    # SOURCES.md section 19: 2015/16 83.750; 2018/19 88.825; 2020/21 95.825; 2022/23 102.000
    assert index[2015] == pytest.approx(83.750)
    assert index[2018] == pytest.approx(88.825)
    assert index[2020] == pytest.approx(95.825)
    assert index[2022] == pytest.approx(102.000)
    assert 2025 not in index.index  # only 2025 Q1 is published: no full year


def test_uprating_factor(deflator):
    assert costs.uprating(deflator, 2015, 2022).factor == pytest.approx(1.218, abs=5e-4)
    assert costs.uprating(deflator, 2015, 2023).factor == pytest.approx(1.289, abs=5e-4)
    capped = costs.uprating(deflator, 2015, 2030)
    assert capped.to_year == 2024


def test_cost_is_count_times_unit_cost(table):
    counts = pd.DataFrame(
        {
            "category": ["homicide", "homicide", "violence_with_injury", "violence_without_injury"],
            "financial_year": [2021, 2022, 2021, 2021],
            "count": [12, 10, 9_000, 12_000],
        }
    )
    mapping = {"homicide": "Homicide", "violence_with_injury": "Violence with injury"}
    frame = costs.costs(counts, table, mapping, factor=1.5)
    total = frame[frame["component"] == "total"].set_index(["category", "financial_year"])
    assert total.loc[("homicide", 2021), "cost_gbp"] == 12 * 3_200_000 * 1.5
    assert total.loc[("violence_with_injury", 2021), "cost_gbp"] == 9_000 * 14_050 * 1.5
    assert set(frame["component"]) == {"total", "police", "criminal_justice"}
    assert "violence_without_injury" not in set(frame["category"])
    categories = ["homicide", "violence_with_injury", "violence_without_injury"]
    assert costs.uncosted(categories, table, mapping) == ["violence_without_injury"]


@pytest.mark.parametrize(
    ("edit", "column", "row"),
    [
        (lambda t: t.replace("police activity", "police visits"), "cost_component", 3),
        (lambda t: t.replace("14050", "14k"), "unit_cost_gbp", 8),
        (
            lambda t: t.replace("Arson,8420,total,2015/16", "Arson,8420,total,2015/17"),
            "price_base",
            10,
        ),
    ],
)
def test_bad_unit_costs_name_row_and_column(tmp_path, edit, column, row):
    bad = tmp_path / "costs.csv"
    bad.write_text(edit(UNIT_COSTS.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        unit_costs.load(bad)
    assert caught.value.column == column and caught.value.row == row


def test_deflator_without_quarters_is_refused(tmp_path):
    bad = tmp_path / "deflator.csv"
    bad.write_text("\n".join(['"Title","x"'] * 8 + ['"2015","83.7"']), encoding="utf-8")
    with pytest.raises(DataError, match="no quarterly rows"):
        gdp_deflator.financial_years(bad)
