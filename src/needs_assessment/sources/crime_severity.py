"""ONS Crime Severity Score by police force area and offence group, YE March 2003 to 2022.

Long CSV (gzip), one row per area code x offence group x year. Quirks handled:

* the ``year`` column is the original ONS heading with a newline inside quotes, so every
  record spans two lines of the file: errors name the line where the record starts;
  ``year_ending`` (YYYY-03-31) is used instead;
* ``:`` = not available (City of London) -> null ``severity_score``;
* ``West Midlands`` is both a region (E12000005) and a force (E23000014): select by code;
* upper-case names (``ENGLAND AND WALES``) are title-cased as in the PFA tables.

Scores are each offence group's contribution to the area's total (they add up to it), all
from one edition of ONS weights: do not mix with scores from other editions.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.sources._common import file_row, read_csv_text, require_columns, validate
from needs_assessment.sources.ons_pfa_tables import (
    AREA_CODE,
    AREA_TYPES,
    area_type,
    clean_area_name,
)

COLUMNS = {
    "code": "area_code",
    "name": "area_name",
    "offence_group": "offence_group",
    "year_ending": "year_ending",
    "severity_score": "severity_score",
}
NOT_AVAILABLE = frozenset({":", "..", "[x]", "[c]", "[z]"})

SCHEMA = pa.DataFrameSchema(
    {
        "area_code": pa.Column(str, pa.Check.str_matches(r"^[EWK]\d{8}$")),
        "area_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "area_type": pa.Column(str, pa.Check.isin(sorted(set(AREA_TYPES.values())))),
        "offence_group": pa.Column(str, pa.Check.str_length(min_value=1)),
        "year_ending": pa.Column("datetime64[ns]"),
        "severity_score": pa.Column(float, pa.Check.ge(0), nullable=True),
    },
    unique=["area_code", "offence_group", "year_ending"],
    name="ONS crime severity score by PFA",
    strict=True,
)


def load(path: str | Path, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Read and validate the file; ``codes`` keeps only those ONS area codes."""
    path = Path(path)
    raw = _read(path)
    require_columns(raw, COLUMNS, path)
    lines = pd.Series(_record_lines(path, raw), index=raw.index)
    frame = raw[list(COLUMNS)].rename(columns=COLUMNS)
    frame["area_code"] = frame["area_code"].str.strip()
    _check_codes(frame, lines, path)
    frame["area_name"] = frame["area_name"].map(clean_area_name).astype(str)
    frame["area_type"] = frame["area_code"].map(area_type).astype(str)
    frame["year_ending"] = _dates(raw, lines, path)
    frame["severity_score"] = _scores(raw, lines, path)
    if codes is not None:
        frame = _select(frame, list(codes), path)
    return validate(SCHEMA, frame[list(SCHEMA.columns)], path, rows=lines)


def _read(path: Path) -> pd.DataFrame:
    try:
        return read_csv_text(path)
    except (OSError, EOFError) as exc:  # e.g. a .gz that is not gzip data
        raise DataError(path, f"cannot be read as (gzipped) CSV text: {exc}") from None


def _record_lines(path: Path, raw: pd.DataFrame) -> list[int]:
    """File line on which each data record starts (records may span several lines)."""
    opener = gzip.open if path.suffix == ".gz" else open
    starts, previous = [], 0
    with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        for record in reader:
            if record:
                starts.append(previous + 1)
            previous = reader.line_num
    starts = starts[1:]  # the header
    if len(starts) != len(raw):  # parsers disagree: fall back to one line per record
        return [file_row(raw, position) for position in range(len(raw))]
    return starts


def _check_codes(frame: pd.DataFrame, lines: pd.Series, path: Path) -> None:
    valid = frame["area_code"].map(lambda c: bool(AREA_CODE.fullmatch(c)) and c[:3] in AREA_TYPES)
    if not valid.all():
        position = int((~valid).to_numpy().argmax())
        raise DataError(
            path,
            f"not the ONS code of a force, region or country: "
            f"{frame['area_code'].iloc[position]!r}",
            row=int(lines.iloc[position]),
            column="code",
        )


def _dates(raw: pd.DataFrame, lines: pd.Series, path: Path) -> pd.Series:
    text = raw["year_ending"].str.strip()
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        position = int(dates.isna().to_numpy().argmax())
        raise DataError(
            path,
            f"not a YYYY-MM-DD date: {text.iloc[position]!r}",
            row=int(lines.iloc[position]),
            column="year_ending",
        )
    return dates.astype("datetime64[ns]")


def _scores(raw: pd.DataFrame, lines: pd.Series, path: Path) -> pd.Series:
    text = raw["severity_score"].str.strip()
    unavailable = text.isin(NOT_AVAILABLE)
    values = pd.to_numeric(text.where(~unavailable), errors="coerce")
    bad = values.isna() & ~unavailable
    if bad.any():
        position = int(bad.to_numpy().argmax())
        shown = raw["severity_score"].iloc[position]
        problem = (
            f"not a number: {shown!r}"
            if text.iloc[position]
            else "value is missing (the file marks 'not available' with ':')"
        )
        raise DataError(path, problem, row=int(lines.iloc[position]), column="severity_score")
    return values.astype("float64")


def _select(frame: pd.DataFrame, codes: list[str], path: Path) -> pd.DataFrame:
    unknown = sorted(set(codes) - set(frame["area_code"]))
    if unknown:
        raise DataError(path, f"area code(s) not in the file: {', '.join(unknown)}", column="code")
    return frame[frame["area_code"].isin(codes)]
