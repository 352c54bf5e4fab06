"""Benchmark the assessment run, in one go on this machine, and print the ratios.

1. full: `sna run` with no previous report (every chapter executes, in parallel, plus
   merge, HTML, workbook and PDF), and `sna run --fresh` over an existing report;
2. naive: for each chapter notebook in turn, the papermill CLI then the nbconvert CLI
   (no merge, no PDF) — how a project without this pipeline would do it;
3. cached: `sna run` again with nothing changed (chapters reused from the last report);
4. police.uk ingest: rows per second and peak memory, DuckDB against pandas, on a
   generated (synthetic) archive (`benchmarks/police_uk_ingest.py`);
5. batch (optional, --batch N; `make benchmark BATCH=43` for all 43 forces): N forces
   through `sna batch` (every chapter their data allow, PDF included), minutes for the N,
   seconds per force and assessments per minute;
6. Jupyter Book 1.x (the tool an analyst would pick instead; `--jupyter-book PATH` to its
   command, installed in a venv of its own by `make benchmark`): the same notebooks built
   with forced execution, then an unchanged rebuild from its execution cache.

Processed data are prepared before the timings, as a run does once per input change.

    python benchmarks/run_benchmarks.py [--config FILE] [--ingest-rows N] [--batch N]
    python benchmarks/run_benchmarks.py --batch 43 --only-batch     # the 43-force batch alone
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(command: list[str], cwd: Path = ROOT) -> float:
    began = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - began


def naive(config: Path, chapters: list[str], workdir: Path) -> float:
    from needs_assessment.chapters.registry import chapter_notebook, execution_order

    independent, dependent = execution_order(tuple(chapters))
    began = time.perf_counter()
    for key in independent + dependent:
        source = chapter_notebook(key)
        out = workdir / source.name
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(source),
                str(out),
                "-k",
                "needs-assessment",
                "-p",
                "config_path",
                str(config),
                "-p",
                "output_dir",
                str(workdir),
                "--cwd",
                str(ROOT),
            ],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - began


def jupyter_book(command: Path, chapters: list[str], workdir: Path) -> dict[str, float]:
    """Build the chapter notebooks as a Jupyter Book: forced execution, then cached."""
    import shutil

    import yaml

    from needs_assessment.chapters.registry import chapter_notebook, execution_order

    independent, dependent = execution_order(tuple(chapters))
    names = [chapter_notebook(key) for key in dependent + independent]
    book = workdir / "book"
    book.mkdir()
    for source in names:
        shutil.copy(source, book / source.name)
    toc = {"format": "jb-book", "root": names[0].stem}
    if len(names) > 1:
        toc["chapters"] = [{"file": n.stem} for n in names[1:]]
    (book / "_toc.yml").write_text(yaml.safe_dump(toc))
    env = {**os.environ, "JUPYTER_PATH": str(BIN.parent / "share" / "jupyter")}

    def build(mode: str) -> float:
        settings = {
            "title": "Benchmark",
            "only_build_toc_files": True,
            "execute": {"execute_notebooks": mode, "timeout": 600, "cache": str(book / ".jc")},
        }
        (book / "_config.yml").write_text(yaml.safe_dump(settings))
        began = time.perf_counter()
        subprocess.run([str(command), "build", str(book)], check=True, capture_output=True, env=env)
        return time.perf_counter() - began

    forced = build("force")
    shutil.rmtree(book / "_build")
    build("cache")  # fills the execution cache
    return {"jupyter_book_forced_s": forced, "jupyter_book_cached_rebuild_s": build("cache")}


#: The forces of a short batch: with and without police.uk files, English and Welsh.
SHORT_BATCH = (
    "Cleveland",
    "Dorset",
    "Cumbria",
    "Suffolk",
    "Norfolk",
    "Durham",
    "Wiltshire",
    "Gwent",
)


def batch(config: Path, count: int, reports: Path) -> dict[str, float]:
    """``sna batch`` on ``count`` forces (43 or more: every force), from nothing published."""
    from needs_assessment.forces import TERRITORIAL_FORCES

    if count <= len(SHORT_BATCH):
        forces = list(SHORT_BATCH[:count])
    else:
        forces = sorted(TERRITORIAL_FORCES)[:count]
    seconds = timed(
        [
            str(BIN / "sna"),
            "batch",
            "--config",
            str(config),
            "--areas",
            ",".join(forces),
            "--reports-dir",
            str(reports),
        ]
    )
    return {
        "batch_forces": len(forces),
        "batch_minutes": seconds / 60,
        "batch_seconds_per_force": seconds / len(forces),
        "batch_assessments_per_minute": len(forces) / seconds * 60,
    }


def single_force(config_path: Path, scratch: Path, jupyter_book_command: Path | None) -> dict:
    """Items 1-3 and 6: one assessment, full, cached, fresh, naive (and Jupyter Book)."""
    from needs_assessment.config import load_config

    chapters = list(load_config(config_path).report.chapters)
    run = [
        str(BIN / "sna"),
        "run",
        "--config",
        str(config_path),
        "--reports-dir",
        str(scratch / "reports"),
    ]
    results = {"full_run_s": timed(run), "cached_rerun_s": timed(run)}
    results["fresh_rerun_s"] = timed([*run, "--fresh"])
    (scratch / "naive").mkdir()
    results["naive_run_s"] = naive(config_path, chapters, scratch / "naive")
    if jupyter_book_command:
        results.update(jupyter_book(jupyter_book_command, chapters, scratch))
    results["full_vs_naive_speedup"] = results["naive_run_s"] / results["full_run_s"]
    results["cached_vs_full_speedup"] = results["full_run_s"] / results["cached_rerun_s"]
    if "jupyter_book_forced_s" in results:
        results["full_vs_jupyter_book_speedup"] = (
            results["jupyter_book_forced_s"] / results["full_run_s"]
        )
        results["cached_vs_jupyter_book_cached_speedup"] = (
            results["jupyter_book_cached_rebuild_s"] / results["cached_rerun_s"]
        )
    return results


def ingest(rows: int) -> str:
    """Item 4, as printed by ``benchmarks/police_uk_ingest.py``."""
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "police_uk_ingest.py"), "--rows", str(rows)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config/cambridgeshire-2021.yaml")
    parser.add_argument("--ingest-rows", type=int, default=2_000_000)
    parser.add_argument("--batch", type=int, default=0, help="forces to run in a batch")
    parser.add_argument("--only-batch", action="store_true", help="the batch and nothing else")
    parser.add_argument("--jupyter-book", type=Path, help="the jupyter-book (1.x) command")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    config_path = (ROOT / args.config).resolve()
    subprocess.run(
        [str(BIN / "sna"), "prepare", "--config", str(config_path)], check=True, capture_output=True
    )
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="sna-bench-") as scratch:
        scratch = Path(scratch)
        if not args.only_batch:
            results.update(single_force(config_path, scratch, args.jupyter_book))
        if args.batch:
            results.update(batch(config_path, args.batch, scratch / "batch"))
    print(f"config: {args.config}")
    for key, value in results.items():
        print(f"{key:32} {value:8.2f}")
    if "batch_forces" in results:
        print(
            f"\nbatch: {results['batch_forces']:.0f} forces in {results['batch_minutes']:.1f} "
            f"min, {results['batch_seconds_per_force']:.1f} s per force"
        )
    if not args.only_batch:
        print("\npolice.uk ingest (synthetic archive):\n" + ingest(args.ingest_rows))
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
