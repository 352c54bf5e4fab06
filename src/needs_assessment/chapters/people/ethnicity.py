"""Racial disproportionality: victims and offenders per resident of each broad ethnic group
(Census 2021), and the rate ratio of each group against the White group.

Numerators: the chapter's offences in the last :data:`WINDOW` financial years of the
extract (the years around Census day, 21 March 2021, when the extract reaches them), each
victim (offender) with a recorded ethnic group; those not recorded are counted and shown
beside every figure. Denominators: Census 2021 usual residents of the area's 2021 LSOAs,
times the number of years. Rate ratios against the White group use the log method
(:func:`stats.rate_ratio_interval`; standard error sqrt(1/a + 1/b), which is Katz's log
interval with populations this large). Under-25s: Census 2021 ethnic group by LSOA has no
age, so the all-ages residents of each group stand in as the denominator (a younger group
shows a higher ratio for that reason alone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs_assessment.methods import stats
from needs_assessment.sources.census_ethnicity import BROAD_GROUPS, REFERENCE_GROUP

WINDOW = 3
YOUNG = 25
ROLES = ("victim", "offender")


@dataclass(frozen=True)
class Disproportionality:
    years: list[int]
    residents: pd.DataFrame  # ethnic_group, residents (area)
    lsoas: int
    rates: pd.DataFrame  # role, ages, ethnic_group, count, residents, rate, lower, upper, ratio...
    recording: pd.DataFrame  # role, ages, people, not_recorded, share, lower, upper
    districts: pd.DataFrame  # role, code, district, ethnic_group, count, residents, rate ...
    missing: tuple[str, ...]  # roles whose ethnicity column the extract lacks

    @property
    def roles(self) -> list[str]:
        return [r for r in ROLES if r not in self.missing]


def area_residents(census: pd.DataFrame, districts: dict[str, str]) -> pd.DataFrame:
    """The area's 2021 LSOAs: ``lsoa21_code, district_code, ethnic_group, residents``."""
    return census[census["district_code"].isin(list(districts))].reset_index(drop=True)


def disproportionality(
    extract: pd.DataFrame, census: pd.DataFrame, districts: dict[str, str], level: float
) -> Disproportionality | None:
    """Rates and ratios for each role with an ethnicity column (None if neither has one)."""
    roles = [r for r in ROLES if f"{r}_ethnic_group" in extract.columns]
    if not roles:
        return None
    lsoas = area_residents(census, districts)
    years = sorted(int(y) for y in extract["year"].unique())[-WINDOW:]
    recent = extract[extract["year"].isin(years)]
    groups = list(BROAD_GROUPS)
    residents = lsoas.groupby("ethnic_group")["residents"].sum().reindex(groups, fill_value=0)
    rates, recording, by_district = [], [], []
    for role in roles:
        people = _people(recent, role)
        for ages, rows in (("all ages", people), ("under 25", people[people["age"] < YOUNG])):
            rates.append(_rates(rows, residents, len(years), level).assign(role=role, ages=ages))
            recording.append(_recording(rows, role, ages))
        by_district.append(
            _districts(people, lsoas, districts, len(years), level).assign(role=role)
        )
    recorded = pd.DataFrame(recording)
    share = stats.wilson_interval(recorded["not_recorded"], recorded["people"].clip(lower=1), level)
    recorded["share"], recorded["lower"], recorded["upper"] = share
    return Disproportionality(
        years=years,
        residents=residents.rename("residents").reset_index(),
        lsoas=int(lsoas["lsoa21_code"].nunique()),
        rates=pd.concat(rates, ignore_index=True),
        recording=recorded,
        districts=pd.concat(by_district, ignore_index=True),
        missing=tuple(r for r in ROLES if r not in roles),
    )


def _people(extract: pd.DataFrame, role: str) -> pd.DataFrame:
    known = extract[f"{role}_sex"].notna() | extract[f"{role}_age"].notna()
    rows = extract[known]
    return pd.DataFrame(
        {
            "group": rows[f"{role}_ethnic_group"],
            "age": rows[f"{role}_age"],
            "code": rows["district_code"],
        }
    )


def _rates(rows: pd.DataFrame, residents: pd.Series, years: int, level: float) -> pd.DataFrame:
    counts = rows["group"].value_counts().reindex(residents.index, fill_value=0)
    frame = pd.DataFrame(
        {
            "ethnic_group": residents.index,
            "count": counts.to_numpy(),
            "residents": residents.to_numpy(),
        }
    )
    return _with_rates_and_ratios(frame, years, level)


def _with_rates_and_ratios(frame: pd.DataFrame, years: int, level: float) -> pd.DataFrame:
    """Rate per 1,000 residents a year, and the ratio to the White group's rate."""
    person_years = frame["residents"].to_numpy(dtype=float) * years
    safe = np.where(person_years > 0, person_years, 1.0)
    rate, lower, upper = stats.rate_interval(
        frame["count"].to_numpy(dtype=float), safe, 1000, level
    )
    white = frame[frame["ethnic_group"] == REFERENCE_GROUP].iloc[0]
    ratio = stats.rate_ratio_interval(
        frame["count"].to_numpy(dtype=float),
        safe,
        np.full(len(frame), float(white["count"])),
        np.full(len(frame), max(float(white["residents"]) * years, 1.0)),
        level,
    )
    empty = person_years == 0
    return frame.assign(
        rate=np.where(empty, np.nan, rate),
        lower=np.where(empty, np.nan, lower),
        upper=np.where(empty, np.nan, upper),
        ratio=np.where(empty, np.nan, ratio.estimate),
        ratio_lower=np.where(empty, np.nan, ratio.lower),
        ratio_upper=np.where(empty, np.nan, ratio.upper),
    )


def _recording(rows: pd.DataFrame, role: str, ages: str) -> dict:
    return {
        "role": role,
        "ages": ages,
        "people": len(rows),
        "not_recorded": int(rows["group"].isna().sum()),
    }


def _districts(people, lsoas, districts: dict[str, str], years: int, level: float) -> pd.DataFrame:
    frames = []
    for code, name in districts.items():
        residents = (
            lsoas[lsoas["district_code"] == code]
            .groupby("ethnic_group")["residents"]
            .sum()
            .reindex(list(BROAD_GROUPS), fill_value=0)
        )
        rates = _rates(people[people["code"] == code], residents, years, level)
        frames.append(rates.assign(code=code, district=name))
    return pd.concat(frames, ignore_index=True)
