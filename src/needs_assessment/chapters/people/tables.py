"""What the People chapter publishes: CSV shapes after disclosure control, and the same
tables as a Board reads them (human headers, intervals at the configured level).

Disclosure: counts 1 to ``suppress_counts_up_to`` are hidden, with everything computed from
them; no rate from fewer than ``min_events_for_rate`` events. Age x sex x area and
ethnicity x area tables also get complementary cells hidden (:func:`complete`) so that no
hidden cell can be recovered from a published row or column total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from needs_assessment.chapters.people.analysis import PeopleChapter
from needs_assessment.chapters.people.measures import Measure
from needs_assessment.config import AssessmentConfig
from needs_assessment.methods.disclosure import (
    SUPPRESSED_MARKER,
    assert_no_identifiers,
    complementary_cells,
    marker_column,
    suppress_small_counts,
)
from needs_assessment.presentation.text import level_label
from needs_assessment.sources.census_ethnicity import BROAD_GROUPS

ROLE_LABELS = {"victim": "Victims", "offender": "Offenders"}
SEX_LABELS = {"male": "Male", "female": "Female", "persons": "All"}
GROUP_LABELS = {key: label for key, (_, label) in BROAD_GROUPS.items()}
RATE_FORMATS = {"Per 1,000": "{:.1f}", "Rate ratio": "{:.2f}"}
TREND_FORMATS = {
    "Under 18 (%)": "{:.1f}",
    "18-24 (%)": "{:.1f}",
    "Under 25 per 1,000 aged 0-24": "{:.1f}",
}
ETHNIC_FORMATS = {
    "Per 1,000 a year": "{:.2f}",
    "Rate ratio": "{:.2f}",
    "Not recorded (%)": "{:.1f}",
}
MEASURE_FORMATS = {"Per 100,000": "{:.1f}"}
RATES = ("rate", "lower", "upper")


# -- disclosure ------------------------------------------------------------------------------


def suppressed(
    frame: pd.DataFrame,
    config: AssessmentConfig,
    counts: dict[str, list[str]],
    groupings: list[list[str]] | None = None,
) -> pd.DataFrame:
    """Small counts hidden (``counts``: count column -> derived columns), with complementary
    cells hidden for every grouping in ``groupings`` (each a published total)."""
    derived = {d: count for count, columns in counts.items() for d in columns}
    safe = suppress_small_counts(
        frame,
        list(counts),
        threshold=config.thresholds.suppress_counts_up_to,
        derived_columns=derived,
        min_events_for_rate=config.thresholds.min_events_for_rate,
    )
    for count, columns in counts.items():
        primary = (safe[marker_column(count)] == SUPPRESSED_MARKER).fillna(False).to_numpy(bool)
        labels = [frame[g].astype(str).agg("|".join, axis=1).to_numpy() for g in groupings or []]
        values = frame[count].to_numpy(dtype=float)
        threshold = config.thresholds.suppress_counts_up_to
        extra = complete(values, primary, labels, protect_above=threshold) & ~primary
        for column in (count, *columns):
            safe[column] = safe[column].mask(extra)
            safe[marker_column(column)] = safe[marker_column(column)].mask(extra, SUPPRESSED_MARKER)
    assert_no_identifiers(safe)
    return safe


def complete(
    counts: np.ndarray, hidden: np.ndarray, groupings: list[np.ndarray], protect_above: int = 0
) -> np.ndarray:
    """Complementary suppression across several published totals at once (see
    :func:`needs_assessment.methods.disclosure.complementary_cells`)."""
    return complementary_cells(counts, hidden, groupings, protect_above=protect_above)


def _round(frame: pd.DataFrame, columns, digits: int = 3) -> pd.DataFrame:
    return frame.assign(**{c: frame[c].astype(float).round(digits) for c in columns})


# -- the CSVs --------------------------------------------------------------------------------


def published_age_sex(chapter: PeopleChapter, config: AssessmentConfig) -> pd.DataFrame:
    frame = _round(chapter.age_sex, RATES)
    return suppressed(
        frame, config, {"count": list(RATES)}, [["role", "sex"], ["role", "age_band"]]
    )


def published_districts(chapter: PeopleChapter, config: AssessmentConfig) -> pd.DataFrame:
    frame = _round(chapter.districts_table.drop(columns="code"), RATES)
    return suppressed(
        frame, config, {"count": list(RATES)}, [["role", "district"], ["role", "age_band"]]
    )


def published_trend(chapter: PeopleChapter, config: AssessmentConfig) -> pd.DataFrame:
    shares = [f"{c}_{s}" for c in ("under_18", "18_24") for s in ("share", "lower", "upper")]
    frame = _round(chapter.trend, [*shares, "rate_under_25"], 4)
    frame["financial_year"] = frame["year"].map(lambda y: f"{y}/{(y + 1) % 100:02d}")
    frame["population_under_25"] = frame["population_under_25"].astype("Int64")
    counts = {
        "under_18": shares[:3],
        "18_24": shares[3:],
        "under_25": ["rate_under_25"],
    }
    columns = ["role", "financial_year", "known_age", "under_18", *shares[:3], "18_24"]
    columns += [*shares[3:], "under_25", "population_under_25", "rate_under_25", "basis"]
    return suppressed(frame[columns], config, counts)


def measures_table(measures: list[Measure]) -> pd.DataFrame:
    """One row per measure (available or not): tier, period, count or bounds, rate."""
    rows = []
    for m in measures:
        rows.append(
            {
                "measure": m.key,
                "tier": m.tier.label if m.tier else "",
                "available": m.available,
                "period": m.period,
                "count": m.count,
                "count_lower": m.lower,
                "count_upper": m.upper,
                "rate_per_100000": m.rate,
                "rate_lower": m.rate_lower,
                "rate_upper": m.rate_upper,
                "population_basis": m.population_basis,
            }
        )
    frame = pd.DataFrame(rows)
    return _round(frame, ["rate_per_100000", "rate_lower", "rate_upper"])


def published_measures(measures: list[Measure], config: AssessmentConfig) -> pd.DataFrame:
    frame = measures_table(measures)
    extract = frame["tier"].str.startswith("force offence extract")
    frame.loc[extract, ["count_lower", "count_upper"]] = np.nan  # the same as the count
    frame["count"] = frame["count"].astype("Float64")
    return suppressed(frame, config, {"count": ["rate_per_100000", "rate_lower", "rate_upper"]})


def repeats_table(chapter: PeopleChapter) -> pd.DataFrame:
    rows = [
        {
            "role": c.role,
            "period": c.period,
            "people": c.people,
            "offences": c.offences,
            "top_5pc_people": c.top_people,
            "top_5pc_offences": c.top_offences,
            "top_5pc_share": round(c.top_share, 4),
            "repeat_people": c.repeat_people,
        }
        for concentrations in (chapter.repeats.roles.values() if chapter.repeats else [])
        for c in concentrations
    ]
    return pd.DataFrame(rows)


def published_repeats(chapter: PeopleChapter, config: AssessmentConfig) -> pd.DataFrame:
    frame = repeats_table(chapter)
    return suppressed(frame, config, {"top_5pc_offences": ["top_5pc_share"], "repeat_people": []})


ETHNIC_RATES = ["rate", "lower", "upper", "ratio", "ratio_lower", "ratio_upper"]


def published_ethnicity(chapter: PeopleChapter, config: AssessmentConfig) -> pd.DataFrame:
    e = chapter.ethnicity
    recording = e.recording.set_index(["role", "ages"])["share"]
    frame = _round(e.rates, ETHNIC_RATES).assign(
        not_recorded_share=[
            round(float(recording[(r, a)]), 4)
            for r, a in zip(e.rates["role"], e.rates["ages"], strict=True)
        ]
    )
    columns = ["role", "ages", "ethnic_group", "count", "residents", *ETHNIC_RATES]
    return suppressed(
        frame[[*columns, "not_recorded_share"]], config, {"count": ETHNIC_RATES}, [["role", "ages"]]
    )


def published_ethnicity_districts(chapter: PeopleChapter, config: AssessmentConfig) -> pd.DataFrame:
    frame = _round(chapter.ethnicity.districts, ETHNIC_RATES)
    columns = ["role", "district", "ethnic_group", "count", "residents", *ETHNIC_RATES]
    return suppressed(
        frame[columns],
        config,
        {"count": ETHNIC_RATES},
        [["role", "district"], ["role", "ethnic_group"]],
    )


# -- as a Board reads them -------------------------------------------------------------------


def _ci(lows, highs, digits: int) -> list[str]:
    return [
        "–" if pd.isna(lo) or pd.isna(hi) else f"{lo:.{digits}f} to {hi:.{digits}f}"
        for lo, hi in zip(lows, highs, strict=True)
    ]


def age_sex_display(safe: pd.DataFrame, level: float) -> pd.DataFrame:
    return _rates_display(safe, level, "Sex", safe["sex"].map(SEX_LABELS))


def districts_display(safe: pd.DataFrame, level: float) -> pd.DataFrame:
    return _rates_display(safe, level, "District", safe["district"])


def _rates_display(safe: pd.DataFrame, level: float, by: str, groups: pd.Series) -> pd.DataFrame:
    """People, ``by`` and age band, with offences, residents and the rate's interval."""
    return pd.DataFrame(
        {
            "People": safe["role"].map(ROLE_LABELS),
            by: groups,
            "Age": safe["age_band"],
            "Offences": safe["count"],
            "Residents": safe["population"],
            "Per 1,000": safe["rate"],
            f"{level_label(level)} interval": _ci(safe["lower"], safe["upper"], 1),
        }
    )


