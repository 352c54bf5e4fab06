"""Charts for the trends chapter. Each returns a figure; its alt text and caption are in
``text/<chart>_chart.md.j2``."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from needs_assessment.chapters.trends.analysis import COVID_YEAR, breaks_for, index_series
from needs_assessment.config import AssessmentConfig, financial_year_label
from needs_assessment.force_series import EARLIER
from needs_assessment.presentation.figures import (
    BENCHMARK_COLOUR,
    FORCE_COLOUR,
    PALETTE,
    financial_year_axis,
    label_line_ends,
    size,
)
from needs_assessment.presentation.text import per

PEER_COLOUR = PALETTE[1]
VINTAGE_COLOUR = "#7f7f7f"
#: Panel text in points: at least the house minimum (6.3 pt, 10 px at 1280 px).
PANEL_PT = 8
LABEL_PT = 9


def _vintage_parts(rows: pd.DataFrame) -> list[pd.DataFrame]:
    """The rows of each vintage apart, so a line is never drawn across the break."""
    earlier = rows["vintage"] == EARLIER
    return [part for part in (rows[earlier], rows[~earlier]) if len(part)]


def _mark_vintage(ax, rows: pd.DataFrame) -> None:
    earlier = rows.loc[rows["vintage"] == EARLIER, "year"]
    if len(earlier):
        ax.axvline(int(earlier.max()) + 0.5, color=VINTAGE_COLOUR, ls="--", lw=1)


def _mark_covid(ax, years) -> None:
    if COVID_YEAR in set(int(y) for y in years):
        ax.axvspan(COVID_YEAR - 0.5, COVID_YEAR + 0.5, color="#d9d9d9", alpha=0.6, lw=0)


def rates(series: pd.DataFrame, config: AssessmentConfig) -> plt.Figure:
    """Small multiples: force rate with its interval band, peers and England and Wales; each
    line breaks at the change of vintage (dashed grey line); the lockdown year is shaded."""
    categories = list(dict.fromkeys(series["category"]))
    columns = 3
    rows = -(-len(categories) // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=size("wide", height=2.6 * rows), sharex=True, squeeze=False
    )
    for ax, category in zip(axes.flat, categories, strict=False):
        data = series[series["category"] == category]
        force = data[data["area_type"] == "force"]
        _mark_covid(ax, force["year"])
        for i, part in enumerate(_vintage_parts(force)):
            ax.fill_between(
                part["year"],
                part["rate_lower_95"],
                part["rate_upper_95"],
                color=FORCE_COLOUR,
                alpha=0.2,
                lw=0,
            )
            ax.plot(
                part["year"],
                part["rate"],
                color=FORCE_COLOUR,
                marker="o",
                ms=3,
                label=config.area.display_name if i == 0 else None,
            )
        for area_type, colour, style, label in (
            ("peers", PEER_COLOUR, "--", "Peer forces"),
            ("national", BENCHMARK_COLOUR, ":", "England and Wales"),
        ):
            other = data[data["area_type"] == area_type]
            for i, part in enumerate(_vintage_parts(other)):
                ax.plot(
                    part["year"],
                    part["rate"],
                    color=colour,
                    ls=style,
                    marker="." if len(part) == 1 else None,
                    label=label if i == 0 else None,
                )
        _mark_vintage(ax, force)
        for brk in breaks_for(config, category):
            ax.axvline(brk.financial_year, color="#d55e00", ls="-.", lw=1)
            ax.annotate(
                "recording\nchange",
                (brk.financial_year, ax.get_ylim()[1]),
                fontsize=PANEL_PT,
                color="#a33f00",
                ha="center",
                va="top",
            )
        ax.set_title(textwrap.fill(force["label"].iloc[0], 32), fontsize=LABEL_PT)
        ax.set_ylabel(per(int(force["per"].iloc[0])).capitalize(), fontsize=PANEL_PT)
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="y", labelsize=PANEL_PT)
        financial_year_axis(ax, series["year"], fontsize=PANEL_PT)
    for ax in list(axes.flat)[len(categories) :]:
        ax.set_visible(False)
    handles, labels = _legend(axes.flat[0])
    fig.legend(handles, labels, loc="lower center", ncol=4, frameon=False, fontsize=LABEL_PT)
    fig.supylabel("Recorded offences: rate (unit on each panel)", fontsize=LABEL_PT)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _legend(ax) -> tuple[list, list]:
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color=VINTAGE_COLOUR, ls="--", lw=1))
    labels.append("Change of vintage")
    return handles, labels


def indexed(series: pd.DataFrame, config: AssessmentConfig) -> plt.Figure:
    """Force counts indexed to the first year every category is on one vintage (= 100); the
    lockdown year is shaded."""
    force = index_series(series)
    fig, ax = plt.subplots(figsize=size("wide", height=5.5))
    _mark_covid(ax, force["year"])
    styles = ["-", "--", "-.", ":"]
    for i, (_, data) in enumerate(force.groupby("category", sort=False)):
        data = data.sort_values("year")
        base = float(data["count"].iloc[0])
        ax.plot(
            data["year"],
            data["count"] / base * 100,
            color=PALETTE[i % len(PALETTE)],
            ls=styles[(i + i // len(PALETTE)) % len(styles)],  # unique up to 32 lines
            marker="o",
            ms=3,
            label=data["label"].iloc[0],
        )
    ax.axhline(100, color="#595959", lw=0.8)
    first = financial_year_label(int(force["year"].min()))
    ax.set_ylabel(f"Index ({first} = 100)")
    financial_year_axis(ax, force["year"])
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False, fontsize=PANEL_PT
    )
    fig.tight_layout()
    return fig


def severity(frame: pd.DataFrame, config: AssessmentConfig) -> plt.Figure:
    """Crime severity score for violence against the person: force and England and Wales."""
    fig, ax = plt.subplots(figsize=size("half"))
    _mark_covid(ax, frame["year"])
    ends = []
    for area, colour, style in (
        (config.area.display_name, FORCE_COLOUR, "-"),
        ("England and Wales", BENCHMARK_COLOUR, ":"),
    ):
        data = frame[frame["area"] == area]
        ax.plot(
            data["year"],
            data["severity_score"],
            color=colour,
            ls=style,
            marker="o",
            ms=3,
            label=area,
        )
        ends.append((data["year"].iloc[-1], data["severity_score"].iloc[-1], area, colour))
    ax.set_ylabel("Severity score (violence against the person)")
    ax.set_ylim(bottom=0)
    financial_year_axis(ax, frame["year"])
    label_line_ends(ax, ends, LABEL_PT)
    fig.tight_layout()
    return fig


def admissions(frame: pd.DataFrame) -> plt.Figure:
    """Hospital admissions for assault by a sharp object in the force's region."""
    fig, ax = plt.subplots(figsize=size("half"))
    _mark_covid(ax, frame["year"])
    ax.bar(frame["year"], frame["admissions"], color=FORCE_COLOUR, width=0.7)
    ax.set_ylabel("Finished admission episodes")
    financial_year_axis(ax, frame["year"])
    fig.tight_layout()
    return fig


