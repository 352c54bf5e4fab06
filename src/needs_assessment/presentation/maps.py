"""House style for maps of small areas: zoomed insets where flagged areas are too small to
see at force scale, and a scale bar.

Boundaries are in British National Grid (EPSG:27700), so coordinates are metres: a scale
bar is drawn from them directly. A district gets an inset when the flagged areas in it are
small beside the whole map (their median area below :data:`SMALL_SHARE` of the map's
bounding box); the code chooses them from the geometry, the districts with most such areas
first.

Usage, after drawing the choropleth of ``areas`` (one colour per row) on ``ax``::

    insets = add_insets(ax, areas, flagged, districts, colours=colours)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib.patheffects as pe
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle
from shapely.geometry import box

#: A flagged area is too small to see at force scale when its area is below this share of
#: the map's bounding box (1/1,000: about 5 km² for a county force, a town-centre LSOA).
SMALL_SHARE = 0.001
#: Insets sit in the emptiest of these places (axes fractions: left, bottom, width, height).
#: The map is drawn against the left of its axes, so the right-hand column is tried first.
INSET_PLACES = (
    (0.66, 0.62, 0.36, 0.36),
    (0.66, 0.12, 0.36, 0.36),
    (0.66, 0.37, 0.36, 0.36),
    (0.0, 0.62, 0.36, 0.36),
    (0.0, 0.0, 0.36, 0.36),
)
#: Scale-bar lengths to choose from, in km.
NICE_KM = (0.5, 1, 2, 5, 10, 20, 50, 100)
INSET_EDGE = "#222222"
#: The smallest inset beside a map, in inches; with no room for one, insets go on the map.
MIN_INSET_IN = 1.5
NAME_PT = 9
LABEL_PT = 8
_HALO = [pe.withStroke(linewidth=2.5, foreground="white")]


@dataclass(frozen=True)
class Inset:
    """A zoomed inset: the district it shows and its axes."""

    district: str
    ax: object


def districts_to_zoom(
    areas,
    flagged: Sequence[bool],
    districts,
    *,
    name: str = "lad17_name",
    share: float = SMALL_SHARE,
    limit: int = 2,
) -> list[str]:
    """The districts whose flagged areas are too small to see at force scale, most such
    areas first (at most ``limit``): each flagged area is placed in the district holding
    its representative point, and a district qualifies when its flagged areas' median area
    is below ``share`` of the map's bounding box (the areas' and the districts')."""
    _check_metres(areas)
    mask = np.asarray(flagged, dtype=bool)
    if len(mask) != len(areas):
        raise ValueError(f"flagged has {len(mask)} values for {len(areas)} areas")
    if not mask.any():
        return []
    small = _small_area(areas, districts, share)
    home = district_of(areas[mask], districts, name)
    sizes = pd.DataFrame({"district": home, "area": areas[mask].geometry.area.to_numpy()})
    sizes = sizes.dropna(subset=["district"])
    grouped = sizes.groupby("district")["area"].agg(["median", "size"])
    chosen = grouped[grouped["median"] < small].sort_values(
        ["size", "median"], ascending=[False, True]
    )
    return list(chosen.index[:limit])


