"""Charts for the hotspots chapter: maps, concentration curves and time profiles.

Maps are drawn with geopandas and matplotlib only (no web tiles), so the page works
offline; colours are colour-blind safe (Okabe-Ito for categories, viridis for rates,
cividis for the heat map), and hot and cold spots also differ in marker shape.
Each function returns a figure; its alt text and caption are in the chapter's
``text/`` templates. Every image drawn from a synthetic tier carries
:data:`~needs_assessment.tiers.SYNTHETIC_STAMP` inside it.
"""

from __future__ import annotations

import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from shapely.geometry.polygon import orient

from needs_assessment.chapters.hotspots.analysis import (
    RATE_CLASSES,
    HotspotsChapter,
    mapped_rates,
    rate_classes,
    selection,
)
from needs_assessment.chapters.hotspots.timing import MONTHS, WEEKDAYS
from needs_assessment.methods.spatial import COLD, HOT, NOT_SIGNIFICANT, NOT_TESTED
from needs_assessment.presentation.figures import PALETTE, label_line_ends, size
from needs_assessment.presentation.maps import add_insets, scale_bar
from needs_assessment.presentation.text import plural
from needs_assessment.tiers import SYNTHETIC_STAMP

HOT_COLOUR = PALETTE[5]  # vermillion
COLD_COLOUR = PALETTE[0]  # blue
NEUTRAL = "#e3e3e3"
OUTLINE = "#1a1a1a"
STAMP_COLOUR = "#b2182b"
SPIKE_COLOUR = PALETTE[3]  # reddish purple
MARKERS = {HOT: "^", COLD: "v"}
#: Legend and direct-label text: 9 pt is over 13 px on a "wide" figure at 1280 px.
LEGEND_PT = 9
SPOT_COLOURS = {HOT: HOT_COLOUR, COLD: COLD_COLOUR, NOT_SIGNIFICANT: NEUTRAL, NOT_TESTED: "#ffffff"}


def _stamp(fig: plt.Figure, synthetic: bool) -> float:
    """Stamp a synthetic figure at its top; return the top of the room left for the axes."""
    if not synthetic:
        return 1.0
    fig.text(
        0.5,
        0.995,
        SYNTHETIC_STAMP,
        ha="center",
        va="top",
        fontsize=11,
        fontweight="bold",
        color=STAMP_COLOUR,
    )
    return 0.95


def _wide(width: float, height: float) -> tuple[float, float]:
    """The house "wide" size for a figure designed ``width`` x ``height`` inches: same aspect."""
    house = size("wide")[0]
    return size("wide", height=round(height * house / width, 2))


