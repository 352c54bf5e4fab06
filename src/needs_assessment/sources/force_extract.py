"""The force offence-level extract: one row per recorded offence, exported by the force.

This is the "tier 2" input (see DESIGN.md, "Data tiers"). A force analyst exports it from
the crime recording system following ``docs/force_extract.md``; the project ships a
synthetic demonstration extract in exactly this schema (:mod:`needs_assessment.demo`).

The file is a comma-separated UTF-8 text file (optionally gzipped, ``.csv.gz``) with a
header row naming the :data:`COLUMNS` (in any order; extra columns are ignored). Every
problem raises one :class:`~needs_assessment.errors.DataError` naming the file, the
1-based file row (the header is row 1) and the column, so the analyst can go straight to
the cell: a missing or renamed column, an empty file, the wrong delimiter, text that is
not UTF-8, a line with the wrong number of fields (e.g. a truncated last line), a date
that is not ``YYYY-MM-DD`` or not a real date or outside the assessed period, a
non-numeric age or hour, a duplicated offence reference, an LSOA code that is malformed,
a 2021 LSOA code (the extract must use 2011 LSOAs) or not in the area, an unknown Home
Office offence code, or a Y/N flag with another value.

:func:`load` returns a typed frame validated by :data:`SCHEMA`: dates as dates, flags as
booleans, ages and hour as nullable integers, plus the derived ``financial_year``
("2017/18"), ``year`` (the start year, 2017) and ``district_code`` (from the LSOA, given
an LSOA -> district mapping), and the optional :data:`OPTIONAL_COLUMNS` the file has
(:mod:`.force_extract_people`). ``frame.attrs["synthetic"]`` is True when every offence
reference starts with ``SYNTH-`` (the demonstration extract).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.sources import force_extract_people as people
from needs_assessment.sources._common import validate

#: The columns of the extract, in the order the template and the demo file use.
COLUMNS = (
    "offence_reference",
    "offence_date",
    "offence_hour",
    "home_office_code",
    "lsoa_code",
    "sharp_instrument",
    "firearm",
    "victim_age",
    "victim_sex",
    "offender_age",
    "offender_sex",
    "offender_home_district",
    "offender_postcode_district",
    "county_lines",
)
#: Optional columns about people (ethnicity, domestic abuse, pseudonymous ids): see
#: :mod:`.force_extract_people`. Checked when present; the People chapter needs them.
OPTIONAL_COLUMNS = people.OPTIONAL_COLUMNS
FLAGS = ("sharp_instrument", "firearm", "county_lines")
SEXES = ("M", "F", "U")
#: Age ranges accepted (years). Offenders: the age of criminal responsibility is 10.
AGE_RANGES = {"victim_age": (0, 110), "offender_age": (10, 110)}
DERIVED = ("financial_year", "year", "district_code")
SYNTHETIC_PREFIX = "SYNTH-"

DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
#: Highest 2011 LSOA code numbers (ONS OA11-LSOA11-MSOA11-LAD17 lookup): E01033768 in
#: England, W01001958 in Wales. Well-formed codes above them were created in 2021.
LAST_2011_LSOA = {"E": 33_768, "W": 1_958}
#: Local authority district codes: English/Welsh districts and unitaries (E06-E09, W06),
#: Scottish council areas (S12), Northern Ireland districts (N09).
DISTRICT_CODE = re.compile(r"^(?:[EW]0[6-9]|S12|N09)\d{6}$")
#: A UK postcode district (outward code): CB1, PE13, E8, N17, SE15, EC1A, W1K.
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")
HOME_OFFICE_CODE = re.compile(r"^[0-9][0-9A-Z./]*$")

_text = pa.Column(str, nullable=True)
SCHEMA = pa.DataFrameSchema(
    {
        "offence_reference": pa.Column(str, pa.Check.str_length(min_value=1), unique=True),
        "offence_date": pa.Column("datetime64[ns]"),
        "offence_hour": pa.Column("Int64", pa.Check.in_range(0, 23), nullable=True),
        "home_office_code": pa.Column(str, pa.Check.str_matches(HOME_OFFICE_CODE.pattern)),
        "lsoa_code": pa.Column(str, pa.Check.str_matches(LSOA_CODE.pattern), nullable=True),
        "sharp_instrument": pa.Column(bool),
        "firearm": pa.Column(bool),
        "victim_age": pa.Column(
            "Int64", pa.Check.in_range(*AGE_RANGES["victim_age"]), nullable=True
        ),
        "victim_sex": pa.Column(str, pa.Check.isin(SEXES), nullable=True),
        "offender_age": pa.Column(
            "Int64", pa.Check.in_range(*AGE_RANGES["offender_age"]), nullable=True
        ),
        "offender_sex": pa.Column(str, pa.Check.isin(SEXES), nullable=True),
        "offender_home_district": pa.Column(
            str, pa.Check.str_matches(DISTRICT_CODE.pattern), nullable=True
        ),
        "offender_postcode_district": pa.Column(
            str, pa.Check.str_matches(POSTCODE_DISTRICT.pattern), nullable=True
        ),
        "county_lines": pa.Column(bool),
        "financial_year": pa.Column(str, pa.Check.str_matches(r"^\d{4}/\d{2}$")),
        "year": pa.Column("int64"),
        "district_code": _text,
    },
    name="force offence extract",
    strict=True,
    ordered=True,
)


# -- public API ------------------------------------------------------------------------


def load(
    path: str | Path,
    area_lsoas: Iterable[str] | None = None,
    known_codes: Iterable[str] | None = None,
    period=None,
    lsoa_districts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read, check and type a force extract (``.csv`` or ``.csv.gz``).

    ``area_lsoas``: the 2011 LSOA codes of the assessed area; an offence elsewhere is an
    error (default: the keys of ``lsoa_districts``, else any well-formed 2011 code).
    ``known_codes``: the Home Office offence codes the definitions file knows
    (:func:`definition_codes`); default: any code-shaped text.
    ``period``: the assessed financial years, a config ``Period`` or ``(first_year,
    last_year)`` by start year (``(2010, 2021)`` = 1 April 2010 to 31 March 2022).
    ``lsoa_districts``: LSOA -> district (LAD) code, for the ``district_code`` column.
    """
    path = Path(path)
    frame, lines = read_text(path)
    return parse(
        frame,
        path,
        area_lsoas=area_lsoas,
        known_codes=known_codes,
        period=period,
        lsoa_districts=lsoa_districts,
        lines=lines,
    )


