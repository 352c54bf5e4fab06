"""The ``sna`` command: prepare data, check it, and run assessments."""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from needs_assessment.errors import AssessmentError
from needs_assessment.paths import DEFAULT_CONFIG, REPORTS_DIR

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Serious Violence strategic needs assessment toolkit.",
)
console = Console(stderr=True, soft_wrap=True)  # one error, one line
ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="Assessment config (YAML)")]


#: Exit status after Ctrl-C, as a shell reports a process ended by SIGINT.
INTERRUPTED = 130


def _fail(exc: Exception | str) -> None:
    """Print one ``Error:`` line (the message is text, never console markup) and exit 1."""
    console.print(Text.assemble(("Error: ", "bold red"), str(exc)), highlight=False)
    raise typer.Exit(code=1)


def describe_os_error(exc: OSError) -> str:
    """An operating-system error as one line naming the file: read-only, disk full, ..."""
    where = exc.filename or "a file"
    if exc.errno == errno.ENOSPC:
        return f"cannot write {where}: the disk is full (free some space and run again)"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}: permission denied (is the folder read-only?)"
    if exc.errno == errno.EISDIR:
        return f"{where} is a folder where a file was expected"
    if exc.errno == errno.ENOTDIR:
        return f"{where}: a file stands where a folder was expected"
    return f"{where}: {exc.strerror or exc}"


@contextmanager
def clear_errors(interrupted: str = "nothing was written") -> Iterator[None]:
    """Turn the errors an analyst can fix into one line and exit 1; Ctrl-C exits 130."""
    try:
        yield
    except AssessmentError as exc:
        _fail(exc)
    except OSError as exc:
        _fail(describe_os_error(exc))
    except KeyboardInterrupt:
        console.print(Text.assemble(("Interrupted: ", "yellow"), interrupted))
        raise typer.Exit(code=INTERRUPTED) from None


def _progress(status) -> Callable[[str], None]:
    return lambda message: (status.update(message), console.log(message, markup=False))


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

    with clear_errors("the previous report is unchanged"), console.status("Starting") as status:
        folder = run_assessment(
            config,
            reports_dir=reports_dir.resolve(),
            use_cache=not fresh,
            progress=_progress(status),
        )
    console.print(Text.assemble(("Published ", "green"), str(folder / "assessment.html")))


@app.command()
def init(
    force: Annotated[str, typer.Option("--force", help="Territorial force, e.g. Cleveland")],
    year: Annotated[
        int, typer.Option(help="Last financial year (2022 = 2022/23); 0 = the latest published")
    ] = 0,
    districts: Annotated[
        str, typer.Option(help="A partnership: district codes inside the force, comma-separated")
    ] = "",
    name: Annotated[str, typer.Option(help="Display name (default: the force or districts)")] = "",
    extract: Annotated[
        Path | None, typer.Option(help="The force's offence-level extract (CSV)")
    ] = None,
    folder: Annotated[Path, typer.Option(help="Where the config is written")] = Path("config"),
) -> None:
    """Write a complete, commented config for any territorial force or partnership."""
    from needs_assessment import init as area_init

    with clear_errors():
        plan = area_init.plan(
            force,
            year or None,
            districts=[d.strip() for d in districts.split(",") if d.strip()] or None,
            display_name=name or None,
            extract=extract,
        )
        target = area_init.write(plan, area_init.config_path(plan, folder))
    console.print(f"Wrote {target}: chapters {', '.join(plan.chapters)}", highlight=False)
    for chapter, need in plan.left_out.items():
        console.print(Text.assemble(("not available ", "yellow"), f"{chapter}: needs {need}"))


@app.command()
def prepare(
    config: ConfigOption = DEFAULT_CONFIG,
    force: Annotated[bool, typer.Option(help="Rebuild every table")] = False,
) -> None:
    """Build data/processed/ from data/raw/ (only what changed)."""
    from needs_assessment.config import load_config
    from needs_assessment.manifest import verify_raw
    from needs_assessment.prepare import prepare as prepare_tables

    with clear_errors("the processed tables are unchanged"):
        settings = load_config(config)
        verify_raw(settings.data.manifest, settings.data.processed_dir)
        rebuilt = prepare_tables(settings, force=force)
    console.print(f"Rebuilt: {', '.join(rebuilt)}" if rebuilt else "Processed data is up to date")


@app.command("check-data")
def check_data(config: ConfigOption = DEFAULT_CONFIG) -> None:
    """Verify every raw file against its manifest sha256, then report each source's coverage."""
    from needs_assessment.config import load_config
    from needs_assessment.manifest import check_files
    from needs_assessment.refresh import input_report

    with clear_errors():
        settings = load_config(config)
        checks = check_files(settings.data.manifest)
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
    _report_area(settings)


