"""Population by single year of age: districts by sex (Census 2021 base), and 2011 LSOAs
summed to districts (the older, pre-Census-2021 base). Never join the two series.

1. ``ons_mye_lad_syoa_mid2021_mid2022_mid2023_derived.csv.gz`` (``shared/data/SOURCES.md``
   section 16): the MYE2 Persons / Females / Males sheets of the mid-2021, mid-2022 and
   mid-2023 editions stacked, one row per edition x sex x area (UK, countries, regions,
   counties, districts), ages ``0`` ... ``89`` and ``90+``. Mid-2021 and mid-2022 are the
   unrevised first editions.
2. The ONS LSOA (2011) estimates (SAPE) by single year of age, mid-2017, mid-2019 and
   mid-2020 (persons only), summed to the LSOAs' districts with the 2011 LSOA lookup.

Both come back long: ``year, sex, code, name, geography, age, population`` (age 90 =
90 and over; ``sex`` is ``persons``, ``female`` or ``male``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.sources._common import read_csv_text, require_columns, to_number, validate
from needs_assessment.sources.population import read_lsoa_population, sape_files

OLDEST = 90
SEXES = {"persons": "persons", "females": "female", "males": "male"}
AGES = [str(a) for a in range(OLDEST)] + [f"{OLDEST}+"]

SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column("int64", pa.Check.in_range(1981, 2100)),
        "sex": pa.Column(str, pa.Check.isin(list(SEXES.values()))),
        "code": pa.Column(str, pa.Check.str_matches(r"^[EWSNK]\d{8}$")),
        "name": pa.Column(str),
        "geography": pa.Column(str),
        "age": pa.Column("int64", pa.Check.in_range(0, OLDEST)),
        "population": pa.Column("int64", pa.Check.ge(0)),
    },
    unique=["year", "sex", "code", "age"],
    name="population by single year of age",
    strict=True,
    ordered=True,
)


def read_district_syoa(path: str | Path) -> pd.DataFrame:
    """Every area of the stacked MYE2 sheets, long by single year of age and sex.

    Each row's ages must add up to its ``all_ages``.
    """
    frame = read_csv_text(path)
    require_columns(
        frame, ["mid_year", "sex", "code", "name", "geography", "all_ages", *AGES], path
    )
    sexes = frame["sex"].str.strip().str.lower()
    unknown = ~sexes.isin(list(SEXES))
    if unknown.any():
        position = int(unknown.to_numpy().argmax())
        raise DataError(path, f"unknown sex {frame['sex'].iloc[position]!r}",
                        row=position + 2, column="sex")  # fmt: skip
    ages = pd.DataFrame({age: to_number(frame, age, path) for age in AGES})
    total = to_number(frame, "all_ages", path)
    _require_sum(ages.sum(axis=1), total, path)
    wide = pd.concat(
        [
            pd.DataFrame(
                {
                    "year": to_number(frame, "mid_year", path),
                    "sex": sexes.map(SEXES),
                    "code": frame["code"].str.strip(),
                    "name": frame["name"].str.strip(),
                    "geography": frame["geography"].str.strip(),
                }
            ),
            ages,
        ],
        axis=1,
    )
    return validate(SCHEMA, _long(wide), path)


def read_lsoa_syoa_by_district(folder: str | Path, lsoa_districts: pd.DataFrame) -> pd.DataFrame:
    """The SAPE files of ``folder`` (2011 LSOAs, persons) summed to districts, long by age.

    ``lsoa_districts``: ``lsoa11_code, lad17_code, lad17_name`` (the 2011 LSOA lookup).
    """
    lookup = lsoa_districts.drop_duplicates("lsoa11_code").set_index("lsoa11_code")
    frames = []
    for path in sape_files(folder).values():
        lsoas = read_lsoa_population(path, ages=True)
        columns = [c for c in lsoas.columns if c.startswith("age_")]
        lsoas = lsoas.assign(
            code=lsoas["lsoa11_code"].map(lookup["lad17_code"]),
            name=lsoas["lsoa11_code"].map(lookup["lad17_name"]),
        ).dropna(subset=["code"])
        sums = lsoas.groupby(["code", "name"])[columns].sum().reset_index()
        sums.columns = ["code", "name", *[_age_label(c) for c in columns]]
        year = int(lsoas["year"].iloc[0])
        frames.append(sums.assign(year=year, sex="persons", geography="District (2011 LSOAs)"))
    wide = pd.concat(frames, ignore_index=True)
    return validate(SCHEMA, _long(wide[["year", "sex", "code", "name", "geography", *AGES]]),
                    folder)  # fmt: skip


def _age_label(column: str) -> str:
    """'age_17' -> '17', 'age_90_plus' -> '90+'."""
    return column.removeprefix("age_").replace("_plus", "+")


def _require_sum(ages: pd.Series, total: pd.Series, path) -> None:
    bad = (ages != total).to_numpy()
    if bad.any():
        position = int(bad.argmax())
        raise DataError(path, "single years of age do not add up to all_ages",
                        row=position + 2, column="all_ages")  # fmt: skip


def _long(wide: pd.DataFrame) -> pd.DataFrame:
    ids = ["year", "sex", "code", "name", "geography"]
    tidy = wide.melt(id_vars=ids, value_vars=AGES, var_name="age", value_name="population")
    tidy["age"] = tidy["age"].str.rstrip("+").astype("int64")
    tidy["year"] = tidy["year"].astype("int64")
    tidy["population"] = tidy["population"].astype("int64")
    for column in ("sex", "code", "name", "geography"):
        tidy[column] = tidy[column].astype("str")
    return tidy.sort_values(["year", "sex", "code", "age"]).reset_index(drop=True)
