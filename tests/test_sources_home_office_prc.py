"""Home Office police recorded crime open data tables (PFA and CSP level)."""

from __future__ import annotations

import pandas as pd
import pytest

from needs_assessment.errors import DataError
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import home_office_prc as prc

PATH = RAW_DIR / "crime_sim_toolkit" / "prc-pfa-201718_new.csv"


@pytest.fixture(scope="module")
def pfa() -> pd.DataFrame:
    return prc.load(PATH)


def test_cambridgeshire_2017_18_matches_ons(pfa):
    cambs = pfa[(pfa["area_name"] == "Cambridgeshire") & (pfa["financial_year"] == "2017/18")]
    assert len(cambs) == 524
    by_group = cambs.groupby("offence_group")["count"].sum()
    assert by_group["Robbery"] == 669
    assert by_group["Possession of weapons offences"] == 514
    assert by_group["Drug offences"] == 1_423
    # homicide: four rows a quarter share one code; their sum = ONS Table P1 YE Mar 2018 (7)
    homicide = cambs[cambs["offence_code"] == "1/4.1/4.10/4.2"]
    assert len(homicide) == 16 and homicide["count"].sum() == 7


def test_columns_codes_and_levels(pfa):
    assert list(pfa.columns) == list(prc.SCHEMA.columns)
    assert set(pfa["area_level"]) == {"force"}
    assert (pfa["area_name"] == pfa["force_name"]).all()
    assert set(pfa["quarter"]) == {1, 2, 3, 4}
    codes = set(pfa["offence_code"])
    assert {"8N", "3A", "105A", "9A", "AF"} <= codes
    assert pfa["offence_code"].map(type).eq(str).all()
    assert pfa["count"].min() < 0  # published adjustments kept


def test_territorial_forces_and_other_bodies(pfa):
    others = set(pfa[~pfa["is_territorial_force"]]["force_name"])
    assert others == {
        "British Transport Police",
        "Action Fraud",
        "CIFAS",
        "UK Finance",
        "Financial Fraud Action UK",
    }
    territorial = prc.territorial_forces(pfa)
    assert territorial["force_name"].nunique() == 43
    assert {"London, City of", "Metropolitan Police", "Cambridgeshire"} <= set(
        territorial["force_name"]
    )


CSP_HEADER = (
    "Financial Year,Financial Quarter,Force Name,Community Safety Partnership,"
    "Offence Description,Offence Group,Offence Subgroup,Offence Code,"
    "Number of Offences\n"
)


def _csp_file(tmp_path, *lines, header=CSP_HEADER, name="prc-csp.csv"):
    path = tmp_path / name
    path.write_text(header + "".join(lines), encoding="utf-8")
    return path


ROBBERY = (
    "2017/18,Q1,Cambridgeshire,Peterborough,Robbery of personal property,Robbery,"
    "Robbery of personal property,34B,{n}\n"
)
WEAPON = (
    "2017/18,1,Cambridgeshire,Cambridge,Possession of article with blade or point,"
    "Possession of weapons offences,Possession of weapons offences,8N,{n}\n"
)


def test_csp_file_official_layout(tmp_path):
    path = _csp_file(tmp_path, ROBBERY.format(n=40), WEAPON.format(n='"1,234"'))
    frame = prc.load(path)
    assert frame["area_level"].tolist() == ["csp", "csp"]
    assert frame["area_name"].tolist() == ["Peterborough", "Cambridge"]
    assert frame["force_name"].tolist() == ["Cambridgeshire", "Cambridgeshire"]
    assert frame["offence_code"].tolist() == ["34B", "8N"]
    assert frame["count"].tolist() == [40, 1234]
    assert frame["quarter"].tolist() == [1, 1]
    assert frame["is_territorial_force"].all()


def test_csp_name_variant_and_no_subgroup(tmp_path):
    header = (
        "Financial Year,Financial Quarter,Force Name,CSP Name,Offence Description,"
        "Offence Group,Offence Code,Number of Offences\n"
    )
    line = "2018-19,2,Cambridgeshire,Fenland,Murder,Violence against the person,1,1\n"
    frame = prc.load(_csp_file(tmp_path, line, header=header))
    assert frame["financial_year"].tolist() == ["2018/19"]
    assert frame["area_name"].tolist() == ["Fenland"]
    assert frame["offence_subgroup"].isna().all()


# ------------------------------------------------------------------------- bad input


def test_non_numeric_count_names_row_and_column(tmp_path):
    path = _csp_file(tmp_path, ROBBERY.format(n=3), WEAPON.format(n="lots"))
    with pytest.raises(DataError, match="not a number: 'lots'") as caught:
        prc.load(path)
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        str(path),
        3,
        "Number of Offences",
    )


def test_non_numeric_count_underscore_layout(tmp_path):
    header = (
        ",Financial_Year,Financial_Quarter,Force_Name,Offence_Description,Offence_Group,"
        "Offence_Subgroup,Offence_Code,Number_of_Offences,Policeuk_Cat\n"
    )
    line = "0,2017/18,1,Cambridgeshire,Robbery of business property,Robbery,Robbery,34A,{n},x\n"
    path = _csp_file(tmp_path, line.format(n=2), line.format(n="2.5"), header=header)
    with pytest.raises(DataError, match="whole number") as caught:
        prc.load(path)
    assert (caught.value.row, caught.value.column) == (3, "Number_of_Offences")


def test_missing_column(tmp_path):
    path = _csp_file(
        tmp_path, ROBBERY.format(n=1), header=CSP_HEADER.replace("Offence Code", "Code")
    )
    with pytest.raises(DataError, match="required column is missing") as caught:
        prc.load(path)
    assert caught.value.column == "Offence Code"


def test_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="file is empty"):
        prc.load(empty)
    with pytest.raises(DataError, match="no data rows"):
        prc.load(_csp_file(tmp_path))


def test_bad_year_quarter_and_blank_force(tmp_path):
    year = _csp_file(tmp_path, ROBBERY.format(n=1).replace("2017/18", "2017/19"), name="y.csv")
    with pytest.raises(DataError, match="not a financial year") as caught:
        prc.load(year)
    assert (caught.value.row, caught.value.column) == (2, "Financial Year")
    quarter = _csp_file(tmp_path, ROBBERY.format(n=1).replace("Q1", "Q5"), name="q.csv")
    with pytest.raises(DataError, match="not a quarter") as caught:
        prc.load(quarter)
    assert (caught.value.row, caught.value.column) == (2, "Financial Quarter")
    blank = _csp_file(
        tmp_path,
        ROBBERY.format(n=1),
        WEAPON.format(n=1).replace("Cambridgeshire,", ","),
        name="b.csv",
    )
    with pytest.raises(DataError, match="value is missing") as caught:
        prc.load(blank)
    assert (caught.value.row, caught.value.column) == (3, "Force Name")
