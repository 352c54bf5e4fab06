"""The force extract's optional columns about people: ethnicity, domestic abuse, pseudonyms.

Each is optional: an extract without it loads as before, and the People chapter says what
it cannot show. When a column is in the header, every value is checked, and a bad one
raises one :class:`~needs_assessment.errors.DataError` naming file, row and column.

- ``victim_ethnicity``, ``offender_ethnicity``: a broad Census 2021 group letter (``W``,
  ``A``, ``B``, ``M``, ``O``) or a detailed code (``W1`` ... ``O9``, 19 in all, see
  :data:`~needs_assessment.sources.census_ethnicity.DETAILED_CODES`); blank or ``NS`` =
  not recorded. Typed as the code given (upper case) plus ``<who>_ethnic_group``, the
  broad group key (``white``, ``asian``, ``black``, ``mixed``, ``other``).
- ``domestic_abuse``: Y or N (the force's domestic-abuse flag).
- ``victim_id``, ``offender_id``: the force's own pseudonyms for people, 4 to 40 letters,
  digits, ``-`` or ``_``; blank = not known. Never a name (no spaces) and never the crime
  reference. They are used only to count repeat victims and offenders, never published.
"""

from __future__ import annotations

import re

import pandas as pd
import pandera.pandas as pa

from needs_assessment.sources import census_ethnicity

ETHNICITY = ("victim_ethnicity", "offender_ethnicity")
IDS = ("victim_id", "offender_id")
DOMESTIC = "domestic_abuse"
#: The optional columns, in the order the template and the demonstration file use.
OPTIONAL_COLUMNS = (*ETHNICITY, DOMESTIC, *IDS)
PSEUDONYM = re.compile(r"^[A-Za-z0-9_-]{4,40}$")
_CODES = [*census_ethnicity.LETTERS, *census_ethnicity.DETAILED_CODES]


def present(columns) -> tuple[str, ...]:
    """The optional columns found among ``columns``, in :data:`OPTIONAL_COLUMNS` order."""
    found = set(columns)
    return tuple(c for c in OPTIONAL_COLUMNS if c in found)


def schema_columns(columns: tuple[str, ...]) -> dict[str, pa.Column]:
    """Schema entries of the typed optional columns for the optional ``columns`` present."""
    entries: dict[str, pa.Column] = {}
    for column in columns:
        if column in ETHNICITY:
            group = column.replace("_ethnicity", "_ethnic_group")
            entries[column] = pa.Column(str, pa.Check.isin(_CODES), nullable=True)
            entries[group] = pa.Column(
                str, pa.Check.isin(list(census_ethnicity.BROAD_GROUPS)), nullable=True
            )
        elif column == DOMESTIC:
            entries[column] = pa.Column(bool)
        else:
            entries[column] = pa.Column(str, pa.Check.str_matches(PSEUDONYM.pattern), nullable=True)
    return entries


def schema(base: pa.DataFrameSchema, columns: tuple[str, ...], derived) -> pa.DataFrameSchema:
    """``base`` with the typed optional ``columns`` inserted before the ``derived`` ones."""
    if not columns:
        return base
    entries = dict(base.columns)
    last = {name: entries.pop(name) for name in derived}
    return pa.DataFrameSchema(
        {**entries, **schema_columns(columns), **last}, name=base.name, strict=True, ordered=True
    )


def typed(check, columns: tuple[str, ...]) -> dict[str, pd.Series]:
    """Check and type the optional ``columns`` (``check``: the extract's column checker)."""
    out: dict[str, pd.Series] = {}
    for column in columns:
        if column in ETHNICITY:
            codes = ethnicity(check, column)
            out[column] = codes
            out[column.replace("_ethnicity", "_ethnic_group")] = (
                codes.str.slice(0, 1).map(census_ethnicity.LETTERS).astype("str")
            )
        elif column == DOMESTIC:
            out[column] = check.flag(column)
        else:
            out[column] = pseudonym(check, column)
    return out


def ethnicity(check, column: str) -> pd.Series:
    values = check.text[column].str.upper()
    blank = values.isin(["", census_ethnicity.NOT_STATED])
    check.require(
        ~blank & ~values.isin(_CODES),
        column,
        lambda v: (
            f"not an ethnic group code: {v!r} (expected a broad Census 2021 group W, A, B, M "
            "or O, a detailed code such as W1, A2, B2, M1 or O9, or blank if not recorded)"
        ),
    )
    return values.mask(blank).astype("str")


def pseudonym(check, column: str) -> pd.Series:
    values = check.text[column]
    blank = values == ""
    check.require(
        ~blank & ~values.str.match(PSEUDONYM.pattern),
        column,
        lambda v: (
            "not a pseudonymous id (4 to 40 letters, digits, - or _, no spaces): give the "
            "force's pseudonym for the person, never a name"
        ),
    )
    check.require(
        ~blank & (values == check.text["offence_reference"]),
        column,
        lambda v: "the id is the crime reference: give the force's pseudonym for the person",
    )
    return values.mask(blank).astype("str")
