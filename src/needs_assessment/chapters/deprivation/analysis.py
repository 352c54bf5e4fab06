"""Deprivation chapter: how violence relates to deprivation (IMD 2019), LSOA by LSOA.

Numbers only: frames and typed results. Published shapes are in :mod:`.tables`, the
results block in :mod:`.results`, the words in ``text/*.md.j2`` (context from :mod:`.words`).

The unit is the 2011 LSOA: the force area's LSOAs are those whose district is in
``config.area.districts`` (487 for Cambridgeshire & Peterborough), from
:mod:`needs_assessment.small_area`, which also counts the events and the person-years.

**Events.** Each *measure* counts events per LSOA over the months its source covers:

- police.uk street-level crime (real): the crime types the definitions file gives the
  categories ``violence_and_sexual_offences`` (the headline), ``robbery`` and
  ``possession_of_weapons``, pooled over every month of the police.uk files that falls
  in the assessment period. Rows with no LSOA (no location) and rows located in an LSOA
  outside the area are left out, and counted.
- the force extract: knife-enabled serious violence, rows flagged ``sharp_instrument``
  whose Home Office code is in the ``knife_crime`` category, over every month of the
  assessment period, labelled by :func:`needs_assessment.tiers.force_extract`.

**Population.** Each month takes the LSOA's mid-year estimate for its calendar year (the
nearest year with an estimate when there is none, e.g. mid-2020 for 2021); an LSOA's
population is the average over the pooled months, so years with more months weigh more.

**Rates** are per 1,000 residents over the N months pooled, not annualised: ``rate =
events / population * 1000`` (column :data:`RATE`). For police.uk the N months are only
those the files hold (7 for Cambridgeshire, not consecutive), so a rate is not a year's.
An LSOA's limits are Byar's (exact Poisson under 10 events, :func:`stats.rate_interval`).
A decile's limits, and those of the rate ratio most vs least deprived decile, allow for
overdispersion between LSOAs: each LSOA's count is negative binomial (NB2) around its
decile's rate, with one shape estimated from the LSOAs (:mod:`methods.inequality`), the
same family as the chapter's area model. The model (:mod:`.gradient`) takes person-years
``population * months / 12`` as its offset, which gives the same IRR as the population.

**Deprivation** is each country's own index (:mod:`.indices`): the IMD 2019 for English
LSOAs, the WIMD 2019 for Welsh ones, never pooled into one ranking; national decile (1 = most
deprived 10% of the LSOA's own country) and local quintiles among the area's own LSOAs (1 =
most deprived fifth). Both include a crime domain (the WIMD's "community safety"), so every
association is also shown with the income-domain rank.

**Direction.** Everything is oriented so that a *positive* association means more
violence where deprivation is higher: Spearman's rho is computed against
``deprivation rank = -IMD rank``, and the model's *decile step* is ``10 - decile`` (0 for
the least deprived decile, 9 for the most), so an incidence rate ratio (IRR) above 1 per
step means rates rise with deprivation. SII and RII keep the PHE/OHID sign convention of
:func:`stats.slope_index_of_inequality` (negative SII and RII below 1 when rates are
higher in more deprived areas). The chapter's verdict (:func:`direction`) is read from
the interval of Spearman's rho with the IMD.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from needs_assessment import small_area
from needs_assessment.chapters.deprivation.events import (
    Events,
    extract_events,
    months_in_period,
    police_uk_events,
)
from needs_assessment.chapters.deprivation.gradient import (
    FEWER,
    MORE,
    Gradient,
    gradient_for,
    unexpected_lsoas,
)
from needs_assessment.chapters.deprivation.indices import (
    POSITIONS,
    deprivation_ranks,
    index_label,
    ordering,
)
from needs_assessment.config import AssessmentConfig
from needs_assessment.definitions import Definitions
from needs_assessment.methods import inequality as ineq
from needs_assessment.methods import stats

HEADLINE = "violence_and_sexual_offences"
POLICE_UK_CATEGORIES = ("violence_and_sexual_offences", "robbery", "possession_of_weapons")
KNIFE_CATEGORY = "knife_crime"
N_DECILES = 10
N_BOOT = 2000
MIN_LSOAS_FOR_GRADIENT = 30
"""A district with fewer LSOAs gets its gradient marked as uncertain."""
MIN_DECILES_SPANNED = 5
"""A district whose LSOAs span fewer national IMD deciles gets its gradient marked uncertain."""

Association = Literal["rises with deprivation", "falls with deprivation", "no clear association"]
"""The chapter's verdict on the link between violence and deprivation."""
Strength = Literal["very strong", "strong", "moderate", "weak", "negligible"]
STRENGTH: tuple[tuple[float, Strength], ...] = (
    (0.7, "very strong"),
    (0.5, "strong"),
    (0.3, "moderate"),
    (0.1, "weak"),
    (0.0, "negligible"),
)
"""Conventional labels for |rho| (0.1 / 0.3 / 0.5 / 0.7 cut-points)."""

