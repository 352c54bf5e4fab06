"""People chapter: who is hurt and who offends, by age, sex and ethnic group.

Numbers only: frames and typed results. Published shapes are in :mod:`.tables`, the
results block in :mod:`.results`, the words in ``text/*.md.j2`` (context from :mod:`.words`).

**Scope.** Offences of the categories :data:`SCOPE` (homicide, violence with injury,
robbery) in the force extract; a victim is counted once per offence with a recorded age
(or ethnic group), an offender once per offence with one identified.

**Denominators.** The latest financial year ``Y`` (April ``Y`` to March ``Y+1``) takes the
mid-``Y`` estimate: from mid-2021 the Census-2021-based district estimates by single year
of age and sex; before, the older (pre-Census-2021) 2011-LSOA estimates summed to districts,
persons only, for mid-2017, 2019 and 2020 (a year without one has no age-specific rate).
Rates are per 1,000 residents of the band a year with Byar's (exact Poisson under 10
events) interval (:func:`stats.rate_interval`); shares with Wilson's interval.

The other sections are in :mod:`.measures` (the Home Office measures),
:mod:`.repeats` (repeat victims and offenders) and :mod:`.ethnicity` (disproportionality).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from needs_assessment import tiers
from needs_assessment.chapters.people.ethnicity import Disproportionality, disproportionality
from needs_assessment.chapters.people.measures import Measure, home_office_measures
from needs_assessment.chapters.people.repeats import Repeats, repeats
from needs_assessment.config import AssessmentConfig
from needs_assessment.definitions import Definitions
from needs_assessment.methods import stats
from needs_assessment.sources import force_extract_people

SCOPE = ("homicide", "violence_with_injury", "robbery")
ROLES = ("victim", "offender")
#: Age bands (label, first, last age); 90 = 90 and over in the estimates.
BANDS = (
    ("0-9", 0, 9),
    ("10-17", 10, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65+", 65, 200),
)
#: Bands grouped for the district table and the shares.
GROUPS = (("under 18", 0, 17), ("18-24", 18, 24), ("25 and over", 25, 200))
SEXES = {"M": "male", "F": "female"}
CENSUS_BASIS = "Census 2021 based"
OLD_BASIS = "pre-Census-2021 (2011 LSOAs)"


@dataclass(frozen=True)
class Denominator:
    """Residents of the area's districts by ``code, sex, age``; ``year`` and ``basis``."""

    frame: pd.DataFrame
    year: int
    basis: str

    @property
    def by_sex(self) -> bool:
        return bool(self.frame["sex"].isin(list(SEXES.values())).any())


@dataclass(frozen=True)
class PeopleChapter:
    area: str
    districts: dict[str, str]
    tier: tiers.Tier | None
    scope_labels: list[str]
    latest_year: int | None
    denominator: Denominator | None
    age_sex: pd.DataFrame  # role, age_band, sex, count, population, rate, lower, upper
    not_recorded: pd.DataFrame  # role, offences, age_missing, sex_missing
    trend: pd.DataFrame  # role, year, known, under_18, 18-24 ...
    districts_table: pd.DataFrame  # role, district, group, count, population, rate ...
    measures: list[Measure]
    repeats: Repeats | None
    ethnicity: Disproportionality | None
    optional_columns: tuple[str, ...] = field(default_factory=tuple)
    region: tuple[str, str] | None = None

    @property
    def has_extract(self) -> bool:
        return self.tier is not None


def build(
    config: AssessmentConfig,
    definitions: Definitions,
    *,
    force_extract: pd.DataFrame | None,
    lsoa_lookup: pd.DataFrame,
    district_population_age: pd.DataFrame,
    sape_population_age: pd.DataFrame,
    census_ethnicity: pd.DataFrame,
    hospital_admissions_age: pd.DataFrame,
) -> PeopleChapter:
    """Everything the chapter shows, from the processed tables it names."""
    level = config.thresholds.confidence_level
    districts = dict(config.area.districts)
    population = area_population(district_population_age, sape_population_age, districts)
    region = area_region(lsoa_lookup, districts)
    extract = in_scope(force_extract, definitions) if force_extract is not None else None
    tier = (
        tiers.force_extract(bool(config.data.force_extract_is_synthetic))
        if extract is not None
        else None
    )
    latest = int(extract["year"].max()) if extract is not None and len(extract) else None
    denominator = denominator_for(population, latest) if latest is not None else None
    optional = force_extract_people.present(extract.columns) if extract is not None else ()
    empty = pd.DataFrame()
    return PeopleChapter(
        area=config.area.display_name,
        districts=districts,
        tier=tier,
        scope_labels=[
            definitions.categories[c].label for c in SCOPE if c in definitions.categories
        ],
        latest_year=latest,
        denominator=denominator,
        age_sex=age_sex_rates(extract, latest, denominator, level) if denominator else empty,
        not_recorded=not_recorded(extract, latest) if latest is not None else empty,
        trend=age_trend(extract, population, level) if extract is not None else empty,
        districts_table=(
            district_rates(extract, latest, denominator, districts, level) if denominator else empty
        ),
        measures=home_office_measures(
            force_extract,
            definitions,
            population,
            hospital_admissions_age,
            district_population_age,
            region,
            tier,
            level,
        ),  # fmt: skip
        repeats=repeats(force_extract) if force_extract is not None else None,
        ethnicity=(
            disproportionality(extract, census_ethnicity, districts, level)
            if extract is not None
            else None
        ),
        optional_columns=optional,
        region=region,
    )


