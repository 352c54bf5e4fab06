"""The demonstration extract's optional columns about people, with planted patterns.

Drawn after every existing column, from streams of their own (``SeedSequence([seed, year,
PEOPLE_STREAM, step])``), so the existing columns stay byte-for-byte as they were.

- **Ethnicity** (:data:`RATE_RATIO`): the group of a victim or an identified offender is
  drawn with ``P(group) ∝ Census 2021 share of the area's residents x planted rate
  ratio``, so the rate per resident of each group, over the White group's, comes out as the
  planted ratio (victims: Black 2.0, Mixed 1.5; offenders: Black 3.0, Mixed 1.8). Age and
  ethnicity are drawn independently, so the same ratios hold for under-25s.
  :data:`NOT_RECORDED` of them have no ethnicity (blank); :data:`DETAILED_SHARE` of the
  rest carry a detailed code (drawn by the area's Census 2021 detailed shares), the others
  the broad letter.
- **Domestic abuse** (:data:`DOMESTIC_ABUSE_RATE` per offence code; never on victimless
  offences).
- **Pseudonymous ids** (:data:`REPEATS`): per year, a share ``q`` of the offences with a
  known victim (offender) go to a small pool of repeat people (``pool`` x the number of
  such offences, about ``q / pool`` offences each); every other offence has a person of its
  own. The share of offences involving the most frequent 5% of people is then about
  :func:`expected_top_share` (victims 22%, offenders 31%). Ids are ``DV`` / ``DO``, the
  year and 8 hex digits, unique within the extract; they are drawn independently of age,
  sex and ethnicity (illustrative). :data:`ID_NOT_KNOWN` have no id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs_assessment.demo.settings import VICTIMLESS
from needs_assessment.sources import census_ethnicity

PEOPLE_STREAM = 100
_STEPS = {"victim_ethnicity": 1, "offender_ethnicity": 2, "domestic": 3, "victim_id": 4,
          "offender_id": 5}  # fmt: skip
#: Planted rate ratio against the White group (rate per resident of the group).
RATE_RATIO = {
    "victim": {"white": 1.0, "asian": 0.8, "black": 2.0, "mixed": 1.5, "other": 1.0},
    "offender": {"white": 1.0, "asian": 0.9, "black": 3.0, "mixed": 1.8, "other": 1.2},
}
#: Share of victims / identified offenders with no ethnicity recorded (blank).
NOT_RECORDED = {"victim": 0.20, "offender": 0.12}
#: Share of recorded ethnicities given as a detailed code (the rest: the broad letter).
DETAILED_SHARE = 0.7
#: P(domestic_abuse = Y) by Home Office code (others with a victim: DEFAULT_DOMESTIC_ABUSE).
DOMESTIC_ABUSE_RATE = {
    "1/4.1/4.10/4.2": 0.20, "2": 0.10, "5D": 0.15, "5E": 0.15, "8N": 0.35, "8P": 0.25,
    "105A": 0.40, "105B": 0.30, "8S": 0.0, "104": 0.0, "34A": 0.0, "34B": 0.02,
}  # fmt: skip
DEFAULT_DOMESTIC_ABUSE = 0.20
#: (share of offences that go to repeat people, pool size as a share of those offences).
REPEATS = {"victim": (0.20, 0.02), "offender": (0.30, 0.03)}
ID_NOT_KNOWN = {"victim": 0.05, "offender": 0.03}
ID_PREFIX = {"victim": "DV", "offender": "DO"}
_MULTIPLIER = 2_654_435_761  # odd, so number -> number * M mod 2**32 is one-to-one


@dataclass(frozen=True)
class PeopleInputs:
    """The area's Census 2021 shares: broad group -> share, and detailed code -> share
    within its broad group."""

    broad_shares: Mapping[str, float]
    detailed_shares: Mapping[str, Mapping[str, float]]


def census_shares(
    lsoas: pd.DataFrame, detailed: pd.DataFrame, districts: Mapping[str, str]
) -> PeopleInputs:
    """Shares from the area's 2021 LSOAs (:func:`census_ethnicity.area_lsoas`) and the
    detailed district table (:func:`census_ethnicity.read_district_detailed`)."""
    broad = lsoas.groupby("ethnic_group")["residents"].sum()
    broad = broad.reindex(list(census_ethnicity.BROAD_GROUPS), fill_value=0)
    area = detailed[detailed["district_code"].isin(list(districts))]
    within = {}
    for group, rows in area.groupby("ethnic_group"):
        counts = rows.groupby("code")["residents"].sum().sort_index()
        within[str(group)] = {str(c): float(v / counts.sum()) for c, v in counts.items()}
    return PeopleInputs({str(g): float(v / broad.sum()) for g, v in broad.items()}, within)


def expected_top_share(who: str, top: float = 0.05) -> float:
    """The planted share of offences involving the most frequent ``top`` of people."""
    repeat, pool = REPEATS[who]
    return repeat + top * (1 - repeat + pool) - pool


def add_columns(rows: pd.DataFrame, people: PeopleInputs, seed: int, year: int) -> None:
    """Add the optional columns to one year's ordered rows (in place)."""

    def rng(step: str) -> np.random.Generator:
        key = [int(seed), int(year), PEOPLE_STREAM, _STEPS[step]]
        return np.random.default_rng(np.random.SeedSequence(key))

    victim = (rows["victim_sex"] != "").to_numpy() & ~rows["_category"].isin(VICTIMLESS).to_numpy()
    offender = (rows["offender_sex"] != "").to_numpy()
    rows["victim_ethnicity"] = _ethnicity(rng("victim_ethnicity"), victim, people, "victim")
    rows["offender_ethnicity"] = _ethnicity(rng("offender_ethnicity"), offender, people, "offender")
    rows["domestic_abuse"] = _domestic(rng("domestic"), rows, victim)
    rows["victim_id"] = _ids(rng("victim_id"), victim, year, "victim")
    rows["offender_id"] = _ids(rng("offender_id"), offender, year, "offender")