RATE = "rate_per_1000_over_months"
"""Events per 1,000 residents over the months pooled (the ``months`` column), not a year."""
RATE_LOWER, RATE_UPPER = f"{RATE}_lower_95", f"{RATE}_upper_95"
RATE_COLUMNS = [RATE, RATE_LOWER, RATE_UPPER]

DECILE_COLUMNS = [
    "imd_decile",
    "lsoas",
    "months",
    "population",
    "count",
    *RATE_COLUMNS,
    "design_effect",
]
LSOA_COLUMNS = [
    "lsoa11_code",
    "lsoa11_name",
    "district_code",
    "district",
    "months",
    "population",
    "count",
    *RATE_COLUMNS,
    "index",
    "imd_rank",
    "imd_decile",
    "imd_local_quintile",
    "income_rank",
    "income_decile",
    "deprivation_tercile",
    "violence_tercile",
    "expected",
    "ratio_observed_expected",
    "pearson_residual",
    "unexpected",
]
DISTRICT_COLUMNS = [
    "district_code",
    "district",
    "lsoas",
    "count",
    "deciles_spanned",
    "irr_per_decile",
    "irr_lower_95",
    "irr_upper_95",
    "model",
    "rho",
    "rho_lower_95",
    "rho_upper_95",
    "reliability",
]


# -- the area ---------------------------------------------------------------------------


def area_lsoas(
    lookup: pd.DataFrame, ranks: pd.DataFrame, districts: dict[str, str]
) -> pd.DataFrame:
    """The area's LSOAs (:func:`small_area.area_lsoas` with :func:`deprivation_ranks`), each
    one's index, its position in that index's ranking, and its local quintile."""
    frame = small_area.area_lsoas(lookup, districts, imd=ranks)
    frame = frame.merge(ranks[["lsoa11_code", "index", "index_lsoas"]], on="lsoa11_code")
    for rank, position in POSITIONS.items():
        frame[position] = frame[rank] / frame["index_lsoas"]
    frame["imd_local_quintile"] = local_quintiles(frame["imd_position"])
    return frame


def local_quintiles(ranks: pd.Series, groups: int = 5) -> pd.Series:
    """Quintile of each LSOA's national rank among the given LSOAs: 1 = most deprived fifth."""
    order = ranks.rank(method="first")
    return (np.ceil(order / len(ranks) * groups)).astype("int64")


# -- the LSOA table ------------------------------------------------------------------------


