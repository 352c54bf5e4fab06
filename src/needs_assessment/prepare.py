"""Build ``data/processed/`` (tidy Parquet) from ``data/raw/``, only when inputs changed.

Each processed table has a builder (raw files -> validated frame) and a list of inputs.
A stamp file records the sha256 of each table's inputs and the package version; a table
is rebuilt when either changes. All rebuilt tables are written to a staging folder and
moved into place only when every builder has succeeded, so a bad input leaves
``data/processed/`` exactly as it was.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from needs_assessment import __version__, forces, sources
from needs_assessment.config import AssessmentConfig
from needs_assessment.definitions import load_definitions
from needs_assessment.manifest import files_hash, path_hash, sha256
from needs_assessment.paths import from_root
from needs_assessment.sources import (
    census_ethnicity,
    crime_severity,
    force_extract,
    gdp_deflator,
    geography,
    ho_open_data,
    home_office_prc,
    hospital_admissions,
    hospital_admissions_age,
    imd,
    ons_pfa_tables,
    ons_recorded_crime,
    police_uk,
    population,
    population_age,
    population_mye,
    unit_costs,
    wimd,
)

STAMP = "_stamp.json"
GEO_TABLES = frozenset({"lsoa_boundaries", "district_boundaries"})


@dataclass(frozen=True)
class Table:
    name: str
    inputs: tuple[str, ...]  # keys of ``config.data``
    build: Callable[[AssessmentConfig], pd.DataFrame]
    only_if: str | None = None  # a ``config.data`` key that must be set
    settings: Callable[[AssessmentConfig], dict] | None = None  # other config it depends on


def _path(config: AssessmentConfig, key: str) -> Path:
    return from_root(getattr(config.data, key))


def _lsoa_lookup(config: AssessmentConfig) -> pd.DataFrame:
    lookup = geography.read_lsoa_district_lookup(_path(config, "lsoa_district_lookup"))
    districts = _district_force(config).set_index("lad_code")["force"]
    return lookup.assign(force=lookup["lad17_code"].map(districts))


def _district_force(config: AssessmentConfig) -> pd.DataFrame:
    return forces.district_force_lookup(
        geography.read_lsoa_force_lookup(_path(config, "lsoa_force_lookup")),
        pd.read_csv(_path(config, "district_force_supplement"), dtype=str),
    )


def _force_population(config: AssessmentConfig) -> pd.DataFrame:
    districts = population.read_district_population(_path(config, "district_population"))
    return forces.force_population(districts, _district_force(config))


def _force_context(config: AssessmentConfig) -> pd.DataFrame:
    lookup = _district_force(config)
    people = _force_population(config)
    density = forces.force_density(
        population.read_census_2011_lsoa(_path(config, "census_2011_population")),
        geography.read_lsoa_district_lookup(_path(config, "lsoa_district_lookup")),
        lookup,
        people,
        year=forces.DENSITY_YEAR,
    )
    deprivation = forces.force_deprivation(
        imd.read_imd_score_reconstructed(_path(config, "imd_scores")),
        imd.read_imd_population(_path(config, "imd_population")),
        lookup,
    )
    return pd.concat([density, deprivation], axis=1).reset_index(names="force")


def _imd(config: AssessmentConfig) -> pd.DataFrame:
    ranks = imd.read_imd_humaniverse(_path(config, "imd_ranks"))
    scores = imd.read_imd_score_reconstructed(_path(config, "imd_scores"))
    people = imd.read_imd_population(_path(config, "imd_population"))
    keep = ["lsoa11_code", "lad19_code", "lad19_name", "imd_score_reconstructed"]
    return ranks.merge(
        scores[[c for c in keep if c in scores]], on="lsoa11_code", how="left"
    ).merge(people[["lsoa11_code", "population_total"]], on="lsoa11_code", how="left")


def _lsoa_population(config: AssessmentConfig) -> pd.DataFrame:
    files = population.sape_files(_path(config, "lsoa_population_dir"))
    files["census_2011"] = _path(config, "census_2011_population")
    files["district_mye"] = _path(config, "district_population")
    districts = population.read_district_population(files["district_mye"])
    lookup = geography.read_lsoa_district_lookup(_path(config, "lsoa_district_lookup"))
    last = int(districts["year"].max())  # the last year the district estimates have
    years = range(config.period.first_year, min(config.period.last_year, last) + 1)
    frames = [
        population.lsoa_population_for_year(y, districts=districts, lookup=lookup, files=files)
        for y in years
    ]
    return pd.concat(frames, ignore_index=True)


def _force_extract(config: AssessmentConfig) -> pd.DataFrame:
    lookup = _lsoa_lookup(config)
    area = lookup[lookup["lad17_code"].isin(config.area.districts)]
    definitions = load_definitions(config.definitions)
    return force_extract.load(
        _path(config, "force_extract"),
        known_codes=force_extract.definition_codes(definitions),
        period=config.period,
        lsoa_districts=dict(zip(area["lsoa11_code"], area["lad17_code"], strict=True)),
    )


def _open_data(config: AssessmentConfig) -> pd.DataFrame:
    return ho_open_data.load(_path(config, "home_office_open_data"))


def _force_offences(config: AssessmentConfig) -> pd.DataFrame:
    return ho_open_data.annual_offences(_open_data(config))


def _force_offence_categories(config: AssessmentConfig) -> pd.DataFrame:
    return ho_open_data.category_counts(_open_data(config), load_definitions(config.definitions))


def _force_offence_rolling_year(config: AssessmentConfig) -> pd.DataFrame:
    definitions = load_definitions(config.definitions)
    return ho_open_data.rolling_year_counts(_open_data(config), definitions)


def _district_population_mye21(config: AssessmentConfig) -> pd.DataFrame:
    mye4 = population_mye.read_mye4(_path(config, "district_population_mye21"))
    return population_mye.districts_only(mye4)


def _lsoa21_population(config: AssessmentConfig) -> pd.DataFrame:
    lsoas = population_mye.lsoa21_population(
        population_mye.read_lsoa21_population(_path(config, "lsoa21_population")),
        population_mye.read_lsoa21_district_lookup(_path(config, "lsoa21_district_lookup")),
        population_mye.read_district_changes(_path(config, "district_changes_2023")),
    )
    population_mye.check_sums(lsoas, _district_population_mye21(config))
    return lsoas


def _force_population_mye21(config: AssessmentConfig) -> pd.DataFrame:
    changes = population_mye.read_district_changes(_path(config, "district_changes_2023"))
    lookup = population_mye.successor_forces(_district_force(config), changes)
    return forces.force_population(_district_population_mye21(config), lookup)


def _sape_population_age(config: AssessmentConfig) -> pd.DataFrame:
    lookup = geography.read_lsoa_district_lookup(_path(config, "lsoa_district_lookup"))
    return population_age.read_lsoa_syoa_by_district(_path(config, "lsoa_population_dir"), lookup)


def _census_ethnicity(config: AssessmentConfig) -> pd.DataFrame:
    """Census 2021 broad ethnic group per 2021 LSOA, with its 2022 district (all LSOAs)."""
    broad = census_ethnicity.read_lsoa_broad(_path(config, "census_ethnicity_lsoa21"))
    lookup = population_mye.read_lsoa21_district_lookup(_path(config, "lsoa21_district_lookup"))
    districts = lookup.set_index("lsoa21_code")["lad22_code"]
    return broad.assign(district_code=broad["lsoa21_code"].map(districts).astype("str"))


def _one(name: str, key: str, load: Callable[[Path], pd.DataFrame]) -> Table:
    """A table built by one loader from one input."""
    return Table(name, (key,), lambda config: load(_path(config, key)))


def _latest_knife(path: Path) -> pd.DataFrame:
    return ons_pfa_tables.latest_revision(ons_pfa_tables.knife_offences(path))


TABLES: tuple[Table, ...] = (
    _one("recorded_crime", "ons_recorded_crime", ons_recorded_crime.load),
    _one("pfa_offence_groups", "ons_pfa_tables", ons_pfa_tables.offence_groups),
    _one("pfa_rates", "ons_pfa_tables", ons_pfa_tables.rates),
    _one("pfa_knife", "ons_pfa_tables", _latest_knife),
    _one("crime_severity", "crime_severity", crime_severity.load),
    _one("hospital_admissions", "hospital_admissions", hospital_admissions.annual_totals),
    _one("home_office_offences", "home_office_offences", home_office_prc.load),
    Table(
        "police_uk_counts",
        ("police_uk",),
        lambda config: police_uk.street_counts(_path(config, "police_uk")),
        only_if="police_uk",
    ),
    Table("imd", ("imd_ranks", "imd_scores", "imd_population"), _imd),
    Table("wimd", ("wimd",), lambda config: wimd.load(_path(config, "wimd"))),
    Table(
        "lsoa_lookup",
        ("lsoa_district_lookup", "lsoa_force_lookup", "district_force_supplement"),
        _lsoa_lookup,
    ),
    _one("district_population", "district_population", population.read_district_population),
    Table(
        "force_population",
        ("district_population", "lsoa_force_lookup", "district_force_supplement"),
        _force_population,
    ),
    Table(
        "force_context",
        (
            "district_population",
            "lsoa_force_lookup",
            "district_force_supplement",
            "census_2011_population",
            "lsoa_district_lookup",
            "imd_scores",
            "imd_population",
        ),
        _force_context,
    ),
    Table(
        "lsoa_population",
        (
            "lsoa_population_dir",
            "census_2011_population",
            "district_population",
            "lsoa_district_lookup",
        ),
        _lsoa_population,
        settings=lambda c: {"period": [c.period.first_year, c.period.last_year]},
    ),
    _one("lsoa_boundaries", "lsoa_boundaries", geography.read_lsoa_boundaries),
    _one("district_boundaries", "district_boundaries", geography.read_district_boundaries),
    Table(
        "force_extract",
        ("force_extract", "lsoa_district_lookup", "lsoa_force_lookup", "district_force_supplement"),
        _force_extract,
        only_if="force_extract",
        settings=lambda c: {
            "definitions": sha256(from_root(c.definitions)),
            "districts": sorted(c.area.districts),
            "period": [c.period.first_year, c.period.last_year],
        },
    ),
    # Home Office open data tables (one edition) and the Census-2021-based populations.
    Table("force_offences", ("home_office_open_data",), _force_offences),
    Table(
        "force_offence_categories",
        ("home_office_open_data",),
        _force_offence_categories,
        settings=lambda c: {"definitions": sha256(from_root(c.definitions))},
    ),
    Table(
        "force_offence_rolling_year",
        ("home_office_open_data",),
        _force_offence_rolling_year,
        settings=lambda c: {"definitions": sha256(from_root(c.definitions))},
    ),
    Table("district_population_mye21", ("district_population_mye21",), _district_population_mye21),
    Table(
        "lsoa21_population",
        (
            "lsoa21_population",
            "lsoa21_district_lookup",
            "district_changes_2023",
            "district_population_mye21",
        ),
        _lsoa21_population,
    ),
    Table(
        "force_population_mye21",
        (
            "district_population_mye21",
            "district_changes_2023",
            "lsoa_force_lookup",
            "district_force_supplement",
        ),
        _force_population_mye21,
    ),
    # People chapter: age, sex and ethnic group denominators; admissions by age group.
    _one("district_population_age", "district_population_syoa", population_age.read_district_syoa),
    Table(
        "sape_population_age",
        ("lsoa_population_dir", "lsoa_district_lookup"),
        _sape_population_age,
    ),
    Table(
        "census_ethnicity",
        ("census_ethnicity_lsoa21", "lsoa21_district_lookup"),
        _census_ethnicity,
    ),
    _one("hospital_admissions_age", "hospital_admissions", hospital_admissions_age.annual_by_age),
    Table(
        "unit_costs",
        ("unit_costs",),
        lambda config: unit_costs.load(_path(config, "unit_costs")),
        only_if="unit_costs",
    ),
    Table(
        "gdp_deflator",
        ("gdp_deflator",),
        lambda config: gdp_deflator.financial_years(_path(config, "gdp_deflator")),
        only_if="gdp_deflator",
    ),
)


TABLE_NAMES = frozenset(t.name for t in TABLES)


def prepare(
    config: AssessmentConfig, *, force: bool = False, only: Iterable[str] | None = None
) -> list[str]:
    """Rebuild the stale processed tables (or just those named in ``only``); return their names."""
    folder = from_root(config.data.processed_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _read_stamp(folder)
    tables = [t for t in TABLES if t.only_if is None or getattr(config.data, t.only_if)]
    if only is not None:
        tables = [t for t in tables if t.name in set(only)]
    fingerprints = {t.name: _fingerprint(t, config) for t in tables}
    stored = {t.name: stored_name(t, config) for t in tables}
    stale = [
        t for t in tables if force or not _current(folder, stored[t.name], stamp, fingerprints)
    ]
    if not stale:
        return []
    with tempfile.TemporaryDirectory(dir=folder, prefix=".staging-") as staging:
        for table in stale:
            table.build(config).to_parquet(Path(staging) / f"{table.name}.parquet", index=False)
        for table in stale:
            target = folder / f"{stored[table.name]}.parquet"
            os.replace(Path(staging) / f"{table.name}.parquet", target)
            stamp[stored[table.name]] = {**fingerprints[table.name], OUTPUT_HASH: sha256(target)}
        _write_stamp(folder, stamp)
    return [t.name for t in stale]


#: The stamp records each processed table's own sha256: a table changed or corrupted after
#: it was built is rebuilt, never read.
OUTPUT_HASH = "output_sha256"


def _current(folder: Path, stored: str, stamp: dict, fingerprints: dict) -> bool:
    """The processed table exists, was built from today's inputs, and is unaltered."""
    recorded = dict(stamp.get(stored) or {})
    output = recorded.pop(OUTPUT_HASH, None)
    path = folder / f"{stored}.parquet"
    name = stored.partition("@")[0]
    return recorded == fingerprints[name] and path.exists() and output == sha256(path)


