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
    protect_sums: bool = False,
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
       a warning says its total must not be published. With `protect_sums`, a group whose
       hidden cells add up to `threshold` or less gets more hidden as well, so that the
       total minus the shown cells cannot bound a hidden cell to a small count.
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
            hidden[column] |= _secondary_cells(
                frame, counts, hidden[column], total_groups, threshold if protect_sums else 0
            )
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
    frame: pd.DataFrame,
    counts: pd.Series,
    primary: np.ndarray,
    total_groups: Sequence[str],
    protect_above: int = 0,
) -> np.ndarray:
    """Complementary suppression for one published total per group (see
    :func:`complementary_cells`); warns where a group has nothing left to hide."""
    values = counts.to_numpy(dtype=float, na_value=np.nan)
    labels = frame[list(total_groups)].astype(str).agg("|".join, axis=1).to_numpy()
    hidden = complementary_cells(values, primary, [labels], protect_above=protect_above)
    for key in pd.unique(labels):
        group = labels == key
        if hidden[group].sum() == 1:
            warnings.warn(
                f"group {key!r} has a single suppressed cell and no other cell to hide: "
                "do not publish its total",
                stacklevel=3,
            )
    return hidden & ~primary


def complementary_cells(
    counts: np.ndarray, hidden: np.ndarray, groupings: Sequence, *, protect_above: int = 0
) -> np.ndarray:
    """Hidden cells after complementary suppression across several published totals.

    ``groupings`` holds one label array per published total (e.g. district and decile). A
    group is exposed when it has exactly one hidden cell (the total minus the shown cells
    gives it), or when ``protect_above`` is set and its hidden cells add up to no more than
    that (the same subtraction bounds each of them to a small count). While any group is
    exposed, its smallest shown non-zero cell (first on ties; a zero only if none is left)
    is hidden too; the loop repeats because hiding a cell for one grouping can expose a
    group of another. A group with no shown cell left stays as it is.
    """
    hidden = np.asarray(hidden, dtype=bool).copy()
    values = np.asarray(counts, dtype=float)
    changed = True
    while changed:
        changed = False
        for labels in groupings:
            labels = np.asarray(labels)
            for key in pd.unique(labels):
                positions = np.flatnonzero(labels == key)
                if not _exposed_group(values[positions], hidden[positions], protect_above):
                    continue
                partner = _complement(values[positions], hidden[positions])
                if partner is None:
                    continue
                hidden[positions[partner]] = True
                changed = True
    return hidden


def _exposed_group(values: np.ndarray, hidden: np.ndarray, protect_above: int) -> bool:
    n_hidden = int(hidden.sum())
    if n_hidden == 1:
        return True
    return bool(n_hidden and protect_above and np.nansum(values[hidden]) <= protect_above)


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


# --- attacks: what a reader can work out from everything published ----------------------


def bounds_from_totals(
    cells: pd.Series, groupings: Sequence, totals: Sequence[Mapping]
) -> pd.DataFrame:
    """The smallest and largest value of each hidden cell that the published totals allow.

    ``cells`` holds the published counts, missing where hidden; ``groupings`` one label
    array per published total, ``totals`` for each a mapping label -> published total (a
    label without one is skipped). The reader knows each total minus the shown cells of its
    group, and that counts are whole and not negative; linear programming over every total
    at once gives each hidden cell's range (columns ``lower``, ``upper``; index: the hidden
    cells'). Totals that contradict the shown cells raise ``ValueError``.
    """
    values = pd.to_numeric(cells, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    hidden = np.flatnonzero(np.isnan(values))
    rows, rhs = [], []
    for labels, known in zip(groupings, totals, strict=True):
        labels = np.asarray(labels)
        for key, total in known.items():
            group = labels == key
            if not group.any():
                continue
            rows.append(group[hidden].astype(float))
            rhs.append(float(total) - np.nansum(values[group]))
    lower, upper = np.zeros(len(hidden)), np.full(len(hidden), np.inf)
    if rows and len(hidden):
        lower, upper = _linear_bounds(np.array(rows), np.array(rhs))
    return pd.DataFrame({"lower": lower, "upper": upper}, index=cells.index[hidden])


def _linear_bounds(matrix: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per variable, min and max of x subject to matrix @ x = rhs, x >= 0 (rounded inwards)."""
    from scipy.optimize import linprog

    n = matrix.shape[1]
    lower, upper = np.zeros(n), np.full(n, np.inf)
    for j in np.flatnonzero(matrix.any(axis=0)):
        for sign, out in ((1.0, lower), (-1.0, upper)):
            objective = np.zeros(n)
            objective[j] = sign
            fit = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
            if fit.status == 2:
                raise ValueError("the published totals contradict the shown cells")
            if fit.status == 0:
                value = sign * fit.fun
                out[j] = np.ceil(value - 1e-6) if sign > 0 else np.floor(value + 1e-6)
    return lower, upper


def exposed(bounds: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hidden cells a reader can tell are small counts: at most ``threshold``, not zero."""
    return bounds[(bounds["upper"] >= 1) & (bounds["upper"] <= threshold)]


def counts_from_shares(shares: pd.Series, totals: pd.Series, digits: int) -> pd.Series:
    """The count behind each published share of a published total, where only one whole
    count rounds to that share at ``digits`` decimals (missing where the share is, or where
    several counts fit)."""
    found = []
    for share, total in zip(shares, totals, strict=True):
        if pd.isna(share) or pd.isna(total):
            found.append(pd.NA)
            continue
        candidates = np.arange(int(total) + 1)
        fits = candidates[np.isclose(np.round(candidates / max(total, 1), digits), share)]
        found.append(int(fits[0]) if len(fits) == 1 else pd.NA)
    return pd.Series(pd.array(found, dtype="Int64"), index=shares.index)


def counts_from_rates(rates: pd.Series, population: pd.Series, per: float | pd.Series) -> pd.Series:
    """The count behind each published rate: rate x population / per, where that is within a
    quarter of a whole number (missing otherwise)."""
    estimate = pd.to_numeric(rates, errors="coerce").astype(float) * population / per
    whole = estimate.round()
    return whole.where((estimate - whole).abs() <= 0.25).astype("Int64")


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
