"""The synthetic demonstration extract: reproducible, calibrated to the real public
aggregates, with the planted patterns, and valid in the force-extract schema."""

from __future__ import annotations

import hashlib
import math

import pandas as pd
import pytest

from needs_assessment import demo
from needs_assessment.definitions import load_definitions
from needs_assessment.manifest import load_manifest
from needs_assessment.paths import ROOT
from needs_assessment.sources import force_extract

COMMITTED = demo.DEFAULT_OUTPUT
VIOLENCE = ("homicide", "violence_with_injury", "violence_without_injury")


@pytest.fixture(scope="module")
def definitions(default_config):
    return load_definitions(default_config.definitions)


@pytest.fixture(scope="module")
def inputs(default_config, definitions):
    return demo.build_inputs(default_config, definitions)


@pytest.fixture(scope="module")
def generated(inputs):
    """The extract regenerated from the real files and the config seed (text columns)."""
    return inputs.generate()


@pytest.fixture(scope="module")
def extract(generated, inputs, definitions, default_config):
    """The regenerated extract, typed by the force-extract checks, with its category."""
    typed = force_extract.parse(
        generated,
        "generated demo extract",
        area_lsoas=inputs.lsoa_districts,
        known_codes=force_extract.definition_codes(definitions),
        period=default_config.period,
        lsoa_districts=inputs.lsoa_districts,
    )
    category = {code: key for key in demo.CATEGORIES for code in inputs.code_shares[key]}
    return typed.assign(category=typed["home_office_code"].map(category))


def count(extract, category, year):
    return int(((extract["category"] == category) & (extract["year"] == year)).sum())


# -- reproducible and marked synthetic -------------------------------------------------


def test_regenerating_reproduces_the_committed_file(generated):
    rebuilt = hashlib.sha256(demo.to_csv_gz(generated)).hexdigest()
    committed = hashlib.sha256(COMMITTED.read_bytes()).hexdigest()
    assert rebuilt == committed
    listed = [s for s in load_manifest()["sources"] if s["id"] == "demo_force_extract"]
    for source in listed:  # once the manifest lists the file, it must agree too
        assert source["synthetic"] is True
        assert source["files"][0]["sha256"] == committed


def test_the_committed_file_loads_cleanly(default_config, definitions, inputs):
    frame = force_extract.load(
        COMMITTED,
        area_lsoas=inputs.lsoa_districts,
        known_codes=force_extract.definition_codes(definitions),
        period=default_config.period,
        lsoa_districts=inputs.lsoa_districts,
    )
    assert len(frame) > 150_000
    assert frame.attrs["synthetic"] is True
    assert frame["offence_date"].min() >= pd.Timestamp("2010-04-01")
    assert frame["offence_date"].max() <= pd.Timestamp("2022-03-31")
    assert sorted(frame["financial_year"].unique()) == default_config.period.financial_years
    assert frame["district_code"].notna().all()


def test_generate_is_pure_and_seeded(inputs):
    totals = inputs.annual_totals[inputs.annual_totals["year"].isin([2012, 2020])]

    def run(seed):
        return demo.generate(
            totals,
            inputs.lsoa_weights,
            inputs.code_shares,
            inputs.lsoa_districts,
            knife_codes=inputs.knife_codes,
            firearm_codes=inputs.firearm_codes,
            seed=seed,
        )

    first, again, other = run(20210331), run(20210331), run(1)
    pd.testing.assert_frame_equal(first, again)
    assert (
        len(first)
        == len(other)
        == int(totals["count"].sum())
        - int(totals.loc[totals["category"] == demo.KNIFE, "count"].sum())
    )
    assert not first["lsoa_code"].equals(other["lsoa_code"])


def test_everything_is_marked_synthetic(generated):
    assert generated["offence_reference"].str.startswith("SYNTH-").all()
    assert generated["offence_reference"].is_unique
    assert generated.attrs["synthetic"] is True
    assert "SYNTHETIC" in demo.SYNTHETIC_LABEL
    assert "synthetic" in demo.manifest_entry()["publisher"]
    assert "SYNTHETIC" in (ROOT / "docs" / "force_extract.md").read_text(encoding="utf-8")


# -- calibrated to the real aggregates -------------------------------------------------


