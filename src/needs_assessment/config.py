"""The assessment config: one YAML file per assessment, validated by a typed model.

The config is the single source of parameters. Papermill injects only its path into each
chapter notebook; everything else is read from the validated model.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from needs_assessment.errors import ConfigError
from needs_assessment.paths import DEFAULT_CONFIG, ROOT, from_root
from needs_assessment.periods import financial_year_label
from needs_assessment.yaml_files import parse_yaml, read_text, read_yaml

LAD_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")
#: A config's name (its file stem) names the report folder: a plain file-name stem.
REPORT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
#: The chapter keys a config may list: one folder each under ``chapters/`` (found on disk,
#: so the config does not import the chapters it configures).
CHAPTERS = tuple(
    sorted(
        folder.name
        for folder in (Path(__file__).parent / "chapters").iterdir()
        if (folder / "analysis.py").exists()
    )
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecordingBreak(_Strict):
    """A known break in a recorded-crime series (e.g. a new crime recording system)."""

    financial_year: Annotated[int, Field(ge=2002, le=2100)]
    categories: list[str] = Field(default_factory=list, description="Empty = every category")
    note: str


class Area(_Strict):
    """The area assessed: a police force area and its districts."""

    force: str = Field(description="Force name as the ONS data spells it, e.g. 'Cambridgeshire'")
    display_name: str = Field(description="Name used in the report")
    force_code: str | None = Field(default=None, pattern=r"^(E23|W15)\d{6}$")  # W15: Welsh PFAs
    districts: dict[str, str] = Field(description="District (LAD) code -> district name")
    recording_breaks: list[RecordingBreak] = Field(default_factory=list)
    peers: list[str] | None = Field(
        default=None,
        description="Peer forces; default: the 5 most similar on density and deprivation",
    )

    @field_validator("districts")
    @classmethod
    def _lad_codes(cls, districts: dict[str, str]) -> dict[str, str]:
        if not districts:
            raise ValueError("at least one district is needed")
        bad = [code for code in districts if not LAD_CODE.match(code)]
        if bad:
            raise ValueError(f"not local authority district codes: {', '.join(bad)}")
        return districts


class Period(_Strict):
    """Financial years assessed, named by the calendar year they start in (2010 = 2010/11)."""

    first_year: Annotated[int, Field(ge=2002, le=2100)] = 2010
    last_year: Annotated[int, Field(ge=2002, le=2100)] = 2021

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.last_year < self.first_year:
            raise ValueError("last_year comes before first_year")
        return self

    @property
    def financial_years(self) -> list[str]:
        return [financial_year_label(y) for y in range(self.first_year, self.last_year + 1)]


class DataFiles(_Strict):
    """Raw inputs (files or folders), relative to the project root.

    A refresh points these at next year's downloads; the loaders take them unchanged.
    """

    manifest: Path = Path("data/raw/manifest.yaml")
    processed_dir: Path = Path("data/processed")
    ons_recorded_crime: Path = Path("data/raw/ons_rec_crime_pfa/rec-crime-pfa.csv")
    ons_pfa_tables: Path = Path("data/raw/ons_pfa_tables")
    crime_severity: Path = Path(
        "data/raw/ons_crime_severity_pfa/crime_severity_score_pfa_ye2003_ye2022.csv.gz"
    )
    hospital_admissions: Path = Path(
        "data/raw/nhs_hes_assault_sharp_object/"
        "hes_assault_sharp_object_by_region_month_2012-13_to_2021-22.xlsx"
    )
    home_office_offences: Path = Path("data/raw/crime_sim_toolkit/prc-pfa-201718_new.csv")
    # police.uk street files: None (the default) means the area's own folder
    # ``data/raw/policeuk_street_<force>`` when it exists, else none (never another force's).
    police_uk: Path | None = None
    imd_ranks: Path = Path("data/raw/imd2019/imd2019_lsoa11_ranks_deciles_humaniverse.csv")
    imd_scores: Path = Path("data/raw/imd2019/imd2019_lsoa11_imd_score_reconstructed.csv")
    imd_population: Path = Path("data/raw/imd2019/File_6_-_IoD2019_Population_Denominators.csv.gz")
    # Welsh Index of Multiple Deprivation 2019 (Welsh LSOAs; the English IMD omits Wales).
    wimd: Path = Path("data/raw/wimd2019/wimd2019_lsoa11_ranks_deciles_scores_derived.csv")
    lsoa_district_lookup: Path = Path("data/raw/lookups/OA11_LSOA11_MSOA11_LAD17_OAC_lookup.csv.gz")
    lsoa_force_lookup: Path = Path("data/raw/crime_sim_toolkit/PoliceforceLSOA.csv")
    district_force_supplement: Path = Path("data/raw/lookups/lad_police_force_supplement.csv")
    district_population: Path = Path("data/raw/population/ons_mye_lad_population_2001_2020.csv.gz")
    census_2011_population: Path = Path("data/raw/crime_sim_toolkit/census_2011_population_hh.csv")
    lsoa_population_dir: Path = Path("data/raw/population_lsoa")
    # One edition of the Home Office open data tables: force x offence code x quarter.
    home_office_open_data: Path = Path(
        "data/raw/ho_prc_pfa_open_data/prc_pfa_2012-13_to_2023-24Q1_derived.csv.gz"
    )
    # Census-2021-based mid-year estimates (one vintage): MYE4 districts, 2021 LSOAs.
    district_population_mye21: Path = Path("data/raw/population_mye21/mye23tablesew.xlsx")
    lsoa21_population: Path = Path(
        "data/raw/population_lsoa21/ons_sape_lsoa21_population_mid2011_mid2022_derived.csv.gz"
    )
    lsoa21_district_lookup: Path = Path(
        "data/raw/lookups_2021/lookup_lsoa11_lsoa21_ltla22_geographr.csv.gz"
    )
    district_changes_2023: Path = Path("data/raw/lookups_2021/lad22_lad23_changes.csv")
    lsoa_boundaries: Path = Path("data/raw/lsoa_boundaries_2011/LSOA_Dec_2011_BSC_EW_V3.geojson")
    district_boundaries: Path = Path(
        "data/raw/lad_boundaries/Local_Authority_Districts_December_2017_Boundaries_UK_WGS84.shp"
    )
    # People chapter: population by single year of age and sex (Census 2021 base, mid-2021
    # to mid-2023) and Census 2021 ethnic group (broad by 2021 LSOA, detailed by district).
    district_population_syoa: Path = Path(
        "data/raw/population_mye21/ons_mye_lad_syoa_mid2021_mid2022_mid2023_derived.csv.gz"
    )
    census_ethnicity_lsoa21: Path = Path(
        "data/raw/census2021_ethnicity/census2021_ts021_ethnic_group_lsoa21_broad_demographr.csv.gz"
    )
    census_ethnicity_districts: Path = Path(
        "data/raw/census2021_ethnicity/census2021_ethnic_group_ltla21_detailed_demographr.csv"
    )
    # Costs chapter: Home Office unit costs of crime (2015/16 prices) and the ONS GDP
    # deflator (YBGB) that uprates them; null leaves the chapter's cost sections unavailable.
    unit_costs: Path | None = Path(
        "data/raw/home_office_costs_of_crime/unit_costs_2015_16_prices.csv"
    )
    gdp_deflator: Path | None = Path(
        "data/raw/ons_gdp_deflator/ons_ybgb_gdp_deflator_ukea_release_2025-06-30.csv"
    )
    force_extract: Path | None = None
    force_extract_is_synthetic: bool = False

    @model_validator(mode="after")
    def _inputs_exist(self) -> DataFiles:
        for name, value in self:
            if (
                isinstance(value, Path)
                and name != "processed_dir"
                and not from_root(value).exists()
            ):
                raise ValueError(f"{name}: file not found: {from_root(value)}")
        return self

    def inputs(self) -> dict[str, Path]:
        """Every raw input path by key (for checksums and staleness)."""
        return {
            name: from_root(value)
            for name, value in self
            if isinstance(value, Path) and name not in ("processed_dir", "manifest")
        }


class Thresholds(_Strict):
    """Disclosure control and statistical thresholds."""

    suppress_counts_up_to: Annotated[int, Field(ge=1, le=20)] = 5
    min_events_for_rate: Annotated[int, Field(ge=1, le=100)] = 10
    confidence_level: Annotated[float, Field(gt=0.5, lt=1)] = 0.95


class CountyLines(_Strict):
    """County Lines chapter: when a district's drug market counts as importing."""

    import_threshold: Annotated[float, Field(gt=0, lt=1)] = 0.5
    min_offenders: Annotated[int, Field(ge=1)] = 20


