"""The costs chapter's figures: drawn at a house size, every text legible at 1280 px."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from needs_assessment.chapters import registry
from needs_assessment.chapters.costs import charts, tables
from needs_assessment.presentation import figures
from needs_assessment.tiers import SYNTHETIC_STAMP


@pytest.fixture(scope="module")
def chapter(ready):
    return registry.build("costs", ready)


def drawn(chapter, config) -> dict[str, plt.Figure]:
    published = tables.publishable_districts(chapter.districts, config.thresholds)
    prices = chapter.prices.label
    return {
        "categories": charts.categories(chapter.by_category, prices),
        "areas": charts.areas(chapter.areas, prices),
        "districts": charts.districts(published, prices, chapter.extract_tier.synthetic),
    }


def test_every_figure_is_house_sized_with_legible_text(chapter, ready):
    figures.apply_house_style()
    for name, fig in drawn(chapter, ready).items():
        fig.canvas.draw()
        assert figures.size_name(fig) in figures.SIZES, name
        assert figures.smallest_text_pt(fig) >= figures.MIN_TEXT_PT, name
        plt.close(fig)


def test_lines_are_labelled_directly_and_synthetic_is_stamped(chapter, ready):
    made = drawn(chapter, ready)
    ax = made["areas"].axes[0]
    assert ax.get_legend() is None
    assert set(chapter.areas["area"]) <= {t.get_text() for t in ax.texts}
    stamp = made["districts"].texts
    assert chapter.extract_tier.synthetic
    assert any(SYNTHETIC_STAMP in t.get_text() for t in stamp)
    for fig in made.values():
        plt.close(fig)
