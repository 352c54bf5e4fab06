"""Deprivation on Welsh LSOAs: each country's own index (WIMD 2019 for Wales), never pooled.

No police.uk street-level files for a Welsh force ship in data/raw, so the Gwent build runs
on the real prepared lookup, WIMD, IMD, population and boundaries with simulated police.uk
counts (a gradient planted along the WIMD decile); the counts are test data, never published.
"""

import numpy as np
import pandas as pd
import pytest

from needs_assessment.chapters.deprivation import analysis as dep
from needs_assessment.chapters.deprivation import tables, words
from needs_assessment.chapters.deprivation.results import results
from needs_assessment.config import parse_config
from needs_assessment.definitions import load_definitions
from needs_assessment.prepare import prepare, read

GWENT = {
    "W06000018": "Caerphilly",
    "W06000019": "Blaenau Gwent",
    "W06000020": "Torfaen",
    "W06000021": "Monmouthshire",
    "W06000022": "Newport",
}
TABLES = ("lsoa_lookup", "imd", "wimd", "lsoa_population", "lsoa_boundaries", "district_boundaries")


@pytest.fixture(scope="module")
def gwent(tmp_path_factory):
    districts = "".join(f"\n    {code}: {name}" for code, name in GWENT.items())
    text = f"area:\n  force: Gwent\n  display_name: Gwent\n  districts:{districts}\n"
    config = parse_config(text, tmp_path_factory.mktemp("gwent") / "gwent.yaml")
    prepare(config)
    return config


@pytest.fixture(scope="module")
def frames(gwent):
    return {name: read(gwent, name) for name in TABLES}


def simulated_police_uk(lookup: pd.DataFrame, wimd: pd.DataFrame, year: int) -> pd.DataFrame:
    """Twelve months of police.uk-shaped counts for Gwent's LSOAs, doubling from the least
    to the most deprived WIMD decile (test data)."""
    area = lookup[lookup["lad17_code"].isin(GWENT)].merge(wimd, on="lsoa11_code")
    rng = np.random.default_rng(13)
    rows = []
    for month in pd.date_range(f"{year}-04-01", periods=12, freq="MS"):
        mean = 1.0 * 2 ** ((10 - area["wimd_decile"].to_numpy()) / 9)
        rows.append(
            pd.DataFrame(
                {
                    "month": month,
                    "force": "Gwent",
                    "lsoa_code": area["lsoa11_code"].to_numpy(),
                    "crime_type": "Violence and sexual offences",
                    "crimes": rng.poisson(mean),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def built(gwent, frames):
    counts = simulated_police_uk(frames["lsoa_lookup"], frames["wimd"], gwent.period.last_year)
    return dep.build(
        gwent,
        load_definitions(gwent.definitions),
        police_uk_counts=counts,
        force_extract=None,
        **frames,
    )


def test_a_welsh_force_is_ranked_on_wimd(built, frames):
    table = built.headline.table
    lookup = frames["lsoa_lookup"]
    assert len(table) == int(lookup["lad17_code"].isin(GWENT).sum())
    assert built.index == "WIMD 2019" and not built.cross_border
    assert set(table["index"]) == {"WIMD 2019"} and set(table["index_lsoas"]) == {1_909}
    wimd = frames["wimd"].set_index("lsoa11_code")
    mine = table.set_index("lsoa11_code")
    assert (mine["imd_rank"] == wimd.loc[mine.index, "wimd_rank"]).all()
    assert (mine["imd_decile"] == wimd.loc[mine.index, "wimd_decile"]).all()
    assert (mine["income_rank"] == wimd.loc[mine.index, "income_rank"]).all()
    assert built.headline.rho_imd.lower > 0  # the planted gradient is found on WIMD ranks


def test_its_tables_and_words_name_wimd_2019(built, gwent):
    deciles = tables.published_deciles(built.headline.deciles, gwent)
    assert "WIMD 2019 decile" in tables.decile_display(deciles, 0.95, built.index).columns
    measures = tables.measures_display(tables.measures_table(built.analyses), 0.95, built.index)
    assert "Spearman's rho (WIMD 2019)" in measures.columns
    lsoas = tables.published_lsoas(built.headline.table, gwent)
    assert "WIMD 2019 decile" in tables.unexpected_display(built.headline, lsoas).columns
    assert set(lsoas["index"]) == {"WIMD 2019"}
    context = words.association(built, gwent)
    assert (context["index"], context["index_short"]) == ("WIMD 2019", "WIMD")
    assert context["crime_domain"] == "community safety"
    assert results(built).index == "WIMD 2019"


def test_a_cross_border_area_ranks_each_country_within_its_own_index(frames):
    lookup = frames["lsoa_lookup"]
    districts = {"W06000022": "Newport", "E06000025": "South Gloucestershire"}
    ranks = dep.deprivation_ranks(frames["imd"], frames["wimd"])
    lsoas = dep.area_lsoas(lookup, ranks, districts)
    assert dep.index_label(lsoas) == "IMD 2019 and WIMD 2019"
    welsh = lsoas["lsoa11_code"].str.startswith("W")
    assert set(lsoas.loc[welsh, "index"]) == {"WIMD 2019"}
    assert set(lsoas.loc[~welsh, "index"]) == {"IMD 2019"}
    for rows, ranked in ((welsh, 1_909), (~welsh, 32_844)):  # rank / LSOAs its index ranks
        part = lsoas[rows]
        assert (part["imd_position"] * ranked).round().eq(part["imd_rank"]).all()
    # ordering by position, not by the raw ranks of two different indices
    order = lsoas.sort_values("imd_position")["lsoa11_code"].tolist()
    assert order != lsoas.sort_values("imd_rank")["lsoa11_code"].tolist()
    assert sorted(lsoas["imd_local_quintile"].unique()) == [1, 2, 3, 4, 5]


def test_an_english_area_orders_exactly_as_its_imd_rank(frames):
    districts = {"E07000008": "Cambridge"}
    ranks = dep.deprivation_ranks(frames["imd"], frames["wimd"])
    lsoas = dep.area_lsoas(frames["lsoa_lookup"], ranks, districts)
    assert dep.index_label(lsoas) == "IMD 2019"
    by_rank = lsoas.sort_values("imd_rank")["lsoa11_code"].tolist()
    assert lsoas.sort_values("imd_position")["lsoa11_code"].tolist() == by_rank


def test_its_charts_name_wimd_2019(built):
    import matplotlib.pyplot as plt

    from needs_assessment.chapters.deprivation import charts

    for draw in (charts.deciles, charts.scatter):
        fig = draw(built.headline)
        (ax,) = fig.axes
        assert "National WIMD 2019" in ax.get_xlabel()
        plt.close(fig)
