"""Geography: LSOA (2011) lookups to district and police force, boundaries, code vintages.

Boundaries are returned in British National Grid (EPSG:27700) so areas and distances are
in metres. LSOA codes here are the 2011 set; :func:`lsoa_vintages` and
:func:`require_lsoa11` catch data that mixes in 2021 LSOA codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandera.pandas as pa
import pyogrio

from needs_assessment.errors import DataError
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources._common import read_csv_text, require_columns, validate

BNG = "EPSG:27700"
LSOA_CODE = r"^[EW]01\d{6}$"
LAD_CODE = r"^[EWSN]\d{8}$"
FILES = {
    "oa_lookup": RAW_DIR / "lookups" / "OA11_LSOA11_MSOA11_LAD17_OAC_lookup.csv.gz",
    "force_lookup": RAW_DIR / "crime_sim_toolkit" / "PoliceforceLSOA.csv",
    "lsoa_boundaries": RAW_DIR / "lsoa_boundaries_2011" / "LSOA_Dec_2011_BSC_EW_V3.geojson",
    "lsoa_boundaries_cp": RAW_DIR / "lsoa_boundaries_2011"
    / "LSOA_Dec_2011_BSC_CambridgeshirePeterborough.geojson",
    "district_boundaries": RAW_DIR / "lad_boundaries"
    / "Local_Authority_Districts_December_2017_Boundaries_UK_WGS84.shp",
    "district_boundaries_cp": RAW_DIR / "lad_boundaries"
    / "LAD_Dec_2017_CambridgeshirePeterborough.geojson",
}  # fmt: skip

OA_COLUMNS = {
    "LSOA11CD": "lsoa11_code", "LSOA11NM": "lsoa11_name", "MSOA11CD": "msoa11_code",
    "MSOA11NM": "msoa11_name", "LAD17CD": "lad17_code", "LAD17NM": "lad17_name",
    "RGN11CD": "region_code", "RGN11NM": "region_name", "CTRY11NM": "country",
}  # fmt: skip
FORCE_COLUMNS = {
    "LSOA Code": "lsoa11_code", "LSOA Name": "lsoa11_name", "MSOA Code": "msoa11_code",
    "Local authority code": "lad_code", "Local authority name": "lad_name",
    "Region code": "region_code", "Region name": "region_name", "Police_force": "force",
}  # fmt: skip

_code = pa.Column(str, pa.Check.str_matches(LSOA_CODE), unique=True)
DISTRICT_LOOKUP_SCHEMA = pa.DataFrameSchema(
    {
        "lsoa11_code": _code,
        "lsoa11_name": pa.Column(str),
        "msoa11_code": pa.Column(str, pa.Check.str_matches(r"^[EW]02\d{6}$")),
        "msoa11_name": pa.Column(str),
        "lad17_code": pa.Column(str, pa.Check.str_matches(LAD_CODE)),
        "lad17_name": pa.Column(str),
        "region_code": pa.Column(str),
        "region_name": pa.Column(str),
        "country": pa.Column(str, pa.Check.isin(["England", "Wales"])),
    },
    name="LSOA to district lookup",
    strict=True,
    ordered=True,
)
FORCE_LOOKUP_SCHEMA = pa.DataFrameSchema(
    {
        "lsoa11_code": _code,
        "lsoa11_name": pa.Column(str),
        "msoa11_code": pa.Column(str, pa.Check.str_matches(r"^[EW]02\d{6}$")),
        "lad_code": pa.Column(str, pa.Check.str_matches(LAD_CODE)),
        "lad_name": pa.Column(str),
        "region_code": pa.Column(str),
        "region_name": pa.Column(str),
        "force": pa.Column(str, nullable=True),
    },
    name="LSOA to police force lookup",
    strict=True,
    ordered=True,
)
_geometry = pa.Column("geometry", pa.Check(lambda s: s.notna() & ~s.is_empty))
LSOA_BOUNDARY_SCHEMA = pa.DataFrameSchema(
    {"lsoa11_code": _code, "lsoa11_name": pa.Column(str), "geometry": _geometry},
    name="LSOA boundaries",
    strict=True,
    ordered=True,
)
DISTRICT_BOUNDARY_SCHEMA = pa.DataFrameSchema(
    {
        "lad17_code": pa.Column(str, pa.Check.str_matches(LAD_CODE), unique=True),
        "lad17_name": pa.Column(str),
        "geometry": _geometry,
    },
    name="district boundaries",
    strict=True,
    ordered=True,
)


# -- lookups ---------------------------------------------------------------------------


def read_lsoa_district_lookup(path: str | Path = FILES["oa_lookup"]) -> pd.DataFrame:
    """One row per England and Wales LSOA (2011) with its MSOA, district (LAD17) and region.

    The ONS file is one row per Output Area; OAs are collapsed to LSOAs (each LSOA must
    lie in one district) and Scottish data zones are dropped. Columns:
    ``lsoa11_code, lsoa11_name, msoa11_code, msoa11_name, lad17_code, lad17_name,
    region_code, region_name, country``.
    """
    frame = read_csv_text(path, usecols=lambda name: name in OA_COLUMNS)
    require_columns(frame, OA_COLUMNS, path)
    frame = frame[list(OA_COLUMNS)].rename(columns=OA_COLUMNS)
    frame = frame[frame["country"] != "Scotland"]
    lsoas = frame.drop_duplicates(["lsoa11_code", "lad17_code"])
    split = lsoas["lsoa11_code"].duplicated(keep=False)
    if split.any():
        code = lsoas.loc[split, "lsoa11_code"].iloc[0]
        raise DataError(path, f"LSOA {code} is split across districts",
                        row=int(lsoas.index[split][0]) + 2, column="LAD17CD")  # fmt: skip
    lsoas = lsoas.sort_values("lsoa11_code")
    lines = pd.Series(lsoas.index + 2, index=lsoas.index)  # first OA line of each LSOA
    return validate(DISTRICT_LOOKUP_SCHEMA, lsoas, path, rows=lines).reset_index(drop=True)


def read_lsoa_force_lookup(path: str | Path = FILES["force_lookup"]) -> pd.DataFrame:
    """LSOA (2011, England) -> police force, from the crime-sim-toolkit lookup.

    Columns: ``lsoa11_code, lsoa11_name, msoa11_code, lad_code, lad_name, region_code,
    region_name, force``. Rows with a blank force are kept with ``force`` missing: the
    toolkit left whole districts blank (3,335 LSOAs in 53 districts, e.g. Northumberland,
    Gateshead, St Albans, all of Dorset), so those forces' LSOA sets are incomplete here.
    Use :func:`read_lsoa_district_lookup` with the force's districts for those forces.
    """
    frame = read_csv_text(path)
    require_columns(frame, FORCE_COLUMNS, path)
    tidy = frame[list(FORCE_COLUMNS)].rename(columns=FORCE_COLUMNS)
    tidy = tidy.apply(lambda column: column.str.strip())
    tidy["force"] = tidy["force"].mask(tidy["force"] == "")
    tidy.attrs["blank_force_rows"] = int(tidy["force"].isna().sum())
    return validate(FORCE_LOOKUP_SCHEMA, tidy, path)


def force_lsoas(lookup: pd.DataFrame, force: str) -> list[str]:
    """Sorted LSOA codes of ``force`` in a force lookup; error if the force has none."""
    codes = lookup.loc[lookup["force"] == force, "lsoa11_code"]
    if codes.empty:
        known = ", ".join(sorted(lookup["force"].dropna().unique()))
        raise DataError("LSOA to police force lookup", f"no LSOAs for force {force!r}; "
                        f"forces are: {known}")  # fmt: skip
    return sorted(codes)


def district_lsoas(lookup: pd.DataFrame, districts: Iterable[str]) -> list[str]:
    """Sorted LSOA codes of the given districts (LAD17 codes) in a district lookup."""
    codes = set(districts)
    missing = codes - set(lookup["lad17_code"])
    if missing:
        raise DataError("LSOA to district lookup",
                        f"unknown district codes: {', '.join(sorted(missing))}")  # fmt: skip
    return sorted(lookup.loc[lookup["lad17_code"].isin(codes), "lsoa11_code"])


# -- boundaries ------------------------------------------------------------------------


def read_lsoa_boundaries(
    path: str | Path = FILES["lsoa_boundaries_cp"], lsoas: Iterable[str] | None = None
) -> gpd.GeoDataFrame:
    """LSOA (Dec 2011) boundaries in EPSG:27700: ``lsoa11_code, lsoa11_name, geometry``.

    Reads the England and Wales file (31 MB, ~1.5 s) or the C&P subset; ``lsoas`` keeps
    only those codes (all must be present).
    """
    columns = {"LSOA11CD": "lsoa11_code", "LSOA11NM": "lsoa11_name"}
    return _read_boundaries(path, columns, lsoas, LSOA_BOUNDARY_SCHEMA)


def read_district_boundaries(
    path: str | Path = FILES["district_boundaries_cp"], districts: Iterable[str] | None = None
) -> gpd.GeoDataFrame:
    """District (LAD Dec 2017) boundaries in EPSG:27700: ``lad17_code, lad17_name, geometry``.

    Reads the UK shapefile or the C&P GeoJSON; ``districts`` keeps only those codes (all
    must be present).
    """
    columns = {"lad17cd": "lad17_code", "lad17nm": "lad17_name"}
    return _read_boundaries(path, columns, districts, DISTRICT_BOUNDARY_SCHEMA)


def _read_boundaries(path, columns: dict[str, str], keep, schema) -> gpd.GeoDataFrame:
    path = Path(path)
    if not path.exists():
        raise DataError(path, "file not found")
    try:
        fields = set(pyogrio.read_info(path)["fields"])
    except pyogrio.errors.DataSourceError as exc:
        raise DataError(path, f"not a readable boundary file: {exc}") from None
    for name in columns:
        if name not in fields:
            raise DataError(path, f"required field is missing; fields found: "
                            f"{', '.join(sorted(fields))}", column=name)  # fmt: skip
    frame = gpd.read_file(path, engine="pyogrio", columns=list(columns))
    if frame.crs is None:
        raise DataError(path, "boundary file has no coordinate reference system")
    frame = frame.rename(columns=columns)[[*columns.values(), "geometry"]]
    if keep is not None:
        frame = _keep_codes(frame, keep, path, next(iter(columns)))
    return validate(schema, frame.to_crs(BNG), path)


def _keep_codes(frame: pd.DataFrame, keep: Iterable[str], path, field: str) -> pd.DataFrame:
    codes = {str(code) for code in keep}
    key = frame.columns[0]
    missing = sorted(codes - set(frame[key]))
    if missing:
        raise DataError(path, f"{len(missing)} requested code(s) not in the file, first "
                        f"{missing[0]}", column=field)  # fmt: skip
    return frame[frame[key].isin(codes)].reset_index(drop=True)


# -- code vintages ---------------------------------------------------------------------


def lsoa_vintages(codes: Iterable[str], lsoa11_codes: Iterable[str]) -> pd.Series:
    """'2011' for codes in the 2011 LSOA set, '2021' for other well-formed LSOA codes.

    LSOAs unchanged in 2021 kept their 2011 codes, so '2011' means "valid 2011 code";
    '2021' means a code created in 2021. Anything else is not an LSOA code (``pd.NA``).
    """
    series = pd.Series(list(codes), dtype="string")
    known = _member(series, lsoa11_codes)
    shaped = series.str.fullmatch(LSOA_CODE.strip("^$")).fillna(False)
    vintage = pd.Series(pd.NA, index=series.index, dtype="string")
    vintage[shaped & ~known] = "2021"
    vintage[known] = "2011"
    return vintage


def require_lsoa11(
    codes: pd.Series,
    lsoa11_codes: Iterable[str],
    path: str | Path,
    *,
    column: str = "LSOA code",
    first_line: int = 2,
    allow_missing: bool = True,
) -> None:
    """Fail on the first code that is not a 2011 LSOA code, naming its file row.

    ``codes`` is a file column in file order (row ``first_line`` first). Blank codes pass
    when ``allow_missing``. The message says how many codes are unknown and whether they
    look like 2021 LSOA codes (a mixed vintage).
    """
    values = codes.astype("string").str.strip()
    blank = values.isna() | (values == "")
    unknown = ~_member(values, lsoa11_codes) & ~(blank & allow_missing)
    if not unknown.any():
        return
    position = int(unknown.to_numpy().argmax())
    code = values.iloc[position]
    vintage = lsoa_vintages([code], []).iloc[0]  # not in the 2011 list: "2021" or NA
    kind = "a 2021 LSOA code (mixed vintages)" if pd.notna(vintage) else "not an LSOA code"
    raise DataError(path, f"{code!r} is not a 2011 LSOA code; it looks like {kind}. "
                    f"{int(unknown.sum())} value(s) are not in the 2011 list",
                    row=first_line + position, column=column)  # fmt: skip


def _member(values: pd.Series, codes: Iterable[str]) -> pd.Series:
    """``values.isin(codes)`` via a Python set (much faster for Arrow strings)."""
    known = set(codes)
    return values.map(lambda value: value in known).astype(bool)
