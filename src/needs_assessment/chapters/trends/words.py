"""The context each trends template needs: numbers, lists and flags, never sentences.

One function per template (``text/<name>.md.j2``); the notebook passes its result to
``chapter.say``, ``chapter.text`` or ``chapter.figure``. A figure's template has an ``alt``
and a ``caption`` block and takes the same context for both.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from needs_assessment.chapters.trends.analysis import (
    AVERAGE_YEARS,
    COVID_YEAR,
    TrendsChapter,
    index_series,
)
from needs_assessment.config import AssessmentConfig, financial_year_label
from needs_assessment.force_series import (
    CURRENT,
    DEFAULT_RATE_PER,
    EARLIER,
    NATIONAL,
    TIER_EARLIER,
    TIER_HO,
    TIER_ONS_TABLES,
)
from needs_assessment.forces import NOT_RANKED

Context = dict[str, Any]
FIGURES = 3  # significant figures a rate is shown with


def decimals(*values: float | None, figures: int = FIGURES) -> int:
    """Decimals that show the smallest non-zero of ``values`` with ``figures`` significant
    figures (28.1, 5.57, 0.347), never fewer than 0 nor more than 6."""
    sizes = [abs(v) for v in values if v is not None and not pd.isna(v) and v != 0]
    if not sizes:
        return 0
    return max(0, min(6, figures - 1 - math.floor(math.log10(min(sizes)))))


def latest(result: TrendsChapter) -> Context:
    """``trends/latest``: the latest year of real force counts and its source."""
    return dict(result.latest)


def vintage(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/vintage``: which years are an earlier vintage of counts or of populations."""
    force = result.series[result.series["area_type"] == "force"]
    counted = force[force["source_tier"] == TIER_EARLIER]
    current = force[force["source_tier"] == TIER_HO]
    return {
        "count_years": sorted(set(counted["financial_year"])),
        "count_labels": list(dict.fromkeys(counted["label"])),
        "count_source": TIER_EARLIER,
        "current_source": TIER_HO,
        "current_first": current["financial_year"].min(),
        "current_last": current["financial_year"].max(),
        "population_first": force.loc[
            force["population_vintage"] == CURRENT, "financial_year"
        ].min(),
        "population_years": sorted(
            set(force.loc[force["population_vintage"] == EARLIER, "financial_year"])
        ),
        "later_labels": _starting_later(force, config),
    }


def _starting_later(force: pd.DataFrame, config: AssessmentConfig) -> list[dict]:
    """The categories that start after the period's first year, grouped by first year."""
    first = force.groupby("label", sort=False)["year"].min()
    late = first[first > config.period.first_year]
    return [
        {"from": _fy(year), "labels": list(labels.index)}
        for year, labels in late.groupby(late, sort=True)
    ]


def _fy(year: int) -> str:
    return financial_year_label(int(year))


