"""The ONS rolling-year force file: real values pinned, quirks and bad input handled."""

import pandas as pd
import pytest

from needs_assessment.errors import DataError
from needs_assessment.sources import ons_recorded_crime

HEADER = "12 months ending,PFA,Region,Offence,Rolling year total number of offences\n"


def cambridgeshire(frame, year_end, group):
    row = frame[
        (frame.force == "Cambridgeshire")
        & (frame.period_end == year_end)
        & (frame.offence_group == group)
    ]
    return int(row["count"].iloc[0])


@pytest.mark.parametrize(
    "group, expected",
    [
        ("Robbery", 669),
        ("Possession of weapons offences", 514),
        ("Drug offences", 1423),
        ("Violence with injury", 4973),
    ],
)
def test_cambridgeshire_year_ending_march_2018(recorded_crime, group, expected):
    assert cambridgeshire(recorded_crime, pd.Timestamp("2018-03-31"), group) == expected


def test_shape_and_coverage(recorded_crime):
    assert len(recorded_crime) == 46_469
    assert recorded_crime["period_end"].max() == pd.Timestamp("2018-12-31")
    assert (recorded_crime.force == "Cambridgeshire").sum() == 1_054


def test_misprinted_december_2017_is_read_as_year_end(recorded_crime):
    dec_2017 = recorded_crime[recorded_crime.period_end == pd.Timestamp("2017-12-31")]
    assert dec_2017["force"].nunique() == recorded_crime["force"].nunique()
    assert not (recorded_crime.period_end == pd.Timestamp("2017-12-30")).any()


def test_non_territorial_bodies_are_flagged(recorded_crime):
    flagged = set(recorded_crime.loc[~recorded_crime.is_territorial_force, "force"])
    assert flagged == {"British Transport Police", "Action Fraud", "CIFAS", "UK Finance"}
    assert recorded_crime.loc[recorded_crime.is_territorial_force, "force"].nunique() == 43


def test_financial_years_keep_march_year_ends(recorded_crime):
    annual = ons_recorded_crime.financial_years(recorded_crime)
    assert set(annual["period_end"].dt.month) == {3}
    assert (
        annual.loc[annual.period_end == pd.Timestamp("2018-03-31"), "financial_year"].iloc[0]
        == "2017/18"
    )


def write(tmp_path, text, name="rec.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    "body, row, column, message",
    [
        (
            "31-03-2018,Cambridgeshire,East,Robbery,66x9\n",
            2,
            "Rolling year total number of offences",
            "not a number",
        ),
        (
            "31-03-2018,Cambridgeshire,East,Robbery,669\n2018-03-31,Essex,East,Robbery,1\n",
            3,
            "12 months ending",
            "DD-MM-YYYY",
        ),
        (
            "15-03-2018,Cambridgeshire,East,Robbery,669\n",
            2,
            "12 months ending",
            "last day of a month",
        ),
        (
            "31-03-2018,Cambridgeshire,East,Robbery,669\n31-03-2018,Cambridgeshire,East,Robbery,670\n",
            3,
            "Offence",
            "appear twice",
        ),
        (
            "31-03-2018,Cambridgeshire,East,Robbery,\n",
            2,
            "Rolling year total number of offences",
            "missing",
        ),
    ],
)
def test_bad_rows_are_named(tmp_path, body, row, column, message):
    path = write(tmp_path, HEADER + body)
    with pytest.raises(DataError, match=message) as error:
        ons_recorded_crime.load(path)
    assert (error.value.row, error.value.column) == (row, column)
    assert str(path) in str(error.value)


def test_missing_column_is_named(tmp_path):
    path = write(tmp_path, HEADER.replace("PFA", "Force") + "31-03-2018,Cambs,East,Robbery,669\n")
    with pytest.raises(DataError) as error:
        ons_recorded_crime.load(path)
    assert error.value.column == "PFA"


def test_semicolon_file_is_explained(tmp_path):
    path = write(tmp_path, HEADER.replace(",", ";") + "31-03-2018;Cambs;East;Robbery;669\n")
    with pytest.raises(DataError, match="delimited by something other than commas"):
        ons_recorded_crime.load(path)


def test_empty_and_header_only_files(tmp_path):
    with pytest.raises(DataError, match="empty"):
        ons_recorded_crime.load(write(tmp_path, ""))
    with pytest.raises(DataError, match="no data rows"):
        ons_recorded_crime.load(write(tmp_path, HEADER))


def test_wrong_encoding_names_the_line(tmp_path):
    path = write(tmp_path, HEADER + "31-03-2018,Ynys Môn,Wales,Robbery,1\n", encoding="cp1252")
    with pytest.raises(DataError, match="not UTF-8") as error:
        ons_recorded_crime.load(path)
    assert error.value.row == 2