def lsoa_table(
    lsoas: pd.DataFrame, events: Events, population: pd.Series, level: float = 0.95
) -> pd.DataFrame:
    """One row per area LSOA: events, population, rate per 1,000 over the months, interval.

    ``RATE = count / population * 1000`` over the months pooled, with Byar's limits;
    ``person_years = population * months / 12`` (the model's offset);
    ``deprivation_step = 10 - imd_decile`` and ``income_step = 10 - income_decile``
    (0 least deprived, 9 most).
    """
    months = len(events.months)
    frame = lsoas.merge(
        events.counts.rename("count"), left_on="lsoa11_code", right_index=True, how="left"
    )
    frame["population"] = frame["lsoa11_code"].map(population)
    if frame["population"].isna().any():
        code = frame.loc[frame["population"].isna(), "lsoa11_code"].iloc[0]
        raise ValueError(f"no population estimate for LSOA {code}")
    frame["count"] = frame["count"].fillna(0).astype("int64")
    frame["months"] = months
    frame["person_years"] = frame["population"] * months / 12
    rate, lower, upper = stats.rate_interval(
        frame["count"].to_numpy(dtype=float),
        frame["population"].to_numpy(dtype=float),
        per=1000,
        level=level,
    )
    frame[RATE], frame[RATE_LOWER], frame[RATE_UPPER] = rate, lower, upper
    frame["deprivation_step"] = N_DECILES - frame["imd_decile"]
    frame["income_step"] = N_DECILES - frame["income_decile"]
    frame["deprivation_tercile"] = terciles(-frame[ordering(frame, "imd_rank")])
    frame["violence_tercile"] = terciles(frame[RATE])
    return frame


def terciles(values: pd.Series) -> pd.Series:
    """Tercile of each value among all of them: 1 = lowest third, 3 = highest.

    Ties are broken in row order, so the thirds are as equal as the number of values allows.
    """
    order = values.rank(method="first")
    return np.ceil(order / len(values) * 3).astype("int64")


# -- the gradient by decile --------------------------------------------------------------


def decile_alpha(table: pd.DataFrame) -> float:
    """NB2 shape of the LSOA counts around their decile's rate (:func:`ineq.nb2_alpha`)."""
    means = ineq.group_means(table["count"], table["population"], table["imd_decile"])
    return ineq.nb2_alpha(table["count"], means)


def decile_table(
    table: pd.DataFrame, level: float = 0.95, alpha: float | None = None
) -> pd.DataFrame:
    """Rates by national IMD decile (deciles with at least one LSOA), with intervals.

    Limits allow for overdispersion between LSOAs (:func:`ineq.group_rates`, NB2 shape
    ``alpha``, estimated by :func:`decile_alpha` when not given). Columns
    :data:`DECILE_COLUMNS` plus ``person_years``; ``population`` is the summed average
    population, rounded to whole people.
    """
    rates = ineq.group_rates(
        table["count"], table["population"], table["imd_decile"], level=level, alpha=alpha
    ).table
    grouped = rates.rename(
        columns={
            "group": "imd_decile",
            "units": "lsoas",
            "exposure": "population",
            "rate": RATE,
            "lower": RATE_LOWER,
            "upper": RATE_UPPER,
        }
    )
    person_years = table.groupby("imd_decile")["person_years"].sum()
    grouped["person_years"] = grouped["imd_decile"].map(person_years).to_numpy(dtype=float)
    grouped["months"] = int(table["months"].iloc[0])
    grouped["count"] = grouped["count"].astype("int64")
    grouped["population"] = grouped["population"].round().astype("int64")
    grouped["imd_decile"] = grouped["imd_decile"].astype("int64")
    return (
        grouped[[*DECILE_COLUMNS, "person_years"]].sort_values("imd_decile").reset_index(drop=True)
    )


@dataclass(frozen=True)
class RateRatio:
    most_deprived_decile: int
    least_deprived_decile: int
    estimate: float
    lower: float
    upper: float


