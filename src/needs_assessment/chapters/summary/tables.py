"""The summary's published tables: the performance-pack dashboard."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

#: A judgement shown by symbol and word, so it survives greyscale printing and screen
#: readers; for serious violence, higher is worse.
JUDGEMENT_CELLS = {
    "Higher": "▲ Higher (worse)",
    "Lower": "▼ Lower (better)",
    "Comparable": "● Comparable",
}


def judgement_cell(verdict: str | None) -> str:
    return JUDGEMENT_CELLS.get(verdict or "", "– Not compared")


def trend_cell(row: dict) -> str:
    """The long-term trend: rising or falling only when its whole interval says so."""
    if row.get("trend_lower_95") is not None and row["trend_lower_95"] > 0:
        return f"▲ Rising {row['trend_pct_per_year']:.1f}% a year"
    if row.get("trend_upper_95") is not None and row["trend_upper_95"] < 0:
        return f"▼ Falling {abs(row['trend_pct_per_year']):.1f}% a year"
    return "● No clear trend"


def rate_cell(row: dict) -> str:
    per = int(row.get("per") or 1000)
    unit = "per million" if per == 1_000_000 else f"per {per:,}"
    value = row.get("rate", row.get("rate_per_1000"))
    return f"{float(value):.3g} {unit}"


def dashboard(trends: dict) -> pd.DataFrame:
    """The performance-pack dashboard: one row per indicator, each judgement in words."""
    rows = [
        {
            "Indicator": row["label"],
            "Latest year": f"{row['financial_year']}: {row['count']:,}",
            "Rate": rate_cell(row),
            "Long-term trend": trend_cell(row),
            "vs previous year (given trend)": judgement_cell(row.get("vs_previous_year")),
            "vs 3-year average (given trend)": judgement_cell(row.get("vs_three_year_average")),
            "vs England & Wales": judgement_cell(row.get("vs_england_wales")),
            "Rank (1 = highest)": row.get("rank_of_forces") or "–",
        }
        for row in trends.get("judgements", [])
    ]
    return pd.DataFrame(rows)


def measures_dashboard(measures: Sequence[dict], names: Mapping[str, str]) -> pd.DataFrame:
    """The Home Office's under-25 measures beside the dashboard (the People chapter's
    results): the latest figure, a range where the source withholds small counts, and the
    tier of evidence each rests on. ``names``: measure key -> its name."""
    return pd.DataFrame(
        [
            {
                "Measure": names.get(m["key"], m["key"]),
                "Latest year": measure_count_cell(m),
                "Rate": measure_rate_cell(m),
                "Source": m["tier"] or "–",
            }
            for m in measures
        ],
        columns=["Measure", "Latest year", "Rate", "Source"],
    )


def measure_count_cell(measure: dict) -> str:
    if not measure["available"]:
        return "Not available"
    if measure["count"] is not None:
        return f"{measure['period']}: {measure['count']:,}"
    low, high = measure["count_lower"], measure["count_upper"]
    if low is None or high is None:
        return f"{measure['period']}: withheld (small count)"
    return f"{measure['period']}: {low:,}" + ("" if low == high else f" to {high:,}")


def measure_rate_cell(measure: dict) -> str:
    rate, low, high = measure["rate_per_100000"], measure["rate_lower"], measure["rate_upper"]
    if rate is not None:
        return f"{rate:.3g} per 100,000"
    if low is not None and high is not None:
        return f"{low:.3g} to {high:.3g} per 100,000"
    return "–"


#: The headers of the published "what changed" table.
CHANGE_HEADERS = ["Indicator", "Measure", "Last assessment", "This assessment", "What changed"]


def changes_table(changes: pd.DataFrame, label: Callable[..., str]) -> pd.DataFrame:
    """The "what changed" table with its measures and kinds of change worded by ``label``
    (a template block name and its context -> text)."""
    rows = [
        [
            row["indicator"],
            label(row["measure"], year=row["year"]),
            str(row["then"]),
            str(row["now"]),
            label(row["change"]),
        ]
        for row in changes.to_dict("records")
    ]
    return pd.DataFrame(rows, columns=CHANGE_HEADERS)