def read_text(path: str | Path) -> tuple[pd.DataFrame, pd.Series]:
    """The extract as text columns (header checked, every line the right length) and the
    file row each record starts on."""
    path = Path(path)
    text = _decode(path, _read_bytes(path))
    first = text.split("\n", 1)[0].rstrip("\r")
    header = _header(path, next(csv.reader([first]), []))
    if '"' in text:  # quoted values may hold commas or line breaks: read record by record
        frame, lines = _read_records(path, text, header)
    else:
        frame, lines = _read_lines(path, text, header)
    if frame.empty:
        raise DataError(path, "file has a header but no data rows")
    columns = [*COLUMNS, *people.present(frame.columns)]
    frame = frame[columns].apply(lambda column: column.str.strip())
    return frame, pd.Series(lines, index=frame.index, dtype="int64")


def _read_lines(path: Path, text: str, header: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """Fast path for files without quotes: one record per line, parsed by pandas."""
    lines = pd.Series(text.split("\n")).str.rstrip("\r")
    numbers = np.arange(1, len(lines) + 1)
    keep = (lines.str.strip() != "").to_numpy(copy=True)
    keep[0] = False  # the header
    lines, numbers = lines[keep], numbers[keep]
    fields = (lines.str.count(",") + 1).to_numpy()
    bad = fields != len(header)
    if bad.any():
        position = int(bad.argmax())
        raise _field_count_error(
            path,
            header,
            int(fields[position]),
            int(numbers[position]),
            last=position == len(lines) - 1,
        )
    body = "\n".join(lines) + "\n"
    frame = (
        pd.read_csv(
            io.StringIO(body),
            header=None,
            names=header,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="c",
            skip_blank_lines=False,
        )
        if len(lines)
        else pd.DataFrame(columns=header, dtype="str")
    )
    return frame, numbers


def _read_records(path: Path, text: str, header: list[str]) -> tuple[pd.DataFrame, list[int]]:
    """Record by record with the csv module (values in quotes), noting each record's row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    width = len(header)
    records, lines, previous = [], [], reader.line_num
    try:
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # blank line
            if len(record) != width:
                last = not any(any(f.strip() for f in rest) for rest in reader)
                raise _field_count_error(path, header, len(record), start, last)
            records.append(record)
            lines.append(start)
    except csv.Error as exc:
        raise DataError(path, f"not a well-formed CSV line: {exc}", row=reader.line_num) from None
    columns = list(zip(*records, strict=True)) or [()] * width
    frame = pd.DataFrame(
        {name: pd.array(values, dtype="str") for name, values in zip(header, columns, strict=True)}
    )
    return frame, lines


def parse(
    frame: pd.DataFrame,
    source: str | Path = "<frame>",
    *,
    area_lsoas: Iterable[str] | None = None,
    known_codes: Iterable[str] | None = None,
    period=None,
    lsoa_districts: Mapping[str, str] | None = None,
    lines: pd.Series | None = None,
) -> pd.DataFrame:
    """Check and type an extract held as text columns (as in the file: ``""`` = blank).

    Same checks and result as :func:`load`; ``lines`` gives each row's file row (default:
    row 2 onwards), ``source`` names the file in errors.
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(source, "required column is missing", row=1, column=missing[0])
    optional = people.present(frame.columns)
    text = frame[[*COLUMNS, *optional]].reset_index(drop=True).astype("str").fillna("")
    if lines is None:
        lines = pd.Series(np.arange(2, len(text) + 2), dtype="int64")
    lines = pd.Series(np.asarray(lines, dtype="int64"), index=text.index)
    check = _Checker(source, text, lines)
    if area_lsoas is None and lsoa_districts is not None:
        area_lsoas = lsoa_districts.keys()

    out = pd.DataFrame(index=text.index)
    out["offence_reference"] = check.references()
    out["offence_date"] = check.dates(_period_bounds(period))
    out["offence_hour"] = check.integers("offence_hour", 0, 23, "an hour 0-23")
    out["home_office_code"] = check.codes(known_codes)
    out["lsoa_code"] = check.lsoas(area_lsoas)
    for flag in FLAGS[:2]:
        out[flag] = check.flag(flag)
    for who in ("victim", "offender"):
        low, high = AGE_RANGES[f"{who}_age"]
        out[f"{who}_age"] = check.integers(f"{who}_age", low, high, f"an age {low}-{high}")
        out[f"{who}_sex"] = check.sex(f"{who}_sex")
    out["offender_home_district"] = check.pattern(
        "offender_home_district",
        DISTRICT_CODE,
        "not a district (LAD) code like E07000008 or E09000012",
    )
    out["offender_postcode_district"] = check.pattern(
        "offender_postcode_district",
        POSTCODE_DISTRICT,
        "not a postcode district like CB1, PE13 or E8 (give only the part before the space)",
        upper=True,
    )
    out["county_lines"] = check.flag("county_lines")
    for column, values in people.typed(check, optional).items():
        out[column] = values

    start = out["offence_date"].dt.year - (out["offence_date"].dt.month < 4).astype("int64")
    out["financial_year"] = (
        start.astype(str) + "/" + ((start + 1) % 100).astype(str).str.zfill(2)
    ).astype("str")
    out["year"] = start.astype("int64")
    districts = dict(lsoa_districts) if lsoa_districts is not None else {}
    out["district_code"] = out["lsoa_code"].map(districts).astype("str")
    if lsoa_districts is not None:
        check.require(
            out["lsoa_code"].notna() & out["district_code"].isna(),
            "lsoa_code",
            lambda v: f"LSOA {v!r} has no district in the LSOA -> district lookup",
        )

    typed = validate(people.schema(SCHEMA, optional, DERIVED), out, source, rows=lines)
    typed.attrs["source"] = str(source)
    typed.attrs["synthetic"] = bool(
        typed["offence_reference"].str.startswith(SYNTHETIC_PREFIX).all()
    )
    return typed


