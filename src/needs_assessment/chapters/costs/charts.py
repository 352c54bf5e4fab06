"""Charts for the costs chapter. Each returns a figure; its alt text and caption are in
``text/<chart>_chart.md.j2``. A chart drawn from a synthetic extract carries
:data:`needs_assessment.tiers.SYNTHETIC_STAMP` in its title."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter

from needs_assessment.chapters.costs.analysis import PER, TOTAL
from needs_assessment.presentation.figures import (
    BENCHMARK_COLOUR,
    FORCE_COLOUR,
    PALETTE,
    financial_year_axis,
    label_line_ends,
    size,
)
from needs_assessment.presentation.text import per
from needs_assessment.tiers import SYNTHETIC_STAMP

MILLIONS = FuncFormatter(lambda value, _: f"£{value / 1e6:,.0f}m")
POUNDS = FuncFormatter(lambda value, _: f"£{value:,.0f}")
#: Panel and label text in points: at least the house minimum (6.3 pt, 10 px at 1280 px).
PANEL_PT = 8
LABEL_PT = 9


def categories(by_category: pd.DataFrame, prices: str) -> plt.Figure:
    """The force's full cost by financial year, stacked by costed category."""
    frame = by_category[by_category["component"] == TOTAL]
    wide = frame.pivot(index="financial_year", columns="label", values="cost_gbp")
    wide = wide[list(dict.fromkeys(frame["label"]))]
    fig, ax = plt.subplots(figsize=size("wide"))
    bottom = pd.Series(0.0, index=wide.index)
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(wide.columns))]
    for label, colour in zip(wide.columns, colours, strict=True):
        ax.bar(wide.index, wide[label], bottom=bottom, color=colour, label=label)
        bottom += wide[label]
    ax.yaxis.set_major_formatter(MILLIONS)
    ax.set_ylabel(f"Full cost ({prices} prices)")
    financial_year_axis(ax, wide.index)
    _label_last_stack(ax, wide, colours)
    fig.tight_layout()
    return fig


def _label_last_stack(ax, wide: pd.DataFrame, colours: list[str]) -> None:
    """Name each category beside its segment of the last bar, in place of a legend."""
    last = wide.index[-1]
    middles = (wide.loc[last].cumsum() - wide.loc[last] / 2).to_numpy()
    ends = [
        (last + 0.4, float(middle), str(label), colour)
        for middle, label, colour in zip(middles, wide.columns, colours, strict=True)
    ]
    label_line_ends(ax, ends, LABEL_PT)


def areas(frame: pd.DataFrame, prices: str) -> plt.Figure:
    """Cost per residents: the force, its peer forces and England and Wales."""
    fig, ax = plt.subplots(figsize=size("wide"))
    ends = []
    styles = {
        "force": (FORCE_COLOUR, "-"),
        "peers": (PALETTE[1], "--"),
        "national": (BENCHMARK_COLOUR, ":"),
    }
    for area_type, rows in frame.groupby("area_type", sort=False):
        colour, style = styles[area_type]
        ax.plot(
            rows["financial_year"],
            rows["cost_per_1000"],
            color=colour,
            ls=style,
            marker="o",
            ms=3,
            label=rows["area"].iloc[0],
        )
        last = rows.iloc[-1]
        ends.append((last["financial_year"], last["cost_per_1000"], last["area"], colour))
    ax.yaxis.set_major_formatter(POUNDS)
    ax.set_ylabel(f"Full cost {per(PER)} residents ({prices} prices)")
    ax.set_ylim(bottom=0)
    financial_year_axis(ax, frame["financial_year"])
    label_line_ends(ax, ends, LABEL_PT)
    fig.tight_layout()
    return fig


def districts(published: pd.DataFrame, prices: str, synthetic: bool) -> plt.Figure:
    """Cost per residents by district, one panel per costed category with a published cost
    (suppressed cells are left out, never drawn as zero)."""
    published = published.dropna(subset=["cost_per_1000"])
    labels = list(dict.fromkeys(published["label"]))
    fig, axes = plt.subplots(
        len(labels), 1, figsize=size("wide", height=2.2 * len(labels) + 0.8), squeeze=False
    )
    axes = list(axes.flat)
    for ax, label in zip(axes, labels, strict=True):
        rows = published[published["label"] == label]
        ax.barh(rows["area"], rows["cost_per_1000"].astype(float), color=FORCE_COLOUR)
        ax.set_title(label, fontsize=LABEL_PT + 1)
        ax.xaxis.set_major_formatter(POUNDS)
        ax.tick_params(labelsize=PANEL_PT + 1)
        ax.invert_yaxis()
    fig.supxlabel(f"Full cost {per(PER)} residents ({prices} prices)", fontsize=LABEL_PT)
    title = f"Cost by district, {published['year_label'].iloc[0]}"
    fig.suptitle(f"{title} — {SYNTHETIC_STAMP}" if synthetic else title, fontsize=11)
    fig.tight_layout()
    return fig
