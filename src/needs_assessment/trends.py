"""Trends chapter: serious violence by financial year for a force, from public data."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .config import AssessmentConfig, financial_year_label
from .definitions import Definitions
from .figures import PALETTE
from .sources.ons_recorded_crime import financial_years

TIER_ONS = "ONS police recorded crime (real)"


def force_annual_counts(
    recorded_crime: pd.DataFrame, config: AssessmentConfig, definitions: Definitions
) -> pd.DataFrame:
    """Counts per category and financial year for the configured force and period.

    Returns columns ``area, category, label, financial_year, year, count, source_tier``,
    one row per category and year that the data covers.
    """
    groups = definitions.ons_group_to_category()
    annual = financial_years(recorded_crime)
    period = config.period
    selected = annual[
        (annual["force"] == config.area.force)
        & annual["offence_group"].isin(list(groups))
        & annual["year"].between(period.first_year, period.last_year)
    ]
    if selected.empty:
        raise ValueError(f"no recorded crime for force {config.area.force!r} in the period")
    frame = (
        selected.assign(category=selected["offence_group"].map(groups))
        .groupby(["category", "year", "financial_year"], as_index=False)["count"]
        .sum()
    )
    frame["label"] = frame["category"].map(definitions.labels)
    frame["area"] = config.area.display_name
    frame["source_tier"] = TIER_ONS
    order = list(definitions.categories)
    frame["category"] = pd.Categorical(frame["category"], categories=order, ordered=True)
    frame = frame.sort_values(["category", "year"]).reset_index(drop=True)
    frame["category"] = frame["category"].astype(str)
    columns = ["area", "category", "label", "financial_year", "year", "count", "source_tier"]
    return frame[columns]


def coverage(counts: pd.DataFrame, config: AssessmentConfig) -> dict:
    """First and last financial year the data covers, and the configured years it lacks."""
    years = sorted(counts["year"].unique())
    wanted = range(config.period.first_year, config.period.last_year + 1)
    missing = [financial_year_label(y) for y in wanted if y not in years]
    return {
        "first_year": financial_year_label(years[0]),
        "last_year": financial_year_label(years[-1]),
        "years_covered": len(years),
        "years_missing": missing,
    }


def headline(counts: pd.DataFrame) -> dict:
    """Latest-year count and change since the first year, per category."""
    out = {}
    for category, series in counts.groupby("category", sort=False):
        series = series.sort_values("year")
        first, latest = series.iloc[0], series.iloc[-1]
        change = (latest["count"] - first["count"]) / first["count"] * 100 if first["count"] else None
        out[category] = {
            "label": latest["label"],
            "first_year": first["financial_year"],
            "first_count": int(first["count"]),
            "latest_year": latest["financial_year"],
            "latest_count": int(latest["count"]),
            "pct_change_since_first": None if change is None else round(float(change), 1),
        }
    return out


def describe_headline(headline_by_category: dict, area: str) -> str:
    """One sentence per category, in the words an analyst would use."""
    sentences = []
    for item in headline_by_category.values():
        change = item["pct_change_since_first"]
        if change is None:
            movement = "with no earlier count to compare"
        elif abs(change) < 0.5:
            movement = f"about the same as in {item['first_year']}"
        else:
            direction = "up" if change > 0 else "down"
            movement = f"{direction} {abs(change):.0f}% on {item['first_year']} ({item['first_count']:,})"
        sentences.append(
            f"- **{item['label']}**: {item['latest_count']:,} offences in {item['latest_year']}, "
            f"{movement}."
        )
    return f"In {area}:\n\n" + "\n".join(sentences)


def plot_counts(counts: pd.DataFrame) -> plt.Figure:
    """Small multiples: one panel per category, counts by financial year."""
    categories = list(dict.fromkeys(counts["category"]))
    columns = 3
    rows = -(-len(categories) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(11, 3.2 * rows), sharex=True)
    for ax, category in zip(axes.flat, categories, strict=False):
        series = counts[counts["category"] == category]
        ax.plot(series["year"], series["count"], marker="o", color=PALETTE[0])
        ax.set_title(series["label"].iloc[0])
        ax.set_ylim(bottom=0)
        ax.set_xticks(series["year"][::2], series["financial_year"][::2], rotation=45, ha="right")
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    for ax in list(axes.flat)[len(categories):]:
        ax.set_visible(False)
    fig.supylabel("Offences recorded in the year")
    fig.tight_layout()
    return fig


def alt_text(counts: pd.DataFrame, headline_by_category: dict, area: str) -> str:
    """Alt text stating the chart's message, built from the computed headline."""
    first = counts["financial_year"].min()
    last = counts["financial_year"].max()
    rising = [v["label"] for v in headline_by_category.values() if (v["pct_change_since_first"] or 0) > 10]
    falling = [v["label"] for v in headline_by_category.values() if (v["pct_change_since_first"] or 0) < -10]
    parts = [f"Line charts of recorded offences per financial year in {area}, {first} to {last}."]
    if rising:
        parts.append(f"Rose by more than 10%: {', '.join(rising)}.")
    if falling:
        parts.append(f"Fell by more than 10%: {', '.join(falling)}.")
    return " ".join(parts)


def describe_coverage(cov: dict, config: AssessmentConfig) -> str:
    """Say plainly which years the real data covers and which it lacks."""
    text = (
        f"The ONS force-level series covers {cov['years_covered']} financial years of the "
        f"assessment period, {cov['first_year']} to {cov['last_year']}."
    )
    if cov["years_missing"]:
        text += (
            f" It stops before the period ends: {', '.join(cov['years_missing'])} are not in "
            "the published file this assessment uses, so no count is shown for them."
        )
    return text


def wide_table(counts: pd.DataFrame) -> pd.DataFrame:
    """Categories as rows, financial years as columns, for reading on the page."""
    wide = counts.pivot(index="label", columns="financial_year", values="count")
    order = list(dict.fromkeys(counts["label"]))
    return wide.loc[order].reset_index().rename(columns={"label": "Category"})
