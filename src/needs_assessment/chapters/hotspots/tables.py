"""Published tables of the hotspots chapter: CSV shapes after disclosure control, and the
same rows as a Board reads them (human headers, markers in place of hidden values)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs_assessment.chapters.hotspots.analysis import (
    HEADLINE,
    HOT,
    TIER_EXTRACT,
    TIER_POLICE_UK,
    HotspotsChapter,
    ordered,
)
from needs_assessment.config import AssessmentConfig
from needs_assessment.methods.disclosure import (
    SUPPRESSED_MARKER,
    assert_no_identifiers,
    marker_column,
    suppress_small_counts,
)
from needs_assessment.presentation.text import level_label, percent

TOP_PER_DISTRICT = 5
#: Columns of ``tables/hotspots_lsoa.csv`` (police.uk) and ``hotspots_lsoa_extract.csv``.
LSOA_COLUMNS = [
    "category",
    "lsoa_code",
    "lsoa_name",
    "district",
    "count",
    "rate_per_1000",
    "gi_z",
    "p_value",
    "permutations",
    "fdr_significant",
    "hotspot",
    "lisa_cluster",
    "times_expected",
    "spike",
    "persistence",
    "periods",
]
#: Columns of ``tables/hotspots_spikes.csv``.
SPIKE_COLUMNS = [
    "tier",
    "category",
    "lsoa_code",
    "lsoa_name",
    "district",
    "count",
    "times_expected",
    "spike_p",
    "hotspot",
]
#: The CSV of each tier's LSOA table.
LSOA_CSV = {TIER_POLICE_UK: "hotspots_lsoa", TIER_EXTRACT: "hotspots_lsoa_extract"}
DISTRICT_COLUMNS = [
    "tier",
    "category",
    "label",
    "district_code",
    "district",
    "count",
    "person_years",
    "per",
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


def lsoa_table(chapter: HotspotsChapter, config: AssessmentConfig, tier: str) -> pd.DataFrame:
    """Every LSOA and category of one tier, disclosure-controlled, with ``<column>_marker``
    columns.

    Counts 1 to ``suppress_counts_up_to`` are suppressed, with a second cell in any
    category and district with one suppressed cell (the district totals are published);
    rates and times-expected from fewer than ``min_events_for_rate`` events are blanked.
    """
    frame = chapter.results[chapter.results["tier"] == tier]
    frame = frame.assign(
        gi_z=frame["gi_z"].round(3),
        p_value=frame["p_value"].round(6),
        permutations=frame["draws"],
        rate_per_1000=frame["rate_per_1000"].round(2),
        times_expected=frame["excess_ratio"].round(2),
        spike_p=frame["spike_p"].round(6),
    )
    frame = frame.sort_values("gi_z", ascending=False, na_position="last", kind="stable")
    frame = ordered(chapter, frame)
    safe = suppress_small_counts(
        frame[["tier", *LSOA_COLUMNS, "spike_p", "district_code"]].reset_index(drop=True),
        ["count"],
        threshold=config.thresholds.suppress_counts_up_to,
        total_groups=["category", "district"],
        derived_columns={"rate_per_1000": "count", "times_expected": "count", "spike_p": "count"},
        min_events_for_rate=config.thresholds.min_events_for_rate,
    )
    safe = _hide_gi_from_hidden_counts(safe, chapter)
    assert_no_identifiers(safe)
    return safe


def _hide_gi_from_hidden_counts(safe: pd.DataFrame, chapter: HotspotsChapter) -> pd.DataFrame:
    """Blank Gi* z and p where they rest on a suppressed count (the LSOA's own or a
    neighbour's): with the neighbours' rates, z to three decimals would give the hidden
    count back. The hot spot label stays; ``gi_order`` keeps the unpublished z for sorting."""
    neighbours = chapter.weights.w.neighbors
    out = safe.assign(gi_order=safe["gi_z"], **{marker_column("gi_z"): pd.NA})
    out[marker_column("gi_z")] = out[marker_column("gi_z")].astype(object)
    for _, rows in out.groupby("category", sort=False):
        hidden = set(rows.loc[rows["count"].isna(), "lsoa_code"])
        touched = [_touches(code, hidden, neighbours) for code in rows["lsoa_code"]]
        index = rows.index[np.asarray(touched, dtype=bool)]
        out.loc[index, ["gi_z", "p_value"]] = np.nan
        out.loc[index, marker_column("gi_z")] = SUPPRESSED_MARKER
    return out


def _touches(code: str, hidden: set[str], neighbours: dict) -> bool:
    return code in hidden or any(n in hidden for n in neighbours.get(code, ()))


def lsoa_csv(safe: pd.DataFrame) -> pd.DataFrame:
    """Exactly :data:`LSOA_COLUMNS` (hidden cells empty)."""
    return safe[LSOA_COLUMNS]


def spikes_csv(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The spikes of every tier's (disclosure-controlled) LSOA table, exactly
    :data:`SPIKE_COLUMNS`."""
    rows = pd.concat([t[t["spike"]] for t in tables], ignore_index=True)
    return rows[SPIKE_COLUMNS + [marker_column("count"), marker_column("times_expected")]]


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
    """The significant hot spots of a (disclosure-controlled) LSOA table."""
    return safe[safe["hotspot"] == HOT].reset_index(drop=True)


def headline_rows(safe: pd.DataFrame) -> pd.DataFrame:
    """The headline category's rows of the police.uk LSOA table."""
    return safe[safe["category"] == HEADLINE[1]].reset_index(drop=True)


def top_by_district(
    safe: pd.DataFrame, chapter: HotspotsChapter, n: int = TOP_PER_DISTRICT
) -> pd.DataFrame:
    """The ``n`` LSOAs with the highest Gi* z-score in each district (headline category),
    with the IMD decile."""
    order = {d: i for i, d in enumerate(sorted(chapter.districts["district"]))}
    rows = (
        headline_rows(safe)
        .dropna(subset=["gi_order"])
        .sort_values("gi_order", ascending=False)
        .groupby("district", sort=False)
        .head(n)
    )
    rows = (
        rows.assign(_d=rows["district"].map(order))
        .sort_values(["_d", "gi_order"], ascending=[True, False])
        .drop(columns="_d")
    )
    rows = rows.assign(imd_decile=rows["lsoa_code"].map(chapter.imd_decile).astype("Int64"))
    return rows[
        [
            "tier",
            *LSOA_COLUMNS,
            "imd_decile",
            marker_column("count"),
            marker_column("rate_per_1000"),
            marker_column("gi_z"),
        ]
    ].reset_index(drop=True)


# -- as a Board reads them -------------------------------------------------------------------


def _shown(values: pd.Series, markers: pd.Series, fmt: str) -> pd.Series:
    text = values.map(lambda v: MISSING if pd.isna(v) else fmt.format(v)).astype(object)
    return text.where(markers.isna(), markers.astype(object))


def rate_unit(chapter: HotspotsChapter, tier: str) -> str:
    """What a tier's LSOA and district rates are: over the police.uk months, or a year."""
    event_set = chapter.tiers[tier]
    if event_set.monthly:
        return f"per 1,000 residents over the {len(event_set.window)} months"
    return "per 1,000 residents a year"


def rate_header(chapter: HotspotsChapter, tier: str) -> str:
    """:func:`rate_unit` as a column header."""
    unit = rate_unit(chapter, tier)
    return unit[0].upper() + unit[1:]


def _periods_header(chapter: HotspotsChapter, tier: str) -> str:
    event_set = chapter.tiers[tier]
    top = percent(chapter.settings.top_share, 0, share=True)
    unit = "Months" if event_set.monthly else "Financial years"
    return f"{unit} in the top {top} by count (of {len(event_set.periods)})"


def lsoa_display(rows: pd.DataFrame, chapter: HotspotsChapter, tier: str) -> pd.DataFrame:
    """LSOA rows of one tier as a Board reads them: markers in place of hidden values."""
    return pd.DataFrame(
        {
            "Category": rows["category"].map(chapter.labels),
            "LSOA": rows["lsoa_name"],
            "District": rows["district"],
            "Offences": _shown(rows["count"], rows[marker_column("count")], "{:,}"),
            rate_header(chapter, tier): _shown(
                rows["rate_per_1000"], rows[marker_column("rate_per_1000")], "{:.1f}"
            ),
            "IMD decile (1 = most deprived)": rows["lsoa_code"]
            .map(chapter.imd_decile)
            .map(lambda v: MISSING if pd.isna(v) else f"{int(v)}"),
            "Gi* z": _shown(rows["gi_z"], rows[marker_column("gi_z")], "{:.2f}"),
            "Hot spot (Gi*, FDR)": np.where(rows["hotspot"] == HOT, "Yes", "No"),
            "Spike (far above its residents' count)": np.where(rows["spike"], "Yes", "No"),
            "Local Moran": rows["lisa_cluster"],
            _periods_header(chapter, tier): rows["persistence"],
        }
    ).reset_index(drop=True)


def spikes_display(spikes: pd.DataFrame, chapter: HotspotsChapter) -> pd.DataFrame:
    """The spikes as a Board reads them."""
    return pd.DataFrame(
        {
            "Data": spikes["tier"].map(lambda t: chapter.tiers[t].label),
            "Category": spikes["category"].map(chapter.labels),
            "LSOA": spikes["lsoa_name"],
            "District": spikes["district"],
            "Offences": _shown(spikes["count"], spikes[marker_column("count")], "{:,}"),
            "Times the count its residents predict": _shown(
                spikes["times_expected"], spikes[marker_column("times_expected")], "{:.1f}"
            ),
            "Also a hot spot": np.where(spikes["hotspot"] == HOT, "Yes", "No"),
        }
    ).reset_index(drop=True)


def district_display(
    safe: pd.DataFrame, chapter: HotspotsChapter, tier: str, category: str, level: float = 0.95
) -> pd.DataFrame:
    """One tier and category by district, rates with their interval at ``level``."""
    rows = safe[(safe["tier"] == tier) & (safe["category"] == category)]
    rate = rows.apply(_rate_with_interval, axis=1)
    return (
        pd.DataFrame(
            {
                "District": rows["district"],
                "Offences": _shown(rows["count"], rows[marker_column("count")], "{:,}"),
                f"{rate_header(chapter, tier)} ({level_label(level)} CI)": rate,
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