def add_insets(
    ax,
    areas,
    flagged: Sequence[bool],
    districts,
    *,
    colours: Sequence,
    name: str = "lad17_name",
    zoom: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    avoid: Sequence[tuple[float, float, float, float]] = (),
    limit: int = 2,
    beside: bool = True,
) -> list[Inset]:
    """Zoomed insets on ``ax`` (a map of ``areas`` in metres) of the districts in ``zoom``
    (default: :func:`districts_to_zoom`), each framed on its flagged areas, redrawn in
    ``colours`` (one per area), titled with the district's name and given a scale bar; the
    zoomed extent is outlined on the main map. ``labels`` (one per area) names the flagged
    areas inside the insets. ``beside`` stacks the insets in the figure's free column to the
    right of the map (make one: :func:`map_figure`), as many as fit; else (or with no room
    beside it) they go in the emptiest corners of the map, apart from the axes-fraction
    boxes in ``avoid`` (a key)."""
    mask = np.asarray(flagged, dtype=bool)
    chosen = (
        list(zoom)
        if zoom is not None
        else districts_to_zoom(areas, mask, districts, name=name, limit=limit)
    )
    colours = np.asarray(colours, dtype=object)
    home = district_of(areas, districts, name)
    small = (areas.geometry.area < _small_area(areas, districts)).to_numpy()
    ax.set_anchor("W")
    places = _column_places(ax, len(chosen)) if beside else []
    beside = bool(places)
    if not beside:
        places = _emptiest_places(ax, areas, len(chosen), avoid)
    insets = []
    for district, place in zip(chosen, places, strict=False):
        inside = (home == district) & mask
        if not inside.any():
            raise ValueError(f"no flagged area lies in district {district!r} to zoom on")
        framed = inside & small if (inside & small).any() else inside
        extent = _extent(areas[framed].total_bounds)
        inset = ax.figure.add_axes(place) if beside else ax.inset_axes(place)
        near = areas.intersects(box(*extent)).to_numpy()
        areas[near].plot(ax=inset, color=list(colours[near]), edgecolor="white", lw=0.3)
        districts.boundary.plot(ax=inset, color=INSET_EDGE, lw=0.8)
        _frame(inset, extent)
        inset.set_xlabel("")
        inset.set_ylabel("")
        inset.set_title(district, fontsize=NAME_PT, fontweight="bold", pad=3)
        if labels is not None:
            _label_areas(inset, areas[framed], np.asarray(labels, dtype=object)[framed])
        scale_bar(inset)
        _outline(ax, extent)
        insets.append(Inset(district, inset))
    return insets


def map_figure(height: float = 6.0, map_share: float = 0.62):
    """A "wide" figure with one map axes on its left ``map_share`` and room to its right
    for :func:`add_insets`; returns ``(fig, ax)``."""
    import matplotlib.pyplot as plt

    from needs_assessment.presentation.figures import size

    fig = plt.figure(figsize=size("wide", height=height))
    ax = fig.add_axes((0.0, 0.08, map_share, 0.9))
    return fig, ax


def scale_bar(ax, *, fraction: float = 0.3, loc: tuple[float, float] = (0.06, 0.06)) -> float:
    """A scale bar in km at ``loc`` (axes fraction) about ``fraction`` of the axes' width;
    the axes' x coordinates must be metres. Returns its length in km."""
    left, right = ax.get_xlim()
    bottom, top = ax.get_ylim()
    width_m = abs(right - left)
    km = max([k for k in NICE_KM if k * 1000 <= fraction * width_m] or [NICE_KM[0]])
    x0 = left + loc[0] * (right - left)
    y0 = bottom + loc[1] * (top - bottom)
    ax.plot([x0, x0 + km * 1000], [y0, y0], color=INSET_EDGE, lw=2.5, solid_capstyle="butt")
    ax.annotate(
        f"{km:g} km",
        (x0 + km * 500, y0),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=LABEL_PT,
        path_effects=_HALO,
    )
    return km


def _small_area(areas, districts, share: float = SMALL_SHARE) -> float:
    """The area, in square metres, below which an area is too small to see on the map (the
    bounding box of the areas and their districts)."""
    bounds = np.vstack([areas.total_bounds, districts.total_bounds])
    xmin, ymin = bounds[:, :2].min(axis=0)
    xmax, ymax = bounds[:, 2:].max(axis=0)
    return share * (xmax - xmin) * (ymax - ymin)


def _check_metres(areas) -> None:
    crs = getattr(areas, "crs", None)
    if crs is not None and not crs.is_projected:
        raise ValueError(f"map areas must be in projected metres (EPSG:27700), not {crs}")


def district_of(areas, districts, name: str = "lad17_name") -> np.ndarray:
    """The ``name`` of the district holding each area's representative point (None: none)."""
    points = areas.geometry.representative_point()
    found = np.full(len(areas), None, dtype=object)
    for row in districts.itertuples():
        found[points.within(row.geometry).to_numpy() & (found == None)] = getattr(row, name)  # noqa: E711
    return found


