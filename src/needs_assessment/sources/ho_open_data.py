"""Home Office "Police recorded crime open data tables", Police Force Area, 2012/13 onwards.

One edition holds every force by offence code and financial quarter from 2012/13 (each
edition revises the whole series, so a series comes from one edition only). The copy used
here is the R export of the edition of 19 October 2023 (column names with dots,
``Financial.Year``); headers are matched ignoring case, dots, underscores and spaces.
Quirks handled:

* some offence codes were stored as floats (``4.4000000000000004``): read back as the code
  they were (``4.4``); real two-place codes such as ``4.10`` are left alone;
* homicide is one code ``1/4.1/4.10/4.2`` in 2012/13 and four codes (``1``, ``4.1``,
  ``4.10``, ``4.2``) from 2013/14: a definition that lists the combined code counts its
  parts too (:func:`category_codes`);
* force names are spelt as the other tables spell them (``London, City of`` ->
  ``City of London``, ``Devon & Cornwall`` -> ``Devon and Cornwall``); a name that is not
  one of the 43 territorial forces or the other bodies (British Transport Police, the fraud
  bodies) is an error;
* a few hundred small negative counts (published adjustments) are kept as published.

Counts per category (:func:`category_counts`) and rolling 12-month counts
(:func:`rolling_year_counts`) follow the definitions file; England and Wales is the sum of
the 43 territorial forces.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.definitions import Definitions
from needs_assessment.errors import ConfigError
from needs_assessment.forces import OTHER_BODIES, TERRITORIAL_FORCES
from needs_assessment.periods import financial_year_start
from needs_assessment.sources._common import (
    published_headers,
    quarters,
    read_csv_text,
    refuse_first,
    require_columns,
    to_number,
    validate,
)

#: Published header -> field (the file may write "Financial.Year" or "financial_year").
REQUIRED = {
    "Financial Year": "financial_year",
    "Financial Quarter": "quarter",
    "Force Name": "force",
    "Offence Description": "offence_description",
    "Offence Group": "offence_group",
    "Offence Subgroup": "offence_subgroup",
    "Offence Code": "offence_code",
    "Number of Offences": "count",
}
OPTIONAL = {"Force Code": "force_code", "PFA Code": "force_code"}
FORCE_NAMES = {"London, City of": "City of London", "Devon & Cornwall": "Devon and Cornwall"}
NATIONAL = "England and Wales"
#: A code written as a float with binary noise, e.g. "4.4000000000000004", "37.200000000000003".
FLOAT_CODE = re.compile(r"^\d+\.\d{8,}$")
KEY = ["force", "financial_year", "quarter", "offence_code"]

SCHEMA = pa.DataFrameSchema(
    {
        "force": pa.Column(str, pa.Check.isin(sorted(TERRITORIAL_FORCES | OTHER_BODIES))),
        "force_code": pa.Column(str, pa.Check.str_matches(r"^[EW]23\d{6}$"), nullable=True),
        "is_territorial_force": pa.Column(bool),
        "financial_year": pa.Column("Int64", pa.Check.in_range(2002, 2100)),
        "quarter": pa.Column("Int64", pa.Check.isin([1, 2, 3, 4])),
        "offence_code": pa.Column(str, pa.Check.str_length(min_value=1)),
        "offence_description": pa.Column(str),
        "offence_group": pa.Column(str, pa.Check.str_length(min_value=1)),
        "offence_subgroup": pa.Column(str),
        "count": pa.Column("Int64"),  # a few small negatives: published adjustments
    },
    unique=KEY,
    name="Home Office police recorded crime open data (PFA)",
    strict=True,
    ordered=True,
)


# -- loading ---------------------------------------------------------------------------


def load(path: str | Path) -> pd.DataFrame:
    """Read and validate one edition: one row per force, financial year, quarter and code.

    Columns as :data:`SCHEMA`: ``financial_year`` is the start year (2012 = 2012/13),
    ``quarter`` 1-4 (1 = April to June), ``force_code`` the ONS code where the file has one.
    """
    raw = read_csv_text(path)
    columns = published_headers(raw, (*REQUIRED, *OPTIONAL))
    require_columns(raw.rename(columns={v: k for k, v in columns.items()}), REQUIRED, path)
    text = {field: raw[columns[name]].str.strip() for name, field in REQUIRED.items()}
    code = next((columns[name] for name in OPTIONAL if name in columns), None)
    frame = pd.DataFrame(
        {
            "force": _forces(text["force"], raw, columns["Force Name"], path),
            "force_code": raw[code].str.strip() if code else pd.Series(pd.NA, index=raw.index),
            "financial_year": _years(text["financial_year"], raw, columns["Financial Year"], path),
            "quarter": quarters(raw, columns["Financial Quarter"], path),
            "offence_code": text["offence_code"].map(normalise_code),
            "offence_description": text["offence_description"],
            "offence_group": text["offence_group"],
            "offence_subgroup": text["offence_subgroup"],
            "count": to_number(raw, columns["Number of Offences"], path),
        }
    )
    frame.insert(2, "is_territorial_force", frame["force"].isin(TERRITORIAL_FORCES))
    frame["force_code"] = frame["force_code"].astype("str").mask(frame["force_code"].isna())
    return validate(SCHEMA, frame, path)


def normalise_code(code: str) -> str:
    """'4.4000000000000004' -> '4.4' (a code stored as a float); any other code unchanged."""
    return repr(float(code)) if FLOAT_CODE.match(code) else code


def _forces(names: pd.Series, raw, column: str, path) -> pd.Series:
    forces = names.replace(FORCE_NAMES)
    unknown = ~forces.isin(TERRITORIAL_FORCES | OTHER_BODIES)
    if unknown.any():
        refuse_first(raw, unknown, column, path, "not a police force area or known other body")
    return forces


def _years(labels: pd.Series, raw, column: str, path) -> pd.Series:
    starts = {}
    for label in labels.unique():
        try:
            starts[label] = financial_year_start(label)
        except ValueError:
            starts[label] = None
    years = labels.map(starts)
    if years.isna().any():
        refuse_first(raw, years.isna(), column, path, "not a financial year like '2017/18'")
    return years.astype("Int64")


# -- annual counts by offence code -------------------------------------------------------


def complete_years(offences: pd.DataFrame) -> list[int]:
    """Financial years with all four quarters in the data (2023/24 has only Q1)."""
    quarters = offences.groupby("financial_year")["quarter"].nunique()
    return sorted(int(year) for year in quarters.index[quarters == 4])


def annual_offences(offences: pd.DataFrame) -> pd.DataFrame:
    """Counts per force, complete financial year and offence code (quarters summed).

    Columns: ``force, force_code, is_territorial_force, financial_year, offence_code,
    offence_description, offence_group, offence_subgroup, count``.
    """
    full = offences[offences["financial_year"].isin(complete_years(offences))]
    keys = [c for c in SCHEMA.columns if c not in ("quarter", "count")]
    annual = full.groupby(keys, dropna=False, sort=True, as_index=False)["count"].sum()
    return annual.reset_index(drop=True)


# -- categories of the definitions file ------------------------------------------------


def category_codes(definitions: Definitions) -> dict[str, frozenset[str]]:
    """Category -> the offence codes it counts, for categories these tables can count.

    A category counts here if it lists Home Office codes and needs no marker (knife and
    gun crime need a flag these tables lack). A combined code such as ``1/4.1/4.10/4.2``
    also counts each of its parts, as later years publish them separately.
    """
    return {
        key: frozenset(part for code in category.home_office_codes for part in _parts(code))
        for key, category in definitions.categories_with("home_office_codes").items()
        if category.marker is None
    }


def _parts(code: str) -> tuple[str, ...]:
    return (code, *code.split("/")) if "/" in code else (code,)


def category_counts(offences: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Counts per territorial force, complete financial year and category, plus England and Wales.

    ``offences`` is the quarterly frame :func:`load` returns. Columns ``area, area_type,
    financial_year, category, count``; ``area_type`` is ``force`` or ``national`` (England
    and Wales = the sum of the 43 territorial forces).
    """
    _check_codes(definitions, set(offences["offence_code"]))
    full = offences[offences["financial_year"].isin(complete_years(offences))]
    counts = _by_category(
        full[full["is_territorial_force"]], definitions, ["force", "financial_year"]
    )
    return _with_national(counts, ["financial_year"])


