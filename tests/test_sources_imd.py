"""IoD2019 loaders: Files 1, 2, 6, the humaniverse ranks, the derived score, File 7 layout."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from needs_assessment.errors import DataError
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import imd

IMD_DIR = RAW_DIR / "imd2019"
CP_DISTRICTS = ["E07000008", "E07000009", "E07000010", "E07000011", "E07000012", "E06000031"]
CP_DECILES = {1: 20, 2: 42, 3: 28, 4: 31, 5: 56, 6: 54, 7: 55, 8: 65, 9: 68, 10: 68}
RANK_COLUMNS = [f"{d}_{kind}" for d in imd.DOMAINS for kind in ("rank", "decile")]


@pytest.fixture(scope="module")
def file1() -> pd.DataFrame:
    return imd.read_imd_file1(IMD_DIR / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz")


@pytest.fixture(scope="module")
def file2() -> pd.DataFrame:
    return imd.read_imd_domains(IMD_DIR / "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz")


def test_file1_ranks_with_thousands_separators(file1):
    assert len(file1) == 32_844
    assert list(file1.columns) == [*imd.ID_COLUMNS.values(), "imd_rank", "imd_decile"]
    first = file1.set_index("lsoa11_code").loc["E01000001"]
    assert (first["imd_rank"], first["imd_decile"]) == (29_199, 9)
    cp = imd.lsoas_in_districts(file1, CP_DISTRICTS)
    assert len(cp) == 487
    assert cp["imd_decile"].value_counts().sort_index().to_dict() == CP_DECILES


def test_file2_domains_have_short_names(file1, file2):
    assert list(file2.columns) == [*imd.ID_COLUMNS.values(), *RANK_COLUMNS]
    assert file2["imd_rank"].equals(file1["imd_rank"])
    assert file2["crime_decile"].between(1, 10).all()
    assert file2["crime_rank"].between(1, 32_844).all()
    assert file2["imd_rank"].nunique() == 32_818  # published ranks share places on ties


def test_file6_population_denominators():
    pop = imd.read_imd_population(IMD_DIR / "File_6_-_IoD2019_Population_Denominators.csv.gz")
    assert pop["population_total"].sum() == 54_728_204
    assert imd.lsoas_in_districts(pop, CP_DISTRICTS)["population_total"].sum() == 832_835
    parts = pop[["population_0_15", "population_16_59", "population_60_plus"]].sum(axis=1)
    assert parts.equals(pop["population_total"])


def test_humaniverse_ranks_equal_file2(file2):
    tidy = imd.read_imd_humaniverse(IMD_DIR / "imd2019_lsoa11_ranks_deciles_humaniverse.csv")
    assert list(tidy.columns) == ["lsoa11_code", *RANK_COLUMNS]
    merged = tidy.merge(file2, on="lsoa11_code", suffixes=("", "_file2"))
    assert len(merged) == 32_844
    for column in RANK_COLUMNS:
        assert merged[column].equals(merged[f"{column}_file2"]), column


def test_reconstructed_score_is_marked_derived(file1):
    scores = imd.read_imd_score_reconstructed(
        IMD_DIR / "imd2019_lsoa11_imd_score_reconstructed.csv"
    )
    assert "derived" in scores.attrs["derived"]
    assert "imd_score_reconstructed" in scores.columns
    assert scores.set_index("lsoa11_code").loc["E01000001", "imd_score_reconstructed"] == 6.208
    assert scores["imd_rank"].equals(file1["imd_rank"])
    cp = imd.lsoas_in_districts(scores, CP_DISTRICTS)["imd_score_reconstructed"]
    assert round(cp.mean(), 1) == 17.0 and round(cp.median(), 1) == 13.6


def _file7_header(supplementary: bool = True) -> list[str]:
    header = list(imd.ID_COLUMNS)
    domains = [*imd.DOMAINS, *(imd.SUPPLEMENTARY if supplementary else [])]
    for domain in domains:
        header += [imd._score_name(domain), imd._rank_name(domain), imd._decile_name(domain)]
    return header + list(imd.POPULATION_COLUMNS)


def _write_file7(path: Path, rows: list[list[str]], header: list[str]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def _file7_row(code: str, score: str, rank: str, header: list[str]) -> list[str]:
    values = [code, "City of London 001A", "E09000001", "City of London"]
    for name in header[4:]:
        if "Score" in name:
            values.append(score)
        elif "Rank" in name:
            values.append(rank)
        elif "Decile" in name:
            values.append("9")
        else:
            values.append("1,296")
    return values


def test_file7_official_layout(tmp_path):
    header = _file7_header()
    assert "Income Score (rate)" in header and "Crime Score" in header
    assert "Education, Skills and Training Score" in header
    rows = [_file7_row("E01000001", "6.208", "29,199", header),
            _file7_row("E01000002", "-0.5", "30379", header)]  # fmt: skip
    rows[1][header.index("Index of Multiple Deprivation (IMD) Score")] = "5.143"
    frame = imd.read_imd_file7(_write_file7(tmp_path / "File_7.csv", rows, header))
    assert frame["imd_score"].tolist() == [6.208, 5.143]
    assert frame["imd_rank"].tolist() == [29_199, 30_379]
    assert frame["crime_score"].tolist() == [6.208, -0.5]
    for name in ("idaci_score", "outdoors_rank", "population_total", "living_environment_decile"):
        assert name in frame.columns
    assert frame["population_total"].tolist() == [1_296, 1_296]


def test_file7_without_supplementary_columns(tmp_path):
    header = _file7_header(supplementary=False)
    path = _write_file7(tmp_path / "f7.csv", [_file7_row("E01000001", "6.2", "1", header)], header)
    frame = imd.read_imd_file7(path)
    assert "idaci_score" not in frame.columns and "barriers_score" in frame.columns


def test_file7_missing_column_is_named(tmp_path):
    header = [name for name in _file7_header() if name != "Crime Score"]
    path = _write_file7(tmp_path / "f7.csv", [_file7_row("E01000001", "6.2", "1", header)], header)
    with pytest.raises(DataError) as caught:
        imd.read_imd_file7(path)
    assert caught.value.column == "Crime Score"


def test_bad_rank_and_decile_name_row_and_column(tmp_path):
    header = list(imd.ID_COLUMNS) + list(imd.FILE1_COLUMNS)
    good = ["E01000001", "City of London 001A", "E09000001", "City of London", "29,199", "9"]
    path = _write_file7(tmp_path / "f1.csv", [good, [*good[:4], "n/a", "9"]], header)
    with pytest.raises(DataError, match="not a number") as caught:
        imd.read_imd_file1(path)
    assert (caught.value.row, caught.value.column) == (
        3,
        "Index of Multiple Deprivation (IMD) Rank",
    )
    bad_decile = [["E01000002", *good[1:5], "11"]]
    path = _write_file7(tmp_path / "f1b.csv", [good, *bad_decile], header)
    with pytest.raises(DataError, match="schema") as caught:
        imd.read_imd_file1(path)
    assert (caught.value.row, caught.value.column) == (3, "imd_decile")
