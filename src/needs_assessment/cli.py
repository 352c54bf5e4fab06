"""The ``sna`` command: prepare data, check it, and run assessments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from needs_assessment.errors import AssessmentError
from needs_assessment.paths import DEFAULT_CONFIG, REPORTS_DIR

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Serious Violence strategic needs assessment toolkit.",
)
console = Console(stderr=True)
ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="Assessment config (YAML)")]


def _fail(exc: Exception) -> None:
    console.print(f"[bold red]Error:[/] {exc}", highlight=False)
    raise typer.Exit(code=1)


@app.command()
def run(
    config: ConfigOption = DEFAULT_CONFIG,
    reports_dir: Annotated[
        Path, typer.Option(help="Where reports/<name>/ is written")
    ] = REPORTS_DIR,
    fresh: Annotated[
        bool, typer.Option(help="Execute every chapter, reusing nothing from the last run")
    ] = False,
) -> None:
    """Run the whole assessment and publish reports/<config name>/."""
    from needs_assessment.report.run import run as run_assessment

    try:
        with console.status("Starting") as status:
            folder = run_assessment(
                config,
                reports_dir=reports_dir.resolve(),
                use_cache=not fresh,
                progress=lambda m: (status.update(m), console.log(m)),
            )
    except (AssessmentError, FileNotFoundError) as exc:
        _fail(exc)
    console.print(f"[green]Published[/] {folder / 'assessment.html'}")


@app.command()
def prepare(
    config: ConfigOption = DEFAULT_CONFIG,
    force: Annotated[bool, typer.Option(help="Rebuild every table")] = False,
) -> None:
    """Build data/processed/ from data/raw/ (only what changed)."""
    from needs_assessment.config import load_config
    from needs_assessment.prepare import prepare as prepare_tables

    try:
        rebuilt = prepare_tables(load_config(config), force=force)
    except AssessmentError as exc:
        _fail(exc)
    console.print(f"Rebuilt: {', '.join(rebuilt)}" if rebuilt else "Processed data is up to date")


@app.command("check-data")
def check_data(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Verify every raw file against its manifest sha256, then report each source's coverage."""
    from needs_assessment.config import load_config
    from needs_assessment.manifest import check_files
    from needs_assessment.refresh import input_report

    try:
        settings = load_config(config)
        checks = check_files(settings.data.manifest)
    except AssessmentError as exc:
        _fail(exc)
    bad = [c for c in checks if not c.ok]
    for check in checks:
        mark = (
            "[green]ok[/]"
            if check.ok
            else ("[red]MISSING[/]" if check.actual is None else "[red]CHANGED[/]")
        )
        console.print(f"{mark}  {check.source:32} {check.path}", highlight=False)
    console.print(f"{len(checks) - len(bad)} of {len(checks)} files match the manifest")
    if bad:
        raise typer.Exit(code=1)
    _report_coverage(settings, input_report)


def _report_coverage(settings, input_report) -> None:
    try:
        coverages, stale = input_report(settings)
    except AssessmentError as exc:
        _fail(exc)
    console.print("\nCoverage of the processed tables:")
    for item in coverages:
        console.print(f"  {item.table:22} {item.describe()}", highlight=False)
    for note in stale:
        console.print(f"[yellow]stops early[/] {note}", highlight=False)


@app.command()
def new(
    source: Annotated[Path, typer.Option("--from", help="This year's config")] = DEFAULT_CONFIG,
    year: Annotated[int, typer.Option(help="The new last financial year (2022 = 2022/23)")] = 0,
) -> None:
    """Write next year's config (period moved on) and say which inputs are missing or stale."""
    from needs_assessment.config import load_config
    from needs_assessment.refresh import input_report, new_config

    try:
        target = new_config(source, year or load_config(source).period.last_year + 1)
        console.print(f"Wrote {target}")
        _report_coverage(load_config(target), input_report)
    except AssessmentError as exc:
        _fail(exc)


@app.command()
def batch(
    config: ConfigOption = DEFAULT_CONFIG,
    areas: Annotated[str, typer.Option(help="Forces, comma-separated; empty = every force")] = "",
    workers: Annotated[int, typer.Option(help="Local processes")] = 2,
    scheduler: Annotated[str, typer.Option(help="Dask scheduler address (tcp://...)")] = "",
    reports_dir: Annotated[
        Path, typer.Option(help="Where each reports/<name>/ is written")
    ] = REPORTS_DIR,
) -> None:
    """Run the assessment for many forces; one failure does not stop the others."""
    import time

    from needs_assessment.batch import run_batch

    forces = [a.strip() for a in areas.split(",") if a.strip()] or None
    began = time.perf_counter()
    outcomes = run_batch(
        config,
        forces,
        reports_dir.resolve(),
        workers=workers,
        scheduler=scheduler or None,
        progress=lambda o: console.log(
            f"{'[green]done[/]' if o.ok else '[red]FAILED[/]'} {o.force} ({o.seconds:.0f} s)"
        ),
    )
    minutes = (time.perf_counter() - began) / 60
    failed = [o for o in outcomes if not o.ok]
    console.print(
        f"{len(outcomes) - len(failed)} of {len(outcomes)} assessments published in "
        f"{minutes:.1f} min ({len(outcomes) / minutes:.1f} per minute)"
    )
    for outcome in failed:
        console.print(f"[red]{outcome.force}[/]: {outcome.error}", highlight=False)
    if failed:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
