"""SYNTHETIC demonstration force extract: Cambridgeshire & Peterborough, April 2010 - March 2022.

Only a police force holds its offence-level extract (DESIGN.md, "Data tiers", tier 2), so
the project ships a synthetic one in exactly the schema of
:mod:`needs_assessment.sources.force_extract`. **Every row is invented.** It is
calibrated to real public aggregates so the chapters have something realistic to work
on, and it is marked as synthetic wherever it goes: offence references start with
``SYNTH-``, :data:`SYNTHETIC_LABEL` names it, the file name says ``demo``, the manifest
entry says ``synthetic: true`` and ``force_extract.load`` sets ``attrs["synthetic"]``.
Never blend its numbers into a real series.

How it is made (:func:`generate` is the pure, seeded core; :func:`build_inputs` reads the
real files; :func:`write_demo_extract` writes the gzipped CSV):

1. **Annual totals per category** (homicide, violence with injury, violence without
   injury, robbery, possession of weapons, drug offences) equal the real force totals for
   every financial year the real files cover: ONS ``rec-crime-pfa`` to 2017/18, then the
   ONS PFA data tables (Table P1 of the year ending March 2019 edition) for 2018/19.
   **Knife or sharp instrument offences**: the number of rows flagged
   ``sharp_instrument = Y`` among the knife-eligible codes (definitions file,
   ``knife_crime``) equals the force's Table P5 figure for 2010/11 to 2018/19 (newest
   edition that gives a value). Sexual offences are not generated, so the P5 total is
   carried by homicide, attempted murder, threats to kill, assault with injury or intent
   and robbery rows (weighted by :data:`KNIFE_WEIGHTS`).
2. **After the real data ends** (2019/20 to 2021/22) each total is continued from its
   last real year by the force's real ONS Crime Severity Score (to year ending March
   2022): ``count(y) = round(count(last) * score(y) / score(last))`` with the score of the
   matching offence group (:data:`CONTINUATION_GROUPS`): violence against the person for
   homicide and the violence categories, robbery for robbery, other crimes against
   society for drugs and possession of weapons, and violence against the person plus
   robbery for knife offences. The severity score weights offences by sentencing
   severity, so it tracks the volume of these groups only roughly: the continued years
   are plausible, not estimates. Deterministic (no noise).
3. **Offence codes** within a category follow the force's real 2017/18 shares (Home
   Office open data table by offence code), drawn row by row (multinomial), for every
   year. Drug offences split into supply (92A) and possession (92C/D/E) by those shares.
4. **Gun crime** (``firearm = Y``) has no public force series: each eligible row (codes of
   the ``gun_crime`` category) is flagged with the small, illustrative probability in
   :data:`FIREARM_RATES` (a few dozen offences a year), never on a knife row.
5. **Where**: offences are spread over the force's 487 LSOAs in proportion to the real
   police.uk street-level counts of the matching crime type (:data:`CATEGORY_CRIME_TYPE`),
   pooled over the months available (7 months, 2018-10 to 2021-01), mixed with a floor:
   ``p = (1 - LSOA_FLOOR_SHARE) * police.uk share + LSOA_FLOOR_SHARE / 487`` so no LSOA has
   zero chance. The same pattern is used in every year.
6. **When**: days follow a mild seasonal profile (:data:`SEASON`) and a day-of-week
   profile (:data:`WEEKDAY`); hours follow :data:`HOURS`, with a night-time-economy
   profile for violence on Friday, Saturday and Sunday dates.
7. **Who**: victim and offender ages and sexes per offence code and category from the
   illustrative distributions :data:`AGE_BANDS`, :data:`VICTIM_PROFILE` and
   :data:`OFFENDER_PROFILE` (not fitted to any data; chosen to look plausible: young male
   offenders, officers as victims of assaults on constables, children as victims of
   cruelty to children). Possession of weapons and drug offences have no victim.
8. **Drug supply offenders' homes** (County Lines): the share of supply offenders living
   outside the force area depends on the district of the offence
   (:data:`SUPPLY_IMPORT_SHARE`: most in Cambridge and Huntingdonshire, few in
   Peterborough, where supply is mostly "home grown"); out-of-area offenders come from
   London boroughs and nearby towns (:data:`IMPORT_ORIGINS`) with realistic postcode
   districts (:data:`POSTCODE_DISTRICTS`); :data:`SUPPLY_UNKNOWN_HOME_SHARE` have no known
   home (blank); :data:`SUPPLY_UNDER_18_SHARE` are under 18. ``county_lines = Y`` is set
   with :data:`COUNTY_LINES_RATE`, mostly on supply by out-of-area offenders.

The output is byte-for-byte reproducible from the seed (config ``seed``, 20210331): each
(year, category, step) draws from its own ``numpy`` stream seeded with
``SeedSequence([seed, year, category, step])``, only integers and text are written, and
the gzip header carries no time stamp or file name (``mtime=0``).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from needs_assessment.config import AssessmentConfig, financial_year_label, load_config
from needs_assessment.definitions import Definitions, load_definitions
from needs_assessment.paths import DEFAULT_CONFIG, RAW_DIR, ROOT, from_root
from needs_assessment.sources import force_extract

#: Shown wherever the demonstration extract is used.
SYNTHETIC_LABEL = (
    "SYNTHETIC demonstration force extract, generated by needs_assessment.demo: "
    "not real offences, calibrated to public ONS/Home Office/police.uk aggregates"
)
REFERENCE_PREFIX = force_extract.SYNTHETIC_PREFIX  # "SYNTH-"
FIRST_YEAR, LAST_YEAR = 2010, 2021  # financial years 2010/11 to 2021/22
DEFAULT_OUTPUT = RAW_DIR / "demo_force_extract" / "demo_force_extract_cambridgeshire.csv.gz"
#: Real inputs (beyond the config's ONS recorded crime file), relative to the project root;
#: a config ``data`` key of the name in :data:`CONFIG_KEYS` overrides each.
INPUTS = {
    "ons_pfa_tables": Path("data/raw/ons_pfa_tables"),
    "crime_severity": Path(
        "data/raw/ons_crime_severity_pfa/crime_severity_score_pfa_ye2003_ye2022.csv.gz"
    ),
    "home_office_prc": Path("data/raw/crime_sim_toolkit/prc-pfa-201718_new.csv"),
    "police_uk": Path("data/raw/policeuk_street_cambridgeshire"),
    "lsoa_force_lookup": Path("data/raw/crime_sim_toolkit/PoliceforceLSOA.csv"),
}
CONFIG_KEYS = {
    "ons_pfa_tables": "ons_pfa_tables",
    "crime_severity": "crime_severity",
    "home_office_prc": "home_office_offences",
    "police_uk": "police_uk",
    "lsoa_force_lookup": "lsoa_force_lookup",
}
GZIP_LEVEL = 9

#: Generated categories (definitions-file keys), each with an ONS offence group.
CATEGORIES = (
    "homicide",
    "violence_with_injury",
    "violence_without_injury",
    "robbery",
    "possession_of_weapons",
    "drug_offences",
)
KNIFE = "knife_crime"
#: police.uk crime type whose LSOA pattern each category follows.
CATEGORY_CRIME_TYPE = {
    "homicide": "Violence and sexual offences",
    "violence_with_injury": "Violence and sexual offences",
    "violence_without_injury": "Violence and sexual offences",
    "robbery": "Robbery",
    "possession_of_weapons": "Possession of weapons",
    "drug_offences": "Drugs",
}
#: ONS crime severity offence groups whose (summed) score continues each series.
CONTINUATION_GROUPS = {
    "homicide": ("Violence against the person",),
    "violence_with_injury": ("Violence against the person",),
    "violence_without_injury": ("Violence against the person",),
    "robbery": ("Robbery",),
    "possession_of_weapons": ("Other crimes against society",),
    "drug_offences": ("Other crimes against society",),
    KNIFE: ("Violence against the person", "Robbery"),
}
#: Share of offences spread evenly over all LSOAs (the rest follows police.uk).
LSOA_FLOOR_SHARE = 0.05

DRUG_SUPPLY_CODES = ("92A",)
#: Share of drug-supply (92A) offenders living OUTSIDE the force area, among those whose
#: home is known, by district (LAD code) of the offence. Illustrative, not measured.
SUPPLY_IMPORT_SHARE = {
    "E07000008": 0.66,  # Cambridge: mostly London and Luton lines
    "E07000011": 0.60,  # Huntingdonshire (Huntingdon, St Neots, St Ives)
    "E07000012": 0.45,  # South Cambridgeshire
    "E07000009": 0.42,  # East Cambridgeshire
    "E07000010": 0.38,  # Fenland
    "E06000031": 0.22,  # Peterborough: mostly "home grown" supply
}
DEFAULT_IMPORT_SHARE = 0.40
#: Share of drug-supply offenders whose home is not known (home district and postcode blank).
SUPPLY_UNKNOWN_HOME_SHARE = 0.08
#: Share of drug-supply offenders aged under 18, by where they live.
SUPPLY_UNDER_18_SHARE = {"outside": 0.22, "local": 0.10, "unknown": 0.15}
#: P(county_lines = Y) by kind of offence and where the offender lives.
COUNTY_LINES_RATE = {
    ("supply", "outside"): 0.75, ("supply", "local"): 0.12, ("supply", "unknown"): 0.40,
    ("drugs", "outside"): 0.15, ("drugs", "local"): 0.01,
    ("weapons", "outside"): 0.20, ("weapons", "local"): 0.02,
    ("other", "outside"): 0.03, ("other", "local"): 0.001,
}  # fmt: skip
#: Other (non-supply) identified offenders: share living outside the force area, share
#: with no known home, and share of local offenders living in the district of the offence.
OTHER_OUTSIDE_SHARE = {
    "homicide": 0.08,
    "violence_with_injury": 0.07,
    "violence_without_injury": 0.06,
    "robbery": 0.14,
    "possession_of_weapons": 0.12,
    "drug_offences": 0.10,
}
OTHER_UNKNOWN_HOME_SHARE = 0.05
LOCAL_SAME_DISTRICT = 0.82

#: Where out-of-area drug-supply offenders live (LAD code -> weight), by origin profile.
IMPORT_ORIGINS = {
    "south": {  # Cambridge, South and East Cambridgeshire, Huntingdonshire
        "E09000012": 16,  # Hackney
        "E09000014": 14,  # Haringey
        "E09000010": 12,  # Enfield
        "E09000031": 9,   # Waltham Forest
        "E09000019": 6,   # Islington
        "E09000028": 6,   # Southwark
        "E09000030": 5,   # Tower Hamlets
        "E09000022": 4,   # Lambeth
        "E06000032": 12,  # Luton
        "E06000055": 7,   # Bedford
        "E06000042": 4,   # Milton Keynes
        "E07000154": 3,   # Northampton (2017 code)
    },
    "north": {  # Peterborough, Fenland
        "E09000012": 10, "E09000014": 9, "E09000010": 8, "E09000031": 5, "E09000028": 4,
        "E09000030": 3,
        "E07000154": 12,  # Northampton (2017 code)
        "E06000016": 11,  # Leicester
        "E06000018": 9,   # Nottingham
        "E06000032": 8,   # Luton
        "E06000055": 5,   # Bedford
        "E06000042": 4,   # Milton Keynes
    },
}  # fmt: skip
DISTRICT_ORIGIN_PROFILE = {
    "E07000008": "south",
    "E07000009": "south",
    "E07000011": "south",
    "E07000012": "south",
    "E07000010": "north",
    "E06000031": "north",
}
#: Where other out-of-area offenders live: neighbouring districts, a little London.
NEIGHBOUR_ORIGINS = {
    "E06000055": 10, "E06000056": 10, "E07000146": 10, "E07000140": 8, "E07000141": 8,
    "E07000077": 6, "E07000201": 6, "E07000099": 6, "E07000152": 6, "E07000154": 4,
    "E06000032": 5, "E09000012": 3, "E09000014": 3,
}  # fmt: skip
#: Postcode districts (outward codes) per district, illustrative.
POSTCODE_DISTRICTS = {
    "E07000008": ("CB1", "CB2", "CB3", "CB4", "CB5"),  # Cambridge
    "E07000009": ("CB6", "CB7", "CB25"),  # East Cambridgeshire
    "E07000010": ("PE13", "PE14", "PE15", "PE16"),  # Fenland
    "E07000011": ("PE19", "PE26", "PE27", "PE28", "PE29"),  # Huntingdonshire
    "E07000012": ("CB21", "CB22", "CB23", "CB24", "SG8"),  # South Cambridgeshire
    "E06000031": ("PE1", "PE2", "PE3", "PE4", "PE6", "PE7"),  # Peterborough
    "E09000012": ("E5", "E8", "E9", "N16"),  # Hackney
    "E09000014": ("N15", "N17", "N22", "N8"),  # Haringey
    "E09000010": ("EN1", "EN3", "N9", "N18"),  # Enfield
    "E09000031": ("E17", "E10", "E4"),  # Waltham Forest
    "E09000019": ("N7", "N19", "N1"),  # Islington
    "E09000028": ("SE15", "SE5", "SE17"),  # Southwark
    "E09000030": ("E1", "E3", "E14"),  # Tower Hamlets
    "E09000022": ("SW9", "SW2", "SE11"),  # Lambeth
    "E06000032": ("LU1", "LU2", "LU3", "LU4"),  # Luton
    "E06000055": ("MK40", "MK41", "MK42"),  # Bedford
    "E06000042": ("MK6", "MK9", "MK13", "MK14"),  # Milton Keynes
    "E07000154": ("NN1", "NN2", "NN3", "NN5"),  # Northampton
    "E06000016": ("LE1", "LE2", "LE3", "LE4"),  # Leicester
    "E06000018": ("NG1", "NG3", "NG5", "NG7"),  # Nottingham
    "E06000056": ("LU5", "LU6", "SG17", "MK45"),  # Central Bedfordshire
    "E07000146": ("PE30", "PE31", "PE33", "PE38"),  # King's Lynn and West Norfolk
    "E07000140": ("PE11", "PE12"),  # South Holland
    "E07000141": ("PE9", "PE10", "NG31"),  # South Kesteven
    "E07000077": ("CB10", "CB11", "CM6"),  # Uttlesford
    "E07000201": ("CB8", "IP28"),  # Forest Heath
    "E07000099": ("SG4", "SG6", "SG7"),  # North Hertfordshire
    "E07000152": ("PE8", "NN14"),  # East Northamptonshire
}

#: Relative chance that an eligible row carries the knife flag (weighted sampling of
#: exactly the P5 number of rows). Codes not listed: DEFAULT_KNIFE_WEIGHT.
KNIFE_WEIGHTS = {
    "1/4.1/4.10/4.2": 0.40,
    "2": 0.60,
    "5D": 0.30,
    "3B": 0.12,
    "8N": 0.03,
    "8P": 0.03,
    "34A": 0.25,
    "34B": 0.15,
}
DEFAULT_KNIFE_WEIGHT = 0.05
#: P(firearm = Y) per offence code (gun_crime codes only). Illustrative.
FIREARM_RATES = {
    "1/4.1/4.10/4.2": 0.04,
    "2": 0.05,
    "3B": 0.01,
    "5D": 0.01,
    "5E": 0.03,
    "8N": 0.001,
    "105A": 0.0005,
    "34A": 0.03,
    "34B": 0.005,
}

#: Month of the year -> relative frequency: 1 + amplitude * cos(2 pi (month - peak) / 12).
SEASON = {"violence": (0.08, 7), "robbery": (0.10, 12), "weapons": (0.06, 7), "drugs": (0.04, 6)}
#: Monday..Sunday relative frequency.
WEEKDAY = {
    "violence": (0.88, 0.86, 0.88, 0.93, 1.08, 1.25, 1.12),
    "robbery": (0.95, 0.95, 0.97, 1.0, 1.07, 1.08, 0.98),
    "weapons": (1.0, 1.0, 1.0, 1.02, 1.05, 1.05, 0.9),
    "drugs": (1.05, 1.05, 1.05, 1.05, 1.0, 0.92, 0.88),
}
#: Hour 0..23 relative frequency. "violence_weekend" applies on Friday-Sunday dates.
HOURS = {
    "violence": (3, 2, 1.5, 1, 0.8, 0.7, 1, 1.5, 2.5, 3, 3.5, 4, 4.5, 4.8, 5, 5.5, 6, 6.2,
                 6.2, 6, 5.5, 5, 4.5, 3.5),
    "violence_weekend": (7, 7, 6, 4, 2.5, 1.5, 1, 1, 1.5, 2, 2.5, 3, 3.5, 3.8, 4, 4.2, 4.5,
                         5, 5.5, 6, 6.5, 7, 7.5, 7.5),
    "robbery": (3, 2.5, 2, 1.2, 0.8, 0.5, 0.5, 0.8, 1.2, 1.5, 2, 2.5, 3, 3.2, 3.5, 4.5, 5.5,
                6, 6, 6, 6, 5.5, 5, 4),
    "weapons": (1.5, 1.2, 0.8, 0.5, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 4, 4.2, 4.5, 5, 5.2, 5.5,
                5.8, 5.8, 5.5, 5, 4, 3, 2),
}  # fmt: skip
HOURS["drugs"] = HOURS["weapons"]
#: Share of offences with no recorded hour (blank offence_hour).
UNKNOWN_HOUR_SHARE = 0.03
PROFILE = {
    "homicide": "violence",
    "violence_with_injury": "violence",
    "violence_without_injury": "violence",
    "robbery": "robbery",
    "possession_of_weapons": "weapons",
    "drug_offences": "drugs",
}

#: Age bands (first, last, weight). Illustrative distributions, not fitted to data.
AGE_BANDS = {
    "general_victim": (
        (0, 9, 3),
        (10, 17, 13),
        (18, 24, 20),
        (25, 34, 24),
        (35, 44, 18),
        (45, 54, 12),
        (55, 64, 6),
        (65, 95, 4),
    ),
    "serious_victim": (
        (10, 17, 10),
        (18, 24, 28),
        (25, 34, 28),
        (35, 44, 17),
        (45, 64, 13),
        (65, 90, 4),
    ),
    "homicide_victim": ((0, 15, 8), (16, 24, 18), (25, 44, 38), (45, 64, 24), (65, 95, 12)),
    "officer": ((20, 29, 35), (30, 39, 35), (40, 49, 22), (50, 60, 8)),
    "child": ((0, 15, 1),),
    "robbery_personal_victim": (
        (10, 17, 26),
        (18, 24, 30),
        (25, 34, 19),
        (35, 54, 17),
        (55, 90, 8),
    ),
    "robbery_business_victim": ((16, 24, 35), (25, 44, 40), (45, 70, 25)),
    "violent_offender": (
        (10, 17, 12),
        (18, 24, 25),
        (25, 34, 30),
        (35, 44, 19),
        (45, 54, 10),
        (55, 80, 4),
    ),
    "robbery_offender": ((10, 17, 34), (18, 24, 36), (25, 34, 20), (35, 54, 10)),
    "homicide_offender": ((14, 17, 7), (18, 24, 30), (25, 44, 43), (45, 75, 20)),
    "weapons_offender": ((12, 17, 22), (18, 24, 33), (25, 34, 25), (35, 54, 17), (55, 75, 3)),
    "drug_possession_offender": (
        (14, 17, 12),
        (18, 24, 42),
        (25, 34, 28),
        (35, 54, 16),
        (55, 70, 2),
    ),
    "drug_supply_adult": ((18, 24, 48), (25, 34, 33), (35, 44, 13), (45, 64, 6)),
    "drug_supply_child": ((13, 13, 1), (14, 14, 3), (15, 15, 6), (16, 16, 10), (17, 17, 12)),
}
#: Victim (age bands, share male) per offence code; codes not listed: DEFAULT_VICTIM.
VICTIM_PROFILE = {
    "1/4.1/4.10/4.2": ("homicide_victim", 0.68),
    "2": ("serious_victim", 0.78), "5D": ("serious_victim", 0.76),
    "5E": ("serious_victim", 0.60),
    "8N": ("general_victim", 0.52), "8P": ("general_victim", 0.62),
    "105A": ("general_victim", 0.45), "105B": ("general_victim", 0.55),
    "8S": ("officer", 0.72), "104": ("officer", 0.72),
    "11A": ("child", 0.50), "13": ("child", 0.45), "4.3": ("child", 0.50),
    "34A": ("robbery_business_victim", 0.55), "34B": ("robbery_personal_victim", 0.78),
}  # fmt: skip
DEFAULT_VICTIM = ("general_victim", 0.50)
VICTIMLESS = frozenset({"possession_of_weapons", "drug_offences"})
VICTIM_UNKNOWN_AGE_SHARE, UNKNOWN_SEX_SHARE = 0.03, 0.01
#: Offender (age bands, share male, share of offences with an identified offender).
OFFENDER_PROFILE = {
    "homicide": ("homicide_offender", 0.90, 0.95),
    "violence_with_injury": ("violent_offender", 0.82, 0.78),
    "violence_without_injury": ("violent_offender", 0.76, 0.72),
    "robbery": ("robbery_offender", 0.92, 0.45),
    "possession_of_weapons": ("weapons_offender", 0.91, 0.98),
    "drug_offences": ("drug_possession_offender", 0.88, 1.0),
}
SUPPLY_OFFENDER_MALE_SHARE = 0.90

_STEPS = {
    "codes": 1,
    "lsoa": 2,
    "dates": 3,
    "hours": 4,
    "victims": 5,
    "offenders": 6,
    "homes": 7,
    "county_lines": 8,
    "knife": 9,
    "firearm": 10,
    "order": 11,
}


# -- inputs ----------------------------------------------------------------------------


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

    def generate(self) -> pd.DataFrame:
        return generate(
            self.annual_totals,
            self.lsoa_weights,
            self.code_shares,
            self.lsoa_districts,
            knife_codes=self.knife_codes,
            firearm_codes=self.firearm_codes,
            seed=self.seed,
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
    )


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


# -- the generator -----------------------------------------------------------------------


def generate(
    annual_totals: pd.DataFrame,
    lsoa_weights: pd.DataFrame,
    code_shares: Mapping[str, Mapping[str, float]],
    lsoa_districts: Mapping[str, str],
    *,
    knife_codes: Iterable[str] = tuple(KNIFE_WEIGHTS),
    firearm_codes: Iterable[str] = tuple(FIREARM_RATES),
    seed: int,
) -> pd.DataFrame:
    """A synthetic extract in the force-extract schema, as text columns ("" = blank).

    ``annual_totals``: ``year, category, count`` (categories of :data:`CATEGORIES`; rows
    for ``knife_crime`` give how many knife-eligible rows to flag ``sharp_instrument``);
    ``lsoa_weights``: counts per LSOA (index) and police.uk crime type (columns);
    ``code_shares``: category -> {Home Office code: share}; ``lsoa_districts``: LSOA ->
    district code. Pure: the same inputs and seed give the same frame.
    """
    totals = annual_totals.set_index(["year", "category"])["count"].astype(int)
    years = sorted({int(y) for y, _ in totals.index})
    lsoas = np.asarray(lsoa_weights.index, dtype=object)
    districts = np.asarray([lsoa_districts[code] for code in lsoas], dtype=object)
    probabilities = {
        c: _lsoa_probabilities(lsoa_weights[CATEGORY_CRIME_TYPE[c]]) for c in CATEGORIES
    }
    area_districts = tuple(sorted(set(districts)))
    frames = []
    for year in years:
        parts = []
        for index, category in enumerate(CATEGORIES):
            n = int(totals.get((year, category), 0))
            if n:
                rng = _Streams(seed, year, index)
                parts.append(
                    _category_rows(
                        rng,
                        year,
                        category,
                        n,
                        code_shares[category],
                        lsoas,
                        districts,
                        probabilities[category],
                        area_districts,
                    )
                )
        if not parts:
            continue
        rows = pd.concat(parts, ignore_index=True)
        streams = _Streams(seed, year, len(CATEGORIES))
        _flag_knives(streams, rows, int(totals.get((year, KNIFE), 0)), set(knife_codes), year)
        _flag_firearms(streams, rows, set(firearm_codes))
        frames.append(_order_and_name(streams, rows, year))
    frame = pd.concat(frames, ignore_index=True)[list(force_extract.COLUMNS)]
    frame.attrs["synthetic"] = True
    frame.attrs["label"] = SYNTHETIC_LABEL
    return frame


class _Streams:
    """One independent random stream per generation step of a (year, category)."""

    def __init__(self, seed: int, year: int, category: int) -> None:
        self.key = (int(seed), int(year), int(category))

    def __getitem__(self, step: str) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([*self.key, _STEPS[step]]))


def _lsoa_probabilities(counts: pd.Series) -> np.ndarray:
    counts = counts.to_numpy(dtype="float64")
    share = counts / counts.sum() if counts.sum() > 0 else np.full(len(counts), 1 / len(counts))
    probabilities = (1 - LSOA_FLOOR_SHARE) * share + LSOA_FLOOR_SHARE / len(counts)
    return probabilities / probabilities.sum()


def _category_rows(
    rng: _Streams,
    year: int,
    category: str,
    n: int,
    shares: Mapping[str, float],
    lsoas: np.ndarray,
    districts: np.ndarray,
    lsoa_p: np.ndarray,
    area_districts: tuple[str, ...],
) -> pd.DataFrame:
    codes = np.asarray(list(shares), dtype=object)
    weights = np.asarray(list(shares.values()), dtype="float64")
    code = codes[rng["codes"].choice(len(codes), size=n, p=weights / weights.sum())]
    where = rng["lsoa"].choice(len(lsoas), size=n, p=lsoa_p)
    profile = PROFILE[category]
    dates = _dates(rng["dates"], year, n, profile)
    rows = pd.DataFrame(
        {
            "offence_date": dates.strftime("%Y-%m-%d"),
            "offence_hour": _hours(rng["hours"], dates, profile),
            "home_office_code": code,
            "lsoa_code": lsoas[where],
            "sharp_instrument": "N",
            "firearm": "N",
            "_district": districts[where],
            "_category": category,
            "_date": dates,
        }
    )
    _victims(rng["victims"], rows, category)
    _offenders(rng, rows, category, area_districts)
    return rows


def _dates(rng: np.random.Generator, year: int, n: int, profile: str) -> pd.DatetimeIndex:
    days = pd.date_range(f"{year}-04-01", f"{year + 1}-03-31", freq="D")
    amplitude, peak = SEASON[profile]
    weight = (1 + amplitude * np.cos(2 * np.pi * (days.month.to_numpy() - peak) / 12)) * np.asarray(
        WEEKDAY[profile]
    )[days.day_of_week.to_numpy()]
    return days[rng.choice(len(days), size=n, p=weight / weight.sum())]


def _hours(rng: np.random.Generator, dates: pd.DatetimeIndex, profile: str) -> np.ndarray:
    draws, unknown = rng.random(len(dates)), rng.random(len(dates)) < UNKNOWN_HOUR_SHARE
    hours = _pick(draws, HOURS[profile])
    if profile == "violence":
        weekend = dates.day_of_week.to_numpy() >= 4
        hours = np.where(weekend, _pick(draws, HOURS["violence_weekend"]), hours)
    return np.where(unknown, "", hours.astype(str)).astype(object)


def _pick(draws: np.ndarray, weights) -> np.ndarray:
    """Index of the category each uniform draw falls in, for weights (inverse cdf)."""
    cdf = np.cumsum(np.asarray(weights, dtype="float64"))
    return np.minimum(np.searchsorted(cdf / cdf[-1], draws, side="right"), len(cdf) - 1)


def _ages(rng: np.random.Generator, bands_name: str, n: int) -> np.ndarray:
    bands = np.asarray(AGE_BANDS[bands_name], dtype="float64")
    band = _pick(rng.random(n), bands[:, 2])
    low, high = bands[band, 0], bands[band, 1]
    return (low + np.floor(rng.random(n) * (high - low + 1))).astype(int)


def _sexes(rng: np.random.Generator, male_share: float, n: int) -> np.ndarray:
    draws = rng.random(n)
    return np.where(
        draws < UNKNOWN_SEX_SHARE,
        "U",
        np.where(draws < UNKNOWN_SEX_SHARE + (1 - UNKNOWN_SEX_SHARE) * male_share, "M", "F"),
    ).astype(object)


def _victims(rng: np.random.Generator, rows: pd.DataFrame, category: str) -> None:
    n = len(rows)
    rows["victim_age"], rows["victim_sex"] = "", ""
    if category in VICTIMLESS:
        return
    age = np.full(n, "", dtype=object)
    sex = np.full(n, "", dtype=object)
    codes = rows["home_office_code"].to_numpy()
    for code in sorted(set(codes)):
        mask = codes == code
        bands, male = VICTIM_PROFILE.get(code, DEFAULT_VICTIM)
        ages = _ages(rng, bands, int(mask.sum())).astype(str).astype(object)
        ages[rng.random(int(mask.sum())) < VICTIM_UNKNOWN_AGE_SHARE] = ""
        age[mask], sex[mask] = ages, _sexes(rng, male, int(mask.sum()))
    rows["victim_age"], rows["victim_sex"] = age, sex


def _offenders(
    rng: _Streams, rows: pd.DataFrame, category: str, area_districts: tuple[str, ...]
) -> None:
    """Offender age, sex, home district, postcode district and the County Lines flag."""
    n = len(rows)
    supply = rows["home_office_code"].isin(DRUG_SUPPLY_CODES).to_numpy()
    bands, male, identified_share = OFFENDER_PROFILE[category]
    r_off, r_home, r_cl = rng["offenders"], rng["homes"], rng["county_lines"]
    identified = (r_off.random(n) < identified_share) | supply
    district = rows["_district"].to_numpy()

    # where the offender lives: "outside" the force area, "local" or "unknown"
    draw_unknown, draw_outside = r_home.random(n), r_home.random(n)
    import_share = (
        pd.Series(district)
        .map(SUPPLY_IMPORT_SHARE)
        .fillna(DEFAULT_IMPORT_SHARE)
        .to_numpy(dtype="float64")
    )
    unknown_share = np.where(supply, SUPPLY_UNKNOWN_HOME_SHARE, OTHER_UNKNOWN_HOME_SHARE)
    outside_share = np.where(supply, import_share, OTHER_OUTSIDE_SHARE[category])
    unknown = draw_unknown < unknown_share
    outside = ~unknown & (draw_outside < outside_share)
    home_kind = np.where(unknown, "unknown", np.where(outside, "outside", "local"))
    home = _homes(r_home, district, outside, unknown, supply, area_districts)
    postcode = _postcodes(r_home, home)

    # age and sex
    age = _ages(r_off, bands, n)
    sex = _sexes(r_off, male, n)
    if supply.any():
        under_18 = r_off.random(n) < np.asarray([SUPPLY_UNDER_18_SHARE[k] for k in home_kind])
        child, adult = _ages(r_off, "drug_supply_child", n), _ages(r_off, "drug_supply_adult", n)
        age = np.where(supply, np.where(under_18, child, adult), age)
        sex = np.where(supply, _sexes(r_off, SUPPLY_OFFENDER_MALE_SHARE, n), sex)

    # County Lines
    kind = np.where(
        supply,
        "supply",
        {"drug_offences": "drugs", "possession_of_weapons": "weapons"}.get(category, "other"),
    )
    rates = {
        f"{k}|{h}": COUNTY_LINES_RATE.get((k, h), COUNTY_LINES_RATE.get((k, "local"), 0.0))
        for k in ("supply", "drugs", "weapons", "other")
        for h in ("outside", "local", "unknown")
    }
    rate = (
        pd.Series(kind.astype(object) + "|" + home_kind.astype(object))
        .map(rates)
        .to_numpy(dtype="float64")
    )
    county_lines = identified & (r_cl.random(n) < rate)

    blank = np.full(n, "", dtype=object)
    rows["offender_age"] = np.where(identified, age.astype(str), blank)
    rows["offender_sex"] = np.where(identified, sex, blank)
    rows["offender_home_district"] = np.where(identified, home, blank)
    rows["offender_postcode_district"] = np.where(identified, postcode, blank)
    rows["county_lines"] = np.where(county_lines, "Y", "N")
    rows["_home"] = np.where(identified, home_kind, "")


def _homes(
    rng: np.random.Generator,
    district: np.ndarray,
    outside: np.ndarray,
    unknown: np.ndarray,
    supply: np.ndarray,
    area_districts: tuple[str, ...],
) -> np.ndarray:
    n = len(district)
    home = district.copy()
    others = rng.random(n) >= LOCAL_SAME_DISTRICT
    pick_other = rng.integers(0, len(area_districts), size=n)
    home = np.where(others, np.asarray(area_districts, dtype=object)[pick_other], home)
    draws = rng.random(n)
    for profile, origins in IMPORT_ORIGINS.items():
        mask = (
            outside
            & supply
            & (
                pd.Series(district).map(DISTRICT_ORIGIN_PROFILE).fillna("south").to_numpy()
                == profile
            )
        )
        home[mask] = _weighted(origins, draws[mask])
    mask = outside & ~supply
    home[mask] = _weighted(NEIGHBOUR_ORIGINS, draws[mask])
    home[unknown] = ""
    return home


def _weighted(weights: Mapping[str, float], draws: np.ndarray) -> np.ndarray:
    keys = np.asarray(list(weights), dtype=object)
    return keys[_pick(draws, list(weights.values()))]


def _postcodes(rng: np.random.Generator, homes: np.ndarray) -> np.ndarray:
    """A postcode district of each home district (blank if unknown or not listed)."""
    draws = rng.random(len(homes))
    postcode = np.full(len(homes), "", dtype=object)
    for home in sorted(set(homes) - {""}):
        options = POSTCODE_DISTRICTS.get(home)
        if options:
            mask = homes == home
            postcode[mask] = np.asarray(options, dtype=object)[
                (draws[mask] * len(options)).astype(int)
            ]
    return postcode


def _flag_knives(
    rng: _Streams, rows: pd.DataFrame, target: int, codes: set[str], year: int
) -> None:
    """Flag exactly ``target`` knife-eligible rows, weighted by :data:`KNIFE_WEIGHTS`
    (weighted sampling without replacement, Efraimidis-Spirakis keys)."""
    if target <= 0:
        return
    eligible = np.flatnonzero(rows["home_office_code"].isin(codes).to_numpy())
    if target > len(eligible):
        raise ValueError(
            f"{financial_year_label(year)}: {target} knife offences but only "
            f"{len(eligible)} eligible rows"
        )
    weights = (
        rows["home_office_code"]
        .iloc[eligible]
        .map(lambda c: KNIFE_WEIGHTS.get(c, DEFAULT_KNIFE_WEIGHT))
        .to_numpy(dtype="float64")
    )
    keys = np.log(rng["knife"].random(len(eligible))) / weights
    chosen = eligible[np.argsort(-keys, kind="stable")[:target]]
    rows.loc[rows.index[chosen], "sharp_instrument"] = "Y"


def _flag_firearms(rng: _Streams, rows: pd.DataFrame, codes: set[str]) -> None:
    rate = (
        rows["home_office_code"]
        .map(lambda c: FIREARM_RATES.get(c, 0.0) if c in codes else 0.0)
        .to_numpy(dtype="float64")
    )
    flag = (rng["firearm"].random(len(rows)) < rate) & (rows["sharp_instrument"] == "N")
    rows.loc[flag.to_numpy(), "firearm"] = "Y"


def _order_and_name(rng: _Streams, rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Sort by date and hour (ties in random order) and number the offences SYNTH-<year>-n."""
    hour = pd.to_numeric(rows["offence_hour"].replace("", "24"))
    order = pd.DataFrame(
        {"date": rows["_date"], "hour": hour, "tie": rng["order"].permutation(len(rows))}
    )
    rows = rows.iloc[order.sort_values(["date", "hour", "tie"]).index].reset_index(drop=True)
    rows["offence_reference"] = [
        f"{REFERENCE_PREFIX}{year}-{i:06d}" for i in range(1, len(rows) + 1)
    ]
    return rows


