"""Published tables of the hotspots chapter: CSV shapes after disclosure control, and the
same rows as a Board reads them (human headers, markers in place of hidden values)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs_assessment.chapters.hotspots.analysis import HotspotsChapter, headline
from needs_assessment.config import AssessmentConfig
from needs_assessment.methods.disclosure import (
    assert_no_identifiers,
    marker_column,
    suppress_small_counts,
)
from needs_assessment.presentation.text import level_label, percent

TOP_PER_DISTRICT = 5
#: Columns of ``tables/hotspots_lsoa.csv``, in order.
LSOA_COLUMNS = [
    "lsoa_code",
    "lsoa_name",
    "district",
    "count",
    "rate_per_1000",
    "gi_z",
    "p_value",
    "fdr_significant",
    "lisa_cluster",
    "persistence",
]
DISTRICT_COLUMNS = [
    "tier",
    "category",
    "label",
    "district_code",
    "district",
    "count",
    "person_years",
    "rate_per_1000",
    "rate_lower",
    "rate_upper",
    "share_of_force_pct",
    "lsoas",
    "hot_spots",
    "persistent_lsoas",
]
MISSING = "–"


# -- CSV shapes (after disclosure control) ---------------------------------------------------


def lsoa_table(chapter: HotspotsChapter, config: AssessmentConfig) -> pd.DataFrame:
    """The headline LSOA table, disclosure-controlled, with ``<column>_marker`` columns.

    Counts 1 to ``suppress_counts_up_to`` are suppressed, with a second cell in any
    district with one suppressed cell (the district totals are published); rates from
    fewer than ``min_events_for_rate`` events are blanked.
    """
    frame = headline(chapter).sort_values(
        ["gi_z", "lsoa_code"], ascending=[False, True], na_position="last"
    )
    frame = frame.assign(
        gi_z=frame["gi_z"].round(3),
        p_value=frame["p_value"].round(4),
        rate_per_1000=frame["rate_per_1000"].round(2),
    )
    safe = suppress_small_counts(
        frame[[*LSOA_COLUMNS, "district_code"]].reset_index(drop=True),
        ["count"],
        threshold=config.thresholds.suppress_counts_up_to,
        total_groups=["district"],
        derived_columns={"rate_per_1000": "count"},
        min_events_for_rate=config.thresholds.min_events_for_rate,
    )
    assert_no_identifiers(safe)
    return safe


def lsoa_csv(safe: pd.DataFrame) -> pd.DataFrame:
    """Exactly :data:`LSOA_COLUMNS` (hidden cells empty)."""
    return safe[LSOA_COLUMNS]


def district_csv(chapter: HotspotsChapter, config: AssessmentConfig) -> pd.DataFrame:
    """Every tier, category and district, disclosure-controlled (force totals are published)."""
    table = chapter.district_table.assign(label=lambda t: t["category"].map(chapter.labels))
    table = table[DISTRICT_COLUMNS]
    table = table.assign(person_years=table["person_years"].round(0))
    safe = suppress_small_counts(
        table,
        ["count"],
        threshold=config.thresholds.suppress_counts_up_to,
        total_groups=["tier", "category"],
        derived_columns={
            c: "count" for c in ("rate_per_1000", "rate_lower", "rate_upper", "share_of_force_pct")
        },
        min_events_for_rate=config.thresholds.min_events_for_rate,
    )
    assert_no_identifiers(safe)
    return safe


def concentration_csv(chapter: HotspotsChapter) -> pd.DataFrame:
    """Concentration and hot spot counts per tier and category (force-wide totals only)."""
    table = chapter.concentration.copy()
    assert_no_identifiers(table)
    return table


def hot_spot_rows(safe: pd.DataFrame) -> pd.DataFrame:
    """The significant hot spots of the (disclosure-controlled) headline table."""
    return safe[safe["fdr_significant"] & (safe["gi_z"] > 0)].reset_index(drop=True)


def top_by_district(
    safe: pd.DataFrame, chapter: HotspotsChapter, n: int = TOP_PER_DISTRICT
) -> pd.DataFrame:
    """The ``n`` LSOAs with the highest Gi* z-score in each district, with the IMD decile."""
    order = {d: i for i, d in enumerate(sorted(chapter.districts["district"]))}
    rows = (
        safe.dropna(subset=["gi_z"])
        .sort_values("gi_z", ascending=False)
        .groupby("district", sort=False)
        .head(n)
    )
    rows = (
        rows.assign(_d=rows["district"].map(order))
        .sort_values(["_d", "gi_z"], ascending=[True, False])
        .drop(columns="_d")
    )
    rows = rows.assign(imd_decile=rows["lsoa_code"].map(chapter.imd_decile).astype("Int64"))
    return rows[
        [*LSOA_COLUMNS, "imd_decile", marker_column("count"), marker_column("rate_per_1000")]
    ].reset_index(drop=True)


# -- as a Board reads them -------------------------------------------------------------------


def _shown(values: pd.Series, markers: pd.Series, fmt: str) -> pd.Series:
    text = values.map(lambda v: MISSING if pd.isna(v) else fmt.format(v)).astype(object)
    return text.where(markers.isna(), markers.astype(object))


def lsoa_display(rows: pd.DataFrame, chapter: HotspotsChapter) -> pd.DataFrame:
    """LSOA rows as a Board reads them: markers in place of hidden values."""
    periods = int(headline(chapter)["periods"].iloc[0])
    top = percent(chapter.settings.top_share, 0, share=True)
    return pd.DataFrame(
        {
            "LSOA": rows["lsoa_name"],
            "District": rows["district"],
            "Offences": _shown(rows["count"], rows[marker_column("count")], "{:,}"),
            "Per 1,000 a year": _shown(
                rows["rate_per_1000"], rows[marker_column("rate_per_1000")], "{:.1f}"
            ),
            "IMD decile (1 = most deprived)": rows["lsoa_code"]
            .map(chapter.imd_decile)
            .map(lambda v: MISSING if pd.isna(v) else f"{int(v)}"),
            "Gi* z": rows["gi_z"].map("{:.2f}".format),
            "Hot spot (Gi*, FDR)": np.where(
                rows["fdr_significant"] & (rows["gi_z"] > 0), "Yes", "No"
            ),
            "Local Moran": rows["lisa_cluster"],
            f"Months in the top {top} by count (of {periods})": rows["persistence"],
        }
    ).reset_index(drop=True)


def district_display(
    safe: pd.DataFrame, tier: str, category: str, level: float = 0.95
) -> pd.DataFrame:
    """One tier and category by district, rates with their interval at ``level``."""
    rows = safe[(safe["tier"] == tier) & (safe["category"] == category)]
    rate = rows.apply(_rate_with_interval, axis=1)
    return (
        pd.DataFrame(
            {
                "District": rows["district"],
                "Offences": _shown(rows["count"], rows[marker_column("count")], "{:,}"),
                f"Per 1,000 a year ({level_label(level)} CI)": rate,
                "Share of force total": _shown(
                    rows["share_of_force_pct"], rows[marker_column("share_of_force_pct")], "{:.1f}%"
                ),
                "LSOAs": rows["lsoas"],
                "Hot spots (Gi*, FDR)": rows["hot_spots"],
                "Persistent high-count LSOAs": rows["persistent_lsoas"],
            }
        )
        .sort_values("District")
        .reset_index(drop=True)
    )


def _rate_with_interval(row) -> str:
    if pd.notna(row["rate_per_1000_marker"]):
        return row["rate_per_1000_marker"]
    return f"{row['rate_per_1000']:.1f} ({row['rate_lower']:.1f}–{row['rate_upper']:.1f})"


def concentration_display(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Data": table["tier_label"],
            "Category": table["label"],
            "Period": table["window"],
            "Offences": table["events"],
            "% of LSOAs with 25% of offences": table["share_lsoas_25pct"].map("{:.1f}".format),
            "% of LSOAs with 50% of offences": table["share_lsoas_50pct"].map("{:.1f}".format),
            "… if random (50%)": table["random_share_lsoas_50pct"].map("{:.1f}".format),
            "Hot spots (Gi*, FDR)": table["hot_spots"],
            "Cold spots": table["cold_spots"],
            "Persistent high-count LSOAs": table["persistent_lsoas"],
        }
    )
