"""Charts for the County Lines chapter. Each returns a figure; its alt text and caption are
the ``text/*_chart.md.j2`` templates, filled from the same computed values
(:mod:`needs_assessment.chapters.county_lines.words`). Every chart drawn from a synthetic
extract carries :data:`needs_assessment.tiers.SYNTHETIC_STAMP` in its title.

Market types are shown by colour *and* marker or hatching (Okabe-Ito colours, safe for the
common forms of colour blindness): importing vermillion, home-grown blue, mixed grey, too few
offenders hatched white. Certainty by fill: a clear year is a filled marker, an uncertain one
hollow; on the map an uncertain type is dotted. The import-share chart draws the published
(disclosure-controlled) table, so a suppressed share is not drawn.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from needs_assessment import tiers
from needs_assessment.chapters.county_lines.markets import (
    CLEAR,
    HOME_GROWN,
    IMPORTING,
    MARKET_TYPES,
    MIXED,
    OTHER_ORIGINS,
    TOO_FEW,
    UNCERTAIN,
    Settings,
)
from needs_assessment.presentation.figures import (
    BENCHMARK_COLOUR,
    FORCE_COLOUR,
    PALETTE,
    financial_year_axis,
    label_line_ends,
    size,
)

#: Legend and direct-label text in points (14 px at 1280 px on a "wide" figure; the house
#: minimum is 6.3 pt, 10 px).
LEGEND_PT = 9
LABEL_PT = 9

MARKET_COLOURS = {IMPORTING: "#D55E00", HOME_GROWN: "#0072B2", MIXED: "#999999", TOO_FEW: "#FFFFFF"}
MARKET_MARKERS = {IMPORTING: "^", HOME_GROWN: "v", MIXED: "o", TOO_FEW: "x"}
MARKET_HATCHES = {IMPORTING: "", HOME_GROWN: "", MIXED: "", TOO_FEW: "///"}
UNCERTAIN_HATCH = ".."
#: Hatching of a classified district whose certainty is suppressed (it would bound a count).
HIDDEN_HATCH = "xx"
CERTAINTY_HIDDEN = "certainty not shown"
NOT_SHOWN = "not shown (small numbers)"
LINE_STYLES = ["-", "--", "-.", ":"]
#: Boundaries are simplified to this tolerance (metres, British National Grid) for drawing.
SIMPLIFY_METRES = 50


def _wide(width: float, height: float) -> tuple[float, float]:
    """The house "wide" size for a figure designed ``width`` x ``height`` inches: same aspect."""
    house = size("wide")[0]
    return size("wide", height=round(height * house / width, 2))


def _title(fig: plt.Figure, title: str, synthetic: bool) -> None:
    """The figure's title, stamped when the data are synthetic."""
    fig.suptitle(f"{title} — {tiers.SYNTHETIC_STAMP}" if synthetic else title, fontsize=11)


def _year_axis(ax, years) -> None:
    financial_year_axis(ax, years, fontsize=8)


def _percent_axis(ax) -> None:
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))