def _ethnicity(rng, eligible: np.ndarray, people: PeopleInputs, who: str) -> np.ndarray:
    groups = list(census_ethnicity.BROAD_GROUPS)
    weights = np.asarray([people.broad_shares[g] * RATE_RATIO[who][g] for g in groups])
    n = len(eligible)
    group = np.asarray(groups, dtype=object)[
        rng.choice(len(groups), size=n, p=weights / weights.sum())
    ]
    recorded = eligible & (rng.random(n) >= NOT_RECORDED[who])
    detailed = rng.random(n) < DETAILED_SHARE
    draws = rng.random(n)
    out = np.full(n, "", dtype=object)
    for key in groups:
        mask = recorded & (group == key)
        letter = census_ethnicity.BROAD_GROUPS[key][0]
        codes = people.detailed_shares.get(key, {letter: 1.0})
        cdf = np.cumsum(list(codes.values()))
        picked = np.asarray(list(codes), dtype=object)[
            np.minimum(np.searchsorted(cdf / cdf[-1], draws[mask], side="right"), len(cdf) - 1)
        ]
        out[mask] = np.where(detailed[mask], picked, letter)
    return out


def _domestic(rng, rows: pd.DataFrame, victim: np.ndarray) -> np.ndarray:
    rate = rows["home_office_code"].map(DOMESTIC_ABUSE_RATE).fillna(DEFAULT_DOMESTIC_ABUSE)
    flag = victim & (rng.random(len(rows)) < rate.to_numpy(dtype="float64"))
    return np.where(flag, "Y", "N").astype(object)


def _ids(rng, eligible: np.ndarray, year: int, who: str) -> np.ndarray:
    """Pseudonyms: a pool of repeat people and one person per other offence."""
    n = len(eligible)
    known = eligible & (rng.random(n) >= ID_NOT_KNOWN[who])
    repeat_share, pool_share = REPEATS[who]
    pool = max(1, math.floor(pool_share * int(known.sum()) + 0.5))
    repeat = rng.random(n) < repeat_share
    member = rng.integers(0, pool, size=n)
    single = pool + np.cumsum(known & ~repeat) - 1
    number = np.where(repeat, member, single).astype("uint64")
    hashed = (number * np.uint64(_MULTIPLIER) + np.uint64(year)) % np.uint64(2**32)
    ids = np.asarray(
        [f"{ID_PREFIX[who]}{year % 100:02d}{int(h):08X}" for h in hashed], dtype=object
    )
    return np.where(known, ids, "").astype(object)
