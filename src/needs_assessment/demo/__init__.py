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

9. **People** (the optional columns: ethnicity, domestic abuse, pseudonymous ids), drawn
   after all the others from streams of their own, with planted disproportionality ratios,
   not-recorded shares and repeat victims and offenders: :mod:`needs_assessment.demo.people`.
   The other columns are byte-for-byte as they were before these were added.

The package: :mod:`.settings` (the constants), :mod:`.inputs` (the real files),
:mod:`.generator` (the seeded core), :mod:`.people` (the optional columns); writing and the
command line here.

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
from pathlib import Path

import pandas as pd

from needs_assessment.config import AssessmentConfig, load_config
from needs_assessment.demo.generator import generate
from needs_assessment.demo.inputs import (
    DemoInputs,
    area_lsoa_districts,
    build_inputs,
    input_path,
    real_annual_totals,
    real_code_shares,
    real_lsoa_weights,
)
from needs_assessment.demo.settings import *  # noqa: F403 (the documented constants)
from needs_assessment.demo.settings import (
    CATEGORIES,
    DEFAULT_OUTPUT,
    GZIP_LEVEL,
    KNIFE,
    SUPPLY_IMPORT_SHARE,
    SUPPLY_UNKNOWN_HOME_SHARE,
    SYNTHETIC_LABEL,
)
from needs_assessment.paths import DEFAULT_CONFIG, RAW_DIR, ROOT, from_root
from needs_assessment.sources import force_extract

__all__ = [
    "CATEGORIES",
    "DEFAULT_OUTPUT",
    "KNIFE",
    "SUPPLY_IMPORT_SHARE",
    "SUPPLY_UNKNOWN_HOME_SHARE",
    "SYNTHETIC_LABEL",
    "DemoInputs",
    "area_lsoa_districts",
    "build_inputs",
    "generate",
    "input_path",
    "main",
    "manifest_entry",
    "real_annual_totals",
    "real_code_shares",
    "real_lsoa_weights",
    "to_csv_gz",
    "write_demo_extract",
]

# -- writing ---------------------------------------------------------------------------


def to_csv_gz(frame: pd.DataFrame) -> bytes:
    """The extract as gzipped UTF-8 CSV bytes, reproducible (no time stamp, no file name)."""
    columns = [*force_extract.COLUMNS, *force_extract.OPTIONAL_COLUMNS]
    text = frame[[c for c in columns if c in frame.columns]].to_csv(
        index=False, lineterminator="\n"
    )
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
        "home_office_prc_pfa_2017_18, policeuk_street_cambridgeshire, the "
        "LSOA to police force lookup and census2021_ethnicity (the optional columns "
        "about people, drawn after the others from streams of their own)",
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
