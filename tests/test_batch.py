"""Batch: many forces at once into reports/batch/<force>/; a failing force does not stop
the others; each force gets only its own data and every chapter its data allow."""

import json

import pytest

from needs_assessment.batch import Outcome, run_batch, sections_table, slug, write_configs
from needs_assessment.config import load_config
from needs_assessment.paths import DEFAULT_CONFIG


def test_force_configs_are_written_by_init(tmp_path):
    paths, plans, refused = write_configs(
        DEFAULT_CONFIG, ["Cleveland", "Dorset", "Atlantis"], tmp_path
    )
    cleveland = load_config(paths["cleveland"])
    assert cleveland.area.force_code == "E23000013"
    assert set(cleveland.area.districts) == {"E06000001", "E06000002", "E06000003", "E06000004"}
    assert cleveland.area.recording_breaks == []
    assert cleveland.data.force_extract is None
    assert cleveland.data.police_uk.name == "policeuk_street_cleveland"
    assert {"deprivation", "hotspots"} <= set(cleveland.report.chapters)
    assert load_config(paths["dorset"]).data.police_uk is None  # never Cambridgeshire's
    assert [o.force for o in refused] == ["atlantis"]
    assert "not one of the 43" in refused[0].error


def test_sections_table_marks_what_the_data_allow(tmp_path):
    _, plans, _ = write_configs(DEFAULT_CONFIG, ["Dorset"], tmp_path)

    outcome = Outcome("dorset", True, 1.0, chapters=plans["dorset"].chapters)
    header, row = sections_table([outcome])
    cells = dict(zip(header, row, strict=True))
    assert cells["trends"] == "yes" and cells["hotspots"] == "no"


@pytest.mark.e2e
def test_process_pool_batch_with_a_failure(tmp_path):
    hand_made = tmp_path / "cleveland-2021"
    hand_made.mkdir()
    (hand_made / "assessment.html").write_text("hand-made")
    outcomes = run_batch(DEFAULT_CONFIG, ["Cleveland", "Dorset", "Atlantis"], tmp_path, workers=2)
    by_force = {o.force: o for o in outcomes}
    assert by_force["cleveland"].ok and by_force["dorset"].ok
    assert not by_force["atlantis"].ok
    results = json.loads((tmp_path / "batch" / "cleveland" / "results.json").read_text())
    assert {"trends", "hotspots", "deprivation"} <= set(results)
    assert {j["category"] for j in results["trends"]["judgements"]} >= {"robbery", "homicide"}
    assert (hand_made / "assessment.html").read_text() == "hand-made"
    manifest = json.loads((tmp_path / "batch" / "dorset" / "run_manifest.json").read_text())
    assert "policeuk_street_cambridgeshire" not in json.dumps(manifest)
    assert "demo_force_extract" not in json.dumps(manifest)


@pytest.mark.e2e
def test_dask_cluster_batch(tmp_path):
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        outcomes = run_batch(DEFAULT_CONFIG, ["Cumbria", "Atlantis"], tmp_path, scheduler=client)
    assert [(o.force, o.ok) for o in outcomes] == [("atlantis", False), ("cumbria", True)]
    assert (tmp_path / "batch" / "cumbria" / "assessment.html").exists()


def test_slug():
    assert slug("Devon and Cornwall") == "devon-and-cornwall"
