"""The cost of crime: counts times unit costs, uprated from the price base by a deflator."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Uprating:
    """From the unit costs' price base to the prices of ``to_year`` (financial years)."""

    from_year: int
    to_year: int
    from_index: float
    to_index: float

    @property
    def factor(self) -> float:
        return self.to_index / self.from_index


def uprating(deflator: pd.DataFrame, from_year: int, to_year: int) -> Uprating:
    """The factor between two financial years of a deflator (``financial_year``, ``deflator``).

    When ``to_year`` is past the deflator's last full year, the last full year is used (and
    the returned ``to_year`` says so).
    """
    index = deflator.set_index("financial_year")["deflator"]
    if from_year not in index.index:
        raise ValueError(f"the deflator has no value for the price base {from_year}")
    target = min(to_year, int(index.index.max()))
    return Uprating(from_year, target, float(index.loc[from_year]), float(index.loc[target]))


def costs(
    counts: pd.DataFrame, unit_costs: pd.DataFrame, mapping: dict[str, str], factor: float = 1.0
) -> pd.DataFrame:
    """Cost by category, year and component: count x unit cost x ``factor``.

    ``counts`` has ``category``, ``financial_year``, ``count``; ``unit_costs`` has
    ``offence``, ``component``, ``unit_cost_gbp``; ``mapping`` is category -> offence. A
    category without a unit cost for a component gets no row for it (listed by
    :func:`uncosted`), never a zero.
    """
    offences = pd.Series(mapping, name="offence").rename_axis("category").reset_index()
    frame = counts.merge(offences, on="category").merge(unit_costs, on="offence")
    frame["unit_cost_gbp"] = frame["unit_cost_gbp"].astype(float) * factor
    frame["cost_gbp"] = frame["count"].astype(float) * frame["unit_cost_gbp"]
    columns = [
        "category",
        "offence",
        "component",
        "financial_year",
        "count",
        "unit_cost_gbp",
        "cost_gbp",
    ]
    return (
        frame[columns]
        .sort_values(["category", "component", "financial_year"])
        .reset_index(drop=True)
    )


def uncosted(categories: list[str], unit_costs: pd.DataFrame, mapping: dict[str, str]) -> list[str]:
    """The categories with no total unit cost (shown on the page, never silently dropped)."""
    with_total = set(unit_costs.loc[unit_costs["component"] == "total", "offence"])
    return [c for c in categories if mapping.get(c) not in with_total]
