"""``sna init``: a complete, commented config for any territorial force or partnership.

Everything comes from the shipped lookups: the force's ONS code, its districts and their
names, the last financial year the force-level series cover, and only the data that exist
for that area (police.uk folders whose rows fall in the force; an extract only when one is
given). A file that belongs to another area is refused with a message naming it.
"""

from __future__ import annotations

import csv
import difflib
import gzip
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from needs_assessment.config import (
    CHAPTER_NEEDS,
    AssessmentConfig,
    force_slug,
    load_config,
    parse_config,
    police_uk_folder,
)
from needs_assessment.errors import ConfigError
from needs_assessment.forces import (
    TERRITORIAL_FORCES,
    police_uk_force,
    police_uk_foreign_file,
)
from needs_assessment.paths import DEFAULT_CONFIG, from_root
from needs_assessment.periods import financial_year_label

#: The chapters every territorial force has data for (force-level public series).
PUBLIC_CHAPTERS = ("summary", "trends", "people", "costs")
ORDER = ("summary", "trends", "deprivation", "hotspots", "county_lines", "people", "costs")


def match_force(name: str) -> str:
    """The territorial force ``name`` means (any case); else an error naming near matches."""
    by_lower = {force.lower(): force for force in TERRITORIAL_FORCES}
    found = by_lower.get(name.strip().lower()) or by_lower.get(police_uk_force(name).lower())
    if found:
        return found
    close = difflib.get_close_matches(name, sorted(TERRITORIAL_FORCES), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise ConfigError(f"{name!r} is not one of the 43 territorial police forces{hint}")


def check_police_uk(folder: Path, force: str) -> None:
    """Refuse a police.uk folder with a file whose rows fall in another force (named)."""
    files = sorted(from_root(folder).glob("**/*-street.csv"))
    if not files:
        raise ConfigError(f"{folder}: no police.uk street files (*-street.csv) in the folder")
    foreign = police_uk_foreign_file(files, force)
    if foreign:
        raise ConfigError(
            f"{foreign[0]}: its rows fall within {foreign[1]}, not {force}; "
            f"point data.police_uk at {force}'s police.uk files"
        )


def check_extract(path: Path, force: str, lsoa_force: pd.Series) -> None:
    """Refuse an extract whose LSOAs lie mostly in another force (named)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(from_root(path), "rt", encoding="utf-8-sig", newline="") as handle:
        codes = pd.Series([row.get("lsoa_code") for row in csv.DictReader(handle)]).dropna()
    owners = codes.map(lsoa_force).value_counts()
    if owners.empty:
        raise ConfigError(f"{path}: no LSOA code in the extract is one the lookup knows")
    if owners.index[0] != force:
        raise ConfigError(
            f"{path}: {owners.iloc[0]:,} of {len(codes):,} offences lie in {owners.index[0]}, "
            f"not {force}; give {force}'s own extract"
        )


@dataclass(frozen=True)
class Plan:
    """What a config for one area will say: its area block, data and chapters."""

    force: str
    display_name: str
    force_code: str | None
    districts: dict[str, str]
    first_year: int
    last_year: int
    police_uk: Path | None
    force_extract: Path | None
    chapters: tuple[str, ...]
    left_out: dict[str, str] = field(default_factory=dict)  # chapter -> what it would need
    partnership: bool = False  # a set of districts inside the force


def lookups(base: AssessmentConfig) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The processed LSOA lookup, force codes and force-level categories (prepared once)."""
    from needs_assessment.prepare import prepare, read

    names = ("lsoa_lookup", "pfa_knife", "force_offence_categories")
    prepare(base, only=names)
    return tuple(read(base, name) for name in names)  # type: ignore[return-value]


def plan(
    force: str,
    year: int | None = None,
    *,
    districts: list[str] | None = None,
    display_name: str | None = None,
    extract: Path | None = None,
    base: AssessmentConfig | None = None,
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None = None,
) -> Plan:
    """Everything ``sna init`` writes for ``force`` (or a partnership of its ``districts``);
    ``tables`` (from :func:`lookups`) saves reading them again for each of many forces."""
    force = match_force(force)
    base = base or load_config(DEFAULT_CONFIG)
    lsoa_lookup, knife, categories = tables or lookups(base)
    own = lsoa_lookup[lsoa_lookup["force"] == force].drop_duplicates("lad17_code")
    all_districts = dict(zip(own["lad17_code"], own["lad17_name"], strict=True))
    chosen = _districts(force, all_districts, districts, lsoa_lookup)
    latest = int(categories.loc[categories["area"] == force, "financial_year"].max())
    last_year = latest if year is None else _checked_year(year, latest)
    police_uk = police_uk_folder(force)
    if police_uk is not None:
        check_police_uk(police_uk, force)
    if extract is not None:
        check_extract(extract, force, lsoa_lookup.set_index("lsoa11_code")["force"])
    chapters, left_out = _chapters(police_uk, extract)
    forces = knife[knife["area_type"] == "force"]  # West Midlands is also a region
    named = forces[forces["area_name"].replace({"London, City of": "City of London"}) == force]
    partnership = len(chosen) < len(all_districts)
    return Plan(
        force=force,
        display_name=display_name or (" & ".join(chosen.values()) if partnership else force),
        force_code=str(named["area_code"].dropna().iloc[0]) if len(named) else None,
        districts=chosen,
        first_year=min(base.period.first_year, last_year),
        last_year=last_year,
        police_uk=police_uk,
        force_extract=extract,
        chapters=chapters,
        left_out=left_out,
        partnership=partnership,
    )


def _districts(force, all_districts, wanted, lsoa_lookup) -> dict[str, str]:
    if not wanted:
        return all_districts
    owners = lsoa_lookup.drop_duplicates("lad17_code").set_index("lad17_code")["force"]
    elsewhere = [
        f"{code} ({owners[code]})"
        for code in wanted
        if code in owners and code not in all_districts
    ]
    unknown = [code for code in wanted if code not in owners]
    if elsewhere or unknown:
        parts = [f"not in {force}: {', '.join(elsewhere)}"] if elsewhere else []
        parts += [f"unknown district codes: {', '.join(unknown)}"] if unknown else []
        raise ConfigError("--districts: " + "; ".join(parts))
    return {code: all_districts[code] for code in wanted}


def _checked_year(year: int, latest: int) -> int:
    if year > latest:
        raise ConfigError(
            f"--year {year}: the force-level series end in {financial_year_label(latest)}; "
            f"choose {latest} or earlier"
        )
    return year


def _chapters(police_uk, extract) -> tuple[tuple[str, ...], dict[str, str]]:
    """The chapters the area's data allow, and for each one left out what it needs."""
    data = {"police_uk": police_uk, "force_extract": extract}
    left_out = {
        chapter: need for chapter, (key, need) in CHAPTER_NEEDS.items() if data[key] is None
    }
    chosen = tuple(c for c in ORDER if c in PUBLIC_CHAPTERS or c not in left_out)
    return chosen, left_out


def render(plan: Plan, parallel_chapters: int = 0) -> str:
    """The config's text, every choice commented (``parallel_chapters``: 0 = one per core)."""
    lines = [
        f"# Serious violence strategic needs assessment: {plan.display_name}, "
        f"{financial_year_label(plan.first_year)} to {financial_year_label(plan.last_year)}.",
        "# Written by `sna init`; every key is explained in config/README.md.",
        "title: Serious violence strategic needs assessment",
        "area:",
        f"  force: {_quoted(plan.force)}            # as the ONS force-level data spell it",
        f"  display_name: {_quoted(plan.display_name)}",
    ]
    if plan.partnership:
        lines.append(
            f"  # A partnership of {len(plan.districts)} of {plan.force}'s districts: "
            f"force-level series are {plan.force}'s and labelled so."
        )
    lines += [f"  force_code: {plan.force_code}" if plan.force_code else "  # force_code: none"]
    lines += ["  districts:"] + [f"    {c}: {_quoted(n)}" for c, n in plan.districts.items()]
    lines += [
        "period:",
        f"  first_year: {plan.first_year}                 # financial year "
        f"{financial_year_label(plan.first_year)}",
        f"  last_year: {plan.last_year}                  # financial year "
        f"{financial_year_label(plan.last_year)}",
        "data:",
        "  # police.uk street-level crime: only files whose rows fall within this force.",
        f"  police_uk: {plan.police_uk.as_posix() if plan.police_uk else 'null'}",
        "  # The force's offence-level extract (docs/force_extract.md); null: none given.",
        f"  force_extract: {plan.force_extract.as_posix() if plan.force_extract else 'null'}",
        "  force_extract_is_synthetic: false",
        "report:",
        f"  chapters: [{', '.join(plan.chapters)}]",
        f"  parallel_chapters: {parallel_chapters}           # 0 = one chapter per CPU core",
    ]
    if plan.left_out:
        lines.append("  # Left out for want of data (add the data, then the chapter):")
        lines += [f"  #   {chapter}: needs {need}" for chapter, need in plan.left_out.items()]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def config_path(plan: Plan, folder: Path) -> Path:
    stem = force_slug(plan.display_name if plan.partnership else plan.force)
    return folder / f"{stem}-{plan.last_year}.yaml"


def write(plan: Plan, target: Path, *, overwrite: bool = False, parallel_chapters: int = 0) -> Path:
    """Validate the config, then write it (never over an existing file unless asked)."""
    from needs_assessment.refresh import _write_new

    text = render(plan, parallel_chapters)
    parse_config(text, target)  # validated before anything is written
    target.parent.mkdir(parents=True, exist_ok=True)
    if overwrite:
        target.write_text(text, encoding="utf-8")
        return target
    _write_new(target, text)
    return target
