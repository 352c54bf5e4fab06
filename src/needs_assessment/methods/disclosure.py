"""Statistical disclosure control for tables the assessment publishes.

Convention for a suppressed or blanked cell: the value becomes missing (<NA>) in a pandas
nullable column (Int64 for counts, Float64 for derived figures) and a companion string
column ``<column>_marker`` holds the marker to print in its place: "[c]" (confidential,
the GSS shorthand) for suppressed counts and anything derived from them, "[low]" for a
rate on too few events. The marker is <NA> wherever the value is shown. Primary and
secondary suppression share one marker, so a reader cannot tell which hidden cells are
small.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from needs_assessment.errors import AssessmentError

SUPPRESSED_MARKER = "[c]"
LOW_EVENTS_MARKER = "[low]"
MARKER_SUFFIX = "_marker"


class DisclosureError(AssessmentError):
    """A table about to be published could identify a person or a record."""


def marker_column(column: str) -> str:
    """Name of the column holding the suppression marker for `column`."""
    return f"{column}{MARKER_SUFFIX}"


# --- suppression ----------------------------------------------------------------------


def suppress_small_counts(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    threshold: int = 5,
    marker: str = SUPPRESSED_MARKER,
    *,
    total_groups: Sequence[str] | None = None,
    derived_columns: Mapping[str, str] | None = None,
    min_events_for_rate: int = 10,
    low_events_marker: str = LOW_EVENTS_MARKER,
) -> pd.DataFrame:
    """Return a copy of `frame` safe to publish, with small counts suppressed.

    Counts come back as Int64 and derived columns as Float64, hidden cells <NA>; each of
    them gets a ``<column>_marker`` column (see the module docstring).

    Rules, applied to each count column on its own:

    1. Primary: counts from 1 to `threshold` are suppressed. Zero stays zero.
    2. Secondary: `total_groups` names the columns whose rows add up to a published total
       (e.g. ["district", "year"] when each district-year total is shown). In a group with
       exactly one suppressed cell, the smallest other non-zero cell is suppressed too
       (first in row order on ties; a zero cell only if no non-zero cell is left), so the
       hidden cell cannot be recovered as total minus the rest. Groups with two or more
       suppressed cells need nothing more. A one-row group cannot be protected this way:
       a warning says its total must not be published.
    3. Derived columns (`derived_columns` maps rate, limit or percentage columns to the
       count they come from) are blanked with `marker` where their count is suppressed,
       and with `low_events_marker` where the count is below `min_events_for_rate`.

    Secondary suppression handles one published total per group (a one-way table); the
    total rows themselves must not be in `frame`. Tables that also publish totals across
    count columns, or nested totals, need more care.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    derived = dict(derived_columns or {})
    _require_columns(frame, [*count_columns, *(total_groups or []), *derived, *derived.values()])
    unknown = set(derived.values()) - set(count_columns)
    if unknown:
        raise ValueError(f"derived columns must come from count_columns, not {sorted(unknown)}")
    out = frame.copy()
    hidden = {}
    for column in count_columns:
        counts = _as_counts(frame[column], column)
        hidden[column] = _primary_cells(counts, threshold)
        if total_groups:
            hidden[column] |= _secondary_cells(frame, counts, hidden[column], total_groups)
        out[column] = counts.mask(hidden[column])
        out[marker_column(column)] = _markers(hidden[column], marker)
    for column, source in derived.items():
        events = _as_counts(frame[source], source).fillna(min_events_for_rate)
        low = (events < min_events_for_rate).to_numpy(dtype=bool)
        values = pd.to_numeric(frame[column], errors="raise").astype("Float64")
        out[column] = values.mask(hidden[source] | low)
        out[marker_column(column)] = _markers(hidden[source], marker, low, low_events_marker)
    return out


def _require_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise KeyError(f"columns not in the table: {missing}")


def _as_counts(values: pd.Series, column: str) -> pd.Series:
    """Counts as nullable Int64; fails on negative or fractional values."""
    numbers = pd.to_numeric(values, errors="raise").astype("Float64")
    present = numbers.dropna()
    if (present < 0).any() or (present % 1 != 0).any():
        raise ValueError(f"column {column!r} must hold whole, non-negative counts")
    return numbers.astype("Int64")


def _primary_cells(counts: pd.Series, threshold: int) -> np.ndarray:
    return ((counts >= 1) & (counts <= threshold)).fillna(False).to_numpy(dtype=bool)


