"""The People chapter: denominators that add up to the Census and the ONS estimates, the
demonstration extract's planted patterns recovered, disclosure control, and an extract
without the optional columns publishing "not available" sections instead of failing."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest

from needs_assessment import tiers
from needs_assessment.chapters import registry
from needs_assessment.chapters.people import analysis, repeats, tables
from needs_assessment.chapters.people.results import results
from needs_assessment.demo import people as planted
from needs_assessment.demo.settings import AGE_BANDS, VICTIM_PROFILE
from needs_assessment.methods.disclosure import SUPPRESSED_MARKER, marker_column
from needs_assessment.paths import DEFAULT_CONFIG, NOTEBOOK_DIR, RAW_DIR
from needs_assessment.sources import force_extract_people, hospital_admissions_age

AREA = ("E07000008", "E07000009", "E07000010", "E07000011", "E07000012", "E06000031")


@pytest.fixture(scope="module")
def chapter(default_config):
    from needs_assessment.prepare import prepare

    prepare(default_config)
    return registry.build("people", default_config)


@pytest.fixture(scope="module")
def extract(default_config):
    from needs_assessment.prepare import read

    return read(default_config, "force_extract")


def test_build_declares_its_tables():
    assert registry.inputs("people") == (
        "force_extract",
        "lsoa_lookup",
        "district_population_age",
        "sape_population_age",
        "census_ethnicity",
        "hospital_admissions_age",
    )


# -- denominators ----------------------------------------------------------------------


def test_ethnicity_denominators_sum_to_the_census_totals_of_the_area(chapter):
    census = pd.read_csv(
        RAW_DIR
        / "census2021_ethnicity"
        / "census2021_ts021_ethnic_group_lsoa21_broad_demographr.csv.gz"
    )
    lookup = pd.read_csv(RAW_DIR / "lookups_2021" / "lookup_lsoa11_lsoa21_ltla22_geographr.csv.gz")
    area = set(lookup.loc[lookup["ltla22_code"].isin(AREA), "lsoa21_code"])
    totals = census[census["lsoa21_code"].isin(area)].drop_duplicates("lsoa21_code")
    e = chapter.ethnicity
    assert e.lsoas == len(area) == 516
    assert int(e.residents["residents"].sum()) == int(totals["total_residents"].sum()) == 894_464
    by_group = census[census["lsoa21_code"].isin(area)].groupby("ethnic_group")["n"].sum()
    assert int(e.residents.set_index("ethnic_group").loc["white", "residents"]) == int(
        by_group["White"]
    )
    district = e.districts[(e.districts["role"] == "victim")].groupby("district")["residents"].sum()
    assert int(district.sum()) == 894_464


def test_age_sex_denominators_are_the_ons_estimates(chapter):
    raw = pd.read_csv(
        RAW_DIR / "population_mye21" / "ons_mye_lad_syoa_mid2021_mid2022_mid2023_derived.csv.gz"
    )
    rows = raw[(raw["mid_year"] == 2021) & (raw["sex"] == "males") & raw["code"].isin(AREA)]
    expected = int(rows[[str(a) for a in range(18, 25)]].sum().sum())
    cell = chapter.age_sex.set_index(["role", "sex", "age_band"]).loc[("victim", "male", "18-24")]
    assert int(cell["population"]) == expected
    assert cell["rate"] == pytest.approx(cell["count"] / expected * 1000)
    assert cell["lower"] < cell["rate"] < cell["upper"]
    assert chapter.denominator.basis == analysis.CENSUS_BASIS and chapter.denominator.by_sex


def test_earlier_years_use_the_older_estimates_and_say_so(chapter):
    rated = chapter.trend[chapter.trend["rate_under_25"].notna()]
    assert sorted(rated["year"].unique()) == [2017, 2019, 2020, 2021]
    assert set(rated.loc[rated["year"] < 2021, "basis"]) == {analysis.OLD_BASIS}
    raw = pd.read_csv(RAW_DIR / "population_lsoa" / "ons_sape_mid2019_lsoa11_persons_syoa.csv.gz")
    lookup = pd.read_csv(
        RAW_DIR / "lookups" / "OA11_LSOA11_MSOA11_LAD17_OAC_lookup.csv.gz",
        usecols=["LSOA11CD", "LAD17CD"],
    ).drop_duplicates()
    area = set(lookup.loc[lookup["LAD17CD"].isin(AREA), "LSOA11CD"])
    under_25 = int(raw[raw["lsoa11_code"].isin(area)][[str(a) for a in range(25)]].sum().sum())
    row = rated[(rated["role"] == "victim") & (rated["year"] == 2019)].iloc[0]
    assert row["population_under_25"] == under_25


# -- planted patterns ------------------------------------------------------------------------


def planted_share_under(bands_name: str, age: int) -> float:
    """Share of an illustrative age distribution below ``age`` (ages uniform in a band)."""
    bands = AGE_BANDS[bands_name]
    total = sum(w for _, _, w in bands)
    below = sum(
        w * max(0, min(high, age - 1) - low + 1) / (high - low + 1) for low, high, w in bands
    )
    return below / total


def test_under_25_share_of_serious_victims_is_recovered(extract):
    serious = [code for code, (bands, _) in VICTIM_PROFILE.items() if bands == "serious_victim"]
    rows = analysis.people_rows(extract[extract["home_office_code"].isin(serious)], "victim")
    share = (rows["age"].dropna() < 25).mean()
    assert planted_share_under("serious_victim", 25) == pytest.approx(0.38)
    assert share == pytest.approx(0.38, abs=0.02)


@pytest.mark.parametrize("role", ["victim", "offender"])
def test_disproportionality_ratios_are_recovered(chapter, role):
    rates = chapter.ethnicity.rates
    rows = rates[(rates["role"] == role) & (rates["ages"] == "all ages")].set_index("ethnic_group")
    for group in ("black", "mixed", "asian"):
        assert rows.loc[group, "ratio"] == pytest.approx(
            planted.RATE_RATIO[role][group], rel=0.1
        ), group
        assert (
            rows.loc[group, "ratio_lower"]
            < rows.loc[group, "ratio"]
            < rows.loc[group, "ratio_upper"]
        )
    assert rows.loc["black", "ratio_lower"] > 1  # planted well above 1: clearly higher
    assert rows.loc["white", "ratio"] == pytest.approx(1)
    recording = chapter.ethnicity.recording.set_index(["role", "ages"])
    assert recording.loc[(role, "all ages"), "share"] == pytest.approx(
        planted.NOT_RECORDED[role], abs=0.015
    )


def test_repeat_shares_are_recovered(chapter):
    for role in ("victim", "offender"):
        whole, latest = chapter.repeats.roles[role]
        assert whole.top_share == pytest.approx(planted.expected_top_share(role), abs=0.01)
        assert latest.top_share == pytest.approx(planted.expected_top_share(role), abs=0.02)
        assert whole.top_people == math.ceil(0.05 * whole.people)


def test_concentration_counts_the_most_frequent_people():
    ids = pd.Series(["a"] * 6 + ["b"] * 2 + list("cdefghijklmnopqrst") + [None])
    c = repeats.concentration(ids, "victim", "all years")
    assert (c.people, c.offences, c.top_people, c.top_offences, c.repeat_people) == (
        20,
        26,
        1,
        6,
        2,
    )
    assert c.top_share == pytest.approx(6 / 26)


# -- the Home Office measures ----------------------------------------------------------------


def test_measures_carry_their_tier(chapter):
    measures = {m.key: m for m in chapter.measures}
    assert list(measures) == ["sharp_object_admissions", "knife_under_25", "homicide_under_25"]
    assert measures["sharp_object_admissions"].tier == tiers.HOSPITAL
    for key in ("knife_under_25", "homicide_under_25"):
        assert measures[key].tier.synthetic and measures[key].available


def test_knife_and_homicide_measures_count_young_victims(chapter, extract, default_config):
    from needs_assessment.definitions import load_definitions

    definitions = load_definitions(default_config.definitions)
    knife = definitions.categories["knife_crime"]
    latest = extract[extract["year"] == 2021]
    young = latest["victim_age"] < 25
    expected = (
        latest["home_office_code"].isin(list(knife.home_office_codes))
        & latest["sharp_instrument"]
        & young
    ).sum()
    homicide = latest["home_office_code"].isin(
        list(definitions.categories["homicide"].home_office_codes)
    )
    measures = {m.key: m for m in chapter.measures}
    assert measures["knife_under_25"].count == int(expected)
    assert measures["homicide_under_25"].count == int(
        (homicide & young & ~latest["domestic_abuse"]).sum()
    )
    assert measures["homicide_under_25"].count < int((homicide & young).sum())


def test_sharp_object_admissions_by_age_band():
    path = (
        RAW_DIR
        / "nhs_hes_assault_sharp_object"
        / "hes_assault_sharp_object_by_region_month_2012-13_to_2021-22.xlsx"
    )
    frame = hospital_admissions_age.annual_by_age(path)
    assert set(frame["age_band"]) >= {"0-9", "10-19", "20-29", "80+", "unknown"}
    assert frame["financial_year"].nunique() == 10
    row = frame.set_index(["region", "financial_year", "age_band"]).loc[
        ("East of England", "2021-22", "10-19")
    ]
    assert row["lower"] == row["admissions_shown"] + row["suppressed_months"]
    assert row["upper"] == row["admissions_shown"] + 7 * row["suppressed_months"]
    assert hospital_admissions_age.age_band("Under 10") == "0-9"
    assert hospital_admissions_age.age_band("20 to 29") == hospital_admissions_age.age_band("20-29")


# -- disclosure ---------------------------------------------------------------------------------


def test_complementary_suppression_covers_rows_and_columns():
    counts = np.array([3, 40, 50, 60, 70, 80], dtype=float)
    hidden = np.array([True, False, False, False, False, False])
    rows = np.array(["a", "a", "a", "b", "b", "b"])
    columns = np.array(["x", "y", "z", "x", "y", "z"])
    done = tables.complete(counts, hidden, [rows, columns])
    for labels in (rows, columns):
        for key in set(labels):
            assert done[labels == key].sum() != 1
    assert done.sum() == 4


def test_published_tables_hide_small_counts(chapter, default_config):
    small = chapter.districts_table.assign(count=lambda f: f["count"].where(f.index != 0, 3))
    safe = tables.published_districts(
        dataclasses.replace(chapter, districts_table=small), default_config
    )
    assert (
        pd.isna(safe.loc[0, "count"]) and safe.loc[0, marker_column("count")] == SUPPRESSED_MARKER
    )
    assert pd.isna(safe.loc[0, "rate"])
    hidden = safe["count"].isna()
    for grouping in (["role", "district"], ["role", "age_band"]):
        assert (hidden.groupby([safe[c] for c in grouping]).sum() != 1).all()
    for name in (
        "published_age_sex",
        "published_trend",
        "published_ethnicity",
        "published_ethnicity_districts",
    ):
        frame = getattr(tables, name)(chapter, default_config)
        shown = pd.to_numeric(
            frame["count"] if "count" in frame else frame["under_18"], errors="coerce"
        )
        assert not shown.between(1, default_config.thresholds.suppress_counts_up_to).any(), name


def test_results_block_is_typed_and_has_no_ids(chapter, default_config):
    block = results(chapter, default_config).model_dump(mode="json")
    assert [m["key"] for m in block["measures"]] == [m.key for m in chapter.measures]
    assert all(m["tier"] for m in block["measures"])
    assert block["census_residents"] == 894_464
    text = json.dumps(block)
    assert "DV" not in text and "DO1" not in text


# -- an extract without the optional columns ----------------------------------------------------


@pytest.fixture(scope="module")
def without_people(default_config, extract):
    from needs_assessment.definitions import load_definitions
    from needs_assessment.prepare import read

    plain = extract.drop(
        columns=[
            c
            for c in extract.columns
            if c
            in (
                *force_extract_people.OPTIONAL_COLUMNS,
                "victim_ethnic_group",
                "offender_ethnic_group",
            )
        ]
    )
    tables_ = {name: read(default_config, name) for name in registry.inputs("people")}
    tables_["force_extract"] = plain
    return analysis.build(default_config, load_definitions(default_config.definitions), **tables_)


def test_without_the_optional_columns_the_sections_are_empty(without_people):
    assert without_people.ethnicity is None and without_people.repeats is None
    measures = {m.key: m for m in without_people.measures}
    assert not measures["homicide_under_25"].available
    assert measures["homicide_under_25"].gap == "no_domestic_flag"
    assert measures["knife_under_25"].available
    assert not without_people.age_sex.empty


def run_notebook(chapter, tmp_path, monkeypatch) -> list[dict]:
    """Every code cell of the notebook, run on ``chapter``; the gaps it recorded."""
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setattr(registry, "build", lambda key, config: chapter)
    notebook = json.loads((NOTEBOOK_DIR / "05_people.ipynb").read_text(encoding="utf-8"))
    namespace = {}
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "code":
            continue
        if "parameters" in cell["metadata"].get("tags", []):
            source = f"config_path = {str(DEFAULT_CONFIG)!r}\noutput_dir = {str(tmp_path)!r}"
        exec(compile(source, "05_people.ipynb", "exec"), namespace)
    return json.loads((tmp_path / "results" / "people.json").read_text())["gaps"]


def test_the_notebook_publishes_not_available_sections(without_people, tmp_path, monkeypatch):
    gaps = run_notebook(without_people, tmp_path, monkeypatch)
    sections = {g["section"] for g in gaps}
    assert {"Repeat victims and offenders", "Racial disproportionality"} <= sections
    assert "Non-domestic homicide with a victim under 25" in sections
    assert all(g["status"] == "not available" and g["reason"] and g["remedy"] for g in gaps)


def test_without_an_extract_only_the_hospital_measure_is_shown(
    default_config, tmp_path, monkeypatch
):
    from needs_assessment.definitions import load_definitions
    from needs_assessment.prepare import read

    inputs = {name: read(default_config, name) for name in registry.inputs("people")}
    inputs["force_extract"] = None
    chapter = analysis.build(default_config, load_definitions(default_config.definitions), **inputs)
    assert [m.available for m in chapter.measures] == [True, False, False]
    gaps = run_notebook(chapter, tmp_path, monkeypatch)
    assert len(gaps) == 7
    assert "Hospital admissions for assault with a sharp object" not in {g["section"] for g in gaps}