#: Inputs that belong to one area: a table built from one is kept per config.
AREA_INPUTS = frozenset({"police_uk", "force_extract"})


def stored_name(table: Table, config: AssessmentConfig) -> str:
    """The table's file stem: its name for a table every config shares, else
    ``name@<digest of its area inputs and settings>`` (a table that depends on the config's
    area, period or definitions), so two configs never overwrite each other's tables."""
    area_inputs = sorted(AREA_INPUTS.intersection(table.inputs))
    if not area_inputs and table.settings is None:
        return table.name
    paths = {key: str(getattr(config.data, key)) for key in area_inputs}
    settings = table.settings(config) if table.settings else {}
    text = json.dumps({"inputs": paths, "settings": settings}, sort_keys=True, default=str)
    return f"{table.name}@{hashlib.sha256(text.encode()).hexdigest()[:12]}"


#: The tables the chapter now building may read (None: no chapter is building).
_ALLOWED: contextvars.ContextVar[frozenset[str] | None] = contextvars.ContextVar(
    "allowed_tables", default=None
)


class UndeclaredTableError(RuntimeError):
    """A chapter read a processed table its ``build`` does not ask for."""


@contextlib.contextmanager
def only_tables(names: Iterable[str], chapter: str):
    """Within the block, :func:`read` refuses any table not in ``names``.

    A chapter's inputs are the parameters of its ``build``; a table read any other way
    would be missing from the chapter's cache key, so it fails loudly instead.
    """
    allowed = frozenset(names)
    token = _ALLOWED.set(allowed)
    try:
        yield
    finally:
        _ALLOWED.reset(token)
    del chapter  # named for the error message only