@pytest.mark.parametrize(
    "category, year, expected",
    [
        ("robbery", 2017, 669),
        ("possession_of_weapons", 2017, 514),
        ("drug_offences", 2017, 1423),
        ("violence_with_injury", 2017, 4973),
        ("violence_without_injury", 2017, 9286),
        ("homicide", 2017, 7),
        ("violence_with_injury", 2010, 4529),
        ("drug_offences", 2010, 2378),
        # 2018/19 from the PFA data tables, Table P1 (year ending March 2019 edition)
        ("robbery", 2018, 834),
        ("violence_with_injury", 2018, 5105),
        ("homicide", 2018, 12),
        ("possession_of_weapons", 2018, 551),
        ("drug_offences", 2018, 1349),
    ],
)
def test_annual_totals_equal_the_real_ons_numbers(extract, category, year, expected):
    assert count(extract, category, year) == expected


def test_every_year_to_2017_18_equals_rec_crime_pfa(
    extract, recorded_crime, definitions, default_config
):
    from needs_assessment.sources import ons_recorded_crime

    annual = ons_recorded_crime.financial_years(recorded_crime)
    annual = annual[
        (annual["force"] == default_config.area.force) & annual["year"].between(2010, 2017)
    ]
    for category in demo.CATEGORIES:
        groups = definitions.categories[category].ons_offence_groups
        real = annual[annual["offence_group"].isin(groups)].groupby("year")["count"].sum()
        got = extract[extract["category"] == category].groupby("year").size()
        assert got.reindex(real.index).tolist() == real.tolist(), category


def test_sharp_instrument_rows_equal_table_p5(extract, definitions):
    eligible = extract["home_office_code"].isin(
        definitions.categories["knife_crime"].home_office_codes
    )
    flagged = extract[extract["sharp_instrument"] & eligible].groupby("year").size()
    # Table P5, newest edition giving each year (2017/18: 536 in the YE Jun 2019 edition
    # onwards, 535 before)
    p5 = {
        2010: 291,
        2011: 238,
        2012: 253,
        2013: 220,
        2014: 316,
        2015: 376,
        2016: 403,
        2017: 536,
        2018: 380,
    }
    assert {year: int(flagged[year]) for year in p5} == p5
    assert not (extract["sharp_instrument"] & ~eligible).any()


def test_years_after_the_real_data_follow_the_severity_score(inputs, extract):
    totals = inputs.annual_totals.set_index(["year", "category"])
    for category in (*demo.CATEGORIES, demo.KNIFE):
        for year in (2019, 2020, 2021):
            assert totals.loc[(year, category), "basis"].startswith("synthetic continuation")
        assert totals.loc[(2018, category), "basis"].startswith("ONS PFA data tables")
    # Violence against the person score, year ending March 2019 -> March 2020: 3.2435 -> 3.7651
    assert count(extract, "violence_with_injury", 2019) == math.floor(
        5105 * 3.765060 / 3.243503 + 0.5
    )
    for category in demo.CATEGORIES:
        for year in (2019, 2020, 2021):
            assert 0.5 < count(extract, category, year) / count(extract, category, 2018) < 2


def test_codes_follow_the_2017_18_shares(extract, inputs):
    drugs = extract[extract["category"] == "drug_offences"]
    supply = (drugs["home_office_code"] == "92A").mean()
    assert supply == pytest.approx(inputs.code_shares["drug_offences"]["92A"], abs=0.02)
    assert inputs.code_shares["drug_offences"]["92A"] == pytest.approx(420 / 1423)
    injury = extract[extract["category"] == "violence_with_injury"]
    assert (injury["home_office_code"] == "8N").mean() == pytest.approx(4458 / 4999, abs=0.01)


# -- planted patterns ------------------------------------------------------------------


