"""Publishing is one atomic swap: a run killed at any step leaves the old or the new report
complete, and the next run restores or removes what it left behind, and says so."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from needs_assessment.errors import ConfigError
from needs_assessment.report import run as run_module
from needs_assessment.report.run import _publish, recover, report_folder

FILES = ("assessment.html", "results.json", "tables/a.csv", "notebooks/01_trends.ipynb")
DEAD_PID = 4_000_000  # above the kernel's pid_max: no such process


class Killed(BaseException):
    """Stands for kill -9: nothing after it runs (``_publish`` has no clean-up handler)."""


def write_report(folder: Path, version: str) -> Path:
    for name in FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"{version} {name}")
    return folder


def version_of(folder: Path) -> str:
    """'old' or 'new' when the folder holds a complete report of that version."""
    found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert found == sorted(FILES), found
    versions = {(folder / name).read_text().split()[0] for name in FILES}
    assert len(versions) == 1, versions
    return versions.pop()


def staged(reports: Path, name: str) -> Path:
    return write_report(reports / f".staging-{name}-{DEAD_PID}-abc123", "new")


def crash_at(monkeypatch, step: int) -> list[str]:
    """Make the ``step``-th file-system call of ``_publish`` die before it happens."""
    calls: list[str] = []

    def wrap(name, function):
        def wrapped(*args, **kwargs):
            calls.append(name)
            if len(calls) == step:
                raise Killed(name)
            return function(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(run_module, "exchange", wrap("exchange", run_module.exchange))
    monkeypatch.setattr(run_module.os, "replace", wrap("replace", os.replace))
    monkeypatch.setattr(run_module.shutil, "rmtree", wrap("rmtree", shutil.rmtree))
    monkeypatch.setattr(Path, "chmod", wrap("chmod", Path.chmod))
    return calls


@pytest.mark.parametrize("swap", ["exchange", "two renames"])
@pytest.mark.parametrize("step", [1, 2, 3, 4, 5])
def test_killed_at_any_step_a_complete_report_remains(tmp_path, monkeypatch, step, swap):
    reports = tmp_path / "reports"
    target = write_report(reports / "area", "old")
    staging = staged(reports, "area")
    if swap == "two renames":
        monkeypatch.setattr(run_module, "exchange", lambda a, b: False)
    calls = crash_at(monkeypatch, step)
    try:
        _publish(staging, target)
        finished = True
    except Killed:
        finished = False
    monkeypatch.undo()
    monkeypatch.setattr(run_module, "_alive", lambda pid: False)  # the killed run is gone
    said: list[str] = []
    recover(target, said.append)
    assert version_of(target) == ("new" if finished or calls[-1] == "rmtree" else "old")
    assert [p.name for p in reports.iterdir()] == ["area"]  # nothing left behind
    assert bool(said) == (not finished)  # a recovery says what it did


def test_first_publish_killed_leaves_nothing_half_written(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    staging = staged(reports, "area")
    crash_at(monkeypatch, 2)  # chmod, then the rename dies
    with pytest.raises(Killed):
        _publish(staging, reports / "area")
    monkeypatch.undo()
    monkeypatch.setattr(run_module, "_alive", lambda pid: False)
    recover(reports / "area")
    assert list(reports.iterdir()) == []


def test_a_retired_report_is_restored_when_the_report_is_missing(tmp_path):
    reports = tmp_path / "reports"
    write_report(reports / f".retired-area-{DEAD_PID}", "old")
    said: list[str] = []
    recover(reports / "area", said.append)
    assert version_of(reports / "area") == "old"
    assert said and "Restored" in said[0]


def test_a_running_report_is_left_alone(tmp_path):
    reports = tmp_path / "reports"
    write_report(reports / "area", "old")
    live = write_report(reports / f".staging-area-{os.getpid()}-xyz", "new")
    other = write_report(reports / f".staging-area-2021-{DEAD_PID}-xyz", "new")  # 'area-2021'
    recover(reports / "area")
    assert live.exists() and other.exists()


def test_the_whole_exchange_is_one_step(tmp_path):
    first, second = write_report(tmp_path / "a", "new"), write_report(tmp_path / "b", "old")
    if not run_module.exchange(first, second):
        pytest.skip("this file system cannot exchange two folders")
    assert version_of(second) == "new" and version_of(first) == "old"


@pytest.mark.parametrize("name", [".", "..", "", "../x", "a/../../b"])
def test_a_report_outside_the_reports_folder_is_refused(tmp_path, name):
    with pytest.raises(ConfigError, match="outside"):
        report_folder(tmp_path / "reports", name)


CHILD = """
import os, shutil, sys, time
from pathlib import Path
from needs_assessment.report import run

step, swap = int(sys.argv[1]), sys.argv[2]
calls = []


def pausing(function):
    def paused(*args, **kwargs):
        calls.append(1)
        if len(calls) == step:
            print("paused", flush=True)
            time.sleep(60)  # killed here
        return function(*args, **kwargs)

    return paused


if swap == "two renames":
    run.exchange = lambda a, b: False
run.exchange = pausing(run.exchange)
run.os.replace = pausing(os.replace)
run.shutil.rmtree = pausing(shutil.rmtree)
Path.chmod = pausing(Path.chmod)
run._publish(Path(sys.argv[3]), Path(sys.argv[4]))
print("finished", flush=True)
"""


@pytest.mark.parametrize(
    ("swap", "step"), [("exchange", 1), ("exchange", 2), ("exchange", 3), ("two renames", 4)]
)
def test_kill_9_at_any_step_leaves_a_complete_report(tmp_path, step, swap):
    import signal
    import subprocess
    import sys

    reports = tmp_path / "reports"
    target = write_report(reports / "area", "old")
    staging = staged(reports, "area")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(step), swap, str(staging), str(target)],
        stdout=subprocess.PIPE,
        text=True,
    )
    state = child.stdout.readline().strip()
    if state == "paused":
        os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)
    assert state in ("paused", "finished")
    recover(target)  # the killed child's pid is dead, so its leftovers are cleared
    assert version_of(target) in ("old", "new")
    assert [p.name for p in reports.iterdir()] == ["area"]