def rate_ratio(deciles: pd.DataFrame, level: float = 0.95) -> RateRatio:
    """Rate in the most deprived decile present over the least deprived decile present.

    Log-method limits on the deciles' effective events (:func:`ineq.group_rate_ratio`),
    so they allow for overdispersion as the deciles' own limits do.
    """
    most, least = int(deciles["imd_decile"].min()), int(deciles["imd_decile"].max())
    groups = deciles.rename(columns={"imd_decile": "group", "person_years": "exposure"})
    ratio = ineq.group_rate_ratio(groups, most, least, level)
    return RateRatio(most, least, *map(float, ratio))


def inequality(deciles: pd.DataFrame) -> stats.InequalityIndices:
    """SII and RII over the deciles (ordered most to least deprived), weighted by population."""
    ordered = deciles.sort_values("imd_decile")
    return stats.slope_index_of_inequality(
        ordered[RATE].to_numpy(dtype=float),
        ordered["person_years"].to_numpy(dtype=float),
    )


# -- association -----------------------------------------------------------------------


def association(
    table: pd.DataFrame,
    rank: str = "imd_rank",
    *,
    n_boot: int = N_BOOT,
    seed: int | None = 0,
    level: float = 0.95,
) -> stats.Interval:
    """Spearman's rho of LSOA rate with deprivation (``-rank``: positive = more where deprived).

    LSOAs are ordered by their position in their own country's ranking (:data:`POSITIONS`),
    where the table has it. Percentile bootstrap interval over LSOAs
    (:func:`stats.spearman_with_bootstrap`).
    """
    return stats.spearman_with_bootstrap(
        table[RATE].to_numpy(dtype=float),
        -table[ordering(table, rank)].to_numpy(dtype=float),
        n_boot=n_boot,
        seed=seed,
        level=level,
    )


# -- per district ----------------------------------------------------------------------


def district_gradients(
    table: pd.DataFrame, *, n_boot: int = N_BOOT, seed: int | None = 0, level: float = 0.95
) -> pd.DataFrame:
    """The gradient within each district: IRR per decile step and Spearman's rho, side by side.

    ``reliability`` says "clear" or why the estimate is uncertain: fewer than
    :data:`MIN_LSOAS_FOR_GRADIENT` LSOAs, LSOAs spanning fewer than
    :data:`MIN_DECILES_SPANNED` national deciles, or an IRR interval that includes 1.
    """
    rows = []
    for (code, name), group in table.groupby(["district_code", "district"], sort=True):
        spanned = int(group["imd_decile"].nunique())
        row = {
            "district_code": code,
            "district": name,
            "lsoas": len(group),
            "count": int(group["count"].sum()),
            "deciles_spanned": spanned,
        }
        try:
            fit = gradient_for(group, level=level)
            row.update(
                irr_per_decile=fit.irr,
                irr_lower_95=fit.lower,
                irr_upper_95=fit.upper,
                model=fit.model,
            )
        except ValueError:
            row.update(
                irr_per_decile=np.nan,
                irr_lower_95=np.nan,
                irr_upper_95=np.nan,
                model="not estimated",
            )
        try:
            rho = association(group, n_boot=n_boot, seed=seed, level=level)
            row.update(rho=rho.estimate, rho_lower_95=rho.lower, rho_upper_95=rho.upper)
        except ValueError:
            row.update(rho=np.nan, rho_lower_95=np.nan, rho_upper_95=np.nan)
        row["reliability"] = _reliability(row)
        rows.append(row)
    return pd.DataFrame(rows, columns=DISTRICT_COLUMNS)


def _reliability(row: dict) -> str:
    reasons = []
    if row["lsoas"] < MIN_LSOAS_FOR_GRADIENT:
        reasons.append(f"only {row['lsoas']} LSOAs")
    if row["deciles_spanned"] < MIN_DECILES_SPANNED:
        reasons.append(f"LSOAs span only {row['deciles_spanned']} deciles")
    if np.isnan(row["irr_lower_95"]):
        reasons.append("no model")
    elif row["irr_lower_95"] <= 1 <= row["irr_upper_95"]:
        reasons.append("interval includes no gradient")
    return "clear" if not reasons else "uncertain: " + "; ".join(reasons)


