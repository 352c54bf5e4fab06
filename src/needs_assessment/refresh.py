"""The annual refresh: next year's config from this year's, and what its inputs lack."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from needs_assessment.config import (
    AssessmentConfig,
    financial_year_label,
    load_config,
    parse_config,
)
from needs_assessment.coverage import stale_inputs, table_coverage
from needs_assessment.errors import ConfigError
from needs_assessment.prepare import TABLES, prepare, read

LAST_YEAR = re.compile(r"^(?P<indent>\s+)last_year:\s*(?P<year>\d{4})(?P<rest>.*)$", re.MULTILINE)
NAME_YEAR = re.compile(r"-(\d{4})$")


def next_config_path(source: Path, year: int) -> Path:
    """``cambridgeshire-2021.yaml`` -> ``cambridgeshire-2022.yaml``."""
    stem = (
        NAME_YEAR.sub(f"-{year}", source.stem)
        if NAME_YEAR.search(source.stem)
        else f"{source.stem}-{year}"
    )
    return source.with_name(f"{stem}.yaml")


def new_config(source: str | Path, year: int) -> Path:
    """Write next year's config: the period moved on, every other setting carried over.

    The file keeps the original's comments. Data paths are carried over for the analyst
    to point at the new downloads; :func:`input_report` says which ones stop too early.
    """
    source = Path(source)
    current = load_config(source)
    if year <= current.period.last_year:
        raise ConfigError(
            f"--year {year} must come after the current last year {current.period.last_year}"
        )
    latest = latest_published_year(current)
    if year > latest:
        raise ConfigError(
            f"--year {year}: {current.area.force}'s force-level series end in "
            f"{financial_year_label(latest)}; choose {latest} or earlier"
        )
    target = next_config_path(source, year)
    if target.exists():
        raise ConfigError(f"{target} already exists; remove it or choose another year")
    text = source.read_text(encoding="utf-8")
    if not LAST_YEAR.search(text):
        raise ConfigError(f"{source}: no 'period: last_year:' line to move on")
    text = LAST_YEAR.sub(lambda m: f"{m['indent']}last_year: {year}{m['rest']}", text, count=1)
    header = (
        f"# Refreshed from {source.name} by `sna new --year {year}`. Point the data paths at\n"
        "# the new downloads (add them to data/raw/manifest.yaml), then run `sna run`.\n"
    )
    parse_config(header + text, target)  # validated before anything is written
    _write_new(target, header + text)
    return target


def _write_new(target: Path, text: str) -> None:
    """Write a file that must not exist yet, whole or not at all (temporary file, link)."""
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.link(temp, target)  # fails if another process wrote the target meanwhile
    except FileExistsError:
        raise ConfigError(f"{target} already exists; remove it or choose another year") from None
    finally:
        Path(temp).unlink(missing_ok=True)


def input_report(config: AssessmentConfig) -> tuple[list, list[str]]:
    """Coverage of every processed table and the ones ending before the period does."""
    prepare(config)
    names = [t.name for t in TABLES if t.only_if is None or getattr(config.data, t.only_if)]
    coverages = [table_coverage(name, read(config, name)) for name in names]
    return coverages, stale_inputs(coverages, config)


#: The processed tables :func:`needs_assessment.coverage.area_checks` looks in.
AREA_TABLES = (
    "lsoa_lookup",
    "recorded_crime",
    "force_offence_categories",
    "district_population",
    "imd",
    "wimd",
    "police_uk_counts",
    "force_extract",
)


def area_report(config: AssessmentConfig) -> list:
    """Rows for the configured area in each of its sources (prepares the tables first)."""
    from needs_assessment.coverage import area_checks
    from needs_assessment.prepare import read_optional

    prepare(config)
    return area_checks(config, {name: read_optional(config, name) for name in AREA_TABLES})


def section_gaps(config: AssessmentConfig, coverages: list) -> list[str]:
    """Per chapter: each input it reads that is missing or ends before the period does,
    and the publication that supplies it."""
    from needs_assessment.chapters.registry import inputs
    from needs_assessment.config import CHAPTER_NEEDS
    from needs_assessment.coverage import PUBLICATIONS

    wanted = config.period.last_year
    ends = {c.table: c for c in coverages}
    lines = []
    for chapter in config.report.chapters:
        for table in inputs(chapter):
            item = ends.get(table)
            source = PUBLICATIONS.get(table, "the source named in data/raw/manifest.yaml")
            if item is None:
                lines.append(f"{chapter}: {table} is not configured ({source})")
            elif item.last_financial_year is not None and item.last_financial_year < wanted:
                lines.append(
                    f"{chapter}: {table} ends in {financial_year_label(item.last_financial_year)}"
                    f"; the next edition of {source}"
                )
    for chapter, (key, need) in CHAPTER_NEEDS.items():
        if chapter not in config.report.chapters and getattr(config.data, key) is None:
            lines.append(f"{chapter}: not in the report; needs {need}")
    return lines


def latest_published_year(config: AssessmentConfig) -> int:
    """The last financial year the force-level series (Home Office open data) cover."""
    prepare(config, only=["force_offence_categories"])
    categories = read(config, "force_offence_categories")
    return int(categories.loc[categories["area"] == config.area.force, "financial_year"].max())


def thin_report(config: AssessmentConfig) -> list:
    """Category-years where the extract holds under 80% of the published force count
    (empty without an extract, and for a partnership, which holds part of the force)."""
    from needs_assessment.coverage import thin_extract
    from needs_assessment.definitions import load_definitions

    if config.data.force_extract is None:
        return []
    lookup = read(config, "lsoa_lookup")
    force_districts = set(lookup.loc[lookup["force"] == config.area.force, "lad17_code"])
    if not force_districts <= set(config.area.districts):
        return []
    return thin_extract(
        read(config, "force_extract"),
        read(config, "force_offence_categories"),
        config.area.force,
        load_definitions(config.definitions),
    )
