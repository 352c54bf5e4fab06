"""Chapter cache: a changed input re-runs exactly the chapters that depend on it."""

import json
import shutil

import pandas as pd
import pytest

from needs_assessment.chapters.registry import SPECS, execution_order, inputs, page_order
from needs_assessment.paths import NOTEBOOK_DIR
from needs_assessment.prepare import prepare
from needs_assessment.report import cache


def present():
    return [key for key in SPECS if list(NOTEBOOK_DIR.glob(f"[0-9][0-9]_{key}.ipynb"))]


def keys(config):
    return {key: cache.chapter_key(key, config) for key in present()}


@pytest.mark.parametrize(
    "table", ["police_uk_counts", "crime_severity", "force_extract", "force_offence_categories"]
)
def test_changed_table_changes_only_dependent_chapters(default_config, monkeypatch, table):
    prepare(default_config)
    before = keys(default_config)
    changed = dict(cache.stamp(default_config), **{table: {"inputs": "next year's files"}})
    monkeypatch.setattr(cache, "stamp", lambda config: changed)
    after = keys(default_config)
    rerun = {k for k in before if before[k] != after[k]}
    assert rerun == {k for k in before if table in cache.read_tables(k)}
    assert ("trends" in rerun) == (table != "police_uk_counts")  # trends reads no police.uk
    assert ("hotspots" in rerun) == (table != "crime_severity")


def test_a_chapter_on_the_extract_reads_the_tables_of_its_read_with_care_notice():
    on_extract = [key for key in SPECS if "force_extract" in inputs(key)]
    assert on_extract  # County Lines, People ... read the extract
    for key in on_extract:
        assert set(cache.THIN_NOTICE_TABLES) <= set(cache.read_tables(key)), key
    assert cache.read_tables("summary") == list(inputs("summary"))


def test_changed_config_section_changes_only_its_readers(default_config):
    before = keys(default_config)
    report = default_config.report.model_copy(update={"execution_timeout_seconds": 900})
    after = keys(default_config.model_copy(update={"report": report}))
    assert {k for k in before if before[k] != after[k]} == {"summary"}


def test_summary_runs_last_and_shows_first():
    chapters = ("trends", "summary", "hotspots")
    assert execution_order(chapters) == (["trends", "hotspots"], ["summary"])
    assert page_order(chapters) == ["summary", "trends", "hotspots"]


def test_unchanged_rerun_reuses_chapters(published, tmp_path):
    from needs_assessment.report.run import run

    shutil.copytree(published, tmp_path / published.name)
    again = run("config/cambridgeshire-2021.yaml", reports_dir=tmp_path)
    manifest = json.loads((again / "run_manifest.json").read_text())
    assert all(entry["reused"] for entry in manifest["chapters"].values())
    assert "_page" in manifest["chapters"]
    for name in ("tables/trends_annual.csv", "assessment.html", "results.json"):
        assert (again / name).read_bytes() == (published / name).read_bytes()
    assert "trends_annual" in pd.ExcelFile(again / "tables.xlsx").sheet_names


def test_summary_and_page_follow_a_changed_chapter(default_config):
    before = cache.chapter_key("summary", default_config, {"trends": "a", "hotspots": "b"})
    after = cache.chapter_key("summary", default_config, {"trends": "a", "hotspots": "c"})
    assert before != after
    page = cache.page_key(default_config, {"trends": "a"})
    assert page != cache.page_key(default_config, {"trends": "b"})


def test_one_chapters_code_reruns_only_that_chapter(default_config, monkeypatch, tmp_path):
    before = keys(default_config)
    package = tmp_path / "needs_assessment"
    shutil.copytree(cache.PACKAGE, package)
    (package / "chapters" / "trends" / "charts.py").write_text("# changed\n", encoding="utf-8")
    monkeypatch.setattr(cache, "PACKAGE", package)
    after = keys(default_config)
    assert {k for k in before if before[k] != after[k]} == {"trends"}


def test_page_key_says_whether_a_pdf_was_printed(default_config):
    keys = {"trends": "a"}
    assert cache.page_key(default_config, keys, pdf=True) == cache.page_key(default_config, keys)
    assert cache.page_key(default_config, keys, pdf=False) != cache.page_key(default_config, keys)


@pytest.mark.e2e
def test_a_page_published_without_pdf_is_printed_when_a_pdf_is_wanted(published, tmp_path):
    from needs_assessment.report.run import run

    shutil.copytree(published, tmp_path / published.name)
    html_only = run("config/cambridgeshire-2021.yaml", reports_dir=tmp_path, pdf=False)
    manifest = json.loads((html_only / "run_manifest.json").read_text())
    assert all(entry["reused"] for key, entry in manifest["chapters"].items() if key != "_page")
    assert not manifest["chapters"]["_page"]["reused"]
    assert not (html_only / "assessment.pdf").exists()
    assert (html_only / "assessment.html").exists()
    printed = run("config/cambridgeshire-2021.yaml", reports_dir=tmp_path)
    assert (printed / "assessment.pdf").exists() == (published / "assessment.pdf").exists()
    assert (printed / "results.json").read_bytes() == (published / "results.json").read_bytes()
