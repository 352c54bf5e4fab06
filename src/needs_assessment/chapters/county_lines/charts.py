"""Charts for the County Lines chapter. Each returns a figure; its alt text is built in
:mod:`needs_assessment.chapters.county_lines.analysis` from the same computed values.

Market types are shown by colour *and* marker or hatching (Okabe-Ito colours, safe for the
common forms of colour blindness): importing vermillion, home-grown blue, mixed / uncertain
grey, too few offenders hatched white.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from needs_assessment.chapters.county_lines.analysis import (
    HOME_GROWN,
    IMPORTING,
    MARKET_TYPES,
    MIXED,
    OTHER_ORIGINS,
    TOO_FEW,
    Settings,
)
from needs_assessment.presentation.figures import (
    BENCHMARK_COLOUR,
    FORCE_COLOUR,
    PALETTE,
    financial_year_axis,
)

MARKET_COLOURS = {IMPORTING: "#D55E00", HOME_GROWN: "#0072B2", MIXED: "#999999", TOO_FEW: "#FFFFFF"}
MARKET_MARKERS = {IMPORTING: "^", HOME_GROWN: "v", MIXED: "o", TOO_FEW: "x"}
MARKET_HATCHES = {IMPORTING: "", HOME_GROWN: "", MIXED: "", TOO_FEW: "///"}
LINE_STYLES = ["-", "--", "-.", ":"]
#: Boundaries are simplified to this tolerance (metres, British National Grid) for drawing.
SIMPLIFY_METRES = 50


def _year_axis(ax, years) -> None:
    financial_year_axis(ax, years, fontsize=8)


def _percent_axis(ax) -> None:
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))


def import_shares(markets: pd.DataFrame, settings: Settings, label: str) -> plt.Figure:
    """Import share by district and year, 95% interval bars, the threshold as a dashed line."""
    districts = list(dict.fromkeys(markets["district"]))
    columns = 3
    rows = -(-len(districts) // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=(11, 3.2 * rows), sharex=True, sharey=True, squeeze=False
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
            ax.errorbar(
                part["year"],
                part["import_share"],
                yerr=[
                    part["import_share"] - part["import_lower_95"],
                    part["import_upper_95"] - part["import_share"],
                ],
                fmt="none",
                ecolor=edge,
                elinewidth=1.2,
                capsize=2,
            )
            ax.scatter(
                part["year"],
                part["import_share"],
                marker=MARKET_MARKERS[market_type],
                s=36,
                color=edge,
                zorder=3,
                label=market_type,
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
    fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False)
    fig.supylabel("Supply offenders from outside the force")
    fig.suptitle(f"Import share by district — {label}", fontsize=11)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def origins(
    origin_table: pd.DataFrame, districts: list[str], period: str, label: str
) -> plt.Figure:
    """Ranked bars: where out-of-force supply offenders lived, one panel per district."""
    districts = list(districts) or list(dict.fromkeys(origin_table["district"]))[:1]
    fig, axes = plt.subplots(
        1, max(len(districts), 1), figsize=(4.6 * max(len(districts), 1), 4.2), squeeze=False
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
    fig.suptitle(f"Home areas of out-of-force supply offenders, {period} — {label}", fontsize=11)
    fig.tight_layout()
    return fig


def market_map(boundaries, summary: pd.DataFrame, label: str) -> plt.Figure:
    """Districts coloured by market type: the latest year, and the recent years pooled.

    No web tiles and no coordinate axes; colour and hatching name the type, a legend says which.
    """
    panels = [
        ("latest_market_type", f"Latest year, {summary['latest_year'].iloc[0]}"),
        ("recent_market_type", f"Pooled, {summary['recent_period'].iloc[0]}"),
    ]
    fig, axes = plt.subplots(1, 2, figsize=(11, 6.5))
    boundaries = boundaries.assign(geometry=boundaries.geometry.simplify(SIMPLIFY_METRES))
    present: set[str] = set()
    for ax, (column, title) in zip(axes, panels, strict=True):
        types = dict(zip(summary["district_code"], summary[column], strict=True))
        shapes = boundaries.assign(market_type=boundaries["lad17_code"].map(types))
        for market_type in MARKET_TYPES:
            part = shapes[shapes["market_type"] == market_type]
            if len(part):
                present.add(market_type)
                part.plot(
                    ax=ax,
                    color=MARKET_COLOURS[market_type],
                    edgecolor="#333333",
                    linewidth=0.8,
                    hatch=MARKET_HATCHES[market_type],
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
    fig.legend(
        handles=[
            Patch(
                facecolor=MARKET_COLOURS[t], edgecolor="#333333", hatch=MARKET_HATCHES[t], label=t
            )
            for t in MARKET_TYPES
            if t in present
        ],
        loc="lower center",
        ncol=4,
        frameon=False,
        title="Drug-market type",
    )
    fig.suptitle(f"Drug-market type by district — {label}", fontsize=11)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95))
    return fig


def indicators(indicator_table: pd.DataFrame, label: str) -> plt.Figure:
    """Four market indicators by district over time."""
    panels = [
        ("supply_per_1000", "Drug supply per 1,000", False),
        ("possession_per_1000", "Drug possession per 1,000", False),
        ("under_18_share", "Supply offenders under 18", True),
        ("county_lines_per_1000", "County Lines flagged per 1,000", False),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
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
    fig.legend(handles, labels, loc="lower center", ncol=len(districts), frameon=False, fontsize=8)
    fig.suptitle(f"Drug-market indicators by district — {label}", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def public_rates(public: pd.DataFrame, area: str) -> plt.Figure:
    """Drug offences per 1,000: force with its interval, peers and England and Wales (real)."""
    fig, ax = plt.subplots(figsize=(8, 4))
    force = public[public["area_type"] == "force"].sort_values("year")
    ax.fill_between(
        force["year"],
        force["rate_lower_95"],
        force["rate_upper_95"],
        color=FORCE_COLOUR,
        alpha=0.2,
        lw=0,
    )
    ax.plot(force["year"], force["rate_per_1000"], color=FORCE_COLOUR, marker="o", ms=3, label=area)
    others = (
        ("peers", PALETTE[1], "--", "Peer forces"),
        ("national", BENCHMARK_COLOUR, ":", "England and Wales"),
    )
    for area_type, colour, style, name in others:
        other = public[public["area_type"] == area_type].sort_values("year")
        ax.plot(other["year"], other["rate_per_1000"], color=colour, ls=style, label=name)
    ax.set_ylabel("Drug offences per 1,000 residents")
    ax.set_ylim(bottom=0)
    _year_axis(ax, public["year"])
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig
