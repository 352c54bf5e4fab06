"""The real public inputs of the demonstration extract (:func:`build_inputs`)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from needs_assessment.config import AssessmentConfig, financial_year_label, load_config
from needs_assessment.definitions import Definitions, load_definitions
from needs_assessment.demo.generator import generate
from needs_assessment.demo.people import PeopleInputs, census_shares
from needs_assessment.demo.settings import (
    CATEGORIES,
    CATEGORY_CRIME_TYPE,
    CONFIG_KEYS,
    CONTINUATION_GROUPS,
    FIRST_YEAR,
    INPUTS,
    KNIFE,
    LAST_YEAR,
)
from needs_assessment.paths import DEFAULT_CONFIG, from_root
from needs_assessment.sources import force_extract


@dataclass(frozen=True)
class DemoInputs:
    """Everything :func:`generate` needs, built from the real files by :func:`build_inputs`."""

    annual_totals: pd.DataFrame
    lsoa_weights: pd.DataFrame
    code_shares: dict[str, dict[str, float]]
    lsoa_districts: dict[str, str]
    knife_codes: tuple[str, ...]
    firearm_codes: tuple[str, ...]
    seed: int
    people: PeopleInputs | None = None

    def generate(self) -> pd.DataFrame:
        return generate(
            self.annual_totals,
            self.lsoa_weights,
            self.code_shares,
            self.lsoa_districts,
            knife_codes=self.knife_codes,
            firearm_codes=self.firearm_codes,
            seed=self.seed,
            people=self.people,
        )


def build_inputs(
    config: AssessmentConfig | None = None, definitions: Definitions | None = None
) -> DemoInputs:
    """Read the real public files and assemble the inputs of :func:`generate`."""
    config = config or load_config(DEFAULT_CONFIG)
    definitions = definitions or load_definitions(config.definitions)
    lsoa_districts = area_lsoa_districts(config)
    return DemoInputs(
        annual_totals=real_annual_totals(config, definitions),
        lsoa_weights=real_lsoa_weights(lsoa_districts, input_path(config, "police_uk")),
        code_shares=real_code_shares(config, definitions),
        lsoa_districts=lsoa_districts,
        knife_codes=tuple(definitions.categories[KNIFE].home_office_codes),
        firearm_codes=tuple(definitions.categories["gun_crime"].home_office_codes),
        seed=config.seed,
        people=real_people_shares(config),
    )


def real_people_shares(config: AssessmentConfig) -> PeopleInputs:
    """The area's Census 2021 ethnic-group shares (broad, and detailed within broad)."""
    from needs_assessment.sources import census_ethnicity, population_mye

    lsoas = census_ethnicity.area_lsoas(
        census_ethnicity.read_lsoa_broad(from_root(config.data.census_ethnicity_lsoa21)),
        population_mye.read_lsoa21_district_lookup(from_root(config.data.lsoa21_district_lookup)),
        config.area.districts,
    )
    detailed = census_ethnicity.read_district_detailed(
        from_root(config.data.census_ethnicity_districts)
    )
    return census_shares(lsoas, detailed, config.area.districts)


def real_annual_totals(
    config: AssessmentConfig,
    definitions: Definitions,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
) -> pd.DataFrame:
    """Force totals per category and financial year: real where published, then continued.

    Columns ``year, financial_year, category, count, basis``; ``category`` is one of
    :data:`CATEGORIES` or ``knife_crime`` (the rows to flag ``sharp_instrument = Y``);
    ``basis`` names the source of each number, or says it is a continuation.
    """
    from needs_assessment.sources import crime_severity, ons_pfa_tables, ons_recorded_crime

    force, code = config.area.force, config.area.force_code
    groups = {c: definitions.categories[c].ons_offence_groups for c in CATEGORIES}
    records: list[dict] = []

    recorded = ons_recorded_crime.financial_years(
        ons_recorded_crime.load(from_root(config.data.ons_recorded_crime))
    )
    recorded = recorded[recorded["force"] == force]
    for category, names in groups.items():
        rows = recorded[recorded["offence_group"].isin(names)].groupby("year")["count"].sum()
        records += [
            _total(y, category, v, "ONS recorded crime by PFA (rec-crime-pfa)")
            for y, v in rows.items()
        ]

    folder = input_path(config, "ons_pfa_tables")
    p1 = ons_pfa_tables.latest_revision(
        _force_rows(ons_pfa_tables.offence_groups(folder), force, code)
    )
    p1 = p1[_is_march_year_end(p1["period_end"])]
    have = {(r["year"], r["category"]) for r in records}
    for category, names in groups.items():
        rows = p1[p1["offence_group"].isin(names)]
        for end, value in rows.groupby("period_end")["count"].sum(min_count=1).items():
            year = end.year - 1
            if (year, category) not in have and pd.notna(value):
                edition = rows.loc[rows["period_end"] == end, "edition"].max()
                records.append(
                    _total(
                        year,
                        category,
                        value,
                        f"ONS PFA data tables, Table P1 (year ending {edition:%B %Y} edition)",
                    )
                )

    p5 = ons_pfa_tables.latest_revision(
        _force_rows(ons_pfa_tables.knife_offences(folder), force, code)
    )
    p5 = p5[_is_march_year_end(p5["period_end"]) & p5["knife_offences"].notna()]
    for _, row in p5.iterrows():
        records.append(
            _total(
                row["period_end"].year - 1,
                KNIFE,
                row["knife_offences"],
                f"ONS PFA data tables, Table P5 (newest edition {row['edition']:%B %Y})",
            )
        )

    real = pd.DataFrame.from_records(records)
    real = real[real["year"].between(first_year, last_year)]
    severity = crime_severity.load(input_path(config, "crime_severity"), [code] if code else None)
    if not code:
        severity = severity[severity["area_name"] == force]
    scores = severity.assign(year=severity["year_ending"].dt.year - 1).pivot_table(
        index="year", columns="offence_group", values="severity_score", aggfunc="sum"
    )
    return _continue(real, scores, last_year)


