"""A catalogue of malformed inputs: each gives one clear error naming the file (and the row
and column where there is one), and leaves ``data/processed/`` exactly as it was."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import pytest

from needs_assessment.errors import DataError
from needs_assessment.paths import RAW_DIR
from needs_assessment.prepare import prepare

POLICE = "2018-10/2018-10-cambridgeshire-street.csv"
EXTRACT = "demo_force_extract/demo_force_extract_cambridgeshire.csv.gz"


@dataclass(frozen=True)
class Case:
    name: str
    key: str  # the config.data input it replaces
    source: str  # raw file (relative to data/raw) the bad copy starts from
    edit: callable  # text -> bad text (or bytes)
    message: str
    row: int | None = None
    column: str | None = None
    gz: bool = False
    twice: bool = False  # police.uk: the file also copied into a second folder


def field(number: int, column: int, value: str):
    def edit(text: str) -> str:
        lines = text.splitlines(keepends=True)
        cells = lines[number - 1].rstrip("\r\n").split(",")
        cells[column] = value
        lines[number - 1] = ",".join(cells) + "\n"
        return "".join(lines)

    return edit


REC = "ons_rec_crime_pfa/rec-crime-pfa.csv"
IMD = "imd2019/imd2019_lsoa11_ranks_deciles_humaniverse.csv"
POP = "population/ons_mye_lad_population_2001_2020.csv.gz"
HO = "crime_sim_toolkit/prc-pfa-201718_new.csv"

CASES = [
    Case(
        "renamed column",
        "ons_recorded_crime",
        REC,
        lambda t: t.replace("Rolling year total", "Rolling total", 1),
        "required column",
        column="Rolling year total number of offences",
    ),
    Case(
        "non-numeric count",
        "ons_recorded_crime",
        REC,
        field(5, 4, "12o"),
        "not a number",
        5,
        "Rolling year total number of offences",
    ),
    Case("empty file", "ons_recorded_crime", REC, lambda t: "", "empty"),
    Case(
        "header only", "ons_recorded_crime", REC, lambda t: t.splitlines()[0] + "\n", "no data rows"
    ),
    Case(
        "semicolon delimiter",
        "ons_recorded_crime",
        REC,
        lambda t: t.replace(",", ";"),
        "delimited by something other than commas",
    ),
    Case(
        "date not DD-MM-YYYY",
        "ons_recorded_crime",
        REC,
        field(7, 0, "2003/03/31"),
        "DD-MM-YYYY",
        7,
        "12 months ending",
    ),
    Case(
        "same period twice",
        "ons_recorded_crime",
        REC,
        lambda t: t + t.splitlines()[1] + "\n",
        "appear twice",
    ),
    Case(
        "wrong encoding",
        "ons_recorded_crime",
        REC,
        lambda t: (t + "31-03-2018,Ynys Môn,Wales,Robbery,1\n").encode("cp1252"),
        "not UTF-8",
    ),
    Case(
        "police.uk missing column",
        "police_uk",
        "policeuk_street_cambridgeshire/" + POLICE,
        lambda t: t.replace("Crime type", "Crime kind", 1),
        "Crime type",
    ),
    Case(
        "police.uk bad month",
        "police_uk",
        "policeuk_street_cambridgeshire/" + POLICE,
        field(3, 1, "Oct 2018"),
        "month",
        3,
    ),
    Case(
        "police.uk bad LSOA code",
        "police_uk",
        "policeuk_street_cambridgeshire/" + POLICE,
        field(4, 7, "X01018127"),
        "LSOA",
        4,
    ),
    Case(
        "police.uk truncated line",
        "police_uk",
        "policeuk_street_cambridgeshire/" + POLICE,
        lambda t: t.rstrip("\n").rsplit("\n", 1)[0] + "\n" + "abc,2018-10,Cambridgeshire\n",
        "expected 12 comma-separated fields, found 3",
        6931,
    ),
    Case(
        "extract duplicated reference",
        "force_extract",
        EXTRACT,
        lambda t: field(3, 0, t.splitlines()[1].split(",")[0])(t),  # line 2's reference
        "offence_reference",
        3,
        "offence_reference",
        gz=True,
    ),
    Case(
        "extract unknown LSOA",
        "force_extract",
        EXTRACT,
        field(4, 4, "E01000001"),
        "E01000001",
        4,
        "lsoa_code",
        gz=True,
    ),
    Case(
        "extract 2021 LSOA code",
        "force_extract",
        EXTRACT,
        field(4, 4, "E01035000"),
        "2021",
        4,
        "lsoa_code",
        gz=True,
    ),
    Case(
        "extract date out of period",
        "force_extract",
        EXTRACT,
        field(5, 1, "2009-06-30"),
        "2009-06-30",
        5,
        "offence_date",
        gz=True,
    ),
    Case(
        "extract invalid date",
        "force_extract",
        EXTRACT,
        field(5, 1, "2010-02-30"),
        "2010-02-30",
        5,
        "offence_date",
        gz=True,
    ),
    Case(
        "extract unknown offence code",
        "force_extract",
        EXTRACT,
        field(6, 3, "99Z"),
        "99Z",
        6,
        "home_office_code",
        gz=True,
    ),
    Case(
        "extract flag not Y/N",
        "force_extract",
        EXTRACT,
        field(6, 5, "maybe"),
        "maybe",
        6,
        "sharp_instrument",
        gz=True,
    ),
    Case(
        "extract non-numeric age",
        "force_extract",
        EXTRACT,
        field(3, 9, "twenty"),
        "twenty",
        3,
        "offender_age",
        gz=True,
    ),
    Case("IMD non-numeric rank", "imd_ranks", IMD, field(4, 9, "high"), "high", 4, "IMD_rank"),
    Case(
        "district population missing value",
        "district_population",
        POP,
        field(3, 3, ""),
        "missing",
        3,
        "population",
        gz=True,
    ),
    Case(
        "Home Office table renamed column",
        "home_office_offences",
        HO,
        lambda t: t.replace("Number_of_Offences", "Offences", 1),
        "Number",
    ),
    Case(
        "hospital admissions not a workbook",
        "hospital_admissions",
        "nhs_hes_assault_sharp_object/hes_assault_sharp_object_by_region_month_2012-13_to_2021-22.xlsx",
        lambda t: "region,admissions\n",
        "workbook",
    ),
    # -- silent corruption, now refused (issue 19) --
    Case(
        "count beyond the int64 range",
        "ons_recorded_crime",
        REC,
        field(5, 4, "99999999999999999999"),
        "int64",
        5,
        "Rolling year total number of offences",
    ),
    Case(
        "count in Arabic-Indic digits",
        "ons_recorded_crime",
        REC,
        field(6, 4, "٣٤٥"),
        "0-9 digits",
        6,
        "Rolling year total number of offences",
    ),
    Case(
        "count in full-width digits",
        "ons_recorded_crime",
        REC,
        field(7, 4, "１２３"),
        "0-9 digits",
        7,
        "Rolling year total number of offences",
    ),
    Case("IMD rank beyond int64", "imd_ranks", IMD, field(4, 9, "1e30"), "int64", 4, "IMD_rank"),
    Case(
        "IMD rank in Devanagari digits", "imd_ranks", IMD, field(5, 9, "२९१"), "0-9", 5, "IMD_rank"
    ),
    Case(
        "population beyond int64",
        "district_population",
        POP,
        field(3, 3, "99999999999999999999"),
        "int64",
        3,
        "population",
        gz=True,
    ),
    Case(
        "population in Arabic-Indic digits",
        "district_population",
        POP,
        field(4, 3, "٥٣٣١٤٩"),
        "0-9 digits",
        4,
        "population",
        gz=True,
    ),
    Case(
        "Home Office count beyond int64",
        "home_office_offences",
        HO,
        field(3, 8, "99999999999999999999"),
        "int64",
        3,
    ),
    Case(
        "count that is infinite",
        "ons_recorded_crime",
        REC,
        field(8, 4, "1e400"),
        "int64",
        8,
        "Rolling year total number of offences",
    ),
    Case(
        "count far below the int64 range",
        "ons_recorded_crime",
        REC,
        field(9, 4, "-99999999999999999999"),
        "int64",
        9,
        "Rolling year total number of offences",
    ),
    Case(
        "IMD rank in full-width digits", "imd_ranks", IMD, field(6, 9, "２９"), "0-9", 6, "IMD_rank"
    ),
    Case(
        "Home Office count in Bengali digits",
        "home_office_offences",
        HO,
        field(4, 8, "২"),
        "0-9",
        4,
    ),
    Case(
        "police.uk month given twice",
        "police_uk",
        "policeuk_street_cambridgeshire/" + POLICE,
        lambda t: t,
        "month 2018-10 of cambridgeshire is also in",
        twice=True,
    ),
]


@pytest.fixture(scope="module")
def built(default_config, tmp_path_factory):
    """A processed folder built once from the real inputs."""
    folder = tmp_path_factory.mktemp("processed")
    config = default_config.model_copy(
        update={"data": default_config.data.model_copy(update={"processed_dir": folder})}
    )
    prepare(config)
    return config


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def bad_copy(case: Case, tmp_path: Path) -> Path:
    source = RAW_DIR / case.source
    if case.source.endswith(".xlsx"):
        text = ""
    elif case.gz or case.source.endswith(".gz"):
        text = gzip.decompress(source.read_bytes()).decode("utf-8")
    else:
        text = source.read_text(encoding="utf-8-sig")
    content = case.edit(text)
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    if case.key == "police_uk":  # the police.uk input is a folder of month files
        target = tmp_path / "archive" / case.source.split("/", 1)[1]
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
        if case.twice:  # a second download of the same month, in another folder
            (tmp_path / "archive" / "again").mkdir()
            (tmp_path / "archive" / "again" / target.name).write_bytes(data)
        return tmp_path / "archive"
    target = tmp_path / Path(case.source).name
    if case.source.endswith(".gz") and not isinstance(content, bytes):
        data = gzip.compress(data)
    target.write_bytes(data)
    return target


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_is_named_and_nothing_is_written(built, case, tmp_path):
    before = snapshot(built.data.processed_dir)
    path = bad_copy(case, tmp_path)
    config = built.model_copy(update={"data": built.data.model_copy(update={case.key: path})})
    with pytest.raises(DataError) as error:
        prepare(config)
    assert case.message in str(error.value)
    assert Path(case.source).name in error.value.file or str(tmp_path) in error.value.file
    if case.row is not None:
        assert error.value.row == case.row
    if case.column is not None:
        assert error.value.column == case.column
    assert snapshot(built.data.processed_dir) == before
    assert not [p for p in built.data.processed_dir.iterdir() if p.name.startswith(".staging")]


def test_the_catalogue_is_large_enough():
    assert len(CASES) >= 37  # with tests/security/test_cli_errors.py: 62 cases