def test_drug_supply_import_shares_come_out_as_planted(extract, default_config):
    supply = extract[
        (extract["home_office_code"] == "92A") & extract["offender_home_district"].notna()
    ]
    outside = ~supply["offender_home_district"].isin(list(default_config.area.districts))
    share = outside.groupby(supply["district_code"]).mean()
    offenders = supply.groupby("district_code").size()
    for district, planted in demo.SUPPLY_IMPORT_SHARE.items():
        n = int(offenders[district])
        assert n >= 250, district
        tolerance = 3 * math.sqrt(planted * (1 - planted) / n) + 0.01
        assert share[district] == pytest.approx(planted, abs=tolerance), district
    assert share["E07000008"] > 0.5 and share["E07000011"] > 0.5  # Cambridge, Huntingdonshire
    assert share["E06000031"] < 0.5  # Peterborough: mostly home grown
    homes = supply.loc[outside, "offender_home_district"]
    assert homes.str.startswith("E09").mean() > 0.5  # mostly London boroughs
    assert {"E09000012", "E09000014", "E09000010", "E06000032"} <= set(homes)
    assert supply.loc[outside, "offender_postcode_district"].isin(["E8", "N17", "N15", "E5"]).any()


def test_drug_supply_unknown_homes_and_children(extract):
    supply = extract[extract["home_office_code"] == "92A"]
    assert supply["offender_home_district"].isna().mean() == pytest.approx(
        demo.SUPPLY_UNKNOWN_HOME_SHARE, abs=0.02
    )
    assert (
        supply["offender_postcode_district"].isna().equals(supply["offender_home_district"].isna())
    )
    assert 0.08 < (supply["offender_age"] < 18).mean() < 0.25
    assert supply["offender_age"].notna().all()


def test_county_lines_mostly_supply_by_out_of_area_offenders(extract, default_config):
    lines = extract[extract["county_lines"]]
    outside = lines["offender_home_district"].notna() & ~lines["offender_home_district"].isin(
        list(default_config.area.districts)
    )
    assert len(lines) > 1000
    assert (lines["home_office_code"] == "92A").mean() > 0.6
    assert (outside & (lines["home_office_code"] == "92A")).mean() > 0.5
    assert lines["offender_age"].notna().all()


def test_lsoa_spread_follows_police_uk(extract, inputs):
    types = {
        "Violence and sexual offences": (VIOLENCE, 0.9),
        "Drugs": (("drug_offences",), 0.7),
        "Robbery": (("robbery",), 0.7),
        "Possession of weapons": (("possession_of_weapons",), 0.7),
    }
    for crime_type, (categories, minimum) in types.items():
        rows = extract[extract["category"].isin(categories)]
        spread = rows.groupby("lsoa_code").size().reindex(inputs.lsoa_weights.index, fill_value=0)
        rho = spread.corr(inputs.lsoa_weights[crime_type], method="spearman")
        assert rho > minimum, crime_type
    violence = extract[extract["category"].isin(VIOLENCE)]
    assert violence["lsoa_code"].nunique() == len(inputs.lsoa_weights) == 487


def test_violence_peaks_at_night_at_weekends(extract):
    violence = extract[extract["category"].isin(VIOLENCE) & extract["offence_hour"].notna()]
    weekend = violence["offence_date"].dt.day_of_week >= 4
    night = violence["offence_hour"].isin([22, 23, 0, 1, 2])
    assert night[weekend].mean() > 1.5 * night[~weekend].mean()
    summer = violence["offence_date"].dt.month.isin([6, 7, 8]).mean()
    assert 0.25 < summer < 0.29  # mild seasonality (a flat year gives 0.252)


def test_victims_and_offenders_are_plausible(extract):
    victimless = extract["category"].isin(["possession_of_weapons", "drug_offences"])
    assert extract.loc[victimless, ["victim_age", "victim_sex"]].isna().all().all()
    assert extract.loc[~victimless, "victim_sex"].notna().all()
    officers = extract[extract["home_office_code"].isin(["8S", "104"])]
    assert officers["victim_age"].dropna().between(18, 65).all()
    children = extract[extract["home_office_code"] == "11A"]
    assert (children["victim_age"].dropna() < 16).all()
    offenders = extract[extract["offender_sex"].notna()]
    assert (offenders["offender_sex"] == "M").mean() > 0.75
    assert offenders["offender_age"].median() < 30


def test_gun_crime_is_rare_and_never_also_a_knife(extract, definitions):
    guns = extract[extract["firearm"]]
    per_year = guns.groupby("year").size()
    assert per_year.between(3, 60).all()
    assert (
        guns["home_office_code"].isin(definitions.categories["gun_crime"].home_office_codes).all()
    )
    assert not (extract["firearm"] & extract["sharp_instrument"]).any()