def import_shares(markets: pd.DataFrame, settings: Settings, synthetic: bool) -> plt.Figure:
    """Import share by district and year with interval bars, the threshold as a dashed line.

    ``markets`` is the published market table: suppressed shares are missing, not drawn."""
    districts = list(dict.fromkeys(markets["district"]))
    columns = 3
    rows = -(-len(districts) // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=_wide(11, 3.2 * rows), sharex=True, sharey=True, squeeze=False
    )
    for ax, district in zip(axes.flat, districts, strict=False):
        data = markets[markets["district"] == district]
        ax.axhline(settings.import_threshold, color="#000000", ls="--", lw=1)
        for market_type in MARKET_TYPES:
            part = data[(data["market_type"] == market_type) & data["import_share"].notna()]
            if part.empty:
                continue
            colour = MARKET_COLOURS[market_type]
            edge = "#595959" if market_type == TOO_FEW else colour
            share = part["import_share"].astype(float)
            ax.errorbar(
                part["year"].astype(float),
                share,
                yerr=[
                    share - part["import_lower_95"].astype(float),
                    part["import_upper_95"].astype(float) - share,
                ],
                fmt="none",
                ecolor=edge,
                elinewidth=1.2,
                capsize=2,
            )
            for sure, face in ((CLEAR, edge), (UNCERTAIN, "#FFFFFF")) * (market_type != TOO_FEW):
                dots = part[part["certainty"].astype(object) == sure]
                ax.scatter(
                    dots["year"].astype(float),
                    dots["import_share"].astype(float),
                    marker=MARKET_MARKERS[market_type],
                    s=36,
                    facecolors=face,
                    edgecolors=edge,
                    zorder=3,
                )
            rest = part[~part["certainty"].astype(object).isin([CLEAR, UNCERTAIN])]
            ax.scatter(
                rest["year"].astype(float),
                rest["import_share"].astype(float),
                marker=MARKET_MARKERS[market_type],
                s=36,
                color=edge,
                zorder=3,
            )
        ax.set_title(district, fontsize=10)
        ax.set_ylim(0, 1)
        _percent_axis(ax)
        _year_axis(ax, data["year"])
    for ax in list(axes.flat)[len(districts) :]:
        ax.set_visible(False)
    handles = [
        plt.Line2D(
            [],
            [],
            ls="none",
            marker=MARKET_MARKERS[t],
            color=MARKET_COLOURS[t] if t != TOO_FEW else "#595959",
            label=t,
        )
        for t in MARKET_TYPES
    ]
    handles.append(
        plt.Line2D(
            [], [], color="#000000", ls="--", label=f"threshold ({settings.import_threshold:.0%})"
        )
    )
    handles.append(
        plt.Line2D(
            [], [], ls="none", marker="o", color="#595959", mfc="#FFFFFF", label="hollow: uncertain"
        )
    )
    fig.legend(handles=handles, loc="lower center", ncol=3, frameon=False)
    fig.supylabel("Supply offenders from outside the force")
    _title(fig, "Import share by district", synthetic)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def _certainty_hatch(market_type: str, certainty) -> str:
    """Dotted where uncertain, crossed where a classified type's certainty is suppressed,
    else the type's own hatching."""
    certainty = None if pd.isna(certainty) else str(certainty)
    if certainty == UNCERTAIN:
        return UNCERTAIN_HATCH
    if market_type in (IMPORTING, HOME_GROWN, MIXED) and certainty != CLEAR:
        return HIDDEN_HATCH
    return MARKET_HATCHES.get(market_type, "")


