"""English Indices of Deprivation 2019 (IoD2019), LSOA 2011 geography, as tidy frames.

Official long column names become short snake_case names: ``imd``, ``income``,
``employment``, ``education``, ``health``, ``crime``, ``barriers`` (Barriers to Housing and
Services) and ``living_environment``, each with ``_rank`` (1 = most deprived), ``_decile``
(1 = most deprived 10 %) and, where published, ``_score``. Identifier columns are
``lsoa11_code, lsoa11_name, lad19_code, lad19_name``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.sources._common import read_csv_text, require_columns, to_number, validate

N_LSOAS = 32_844
DOMAINS = {
    "imd": "Index of Multiple Deprivation (IMD)",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "barriers": "Barriers to Housing and Services",
    "living_environment": "Living Environment",
}
#: File 7's supplementary indices and sub-domains (loaded when present).
SUPPLEMENTARY = {
    "idaci": "Income Deprivation Affecting Children Index (IDACI)",
    "idaopi": "Income Deprivation Affecting Older People (IDAOPI)",
    "children_young_people": "Children and Young People Sub-domain",
    "adult_skills": "Adult Skills Sub-domain",
    "geographical_barriers": "Geographical Barriers Sub-domain",
    "wider_barriers": "Wider Barriers Sub-domain",
    "indoors": "Indoors Sub-domain",
    "outdoors": "Outdoors Sub-domain",
}
RATE_SCORES = {"income", "employment", "idaci", "idaopi"}  # "Score (rate)" in the files
ID_COLUMNS = {
    "LSOA code (2011)": "lsoa11_code",
    "LSOA name (2011)": "lsoa11_name",
    "Local Authority District code (2019)": "lad19_code",
    "Local Authority District name (2019)": "lad19_name",
}
POPULATION_COLUMNS = {
    "Total population: mid 2015 (excluding prisoners)": "population_total",
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners)": "population_0_15",
    "Population aged 16-59: mid 2015 (excluding prisoners)": "population_16_59",
    "Older population aged 60 and over: mid 2015 (excluding prisoners)": "population_60_plus",
    "Working age population 18-59/64: for use with Employment Deprivation Domain "
    "(excluding prisoners)": "population_working_age",
}
FILE1_COLUMNS = {
    "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
    "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
}
#: Short names used by the humaniverse/IMD R package -> names used here.
HUMANIVERSE_DOMAINS = {
    "IMD": "imd", "Income": "income", "Employment": "employment", "Education": "education",
    "Health": "health", "Crime": "crime", "Housing_and_Access": "barriers",
    "Environment": "living_environment",
}  # fmt: skip
RECONSTRUCTED_COLUMNS = {
    "lsoa11_code": "lsoa11_code",
    "lsoa11_name": "lsoa11_name",
    "lad19_code": "lad19_code",
    "lad19_name": "lad19_name",
    "imd_score_reconstructed": "imd_score_reconstructed",
    "imd_rank_published": "imd_rank",
    "imd_decile_published": "imd_decile",
}
RECONSTRUCTION_NOTE = (
    "derived: IMD 2019 score reconstructed from the File 2 domain ranks with the published "
    "IoD2019 method (exponential transform, official weights), 3 dp; not the official File 5"
)


def _rank_name(domain: str) -> str:
    return f"{DOMAINS.get(domain) or SUPPLEMENTARY[domain]} Rank (where 1 is most deprived)"


def _decile_name(domain: str) -> str:
    label = DOMAINS.get(domain) or SUPPLEMENTARY[domain]
    return f"{label} Decile (where 1 is most deprived 10% of LSOAs)"


def _score_name(domain: str) -> str:
    label = DOMAINS.get(domain) or SUPPLEMENTARY[domain]
    return f"{label} Score (rate)" if domain in RATE_SCORES else f"{label} Score"


def _ranks_deciles(domains: Iterable[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for domain in domains:
        names[_rank_name(domain)] = f"{domain}_rank"
        names[_decile_name(domain)] = f"{domain}_decile"
    return names


def _schema(name: str, columns: Iterable[str]) -> pa.DataFrameSchema:
    checks: dict[str, pa.Column] = {
        "lsoa11_code": pa.Column(str, pa.Check.str_matches(r"^E01\d{6}$"), unique=True),
        "lsoa11_name": pa.Column(str),
        "lad19_code": pa.Column(str, pa.Check.str_matches(r"^E0[6-9]\d{6}$")),
        "lad19_name": pa.Column(str),
    }
    for column in columns:
        if column in checks:
            continue
        if column.endswith("_rank"):
            checks[column] = pa.Column("Int64", pa.Check.in_range(1, N_LSOAS))
        elif column.endswith("_decile"):
            checks[column] = pa.Column("Int64", pa.Check.in_range(1, 10))
        elif column.startswith("population"):
            checks[column] = pa.Column("Int64", pa.Check.ge(0))
        elif column.startswith("imd_score"):
            checks[column] = pa.Column("Float64", pa.Check.in_range(0, 100))
        else:  # domain scores: health and crime are z-scores and can be negative
            checks[column] = pa.Column("Float64")
    return pa.DataFrameSchema(checks, name=name, strict=True, ordered=True)


def _read_official(
    path: str | Path,
    mapping: Mapping[str, str],
    *,
    name: str,
    optional: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a CSV, keep and rename the mapped columns, parse numbers, validate."""
    frame = read_csv_text(path)
    require_columns(frame, mapping, path)
    present = {**mapping, **{k: v for k, v in (optional or {}).items() if k in frame.columns}}
    tidy = frame[list(present)].rename(columns=present)
    for official, column in present.items():
        if column.endswith(("_rank", "_decile")) or column.startswith("population"):
            tidy[column] = to_number(frame, official, path)
        elif column.endswith("_score") or column == "imd_score_reconstructed":
            tidy[column] = to_number(frame, official, path, integer=False)
        else:
            tidy[column] = tidy[column].str.strip()
    return validate(_schema(name, tidy.columns), tidy, path)


