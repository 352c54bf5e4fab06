"""Census 2021 ethnic group: the 5 broad groups by 2021 LSOA, the 19 detailed by district.

Also the one list of ethnic-group codes the project uses (the force extract, the synthetic
demonstration and the People chapter all read it from here): the 5 broad Census 2021
groups (:data:`BROAD_GROUPS`, keys ``white``, ``asian``, ``black``, ``mixed``, ``other``,
written in an extract as their letter ``W``, ``A``, ``B``, ``M``, ``O``) and the 19
detailed groups (:data:`DETAILED_CODES`), coded as the police self-defined ethnicity
("18+1") codes are, a letter for the broad group and a digit, with Census 2021's Roma
(``W4``) and Arab (``O1``). The letter of a detailed code is its broad group.

Files (``shared/data/SOURCES.md`` section 13): ``census2021_ts021_ethnic_group_lsoa21_broad
_demographr.csv.gz`` (``lsoa21_code, total_residents, ethnic_group, n, prop``; 5 rows per
LSOA) and ``census2021_ethnic_group_ltla21_detailed_demographr.csv`` (``ltla21_code,
ltla21_name, ethnic_group, value``; the ``(number)`` rows are counts, ``(percent)`` rows
are ignored). Census counts are perturbed (cell-key method), so LSOA sums differ from the
published district totals by a few tens of people.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.sources._common import read_csv_text, require_columns, to_number, validate

#: Broad group key -> (extract letter, Census 2021 label), in the order tables show them.
BROAD_GROUPS = {
    "white": ("W", "White"),
    "asian": ("A", "Asian, Asian British or Asian Welsh"),
    "black": ("B", "Black, Black British, Black Welsh, Caribbean or African"),
    "mixed": ("M", "Mixed or Multiple ethnic groups"),
    "other": ("O", "Other ethnic group"),
}
LETTERS = {letter: key for key, (letter, _) in BROAD_GROUPS.items()}
#: Detailed code -> the Census 2021 detailed label (after "<broad label>: ").
DETAILED_CODES = {
    "W1": "English, Welsh, Scottish, Northern Irish or British",
    "W2": "Irish",
    "W3": "Gypsy or Irish Traveller",
    "W4": "Roma",
    "W9": "Other White",
    "A1": "Indian",
    "A2": "Pakistani",
    "A3": "Bangladeshi",
    "A4": "Chinese",
    "A9": "Other Asian",
    "B1": "Caribbean",
    "B2": "African",
    "B9": "Other Black",
    "M1": "White and Black Caribbean",
    "M2": "White and Black African",
    "M3": "White and Asian",
    "M9": "Other Mixed or Multiple ethnic groups",
    "O1": "Arab",
    "O9": "Any other ethnic group",
}
#: Written in an extract for "not stated"; read as not recorded, like a blank.
NOT_STATED = "NS"
REFERENCE_GROUP = "white"

_group = pa.Column(str, pa.Check.isin(list(BROAD_GROUPS)))
LSOA_SCHEMA = pa.DataFrameSchema(
    {
        "lsoa21_code": pa.Column(str, pa.Check.str_matches(r"^[EW]01\d{6}$")),
        "ethnic_group": _group,
        "residents": pa.Column("Int64", pa.Check.ge(0)),
    },
    unique=["lsoa21_code", "ethnic_group"],
    name="Census 2021 ethnic group by LSOA",
    strict=True,
    ordered=True,
)
DISTRICT_SCHEMA = pa.DataFrameSchema(
    {
        "district_code": pa.Column(str, pa.Check.str_matches(r"^[EW]0[6-9]\d{6}$")),
        "district": pa.Column(str),
        "ethnic_group": _group,
        "code": pa.Column(str, pa.Check.isin(list(DETAILED_CODES))),
        "residents": pa.Column("Int64", pa.Check.ge(0)),
    },
    unique=["district_code", "code"],
    name="Census 2021 detailed ethnic group by district",
    strict=True,
    ordered=True,
)


def group_of(value: str) -> str | None:
    """Broad group key of an extract value (``W``, ``W1``, ``b2`` ...), None if not a code."""
    text = value.strip().upper()
    if text in LETTERS:
        return LETTERS[text]
    if text in DETAILED_CODES:
        return LETTERS[text[0]]
    return None


def read_lsoa_broad(path: str | Path) -> pd.DataFrame:
    """Residents of each broad group per 2021 LSOA: ``lsoa21_code, ethnic_group, residents``.

    Every LSOA must have the 5 groups, and they must add up to its ``total_residents``.
    """
    frame = read_csv_text(path)
    require_columns(frame, ["lsoa21_code", "total_residents", "ethnic_group", "n"], path)
    labels = {label: key for key, (_, label) in BROAD_GROUPS.items()}
    groups = frame["ethnic_group"].str.strip().map(labels)
    _refuse_unknown(frame, groups, path)
    tidy = pd.DataFrame(
        {
            "lsoa21_code": frame["lsoa21_code"].str.strip(),
            "ethnic_group": groups.astype("str"),
            "residents": to_number(frame, "n", path),
        }
    )
    totals = to_number(frame, "total_residents", path)
    sums = tidy.groupby("lsoa21_code")["residents"].transform("sum")
    counts = tidy.groupby("lsoa21_code")["residents"].transform("size")
    bad = ((sums != totals) | (counts != len(BROAD_GROUPS))).to_numpy()
    if bad.any():
        position = int(bad.argmax())
        raise DataError(
            path,
            f"LSOA {tidy['lsoa21_code'].iloc[position]}: the 5 groups do not add up to "
            "total_residents (or a group is missing)",
            row=position + 2,
            column="n",
        )
    return validate(LSOA_SCHEMA, tidy, path)


def read_district_detailed(path: str | Path) -> pd.DataFrame:
    """Residents of each of the 19 detailed groups per district (the ``(number)`` rows)."""
    frame = read_csv_text(path)
    require_columns(frame, ["ltla21_code", "ltla21_name", "ethnic_group", "value"], path)
    numbers = frame[frame["ethnic_group"].str.strip().str.endswith("(number)")]
    labels = {
        f"{label}: {detail} (number)": code
        for code, detail in DETAILED_CODES.items()
        for _, (letter, label) in BROAD_GROUPS.items()
        if letter == code[0]
    }
    codes = numbers["ethnic_group"].str.strip().str.replace(r"\s+", " ", regex=True).map(labels)
    _refuse_unknown(numbers, codes, path)
    values = to_number(numbers.assign(value=numbers["value"].str.replace(r"\.0$", "", regex=True)),
                       "value", path)  # fmt: skip
    tidy = pd.DataFrame(
        {
            "district_code": numbers["ltla21_code"].str.strip(),
            "district": numbers["ltla21_name"].str.strip(),
            "ethnic_group": codes.str.slice(0, 1).map(LETTERS).astype("str"),
            "code": codes.astype("str"),
            "residents": values,
        }
    ).reset_index(drop=True)
    return validate(DISTRICT_SCHEMA, tidy, path)


def _refuse_unknown(frame: pd.DataFrame, mapped: pd.Series, path) -> None:
    unknown = mapped.isna().to_numpy()
    if unknown.any():
        position = int(unknown.argmax())
        raise DataError(
            path,
            f"unknown ethnic group {frame['ethnic_group'].iloc[position]!r}",
            row=int(frame.index[position]) + 2,
            column="ethnic_group",
        )


def area_lsoas(
    broad: pd.DataFrame, lsoa21_districts: pd.DataFrame, districts: dict[str, str]
) -> pd.DataFrame:
    """The area's 2021 LSOAs with their district: ``lsoa21_code, district_code, ethnic_group,
    residents`` (``lsoa21_districts``: :func:`population_mye.read_lsoa21_district_lookup`)."""
    lookup = lsoa21_districts.set_index("lsoa21_code")["lad22_code"]
    frame = broad.assign(district_code=broad["lsoa21_code"].map(lookup))
    frame = frame[frame["district_code"].isin(list(districts))]
    return frame[["lsoa21_code", "district_code", "ethnic_group", "residents"]].reset_index(
        drop=True
    )