def _report_area(settings) -> None:
    """Rows for the configured area in each source; exit 1 naming any source with none."""
    from needs_assessment.refresh import area_report

    with clear_errors():
        checks = area_report(settings)
    console.print(f"\n{settings.area.display_name} ({settings.area.force}) in each source:")
    for check in checks:
        mark = "[green]ok[/]" if check.ok else "[red]NONE[/]"
        console.print(f"{mark}  {check.source:26} {check.detail}", highlight=False)
    from needs_assessment.coverage import THIN_SHARE
    from needs_assessment.periods import financial_year_label
    from needs_assessment.refresh import thin_report

    for thin in thin_report(settings):
        console.print(
            Text.assemble(
                ("read with care ", "yellow"),
                f"force_extract: {thin.category} {financial_year_label(thin.financial_year)}: "
                f"{thin.extract:,} "
                f"offences, {thin.share:.0%} of the {thin.published:,} published "
                f"(below {THIN_SHARE:.0%})",
            )
        )
    empty = [check.source for check in checks if not check.ok]
    if empty:
        _fail(f"no rows for {settings.area.display_name} in: {', '.join(empty)}")


def _report_coverage(settings, input_report) -> None:
    with clear_errors():
        coverages, stale = input_report(settings)
    console.print("\nCoverage of the processed tables:")
    for item in coverages:
        console.print(f"  {item.table:22} {item.describe()}", highlight=False)
    for note in stale:
        console.print(Text.assemble(("stops early ", "yellow"), note))


@app.command()
def new(
    source: Annotated[Path, typer.Option("--from", help="This year's config")] = DEFAULT_CONFIG,
    year: Annotated[int, typer.Option(help="The new last financial year (2022 = 2022/23)")] = 0,
) -> None:
    """Write next year's config (period moved on) and say which inputs are missing or stale."""
    from needs_assessment.config import load_config
    from needs_assessment.refresh import input_report, new_config, section_gaps

    with clear_errors():
        target = new_config(source, year or load_config(source).period.last_year + 1)
        console.print(f"Wrote {target}", highlight=False)
        settings = load_config(target)
        coverages, _ = input_report(settings)
        gaps = section_gaps(settings, coverages)
    console.print("\nWhat each section lacks for the new period (and which publication has it):")
    for line in gaps or ["nothing: every input reaches the new period"]:
        console.print(f"  {line}", highlight=False)


@app.command()
def batch(
    config: ConfigOption = DEFAULT_CONFIG,
    areas: Annotated[str, typer.Option(help="Forces, comma-separated; empty = every force")] = "",
    year: Annotated[int, typer.Option(help="Last financial year; 0 = the config's")] = 0,
    workers: Annotated[int, typer.Option(help="Local processes")] = 2,
    scheduler: Annotated[str, typer.Option(help="Dask scheduler address (tcp://...)")] = "",
    reports_dir: Annotated[
        Path, typer.Option(help="Reports go to <reports-dir>/batch/<force>/")
    ] = REPORTS_DIR,
    pdf: Annotated[bool, typer.Option(help="Print each report's PDF (--no-pdf: HTML only)")] = True,
) -> None:
    """Run every chapter the data allow for many forces; one failure does not stop the others."""
    import time

    from rich.progress import Progress
    from rich.table import Table

    from needs_assessment.batch import run_batch, sections_table

    forces = [a.strip() for a in areas.split(",") if a.strip()] or None
    began = time.perf_counter()
    with clear_errors("reports already published are unchanged"), Progress(console=console) as bar:
        task = bar.add_task("Assessments", total=None)

        def done(outcome) -> None:
            mark = "[green]done[/]" if outcome.ok else "[red]FAILED[/]"
            bar.console.log(f"{mark} {outcome.force} ({outcome.seconds:.0f} s)")
            bar.advance(task)

        outcomes = run_batch(
            config,
            forces,
            reports_dir.resolve(),
            year=year or None,
            workers=workers,
            scheduler=scheduler or None,
            pdf=pdf,
            started=lambda total: bar.update(task, total=total),
            progress=done,
        )
    minutes = (time.perf_counter() - began) / 60
    header, *rows = sections_table(outcomes)
    table = Table(title="Sections available (no: the force's data do not allow it)")
    table.add_column(header[0], no_wrap=True)
    for chapter in header[1:]:
        table.add_column(chapter, no_wrap=True)
    for row in rows:
        table.add_row(*row)
    Console(stderr=True, width=max(console.width, 140)).print(table)  # force names whole
    failed = [o for o in outcomes if not o.ok]
    console.print(
        f"{len(outcomes) - len(failed)} of {len(outcomes)} assessments published in "
        f"{minutes:.1f} min ({len(outcomes) / max(minutes, 1e-9):.1f} per minute, "
        f"{minutes * 60 / max(len(outcomes), 1):.1f} s per force)",
        highlight=False,
    )
    for outcome in failed:
        console.print(f"[red]{outcome.force}[/]: {outcome.error}", highlight=False)
    if failed:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