def sources(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/sources``: the rate units, what the data covers and its vintages."""
    return intro(result) | coverage(result, config) | vintage(result, config)


def ranks(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/ranks``: how forces are ranked, and the published rolling-year ranks."""
    rows = _records(result.rolling_ranks)
    for row in rows:
        row["digits"] = decimals(row["rate"])
    return {
        "area": config.area.display_name,
        "not_ranked": sorted(NOT_RANKED),
        "period": rows[0]["period"] if rows else None,
        "rows": rows,
    }


def coverage(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/coverage``: categories grouped by the span of years real data covers."""
    spans: dict[tuple, list[str]] = {}
    for item in result.coverage.values():
        key = (item["first_year"], item["last_year"], tuple(item["years_missing"]))
        spans.setdefault(key, []).append(item["label"])
    rows = [
        {"labels": labels, "first": first, "last": last, "missing": list(missing)}
        for (first, last, missing), labels in spans.items()
    ]
    return {
        "period": config.period_label,
        "spans": rows,
        "any_missing": any(row["missing"] for row in rows),
        "tables_series": _tables_series(result),
    }


def _tables_series(result: TrendsChapter) -> list[dict]:
    """The categories counted from the ONS PFA tables and the last period those publish."""
    force = result.series[result.series["area_type"] == "force"]
    labels = list(dict.fromkeys(force.loc[force["source_tier"] == TIER_ONS_TABLES, "label"]))
    rolling = result.rolling.set_index("label")["period"] if len(result.rolling) else {}
    return [{"label": label, "last_period": rolling.get(label)} for label in labels]


def judgements(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/judgements``: one row per category, as judged, with the trend's clarity."""
    rows = [
        {
            **row,
            "trend_clear": row["trend_lower_95"] > 0 or row["trend_upper_95"] < 0,
            "trend_rising": row["trend_pct_per_year"] > 0,
            "trend_size": abs(row["trend_pct_per_year"]),
            "digits": decimals(row["rate"], row["rate_lower_95"], row["benchmark_rate"]),
            "change_on_average_pct": _pct_on(row["count"], row["three_year_average"]),
            "lockdown_in": _lockdown_in(row),
        }
        for row in _records(result.judgements)
    ]
    return {
        "area": config.area.display_name,
        "rows": rows,
        "average_years": AVERAGE_YEARS,
        "lockdown_year": _fy(COVID_YEAR),
    }


def _pct_on(count: float, baseline: float | None) -> float | None:
    return None if not baseline else (count / baseline - 1) * 100


def _lockdown_in(row: dict) -> str | None:
    """Which of a judgement's baselines include the lockdown year: 'both', 'previous',
    'average' or None."""
    previous, average = row["previous_includes_lockdown"], row["average_includes_lockdown"]
    if previous and average:
        return "both"
    return "previous" if previous else "average" if average else None


def intro(result: TrendsChapter) -> Context:
    """``trends/intro``: the rate units."""
    return units(result.series)


def method(result: TrendsChapter) -> Context:
    """``trends/method``: how the judgements are made (the level is a template global), with
    the range of the series' dispersion (year-to-year variance over the Poisson one)."""
    dispersion = result.judgements["dispersion"].dropna()
    return {
        "average_years": AVERAGE_YEARS,
        "lockdown_year": _fy(COVID_YEAR),
        "dispersion_low": float(dispersion.min()) if len(dispersion) else None,
        "dispersion_high": float(dispersion.max()) if len(dispersion) else None,
    }


def benchmarks_table(config: AssessmentConfig) -> Context:
    """``trends/benchmarks_table``: the judgements table's caption."""
    return {"area": config.area.display_name, "average_years": AVERAGE_YEARS}


def peers(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/peers``: who the peers are and how they were chosen."""
    measures = result.peers.attrs.get("measures", ["imd_score"])
    return {
        "area": config.area.display_name,
        "names": list(result.peers["force"]),
        "chosen": result.peers_chosen,
        "deprivation_used": "imd_score" in measures,
    }


def rates_chart(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/rates_chart``: the years drawn and where the force differs from the benchmark."""
    table = result.judgements
    return {
        "area": config.area.display_name,
        "first_year": result.series["financial_year"].min(),
        "last_year": result.series["financial_year"].max(),
        "lower": list(table.loc[table["vs_england_wales"] == "Lower", "label"]),
        "higher": list(table.loc[table["vs_england_wales"] == "Higher", "label"]),
        "covid_year": COVID_YEAR,
        **units(result.series),
    }


def units(frame: pd.DataFrame) -> Context:
    """The default rate unit and the categories of ``frame`` with another one (knife crime,
    homicide)."""
    per = frame.drop_duplicates("category").set_index("label")["per"]
    return {
        "per": DEFAULT_RATE_PER,
        "other_units": [
            {"label": label, "per": int(unit)}
            for label, unit in per.items()
            if unit != DEFAULT_RATE_PER
        ],
    }


def recording_breaks(config: AssessmentConfig) -> Context:
    """``trends/recording_breaks``: the configured recording changes and their notes."""
    return {
        "breaks": [
            {"financial_year": b.financial_year, "note": b.note}
            for b in config.area.recording_breaks
        ]
    }


def indexed_chart(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/indexed_chart``: the largest and smallest change since the base year."""
    force = index_series(result.series)
    change = force.groupby("label", sort=False)["count"].agg(
        lambda s: s.iloc[-1] / s.iloc[0] * 100 - 100
    )
    top, bottom = change.idxmax(), change.idxmin()
    return {
        "area": config.area.display_name,
        "first_year": force["financial_year"].min(),
        "largest": {"label": top, "change": float(change[top])},
        "smallest": {"label": bottom, "change": float(change[bottom])},
        "covid_year": COVID_YEAR,
    }


def severity(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/severity`` and ``trends/severity_chart``: first and last year, both areas."""
    frame, area = result.severity, config.area.display_name
    context: Context = {"available": not frame.empty, "area": area, "covid_year": COVID_YEAR}
    if frame.empty:
        return context
    force = frame[frame["area"] == area].sort_values("year")
    national = frame[frame["area"] == NATIONAL].set_index("year")["severity_score"]
    first, last = force.iloc[0], force.iloc[-1]
    return context | {
        "first_year": first["financial_year"],
        "last_year": last["financial_year"],
        "first_score": float(first["severity_score"]),
        "last_score": float(last["severity_score"]),
        "change_pct": (last["severity_score"] / first["severity_score"] - 1) * 100,
        "national_first": float(national[first["year"]]),
        "national_last": float(national[last["year"]]),
    }


def admissions(result: TrendsChapter) -> Context:
    """``trends/admissions`` and ``trends/admissions_chart``: the peak and the latest year."""
    frame = result.admissions.sort_values("year")
    context: Context = {
        "available": not frame.empty,
        "region": result.region,
        "covid_year": COVID_YEAR,
    }
    if frame.empty:
        return context
    peak, last = frame.loc[frame["admissions"].idxmax()], frame.iloc[-1]
    return context | {
        "peak": int(peak["admissions"]),
        "peak_year": peak["financial_year"],
        "latest": int(last["admissions"]),
        "latest_year": last["financial_year"],
    }


def districts(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/districts``, ``trends/districts_chart`` and ``trends/districts_table``."""
    series = _extract_part(result, result.districts)
    latest = series[series["year"] == series["year"].max()]
    rows = []
    for _, group in latest.groupby("category", sort=False):
        top = group.loc[group["rate"].idxmax()]
        low = group.loc[group["rate"].idxmin()]
        rows.append(
            {
                "label": top["label"],
                "per": int(top["per"]),
                "digits": decimals(low["rate"], top["rate_lower_95"]),
                "highest": _place(top),
                "lowest": _place(low),
            }
        )
    return {
        "year": latest["financial_year"].iloc[0],
        "rows": rows,
        **units(series),
        "suppress_up_to": config.thresholds.suppress_counts_up_to,
        **_tier(result),
    }


def gun_crime(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/gun_crime`` and ``trends/gun_crime_chart``: total and the latest year."""
    series = _extract_part(result, result.gun_crime)
    first, last = series.iloc[0], series.iloc[-1]
    return {
        "area": config.area.display_name,
        "total": int(series["count"].sum()),
        "first_year": first["financial_year"],
        "last_year": last["financial_year"],
        "latest": int(last["count"]),
        **_tier(result),
    }


def annual_table(result: TrendsChapter, config: AssessmentConfig) -> Context:
    """``trends/annual_table``: the annual rates table's caption."""
    return {"area": config.area.display_name, **units(result.series)}


def peers_table(config: AssessmentConfig) -> Context:
    """``trends/peers_table``: the peer table's caption."""
    return {"area": config.area.display_name}


def _extract_part(result: TrendsChapter, frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None or result.extract_tier is None:
        raise ValueError("no force extract is configured: there are no district or gun series")
    return frame


def _tier(result: TrendsChapter) -> Context:
    tier = result.extract_tier
    return {"tier": tier.label, "synthetic": tier.synthetic, "synthetic_tag": tier.tag}


def _place(row: pd.Series) -> Context:
    return {
        "area": row["area"],
        "rate": float(row["rate"]),
        "lower": float(row["rate_lower_95"]),
        "upper": float(row["rate_upper_95"]),
    }


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
