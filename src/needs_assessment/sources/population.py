"""Population: district mid-year estimates and LSOA (2011) populations, as tidy frames.

:func:`lsoa_population_for_year` gives an LSOA population for any year of the district
estimates from the few LSOA years available (Census 2011 and the SAPE mid-year files found
in the LSOA folder: :func:`sape_files`), scaled to that year's district estimates.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from needs_assessment.errors import DataError
from needs_assessment.paths import RAW_DIR
from needs_assessment.sources import geography
from needs_assessment.sources._common import read_csv_text, require_columns, to_number, validate

#: An LSOA population (SAPE) file: CSV, the mid-year in its name ("..._mid2019_...csv.gz").
SAPE_FILE = re.compile(r"mid-?(\d{4}).*\.csv(\.gz)?$", re.IGNORECASE)
CENSUS_YEAR = 2011


def sape_files(folder: str | Path) -> dict[str, Path]:
    """``sape_<year>`` -> path, for every SAPE file in ``folder`` (none if it is missing)."""
    folder = Path(folder)
    files: dict[str, Path] = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if match := SAPE_FILE.search(path.name):
            key = f"sape_{match.group(1)}"
            if key in files:
                raise DataError(path, f"a second LSOA population file for mid-{match.group(1)}")
            files[key] = path
    return files


def lsoa_years(files: dict[str, Path]) -> tuple[int, ...]:
    """Years with an LSOA population: the 2011 Census and each ``sape_<year>`` file."""
    sape = (int(key.removeprefix("sape_")) for key in files if key.startswith("sape_"))
    return tuple(sorted({CENSUS_YEAR, *sape}))


FILES = {
    "district_mye": RAW_DIR / "population" / "ons_mye_lad_population_2001_2020.csv.gz",
    "mye2_2018": RAW_DIR / "population" / "ukmidyearestimates2018_MYE2_persons_lad.csv",
    "census_2011": RAW_DIR / "crime_sim_toolkit" / "census_2011_population_hh.csv",
    **sape_files(RAW_DIR / "population_lsoa"),
}
#: LSOA years of the default files (found on disk, as for any configured folder).
LSOA_YEARS = lsoa_years(FILES)
#: Districts (LAD 2017 codes) merged 2019-2021 -> the code the district estimates use.
LAD17_MERGED = {
    **dict.fromkeys(("E06000028", "E06000029", "E07000048"), "E06000058"),  # BCP
    **dict.fromkeys(("E07000049", "E07000050", "E07000051", "E07000052", "E07000053"),
                    "E06000059"),  # Dorset
    **dict.fromkeys(("E07000190", "E07000191"), "E07000246"),  # Somerset West and Taunton
    **dict.fromkeys(("E07000201", "E07000204"), "E07000245"),  # West Suffolk
    **dict.fromkeys(("E07000205", "E07000206"), "E07000244"),  # East Suffolk
    **dict.fromkeys(("E07000004", "E07000005", "E07000006", "E07000007"),
                    "E06000060"),  # Buckinghamshire (2020)
    **dict.fromkeys(("E07000150", "E07000152", "E07000153", "E07000156"),
                    "E06000061"),  # North Northamptonshire (2021)
    **dict.fromkeys(("E07000151", "E07000154", "E07000155"),
                    "E06000062"),  # West Northamptonshire (2021)
}  # fmt: skip

_area_code = pa.Column(str, pa.Check.str_matches(r"^[EWSNK]\d{8}$"))
_lsoa = pa.Column(str, pa.Check.str_matches(r"^[EW]01\d{6}$"), unique=True)
_people = pa.Column("Int64", pa.Check.ge(0))
DISTRICT_SCHEMA = pa.DataFrameSchema(
    {
        "code": _area_code,
        "name": pa.Column(str),
        "year": pa.Column("Int64", pa.Check.in_range(1981, 2100)),
        "population": pa.Column("Int64", pa.Check.gt(0)),
    },
    unique=["code", "year"],
    name="district mid-year estimates",
    strict=True,
    ordered=True,
)
MYE2_SCHEMA = pa.DataFrameSchema(
    {
        "code": _area_code,
        "name": pa.Column(str),
        "geography": pa.Column(str),
        "year": pa.Column("Int64"),
        "population": pa.Column("Int64", pa.Check.gt(0)),
        r"age_\d+": pa.Column("Int64", pa.Check.ge(0), regex=True, required=False),
    },
    unique=["code"],
    name="MYE2 persons",
    strict=True,
)
LSOA_SCHEMA = pa.DataFrameSchema(
    {
        "lsoa11_code": _lsoa,
        "lsoa11_name": pa.Column(str),
        "year": pa.Column("Int64"),
        "population": _people,
        r"age_\d+(_plus)?": pa.Column("Int64", pa.Check.ge(0), regex=True, required=False),
    },
    name="LSOA population",
    strict=True,
)
CENSUS_SCHEMA = pa.DataFrameSchema(
    {
        "lsoa11_code": _lsoa,
        "lsoa11_name": pa.Column(str),
        "year": pa.Column("Int64"),
        "population": _people,
        "households": _people,
        "hectares": pa.Column("Float64", pa.Check.gt(0)),
    },
    name="Census 2011 LSOA population",
    strict=True,
    ordered=True,
)
SCALED_SCHEMA = pa.DataFrameSchema(
    {
        "lsoa11_code": _lsoa,
        "district_code": _area_code,
        "year": pa.Column(int),
        "base_year": pa.Column(int, pa.Check.in_range(CENSUS_YEAR, 2100)),
        "base_population": _people,
        "scale": pa.Column(float, pa.Check.in_range(0.5, 2.0)),
        "population": pa.Column(float, pa.Check.ge(0)),
    },
    name="LSOA population for a year",
    strict=True,
    ordered=True,
)


# -- district estimates ----------------------------------------------------------------


def read_district_population(path: str | Path = FILES["district_mye"]) -> pd.DataFrame:
    """ONS mid-year estimates by district, long format: ``code, name, year, population``.

    Codes and names are stripped (the file has non-breaking spaces after the two
    Northamptonshire codes).
    """
    frame = read_csv_text(path)
    require_columns(frame, ["code", "name", "year", "population"], path)
    tidy = frame[["code", "name"]].apply(lambda column: column.str.strip())
    tidy["year"] = to_number(frame, "year", path)
    tidy["population"] = to_number(frame, "population", path)
    return validate(DISTRICT_SCHEMA, tidy, path)


def read_mye2_persons(
    path: str | Path = FILES["mye2_2018"], *, year: int | None = None, ages: bool = False
) -> pd.DataFrame:
    """ONS MYE2 "Persons" sheet saved as CSV (title lines above the ``Code`` header).

    Columns: ``code, name, geography, year, population`` (all ages) and, with ``ages``,
    ``age_0`` ... ``age_90`` (90 = 90 and over). ``year`` defaults to the ``mid-YYYY`` in
    the title. Notes below the table are ignored.
    """
    skip, header_line, title = _find_header(path, "Code")
    year = year or _year_in(title, path)
    frame = read_csv_text(path, skiprows=skip)
    require_columns(frame, ["Code", "Name", "Geography1", "All ages"], path)
    frame = frame.iloc[: _table_end(frame["Code"])]
    frame.attrs["first_line"] = header_line + 1
    age_columns = [c for c in frame.columns if re.fullmatch(r"\d+", str(c))] if ages else []
    tidy = pd.DataFrame({
        "code": frame["Code"].str.strip(), "name": frame["Name"].str.strip(),
        "geography": frame["Geography1"].str.strip(),
        "year": pd.array([year] * len(frame), dtype="Int64"),
        "population": to_number(frame, "All ages", path),
        **{f"age_{c}": to_number(frame, c, path) for c in age_columns},
    })  # fmt: skip
    tidy.attrs["first_line"] = header_line + 1
    return validate(MYE2_SCHEMA, tidy, path)


def _find_header(path: str | Path, first_cell: str) -> tuple[int, int, str]:
    """(CSV records before the header, header's file line, text above it)."""
    path = Path(path)
    if not path.exists():
        raise DataError(path, "file not found")
    title = []
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as handle:
        reader = csv.reader(handle)
        for index, record in enumerate(reader):
            if record and record[0].strip() == first_cell:
                return index, reader.line_num, " ".join(title)
            title.extend(cell for cell in record if cell.strip())
            if index > 50:
                break
    raise DataError(path, f"no header row starting with '{first_cell}' in the first 50 rows",
                    column=first_cell)  # fmt: skip


def _year_in(title: str, path: str | Path) -> int:
    match = re.search(r"mid-?(\d{4})", title)
    if not match:
        raise DataError(path, "cannot tell the year from the title; pass year=")
    return int(match.group(1))


def _table_end(codes: pd.Series) -> int:
    """Number of rows before the first blank code (the notes below the table)."""
    blank = (codes.str.strip() == "").to_numpy()
    return int(blank.argmax()) if blank.any() else len(codes)


# -- LSOA populations ------------------------------------------------------------------


def read_lsoa_population(
    path: str | Path, *, year: int | None = None, ages: bool = False
) -> pd.DataFrame:
    """ONS LSOA (2011) population estimates (SAPE): ``lsoa11_code, lsoa11_name, year, population``.

    With ``ages``, also ``age_0`` ... ``age_89`` and ``age_90_plus``. ``year`` defaults
    to the ``midYYYY`` in the file name.
    """
    year = year or _year_in(Path(path).name, path)
    wanted = {"lsoa11_code", "lsoa11_name", "total_population"}
    frame = read_csv_text(path, usecols=None if ages else (lambda name: name in wanted))
    require_columns(frame, sorted(wanted), path)
    age_columns = [c for c in frame.columns if re.fullmatch(r"\d+\+?", c)] if ages else []
    tidy = pd.DataFrame({
        "lsoa11_code": frame["lsoa11_code"].str.strip(),
        "lsoa11_name": frame["lsoa11_name"].str.strip(),
        "year": pd.array([year] * len(frame), dtype="Int64"),
        "population": to_number(frame, "total_population", path),
        **{f"age_{c.replace('+', '_plus')}": to_number(frame, c, path) for c in age_columns},
    })  # fmt: skip
    return validate(LSOA_SCHEMA, tidy, path)


def read_census_2011_lsoa(path: str | Path = FILES["census_2011"]) -> pd.DataFrame:
    """Census 2011 usual residents per LSOA: ``lsoa11_code, lsoa11_name, year, population,
    households, hectares``.

    The file has three columns named ``Persons`` (all usual residents, in households, in
    communal establishments). The first is used, after checking that it equals the sum of
    the other two on every row. Numbers have thousands separators.
    """
    frame = read_csv_text(path)
    require_columns(frame, ["LSOA Code", "LSOA Name", "Persons", "Persons.1", "Persons.2",
                            "Households", "Hectares"], path)  # fmt: skip
    persons = to_number(frame, "Persons", path)
    in_households, communal = (
        to_number(frame, "Persons.1", path),
        to_number(frame, "Persons.2", path),
    )
    differs = (persons != in_households + communal).to_numpy()
    if differs.any():
        raise DataError(path, "the first 'Persons' column is not all usual residents "
                        "(household + communal)", row=int(differs.argmax()) + 2,
                        column="Persons")  # fmt: skip
    tidy = pd.DataFrame({
        "lsoa11_code": frame["LSOA Code"].str.strip(),
        "lsoa11_name": frame["LSOA Name"].str.strip(),
        "year": pd.array([CENSUS_YEAR] * len(frame), dtype="Int64"), "population": persons,
        "households": to_number(frame, "Households", path),
        "hectares": to_number(frame, "Hectares", path, integer=False),
    })  # fmt: skip
    return validate(CENSUS_SCHEMA, tidy, path)


def nearest_lsoa_year(year: int, years: tuple[int, ...] = LSOA_YEARS) -> int:
    """The LSOA year closest to ``year`` (ties go to the later year)."""
    return min(years, key=lambda y: (abs(y - year), -y))


def lsoa_population_for_year(
    year: int,
    *,
    districts: pd.DataFrame | None = None,
    lookup: pd.DataFrame | None = None,
    files: dict[str, Path] | None = None,
) -> pd.DataFrame:
    """LSOA populations for ``year`` (any year of the district estimates), England and Wales.

    Policy: take the LSOA populations of the nearest LSOA year (Census 2011 or a SAPE
    file's mid-year; ties go to the later year) and scale them so the LSOAs of each
    district sum to that district's mid-year estimate for ``year``. The spread of people
    across LSOAs is the base year's; district totals are the official ones. Districts
    come from the OA lookup (LAD 2017), with districts merged 2019-2021 mapped to the
    merged code the estimates use. Populations stay unrounded (so sums match exactly).

    Columns: ``lsoa11_code, district_code, year, base_year, base_population, scale,
    population``. ``files`` (keys as :data:`FILES`: ``district_mye``, ``census_2011`` and
    one ``sape_<year>`` per SAPE file) defaults to :data:`FILES`; its SAPE keys are the LSOA
    years used. ``districts`` and ``lookup`` default to :func:`read_district_population`
    and :func:`geography.read_lsoa_district_lookup`.
    """
    files = FILES if files is None else files
    districts = read_district_population(files["district_mye"]) if districts is None else districts
    estimates = districts[districts["year"] == year].set_index("code")["population"]
    if estimates.empty:
        raise DataError(files["district_mye"], f"no district estimates for {year}", column="year")
    base_year = nearest_lsoa_year(year, lsoa_years(files))
    base = _lsoa_base(base_year, files)
    lookup = geography.read_lsoa_district_lookup() if lookup is None else lookup
    return _scale(base, lookup, estimates, year, base_year, files["district_mye"])


def _lsoa_base(base_year: int, files: dict[str, Path]) -> pd.DataFrame:
    if base_year == CENSUS_YEAR:
        return read_census_2011_lsoa(files["census_2011"])
    return read_lsoa_population(files[f"sape_{base_year}"], year=base_year)


def _scale(base, lookup, estimates, year, base_year, estimates_file) -> pd.DataFrame:
    district = lookup.set_index("lsoa11_code")["lad17_code"].replace(LAD17_MERGED)
    frame = pd.DataFrame({
        "lsoa11_code": base["lsoa11_code"],
        "district_code": base["lsoa11_code"].map(district),
        "base_population": base["population"],
    })  # fmt: skip
    if frame["district_code"].isna().any():
        code = frame.loc[frame["district_code"].isna(), "lsoa11_code"].iloc[0]
        raise DataError("LSOA to district lookup", f"LSOA {code} has no district")
    totals = frame.groupby("district_code")["base_population"].transform("sum")
    target = frame["district_code"].map(estimates)
    if target.isna().any():
        code = frame.loc[target.isna(), "district_code"].iloc[0]
        raise DataError(estimates_file, f"no {year} estimate for district {code}", column="code")
    scale = (target.astype(float) / totals.astype(float)).astype(float)
    tidy = frame.assign(year=year, base_year=base_year, scale=scale,
                        population=frame["base_population"].astype(float) * scale)  # fmt: skip
    order = ["lsoa11_code", "district_code", "year", "base_year", "base_population", "scale",
             "population"]  # fmt: skip
    return validate(SCALED_SCHEMA, tidy[order].reset_index(drop=True), estimates_file)