def origins(
    origin_table: pd.DataFrame, districts: list[str], period: str, synthetic: bool
) -> plt.Figure:
    """Ranked bars: where out-of-force supply offenders lived, one panel per district."""
    districts = list(districts) or list(dict.fromkeys(origin_table["district"]))[:1]
    fig, axes = plt.subplots(
        1, max(len(districts), 1), figsize=_wide(4.6 * max(len(districts), 1), 4.2), squeeze=False
    )
    for ax, district in zip(axes.flat, districts, strict=False):
        data = origin_table[
            (origin_table["district"] == district)
            & (origin_table["origin"] != OTHER_ORIGINS)
            & origin_table["share"].notna()
        ].sort_values("rank")
        shares = data["share"].astype(float).to_numpy()
        positions = np.arange(len(data))[::-1]
        ax.barh(positions, shares, color=MARKET_COLOURS[IMPORTING], height=0.7)
        ax.set_yticks(positions, list(data["origin"]), fontsize=9)
        for y, share in zip(positions, shares, strict=True):
            ax.annotate(
                f"{share:.0%}",
                (share, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_title(district, fontsize=10)
        ax.set_xlim(0, max(0.05, float(shares.max()) * 1.25) if len(shares) else 1)
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.grid(axis="y", visible=False)
    fig.supxlabel("Share of the district's out-of-force supply offenders")
    _title(fig, f"Home areas of out-of-force supply offenders, {period}", synthetic)
    fig.tight_layout()
    return fig


def market_map(boundaries, summary: pd.DataFrame, synthetic: bool) -> plt.Figure:
    """Districts coloured by market type: the latest year, and the recent years pooled.

    No web tiles and no coordinate axes; colour and hatching name the type, a legend says which.
    """
    panels = [
        ("latest_market_type", f"Latest year, {summary['latest_year'].iloc[0]}"),
        ("recent_market_type", f"Pooled, {summary['recent_period'].iloc[0]}"),
    ]
    fig, axes = plt.subplots(1, 2, figsize=_wide(11, 6.5))
    boundaries = boundaries.assign(geometry=boundaries.geometry.simplify(SIMPLIFY_METRES))
    present: set[str] = set()
    for ax, (column, title) in zip(axes, panels, strict=True):
        certainty = column.replace("market_type", "certainty")
        types = dict(zip(summary["district_code"], summary[column], strict=True))
        sure = dict(zip(summary["district_code"], summary[certainty], strict=True))
        shapes = boundaries.assign(
            market_type=boundaries["lad17_code"].map(types).fillna(NOT_SHOWN)
        )
        shapes["hatch"] = [
            _certainty_hatch(t, sure.get(c))
            for t, c in zip(shapes["market_type"], shapes["lad17_code"], strict=True)
        ]
        for (market_type, hatch), part in shapes.groupby(["market_type", "hatch"], sort=False):
            present.add(market_type)
            present.update({UNCERTAIN} if hatch == UNCERTAIN_HATCH else set())
            present.update({CERTAINTY_HIDDEN} if hatch == HIDDEN_HATCH else set())
            part.plot(
                ax=ax,
                color=MARKET_COLOURS.get(market_type, "#FFFFFF"),
                edgecolor="#333333",
                linewidth=0.8,
                hatch=hatch,
            )
        for row in shapes.itertuples():
            point = row.geometry.representative_point()
            dark = row.market_type in (IMPORTING, HOME_GROWN)
            ax.annotate(
                row.lad17_name.replace(" ", "\n", 1)
                if len(row.lad17_name) > 12
                else row.lad17_name,
                (point.x, point.y),
                ha="center",
                va="center",
                fontsize=7.5,
                color="#FFFFFF" if dark else "#000000",
                fontweight="bold",
            )
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_title(title, fontsize=10)
    handles = [
        Patch(
            facecolor=MARKET_COLOURS.get(t, "#FFFFFF"),
            edgecolor="#333333",
            hatch=MARKET_HATCHES.get(t, ""),
            label=t,
        )
        for t in (*MARKET_TYPES, NOT_SHOWN)
        if t in present
    ]
    for label, hatch in ((UNCERTAIN, UNCERTAIN_HATCH), (CERTAINTY_HIDDEN, HIDDEN_HATCH)):
        if label in present:
            handles.append(
                Patch(facecolor="#DDDDDD", edgecolor="#333333", hatch=hatch, label=label)
            )
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=5,
        frameon=False,
        title="Drug-market type",
    )
    _title(fig, "Drug-market type by district", synthetic)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    return fig


def indicators(indicator_table: pd.DataFrame, synthetic: bool) -> plt.Figure:
    """Four market indicators by district over time."""
    panels = [
        ("supply_per_1000", "Drug supply per 1,000", False),
        ("possession_per_1000", "Drug possession per 1,000", False),
        ("under_18_share", "Supply offenders under 18", True),
        ("county_lines_per_1000", "County Lines flagged per 1,000", False),
    ]
    fig, axes = plt.subplots(2, 2, figsize=_wide(11, 7), sharex=True)
    districts = list(dict.fromkeys(indicator_table["district"]))
    for ax, (column, title, percent) in zip(axes.flat, panels, strict=True):
        for i, district in enumerate(districts):
            data = indicator_table[indicator_table["district"] == district]
            ax.plot(
                data["year"],
                data[column],
                color=PALETTE[i % len(PALETTE)],
                ls=LINE_STYLES[i % len(LINE_STYLES)],
                marker="o",
                ms=3,
                label=district,
            )
        ax.set_title(title, fontsize=10)
        ax.set_ylim(bottom=0)
        if percent:
            _percent_axis(ax)
        _year_axis(ax, indicator_table["year"])
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, frameon=False, fontsize=LEGEND_PT)
    _title(fig, "Drug-market indicators by district", synthetic)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


def public_rates(public: pd.DataFrame, area: str) -> plt.Figure:
    """Drug offences per 1,000: force with its interval, peers and England and Wales (real)."""
    fig, ax = plt.subplots(figsize=size("wide"))
    force = public[public["area_type"] == "force"].sort_values("year")
    ax.fill_between(
        force["year"],
        force["rate_lower_95"],
        force["rate_upper_95"],
        color=FORCE_COLOUR,
        alpha=0.2,
        lw=0,
    )
    ax.plot(force["year"], force["rate_per_1000"], color=FORCE_COLOUR, marker="o", ms=3)
    ends = [_end(force, area, FORCE_COLOUR)]
    others = (
        ("peers", PALETTE[1], "--", "Peer forces"),
        ("national", BENCHMARK_COLOUR, ":", "England and Wales"),
    )
    for area_type, colour, style, name in others:
        other = public[public["area_type"] == area_type].sort_values("year")
        ax.plot(other["year"], other["rate_per_1000"], color=colour, ls=style)
        if len(other):
            ends.append(_end(other, name, colour))
    ax.set_ylabel("Drug offences per 1,000 residents")
    ax.set_ylim(bottom=0)
    _year_axis(ax, public["year"])
    label_line_ends(ax, [end for end in ends if end is not None], LABEL_PT)  # no legend
    fig.tight_layout()
    return fig


def _end(line: pd.DataFrame, name: str, colour: str) -> tuple[float, float, str, str] | None:
    """A line's last point and its name, for :func:`label_line_ends` (None: no point)."""
    shown = line.dropna(subset=["rate_per_1000"])
    if shown.empty:
        return None
    last = shown.iloc[-1]
    return float(last["year"]), float(last["rate_per_1000"]), name, colour
