"""County Lines on too little data: a thin extract or one that ends before the period does
publishes every table and sentence, and names the sections that rest on too little."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from PIL import Image

from needs_assessment.chapters import registry
from needs_assessment.chapters.county_lines import analysis, charts, tables, words
from needs_assessment.chapters.county_lines import markets as mk
from needs_assessment.chapters.county_lines.results import results
from needs_assessment.definitions import load_definitions
from needs_assessment.prepare import read
from needs_assessment.presentation.figures import png_bytes, smallest_text_pt, text_px


@pytest.fixture(scope="module")
def definitions(ready):
    return load_definitions(ready.definitions)


def build(config, definitions, extract: pd.DataFrame) -> analysis.CountyLinesChapter:
    tables_read = {name: read(config, name) for name in registry.inputs("county_lines")}
    return analysis.build(config, definitions, **(tables_read | {"force_extract": extract}))


@pytest.fixture(scope="module")
def complete(ready):
    return registry.build("county_lines", ready)


@pytest.fixture(scope="module")
def thin(ready, definitions):
    """300 offences of the demonstration extract (about 1% of it)."""
    return build(ready, definitions, read(ready, "force_extract").sample(300, random_state=1))


@pytest.fixture(scope="module")
def early(ready, definitions):
    """The demonstration extract cut at 2019/20, two years before the period ends."""
    extract = read(ready, "force_extract")
    return build(ready, definitions, extract[extract["year"] <= 2019])


def test_the_complete_extract_has_no_gap(complete):
    assert complete.gaps == {}
    assert complete.coverage.years == tuple(range(2010, 2022)) and not complete.coverage.partial


def test_an_extract_ending_early_is_analysed_over_the_years_it_holds(early):
    assert early.coverage.years[-1] == 2019 and early.coverage.partial
    assert early.gaps == {analysis.PERIOD: "partial"}
    assert early.indicators["year"].max() == 2019 and early.markets["year"].max() == 2019
    assert early.recent_period == "2017/18 to 2019/20"
    context = words.indicators(early)  # every highest figure found: none is all missing
    assert context["year"] == 2019 and context["top_supply"]["rate"] > 0


def test_coverage_of_an_extract_with_no_row_in_the_area_keeps_the_period():
    extract = pd.DataFrame({"district_code": ["E09000001"], "year": [2015]})
    coverage = analysis.extract_coverage(extract, ["E07000008"], 2012, 2016)
    assert not coverage.has_rows and coverage.years == (2012, 2013, 2014, 2015, 2016)
    held = analysis.extract_coverage(
        extract.assign(district_code="E07000008"), ["E07000008"], 2012, 2016
    )
    assert held.years == (2015,) and held.partial


def test_a_thin_extract_names_its_thin_sections(thin):
    assert thin.gaps == {
        analysis.MARKETS: "none_classified",
        analysis.ORIGINS: "no_origins",
        analysis.INDICATORS: "no_rates",
    }
    assert (thin.markets["market_type"] == mk.TOO_FEW).all() and thin.origins.empty


def test_a_thin_extract_publishes_every_table_and_context(thin):
    published = tables.published(thin)
    shown = tables.origin_display(published.origins)  # was KeyError 'offenders_marker'
    assert shown.empty and list(shown.columns)[0] == "District of offence"
    assert len(tables.market_display(published.markets)) == len(thin.coverage.years)
    context = words.indicators(thin)  # was ValueError: all NA values
    assert context["top_supply"] is None and context["top_ratio"] is None
    for function in (words.so_what, words.markets, words.trends, words.map_chart):
        assert function(thin)["area"] == thin.area
    assert words.origins(thin, published.origins)["districts"] == []
    assert results(thin).latest_year == "2021/22"


class Channel:
    """Records what ``words.show_gap`` sends (the notebook's ``chapter``)."""

    def __init__(self):
        self.shown: list[tuple[str, str]] = []

    def text(self, name: str, **context) -> str:
        from needs_assessment.presentation.text import Wording, plain

        section, _, block = name.partition(":")
        return plain(Wording().block(section, block, **context))

    def not_available(self, section, reason, remedy):
        self.shown.append(("not available", section))

    def read_with_care(self, section, reason, remedy):
        self.shown.append(("read with care", section))


def test_each_thin_section_is_said_once_with_its_status(thin, early, complete):
    out = Channel()
    left_out = {s: words.show_gap(out, thin, s) for s in (*thin.gaps, analysis.TRENDS)}
    assert left_out == {
        analysis.MARKETS: False,
        analysis.ORIGINS: True,
        analysis.INDICATORS: True,
        analysis.TRENDS: False,
    }
    assert [status for status, _ in out.shown] == [
        "read with care",
        "not available",
        "not available",
    ]
    assert not words.show_gap(out, early, analysis.PERIOD) and out.shown[-1][0] == "read with care"
    assert not words.show_gap(out, complete, analysis.PERIOD) and len(out.shown) == 4


def chart_text_px(fig) -> float:
    """The chart's smallest text in CSS pixels at a 1280 px window."""
    width = Image.open(io.BytesIO(png_bytes(fig))).size[0]
    px = text_px(smallest_text_pt(fig), width)
    plt.close(fig)
    return px


@pytest.mark.parametrize("which", ["complete", "thin"])
def test_every_chart_text_is_at_least_10_px_at_1280(request, which):
    result = request.getfixturevalue(which)
    published = tables.published(result)
    figures = [
        charts.import_shares(published.markets, result.settings, result.synthetic),
        charts.market_map(result.boundaries, tables.published_summary(result), result.synthetic),
        charts.indicators(result.indicators, result.synthetic),
        charts.public_rates(result.public, result.area),
    ]
    if result.importing:
        figures.append(
            charts.origins(published.origins, result.importing, result.recent_period, True)
        )
    assert min(chart_text_px(fig) for fig in figures) >= 10


def test_the_public_chart_labels_its_lines_without_a_legend(complete):
    fig = charts.public_rates(complete.public, complete.area)
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.texts}
    plt.close(fig)
    assert ax.get_legend() is None
    assert labels == {complete.area, "Peer forces", "England and Wales"}
