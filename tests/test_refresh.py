"""Annual refresh: next year's config, and which inputs stop before its period ends."""

import pytest

from needs_assessment.config import load_config
from needs_assessment.coverage import stale_inputs, table_coverage
from needs_assessment.errors import ConfigError
from needs_assessment.paths import DEFAULT_CONFIG
from needs_assessment.refresh import input_report, new_config, next_config_path, section_gaps


def test_next_config_moves_the_period_and_keeps_the_rest(tmp_path):
    source = tmp_path / "cambridgeshire-2021.yaml"
    source.write_text(DEFAULT_CONFIG.read_text())
    target = new_config(source, 2022)
    assert target.name == "cambridgeshire-2022.yaml"
    old, new = load_config(source), load_config(target)
    assert new.period.last_year == 2022 and new.period.first_year == old.period.first_year
    assert new.area == old.area and new.data == old.data and new.thresholds == old.thresholds
    assert "# Refreshed from cambridgeshire-2021.yaml" in target.read_text()
    assert "# The force's offence-level extract" in target.read_text()  # comments kept
    with pytest.raises(ConfigError, match="already exists"):
        new_config(source, 2022)
    with pytest.raises(ConfigError, match="must come after"):
        new_config(source, 2020)


def test_next_config_path_names():
    assert next_config_path(DEFAULT_CONFIG, 2023).name == "cambridgeshire-2023.yaml"
    assert next_config_path(DEFAULT_CONFIG.with_name("cambs.yaml"), 2023).name == "cambs-2023.yaml"


def test_inputs_ending_before_the_period_are_named(default_config):
    coverages, stale = input_report(default_config)
    by_table = {c.table: c for c in coverages}
    assert by_table["recorded_crime"].last == "2018-12"
    assert by_table["force_extract"].last == "2022-03"
    assert any(note.startswith("recorded_crime: data end in 2018/19") for note in stale)
    assert not any(note.startswith("crime_severity") for note in stale)


def test_table_coverage_on_a_small_frame(default_config):
    import pandas as pd

    frame = pd.DataFrame(
        {"month": pd.to_datetime(["2019-04-01", "2020-03-01"]), "force": ["A", "B"]}
    )
    item = table_coverage("police_uk_counts", frame)
    assert (item.rows, item.first, item.last, item.areas) == (2, "2019-04", "2020-03", 2)
    assert item.last_financial_year == 2019
    assert stale_inputs([item], default_config) == [
        "police_uk_counts: data end in 2019/20 (2020-03), before 2021/22"
    ]


def test_a_year_past_the_published_series_is_refused_before_writing(tmp_path):
    source = tmp_path / "cambridgeshire-2021.yaml"
    source.write_text(DEFAULT_CONFIG.read_text())
    with pytest.raises(ConfigError, match="--year 2200: .* end in 2022/23"):
        new_config(source, 2200)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cambridgeshire-2021.yaml"]


def test_section_gaps_name_the_chapter_the_table_and_the_publication(tmp_path):
    source = tmp_path / "cambridgeshire-2021.yaml"
    source.write_text(DEFAULT_CONFIG.read_text())
    config = load_config(new_config(source, 2022))
    coverages, _ = input_report(config)
    gaps = section_gaps(config, coverages)
    assert any(g.startswith("hotspots: police_uk_counts ends in 2020/21") for g in gaps)
    assert any("data.police.uk" in g for g in gaps)
    assert not any(g.startswith("trends: force_offence_categories") for g in gaps)


def _published(folder, name, force, districts, last_year):
    import json

    report = folder / name
    report.mkdir()
    settings = {
        "area": {"force": force, "districts": districts},
        "period": {"last_year": last_year},
    }
    (report / "run_manifest.json").write_text(json.dumps({"config": settings}))
    (report / "results.json").write_text("{}")
    return report / "results.json"


def test_previous_assessment_is_the_same_areas_latest_earlier_period(tmp_path, default_config):
    from needs_assessment.report.run import previous_assessment

    districts = dict(default_config.area.districts)
    _published(tmp_path, "old-name-2019", "Cambridgeshire", districts, 2019)
    wanted = _published(tmp_path, "renamed-2020", "Cambridgeshire", districts, 2020)
    _published(tmp_path, "cleveland-2020", "Cleveland", {"E06000001": "Hartlepool"}, 2020)
    _published(tmp_path, "two-districts-2020", "Cambridgeshire", {"E07000008": "C"}, 2020)
    _published(tmp_path, "same-year-2021", "Cambridgeshire", districts, 2021)
    assert previous_assessment(tmp_path, default_config) == wanted


def test_changes_tell_a_revision_from_a_change_in_the_latest_year():
    from needs_assessment.chapters.summary.analysis import changes

    then = {"category": "robbery", "label": "Robbery", "financial_year": "2020/21", "count": 700}
    now = {"category": "robbery", "label": "Robbery", "financial_year": "2021/22", "count": 834}
    previous = {"trends": {"judgements": [dict(then, vs_england_wales="Comparable")]}}
    current = {
        "trends": {
            "judgements": [dict(now, vs_england_wales="Lower")],
            "recent_counts": {"robbery": {"2020/21": 712, "2021/22": 834}},
        }
    }
    table = changes(current, previous).set_index("measure")
    assert table.loc["count_of_year", ["year", "then", "now", "change"]].tolist() == [
        "2020/21",
        700,
        712,
        "revision",
    ]
    assert table.loc["count", "now"] == "2021/22: 834"
    assert table.loc["vs_england_wales", ["then", "now"]].tolist() == ["Comparable", "Lower"]
    assert set(table["change"]) == {"revision", "latest_year"}


def test_changes_table_words_every_measure_and_kind():
    from needs_assessment.chapters.summary.analysis import changes
    from needs_assessment.chapters.summary.tables import changes_table
    from needs_assessment.presentation.text import Wording, plain

    then = {"category": "robbery", "label": "Robbery", "financial_year": "2020/21", "count": 700}
    now = dict(then, financial_year="2021/22", count=834, vs_three_year_average="Higher")
    current = {"trends": {"judgements": [now], "recent_counts": {"robbery": {"2020/21": 712}}}}
    wording = Wording(0.95)
    table = changes_table(
        changes(current, {"trends": {"judgements": [then]}}),
        lambda block, **ctx: plain(wording.block("summary/change_labels", block, **ctx)),
    )
    assert table["Measure"].tolist() == ["Offences in 2020/21", "Offences", "vs 3-year average"]
    assert table["What changed"].str.len().min() > 0
