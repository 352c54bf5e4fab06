"""Tests for needs_assessment.methods.disclosure: worked tables with the expected cells hidden."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from needs_assessment.methods.disclosure import (
    DisclosureError,
    assert_no_identifiers,
    bounds_from_totals,
    complementary_cells,
    counts_from_rates,
    counts_from_shares,
    exposed,
    marker_column,
    suppress_small_counts,
)


def _worked_table() -> pd.DataFrame:
    """Violence with injury by district, year and age band; district-year totals published."""
    return pd.DataFrame(
        {
            "district": ["Luton"] * 4 + ["Bedford"] * 4 + ["Luton"] * 4,
            "year": [2022] * 8 + [2023] * 4,
            "age_band": ["0-17", "18-24", "25-44", "45+"] * 3,
            "offences": [3, 12, 7, 0, 2, 4, 25, 40, 0, 10, 15, 9],
            "population": [40_000, 20_000, 60_000, 80_000] * 3,
        },
        index=pd.Index([f"r{i}" for i in range(12)], name="row"),
    ).assign(rate=lambda t: t["offences"] / t["population"] * 100_000)


def _hidden(frame: pd.DataFrame, column: str) -> list[str]:
    return list(frame.index[frame[column].isna()])


def test_worked_table_primary_and_secondary_suppression():
    out = suppress_small_counts(
        _worked_table(), ["offences"], threshold=5, total_groups=["district", "year"]
    )
    # Luton 2022: 3 is small (primary); the smallest other non-zero cell, 7, goes too.
    # Bedford 2022: 2 and 4 are both small: two hidden cells protect each other.
    # Luton 2023: nothing small, nothing hidden; the zero stays.
    assert _hidden(out, "offences") == ["r0", "r2", "r4", "r5"]
    assert out.loc["r3", "offences"] == 0
    assert out.loc["r8", "offences"] == 0
    assert out.loc["r1", "offences"] == 12
    markers = out[marker_column("offences")]
    assert markers.loc[["r0", "r2", "r4", "r5"]].tolist() == ["[c]"] * 4
    assert markers.drop(["r0", "r2", "r4", "r5"]).isna().all()


def test_suppressed_counts_use_nullable_int_and_leave_input_untouched():
    table = _worked_table()
    before = table.copy()
    out = suppress_small_counts(table, ["offences"], total_groups=["district", "year"])
    assert out["offences"].dtype == "Int64"
    assert out[marker_column("offences")].dtype == "string"
    assert list(out.index) == list(table.index)
    pd.testing.assert_frame_equal(table, before)


def test_without_totals_only_primary_cells_are_hidden():
    out = suppress_small_counts(_worked_table(), ["offences"])
    assert _hidden(out, "offences") == ["r0", "r4", "r5"]


def test_rates_blanked_for_suppressed_counts_and_under_ten_events():
    out = suppress_small_counts(
        _worked_table(),
        ["offences"],
        total_groups=["district", "year"],
        derived_columns={"rate": "offences"},
    )
    assert out["rate"].dtype == "Float64"
    markers = out[marker_column("rate")]
    # suppressed counts (primary r0, r4, r5; secondary r2 with 7 events) -> [c]
    assert markers.loc[["r0", "r2", "r4", "r5"]].tolist() == ["[c]"] * 4
    # shown counts under 10 events: 0 (r3, r8) and 9 (r11) -> [low]
    assert markers.loc[["r3", "r8", "r11"]].tolist() == ["[low]"] * 3
    # 10 or more events: the rate is shown unchanged
    shown = ["r1", "r6", "r7", "r9", "r10"]
    assert markers.loc[shown].isna().all()
    assert out.loc["r1", "rate"] == pytest.approx(60.0)
    assert out.loc["r9", "rate"] == pytest.approx(50.0)
    assert out["rate"].isna().sum() == 7


def test_every_column_derived_from_a_count_is_blanked():
    table = _worked_table().assign(lower=lambda t: t["rate"] * 0.8, upper=lambda t: t["rate"] * 1.2)
    derived = {"rate": "offences", "lower": "offences", "upper": "offences"}
    out = suppress_small_counts(
        table, ["offences"], total_groups=["district", "year"], derived_columns=derived
    )
    for column in derived:
        assert _hidden(out, column) == _hidden(out, "rate")


def test_secondary_picks_smallest_non_zero_and_first_on_ties():
    table = pd.DataFrame({"area": ["A"] * 5, "count": [0, 4, 9, 6, 6]})
    out = suppress_small_counts(table, ["count"], total_groups=["area"])
    assert out["count"].isna().tolist() == [False, True, False, True, False]


def test_secondary_falls_back_to_a_zero_only_when_nothing_else_is_left():
    table = pd.DataFrame({"area": ["A"] * 3, "count": [0, 5, 0]})
    out = suppress_small_counts(table, ["count"], total_groups=["area"])
    assert out["count"].isna().tolist() == [True, True, False]


def test_single_row_group_warns_that_its_total_discloses():
    table = pd.DataFrame({"area": ["A", "B", "B"], "count": [3, 20, 30]})
    with pytest.warns(UserWarning, match="do not publish its total"):
        out = suppress_small_counts(table, ["count"], total_groups=["area"])
    assert out["count"].isna().tolist() == [True, False, False]


def test_each_count_column_is_protected_on_its_own():
    table = pd.DataFrame({"area": ["A"] * 3, "male": [2, 30, 40], "female": [20, 1, 3]})
    out = suppress_small_counts(table, ["male", "female"], total_groups=["area"])
    assert out["male"].isna().tolist() == [True, True, False]
    assert out["female"].isna().tolist() == [False, True, True]


def test_custom_threshold_and_marker():
    table = pd.DataFrame({"count": [0, 1, 9, 10, 11]})
    out = suppress_small_counts(table, ["count"], threshold=10, marker="*")
    assert out["count"].isna().tolist() == [False, True, True, True, False]
    assert out[marker_column("count")].tolist()[1:4] == ["*"] * 3


def test_missing_counts_stay_missing_and_unmarked():
    table = pd.DataFrame({"area": ["A"] * 3, "count": [np.nan, 3, 50]})
    out = suppress_small_counts(table, ["count"], total_groups=["area"])
    assert out["count"].isna().tolist() == [True, True, True]
    assert out[marker_column("count")].isna().tolist() == [True, False, False]


@pytest.mark.parametrize("bad", [[1.5, 2.0], [-1, 3]])
def test_rejects_counts_that_are_not_whole_non_negative_numbers(bad):
    with pytest.raises(ValueError, match="whole, non-negative"):
        suppress_small_counts(pd.DataFrame({"count": bad}), ["count"])


def test_rejects_unknown_columns():
    with pytest.raises(KeyError, match="district_code"):
        suppress_small_counts(_worked_table(), ["offences"], total_groups=["district_code"])


# --- identifiers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "column",
    ["Crime ID", "crime_reference", "CrimeRef", "incident_number", "victim_id", "URN", "id",
     "Latitude", "longitude", "Easting", "northing", "x_coord", "grid_ref", "lat",
     "date_of_birth", "DOB"],
)  # fmt: skip
def test_identifier_like_columns_are_refused(column):
    with pytest.raises(DisclosureError, match=column):
        assert_no_identifiers(pd.DataFrame({column: [1, 2]}))


@pytest.mark.parametrize(
    "values",
    [
        pd.to_datetime(["2023-04-01", "2023-04-17"]),
        pd.to_datetime(["2023-04-01 13:45"]),
        ["2023-04-17"],
        ["17/04/2023"],
        pd.period_range("2023-04-01", periods=3, freq="D"),
        pd.period_range("2023-04-03", periods=3, freq="W"),
    ],
)
def test_dates_finer_than_month_are_refused(values):
    with pytest.raises(DisclosureError, match="finer than a month"):
        assert_no_identifiers(pd.DataFrame({"when": values}))


def test_published_aggregate_table_passes():
    table = pd.DataFrame(
        {
            "Month": ["2023-04", "2023-05"],
            "month_start": pd.to_datetime(["2023-04-01", "2023-05-01"]),
            "quarter": pd.period_range("2023Q1", periods=2, freq="Q"),
            "financial_year": ["2023/24", "2023/24"],
            "first_day": ["01/04/2023", "2023-05-01"],
            "LSOA code": ["E01000001", "E01000002"],
            "Crime type": ["Violence and sexual offences"] * 2,
            "offences": [12, 30],
            "number_of_victims": [10, 25],
            "population": [1500, 1600],
        }
    )
    assert_no_identifiers(table)


def test_error_lists_every_offending_column():
    table = pd.DataFrame({"Crime ID": ["abc"], "Latitude": [52.1], "offences": [3]})
    with pytest.raises(DisclosureError) as caught:
        assert_no_identifiers(table)
    message = str(caught.value)
    assert "'Crime ID'" in message and "'Latitude'" in message and "offences" not in message


# -- complementary suppression across several totals --------------------------------------


def test_complementary_cells_cover_every_grouping():
    counts = np.array([3, 20, 30, 40, 50, 60], dtype=float)
    primary = np.array([True, False, False, False, False, False])
    rows = np.array(["A", "A", "A", "B", "B", "B"])
    columns = np.array([1, 2, 3, 1, 2, 3])
    hidden = complementary_cells(counts, primary, [rows, columns])
    assert list(hidden) == [True, True, False, True, True, False]


def test_complementary_cells_hide_more_until_the_hidden_sum_passes_the_threshold():
    counts = np.array([1, 2, 3, 40, 50], dtype=float)
    primary = np.array([True, True, False, False, False])
    group = np.array(["g"] * 5)
    assert list(complementary_cells(counts, primary, [group])) == list(primary)  # 2 hidden
    protected = complementary_cells(counts, primary, [group], protect_above=5)
    assert list(protected) == [True, True, True, False, False]  # 1 + 2 + 3 = 6 > 5
    assert counts[protected].sum() > 5


def test_protect_sums_in_suppress_small_counts():
    table = pd.DataFrame({"area": ["x"] * 4, "count": [1, 2, 30, 40]})
    plain = suppress_small_counts(table, ["count"], total_groups=["area"])
    assert plain["count"].isna().sum() == 2
    safe = suppress_small_counts(table, ["count"], total_groups=["area"], protect_sums=True)
    assert list(safe["count"].isna()) == [True, True, True, False]


# -- the attacks ----------------------------------------------------------------------------


def test_a_total_minus_the_shown_cells_gives_a_single_hidden_cell():
    cells = pd.Series([3, 12, 7, 0], dtype="Float64").mask([True, False, False, False])
    bounds = bounds_from_totals(cells, [np.array(["a"] * 4)], [{"a": 22}])
    assert bounds.loc[0].tolist() == [3, 3]
    assert list(exposed(bounds, 5).index) == [0]


def test_two_hidden_cells_with_a_small_sum_are_bounded_not_pinned():
    cells = pd.Series([1, 2, 30, 40], dtype="Float64").mask([True, True, False, False])
    bounds = bounds_from_totals(cells, [np.array(["a"] * 4)], [{"a": 73}])
    assert bounds["upper"].tolist() == [3, 3] and bounds["lower"].tolist() == [0, 0]
    assert len(exposed(bounds, 5)) == 2  # both known to be at most 3
    wide = bounds_from_totals(
        cells.mask([True, True, True, False]), [np.array(["a"] * 4)], [{"a": 73}]
    )
    assert exposed(wide, 5).empty


def test_row_and_column_sums_pin_a_cell_in_a_two_way_table():
    # 2 x 2 block, rows a/b, columns x/y; three of four cells shown
    cells = pd.Series([4, 10, 20, 30], dtype="Float64").mask([True, False, False, False])
    rows, columns = np.array(["a", "a", "b", "b"]), np.array(["x", "y", "x", "y"])
    bounds = bounds_from_totals(cells, [rows, columns], [{"a": 14, "b": 50}, {"x": 24}])
    assert bounds.loc[0].tolist() == [4, 4]
    # a hidden 2 x 2 block: each cell ranges widely
    block = pd.Series([4, 10, 20, 30], dtype="Float64").mask([True] * 4)
    wide = bounds_from_totals(block, [rows, columns], [{"a": 14, "b": 50}, {"x": 24, "y": 40}])
    assert exposed(wide, 5).empty


def test_totals_that_contradict_the_shown_cells_raise():
    cells = pd.Series([np.nan, 12.0])
    with pytest.raises(ValueError, match="contradict"):
        bounds_from_totals(cells, [np.array(["a", "a"])], [{"a": 5}])


def test_a_pooled_share_times_its_count_minus_the_shown_years():
    # East Cambridgeshire 2019/20 to 2021/22: 73 offenders, 39.73% from outside; shown
    # years 15 and 9 from outside: the hidden year had 5
    pooled = counts_from_shares(pd.Series([0.3973]), pd.Series([73]), 4)
    assert pooled.iloc[0] == 29
    assert pooled.iloc[0] - 15 - 9 == 5
    assert pd.isna(counts_from_shares(pd.Series([0.4]), pd.Series([1000]), 1).iloc[0])


def test_a_rate_times_its_population():
    rates = pd.Series([3 / 1796 * 1000, np.nan, 8.5])
    found = counts_from_rates(rates, pd.Series([1796, 500, 1000]), 1000)
    assert found.iloc[0] == 3 and pd.isna(found.iloc[1]) and pd.isna(found.iloc[2])