def test_entry_point_writes_the_file(tmp_path, inputs, monkeypatch, capsys):
    small = inputs.annual_totals[inputs.annual_totals["year"] == 2015]
    small_inputs = demo.DemoInputs(**{**inputs.__dict__, "annual_totals": small})
    monkeypatch.setattr(demo, "build_inputs", lambda config: small_inputs)
    out = tmp_path / "demo.csv.gz"
    assert demo.main(["--out", str(out)]) == 0
    frame = force_extract.load(out, lsoa_districts=inputs.lsoa_districts)
    assert set(frame["financial_year"]) == {"2015/16"}
    printed = capsys.readouterr().out
    assert f"{len(frame)} rows" in printed and "SYNTHETIC" in printed
    entry = demo.manifest_entry(out)
    assert entry["files"][0]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()


# -- the optional columns about people -------------------------------------------------

#: sha256 of the extract as it was before the columns about people were added: every
#: number other chapters pin was drawn from these bytes.
BEFORE_PEOPLE = "c7e2ae624f25ce1f38865d185242e091633dca68a1684deb99a7b905c18a7aef"


def test_existing_columns_are_byte_for_byte_unchanged(generated):
    assert set(force_extract.OPTIONAL_COLUMNS) <= set(generated.columns)
    before = demo.to_csv_gz(generated[list(force_extract.COLUMNS)])
    assert hashlib.sha256(before).hexdigest() == BEFORE_PEOPLE


def test_without_people_inputs_no_optional_columns(inputs):
    totals = inputs.annual_totals[inputs.annual_totals["year"] == 2015]
    plain = demo.DemoInputs(**{**inputs.__dict__, "annual_totals": totals, "people": None})
    assert list(plain.generate().columns) == list(force_extract.COLUMNS)


def test_ethnicity_is_planted_against_census_shares(extract, inputs):
    from needs_assessment.demo import people

    shares = inputs.people.broad_shares
    assert sum(shares.values()) == pytest.approx(1)
    for role in ("victim", "offender"):
        known = extract[extract[f"{role}_sex"].notna()]
        missing = known[f"{role}_ethnic_group"].isna().mean()
        assert missing == pytest.approx(people.NOT_RECORDED[role], abs=0.01)
        groups = known[f"{role}_ethnic_group"].value_counts(normalize=True)
        weights = {g: shares[g] * people.RATE_RATIO[role][g] for g in shares}
        for group, weight in weights.items():
            expected = weight / sum(weights.values())
            assert groups[group] == pytest.approx(expected, rel=0.1), (role, group)


def test_detailed_codes_map_to_their_broad_group(extract):
    from needs_assessment.demo import people

    codes = extract["victim_ethnicity"].dropna()
    detailed = codes.str.len() == 2
    assert detailed.mean() == pytest.approx(people.DETAILED_SHARE, abs=0.01)
    assert codes[detailed].str.slice(0, 1).isin(["W", "A", "B", "M", "O"]).all()
    assert codes.nunique() == 19 + 5


def test_domestic_abuse_follows_the_planted_rates(extract):
    from needs_assessment.demo import people

    for code in ("8N", "105A"):
        rows = extract[extract["home_office_code"] == code]
        assert rows["domestic_abuse"].mean() == pytest.approx(
            people.DOMESTIC_ABUSE_RATE[code], abs=0.02
        )
    victimless = extract["category"].isin(["possession_of_weapons", "drug_offences"])
    assert not extract.loc[victimless, "domestic_abuse"].any()


def test_ids_are_pseudonyms_with_planted_repeats(extract):
    from needs_assessment.demo import people

    for role in ("victim", "offender"):
        ids = extract[f"{role}_id"].dropna()
        assert ids.str.fullmatch(rf"{people.ID_PREFIX[role]}\d{{2}}[0-9A-F]{{8}}").all()
        assert not ids.isin(extract["offence_reference"]).any()
        counts = ids.value_counts()
        top = counts.iloc[: math.ceil(0.05 * len(counts))].sum() / counts.sum()
        assert top == pytest.approx(people.expected_top_share(role), abs=0.01), role
    assert extract.loc[extract["victim_sex"].isna(), "victim_id"].isna().all()
