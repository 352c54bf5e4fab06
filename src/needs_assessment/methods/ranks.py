"""Ranks as ONS ranks police force areas: highest rate first, on unrounded rates, ties shared.

ONS ranks the areas that have a published rate: an area left out (City of London, whose
resident population makes its rates meaningless) or without a rate (a withdrawn figure) is
not counted in "of N". Equal rates share the better rank and the next rank is skipped
(1, 2, =3, =3, 5), as in a published league table.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


def ons_ranks(rates: pd.Series, exclude: Iterable[str] = ()) -> pd.DataFrame:
    """Rank of each area's rate (1 = highest) among the areas ranked.

    ``rates`` is indexed by area; areas in ``exclude`` and missing rates are not ranked.
    Columns: ``rate``, ``rank`` (int), ``tied`` (another area has the same rate) and
    ``of`` (how many areas were ranked), indexed by the ranked areas, best first.
    """
    if rates.index.has_duplicates:
        duplicated = sorted(set(rates.index[rates.index.duplicated()]))
        raise ValueError(f"areas ranked twice: {', '.join(map(str, duplicated))}")
    ranked = rates[~rates.index.isin(list(exclude))].dropna().astype(float)
    frame = pd.DataFrame({"rate": ranked})
    frame["rank"] = ranked.rank(ascending=False, method="min").astype(int)
    frame["tied"] = ranked.duplicated(keep=False)
    frame["of"] = len(ranked)
    return frame.sort_values(["rank"], kind="stable")


def grouped_ons_ranks(
    frame: pd.DataFrame, by: list[str], area: str, rate: str, exclude: Iterable[str] = ()
) -> pd.DataFrame:
    """:func:`ons_ranks` within each group of ``by`` (e.g. category and year).

    Returns ``by``, ``area``, ``rank``, ``tied`` and ``of`` for every ranked row.
    """
    excluded = list(exclude)
    parts = []
    for keys, group in frame.groupby(by, sort=False):
        ranks = ons_ranks(group.set_index(area)[rate], excluded).drop(columns="rate")
        values = keys if isinstance(keys, tuple) else (keys,)
        parts.append(ranks.reset_index(names=area).assign(**dict(zip(by, values, strict=True))))
    if not parts:
        return pd.DataFrame(columns=[*by, area, "rank", "tied", "of"])
    return pd.concat(parts, ignore_index=True)[[*by, area, "rank", "tied", "of"]]


def ordinal(number: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= number % 100 <= 20 else SUFFIXES.get(number % 10, "th")
    return f"{number}{suffix}"


def rank_label(rank: int, tied: bool) -> str:
    """'3rd', or '=3rd' when the rank is shared."""
    return ("=" if tied else "") + ordinal(int(rank))
