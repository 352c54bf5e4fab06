"""The People chapter's wording: snapshots of every template, the level in labels, and
every template covered.

Regenerate on purpose with ``pytest --update-snapshots tests/text/test_people_wording.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from needs_assessment.chapters import registry
from needs_assessment.chapters.people import tables, words
from needs_assessment.presentation.text import Wording, plain

TEXT = Path(words.__file__).parent / "text"
FIGURES = ("alt", "caption")
GAP_SECTIONS = (
    "age_sex",
    "trend",
    "districts",
    "repeats",
    "ethnicity",
    "sharp_object_admissions",
    "knife_under_25",
    "homicide_under_25",
)
GAP_REASONS = (
    "no_extract",
    "no_denominator",
    "no_ids",
    "no_ethnicity",
    "no_domestic_flag",
    "no_definition",
    "no_region",
    "no_admissions",
)


def contexts(chapter, config) -> dict[str, tuple[dict, tuple[str, ...]]]:
    """Template -> (context, blocks rendered one by one; () = the whole template)."""
    ethnicity = words.ethnicity(chapter, config, tables.published_ethnicity(chapter, config))
    measures = tables.published_measures(chapter.measures, config)
    districts = tables.published_districts(chapter, config)
    caption = words.table(chapter, config)
    return {
        "data": (words.data(chapter, config), ()),
        "age_sex": (words.age_sex(chapter, config), ()),
        "age_sex_chart": (words.age_sex_chart(chapter, config), FIGURES),
        "age_sex_table": (caption, ()),
        "trend": (words.trend(chapter, config), ()),
        "trend_chart": (words.trend_chart(chapter, config), FIGURES),
        "trend_table": (caption, ()),
        "districts": (words.districts(chapter, config, districts), ()),
        "districts_table": (caption, ()),
        "measures": (words.measures(chapter, config, measures), ()),
        "measures_table": (words.measures_table(chapter, config), ()),
        "measure_names": ({}, tuple(m.key for m in chapter.measures)),
        "repeats": (words.repeats(chapter, config), ()),
        "repeats_table": (caption, ()),
        "ethnicity": (ethnicity, ()),
        "ethnicity_caveat": (ethnicity, ()),
        "ethnicity_chart": (ethnicity, FIGURES),
        "ethnicity_table": (ethnicity, ()),
        "ethnicity_districts_table": (ethnicity, ()),
        "method": (words.method(chapter, config), ()),
        "so_what": (words.so_what(chapter, config), ()),
        "gaps": (
            {},
            (*GAP_SECTIONS, *(f"{r}_{p}" for r in GAP_REASONS for p in ("reason", "remedy"))),
        ),
    }


def rendered(chapter, config) -> dict[str, str]:
    wording = Wording(config.thresholds.confidence_level)
    out = {}
    for name, (context, blocks) in contexts(chapter, config).items():
        if blocks:
            for block in blocks:
                out[f"{name}:{block}"] = wording.block(f"people/{name}", block, **context)
        else:
            out[name] = wording.markdown(f"people/{name}", **context)
    return out


def _built(config):
    from needs_assessment.prepare import prepare

    prepare(config)
    return registry.build("people", config)


@pytest.fixture(scope="module")
def demo(default_config):
    return default_config, _built(default_config)


@pytest.fixture(scope="module")
def at_90(default_config):
    thresholds = default_config.thresholds.model_copy(update={"confidence_level": 0.9})
    config = default_config.model_copy(update={"thresholds": thresholds})
    return config, registry.build("people", config)


def test_every_template_is_covered(demo):
    config, chapter = demo
    names = {p.name.removesuffix(".md.j2") for p in TEXT.glob("*.md.j2")}
    assert names == set(contexts(chapter, config))


def test_wording_snapshot(demo, snapshot):
    config, chapter = demo
    text = "\n\n".join(f"## {name}\n{body}" for name, body in rendered(chapter, config).items())
    snapshot("people", text)


def test_the_level_follows_the_config(at_90):
    config, chapter = at_90
    text = "\n".join(rendered(chapter, config).values())
    assert "90% interval" in text and "95%" not in text


def test_synthetic_data_is_labelled_everywhere_it_is_quoted(demo):
    config, chapter = demo
    out = rendered(chapter, config)
    for name in (
        "data",
        "so_what",
        "ethnicity_caveat",
        "age_sex_chart:caption",
        "ethnicity_chart:caption",
    ):
        assert "synthetic" in plain(out[name]), name


def test_no_unrendered_markup(demo):
    config, chapter = demo
    for name, body in rendered(chapter, config).items():
        assert not re.search(r"\{\{|\{%|\bNone\b|\bnan\b", body), name


def test_so_what_is_at_most_three_bullets_of_computed_numbers(demo):
    config, chapter = demo
    text = " ".join(rendered(chapter, config)["so_what"].split())
    assert 1 <= text.count("- ") <= 3
    victim_share = words.trend(chapter, config)["victim"]["last"]["under_18"]
    assert f"{victim_share:.1%}" in text


def test_so_what_without_an_extract_is_one_bullet_pointing_below():
    text = Wording(0.95).markdown(
        "people/so_what",
        tier="",
        synthetic=False,
        synthetic_label="",
        age_sex=None,
        trend=None,
        repeats=None,
    )
    assert text.count("- ") == 1 and "extract" in text