def read_imd_file1(path: str | Path) -> pd.DataFrame:
    """IoD2019 File 1: ``lsoa11_code, lsoa11_name, lad19_code, lad19_name, imd_rank, imd_decile``.

    Handles the UTF-8 byte-order mark and thousands separators (``"29,199"``).
    """
    return _read_official(path, {**ID_COLUMNS, **FILE1_COLUMNS}, name="IoD2019 File 1")


def read_imd_domains(path: str | Path) -> pd.DataFrame:
    """IoD2019 File 2: ids plus ``<domain>_rank`` and ``<domain>_decile``, IMD and 7 domains."""
    mapping = {**ID_COLUMNS, **_ranks_deciles(DOMAINS)}
    return _read_official(path, mapping, name="IoD2019 File 2")


def read_imd_population(path: str | Path) -> pd.DataFrame:
    """IoD2019 File 6 (mid-2015 denominators, excluding prisoners).

    Columns: ids, ``population_total``, ``population_0_15``, ``population_16_59``,
    ``population_60_plus``, ``population_working_age`` (18-59/64).
    """
    return _read_official(path, {**ID_COLUMNS, **POPULATION_COLUMNS}, name="IoD2019 File 6")


def read_imd_file7(path: str | Path) -> pd.DataFrame:
    """IoD2019 File 7 (all scores, ranks, deciles and denominators), official column names.

    Required: ids and ``<domain>_score/_rank/_decile`` for the IMD and 7 domains. Loaded
    when present: the IDACI/IDAOPI indices and sub-domains (same suffixes) and the
    File 6 population columns.
    """
    mapping = dict(ID_COLUMNS)
    for domain in DOMAINS:
        mapping[_score_name(domain)] = f"{domain}_score"
        mapping.update(_ranks_deciles([domain]))
    optional = dict(POPULATION_COLUMNS)
    for domain in SUPPLEMENTARY:
        optional[_score_name(domain)] = f"{domain}_score"
        optional.update(_ranks_deciles([domain]))
    return _read_official(path, mapping, name="IoD2019 File 7", optional=optional)


def read_imd_humaniverse(path: str | Path) -> pd.DataFrame:
    """The humaniverse/IMD tidy ranks file (``lsoa11_code``, ``IMD_decile``, ``Crime_rank`` ...).

    Returns ``lsoa11_code`` plus the same ``<domain>_rank/_decile`` columns as File 2
    (``Housing_and_Access`` -> ``barriers``, ``Environment`` -> ``living_environment``).
    """
    mapping = {"lsoa11_code": "lsoa11_code"}
    for short, domain in HUMANIVERSE_DOMAINS.items():
        mapping[f"{short}_rank"] = f"{domain}_rank"
        mapping[f"{short}_decile"] = f"{domain}_decile"
    frame = read_csv_text(path)
    require_columns(frame, mapping, path)
    for column in list(mapping)[1:]:  # written as floats ("9.0"); must be whole numbers
        frame[column] = to_number(frame, column, path)
    tidy = frame[list(mapping)].rename(columns=mapping)
    order = ["lsoa11_code", *_ranks_deciles(DOMAINS).values()]
    schema = _schema("IoD2019 humaniverse ranks", order).remove_columns(
        ["lsoa11_name", "lad19_code", "lad19_name"]
    )
    return validate(schema, tidy[order], path)


def read_imd_score_reconstructed(path: str | Path) -> pd.DataFrame:
    """DERIVED LSOA IMD 2019 score, reconstructed from the published domain ranks.

    Not an official file: the score was rebuilt from File 2's domain ranks with the
    IoD2019 method (rank -> exponential transform -> official weights), 3 dp. It reproduces
    the published rank for 99.67 % of LSOAs (others within 2 places). The score column
    keeps the name ``imd_score_reconstructed`` and ``frame.attrs["derived"]`` holds this note.
    Columns: ids, ``imd_score_reconstructed``, ``imd_rank``, ``imd_decile`` (published).
    """
    frame = _read_official(path, RECONSTRUCTED_COLUMNS, name="IMD 2019 reconstructed score")
    frame.attrs["derived"] = RECONSTRUCTION_NOTE
    return frame


def lsoas_in_districts(frame: pd.DataFrame, districts: Iterable[str]) -> pd.DataFrame:
    """Rows of an IoD frame whose ``lad19_code`` is one of ``districts``."""
    codes = set(districts)
    return frame[frame["lad19_code"].isin(codes)].reset_index(drop=True)