def trend_display(safe: pd.DataFrame, level: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "People": safe["role"].map(ROLE_LABELS),
            "Year": safe["financial_year"],
            "Of known age": safe["known_age"],
            "Under 18 (%)": safe["under_18_share"] * 100,
            f"{level_label(level)} interval (under 18, %)": _ci(
                safe["under_18_lower"] * 100, safe["under_18_upper"] * 100, 1
            ),
            "18-24 (%)": safe["18_24_share"] * 100,
            "Under 25 per 1,000 aged 0-24": safe["rate_under_25"],
            "Population estimates": safe["basis"],
        }
    )


def ethnicity_display(
    safe: pd.DataFrame, level: float, by: str = "ages", not_recorded: bool = True
) -> pd.DataFrame:
    """Rates and rate ratios by ethnic group, one row per ``by`` (``ages`` for the whole
    area, ``district`` by district), with the not-recorded share when asked for."""
    columns = {
        "People": safe["role"].map(ROLE_LABELS),
        by.capitalize(): safe[by],
        "Ethnic group": safe["ethnic_group"].map(GROUP_LABELS),
        "Offences": safe["count"],
        "Residents (Census 2021)": safe["residents"],
        "Per 1,000 a year": safe["rate"],
        "Rate ratio": safe["ratio"],
        f"{level_label(level)} interval (ratio)": _ci(safe["ratio_lower"], safe["ratio_upper"], 2),
    }
    if not_recorded:
        columns["Not recorded (%)"] = safe["not_recorded_share"] * 100
    return pd.DataFrame(columns)


def measures_display(safe: pd.DataFrame, names: dict[str, str], level: float) -> pd.DataFrame:
    """``names``: measure key -> its name on the page (from the wording templates)."""
    shown = safe[safe["available"]]
    counts = [
        f"{lo:,.0f} to {hi:,.0f}"
        if pd.isna(n) and pd.notna(lo)
        else ("[c]" if pd.isna(n) else f"{n:,.0f}")
        for n, lo, hi in zip(
            shown["count"], shown["count_lower"], shown["count_upper"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "Measure": shown["measure"].map(names),
            "Source": shown["tier"],
            "Year": shown["period"],
            "Count": counts,
            "Per 100,000": shown["rate_per_100000"],
            f"{level_label(level)} interval or bounds": _ci(
                shown["rate_lower"], shown["rate_upper"], 1
            ),
        }
    )


def repeats_display(safe: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "People": safe["role"].map(ROLE_LABELS),
            "Period": safe["period"],
            "People with an id": safe["people"],
            "Offences": safe["offences"],
            "Most frequent 5%": safe["top_5pc_people"],
            "Their offences": safe["top_5pc_offences"],
            "Share of offences (%)": safe["top_5pc_share"] * 100,
            "In two or more offences": safe["repeat_people"],
        }
    )
