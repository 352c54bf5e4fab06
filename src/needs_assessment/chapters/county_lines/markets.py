"""County Lines: which district drug markets import their dealers, and where they come from.

Drug-supply offences are the Home Office codes of the definitions' ``drug_supply`` category
(92A). "Supply offenders" are the offenders of those offences whose home district is known
(``offender_home_district``; a postcode district alone cannot be placed inside or outside
the force without a postcode lookup). Where the extract has a pseudonymous ``offender_id``,
each person counts once in a district and period (with the home most often recorded for
them), so a repeat offender does not count as several independent people; without it each
offence counts as one offender. The *import share* is the share of them living outside the
force area, with a Wilson interval. A district-year is classified on the share itself:
**importing** above the threshold, **home-grown** below it, **mixed** exactly on it, and
**too few offenders** under the minimum number of offenders (no guess is made). Separately,
a classification is **clear** when the interval excludes the threshold and **uncertain**
otherwise. The usual type of a district is the type of more than half of its classified
years (too-few years left out). Threshold and minimum come from the config's
``county_lines`` section (:func:`settings`). Origins: where out-of-force supply offenders
live, by home district, with their most common postcode districts, over the latest
:data:`RECENT_YEARS` years.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from needs_assessment.config import AssessmentConfig
from needs_assessment.definitions import Definitions
from needs_assessment.methods import stats
from needs_assessment.periods import financial_year_label

# -- parameters and labels ----------------------------------------------------------------

DEFAULT_IMPORT_THRESHOLD = 0.5
DEFAULT_MIN_OFFENDERS = 20
#: Financial years pooled for the headline classification and the origins.
RECENT_YEARS = 3
#: Origin areas shown per district (the rest are grouped as "Other areas").
TOP_ORIGINS = 8
IMPORTING, HOME_GROWN, MIXED, TOO_FEW = (
    "importing",
    "home-grown",
    "mixed",
    "too few offenders",
)
MARKET_TYPES = (IMPORTING, MIXED, HOME_GROWN, TOO_FEW)
#: How sure a classification is: the interval excludes the threshold, or it does not.
CLEAR, UNCERTAIN = "clear", "uncertain"
CERTAINTIES = (CLEAR, UNCERTAIN)
#: What one supply offender is: a person (pseudonymous offender id), or an offence.
PEOPLE, OFFENCES = "people", "offences"

SUPPLY, POSSESSION, WEAPONS = "drug_supply", "drug_possession", "possession_of_weapons"
VIOLENCE_WITH_INJURY, KNIFE = "violence_with_injury", "knife_crime"
OTHER_ORIGINS = "Other areas"


@dataclass(frozen=True)
class Settings:
    """Parameters of the chapter (config ``county_lines`` and ``thresholds``)."""

    import_threshold: float = DEFAULT_IMPORT_THRESHOLD
    min_offenders: int = DEFAULT_MIN_OFFENDERS
    level: float = 0.95
    suppress_counts_up_to: int = 5
    min_events_for_rate: int = 10


def settings(config: AssessmentConfig) -> Settings:
    """Read the ``county_lines`` section of the config, with the module defaults if absent."""
    section = getattr(config, "county_lines", None)
    thresholds = config.thresholds
    return Settings(
        import_threshold=float(getattr(section, "import_threshold", DEFAULT_IMPORT_THRESHOLD)),
        min_offenders=int(getattr(section, "min_offenders", DEFAULT_MIN_OFFENDERS)),
        level=thresholds.confidence_level,
        suppress_counts_up_to=thresholds.suppress_counts_up_to,
        min_events_for_rate=thresholds.min_events_for_rate,
    )


#: The module defaults (threshold 0.5, minimum 20, 95% level, counts 1-5 suppressed).
DEFAULT_SETTINGS = Settings()


def codes(definitions: Definitions, category: str) -> set[str]:
    """Home Office codes of a definitions category."""
    return set(definitions.categories[category].home_office_codes)


# -- 1. market classification ---------------------------------------------------------------


def classify(
    offenders,
    share,
    threshold: float = DEFAULT_IMPORT_THRESHOLD,
    min_offenders: int = DEFAULT_MIN_OFFENDERS,
):
    """Market type from the number of offenders and the import share itself.

    Importing: share above ``threshold``; home-grown: below; mixed: exactly on it; too few
    offenders: fewer than ``min_offenders`` (then the share is not looked at). Same shape as
    ``offenders`` (Series, array, str).
    """
    n = np.atleast_1d(np.asarray(offenders, dtype=float))
    p = np.atleast_1d(np.asarray(share, dtype=float))
    labels = np.select(
        [~(n >= min_offenders) | np.isnan(p), p > threshold, p < threshold],
        [TOO_FEW, IMPORTING, HOME_GROWN],
        MIXED,
    ).astype(object)
    return _like(offenders, labels)


def certainty(market_type, lower, upper, threshold: float = DEFAULT_IMPORT_THRESHOLD):
    """Clear where the interval excludes ``threshold``, uncertain where it does not; None
    for a district-year with too few offenders. Same shape as ``market_type``."""
    types = np.atleast_1d(np.asarray(market_type, dtype=object))
    lo = np.atleast_1d(np.asarray(lower, dtype=float))
    hi = np.atleast_1d(np.asarray(upper, dtype=float))
    clear = (lo > threshold) | (hi < threshold)
    labels = np.where(types == TOO_FEW, None, np.where(clear, CLEAR, UNCERTAIN)).astype(object)
    return _like(market_type, labels)


def _like(template, labels: np.ndarray):
    if isinstance(template, pd.Series):
        return pd.Series(labels, index=template.index, dtype=object)
    if np.ndim(template) == 0:
        return labels[0]
    return labels


def supply_rows(
    extract: pd.DataFrame, definitions: Definitions, districts: Iterable[str]
) -> pd.DataFrame:
    """Drug-supply offences in the area's districts, with where the offender lives.

    Adds ``home_known``, ``outside_force``, ``outside_district`` (False where the home is
    unknown), ``age_known`` and ``under_18``.
    """
    area = set(districts)
    rows = extract[
        extract["home_office_code"].isin(codes(definitions, SUPPLY))
        & extract["district_code"].isin(area)
    ]
    home = rows["offender_home_district"].astype("string").str.strip()
    known = (home.notna() & (home != "")).fillna(False).to_numpy(dtype=bool)
    outside_force = known & ~home.isin(area).fillna(False).to_numpy(dtype=bool)
    outside_district = known & (home.fillna("") != rows["district_code"].astype("string")).fillna(
        True
    ).to_numpy(dtype=bool)
    age = pd.to_numeric(rows["offender_age"], errors="coerce")
    return rows.assign(
        home_known=known,
        outside_force=outside_force,
        outside_district=outside_district,
        age_known=age.notna().to_numpy(),
        under_18=(age < 18).fillna(False).to_numpy(dtype=bool),
    )


def unit(extract: pd.DataFrame) -> str:
    """:data:`PEOPLE` where the extract has pseudonymous offender ids, else :data:`OFFENCES`."""
    ids = extract.get("offender_id")
    return PEOPLE if ids is not None and ids.notna().any() else OFFENCES


def offenders(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Supply offenders of known home, one row per person in each group of ``keys``.

    A person is an ``offender_id``; an offence without one counts as its own offender. Each
    person takes the home recorded most often for them in the group (the latest on ties).
    """
    known = rows[rows["home_known"]]
    person = pd.Series("offence:" + known.index.astype(str), index=known.index)
    if "offender_id" in known:
        person = known["offender_id"].astype("string").fillna(person)
    homes = known.assign(
        _person=person, _home=known["offender_home_district"].astype("string").str.strip()
    )
    tally = homes.groupby([*keys, "_person", "_home"], as_index=False).agg(
        _n=("_home", "size"), _last=("offence_date", "max")
    )
    tally = tally.sort_values(["_n", "_last"], ascending=False, kind="stable")
    return tally.drop_duplicates([*keys, "_person"]).rename(
        columns={"_person": "person", "_home": "home"}
    )[[*keys, "person", "home"]]


