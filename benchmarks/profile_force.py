"""Where one force's assessment spends its time, stage by stage, as a batch worker runs it.

The force's config is written as ``sna batch`` writes it; the assessment then runs twice
on one pool of kernels: first on a new kernel (the toolkit imported in the first chapter),
then again on the same, warm kernel, as every later force of a batch runs. With
``--own-kernels`` each notebook gets a kernel of its own instead (the behaviour before
kernels were kept). Printed: each stage's seconds (prepare check, each chapter, merge and
HTML, workbook, PDF) and each notebook's slowest cells.

    python benchmarks/profile_force.py --force Cleveland [--no-pdf] [--own-kernels]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("prepare", "chapters", "render", "workbook", "pdf", "total")


def slowest_cells(report: Path, at_least: float = 0.5) -> list[str]:
    lines = []
    for path in sorted((report / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        lines.append(f"  {path.name}: {notebook['metadata']['papermill']['duration']:.1f} s")
        for index, cell in enumerate(notebook["cells"]):
            seconds = cell["metadata"].get("papermill", {}).get("duration") or 0
            if seconds >= at_least:
                first = "".join(cell["source"]).strip().splitlines()[0][:60]
                lines.append(f"    cell {index:2} {seconds:5.1f} s  {first}")
    return lines


def profile(force: str, template: Path, scratch: Path, pdf: bool, reuse: bool) -> None:
    from needs_assessment.batch import write_configs
    from needs_assessment.report.kernels import KernelPool
    from needs_assessment.report.run import run

    paths, _, refused = write_configs(template, [force], scratch / "_configs")
    if refused:
        sys.exit(refused[0].error)
    config = next(iter(paths.values()))
    with KernelPool(reuse=reuse) as pool:
        for label in ("new kernel", "warm kernel"):
            began = time.perf_counter()
            report = run(config, reports_dir=scratch, use_cache=False, pdf=pdf, kernels=pool)
            wall = time.perf_counter() - began
            timings = json.loads((report / "run_manifest.json").read_text())["timings_seconds"]
            print(f"\n{force}, {label if reuse else 'a kernel per notebook'}: {wall:.1f} s")
            for key, seconds in timings.items():
                print(f"  {key:24} {seconds:6.1f} s")
            print("\n".join(slowest_cells(report)))
        print(f"\nkernels started: {pool.started}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", default="Cleveland")
    parser.add_argument("--config", default="config/cambridgeshire-2021.yaml")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--own-kernels", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sna-profile-") as scratch:
        profile(
            args.force,
            (ROOT / args.config).resolve(),
            Path(scratch),
            pdf=not args.no_pdf,
            reuse=not args.own_kernels,
        )


if __name__ == "__main__":
    main()
