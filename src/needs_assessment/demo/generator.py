"""The seeded generator of the demonstration extract: pure, from its inputs and a seed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from needs_assessment.config import financial_year_label
from needs_assessment.demo.people import PeopleInputs, add_columns
from needs_assessment.demo.settings import (
    _STEPS,
    AGE_BANDS,
    CATEGORIES,
    CATEGORY_CRIME_TYPE,
    COUNTY_LINES_RATE,
    DEFAULT_IMPORT_SHARE,
    DEFAULT_KNIFE_WEIGHT,
    DEFAULT_VICTIM,
    DISTRICT_ORIGIN_PROFILE,
    DRUG_SUPPLY_CODES,
    FIREARM_RATES,
    HOURS,
    IMPORT_ORIGINS,
    KNIFE,
    KNIFE_WEIGHTS,
    LOCAL_SAME_DISTRICT,
    LSOA_FLOOR_SHARE,
    NEIGHBOUR_ORIGINS,
    OFFENDER_PROFILE,
    OTHER_OUTSIDE_SHARE,
    OTHER_UNKNOWN_HOME_SHARE,
    POSTCODE_DISTRICTS,
    PROFILE,
    REFERENCE_PREFIX,
    SEASON,
    SUPPLY_IMPORT_SHARE,
    SUPPLY_OFFENDER_MALE_SHARE,
    SUPPLY_UNDER_18_SHARE,
    SUPPLY_UNKNOWN_HOME_SHARE,
    SYNTHETIC_LABEL,
    UNKNOWN_HOUR_SHARE,
    UNKNOWN_SEX_SHARE,
    VICTIM_PROFILE,
    VICTIM_UNKNOWN_AGE_SHARE,
    VICTIMLESS,
    WEEKDAY,
)
from needs_assessment.sources import force_extract


def generate(
    annual_totals: pd.DataFrame,
    lsoa_weights: pd.DataFrame,
    code_shares: Mapping[str, Mapping[str, float]],
    lsoa_districts: Mapping[str, str],
    *,
    knife_codes: Iterable[str] = tuple(KNIFE_WEIGHTS),
    firearm_codes: Iterable[str] = tuple(FIREARM_RATES),
    seed: int,
    people: PeopleInputs | None = None,
) -> pd.DataFrame:
    """A synthetic extract in the force-extract schema, as text columns ("" = blank).

    ``annual_totals``: ``year, category, count`` (categories of :data:`CATEGORIES`; rows
    for ``knife_crime`` give how many knife-eligible rows to flag ``sharp_instrument``);
    ``lsoa_weights``: counts per LSOA (index) and police.uk crime type (columns);
    ``code_shares``: category -> {Home Office code: share}; ``lsoa_districts``: LSOA ->
    district code; ``people``: the Census shares for the optional columns about people
    (left out when None). Pure: the same inputs and seed give the same frame.
    """
    totals = annual_totals.set_index(["year", "category"])["count"].astype(int)
    years = sorted({int(y) for y, _ in totals.index})
    lsoas = np.asarray(lsoa_weights.index, dtype=object)
    districts = np.asarray([lsoa_districts[code] for code in lsoas], dtype=object)
    probabilities = {
        c: _lsoa_probabilities(lsoa_weights[CATEGORY_CRIME_TYPE[c]]) for c in CATEGORIES
    }
    area_districts = tuple(sorted(set(districts)))
    frames = []
    for year in years:
        parts = []
        for index, category in enumerate(CATEGORIES):
            n = int(totals.get((year, category), 0))
            if n:
                rng = _Streams(seed, year, index)
                parts.append(
                    _category_rows(
                        rng,
                        year,
                        category,
                        n,
                        code_shares[category],
                        lsoas,
                        districts,
                        probabilities[category],
                        area_districts,
                    )
                )
        if not parts:
            continue
        rows = pd.concat(parts, ignore_index=True)
        streams = _Streams(seed, year, len(CATEGORIES))
        _flag_knives(streams, rows, int(totals.get((year, KNIFE), 0)), set(knife_codes), year)
        _flag_firearms(streams, rows, set(firearm_codes))
        rows = _order_and_name(streams, rows, year)
        if people is not None:
            add_columns(rows, people, seed, year)
        frames.append(rows)
    optional = force_extract.OPTIONAL_COLUMNS if people is not None else ()
    frame = pd.concat(frames, ignore_index=True)[[*force_extract.COLUMNS, *optional]]
    frame.attrs["synthetic"] = True
    frame.attrs["label"] = SYNTHETIC_LABEL
    return frame


class _Streams:
    """One independent random stream per generation step of a (year, category)."""

    def __init__(self, seed: int, year: int, category: int) -> None:
        self.key = (int(seed), int(year), int(category))

    def __getitem__(self, step: str) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([*self.key, _STEPS[step]]))


def _lsoa_probabilities(counts: pd.Series) -> np.ndarray:
    counts = counts.to_numpy(dtype="float64")
    share = counts / counts.sum() if counts.sum() > 0 else np.full(len(counts), 1 / len(counts))
    probabilities = (1 - LSOA_FLOOR_SHARE) * share + LSOA_FLOOR_SHARE / len(counts)
    return probabilities / probabilities.sum()


def _category_rows(
    rng: _Streams,
    year: int,
    category: str,
    n: int,
    shares: Mapping[str, float],
    lsoas: np.ndarray,
    districts: np.ndarray,
    lsoa_p: np.ndarray,
    area_districts: tuple[str, ...],
) -> pd.DataFrame:
    codes = np.asarray(list(shares), dtype=object)
    weights = np.asarray(list(shares.values()), dtype="float64")
    code = codes[rng["codes"].choice(len(codes), size=n, p=weights / weights.sum())]
    where = rng["lsoa"].choice(len(lsoas), size=n, p=lsoa_p)
    profile = PROFILE[category]
    dates = _dates(rng["dates"], year, n, profile)
    rows = pd.DataFrame(
        {
            "offence_date": dates.strftime("%Y-%m-%d"),
            "offence_hour": _hours(rng["hours"], dates, profile),
            "home_office_code": code,
            "lsoa_code": lsoas[where],
            "sharp_instrument": "N",
            "firearm": "N",
            "_district": districts[where],
            "_category": category,
            "_date": dates,
        }
    )
    _victims(rng["victims"], rows, category)
    _offenders(rng, rows, category, area_districts)
    return rows


def _dates(rng: np.random.Generator, year: int, n: int, profile: str) -> pd.DatetimeIndex:
    days = pd.date_range(f"{year}-04-01", f"{year + 1}-03-31", freq="D")
    amplitude, peak = SEASON[profile]
    weight = (1 + amplitude * np.cos(2 * np.pi * (days.month.to_numpy() - peak) / 12)) * np.asarray(
        WEEKDAY[profile]
    )[days.day_of_week.to_numpy()]
    return days[rng.choice(len(days), size=n, p=weight / weight.sum())]


def _hours(rng: np.random.Generator, dates: pd.DatetimeIndex, profile: str) -> np.ndarray:
    draws, unknown = rng.random(len(dates)), rng.random(len(dates)) < UNKNOWN_HOUR_SHARE
    hours = _pick(draws, HOURS[profile])
    if profile == "violence":
        weekend = dates.day_of_week.to_numpy() >= 4
        hours = np.where(weekend, _pick(draws, HOURS["violence_weekend"]), hours)
    return np.where(unknown, "", hours.astype(str)).astype(object)


def _pick(draws: np.ndarray, weights) -> np.ndarray:
    """Index of the category each uniform draw falls in, for weights (inverse cdf)."""
    cdf = np.cumsum(np.asarray(weights, dtype="float64"))
    return np.minimum(np.searchsorted(cdf / cdf[-1], draws, side="right"), len(cdf) - 1)


def _ages(rng: np.random.Generator, bands_name: str, n: int) -> np.ndarray:
    bands = np.asarray(AGE_BANDS[bands_name], dtype="float64")
    band = _pick(rng.random(n), bands[:, 2])
    low, high = bands[band, 0], bands[band, 1]
    return (low + np.floor(rng.random(n) * (high - low + 1))).astype(int)


def _sexes(rng: np.random.Generator, male_share: float, n: int) -> np.ndarray:
    draws = rng.random(n)
    return np.where(
        draws < UNKNOWN_SEX_SHARE,
        "U",
        np.where(draws < UNKNOWN_SEX_SHARE + (1 - UNKNOWN_SEX_SHARE) * male_share, "M", "F"),
    ).astype(object)


def _victims(rng: np.random.Generator, rows: pd.DataFrame, category: str) -> None:
    n = len(rows)
    rows["victim_age"], rows["victim_sex"] = "", ""
    if category in VICTIMLESS:
        return
    age = np.full(n, "", dtype=object)
    sex = np.full(n, "", dtype=object)
    codes = rows["home_office_code"].to_numpy()
    for code in sorted(set(codes)):
        mask = codes == code
        bands, male = VICTIM_PROFILE.get(code, DEFAULT_VICTIM)
        ages = _ages(rng, bands, int(mask.sum())).astype(str).astype(object)
        ages[rng.random(int(mask.sum())) < VICTIM_UNKNOWN_AGE_SHARE] = ""
        age[mask], sex[mask] = ages, _sexes(rng, male, int(mask.sum()))
    rows["victim_age"], rows["victim_sex"] = age, sex


def _offenders(
    rng: _Streams, rows: pd.DataFrame, category: str, area_districts: tuple[str, ...]
) -> None:
    """Offender age, sex, home district, postcode district and the County Lines flag."""
    n = len(rows)
    supply = rows["home_office_code"].isin(DRUG_SUPPLY_CODES).to_numpy()
    bands, male, identified_share = OFFENDER_PROFILE[category]
    r_off, r_home, r_cl = rng["offenders"], rng["homes"], rng["county_lines"]
    identified = (r_off.random(n) < identified_share) | supply
    district = rows["_district"].to_numpy()

    # where the offender lives: "outside" the force area, "local" or "unknown"
    draw_unknown, draw_outside = r_home.random(n), r_home.random(n)
    import_share = (
        pd.Series(district)
        .map(SUPPLY_IMPORT_SHARE)
        .fillna(DEFAULT_IMPORT_SHARE)
        .to_numpy(dtype="float64")
    )
    unknown_share = np.where(supply, SUPPLY_UNKNOWN_HOME_SHARE, OTHER_UNKNOWN_HOME_SHARE)
    outside_share = np.where(supply, import_share, OTHER_OUTSIDE_SHARE[category])
    unknown = draw_unknown < unknown_share
    outside = ~unknown & (draw_outside < outside_share)
    home_kind = np.where(unknown, "unknown", np.where(outside, "outside", "local"))
    home = _homes(r_home, district, outside, unknown, supply, area_districts)
    postcode = _postcodes(r_home, home)

    # age and sex
    age = _ages(r_off, bands, n)
    sex = _sexes(r_off, male, n)
    if supply.any():
        under_18 = r_off.random(n) < np.asarray([SUPPLY_UNDER_18_SHARE[k] for k in home_kind])
        child, adult = _ages(r_off, "drug_supply_child", n), _ages(r_off, "drug_supply_adult", n)
        age = np.where(supply, np.where(under_18, child, adult), age)
        sex = np.where(supply, _sexes(r_off, SUPPLY_OFFENDER_MALE_SHARE, n), sex)

    # County Lines
    kind = np.where(
        supply,
        "supply",
        {"drug_offences": "drugs", "possession_of_weapons": "weapons"}.get(category, "other"),
    )
    rates = {
        f"{k}|{h}": COUNTY_LINES_RATE.get((k, h), COUNTY_LINES_RATE.get((k, "local"), 0.0))
        for k in ("supply", "drugs", "weapons", "other")
        for h in ("outside", "local", "unknown")
    }
    rate = (
        pd.Series(kind.astype(object) + "|" + home_kind.astype(object))
        .map(rates)
        .to_numpy(dtype="float64")
    )
    county_lines = identified & (r_cl.random(n) < rate)

    blank = np.full(n, "", dtype=object)
    rows["offender_age"] = np.where(identified, age.astype(str), blank)
    rows["offender_sex"] = np.where(identified, sex, blank)
    rows["offender_home_district"] = np.where(identified, home, blank)
    rows["offender_postcode_district"] = np.where(identified, postcode, blank)
    rows["county_lines"] = np.where(county_lines, "Y", "N")
    rows["_home"] = np.where(identified, home_kind, "")


def _homes(
    rng: np.random.Generator,
    district: np.ndarray,
    outside: np.ndarray,
    unknown: np.ndarray,
    supply: np.ndarray,
    area_districts: tuple[str, ...],
) -> np.ndarray:
    n = len(district)
    home = district.copy()
    others = rng.random(n) >= LOCAL_SAME_DISTRICT
    pick_other = rng.integers(0, len(area_districts), size=n)
    home = np.where(others, np.asarray(area_districts, dtype=object)[pick_other], home)
    draws = rng.random(n)
    for profile, origins in IMPORT_ORIGINS.items():
        mask = (
            outside
            & supply
            & (
                pd.Series(district).map(DISTRICT_ORIGIN_PROFILE).fillna("south").to_numpy()
                == profile
            )
        )
        home[mask] = _weighted(origins, draws[mask])
    mask = outside & ~supply
    home[mask] = _weighted(NEIGHBOUR_ORIGINS, draws[mask])
    home[unknown] = ""
    return home


def _weighted(weights: Mapping[str, float], draws: np.ndarray) -> np.ndarray:
    keys = np.asarray(list(weights), dtype=object)
    return keys[_pick(draws, list(weights.values()))]


def _postcodes(rng: np.random.Generator, homes: np.ndarray) -> np.ndarray:
    """A postcode district of each home district (blank if unknown or not listed)."""
    draws = rng.random(len(homes))
    postcode = np.full(len(homes), "", dtype=object)
    for home in sorted(set(homes) - {""}):
        options = POSTCODE_DISTRICTS.get(home)
        if options:
            mask = homes == home
            postcode[mask] = np.asarray(options, dtype=object)[
                (draws[mask] * len(options)).astype(int)
            ]
    return postcode


def _flag_knives(
    rng: _Streams, rows: pd.DataFrame, target: int, codes: set[str], year: int
) -> None:
    """Flag exactly ``target`` knife-eligible rows, weighted by :data:`KNIFE_WEIGHTS`
    (weighted sampling without replacement, Efraimidis-Spirakis keys)."""
    if target <= 0:
        return
    eligible = np.flatnonzero(rows["home_office_code"].isin(codes).to_numpy())
    if target > len(eligible):
        raise ValueError(
            f"{financial_year_label(year)}: {target} knife offences but only "
            f"{len(eligible)} eligible rows"
        )
    weights = (
        rows["home_office_code"]
        .iloc[eligible]
        .map(lambda c: KNIFE_WEIGHTS.get(c, DEFAULT_KNIFE_WEIGHT))
        .to_numpy(dtype="float64")
    )
    keys = np.log(rng["knife"].random(len(eligible))) / weights
    chosen = eligible[np.argsort(-keys, kind="stable")[:target]]
    rows.loc[rows.index[chosen], "sharp_instrument"] = "Y"


def _flag_firearms(rng: _Streams, rows: pd.DataFrame, codes: set[str]) -> None:
    rate = (
        rows["home_office_code"]
        .map(lambda c: FIREARM_RATES.get(c, 0.0) if c in codes else 0.0)
        .to_numpy(dtype="float64")
    )
    flag = (rng["firearm"].random(len(rows)) < rate) & (rows["sharp_instrument"] == "N")
    rows.loc[flag.to_numpy(), "firearm"] = "Y"


def _order_and_name(rng: _Streams, rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Sort by date and hour (ties in random order) and number the offences SYNTH-<year>-n."""
    hour = pd.to_numeric(rows["offence_hour"].replace("", "24"))
    order = pd.DataFrame(
        {"date": rows["_date"], "hour": hour, "tie": rng["order"].permutation(len(rows))}
    )
    rows = rows.iloc[order.sort_values(["date", "hour", "tie"]).index].reset_index(drop=True)
    rows["offence_reference"] = [
        f"{REFERENCE_PREFIX}{year}-{i:06d}" for i in range(1, len(rows) + 1)
    ]
    return rows