# -- one measure, analysed -------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    events: Events
    population_years: dict
    table: pd.DataFrame  # LSOA table with the model's expectations
    deciles: pd.DataFrame
    alpha: float  # NB2 shape of LSOA counts around their decile's rate (decile limits)
    rate_ratio: RateRatio
    inequality: stats.InequalityIndices
    gradient: Gradient
    income_gradient: Gradient
    rho_imd: stats.Interval
    rho_income: stats.Interval
    districts: pd.DataFrame

    @property
    def area_rate(self) -> float:
        """Events per 1,000 residents over the months pooled, the whole area (not a year's)."""
        return float(self.table["count"].sum() / self.table["population"].sum() * 1000)

    @property
    def decile_model(self) -> str:
        """The count model of the deciles' limits: "negative binomial", or "Poisson" (alpha 0)."""
        return "negative binomial" if self.alpha > 0 else "Poisson"

    @property
    def months(self) -> int:
        """How many months the measure pools (the N of its rates)."""
        return len(self.events.months)

    @property
    def association(self) -> Association:
        """The verdict on the link with the IMD (:func:`direction`)."""
        return direction(self.rho_imd)

    @property
    def has_unexpected(self) -> bool:
        """Whether any LSOA departs from what its deprivation predicts."""
        return bool(self.table["unexpected"].notna().any())


def analyse(
    lsoas: pd.DataFrame,
    events: Events,
    lsoa_population: pd.DataFrame,
    *,
    seed: int | None = 0,
    level: float = 0.95,
    n_boot: int = N_BOOT,
    with_districts: bool = True,
) -> Analysis:
    """Every statistic of the chapter for one measure."""
    codes = lsoas["lsoa11_code"]
    population = small_area.average_population(lsoa_population, events.months, codes)
    years = small_area.population_years(lsoa_population, events.months)
    table = lsoa_table(lsoas, events, population, level)
    gradient = gradient_for(table, level=level)
    alpha = decile_alpha(table)
    deciles = decile_table(table, level, alpha)
    return Analysis(
        events=events,
        population_years=years,
        table=unexpected_lsoas(table, gradient, level),
        deciles=deciles,
        alpha=alpha,
        rate_ratio=rate_ratio(deciles, level),
        inequality=inequality(deciles),
        gradient=gradient,
        income_gradient=gradient_for(table, "income_step", level),
        rho_imd=association(table, "imd_rank", n_boot=n_boot, seed=seed, level=level),
        rho_income=association(table, "income_rank", n_boot=n_boot, seed=seed, level=level),
        districts=(
            district_gradients(table, n_boot=n_boot, seed=seed, level=level)
            if with_districts
            else pd.DataFrame(columns=DISTRICT_COLUMNS)
        ),
    )


# -- the chapter in one call ---------------------------------------------------------------


@dataclass(frozen=True)
class DeprivationChapter:
    headline: Analysis
    others: list[Analysis]
    lsoa_boundaries: pd.DataFrame  # GeoDataFrame of the area's LSOAs
    district_boundaries: pd.DataFrame  # GeoDataFrame of the area's districts

    @property
    def analyses(self) -> list[Analysis]:
        return [self.headline, *self.others]

    @property
    def index(self) -> str:
        """The index of deprivation the LSOAs are ranked on (:func:`index_label`)."""
        return index_label(self.headline.table)

    @property
    def cross_border(self) -> bool:
        """Whether the area has LSOAs in England and in Wales (each ranked on its own index)."""
        return self.headline.table["index"].nunique() > 1