def offender_counts(rows: pd.DataFrame, area: Iterable[str], keys: list[str]) -> pd.DataFrame:
    """Per group of ``keys``: supply offences, supply offenders of known home, and how many
    of them live outside the force and outside the district of the offence."""
    area = set(area)
    people = offenders(rows, keys)
    district = people["district_code"].astype("string")
    people = people.assign(
        outside_force=~people["home"].isin(area).to_numpy(dtype=bool),
        outside_district=(people["home"] != district).fillna(True).to_numpy(dtype=bool),
    )
    counted = people.groupby(keys).agg(
        supply_offenders=("person", "size"),
        from_outside_force=("outside_force", "sum"),
        from_outside_district=("outside_district", "sum"),
    )
    return rows.groupby(keys).size().rename("supply_offences").to_frame().join(counted)


def markets(
    extract: pd.DataFrame,
    definitions: Definitions,
    districts: Mapping[str, str],
    years: Iterable[int],
    settings: Settings = DEFAULT_SETTINGS,
) -> pd.DataFrame:
    """Market classification per district and financial year (every pair, zeros included).

    Columns: district_code, district, year, financial_year, supply_offences,
    supply_offenders (known home; people where the extract has ids), from_outside_force,
    import_share, import_lower_95, import_upper_95, from_outside_district,
    outside_district_share (+ interval), market_type, certainty.
    """
    rows = supply_rows(extract, definitions, districts)
    counts = offender_counts(rows, districts, ["district_code", "year"])
    grid = pd.MultiIndex.from_product(
        [list(districts), sorted(set(int(y) for y in years))], names=["district_code", "year"]
    )
    frame = counts.reindex(grid).fillna(0).astype("int64").reset_index()
    frame.insert(1, "district", frame["district_code"].map(districts))
    frame.insert(3, "financial_year", frame["year"].map(financial_year_label))
    return with_classification(frame, settings)


