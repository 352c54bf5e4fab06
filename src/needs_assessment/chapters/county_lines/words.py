"""County Lines: the context each wording template needs, from the chapter's results.

One function per template in ``text/`` (same name); every value is a number, a name or a
data label (a market type, a trend direction), never a sentence. Every context carries
``synthetic`` and ``label`` so that each paragraph resting on the extract can say so.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from needs_assessment import tiers
from needs_assessment.chapters.county_lines.analysis import CountyLinesChapter
from needs_assessment.chapters.county_lines.indicators import FALLING, RISING
from needs_assessment.chapters.county_lines.markets import (
    CLEAR,
    HOME_GROWN,
    IMPORTING,
    MARKET_TYPES,
    MIXED,
    OTHER_ORIGINS,
    PEOPLE,
    TOO_FEW,
    UNCERTAIN,
    type_key,
)
from needs_assessment.chapters.county_lines.tables import (
    INDICATOR_LABELS,
    LOW_MARKER,
    publishable_indicators,
    publishable_markets,
    published_summary,
)
from needs_assessment.chapters.county_lines.violence import HOTSPOT_SHARE
from needs_assessment.methods import stats
from needs_assessment.methods.disclosure import SUPPRESSED_MARKER

Context = dict[str, Any]
#: Market types by key, for templates (``types.importing`` ...).
TYPES = {"importing": IMPORTING, "home_grown": HOME_GROWN, "mixed": MIXED, "too_few": TOO_FEW}
#: Certainty labels, for templates (``sure["clear"]``: ``sure.clear`` is the dict method).
SURE = {"clear": CLEAR, "uncertain": UNCERTAIN}
#: Leading origins named per importing district in the text.
ORIGINS_NAMED = 3


def base(result: CountyLinesChapter) -> Context:
    """What every template may use: the data tier, the area, the market type names."""
    return {
        "synthetic": result.synthetic,
        "data_label": result.label,
        "area": result.area,
        "types": TYPES,
        "sure": SURE,
        "people": result.unit == PEOPLE,
        "n_districts": len(result.districts),
        "supply_codes": list(result.supply_codes),
    }


def _years_by_type(row) -> list[Context]:
    """[{years, type}] for the market types a district had in at least one year."""
    counts = ({"years": int(row[f"years_{type_key(t)}"]), "type": t} for t in MARKET_TYPES)
    return [c for c in counts if c["years"]]


def _interval(row, stem: str) -> Context:
    return {
        "share": row[f"{stem}_import_share"],
        "lower": row[f"{stem}_import_lower_95"],
        "upper": row[f"{stem}_import_upper_95"],
        "offenders": row[f"{stem}_supply_offenders"],
        "type": row[f"{stem}_market_type"],
        "certainty": row[f"{stem}_certainty"] if _known(row[f"{stem}_certainty"]) else None,
    }


def _rows(summary: pd.DataFrame) -> list[dict]:
    return summary.to_dict(orient="records")


def _known(value) -> bool:
    return value is not None and not pd.isna(value)


# -- paragraphs ---------------------------------------------------------------------------------


def tiers_note(result: CountyLinesChapter) -> Context:
    return base(result) | {"synthetic_label": tiers.SYNTHETIC_LABEL}


def method(result: CountyLinesChapter) -> Context:
    chosen = result.settings
    return base(result) | {
        "threshold": chosen.import_threshold,
        "min_offenders": chosen.min_offenders,
    }


def markets(result: CountyLinesChapter) -> Context:
    """Per district: the usual type over classified years, the latest published year, and
    the pooled periods (shares left out where disclosure control hides them)."""
    pools_shown = published_summary(result)
    latest = _published_latest(result)
    districts = []
    for row in _rows(pools_shown):
        shown = latest[row["district"]]
        districts.append(
            {
                "district": row["district"],
                "usual": row["usual_market_type"],
                "classified": row["years_classified"],
                "counts": _years_by_type(row),
                "years_clear": row["years_clear"],
                "latest_year": row["latest_year"],
                "latest": shown,
                "pools": [
                    _interval(row, name) | {"period": row[f"{name}_period"]}
                    for name in ("recent", "whole")
                    if _known(row[f"{name}_import_share"])
                ],
            }
        )
    return base(result) | {
        "years": int(result.summary["years"].iloc[0]),
        "min_offenders": result.settings.min_offenders,
        "districts": districts,
    }


def _published_latest(result: CountyLinesChapter) -> dict[str, Context]:
    """The latest year of each district as the market table publishes it."""
    published = publishable_markets(result.markets, result.settings)
    latest = published[published["financial_year"] == published["financial_year"].max()]
    out = {}
    for row in latest.to_dict(orient="records"):
        out[row["district"]] = {
            "type": row["market_type"] if _known(row["market_type"]) else None,
            "certainty": row["certainty"] if _known(row["certainty"]) else None,
            "offenders": row["supply_offenders"] if _known(row["supply_offenders"]) else None,
            "share": row["import_share"] if _known(row["import_share"]) else None,
            "lower": row["import_lower_95"],
            "upper": row["import_upper_95"],
        }
    return out


def power(result: CountyLinesChapter) -> Context:
    """Districts uncertain in most classified years yet clear over the whole period pooled."""
    summary = result.summary
    shifted = summary[
        (summary["years_uncertain"] * 2 > summary["years_classified"])
        & (summary["whole_certainty"] == CLEAR)
    ]
    return base(result) | {
        "threshold": result.settings.import_threshold,
        "districts": [
            {
                "district": row["district"],
                "per_year": round(row["whole_supply_offenders"] / row["years"]),
                "uncertain": row["years_uncertain"],
                "classified": row["years_classified"],
                "type": row["whole_market_type"],
                "period": row["whole_period"],
            }
            for row in _rows(shifted)
        ],
    }


def origins(result: CountyLinesChapter, publishable: pd.DataFrame) -> Context:
    """The leading published origins of each importing district (suppressed ones skipped)."""
    named = publishable[(publishable["origin"] != OTHER_ORIGINS) & publishable["offenders"].notna()]
    return base(result) | {
        "period": result.recent_period,
        "districts": [
            {
                "district": district,
                "origins": [
                    {"origin": r.origin, "share": float(r.share)}
                    for r in named[named["district"] == district].head(ORIGINS_NAMED).itertuples()
                ],
            }
            for district in result.importing
        ],
    }


def _latest_indicators(result: CountyLinesChapter) -> pd.DataFrame:
    """The latest year's indicators as published (a hidden figure is never the highest)."""
    table = publishable_indicators(result.indicators, result.settings)
    latest = table[table["year"] == table["year"].max()]
    return latest.assign(
        **{c: latest[c].astype(float) for c in latest.columns if str(latest[c].dtype) == "Float64"}
    )


