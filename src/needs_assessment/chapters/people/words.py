"""Results -> the context each People template needs (``text/<name>.md.j2``).

No sentence is written here: every function returns numbers, names from the data and
codes, and the template words them. :func:`not_available` sends a gap through the
chapter's ``not_available`` with its section, reason and remedy from ``text/gaps.md.j2``.
"""

from __future__ import annotations

import math

import pandas as pd

from needs_assessment import tiers
from needs_assessment.chapters.people.analysis import BANDS, CENSUS_BASIS, PeopleChapter
from needs_assessment.chapters.people.ethnicity import WINDOW
from needs_assessment.chapters.people.measures import PER
from needs_assessment.chapters.people.repeats import TOP
from needs_assessment.config import AssessmentConfig
from needs_assessment.sources.census_ethnicity import BROAD_GROUPS, REFERENCE_GROUP
from needs_assessment.sources.hospital_admissions_age import SUPPRESSED_HIGH, SUPPRESSED_LOW

GROUP_LABELS = {key: label for key, (_, label) in BROAD_GROUPS.items()}


def fy(year: int | None) -> str:
    return "" if year is None else f"{year}/{(year + 1) % 100:02d}"


def not_available(out, section: str, reason: str, **context) -> None:
    """Show a gap: ``section`` and ``reason`` name blocks of ``people/gaps``."""
    out.not_available(
        out.text(f"people/gaps:{section}", **context),
        out.text(f"people/gaps:{reason}_reason", **context),
        out.text(f"people/gaps:{reason}_remedy", **context),
    )


def _tier(chapter: PeopleChapter) -> dict:
    tier = chapter.tier
    return {
        "tier": tier.label if tier else "",
        "synthetic": bool(tier and tier.synthetic),
        "synthetic_label": tiers.SYNTHETIC_LABEL,
    }