def with_classification(frame: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Add import shares with Wilson intervals, the market type and its certainty to counts
    of offenders."""
    out = frame.copy()
    for stem, count in (
        ("import", "from_outside_force"),
        ("outside_district", "from_outside_district"),
    ):
        share, lower, upper = wilson_shares(out[count], out["supply_offenders"], settings.level)
        name = "import_share" if stem == "import" else "outside_district_share"
        out[name], out[f"{stem}_lower_95"], out[f"{stem}_upper_95"] = share, lower, upper
    out["market_type"] = classify(
        out["supply_offenders"],
        out["import_share"],
        settings.import_threshold,
        settings.min_offenders,
    )
    out["certainty"] = certainty(
        out["market_type"],
        out["import_lower_95"],
        out["import_upper_95"],
        settings.import_threshold,
    )
    return out


def wilson_shares(successes: pd.Series, trials: pd.Series, level: float):
    """Wilson share and limits; missing where there are no trials."""
    r = successes.to_numpy(dtype=float)
    n = trials.to_numpy(dtype=float)
    share, lower, upper = (np.full(len(n), np.nan) for _ in range(3))
    ok = n > 0
    if ok.any():
        interval = stats.wilson_interval(r[ok], n[ok], level)
        share[ok], lower[ok], upper[ok] = interval.estimate, interval.lower, interval.upper
    return share, lower, upper


def pooled(
    extract: pd.DataFrame,
    definitions: Definitions,
    districts: Mapping[str, str],
    years: Iterable[int],
    settings: Settings = DEFAULT_SETTINGS,
) -> pd.DataFrame:
    """Offenders pooled over ``years`` per district (a person once), classified alike."""
    years = sorted(set(int(y) for y in years))
    rows = supply_rows(extract, definitions, districts)
    counts = offender_counts(rows[rows["year"].isin(years)], districts, ["district_code"])
    frame = counts.reindex(list(districts)).fillna(0).astype("int64")
    frame = frame.rename_axis("district_code").reset_index()
    frame.insert(1, "district", frame["district_code"].map(districts))
    frame["period"] = period_label(years)
    return with_classification(frame, settings)


def period_label(years: list[int]) -> str:
    first, last = financial_year_label(years[0]), financial_year_label(years[-1])
    return first if first == last else f"{first} to {last}"


def recent_years(market_table: pd.DataFrame, n: int = RECENT_YEARS) -> list[int]:
    years = sorted(market_table["year"].unique())
    return [int(y) for y in years[-n:]]


def district_summary(
    market_table: pd.DataFrame, recent: pd.DataFrame, whole: pd.DataFrame
) -> pd.DataFrame:
    """Per district: years of each market type and certainty, the usual type (over
    classified years), the latest year's type, and the type of the offenders pooled over the
    recent years (``recent``) and over the whole period (``whole``)."""
    classified = market_table[market_table["market_type"] != TOO_FEW]
    counts = _tally(market_table, "market_type", MARKET_TYPES)
    sure = _tally(classified, "certainty", CERTAINTIES).reindex(counts.index, fill_value=0)
    latest_year = market_table["year"].max()
    latest = market_table[market_table["year"] == latest_year].set_index("district_code")
    pools = {"recent": recent.set_index("district_code"), "whole": whole.set_index("district_code")}
    rows = []
    for code, district in dict.fromkeys(
        zip(market_table["district_code"], market_table["district"], strict=True)
    ):
        row = {
            "district_code": code,
            "district": district,
            "years": int(counts.loc[code].sum()),
            **{f"years_{type_key(t)}": int(counts.loc[code, t]) for t in MARKET_TYPES},
            "years_classified": int(counts.loc[code].sum() - counts.loc[code, TOO_FEW]),
            **{f"years_{c}": int(sure.loc[code, c]) for c in CERTAINTIES},
            "latest_year": financial_year_label(int(latest_year)),
        }
        for name, frame in {"latest": latest, **pools}.items():
            if name != "latest":
                row[f"{name}_period"] = frame.loc[code, "period"]
            row.update(
                {
                    f"{name}_market_type": frame.loc[code, "market_type"],
                    f"{name}_certainty": frame.loc[code, "certainty"],
                    f"{name}_supply_offenders": int(frame.loc[code, "supply_offenders"]),
                    f"{name}_from_outside_force": int(frame.loc[code, "from_outside_force"]),
                    f"{name}_import_share": _float(frame.loc[code, "import_share"]),
                    f"{name}_import_lower_95": _float(frame.loc[code, "import_lower_95"]),
                    f"{name}_import_upper_95": _float(frame.loc[code, "import_upper_95"]),
                }
            )
        row["usual_market_type"] = _usual(row)
        rows.append(row)
    return pd.DataFrame(rows)


def _tally(frame: pd.DataFrame, column: str, labels) -> pd.DataFrame:
    """District x label counts of ``frame[column]`` (every label a column)."""
    return (
        frame.groupby(["district_code", column])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(labels), fill_value=0)
    )


def type_key(market_type: str) -> str:
    return {IMPORTING: "importing", HOME_GROWN: "home_grown", MIXED: "mixed", TOO_FEW: "too_few"}[
        market_type
    ]


NO_MAJORITY = "no single type"


def _usual(row: dict) -> str:
    """The type of more than half the classified years, 'no single type' if none, and
    'too few offenders' when no year could be classified."""
    if not row["years_classified"]:
        return TOO_FEW
    for market_type in (IMPORTING, MIXED, HOME_GROWN):
        if row[f"years_{type_key(market_type)}"] * 2 > row["years_classified"]:
            return market_type
    return NO_MAJORITY


def _float(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 4)


# -- 2. origins ------------------------------------------------------------------------------


def area_names(
    district_population: pd.DataFrame,
    district_boundaries: pd.DataFrame | None,
    districts: Mapping[str, str],
) -> dict[str, str]:
    """District code -> name: the config's own districts, then the population estimates'
    names (newest year), then the 2017 boundaries' names (older codes)."""
    names: dict[str, str] = {}
    if district_boundaries is not None and len(district_boundaries):
        names.update(
            zip(district_boundaries["lad17_code"], district_boundaries["lad17_name"], strict=True)
        )
    population = district_population.sort_values("year")
    names.update(zip(population["code"], population["name"], strict=True))
    names.update(districts)
    return {str(k): str(v) for k, v in names.items()}


def origins(
    extract: pd.DataFrame,
    definitions: Definitions,
    districts: Mapping[str, str],
    names: Mapping[str, str],
    years: Iterable[int],
    top: int = TOP_ORIGINS,
    min_postcode_count: int = DEFAULT_SETTINGS.suppress_counts_up_to + 1,
) -> pd.DataFrame:
    """Where out-of-force supply offenders live, per district of offence, ranked.

    Offenders are counted as in :func:`offender_counts` (a person once over ``years``). The
    ``top`` home districts by number of offenders, then "Other areas". Columns:
    district_code, district, rank, origin_code, origin, offenders, share (of the district's
    out-of-force offenders), postcode_districts (the most common outward codes as given,
    only those with at least ``min_postcode_count`` offenders).
    """
    rows = supply_rows(extract, definitions, districts)
    rows = rows[rows["outside_force"] & rows["year"].isin(list(years))]
    people = offenders(rows, ["district_code"])
    parts = []
    for code, district in districts.items():
        here = people[people["district_code"] == code]
        if here.empty:
            continue
        tally = here["home"].value_counts()
        tally = tally.rename_axis("origin_code").reset_index(name="offenders")
        tally = tally.sort_values(["offenders", "origin_code"], ascending=[False, True])
        shown, rest = tally.head(top).copy(), tally.iloc[top:]
        shown["origin"] = shown["origin_code"].map(lambda c: names.get(c, c))
        mine = rows[rows["district_code"] == code]
        shown["postcode_districts"] = [
            _postcodes(mine[mine["offender_home_district"] == c], min_postcode_count)
            for c in shown["origin_code"]
        ]
        if len(rest):
            other = {
                "origin_code": "",
                "origin": OTHER_ORIGINS,
                "offenders": int(rest["offenders"].sum()),
                "postcode_districts": "",
            }
            shown = pd.concat([shown, pd.DataFrame([other])], ignore_index=True)
        shown["share"] = shown["offenders"] / shown["offenders"].sum()
        shown.insert(0, "district_code", code)
        shown.insert(1, "district", district)
        shown.insert(2, "rank", range(1, len(shown) + 1))
        parts.append(shown)
    if not parts:
        return empty_origins()
    return pd.concat(parts, ignore_index=True)[list(ORIGIN_COLUMNS)]


#: The origins table's columns and their types (an empty table keeps them).
ORIGIN_COLUMNS = {
    "district_code": "string",
    "district": "string",
    "rank": "int64",
    "origin_code": "string",
    "origin": "string",
    "offenders": "int64",
    "share": "float64",
    "postcode_districts": "string",
}


def empty_origins() -> pd.DataFrame:
    """The origins table with no row: no supply offender from outside the force."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in ORIGIN_COLUMNS.items()})


def _postcodes(rows: pd.DataFrame, minimum: int, most: int = 4) -> str:
    """The most common outward codes with at least ``minimum`` offenders (a person once)."""
    codes = rows["offender_postcode_district"].astype("string").str.strip()
    person = pd.Series("offence:" + rows.index.astype(str), index=rows.index)
    if "offender_id" in rows:
        person = rows["offender_id"].astype("string").fillna(person)
    pairs = pd.DataFrame({"person": person, "code": codes}).dropna()
    pairs = pairs[pairs["code"] != ""].drop_duplicates()
    tally = pairs["code"].value_counts()
    tally = tally[tally >= minimum]
    return ", ".join(sorted(tally.head(most).index, key=lambda c: (-tally[c], c)))