def _highest(latest: pd.DataFrame, column: str) -> pd.Series | None:
    """The row with the highest published value of ``column`` (None if every one is hidden)."""
    shown = latest[column].dropna()
    return None if shown.empty else latest.loc[shown.idxmax()]


def _fields(row: pd.Series | None, **columns: str) -> Context | None:
    """``{name: row[column]}`` for a row, None for no row."""
    return None if row is None else {name: row[column] for name, column in columns.items()}


def indicators(result: CountyLinesChapter) -> Context:
    """The latest year's highest rates, ratio and under-18 share (None where every
    district's figure is hidden), and the force's under-18 share."""
    latest = _latest_indicators(result)
    supply = _highest(latest, "supply_per_1000")
    ratio = _highest(latest, "supply_to_possession")
    young = _highest(latest, "under_18_share")
    whole = result.indicators[result.indicators["year"] == result.indicators["year"].max()]
    force_young = stats.wilson_interval(
        int(whole["supply_under_18"].sum()),
        max(int(whole["supply_offenders_with_age"].sum()), 1),
        result.settings.level,
    )
    return base(result) | {
        "year": int(latest["year"].iloc[0]),
        "top_supply": _fields(
            supply,
            district="district",
            rate="supply_per_1000",
            lower="supply_lower_95",
            upper="supply_upper_95",
        ),
        "top_ratio": _fields(ratio, district="district", ratio="supply_to_possession"),
        "force_young": {
            "share": float(force_young.estimate),
            "lower": float(force_young.lower),
            "upper": float(force_young.upper),
        },
        "top_young": _fields(young, district="district", share="under_18_share"),
        "weapon_linked": int(whole["weapon_linked_supply"].sum()),
        "flagged": int(whole["county_lines_flagged"].sum()),
    }


def trends(result: CountyLinesChapter) -> Context:
    """Per indicator: districts clearly rising, clearly falling, and the rest."""
    table = result.trends
    rows = []
    for indicator, group in table.groupby("indicator", sort=False):
        clear = [
            {
                "direction": direction,
                "districts": [
                    {
                        "district": r.district,
                        "pct": r.pct_change,
                        "lower": r.lower_95,
                        "upper": r.upper_95,
                    }
                    for r in group[group["direction"] == direction].itertuples()
                ],
            }
            for direction in (RISING, FALLING)
        ]
        rows.append(
            {
                "label": INDICATOR_LABELS[indicator],
                "changing": [c for c in clear if c["districts"]],
                "steady": list(group.loc[~group["direction"].isin([RISING, FALLING]), "district"]),
            }
        )
    return base(result) | {"years": table["years"].iloc[0], "indicators": rows}


def violence(result: CountyLinesChapter) -> Context:
    link = result.violence
    if not link.compared:
        return base(result) | {"compared": False}
    return base(result) | {
        "compared": True,
        "importing_rate": link.importing_events / link.importing_population * 1000,
        "home_grown_rate": link.home_grown_events / link.home_grown_population * 1000,
        "link": link,
    }


def overlap(result: CountyLinesChapter) -> Context:
    return base(result) | {"overlap": result.overlap, "hotspot_share": HOTSPOT_SHARE}


