"""The costs chapter's published tables: human headers, money in pounds, disclosure control.

The CSVs keep unrounded pounds; the tables on the page show whole pounds or millions.
District costs are derived from counts (cost / unit cost = count), so they pass the same
small-count suppression as the counts.
"""

from __future__ import annotations

import pandas as pd

from needs_assessment.chapters.costs.analysis import PER, TOTAL, CostsChapter
from needs_assessment.config import Thresholds
from needs_assessment.methods.disclosure import suppress_small_counts
from needs_assessment.presentation.text import number, per, thousands

COMPONENT_NAMES = {
    "total": "Full cost (anticipation, consequences, response)",
    "police": "Police (response)",
    "criminal_justice": "Criminal justice system excluding police (response)",
}


def pounds(value) -> str:
    return "–" if value is None or pd.isna(value) else f"£{thousands(value)}"


def pounds_m(value) -> str:
    return "–" if value is None or pd.isna(value) else f"£{number(value / 1_000_000, 1)}m"


def unit_cost_table(result: CostsChapter) -> pd.DataFrame:
    """The unit costs used, at their price base and at the prices shown, with where each
    figure was verified."""
    frame = result.unit_costs
    prices = result.prices
    shown = {
        "Offence": frame["offence"],
        "Component": frame["component"].map(COMPONENT_NAMES),
        f"Unit cost ({prices.base_label} prices)": frame["unit_cost_gbp"].map(pounds),
    }
    if prices.uprated:
        shown[f"Unit cost ({prices.label} prices)"] = (
            frame["unit_cost_gbp"].astype(float) * prices.factor
        ).map(pounds)
    shown["Verified from"] = frame["verified_from"]
    return pd.DataFrame(shown)


def unit_cost_csv(result: CostsChapter) -> pd.DataFrame:
    prices = result.prices
    return result.unit_costs.assign(
        prices=prices.label,
        unit_cost_at_prices_gbp=result.unit_costs["unit_cost_gbp"] * prices.factor,
    )


def category_csv(result: CostsChapter) -> pd.DataFrame:
    frame = result.by_category.assign(prices=result.prices.label)
    return frame[
        [
            "category",
            "label",
            "offence",
            "component",
            "financial_year",
            "year_label",
            "count",
            "unit_cost_gbp",
            "cost_gbp",
            "prices",
        ]
    ]


def category_table(result: CostsChapter) -> pd.DataFrame:
    """Full cost by financial year (rows) and costed category (columns), £ millions."""
    frame = result.by_category[result.by_category["component"] == TOTAL]
    wide = frame.pivot(index="year_label", columns="label", values="cost_gbp")
    wide = wide[list(dict.fromkeys(frame["label"]))]
    wide["All costed categories"] = wide.sum(axis=1)
    return wide.map(pounds_m).reset_index().rename(columns={"year_label": "Financial year"})


def response_table(result: CostsChapter) -> pd.DataFrame:
    """Police and criminal-justice cost by year for the categories whose shares are sourced."""
    frame = result.by_category
    frame = frame[frame["category"].isin(result.response_categories)]
    wide = frame.pivot_table(
        index=["label", "year_label"], columns="component", values="cost_gbp", aggfunc="sum"
    )
    shown = pd.DataFrame(
        {
            "Police": wide["police"].map(pounds_m),
            "Criminal justice system": wide["criminal_justice"].map(pounds_m),
            "Police and criminal justice": (wide["police"] + wide["criminal_justice"]).map(
                pounds_m
            ),
            "Full cost": wide["total"].map(pounds_m),
        }
    )
    return shown.reset_index().rename(columns={"label": "Category", "year_label": "Financial year"})


def areas_table(result: CostsChapter) -> pd.DataFrame:
    """Full cost and cost per residents by year: the force, peers, England and Wales."""
    frame = result.areas
    wide = frame.pivot(index="year_label", columns="area", values="cost_per_1000")
    wide = wide[list(dict.fromkeys(frame["area"]))].map(pounds)
    wide.columns = [f"{area} ({per(PER)} residents)" for area in wide.columns]
    return wide.reset_index().rename(columns={"year_label": "Financial year"})


def local_table(result: CostsChapter) -> pd.DataFrame:
    frame = result.local
    return pd.DataFrame(
        {
            "Financial year": frame["year_label"],
            "Offences (local definition)": frame["offences"],
            "Costed offences": frame["costed_offences"],
            "Offences without a unit cost": frame["uncosted_offences"],
            "Full cost of the costed offences": frame["cost_gbp"].map(pounds_m),
        }
    )


def publishable_districts(frame: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """District costs after disclosure control: the force count per category is public,
    so a lone suppressed district gets a second one hidden; no cost per residents from
    fewer than ``min_events_for_rate`` offences."""
    derived = {"cost_gbp": "count", "cost_per_1000": "count"}
    return suppress_small_counts(
        frame,
        ["count"],
        thresholds.suppress_counts_up_to,
        total_groups=["category", "financial_year"],
        derived_columns=derived,
        min_events_for_rate=thresholds.min_events_for_rate,
    )


def district_csv(published: pd.DataFrame) -> pd.DataFrame:
    keep = [
        "district_code",
        "area",
        "category",
        "label",
        "financial_year",
        "year_label",
        "count",
        "count_marker",
        "unit_cost_gbp",
        "cost_gbp",
        "cost_gbp_marker",
        "population",
        "population_year",
        "cost_per_1000",
        "cost_per_1000_marker",
        "source_tier",
    ]
    return published[keep]


def district_table(published: pd.DataFrame) -> pd.DataFrame:
    """Cost per residents by district (rows) and category (columns); a blanked cell shows
    its marker ([c] or [low])."""

    def cell(row) -> str:
        if pd.isna(row.cost_per_1000):
            return str(row.cost_per_1000_marker)
        return pounds(row.cost_per_1000)

    shown = published.assign(value=[cell(r) for r in published.itertuples()])
    wide = shown.pivot(index="area", columns="label", values="value")
    wide = wide[list(dict.fromkeys(shown["label"]))]
    wide.columns = [f"{label} ({per(PER)} residents)" for label in wide.columns]
    year = published["year_label"].iloc[0]
    return wide.reset_index().rename(columns={"area": f"District ({year})"})
