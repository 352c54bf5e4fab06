"""The annual refresh: next year's config from this year's, and what its inputs lack."""

from __future__ import annotations

import re
from pathlib import Path

from needs_assessment.config import AssessmentConfig, load_config
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
    target.write_text(header + text, encoding="utf-8")
    load_config(target)  # the new file must validate
    return target


def input_report(config: AssessmentConfig) -> tuple[list, list[str]]:
    """Coverage of every processed table and the ones ending before the period does."""
    prepare(config)
    names = [t.name for t in TABLES if t.only_if is None or getattr(config.data, t.only_if)]
    coverages = [table_coverage(name, read(config, name)) for name in names]
    return coverages, stale_inputs(coverages, config)
