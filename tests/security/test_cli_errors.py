"""The command line on bad input: one clear error naming the file, never a traceback, exit 1
(130 after Ctrl-C), and ``data/processed/`` and the previous report byte-identical."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from needs_assessment.manifest import verify_raw
from needs_assessment.paths import DEFAULT_CONFIG, MANIFEST, RAW_DIR


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@dataclass(frozen=True)
class CliCase:
    name: str
    command: str  # "prepare" or "run"
    setup: callable  # (settings dict, folder) -> config path (or None: the default file name)
    message: str
    exit_code: int = 1


def config_file(settings: dict, folder: Path, name: str = "area.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def changed(update):
    def setup(settings, folder):
        update(settings, folder)
        return config_file(settings, folder)

    return setup


def manifest_text(text: str):
    def update(settings, folder):
        (folder / "manifest.yaml").write_text(text, encoding="utf-8")
        settings["data"]["manifest"] = str(folder / "manifest.yaml")

    return changed(update)


def tampered(settings, folder):
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    manifest["sources"] = manifest["sources"][:1]
    first = manifest["sources"][0]["files"][0]["path"]
    (folder / first).parent.mkdir(parents=True)
    (folder / first).write_bytes((RAW_DIR / first).read_bytes() + b"31-03-2019,X,Y,Z,1\n")
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    settings["data"]["manifest"] = str(folder / "manifest.yaml")
    return config_file(settings, folder)


def folder_as_config(settings, folder):
    (folder / "area.yaml").mkdir()
    return folder / "area.yaml"


def windows_1252(settings, folder):
    settings["area"]["display_name"] = "Cambridgeshire – Peterborough"
    path = folder / "area.yaml"
    path.write_bytes(yaml.safe_dump(settings, allow_unicode=True).encode("cp1252"))
    return path


def duplicate_key(settings, folder):
    path = config_file(settings, folder)
    path.write_text(path.read_text() + "seed: 1\n", encoding="utf-8")
    return path


def raising(target: str, error: BaseException):
    """Make ``module:function`` raise ``error`` (a full disk, a read-only folder, Ctrl-C).

    The run's own ``prepare`` is skipped (the tables are built), so that the processed
    folder stays as it is while other work changes the loaders.
    """

    def setup(settings, folder, monkeypatch):
        module, name = target.split(":")

        def fail(*args, **kwargs):
            raise error

        monkeypatch.setattr("needs_assessment.report.run.prepare", lambda config: [])
        monkeypatch.setattr(module + "." + name, fail)
        return config_file(settings, folder)

    return setup


ENOSPC = OSError(28, "No space left on device", "reports/area/assessment.pdf")
CLI_CASES = [
    CliCase(
        "config is a folder", "prepare", folder_as_config, "area.yaml: config file is a folder"
    ),
    CliCase("config saved as Windows-1252", "prepare", windows_1252, "not UTF-8"),
    CliCase(
        "config named '..yaml'", "prepare", lambda s, f: config_file(s, f, "..yaml"), "plain name"
    ),
    CliCase(
        "config named '...yaml'", "run", lambda s, f: config_file(s, f, "...yaml"), "plain name"
    ),
    CliCase("config not found", "prepare", lambda s, f: f / "absent.yaml", "config file not found"),
    CliCase("config with a duplicate key", "prepare", duplicate_key, "duplicate key 'seed'"),
    CliCase(
        "force extract is a folder",
        "prepare",
        changed(lambda s, f: s["data"].update(force_extract=str(RAW_DIR))),
        "force_extract",
    ),
    CliCase(
        "processed_dir is a file",
        "prepare",
        changed(lambda s, f: s["data"].update(processed_dir=str(MANIFEST))),
        "is a file, not a folder",
    ),
    CliCase("manifest is a list", "prepare", manifest_text("- a\n- b\n"), "'sources' list"),
    CliCase("manifest is invalid YAML", "run", manifest_text("sources: [\n"), "not valid YAML"),
    CliCase(
        "manifest with a duplicate key",
        "prepare",
        manifest_text("sources: []\nsources: []\n"),
        "duplicate key 'sources'",
    ),
    CliCase("raw file tampered (prepare)", "prepare", tampered, "sha256 differs"),
    CliCase("raw file tampered (run)", "run", tampered, "sha256 differs"),
    CliCase(
        "unknown force",
        "run",
        changed(lambda s, f: s["area"].update(force="Atlantis")),
        "unknown police force",
    ),
    CliCase(
        "no suppression",
        "run",
        changed(lambda s, f: s["thresholds"].update(suppress_counts_up_to=0)),
        "suppress_counts_up_to",
    ),
    CliCase("seed out of range", "run", changed(lambda s, f: s.update(seed=2**40)), "seed"),
    CliCase(
        "unknown peer",
        "run",
        changed(lambda s, f: s["area"].update(peers=["Dorset", "Gotham"])),
        "'Gotham'",
    ),
    CliCase(
        "district of another force",
        "prepare",
        changed(lambda s, f: s["area"]["districts"].update({"E08000025": "Birmingham"})),
        "E08000025 (West Midlands)",
    ),
    CliCase(
        "wording folder outside the project",
        "run",
        changed(lambda s, f: s["report"].update(wording="/etc")),
        "outside the project",
    ),
    CliCase(
        "analyst notes outside the project",
        "run",
        changed(lambda s, f: s["report"].update(analyst_notes="/etc/hostname")),
        "outside the project",
    ),
    CliCase(
        "reports folder read-only",
        "run",
        raising(
            "needs_assessment.report.run.tempfile:mkdtemp",
            PermissionError(13, "Permission denied", "reports/.staging-area"),
        ),
        "permission denied",
    ),
    CliCase(
        "disk full (run)",
        "run",
        raising("needs_assessment.report.run:_build", ENOSPC),
        "disk is full",
    ),
    CliCase(
        "disk full (prepare)",
        "prepare",
        raising("needs_assessment.prepare:prepare", ENOSPC),
        "disk is full",
    ),
    CliCase(
        "Ctrl-C (run)",
        "run",
        raising("needs_assessment.report.run:_build", KeyboardInterrupt()),
        "Interrupted",
        exit_code=130,
    ),
    CliCase(
        "Ctrl-C (prepare)",
        "prepare",
        raising("needs_assessment.prepare:prepare", KeyboardInterrupt()),
        "Interrupted",
        exit_code=130,
    ),
]


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    """A processed folder with its raw-file verification cache already written.

    No case gets as far as building a table (each fails at load, at verification, or at
    a step made to fail), so a folder with one table stands for a built one.
    """
    folder = tmp_path_factory.mktemp("processed")
    (folder / "recorded_crime.parquet").write_bytes(b"a table")
    verify_raw(MANIFEST, folder)
    return folder


@pytest.mark.parametrize("case", CLI_CASES, ids=lambda c: c.name)
def test_cli_gives_one_clear_line_and_writes_nothing(processed, case, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from needs_assessment.cli import app

    settings = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    settings["data"]["processed_dir"] = str(processed)
    settings["report"]["chapters"] = ["trends"]
    reports = tmp_path / "reports"
    previous = reports / "area"
    previous.mkdir(parents=True)
    (previous / "assessment.html").write_text("the previous report")
    before = snapshot(processed), snapshot(previous)
    args = [settings, tmp_path] + ([monkeypatch] if _takes_monkeypatch(case.setup) else [])
    config = case.setup(*args)
    command = [case.command, "--config", str(config)]
    if case.command == "run":
        command += ["--reports-dir", str(reports)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == case.exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith(("Error:", "Interr"))]
    assert len(errors) == 1, result.output
    assert case.message in result.output[result.output.index(errors[0]) :], result.output
    assert (snapshot(processed), snapshot(previous)) == before
    assert sorted(p.name for p in reports.iterdir()) == ["area"]  # no staging, no retired


def _takes_monkeypatch(setup) -> bool:
    import inspect

    return len(inspect.signature(setup).parameters) == 3


def test_the_catalogue_is_large_enough():
    assert len(CLI_CASES) >= 25  # with tests/test_bad_input.py: 62 cases


def test_sna_new_writes_nothing_it_cannot_validate(tmp_path):
    from typer.testing import CliRunner

    from needs_assessment.cli import app

    source = tmp_path / "area-2021.yaml"
    source.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(app, ["new", "--from", str(source), "--year", "2101"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "--year 2101" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["area-2021.yaml"]
