"""Paths in published artefacts are relative to the project root where they lie inside it."""

from __future__ import annotations

from needs_assessment.paths import ROOT
from needs_assessment.report.run import project_relative, relative_paths


def test_paths_inside_the_project_become_relative():
    assert project_relative(ROOT / "config" / "a.yaml") == "config/a.yaml"
    assert project_relative("config/a.yaml") == "config/a.yaml"
    assert project_relative("/elsewhere/a.yaml") == "/elsewhere/a.yaml"


def test_every_string_of_a_manifest_is_made_relative():
    manifest = {
        "config_file": str(ROOT / "config" / "a.yaml"),
        "config": {"data": {"processed_dir": str(ROOT / "data" / "processed")}},
        "list": [str(ROOT / "notebooks" / "01_trends.ipynb"), 3, None],
        "outside": "/tmp/x",
        "prefix_only": str(ROOT) + "-other/x",
    }
    assert relative_paths(manifest) == {
        "config_file": "config/a.yaml",
        "config": {"data": {"processed_dir": "data/processed"}},
        "list": ["notebooks/01_trends.ipynb", 3, None],
        "outside": "/tmp/x",
        "prefix_only": str(ROOT) + "-other/x",
    }