class Costs(_Strict):
    """Costs chapter: the prices costs are shown in (``latest``: uprated to the latest year
    of counts by the GDP deflator; ``base``: the unit costs' own price base, 2015/16)."""

    prices: Literal["latest", "base"] = "latest"


class Report(_Strict):
    """How the run executes and publishes."""

    chapters: tuple[Literal[CHAPTERS], ...] = ("trends",)  # type: ignore[valid-type]
    parallel_chapters: Annotated[int, Field(ge=0, le=64)] = 0  # 0 = one per CPU core
    analyst_notes: Path | None = Field(
        default=None, description="Markdown written by the analyst, shown after the key findings"
    )

    wording: Path | None = Field(
        default=None,
        description="Folder of wording templates that override the package's, e.g. "
        "wording/trends/coverage.md.j2",
    )

    @field_validator("analyst_notes")
    @classmethod
    def _notes_exist(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        if path is not None and not from_root(path).is_file():
            raise ValueError(f"file not found: {from_root(path)}")
        return contained(path, info)

    @field_validator("wording")
    @classmethod
    def _wording_is_a_folder(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        if path is not None and not from_root(path).is_dir():
            raise ValueError(f"folder not found: {from_root(path)}")
        return contained(path, info)

    execution_timeout_seconds: Annotated[int, Field(ge=10)] = 600
    startup_timeout_seconds: Annotated[int, Field(ge=5)] = 120


class AssessmentConfig(_Strict):
    """One assessment: area, period, data, definitions, thresholds and seed."""

    title: str = "Serious violence strategic needs assessment"
    area: Area
    period: Period = Period()
    data: DataFiles = DataFiles()
    definitions: Path = Path("config/definitions/serious_violence.yaml")
    thresholds: Thresholds = Thresholds()
    county_lines: CountyLines = CountyLines()
    costs: Costs = Costs()
    report: Report = Report()
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 20210331
    name: str = Field(default="", description="Set from the file name; not written in the file")

    @model_validator(mode="before")
    @classmethod
    def _own_police_uk(cls, raw: object) -> object:
        """Without ``data.police_uk``, take the area's own police.uk folder if one ships."""
        if not isinstance(raw, dict) or not isinstance(raw.get("area"), dict):
            return raw
        data = raw.get("data") or {}
        if not isinstance(data, dict) or "police_uk" in data:
            return raw
        folder = police_uk_folder(str(raw["area"].get("force", "")))
        return {**raw, "data": {**data, "police_uk": folder}} if folder else raw

    @model_validator(mode="after")
    def _files_and_folders(self) -> AssessmentConfig:
        """A file where a file is needed, a folder (or nothing yet) where a folder is."""
        processed = from_root(self.data.processed_dir)
        if processed.exists() and not processed.is_dir():
            raise ValueError(f"data.processed_dir: {processed} is a file, not a folder")
        extract = self.data.force_extract
        if extract is not None and not from_root(extract).is_file():
            raise ValueError(f"data.force_extract: {from_root(extract)} is a folder, not a file")
        return self

    @model_validator(mode="after")
    def _known_forces(self) -> AssessmentConfig:
        """The force, its peers and its districts must be ones the shipped lookup knows."""
        forces = known_forces(self.data.lsoa_force_lookup, self.data.district_force_supplement)
        names = set(forces.values())
        unknown = [f for f in [self.area.force, *(self.area.peers or [])] if f not in names]
        if unknown:
            raise ValueError(
                f"area: unknown police force {', '.join(map(repr, unknown))}; the lookup "
                f"knows: {', '.join(sorted(names))}"
            )
        elsewhere = {
            code: forces[code]
            for code in self.area.districts
            if forces.get(code, self.area.force) != self.area.force
        }
        if elsewhere:
            listed = ", ".join(f"{code} ({force})" for code, force in elsewhere.items())
            raise ValueError(f"area.districts: not in {self.area.force}: {listed}")
        return self

    @model_validator(mode="after")
    def _police_uk_is_the_areas(self) -> AssessmentConfig:
        """Refuse police.uk files whose rows fall within another force (named)."""
        from needs_assessment.forces import police_uk_foreign_file

        folder = self.data.police_uk
        if folder is None:
            return self
        root = from_root(folder)
        files = sorted(root.glob("**/*-street.csv")) if root.is_dir() else [root]
        foreign = police_uk_foreign_file(files, self.area.force)
        if foreign:
            raise ValueError(
                f"data.police_uk: {foreign[0]} holds {foreign[1]}'s crimes, not "
                f"{self.area.force}'s; point it at {self.area.force}'s police.uk files"
            )
        return self

    @model_validator(mode="after")
    def _chapters_have_data(self) -> AssessmentConfig:
        """A chapter listed in ``report.chapters`` must have the data it cannot do without."""
        missing = [
            f"{chapter} needs {need}"
            for chapter, (key, need) in CHAPTER_NEEDS.items()
            if chapter in self.report.chapters and getattr(self.data, key) is None
        ]
        if missing:
            raise ValueError(
                f"report.chapters: {'; '.join(missing)}; set the data path or drop the "
                "chapter (`sna init` lists only the chapters an area's data allow)"
            )
        return self

    @field_validator("definitions")
    @classmethod
    def _definitions_exist(cls, path: Path) -> Path:
        if not from_root(path).exists():
            raise ValueError(f"file not found: {from_root(path)}")
        try:
            read_yaml(path, "definitions file")  # a duplicated category is refused at load
        except ConfigError as exc:
            raise ValueError(str(exc)) from None
        return path

    @property
    def period_label(self) -> str:
        return f"{financial_year_label(self.period.first_year)} to " + financial_year_label(
            self.period.last_year
        )


#: chapter -> (``config.data`` key it cannot do without, the publication that supplies it).
CHAPTER_NEEDS = {
    "hotspots": ("police_uk", "police.uk street-level crime files (data.police_uk)"),
    "deprivation": ("police_uk", "police.uk street-level crime files (data.police_uk)"),
    "county_lines": ("force_extract", "the force's offence-level extract (data.force_extract)"),
}


def force_slug(force: str) -> str:
    """``Devon & Cornwall`` -> ``devon-cornwall``: how folders and report names spell a force."""
    return re.sub(r"[^a-z0-9]+", "-", force.lower()).strip("-")


def police_uk_folder(force: str) -> Path | None:
    """``data/raw/policeuk_street_<force>`` (relative to the root) when it exists."""
    folder = Path("data/raw") / f"policeuk_street_{force_slug(force).replace('-', '_')}"
    return folder if force and from_root(folder).is_dir() else None


def load_config(path: str | Path = DEFAULT_CONFIG) -> AssessmentConfig:
    """Read and validate a config file; raise one readable ``ConfigError`` naming the key."""
    path = from_root(path)
    return parse_config(read_text(path, "config file"), path)


def parse_config(text: str, path: Path) -> AssessmentConfig:
    """Validate a config's text as if it were saved at ``path`` (its name and folder)."""
    if not REPORT_NAME.fullmatch(path.stem):
        raise ConfigError(
            f"{path}: the file name must be a plain name (letters, digits, '-' or '_', "
            f"e.g. cambridgeshire-2021.yaml): it names the report folder"
        )
    raw = parse_yaml(text, path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    if "name" in raw:
        raise ConfigError(f"{path}: key 'name' is set from the file name; remove it")
    try:
        return AssessmentConfig.model_validate(
            {**raw, "name": path.stem}, context={"config_dir": path.parent}
        )
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc)) from None


# -- files the config names ----------------------------------------------------------------


def contained(path: Path | None, info: ValidationInfo) -> Path | None:
    """``path`` if it resolves inside the project or beside the config; else refused."""
    if path is None:
        return None
    target = from_root(path).resolve()
    folders = [ROOT.resolve()]
    if info.context and info.context.get("config_dir"):
        folders.append(Path(info.context["config_dir"]).resolve())
    if not any(target.is_relative_to(folder) for folder in folders):
        raise ValueError(
            f"{target} is outside the project and the config's folder; copy it beside the config"
        )
    return path


@lru_cache(maxsize=8)
def _force_table(lookup: Path, supplement: Path, stamps: tuple) -> dict[str, str]:
    table: dict[str, str] = {}
    for path, code_column, force_column in (
        (supplement, "lad_code", "police_force"),
        (lookup, "Local authority code", "Police_force"),
    ):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if row.get(force_column):
                    table[row.get(code_column) or ""] = row[force_column]
                    table[row[force_column]] = row[force_column]
    return table


def known_forces(lookup: Path, supplement: Path) -> dict[str, str]:
    """District code -> force, and each force -> itself, from the two raw lookups."""
    lookup, supplement = from_root(lookup), from_root(supplement)
    stamps = tuple((p.stat().st_size, p.stat().st_mtime_ns) for p in (lookup, supplement))
    try:
        return _force_table(lookup, supplement, stamps)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"cannot read the force lookups ({lookup}, {supplement}): {exc}") from None


def _describe(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: {exc.error_count()} problem(s) in the config"]
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(top level)"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against config/README.md)"
        lines.append(f"  - {key}: {message}")
    return "\n".join(lines)
