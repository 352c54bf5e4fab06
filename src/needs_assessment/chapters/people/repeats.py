"""Repeat victimisation and offending: the share of offences involving the most frequent
5% of victims (offenders), counted from the force's pseudonymous ids.

Every offence of the extract with an id counts (not only the chapter's scope), over the
whole period and in the latest year. People are ranked by their number of offences; the
top ``ceil(5% x people)`` are "the most frequent 5%" (ties at the cut do not change the
sum). Ids never leave this module: only counts do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

TOP = 0.05
ROLES = ("victim", "offender")


@dataclass(frozen=True)
class Concentration:
    role: str
    period: str  # "all years" or a financial year
    people: int
    offences: int
    top_people: int
    top_offences: int
    repeat_people: int  # with two or more offences

    @property
    def top_share(self) -> float:
        return self.top_offences / self.offences if self.offences else math.nan


@dataclass(frozen=True)
class Repeats:
    roles: dict[str, list[Concentration]]  # role -> [all years, latest year]
    missing: tuple[str, ...]  # roles without an id column


def repeats(extract: pd.DataFrame) -> Repeats | None:
    """Concentration for each role whose id column the extract has (None if neither)."""
    roles = {}
    for role in ROLES:
        column = f"{role}_id"
        if column in extract.columns:
            latest = int(extract["year"].max())
            roles[role] = [
                concentration(extract[column], role, "all years"),
                concentration(
                    extract.loc[extract["year"] == latest, column],
                    role,
                    f"{latest}/{(latest + 1) % 100:02d}",
                ),
            ]
    if not roles:
        return None
    return Repeats(roles, tuple(r for r in ROLES if r not in roles))


def concentration(ids: pd.Series, role: str, period: str, top: float = TOP) -> Concentration:
    """How many offences the most frequent ``top`` share of people are involved in."""
    counts = ids.dropna().value_counts()
    people = len(counts)
    top_people = math.ceil(top * people)
    return Concentration(
        role=role,
        period=period,
        people=people,
        offences=int(counts.sum()),
        top_people=top_people,
        top_offences=int(counts.iloc[:top_people].sum()),
        repeat_people=int((counts >= 2).sum()),
    )
