"""ONS crime severity score by police force area (long CSV, gzipped)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from needs_assessment.errors import DataError
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import crime_severity

PATH = RAW_DIR / "ons_crime_severity_pfa" / "crime_severity_score_pfa_ye2003_ye2022.csv.gz"
CAMBS = "E23000023"


@pytest.fixture(scope="module")
def scores() -> pd.DataFrame:
    return crime_severity.load(PATH)


def _score(frame, code, group, year_ending):
    hit = frame[
        (frame["area_code"] == code)
        & (frame["offence_group"] == group)
        & (frame["year_ending"] == pd.Timestamp(year_ending))
    ]
    assert len(hit) == 1
    return hit["severity_score"].iloc[0]


def test_published_values(scores):
    violence = "Violence against the person"
    assert _score(scores, CAMBS, violence, "2011-03-31") == pytest.approx(1.96, abs=0.005)
    assert _score(scores, CAMBS, violence, "2022-03-31") == pytest.approx(4.11, abs=0.005)
    assert _score(scores, CAMBS, "Total recorded crime", "2011-03-31") == pytest.approx(
        9.02, abs=0.005
    )
    assert _score(scores, CAMBS, "Total recorded crime", "2022-03-31") == pytest.approx(
        13.65, abs=0.005
    )
    assert _score(scores, "K04000001", "Total recorded crime", "2022-03-31") == pytest.approx(
        15.85, abs=0.005
    )


def test_shape_names_and_not_available(scores):
    assert len(scores) == 55 * 7 * 20
    assert scores["year_ending"].min() == pd.Timestamp("2003-03-31")
    assert scores["year_ending"].max() == pd.Timestamp("2022-03-31")
    assert (scores[scores["area_type"] == "force"]["area_code"].nunique()) == 43
    national = scores[scores["area_code"] == "K04000001"]
    assert set(national["area_name"]) == {"England and Wales"}
    assert set(national["area_type"]) == {"national"}
    city = scores[scores["area_code"] == "E23000034"]
    assert city["severity_score"].isna().all()  # ':' = not available
    assert scores["severity_score"].isna().sum() == len(city)


def test_groups_add_up_to_total(scores):
    wide = scores.pivot_table(
        index=["area_code", "year_ending"], columns="offence_group", values="severity_score"
    )
    parts = wide.drop(columns="Total recorded crime").sum(axis=1)
    assert (parts - wide["Total recorded crime"]).abs().max() < 1e-9


def test_select_by_code_west_midlands_region_and_force():
    force = crime_severity.load(PATH, codes=["E23000014"])
    region = crime_severity.load(PATH, codes=["E12000005"])
    assert set(force["area_name"]) == set(region["area_name"]) == {"West Midlands"}
    assert set(force["area_type"]) == {"force"} and set(region["area_type"]) == {"region"}
    assert len(force) == len(region) == 140
    with pytest.raises(DataError, match="not in the file: E99999999"):
        crime_severity.load(PATH, codes=[CAMBS, "E99999999"])


# ------------------------------------------------------------------------- bad input

HEADER = "offence_group,code,name,year,severity_score,year_ending\n"


def _record(score="1.5", code=CAMBS, year_ending="2011-03-31"):
    # the 'year' field holds a quoted newline, as in the published file
    return f"Robbery,{code},Cambridgeshire,\"Apr '10 to \nMar '11...11\",{score},{year_ending}\n"


def _write(tmp_path, text, name="scores.csv.gz"):
    path = tmp_path / name
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(text)
    return path


def test_non_numeric_score_names_the_line_of_the_record(tmp_path):
    records = (
        _record() + _record(year_ending="2012-03-31") + _record("n/a", year_ending="2013-03-31")
    )
    path = _write(tmp_path, HEADER + records)
    with pytest.raises(DataError, match="not a number: 'n/a'") as caught:
        crime_severity.load(path)
    # header = line 1; each record takes two lines: 2-3, 4-5, 6-7
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        str(path),
        6,
        "severity_score",
    )


def test_blank_score_and_bad_date(tmp_path):
    blank = _write(tmp_path, HEADER + _record() + _record(" ", year_ending="2012-03-31"), "a.gz")
    with pytest.raises(DataError, match="value is missing") as caught:
        crime_severity.load(blank)
    assert caught.value.row == 4
    bad_date = _write(tmp_path, HEADER + _record(year_ending="31/03/2011"), "b.csv.gz")
    with pytest.raises(DataError, match="not a YYYY-MM-DD date") as caught:
        crime_severity.load(bad_date)
    assert (caught.value.row, caught.value.column) == (2, "year_ending")


def test_missing_column_and_bad_code(tmp_path):
    path = _write(tmp_path, HEADER.replace("code,", "area,") + _record(), "a.csv.gz")
    with pytest.raises(DataError, match="required column is missing") as caught:
        crime_severity.load(path)
    assert caught.value.column == "code"
    bad = _write(
        tmp_path, HEADER + _record() + _record(code="Cambs", year_ending="2012-03-31"), "b.csv.gz"
    )
    with pytest.raises(DataError, match="not the ONS code") as caught:
        crime_severity.load(bad)
    assert (caught.value.row, caught.value.column) == (4, "code")


def test_duplicate_record_fails_schema_with_its_line(tmp_path):
    path = _write(
        tmp_path, HEADER + _record() + _record("2.0", year_ending="2012-03-31") + _record("1.7")
    )
    with pytest.raises(DataError, match="fails the ONS crime severity score") as caught:
        crime_severity.load(path)
    assert caught.value.row in (2, 6)  # one of the two duplicated records


def test_empty_files(tmp_path):
    plain = tmp_path / "empty.csv"
    plain.write_text("")
    with pytest.raises(DataError, match="file is empty"):
        crime_severity.load(plain)
    with pytest.raises(DataError, match="file is empty"):
        crime_severity.load(_write(tmp_path, ""))
    with pytest.raises(DataError, match="no data rows"):
        crime_severity.load(_write(tmp_path, HEADER, "header_only.csv.gz"))
    not_gzip = tmp_path / "text.csv.gz"
    not_gzip.write_text(HEADER + _record())
    with pytest.raises(DataError, match="cannot be read") as caught:
        crime_severity.load(not_gzip)
    assert caught.value.file == str(not_gzip)