def read(config: AssessmentConfig, name: str) -> pd.DataFrame:
    """Read one processed table (run ``sna prepare`` first; ``sna run`` does it for you)."""
    allowed = _ALLOWED.get()
    if allowed is not None and name not in allowed:
        raise UndeclaredTableError(
            f"table '{name}' is read but not declared: add it as a parameter of the "
            f"chapter's build (it asks for {', '.join(sorted(allowed)) or 'no tables'})"
        )
    path = _processed(config, name)
    if name in GEO_TABLES:
        return gpd.read_parquet(path)
    return pd.read_parquet(path)


def read_optional(config: AssessmentConfig, name: str) -> pd.DataFrame | None:
    """A processed table, or None for an optional input the config does not name."""
    table = next(t for t in TABLES if t.name == name)
    if table.only_if is not None and not getattr(config.data, table.only_if):
        return None
    return read(config, name)


def _processed(config: AssessmentConfig, name: str) -> Path:
    table = next(t for t in TABLES if t.name == name)
    path = from_root(config.data.processed_dir) / f"{stored_name(table, config)}.parquet"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `sna prepare --config <file>` first")
    return path


def _fingerprint(table: Table, config: AssessmentConfig) -> dict:
    return {
        "package_version": __version__,
        "loader_code": _loader_code_hash(),
        "inputs": {key: path_hash(_path(config, key)) for key in table.inputs},
        "settings": table.settings(config) if table.settings else {},
    }


def _loader_code_hash() -> str:
    """Hash of the loaders' source, so a change in parsing rebuilds the tables."""
    code = [*Path(sources.__file__).parent.glob("*.py"), Path(forces.__file__), Path(__file__)]
    return files_hash(code)


def input_hashes(config: AssessmentConfig) -> dict[str, str]:
    """sha256 of every raw input the processed tables were built from (from the stamp,
    so nothing is hashed twice in a run)."""
    return {
        key: digest
        for built in stamp(config).values()
        for key, digest in built.get("inputs", {}).items()
    }


def stamp(config: AssessmentConfig) -> dict:
    """What each of this config's processed tables was built from (the stamp file)."""
    recorded = _read_stamp(from_root(config.data.processed_dir))
    return {t.name: recorded[s] for t in TABLES if (s := stored_name(t, config)) in recorded}


def _read_stamp(folder: Path) -> dict:
    path = folder / STAMP
    return json.loads(path.read_text()) if path.exists() else {}


def _write_stamp(folder: Path, stamp: dict) -> None:
    handle, temp = tempfile.mkstemp(dir=folder, suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(stamp, out, indent=2, sort_keys=True)
    os.replace(temp, folder / STAMP)
