"""The trends chapter's wording: every template rendered from the real default data.

Snapshots pin the phrasing (rerun with ``--update-snapshots`` after changing a template on
purpose); the other tests check that the words quote the computed numbers and the
configured confidence level.
"""

from __future__ import annotations

import re

import pytest

from needs_assessment.chapters import registry
from needs_assessment.chapters.trends import tables, words
from needs_assessment.presentation.text import PACKAGE, TEMPLATE_SUFFIX, Wording

TEXT_DIR = PACKAGE / "chapters" / "trends" / "text"
#: Templates only ever included by others (rendered through them).
INCLUDED = {"severity_change", "units"}
#: "95%" as a confidence level, not the end of a number such as 1.95%.
TEMPLATES = sorted(
    {p.name.removesuffix(TEMPLATE_SUFFIX) for p in TEXT_DIR.glob(f"*{TEMPLATE_SUFFIX}")} - INCLUDED
)
LEVEL_95 = re.compile(r"(?<![\d.,])95%")


def contexts(result, config) -> dict[str, dict]:
    """Each trends template and the context the notebook gives it."""
    severity, admissions = words.severity(result, config), words.admissions(result)
    districts, gun_crime = words.districts(result, config), words.gun_crime(result, config)
    return {
        "latest": words.latest(result),
        "intro": words.intro(result),
        "coverage": words.coverage(result, config),
        "vintage": words.vintage(result, config),
        "sources": words.sources(result, config),
        "ranks": words.ranks(result, config),
        "judgements": words.judgements(result, config),
        "so_what": words.judgements(result, config),
        "benchmarks_table": words.benchmarks_table(config),
        "method": words.method(result),
        "peers": words.peers(result, config),
        "rates_chart": words.rates_chart(result, config),
        "recording_breaks": words.recording_breaks(config),
        "indexed_chart": words.indexed_chart(result, config),
        "severity": severity,
        "severity_chart": severity,
        "admissions": admissions,
        "admissions_chart": admissions,
        "districts": districts,
        "districts_summary": districts,
        "districts_chart": districts,
        "districts_table": districts,
        "gun_crime": gun_crime,
        "gun_crime_chart": gun_crime,
        "no_extract": {},
        "annual_table": words.annual_table(result, config),
        "peers_table": words.peers_table(config),
    }


def render(wording: Wording, name: str, context: dict) -> str:
    """Markdown of a template; for a figure's template, its alt text and caption."""
    template = f"trends/{name}"
    if wording.has_block(template, "alt"):
        alt = wording.block(template, "alt", **context)
        caption = wording.block(template, "caption", **context)
        return f"alt: {alt}\n\ncaption: {caption}"
    return wording.markdown(template, **context)


def with_level(config, level: float):
    thresholds = config.thresholds.model_copy(update={"confidence_level": level})
    return config.model_copy(update={"thresholds": thresholds})


@pytest.fixture(scope="module")
def result(ready):
    return registry.build("trends", ready)


@pytest.fixture(scope="module")
def rendered(result, ready) -> dict[str, str]:
    wording = Wording(ready.thresholds.confidence_level)
    return {name: render(wording, name, c) for name, c in contexts(result, ready).items()}


def test_every_template_is_rendered_here(rendered):
    assert set(rendered) == set(TEMPLATES)


@pytest.mark.parametrize("name", TEMPLATES)
def test_wording_snapshot(rendered, snapshot, name):
    snapshot(f"trends_{name}", rendered[name])


def test_words_quote_the_computed_numbers(rendered, result):
    text = rendered["judgements"]
    table = result.judgements.set_index("category")
    vwi = table.loc["violence_with_injury"]
    assert f"{vwi['count']:,} offences in {vwi['financial_year']}" in text
    assert f"{vwi['rate']:.3g} per 1,000" in text
    homicide = table.loc["homicide"]
    assert f"{homicide['rate']:.3g} per million" in text  # three significant figures
    knife = table.loc["knife_crime"]
    assert f"{knife['rate']:.3g} per 100,000" in text
    assert f"{knife['rank_of_forces']} forces" in text
    ranks = result.rolling_ranks.set_index("category").loc["violence_against_the_person"]
    assert f"{ranks['rank_label']} highest rate of {ranks['of']} forces" in rendered["ranks"]
    assert result.latest["financial_year"] in rendered["latest"]
    assert f"{int(result.gun_crime['count'].sum()):,} offences" in rendered["gun_crime"]


def test_other_branches_render(result, ready):
    wording = Wording()
    chosen = words.peers(result, ready) | {"chosen": True}
    assert "set in the config" in wording.markdown("trends/peers", **chosen)
    density_only = words.peers(result, ready) | {"deprivation_used": False}
    assert "density alone" in wording.markdown("trends/peers", **density_only)
    none = {"available": False, "region": None, "area": "X", "covid_year": 2020}
    assert "English regions only" in wording.markdown("trends/admissions", **none)
    assert "No crime severity series" in wording.markdown("trends/severity", **none)
    full = words.coverage(result, ready) | {"any_missing": False}
    assert not wording.markdown("trends/coverage", **full).startswith("The assessment period")


def test_level_090_shows_90_everywhere(ready):
    config = with_level(ready, 0.9)
    result = registry.build("trends", config)
    wording = Wording(0.9)
    rendered = {name: render(wording, name, c) for name, c in contexts(result, config).items()}
    for name, text in rendered.items():
        assert not LEVEL_95.search(text), name
    quoting = {n for n, text in rendered.items() if "90%" in text}
    assert {"intro", "judgements", "method", "rates_chart", "districts", "annual_table"} <= quoting
    published = tables.publishable_districts(result.districts, config.thresholds)
    shown = [
        tables.judgement_table(result.judgements),
        tables.rate_table(result.series),
        tables.district_table(published, 0.9),
    ]
    headers = [str(c) for frame in shown for c in frame.columns]
    assert not [h for h in headers if LEVEL_95.search(h)]
    assert any("90% CI" in h for h in headers)
    for frame in (result.series, result.judgements, published):
        assert not [c for c in tables.for_csv(frame, 0.9).columns if c.endswith("_95")]


def test_so_what_has_three_bullets_from_the_judgements(rendered, result):
    bullets = [line for line in rendered["so_what"].splitlines() if line.startswith("- ")]
    assert len(bullets) == 3
    table = result.judgements
    versus, trend, latest = bullets
    for row in table.itertuples():
        label = row.label.lower()
        assert (label in versus) == (row.vs_england_wales in ("Higher", "Lower")), label
        clear = row.trend_lower_95 > 0 or row.trend_upper_95 < 0
        assert (label in trend) == clear, label
        assert (label in latest) == (row.vs_previous_year in ("Higher", "Lower")), label