def input_path(config: AssessmentConfig, name: str) -> Path:
    """Path of a real input: the config's ``data`` entry if it has one, else :data:`INPUTS`."""
    configured = getattr(config.data, CONFIG_KEYS[name], None)
    return from_root(configured if configured is not None else INPUTS[name])


def _total(year, category, value, basis) -> dict:
    return {"year": int(year), "category": category, "count": int(value), "basis": basis}


def _force_rows(frame: pd.DataFrame, force: str, code: str | None) -> pd.DataFrame:
    return frame[frame["area_code"] == code] if code else frame[frame["area_name"] == force]


def _is_march_year_end(dates: pd.Series) -> pd.Series:
    return (dates.dt.month == 3) & (dates.dt.day == 31)


def _continue(real: pd.DataFrame, scores: pd.DataFrame, last_year: int) -> pd.DataFrame:
    """Add the years after each series' last real year, scaled by the severity score."""
    out = [real]
    for category, part in real.groupby("category", sort=False):
        last = int(part["year"].max())
        base = int(part.loc[part["year"] == last, "count"].iloc[0])
        names = list(CONTINUATION_GROUPS[category])
        score = scores[names].sum(axis=1, min_count=len(names))
        for year in range(last + 1, last_year + 1):
            if pd.isna(score.get(year)) or pd.isna(score.get(last)):
                raise ValueError(f"no crime severity score for {financial_year_label(year)}")
            value = base * score[year] / score[last]
            out.append(
                pd.DataFrame(
                    [
                        {
                            "year": year,
                            "category": category,
                            "count": int(math.floor(value + 0.5)),
                            "basis": f"synthetic continuation: {financial_year_label(last)}"
                            f" x ONS crime severity score ({' + '.join(names)}) ratio",
                        }
                    ]
                )
            )
    frame = pd.concat(out, ignore_index=True)
    frame["financial_year"] = frame["year"].map(financial_year_label)
    order = {c: i for i, c in enumerate((*CATEGORIES, KNIFE))}
    frame = frame.sort_values(
        ["year", "category"],
        key=lambda s: s.map(order) if s.name == "category" else s,
        ignore_index=True,
    )
    return frame[["year", "financial_year", "category", "count", "basis"]]


def real_code_shares(
    config: AssessmentConfig, definitions: Definitions
) -> dict[str, dict[str, float]]:
    """Each category's Home Office codes with the force's 2017/18 share within the category."""
    from needs_assessment.sources import home_office_prc

    table = home_office_prc.load(input_path(config, "home_office_prc"))
    table = table[table["force_name"] == config.area.force]
    known = force_extract.definition_codes(definitions)
    shares = {}
    for category in CATEGORIES:
        names = definitions.categories[category].ons_offence_groups
        rows = table[table["offence_group"].isin(names) | table["offence_subgroup"].isin(names)]
        own = definitions.categories[category].home_office_codes
        if own:  # the definition may leave codes of the ONS group out (e.g. driving deaths)
            rows = rows[rows["offence_code"].isin(list(own))]
        counts = rows.groupby("offence_code")["count"].sum()
        counts = counts[counts > 0].sort_index()
        unknown = sorted(set(counts.index) - known)
        if counts.empty or unknown:
            raise ValueError(
                f"{category}: no 2017/18 counts, or codes missing from the "
                f"definitions file: {unknown}"
            )
        shares[category] = {str(c): float(v / counts.sum()) for c, v in counts.items()}
    return shares


def area_lsoa_districts(config: AssessmentConfig) -> dict[str, str]:
    """The force's 2011 LSOAs -> district (LAD) code, from the LSOA-to-force lookup."""
    from needs_assessment.sources import geography

    lookup = geography.read_lsoa_force_lookup(input_path(config, "lsoa_force_lookup"))
    area = lookup[lookup["force"] == config.area.force]
    if area.empty:
        raise ValueError(f"no LSOAs for force {config.area.force!r} in the lookup")
    outside = sorted(set(area["lad_code"]) - set(config.area.districts))
    if outside:
        raise ValueError(
            f"LSOAs of {config.area.force} lie in districts missing from the config: {outside}"
        )
    return dict(zip(area["lsoa11_code"], area["lad_code"], strict=True))


def real_lsoa_weights(
    lsoa_districts: Mapping[str, str], source: str | Path = INPUTS["police_uk"]
) -> pd.DataFrame:
    """police.uk street crimes per LSOA of the area (rows) and crime type (columns),
    pooled over every month in ``source`` (crimes located outside the area dropped)."""
    from needs_assessment.sources import police_uk

    lsoas = sorted(lsoa_districts)
    counts = police_uk.street_counts(from_root(source), area_lsoas=lsoas)
    counts = counts[counts["in_area"]]
    table = counts.pivot_table(
        index="lsoa_code", columns="crime_type", values="crimes", aggfunc="sum", fill_value=0
    )
    types = sorted(set(CATEGORY_CRIME_TYPE.values()))
    return table.reindex(index=lsoas, columns=types, fill_value=0).astype("int64")