def _extent(bounds) -> tuple[float, float, float, float]:
    """A square extent around ``bounds`` with a margin (at least 4 km across)."""
    xmin, ymin, xmax, ymax = bounds
    half = max(xmax - xmin, ymax - ymin, 2000) * 0.8
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    return (cx - half, cy - half, cx + half, cy + half)


def _frame(inset, extent) -> None:
    inset.set_xlim(extent[0], extent[2])
    inset.set_ylim(extent[1], extent[3])
    inset.set_aspect("equal")
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_facecolor("white")
    for side in inset.spines.values():
        side.set_visible(True)
        side.set_color(INSET_EDGE)
        side.set_linewidth(1)


def _outline(ax, extent) -> None:
    ax.add_patch(
        Rectangle(
            (extent[0], extent[1]),
            extent[2] - extent[0],
            extent[3] - extent[1],
            fill=False,
            edgecolor=INSET_EDGE,
            lw=1,
            zorder=5,
        )
    )


def _label_areas(inset, areas, labels) -> None:
    """Each flagged area's label at its point, nudged apart so that none overlap."""
    bottom, top = inset.get_ylim()
    gap = (top - bottom) * 0.09
    points = sorted(
        zip(areas.geometry.representative_point(), labels, strict=True), key=lambda p: p[0].y
    )
    placed: list[float] = []
    for point, label in points:
        y = max(point.y, placed[-1] + gap) if placed else point.y
        placed.append(y)
        inset.annotate(
            str(label),
            (point.x, y),
            ha="center",
            va="center",
            fontsize=LABEL_PT,
            path_effects=_HALO,
        )


def _column_places(ax, count: int, gap: float = 0.35) -> list[tuple[float, float, float, float]]:
    """Up to ``count`` square boxes (figure fractions) stacked in the column right of the map
    as drawn, each as large as the column and the map's height allow (``gap`` inches apart,
    with room for a title); as many as fit at least :data:`MIN_INSET_IN` across."""
    fig = ax.figure
    ax.apply_aspect()
    drawn = ax.get_position()
    fig_w, fig_h = fig.get_size_inches()
    left = drawn.x1 + 0.2 / fig_w
    column = (0.99 - left) * fig_w
    for fits in range(count, 0, -1):
        side = min(column, (drawn.height * fig_h - gap * fits) / fits)
        if side >= MIN_INSET_IN:
            break
    else:
        return []
    boxes = []
    for i in range(fits):
        top = drawn.y1 - (i * (side + gap) + gap) / fig_h
        boxes.append((left, top - side / fig_h, side / fig_w, side / fig_h))
    return boxes


def _emptiest_places(ax, areas, count: int, avoid) -> list[tuple[float, float, float, float]]:
    """The ``count`` places of :data:`INSET_PLACES` that cover least of the map, apart from
    any place overlapping a box in ``avoid``."""
    if count == 0:
        return []
    ax.set_aspect("equal")
    ax.figure.canvas.draw()
    shape = areas.geometry.union_all()
    to_data = ax.transAxes + ax.transData.inverted()
    scored = []
    for place in INSET_PLACES:
        if any(_overlaps(place, other) for other in avoid):
            continue
        (x0, y0), (x1, y1) = to_data.transform(
            [(place[0], place[1]), (place[0] + place[2], place[1] + place[3])]
        )
        scored.append((shape.intersection(box(x0, y0, x1, y1)).area, place))
    chosen: list = []
    for _, place in sorted(scored, key=lambda s: s[0]):
        if not any(_overlaps(place, other) for other in chosen):
            chosen.append(place)
    return chosen[:count]


def _overlaps(a, b) -> bool:
    return (
        a[0] < b[0] + b[2] - 1e-9
        and b[0] < a[0] + a[2] - 1e-9
        and a[1] < b[1] + b[3] - 1e-9
        and b[1] < a[1] + a[3] - 1e-9
    )