def _secondary_cells(
    frame: pd.DataFrame, counts: pd.Series, primary: np.ndarray, total_groups: Sequence[str]
) -> np.ndarray:
    """Complementary suppression: one extra cell in each group with one hidden cell."""
    values = counts.to_numpy(dtype=float, na_value=np.nan)
    secondary = np.zeros(len(values), dtype=bool)
    groups = frame.groupby(list(total_groups), sort=False, dropna=False).indices
    for key, positions in groups.items():
        if primary[positions].sum() != 1:
            continue
        partner = _complement(values[positions], primary[positions])
        if partner is None:
            warnings.warn(
                f"group {key!r} has a single suppressed cell and no other cell to hide: "
                "do not publish its total",
                stacklevel=3,
            )
            continue
        secondary[positions[partner]] = True
    return secondary


def _complement(values: np.ndarray, hidden: np.ndarray) -> int | None:
    """Position of the smallest shown non-zero cell (a zero only if none), else None."""
    shown = ~hidden & ~np.isnan(values)
    for pool in (shown & (values > 0), shown):
        if pool.any():
            candidates = np.flatnonzero(pool)
            return int(candidates[np.argmin(values[candidates])])
    return None


def _markers(hidden: np.ndarray, marker: str, low: np.ndarray | None = None, low_marker=""):
    """Marker strings aligned by position: `marker` where hidden, `low_marker` where low."""
    low = np.zeros_like(hidden) if low is None else low
    return pd.array(np.select([hidden, low], [marker, low_marker], None), dtype="string")


# --- identifiers ----------------------------------------------------------------------

_RECORD_WORDS = frozenset(
    "crime incident occurrence record case victim offender suspect person nominal call event"
    " arrest custody patient".split()
)
_ID_WORDS = frozenset("id ref reference number no num urn crn".split())
_IDENTIFIER_NAMES = frozenset(
    "id uid uuid urn crn crimeid crimeref crimereference incidentid caseid occurrenceid"
    " recordid nhsnumber".split()
)
_COORDINATE_WORDS = frozenset(
    "latitude longitude easting northing eastings northings coord coords coordinate"
    " coordinates gridref".split()
)
_COORDINATE_NAMES = frozenset("lat lon lng long xcoord ycoord gridref gridreference".split())
_BIRTH_DATE_NAMES = frozenset("dob dateofbirth birthdate".split())
_DAY_PRECISION = r"^\s*(?:\d{4}-\d{1,2}-(?P<iso>\d{1,2})|(?P<uk>\d{1,2})/\d{1,2}/\d{4})"
_COARSE_PERIODS = ("M", "Q", "Y", "A")


def assert_no_identifiers(frame: pd.DataFrame) -> None:
    """Raise `DisclosureError` if any column looks like record-level detail.

    Looked for: record identifiers (Crime ID, crime reference, incident / case / victim
    numbers, bare "id"), exact locations (latitude, longitude, easting, northing, grid
    references, coordinates), dates of birth, and dates finer than a month (datetime or
    daily period values not all on the 1st at midnight; text values like 2023-04-17 or
    17/04/2023 whose day is not the 1st). Month-level dates such as 2023-04-01 or
    "2023-04" pass.
    """
    problems = [
        f"{column!r}: {reason}"
        for column in frame.columns
        if (reason := _identifier_reason(str(column), frame[column])) is not None
    ]
    if problems:
        raise DisclosureError(
            "the table holds record-level detail that must not be published: " + "; ".join(problems)
        )


def _identifier_reason(name: str, values: pd.Series) -> str | None:
    ordered = _name_words(name)
    words, joined = set(ordered), "".join(ordered)
    if joined in _IDENTIFIER_NAMES or (words & _RECORD_WORDS and words & _ID_WORDS):
        return "looks like a record identifier"
    if joined in _COORDINATE_NAMES or words & _COORDINATE_WORDS:
        return "looks like an exact location"
    if joined in _BIRTH_DATE_NAMES:
        return "looks like a date of birth"
    if _finer_than_month(values):
        return "holds dates finer than a month"
    return None


def _name_words(name: str) -> list[str]:
    """Lower-case words of a column name, split on punctuation, spaces and camelCase."""
    return [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


def _finer_than_month(values: pd.Series) -> bool:
    dtype = values.dtype
    if isinstance(dtype, pd.PeriodDtype):
        frequency = dtype.name.removeprefix("period[").removesuffix("]")
        return not frequency.upper().startswith(_COARSE_PERIODS)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = values.dropna()
        return bool(((stamps.dt.day != 1) | (stamps.dt.normalize() != stamps)).any())
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return _text_has_days(values.dropna().astype(str))
    return False


def _text_has_days(texts: pd.Series) -> bool:
    """True if any ISO (yyyy-mm-dd) or UK (dd/mm/yyyy) date string has a day other than 1."""
    parts = texts.str.extract(_DAY_PRECISION)
    days = pd.to_numeric(parts["iso"].fillna(parts["uk"]), errors="coerce").dropna()
    return bool((days != 1).any())
