"""The context each costs template needs: numbers, lists and flags, never sentences.

One function per template (``text/<name>.md.j2``); money is passed in pounds and in
millions (``*_m``) so a template never computes. A figure's template has an ``alt`` and
a ``caption`` block and takes the same context for both.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from needs_assessment.chapters.costs.analysis import (
    DEFLATOR_SOURCE,
    PER,
    RESPONSE,
    TOTAL,
    UNIT_COST_SOURCE,
    CostsChapter,
)
from needs_assessment.chapters.costs.results import latest_rows
from needs_assessment.config import AssessmentConfig, financial_year_label
from needs_assessment.force_series import NATIONAL, PEERS, significant

Context = dict[str, Any]
MILLION = 1_000_000
#: Significant figures of a unit cost quoted in a sentence (the homicide total is known
#: to £0.1m only, and uprating adds no precision).
UNIT_COST_FIGURES = 3


def millions(value: float | None) -> float | None:
    return None if value is None or pd.isna(value) else float(value) / MILLION


def base(result: CostsChapter, config: AssessmentConfig) -> Context:
    """What every costs template may quote: the area, the latest year and the prices."""
    prices = result.prices
    return {
        "area": config.area.display_name,
        "latest_year": financial_year_label(result.latest_year),
        "prices": None if prices is None else prices.label,
        "price_base": None if prices is None else prices.base_label,
        "uprated": bool(prices and prices.uprated),
        "per": PER,
        "costed_labels": _costed_labels(result),
    }


def intro(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/intro``: what is costed, from what, and why it is a lower bound."""
    return base(result, config) | {"unit_cost_source": UNIT_COST_SOURCE}


