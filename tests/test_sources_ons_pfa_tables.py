"""ONS Police Force Area data tables (P1 counts, P3 rates, P5 knife offences)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from needs_assessment.errors import DataError
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import ons_pfa_tables as pfa

FOLDER = RAW_DIR / "ons_pfa_tables"
DEC19 = FOLDER / "pfatablesdec19.xlsx"
MAR18 = FOLDER / "policeforceareatablesyearendingmarch2018v2.xlsx"
CAMBS = "E23000023"


@pytest.fixture(scope="module")
def p1() -> pd.DataFrame:
    return pfa.offence_groups(FOLDER)


@pytest.fixture(scope="module")
def p5() -> pd.DataFrame:
    return pfa.knife_offences(FOLDER)


def _count(frame, code, group, period_end):
    hit = frame[
        (frame["area_code"] == code)
        & (frame["offence_group"] == group)
        & (frame["period_end"] == pd.Timestamp(period_end))
    ]
    assert len(hit) == 1
    return hit["count"].iloc[0]


def _knife(frame, code, label):
    hit = frame[(frame["area_code"] == code) & (frame["period_label"] == label)]
    assert len(hit) == 1, hit
    return hit["knife_offences"].iloc[0]


# ------------------------------------------------------------------------- Table P1, real


def test_p1_cambridgeshire_counts(p1):
    total = "Total recorded crime (excluding fraud)"
    assert _count(p1, CAMBS, total, "2018-03-31") == 66_194
    assert _count(p1, CAMBS, total, "2019-03-31") == 64_752
    assert _count(p1, CAMBS, total, "2019-12-31") == 67_861
    assert _count(p1, CAMBS, "Robbery", "2018-03-31") == 669
    assert _count(p1, CAMBS, "Possession of weapons offences", "2018-03-31") == 514
    assert _count(p1, CAMBS, "Homicide", "2019-12-31") == 10


def test_p1_editions_areas_and_groups(p1):
    assert sorted(p1["edition"].dt.strftime("%Y-%m").unique()) == [
        "2018-03",
        "2018-06",
        "2018-09",
        "2018-12",
        "2019-03",
        "2019-06",
        "2019-09",
        "2019-12",
    ]
    assert (p1["period_end"] == p1["edition"]).all()
    for _, edition in p1.groupby("edition"):
        forces = edition[edition["area_type"] == "force"]["area_code"].unique()
        assert len(forces) == 43
        assert edition["offence_group"].nunique() == 23
    assert "British Transport Police" not in set(p1["area_name"])
    assert not p1["area_name"].str.contains(r"\d").any()  # footnote digits stripped
    assert p1[p1["area_code"] == CAMBS]["area_name"].unique().tolist() == ["Cambridgeshire"]
    assert p1[p1["area_code"] == "E23000034"]["area_name"].unique().tolist() == ["London, City of"]


def test_p1_england_and_wales_and_gmp_flag(p1):
    national = p1[p1["area_type"] == "national"]
    assert national["area_code"].unique().tolist() == ["K04000001"]
    assert national["area_name"].unique().tolist() == ["England and Wales"]
    dec19 = p1[p1["edition"] == "2019-12-31"]
    flagged = dec19[dec19["excludes_gmp"]]["area_code"].unique()
    assert sorted(flagged) == ["E12000002", "E92000001", "K04000001"]
    assert (
        _count(p1, "K04000001", "Total recorded crime (excluding fraud)", "2019-12-31") == 5_013_284
    )
    assert dec19[dec19["area_code"] == "E23000005"]["count"].isna().all()  # GMP '..'
    assert not p1[p1["edition"] == "2019-06-30"]["excludes_gmp"].any()


# ------------------------------------------------------------------------- Table P5, real


def test_p5_cambridgeshire_knife_series_latest_revision(p5):
    latest = pfa.latest_revision(p5)
    assert _knife(latest, CAMBS, "Apr '10 to Mar '11") == 291
    assert _knife(latest, CAMBS, "Apr '17 to Mar '18") == 536
    assert _knife(latest, CAMBS, "Apr '18 to Mar '19") == 380
    assert _knife(latest, CAMBS, "Jan '18 to Dec '18") == 383
    assert _knife(latest, CAMBS, "Jan '19 to Dec '19") == 546
    mar18 = p5[p5["edition"] == "2018-03-31"]
    assert _knife(mar18, CAMBS, "Apr '17 to Mar '18") == 535  # revised to 536 later
    key = latest["area_code"].fillna(latest["area_name"])
    assert not pd.concat([key, latest["period_end"]], axis=1).duplicated().any()


def test_p5_layout(p5):
    dec19 = p5[p5["edition"] == "2019-12-31"]
    cambs = dec19[dec19["area_code"] == CAMBS]
    assert cambs["period_label"].tolist()[0] == "Apr '10 to Mar '11"
    assert len(cambs) == 11  # 9 financial years + 2 rolling years
    assert cambs["period_end"].min() == pd.Timestamp("2011-03-31")
    assert p5["pct_involving_knife"].dropna().between(0, 100).all()
    assert p5[p5["area_type"] == "force"].groupby("edition")["area_code"].nunique().eq(43).all()
    excl = dec19[dec19["area_code"].isna()]
    assert sorted(excl["area_name"].unique()) == [
        "England (excluding Greater Manchester Police)",
        "England and Wales (excluding Greater Manchester Police)",
    ]
    assert excl["excludes_gmp"].all()
    assert set(excl["area_type"]) == {"national", "country"}
    # YE Jun 2019 labels E12000006 "East Midlands": one name per code, the newest
    assert p5[p5["area_code"] == "E12000006"]["area_name"].unique().tolist() == ["East"]


def test_latest_revision_keeps_newest_value():
    frame = pd.DataFrame(
        {
            "area_code": ["E23000023"] * 3,
            "area_name": ["Cambridgeshire"] * 3,
            "period_end": pd.to_datetime(["2018-03-31"] * 3),
            "knife_offences": pd.array([535, 536, None], dtype="Int64"),
            "edition": pd.to_datetime(["2018-03-31", "2019-06-30", "2019-12-31"]),
        }
    )
    kept = pfa.latest_revision(frame)
    assert kept["knife_offences"].tolist() == [536]  # newest *with a value*


# ------------------------------------------------------------------------- Table P3, real


def test_p3_rates_one_edition():
    rates = pfa.rates([DEC19])
    total = rates[
        (rates["area_code"] == CAMBS)
        & (rates["offence_group"] == "Total recorded crime (excluding fraud)")
    ]
    population = total["population"].iloc[0]
    assert 800_000 < population < 900_000
    assert total["rate_per_1000"].iloc[0] == pytest.approx(67_861 / population * 1000, rel=1e-3)
    city = rates[rates["area_code"] == "E23000034"]
    assert city["rate_per_1000"].isna().all()  # '+' = suppressed, small population
    assert "Residential burglary (households)" in set(rates["offence_group"])


def test_load_dispatches_and_accepts_one_file():
    frame = pfa.load(MAR18, table="P1")
    assert frame["edition"].unique().tolist() == [pd.Timestamp("2018-03-31")]
    with pytest.raises(ValueError):
        pfa.load(MAR18, table="P9")


def test_clean_area_name():
    assert pfa.clean_area_name("Cambridgeshire10") == "Cambridgeshire"
    assert pfa.clean_area_name("ENGLAND AND WALES7,8") == "England and Wales"
    assert pfa.clean_area_name("London, City of") == "London, City of"
    assert pfa.clean_area_name("Lancashire ") == "Lancashire"
    assert pfa.clean_area_name("ENGLAND AND WALES (Excluding Greater Manchester Police)4,6,7") == (
        "England and Wales (excluding Greater Manchester Police)"
    )
    assert pfa.clean_label("Total recorded crime (excluding fraud3)") == (
        "Total recorded crime (excluding fraud)"
    )
    assert pfa.clean_label("Stalking\nand harassment 5") == "Stalking and harassment"


# ------------------------------------------------------------------------- bad input

P1_ROWS = [
    ["Table P1: Police recorded crime ... number of offences, year ending March 181,2"],
    [],
    ["England and Wales"],
    [None, None, "Total recorded crime (excluding fraud3)", None, "Victim-based crime"],
    [
        "Area Code",
        "Area Name",
        None,
        None,
        "Violence against the person",
        "Homicide",
        "Robbery",
        "Possession of weapons offences",
    ],
    [None, None, "Numbers"],
    ["K04000001", "ENGLAND AND WALES7,8", 100, None, 50, 1, 5, 3],
    ["E23000023", "Cambridgeshire10", 10, None, 5, 0, 2, "1,234"],
    [None, "British Transport Police", 7, None, 1, 0, 1, 0],
    ["Source: Home Office - Police recorded crime"],
]


def _workbook(tmp_path, sheets: dict[str, list[list]], name="tables.xlsx"):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _edit(rows, row, col, value):
    rows = [list(r) for r in rows]
    rows[row - 1] += [None] * (col + 1 - len(rows[row - 1]))
    rows[row - 1][col] = value
    return rows


def test_small_workbook_reads(tmp_path):
    path = _workbook(tmp_path, {"Notes": [["x"]], "Table P1 ": P1_ROWS})
    frame = pfa.offence_groups([path])
    assert frame["edition"].unique().tolist() == [pd.Timestamp("2018-03-31")]
    assert frame["area_name"].unique().tolist() == ["England and Wales", "Cambridgeshire"]
    assert _count(frame, CAMBS, "Possession of weapons offences", "2018-03-31") == 1234


def test_non_numeric_count_names_row_and_column(tmp_path):
    path = _workbook(tmp_path, {"Table P1": _edit(P1_ROWS, 8, 5, "n/k")})
    with pytest.raises(DataError) as caught:
        pfa.offence_groups([path])
    error = caught.value
    assert (error.file, error.row, error.column) == (str(path), 8, "F (Homicide)")
    assert "sheet 'Table P1'" in str(error) and "'n/k'" in str(error)


def test_missing_sheet(tmp_path):
    path = _workbook(tmp_path, {"Notes": [["x"]], "Table P2": P1_ROWS})
    with pytest.raises(DataError, match="sheet 'Table P1' is missing; sheets found: 'Notes'"):
        pfa.offence_groups([path])


def test_empty_and_not_a_workbook(tmp_path):
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match="file is empty"):
        pfa.offence_groups([empty])
    text = tmp_path / "text.xlsx"
    text.write_text("Area Code,Area Name\n")
    with pytest.raises(DataError, match="not an Excel .xlsx workbook") as caught:
        pfa.knife_offences([text])
    assert caught.value.file == str(text)


def test_missing_columns(tmp_path):
    no_name = _workbook(tmp_path, {"Table P1": _edit(P1_ROWS, 5, 1, "Force")}, "a.xlsx")
    with pytest.raises(DataError) as caught:
        pfa.offence_groups([no_name])
    assert (caught.value.row, caught.value.column) == (5, "B (Area Name)")
    no_robbery = _workbook(tmp_path, {"Table P1": _edit(P1_ROWS, 5, 6, None)}, "b.xlsx")
    with pytest.raises(DataError, match="offence-group heading is missing") as caught:
        pfa.offence_groups([no_robbery])
    assert caught.value.column == "Robbery"


def test_area_without_code_and_bad_code(tmp_path):
    no_code = _workbook(tmp_path, {"Table P1": _edit(P1_ROWS, 8, 0, None)}, "a.xlsx")
    with pytest.raises(DataError, match="'Cambridgeshire' has no area code") as caught:
        pfa.offence_groups([no_code])
    assert (caught.value.row, caught.value.column) == (8, "A (Area Code)")
    bad_code = _workbook(tmp_path, {"Table P1": _edit(P1_ROWS, 8, 0, "E0700008")}, "b.xlsx")
    with pytest.raises(DataError, match="not the ONS code") as caught:
        pfa.offence_groups([bad_code])
    assert caught.value.row == 8


def test_same_edition_twice(tmp_path):
    first = _workbook(tmp_path, {"Table P1": P1_ROWS}, "a.xlsx")
    second = _workbook(tmp_path, {"Table P1": P1_ROWS}, "b.xlsx")
    with pytest.raises(DataError, match="same edition .* as a.xlsx") as caught:
        pfa.offence_groups([first, second])
    assert caught.value.file == str(second)


P5_ROWS = [
    ["Table P5: Knife and sharp instrument offences ... year ending March 20181,2"],
    [],
    ["England and Wales"],
    [None, None, "Apr '10 to Mar '11", None, "Apr '17 to\n Mar '18", None, "% change"],
    [
        "Area Codes",
        "Area name",
        "Number of selected offences involving\n a knife3",
        "% involving a knife",
        "Number of selected offences involving a knife3",
        "% involving a knife",
        "Apr '10 to Mar '11",
    ],
    [],
    ["E23000023", "Cambridgeshire", 291, 4.97, 535, 7.05, 83.8],
]


def test_p5_small_workbook_and_bad_cells(tmp_path):
    good = _workbook(tmp_path, {"Table P5 ": P5_ROWS}, "good.xlsx")
    frame = pfa.knife_offences(good)
    assert frame["period_label"].tolist() == ["Apr '10 to Mar '11", "Apr '17 to Mar '18"]
    assert frame["knife_offences"].tolist() == [291, 535]
    assert frame["edition"].unique().tolist() == [pd.Timestamp("2018-03-31")]
    bad_label = _workbook(tmp_path, {"Table P5": _edit(P5_ROWS, 4, 4, "2017/18")}, "l.xlsx")
    with pytest.raises(DataError, match="not a period label") as caught:
        pfa.knife_offences(bad_label)
    assert (caught.value.row, caught.value.column) == (4, "E")
    bad_share = _workbook(tmp_path, {"Table P5": _edit(P5_ROWS, 7, 5, "7%?")}, "s.xlsx")
    with pytest.raises(DataError, match="not a number") as caught:
        pfa.knife_offences(bad_share)
    assert (caught.value.row, caught.value.column) == (7, "F (% involving a knife)")


def test_empty_folder(tmp_path):
    with pytest.raises(DataError, match="no .xlsx workbooks"):
        pfa.offence_groups(tmp_path)
