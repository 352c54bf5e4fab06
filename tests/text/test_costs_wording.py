"""The costs chapter's wording: every template rendered from the real default data.

Snapshots pin the phrasing (rerun with ``--update-snapshots`` after changing a template on
purpose); the other tests check that the words quote the computed numbers.
"""

from __future__ import annotations

import re

import pytest

from needs_assessment.chapters import registry
from needs_assessment.chapters.costs import tables, words
from needs_assessment.chapters.costs.results import results
from needs_assessment.presentation.text import PACKAGE, TEMPLATE_SUFFIX, Wording, plain

TEXT_DIR = PACKAGE / "chapters" / "costs" / "text"
TEMPLATES = sorted(
    p.name.removesuffix(TEMPLATE_SUFFIX) for p in TEXT_DIR.glob(f"*{TEMPLATE_SUFFIX}")
)
GAP_BLOCKS = ("section", "reason", "remedy")
LEVEL_95 = re.compile(r"(?<![\d.,])95%")


@pytest.fixture(scope="module")
def result(ready):
    return registry.build("costs", ready)


def contexts(result, config) -> dict[str, dict]:
    """Each costs template and the context the notebook gives it."""
    published = tables.publishable_districts(result.districts, config.thresholds)
    districts = words.districts(result, config, published)
    caption = words.table_caption(result, config)
    gap = words.gap(result, config)
    return {
        "intro": words.intro(result, config),
        "prices": words.prices(result, config),
        "headline": words.headline(result, config),
        "so_what": words.so_what(result, config),
        "category_chart": words.category_chart(result, config),
        "category_table": caption,
        "response": words.response(result, config),
        "response_table": caption,
        "uncosted": words.uncosted(result, config),
        "local": words.local(result, config),
        "local_table": caption,
        "areas_chart": words.areas_chart(result, config),
        "areas_table": caption,
        "districts": districts,
        "districts_chart": districts,
        "districts_table": districts,
        "unit_cost_table": caption,
        "gap_unit_costs": gap,
        "gap_deflator": gap,
        "gap_districts": gap,
        "gap_local": gap,
    }


def render(wording: Wording, name: str, context: dict) -> str:
    """Markdown of a template; a figure's alt text and caption; a gap's three blocks."""
    template = f"costs/{name}"
    if wording.has_block(template, "alt"):
        alt = wording.block(template, "alt", **context)
        caption = wording.block(template, "caption", **context)
        return f"alt: {alt}\n\ncaption: {caption}"
    if wording.has_block(template, "reason"):
        return "\n\n".join(f"{b}: {wording.block(template, b, **context)}" for b in GAP_BLOCKS)
    return wording.markdown(template, **context)


@pytest.fixture(scope="module")
def rendered(result, ready) -> dict[str, str]:
    wording = Wording(ready.thresholds.confidence_level)
    return {name: render(wording, name, c) for name, c in contexts(result, ready).items()}


def test_every_template_is_rendered_here(rendered):
    assert set(rendered) == set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_wording_snapshot(rendered, snapshot, name):
    snapshot(f"costs_{name}", rendered[name])


def test_words_quote_the_computed_numbers(rendered, result):
    block = results(result)
    assert f"£{block.total_cost_gbp / 1e6:.1f}m" in rendered["headline"]
    assert f"£{block.homicide_police_cjs_cost_gbp / 1e6:.2f}m" in rendered["response"]
    assert f"{result.prices.factor:.4f}" in rendered["prices"]
    force = block.areas[0]
    assert f"£{force.cost_per_residents:,.0f} per 1,000" in rendered["headline"]
    for label in block.uncosted_categories:
        assert label in rendered["uncosted"]
    assert block.latest_year in rendered["headline"]


def test_no_split_is_invented_for_the_other_categories(rendered):
    text = rendered["response"]
    assert "robbery and violence with injury" in text and "not estimated" in text


def test_other_branches_render(result, ready):
    wording = Wording()
    base = words.prices(result, ready) | {"factor": None, "chosen_base": True}
    assert "costs.prices: base" in wording.markdown("costs/prices", **base)
    missing = base | {"chosen_base": False}
    assert "no GDP deflator" in wording.markdown("costs/prices", **missing)
    none = words.response(result, ready) | {"rows": [], "without": []}
    assert "No costed category" in wording.markdown("costs/response", **none)


def test_no_confidence_level_is_typed(rendered):
    for name, text in rendered.items():
        assert not LEVEL_95.search(text), name


def test_a_gap_names_the_config_key_it_needs(result, ready):
    chapter_text = plain(Wording().block("costs/gap_unit_costs", "remedy"))
    assert "data.unit_costs" in chapter_text  # survives the plain-text rendering


def test_so_what_quotes_the_headline_and_what_is_left_out(result, ready):
    text = Wording().markdown("costs/so_what", **words.so_what(result, ready))
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3
    headline = words.headline(result, ready)
    assert f"£{headline['total_m']:.1f}m" in bullets[0]
    assert f"£{headline['force_per']:,.0f}" in bullets[1]
    for label in result.uncosted:
        assert label.lower() in bullets[2]
