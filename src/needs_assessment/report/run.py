"""Run an assessment: prepare data, execute each chapter with papermill, publish the page.

Publishing is atomic. Everything is written to a staging folder beside the report; only
when every chapter has executed and rendered is the previous ``reports/<name>/`` replaced,
by one atomic exchange of the two folders. A failure names the notebook and cell, and
leaves the previous report untouched; a run killed at any point leaves the old or the new
report complete, and the next run restores or removes what it left behind, and says so.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import nullcontext
from functools import partial
from pathlib import Path

import nbformat
import papermill
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from papermill.exceptions import PapermillExecutionError

from needs_assessment.chapters.registry import chapter_notebook, execution_order, page_order
from needs_assessment.config import CHAPTER_NEEDS, AssessmentConfig, load_config
from needs_assessment.errors import ConfigError, NotebookError
from needs_assessment.manifest import verify_raw
from needs_assessment.paths import KERNEL_NAME, REPORTS_DIR, ROOT, from_root
from needs_assessment.prepare import input_hashes, prepare
from needs_assessment.presentation.text import escape_markdown
from needs_assessment.report import cache
from needs_assessment.report.kernels import ENGINE, KernelPool
from needs_assessment.report.provenance import appendix_markdown, run_manifest
from needs_assessment.report.publish import (
    neutralise_tables,
    print_pdf,
    write_results,
    write_workbook,
)
from needs_assessment.report.render import Page, merge, to_html

Progress = Callable[[str], None]
RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths atomically (Linux 3.15+)
AT_FDCWD = -100


def ensure_kernel() -> str:
    """Register the project's named kernel for this Python if it is not there yet."""
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if Path(spec.argv[0]).exists():
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="Python (needs-assessment)", prefix=sys.prefix)
    return KERNEL_NAME


def execute_chapter(
    key: str,
    config: AssessmentConfig,
    config_path: Path,
    staging: Path,
    kernels: KernelPool | None = None,
) -> Path:
    """Execute one chapter notebook into ``staging/notebooks`` on a fresh kernel from
    ``kernels`` (a kernel of its own when None); raise ``NotebookError``."""
    source = chapter_notebook(key)
    target = staging / "notebooks" / source.name
    with KernelPool() if kernels is None else nullcontext(kernels) as pool:
        with pool.kernel(config.report.startup_timeout_seconds) as kernel:
            _papermill(source, target, config, config_path, staging, kernel)
    notebook = nbformat.read(target, as_version=4)
    _refuse_recorded_errors(notebook, target)
    _relative_metadata(notebook, staging)
    nbformat.write(notebook, target)
    return target


def _papermill(source, target, config, config_path, staging, kernel) -> None:
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters={
                "config_path": project_relative(config_path),
                "output_dir": project_relative(staging),
            },
            kernel_name=KERNEL_NAME,
            language="python",
            execution_timeout=config.report.execution_timeout_seconds,
            start_timeout=config.report.startup_timeout_seconds,
            progress_bar=False,
            log_output=False,
            report_mode=False,
            request_save_on_cell_execute=False,  # written once, when it has run
            engine_name=ENGINE,
            kernel=kernel,
        )
    except PapermillExecutionError as exc:
        if exc.ename == "KeyboardInterrupt":  # Ctrl-C reached the kernel first
            raise KeyboardInterrupt from None
        raise NotebookError(
            f"notebook {source.name} failed in cell {exc.cell_index} "
            f"(execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
        ) from None


def _refuse_recorded_errors(notebook: nbformat.NotebookNode, path: Path) -> None:
    if notebook.metadata.get("papermill", {}).get("exception"):
        raise NotebookError(f"notebook {path.name}: papermill recorded an exception")
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise NotebookError(f"notebook {path.name} has error output in cell {index}")


def _relative_metadata(notebook: nbformat.NotebookNode, staging: Path) -> None:
    """Papermill's record of where the notebook came from and went, without absolute paths:
    the source relative to the project, the output relative to the report."""
    record = notebook.metadata.get("papermill", {})
    if record.get("input_path"):
        record["input_path"] = project_relative(record["input_path"])
    output = Path(record.get("output_path") or "")
    if output.is_relative_to(staging):
        record["output_path"] = str(output.relative_to(staging))


