"""The trends chapter's published tables: human headers, formatted cells, disclosure control.

Headers that name an interval carry the configured confidence level (``level_label``);
CSV columns named for the 95% default (``rate_lower_95``) are renamed for another level.
"""

from __future__ import annotations

import pandas as pd

from needs_assessment.chapters.trends.words import decimals
from needs_assessment.config import Thresholds
from needs_assessment.force_series import EARLIER, significant
from needs_assessment.methods.disclosure import suppress_small_counts
from needs_assessment.presentation.text import (
    interval,
    level_label,
    number,
    per,
    signed_pct,
    thousands,
)

EARLIER_MARKER = "[e]"  # a value from the earlier vintage (counts or population)

INTERVAL_COLUMNS = ("rate_lower_95", "rate_upper_95", "trend_lower_95", "trend_upper_95")
#: Rate columns, published to ``force_series.RATE_FIGURES`` significant figures.
RATE_COLUMNS = (
    "rate",
    "rate_lower_95",
    "rate_upper_95",
    "rate_per_1000",
    "benchmark_rate",
    "england_wales_rate",
    "peer_rate",
)


def for_csv(frame: pd.DataFrame, level: float) -> pd.DataFrame:
    """``frame`` as published: rates rounded once (4 significant figures), interval columns
    named for ``level`` (``rate_lower_90`` at 90%)."""
    rounded = {c: significant(frame[c]) for c in RATE_COLUMNS if c in frame}
    suffix = level_label(level).rstrip("%").replace(".", "_")
    names = {c: c.removesuffix("_95") + f"_{suffix}" for c in INTERVAL_COLUMNS if c in frame}
    return frame.assign(**rounded).rename(columns=names)


def judgement_table(table: pd.DataFrame) -> pd.DataFrame:
    """The judgements as a Board reads them (a performance-pack layout)."""
    return pd.DataFrame(
        {
            "Category": table["label"],
            "Year": table["financial_year"],
            "Offences": table["count"],
            "Rate": [_with_unit(r.rate, r.per) for r in table.itertuples()],
            "Previous year": table["previous_count"],
            "vs previous year, given trend": table["vs_previous_year"],
            "Trend predicts (on previous year)": table["expected_change_on_previous_pct"].map(_pct),
            "3-year average": table["three_year_average"].map(thousands),
            "vs 3-year average, given trend": table["vs_three_year_average"],
            "Trend predicts (on 3-year average)": table["expected_change_on_average_pct"].map(_pct),
            "Trend % a year": table["trend_pct_per_year"].map("{:+.1f}".format),
            "England & Wales rate": [
                _with_unit(r.benchmark_rate, r.per) for r in table.itertuples()
            ],
            "vs England & Wales": table["vs_england_wales"],
            "Rank (1st = highest)": table["rank_of_forces"],
        }
    )


def rate_table(series: pd.DataFrame) -> pd.DataFrame:
    """The force's rates with intervals: financial years (rows) by category (columns, with
    their unit); an earlier-vintage value is marked [e]."""
    force = series[series["area_type"] == "force"]
    shown = force.assign(
        value=[
            _unit_rate_with_interval(r) + (f" {EARLIER_MARKER}" if r.vintage == EARLIER else "")
            for r in force.itertuples()
        ],
        column=[f"{r.label} ({per(r.per)})" for r in force.itertuples()],
    )
    wide = shown.pivot(index="financial_year", columns="column", values="value").fillna("–")
    order = list(dict.fromkeys(shown["column"]))
    return wide[order].reset_index().rename(columns={"financial_year": "Financial year"})


def _pct(value) -> str:
    """'+4.9%'; '–' when not judged."""
    return "–" if value is None or pd.isna(value) else signed_pct(value)


def _with_unit(value, unit) -> str:
    """'5.57 per million' (three significant figures)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{number(value, decimals(value))} {per(int(unit))}"


def _unit_rate_with_interval(row) -> str:
    """'5.57 (1.81–13.01)': decimals for three significant figures on the smaller value."""
    digits = decimals(row.rate, row.rate_lower_95)
    return f"{number(row.rate, digits)} ({interval(row.rate_lower_95, row.rate_upper_95, digits)})"


def publishable_districts(series: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """District rows after disclosure control (the force total per category-year is public).

    ``thresholds`` is ``config.thresholds``: counts up to ``suppress_counts_up_to`` are
    suppressed, no rate from fewer than ``min_events_for_rate`` events. Cells are hidden
    until, in each category-year, the hidden districts add up to more than the threshold,
    so the force total minus the shown districts cannot bound any of them to a small count.
    """
    rates = {c: "count" for c in ("rate", "rate_lower_95", "rate_upper_95")}
    return suppress_small_counts(
        series,
        ["count"],
        thresholds.suppress_counts_up_to,
        total_groups=["category", "year"],
        derived_columns=rates,
        min_events_for_rate=thresholds.min_events_for_rate,
        protect_sums=True,
    )


def district_table(published: pd.DataFrame, level: float) -> pd.DataFrame:
    """Latest year's rates by district (rows) and category (columns, with their unit), after
    disclosure control: a blanked rate shows its marker ([c] or [low])."""
    latest = published[published["year"] == published["year"].max()]

    def cell(row) -> str:
        if pd.isna(row.rate):
            return str(row.rate_marker)
        return _unit_rate_with_interval(row)

    shown = latest.assign(
        value=[cell(r) for r in latest.itertuples()],
        column=[f"{r.label} ({per(r.per)})" for r in latest.itertuples()],
    )
    wide = shown.pivot(index="area", columns="column", values="value")
    wide = wide[list(dict.fromkeys(shown["column"]))]
    year = latest["financial_year"].iloc[0]
    title = f"District ({year}, rate with {level_label(level)} CI)"
    return wide.reset_index().rename(columns={"area": title})


#: The peer table's columns as the page heads them.
PEER_HEADERS = {
    "force": "Force",
    "people_per_hectare": "People per hectare",
    "imd_score": "IMD 2019 score (population-weighted)",
    "distance": "Distance from this force (standardised)",
}


def peer_table(peers: pd.DataFrame) -> pd.DataFrame:
    """The peer forces with human headers, rounded as the page shows them."""
    shown = peers[[c for c in PEER_HEADERS if c in peers.columns]].copy()
    for column, digits in (("people_per_hectare", 2), ("imd_score", 1), ("distance", 2)):
        if column in shown:
            shown[column] = shown[column].round(digits)
    return shown.rename(columns=PEER_HEADERS)
