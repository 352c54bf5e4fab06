"""The summary's published tables: the performance-pack dashboard."""

from __future__ import annotations

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
