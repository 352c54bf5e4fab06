"""Nothing disclosive in a published report: no offence reference, no coordinates, no
suppressed count, and no suppressed count that a reader can work out from everything
published together (run on the default assessment, which uses the demonstration extract).

The differencing attacks (``methods.disclosure``): a published total minus the shown cells
of its group (row and column sums, across tables and ``results.json``), a pooled share times
its pooled count minus the shown years, a share times its own row's count, and a rate times
its population. A hidden cell is *exposed* when the attack bounds it to 1..threshold.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from needs_assessment.methods import disclosure
from needs_assessment.methods.disclosure import MARKER_SUFFIX, SUPPRESSED_MARKER
from needs_assessment.prepare import read

pytestmark = pytest.mark.e2e


def published_text(folder) -> dict[str, bytes]:
    """Every published file's bytes (xlsx opened: its XML parts)."""
    contents = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                contents[str(path)] = b"".join(archive.read(n) for n in archive.namelist())
        elif path.suffix != ".pdf":
            contents[str(path)] = path.read_bytes()
    return contents


def test_no_offence_reference_anywhere(published, default_config):
    references = read(default_config, "force_extract")["offence_reference"]
    prefixes = {ref.split("-")[0] + "-" for ref in references.head(1000)}
    assert prefixes == {"SYNTH-"}
    sample = set(references.sample(2000, random_state=1))
    for name, content in published_text(published).items():
        assert b"SYNTH-" not in content, name
        text = content.decode("utf-8", "ignore")
        assert not [ref for ref in sample if ref in text], name


def test_no_coordinates_or_identifier_columns(published):
    for path in (published / "tables").glob("*.csv"):
        columns = {c.lower() for c in pd.read_csv(path, nrows=0).columns}
        assert not columns & {
            "latitude",
            "longitude",
            "crime_id",
            "offence_reference",
            "easting",
            "northing",
            "offence_date",
        }, path.name


def test_suppressed_counts_are_blank(published):
    for path in (published / "tables").glob("*.csv"):
        table = pd.read_csv(path)
        for marker in [c for c in table.columns if c.endswith(MARKER_SUFFIX)]:
            value = marker[: -len(MARKER_SUFFIX)]
            hidden = table[marker] == SUPPRESSED_MARKER
            assert table.loc[hidden, value].isna().all(), f"{path.name}: {value}"


# -- differencing attacks ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def threshold(default_config) -> int:
    return default_config.thresholds.suppress_counts_up_to


@pytest.fixture(scope="module")
def csv(published):
    def load(name: str) -> pd.DataFrame:
        return pd.read_csv(published / "tables" / f"{name}.csv")

    return load


@pytest.fixture(scope="module")
def county_lines(published) -> dict:
    return json.loads((published / "results.json").read_text())["county_lines"]


