"""ONS mid-year population estimates on the Census 2021 base: districts and 2021 LSOAs.

One vintage for every year: the MYE4 sheet of the mid-2023 workbook (all areas, mid-2011
onwards, earlier years re-based on Census 2021) and the LSOA (2021) small-area estimates
of the same vintage, which sum exactly to those districts. Never join these to the older,
pre-Census-2021 series (:mod:`needs_assessment.sources.population`): for some districts
the re-basing moved mid-2020 by 15% (Cambridge: 125,063 before, 143,741 after).

Years are read from the files' headers (``Mid-2023``, ``pop_mid2022``), never written in
code. Districts use the workbook's geography (April 2023): the LSOA lookup gives 2022
districts, carried to their 2023 successors by :func:`read_district_changes`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.sources._common import (
    read_csv_text,
    read_sheet,
    require_columns,
    to_number,
    validate,
)

MYE4_SHEET = "MYE4"
MID_YEAR = re.compile(r"^(?:Mid-|pop_mid)(\d{4})(?:: Population)?$", re.IGNORECASE)
#: MYE4 geographies that are districts (local authority districts and unitary authorities).
DISTRICT_GEOGRAPHIES = frozenset(
    {"Unitary Authority", "Non-metropolitan District", "Metropolitan District", "London Borough"}
)

_area = pa.Column(str, pa.Check.str_matches(r"^[EWK]\d{8}$"))
_district = pa.Column(str, pa.Check.str_matches(r"^[EW]0[6-9]\d{6}$"))
_lsoa21 = pa.Column(str, pa.Check.str_matches(r"^[EW]01\d{6}$"))
_year = pa.Column("Int64", pa.Check.in_range(1981, 2100))
MYE4_SCHEMA = pa.DataFrameSchema(
    {
        "code": _area,
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "geography": pa.Column(str, pa.Check.str_length(min_value=1)),
        "year": _year,
        "population": pa.Column("Int64", pa.Check.gt(0)),
    },
    unique=["code", "year"],
    name="ONS MYE4 mid-year estimates",
    strict=True,
    ordered=True,
)
LSOA21_SCHEMA = pa.DataFrameSchema(
    {
        "lsoa21_code": _lsoa21,
        "lsoa21_name": pa.Column(str),
        "year": _year,
        "population": pa.Column("Int64", pa.Check.ge(0)),
    },
    unique=["lsoa21_code", "year"],
    name="ONS LSOA (2021) population estimates",
    strict=True,
    ordered=True,
)
LOOKUP_SCHEMA = pa.DataFrameSchema(
    {
        "lsoa21_code": pa.Column(str, pa.Check.str_matches(r"^[EW]01\d{6}$"), unique=True),
        "lsoa21_name": pa.Column(str),
        "lad22_code": _district,
        "lad22_name": pa.Column(str),
    },
    name="LSOA (2021) to district (2022) lookup",
    strict=True,
    ordered=True,
)
CHANGES_SCHEMA = pa.DataFrameSchema(
    {
        "lad22_code": pa.Column(str, pa.Check.str_matches(r"^[EW]0[6-9]\d{6}$"), unique=True),
        "lad22_name": pa.Column(str),
        "lad23_code": _district,
        "lad23_name": pa.Column(str),
    },
    name="district changes 2022 to 2023",
    strict=True,
    ordered=True,
)


# -- districts -------------------------------------------------------------------------


def read_mye4(path: str | Path) -> pd.DataFrame:
    """All areas of the MYE4 sheet, long: ``code, name, geography, year, population``.

    The header row is the one starting ``Code``; its ``Mid-YYYY`` columns give the years.
    """
    name, rows = read_sheet(path, MYE4_SHEET)
    header = _header_row(rows, path, name)
    columns = [str(cell).strip() if cell is not None else "" for cell in rows[header]]
    body = rows[header + 1 :]
    end = next((i for i, row in enumerate(body) if row[0] is None or not str(row[0]).strip()), None)
    frame = pd.DataFrame(body[:end], columns=columns).astype("str")
    frame.attrs["first_line"] = header + 2  # Excel row of the first area
    require_columns(frame, ["Code", "Name", "Geography"], path)
    years = _year_columns(frame.columns, path)
    wide = pd.DataFrame(
        {
            "code": frame["Code"].str.strip(),
            "name": frame["Name"].str.strip(),
            "geography": frame["Geography"].str.strip(),
            **{year: to_number(frame, column, path) for column, year in years.items()},
        }
    )
    return validate(MYE4_SCHEMA, _long(wide, ["code", "name", "geography"]), path)


def districts_only(mye4: pd.DataFrame) -> pd.DataFrame:
    """The district rows of MYE4 (no country, region or county totals)."""
    return mye4[mye4["geography"].isin(DISTRICT_GEOGRAPHIES)].reset_index(drop=True)


def _header_row(rows: list[tuple], path, sheet: str) -> int:
    for index, row in enumerate(rows[:50]):
        if row and row[0] is not None and str(row[0]).strip() == "Code":
            return index
    raise DataError(path, f"sheet '{sheet}': no header row starting with 'Code'", column="Code")


def _year_columns(columns, path) -> dict[str, int]:
    """Column -> mid-year, for every ``Mid-YYYY`` / ``pop_midYYYY`` column."""
    years = {c: int(m.group(1)) for c in columns if (m := MID_YEAR.match(str(c)))}
    if not years:
        raise DataError(path, "no mid-year columns such as 'Mid-2023' or 'pop_mid2022'")
    return years


def _long(wide: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    tidy = wide.melt(id_vars=ids, var_name="year", value_name="population")
    tidy["year"] = tidy["year"].astype("Int64")
    return tidy.sort_values([ids[0], "year"]).reset_index(drop=True)


# -- LSOAs (2021) ----------------------------------------------------------------------


def read_lsoa21_population(path: str | Path) -> pd.DataFrame:
    """LSOA (2021) populations, long: ``lsoa21_code, lsoa21_name, year, population``."""
    frame = read_csv_text(path)
    require_columns(frame, ["lsoa21_code", "lsoa21_name"], path)
    years = _year_columns(frame.columns, path)
    wide = pd.DataFrame(
        {
            "lsoa21_code": frame["lsoa21_code"].str.strip(),
            "lsoa21_name": frame["lsoa21_name"].str.strip(),
            **{year: to_number(frame, column, path) for column, year in years.items()},
        }
    )
    return validate(LSOA21_SCHEMA, _long(wide, ["lsoa21_code", "lsoa21_name"]), path)


def read_lsoa21_district_lookup(path: str | Path) -> pd.DataFrame:
    """One row per 2021 LSOA with its district (2022): ``lsoa21_code, lsoa21_name,
    lad22_code, lad22_name``, from the ONS LSOA (2011) to LSOA (2021) to LAD (2022) lookup."""
    columns = {
        "lsoa21_code": "lsoa21_code",
        "lsoa21_name": "lsoa21_name",
        "ltla22_code": "lad22_code",
        "ltla22_name": "lad22_name",
    }
    frame = read_csv_text(path)
    require_columns(frame, columns, path)
    tidy = frame[list(columns)].rename(columns=columns).apply(lambda c: c.str.strip())
    lsoas = tidy.drop_duplicates(["lsoa21_code", "lad22_code"])
    split = lsoas["lsoa21_code"].duplicated(keep=False)
    if split.any():
        code = lsoas.loc[split, "lsoa21_code"].iloc[0]
        raise DataError(path, f"LSOA {code} is in two districts",
                        row=int(lsoas.index[split][1]) + 2, column="ltla22_code")  # fmt: skip
    lines = pd.Series(lsoas.index + 2, index=lsoas.index)
    lsoas = validate(LOOKUP_SCHEMA, lsoas, path, rows=lines)
    return lsoas.sort_values("lsoa21_code").reset_index(drop=True)


def read_district_changes(path: str | Path) -> pd.DataFrame:
    """District codes replaced in April 2023: ``lad22_code, lad22_name, lad23_code, lad23_name``."""
    frame = read_csv_text(path)
    require_columns(frame, CHANGES_SCHEMA.columns, path)
    tidy = frame[list(CHANGES_SCHEMA.columns)].apply(lambda c: c.str.strip())
    return validate(CHANGES_SCHEMA, tidy, path)


def lsoa21_population(
    population: pd.DataFrame, lookup: pd.DataFrame, changes: pd.DataFrame
) -> pd.DataFrame:
    """LSOA populations with their district: ``lsoa21_code, lsoa21_name, lad22_code,
    district_code, year, population`` (``district_code`` as MYE4 codes it, April 2023)."""
    districts = lookup.set_index("lsoa21_code")["lad22_code"]
    frame = population.assign(lad22_code=population["lsoa21_code"].map(districts))
    if frame["lad22_code"].isna().any():
        code = frame.loc[frame["lad22_code"].isna(), "lsoa21_code"].iloc[0]
        raise DataError("LSOA (2021) to district lookup", f"LSOA {code} has no district")
    successors = changes.set_index("lad22_code")["lad23_code"]
    frame["district_code"] = frame["lad22_code"].map(successors).fillna(frame["lad22_code"])
    order = ["lsoa21_code", "lsoa21_name", "lad22_code", "district_code", "year", "population"]
    return frame[order]


def check_sums(lsoas: pd.DataFrame, districts: pd.DataFrame) -> None:
    """The LSOAs of each district must add up to its estimate in every shared year.

    Both come from one vintage; a difference means files of two vintages were mixed.
    """
    years = sorted(set(lsoas["year"]) & set(districts["year"]))
    summed = lsoas[lsoas["year"].isin(years)].groupby(["district_code", "year"])["population"]
    estimates = districts[districts["year"].isin(years)].set_index(["code", "year"])["population"]
    both = pd.concat([summed.sum().rename("lsoas"), estimates.rename("district")], axis=1)
    differs = both[both["lsoas"].fillna(-1) != both["district"].fillna(-1)]
    if not differs.empty:
        (code, year), row = next(iter(differs.iterrows()))
        raise DataError(
            "LSOA (2021) population",
            f"LSOAs of district {code} sum to {row['lsoas']} in mid-{year}, but the district "
            f"estimate is {row['district']}: are both files the same vintage?",
        )


def successor_forces(district_force: pd.DataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """The ``lad_code -> force`` lookup with each 2023 district added, from its predecessors.

    Each new district lies in one force (Cumberland and Westmorland and Furness in Cumbria,
    North Yorkshire in North Yorkshire, Somerset in Avon and Somerset); predecessors in two
    forces are an error.
    """
    force = changes["lad22_code"].map(district_force.set_index("lad_code")["force"])
    if force.isna().any():
        code = changes.loc[force.isna(), "lad22_code"].iloc[0]
        raise ValueError(f"district {code} has no police force in the lookup")
    successors = changes.assign(force=force).drop_duplicates(["lad23_code", "force"])
    split = successors["lad23_code"].duplicated(keep=False)
    if split.any():
        raise ValueError(f"district {successors.loc[split, 'lad23_code'].iloc[0]} spans two forces")
    added = successors.rename(columns={"lad23_code": "lad_code"})[["lad_code", "force"]]
    added = added[~added["lad_code"].isin(district_force["lad_code"])]
    return pd.concat([district_force, added], ignore_index=True)
