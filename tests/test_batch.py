"""Batch: many forces at once into reports/batch/<force>/; a failing force does not stop
the others; each force gets only its own data and every chapter its data allow."""

import importlib.util
import json

import pytest

from needs_assessment.batch import (
    Outcome,
    longest_first,
    run_batch,
    sections_table,
    slug,
    write_configs,
)
from needs_assessment.config import load_config
from needs_assessment.paths import DEFAULT_CONFIG, ROOT


def differences(first, second) -> list[str]:
    """What differs in content between two reports (benchmarks/compare_reports.py)."""
    spec = importlib.util.spec_from_file_location(
        "compare_reports", ROOT / "benchmarks" / "compare_reports.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.differences(first, second)


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


def test_forces_with_most_chapters_start_first(tmp_path):
    _, plans, _ = write_configs(DEFAULT_CONFIG, ["Dorset", "Cleveland", "Gwent"], tmp_path)
    assert len(plans["cleveland"].chapters) > len(plans["dorset"].chapters)
    assert longest_first(plans) == ["cleveland", "dorset", "gwent"]


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
def test_dask_cluster_gives_the_pool_and_single_runs_outputs(tmp_path):
    from dask.distributed import Client, LocalCluster

    from needs_assessment.report.run import run

    forces = ["Cumbria", "Gwent", "Atlantis"]
    pooled = run_batch(DEFAULT_CONFIG, forces, tmp_path / "pool", workers=2, pdf=False)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        on_dask = run_batch(DEFAULT_CONFIG, forces, tmp_path / "dask", scheduler=client, pdf=False)
    assert [(o.force, o.ok) for o in on_dask] == [(o.force, o.ok) for o in pooled]
    assert [(o.force, o.ok) for o in on_dask] == [
        ("atlantis", False),
        ("cumbria", True),
        ("gwent", True),
    ]
    for force in ("cumbria", "gwent"):
        assert (
            differences(tmp_path / "pool" / "batch" / force, tmp_path / "dask" / "batch" / force)
            == []
        )
    assert not (tmp_path / "pool" / "batch" / "gwent" / "assessment.pdf").exists()
    single = run(
        tmp_path / "pool" / "batch" / "_configs" / "gwent.yaml", reports_dir=tmp_path, pdf=False
    )
    assert differences(single, tmp_path / "pool" / "batch" / "gwent") == []


def test_slug():
    assert slug("Devon and Cornwall") == "devon-and-cornwall"
