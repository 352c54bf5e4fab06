"""The force offence extract: a good file is typed and derived; every kind of bad input
raises one DataError naming the file, the file row and the column."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from needs_assessment.config import load_config
from needs_assessment.definitions import load_definitions
from needs_assessment.errors import DataError
from needs_assessment.paths import CONFIG_DIR
from needs_assessment.sources import force_extract

HEADER = ",".join(force_extract.COLUMNS)
# Rows 2-4 of a good file: real C&P LSOAs (Cambridge, Peterborough, Huntingdonshire).
ROWS = [
    "T-0001,2018-01-31,23,8N,E01017957,Y,N,24,M,27,M,E07000008,CB1,N",
    "T-0002,2018-04-01,,92A,E01015614,N,N,,,17,M,E09000012,E8,Y",
    "T-0003,2022-03-31,14,105A,E01018171,N,N,35,F,,,,,N",
]
LSOA_DISTRICTS = {"E01017957": "E07000008", "E01015614": "E06000031", "E01018171": "E07000011"}
PERIOD = (2010, 2021)


@pytest.fixture(scope="module")
def known_codes():
    config = load_config()
    return force_extract.definition_codes(load_definitions(config.definitions))


def write(tmp_path, text: str | bytes, name: str = "extract.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def good_text(rows=ROWS, header=HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def replace(row: int, column: str, value: str, rows=ROWS) -> list[str]:
    """The good rows with one cell changed (``row`` is the file row, 2 = first data row)."""
    changed = [r.split(",") for r in rows]
    changed[row - 2][force_extract.COLUMNS.index(column)] = value
    return [",".join(r) for r in changed]


def load(path, known_codes, **kwargs):
    options = {"known_codes": known_codes, "period": PERIOD, "lsoa_districts": LSOA_DISTRICTS}
    return force_extract.load(path, **{**options, **kwargs})


# -- a good file -------------------------------------------------------------------------


def test_good_file_is_typed_and_derived(tmp_path, known_codes):
    frame = load(write(tmp_path, good_text()), known_codes)
    assert list(frame.columns) == [*force_extract.COLUMNS, *force_extract.DERIVED]
    assert frame["offence_date"].dtype == "datetime64[ns]"
    assert frame["sharp_instrument"].tolist() == [True, False, False]
    assert frame["county_lines"].tolist() == [False, True, False]
    assert frame["offence_hour"].isna().tolist() == [False, True, False]
    assert frame["victim_age"].isna().tolist() == [False, True, False]
    assert frame["victim_sex"].isna().tolist() == [False, True, False]
    assert frame["offender_home_district"].isna().tolist() == [False, False, True]
    # 31 January 2018 is in 2017/18; 1 April 2018 starts 2018/19
    assert frame["financial_year"].tolist() == ["2017/18", "2018/19", "2021/22"]
    assert frame["year"].tolist() == [2017, 2018, 2021]
    assert frame["district_code"].tolist() == ["E07000008", "E06000031", "E07000011"]
    assert frame.attrs["synthetic"] is False


def test_gzip_bom_crlf_extra_columns_and_lower_case_are_accepted(tmp_path, known_codes):
    rows = [r + ",extra" for r in replace(2, "sharp_instrument", "y")]
    rows = [r.replace(",CB1,", ",cb1,") for r in rows]
    text = "\ufeff" + good_text(rows, HEADER + ",force_notes").replace("\n", "\r\n")
    path = write(tmp_path, gzip.compress(text.encode("utf-8"), mtime=0), "extract.csv.gz")
    frame = load(path, known_codes)
    assert len(frame) == 3
    assert frame["sharp_instrument"].iloc[0]
    assert frame["offender_postcode_district"].iloc[0] == "CB1"


def test_quoted_file_and_blank_lines_keep_file_rows(tmp_path, known_codes):
    rows = ['"' + r.replace(",", '","') + '"' for r in ROWS]
    rows = [rows[0], "", *replace(4, "victim_age", "x")[1:]]
    rows[2] = '"' + rows[2].replace(",", '","') + '"'
    with pytest.raises(DataError) as caught:
        load(write(tmp_path, good_text(rows)), known_codes)
    assert (caught.value.row, caught.value.column) == (5, "victim_age")


def test_synthetic_references_are_flagged(tmp_path, known_codes):
    rows = [r.replace("T-", "SYNTH-") for r in ROWS]
    assert load(write(tmp_path, good_text(rows)), known_codes).attrs["synthetic"] is True


def test_template_passes(known_codes):
    template = CONFIG_DIR / "templates" / "force_extract_template.csv"
    frame = force_extract.load(
        template, known_codes=known_codes, period=PERIOD, lsoa_districts=LSOA_DISTRICTS
    )
    assert len(frame) == 2
    assert frame["offence_reference"].str.contains("EXAMPLE").all()
    assert set(force_extract.OPTIONAL_COLUMNS) <= set(frame.columns)
    assert frame["victim_ethnic_group"].tolist()[0] == "white"


def test_lsoa_vintage():
    assert force_extract.lsoa_vintage("E01033768") == "2011"
    assert force_extract.lsoa_vintage("E01033769") == "2021"
    assert force_extract.lsoa_vintage("W01001959") == "2021"
    assert force_extract.lsoa_vintage("CB1 2AB") is None


# -- bad input: one DataError naming file, row and column --------------------------------

DROPPED = ",".join(c for c in force_extract.COLUMNS if c != "victim_age")
DROPPED_ROWS = [",".join(v for i, v in enumerate(r.split(",")) if i != 7) for r in ROWS]

BAD = {
    "missing column": (
        good_text(DROPPED_ROWS, DROPPED),
        1,
        "victim_age",
        "required column is missing",
    ),
    "renamed column": (
        good_text(header=HEADER.replace("offence_reference", "crime_ref")),
        1,
        "offence_reference",
        "'crime_ref': was it renamed",
    ),
    "empty file": ("", None, None, "file is empty"),
    "blank file": ("\n\n  \n", None, None, "file is empty"),
    "header only": (HEADER + "\n", None, None, "header but no data rows"),
    "semicolons": (good_text().replace(",", ";"), 1, None, "separated by ';', not commas"),
    "tabs": (good_text().replace(",", "\t"), 1, None, "separated by tabs"),
    "non-numeric age": (
        good_text(replace(3, "offender_age", "about 20")),
        3,
        "offender_age",
        "not a whole number: 'about 20'",
    ),
    "age out of range": (
        good_text(replace(2, "victim_age", "130")),
        2,
        "victim_age",
        "130 is out of range",
    ),
    "hour out of range": (
        good_text(replace(4, "offence_hour", "24")),
        4,
        "offence_hour",
        "out of range (expected an hour 0-23",
    ),
    "invalid date": (
        good_text(replace(3, "offence_date", "2019-02-30")),
        3,
        "offence_date",
        "not a real calendar date: '2019-02-30'",
    ),
    "date format": (
        good_text(replace(2, "offence_date", "31/01/2018")),
        2,
        "offence_date",
        "not a YYYY-MM-DD date: '31/01/2018'",
    ),
    "date before period": (
        good_text(replace(4, "offence_date", "2010-03-31")),
        4,
        "offence_date",
        "outside the assessed period 2010/11 to 2021/22",
    ),
    "date after period": (
        good_text(replace(2, "offence_date", "2022-04-01")),
        2,
        "offence_date",
        "2022-04-01 is outside the assessed period",
    ),
    "missing date": (
        good_text(replace(3, "offence_date", "")),
        3,
        "offence_date",
        "value is missing",
    ),
    "duplicated reference": (
        good_text(replace(4, "offence_reference", "T-0001")),
        4,
        "offence_reference",
        "'T-0001' appears twice (first on row 2)",
    ),
    "blank reference": (
        good_text(replace(3, "offence_reference", "")),
        3,
        "offence_reference",
        "value is missing",
    ),
    "unknown LSOA": (
        good_text(replace(3, "lsoa_code", "E01000001")),
        3,
        "lsoa_code",
        "'E01000001' is not in the assessed area",
    ),
    "2021 LSOA": (
        good_text(replace(4, "lsoa_code", "E01035001")),
        4,
        "lsoa_code",
        "'E01035001' is a 2021 LSOA code, mixed in with 2011 codes",
    ),
    "not an LSOA": (
        good_text(replace(2, "lsoa_code", "CB1 2AB")),
        2,
        "lsoa_code",
        "not an LSOA code: 'CB1 2AB'",
    ),
    "unknown code": (
        good_text(replace(3, "home_office_code", "8X")),
        3,
        "home_office_code",
        "'8X' is not a Home Office offence code in the serious-violence",
    ),
    "flag value": (
        good_text(replace(2, "sharp_instrument", "Yes")),
        2,
        "sharp_instrument",
        "expected Y or N, found 'Yes'",
    ),
    "blank flag": (
        good_text(replace(4, "county_lines", "")),
        4,
        "county_lines",
        "value is missing (expected Y or N)",
    ),
    "sex value": (
        good_text(replace(2, "victim_sex", "Male")),
        2,
        "victim_sex",
        "expected M, F, U or blank, found 'Male'",
    ),
    "district name": (
        good_text(replace(3, "offender_home_district", "Hackney")),
        3,
        "offender_home_district",
        "not a district (LAD) code",
    ),
    "full postcode": (
        good_text(replace(2, "offender_postcode_district", "CB1 2AB")),
        2,
        "offender_postcode_district",
        "not a postcode district",
    ),
    "truncated last line": (good_text()[:-12], 4, "victim_age", "the last line looks truncated"),
    "short line inside": (
        good_text([ROWS[0][:-20], *ROWS[1:]]),
        2,
        "offender_sex",
        "the line is cut short",
    ),
    "unquoted comma": (
        good_text(replace(3, "victim_sex", "F,extra")),
        3,
        None,
        "a value holding a comma must be in double quotes",
    ),
    "duplicated header": (
        good_text(header=HEADER.replace("firearm", "sharp_instrument")),
        1,
        "sharp_instrument",
        "column appears more than once",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_names_row_and_column(tmp_path, known_codes, case):
    text, row, column, message = BAD[case]
    path = write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load(path, known_codes)
    error = caught.value
    assert message in error.problem
    assert (error.row, error.column) == (row, column)
    assert error.file == str(path)
    assert str(path) in str(error)


def test_not_utf8_names_row_and_column(tmp_path, known_codes):
    rows = replace(3, "offender_postcode_district", "PE1")
    data = good_text(rows).encode("utf-8").replace(b",PE1,", b",PE\xa31,")
    with pytest.raises(DataError) as caught:
        load(write(tmp_path, data), known_codes)
    assert "not UTF-8 text (byte 0xa3)" in caught.value.problem
    assert (caught.value.row, caught.value.column) == (3, "offender_postcode_district")


def test_broken_gzip(tmp_path, known_codes):
    data = gzip.compress(good_text().encode("utf-8"))[:-12]
    with pytest.raises(DataError, match="not a complete gzip file"):
        load(write(tmp_path, data, "extract.csv.gz"), known_codes)


def test_missing_file(tmp_path, known_codes):
    with pytest.raises(DataError, match="file not found"):
        load(tmp_path / "nowhere.csv", known_codes)


def test_without_options_only_shapes_are_checked(tmp_path):
    rows = replace(3, "lsoa_code", "E01000001")
    frame = force_extract.load(write(tmp_path, good_text(rows)))
    assert frame["district_code"].isna().all()
    with pytest.raises(DataError, match="2021 LSOA code"):
        force_extract.load(write(tmp_path, good_text(replace(3, "lsoa_code", "W01002000"))))


def test_parse_takes_a_text_frame(known_codes):
    frame = pd.DataFrame([r.split(",") for r in ROWS], columns=force_extract.COLUMNS)
    typed = force_extract.parse(frame, known_codes=known_codes, period=PERIOD)
    assert typed["offence_reference"].tolist() == ["T-0001", "T-0002", "T-0003"]
    frame.loc[1, "firearm"] = "maybe"
    with pytest.raises(DataError) as caught:
        force_extract.parse(frame, "demo frame")
    assert (caught.value.file, caught.value.row, caught.value.column) == (
        "demo frame",
        3,
        "firearm",
    )


# -- the optional columns about people ---------------------------------------------------

OPTIONAL = ",".join(force_extract.OPTIONAL_COLUMNS)
PEOPLE = ["W1,B,N,PSV-0001,PSO-0001", ",a2,N,,PSO-0002", "NS,m9,Y,PSV-0001,"]
WITH_PEOPLE = [f"{r},{p}" for r, p in zip(ROWS, PEOPLE, strict=True)]


def people_text(row: int | None = None, column: str | None = None, value: str = "") -> str:
    rows = [r.split(",") for r in WITH_PEOPLE]
    if row is not None:
        columns = [*force_extract.COLUMNS, *force_extract.OPTIONAL_COLUMNS]
        rows[row - 2][columns.index(column)] = value
    return good_text([",".join(r) for r in rows], f"{HEADER},{OPTIONAL}")


def test_optional_columns_are_typed_and_mapped(tmp_path, known_codes):
    frame = load(write(tmp_path, people_text()), known_codes)
    assert frame["victim_ethnicity"].tolist()[0] == "W1"
    assert frame["victim_ethnicity"].isna().tolist() == [False, True, True]  # blank and NS
    assert frame["victim_ethnic_group"].tolist()[0] == "white"
    assert frame["offender_ethnicity"].tolist() == ["B", "A2", "M9"]
    assert frame["offender_ethnic_group"].tolist() == ["black", "asian", "mixed"]
    assert frame["domestic_abuse"].tolist() == [False, False, True]
    assert frame["victim_id"].tolist()[0] == "PSV-0001"
    assert frame["victim_id"].isna().tolist() == [False, True, False]
    assert list(frame.columns[-3:]) == list(force_extract.DERIVED)


def test_without_the_optional_columns_nothing_is_added(tmp_path, known_codes):
    frame = load(write(tmp_path, good_text()), known_codes)
    assert not set(force_extract.OPTIONAL_COLUMNS) & set(frame.columns)


def test_some_optional_columns_are_enough(tmp_path, known_codes):
    rows = [f"{r},{p.split(',')[2]}" for r, p in zip(ROWS, PEOPLE, strict=True)]
    frame = load(write(tmp_path, good_text(rows, f"{HEADER},domestic_abuse")), known_codes)
    assert frame["domestic_abuse"].tolist() == [False, False, True]
    assert "victim_id" not in frame.columns


BAD_PEOPLE = {
    "unknown ethnicity code": (3, "victim_ethnicity", "W7", "not an ethnic group code"),
    "ethnicity as words": (2, "offender_ethnicity", "White", "not an ethnic group code"),
    "domestic flag blank": (4, "domestic_abuse", "", "value is missing"),
    "domestic flag other": (2, "domestic_abuse", "yes", "expected Y or N"),
    "id with a space": (2, "victim_id", "Jane Smith", "not a pseudonymous id"),
    "id too short": (3, "offender_id", "P1", "not a pseudonymous id"),
    "id is the crime reference": (2, "offender_id", "T-0001", "the id is the crime reference"),
}


@pytest.mark.parametrize("case", list(BAD_PEOPLE))
def test_bad_optional_values_name_row_and_column(tmp_path, known_codes, case):
    row, column, value, message = BAD_PEOPLE[case]
    path = write(tmp_path, people_text(row, column, value))
    with pytest.raises(DataError) as caught:
        load(path, known_codes)
    assert message in caught.value.problem
    assert (caught.value.row, caught.value.column, caught.value.file) == (row, column, str(path))
    if column.endswith("_id"):
        assert value not in str(caught.value)  # a rejected id is never echoed


def test_excel_trailing_empty_columns_are_ignored(tmp_path):
    from needs_assessment.sources.force_extract import COLUMNS, read_text

    row = "R1,2019-05-01,14,8N,E01017952,N,N,23,M,25,M,,,N"
    path = tmp_path / "extract.csv"
    path.write_text(",".join(COLUMNS) + ",,\n" + row + ",,\n", encoding="utf-8")
    frame, _ = read_text(path)
    assert list(frame.columns) == list(COLUMNS)


def test_age_in_another_script_or_too_long_is_refused(tmp_path):
    import pytest

    from needs_assessment.errors import DataError
    from needs_assessment.sources.force_extract import COLUMNS, _Checker, read_text

    for age in ("٢٣", "99999999999999999999"):
        row = f"R1,2019-05-01,14,8N,E01017952,N,N,{age},M,25,M,,,N"
        path = tmp_path / "extract.csv"
        path.write_text(",".join(COLUMNS) + "\n" + row + "\n", encoding="utf-8")
        frame, lines = read_text(path)
        with pytest.raises(DataError) as caught:
            _Checker(path, frame, lines).integers("victim_age", 0, 120, "an age in years")
        assert caught.value.column == "victim_age" and caught.value.row == 2
