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


# -- refused at load: names, paths, duplicate keys, impossible values ----------------------


@pytest.mark.parametrize("stem", [".", "..", "a.b", "-x", "a b", "x\n"])
def test_a_report_name_must_be_a_plain_stem(tmp_path, stem):
    path = tmp_path / f"{stem}.yaml"
    path.write_text(DEFAULT_CONFIG.read_text())
    with pytest.raises(ConfigError, match="plain name"):
        load_config(path)


def test_a_duplicate_key_is_named_with_its_line(tmp_path):
    text = DEFAULT_CONFIG.read_text().replace(
        "thresholds:\n", "thresholds:\n  suppress_counts_up_to: 1\n", 1
    )
    path = tmp_path / "twice.yaml"
    path.write_text(text)
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines) if t.startswith("  suppress_counts_up_to: 5")) + 1
    with pytest.raises(ConfigError, match=rf"twice\.yaml: line {line}: duplicate key "):
        load_config(path)


def test_a_duplicated_definitions_category_is_refused(tmp_path):
    source = Path("config/definitions/serious_violence.yaml")
    definitions = tmp_path / "definitions.yaml"
    text = (DEFAULT_CONFIG.parent.parent / source).read_text()
    first = yaml.safe_load(text)
    key = next(iter(first["categories"]))
    block = text.split("categories:\n", 1)[1]
    definitions.write_text(
        text
        + "\n".join(line for line in block.splitlines() if line.startswith(f"  {key}:"))
        + "\n    label: again\n"
    )
    path = write_variant(tmp_path, lambda s: s.update(definitions=str(definitions)))
    with pytest.raises(ConfigError, match=rf"definitions: .*duplicate key '{key}'"):
        load_config(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["thresholds"].update(suppress_counts_up_to=0), "suppress_counts_up_to"),
        (lambda s: s.update(seed=-1), "seed"),
        (lambda s: s.update(seed=2**32), "seed"),
        (lambda s: s["area"].update(force="Cambridge"), "unknown police force 'Cambridge'"),
        (lambda s: s["area"].update(peers=["Dorset", "Atlantis"]), "'Atlantis'"),
        (
            lambda s: s["area"]["districts"].update({"E07000040": "East Devon"}),
            r"not in Cambridgeshire: E07000040 \(Devon and Cornwall\)",
        ),
        (lambda s: s["data"].update(force_extract="data/raw"), "force_extract: .* is a folder"),
        (lambda s: s["data"].update(processed_dir="pyproject.toml"), "processed_dir: .* a file"),
        (lambda s: s["report"].update(analyst_notes="/etc/passwd"), "outside the project"),
        (lambda s: s["report"].update(wording="/etc"), "outside the project"),
    ],
    ids=[
        "no suppression",
        "negative seed",
        "seed too large",
        "unknown force",
        "unknown peer",
        "district of another force",
        "extract is a folder",
        "processed is a file",
        "notes outside",
        "wording outside",
    ],
)
def test_what_can_be_known_is_refused_at_load(tmp_path, change, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write_variant(tmp_path, change))


def test_notes_beside_the_config_are_accepted(tmp_path):
    notes = tmp_path / "notes" / "board.md"
    notes.parent.mkdir()
    notes.write_text("Local context.\n")
    path = write_variant(tmp_path, lambda s: s["report"].update(analyst_notes=str(notes)))
    assert load_config(path).report.analyst_notes == notes


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    (tmp_path / "notes.md").symlink_to("/etc/passwd")
    path = write_variant(
        tmp_path, lambda s: s["report"].update(analyst_notes=str(tmp_path / "notes.md"))
    )
    with pytest.raises(ConfigError, match="outside the project"):
        load_config(path)


def test_unreadable_config_files_are_named(tmp_path):
    cp1252 = tmp_path / "ansi.yaml"
    cp1252.write_bytes(DEFAULT_CONFIG.read_bytes().replace(b"& Peterborough", b"\xe9 Ely"))
    with pytest.raises(ConfigError, match=r"ansi\.yaml: line \d+: not UTF-8 .*Windows-1252"):
        load_config(cp1252)
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(folder)