def _grid(n: int, max_columns: int = 3) -> tuple[int, int]:
    columns = 2 if n == 4 else min(n, max_columns)
    return -(-n // columns), columns


def _polygons(
    ax, geometries, facecolor, edgecolor="white", linewidth: float = 0.15, **kwargs
) -> None:
    """Draw polygons as one collection (geopandas' plot redraws the whole figure each call).

    ``facecolor`` is one colour or one per geometry; exteriors are oriented
    anticlockwise and holes clockwise so holes stay empty.
    """
    colours = [facecolor] * len(geometries) if isinstance(facecolor, str) else list(facecolor)
    patches, fills = [], []
    for geometry, colour in zip(geometries, colours, strict=True):
        for part in shapely.get_parts(geometry):
            part = orient(part, 1.0)
            rings = [part.exterior, *part.interiors]
            path = Path.make_compound_path(*(Path(np.asarray(r.coords)[:, :2]) for r in rings))
            patches.append(PathPatch(path))
            fills.append(colour)
    ax.add_collection(
        PatchCollection(
            patches, facecolor=fills, edgecolor=edgecolor, linewidth=linewidth, **kwargs
        )
    )
    ax.autoscale_view()
    ax.set_aspect("equal")


def _districts(
    ax, chapter: HotspotsChapter, labels: bool = True, colour: str = OUTLINE, width: float = 0.9
) -> None:
    _polygons(ax, chapter.districts.geometry, "none", edgecolor=colour, linewidth=width, zorder=3)
    if not labels:
        return
    for row in chapter.districts.itertuples():
        point = row.geometry.representative_point()
        ax.annotate(
            row.district,
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=7,
            zorder=6,
            path_effects=[pe.withStroke(linewidth=2.5, foreground="white")],
        )


def _markers(ax, data) -> None:
    """Hot and cold spots marked at a point inside each LSOA, visible at force scale."""
    for kind, colour in ((HOT, HOT_COLOUR), (COLD, COLD_COLOUR)):
        spots = data[data["hotspot"] == kind]
        if len(spots):
            points = spots.geometry.representative_point()
            ax.scatter(
                points.x,
                points.y,
                marker=MARKERS[kind],
                s=38,
                color=colour,
                edgecolor=OUTLINE,
                linewidth=0.6,
                zorder=5,
            )


def _spike_rings(ax, data) -> None:
    """Spikes (far above their residents' count) ringed, whatever their Gi* class."""
    spikes = data[data["spike"]]
    if len(spikes):
        points = spikes.geometry.representative_point()
        ax.scatter(
            points.x,
            points.y,
            marker="o",
            s=150,
            facecolor="none",
            edgecolor=SPIKE_COLOUR,
            linewidth=1.6,
            zorder=6,
        )


def force_maps(chapter: HotspotsChapter, tier: str) -> plt.Figure:
    """One force map per category of ``tier``: Gi* hot and cold spots after FDR control."""
    rows = chapter.results[chapter.results["tier"] == tier]
    categories = list(dict.fromkeys(rows["category"]))
    nrows, ncols = _grid(len(categories), max_columns=2)
    fig, axes = plt.subplots(nrows, ncols, figsize=_wide(5.2 * ncols, 5.0 * nrows), squeeze=False)
    geometry = chapter.lsoas[["lsoa_code", "geometry"]]
    for i, (ax, category) in enumerate(zip(axes.flat, categories, strict=False)):
        data = geometry.merge(
            rows[rows["category"] == category][["lsoa_code", "hotspot", "spike"]], on="lsoa_code"
        )
        _polygons(ax, data.geometry, data["hotspot"].map(SPOT_COLOURS).to_list())
        _districts(ax, chapter, labels=i == 0)
        _markers(ax, data)
        _spike_rings(ax, data)
        hot = int((data["hotspot"] == HOT).sum())
        cold = int((data["hotspot"] == COLD).sum())
        spots = f"{plural(hot, 'hot spot')}, {plural(cold, 'cold spot')}"
        ax.set_title(f"{chapter.labels[category]}\n{spots}", fontsize=10)
        ax.set_axis_off()
    for ax in list(axes.flat)[len(categories) :]:
        ax.set_visible(False)
    fdr = chapter.settings.fdr_level * 100
    handles = [
        Line2D(
            [],
            [],
            marker=MARKERS[HOT],
            color="none",
            markerfacecolor=HOT_COLOUR,
            markeredgecolor=OUTLINE,
            markersize=8,
            label=f"Hot spot (Gi*, FDR {fdr:.0f}%)",
        ),
        Line2D(
            [],
            [],
            marker=MARKERS[COLD],
            color="none",
            markerfacecolor=COLD_COLOUR,
            markeredgecolor=OUTLINE,
            markersize=8,
            label="Cold spot",
        ),
        Line2D(
            [],
            [],
            marker="o",
            color="none",
            markerfacecolor="none",
            markeredgecolor=SPIKE_COLOUR,
            markeredgewidth=1.6,
            markersize=10,
            label="Spike (single LSOA)",
        ),
        Patch(facecolor=NEUTRAL, label="Not significant"),
        Line2D([], [], color=OUTLINE, lw=0.9, label="District boundary"),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False)
    top = _stamp(fig, chapter.tiers[tier].synthetic)
    fig.tight_layout(rect=(0, 0.08, 1, top))
    for ax, category in zip(axes.flat, categories, strict=False):
        _close_ups(ax, chapter, geometry.merge(rows[rows["category"] == category], on="lsoa_code"))
    return fig


#: Where :func:`_close_ups` puts the scale bar (axes fraction), kept clear of the close-ups.
SCALE_BAR_BOX = (0.0, 0.0, 0.4, 0.14)


def _close_ups(ax, chapter: HotspotsChapter, data) -> None:
    """A km scale bar, and close-ups (with district names) of the districts whose hot or
    cold spots are too small to see at force scale, in the map's emptiest corners (spikes
    are ringed large enough to see at force scale)."""
    scale_bar(ax, fraction=0.25)
    add_insets(
        ax,
        data,
        data["hotspot"].isin([HOT, COLD]).to_numpy(),
        chapter.districts,
        colours=data["hotspot"].map(SPOT_COLOURS).to_list(),
        name="district",
        beside=False,
        avoid=[SCALE_BAR_BOX],
    )


def district_maps(
    chapter: HotspotsChapter,
    tier: str,
    category: str,
    min_events_for_rate: int,
    rate_title: str = "Offences per 1,000 residents",
) -> plt.Figure:
    """One map per district: LSOA rates in quantile classes, hot spots outlined and marked.

    LSOAs with fewer than ``min_events_for_rate`` events show no rate (grey), as in the
    tables; ``rate_title`` names the rate's unit (:func:`.tables.rate_header`).
    """
    rows = selection(chapter, tier, category)
    data = chapter.lsoas[["lsoa_code", "geometry"]].merge(
        rows[["lsoa_code", "district_code", "count", "rate_per_1000", "hotspot"]], on="lsoa_code"
    )
    shown = data["count"] >= min_events_for_rate
    bounds = rate_classes(mapped_rates(data, min_events_for_rate), RATE_CLASSES)
    colours = plt.get_cmap("viridis", len(bounds))
    klass = np.searchsorted(bounds, data["rate_per_1000"].to_numpy(), side="left")
    fill = [
        to_hex(colours(int(min(c, len(bounds) - 1)))) if ok else NEUTRAL
        for c, ok in zip(klass, shown, strict=True)
    ]
    data = data.assign(fill=fill)
    districts = chapter.districts.sort_values("district")
    nrows, ncols = _grid(len(districts))
    fig, axes = plt.subplots(nrows, ncols, figsize=_wide(4.2 * ncols, 4.2 * nrows), squeeze=False)
    for ax, district in zip(axes.flat, districts.itertuples(), strict=False):
        part = data[data["district_code"] == district.district_code]
        _polygons(ax, part.geometry, part["fill"].to_list(), linewidth=0.2)
        hot = part[part["hotspot"] == HOT]
        if len(hot):
            _polygons(ax, hot.geometry, "none", edgecolor=OUTLINE, linewidth=1.4, zorder=4)
            _markers(ax, hot)
        _districts(ax, chapter, labels=False, colour="#8c8c8c", width=0.6)
        _polygons(ax, [district.geometry], "none", edgecolor=OUTLINE, linewidth=1.0, zorder=4)
        minx, miny, maxx, maxy = district.geometry.bounds
        pad = 0.03 * max(maxx - minx, maxy - miny)
        ax.set_xlim(minx - pad, maxx + pad)
        ax.set_ylim(miny - pad, maxy + pad)
        ax.set_title(f"{district.district}: {plural(len(hot), 'hot spot')}", fontsize=10)
        ax.set_axis_off()
    for ax in list(axes.flat)[len(districts) :]:
        ax.set_visible(False)
    lows = np.concatenate([[data.loc[shown, "rate_per_1000"].min()], bounds[:-1]])
    handles = [
        Patch(facecolor=colours(i), label=f"{lo:.1f}–{hi:.1f}")
        for i, (lo, hi) in enumerate(zip(lows, bounds, strict=True))
    ]
    handles += [
        Patch(facecolor=NEUTRAL, label=f"Fewer than {min_events_for_rate} offences"),
        Line2D(
            [],
            [],
            marker=MARKERS[HOT],
            color=OUTLINE,
            lw=1.4,
            markerfacecolor=HOT_COLOUR,
            markeredgecolor=OUTLINE,
            markersize=8,
            label="Hot spot (Gi*, FDR): outlined",
        ),
    ]
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=4,
        frameon=False,
        fontsize=LEGEND_PT,
        title=rate_title,
        title_fontsize=LEGEND_PT,
    )
    top = _stamp(fig, chapter.tiers[tier].synthetic)
    fig.tight_layout(rect=(0, 0.09, 1, top))
    return fig


