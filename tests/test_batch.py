"""Batch: many forces at once; a failing force is reported and does not stop the others."""

import json

import pytest

from needs_assessment.batch import force_config, run_batch, slug
from needs_assessment.config import load_config
from needs_assessment.paths import DEFAULT_CONFIG
from needs_assessment.prepare import prepare

pytestmark = pytest.mark.e2e


def test_force_configs_are_derived_from_the_template(tmp_path, default_config):
    prepare(default_config)
    path = force_config(default_config, DEFAULT_CONFIG, "Cleveland", tmp_path, 2021)
    config = load_config(path)
    assert config.area.force == "Cleveland" and config.area.force_code == "E23000013"
    assert set(config.area.districts) == {"E06000001", "E06000002", "E06000003", "E06000004"}
    assert config.area.recording_breaks == []
    assert config.data.force_extract is None
    assert "county_lines" not in config.report.chapters


def test_process_pool_batch_with_a_failure(tmp_path):
    outcomes = run_batch(DEFAULT_CONFIG, ["Cleveland", "Dorset", "Atlantis"], tmp_path, workers=2)
    by_force = {o.force: o for o in outcomes}
    assert by_force["cleveland-2021"].ok and by_force["dorset-2021"].ok
    assert not by_force["atlantis-2021"].ok
    assert "at least one district" in by_force["atlantis-2021"].error
    results = json.loads((tmp_path / "cleveland-2021" / "results.json").read_text())
    assert {j["category"] for j in results["trends"]["judgements"]} >= {"robbery", "homicide"}


def test_dask_cluster_batch(tmp_path):
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        outcomes = run_batch(DEFAULT_CONFIG, ["Cumbria", "Atlantis"], tmp_path, scheduler=client)
    assert [(o.force, o.ok) for o in outcomes] == [("atlantis-2021", False), ("cumbria-2021", True)]
    assert (tmp_path / "cumbria-2021" / "assessment.html").exists()


def test_slug():
    assert slug("Devon and Cornwall") == "devon-and-cornwall"
