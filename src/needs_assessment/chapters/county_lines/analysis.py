"""County Lines chapter: which district drug markets import their dealers, and what goes with it.

The force's 2019 assessment found Peterborough's dealers "home grown" while out-of-town
dealers dominate Cambridge, St Neots and Huntingdon. This module measures that each year,
district by district, from the force offence-level extract (tier 2; in the default config a
SYNTHETIC demonstration extract), and sets it beside real public data.

Methods (each a short pure function over frames, unit-tested):

* **Market classification** (:func:`markets`). Drug-supply offences are the Home Office
  codes of the definitions' ``drug_supply`` category (92A). The extract holds one offender
  per offence (the first recorded), so "supply offenders" are supply offences whose
  offender has a known home district (``offender_home_district``; a postcode district
  alone cannot be placed inside or outside the force without a postcode lookup). The
  *import share* is the share of them living outside the force area (home district not
  among ``config.area.districts``), with a Wilson interval (``stats.wilson_interval``). A
  district-year is **importing** when the whole interval lies above the threshold,
  **home-grown** when it lies wholly below, **mixed / uncertain** otherwise, and **too few
  offenders** under the minimum number of offenders (no guess is made). The share living
  outside their *own* district (elsewhere in the force included) is given beside it.
  Threshold (0.5) and minimum (20) come from the config's ``county_lines`` section
  (:func:`settings`).
* **Origins** (:func:`origins`): where out-of-force supply offenders live, by home
  district (names from the population estimates, then the 2017 boundaries, else the code),
  with their most common postcode districts as given, over the latest
  :data:`RECENT_YEARS` financial years.
* **Market indicators** (:func:`indicators`): supply and possession offences per 1,000
  residents (district mid-year population of the year the financial year starts in; years
  past the newest estimate use the newest, and say so), the supply-to-possession ratio
  (log-method interval), the share of supply offenders under 18 (Wilson), *weapon-linked
  supply* and County Lines flagged offences, each with its trend (``stats.poisson_trend``).
  **Weapon-linked supply** is the number of drug-supply offences recorded in an LSOA and
  calendar month that also has at least one possession-of-weapons offence. The alternative,
  drug offences carrying the sharp-instrument or firearm marker, was rejected: those markers
  are recorded only for the violent, sexual and robbery offences of the ONS knife and
  firearms collections, so on drug offences they are empty by design. Co-location is not
  proof that the weapon and the drugs belong to the same people.
* **Violence** (:func:`violence_link`, :func:`hotspot_overlap`): serious violence is
  violence with injury plus knife or sharp instrument offences (codes of the
  ``violence_with_injury`` category, or codes of ``knife_crime`` with the sharp-instrument
  marker; each offence counted once). Rates in importing and home-grown district-years
  are compared by a rate ratio (``stats.rate_ratio_interval``), and again with year effects
  and extra-Poisson variation allowed for (quasi-Poisson regression). LSOA by LSOA, the top
  decile of drug-supply counts is compared with the top decile of serious-violence counts
  over the whole period (Fisher's exact test; conditional odds ratio with exact interval).
* **Public cross-check** (:func:`public_drug_rates`): drug offences per 1,000 for the force,
  its peers and England and Wales from the real ONS series (the trends chapter's
  :func:`build`).

Everything drawn from the extract says "demonstration data (synthetic)" when
``config.data.force_extract_is_synthetic`` is true (:func:`data_label`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as st
from scipy.stats.contingency import odds_ratio

from needs_assessment.config import AssessmentConfig, financial_year_label
from needs_assessment.definitions import Definitions, offences_in
from needs_assessment.methods import stats
from needs_assessment.methods.disclosure import (
    SUPPRESSED_MARKER,
    assert_no_identifiers,
    marker_column,
    suppress_small_counts,
)
from needs_assessment.presentation.text import join

# -- parameters and labels ----------------------------------------------------------------

DEFAULT_IMPORT_THRESHOLD = 0.5
DEFAULT_MIN_OFFENDERS = 20
#: Financial years pooled for the headline classification and the origins.
RECENT_YEARS = 3
#: Origin areas shown per district (the rest are grouped as "Other areas").
TOP_ORIGINS = 8
#: Share of LSOAs called hotspots (top decile).
HOTSPOT_SHARE = 0.10

IMPORTING, HOME_GROWN, MIXED, TOO_FEW = (
    "importing",
    "home-grown",
    "mixed / uncertain",
    "too few offenders",
)
MARKET_TYPES = (IMPORTING, MIXED, HOME_GROWN, TOO_FEW)

SYNTHETIC_LABEL = "demonstration data (synthetic)"
REAL_LABEL = "force offence extract"
PUBLIC_LABEL = "real data: ONS police recorded crime"

SUPPLY, POSSESSION, WEAPONS = "drug_supply", "drug_possession", "possession_of_weapons"
VIOLENCE_WITH_INJURY, KNIFE = "violence_with_injury", "knife_crime"
OTHER_ORIGINS = "Other areas"

MARKET_COLUMNS = [
    "district",
    "financial_year",
    "supply_offenders",
    "from_outside_force",
    "import_share",
    "import_lower_95",
    "import_upper_95",
    "market_type",
]
INDICATOR_COUNTS = [
    "supply_offences",
    "possession_offences",
    "supply_under_18",
    "weapon_linked_supply",
    "county_lines_flagged",
    "serious_violence",
]
#: Indicators with a trend: count column -> (label, offset column; None = population).
TREND_INDICATORS = {
    "supply_offences": ("Drug supply offences per 1,000", "population"),
    "possession_offences": ("Drug possession offences per 1,000", "population"),
    "supply_under_18": ("Supply offenders under 18 (share)", "supply_offenders_with_age"),
    "weapon_linked_supply": ("Weapon-linked supply offences per 1,000", "population"),
    "county_lines_flagged": ("County Lines flagged offences per 1,000", "population"),
    "serious_violence": ("Serious violence per 1,000", "population"),
}


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


def data_label(synthetic: bool) -> str:
    """How figures from the extract are labelled: 'demonstration data (synthetic)' or not."""
    return SYNTHETIC_LABEL if synthetic else REAL_LABEL


def codes(definitions: Definitions, category: str) -> set[str]:
    """Home Office codes of a definitions category."""
    return set(definitions.categories[category].home_office_codes)


# -- 1. market classification ---------------------------------------------------------------


def classify(
    offenders,
    lower,
    upper,
    threshold: float = DEFAULT_IMPORT_THRESHOLD,
    min_offenders: int = DEFAULT_MIN_OFFENDERS,
):
    """Market type from the number of offenders and the import share's interval.

    Importing: interval wholly above ``threshold``; home-grown: wholly below; mixed /
    uncertain: the interval contains it; too few offenders: fewer than ``min_offenders``
    (then the interval is not looked at). Same shape as ``offenders`` (Series, array, str).
    """
    n = np.atleast_1d(np.asarray(offenders, dtype=float))
    lo = np.atleast_1d(np.asarray(lower, dtype=float))
    hi = np.atleast_1d(np.asarray(upper, dtype=float))
    labels = np.select(
        [~(n >= min_offenders), lo > threshold, hi < threshold],
        [TOO_FEW, IMPORTING, HOME_GROWN],
        MIXED,
    ).astype(object)
    if isinstance(offenders, pd.Series):
        return pd.Series(labels, index=offenders.index, dtype=object)
    if np.ndim(offenders) == 0:
        return str(labels[0])
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


def markets(
    extract: pd.DataFrame,
    definitions: Definitions,
    districts: Mapping[str, str],
    years: Iterable[int],
    settings: Settings = Settings(),
) -> pd.DataFrame:
    """Market classification per district and financial year (every pair, zeros included).

    Columns: district_code, district, year, financial_year, supply_offences,
    supply_offenders (known home), from_outside_force, import_share, import_lower_95,
    import_upper_95, from_outside_district, outside_district_share (+ interval), market_type.
    """
    rows = supply_rows(extract, definitions, districts)
    counts = rows.groupby(["district_code", "year"]).agg(
        supply_offences=("home_known", "size"),
        supply_offenders=("home_known", "sum"),
        from_outside_force=("outside_force", "sum"),
        from_outside_district=("outside_district", "sum"),
    )
    grid = pd.MultiIndex.from_product(
        [list(districts), sorted(set(int(y) for y in years))], names=["district_code", "year"]
    )
    frame = counts.reindex(grid, fill_value=0).astype("int64").reset_index()
    frame.insert(1, "district", frame["district_code"].map(districts))
    frame.insert(3, "financial_year", frame["year"].map(financial_year_label))
    return with_classification(frame, settings)


def with_classification(frame: pd.DataFrame, settings: Settings = Settings()) -> pd.DataFrame:
    """Add import shares with Wilson intervals and the market type to counts of offenders."""
    out = frame.copy()
    for stem, count in (
        ("import", "from_outside_force"),
        ("outside_district", "from_outside_district"),
    ):
        share, lower, upper = _wilson(out[count], out["supply_offenders"], settings.level)
        name = "import_share" if stem == "import" else "outside_district_share"
        out[name], out[f"{stem}_lower_95"], out[f"{stem}_upper_95"] = share, lower, upper
    out["market_type"] = classify(
        out["supply_offenders"],
        out["import_lower_95"],
        out["import_upper_95"],
        settings.import_threshold,
        settings.min_offenders,
    )
    return out


def _wilson(successes: pd.Series, trials: pd.Series, level: float):
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
    market_table: pd.DataFrame, years: Iterable[int], settings: Settings = Settings()
) -> pd.DataFrame:
    """Offenders pooled over ``years`` per district, classified by the same rule."""
    years = sorted(set(int(y) for y in years))
    chosen = market_table[market_table["year"].isin(years)]
    frame = chosen.groupby(["district_code", "district"], sort=False, as_index=False)[
        ["supply_offences", "supply_offenders", "from_outside_force", "from_outside_district"]
    ].sum()
    frame["period"] = _period(years)
    return with_classification(frame, settings)


def _period(years: list[int]) -> str:
    first, last = financial_year_label(years[0]), financial_year_label(years[-1])
    return first if first == last else f"{first} to {last}"


def recent_years(market_table: pd.DataFrame, n: int = RECENT_YEARS) -> list[int]:
    years = sorted(market_table["year"].unique())
    return [int(y) for y in years[-n:]]


def district_summary(
    market_table: pd.DataFrame, recent: pd.DataFrame, whole: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per district: years of each market type, the latest year's type, and the type of the
    offenders pooled over the recent years (``recent``) and over the whole period (``whole``)."""
    counts = (
        market_table.groupby(["district_code", "market_type"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(MARKET_TYPES), fill_value=0)
    )
    latest_year = market_table["year"].max()
    latest = market_table[market_table["year"] == latest_year].set_index("district_code")
    if whole is None:
        whole = pooled(market_table, market_table["year"].unique())
    pools = {"recent": recent.set_index("district_code"), "whole": whole.set_index("district_code")}
    rows = []
    for code, district in dict.fromkeys(
        zip(market_table["district_code"], market_table["district"], strict=True)
    ):
        row = {
            "district_code": code,
            "district": district,
            "years": int(counts.loc[code].sum()),
            **{f"years_{_key(t)}": int(counts.loc[code, t]) for t in MARKET_TYPES},
            "latest_year": financial_year_label(int(latest_year)),
            "latest_market_type": latest.loc[code, "market_type"],
            "latest_supply_offenders": int(latest.loc[code, "supply_offenders"]),
            "latest_import_share": _float(latest.loc[code, "import_share"]),
            "latest_import_lower_95": _float(latest.loc[code, "import_lower_95"]),
            "latest_import_upper_95": _float(latest.loc[code, "import_upper_95"]),
        }
        for name, frame in pools.items():
            row.update(
                {
                    f"{name}_period": frame.loc[code, "period"],
                    f"{name}_market_type": frame.loc[code, "market_type"],
                    f"{name}_supply_offenders": int(frame.loc[code, "supply_offenders"]),
                    f"{name}_import_share": _float(frame.loc[code, "import_share"]),
                    f"{name}_import_lower_95": _float(frame.loc[code, "import_lower_95"]),
                    f"{name}_import_upper_95": _float(frame.loc[code, "import_upper_95"]),
                }
            )
        row["usual_market_type"] = _usual(row)
        rows.append(row)
    return pd.DataFrame(rows)


def _key(market_type: str) -> str:
    return {IMPORTING: "importing", HOME_GROWN: "home_grown", MIXED: "mixed", TOO_FEW: "too_few"}[
        market_type
    ]


NO_MAJORITY = "no single type"


def _usual(row: dict) -> str:
    """The market type of more than half the years, else 'no single type'."""
    for market_type in MARKET_TYPES:
        if row[f"years_{_key(market_type)}"] * 2 > row["years"]:
            return market_type
    return NO_MAJORITY


def _float(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 4)


def publishable_markets(
    market_table: pd.DataFrame, settings: Settings = Settings()
) -> pd.DataFrame:
    """The market table to publish: exactly :data:`MARKET_COLUMNS`, small counts suppressed.

    Counts of 1 to ``suppress_counts_up_to`` are suppressed, and so is anything from which a
    hidden count could be worked out: where the supply offenders, those from outside the
    force *or those living inside it* (offenders minus those from outside) are small, the
    count from outside and the share with its interval are blanked (the market type, which
    does not reveal a count, is kept). A ``<column>_marker`` column says "[c]" where hidden.
    """
    frame = market_table.assign(
        _local=market_table["supply_offenders"] - market_table["from_outside_force"]
    )
    derived = {
        c: "from_outside_force" for c in ("import_share", "import_lower_95", "import_upper_95")
    }
    safe = suppress_small_counts(
        frame,
        ["supply_offenders", "from_outside_force", "_local"],
        threshold=settings.suppress_counts_up_to,
        derived_columns=derived,
        min_events_for_rate=0,
    )
    hidden = (
        safe[marker_column("supply_offenders")].notna() | safe[marker_column("_local")].notna()
    ).to_numpy(dtype=bool)
    for column in ("from_outside_force", *derived):
        safe[column] = safe[column].mask(hidden)
        safe[marker_column(column)] = safe[marker_column(column)].mask(hidden, SUPPRESSED_MARKER)
    out = safe[MARKET_COLUMNS + [marker_column(c) for c in MARKET_COLUMNS[2:7]]]
    assert_no_identifiers(out)
    return out.reset_index(drop=True)


def market_csv(publishable: pd.DataFrame) -> pd.DataFrame:
    """The published CSV: the eight market columns only (hidden cells blank), shares to 4 dp."""
    shares = ["import_share", "import_lower_95", "import_upper_95"]
    return publishable[MARKET_COLUMNS].assign(
        **{c: publishable[c].astype("Float64").round(4) for c in shares}
    )


def market_display(publishable: pd.DataFrame) -> pd.DataFrame:
    """The market table as the Board reads it: a row per year, a column per district, each
    cell the market type with the import share and its 95% interval ('[c]' where hidden)."""

    def share(row) -> str:
        if pd.notna(row[marker_column("import_share")]):
            return row[marker_column("import_share")]
        if pd.isna(row["import_share"]):
            return "–"
        return (
            f"{row['import_share']:.0%} ({row['import_lower_95']:.0%}–{row['import_upper_95']:.0%})"
        )

    cells = publishable.assign(
        cell=[f"{row['market_type']}: {share(row)}" for _, row in publishable.iterrows()]
    )
    wide = cells.pivot(index="financial_year", columns="district", values="cell")
    wide = wide[list(dict.fromkeys(publishable["district"]))]
    return (
        wide.reset_index()
        .rename(columns={"financial_year": "Financial year"})
        .rename_axis(columns=None)
    )


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
    min_postcode_count: int = 6,
) -> pd.DataFrame:
    """Where out-of-force supply offenders live, per district of offence, ranked.

    The ``top`` home districts by number of offenders, then "Other areas". Columns:
    district_code, district, rank, origin_code, origin, offenders, share (of the district's
    out-of-force offenders), postcode_districts (the most common outward codes as given,
    only those with at least ``min_postcode_count`` offenders).
    """
    rows = supply_rows(extract, definitions, districts)
    rows = rows[rows["outside_force"] & rows["year"].isin(list(years))]
    parts = []
    for code, district in districts.items():
        here = rows[rows["district_code"] == code]
        if here.empty:
            continue
        tally = here["offender_home_district"].value_counts()
        tally = tally.rename_axis("origin_code").reset_index(name="offenders")
        tally = tally.sort_values(["offenders", "origin_code"], ascending=[False, True])
        shown, rest = tally.head(top).copy(), tally.iloc[top:]
        shown["origin"] = shown["origin_code"].map(lambda c: names.get(c, c))
        shown["postcode_districts"] = [
            _postcodes(here[here["offender_home_district"] == c], min_postcode_count)
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
    columns = [
        "district_code",
        "district",
        "rank",
        "origin_code",
        "origin",
        "offenders",
        "share",
        "postcode_districts",
    ]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def _postcodes(rows: pd.DataFrame, minimum: int, most: int = 4) -> str:
    tally = rows["offender_postcode_district"].dropna().astype(str).str.strip()
    tally = tally[tally != ""].value_counts()
    tally = tally[tally >= minimum]
    return ", ".join(sorted(tally.head(most).index, key=lambda c: (-tally[c], c)))


def publishable_origins(
    origin_table: pd.DataFrame, settings: Settings = Settings()
) -> pd.DataFrame:
    """Origins with counts 1 to 5 suppressed (and one more per district, since each
    district's rows add up to its published out-of-force total); shares blanked alike."""
    if origin_table.empty:
        return origin_table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one-row districts: their total is suppressed too
        safe = suppress_small_counts(
            origin_table,
            ["offenders"],
            threshold=settings.suppress_counts_up_to,
            total_groups=["district_code"],
            derived_columns={"share": "offenders"},
            min_events_for_rate=0,
        )
    assert_no_identifiers(safe)
    return safe


# -- 3. market indicators ---------------------------------------------------------------------


def district_population_by_year(
    district_population: pd.DataFrame, districts: Iterable[str], years: Iterable[int]
) -> pd.DataFrame:
    """Mid-year population per district and year; years past the newest estimate take the
    newest (``population_year`` says which estimate was used)."""
    districts = list(districts)
    frame = district_population[district_population["code"].isin(districts)]
    newest = int(frame["year"].max())
    rows = []
    for year in sorted(set(int(y) for y in years)):
        used = min(year, newest)
        part = frame[frame["year"] == used]
        missing = set(districts) - set(part["code"])
        if missing:
            raise ValueError(f"no mid-{used} population for {sorted(missing)}")
        rows.append(
            pd.DataFrame(
                {
                    "district_code": part["code"].to_numpy(),
                    "year": year,
                    "population": part["population"].astype("int64").to_numpy(),
                    "population_year": used,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def serious_violence_mask(extract: pd.DataFrame, definitions: Definitions) -> pd.Series:
    """Violence with injury, or knife-eligible offences with the sharp-instrument marker."""
    return offences_in(extract, definitions.categories[VIOLENCE_WITH_INJURY]) | offences_in(
        extract, definitions.categories[KNIFE]
    )


def weapon_linked_supply(extract: pd.DataFrame, definitions: Definitions) -> pd.Series:
    """True for drug-supply offences in an LSOA-month with a possession-of-weapons offence."""
    month = extract["offence_date"].dt.to_period("M").astype(str)
    weapons = extract["home_office_code"].isin(codes(definitions, WEAPONS)).to_numpy()
    keys = pd.MultiIndex.from_arrays([extract["lsoa_code"].astype(str), month])
    linked = keys.isin(keys[weapons])
    supply = extract["home_office_code"].isin(codes(definitions, SUPPLY))
    return pd.Series(linked, index=extract.index) & supply & extract["lsoa_code"].notna()


def indicators(
    extract: pd.DataFrame,
    definitions: Definitions,
    districts: Mapping[str, str],
    population: pd.DataFrame,
    settings: Settings = Settings(),
) -> pd.DataFrame:
    """Market indicators per district and financial year, with intervals.

    ``population`` is :func:`district_population_by_year` (it fixes the years).
    """
    area = extract[extract["district_code"].isin(list(districts))]
    supply = supply_rows(area, definitions, districts)
    flags = pd.DataFrame(
        {
            "district_code": area["district_code"],
            "year": area["year"],
            "supply_offences": area["home_office_code"].isin(codes(definitions, SUPPLY)),
            "possession_offences": area["home_office_code"].isin(codes(definitions, POSSESSION)),
            "weapon_linked_supply": weapon_linked_supply(area, definitions),
            "county_lines_flagged": area["county_lines"].astype(bool),
            "serious_violence": serious_violence_mask(area, definitions),
        }
    )
    counts = flags.groupby(["district_code", "year"]).sum()
    ages = supply.groupby(["district_code", "year"]).agg(
        supply_offenders_with_age=("age_known", "sum"), supply_under_18=("under_18", "sum")
    )
    frame = population.merge(
        counts.join(ages, how="outer").reset_index(), on=["district_code", "year"], how="left"
    )
    count_columns = [*INDICATOR_COUNTS, "supply_offenders_with_age"]
    frame[count_columns] = frame[count_columns].fillna(0).astype("int64")
    frame.insert(1, "district", frame["district_code"].map(districts))
    frame.insert(3, "financial_year", frame["year"].map(financial_year_label))
    level = settings.level
    for column, stem in (
        ("supply_offences", "supply"),
        ("possession_offences", "possession"),
        ("weapon_linked_supply", "weapon_linked"),
        ("county_lines_flagged", "county_lines"),
        ("serious_violence", "serious_violence"),
    ):
        rate = stats.rate_interval(
            frame[column].astype(float), frame["population"].astype(float), per=1000, level=level
        )
        frame[f"{stem}_per_1000"] = rate.estimate
        frame[f"{stem}_lower_95"], frame[f"{stem}_upper_95"] = rate.lower, rate.upper
    ratio = stats.rate_ratio_interval(
        frame["supply_offences"].astype(float),
        1.0,
        frame["possession_offences"].astype(float),
        1.0,
        level,
    )
    frame["supply_to_possession"] = ratio.estimate
    frame["supply_to_possession_lower_95"] = ratio.lower
    frame["supply_to_possession_upper_95"] = ratio.upper
    share, lower, upper = _wilson(
        frame["supply_under_18"], frame["supply_offenders_with_age"], level
    )
    frame["under_18_share"], frame["under_18_lower_95"], frame["under_18_upper_95"] = (
        share,
        lower,
        upper,
    )
    share, lower, upper = _wilson(frame["weapon_linked_supply"], frame["supply_offences"], level)
    frame["weapon_linked_share"] = share
    frame["weapon_linked_share_lower_95"], frame["weapon_linked_share_upper_95"] = lower, upper
    return frame.sort_values(["district_code", "year"], key=_district_order(districts)).reset_index(
        drop=True
    )


def _district_order(districts: Mapping[str, str]):
    order = {code: i for i, code in enumerate(districts)}

    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "district_code" else column

    return key


#: Derived columns of the indicators table -> the count each comes from.
INDICATOR_DERIVED = {
    **{
        f"{stem}_{suffix}": column
        for column, stem in (
            ("supply_offences", "supply"),
            ("possession_offences", "possession"),
            ("weapon_linked_supply", "weapon_linked"),
            ("county_lines_flagged", "county_lines"),
            ("serious_violence", "serious_violence"),
        )
        for suffix in ("per_1000", "lower_95", "upper_95")
    },
    **{f"supply_to_possession{s}": "supply_offences" for s in ("", "_lower_95", "_upper_95")},
    **{f"under_18_{s}": "supply_under_18" for s in ("share", "lower_95", "upper_95")},
    **{f"weapon_linked_share{s}": "weapon_linked_supply" for s in ("", "_lower_95", "_upper_95")},
}


def publishable_indicators(
    indicator_table: pd.DataFrame, settings: Settings = Settings()
) -> pd.DataFrame:
    """Indicators with counts 1 to 5 suppressed and rates on fewer than 10 events blanked."""
    columns = [c for c in indicator_table.columns if c != "supply_offenders_with_age"]
    safe = suppress_small_counts(
        indicator_table[columns],
        INDICATOR_COUNTS,
        threshold=settings.suppress_counts_up_to,
        derived_columns=INDICATOR_DERIVED,
        min_events_for_rate=settings.min_events_for_rate,
    )
    # the ratio also rests on the possession count
    small = safe[marker_column("possession_offences")].notna() | (
        indicator_table["possession_offences"] < settings.min_events_for_rate
    )
    for column in (
        "supply_to_possession",
        "supply_to_possession_lower_95",
        "supply_to_possession_upper_95",
    ):
        safe[column] = safe[column].mask(small)
        safe[marker_column(column)] = safe[marker_column(column)].mask(
            small & safe[marker_column(column)].isna(), "[low]"
        )
    assert_no_identifiers(safe)
    return safe


def indicator_trends(
    indicator_table: pd.DataFrame, settings: Settings = Settings()
) -> pd.DataFrame:
    """Average annual % change of each indicator per district (Poisson / quasi-Poisson).

    A trend is fitted where there are at least 3 years, an offset (population or supply
    offenders with a known age) in every year, and at least ``min_events_for_rate`` events
    in total; otherwise the row says why not.
    """
    rows = []
    for (code, district), group in indicator_table.groupby(
        ["district_code", "district"], sort=False
    ):
        group = group.sort_values("year")
        years = group["year"].to_numpy()
        for column, (label, offset) in TREND_INDICATORS.items():
            counts = group[column].to_numpy(dtype=float)
            exposure = group[offset].to_numpy(dtype=float)
            row = {
                "district_code": code,
                "district": district,
                "indicator": column,
                "label": label,
                "years": _period([int(years[0]), int(years[-1])]),
                "events": int(counts.sum()),
            }
            too_few = counts.sum() < settings.min_events_for_rate
            if len(years) < 3 or (exposure <= 0).any() or too_few:
                row.update(
                    model="not fitted: too few events",
                    pct_change=np.nan,
                    lower_95=np.nan,
                    upper_95=np.nan,
                    p_value=np.nan,
                )
            else:
                fit = stats.poisson_trend(years, counts, exposure, level=settings.level)
                row.update(
                    model=fit.model,
                    pct_change=fit.pct_change,
                    lower_95=fit.lower,
                    upper_95=fit.upper,
                    p_value=fit.p_value,
                )
            row["direction"] = _direction(row["lower_95"], row["upper_95"])
            rows.append(row)
    return pd.DataFrame(rows)


def _direction(lower: float, upper: float) -> str:
    if pd.isna(lower):
        return "not assessed"
    return "rising" if lower > 0 else "falling" if upper < 0 else "no clear trend"


# -- 4. link to violence --------------------------------------------------------------------


@dataclass(frozen=True)
class ViolenceLink:
    """Serious violence in importing against home-grown district-years."""

    importing_events: int
    importing_population: float
    importing_district_years: int
    importing_districts: list[str]
    home_grown_events: int
    home_grown_population: float
    home_grown_district_years: int
    home_grown_districts: list[str]
    rate_ratio: float
    lower: float
    upper: float
    adjusted_rate_ratio: float
    adjusted_lower: float
    adjusted_upper: float
    dispersion: float

    @property
    def compared(self) -> bool:
        return not np.isnan(self.rate_ratio)


def violence_link(
    market_table: pd.DataFrame, indicator_table: pd.DataFrame, level: float = 0.95
) -> ViolenceLink:
    """Rate ratio of serious violence, importing / home-grown district-years.

    The crude ratio pools events and populations of each group (``stats.rate_ratio_interval``,
    Poisson). The adjusted ratio comes from a quasi-Poisson regression of counts on market
    type and financial year with log population as offset, so that a change in violence over
    time is not read as a market effect and the interval widens with the variation between
    district-years (Pearson dispersion). Mixed and too-few district-years are left out.
    """
    frame = indicator_table.merge(
        market_table[["district_code", "year", "market_type"]], on=["district_code", "year"]
    )
    frame = frame[frame["market_type"].isin([IMPORTING, HOME_GROWN])]
    groups = {t: frame[frame["market_type"] == t] for t in (IMPORTING, HOME_GROWN)}
    events = {t: int(g["serious_violence"].sum()) for t, g in groups.items()}
    people = {t: float(g["population"].sum()) for t, g in groups.items()}
    nan = float("nan")
    crude = adjusted = (nan, nan, nan)
    dispersion = nan
    if all(len(g) for g in groups.values()):
        crude = tuple(
            float(v)
            for v in stats.rate_ratio_interval(
                events[IMPORTING], people[IMPORTING], events[HOME_GROWN], people[HOME_GROWN], level
            )
        )
        adjusted, dispersion = _adjusted_ratio(frame, level)
    return ViolenceLink(
        importing_events=events[IMPORTING],
        importing_population=people[IMPORTING],
        importing_district_years=len(groups[IMPORTING]),
        importing_districts=sorted(groups[IMPORTING]["district"].unique()),
        home_grown_events=events[HOME_GROWN],
        home_grown_population=people[HOME_GROWN],
        home_grown_district_years=len(groups[HOME_GROWN]),
        home_grown_districts=sorted(groups[HOME_GROWN]["district"].unique()),
        rate_ratio=crude[0],
        lower=crude[1],
        upper=crude[2],
        adjusted_rate_ratio=adjusted[0],
        adjusted_lower=adjusted[1],
        adjusted_upper=adjusted[2],
        dispersion=dispersion,
    )


def _adjusted_ratio(frame: pd.DataFrame, level: float) -> tuple[tuple[float, float, float], float]:
    importing = (frame["market_type"] == IMPORTING).astype(float).to_numpy()
    years = pd.get_dummies(frame["year"].astype(str), drop_first=True, dtype=float)
    design = sm.add_constant(np.column_stack([importing, years.to_numpy()]), has_constant="add")
    y = frame["serious_violence"].to_numpy(dtype=float)
    offset = np.log(frame["population"].to_numpy(dtype=float))
    nan = float("nan")
    if len(y) <= design.shape[1]:
        return (nan, nan, nan), nan
    glm = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = glm.fit(scale="X2", use_t=True)
    low, high = np.asarray(fit.conf_int(alpha=1 - level))[1]
    beta = float(np.asarray(fit.params)[1])
    return (float(np.exp(beta)), float(np.exp(low)), float(np.exp(high))), float(fit.scale)


@dataclass(frozen=True)
class HotspotOverlap:
    """Overlap of drug-supply and serious-violence hotspot LSOAs (top decile of counts)."""

    lsoas: int
    hotspots: int
    both: int
    supply_only: int
    violence_only: int
    neither: int
    overlap_share: float
    overlap_lower: float
    overlap_upper: float
    expected_share: float
    odds_ratio: float
    odds_lower: float
    odds_upper: float
    p_value: float
    first_year: str
    last_year: str
    table: pd.DataFrame = field(repr=False)


def top_share(counts: pd.Series, share: float = HOTSPOT_SHARE) -> pd.Series:
    """True for the ceil(share * n) places with the highest counts (ties broken by code)."""
    n = int(np.ceil(share * len(counts)))
    order = (
        counts.rename("count")
        .rename_axis("code")
        .reset_index()
        .sort_values(["count", "code"], ascending=[False, True])
    )
    chosen = set(order["code"].head(n))
    return pd.Series(counts.index.isin(chosen), index=counts.index)


def hotspot_overlap(
    extract: pd.DataFrame,
    definitions: Definitions,
    lsoas: Iterable[str],
    level: float = 0.95,
    share: float = HOTSPOT_SHARE,
) -> HotspotOverlap:
    """LSOA-level overlap of supply hotspots and serious-violence hotspots over the period.

    Every LSOA in ``lsoas`` counts (zeros included). The overlap share is the share of
    supply hotspots that are also violence hotspots (by chance about ``share``), with a
    Wilson interval; Fisher's exact test and the conditional odds ratio with its exact
    interval test the association.
    """
    lsoas = sorted(set(lsoas))
    rows = extract[extract["lsoa_code"].isin(lsoas)]
    supply = rows["home_office_code"].isin(codes(definitions, SUPPLY))
    violence = serious_violence_mask(rows, definitions)
    table = pd.DataFrame(
        {
            "supply": rows[supply].groupby("lsoa_code").size().reindex(lsoas, fill_value=0),
            "violence": rows[violence].groupby("lsoa_code").size().reindex(lsoas, fill_value=0),
        }
    )
    table["supply_hotspot"] = top_share(table["supply"], share)
    table["violence_hotspot"] = top_share(table["violence"], share)
    s, v = table["supply_hotspot"], table["violence_hotspot"]
    both, supply_only = int((s & v).sum()), int((s & ~v).sum())
    violence_only, neither = int((~s & v).sum()), int((~s & ~v).sum())
    contingency = np.array([[both, supply_only], [violence_only, neither]])
    p_value = float(st.fisher_exact(contingency).pvalue)
    ratio = odds_ratio(contingency, kind="conditional")
    interval = ratio.confidence_interval(confidence_level=level)
    overlap = stats.wilson_interval(both, max(int(s.sum()), 1), level)
    years = sorted(rows["year"].unique())
    return HotspotOverlap(
        lsoas=len(lsoas),
        hotspots=int(s.sum()),
        both=both,
        supply_only=supply_only,
        violence_only=violence_only,
        neither=neither,
        overlap_share=float(overlap.estimate),
        overlap_lower=float(overlap.lower),
        overlap_upper=float(overlap.upper),
        expected_share=float(v.mean()),
        odds_ratio=float(ratio.statistic),
        odds_lower=float(interval.low),
        odds_upper=float(interval.high),
        p_value=p_value,
        first_year=financial_year_label(int(years[0])) if years else "",
        last_year=financial_year_label(int(years[-1])) if years else "",
        table=table.rename_axis("lsoa_code").reset_index(),
    )


def overlap_table(overlap: HotspotOverlap) -> pd.DataFrame:
    """The 2 x 2 table of hotspot LSOAs (counts of LSOAs, not of people: nothing to suppress
    below the area level, but no LSOA is named)."""
    return pd.DataFrame(
        {
            "LSOAs": ["Drug-supply hotspot", "Not a drug-supply hotspot"],
            "Serious-violence hotspot": [overlap.both, overlap.violence_only],
            "Not a serious-violence hotspot": [overlap.supply_only, overlap.neither],
        }
    )


# -- 5. public cross-check (real data) -------------------------------------------------------


def public_drug_rates(series: pd.DataFrame) -> pd.DataFrame:
    """Drug offences per 1,000 for the force, peers and England and Wales (real ONS data),
    with the force judged against England and Wales each year (Fingertips rule)."""
    drugs = series[series["category"] == "drug_offences"].copy()
    national = drugs[drugs["area_type"] == "national"].set_index("year")["rate_per_1000"]
    peers = drugs[drugs["area_type"] == "peers"].set_index("year")["rate_per_1000"]
    force = drugs[drugs["area_type"] == "force"]
    judged = stats.compare_with_benchmark(
        force["rate_lower_95"], force["rate_upper_95"], force["year"].map(national)
    )
    drugs["vs_england_wales"] = pd.Series(judged, index=force.index).reindex(drugs.index)
    drugs["peer_rate_per_1000"] = drugs["year"].map(peers)
    drugs["england_wales_rate_per_1000"] = drugs["year"].map(national)
    return drugs.reset_index(drop=True)


def extract_vs_published(
    extract: pd.DataFrame, definitions: Definitions, public: pd.DataFrame
) -> pd.DataFrame:
    """Drug offences per year in the extract against the published (real) force count."""
    drug_codes = codes(definitions, SUPPLY) | codes(definitions, POSSESSION)
    mine = extract[extract["home_office_code"].isin(drug_codes)].groupby("year").size()
    force = public[public["area_type"] == "force"].set_index("year")
    years = sorted(set(force.index) & set(mine.index))
    return pd.DataFrame(
        {
            "financial_year": [financial_year_label(int(y)) for y in years],
            "extract_drug_offences": [int(mine[y]) for y in years],
            "published_drug_offences": [int(force.loc[y, "count"]) for y in years],
            "difference": [int(mine[y]) - int(force.loc[y, "count"]) for y in years],
        }
    )


# -- words ------------------------------------------------------------------------------------


def _pct(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f}%"


def _interval(lower: float, upper: float) -> str:
    return f"95% CI {_pct(lower)} to {_pct(upper)}"


def _join(items: list[str]) -> str:
    return join(items) or "none"


def _tag(label: str) -> str:
    return f" — {label}"


def lead(label: str) -> str:
    """The opening of every paragraph that rests on the extract."""
    return (
        f"*Source: force offence extract, {label}.* "
        if label == SYNTHETIC_LABEL
        else (f"*Source: {label}.* ")
    )


def describe_method(settings: Settings, label: str) -> str:
    """How a market is classified, with the parameters in force."""
    return (
        f"{lead(label)}Among drug-supply offenders (Home Office code 92A) whose home district "
        f"is known, the *import share* is the share living outside the force area. A "
        f"district's market is **{IMPORTING}** in a year when the whole 95% confidence "
        f"interval of that share (Wilson) lies above {_pct(settings.import_threshold)}, "
        f"**{HOME_GROWN}** when it lies wholly below, and **{MIXED}** when the interval "
        f"spans it. With fewer than {settings.min_offenders} offenders of known home the "
        f"district is marked **{TOO_FEW}**: uncertain, not guessed."
    )


def describe_markets(summary: pd.DataFrame, label: str) -> str:
    """One bullet per district: its types year by year, the latest year, the pooled periods."""
    years = int(summary["years"].iloc[0])
    lines = [f"{lead(label)}Drug markets by district over {years} financial years:\n"]
    for row in summary.itertuples():
        counts = ", ".join(
            f"{getattr(row, 'years_' + _key(t))} {t}"
            for t in MARKET_TYPES
            if getattr(row, "years_" + _key(t))
        )
        usual = (
            f"{row.usual_market_type} in most years"
            if row.usual_market_type != NO_MAJORITY
            else "no single type in most years"
        )
        latest = f"{row.latest_year}: {row.latest_market_type}"
        if row.latest_import_share is not None:
            latest += (
                f", {_pct(row.latest_import_share)} of {row.latest_supply_offenders:,} "
                f"from outside the force "
                f"({_interval(row.latest_import_lower_95, row.latest_import_upper_95)})"
            )
        pools = "; ".join(
            _pooled_words(row._asdict(), n)
            for n in ("recent", "whole")
            if getattr(row, n + "_import_share") is not None
        )
        pools = pools[:1].upper() + pools[1:]
        lines.append(
            f"- **{row.district}**: {usual} ({counts}). {latest}. {pools}.".replace(". .", ".")
        )
    return "\n".join(lines)


def _pooled_words(row: dict, name: str) -> str:
    return (
        f"pooled over {row[name + '_period']}, {_pct(row[name + '_import_share'])} of "
        f"{row[name + '_supply_offenders']:,} "
        f"({_interval(row[name + '_import_lower_95'], row[name + '_import_upper_95'])}): "
        f"{row[name + '_market_type']}"
    )


def describe_power(summary: pd.DataFrame, settings: Settings, label: str) -> str:
    """Why a district can be mixed year by year yet clear when the years are pooled."""
    shifted = summary[
        (summary["usual_market_type"] != summary["whole_market_type"])
        & summary["whole_market_type"].isin([IMPORTING, HOME_GROWN])
    ]
    if shifted.empty:
        return ""
    parts = [
        f"{r.district} (about {round(r.whole_supply_offenders / r.years):,} a year; "
        f"{r.whole_market_type} over {r.whole_period})"
        for r in shifted.itertuples()
    ]
    return (
        f"{lead(label)}A single year holds too few supply offenders of known home in "
        f"{_join(parts)} for the interval to clear {_pct(settings.import_threshold)} in "
        "most years, so those years are *mixed / uncertain*; pooled over several years "
        "the interval narrows and the type is clear. Read a yearly *mixed / uncertain* "
        'as "not shown either way", not as "shown to be mixed".'
    )


def describe_origins(
    origin_table: pd.DataFrame, summary: pd.DataFrame, period: str, label: str, top: int = 3
) -> str:
    """The leading origins of out-of-force offenders in each importing district."""
    chosen = importing_districts(summary)
    if not chosen:
        return (
            f"{lead(label)}No district's market was importing over {period}, so no "
            "origins are shown."
        )
    lines = [f"{lead(label)}Where out-of-force supply offenders lived, {period}:\n"]
    for district in chosen:
        rows = origin_table[
            (origin_table["district"] == district)
            & (origin_table["origin"] != OTHER_ORIGINS)
            & origin_table["offenders"].notna()
        ].head(top)
        named = [f"{r.origin} ({_pct(float(r.share))})" for r in rows.itertuples()]
        lines.append(f"- **{district}**: {_join(named)} of its out-of-force offenders.")
    return "\n".join(lines)


def importing_districts(summary: pd.DataFrame) -> list[str]:
    """Districts importing over the recent pooled period (the origins chart shows these)."""
    return list(summary.loc[summary["recent_market_type"] == IMPORTING, "district"])


def describe_indicators(
    indicator_table: pd.DataFrame, trend_table: pd.DataFrame, label: str
) -> str:
    """Latest-year market indicators per district, and which trends are clear."""
    latest_year = indicator_table["year"].max()
    latest = indicator_table[indicator_table["year"] == latest_year]
    fy = financial_year_label(int(latest_year))
    top_supply = latest.loc[latest["supply_per_1000"].idxmax()]
    top_ratio = latest.loc[latest["supply_to_possession"].idxmax()]
    top_young = latest.loc[latest["under_18_share"].idxmax()]
    force_young = stats.wilson_interval(
        int(latest["supply_under_18"].sum()), max(int(latest["supply_offenders_with_age"].sum()), 1)
    )
    text = (
        f"{lead(label)}In {fy} the highest drug-supply rate was in {top_supply['district']} "
        f"({top_supply['supply_per_1000']:.2f} per 1,000 residents, 95% CI "
        f"{top_supply['supply_lower_95']:.2f} to {top_supply['supply_upper_95']:.2f}); the "
        f"highest ratio of supply to possession offences was in {top_ratio['district']} "
        f"({top_ratio['supply_to_possession']:.2f} supply offences per possession offence). "
        f"Across the force {_pct(force_young.estimate)} of supply offenders were under 18 "
        f"({_interval(force_young.lower, force_young.upper)}), highest in "
        f"{top_young['district']} ({_pct(top_young['under_18_share'])}); "
        f"{int(latest['weapon_linked_supply'].sum()):,} supply offences were recorded in an "
        f"LSOA and month with a possession-of-weapons offence, and "
        f"{int(latest['county_lines_flagged'].sum()):,} offences carried the County Lines flag."
    )
    text += "\n\n" + describe_trends(trend_table, label)
    return text


def describe_trends(trend_table: pd.DataFrame, label: str) -> str:
    """One bullet per indicator: the districts where it is clearly rising or falling."""
    lines = [
        f"{lead(label)}Long-term trends, {trend_table['years'].iloc[0]} (annual % change, "
        "Poisson regression allowing for population; quasi-Poisson when overdispersed):\n"
    ]
    for _, group in trend_table.groupby("indicator", sort=False):
        words = []
        for direction in ("rising", "falling"):
            rows = group[group["direction"] == direction]
            if len(rows):
                words.append(
                    f"{direction} in "
                    + _join(
                        [
                            f"{r.district} ({r.pct_change:+.1f}% a year, 95% CI {r.lower_95:+.1f}% "
                            f"to {r.upper_95:+.1f}%)"
                            for r in rows.itertuples()
                        ]
                    )
                )
        unclear = group[~group["direction"].isin(["rising", "falling"])]
        if len(unclear):
            words.append(f"no clear trend in {_join(list(unclear['district']))}")
        lines.append(f"- **{group['label'].iloc[0]}**: " + "; ".join(words) + ".")
    return "\n".join(lines)


def describe_violence_link(link: ViolenceLink, label: str, n_districts: int) -> str:
    """The violence comparison, with its uncertainty and its limits."""
    if not link.compared:
        return (
            f"{lead(label)}Serious violence could not be compared between importing and "
            "home-grown markets: there were not district-years of both kinds."
        )
    rate_i = link.importing_events / link.importing_population * 1000
    rate_h = link.home_grown_events / link.home_grown_population * 1000
    if link.lower > 1:
        verdict = "higher in importing markets"
    elif link.upper < 1:
        verdict = "lower in importing markets"
    else:
        verdict = "not clearly different"
    adjusted = (
        f"Allowing for differences between years and for the extra variation "
        f"between district-years (quasi-Poisson, dispersion {link.dispersion:.1f}), the "
        f"ratio is {link.adjusted_rate_ratio:.2f} (95% CI {link.adjusted_lower:.2f} to "
        f"{link.adjusted_upper:.2f})"
        + (
            ", an interval that includes 1."
            if link.adjusted_lower <= 1 <= link.adjusted_upper
            else ", an interval that excludes 1."
        )
    )
    return (
        f"{lead(label)}Serious violence (violence with injury and knife or sharp instrument "
        f"offences) ran at {rate_i:.2f} per 1,000 residents a year in importing district-years "
        f"({link.importing_district_years} district-years: {_join(link.importing_districts)}) "
        f"and {rate_h:.2f} in home-grown ones ({link.home_grown_district_years}: "
        f"{_join(link.home_grown_districts)}): a rate ratio of "
        f"{link.rate_ratio:.2f} (95% CI {link.lower:.2f} to {link.upper:.2f}), {verdict}. "
        f"{adjusted} With only {n_districts} districts, a market type is close to a handful "
        "of places, so the comparison mixes the market with everything else that differs "
        "between them (how urban they are, the night-time economy, deprivation); it "
        "describes, it does not show cause."
        + (
            " The demonstration generator planted no link between market type and violence, "
            "so any difference here comes from where the generated violence falls (it follows "
            "real police.uk street-level patterns), not from the markets."
            if label == SYNTHETIC_LABEL
            else ""
        )
    )


def describe_overlap(overlap: HotspotOverlap, label: str) -> str:
    significant = overlap.p_value < 0.05
    return (
        f"{lead(label)}Of the {overlap.hotspots} LSOAs in the top tenth for drug-supply offences "
        f"({overlap.first_year} to {overlap.last_year}, {overlap.lsoas} LSOAs), "
        f"{overlap.both} ({_pct(overlap.overlap_share)}, "
        f"{_interval(overlap.overlap_lower, overlap.overlap_upper)}) were also in the top "
        f"tenth for serious violence, against {_pct(overlap.expected_share)} expected if the "
        f"two were unrelated: an odds ratio of {overlap.odds_ratio:.1f} (95% CI "
        f"{overlap.odds_lower:.1f} to {overlap.odds_upper:.1f}; Fisher's exact test "
        f"p {_p(overlap.p_value)}). "
        + (
            "Supply and violence hotspots coincide more than chance would give. "
            if significant
            else "The overlap is within what chance could give. "
        )
        + "Both concentrate where people and the night-time economy concentrate, so overlap "
        "does not mean that one drives the other."
        + (
            " The demonstration generator places drug and violence offences in LSOAs in "
            "proportion to real police.uk street-level counts of each crime type, so this "
            "overlap echoes where police.uk recorded them, not a planted link."
            if label == SYNTHETIC_LABEL
            else ""
        )
    )


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def describe_public(
    public: pd.DataFrame, check: pd.DataFrame, area: str, synthetic: bool, label: str
) -> str:
    """The real ONS drug-offence rates, and how the extract compares with them."""
    force = public[public["area_type"] == "force"].sort_values("year")
    first, last = force.iloc[0], force.iloc[-1]
    peers = float(last["peer_rate_per_1000"])
    national = float(last["england_wales_rate_per_1000"])
    word = {"Higher": "higher than", "Lower": "lower than", "Comparable": "comparable with"}
    lower_years = list(force.loc[force["vs_england_wales"] == "Lower", "financial_year"])
    text = (
        f"**Real data.** ONS police recorded crime puts drug offences in {area} at "
        f"{first['rate_per_1000']:.2f} per 1,000 residents in {first['financial_year']} and "
        f"{last['rate_per_1000']:.2f} (95% CI {last['rate_lower_95']:.2f} to "
        f"{last['rate_upper_95']:.2f}) in {last['financial_year']}, "
        f"{word.get(last['vs_england_wales'], 'not compared with')} England and Wales "
        f"({national:.2f}); peer forces {peers:.2f}. The force was lower than England and "
        f"Wales in {len(lower_years)} of {len(force)} years. These published counts end in "
        f"{last['financial_year']} and do not separate supply from possession."
    )
    if len(check):
        same = bool((check["difference"] == 0).all())
        if synthetic:
            text += (
                " The demonstration extract's drug offences were generated to equal these "
                f"published totals ({'they do' if same else 'they differ in some years'}): "
                f"the split into supply and possession, the districts, the offenders' homes and "
                f"everything else taken from it are {label}, not findings."
            )
        else:
            biggest = check.loc[check["difference"].abs().idxmax()]
            text += (
                " The force extract matches the published drug-offence counts in every year."
                if same
                else " The force extract differs from the published drug-offence counts, most "
                f"in {biggest['financial_year']} ({int(biggest['difference']):+,})."
            )
    return text


def describe_tiers(synthetic: bool, area: str) -> str:
    """Which numbers are real and which are demonstration data."""
    if synthetic:
        return (
            f"**What is real here.** The drug-offence rates for {area}, its peer forces and "
            "England and Wales (ONS police recorded crime) and the district populations (ONS "
            "mid-year estimates) are real. Every market classification, origin, indicator and "
            f"violence comparison comes from the force offence extract, which in this run is "
            f"**{SYNTHETIC_LABEL}**: invented offences whose importing pattern was planted by "
            "the generator (needs_assessment.demo) to resemble the force's 2019 assessment. They "
            "show how the chapter works; swap in the force's real extract for findings."
        )
    return (
        f"**Sources.** Market classifications, origins, indicators and violence comparisons "
        f"come from the {REAL_LABEL} for {area}; drug-offence rates against England and "
        "Wales come from ONS police recorded crime."
    )


def describe_limits(label: str, n_districts: int) -> str:
    return (
        f"**Limits{_tag(label)}.** The extract records one offender per offence, so an "
        "offender charged with several supplies counts several times, and supply offences "
        "with an unknown home are left out of the shares. Recorded supply reflects police "
        "activity as much as the market: an operation against a line adds offences. Home "
        "Office code 92A does not separate crack cocaine or heroin from cannabis, so the crack "
        "markets the 2019 assessment linked to violence cannot be isolated. Weapon-linked "
        "supply is co-location in an LSOA and month, not the same incident. With "
        f"{n_districts} districts, the comparison of market types rests on very few places."
    )


# -- captions and display tables ---------------------------------------------------------------


def captions(chapter: CountyLinesChapter, area: str) -> dict[str, str]:
    """Every figure and table caption; those resting on the extract carry its label."""
    source = f"Source: force offence extract, {chapter.label}"
    if chapter.synthetic:
        source += " generated by needs_assessment.demo"
    population = "ONS mid-year population estimates (real)"
    threshold = _pct(chapter.settings.import_threshold)
    return {
        "import_shares": (
            f"Share of drug-supply offenders (home known) living outside {area}, by district and "
            f"financial year, with 95% Wilson intervals; dashed line: the {threshold} threshold. "
            f"{source}."
        ),
        "map": (
            f"Drug-market type by district, latest year and {chapter.recent_period} pooled. "
            f"{source}; district boundaries ONS December 2017 (real)."
        ),
        "markets": (
            f"Drug-market classification by district and financial year; counts 1 to "
            f"{chapter.settings.suppress_counts_up_to} suppressed ([c]). {source}."
        ),
        "origins_figure": (
            f"Home areas of out-of-force drug-supply offenders in importing "
            f"districts, {chapter.recent_period}. {source}."
        ),
        "origins": (
            f"Home districts of out-of-force drug-supply offenders by district of "
            f"offence, {chapter.recent_period}, with their most common postcode districts; "
            f"small counts suppressed ([c]). {source}."
        ),
        "indicators_figure": (
            f"Drug-market indicators by district. {source}; rates use {population}."
        ),
        "indicators": (
            f"Drug-market indicators by district and financial year, with 95% "
            f"intervals; small counts suppressed ([c]), no rate from fewer than "
            f"{chapter.settings.min_events_for_rate} events ([low]). {source}; "
            f"{population}."
        ),
        "trends": (
            f"Average annual change in each indicator by district (Poisson regression; "
            f"quasi-Poisson when overdispersed). {source}."
        ),
        "overlap": (
            f"LSOAs by drug-supply and serious-violence hotspot status (top tenth of "
            f"counts, {chapter.overlap.first_year} to {chapter.overlap.last_year}). "
            f"{source}."
        ),
        "public_figure": (
            f"Drug offences per 1,000 residents with 95% confidence interval: "
            f"{area}, peer forces and England and Wales. Source: ONS police "
            f"recorded crime and mid-year population estimates (real data)."
        ),
    }


def _shown(values: pd.Series, markers: pd.Series, fmt) -> list[str]:
    return [
        marker if pd.notna(marker) else "–" if pd.isna(value) else fmt(value)
        for value, marker in zip(values, markers, strict=True)
    ]


def _with_interval(frame: pd.DataFrame, value: str, lower: str, upper: str, fmt) -> list[str]:
    shown = _shown(frame[value], frame[marker_column(value)], fmt)
    return [
        text if "[" in text or text == "–" else f"{text} ({fmt(lo)}–{fmt(hi)})"
        for text, lo, hi in zip(shown, frame[lower], frame[upper], strict=True)
    ]


def indicator_display(publishable: pd.DataFrame) -> pd.DataFrame:
    """The published indicators as the Board reads them."""
    rate = "{:.2f}".format

    def percent(value):
        return f"{value:.0%}"

    def count(value):
        return f"{int(value):,}"

    return pd.DataFrame(
        {
            "District": publishable["district"],
            "Year": publishable["financial_year"],
            "Supply per 1,000": _with_interval(
                publishable, "supply_per_1000", "supply_lower_95", "supply_upper_95", rate
            ),
            "Possession per 1,000": _with_interval(
                publishable,
                "possession_per_1000",
                "possession_lower_95",
                "possession_upper_95",
                rate,
            ),
            "Supply : possession": _shown(
                publishable["supply_to_possession"],
                publishable[marker_column("supply_to_possession")],
                rate,
            ),
            "Supply offenders under 18": _with_interval(
                publishable, "under_18_share", "under_18_lower_95", "under_18_upper_95", percent
            ),
            "Weapon-linked supply": _shown(
                publishable["weapon_linked_supply"],
                publishable[marker_column("weapon_linked_supply")],
                count,
            ),
            "County Lines flagged": _shown(
                publishable["county_lines_flagged"],
                publishable[marker_column("county_lines_flagged")],
                count,
            ),
            "Serious violence per 1,000": _with_interval(
                publishable,
                "serious_violence_per_1000",
                "serious_violence_lower_95",
                "serious_violence_upper_95",
                rate,
            ),
        }
    )


def origin_display(publishable: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "District of offence": publishable["district"],
            "Rank": publishable["rank"],
            "Home area": publishable["origin"],
            "Offenders": _shown(
                publishable["offenders"],
                publishable[marker_column("offenders")],
                lambda v: f"{int(v):,}",
            ),
            "Share": _shown(
                publishable["share"], publishable[marker_column("share")], lambda v: f"{v:.0%}"
            ),
            "Postcode districts": publishable["postcode_districts"],
        }
    )


def trend_display(trend_table: pd.DataFrame) -> pd.DataFrame:
    def change(row) -> str:
        if pd.isna(row.pct_change):
            return "–"
        return f"{row.pct_change:+.1f}% ({row.lower_95:+.1f}% to {row.upper_95:+.1f}%)"

    return pd.DataFrame(
        {
            "District": trend_table["district"],
            "Indicator": trend_table["label"],
            "Years": trend_table["years"],
            "Events": trend_table["events"],
            "Change a year (95% CI)": [change(r) for r in trend_table.itertuples()],
            "Trend": trend_table["direction"],
            "Model": trend_table["model"],
        }
    )


# -- alt text ---------------------------------------------------------------------------------


def alt_import_shares(
    market_table: pd.DataFrame, summary: pd.DataFrame, settings: Settings, label: str
) -> str:
    parts = []
    for r in summary.itertuples():
        counts = ", ".join(
            f"{getattr(r, 'years_' + _key(t))} {t}"
            for t in MARKET_TYPES
            if getattr(r, "years_" + _key(t))
        )
        parts.append(f"{r.district}: {counts}")
    years = market_table["financial_year"]
    return (
        f"Small multiple charts, one per district, of the share of drug-supply offenders "
        f"living outside the force area each financial year from {years.min()} to "
        f"{years.max()}, with 95% interval bars and a dashed line at "
        f"{_pct(settings.import_threshold)}{_tag(label)}. Years by market type: "
        + "; ".join(parts)
        + "."
    )


def alt_origins(origin_table: pd.DataFrame, summary: pd.DataFrame, period: str, label: str) -> str:
    chosen = importing_districts(summary)
    parts = []
    for district in chosen:
        rows = origin_table[
            (origin_table["district"] == district)
            & (origin_table["origin"] != OTHER_ORIGINS)
            & origin_table["offenders"].notna()
        ]
        if len(rows):
            top = rows.iloc[0]
            parts.append(
                f"in {district} the leading origin is {top['origin']} with "
                f"{_pct(float(top['share']))} of out-of-force offenders"
            )
    return (
        f"Ranked horizontal bar charts of where out-of-force drug-supply offenders lived, "
        f"{period}, for each importing district{_tag(label)}: " + "; ".join(parts) + "."
    )


def alt_map(summary: pd.DataFrame, label: str) -> str:
    def groups(column: str) -> str:
        found = {t: list(summary.loc[summary[column] == t, "district"]) for t in MARKET_TYPES}
        return "; ".join(f"{t}: {_join(d)}" for t, d in found.items() if d)

    return (
        f"Two maps of the districts coloured by drug-market type, {label}. In the latest "
        f"year, {summary['latest_year'].iloc[0]}, {groups('latest_market_type')}. Pooled "
        f"over {summary['recent_period'].iloc[0]}, {groups('recent_market_type')}."
    )


def alt_indicators(indicator_table: pd.DataFrame, label: str) -> str:
    latest_year = indicator_table["year"].max()
    latest = indicator_table[indicator_table["year"] == latest_year]
    top = latest.loc[latest["supply_per_1000"].idxmax()]
    young = latest.loc[latest["under_18_share"].idxmax()]
    return (
        f"Four line charts by district, {indicator_table['financial_year'].min()} to "
        f"{indicator_table['financial_year'].max()}{_tag(label)}: drug supply and "
        f"possession offences per 1,000, the share of supply offenders under 18 and County "
        f"Lines flagged offences per 1,000. In {financial_year_label(int(latest_year))} "
        f"supply was highest in {top['district']} ({top['supply_per_1000']:.2f} per 1,000) "
        f"and the under-18 share highest in {young['district']} "
        f"({_pct(young['under_18_share'])})."
    )


def alt_public(public: pd.DataFrame, area: str) -> str:
    force = public[public["area_type"] == "force"].sort_values("year")
    last = force.iloc[-1]
    return (
        f"Line chart of drug offences per 1,000 residents, {force['financial_year'].iloc[0]} "
        f"to {last['financial_year']} (real ONS data): {area} fell from "
        f"{force['rate_per_1000'].iloc[0]:.2f} to {last['rate_per_1000']:.2f}, against "
        f"{last['england_wales_rate_per_1000']:.2f} for England and Wales and "
        f"{last['peer_rate_per_1000']:.2f} for peer forces in {last['financial_year']}."
    )


# -- the chapter in one call ---------------------------------------------------------------


@dataclass(frozen=True)
class CountyLinesChapter:
    settings: Settings
    synthetic: bool
    label: str
    districts: dict[str, str]
    markets: pd.DataFrame
    recent: pd.DataFrame
    summary: pd.DataFrame
    origins: pd.DataFrame
    indicators: pd.DataFrame
    trends: pd.DataFrame
    violence: ViolenceLink
    overlap: HotspotOverlap
    public: pd.DataFrame
    extract_check: pd.DataFrame
    boundaries: pd.DataFrame

    @property
    def recent_period(self) -> str:
        return str(self.recent["period"].iloc[0])


def analyse(
    extract: pd.DataFrame,
    definitions: Definitions,
    districts: Mapping[str, str],
    district_population: pd.DataFrame,
    lsoas: Iterable[str],
    years: Iterable[int],
    settings: Settings = Settings(),
    names: Mapping[str, str] | None = None,
) -> dict:
    """Every extract-based part of the chapter, from frames (testable without ``read``)."""
    years = sorted(set(int(y) for y in years))
    market_table = markets(extract, definitions, districts, years, settings)
    recent_set = recent_years(market_table)
    recent = pooled(market_table, recent_set, settings)
    population = district_population_by_year(district_population, districts, years)
    indicator_table = indicators(extract, definitions, districts, population, settings)
    return {
        "markets": market_table,
        "recent": recent,
        "summary": district_summary(market_table, recent, pooled(market_table, years, settings)),
        "origins": origins(
            extract,
            definitions,
            districts,
            names or area_names(district_population, None, districts),
            recent_set,
        ),
        "indicators": indicator_table,
        "trends": indicator_trends(indicator_table, settings),
        "violence": violence_link(market_table, indicator_table, settings.level),
        "overlap": hotspot_overlap(extract, definitions, lsoas, settings.level),
    }


def build(
    config: AssessmentConfig, definitions: Definitions, read, extract: pd.DataFrame | None = None
) -> CountyLinesChapter:
    """Everything the chapter shows, from the processed tables (``read(config, name)``).

    ``extract`` replaces the processed force extract (e.g. to test another pattern).
    """
    from needs_assessment.chapters.trends import analysis as trends

    chosen = settings(config)
    districts = dict(config.area.districts)
    if extract is None:
        extract = read(config, "force_extract")
    population = read(config, "district_population")
    all_boundaries = read(config, "district_boundaries")
    boundaries = all_boundaries[all_boundaries["lad17_code"].isin(districts)].copy()
    lookup = read(config, "lsoa_lookup")
    lsoas = lookup.loc[lookup["lad17_code"].isin(districts), "lsoa11_code"]
    years = range(config.period.first_year, config.period.last_year + 1)
    parts = analyse(
        extract,
        definitions,
        districts,
        population,
        lsoas,
        years,
        chosen,
        names=area_names(population, all_boundaries, districts),
    )
    public = public_drug_rates(trends.build(config, definitions, read).series)
    synthetic = bool(config.data.force_extract_is_synthetic)
    return CountyLinesChapter(
        settings=chosen,
        synthetic=synthetic,
        label=data_label(synthetic),
        districts=districts,
        public=public,
        extract_check=extract_vs_published(extract, definitions, public),
        boundaries=boundaries,
        **parts,
    )


def results(chapter: CountyLinesChapter) -> dict:
    """Key figures for ``results.json``."""
    summary = chapter.summary
    link, overlap = chapter.violence, chapter.overlap
    public = chapter.public[chapter.public["area_type"] == "force"].sort_values("year").iloc[-1]
    return {
        "synthetic": chapter.synthetic,
        "data_label": chapter.label,
        "import_threshold": chapter.settings.import_threshold,
        "min_offenders": chapter.settings.min_offenders,
        "latest_year": summary["latest_year"].iloc[0],
        "latest_market_type": dict(
            zip(summary["district"], summary["latest_market_type"], strict=True)
        ),
        "usual_market_type": dict(
            zip(summary["district"], summary["usual_market_type"], strict=True)
        ),
        "recent_period": chapter.recent_period,
        "recent_market_type": dict(
            zip(summary["district"], summary["recent_market_type"], strict=True)
        ),
        "pooled_import_shares": {
            name: {
                r.district: {
                    "period": getattr(r, f"{name}_period"),
                    "supply_offenders": getattr(r, f"{name}_supply_offenders"),
                    "import_share": getattr(r, f"{name}_import_share"),
                    "lower_95": getattr(r, f"{name}_import_lower_95"),
                    "upper_95": getattr(r, f"{name}_import_upper_95"),
                    "market_type": getattr(r, f"{name}_market_type"),
                }
                for r in summary.itertuples()
            }
            for name in ("recent", "whole")
        },
        "import_shares": [
            {
                "district": r.district,
                "financial_year": r.financial_year,
                "supply_offenders": int(r.supply_offenders),
                "import_share": _float(r.import_share),
                "lower_95": _float(r.import_lower_95),
                "upper_95": _float(r.import_upper_95),
                "market_type": r.market_type,
            }
            for r in publishable_markets(chapter.markets, chapter.settings).itertuples()
            if pd.notna(r.supply_offenders)
        ],
        "violence_rate_ratio": {
            "importing_vs_home_grown": _float(link.rate_ratio),
            "lower_95": _float(link.lower),
            "upper_95": _float(link.upper),
            "adjusted": _float(link.adjusted_rate_ratio),
            "adjusted_lower_95": _float(link.adjusted_lower),
            "adjusted_upper_95": _float(link.adjusted_upper),
            "importing_district_years": link.importing_district_years,
            "home_grown_district_years": link.home_grown_district_years,
        },
        "hotspot_overlap": {
            "share": _float(overlap.overlap_share),
            "lower_95": _float(overlap.overlap_lower),
            "upper_95": _float(overlap.overlap_upper),
            "expected": _float(overlap.expected_share),
            "odds_ratio": _float(overlap.odds_ratio),
            "odds_lower_95": _float(overlap.odds_lower),
            "odds_upper_95": _float(overlap.odds_upper),
            "p_value": float(overlap.p_value),
        },
        "public_drug_offences": {
            "source": PUBLIC_LABEL,
            "financial_year": public["financial_year"],
            "rate_per_1000": float(public["rate_per_1000"]),
            "england_wales_rate_per_1000": float(public["england_wales_rate_per_1000"]),
            "vs_england_wales": public["vs_england_wales"],
        },
    }
