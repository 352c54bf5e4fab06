"""Shared checks for the loaders: readable text, required columns, numbers, schemas.

Row numbers in errors are 1-based file lines (header = line 1), as an editor shows them.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pandas as pd
import pandera.pandas as pa
from openpyxl.utils.exceptions import InvalidFileException
from pandera.errors import SchemaError, SchemaErrors

from needs_assessment.errors import DataError

HEADER_LINES = 1
#: Whole numbers are stored as 64-bit integers: a count at or beyond 2**63 cannot be.
INT64_LIMIT = 2.0**63


def require_file(path: str | Path) -> Path:
    """The path, if it names a non-empty file; else a ``DataError`` saying which is wrong."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, "file not found")
    if path.stat().st_size == 0:
        raise DataError(path, "file is empty")
    return path


def read_csv_text(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a CSV as text columns, with clear errors for missing, empty or non-UTF-8 files."""
    path = require_file(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", **kwargs)
    except UnicodeDecodeError as exc:
        line = _line_of_byte(path, exc.start)
        raise DataError(
            path, "not UTF-8 text (save it as UTF-8 CSV, not Excel or ANSI)", row=line
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(path, "file is empty") from None
    except pd.errors.ParserError as exc:
        raise DataError(path, f"not a well-formed CSV: {exc}") from None
    if frame.empty:
        raise DataError(path, "file has a header but no data rows")
    return frame


def read_sheet(path: str | Path, sheet: str) -> tuple[str, list[tuple]]:
    """Cell values of one sheet of an .xlsx workbook, as (sheet name in the file, rows).

    The sheet is matched ignoring leading/trailing spaces (``'Table P4  '``). Missing file,
    empty file, not a workbook and missing sheet (listing those present) raise ``DataError``.
    Row ``i`` of the list is Excel row ``i + 1``.
    """
    path = require_file(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise DataError(path, f"not an Excel .xlsx workbook ({exc})") from None
    try:
        names = {name.strip(): name for name in book.sheetnames}
        if sheet.strip() not in names:
            found = ", ".join(repr(n) for n in book.sheetnames)
            raise DataError(path, f"sheet '{sheet}' is missing; sheets found: {found}")
        name = names[sheet.strip()]
        rows = list(book[name].iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        raise DataError(path, f"sheet '{name}' is empty")
    return name, rows


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: str | Path) -> None:
    """Fail on the first required column that is missing, listing what the file has."""
    present = [str(c) for c in frame.columns]
    for column in columns:
        if column not in present:
            hint = ""
            if len(present) == 1 and any(sep in present[0] for sep in ";\t|"):
                hint = " (the file looks delimited by something other than commas)"
            raise DataError(
                path,
                f"required column is missing{hint}; columns found: {', '.join(present)}",
                column=column,
            )


def to_number(
    frame: pd.DataFrame,
    column: str,
    path: str | Path,
    *,
    integer: bool = True,
    allow_missing: bool = False,
    missing_markers: Iterable[str] = ("", ":", "..", "[x]", "[z]", "[c]", "*"),
) -> pd.Series:
    """Parse a text column as numbers (thousands separators allowed); name the first bad row.

    Digits must be ASCII 0-9 (``٣٤`` is refused, not read as missing), and whole numbers
    must fit a 64-bit integer (a larger count would wrap round to a negative one).
    """
    text = frame[column].astype("string").str.strip().str.replace(",", "", regex=False)
    missing = text.isin(list(missing_markers)) | text.isna()
    _refuse(frame, column, path, ~missing & text.str.contains(r"[^\x00-\x7f]"), "0-9 digits")
    values = pd.to_numeric(text.where(~missing), errors="coerce")
    if integer:
        _refuse(frame, column, path, values.abs() >= INT64_LIMIT, "a count within the int64 range")
    bad = values.isna() & ~missing
    if bad.any():
        position = int(bad.to_numpy().argmax())
        raise DataError(
            path,
            f"not a number: {frame[column].iloc[position]!r}",
            row=file_row(frame, position),
            column=column,
        )
    if missing.any() and not allow_missing:
        position = int(missing.to_numpy().argmax())
        raise DataError(path, "value is missing", row=file_row(frame, position), column=column)
    if integer:
        whole = values.dropna()
        if (whole != whole.round()).any():
            position = int(((values != values.round()) & values.notna()).to_numpy().argmax())
            raise DataError(
                path,
                f"expected a whole number, found {frame[column].iloc[position]!r}",
                row=file_row(frame, position),
                column=column,
            )
        return values.astype("Int64")
    return values.astype("Float64")


def _refuse(frame: pd.DataFrame, column: str, path, bad: pd.Series, expected: str) -> None:
    """A ``DataError`` at the first row where ``bad`` holds (missing counts as not bad)."""
    bad = bad.fillna(False).astype(bool)
    if bad.any():
        position = int(bad.to_numpy().argmax())
        raise DataError(
            path,
            f"not a number: {frame[column].iloc[position]!r} (expected {expected})",
            row=file_row(frame, position),
            column=column,
        )


def refuse_first(frame: pd.DataFrame, bad: pd.Series, column: str, path, problem: str) -> None:
    """A ``DataError`` naming the first row where ``bad`` holds and its value in ``column``."""
    position = int(bad.to_numpy().argmax())
    shown = frame[column].iloc[position]
    raise DataError(path, f"{problem}: {shown!r}", row=file_row(frame, position), column=column)


def published_headers(frame: pd.DataFrame, names: Iterable[str]) -> dict[str, str]:
    """Published header -> the file's own column for each of ``names`` the file has, matched
    ignoring case, dots, underscores and spaces ("Financial.Year", "financial_year")."""
    known = {_header_key(name): name for name in names}
    return {known[_header_key(c)]: str(c) for c in frame.columns if _header_key(c) in known}


def _header_key(name) -> str:
    return " ".join(re.split(r"[\s._]+", str(name).strip())).lower()


def quarters(frame: pd.DataFrame, column: str, path) -> pd.Series:
    """Financial quarter 1-4 (Q1 = April to June) from "1" or "Q1"."""
    text = frame[column].str.strip().str.upper().str.removeprefix("Q")
    values = pd.to_numeric(text, errors="coerce")
    bad = ~values.isin([1, 2, 3, 4])
    if bad.any():
        refuse_first(frame, bad, column, path, "not a quarter 1-4")
    return values.astype("Int64")


def file_row(frame: pd.DataFrame, position: int) -> int:
    """File line of the frame's ``position``-th row (``frame.attrs['first_line']`` or 2)."""
    return int(frame.attrs.get("first_line", HEADER_LINES + 1)) + position


def validate(
    schema: pa.DataFrameSchema,
    frame: pd.DataFrame,
    path: str | Path,
    *,
    rows: pd.Series | None = None,
) -> pd.DataFrame:
    """Validate with pandera; turn the first failure into a ``DataError`` naming row and column.

    ``rows`` (optional) maps each index label of ``frame`` to its row in the file, for frames
    whose rows are not consecutive file lines (spreadsheets, multi-line CSV records, filtered
    frames); without it the row is :func:`file_row` of the failing position.
    """
    try:
        return schema.validate(frame, lazy=False)
    except (SchemaError, SchemaErrors) as exc:
        failure = getattr(exc, "failure_cases", None)
        column = getattr(getattr(exc, "schema", None), "name", None)
        row = None
        if failure is not None and len(failure) and "index" in failure:
            index = failure["index"].iloc[0]
            if index is not None and index in frame.index:
                row = (
                    int(rows.loc[index])
                    if rows is not None
                    else file_row(frame, frame.index.get_loc(index))
                )
        message = str(exc).splitlines()[0]
        raise DataError(
            path, f"fails the {schema.name or 'input'} schema: {message}", row=row, column=column
        ) from None


def _line_of_byte(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1