def rolling_year_counts(offences: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Counts in the 12 months to the end of each quarter, per force and category.

    One row per territorial force (and England and Wales), category and quarter end that
    closes four quarters of data, up to the latest quarter. Columns ``area, area_type,
    period_end, financial_year, quarter, category, count`` (the year and quarter are
    those the 12 months end in).
    """
    _check_codes(definitions, set(offences["offence_code"]))
    quarterly = offences[offences["is_territorial_force"]]
    counts = _by_category(quarterly, definitions, ["force", "financial_year", "quarter"])
    counts["step"] = counts["financial_year"] * 4 + counts["quarter"] - 1
    wide = counts.pivot_table(
        index=["force", "category"], columns="step", values="count", aggfunc="sum"
    )
    wide = wide.reindex(columns=range(int(wide.columns.min()), int(wide.columns.max()) + 1))
    rolling = (
        wide.T.rolling(4, min_periods=4).sum().T.stack().dropna().rename("count").reset_index()
    )
    rolling["financial_year"] = (rolling["step"] // 4).astype("Int64")
    rolling["quarter"] = (rolling["step"] % 4 + 1).astype("Int64")
    rolling["period_end"] = quarter_end(rolling["financial_year"], rolling["quarter"])
    rolling["count"] = rolling["count"].round().astype("Int64")
    rolling = rolling.drop(columns="step")
    return _with_national(rolling, ["period_end", "financial_year", "quarter"])


def quarter_end(financial_year: pd.Series, quarter: pd.Series) -> pd.Series:
    """Last day of a financial quarter: 2022, Q4 -> 2023-03-31."""
    periods = pd.PeriodIndex.from_fields(
        year=(financial_year + (quarter == 4)).astype(int),
        quarter=(quarter % 4 + 1).astype(int),
        freq="Q-DEC",
    )
    ends = periods.end_time.normalize().astype("datetime64[ns]")
    return pd.Series(ends, index=financial_year.index)


def _by_category(frame: pd.DataFrame, definitions: Definitions, keys: list[str]) -> pd.DataFrame:
    """Sum of each category's codes by ``keys`` (0 where a category has no rows)."""
    codes = category_codes(definitions)
    grid = frame[keys].drop_duplicates()
    frames = []
    for category, members in codes.items():
        rows = frame[frame["offence_code"].isin(members)]
        sums = rows.groupby(keys, as_index=False)["count"].sum()
        full = grid.merge(sums, on=keys, how="left").fillna({"count": 0})
        frames.append(full.assign(category=category))
    counts = pd.concat(frames, ignore_index=True)
    counts["count"] = counts["count"].astype("Int64")
    return counts


def _check_codes(definitions: Definitions, present: set[str]) -> None:
    """Every code a counted category lists must occur in the data (or one of its parts)."""
    for key in category_codes(definitions):
        listed = definitions.categories[key].home_office_codes
        missing = [code for code in listed if not set(_parts(code)) & present]
        if missing:
            raise ConfigError(
                f"category {key!r}: codes {', '.join(missing)} are not in the Home Office "
                "open data tables (check the definitions file)"
            )


def _with_national(counts: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Add England and Wales, the sum of the forces, where every force has the period."""
    grouped = counts.groupby([*keys, "category"])
    national = grouped["count"].sum().reset_index()
    national = national[(grouped["force"].nunique() == counts["force"].nunique()).to_numpy()]
    forces = counts.rename(columns={"force": "area"}).assign(area_type="force")
    frame = pd.concat([forces, national.assign(area=NATIONAL, area_type="national")])
    order = ["area", "area_type", *keys, "category", "count"]
    return frame[order].sort_values(["area_type", "area", "category", *keys]).reset_index(drop=True)
