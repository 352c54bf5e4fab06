"""The chapters an assessment can contain, and what each one depends on.

A run re-executes a chapter only when something it depends on changed: its notebook, the
package code, the config sections it reads, or the processed tables it reads. The
``summary`` chapter is built from the other chapters' results, so it always runs last and
is placed first on the page.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from needs_assessment.paths import NOTEBOOK_DIR

COMMON_CONFIG = ("title", "area", "period", "definitions", "thresholds", "seed")


@dataclass(frozen=True)
class ChapterSpec:
    """A chapter: its key, the config sections it reads, and whether it is built from the
    other chapters' results (the summary). The tables it reads are not listed here: they
    are the keyword-only parameters of its ``build`` (see :func:`inputs`)."""

    key: str
    config: tuple[str, ...] = COMMON_CONFIG
    uses_results: bool = False


SPECS: dict[str, ChapterSpec] = {
    spec.key: spec
    for spec in (
        ChapterSpec("summary", COMMON_CONFIG + ("report",), uses_results=True),
        ChapterSpec("trends", COMMON_CONFIG + ("data",)),
        ChapterSpec("deprivation", COMMON_CONFIG + ("data",)),
        ChapterSpec("hotspots", COMMON_CONFIG + ("data",)),
        ChapterSpec("county_lines", COMMON_CONFIG + ("county_lines", "data")),
        ChapterSpec("people", COMMON_CONFIG + ("data",)),
        ChapterSpec("costs", COMMON_CONFIG + ("data", "costs")),
    )
}
CHAPTERS = tuple(SPECS)


def execution_order(keys: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Chapters that can run side by side, then those that need their results."""
    independent = [k for k in keys if not SPECS[k].uses_results]
    dependent = [k for k in keys if SPECS[k].uses_results]
    return independent, dependent


def page_order(keys: tuple[str, ...]) -> list[str]:
    """The summary first, then the chapters in config order."""
    return [k for k in keys if SPECS[k].uses_results] + [
        k for k in keys if not SPECS[k].uses_results
    ]


def chapter_notebook(key: str) -> Path:
    """``notebooks/NN_<key>.ipynb`` for a chapter key."""
    matches = sorted(NOTEBOOK_DIR.glob(f"[0-9][0-9]_{key}.ipynb"))
    if len(matches) != 1:
        raise FileNotFoundError(
            f"expected one notebook notebooks/NN_{key}.ipynb, found {len(matches)}"
        )
    return matches[0]


def analysis(key: str) -> ModuleType:
    """The chapter's ``analysis`` module (imported when first needed)."""
    return importlib.import_module(f"needs_assessment.chapters.{key}.analysis")


def inputs(key: str) -> tuple[str, ...]:
    """The processed tables a chapter reads: the keyword-only parameters of its ``build``.

    Declared once, by the function that uses them, so the cache key cannot drift from the
    code.
    """
    from needs_assessment.prepare import TABLE_NAMES

    module = analysis(key)
    if not hasattr(module, "build"):  # built from the other chapters' results
        return ()
    parameters = inspect.signature(module.build).parameters
    unknown = [
        name
        for name, p in parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in TABLE_NAMES
    ]
    if unknown:
        raise TypeError(f"chapter '{key}': build asks for unknown tables: {', '.join(unknown)}")
    return tuple(name for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY)


def build(key: str, config, **options: Any):
    """Run a chapter's analysis on the tables it asks for; any other read fails loudly."""
    from needs_assessment.definitions import load_definitions
    from needs_assessment.prepare import only_tables, read_optional

    definitions = load_definitions(config.definitions)
    build_function = analysis(key).build
    names = inputs(key)
    with only_tables(names, key):
        tables = {name: read_optional(config, name) for name in names}
        return build_function(config, definitions, **tables, **options)


def results_model(key: str):
    """The pydantic model of a chapter's block in ``results.json`` (None if it has none)."""
    try:
        module = importlib.import_module(f"needs_assessment.chapters.{key}.results")
    except ModuleNotFoundError:
        return None
    models = [
        value
        for name, value in vars(module).items()
        if name.endswith("Results")
        and isinstance(value, type)
        and value.__module__ == module.__name__
    ]
    return models[0] if len(models) == 1 else None
