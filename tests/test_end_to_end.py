"""`sna run` on the default config, as an analyst runs it, into a temporary folder."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from needs_assessment.chapters import registry
from needs_assessment.errors import NotebookError
from needs_assessment.paths import DEFAULT_CONFIG, NOTEBOOK_DIR
from needs_assessment.report import run as report

pytestmark = pytest.mark.e2e


def test_outputs_contract(published):
    for name in (
        "assessment.html",
        "results.json",
        "run_manifest.json",
        "tables.xlsx",
        "tables/trends_annual.csv",
        "tables/trends_benchmarks.csv",
        "notebooks/01_trends.ipynb",
    ):
        assert (published / name).exists(), name
    assert not list(published.parent.glob(".staging-*"))


def test_page_is_self_contained_and_shows_no_code(published):
    page = (published / "assessment.html").read_text()
    assert not re.search(
        r"""<(script|img|link|iframe)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", page
    )
    assert "@import" not in page
    assert "chapter.say(" not in page and "from needs_assessment" not in page
    assert (
        'class="jp-OutputArea-output" data-mime-type="application/vnd.jupyter.stderr"' not in page
    )
    assert "Traceback" not in page
    images = re.findall(r"<img[^>]*>", page)
    assert images and all(re.search(r'alt="[^"]{20,}"', img) for img in images)
    assert "<caption>" in page


def test_prose_quotes_results(published):
    results = json.loads((published / "results.json").read_text())
    page = (published / "assessment.html").read_text()
    vwi = {j["category"]: j for j in results["trends"]["judgements"]}["violence_with_injury"]
    # Home Office police recorded crime open data tables (October 2023 edition)
    assert vwi["count"] == 5_675 and vwi["financial_year"] == "2021/22"
    assert f"{vwi['count']:,} offences in {vwi['financial_year']}" in page
    assert "Open Government Licence" in page


def test_table_and_manifest(published):
    table = pd.read_csv(published / "tables" / "trends_annual.csv")
    row = table[(table.category == "violence_with_injury") & (table.financial_year == "2017/18")]
    assert int(row["count"].iloc[0]) == 4_976  # 4,973 in the ONS file; revised since
    manifest = json.loads((published / "run_manifest.json").read_text())
    assert manifest["config_name"] == "cambridgeshire-2021"
    assert manifest["data_sha256"] and manifest["versions"]["pandas"]
    assert {"prepare", "chapter:trends", "render", "total"} <= set(manifest["timings_seconds"])
    workbook = pd.ExcelFile(published / "tables.xlsx")
    assert workbook.sheet_names[0] == "Contents" and "trends_annual" in workbook.sheet_names


def test_failed_run_names_notebook_and_cell_and_keeps_previous_report(
    published, tmp_path, monkeypatch
):
    before = (published / "assessment.html").read_bytes()
    broken = new_notebook(
        cells=[
            new_markdown_cell("## Trends"),
            new_code_cell('config_path = ""\noutput_dir = ""', metadata={"tags": ["parameters"]}),
            new_code_cell("1 / 0"),
        ]
    )
    broken.metadata = nbformat.read(NOTEBOOK_DIR / "01_trends.ipynb", as_version=4).metadata
    nbformat.write(broken, tmp_path / "01_trends.ipynb")
    for other in NOTEBOOK_DIR.glob("*.ipynb"):
        if other.name != "01_trends.ipynb":
            shutil.copy(other, tmp_path)
    monkeypatch.setattr(registry, "NOTEBOOK_DIR", tmp_path)
    with pytest.raises(
        NotebookError, match=r"01_trends\.ipynb failed in cell 3 .*ZeroDivisionError"
    ):
        report.run(DEFAULT_CONFIG, reports_dir=published.parent)
    assert (published / "assessment.html").read_bytes() == before
    assert not list(published.parent.glob(".staging-*"))


def test_analyst_notes_appear_after_the_key_findings(published, tmp_path):
    import yaml

    notes = tmp_path / "config" / "notes.md"  # beside the config: the notes rule
    notes.parent.mkdir()
    notes.write_text("Fund two more youth workers in Peterborough city centre.\n")
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    settings["report"]["analyst_notes"] = str(notes)
    config = tmp_path / "config" / "cambridgeshire-2021.yaml"
    config.write_text(yaml.safe_dump(settings))
    shutil.copytree(published, tmp_path / "reports" / published.name)
    folder = report.run(config, reports_dir=tmp_path / "reports")
    page = (folder / "assessment.html").read_text()
    assert "Recommendations and local context" in page
    assert page.index("Fund two more youth workers") < page.index("Trends in serious violence</h2>")
    manifest = json.loads((folder / "run_manifest.json").read_text())
    assert (
        manifest["chapters"]["trends"]["reused"] and not manifest["chapters"]["summary"]["reused"]
    )
