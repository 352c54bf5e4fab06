"""Any force, any year: `sna init` for each of the 43 forces, then trends and the summary.

Fast part: every force's config is written by `sna init`, the trends analysis is built in
process and the summary's key messages and dashboard are drawn from its results. The `e2e`
part publishes whole reports with papermill for the cases issue 13 names.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from needs_assessment import init as area_init
from needs_assessment.chapters import registry
from needs_assessment.chapters.summary import analysis as summary
from needs_assessment.chapters.summary import tables, words
from needs_assessment.chapters.trends.results import results as trend_results
from needs_assessment.config import CHAPTER_NEEDS, load_config
from needs_assessment.forces import TERRITORIAL_FORCES
from needs_assessment.paths import DEFAULT_CONFIG, RAW_DIR

SNA = Path(sys.executable).with_name("sna")


@pytest.fixture(scope="module")
def base():
    return load_config(DEFAULT_CONFIG)


@pytest.fixture(scope="module")
def lookups(base):
    return area_init.lookups(base)


@pytest.fixture(scope="module")
def configs(base, lookups, tmp_path_factory):
    folder = tmp_path_factory.mktemp("configs")
    made = {}
    for force in sorted(TERRITORIAL_FORCES):
        plan = area_init.plan(force, base.period.last_year, base=base, tables=lookups)
        made[force] = load_config(
            area_init.write(plan, folder / f"{area_init.force_slug(force)}.yaml")
        )
    return made


def test_init_writes_a_valid_config_for_each_of_the_43_forces(configs):
    assert len(configs) == 43
    codes = {config.area.force_code for config in configs.values()}
    assert len(codes) == 43 and None not in codes
    for force, config in configs.items():
        assert config.area.force == force and config.area.districts
        assert config.data.force_extract is None  # no extract is given
        folder = config.data.police_uk
        assert folder is None or area_init.force_slug(force).replace("-", "_") in folder.name


def test_a_welsh_force_with_police_uk_files_gets_the_deprivation_chapter(
    base, lookups, tmp_path, monkeypatch
):
    folder = tmp_path / "policeuk_street_gwent" / "2021-04"
    folder.mkdir(parents=True)
    (folder / "2021-04-gwent-street.csv").write_text(
        "Crime ID,Month,Reported by,Falls within,LSOA code,Crime type\n"
        ",2021-04,Gwent Police,Gwent Police,W01001598,Violence and sexual offences\n"
    )
    monkeypatch.setattr(area_init, "police_uk_folder", lambda force: folder.parent)
    plan = area_init.plan("Gwent", 2021, base=base, tables=lookups)
    assert {"deprivation", "hotspots"} <= set(plan.chapters)  # WIMD 2019 ranks its LSOAs
    assert "deprivation" not in plan.left_out


@pytest.mark.parametrize("force", sorted(TERRITORIAL_FORCES))
def test_trends_and_summary_for_every_force(configs, force):
    config = configs[force]
    recorded = trend_results(registry.build("trends", config)).model_dump(mode="json")
    assert recorded["judgements"], f"{force}: no judgement"
    assert {row["financial_year"] for row in recorded["judgements"]} <= set(
        config.period.financial_years
    )
    results = {"trends": recorded}
    assert words.key_messages(results)["messages"]
    dashboard = tables.dashboard(recorded)
    assert len(dashboard) == len(recorded["judgements"])
    assert summary.changes(results, results).empty  # a report compared with itself


# -- whole reports (papermill) ----------------------------------------------------------


def _init(tmp_path, *options) -> Path:
    folder = tmp_path / "config"
    done = subprocess.run(
        [str(SNA), "init", *options, "--folder", str(folder)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    (path,) = folder.glob("*.yaml")
    return path


def _publish(config: Path, reports: Path) -> dict:
    done = subprocess.run(
        [str(SNA), "run", "--config", str(config), "--reports-dir", str(reports)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads((reports / config.stem / "results.json").read_text())


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("options", "chapters"),
    [
        (["--force", "Cleveland"], {"trends", "deprivation", "hotspots", "people", "costs"}),
        (["--force", "Dorset"], {"trends", "people", "costs"}),
        (["--force", "Gwent"], {"trends", "people", "costs"}),
        (
            ["--force", "Cambridgeshire", "--districts", "E07000008,E06000031"],
            {"trends", "deprivation", "hotspots", "people", "costs"},
        ),
    ],
    ids=["cleveland", "dorset", "gwent", "partnership"],
)
def test_full_run(tmp_path, options, chapters):
    results = _publish(_init(tmp_path, *options, "--year", "2021"), tmp_path / "reports")
    left_out = results.pop("chapters_left_out", {"gaps": []})["gaps"]
    assert set(results) == chapters | {"summary"}
    named = {gap["section"].split(":")[0] for gap in left_out}  # the page says what is missing
    assert named == {key.replace("_", " ").capitalize() for key in set(CHAPTER_NEEDS) - chapters}


@pytest.mark.e2e
def test_full_run_with_a_300_row_extract(tmp_path):
    demo = RAW_DIR / "demo_force_extract" / "demo_force_extract_cambridgeshire.csv.gz"
    rows = pd.read_csv(demo, dtype=str, keep_default_na=False)
    small = tmp_path / "extract_300.csv"
    rows.sample(300, random_state=1).to_csv(small, index=False)
    inside = Path("data/raw") / "_test_extract_300.csv"  # configs name files in the project
    shutil.copy(small, inside)
    try:
        config = _init(
            tmp_path, "--force", "Cambridgeshire", "--year", "2021", "--extract", str(inside)
        )
        results = _publish(config, tmp_path / "reports")
    finally:
        inside.unlink(missing_ok=True)
    assert "county_lines" in results
    readers = [key for key in results if "force_extract" in registry.inputs(key)]
    assert len(readers) == 6  # every chapter built on the extract says it is thin
    for key in readers:
        notices = [g for g in results[key].get("gaps", []) if g["section"] == "Force extract"]
        assert [g["status"] for g in notices] == ["read with care"], key
    thin = {g["section"]: g["status"] for g in results["county_lines"]["gaps"]}
    assert thin["County Lines: where the dealers come from"] == "not available"
    executed = json.loads((tmp_path / "reports" / config.stem / "notebooks" / NOTEBOOK).read_text())
    shown = [o for c in executed["cells"] for o in c.get("outputs", [])]
    assert not [o for o in shown if o["output_type"] == "execute_result"]  # no stray "False"


NOTEBOOK = "04_county_lines.ipynb"


@pytest.mark.e2e
def test_refresh_of_the_default_config_publishes(tmp_path):
    source = tmp_path / "cambridgeshire-2021.yaml"
    shutil.copy(DEFAULT_CONFIG, source)
    done = subprocess.run(
        [str(SNA), "new", "--from", str(source), "--year", "2022"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "What each section lacks" in done.stderr
    results = _publish(tmp_path / "cambridgeshire-2022.yaml", tmp_path / "reports")
    assert results["trends"]["latest"]["financial_year"] == "2022/23"
    lines = results["county_lines"]  # the extract ends in 2021/22: the chapter stops there
    assert lines["latest_year"] == "2021/22"
    assert [g["section"] for g in lines["gaps"]] == ["County Lines: the years covered"]


def _without_county_lines(config: Path) -> Path:
    text = config.read_text()
    line = next(x for x in text.splitlines() if x.strip().startswith("chapters:"))
    config.write_text(text.replace(line, line.replace(", county_lines", "")))
    return config


@pytest.mark.e2e
def test_refresh_publishes_every_other_chapter(tmp_path):
    source = tmp_path / "cambridgeshire-2021.yaml"
    shutil.copy(DEFAULT_CONFIG, source)
    subprocess.run([str(SNA), "new", "--from", str(source), "--year", "2022"], check=True)
    config = _without_county_lines(tmp_path / "cambridgeshire-2022.yaml")
    results = _publish(config, tmp_path / "reports")
    assert results["trends"]["latest"]["financial_year"] == "2022/23"
    assert {"deprivation", "hotspots", "people", "costs"} <= set(results)


@pytest.mark.e2e
def test_a_300_row_extract_publishes_every_other_chapter(tmp_path):
    demo = RAW_DIR / "demo_force_extract" / "demo_force_extract_cambridgeshire.csv.gz"
    rows = pd.read_csv(demo, dtype=str, keep_default_na=False)
    inside = Path("data/raw") / "_test_extract_300b.csv"
    rows.sample(300, random_state=1).to_csv(inside, index=False)
    try:
        config = _init(
            tmp_path, "--force", "Cambridgeshire", "--year", "2021", "--extract", str(inside)
        )
        results = _publish(_without_county_lines(config), tmp_path / "reports")
        assert {"deprivation", "hotspots", "people", "costs"} <= set(results)
    finally:
        inside.unlink(missing_ok=True)
