"""police.uk street files: real Cambridgeshire and Cleveland months, quirks and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from needs_assessment.errors import DataError
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import geography, police_uk

CAMBS = RAW_DIR / "policeuk_street_cambridgeshire"
CLEVELAND = RAW_DIR / "policeuk_street_cleveland"
CP_DISTRICTS = ["E07000008", "E07000009", "E07000010", "E07000011", "E07000012", "E06000031"]
CAMBS_MONTHS = {  # rows per month as the files hold them (header row restored in 2021-01)
    "2018-10": 6930, "2018-11": 6520, "2018-12": 6123, "2019-01": 6579,
    "2019-02": 6513, "2019-08": 7363, "2021-01": 5252,
}  # fmt: skip
NO_LOCATION = {"2018-10": 212, "2018-11": 237, "2018-12": 206, "2019-01": 202,
               "2019-02": 168, "2019-08": 321, "2021-01": 153}  # fmt: skip
HEADER = police_uk.OFFICIAL_HEADER
ROW = ("abc1,2019-01,Cambridgeshire Constabulary,Cambridgeshire Constabulary,-0.1,52.2,"
       "On or near High Street,E01017478,Bedford 003A,Robbery,Under investigation,")  # fmt: skip


@pytest.fixture(scope="module")
def cp_lsoas() -> list[str]:
    return geography.force_lsoas(geography.read_lsoa_force_lookup(), "Cambridgeshire")


@pytest.fixture(scope="module")
def cambs(cp_lsoas) -> pd.DataFrame:
    return police_uk.street_crimes(CAMBS, area_lsoas=cp_lsoas)


def _by_month(frame: pd.DataFrame) -> dict[str, int]:
    sizes = frame.groupby(frame["month"].dt.strftime("%Y-%m")).size()
    return {month: int(n) for month, n in sizes.items()}


def test_finds_every_month_file():
    files = police_uk.street_files(CAMBS)
    assert [f.parent.name for f in files] == list(CAMBS_MONTHS)
    assert police_uk.street_files(files[0]) == [files[0]]
    assert police_uk.street_files(CAMBS / "2019-08") == [files[5]]


def test_cambridgeshire_rows_per_month(cambs):
    assert len(cambs) == 45_280
    assert _by_month(cambs) == CAMBS_MONTHS
    assert min(CAMBS_MONTHS.values()) == 5_252 and max(CAMBS_MONTHS.values()) == 7_363
    assert list(cambs.columns) == [*police_uk.COLUMNS.values(), "in_area", "source_file"]
    assert (cambs["month"].dt.day == 1).all()
    assert cambs["crime_type"].nunique() == 14
    assert set(cambs["falls_within"]) == {"Cambridgeshire Constabulary"}


def test_no_location_and_out_of_area_rows(cambs):
    blank = cambs[cambs["lsoa_code"].isna()]
    assert _by_month(blank) == NO_LOCATION
    assert not blank["in_area"].any()
    share = cambs.groupby("month")["in_area"].mean()
    assert share.between(0.95, 0.97).all()
    outside = cambs[~cambs["in_area"] & cambs["lsoa_code"].notna()]
    assert "Bedford 003A" in set(outside["lsoa_name"])


def test_cleveland_and_force_filter():
    rows = police_uk.street_crimes(RAW_DIR, force="Cleveland")
    assert len(rows) == 40_898
    assert list(_by_month(rows).values()) == [9352, 8529, 7675, 7694, 7648]
    assert set(rows["falls_within"]) == {"Cleveland Police"}
    assert rows["lsoa_code"].notna().all()
    with pytest.raises(DataError, match="no rows for force 'Kent'"):
        police_uk.street_crimes(CLEVELAND, force="Kent")


def test_counts_match_rows_and_drop_ids_and_coordinates(cambs, cp_lsoas, tmp_path):
    counts = police_uk.street_counts(CAMBS, area_lsoas=cp_lsoas)
    assert list(counts.columns) == [
        "month",
        "force",
        "lsoa_code",
        "crime_type",
        "in_area",
        "crimes",
    ]
    assert counts["crimes"].sum() == 45_280
    assert counts.loc[counts["in_area"], "crimes"].sum() == cambs["in_area"].sum()
    violence = counts[counts["crime_type"] == "Violence and sexual offences"]
    assert violence.groupby("month")["crimes"].sum().tolist() == [
        1594,
        1560,
        1529,
        1555,
        1561,
        1915,
        1972,
    ]

    path = police_uk.write_street_counts(CAMBS, tmp_path / "counts.parquet", area_lsoas=cp_lsoas)
    assert set(pq.read_schema(path).names) == set(counts.columns)
    written = police_uk.read_street_counts(path)
    keys = ["month", "force", "lsoa_code", "crime_type"]
    pd.testing.assert_frame_equal(
        written.sort_values(keys).reset_index(drop=True), counts.reset_index(drop=True),
        check_dtype=False,
    )  # fmt: skip


def test_headerless_file_and_bom_are_read_like_the_original(tmp_path):
    original = CAMBS / "2021-01" / "2021-01-cambridgeshire-street.csv"
    lines = original.read_bytes().split(b"\n", 1)
    assert lines[0].decode().rstrip("\r") == HEADER
    (tmp_path / "2021-01").mkdir()
    (tmp_path / "2021-01" / "2021-01-x-street.csv").write_bytes(lines[1])  # no header
    (tmp_path / "2019-01-bom-street.csv").write_bytes(
        b"\xef\xbb\xbf" + f"{HEADER}\n{ROW}\n".encode()
    )
    rows = police_uk.street_crimes(tmp_path)
    assert len(rows) == 5_252 + 1
    assert "abc1" in set(rows["crime_id"])
    headerless = rows[rows["source_file"].str.endswith("x-street.csv")]
    expected = police_uk.street_crimes(original)
    assert headerless["crime_id"].tolist() == expected["crime_id"].tolist()
    assert police_uk.street_counts(tmp_path)["crimes"].sum() == 5_253


def _write(folder: Path, content: bytes, name: str = "2019-01-test-street.csv") -> Path:
    path = folder / name
    path.write_bytes(content)
    return path


BAD_INPUTS = {
    "missing column": (
        f"{HEADER.replace(',LSOA code', '')}\n{ROW}\n".encode(), 1, "LSOA code", "missing"),
    "semicolons": (f"{HEADER}\n{ROW}\n".replace(",", ";").encode(), 1, None, "';', not commas"),
    "month format": (
        f"{HEADER}\n{ROW}\n{ROW.replace('2019-01', '01/2019')}\n".encode(), 3, "Month", "YYYY-MM"),
    "not UTF-8": (
        f"{HEADER}\n{ROW}\n".encode() + ROW.replace("High", "Caf\xe9").encode("latin-1"),
        3, None, "not UTF-8"),
    "empty file": (b"", None, None, "file is empty"),
    "short row": (f"{HEADER}\n{ROW}\n{ROW[:-1]}\n".encode(), 3, None, "found 11"),
    "bad LSOA code": (
        f"{HEADER}\n{ROW.replace('E01017478', 'E0101')}\n".encode(), 2, "LSOA code", "E0101"),
    "bad longitude": (
        f"{HEADER}\n{ROW}\n{ROW.replace('-0.1', 'west')}\n".encode(), 3, "Longitude", "west"),
    "missing crime type": (
        f"{HEADER}\n{ROW.replace('Robbery', '')}\n".encode(), 2, "Crime type", "missing"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
@pytest.mark.parametrize("reader", ["rows", "counts"])
def test_bad_input_names_file_row_and_column(case, reader, tmp_path):
    content, row, column, message = BAD_INPUTS[case]
    path = _write(tmp_path, content)
    _write(tmp_path, f"{HEADER}\n{ROW}\n".encode(), "2019-02-good-street.csv")
    with pytest.raises(DataError, match=message) as caught:
        if reader == "rows":
            police_uk.street_crimes(tmp_path)
        else:
            police_uk.write_street_counts(tmp_path, tmp_path / "out" / "counts.parquet")
    assert Path(caught.value.file) == path
    assert (caught.value.row, caught.value.column) == (row, column)
    assert not (tmp_path / "out" / "counts.parquet").exists()


def test_fast_counts_skip_columns_they_do_not_count(tmp_path):
    content, *_ = BAD_INPUTS["not UTF-8"]
    _write(tmp_path, content)
    counts = police_uk.street_counts(tmp_path, check_all_columns=False)
    assert counts["crimes"].sum() == 2


def test_missing_source_and_empty_folder(tmp_path):
    with pytest.raises(DataError, match="not found"):
        police_uk.street_files(tmp_path / "nowhere")
    with pytest.raises(DataError, match="no police.uk street files"):
        police_uk.street_files(tmp_path)


def test_archive_copy_of_two_forces(tmp_path):
    for folder in (CAMBS / "2019-01", CLEVELAND / "2019-01"):
        shutil.copytree(folder, tmp_path / "archive" / folder.parent.name / "2019-01")
    counts = police_uk.street_counts(tmp_path / "archive", check_all_columns=False)
    assert counts.groupby("force")["crimes"].sum().to_dict() == {
        "Cambridgeshire Constabulary": 6579, "Cleveland Police": 7694,
    }  # fmt: skip