def so_what(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/so_what``: the headline cost, per residents, and what it leaves out."""
    return headline(result, config) | {"categories": result.uncosted}


def headline(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/headline``: the latest year's full cost by category, and per residents."""
    rows = latest_rows(result)
    areas = result.areas[result.areas["financial_year"] == result.latest_year].set_index(
        "area_type"
    )
    return base(result, config) | {
        "total_m": millions(rows["cost_gbp"].sum()),
        "rows": [
            {
                "label": r.label,
                "count": int(r.count),
                "unit_cost": significant([r.unit_cost_gbp], UNIT_COST_FIGURES)[0],
                "cost_m": millions(r.cost_gbp),
            }
            for r in rows.itertuples()
        ],
        "force_per": _per(areas, "force"),
        "peers_per": _per(areas, "peers"),
        "national_per": _per(areas, "national"),
        "peers_name": PEERS,
        "national_name": NATIONAL,
        "peer_names": result.peers,
    }


def _per(areas: pd.DataFrame, area_type: str) -> float | None:
    return float(areas.loc[area_type, "cost_per_1000"]) if area_type in areas.index else None


def response(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/response``: the police and criminal-justice cost where its shares are
    sourced; the categories where they are not."""
    frame = result.by_category
    latest = frame[frame["financial_year"] == result.latest_year]
    rows = []
    for category in result.response_categories:
        part = latest[latest["category"] == category].set_index("component")
        rows.append(
            {
                "label": result.labels[category],
                "count": int(part.loc[TOTAL, "count"]),
                "police_m": millions(part.loc["police", "cost_gbp"]),
                "justice_m": millions(part.loc["criminal_justice", "cost_gbp"]),
                "both_m": millions(part.loc[list(RESPONSE), "cost_gbp"].sum()),
                "police_unit": float(part.loc["police", "unit_cost_gbp"]),
                "justice_unit": float(part.loc["criminal_justice", "unit_cost_gbp"]),
            }
        )
    without = [
        label for key, label in _costed_items(result) if key not in result.response_categories
    ]
    return base(result, config) | {"rows": rows, "without": without}


def uncosted(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/uncosted``: categories with no unit cost, and unit costs with no category."""
    return base(result, config) | {
        "categories": result.uncosted,
        "unused": result.unused_unit_costs,
    }


def prices(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/prices``: the price base, the uprating factor, its method and source."""
    context = base(result, config) | {
        "source": DEFLATOR_SOURCE,
        "chosen_base": config.costs.prices == "base",
        "deflator_missing": result.deflator_missing,
    }
    factor = None if result.prices is None else result.prices.uprating
    if factor is None:
        return context | {"factor": None}
    return context | {
        "factor": factor.factor,
        "from_index": factor.from_index,
        "to_index": factor.to_index,
        "to_year": financial_year_label(factor.to_year),
        "capped": factor.to_year < result.latest_year,
    }


def local(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/local``: the local definition's costed part in the latest year."""
    frame = result.local
    row = frame[frame["financial_year"] == result.latest_year].iloc[0]
    return base(result, config) | {
        "label": result.labels["local_serious_violence"],
        "offences": int(row["offences"]),
        "costed_offences": int(row["costed_offences"]),
        "uncosted_offences": int(row["uncosted_offences"]),
        "cost_m": millions(row["cost_gbp"]),
        "uncosted_codes": list(dict.fromkeys(result.local_uncosted_codes.values())),
    }


def category_chart(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/category_chart``: the years drawn, the latest total and the largest part."""
    frame = result.by_category[result.by_category["component"] == TOTAL]
    latest = frame[frame["financial_year"] == result.latest_year]
    top = latest.loc[latest["cost_gbp"].idxmax()]
    return base(result, config) | {
        "first_year": financial_year_label(int(frame["financial_year"].min())),
        "total_m": millions(latest["cost_gbp"].sum()),
        "largest": top["label"],
        "largest_share": float(top["cost_gbp"] / latest["cost_gbp"].sum()),
    }


def areas_chart(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/areas_chart``: the force's cost per residents against the benchmarks."""
    areas = result.areas[result.areas["financial_year"] == result.latest_year].set_index(
        "area_type"
    )
    return base(result, config) | {
        "first_year": financial_year_label(int(result.areas["financial_year"].min())),
        "force_per": _per(areas, "force"),
        "peers_per": _per(areas, "peers"),
        "national_per": _per(areas, "national"),
    }


def districts(result: CostsChapter, config: AssessmentConfig, published: pd.DataFrame) -> Context:
    """``costs/districts``, ``costs/districts_chart`` and ``costs/districts_table``: the
    highest and lowest published cost per residents for each category."""
    rows = []
    for _, group in published.groupby("category", sort=False):
        shown = group.dropna(subset=["cost_per_1000"])
        if shown.empty:
            rows.append({"label": group["label"].iloc[0], "shown": False})
            continue
        top = shown.loc[shown["cost_per_1000"].idxmax()]
        low = shown.loc[shown["cost_per_1000"].idxmin()]
        rows.append(
            {
                "label": top["label"],
                "shown": True,
                "highest": {"area": top["area"], "per": float(top["cost_per_1000"])},
                "lowest": {"area": low["area"], "per": float(low["cost_per_1000"])},
            }
        )
    tier = result.extract_tier
    return base(result, config) | {
        "year": published["year_label"].iloc[0],
        "rows": rows,
        "any_shown": any(row["shown"] for row in rows),
        "tier": tier.label,
        "synthetic": tier.synthetic,
        "synthetic_tag": tier.tag,
        "suppress_up_to": config.thresholds.suppress_counts_up_to,
        "min_events": config.thresholds.min_events_for_rate,
    }


def table_caption(result: CostsChapter, config: AssessmentConfig) -> Context:
    """Any costs table's caption (``costs/*_table``)."""
    return base(result, config)


def gap(result: CostsChapter, config: AssessmentConfig) -> Context:
    """``costs/gap_*``: the section a missing input leaves out (blocks section, reason,
    remedy)."""
    return base(result, config)


def _costed_items(result: CostsChapter) -> list[tuple[str, str]]:
    if result.by_category is None:
        return []
    frame = result.by_category.drop_duplicates("category")
    return list(zip(frame["category"], frame["label"], strict=True))


def _costed_labels(result: CostsChapter) -> list[str]:
    return [label for _, label in _costed_items(result)]
