"""The trends chapter's figures: drawn at a house size, every text legible at 1280 px."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from needs_assessment.chapters import registry
from needs_assessment.chapters.trends import charts
from needs_assessment.presentation import figures


@pytest.fixture(scope="module")
def chapter(ready):
    return registry.build("trends", ready)


def drawn(chapter, config) -> dict[str, plt.Figure]:
    tier = chapter.extract_tier.label
    return {
        "rates": charts.rates(chapter.series, config),
        "indexed": charts.indexed(chapter.series, config),
        "severity": charts.severity(chapter.severity, config),
        "admissions": charts.admissions(chapter.admissions),
        "districts": charts.districts(chapter.districts, config, tier),
        "gun_crime": charts.gun_crime(chapter.gun_crime, tier),
    }


def test_every_figure_is_house_sized_with_legible_text(chapter, ready):
    figures.apply_house_style()
    for name, fig in drawn(chapter, ready).items():
        fig.canvas.draw()
        assert figures.size_name(fig) in figures.SIZES, name
        assert figures.smallest_text_pt(fig) >= figures.MIN_TEXT_PT, name
        plt.close(fig)


def test_two_line_chart_is_labelled_directly(chapter, ready):
    fig = charts.severity(chapter.severity, ready)
    ax = fig.axes[0]
    assert ax.get_legend() is None
    labels = {t.get_text() for t in ax.texts}
    assert {ready.area.display_name, "England and Wales"} <= labels
    plt.close(fig)
