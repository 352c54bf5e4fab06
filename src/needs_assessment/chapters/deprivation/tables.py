"""What the deprivation chapter publishes: CSV shapes after disclosure control, and the
same tables as a Board reads them (human headers, intervals at the configured level).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs_assessment.chapters.deprivation.analysis import (
    DECILE_COLUMNS,
    LSOA_COLUMNS,
    RATE,
    RATE_COLUMNS,
    RATE_LOWER,
    RATE_UPPER,
    Analysis,
)
from needs_assessment.chapters.deprivation.gradient import MORE, unexpected_list
from needs_assessment.chapters.deprivation.indices import index_label
from needs_assessment.config import AssessmentConfig
from needs_assessment.methods.disclosure import (
    SUPPRESSED_MARKER,
    assert_no_identifiers,
    complementary_cells,
    marker_column,
    suppress_small_counts,
)
from needs_assessment.presentation.text import level_label

MEASURE_RATE = "Per 1,000 residents over its months"
"""The measures table's rate header: each row pools its own months (the Months column)."""
MEASURE_FORMATS = {MEASURE_RATE: "{:.1f}"}


def rate_header(months: int) -> str:
    """'Per 1,000 residents over 7 months': the unit of every rate of the chapter."""
    return f"Per 1,000 residents over {months} month{'' if months == 1 else 's'}"


def decile_formats(months: int) -> dict[str, str]:
    """Number formats of :func:`decile_display` for a measure pooling ``months``."""
    return {rate_header(months): "{:.1f}", "Design effect": "{:.1f}"}


def lsoa_formats(months: int) -> dict[str, str]:
    """Number formats of :func:`unexpected_display` for a measure pooling ``months``."""
    return {
        rate_header(months): "{:.1f}",
        "Expected offences": "{:.1f}",
        "Observed / expected": "{:.1f}",
    }


# -- the CSVs ------------------------------------------------------------------------------


