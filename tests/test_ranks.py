"""Ranks as ONS ranks them: 42 forces, unrounded rates, ties shared."""

import pandas as pd
import pytest

from needs_assessment.forces import NOT_RANKED
from needs_assessment.methods.ranks import grouped_ons_ranks, ons_ranks, ordinal, rank_label
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import ons_pfa_tables

MARCH_2019 = RAW_DIR / "ons_pfa_tables" / "policeforceareatablesyeendingmarch2019.xlsx"


@pytest.fixture(scope="module")
def p3_march_2019() -> pd.DataFrame:
    """The rates ONS Table P3 publishes for the year ending March 2019, every force."""
    rates = ons_pfa_tables.rates(MARCH_2019)
    return rates[rates["area_type"] == "force"]


@pytest.fixture(scope="module")
def ranked(p3_march_2019) -> pd.DataFrame:
    return grouped_ons_ranks(
        p3_march_2019, ["offence_group"], "area_name", "rate_per_1000", NOT_RANKED
    )


def test_p3_ranks_42_forces_without_city_of_london(p3_march_2019, ranked):
    assert p3_march_2019["area_name"].nunique() == 43
    assert p3_march_2019["offence_group"].nunique() >= 20
    counts = ranked.groupby("offence_group")["area_name"].nunique()
    assert counts.eq(42).all()
    assert ranked["of"].eq(42).all()
    assert "City of London" not in set(ranked["area_name"])


def test_p3_order_is_reproduced_for_every_force_and_category(p3_march_2019, ranked):
    rates = p3_march_2019[p3_march_2019["area_name"] != "City of London"]
    for group, published in rates.groupby("offence_group"):
        ours = ranked[ranked["offence_group"] == group].set_index("area_name")["rank"]
        values = published.set_index("area_name")["rate_per_1000"]
        for force, rate in values.items():  # 1 + the forces with a strictly higher rate
            assert ours[force] == 1 + int((values > rate).sum()), (group, force)
        by_rate = values.sort_values(ascending=False, kind="stable").index
        assert list(ours.sort_values(kind="stable").index) == list(by_rate), group


@pytest.mark.parametrize(
    "group, rank",
    [("Homicide", 10), ("Violence with injury", 42)],  # as ONS publishes them
)
def test_cambridgeshire_ranks_as_ons_publishes(ranked, group, rank):
    row = ranked[(ranked["offence_group"] == group) & (ranked["area_name"] == "Cambridgeshire")]
    assert int(row["rank"].iloc[0]) == rank


def test_ties_share_the_better_rank_and_skip_the_next():
    rates = pd.Series({"A": 5.0, "B": 4.0, "C": 4.0, "D": 3.0, "City of London": 99.0, "E": None})
    ranks = ons_ranks(rates, NOT_RANKED)
    assert ranks["rank"].to_dict() == {"A": 1, "B": 2, "C": 2, "D": 4}
    assert ranks["tied"].to_dict() == {"A": False, "B": True, "C": True, "D": False}
    assert ranks["of"].eq(4).all()
    assert [rank_label(r.rank, r.tied) for r in ranks.itertuples()] == [
        "1st",
        "=2nd",
        "=2nd",
        "4th",
    ]


def test_unrounded_rates_separate_forces_that_rounding_would_tie():
    ranks = ons_ranks(pd.Series({"A": 0.0114, "B": 0.0112}))
    assert ranks["rank"].to_dict() == {"A": 1, "B": 2} and not ranks["tied"].any()


def test_an_area_ranked_twice_is_an_error():
    with pytest.raises(ValueError, match="A"):
        ons_ranks(pd.Series([1.0, 2.0], index=["A", "A"]))


@pytest.mark.parametrize(
    "number, text",
    [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"), (13, "13th"),
     (21, "21st"), (22, "22nd"), (42, "42nd"), (43, "43rd"), (111, "111th")],
)  # fmt: skip
def test_ordinal(number, text):
    assert ordinal(number) == text