def lorenz(chapter: HotspotsChapter) -> plt.Figure:
    """Concentration curves, one panel per tier, one line per category."""
    tiers = list(chapter.tiers)
    fig, axes = plt.subplots(1, len(tiers), figsize=_wide(5.2 * len(tiers), 4.6), squeeze=False)
    styles = ["-", "--", "-.", ":"]
    for ax, tier in zip(axes.flat, tiers, strict=True):
        curves = chapter.lorenz[chapter.lorenz["tier"] == tier]
        for i, (_, curve) in enumerate(curves.groupby("category", sort=False)):
            ax.plot(
                curve["share_of_lsoas_pct"],
                curve["share_of_events_pct"],
                color=PALETTE[i % len(PALETTE)],
                ls=styles[i % len(styles)],
                label=curve["label"].iloc[0],
            )
        ax.plot([0, 100], [0, 100], color="#8c8c8c", lw=0.8, label="Equal share")
        for level in (25, 50):
            ax.axhline(level, color="#bdbdbd", lw=0.6, ls=":")
        ax.set_xlim(0, 100)
        ax.set_ylim(0, 100)
        ax.set_xlabel("% of LSOAs (most offences first)")
        ax.set_ylabel("% of offences")
        ax.set_title(chapter.tiers[tier].label, fontsize=10)
        ax.legend(frameon=False, fontsize=LEGEND_PT, loc="lower right")
        if chapter.tiers[tier].synthetic:
            _stamp_axes(ax)
    fig.tight_layout()
    return fig


