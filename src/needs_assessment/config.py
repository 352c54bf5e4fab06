"""The assessment config: one YAML file per assessment, validated by a typed model.

The config is the single source of parameters. Papermill injects only its path into each
chapter notebook; everything else is read from the validated model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from needs_assessment.errors import ConfigError
from needs_assessment.paths import DEFAULT_CONFIG, from_root
from needs_assessment.periods import financial_year_label

LAD_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")
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
    force_code: str | None = Field(default=None, pattern=r"^[EW]23\d{6}$")
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
    police_uk: Path = Path("data/raw/policeuk_street_cambridgeshire")
    imd_ranks: Path = Path("data/raw/imd2019/imd2019_lsoa11_ranks_deciles_humaniverse.csv")
    imd_scores: Path = Path("data/raw/imd2019/imd2019_lsoa11_imd_score_reconstructed.csv")
    imd_population: Path = Path("data/raw/imd2019/File_6_-_IoD2019_Population_Denominators.csv.gz")
    lsoa_district_lookup: Path = Path("data/raw/lookups/OA11_LSOA11_MSOA11_LAD17_OAC_lookup.csv.gz")
    lsoa_force_lookup: Path = Path("data/raw/crime_sim_toolkit/PoliceforceLSOA.csv")
    district_force_supplement: Path = Path("data/raw/lookups/lad_police_force_supplement.csv")
    district_population: Path = Path("data/raw/population/ons_mye_lad_population_2001_2020.csv.gz")
    census_2011_population: Path = Path("data/raw/crime_sim_toolkit/census_2011_population_hh.csv")
    lsoa_population_dir: Path = Path("data/raw/population_lsoa")
    lsoa_boundaries: Path = Path("data/raw/lsoa_boundaries_2011/LSOA_Dec_2011_BSC_EW_V3.geojson")
    district_boundaries: Path = Path(
        "data/raw/lad_boundaries/Local_Authority_Districts_December_2017_Boundaries_UK_WGS84.shp"
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

    suppress_counts_up_to: Annotated[int, Field(ge=0, le=20)] = 5
    min_events_for_rate: Annotated[int, Field(ge=1, le=100)] = 10
    confidence_level: Annotated[float, Field(gt=0.5, lt=1)] = 0.95


class CountyLines(_Strict):
    """County Lines chapter: when a district's drug market counts as importing."""

    import_threshold: Annotated[float, Field(gt=0, lt=1)] = 0.5
    min_offenders: Annotated[int, Field(ge=1)] = 20


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
    def _notes_exist(cls, path: Path | None) -> Path | None:
        if path is not None and not from_root(path).exists():
            raise ValueError(f"file not found: {from_root(path)}")
        return path

    @field_validator("wording")
    @classmethod
    def _wording_is_a_folder(cls, path: Path | None) -> Path | None:
        if path is not None and not from_root(path).is_dir():
            raise ValueError(f"folder not found: {from_root(path)}")
        return path

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
    report: Report = Report()
    seed: int = 20210331
    name: str = Field(default="", description="Set from the file name; not written in the file")

    @field_validator("definitions")
    @classmethod
    def _definitions_exist(cls, path: Path) -> Path:
        if not from_root(path).exists():
            raise ValueError(f"file not found: {from_root(path)}")
        return path

    @property
    def period_label(self) -> str:
        return f"{financial_year_label(self.period.first_year)} to " + financial_year_label(
            self.period.last_year
        )


def load_config(path: str | Path = DEFAULT_CONFIG) -> AssessmentConfig:
    """Read and validate a config file; raise one readable ``ConfigError`` naming the key."""
    path = from_root(path)
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    if "name" in raw:
        raise ConfigError(f"{path}: key 'name' is set from the file name; remove it")
    try:
        return AssessmentConfig(**raw, name=path.stem)
    except ValidationError as exc:
        raise ConfigError(_describe(path, exc)) from None


def _describe(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: {exc.error_count()} problem(s) in the config"]
    for err in exc.errors():
        key = ".".join(str(part) for part in err["loc"]) or "(top level)"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against config/README.md)"
        lines.append(f"  - {key}: {message}")
    return "\n".join(lines)