def data(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    """``people/data``: what is counted, the tier, and the population estimates used."""
    d = chapter.denominator
    years = sorted(chapter.trend["year"].unique()) if not chapter.trend.empty else []
    old = chapter.trend[chapter.trend["basis"].ne("") & chapter.trend["basis"].ne(CENSUS_BASIS)]
    return {
        **_tier(chapter),
        "area": chapter.area,
        "scope": chapter.scope_labels,
        "first_year": fy(int(years[0])) if years else "",
        "last_year": fy(chapter.latest_year),
        "denominator_year": d.year if d else None,
        "census_based": bool(d and d.basis == CENSUS_BASIS),
        "by_sex": bool(d and d.by_sex),
        "old_years": sorted({fy(int(y)) for y in old["year"]}),
    }


def _peak(frame: pd.DataFrame, role: str) -> dict:
    rows = frame[(frame["role"] == role) & frame["rate"].notna()]
    top = rows.loc[rows["rate"].idxmax()]
    return {
        "band": top["age_band"],
        "sex": top["sex"],
        "rate": float(top["rate"]),
        "lower": float(top["lower"]),
        "upper": float(top["upper"]),
        "count": int(top["count"]),
    }


def age_sex(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    """``people/age_sex``: the highest rate for victims and offenders, and what is missing."""
    missing = chapter.not_recorded.set_index("role")
    return {
        **_tier(chapter),
        "area": chapter.area,
        "year": fy(chapter.latest_year),
        "by_sex": chapter.denominator.by_sex,
        "victim": _peak(chapter.age_sex, "victim"),
        "offender": _peak(chapter.age_sex, "offender"),
        "victims": int(missing.loc["victim", "people"]),
        "offenders": int(missing.loc["offender", "people"]),
        "victim_age_missing": int(missing.loc["victim", "age_missing"]),
        "offender_age_missing": int(missing.loc["offender", "age_missing"]),
        "suppress": config.thresholds.suppress_counts_up_to,
    }


def age_sex_chart(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    return {**age_sex(chapter, config), "bands": [b for b, _, _ in BANDS]}


def _share_row(rows: pd.DataFrame, year: int) -> dict:
    row = rows[rows["year"] == year].iloc[0]
    return {
        "year": fy(year),
        "known": int(row["known_age"]),
        "under_18": float(row["under_18_share"]),
        "under_18_lower": float(row["under_18_lower"]),
        "under_18_upper": float(row["under_18_upper"]),
        "young_adult": float(row["18_24_share"]),
        "rate_under_25": None if math.isnan(row["rate_under_25"]) else float(row["rate_under_25"]),
        "basis": row["basis"],
    }


def trend(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    """``people/trend``: under-18 and 18-24 shares, first and latest year, per role."""
    t = chapter.trend
    first, last = int(t["year"].min()), int(t["year"].max())
    roles = {}
    for role in ("victim", "offender"):
        rows = t[t["role"] == role]
        roles[role] = {"first": _share_row(rows, first), "last": _share_row(rows, last)}
    rated = t[(t["role"] == "victim") & t["rate_under_25"].notna()]
    return {
        **_tier(chapter),
        **roles,
        "rate_years": [
            {"year": fy(int(r["year"])), "rate": float(r["rate_under_25"]), "basis": r["basis"]}
            for _, r in rated.iterrows()
        ],
        "census_basis": CENSUS_BASIS,
    }


def trend_chart(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    return {**trend(chapter, config), "area": chapter.area}


def districts(chapter: PeopleChapter, config: AssessmentConfig, safe: pd.DataFrame) -> dict:
    """``people/districts``: per role, the district with the highest under-18 rate shown."""
    context = {**_tier(chapter), "year": fy(chapter.latest_year), "roles": {}}
    for role in ("victim", "offender"):
        rows = safe[(safe["role"] == role) & (safe["age_band"] == "under 18")]
        rows = rows[rows["rate"].notna()]
        if rows.empty:
            context["roles"][role] = None
            continue
        top = rows.loc[rows["rate"].astype(float).idxmax()]
        context["roles"][role] = {
            "district": top["district"],
            "rate": float(top["rate"]),
            "lower": float(top["lower"]),
            "upper": float(top["upper"]),
        }
    context["hidden"] = int(safe["count"].isna().sum())
    context["min_events"] = config.thresholds.min_events_for_rate
    context["suppress"] = config.thresholds.suppress_counts_up_to
    return context


def measures(chapter: PeopleChapter, config: AssessmentConfig, safe: pd.DataFrame) -> dict:
    """``people/measures``: each Home Office measure as published, with its tier."""
    rows = safe.set_index("measure")
    items = {}
    for m in chapter.measures:
        row = rows.loc[m.key]
        items[m.key] = {
            "available": m.available,
            "tier": m.tier.label if m.tier else "",
            "synthetic": bool(m.tier and m.tier.synthetic),
            "period": m.period,
            "count": None if pd.isna(row["count"]) else int(row["count"]),
            "hidden": m.available and m.count is not None and pd.isna(row["count"]),
            "rate": None if pd.isna(row["rate_per_100000"]) else float(row["rate_per_100000"]),
            "rate_lower": None if pd.isna(row["rate_lower"]) else float(row["rate_lower"]),
            "rate_upper": None if pd.isna(row["rate_upper"]) else float(row["rate_upper"]),
            "bands": [{"band": b, **v} for b, v in m.by_band.items()],
            "basis": m.population_basis,
        }
    return {
        "measures": items,
        "synthetic_label": tiers.SYNTHETIC_LABEL,
        "area": chapter.area,
        "region": chapter.region[1] if chapter.region else "",
        "per_unit": PER,
        "hes_low": SUPPRESSED_LOW,
        "hes_high": SUPPRESSED_HIGH,
    }


def repeats(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    """``people/repeats``: share of offences involving the most frequent 5%, per role."""
    roles = {}
    for role, (whole, latest) in chapter.repeats.roles.items():
        roles[role] = {
            "share": whole.top_share,
            "people": whole.people,
            "offences": whole.offences,
            "top_people": whole.top_people,
            "repeat_people": whole.repeat_people,
            "latest_share": latest.top_share,
            "latest_year": latest.period,
        }
    return {**_tier(chapter), "roles": roles, "top": TOP, "missing": list(chapter.repeats.missing)}


def _ratios(rates: pd.DataFrame, role: str, ages: str) -> list[dict]:
    rows = rates[(rates["role"] == role) & (rates["ages"] == ages)]
    rows = rows[rows["ethnic_group"] != REFERENCE_GROUP]
    return [
        {
            "group": GROUP_LABELS[r["ethnic_group"]],
            "ratio": None if pd.isna(r["ratio"]) else float(r["ratio"]),
            "lower": None if pd.isna(r["ratio_lower"]) else float(r["ratio_lower"]),
            "upper": None if pd.isna(r["ratio_upper"]) else float(r["ratio_upper"]),
            "higher": bool(pd.notna(r["ratio_lower"]) and r["ratio_lower"] > 1),
            "lower_than": bool(pd.notna(r["ratio_upper"]) and r["ratio_upper"] < 1),
        }
        for _, r in rows.iterrows()
    ]


def ethnicity(chapter: PeopleChapter, config: AssessmentConfig, safe: pd.DataFrame) -> dict:
    """``people/ethnicity``: rate ratios against White, with the not-recorded share."""
    e = chapter.ethnicity
    recording = e.recording.set_index(["role", "ages"])
    roles = {}
    for role in e.roles:
        roles[role] = {
            ages: {
                "ratios": _ratios(safe, role, ages),
                "not_recorded": float(recording.loc[(role, ages), "share"]),
                "not_recorded_lower": float(recording.loc[(role, ages), "lower"]),
                "not_recorded_upper": float(recording.loc[(role, ages), "upper"]),
                "people": int(recording.loc[(role, ages), "people"]),
            }
            for ages in ("all ages", "under 25")
        }
    return {
        **_tier(chapter),
        "area": chapter.area,
        "first_year": fy(e.years[0]),
        "last_year": fy(e.years[-1]),
        "years": len(e.years),
        "window": WINDOW,
        "lsoas": e.lsoas,
        "residents": int(e.residents["residents"].sum()),
        "reference": GROUP_LABELS[REFERENCE_GROUP],
        "roles": roles,
        "missing": list(e.missing),
    }


def method(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    """``people/method``: the thresholds and the reference group."""
    return {
        "reference": GROUP_LABELS[REFERENCE_GROUP],
        "suppress": config.thresholds.suppress_counts_up_to,
        "min_events": config.thresholds.min_events_for_rate,
    }


def measures_table(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    return {"area": chapter.area, "per_unit": PER}


def table(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    """The context every table caption shares: area, latest year and tier."""
    return {**_tier(chapter), "area": chapter.area, "year": fy(chapter.latest_year), "top": TOP,
            "by_sex": bool(chapter.denominator and chapter.denominator.by_sex)}  # fmt: skip


def so_what(chapter: PeopleChapter, config: AssessmentConfig) -> dict:
    """``people/so_what``: the chapter's key messages, from whichever sections have data."""
    has_ages = chapter.has_extract and not chapter.age_sex.empty
    has_trend = chapter.has_extract and not chapter.trend.empty
    return {
        **_tier(chapter),
        "age_sex": age_sex(chapter, config) if has_ages else None,
        "trend": trend(chapter, config) if has_trend else None,
        "repeats": repeats(chapter, config) if chapter.repeats is not None else None,
    }