def public(result: CountyLinesChapter) -> Context:
    """The real ONS rates, and how the extract's drug offences compare with them."""
    force = result.public[result.public["area_type"] == "force"].sort_values("year")
    check = result.extract_check
    context = base(result) | {
        "first": force.iloc[0].to_dict(),
        "last": force.iloc[-1].to_dict(),
        "years_lower": int((force["vs_england_wales"] == "Lower").sum()),
        "years": len(force),
        "checked": bool(len(check)),
        "same": bool((check["difference"] == 0).all()),
        "biggest": None,
    }
    if len(check):
        biggest = check.loc[check["difference"].abs().idxmax()]
        context["biggest"] = {
            "financial_year": biggest["financial_year"],
            "difference": int(biggest["difference"]),
        }
    return context


def limits(result: CountyLinesChapter) -> Context:
    return base(result)


# -- figures and tables -------------------------------------------------------------------------


def import_shares_chart(result: CountyLinesChapter) -> Context:
    years = result.markets["financial_year"]
    return base(result) | {
        "first_year": years.min(),
        "last_year": years.max(),
        "threshold": result.settings.import_threshold,
        "districts": [
            {
                "district": row["district"],
                "counts": _years_by_type(row),
                "years_clear": row["years_clear"],
            }
            for row in _rows(result.summary)
        ],
    }


def map_chart(result: CountyLinesChapter) -> Context:
    summary = published_summary(result)

    def groups(column: str) -> list[Context]:
        found = (
            {"type": t, "districts": list(summary.loc[summary[column] == t, "district"])}
            for t in MARKET_TYPES
        )
        return [g for g in found if g["districts"]]

    return base(result) | {
        "latest_year": summary["latest_year"].iloc[0],
        "period": result.recent_period,
        "latest": groups("latest_market_type"),
        "recent": groups("recent_market_type"),
        "uncertain_latest": list(summary.loc[summary["latest_certainty"] == UNCERTAIN, "district"]),
        "uncertain_recent": list(summary.loc[summary["recent_certainty"] == UNCERTAIN, "district"]),
    }


def origins_chart(result: CountyLinesChapter, publishable: pd.DataFrame) -> Context:
    """The leading origin of each importing district, as the chart ranks them."""
    context = origins(result, publishable)
    context["leading"] = [
        {"district": d["district"]} | d["origins"][0] for d in context["districts"] if d["origins"]
    ]
    return context


def indicators_chart(result: CountyLinesChapter) -> Context:
    table = result.indicators
    return indicators(result) | {
        "first_year": table["financial_year"].min(),
        "last_year": table["financial_year"].max(),
    }


def public_chart(result: CountyLinesChapter) -> Context:
    return public(result)


def so_what(result: CountyLinesChapter) -> Context:
    """The chapter's opening bullets: market types, violence by market type, and overlap."""
    market = markets(result)
    usual = {d["district"]: d["usual"] for d in market["districts"] if d["classified"]}
    return (
        market
        | violence(result)
        | overlap(result)
        | {
            "importing_districts": [d for d, kind in usual.items() if kind == IMPORTING],
            "home_grown_districts": [d for d, kind in usual.items() if kind == HOME_GROWN],
        }
    )


def captions(result: CountyLinesChapter) -> Context:
    """What the table captions need."""
    chosen = result.settings
    return base(result) | {
        "period": result.recent_period,
        "suppress_up_to": chosen.suppress_counts_up_to,
        "min_events": chosen.min_events_for_rate,
        "first_year": result.overlap.first_year,
        "last_year": result.overlap.last_year,
        "hotspot_share": HOTSPOT_SHARE,
        "suppressed": SUPPRESSED_MARKER,
        "low": LOW_MARKER,
    }


# -- sections resting on too little data ------------------------------------------------------

#: Reasons a section is left out ("not available"); with the others it is shown, with care.
NOT_AVAILABLE = frozenset({"no_rows", "no_origins", "no_rates"})


def gap(result: CountyLinesChapter) -> Context:
    """What ``county_lines/gaps`` needs: the period, the years analysed, the minimums."""
    coverage, chosen = result.coverage, result.settings
    return base(result) | {
        "first_year": coverage.first_year,
        "last_year": coverage.last_year,
        "analysed_first": coverage.years[0],
        "analysed_last": coverage.years[-1],
        "latest_year": int(result.indicators["year"].max()),
        "period": result.recent_period,
        "min_offenders": chosen.min_offenders,
        "min_events": chosen.min_events_for_rate,
    }


def show_gap(out, result: CountyLinesChapter, section: str) -> bool:
    """Say, through the chapter's channel ``out``, that ``section`` rests on too little data
    (section, reason and remedy from ``text/gaps.md.j2``); True when it is left out."""
    reason = result.gaps.get(section)
    if reason is None:
        return False
    context = gap(result)
    parts = [
        out.text(f"county_lines/gaps:{section}", **context),
        out.text(f"county_lines/gaps:{reason}_reason", **context),
        out.text(f"county_lines/gaps:{reason}_remedy", **context),
    ]
    if reason in NOT_AVAILABLE:
        out.not_available(*parts)
        return True
    out.read_with_care(*parts)
    return False
