"""Many assessments in one go: one per force, on a local process pool or a Dask cluster.

Each force gets the config ``sna init`` would write for it (its own area, code, districts
and only its own data files; every chapter its data allow), in ``reports/batch/_configs/``,
and its report in ``reports/batch/<force>/``, so a hand-made report is never overwritten.
Processed data is prepared once, before any assessment starts. Each worker keeps its
notebook kernels from one force to the next (:func:`report.kernels.process_pool`), so the
toolkit is imported once per worker, not once per chapter; the forces with the most
chapters start first, so no long one is left running alone at the end. One force's
failure is recorded and reported at the end; it never stops the others.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from needs_assessment import init as area_init
from needs_assessment.config import force_slug, load_config
from needs_assessment.errors import AssessmentError
from needs_assessment.forces import TERRITORIAL_FORCES
from needs_assessment.prepare import prepare

BATCH_FOLDER = "batch"
slug = force_slug


@dataclass(frozen=True)
class Outcome:
    force: str
    ok: bool
    seconds: float
    report: str | None = None
    error: str | None = None
    chapters: tuple[str, ...] = ()  # the chapters the force's data allow
    left_out: dict[str, str] = field(default_factory=dict)  # chapter -> what it needs


def batch_folder(reports_dir: Path) -> Path:
    return reports_dir / BATCH_FOLDER


def write_configs(
    template_path: Path, forces: Iterable[str], folder: Path, year: int | None = None
) -> tuple[dict[str, Path], dict[str, area_init.Plan], list[Outcome]]:
    """``sna init`` for each force into ``folder``: paths and plans, and outcomes of the
    forces that cannot have a config (an unknown name)."""
    template = load_config(template_path)
    prepare(template)
    tables = area_init.lookups(template)
    folder.mkdir(parents=True, exist_ok=True)
    paths, plans, refused = {}, {}, []
    for name in forces:
        try:
            plan = area_init.plan(
                name, year or template.period.last_year, base=template, tables=tables
            )
            key = slug(plan.force)
            # one chapter at a time: the batch already runs one force per worker
            paths[key] = area_init.write(
                plan, folder / f"{key}.yaml", overwrite=True, parallel_chapters=1
            )
        except AssessmentError as exc:  # this force's config only: the others go on
            refused.append(Outcome(slug(name), False, 0.0, error=str(exc)))
            continue
        plans[key] = plan
    return paths, plans, refused


def run_one(config_path: str, reports_dir: str, pdf: bool = True) -> Outcome:
    """Run one assessment on this process's kernels; never raises (the failure is in the
    outcome)."""
    from needs_assessment.report.kernels import process_pool
    from needs_assessment.report.run import run

    force = Path(config_path).stem
    began = time.perf_counter()
    try:
        folder = run(config_path, reports_dir=Path(reports_dir), pdf=pdf, kernels=process_pool())
        return Outcome(force, True, time.perf_counter() - began, report=str(folder))
    except Exception as exc:  # one area's failure must not stop the batch
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return Outcome(force, False, time.perf_counter() - began, error=detail)


def run_batch(
    template_path: str | Path,
    forces: Iterable[str] | None,
    reports_dir: Path,
    *,
    year: int | None = None,
    workers: int = 2,
    scheduler=None,
    pdf: bool = True,
    started: Callable[[int], None] = lambda total: None,
    progress: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    """Prepare once, then run every force's assessment into ``reports_dir/batch/<force>/``
    (``pdf=False``: no PDF); return one outcome per force (its chapters and what the
    others would need)."""
    target = batch_folder(reports_dir)
    names = list(forces) if forces else sorted(TERRITORIAL_FORCES)
    paths, plans, refused = write_configs(
        Path(template_path).resolve(), names, target / "_configs", year
    )
    started(len(paths) + len(refused))
    for outcome in refused:
        progress(outcome)
    todo = [str(paths[key]) for key in longest_first(plans)]
    if scheduler:
        done = _on_dask(todo, target, scheduler, progress, pdf)
    else:
        done = _on_pool(todo, target, workers, progress, pdf)
    outcomes = [_with_plan(o, plans.get(o.force)) for o in done] + refused
    return sorted(outcomes, key=lambda o: o.force)


def _with_plan(outcome: Outcome, plan: area_init.Plan | None) -> Outcome:
    if plan is None:
        return outcome
    return Outcome(**{**outcome.__dict__, "chapters": plan.chapters, "left_out": plan.left_out})


def longest_first(plans: dict[str, area_init.Plan]) -> list[str]:
    """Forces in the order to start them: most chapters first, then by name."""
    return sorted(plans, key=lambda key: (-len(plans[key].chapters), key))


def _on_pool(paths: list[str], target: Path, workers: int, progress, pdf: bool) -> list[Outcome]:
    outcomes = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run_one, path, str(target), pdf) for path in paths]
        for future in as_completed(futures):
            outcomes.append(future.result())
            progress(outcomes[-1])
    return outcomes


def _on_dask(paths: list[str], target: Path, scheduler, progress, pdf: bool) -> list[Outcome]:
    from dask.distributed import Client

    if hasattr(scheduler, "submit"):  # a client the caller made (and closes)
        return _submit_to_dask(scheduler, paths, target, progress, pdf)
    with Client(scheduler) as client:
        return _submit_to_dask(client, paths, target, progress, pdf)


def _submit_to_dask(client, paths: list[str], target: Path, progress, pdf: bool):
    from dask.distributed import as_completed as dask_completed

    futures = [
        client.submit(run_one, path, str(target), pdf, pure=False, priority=len(paths) - rank)
        for rank, path in enumerate(paths)
    ]
    outcomes = []
    for future in dask_completed(futures):
        outcomes.append(future.result())
        progress(outcomes[-1])
    return outcomes


def sections_table(outcomes: list[Outcome]) -> list[list[str]]:
    """Forces x chapters: "yes" (published), "no" (the data do not allow it), "failed"."""
    header = ["force", *area_init.ORDER]
    rows = [header]
    for o in outcomes:
        cells = [
            ("yes" if o.ok else "failed") if c in o.chapters else "no" for c in area_init.ORDER
        ]
        rows.append([o.force, *cells])
    return rows
