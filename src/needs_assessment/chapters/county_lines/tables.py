"""County Lines: the tables the chapter publishes, disclosure-controlled, with human headers.

Each ``publishable_*`` function applies the config's disclosure rules (counts 1 to
``suppress_counts_up_to`` suppressed, with whatever would reveal them; no rate from fewer
than ``min_events_for_rate`` events); each ``*_display`` function gives the table as the
Board reads it. The CSVs keep the machine column names of the analysis frames.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs_assessment.chapters.county_lines.analysis import CountyLinesChapter
from needs_assessment.chapters.county_lines.indicators import INDICATOR_COUNTS, RATE_STEMS
from needs_assessment.chapters.county_lines.markets import (
    DEFAULT_SETTINGS,
    HOME_GROWN,
    IMPORTING,
    MIXED,
    TOO_FEW,
    Settings,
    recent_years,
)
from needs_assessment.chapters.county_lines.violence import HotspotOverlap
from needs_assessment.methods.disclosure import (
    SUPPRESSED_MARKER,
    assert_no_identifiers,
    complementary_cells,
    marker_column,
    suppress_small_counts,
)
from needs_assessment.presentation.text import level_label

MARKET_COLUMNS = [
    "district",
    "financial_year",
    "supply_offenders",
    "from_outside_force",
    "import_share",
    "import_lower_95",
    "import_upper_95",
    "market_type",
    "certainty",
]
#: The columns blanked with the count of offenders from outside the force.
SHARE_COLUMNS = ["import_share", "import_lower_95", "import_upper_95"]
#: How each indicator with a trend is named in the tables and the wording.
INDICATOR_LABELS = {
    "supply_offences": "Drug supply offences per 1,000",
    "possession_offences": "Drug possession offences per 1,000",
    "supply_under_18": "Supply offenders under 18 (share)",
    "weapon_linked_supply": "Weapon-linked supply offences per 1,000",
    "county_lines_flagged": "County Lines flagged offences per 1,000",
    "serious_violence": "Serious violence per 1,000",
}
LOW_MARKER = "[low]"
MISSING = "–"


@dataclass(frozen=True)
class Published:
    """The disclosure-controlled tables, as the chapter publishes them."""

    markets: pd.DataFrame
    origins: pd.DataFrame
    indicators: pd.DataFrame


def published(result: CountyLinesChapter) -> Published:
    """Every published table of the chapter, small counts suppressed by the config's rules."""
    return Published(
        markets=publishable_markets(result.markets, result.settings),
        origins=publishable_origins(result.origins, result.settings),
        indicators=publishable_indicators(result.indicators, result.settings),
    )


# -- markets -----------------------------------------------------------------------------------


