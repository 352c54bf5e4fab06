"""Annual refresh: next year's config, and which inputs stop before its period ends."""

import pytest

from needs_assessment.config import load_config
from needs_assessment.coverage import stale_inputs, table_coverage
from needs_assessment.errors import ConfigError
from needs_assessment.paths import DEFAULT_CONFIG
from needs_assessment.refresh import input_report, new_config, next_config_path


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
