"""Errors the toolkit raises on purpose, each pointing at what the analyst must fix."""

from __future__ import annotations

from pathlib import Path


class AssessmentError(Exception):
    """Base class: a problem the analyst can fix, reported in one readable message."""


class ConfigError(AssessmentError):
    """The assessment config file is wrong (unknown key, bad value, missing file)."""


class DataError(AssessmentError):
    """An input file is malformed. Names the file and, where known, the row and column.

    ``row`` is the 1-based line number in the file as a spreadsheet or text editor shows
    it (the header is line 1), so the analyst can go straight to it.
    """

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = str(file)
        self.problem = problem
        self.row = row
        self.column = column
        where = [f"file {self.file}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {problem}")


class ChecksumError(AssessmentError):
    """A raw file no longer matches the sha256 recorded in the data manifest."""


class NotebookError(AssessmentError):
    """A chapter notebook failed while executing; names the notebook and the cell."""