def publishable_markets(
    market_table: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """The market table to publish: district code, year and :data:`MARKET_COLUMNS`, small
    counts suppressed.

    Counts of 1 to ``suppress_counts_up_to`` are hidden with whatever would reveal them.
    Where the supply offenders are small, everything of the row goes; where those from
    outside the force *or those living inside it* (offenders minus those from outside) are
    small, the count from outside, the share with its interval and the certainty go (the
    certainty would bound the hidden count). Because the chapter also publishes each
    district's offenders pooled over the recent years and over the whole period, more
    years are hidden (:func:`~needs_assessment.methods.disclosure.complementary_cells`)
    until neither pool minus its shown years can give or bound a hidden count. The market
    type is hidden too where, with the offenders shown, it would bound a hidden count to a
    small one. ``<column>_marker`` columns say "[c]" where hidden.
    """
    hide_n, hide_k = _hidden_market_cells(market_table, settings)
    out = market_table[["district_code", "year", *MARKET_COLUMNS]].copy()
    out["supply_offenders"] = out["supply_offenders"].astype("Int64").mask(hide_n)
    out["from_outside_force"] = out["from_outside_force"].astype("Int64").mask(hide_k)
    for column in SHARE_COLUMNS:
        out[column] = out[column].astype("Float64").mask(hide_k)
    out["certainty"] = out["certainty"].astype("string").mask(hide_k)
    hide_type = _type_reveals(market_table, hide_n, hide_k, settings)
    out["market_type"] = out["market_type"].astype("string").mask(hide_type)
    hidden = {"supply_offenders": hide_n, "market_type": hide_type}
    for column in MARKET_COLUMNS[2:]:
        mask = hidden.get(column, hide_k)
        out[marker_column(column)] = pd.array(
            np.where(mask, SUPPRESSED_MARKER, None), dtype="string"
        )
    assert_no_identifiers(out)
    return out.reset_index(drop=True)


def pool_labels(market_table: pd.DataFrame) -> np.ndarray:
    """District and pool of each row: the recent years, or the years before them (the
    whole period is their sum, so protecting both parts protects it too)."""
    recent = market_table["year"].isin(recent_years(market_table)).to_numpy()
    return (
        market_table["district_code"].astype(str) + np.where(recent, "|recent", "|older")
    ).to_numpy()


def _hidden_market_cells(
    market_table: pd.DataFrame, settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose offender count is hidden, and rows whose count from outside is hidden."""
    limit = settings.suppress_counts_up_to
    n = market_table["supply_offenders"].to_numpy(dtype=float)
    k = market_table["from_outside_force"].to_numpy(dtype=float)
    local = n - k

    def small(values):
        return (values >= 1) & (values <= limit)

    hide_n = small(n)
    hide_k = hide_n | small(k) | small(local)
    pools = [pool_labels(market_table)]
    while True:
        before = (hide_n.copy(), hide_k.copy())
        hide_n = complementary_cells(n, hide_n, pools, protect_above=limit)
        hide_k = hide_k | hide_n
        for values in (k, local):
            hide_k = complementary_cells(values, hide_k, pools, protect_above=limit)
        if (hide_n == before[0]).all() and (hide_k == before[1]).all():
            return hide_n, hide_k


def _type_reveals(
    market_table: pd.DataFrame, hide_n: np.ndarray, hide_k: np.ndarray, settings: Settings
) -> np.ndarray:
    """Rows whose market type would give away a hidden count: mixed fixes the count from
    outside; importing / home-grown bound those inside / outside below a share of the
    offenders shown; too few bounds a hidden number of offenders below the minimum."""
    limit, threshold = settings.suppress_counts_up_to, settings.import_threshold
    n = market_table["supply_offenders"].to_numpy(dtype=float)
    types = market_table["market_type"].to_numpy(dtype=object)
    most_inside = np.ceil((1 - threshold) * n) - 1  # importing: inside < (1 - t) n
    most_outside = np.ceil(threshold * n) - 1  # home-grown: outside < t n
    shown_n = hide_k & ~hide_n
    return (
        (shown_n & (types == MIXED))
        | (shown_n & (types == IMPORTING) & (most_inside <= limit))
        | (shown_n & (types == HOME_GROWN) & (most_outside <= limit))
        | (hide_n & (types == TOO_FEW) & (settings.min_offenders - 1 <= limit))
    )


def publishable_pools(summary: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """The district summary with each pooled (and latest) share, interval and certainty
    blanked where its offenders, those from outside or those inside are small, and the
    offender count itself where it is small."""
    limit = settings.suppress_counts_up_to
    out = summary.copy()
    for name in ("latest", "recent", "whole"):
        n = out[f"{name}_supply_offenders"].astype(float)
        k = out[f"{name}_from_outside_force"].astype(float)
        small_n = n.between(1, limit)
        small_any = small_n | k.between(1, limit) | (n - k).between(1, limit)
        out[f"{name}_supply_offenders"] = (
            out[f"{name}_supply_offenders"].astype("Int64").mask(small_n)
        )
        for column in (
            "from_outside_force",
            *(s.replace("import", "import") for s in SHARE_COLUMNS),
        ):
            out[f"{name}_{column}"] = out[f"{name}_{column}"].astype("Float64").mask(small_any)
        out[f"{name}_certainty"] = out[f"{name}_certainty"].astype(object).mask(small_any)
    return out


def published_summary(result: CountyLinesChapter) -> pd.DataFrame:
    """The district summary as published: pooled and latest figures blanked where small
    (:func:`publishable_pools`), the latest year's type and certainty as the market table
    publishes them (missing where hidden)."""
    summary = publishable_pools(result.summary, result.settings)
    markets = publishable_markets(result.markets, result.settings)
    latest = markets[markets["financial_year"] == markets["financial_year"].max()]
    latest = latest.set_index("district")
    for column in ("market_type", "certainty"):
        summary[f"latest_{column}"] = summary["district"].map(latest[column]).astype(object)
    return summary


def market_csv(publishable: pd.DataFrame) -> pd.DataFrame:
    """The published CSV: the market columns only (hidden cells blank), shares to 4 dp."""
    return publishable[MARKET_COLUMNS].assign(
        **{c: publishable[c].astype("Float64").round(4) for c in SHARE_COLUMNS}
    )


def market_display(publishable: pd.DataFrame) -> pd.DataFrame:
    """The market table as the Board reads it: a row per year, a column per district, each
    cell the market type with the import share and its interval ('[c]' where hidden)."""

    def share(row) -> str:
        if pd.notna(row[marker_column("import_share")]):
            return row[marker_column("import_share")]
        if pd.isna(row["import_share"]):
            return MISSING
        return (
            f"{row['import_share']:.0%} ({row['import_lower_95']:.0%}–{row['import_upper_95']:.0%})"
        )

    def kind(row) -> str:
        if pd.isna(row["market_type"]):
            return SUPPRESSED_MARKER
        if pd.isna(row["certainty"]):
            return str(row["market_type"])
        return f"{row['market_type']}, {row['certainty']}"

    cells = publishable.assign(
        cell=[f"{kind(row)}: {share(row)}" for _, row in publishable.iterrows()]
    )
    wide = cells.pivot(index="financial_year", columns="district", values="cell")
    wide = wide[list(dict.fromkeys(publishable["district"]))]
    return (
        wide.reset_index()
        .rename(columns={"financial_year": "Financial year"})
        .rename_axis(columns=None)
    )


# -- origins ----------------------------------------------------------------------------------


def publishable_origins(
    origin_table: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Origins with small counts suppressed (and one more per district, since each
    district's rows add up to its published out-of-force total); shares blanked alike."""
    if origin_table.empty:  # no out-of-force offender: nothing to hide, same columns
        return origin_table.assign(
            **{marker_column(c): pd.Series(dtype="string") for c in ("offenders", "share")}
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one-row districts: their total is suppressed too
        safe = suppress_small_counts(
            origin_table,
            ["offenders"],
            threshold=settings.suppress_counts_up_to,
            total_groups=["district_code"],
            derived_columns={"share": "offenders"},
            min_events_for_rate=0,
            protect_sums=True,
        )
    assert_no_identifiers(safe)
    return safe


# -- indicators and trends ----------------------------------------------------------------------


INDICATOR_DERIVED = {
    **{
        f"{stem}_{suffix}": column
        for column, stem in RATE_STEMS.items()
        for suffix in ("per_1000", "lower_95", "upper_95")
    },
    **{f"supply_to_possession{s}": "supply_offences" for s in ("", "_lower_95", "_upper_95")},
    **{f"under_18_{s}": "supply_under_18" for s in ("share", "lower_95", "upper_95")},
    **{f"weapon_linked_share{s}": "weapon_linked_supply" for s in ("", "_lower_95", "_upper_95")},
}


def publishable_indicators(
    indicator_table: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Indicators with small counts suppressed and no rate from too few events ([low]).

    The chapter also publishes each district's events over all years (the trends table)
    and quotes force totals of a year, so every count column gets complementary cells
    hidden by district and by year until no total minus the shown cells gives or bounds a
    hidden count. A ratio or share resting on a hidden count is hidden with it.
    """
    columns = [c for c in indicator_table.columns if c != "supply_offenders_with_age"]
    safe = suppress_small_counts(
        indicator_table[columns],
        INDICATOR_COUNTS,
        threshold=settings.suppress_counts_up_to,
        derived_columns=INDICATOR_DERIVED,
        min_events_for_rate=settings.min_events_for_rate,
    )
    groupings = [indicator_table["district_code"].to_numpy(), indicator_table["year"].to_numpy()]
    hidden = {}
    for count in INDICATOR_COUNTS:
        primary = (safe[marker_column(count)] == SUPPRESSED_MARKER).fillna(False).to_numpy(bool)
        values = indicator_table[count].to_numpy(dtype=float)
        hidden[count] = complementary_cells(
            values, primary, groupings, protect_above=settings.suppress_counts_up_to
        )
        derived = [c for c, source in INDICATOR_DERIVED.items() if source == count]
        _hide(safe, hidden[count] & ~primary, [count, *derived], SUPPRESSED_MARKER)
    # the ratio also rests on the possession count, the weapon-linked share on supply
    ratio = [
        "supply_to_possession",
        *(f"supply_to_possession_{s}" for s in ("lower_95", "upper_95")),
    ]
    share = ["weapon_linked_share", *(f"weapon_linked_share_{s}" for s in ("lower_95", "upper_95"))]
    _hide(safe, hidden["possession_offences"], ratio, SUPPRESSED_MARKER)
    _hide(safe, hidden["supply_offences"], share, SUPPRESSED_MARKER)
    low = (indicator_table["possession_offences"] < settings.min_events_for_rate).to_numpy()
    _hide(
        safe, low & ~hidden["possession_offences"] & ~hidden["supply_offences"], ratio, LOW_MARKER
    )
    assert_no_identifiers(safe)
    return safe


def _hide(safe: pd.DataFrame, rows: np.ndarray, columns: list[str], marker: str) -> None:
    """Blank ``columns`` in ``rows`` with ``marker`` (in place; a marker already set stays)."""
    for column in columns:
        safe[column] = safe[column].mask(rows)
        markers = safe[marker_column(column)]
        safe[marker_column(column)] = markers.mask(rows & markers.isna().to_numpy(), marker)


def _shown(values: pd.Series, markers: pd.Series, fmt) -> list[str]:
    return [
        marker if pd.notna(marker) else MISSING if pd.isna(value) else fmt(value)
        for value, marker in zip(values, markers, strict=True)
    ]


def _with_interval(frame: pd.DataFrame, value: str, lower: str, upper: str, fmt) -> list[str]:
    shown = _shown(frame[value], frame[marker_column(value)], fmt)
    return [
        text if "[" in text or text == MISSING else f"{text} ({fmt(lo)}–{fmt(hi)})"
        for text, lo, hi in zip(shown, frame[lower], frame[upper], strict=True)
    ]


def indicator_display(publishable: pd.DataFrame) -> pd.DataFrame:
    """The published indicators as the Board reads them."""
    rate = "{:.2f}".format

    def percent(value):
        return f"{value:.0%}"

    def count(value):
        return f"{int(value):,}"

    return pd.DataFrame(
        {
            "District": publishable["district"],
            "Year": publishable["financial_year"],
            "Supply per 1,000": _with_interval(
                publishable, "supply_per_1000", "supply_lower_95", "supply_upper_95", rate
            ),
            "Possession per 1,000": _with_interval(
                publishable,
                "possession_per_1000",
                "possession_lower_95",
                "possession_upper_95",
                rate,
            ),
            "Supply : possession": _shown(
                publishable["supply_to_possession"],
                publishable[marker_column("supply_to_possession")],
                rate,
            ),
            "Supply offenders under 18": _with_interval(
                publishable, "under_18_share", "under_18_lower_95", "under_18_upper_95", percent
            ),
            "Weapon-linked supply": _shown(
                publishable["weapon_linked_supply"],
                publishable[marker_column("weapon_linked_supply")],
                count,
            ),
            "County Lines flagged": _shown(
                publishable["county_lines_flagged"],
                publishable[marker_column("county_lines_flagged")],
                count,
            ),
            "Serious violence per 1,000": _with_interval(
                publishable,
                "serious_violence_per_1000",
                "serious_violence_lower_95",
                "serious_violence_upper_95",
                rate,
            ),
        }
    )


def origin_display(publishable: pd.DataFrame) -> pd.DataFrame:
    """The published origins as the Board reads them."""
    return pd.DataFrame(
        {
            "District of offence": publishable["district"],
            "Rank": publishable["rank"],
            "Home area": publishable["origin"],
            "Offenders": _shown(
                publishable["offenders"],
                publishable[marker_column("offenders")],
                lambda v: f"{int(v):,}",
            ),
            "Share": _shown(
                publishable["share"], publishable[marker_column("share")], lambda v: f"{v:.0%}"
            ),
            "Postcode districts": publishable["postcode_districts"],
        }
    )


def trend_csv(trend_table: pd.DataFrame) -> pd.DataFrame:
    """The published trends: the analysis frame with each indicator's name beside its key."""
    out = trend_table.copy()
    out.insert(
        out.columns.get_loc("indicator") + 1, "label", out["indicator"].map(INDICATOR_LABELS)
    )
    return out


def trend_display(trend_table: pd.DataFrame, level: float) -> pd.DataFrame:
    """Trends as the Board reads them; the interval is at the configured level."""

    def change(row) -> str:
        if pd.isna(row.pct_change):
            return MISSING
        return f"{row.pct_change:+.1f}% ({row.lower_95:+.1f}% to {row.upper_95:+.1f}%)"

    return pd.DataFrame(
        {
            "District": trend_table["district"],
            "Indicator": trend_table["indicator"].map(INDICATOR_LABELS),
            "Years": trend_table["years"],
            "Events": trend_table["events"],
            f"Change a year ({level_label(level)} CI)": [
                change(r) for r in trend_table.itertuples()
            ],
            "Trend": trend_table["direction"],
            "Model": trend_table["model"],
        }
    )


# -- violence ----------------------------------------------------------------------------------


def overlap_table(overlap: HotspotOverlap) -> pd.DataFrame:
    """The 2 x 2 table of high-count LSOAs (counts of LSOAs, not of people: nothing to suppress
    below the area level, but no LSOA is named)."""
    return pd.DataFrame(
        {
            "LSOAs": ["High-count for drug supply", "Not high-count for drug supply"],
            "High-count for serious violence": [overlap.both, overlap.violence_only],
            "Not high-count for serious violence": [overlap.supply_only, overlap.neither],
        }
    )