# -- inputs ---------------------------------------------------------------------------------


def in_scope(extract: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """The extract's offences of the :data:`SCOPE` categories."""
    codes = {
        code
        for key in SCOPE
        if key in definitions.categories
        for code in definitions.categories[key].home_office_codes
    }
    return extract[extract["home_office_code"].isin(codes)].reset_index(drop=True)


def area_population(
    census_based: pd.DataFrame, older: pd.DataFrame, districts: dict[str, str]
) -> pd.DataFrame:
    """The area's districts by ``year, sex, code, age, population, basis`` (both series)."""
    codes = list(districts)
    new = census_based[census_based["code"].isin(codes)].assign(basis=CENSUS_BASIS)
    old = older[older["code"].isin(codes) & ~older["year"].isin(new["year"].unique())]
    frame = pd.concat([new, old.assign(basis=OLD_BASIS)], ignore_index=True)
    return frame[["year", "sex", "code", "age", "population", "basis"]]


def area_region(lsoa_lookup: pd.DataFrame, districts: dict[str, str]) -> tuple[str, str] | None:
    """(code, name) of the region most of the area's LSOAs lie in, if the lookup has regions."""
    if not {"region_code", "region_name"} <= set(lsoa_lookup.columns):
        return None
    rows = lsoa_lookup[lsoa_lookup["lad17_code"].isin(list(districts))]
    if rows.empty:
        return None
    code = str(rows["region_code"].mode().iloc[0])
    return code, str(rows.loc[rows["region_code"] == code, "region_name"].iloc[0])


def denominator_for(population: pd.DataFrame, year: int) -> Denominator | None:
    """The mid-``year`` estimates of the area, or None if that year has none."""
    rows = population[population["year"] == year]
    if rows.empty:
        return None
    return Denominator(rows.reset_index(drop=True), year, str(rows["basis"].iloc[0]))


def band_of(ages: pd.Series, bands=BANDS) -> pd.Series:
    """The band label of each age (missing age: missing)."""
    labels = pd.Series(pd.NA, index=ages.index, dtype="str")
    for label, low, high in bands:
        labels = labels.mask(ages.between(low, high).fillna(False), label)
    return labels


def residents(denominator: Denominator, bands=BANDS, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Residents per band (and ``by`` columns: ``sex``, ``code``)."""
    frame = denominator.frame
    if "sex" not in by:
        frame = frame[frame["sex"] == "persons"]
    else:
        frame = frame[frame["sex"].isin(list(SEXES.values()))]
    frame = frame.assign(age_band=band_of(frame["age"], bands))
    return frame.groupby([*by, "age_band"], as_index=False)["population"].sum()


# -- age and sex ---------------------------------------------------------------------------


def people_rows(extract: pd.DataFrame, role: str, year: int | None = None) -> pd.DataFrame:
    """One row per offence with an identified ``role`` (victim / offender): age, sex, district."""
    rows = extract if year is None else extract[extract["year"] == year]
    known = rows[f"{role}_sex"].notna() | rows[f"{role}_age"].notna()
    return pd.DataFrame(
        {
            "year": rows.loc[known, "year"],
            "age": rows.loc[known, f"{role}_age"],
            "sex": rows.loc[known, f"{role}_sex"].map(SEXES),
            "code": rows.loc[known, "district_code"],
        }
    )


def age_sex_rates(
    extract: pd.DataFrame, year: int, denominator: Denominator, level: float
) -> pd.DataFrame:
    """Victims and offenders per band and sex in ``year``, per 1,000 residents of the band.

    Without sex-specific estimates (before mid-2021) ``sex`` is ``persons``.
    """
    by = ("sex",) if denominator.by_sex else ()
    population = residents(denominator, by=by)
    frames = []
    for role in ROLES:
        rows = people_rows(extract, role, year)
        rows = rows.assign(age_band=band_of(rows["age"])).dropna(subset=["age_band"])
        if by:
            rows = rows.dropna(subset=["sex"])
        counts = rows.groupby([*by, "age_band"]).size().rename("count").reset_index()
        table = population.merge(counts, on=[*by, "age_band"], how="left")
        frames.append(table.assign(role=role, count=table["count"].fillna(0).astype("int64")))
    frame = pd.concat(frames, ignore_index=True)
    if not by:
        frame["sex"] = "persons"
    frame = _with_rates(frame, level)
    order = {label: i for i, (label, _, _) in enumerate(BANDS)}
    frame = frame.sort_values(
        ["role", "sex", "age_band"], key=lambda s: s.map(order) if s.name == "age_band" else s
    )
    return frame[
        ["role", "age_band", "sex", "count", "population", "rate", "lower", "upper"]
    ].reset_index(drop=True)


def _with_rates(frame: pd.DataFrame, level: float, per: float = 1000) -> pd.DataFrame:
    population = frame["population"].to_numpy(dtype=float)
    safe = np.where(population > 0, population, np.nan)
    rate, lower, upper = stats.rate_interval(
        frame["count"].to_numpy(dtype=float), np.nan_to_num(safe, nan=1.0), per=per, level=level
    )
    missing = np.isnan(safe)
    return frame.assign(
        rate=np.where(missing, np.nan, rate),
        lower=np.where(missing, np.nan, lower),
        upper=np.where(missing, np.nan, upper),
    )


def not_recorded(extract: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per role in ``year``: offences with the person identified, and with no age / no sex."""
    records = []
    for role in ROLES:
        rows = people_rows(extract, role, year)
        records.append(
            {
                "role": role,
                "people": len(rows),
                "age_missing": int(rows["age"].isna().sum()),
                "sex_missing": int(rows["sex"].isna().sum()),
            }
        )
    return pd.DataFrame(records)


def age_trend(extract: pd.DataFrame, population: pd.DataFrame, level: float) -> pd.DataFrame:
    """Per role and year: people of known age, under-18 and 18-24 counts and shares (Wilson),
    and the under-25 rate per 1,000 residents aged 0-24 where that year has an estimate."""
    under_25 = population[(population["sex"] == "persons") & (population["age"] < 25)]
    residents_25 = under_25.groupby("year")["population"].sum()
    basis = under_25.groupby("year")["basis"].first()
    records = []
    for role in ROLES:
        rows = people_rows(extract, role).dropna(subset=["age"])
        for year, group in rows.groupby("year"):
            records.append(_trend_row(role, int(year), group["age"], residents_25, basis))
    frame = pd.DataFrame(records)
    if frame.empty:
        return frame
    for column in ("under_18", "18_24"):
        share = stats.wilson_interval(frame[column], frame["known_age"], level)
        frame[f"{column}_share"], frame[f"{column}_lower"], frame[f"{column}_upper"] = share
    return frame


def _trend_row(role, year, ages, residents_25, basis) -> dict:
    under_25 = int((ages < 25).sum())
    population = residents_25.get(year)
    return {
        "role": role,
        "year": year,
        "known_age": len(ages),
        "under_18": int((ages < 18).sum()),
        "18_24": int(ages.between(18, 24).sum()),
        "under_25": under_25,
        "population_under_25": int(population) if population is not None else None,
        "rate_under_25": under_25 / population * 1000 if population else np.nan,
        "basis": basis.get(year, ""),
    }


def district_rates(
    extract: pd.DataFrame,
    year: int,
    denominator: Denominator,
    districts: dict[str, str],
    level: float,
) -> pd.DataFrame:
    """Per role, district and age group (:data:`GROUPS`) in ``year``: count, residents, rate."""
    population = residents(denominator, GROUPS, by=("code",))
    frames = []
    for role in ROLES:
        rows = people_rows(extract, role, year)
        rows = rows.assign(age_band=band_of(rows["age"], GROUPS)).dropna(subset=["age_band"])
        counts = rows.groupby(["code", "age_band"]).size().rename("count").reset_index()
        table = population.merge(counts, on=["code", "age_band"], how="left")
        frames.append(table.assign(role=role, count=table["count"].fillna(0).astype("int64")))
    frame = _with_rates(pd.concat(frames, ignore_index=True), level)
    frame["district"] = frame["code"].map(districts)
    order = {label: i for i, (label, _, _) in enumerate(GROUPS)}
    frame = frame.sort_values(
        ["role", "district", "age_band"], key=lambda s: s.map(order) if s.name == "age_band" else s
    )
    columns = [
        "role",
        "code",
        "district",
        "age_band",
        "count",
        "population",
        "rate",
        "lower",
        "upper",
    ]
    return frame[columns].reset_index(drop=True)