def districts(series: pd.DataFrame, config: AssessmentConfig, label: str) -> plt.Figure:
    """Rates by district, one panel per category (from the force extract)."""
    categories = list(dict.fromkeys(series["category"]))
    columns = min(2 if len(categories) <= 4 else 3, len(categories))
    rows = -(-len(categories) // columns)
    fig, axes = plt.subplots(
        rows, columns, figsize=size("wide", height=2.8 * rows + 0.6), sharex=True, squeeze=False
    )
    styles = ["-", "--", "-.", ":"]
    for ax, category in zip(list(axes.flat), categories, strict=False):
        data = series[series["category"] == category]
        for i, (area, rows) in enumerate(data.groupby("area", sort=False)):
            ax.plot(
                rows["year"],
                rows["rate"],
                color=PALETTE[i % len(PALETTE)],
                ls=styles[i % len(styles)],
                label=area,
            )
        ax.set_title(data["label"].iloc[0], fontsize=LABEL_PT)
        ax.set_ylabel(per(int(data["per"].iloc[0])).capitalize(), fontsize=PANEL_PT)
        ax.set_ylim(bottom=0)
        ax.tick_params(axis="y", labelsize=PANEL_PT)
        financial_year_axis(ax, data["year"], fontsize=PANEL_PT)
    for ax in list(axes.flat)[len(categories) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=min(3, len(labels)),
        frameon=False,
        fontsize=LABEL_PT,
    )
    fig.supylabel("Rate (unit on each panel)", fontsize=LABEL_PT)
    fig.suptitle(label, fontsize=LABEL_PT, color="#a33f00")
    legend_rows = -(-len(labels) // 3)
    fig.tight_layout(rect=(0, 0.04 * legend_rows, 1, 0.97))
    return fig


def gun_crime(series: pd.DataFrame, label: str) -> plt.Figure:
    """Offences involving a firearm per financial year (from the force extract)."""
    fig, ax = plt.subplots(figsize=size("half"))
    ax.bar(series["year"], series["count"], color=FORCE_COLOUR, width=0.7)
    ax.set_ylabel("Offences involving a firearm")
    ax.set_title(label, fontsize=LABEL_PT, color="#a33f00")
    financial_year_axis(ax, series["year"])
    fig.tight_layout()
    return fig
