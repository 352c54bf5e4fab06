"""The wording engine: templates, number filters, escaping and override folders."""

from __future__ import annotations

import pytest

from needs_assessment.presentation import text
from needs_assessment.presentation.text import Wording, escape_markdown, markdown_to_html


@pytest.fixture
def folder(tmp_path):
    """A fake package of wording: one chapter folder with two templates."""
    chapter = tmp_path / "demo"
    chapter.mkdir()
    (chapter / "hello.md.j2").write_text(
        "**{{ place }}** had {{ n | plural('offence') }} ({{ level }} interval "
        "{{ low | interval(high) }}).\n",
        encoding="utf-8",
    )
    (chapter / "chart.md.j2").write_text(
        "{% block alt %}Bars for {{ place }}.{% endblock %}"
        "{% block caption %}Offences, {{ year | fy }}.{% endblock %}",
        encoding="utf-8",
    )
    return tmp_path


@pytest.fixture
def wording(folder, monkeypatch):
    monkeypatch.setattr(text, "chapter_folders", lambda: {"demo": folder / "demo"})
    text._environment.cache_clear()
    yield lambda **kw: Wording(**kw)
    text._environment.cache_clear()


def test_filters_format_numbers():
    assert text.thousands(12345.6) == "12,346"
    assert text.percent(0.1234, share=True) == "12.3%"
    assert text.interval(4.384, 5.361) == "4.38–5.36"
    assert text.rate(0.0123) == "0.0123"
    assert text.financial_year_label(2019) == "2019/20"
    assert text.per(100_000) == "per 100,000" and text.per(1_000_000) == "per million"
    assert text.plural(1, "neighbourhood") == "1 neighbourhood"
    assert text.plural(2, "neighbourhood") == "2 neighbourhoods"
    assert text.level_label(0.9) == "90%" and text.level_label(0.995) == "99.5%"


def test_template_uses_configured_level(wording):
    out = wording(level=0.9).markdown("demo/hello", place="Fenland", n=1, low=1.0, high=2.5)
    assert out == "**Fenland** had 1 offence (90% interval 1.00–2.50)."


def test_blocks_give_alt_text_and_caption(wording):
    words = wording()
    assert words.block("demo/chart", "alt", place="Ely") == "Bars for Ely."
    assert words.block("demo/chart", "caption", year=2018) == "Offences, 2018/19."


def test_override_folder_wins_for_one_template(wording, tmp_path):
    override = tmp_path / "override" / "demo"
    override.mkdir(parents=True)
    (override / "hello.md.j2").write_text("Changed for {{ place }}.", encoding="utf-8")
    words = wording(override=tmp_path / "override")
    assert words.markdown("demo/hello", place="Ely") == "Changed for Ely."
    assert words.block("demo/chart", "alt", place="Ely") == "Bars for Ely."


@pytest.mark.parametrize(
    "value",
    [
        "X <img src=x onerror=alert(1)>",
        "</script><script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "*bold* _it_ `code`",
        "- a list",
        "1. a list",
    ],
)
def test_values_are_data_never_markup(wording, value):
    html = markdown_to_html(wording().markdown("demo/hello", place=value, n=2, low=1, high=2))
    assert "<img" not in html and "<script" not in html and "href" not in html
    assert "<em>" not in html.split("</strong>")[1] and "<code>" not in html
    assert "<li>" not in html


def test_escaped_value_reads_as_written():
    html = markdown_to_html(escape_markdown("St Neots [North] & *Eaton* <Ford>"))
    assert "St Neots [North] &amp; *Eaton* &lt;Ford&gt;" in html


def test_raw_html_in_markdown_is_text():
    html = markdown_to_html('Notes <iframe src="file:///etc/passwd"></iframe>')
    assert "<iframe" not in html and "&lt;iframe" in html


def test_package_wording_speaks_of_no_particular_area():
    """A passage about one force's own history belongs in that config's override folder
    (``report.wording``), never in the package's templates every force publishes."""
    from needs_assessment.config import load_config
    from needs_assessment.paths import DEFAULT_CONFIG

    config = load_config(DEFAULT_CONFIG)
    places = {name.split(" and ")[0] for name in config.area.districts.values()}
    places |= {config.area.force, "Peterborough", "Cambridge", "Huntingdon", "St Neots"}
    templates = [p for folder in text.chapter_folders().values() for p in folder.rglob("*.j2")]
    assert len(templates) > 100
    named = {p.name: sorted(w for w in places if w in p.read_text()) for p in templates}
    assert {name: words for name, words in named.items() if words} == {}
