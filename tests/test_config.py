from pathlib import Path

import pytest
import yaml

from needs_assessment.config import financial_year_label, load_config
from needs_assessment.errors import ConfigError
from needs_assessment.paths import DEFAULT_CONFIG


def write_variant(tmp_path: Path, change) -> Path:
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text())
    change(settings)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(settings))
    return path


def test_default_config_is_valid(default_config):
    assert default_config.name == "cambridgeshire-2021"
    assert default_config.area.force == "Cambridgeshire"
    assert len(default_config.area.districts) == 6
    assert default_config.period.financial_years[0] == "2010/11"
    assert default_config.period.financial_years[-1] == "2021/22"


def test_unknown_key_is_named(tmp_path):
    path = write_variant(tmp_path, lambda s: s["area"].update(forse="Cambridgeshire"))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert "area.forse" in str(error.value)
    assert "unknown key" in str(error.value)


def test_wrong_value_is_named(tmp_path):
    path = write_variant(tmp_path, lambda s: s["period"].update(first_year=2022, last_year=2010))
    with pytest.raises(ConfigError, match="period: last_year comes before first_year"):
        load_config(path)


def test_bad_district_code_is_named(tmp_path):
    path = write_variant(tmp_path, lambda s: s["area"]["districts"].update({"X123": "Nowhere"}))
    with pytest.raises(ConfigError, match=r"area\.districts: .*X123"):
        load_config(path)


def test_wrong_type_is_named(tmp_path):
    path = write_variant(tmp_path, lambda s: s["thresholds"].update(suppress_counts_up_to="five"))
    with pytest.raises(ConfigError, match=r"thresholds\.suppress_counts_up_to"):
        load_config(path)


def test_missing_data_file_is_named(tmp_path):
    path = write_variant(
        tmp_path, lambda s: s["data"].update(ons_recorded_crime="data/raw/nope.csv")
    )
    with pytest.raises(ConfigError, match="ons_recorded_crime: file not found"):
        load_config(path)


def test_unknown_chapter_is_refused(tmp_path):
    path = write_variant(tmp_path, lambda s: s["report"].update(chapters=["trends", "astrology"]))
    with pytest.raises(ConfigError, match=r"report\.chapters\.1"):
        load_config(path)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("area: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_financial_year_label():
    assert financial_year_label(2017) == "2017/18"
    assert financial_year_label(2099) == "2099/00"
