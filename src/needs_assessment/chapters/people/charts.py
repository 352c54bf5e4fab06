"""The People chapter's figures. Titles name the measure; a figure drawn from the
synthetic extract carries :data:`needs_assessment.tiers.SYNTHETIC_STAMP` in its title."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from needs_assessment import tiers
from needs_assessment.chapters.people.analysis import BANDS, PeopleChapter
from needs_assessment.chapters.people.tables import GROUP_LABELS, ROLE_LABELS, SEX_LABELS
from needs_assessment.presentation.figures import PALETTE, financial_year_axis, size

#: Direct labels in points: at least the house minimum (6.3 pt, 10 px at 1280 px).
LABEL_PT = 10


def _title(fig: plt.Figure, title: str, synthetic: bool) -> None:
    fig.suptitle(f"{title} — {tiers.SYNTHETIC_STAMP}" if synthetic else title, fontsize=11)


def _synthetic(chapter: PeopleChapter) -> bool:
    return bool(chapter.tier and chapter.tier.synthetic)


def age_sex(chapter: PeopleChapter, safe: pd.DataFrame) -> plt.Figure:
    """Rate per 1,000 residents by age band and sex, victims and offenders side by side."""
    fig, axes = plt.subplots(1, 2, figsize=size("wide"), sharey=True)
    bands = [b for b, _, _ in BANDS]
    sexes = [s for s in ("male", "female", "persons") if s in set(safe["sex"])]
    height = 0.8 / len(sexes)
    for ax, role in zip(axes, ("victim", "offender"), strict=True):
        rows = safe[safe["role"] == role]
        for i, sex in enumerate(sexes):
            values = rows[rows["sex"] == sex].set_index("age_band")["rate"].reindex(bands)
            positions = np.arange(len(bands)) + (i - (len(sexes) - 1) / 2) * height
            ax.barh(
                positions,
                values.astype(float).fillna(0),
                height,
                color=PALETTE[i],
                label=SEX_LABELS[sex],
            )
        ax.set_yticks(np.arange(len(bands)), bands)
        ax.set_title(ROLE_LABELS[role])
        ax.set_xlabel(
            f"Per 1,000 residents, {chapter.latest_year}/{(chapter.latest_year + 1) % 100:02d}"
        )
    axes[0].set_ylabel("Age")
    _label_bars(axes[0], bands, sexes, height)
    _title(fig, "Victims and offenders per 1,000 residents by age and sex", _synthetic(chapter))
    fig.tight_layout()
    return fig


def _label_bars(ax, bands: list[str], sexes: list[str], height: float) -> None:
    """Name each sex at the end of its bar in the longest band, in place of a legend."""
    bars = {sex: ax.containers[i] for i, sex in enumerate(sexes)}
    widths = [sum(bars[s][b].get_width() for s in sexes) for b in range(len(bands))]
    band = max(range(len(bands)), key=lambda b: widths[b])
    for i, sex in enumerate(sexes):
        bar = bars[sex][band]
        ax.annotate(
            SEX_LABELS[sex],
            (bar.get_width(), bar.get_y() + height / 2),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            color=PALETTE[i],
            fontsize=LABEL_PT,
            fontweight="bold",
        )
    left, right = ax.get_xlim()
    ax.set_xlim(left, right + (right - left) * 0.2)


def trend(chapter: PeopleChapter) -> plt.Figure:
    """The under-18 share of victims and offenders of known age, by year, with intervals."""
    fig, ax = plt.subplots(figsize=size("wide"))
    t = chapter.trend
    for i, role in enumerate(("victim", "offender")):
        rows = t[t["role"] == role]
        ax.plot(rows["year"], rows["under_18_share"] * 100, color=PALETTE[i], marker="o")
        ax.fill_between(
            rows["year"],
            rows["under_18_lower"] * 100,
            rows["under_18_upper"] * 100,
            color=PALETTE[i],
            alpha=0.2,
        )
        last = rows.iloc[-1]
        ax.annotate(
            ROLE_LABELS[role],
            (last["year"], last["under_18_share"] * 100),
            xytext=(6, 0),
            textcoords="offset points",
            color=PALETTE[i],
            va="center",
        )
    financial_year_axis(ax, t["year"])
    ax.set_ylabel("Aged under 18 (%)")
    ax.set_ylim(bottom=0)
    _title(fig, "Share of victims and offenders aged under 18", _synthetic(chapter))
    fig.tight_layout()
    return fig


def _label_roles(ax, roles, groups: int) -> None:
    """Name each role beside its row of points in the top group, in place of a legend."""
    right = ax.get_xlim()[1]
    for i, role in enumerate(roles):
        ax.annotate(
            ROLE_LABELS[role],
            (right, groups - 1 + (0.15 if i else -0.15)),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            color=PALETTE[i],
            fontsize=LABEL_PT,
            fontweight="bold",
            annotation_clip=False,
        )


def ratios(chapter: PeopleChapter, safe: pd.DataFrame) -> plt.Figure:
    """Rate ratio against the White group, per ethnic group, victims and offenders."""
    rows = safe[(safe["ages"] == "all ages") & (safe["ethnic_group"] != "white")]
    groups = list(dict.fromkeys(rows["ethnic_group"]))
    fig, ax = plt.subplots(figsize=size("wide"))
    for i, role in enumerate(chapter.ethnicity.roles):
        part = rows[rows["role"] == role].set_index("ethnic_group").reindex(groups)
        y = np.arange(len(groups)) + (0.15 if i else -0.15)
        ratio = part["ratio"].astype(float)
        errors = [
            ratio - part["ratio_lower"].astype(float),
            part["ratio_upper"].astype(float) - ratio,
        ]
        ax.errorbar(
            ratio, y, xerr=errors, fmt="o", color=PALETTE[i], label=ROLE_LABELS[role], capsize=3
        )
    ax.axvline(1, color="#595959", linewidth=1)
    ax.set_xscale("log")
    low = min(0.5, float(rows["ratio_lower"].astype(float).min()) * 0.9)
    high = max(2.0, float(rows["ratio_upper"].astype(float).max()) * 1.1)
    ticks = [t for t in (0.25, 0.5, 1, 2, 3, 4, 6, 8) if low <= t <= high]
    ax.set_xlim(low, high)
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(np.arange(len(groups)), [GROUP_LABELS[g] for g in groups])
    ax.set_xlabel("Rate per resident, against the White group (log scale)")
    _label_roles(ax, chapter.ethnicity.roles, len(groups))
    _title(fig, "Rate ratio by ethnic group (Census 2021 residents)", _synthetic(chapter))
    fig.tight_layout()
    return fig
