"""Run an assessment: prepare data, execute each chapter with papermill, publish the page.

Publishing is atomic. Everything is written to a staging folder beside the report; only
when every chapter has executed and rendered is the previous ``reports/<name>/`` replaced.
A failure names the notebook and cell, and leaves the previous report untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import nbformat
import papermill
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import KernelManager
from papermill.exceptions import PapermillExecutionError

from needs_assessment.chapters.registry import chapter_notebook, execution_order, page_order
from needs_assessment.config import AssessmentConfig, load_config
from needs_assessment.errors import NotebookError
from needs_assessment.paths import KERNEL_NAME, REPORTS_DIR, from_root
from needs_assessment.prepare import input_hashes, prepare
from needs_assessment.report import cache
from needs_assessment.report.provenance import appendix_markdown, run_manifest
from needs_assessment.report.publish import print_pdf, write_results, write_workbook
from needs_assessment.report.render import Page, merge, to_html

Progress = Callable[[str], None]


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


def execute_chapter(key: str, config: AssessmentConfig, config_path: Path, staging: Path) -> Path:
    """Execute one chapter notebook into ``staging/notebooks``; raise ``NotebookError``."""
    source = chapter_notebook(key)
    target = staging / "notebooks" / source.name
    # IPC sockets in a private folder: the kernel is never reachable over TCP.
    sockets = Path(tempfile.mkdtemp(prefix="sna-kernel-"))
    kernel = KernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(sockets / "k"))
    try:
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters={"config_path": str(config_path), "output_dir": str(staging)},
            kernel_name=KERNEL_NAME,
            language="python",
            execution_timeout=config.report.execution_timeout_seconds,
            start_timeout=config.report.startup_timeout_seconds,
            progress_bar=False,
            log_output=False,
            report_mode=False,
            km=kernel,
        )
    except PapermillExecutionError as exc:
        raise NotebookError(
            f"notebook {source.name} failed in cell {exc.cell_index} "
            f"(execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
        ) from None
    finally:
        if kernel.has_kernel:  # papermill leaves a kernel it did not start running
            kernel.shutdown_kernel(now=True)
        shutil.rmtree(sockets, ignore_errors=True)
    _refuse_recorded_errors(target)
    return target


def _refuse_recorded_errors(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    if notebook.metadata.get("papermill", {}).get("exception"):
        raise NotebookError(f"notebook {path.name}: papermill recorded an exception")
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise NotebookError(f"notebook {path.name} has error output in cell {index}")


def run(
    config_path: str | Path,
    *,
    reports_dir: Path = REPORTS_DIR,
    progress: Progress = lambda message: None,
    use_cache: bool = True,
) -> Path:
    """Produce ``reports_dir/<config name>/`` for one config; return that folder."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    config_path = from_root(config_path)
    config = load_config(config_path)
    ensure_kernel()
    progress("Preparing data")
    rebuilt = prepare(config)
    timings["prepare"] = time.perf_counter() - start
    progress(f"Data ready ({', '.join(rebuilt) if rebuilt else 'nothing to rebuild'})")
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / config.name
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{config.name}-", dir=reports_dir))
    try:
        chapters = _build(
            config, config_path, staging, target if use_cache else None, timings, progress
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
) -> dict[str, dict]:
    for folder in ("notebooks", "tables", "results"):
        (staging / folder).mkdir()
    earlier = cache.previous_keys(previous)
    independent, dependent = execution_order(config.report.chapters)
    record: dict[str, dict] = {}
    began = time.perf_counter()
    keys = {key: cache.chapter_key(key, config) for key in independent}
    to_run = _reuse(independent, keys, earlier, previous, staging, record, progress)
    _execute_all(to_run, config, config_path, staging, timings, progress, record, keys)
    upstream = {k: keys[k] for k in independent}
    keys.update({k: cache.chapter_key(k, config, upstream) for k in dependent})
    to_run = _reuse(dependent, keys, earlier, previous, staging, record, progress)
    if to_run and previous is not None and (previous / "results.json").exists():
        shutil.copy2(previous / "results.json", staging / "previous_results.json")
    for key in to_run:  # the summary reads the other chapters' results
        _execute_all([key], config, config_path, staging, timings, progress, record, keys)
    (staging / "previous_results.json").unlink(missing_ok=True)
    timings["chapters"] = time.perf_counter() - began
    page_key = cache.page_key(config, keys)
    record["_page"] = {"cache_key": page_key, "reused": False}
    began = time.perf_counter()
    if all(r["reused"] for k, r in record.items() if k != "_page") and cache.reuse_page(
        page_key, previous, staging
    ):
        record["_page"]["reused"] = True
        progress("Reused the page: nothing changed since the last run")
    else:
        _render(config, staging, progress, timings)
    timings["render"] = time.perf_counter() - began
    return record


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


def _render(config: AssessmentConfig, staging: Path, progress: Progress, timings) -> None:
    progress("Rendering the page")
    executed = [
        (path, nbformat.read(path, as_version=4))
        for path in (
            staging / "notebooks" / chapter_notebook(k).name
            for k in page_order(config.report.chapters)
        )
    ]
    results = write_results(staging)
    merged = merge(executed, _front_matter(config), appendix_markdown(config, results))
    (staging / "assessment.html").write_text(to_html(merged, _page(config)), encoding="utf-8")
    write_workbook(staging, config)
    began = time.perf_counter()
    if print_pdf(staging / "assessment.html", staging / "assessment.pdf"):
        progress("Printed the PDF")
    timings["pdf"] = time.perf_counter() - began


def _execute_all(
    keys: list[str],
    config: AssessmentConfig,
    config_path: Path,
    staging: Path,
    timings: dict[str, float],
    progress: Progress,
    record: dict,
    cache_keys: dict,
) -> None:
    """Execute chapters side by side, one kernel each, up to one per CPU core."""
    if not keys:
        return
    workers = min(len(keys), config.report.parallel_chapters or os.cpu_count() or 1)
    progress(f"Executing {', '.join(keys)} ({workers} at a time)")

    def one(key: str) -> tuple[str, float]:
        began = time.perf_counter()
        execute_chapter(key, config, config_path, staging)
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
    return (
        f"# {config.title}: {config.area.display_name}\n\n"
        f"Financial years {config.period_label}. Prepared under the Serious Violence Duty "
        "for the partnership's strategic needs assessment.\n\n{contents}\n"
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
    (staging / "run_manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _publish(staging: Path, target: Path) -> Path:
    """Swap the staging folder into place; the old report survives any failure before."""
    staging.chmod(0o755)
    retired = target.parent / f".retired-{target.name}-{os.getpid()}"
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)
    return target
