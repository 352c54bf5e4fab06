"""data.police.uk street-level crime ("street" CSV files), read with DuckDB.

Accepts one file, a month folder or a whole archive folder (every ``**/*-street.csv``
below it). DuckDB reads the files with explicit column types and streams them, so an
archive larger than memory can be counted with bounded memory
(:func:`write_street_counts`). :func:`street_crimes` returns the rows of one force for
small-area work.

Quirks handled: files with no header row (detected by comparing the first line with the
official header), a UTF-8 byte-order mark, rows with no location (blank LSOA, kept with a
missing ``lsoa_code``) and crimes recorded by the force but located outside its area
(``in_area`` flag, given the area's LSOA codes).

Output columns are snake_case; ``month`` is a date (first of the month). Crime IDs and
coordinates never reach the aggregated counts.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.sources._common import validate

OFFICIAL_COLUMNS = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)  # fmt: skip
COLUMNS = {name: name.lower().replace(" ", "_") for name in OFFICIAL_COLUMNS}
OFFICIAL_HEADER = ",".join(OFFICIAL_COLUMNS)
#: DuckDB types per column: coordinates are numbers, month is checked then parsed.
COLUMN_TYPES = {
    snake: ("DOUBLE" if snake in ("longitude", "latitude") else "VARCHAR")
    for snake in COLUMNS.values()
}
FILE_GLOB = "**/*-street.csv"
#: ``2018-10-cambridgeshire-street.csv``: the month and the force a street file covers.
FILE_MONTH = re.compile(r"(?P<month>\d{4}-\d{2})-(?P<force>.+)-street\.csv$")
MONTH_PATTERN = r"\d{4}-(0[1-9]|1[0-2])"
LSOA_PATTERN = r"[EW]01\d{6}"
REQUIRED_VALUES = ("Month", "Falls within", "Crime type")
#: Rough bounds of England and Wales (and a margin) in WGS84 degrees.
LONGITUDE_RANGE = (-8.0, 3.0)
LATITUDE_RANGE = (49.0, 56.5)
_BOM = b"\xef\xbb\xbf"
_ERROR_TAG = "police.uk check failed"

_text = pa.Column(str, nullable=True)
ROWS_SCHEMA = pa.DataFrameSchema(
    {
        "crime_id": _text,
        "month": pa.Column("datetime64[us]", pa.Check(lambda s: s.dt.day == 1)),
        "reported_by": pa.Column(str),
        "falls_within": pa.Column(str),
        "longitude": pa.Column(float, pa.Check.in_range(*LONGITUDE_RANGE), nullable=True),
        "latitude": pa.Column(float, pa.Check.in_range(*LATITUDE_RANGE), nullable=True),
        "location": _text,
        "lsoa_code": pa.Column(str, pa.Check.str_matches(f"^{LSOA_PATTERN}$"), nullable=True),
        "lsoa_name": _text,
        "crime_type": pa.Column(str),
        "last_outcome_category": _text,
        "context": _text,
        "in_area": pa.Column(bool, required=False),
        "source_file": pa.Column(str),
    },
    name="police.uk street rows",
    strict=True,
    ordered=True,
)
COUNTS_SCHEMA = pa.DataFrameSchema(
    {
        "month": pa.Column("datetime64[us]", pa.Check(lambda s: s.dt.day == 1)),
        "force": pa.Column(str),
        "lsoa_code": pa.Column(str, pa.Check.str_matches(f"^{LSOA_PATTERN}$"), nullable=True),
        "crime_type": pa.Column(str),
        "in_area": pa.Column(bool, required=False),
        "crimes": pa.Column("int64", pa.Check.gt(0)),
    },
    name="police.uk street counts",
    strict=True,
    ordered=True,
)


# -- public API ------------------------------------------------------------------------


def street_files(source: str | Path) -> list[Path]:
    """The street files of ``source``: one file, or every ``*-street.csv`` below a folder."""
    source = Path(source)
    if source.is_file():
        return [source]
    if not source.exists():
        raise DataError(source, "file or folder not found")
    files = sorted(p for p in source.glob(FILE_GLOB) if p.is_file())
    if not files:
        raise DataError(source, f"no police.uk street files ({FILE_GLOB}) in this folder")
    _refuse_repeated_months(files)
    return files


def _refuse_repeated_months(files: Sequence[Path]) -> None:
    """The same force's month in two files would be counted twice: refuse, naming both."""
    seen: dict[tuple[str, str], Path] = {}
    for path in files:
        match = FILE_MONTH.search(path.name)
        key = (match["month"], match["force"]) if match else (path.name, "")
        if key in seen:
            raise DataError(
                path,
                f"month {key[0]} of {key[1] or 'this file'} is also in {seen[key]}: "
                "keep one copy, or the month is counted twice",
            )
        seen[key] = path