def run(
    config_path: str | Path,
    *,
    reports_dir: Path = REPORTS_DIR,
    progress: Progress = lambda message: None,
    use_cache: bool = True,
    pdf: bool = True,
    kernels: KernelPool | None = None,
) -> Path:
    """Produce ``reports_dir/<config name>/`` for one config; return that folder.

    ``pdf=False`` publishes no PDF. The notebooks run on kernels from ``kernels`` (a batch
    worker's, kept between forces), or on a pool of the run's own, closed when it ends.
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    config_path = from_root(config_path)
    config = load_config(config_path)
    ensure_kernel()
    progress("Verifying raw data against the manifest")
    verify_raw(config.data.manifest, config.data.processed_dir)
    progress("Preparing data")
    rebuilt = prepare(config)
    timings["prepare"] = time.perf_counter() - start
    progress(f"Data ready ({', '.join(rebuilt) if rebuilt else 'nothing to rebuild'})")
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = report_folder(reports_dir, config.name)
    recover(target, progress)
    staging = Path(
        tempfile.mkdtemp(prefix=f".staging-{config.name}-{os.getpid()}-", dir=reports_dir)
    )
    try:
        with KernelPool() if kernels is None else nullcontext(kernels) as pool:
            chapters = _build(
                config,
                config_path,
                staging,
                target if use_cache else None,
                timings,
                progress,
                kernels=pool,
                pdf=pdf,
            )
        timings["total"] = time.perf_counter() - start
        _write_manifest(config, config_path, staging, timings, chapters)
        return _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build(
    config: AssessmentConfig,
    config_path: Path,
    staging: Path,
    previous: Path | None,
    timings: dict[str, float],
    progress: Progress,
    *,
    kernels: KernelPool,
    pdf: bool = True,
) -> dict[str, dict]:
    for folder in ("notebooks", "tables", "results"):
        (staging / folder).mkdir()
    earlier = cache.previous_keys(previous)
    independent, dependent = execution_order(config.report.chapters)
    record: dict[str, dict] = {}
    began = time.perf_counter()
    keys = {key: cache.chapter_key(key, config) for key in independent}
    to_run = _reuse(independent, keys, earlier, previous, staging, record, progress)
    run_chapters = partial(
        _execute_all,
        config=config,
        config_path=config_path,
        staging=staging,
        timings=timings,
        progress=progress,
        record=record,
        cache_keys=keys,
        kernels=kernels,
    )
    run_chapters(to_run)
    upstream = {k: keys[k] for k in independent}
    keys.update({k: cache.chapter_key(k, config, upstream) for k in dependent})
    to_run = _reuse(dependent, keys, earlier, previous, staging, record, progress)
    _record_left_out(config, staging)
    compare_with = previous_assessment(staging.parent, config) or (
        previous / "results.json" if previous is not None else None
    )
    if to_run and compare_with is not None and compare_with.exists():
        shutil.copy2(compare_with, staging / "previous_results.json")
    for key in to_run:  # the summary reads the other chapters' results
        run_chapters([key])
    (staging / "previous_results.json").unlink(missing_ok=True)
    timings["chapters"] = time.perf_counter() - began
    page_key = cache.page_key(config, keys, pdf=pdf)
    record["_page"] = {"cache_key": page_key, "reused": False}
    began = time.perf_counter()
    if all(r["reused"] for k, r in record.items() if k != "_page") and cache.reuse_page(
        page_key, previous, staging
    ):
        record["_page"]["reused"] = True
        progress("Reused the page: nothing changed since the last run")
    else:
        _render(config, staging, progress, timings, pdf=pdf)
    timings["render"] = time.perf_counter() - began
    return record


#: The results block listing the chapters left out for want of data (no chapter model).
LEFT_OUT = "chapters_left_out"


def _record_left_out(config: AssessmentConfig, staging: Path) -> None:
    """Chapters left out for want of data, as gaps the summary lists
    (``results/chapters_left_out.json``), so the page says which are missing and why."""
    gaps = [
        {
            "section": f"{chapter.replace('_', ' ').capitalize()}: the whole chapter",
            "status": "not available",
            "reason": f"The config names no {need.split(' (')[0]}.",
            "remedy": f"Set {key} in the config's data section and add {chapter} to "
            "report.chapters.",
        }
        for chapter, (key, need) in CHAPTER_NEEDS.items()
        if chapter not in config.report.chapters and getattr(config.data, key) is None
    ]
    if gaps:
        path = staging / "results" / f"{LEFT_OUT}.json"
        path.write_text(json.dumps({"gaps": gaps}, indent=2), encoding="utf-8")


def previous_assessment(reports_dir: Path, config: AssessmentConfig) -> Path | None:
    """``results.json`` of the latest published assessment of the same area (force and
    districts) for an earlier period, whatever its config was called; None if there is none."""
    found: list[tuple[int, float, Path]] = []
    for manifest in reports_dir.glob("*/run_manifest.json"):
        try:
            settings = json.loads(manifest.read_text(encoding="utf-8"))["config"]
            area, last_year = settings["area"], int(settings["period"]["last_year"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a published assessment this code can read
        results = manifest.parent / "results.json"
        if (
            area.get("force") == config.area.force
            and set(area.get("districts") or ()) == set(config.area.districts)
            and last_year < config.period.last_year
            and results.exists()
        ):
            found.append((last_year, results.stat().st_mtime, results))
    return max(found)[2] if found else None


def _reuse(keys_in_order, keys, earlier, previous, staging, record, progress) -> list[str]:
    """Copy the chapters whose key is unchanged from the last report; return the rest."""
    to_run = []
    for key in keys_in_order:
        if (
            previous is not None
            and earlier.get(key) == keys[key]
            and cache.reuse(key, previous, staging)
        ):
            record[key] = {"cache_key": keys[key], "reused": True}
            progress(f"Reused chapter '{key}' (nothing it depends on changed)")
        else:
            to_run.append(key)
    return to_run


def _render(
    config: AssessmentConfig, staging: Path, progress: Progress, timings, *, pdf: bool = True
) -> None:
    progress("Rendering the page")
    executed = [
        (path, nbformat.read(path, as_version=4))
        for path in (
            staging / "notebooks" / chapter_notebook(k).name
            for k in page_order(config.report.chapters)
        )
    ]
    results = write_results(staging)
    neutralise_tables(staging)
    merged = merge(executed, _front_matter(config), appendix_markdown(config, results))
    (staging / "assessment.html").write_text(to_html(merged, _page(config)), encoding="utf-8")
    began = time.perf_counter()
    write_workbook(staging, config)
    timings["workbook"] = time.perf_counter() - began
    if not pdf:
        return
    began = time.perf_counter()
    if print_pdf(staging / "assessment.html", staging / "assessment.pdf"):
        progress("Printed the PDF")
    timings["pdf"] = time.perf_counter() - began


def _execute_all(
    keys: list[str],
    *,
    config: AssessmentConfig,
    config_path: Path,
    staging: Path,
    timings: dict[str, float],
    progress: Progress,
    record: dict,
    cache_keys: dict,
    kernels: KernelPool,
) -> None:
    """Execute chapters side by side, up to one per CPU core, each on a kernel of its own
    at a time (taken from ``kernels`` and given back)."""
    if not keys:
        return
    workers = min(len(keys), config.report.parallel_chapters or os.cpu_count() or 1)
    progress(f"Executing {', '.join(keys)} ({workers} at a time)")

    def one(key: str) -> tuple[str, float]:
        began = time.perf_counter()
        execute_chapter(key, config, config_path, staging, kernels)
        return key, time.perf_counter() - began

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(one, key) for key in keys]
        for future in as_completed(futures):
            key, seconds = future.result()
            timings[f"chapter:{key}"] = seconds
            record[key] = {"cache_key": cache_keys[key], "reused": False}
            progress(f"Chapter '{key}' done in {seconds:.1f} s")


def _page(config: AssessmentConfig) -> Page:
    return Page(
        title=f"{config.title}: {config.area.display_name}",
        kicker=f"{config.area.display_name} · {config.period_label}",
        footer="Contains public sector information licensed under the Open Government "
        "Licence v3.0. Produced with the needs-assessment toolkit.",
        description=f"{config.title} for {config.area.display_name}, {config.period_label}",
    )


def _front_matter(config: AssessmentConfig) -> str:
    """Markdown; the config's words are escaped, so they show as written and never as markup."""
    title = escape_markdown(f"{config.title}: {config.area.display_name}")
    return (
        f"# {title}\n\n"
        f"Financial years {escape_markdown(config.period_label)}. Prepared under the Serious "
        "Violence Duty for the partnership's strategic needs assessment.\n\n{contents}\n"
    )


