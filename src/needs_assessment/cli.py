"""The ``sna`` command: prepare data, check it, and run assessments."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from .errors import AssessmentError
from .paths import DEFAULT_CONFIG, MANIFEST, REPORTS_DIR

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Serious Violence strategic needs assessment toolkit.")
console = Console(stderr=True)
ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="Assessment config (YAML)")]


def _fail(exc: Exception) -> None:
    console.print(f"[bold red]Error:[/] {exc}", highlight=False)
    raise typer.Exit(code=1)


@app.command()
def run(
    config: ConfigOption = DEFAULT_CONFIG,
    reports_dir: Annotated[Path, typer.Option(help="Where reports/<name>/ is written")] = REPORTS_DIR,
) -> None:
    """Run the whole assessment and publish reports/<config name>/."""
    from .report import run as run_assessment

    try:
        with console.status("Starting") as status:
            folder = run_assessment(config, reports_dir=reports_dir.resolve(),
                                    progress=lambda m: (status.update(m), console.log(m)))
    except (AssessmentError, FileNotFoundError) as exc:
        _fail(exc)
    console.print(f"[green]Published[/] {folder / 'assessment.html'}")


@app.command()
def prepare(
    config: ConfigOption = DEFAULT_CONFIG,
    force: Annotated[bool, typer.Option(help="Rebuild every table")] = False,
) -> None:
    """Build data/processed/ from data/raw/ (only what changed)."""
    from .config import load_config
    from .prepare import prepare as prepare_tables

    try:
        rebuilt = prepare_tables(load_config(config), force=force)
    except AssessmentError as exc:
        _fail(exc)
    console.print(f"Rebuilt: {', '.join(rebuilt)}" if rebuilt else "Processed data is up to date")


@app.command("check-data")
def check_data(manifest: Annotated[Path, typer.Option(help="Data manifest")] = MANIFEST) -> None:
    """Verify every raw file against its sha256 in the manifest."""
    from .manifest import check_files

    try:
        checks = check_files(manifest)
    except AssessmentError as exc:
        _fail(exc)
    bad = [c for c in checks if not c.ok]
    for check in checks:
        mark = "[green]ok[/]" if check.ok else ("[red]MISSING[/]" if check.actual is None else "[red]CHANGED[/]")
        console.print(f"{mark}  {check.source:32} {check.path}", highlight=False)
    console.print(f"{len(checks) - len(bad)} of {len(checks)} files match the manifest")
    if bad:
        raise typer.Exit(code=1)


if __name__ == "__main__":
    app()