def _stamp_axes(ax) -> None:
    """Stamp one panel drawn from synthetic data, inside its plotting area."""
    ax.text(  # below the diagonal, above the legend: clear of every curve
        0.97,
        0.36,
        SYNTHETIC_STAMP,
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=9,
        fontweight="bold",
        color=STAMP_COLOUR,
    )


def hour_heatmap(hour_week: pd.DataFrame, synthetic: bool) -> plt.Figure:
    """Hour of day by day of week, % of each category's offences; one panel per category."""
    categories = list(dict.fromkeys(hour_week["category"]))
    fig, axes = plt.subplots(
        1, len(categories), figsize=_wide(4.2 * len(categories), 5.4), squeeze=False
    )
    for ax, category in zip(axes.flat, categories, strict=True):
        data = hour_week[hour_week["category"] == category]
        grid = data.pivot(index="hour", columns="weekday", values="share_pct")
        image = ax.imshow(grid.to_numpy(), aspect="auto", cmap="cividis", origin="upper")
        ax.set_xticks(range(7), [d[:3] for d in WEEKDAYS], rotation=90)
        ax.set_yticks(range(0, 24, 3), [f"{h:02d}:00" for h in range(0, 24, 3)])
        ax.set_title(data["label"].iloc[0], fontsize=10)
        ax.grid(False)
        fig.colorbar(image, ax=ax, shrink=0.8, label="% of offences")
    fig.tight_layout(rect=(0, 0, 1, _stamp(fig, synthetic)))
    return fig


def month_profile(months: pd.DataFrame, synthetic: bool) -> plt.Figure:
    """Offences per day by calendar month, indexed to the average day (= 100)."""
    fig, ax = plt.subplots(figsize=size("wide"))
    styles = ["-", "--", "-."]
    ends = []
    for i, (_, data) in enumerate(months.groupby("category", sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(
            data["month"],
            data["index"],
            color=colour,
            ls=styles[i % len(styles)],
            marker="o",
            ms=3,
        )
        last = data.sort_values("month").iloc[-1]
        ends.append((last["month"], last["index"], data["label"].iloc[0], colour))
    ax.axhline(100, color="#595959", lw=0.8)
    ax.set_xticks(range(1, 13), [m[:3] for m in MONTHS])
    ax.set_ylabel("Offences per day (average day = 100)")
    label_line_ends(ax, ends, fontsize=LEGEND_PT)
    fig.tight_layout(rect=(0, 0, 1, _stamp(fig, synthetic)))
    return fig