def build(
    config: AssessmentConfig,
    definitions: Definitions,
    *,
    lsoa_lookup: pd.DataFrame,
    imd: pd.DataFrame,
    wimd: pd.DataFrame | None,
    lsoa_population: pd.DataFrame,
    police_uk_counts: pd.DataFrame,
    force_extract: pd.DataFrame | None,
    lsoa_boundaries: pd.DataFrame,
    district_boundaries: pd.DataFrame,
) -> DeprivationChapter:
    """Everything the chapter shows, from the processed tables it names.

    ``force_extract`` is None when the config names no extract (the knife measure is then
    left out). English LSOAs are ranked on the IMD 2019, Welsh ones on the WIMD 2019
    (``wimd``, None when the config names no WIMD file).
    """
    districts = config.area.districts
    lsoas = area_lsoas(lsoa_lookup, deprivation_ranks(imd, wimd), districts)
    codes = lsoas["lsoa11_code"]
    population = lsoa_population[lsoa_population["lsoa11_code"].isin(codes)]
    measures = [
        police_uk_events(
            police_uk_counts,
            codes,
            definitions.categories[key].policeuk_crime_types,
            key=key,
            label=definitions.categories[key].label,
            period=config.period,
        )
        for key in POLICE_UK_CATEGORIES
        if key in definitions.categories
    ]
    if force_extract is not None and KNIFE_CATEGORY in definitions.categories:
        measures.append(_knife_events(force_extract, codes, config, definitions))
    # a measure with no event in the area has no gradient: the headline stays, others go
    measures = measures[:1] + [events for events in measures[1:] if events.total > 0]
    level, seed = config.thresholds.confidence_level, config.seed
    headline, *others = [
        analyse(lsoas, events, population, seed=seed, level=level, with_districts=(i == 0))
        for i, events in enumerate(measures)
    ]
    return DeprivationChapter(
        headline=headline,
        others=others,
        lsoa_boundaries=lsoa_boundaries[lsoa_boundaries["lsoa11_code"].isin(codes)],
        district_boundaries=district_boundaries[
            district_boundaries["lad17_code"].isin(list(districts))
        ],
    )


def _knife_events(extract, codes, config: AssessmentConfig, definitions: Definitions) -> Events:
    knife = definitions.categories[KNIFE_CATEGORY]
    return extract_events(
        extract,
        codes,
        knife.home_office_codes,
        months_in_period(config.period),
        key=KNIFE_CATEGORY,
        label=f"{knife.label} (force extract)",
        marker=knife.marker or "sharp_instrument",
        synthetic=config.data.force_extract_is_synthetic,
    )


# -- verdicts and counts the words and results quote ---------------------------------------------


def covers_whole_years(months) -> bool:
    """Whether ``months`` ('YYYY-MM') make whole years: 12 x k months, each calendar month k
    times (so every season weighs as in a year). Only then is a rate over them a year's."""
    calendar = pd.Series([int(m[5:7]) for m in months]).value_counts()
    return len(months) > 0 and len(calendar) == 12 and calendar.nunique() == 1


def direction(rho: stats.Interval) -> Association:
    """The chapter's verdict: no clear association when rho's interval includes 0."""
    if rho.lower <= 0 <= rho.upper:
        return "no clear association"
    return "rises with deprivation" if rho.estimate > 0 else "falls with deprivation"


def strength(rho: float) -> Strength:
    """'weak', 'moderate', ... for the size of a correlation coefficient."""
    size = abs(rho)
    return next(word for cut, word in STRENGTH if size >= cut)


def bivariate_counts(table: pd.DataFrame) -> pd.DataFrame:
    """LSOAs in each deprivation tercile x violence tercile cell (3 x 3)."""
    return pd.crosstab(table["deprivation_tercile"], table["violence_tercile"]).reindex(
        index=[1, 2, 3], columns=[1, 2, 3], fill_value=0
    )


def unexpected_counts(table: pd.DataFrame) -> dict[str, int]:
    """LSOAs far above (``more``) and far below (``fewer``) what deprivation predicts."""
    return {
        "more": int((table["unexpected"] == MORE).sum()),
        "fewer": int((table["unexpected"] == FEWER).sum()),
    }
