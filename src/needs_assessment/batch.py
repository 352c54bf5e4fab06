"""Many assessments in one go: one per force, on a local process pool or a Dask cluster.

Each force gets a config derived from a template config (its area, code and districts
looked up in the processed data; everything else carried over). Processed data is
prepared once, before any assessment starts, and shared by all of them. One force's
failure is recorded and reported at the end; it never stops the others.
"""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import yaml

from needs_assessment.config import AssessmentConfig, load_config
from needs_assessment.prepare import prepare, read

#: Chapters that need data only the template's own force has (its extract, its police.uk files).
LOCAL_ONLY = frozenset({"deprivation", "hotspots", "county_lines"})


@dataclass(frozen=True)
class Outcome:
    force: str
    ok: bool
    seconds: float
    report: str | None = None
    error: str | None = None


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def all_forces(config: AssessmentConfig) -> list[str]:
    """The 43 territorial forces, as the ONS force-level data spell them."""
    population = read(config, "force_population")
    return sorted(population["force"].unique())


def force_config(
    template: AssessmentConfig, template_path: Path, force: str, folder: Path, year: int
) -> Path:
    """Write a config for ``force`` derived from the template; return its path."""
    settings = yaml.safe_load(template_path.read_text(encoding="utf-8"))
    if force != template.area.force:
        settings["area"] = _area(template, force)
        settings["report"] = dict(settings.get("report", {}))
        chapters = settings["report"].get("chapters", ["summary", "trends"])
        settings["report"]["chapters"] = [c for c in chapters if c not in LOCAL_ONLY]
        settings.setdefault("data", {})
        settings["data"]["force_extract"] = None
        settings["data"]["force_extract_is_synthetic"] = False
    path = folder / f"{slug(force)}-{year}.yaml"
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return path


def _area(template: AssessmentConfig, force: str) -> dict:
    lookup = read(template, "lsoa_lookup")
    districts = lookup[lookup["force"] == force].drop_duplicates("lad17_code")
    codes = read(template, "pfa_knife")
    named = codes[codes["area_name"].replace({"London, City of": "City of London"}) == force]
    return {
        "force": force,
        "display_name": force,
        "force_code": named["area_code"].dropna().iloc[0] if len(named) else None,
        "districts": dict(zip(districts["lad17_code"], districts["lad17_name"], strict=True)),
    }


def run_one(config_path: str, reports_dir: str) -> Outcome:
    """Run one assessment; never raises (the failure is in the outcome)."""
    from needs_assessment.report.run import run

    force = Path(config_path).stem
    began = time.perf_counter()
    try:
        folder = run(config_path, reports_dir=Path(reports_dir))
        return Outcome(force, True, time.perf_counter() - began, report=str(folder))
    except Exception as exc:  # one area's failure must not stop the batch
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return Outcome(force, False, time.perf_counter() - began, error=detail)


def run_batch(
    template_path: str | Path,
    forces: Iterable[str] | None,
    reports_dir: Path,
    *,
    workers: int = 2,
    scheduler: str | None = None,
    progress: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Prepare once, then run every force's assessment; return one outcome per force."""
    template_path = Path(template_path).resolve()
    template = load_config(template_path)
    prepare(template)
    folder = reports_dir / "_configs"
    folder.mkdir(parents=True, exist_ok=True)
    forces = list(forces) if forces else all_forces(template)
    paths = [
        str(force_config(template, template_path, f, folder, template.period.last_year))
        for f in forces
    ]
    if scheduler:
        return _on_dask(paths, reports_dir, scheduler, progress)
    outcomes = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_one, path, str(reports_dir)) for path in paths]
        for future in as_completed(futures):
            outcomes.append(future.result())
            progress(outcomes[-1])
    return sorted(outcomes, key=lambda o: o.force)


def _on_dask(paths: list[str], reports_dir: Path, scheduler, progress) -> list[Outcome]:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    client = scheduler if hasattr(scheduler, "submit") else Client(scheduler)
    futures = [client.submit(run_one, path, str(reports_dir), pure=False) for path in paths]
    outcomes = []
    for future in dask_completed(futures):
        outcomes.append(future.result())
        progress(outcomes[-1])
    return sorted(outcomes, key=lambda o: o.force)