def street_crimes(
    source: str | Path,
    *,
    force: str | None = None,
    area_lsoas: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Rows of the street files, optionally of one force only (matched on ``Falls within``).

    ``force`` may be the full name ("Cambridgeshire Constabulary") or its first words
    ("Cambridgeshire"). With ``area_lsoas`` an ``in_area`` column flags rows located in
    those LSOAs (rows with no location are not in the area). Columns: the 12 official
    columns in snake_case, ``in_area`` (if asked) and ``source_file``.
    """
    groups = _split_by_header(street_files(source))
    where, params = "", {}
    if force is not None:
        where = "WHERE falls_within = $force OR falls_within ILIKE $force || ' %'"
        params["force"] = force
    with _connect() as con:
        area_column = _area_column(con, area_lsoas)
        sql = f"SELECT * EXCLUDE (filename){area_column}, filename AS source_file " \
              f"FROM ({_checked_rows_sql(groups)}) {where}"  # fmt: skip
        frame = _run(groups, lambda: con.execute(sql, {**_params(groups), **params}).df())
    if frame.empty:
        raise DataError(source, f"no rows{f' for force {force!r}' if force else ''}")
    text = [c for c in frame.columns if frame[c].dtype == object]  # all-missing text columns
    frame[text] = frame[text].astype("str")
    return _validate_rows(frame)


def street_counts(
    source: str | Path,
    *,
    area_lsoas: Iterable[str] | None = None,
    check_all_columns: bool = True,
) -> pd.DataFrame:
    """Crimes counted by month, force (``Falls within``), LSOA and crime type, in DuckDB.

    Same columns as :func:`write_street_counts`, returned as a (small) pandas frame.
    """
    groups = _split_by_header(street_files(source))
    with _connect() as con:
        sql = _counts_sql(con, groups, area_lsoas, check_all_columns) + " ORDER BY ALL"
        frame = _run(groups, lambda: con.execute(sql, _params(groups)).df())
    return validate(COUNTS_SCHEMA, frame, source)


def write_street_counts(
    source: str | Path,
    out_path: str | Path,
    *,
    area_lsoas: Iterable[str] | None = None,
    check_all_columns: bool = True,
    memory_limit: str = "1GB",
    threads: int | None = None,
) -> Path:
    """Count an archive straight to Parquet in DuckDB, never holding the rows in pandas.

    Columns as :data:`COUNTS_SCHEMA`: ``month, force`` (= ``Falls within``), ``lsoa_code``
    (missing for crimes with no location), ``crime_type``, ``in_area`` (only with
    ``area_lsoas``) and ``crimes``; rows in no particular order. DuckDB streams the CSV
    files and spills to a temporary folder beyond ``memory_limit``; the file is written
    under a temporary name and renamed when complete.

    Month, force, LSOA code and crime type are always checked. ``check_all_columns`` also
    parses the columns that are not counted (IDs, coordinates, names, outcome), so a
    non-UTF-8 byte or bad coordinate anywhere fails; turning it off is about 1.5 times as
    fast on a trusted archive (20 million synthetic rows on 2 cores: 18 s instead of 27 s).
    """
    groups = _split_by_header(street_files(source))
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    with _connect(memory_limit=memory_limit, threads=threads) as con:
        counts = _counts_sql(con, groups, area_lsoas, check_all_columns)
        sql = f"COPY ({counts}) TO '{_quoted(partial)}' (FORMAT parquet)"
        _run(groups, lambda: con.execute(sql, _params(groups)))
    partial.replace(out_path)
    return out_path


def read_street_counts(path: str | Path) -> pd.DataFrame:
    """Read counts written by :func:`write_street_counts`, checked against the schema."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, "file not found")
    frame = pd.read_parquet(path)
    frame["month"] = pd.to_datetime(frame["month"]).astype("datetime64[us]")
    return validate(COUNTS_SCHEMA, frame, path)


# -- SQL -------------------------------------------------------------------------------


@contextmanager
def _connect(memory_limit: str = "2GB", threads: int | None = None):
    """A DuckDB connection with its own spill folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="sna_duckdb_") as spill:
        con = duckdb.connect(config={"preserve_insertion_order": False})
        try:
            con.execute(f"SET memory_limit = '{memory_limit}'")
            con.execute(f"SET temp_directory = '{_quoted(Path(spill))}'")
            if threads:
                con.execute(f"SET threads = {int(threads)}")
            yield con
        finally:
            con.close()


def _scan_sql(groups: dict[str, list[Path]]) -> str:
    """Union of the files with and without a header row, all columns typed explicitly."""
    parts = []
    for header, group in (("true", "with_header"), ("false", "without_header")):
        if groups[group]:
            parts.append(
                f"SELECT * FROM read_csv(${group}, columns = $types, header = {header}, "
                "auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
                "strict_mode = true, encoding = 'utf-8', filename = true)"
            )
    return " UNION ALL ".join(parts)


def _checked_rows_sql(groups: dict[str, list[Path]]) -> str:
    """Scan with per-row checks that stop the query (naming the file) on a bad value."""
    month = _fail_unless(f"regexp_full_match(month, '{MONTH_PATTERN}')", "month", "Month")
    lsoa = _fail_unless(
        f"lsoa_code IS NULL OR regexp_full_match(lsoa_code, '{LSOA_PATTERN}')",
        "lsoa_code", "LSOA code",
    )  # fmt: skip
    lon, lat = (
        _fail_unless(f"{name} IS NULL OR {name} BETWEEN {low} AND {high}", name, official)
        for name, official, (low, high) in (
            ("longitude", "Longitude", LONGITUDE_RANGE),
            ("latitude", "Latitude", LATITUDE_RANGE),
        )
    )
    falls = _fail_unless("falls_within IS NOT NULL", "falls_within", "Falls within")
    ctype = _fail_unless("crime_type IS NOT NULL", "crime_type", "Crime type")
    return (
        "SELECT crime_id, "
        f"CAST(strptime({month}, '%Y-%m') AS DATE) AS month, "
        f"reported_by, {falls} AS falls_within, {lon} AS longitude, {lat} AS latitude, location, "
        f"{lsoa} AS lsoa_code, lsoa_name, {ctype} AS crime_type, "
        f"last_outcome_category, context, filename FROM ({_scan_sql(groups)})"
    )


def _fail_unless(condition: str, column: str, official: str) -> str:
    return (
        f"CASE WHEN {condition} THEN {column} "
        f"ELSE error('{_ERROR_TAG}|{official}|' || filename) END"
    )


def _counts_sql(
    con: duckdb.DuckDBPyConnection,
    groups: dict[str, list[Path]],
    area_lsoas: Iterable[str] | None,
    check_all_columns: bool,
) -> str:
    """Counts by month, force, LSOA, crime type; optionally parse and check every column."""
    area_column = _area_column(con, area_lsoas)
    keys = "month, falls_within AS force, lsoa_code, crime_type"
    touch_all = (
        " WHERE coalesce(crime_id, reported_by, location, lsoa_name, last_outcome_category, "
        "context, '') IS NOT NULL AND coalesce(longitude, latitude, 0) IS NOT NULL"
    )
    return (
        f"SELECT {keys}{area_column}, count(*) AS crimes "
        f"FROM ({_checked_rows_sql(groups)}){touch_all if check_all_columns else ''} GROUP BY ALL"
    )


def _area_column(con: duckdb.DuckDBPyConnection, area_lsoas: Iterable[str] | None) -> str:
    """Register the area's LSOA codes; return the SQL for an ``in_area`` column (or '')."""
    if area_lsoas is None:
        return ""
    codes = sorted({str(code).strip() for code in area_lsoas})
    con.execute("CREATE OR REPLACE TEMP TABLE area AS SELECT unnest($codes::VARCHAR[]) AS code",
                {"codes": codes})  # fmt: skip
    return ", coalesce(lsoa_code IN (SELECT code FROM area), false) AS in_area"


def _params(groups: dict[str, list[Path]]) -> dict:
    params: dict = {"types": COLUMN_TYPES}
    params.update({name: [str(p) for p in paths] for name, paths in groups.items() if paths})
    return params


def _split_by_header(files: Sequence[Path]) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = {"with_header": [], "without_header": []}
    for path in files:
        groups["with_header" if _has_header(path) else "without_header"].append(path)
    return groups


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


# -- checks and errors -----------------------------------------------------------------


def _has_header(path: Path) -> bool:
    """True if the first line is the official header; False if it is already a data row."""
    first = _first_line(path)
    fields = next(csv.reader([first]))
    if fields == list(OFFICIAL_COLUMNS):
        return True
    if len(fields) == len(OFFICIAL_COLUMNS) and re.fullmatch(MONTH_PATTERN, fields[1]):
        return False
    raise _header_error(path, fields)


def _first_line(path: Path) -> str:
    if path.stat().st_size == 0:
        raise DataError(path, "file is empty")
    with path.open("rb") as handle:
        raw = handle.readline()
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError:
        raise DataError(path, "not UTF-8 text (save it as UTF-8 CSV)", row=1) from None
    if not line.strip():
        raise DataError(path, "file is empty (first line is blank)", row=1)
    return line


def _header_error(path: Path, fields: list[str]) -> DataError:
    if len(fields) == 1:
        delimiter = next((d for d in ";\t|" if d in fields[0]), None)
        if delimiter:
            return DataError(path, f"fields are separated by {delimiter!r}, not commas", row=1)
    for name in OFFICIAL_COLUMNS:
        if name not in fields:
            return DataError(
                path, f"required column is missing; columns found: {', '.join(fields)}",
                row=1, column=name,
            )  # fmt: skip
    return DataError(path, f"columns are not in the official order ({OFFICIAL_HEADER})", row=1)


def _run(groups: dict[str, list[Path]], action):
    """Run a DuckDB action; turn a failure into a DataError naming file, row and column."""
    try:
        return action()
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None  # Ctrl-C inside DuckDB: exit 130, not a data error
    except duckdb.Error as exc:
        raise _explain(exc, [p for paths in groups.values() for p in paths]) from None


def _explain(exc: duckdb.Error, files: Sequence[Path]) -> DataError:
    message = str(exc)
    suspects = [p for p in files if str(p) in message] or list(files)
    for path in suspects:
        error = diagnose_file(path)
        if error is not None:
            return error
    first = message.splitlines()[0] if message else type(exc).__name__
    return DataError(suspects[0], f"could not be read as a police.uk street file: {first}")


def diagnose_file(path: str | Path) -> DataError | None:
    """The first problem in one street file (file, row, column), or None if it is sound."""
    path = Path(path)
    has_header = _has_header(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        return DataError(path, "not UTF-8 text (save it as UTF-8 CSV)", row=row)
    reader = csv.reader(io.StringIO(text, newline=""))
    if has_header:
        next(reader, None)
    for record in reader:
        problem = _record_problem(record) if record else None
        if problem:
            column, message = problem
            return DataError(path, message, row=reader.line_num, column=column)
    return None


def _record_problem(record: list[str]) -> tuple[str | None, str] | None:
    if len(record) != len(OFFICIAL_COLUMNS):
        return None, f"expected {len(OFFICIAL_COLUMNS)} comma-separated fields, found {len(record)}"
    values = dict(zip(OFFICIAL_COLUMNS, record, strict=True))
    for name in REQUIRED_VALUES:
        if not values[name].strip():
            return name, "value is missing"
    if not re.fullmatch(MONTH_PATTERN, values["Month"]):
        return "Month", f"month must be written YYYY-MM, found {values['Month']!r}"
    code = values["LSOA code"]
    if code and not re.fullmatch(LSOA_PATTERN, code):
        return "LSOA code", f"not an LSOA code: {code!r}"
    for name, (low, high) in (("Longitude", LONGITUDE_RANGE), ("Latitude", LATITUDE_RANGE)):
        problem = _coordinate_problem(values[name], low, high)
        if problem:
            return name, problem
    return None


def _coordinate_problem(text: str, low: float, high: float) -> str | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return f"not a number: {text!r}"
    return None if low <= value <= high else f"{value} is outside {low}..{high}"


def _validate_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Validate rows; on failure, point at the file (and row) the bad value came from."""
    try:
        return ROWS_SCHEMA.validate(frame)
    except (pa.errors.SchemaError, pa.errors.SchemaErrors) as exc:
        cases = getattr(exc, "failure_cases", None)
        index = cases["index"].iloc[0] if cases is not None and "index" in cases else None
        source = frame["source_file"].iloc[0] if index is None else frame.at[index, "source_file"]
        found = diagnose_file(source) if os.path.exists(source) else None
        if found is not None:
            raise found from None
        column = getattr(getattr(exc, "schema", None), "name", None)
        raise DataError(source, f"fails the {ROWS_SCHEMA.name} schema: "
                        f"{str(exc).splitlines()[0]}", column=column) from None  # fmt: skip