# -- writing ---------------------------------------------------------------------------


def to_csv_gz(frame: pd.DataFrame) -> bytes:
    """The extract as gzipped UTF-8 CSV bytes, reproducible (no time stamp, no file name)."""
    text = frame[list(force_extract.COLUMNS)].to_csv(index=False, lineterminator="\n")
    return gzip.compress(text.encode("utf-8"), compresslevel=GZIP_LEVEL, mtime=0)


def write_demo_extract(
    config: AssessmentConfig | None = None, path: str | Path | None = None
) -> Path:
    """Generate the demonstration extract from the real files and write it (gzipped CSV)."""
    config = config or load_config(DEFAULT_CONFIG)
    path = from_root(path) if path is not None else DEFAULT_OUTPUT
    data = to_csv_gz(build_inputs(config).generate())
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
    return path


def manifest_entry(path: str | Path = DEFAULT_OUTPUT) -> dict:
    """The data-manifest entry (id ``demo_force_extract``) for a written extract."""
    path = from_root(path)
    data = path.read_bytes()
    try:
        relative = path.relative_to(RAW_DIR).as_posix()
    except ValueError:
        relative = path.as_posix()
    return {
        "id": "demo_force_extract",
        "title": "SYNTHETIC demonstration force offence extract, Cambridgeshire & "
        "Peterborough (not real offences)",
        "publisher": "Generated by needs_assessment.demo (synthetic)",
        "licence": "Synthetic data generated by this project (MIT, as the code); calibrated "
        "to Open Government Licence v3.0 aggregates (ONS, Home Office, police.uk)",
        "years": "April 2010 to March 2022 (financial years 2010/11 to 2021/22); real totals "
        "to 2018/19, continued by the ONS crime severity score to 2021/22",
        "origin": "python -m needs_assessment.demo (seed 20210331) from ons_rec_crime_pfa, "
        "ons_pfa_tables (P1, P5), ons_crime_severity_pfa, "
        "home_office_prc_pfa_2017_18, policeuk_street_cambridgeshire and the "
        "LSOA to police force lookup",
        "derived": True,
        "synthetic": True,
        "files": [
            {"path": relative, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        ],
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m needs_assessment.demo [--config FILE] [--out FILE]``."""
    parser = argparse.ArgumentParser(
        prog="python -m needs_assessment.demo", description=f"Write the {SYNTHETIC_LABEL}."
    )
    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="assessment config")
    parser.add_argument("--out", default=None, help=f"output file (default {DEFAULT_OUTPUT})")
    args = parser.parse_args(argv)
    path = write_demo_extract(load_config(args.config), args.out)
    entry = manifest_entry(path)
    rows = sum(1 for _ in io.StringIO(gzip.decompress(path.read_bytes()).decode())) - 1
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(
        f"wrote {shown}: {rows} rows, {entry['files'][0]['bytes']} bytes, "
        f"sha256 {entry['files'][0]['sha256']}"
    )
    print(SYNTHETIC_LABEL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
