"""Charts for the deprivation chapter. Each returns a figure; its alt text and caption come
from ``text/<chart>.md.j2``, filled by :mod:`.words` from the same computed values."""

from __future__ import annotations

import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Rectangle
from statsmodels.nonparametric.smoothers_lowess import lowess

from needs_assessment.chapters.deprivation import indices
from needs_assessment.chapters.deprivation.analysis import (
    RATE,
    RATE_LOWER,
    RATE_UPPER,
    Analysis,
    DeprivationChapter,
)
from needs_assessment.chapters.deprivation.gradient import FEWER, MORE, unexpected_list
from needs_assessment.chapters.deprivation.tables import rate_header
from needs_assessment.presentation.figures import BENCHMARK_COLOUR, FORCE_COLOUR, PALETTE, size
from needs_assessment.presentation.maps import (
    LABEL_PT,
    add_insets,
    district_of,
    map_figure,
    scale_bar,
)

#: 3 x 3 bivariate palette, (deprivation tercile, violence tercile) -> colour, 1 = low.
#: The blue-yellow scheme Nowosad (2020, "Bivariate color palettes", jakubnowosad.com)
#: found distinguishable under simulated colour-vision deficiency: deprivation runs from
#: light grey to blue, violence from light grey to yellow-orange, both high is black. Under
#: simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009) every pair of
#: its cells stays at least 12 CIELAB units apart (checked in tests/test_deprivation.py).
BIVARIATE = {
    (1, 1): "#f3f3f3",
    (2, 1): "#b4d3e1",
    (3, 1): "#509dc2",
    (1, 2): "#f3e6b3",
    (2, 2): "#b3b3b3",
    (3, 2): "#376387",
    (1, 3): "#f3b300",
    (2, 3): "#b36600",
    (3, 3): "#000000",
}
MORE_COLOUR, FEWER_COLOUR, OTHER_COLOUR = PALETTE[5], PALETTE[0], "#e3e3e3"
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
_HALO = [pe.withStroke(linewidth=2.5, foreground="white")]


def deciles(a: Analysis) -> plt.Figure:
    """Rate by national IMD decile with intervals (at the configured level) and the area's rate."""
    d = a.deciles
    fig, ax = plt.subplots(figsize=size("wide"))
    x = d["imd_decile"].to_numpy()
    rate = d[RATE].to_numpy(dtype=float)
    errors = np.vstack(
        [
            rate - d[RATE_LOWER].to_numpy(dtype=float),
            d[RATE_UPPER].to_numpy(dtype=float) - rate,
        ]
    )
    ax.bar(x, rate, color=FORCE_COLOUR, width=0.75)
    ax.errorbar(x, rate, yerr=errors, fmt="none", ecolor="#222222", capsize=3, lw=1)
    ax.axhline(a.area_rate, color=BENCHMARK_COLOUR, ls="--", lw=1)
    ax.annotate(
        f"area: {a.area_rate:.1f}",
        (x.max() + 0.45, a.area_rate),
        ha="right",
        va="bottom",
        fontsize=LABEL_PT + 1,
        color=BENCHMARK_COLOUR,
    )
    for xi, n in zip(x, d["lsoas"], strict=True):
        ax.annotate(
            f"{n}",
            (xi, 0),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=LABEL_PT,
            color="white",
        )
    labels = [
        f"{i}\nmost\ndeprived" if i == 1 else f"{i}\nleast\ndeprived" if i == 10 else str(i)
        for i in x
    ]
    ax.set_xticks(x, labels)
    index = indices.index_label(a.table)
    ax.set_xlabel(f"National {index} decile (number of LSOAs at the foot of each bar)")
    ax.set_ylabel(f"Offences {rate_header(a.months).lower()}")
    fig.tight_layout()
    return fig