def definition_codes(definitions) -> set[str]:
    """Every Home Office offence code named in a loaded definitions file."""
    return {
        code for category in definitions.categories.values() for code in category.home_office_codes
    }


def lsoa_vintage(code: str) -> str | None:
    """'2011' for a code in the 2011 LSOA range, '2021' for one created in 2021, else None."""
    if not isinstance(code, str) or not LSOA_CODE.match(code):
        return None
    return "2011" if int(code[3:]) <= LAST_2011_LSOA[code[0]] else "2021"


# -- reading ---------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise DataError(path, "file not found")
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(path, f"not a complete gzip file ({exc}); export it again") from None
    if not data.strip():
        raise DataError(path, "file is empty")
    return data


def _decode(path: Path, data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        row = data.count(b"\n", 0, exc.start) + 1
        column = None
        if row > 1:
            header = next(csv.reader([data[: data.find(b"\n")].decode("utf-8", "replace")]))
            before = data[line_start : exc.start].decode("utf-8", "replace")
            index = len(next(csv.reader([before]), [""])) - 1
            column = header[index].strip() if index < len(header) else None
        raise DataError(
            path,
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the "
            "extract as 'CSV UTF-8', not Excel, ANSI or Windows-1252",
            row=row,
            column=column,
        ) from None


def _header(path: Path, fields: list[str]) -> list[str]:
    """The header's column names; unnamed columns (Excel's trailing empty columns) get a
    placeholder name and are ignored."""
    names = [f.strip() or f"_unnamed_{i + 1}" for i, f in enumerate(fields)]
    if len(names) == 1:
        delimiter = next((d for d in (";", "\t", "|") if d in names[0]), None)
        if delimiter is not None:
            shown = {"\t": "tabs"}.get(delimiter, repr(delimiter))
            raise DataError(
                path,
                f"fields are separated by {shown}, not commas: export the "
                "extract as comma-separated values",
                row=1,
            )
    duplicated = sorted({n for n in names if names.count(n) > 1 and n})
    if duplicated:
        raise DataError(
            path, "column appears more than once in the header", row=1, column=duplicated[0]
        )
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        unexpected = [n for n in names if n not in (*COLUMNS, *OPTIONAL_COLUMNS)]
        hint = (
            f"; unexpected column(s) {', '.join(repr(n) for n in unexpected)}: was it "
            "renamed? Use the template's column names"
            if unexpected
            else ""
        )
        raise DataError(
            path,
            f"required column is missing{hint} (columns found: {', '.join(names)})",
            row=1,
            column=missing[0],
        )
    return names


def _field_count_error(path, header: list[str], found: int, row: int, last: bool) -> DataError:
    width = len(header)
    if found < width:
        where = (
            "the last line looks truncated (cut off mid-line): export the file again"
            if last
            else "the line is cut short or a value holds a line break"
        )
        return DataError(
            path,
            f"line has {found} fields but the header has {width}: {where}",
            row=row,
            column=header[found],
        )
    return DataError(
        path,
        f"line has {found} fields but the header has {width}: a value "
        "holding a comma must be in double quotes",
        row=row,
    )


# -- checks ----------------------------------------------------------------------------


class _Checker:
    """Column checks that raise one DataError at the first bad cell (file row, column)."""

    def __init__(self, source, text: pd.DataFrame, lines: pd.Series) -> None:
        self.source, self.text, self.lines = source, text, lines

    def fail(self, position: int, column: str, problem: str) -> DataError:
        return DataError(self.source, problem, row=int(self.lines.iloc[position]), column=column)

    def require(self, bad: pd.Series, column: str, problem) -> None:
        """Raise for the first True in ``bad``; ``problem(value)`` words the message."""
        bad = bad.fillna(False).to_numpy(dtype=bool)
        if bad.any():
            position = int(bad.argmax())
            raise self.fail(position, column, problem(self.text[column].iloc[position]))

    def blank(self, column: str) -> pd.Series:
        return self.text[column] == ""

    def required(self, column: str) -> None:
        self.require(self.blank(column), column, lambda v: "value is missing")

    def references(self) -> pd.Series:
        self.required("offence_reference")
        refs = self.text["offence_reference"]
        duplicated = refs.duplicated(keep="first").to_numpy()
        if duplicated.any():
            position = int(duplicated.argmax())
            first = int(np.flatnonzero((refs == refs.iloc[position]).to_numpy())[0])
            raise self.fail(
                position,
                "offence_reference",
                f"offence reference {refs.iloc[position]!r} appears twice (first "
                f"on row {int(self.lines.iloc[first])}); each offence must be "
                "one row",
            )
        return refs.astype("str")

    def dates(self, bounds: tuple[pd.Timestamp, pd.Timestamp, str] | None) -> pd.Series:
        column = "offence_date"
        self.required(column)
        text = self.text[column]
        self.require(
            ~text.str.match(DATE_TEXT.pattern),
            column,
            lambda v: f"not a YYYY-MM-DD date: {v!r} (write e.g. 2019-01-31)",
        )
        dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        self.require(dates.isna(), column, lambda v: f"not a real calendar date: {v!r}")
        if bounds is not None:
            first, last, label = bounds
            self.require(
                (dates < first) | (dates > last),
                column,
                lambda v: (
                    f"date {v} is outside the assessed period {label} "
                    f"({first:%Y-%m-%d} to {last:%Y-%m-%d})"
                ),
            )
        return dates.astype("datetime64[ns]")

    def integers(self, column: str, low: int, high: int, what: str) -> pd.Series:
        text = self.text[column]
        blank = self.blank(column)
        # ASCII digits only (an age in another script is refused, not stored as missing),
        # and short enough that the number cannot overflow.
        whole = text.str.fullmatch(r"[0-9]{1,9}")
        self.require(
            ~blank & ~whole,
            column,
            lambda v: f"not a whole number: {v!r} (expected {what}, or blank if unknown)",
        )
        values = pd.to_numeric(text.where(~blank), errors="coerce").astype("Int64")
        self.require(
            (values < low) | (values > high),
            column,
            lambda v: f"{v} is out of range (expected {what}, or blank if unknown)",
        )
        return values

    def codes(self, known: Iterable[str] | None) -> pd.Series:
        column = "home_office_code"
        self.required(column)
        codes = self.text[column]
        if known is not None:
            known = set(known)
            self.require(
                ~codes.isin(known),
                column,
                lambda v: (
                    f"{v!r} is not a Home Office offence code in the "
                    "serious-violence definitions file (write codes as the Home Office "
                    "tables do: 8N, 105A, 92A, 1/4.1/4.10/4.2)"
                ),
            )
        else:
            self.require(
                ~codes.str.match(HOME_OFFICE_CODE.pattern),
                column,
                lambda v: f"not a Home Office offence code: {v!r}",
            )
        return codes.astype("str")

    def lsoas(self, area: Iterable[str] | None) -> pd.Series:
        column = "lsoa_code"
        codes = self.text[column]
        blank = self.blank(column)
        self.require(
            ~blank & ~codes.str.match(LSOA_CODE.pattern),
            column,
            lambda v: (
                f"not an LSOA code: {v!r} (expected a 2011 LSOA code like "
                "E01017982, or blank if the offence has no location)"
            ),
        )
        number = pd.to_numeric(codes.str.slice(3).where(~blank), errors="coerce")
        limit = codes.str.slice(0, 1).map(LAST_2011_LSOA)
        self.require(
            number > limit,
            column,
            lambda v: (
                f"{v!r} is a 2021 LSOA code, mixed in with 2011 codes: the "
                "extract must use 2011 LSOAs throughout (map 2021 codes back with the "
                "ONS LSOA 2011 to LSOA 2021 lookup)"
            ),
        )
        if area is not None:
            area = set(area)
            self.require(
                ~blank & ~codes.isin(area),
                column,
                lambda v: (
                    f"LSOA {v!r} is not in the assessed area (a 2011 code, "
                    "but of another area): check the force and district settings"
                ),
            )
        return codes.mask(blank).astype("str")

    def flag(self, column: str) -> pd.Series:
        values = self.text[column].str.upper()
        self.require(
            ~values.isin(["Y", "N"]),
            column,
            lambda v: (
                f"expected Y or N, found {v!r}" if v else "value is missing (expected Y or N)"
            ),
        )
        return values == "Y"

    def sex(self, column: str) -> pd.Series:
        values = self.text[column].str.upper()
        self.require(
            ~values.isin(["", *SEXES]), column, lambda v: f"expected M, F, U or blank, found {v!r}"
        )
        return values.mask(values == "").astype("str")

    def pattern(
        self, column: str, pattern: re.Pattern, problem: str, *, upper: bool = False
    ) -> pd.Series:
        values = self.text[column].str.upper() if upper else self.text[column]
        blank = values == ""
        self.require(
            ~blank & ~values.str.match(pattern.pattern), column, lambda v: f"{problem}: {v!r}"
        )
        return values.mask(blank).astype("str")


def _period_bounds(period) -> tuple[pd.Timestamp, pd.Timestamp, str] | None:
    if period is None:
        return None
    if hasattr(period, "first_year"):
        first, last = period.first_year, period.last_year
    else:
        first, last = period
    label = f"{first}/{(first + 1) % 100:02d} to {last}/{(last + 1) % 100:02d}"
    return pd.Timestamp(first, 4, 1), pd.Timestamp(last + 1, 3, 31), label