def _write_manifest(
    config: AssessmentConfig,
    config_path: Path,
    staging: Path,
    timings: dict[str, float],
    chapters: dict[str, dict],
) -> None:
    inputs = input_hashes(config)
    manifest = run_manifest(config, config_path, timings, inputs)
    manifest["chapters"] = chapters
    manifest = relative_paths(manifest)
    (staging / "run_manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


# -- paths --------------------------------------------------------------------------------


def project_relative(path: str | Path) -> str:
    """``path`` relative to the project root when it lies inside it (published artefacts
    carry no analyst's home folder); otherwise unchanged."""
    absolute = from_root(path)
    return str(absolute.relative_to(ROOT)) if absolute.is_relative_to(ROOT) else str(path)


def relative_paths(value):
    """Every string in a JSON-like value that is an absolute path inside the project, relative."""
    if isinstance(value, dict):
        return {key: relative_paths(item) for key, item in value.items()}
    if isinstance(value, list):
        return [relative_paths(item) for item in value]
    if isinstance(value, str) and value.startswith(str(ROOT) + os.sep):
        return project_relative(value)
    return value


def report_folder(reports_dir: Path, name: str) -> Path:
    """``reports_dir/name``, refused unless it resolves to a folder directly inside it."""
    target = reports_dir / name
    if target.resolve().parent != reports_dir.resolve() or name in ("", ".", ".."):
        raise ConfigError(f"report name {name!r} would publish outside {reports_dir}")
    return target


# -- publishing and recovery --------------------------------------------------------------


def _publish(staging: Path, target: Path) -> Path:
    """Swap the staging folder into place in one atomic step, then remove the old report.

    Killed before the swap, the old report is in place; after it, the new one is, and the
    old copy left in the staging folder is removed by :func:`recover` on the next run.
    Where the file system cannot exchange two folders, two renames via ``.retired-*``.
    """
    staging.chmod(0o755)
    if not target.exists():
        os.replace(staging, target)
    elif exchange(staging, target):
        shutil.rmtree(staging)
    else:
        retired = target.parent / f".retired-{target.name}-{os.getpid()}"
        os.replace(target, retired)
        os.replace(staging, target)
        shutil.rmtree(retired)
    return target


def exchange(first: Path, second: Path) -> bool:
    """Atomically swap two paths (``renameat2`` with ``RENAME_EXCHANGE``); False where the
    platform or file system cannot, with both paths unchanged."""
    rename = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if rename is None:
        return False
    if rename(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: no exchange here
        return False
    raise OSError(error, os.strerror(error), str(second))


def recover(target: Path, progress: Progress = lambda message: None) -> None:
    """Clear what a crashed or killed run left beside ``target``, and say what was done.

    A ``.retired-<name>-<pid>`` folder is the previous report, moved aside by a run that
    died before the new one took its place: it is restored when the report is missing and
    removed otherwise. A ``.staging-<name>-<pid>-*`` folder whose run has ended is removed.
    Folders of runs still going (their process is alive) are left alone.
    """
    name = re.escape(target.name)
    leftovers = [
        (folder, int(match["pid"]), kind)
        for folder in sorted(target.parent.glob(".*"), key=_mtime, reverse=True)
        for kind, pattern in (
            ("retired", rf"\.retired-{name}-(?P<pid>\d+)"),
            ("staging", rf"\.staging-{name}-(?P<pid>\d+)-[a-z0-9_]+"),
        )
        if (match := re.fullmatch(pattern, folder.name))
    ]
    for folder, pid, kind in leftovers:
        if _alive(pid):  # a run still going (this process's own threads included)
            continue
        if kind == "retired" and not target.exists():
            os.replace(folder, target)
            progress(f"Restored {target.name} from {folder.name}, left by an interrupted run")
        else:
            shutil.rmtree(folder)
            progress(f"Removed {folder.name}, left by an interrupted run")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