def labels(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return frame[columns].astype(str).agg("|".join, axis=1).to_numpy()


def attack(cells: pd.Series, groupings: list, totals: list[dict], threshold: int) -> list:
    """Hidden cells the totals expose, group by group where one grouping is given (a group
    whose totals contradict the shown cells tells the reader nothing and is skipped)."""
    if len(groupings) > 1:
        bounds = disclosure.bounds_from_totals(cells, groupings, totals)
        return list(disclosure.exposed(bounds, threshold).index)
    found = []
    for key, total in totals[0].items():
        group = groupings[0] == key
        if not cells[group].isna().any():
            continue
        try:
            bounds = disclosure.bounds_from_totals(
                cells[group], [groupings[0][group]], [{key: total}]
            )
        except ValueError:
            continue
        found += list(disclosure.exposed(bounds, threshold).index)
    return found


def test_attacks_find_something_to_attack(csv):
    """The default run publishes hidden cells in the tables attacked below."""
    for name, column in (
        ("trends_districts", "count"),
        ("deprivation_lsoa", "count"),
        ("county_lines_markets", "from_outside_force"),
        ("county_lines_indicators", "supply_under_18"),
    ):
        assert csv(name)[column].isna().any(), name


def test_force_totals_minus_shown_districts(csv, threshold):
    districts, annual = csv("trends_districts"), csv("trends_annual")
    force = annual[annual["area_type"] == "force"]
    totals = dict(zip(labels(force, ["category", "year"]), force["count"], strict=True))
    keys = labels(districts, ["category", "year"])
    assert attack(districts["count"], [keys], [totals], threshold) == []


def test_district_and_decile_totals_minus_shown_lsoas(csv, threshold):
    lsoas = csv("deprivation_lsoa")
    by_district = csv("deprivation_districts").set_index("district_code")["count"]
    by_decile = csv("deprivation_by_decile").set_index("imd_decile")["count"]
    groupings = [lsoas["district_code"].to_numpy(), lsoas["imd_decile"].to_numpy()]
    totals = [by_district.to_dict(), by_decile.to_dict()]
    assert attack(lsoas["count"], groupings, totals, threshold) == []


def test_trend_events_minus_shown_years(csv, threshold):
    indicators, trends = csv("county_lines_indicators"), csv("county_lines_trends")
    for indicator, events in trends.groupby("indicator"):
        totals = dict(zip(events["district_code"], events["events"], strict=True))
        keys = indicators["district_code"].to_numpy()
        assert attack(indicators[indicator], [keys], [totals], threshold) == [], indicator


def test_hotspot_totals_minus_shown_districts(csv, threshold):
    districts, concentration = csv("hotspots_districts"), csv("hotspots_concentration")
    totals = dict(
        zip(labels(concentration, ["tier", "category"]), concentration["events"], strict=True)
    )
    keys = labels(districts, ["tier", "category"])
    assert attack(districts["count"], [keys], [totals], threshold) == []


def pooled_counts(county_lines: dict, pool: str) -> pd.DataFrame:
    """Per district, the pooled offenders and those from outside (share x offenders)."""
    rows = pd.DataFrame(county_lines["pooled_import_shares"][pool]).T
    outside = disclosure.counts_from_shares(
        rows["import_share"].astype(float), rows["supply_offenders"].astype(float), 4
    )
    return rows.assign(outside=outside)


def pool_sums(pool: pd.DataFrame, part: str) -> pd.Series:
    """A pool's offenders, those from outside, or those inside (offenders minus outside)."""
    offenders, outside = pool["supply_offenders"].astype(float), pool["outside"].astype(float)
    return {"offenders": offenders, "outside": outside, "inside": offenders - outside}[part]


@pytest.mark.parametrize("part", ["offenders", "outside", "inside"])
def test_pooled_shares_minus_shown_years(csv, county_lines, threshold, part):
    """results.json pools each district's offenders over the recent years and the whole
    period; the whole minus the recent pool gives the years before."""
    markets = csv("county_lines_markets")
    period = county_lines["recent_period"].split(" to ")
    first, last = period[0], period[-1]
    recent = markets["financial_year"].between(first, last).to_numpy()
    cells = {
        "offenders": markets["supply_offenders"],
        "outside": markets["from_outside_force"],
        "inside": markets["supply_offenders"] - markets["from_outside_force"],
    }[part]
    whole = pool_sums(pooled_counts(county_lines, "whole"), part)
    latest = pool_sums(pooled_counts(county_lines, "recent"), part)
    totals = {f"{d}|recent": v for d, v in latest.dropna().items()}
    totals |= {f"{d}|older": v for d, v in (whole - latest).dropna().items()}
    keys = (markets["district"] + np.where(recent, "|recent", "|older")).to_numpy()
    assert recent.any() and (~recent).any()
    assert attack(cells, [keys], [totals], threshold) == []


def test_shares_times_their_own_counts(csv, county_lines, threshold):
    markets = csv("county_lines_markets")
    hidden = markets["from_outside_force"].isna()
    found = disclosure.counts_from_shares(markets["import_share"], markets["supply_offenders"], 4)[
        hidden
    ]
    assert found.isna().all()
    years = pd.DataFrame(county_lines["import_shares"])
    merged = markets.merge(years, on=["district", "financial_year"], suffixes=("", "_json"))
    again = disclosure.counts_from_shares(
        merged["import_share_json"], merged["supply_offenders"], 4
    )
    assert again[merged["from_outside_force"].isna()].isna().all()


def test_origins_minus_shown_home_areas(csv, county_lines, threshold):
    origins = csv("county_lines_origins")
    totals = pooled_counts(county_lines, "recent")["outside"].dropna().to_dict()
    keys = origins["district"].to_numpy()
    assert attack(origins["offenders"], [keys], [totals], threshold) == []
    shares = disclosure.counts_from_shares(
        origins["share"], origins["district"].map(totals).astype(float), 2
    )
    assert shares[origins["offenders"].isna()].isna().all()


#: Published rate columns, the count each rests on and its population column.
RATES = (
    ("trends_districts", "count", "rate", "population"),
    ("deprivation_lsoa", "count", "rate_per_1000_over_months", "population"),
    ("hotspots_districts", "count", "rate_per_1000", "person_years"),
    ("county_lines_indicators", "supply_offences", "supply_per_1000", "population"),
    ("county_lines_indicators", "possession_offences", "possession_per_1000", "population"),
    ("county_lines_indicators", "weapon_linked_supply", "weapon_linked_per_1000", "population"),
    ("county_lines_indicators", "county_lines_flagged", "county_lines_per_1000", "population"),
    ("county_lines_indicators", "serious_violence", "serious_violence_per_1000", "population"),
    ("people_age_sex", "count", "rate", "population"),
    ("people_districts", "count", "rate", "population"),
    ("people_ethnicity", "count", "rate", "residents"),
    ("people_ethnicity_districts", "count", "rate", "residents"),
)


@pytest.mark.parametrize("name, count, rate, population", RATES)
def test_rates_times_population(csv, threshold, name, count, rate, population):
    table = csv(name)
    per = table["per"] if "per" in table else _per(table, count, rate, population)
    found = disclosure.counts_from_rates(table[rate], table[population], per)
    recovered = found[table[count].isna()].dropna()
    assert not recovered.between(1, threshold).any(), list(recovered.index)


def _per(table: pd.DataFrame, count: str, rate: str, population: str) -> float:
    """The rate's unit, from the rows that show both (per 1,000, per 100,000 ...)."""
    shown = table[(table[count] > 0) & table[rate].notna()]
    return float((shown[rate] * shown[population] / shown[count]).median())


@pytest.mark.parametrize("name", ["hotspots_lsoa", "hotspots_lsoa_extract"])
def test_a_hidden_lsoa_count_leaves_nothing_to_invert(csv, name):
    """Rate, times-expected and Gi* z each give a count back (with the area's rate or the
    neighbours' published rates): none is shown where the LSOA's count is hidden."""
    table = csv(name)
    hidden = table["count"].isna()
    assert hidden.any(), name  # there is something to attack
    for column in ("rate_per_1000", "times_expected", "gi_z"):
        assert table.loc[hidden, column].isna().all(), f"{name}: {column}"