def published_deciles(deciles: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """The decile table with :data:`DECILE_COLUMNS` only, after disclosure control."""
    frame = deciles[DECILE_COLUMNS].copy()
    frame[RATE_COLUMNS] = frame[RATE_COLUMNS].round(3)
    frame["design_effect"] = frame["design_effect"].round(3)
    # the design effect is 1 + alpha x rate x sum(pop^2) / sum(pop): it reveals the count too
    return _suppressed(frame, config, [*RATE_COLUMNS, "design_effect"])[DECILE_COLUMNS]


def published_lsoas(table: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """The LSOA table after disclosure control: counts 1-5 hidden, rates on < 10 events blanked.

    Everything computed from the count (rate, limits, observed/expected, residual) is
    hidden with it; markers in ``<column>_marker``. Because the chapter also publishes
    totals by district and by IMD decile, a district or decile with exactly one hidden
    count gets a second one hidden (:func:`secondary_cells`), so no small count can be
    recovered by subtraction.
    """
    frame = table.assign(
        population=table["population"].round().astype("int64"), expected=table["expected"].round(2)
    )
    derived = [
        *RATE_COLUMNS,
        "ratio_observed_expected",
        "pearson_residual",
    ]
    frame[derived] = frame[derived].round(3)
    safe = _suppressed(frame[LSOA_COLUMNS], config, derived)
    primary = (safe[marker_column("count")] == SUPPRESSED_MARKER).fillna(False).to_numpy(bool)
    hidden = secondary_cells(
        frame["count"].to_numpy(dtype=float),
        primary,
        [frame["district_code"].to_numpy(), frame["imd_decile"].to_numpy()],
    )
    extra = hidden & ~primary
    for column in ["count", *derived]:
        safe[column] = safe[column].mask(extra)
        safe[marker_column(column)] = safe[marker_column(column)].mask(extra, SUPPRESSED_MARKER)
    return safe


def secondary_cells(counts: np.ndarray, hidden: np.ndarray, groupings: list) -> np.ndarray:
    """Hidden cells after complementary suppression across several published totals
    (``groupings``: one label array per total, e.g. district and decile); see
    :func:`needs_assessment.methods.disclosure.complementary_cells`."""
    return complementary_cells(counts, hidden, groupings)


def published_districts(districts: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    frame = districts.copy()
    for column in (
        "irr_per_decile",
        "irr_lower_95",
        "irr_upper_95",
        "rho",
        "rho_lower_95",
        "rho_upper_95",
    ):
        frame[column] = frame[column].astype(float).round(3)
    safe = suppress_small_counts(
        frame, ["count"], threshold=config.thresholds.suppress_counts_up_to
    )
    assert_no_identifiers(safe)
    return safe


def _suppressed(frame: pd.DataFrame, config: AssessmentConfig, derived: list[str]) -> pd.DataFrame:
    safe = suppress_small_counts(
        frame,
        ["count"],
        threshold=config.thresholds.suppress_counts_up_to,
        derived_columns={column: "count" for column in derived},
        min_events_for_rate=config.thresholds.min_events_for_rate,
    )
    assert_no_identifiers(safe)
    return safe


def measures_table(analyses: list[Analysis]) -> pd.DataFrame:
    """One row per measure: source, months, events and the headline statistics."""
    rows = []
    for a in analyses:
        rows.append(
            {
                "measure": a.events.label,
                "source": a.events.source,
                "months": len(a.events.months),
                "first_month": a.events.months[0],
                "last_month": a.events.months[-1],
                "lsoas": len(a.table),
                "count": a.events.total,
                RATE: round(a.area_rate, 3),
                "rho_imd": a.rho_imd.estimate,
                "rho_imd_lower_95": a.rho_imd.lower,
                "rho_imd_upper_95": a.rho_imd.upper,
                "rho_income": a.rho_income.estimate,
                "rho_income_lower_95": a.rho_income.lower,
                "rho_income_upper_95": a.rho_income.upper,
                "rate_ratio": a.rate_ratio.estimate,
                "rate_ratio_lower_95": a.rate_ratio.lower,
                "rate_ratio_upper_95": a.rate_ratio.upper,
                "irr_per_decile": a.gradient.irr,
                "irr_lower_95": a.gradient.lower,
                "irr_upper_95": a.gradient.upper,
                "model": a.gradient.model,
            }
        )
    frame = pd.DataFrame(rows)
    numbers = frame.select_dtypes("float").columns
    frame[numbers] = frame[numbers].round(3)
    return frame


# -- as a Board reads them -------------------------------------------------------------------


def _ci(lows, highs, digits: int) -> list[str]:
    """'1.17 to 1.21' per row, '–' where there is no interval."""
    return [
        "–" if pd.isna(lo) else f"{lo:.{digits}f} to {hi:.{digits}f}"
        for lo, hi in zip(lows, highs, strict=True)
    ]


def decile_display(
    deciles: pd.DataFrame, level: float = 0.95, index: str = "IMD 2019"
) -> pd.DataFrame:
    """The decile table as a Board reads it (rates over the ``months`` the table pools);
    ``index`` names the index of deprivation the deciles are of."""
    labels = {1: "1 (most deprived)", 10: "10 (least deprived)"}
    return pd.DataFrame(
        {
            f"{index} decile": [labels.get(int(d), str(int(d))) for d in deciles["imd_decile"]],
            "LSOAs": deciles["lsoas"],
            "Population": deciles["population"],
            "Offences": deciles["count"],
            rate_header(_months(deciles)): deciles[RATE],
            f"{level_label(level)} CI": _ci(deciles[RATE_LOWER], deciles[RATE_UPPER], 1),
            "Design effect": deciles["design_effect"],
        }
    )


def _months(frame: pd.DataFrame) -> int:
    months = frame["months"].unique()
    if len(months) != 1:
        raise ValueError(f"a rate table must pool one number of months, got {sorted(months)}")
    return int(months[0])


def district_display(districts: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """The district gradients as a Board reads them."""
    ci = f"{level_label(level)} CI"
    return pd.DataFrame(
        {
            "District": districts["district"],
            "LSOAs": districts["lsoas"],
            "Offences": districts["count"],
            "Deciles spanned": districts["deciles_spanned"],
            "Rate ratio per decile": districts["irr_per_decile"],
            f"{ci} (rate ratio)": _ci(districts["irr_lower_95"], districts["irr_upper_95"], 2),
            "Spearman's rho": districts["rho"],
            f"{ci} (rho)": _ci(districts["rho_lower_95"], districts["rho_upper_95"], 2),
            "Reliability": districts["reliability"],
        }
    )


def unexpected_display(a: Analysis, safe: pd.DataFrame, direction: str = MORE) -> pd.DataFrame:
    """The LSOAs far from expectation as a Board reads them, from the published table."""
    codes = unexpected_list(a.table, direction)["lsoa11_code"]
    rows = safe.set_index("lsoa11_code").loc[list(codes)].reset_index()
    index = index_label(a.table)
    return pd.DataFrame(
        {
            "LSOA": rows["lsoa11_name"],
            "District": rows["district"],
            "Offences": rows["count"],
            rate_header(_months(safe)): rows[RATE],
            f"{index} decile": rows["imd_decile"],
            "Expected offences": rows["expected"],
            "Observed / expected": rows["ratio_observed_expected"],
        }
    )


def measures_display(
    measures: pd.DataFrame, level: float = 0.95, index: str = "IMD 2019"
) -> pd.DataFrame:
    """The measures table (:func:`measures_table`) as a Board reads it: human headers;
    ``index`` names the index of deprivation."""
    ci = f"{level_label(level)} CI"
    return pd.DataFrame(
        {
            "Measure": measures["measure"],
            "Source": measures["source"],
            "Months": measures["months"],
            "From": measures["first_month"],
            "To": measures["last_month"],
            "LSOAs": measures["lsoas"],
            "Offences": measures["count"],
            MEASURE_RATE: measures[RATE],
            f"Spearman's rho ({index})": measures["rho_imd"],
            f"{ci} (rho, {index})": _ci(
                measures["rho_imd_lower_95"], measures["rho_imd_upper_95"], 2
            ),
            "Spearman's rho (income)": measures["rho_income"],
            f"{ci} (rho, income)": _ci(
                measures["rho_income_lower_95"], measures["rho_income_upper_95"], 2
            ),
            "Rate ratio, most vs least deprived": measures["rate_ratio"],
            f"{ci} (rate ratio)": _ci(
                measures["rate_ratio_lower_95"], measures["rate_ratio_upper_95"], 2
            ),
            "Rate ratio per decile": measures["irr_per_decile"],
            f"{ci} (per decile)": _ci(measures["irr_lower_95"], measures["irr_upper_95"], 3),
            "Model": measures["model"],
        }
    )