def scatter(a: Analysis, min_events: int = 10, label_top: int = 4) -> plt.Figure:
    """LSOA rate against national IMD rank (most deprived on the right), lowess smoother.

    LSOAs with fewer than ``min_events`` events have no published rate (disclosure
    control), so they appear only as ticks along the foot of the chart; the smoother uses
    every LSOA.
    """
    t = a.table
    # one index: its national rank; a cross-border area: each LSOA's position in its country
    order = "imd_rank" if t["index"].nunique() == 1 else indices.ordering(t, "imd_rank")
    shown = t[t["count"] >= min_events]
    fig, ax = plt.subplots(figsize=size("wide"))
    for i, (district, group) in enumerate(shown.groupby("district", sort=True)):
        ax.scatter(
            group[order],
            group[RATE],
            s=14,
            alpha=0.75,
            color=PALETTE[i % len(PALETTE)],
            marker=MARKERS[i % len(MARKERS)],
            label=district,
            lw=0,
        )
    few = t[t["count"] < min_events]
    ax.plot(
        few[order],
        np.zeros(len(few)),
        "|",
        color=BENCHMARK_COLOUR,
        ms=8,
        label=f"fewer than {min_events} offences (rate not shown)",
    )
    smooth = lowess(
        t[RATE].to_numpy(dtype=float),
        t[order].to_numpy(dtype=float),
        frac=0.5,
        return_sorted=True,
    )
    ax.plot(smooth[:, 0], smooth[:, 1], color="#222222", lw=2, label="lowess smoother")
    flagged = unexpected_list(t, MORE)
    flagged = flagged[flagged["count"] >= min_events]
    ax.scatter(
        flagged[order],
        flagged[RATE],
        s=40,
        facecolors="none",
        edgecolors="#222222",
        lw=1,
        label="far more than deprivation predicts",
    )
    for row in flagged.head(label_top).itertuples():
        ax.annotate(
            row.lsoa11_name,
            (getattr(row, order), getattr(row, RATE)),
            xytext=(4, 2),
            textcoords="offset points",
            fontsize=LABEL_PT,
            path_effects=_HALO,
        )
    ax.set_yscale("function", functions=(np.sqrt, np.square))
    top = float(shown[RATE].max()) if len(shown) else 1.0
    ticks = [v for v in (0, 5, 10, 20, 50, 100, 200, 500, 1000) if v <= top * 1.05]
    ax.set_yticks(ticks, [f"{v:,}" for v in ticks])
    ax.set_ylim(0, top * 1.08)
    ax.invert_xaxis()
    ax.set_xlabel(_rank_axis_label(order, indices.index_label(t)))
    ax.set_ylabel(f"Offences {rate_header(a.months).lower()} (square-root scale)")
    ax.legend(loc="upper left", fontsize=LABEL_PT + 1, frameon=False, ncol=2)
    fig.tight_layout()
    return fig


def _rank_axis_label(order: str, index: str) -> str:
    if order == "imd_rank":
        return f"National {index} rank (1 = most deprived; more deprived to the right)"
    return f"Position in its own country's {index} ranking (more deprived to the right)"


def _area_axes(ax, districts) -> None:
    districts.boundary.plot(ax=ax, color="#222222", lw=0.8)
    ax.set_axis_off()
    ax.set_aspect("equal")


def _label_districts(ax, districts, name: str = "lad17_name") -> None:
    for row in districts.itertuples():
        point = row.geometry.representative_point()
        ax.annotate(
            getattr(row, name),
            (point.x, point.y),
            ha="center",
            fontsize=LABEL_PT + 1,
            path_effects=_HALO,
        )


def bivariate_map(chapter: DeprivationChapter) -> plt.Figure:
    """LSOAs by deprivation tercile x violence tercile, with district outlines, a key, a
    scale bar and close-ups of the districts whose most deprived, highest-rate LSOAs are
    too small to see at this scale."""
    a = chapter.headline
    shapes = chapter.lsoa_boundaries.merge(
        a.table[["lsoa11_code", "deprivation_tercile", "violence_tercile"]], on="lsoa11_code"
    )
    colours = [
        BIVARIATE[(d, v)]
        for d, v in zip(shapes["deprivation_tercile"], shapes["violence_tercile"], strict=True)
    ]
    both_high = (shapes["deprivation_tercile"] == 3) & (shapes["violence_tercile"] == 3)
    fig, ax = map_figure()
    shapes.plot(ax=ax, color=colours, edgecolor="white", lw=0.15)
    _area_axes(ax, chapter.district_boundaries)
    _label_districts(ax, chapter.district_boundaries)
    scale_bar(ax, fraction=0.2, loc=(0.25, 0.03))
    add_insets(ax, shapes, both_high.to_numpy(), chapter.district_boundaries, colours=colours)
    _bivariate_key(ax, (0.0, 0.02, 0.2, 0.2))
    return fig


