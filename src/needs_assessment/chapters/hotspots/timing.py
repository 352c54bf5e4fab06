"""When offences happen: hour of day by day of week, and calendar month (force extract)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs_assessment.chapters.hotspots.events import EXTRACT_CATEGORIES
from needs_assessment.definitions import Definitions, offences_in

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
#: Friday and Saturday (0 = Monday), 21:00 to midnight: the night-time economy's peak.
LATE_NIGHTS = ((4, 5), (21, 22, 23))
WEEKEND = 5  # Saturday and Sunday are weekdays 5 and 6


def hour_by_weekday(
    extract: pd.DataFrame, definitions: Definitions, categories=EXTRACT_CATEGORIES
) -> pd.DataFrame:
    """Offences by day of week and hour (known hours only), with % of the category's total."""
    frames = []
    for category in categories:
        rows = extract[
            offences_in(extract, definitions.categories[category]) & extract["offence_hour"].notna()
        ]
        grid = pd.crosstab(rows["offence_date"].dt.day_of_week, rows["offence_hour"].astype(int))
        grid = grid.reindex(index=range(7), columns=range(24), fill_value=0)
        long = grid.stack().rename("count").reset_index()
        long.columns = ["weekday", "hour", "count"]
        total = long["count"].sum()
        frames.append(
            long.assign(
                category=category,
                label=definitions.labels[category],
                share_pct=long["count"] / total * 100 if total else np.nan,
            )
        )
    return pd.concat(frames, ignore_index=True)[
        ["category", "label", "weekday", "hour", "count", "share_pct"]
    ]


def month_profile(
    extract: pd.DataFrame, definitions: Definitions, categories=EXTRACT_CATEGORIES
) -> pd.DataFrame:
    """Offences per day in each calendar month, indexed to the category's average day (=100).

    Days per month count every day the extract's financial years cover, so February and
    31-day months are compared fairly.
    """
    years = extract["year"].astype(int)
    days = pd.date_range(f"{years.min()}-04-01", f"{years.max() + 1}-03-31", freq="D")
    per_month = pd.Series(days.month).value_counts().reindex(range(1, 13), fill_value=0)
    frames = []
    for category in categories:
        rows = extract[offences_in(extract, definitions.categories[category])]
        counts = rows["offence_date"].dt.month.value_counts().reindex(range(1, 13), fill_value=0)
        per_day = counts / per_month
        average = counts.sum() / per_month.sum()
        frames.append(
            pd.DataFrame(
                {
                    "category": category,
                    "label": definitions.labels[category],
                    "month": range(1, 13),
                    "count": counts.to_numpy(),
                    "days": per_month.to_numpy(),
                    "index": (per_day / average * 100).round(1).to_numpy() if average else np.nan,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class TimePeaks:
    """The peaks of the week and of the year for one category."""

    category: str
    label: str
    peak_weekday: str
    peak_hour: int
    peak_share_pct: float
    late_night_share_pct: float
    weekend_share_pct: float
    top_month: str
    top_index: float
    low_month: str
    low_index: float


def time_peaks(hour_week: pd.DataFrame, months: pd.DataFrame) -> list[TimePeaks]:
    """Busiest hour and day, late-night and weekend shares, highest and lowest month."""
    out = []
    for category, grid in hour_week.groupby("category", sort=False):
        peak = grid.loc[grid["share_pct"].idxmax()]
        nights, hours = LATE_NIGHTS
        night = grid[grid["weekday"].isin(nights) & grid["hour"].isin(hours)]
        profile = months[months["category"] == category]
        top = profile.loc[profile["index"].idxmax()]
        low = profile.loc[profile["index"].idxmin()]
        out.append(
            TimePeaks(
                category=str(category),
                label=str(grid["label"].iloc[0]),
                peak_weekday=WEEKDAYS[int(peak["weekday"])],
                peak_hour=int(peak["hour"]),
                peak_share_pct=float(peak["share_pct"]),
                late_night_share_pct=float(night["share_pct"].sum()),
                weekend_share_pct=float(grid[grid["weekday"] >= WEEKEND]["share_pct"].sum()),
                top_month=MONTHS[int(top["month"]) - 1],
                top_index=float(top["index"]),
                low_month=MONTHS[int(low["month"]) - 1],
                low_index=float(low["index"]),
            )
        )
    return out