def _bivariate_key(ax, where: tuple[float, float, float, float]) -> None:
    key = ax.inset_axes(list(where))
    for (d, v), colour in BIVARIATE.items():
        key.add_patch(Rectangle((d - 1, v - 1), 1, 1, color=colour))
    key.set_xlim(0, 3)
    key.set_ylim(0, 3)
    key.set_aspect("equal")
    key.set_xticks([])
    key.set_yticks([])
    key.set_xlabel("More deprived →", fontsize=LABEL_PT)
    key.set_ylabel("More violence →", fontsize=LABEL_PT)
    for side in key.spines.values():
        side.set_visible(False)


def unexpected_map(chapter: DeprivationChapter) -> plt.Figure:
    """LSOAs with far more / fewer events than deprivation predicts, with a scale bar and
    close-ups (:func:`add_insets`) of the districts whose LSOAs far above expectation are
    too small to see at force scale; those elsewhere are named on the map itself."""
    a = chapter.headline
    shapes = chapter.lsoa_boundaries.merge(a.table[["lsoa11_code", "unexpected"]], on="lsoa11_code")
    names = dict(zip(a.table["lsoa11_code"], a.table["lsoa11_name"], strict=True))
    labels = shapes["lsoa11_code"].map(names).to_numpy()
    status = shapes["unexpected"].fillna("")
    colours = np.select(
        [status == MORE, status == FEWER], [MORE_COLOUR, FEWER_COLOUR], OTHER_COLOUR
    )
    more = (status == MORE).to_numpy()
    fig, ax = map_figure()
    shapes.plot(ax=ax, color=colours, edgecolor="white", lw=0.15)
    _area_axes(ax, chapter.district_boundaries)
    _label_districts(ax, chapter.district_boundaries)
    scale_bar(ax, fraction=0.2, loc=(0.04, 0.1))
    insets = add_insets(
        ax,
        shapes,
        more,
        chapter.district_boundaries,
        colours=colours,
        labels=labels,
    )
    zoomed = {inset.district for inset in insets}
    home = district_of(shapes, chapter.district_boundaries)
    for shape, label, district in zip(shapes.geometry[more], labels[more], home[more], strict=True):
        if district not in zoomed:
            point = shape.representative_point()
            ax.annotate(
                label,
                (point.x, point.y),
                xytext=(0, -12),
                textcoords="offset points",
                fontsize=LABEL_PT,
                ha="center",
                path_effects=_HALO,
            )
    handles = [
        Patch(color=MORE_COLOUR, label="far more than deprivation predicts"),
        Patch(color=FEWER_COLOUR, label="far fewer than deprivation predicts"),
        Patch(color=OTHER_COLOUR, label="in line with deprivation"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=LABEL_PT + 1)
    return fig


def districts(a: Analysis) -> plt.Figure:
    """IRR per decile step and Spearman's rho within each district, side by side."""
    d = a.districts.sort_values("district", ascending=False).reset_index(drop=True)
    y = np.arange(len(d))
    fig, (left, right) = plt.subplots(
        1, 2, figsize=size("wide", height=0.55 * len(d) + 1.8), sharey=True
    )
    uncertain = (d["reliability"] != "clear").to_numpy()
    for ax, (est, low, high), reference, overall, title in (
        (
            left,
            ("irr_per_decile", "irr_lower_95", "irr_upper_95"),
            1.0,
            a.gradient.irr,
            "Rate ratio per decile more deprived",
        ),
        (
            right,
            ("rho", "rho_lower_95", "rho_upper_95"),
            0.0,
            a.rho_imd.estimate,
            "Spearman's rho with deprivation",
        ),
    ):
        values = d[est].to_numpy(dtype=float)
        errors = np.vstack(
            [values - d[low].to_numpy(dtype=float), d[high].to_numpy(dtype=float) - values]
        )
        ax.errorbar(values, y, xerr=errors, fmt="none", ecolor="#222222", capsize=3, lw=1)
        ax.scatter(values[~uncertain], y[~uncertain], color=FORCE_COLOUR, zorder=3, label="clear")
        ax.scatter(
            values[uncertain],
            y[uncertain],
            facecolors="white",
            edgecolors=FORCE_COLOUR,
            zorder=3,
            label="uncertain",
        )
        ax.axvline(reference, color="#222222", lw=0.8)
        ax.axvline(overall, color=BENCHMARK_COLOUR, ls="--", lw=1, label="whole area")
        ax.set_title(title, fontsize=10)
    left.set_yticks(y, [f"{r.district} ({r.lsoas})" for r in d.itertuples()])
    handles, labels = right.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=LABEL_PT + 1)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig
