"""Deprivation chapter: how violence relates to deprivation (IMD 2019), LSOA by LSOA.

The unit is the 2011 LSOA: the force area's LSOAs are those whose district is in
``config.area.districts`` (487 for Cambridgeshire & Peterborough).

**Events.** Each *measure* counts events per LSOA over the months its source covers:

- police.uk street-level crime (real): the crime types the definitions file gives the
  categories ``violence_and_sexual_offences`` (the headline), ``robbery`` and
  ``possession_of_weapons``, pooled over every month of the police.uk files that falls
  in the assessment period. Rows with no LSOA (no location) and rows located in an LSOA
  outside the area are left out, and counted.
- the force extract: knife-enabled serious violence, rows flagged ``sharp_instrument``
  whose Home Office code is in the ``knife_crime`` category, over every month of the
  assessment period. Labelled demonstration data (synthetic) when
  ``config.data.force_extract_is_synthetic``.

**Population.** Each month takes the LSOA's mid-year estimate for its calendar year (the
nearest year with an estimate when there is none, e.g. mid-2020 for 2021); an LSOA's
population is the average over the pooled months, so years with more months weigh more.

**Rates** are annualised: ``rate per 1,000 a year = events / months * 12 / population *
1000``, i.e. events per 1,000 person-years, with Byar's (exact Poisson under 10 events)
limits on person-years ``population * months / 12`` (:func:`stats.rate_interval`).

**Deprivation** is the IMD 2019: national rank (1 = most deprived of 32,844 LSOAs in
England), national decile (1 = most deprived 10%), and local quintiles of rank among the
area's own LSOAs (1 = most deprived fifth). The IMD includes a crime domain, so every
association is also shown with the income-domain rank.

**Direction.** Everything is oriented so that a *positive* association means more
violence where deprivation is higher: Spearman's rho is computed against
``deprivation rank = -IMD rank``, and the model's *decile step* is ``10 - decile`` (0 for
the least deprived decile, 9 for the most), so an incidence rate ratio (IRR) above 1 per
step means rates rise with deprivation. SII and RII keep the PHE/OHID sign convention of
:func:`stats.slope_index_of_inequality` (negative SII and RII below 1 when rates are
higher in more deprived areas); the prose turns them round into words.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as st
from statsmodels.stats.multitest import multipletests

from needs_assessment.config import AssessmentConfig, Period
from needs_assessment.definitions import Definitions
from needs_assessment.methods import stats
from needs_assessment.methods.disclosure import (
    SUPPRESSED_MARKER,
    assert_no_identifiers,
    marker_column,
    suppress_small_counts,
)
from needs_assessment.presentation.text import join

TIER_POLICE_UK = "police.uk street-level crime (real)"
SYNTHETIC_LABEL = "demonstration data (synthetic)"
HEADLINE = "violence_and_sexual_offences"
POLICE_UK_CATEGORIES = ("violence_and_sexual_offences", "robbery", "possession_of_weapons")
KNIFE_CATEGORY = "knife_crime"
N_DECILES = 10
N_BOOT = 2000
MIN_LSOAS_FOR_GRADIENT = 30
"""A district with fewer LSOAs gets its gradient marked as uncertain."""
MIN_DECILES_SPANNED = 5
"""A district whose LSOAs span fewer national IMD deciles gets its gradient marked uncertain."""

DECILE_COLUMNS = [
    "imd_decile",
    "lsoas",
    "population",
    "count",
    "rate_per_1000",
    "rate_lower_95",
    "rate_upper_95",
]
LSOA_COLUMNS = [
    "lsoa11_code",
    "lsoa11_name",
    "district_code",
    "district",
    "months",
    "population",
    "count",
    "rate_per_1000",
    "rate_lower_95",
    "rate_upper_95",
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
MORE, FEWER = "more than expected", "fewer than expected"


# -- events ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Events:
    """Events per LSOA of one measure, and what went into them."""

    key: str
    label: str
    source: str
    months: tuple[str, ...]
    counts: pd.Series  # index lsoa11_code (every area LSOA), events
    no_location: int = 0
    outside_area: int = 0
    synthetic: bool = False
    crime_types: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return int(self.counts.sum())


def area_lsoas(lookup: pd.DataFrame, imd: pd.DataFrame, districts: dict[str, str]) -> pd.DataFrame:
    """The area's LSOAs with district, IMD and income ranks/deciles and local IMD quintile.

    Columns ``lsoa11_code, lsoa11_name, district_code, district, imd_rank, imd_decile,
    income_rank, income_decile, imd_local_quintile``; one row per LSOA whose district
    (``lad17_code``) is in ``districts``. Fails if an area LSOA has no IMD rank.
    """
    area = lookup[lookup["lad17_code"].isin(list(districts))]
    if area.empty:
        raise ValueError("no LSOA of the lookup lies in the configured districts")
    columns = ["imd_rank", "imd_decile", "income_rank", "income_decile"]
    frame = area[["lsoa11_code", "lsoa11_name", "lad17_code"]].merge(
        imd[["lsoa11_code", *columns]], on="lsoa11_code", how="left"
    )
    missing = frame.loc[frame["imd_rank"].isna(), "lsoa11_code"]
    if len(missing):
        raise ValueError(f"{len(missing)} area LSOAs have no IMD 2019 rank, e.g. {missing.iloc[0]}")
    frame = frame.rename(columns={"lad17_code": "district_code"})
    frame["district"] = frame["district_code"].map(districts)
    for column in columns:
        frame[column] = frame[column].astype("int64")
    frame["imd_local_quintile"] = local_quintiles(frame["imd_rank"])
    order = [
        "lsoa11_code",
        "lsoa11_name",
        "district_code",
        "district",
        *columns,
        "imd_local_quintile",
    ]
    return frame[order].sort_values("lsoa11_code").reset_index(drop=True)


def local_quintiles(ranks: pd.Series, groups: int = 5) -> pd.Series:
    """Quintile of each LSOA's national rank among the given LSOAs: 1 = most deprived fifth."""
    order = ranks.rank(method="first")
    return (np.ceil(order / len(ranks) * groups)).astype("int64")


def months_in_period(period: Period) -> tuple[str, ...]:
    """Every month of the assessed financial years, 'YYYY-MM' (April to March)."""
    months = pd.period_range(f"{period.first_year}-04", f"{period.last_year + 1}-03", freq="M")
    return tuple(str(m) for m in months)


def police_uk_events(
    counts: pd.DataFrame,
    lsoa_codes,
    crime_types,
    *,
    key: str,
    label: str,
    period: Period | None = None,
) -> Events:
    """Events per area LSOA from police.uk street counts (real), pooled over its months.

    The months pooled are every month present in ``counts`` (any crime type) inside
    ``period`` (all of them without one). Rows with no LSOA and rows in LSOAs outside
    ``lsoa_codes`` are excluded and counted.
    """
    frame = counts.assign(month=pd.to_datetime(counts["month"]).dt.strftime("%Y-%m"))
    if period is not None:
        frame = frame[frame["month"].isin(months_in_period(period))]
    months = tuple(sorted(frame["month"].unique()))
    if not months:
        raise ValueError("no police.uk month falls in the assessment period")
    rows = frame[frame["crime_type"].isin(list(crime_types))]
    located = rows["lsoa_code"].notna()
    inside = rows["lsoa_code"].isin(list(lsoa_codes))
    per_lsoa = rows[inside].groupby("lsoa_code")["crimes"].sum()
    return Events(
        key=key,
        label=label,
        source=TIER_POLICE_UK,
        months=months,
        counts=_every_lsoa(per_lsoa, lsoa_codes),
        no_location=int(rows.loc[~located, "crimes"].sum()),
        outside_area=int(rows.loc[located & ~inside, "crimes"].sum()),
        crime_types=tuple(crime_types),
    )


def extract_events(
    extract: pd.DataFrame,
    lsoa_codes,
    home_office_codes,
    months,
    *,
    key: str,
    label: str,
    marker: str = "sharp_instrument",
    synthetic: bool = False,
    source: str = "Force offence extract",
) -> Events:
    """Events per area LSOA from the force extract: rows with ``marker`` among the codes.

    ``months`` are the months the extract covers (the assessment period); offences dated
    outside them, with no LSOA, or in an LSOA outside the area are excluded and counted.
    """
    month = pd.to_datetime(extract["offence_date"]).dt.strftime("%Y-%m")
    rows = extract[
        extract[marker].fillna(False).astype(bool)
        & extract["home_office_code"].isin(list(home_office_codes))
        & month.isin(list(months))
    ]
    located = rows["lsoa_code"].notna()
    inside = rows["lsoa_code"].isin(list(lsoa_codes))
    per_lsoa = rows[inside].groupby("lsoa_code").size()
    if synthetic:
        source = f"{source}, {SYNTHETIC_LABEL}"
    return Events(
        key=key,
        label=label,
        source=source,
        months=tuple(months),
        counts=_every_lsoa(per_lsoa, lsoa_codes),
        no_location=int((~located).sum()),
        outside_area=int((located & ~inside).sum()),
        synthetic=synthetic,
    )


def _every_lsoa(per_lsoa: pd.Series, lsoa_codes) -> pd.Series:
    index = pd.Index(list(lsoa_codes), name="lsoa11_code")
    return per_lsoa.reindex(index, fill_value=0).astype("int64").rename("count")


# -- population and the LSOA table ----------------------------------------------------


def population_for_months(lsoa_population: pd.DataFrame, months) -> tuple[pd.Series, dict]:
    """Average LSOA population over ``months`` ('YYYY-MM'), each month at its year's estimate.

    A month whose calendar year has no estimate uses the nearest year that has one. Returns
    the population per LSOA (index ``lsoa11_code``) and ``{year used: months}``.
    """
    available = np.array(sorted(lsoa_population["year"].unique()))
    years = [int(m[:4]) for m in months]
    used = [int(available[np.abs(available - y).argmin()]) for y in years]
    weights = pd.Series(used).value_counts().sort_index()
    wide = lsoa_population.pivot_table(
        index="lsoa11_code", columns="year", values="population", aggfunc="sum"
    )
    average = (wide[weights.index] * weights.to_numpy()).sum(axis=1) / weights.sum()
    return average.rename("population"), {int(k): int(v) for k, v in weights.items()}


def lsoa_table(
    lsoas: pd.DataFrame, events: Events, population: pd.Series, level: float = 0.95
) -> pd.DataFrame:
    """One row per area LSOA: events, population, annualised rate per 1,000 with interval.

    ``person_years = population * months / 12``; ``rate_per_1000 = count / person_years *
    1000``; ``deprivation_step = 10 - imd_decile`` and ``income_step = 10 - income_decile``
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
        frame["person_years"].to_numpy(dtype=float),
        per=1000,
        level=level,
    )
    frame["rate_per_1000"], frame["rate_lower_95"], frame["rate_upper_95"] = rate, lower, upper
    frame["deprivation_step"] = N_DECILES - frame["imd_decile"]
    frame["income_step"] = N_DECILES - frame["income_decile"]
    frame["deprivation_tercile"] = terciles(-frame["imd_rank"])
    frame["violence_tercile"] = terciles(frame["rate_per_1000"])
    return frame


def terciles(values: pd.Series) -> pd.Series:
    """Tercile of each value among all of them: 1 = lowest third, 3 = highest.

    Ties are broken in row order, so the thirds are as equal as the number of values allows.
    """
    order = values.rank(method="first")
    return np.ceil(order / len(values) * 3).astype("int64")


# -- the gradient by decile --------------------------------------------------------------


def decile_table(table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Rates by national IMD decile (deciles with at least one LSOA), with intervals.

    Columns :data:`DECILE_COLUMNS` plus ``person_years``; ``population`` is the summed
    average population, rounded to whole people.
    """
    grouped = (
        table.groupby("imd_decile")
        .agg(
            lsoas=("lsoa11_code", "size"),
            population=("population", "sum"),
            person_years=("person_years", "sum"),
            count=("count", "sum"),
        )
        .reset_index()
    )
    rate, lower, upper = stats.rate_interval(
        grouped["count"].to_numpy(dtype=float),
        grouped["person_years"].to_numpy(dtype=float),
        per=1000,
        level=level,
    )
    grouped["rate_per_1000"], grouped["rate_lower_95"], grouped["rate_upper_95"] = (
        rate,
        lower,
        upper,
    )
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
    """Rate in the most deprived decile present over the least deprived decile present."""
    most = deciles.loc[deciles["imd_decile"].idxmin()]
    least = deciles.loc[deciles["imd_decile"].idxmax()]
    ratio = stats.rate_ratio_interval(
        float(most["count"]),
        float(most["person_years"]),
        float(least["count"]),
        float(least["person_years"]),
        level,
    )
    return RateRatio(int(most["imd_decile"]), int(least["imd_decile"]), *map(float, ratio))


def inequality(deciles: pd.DataFrame) -> stats.InequalityIndices:
    """SII and RII over the deciles (ordered most to least deprived), weighted by population."""
    ordered = deciles.sort_values("imd_decile")
    return stats.slope_index_of_inequality(
        ordered["rate_per_1000"].to_numpy(dtype=float),
        ordered["person_years"].to_numpy(dtype=float),
    )


# -- the model -------------------------------------------------------------------------


@dataclass(frozen=True)
class Gradient:
    """Incidence rate ratio per step of deprivation from a count model of LSOAs."""

    model: str  # "Poisson" or "negative binomial"
    dispersion: float  # Poisson Pearson chi-square / df
    alpha: float  # NB2 shape (0 for Poisson)
    irr: float
    lower: float
    upper: float
    p_value: float
    expected: np.ndarray = field(repr=False)
    pearson: np.ndarray = field(repr=False)


def fit_gradient(
    counts,
    steps,
    person_years,
    level: float = 0.95,
    overdispersion_threshold: float = stats.OVERDISPERSION_THRESHOLD,
) -> Gradient:
    """log E[count] = a + b * step + log(person-years); IRR per step = exp(b).

    A Poisson GLM first; if its Pearson chi-square / df exceeds the threshold (1.5, as
    :func:`stats.poisson_trend`), a negative binomial (NB2, shape by maximum likelihood)
    instead. If the negative binomial fails to converge the model is quasi-Poisson (the
    Poisson estimate, standard errors scaled by the dispersion). Expected counts and
    Pearson residuals come from the model used.
    """
    y = np.asarray(counts, dtype=float)
    x = np.asarray(steps, dtype=float)
    exposure = np.asarray(person_years, dtype=float)
    if not (y.shape == x.shape == exposure.shape) or y.ndim != 1:
        raise ValueError("counts, steps and person-years must be one-dimensional and aligned")
    if len(y) < 3 or y.sum() == 0:
        raise ValueError("a gradient needs at least 3 areas and at least one event")
    if np.ptp(x) == 0:
        raise ValueError("all areas are in the same decile: there is no gradient to estimate")
    design = sm.add_constant(x, has_constant="add")
    offset = np.log(exposure)
    alpha_level = 1 - level
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()
        dispersion = float(poisson.pearson_chi2 / poisson.df_resid)
        if dispersion <= overdispersion_threshold:
            return _gradient(
                "Poisson",
                dispersion,
                0.0,
                poisson,
                alpha_level,
                y,
                poisson.mu,
                np.asarray(poisson.resid_pearson),
            )
        nb = sm.NegativeBinomial(y, design, loglike_method="nb2", offset=offset).fit(
            disp=0, maxiter=200
        )
    params = np.asarray(nb.params)
    alpha = float(params[-1])
    if nb.mle_retvals.get("converged", False) and np.all(np.isfinite(nb.bse)) and alpha > 0:
        mu = np.exp(design @ params[:-1] + offset)
        pearson = (y - mu) / np.sqrt(mu + alpha * mu**2)
        return _gradient("negative binomial", dispersion, alpha, nb, alpha_level, y, mu, pearson)
    quasi = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit(scale="X2")
    return _gradient(
        "quasi-Poisson",
        dispersion,
        0.0,
        quasi,
        alpha_level,
        y,
        quasi.mu,
        np.asarray(quasi.resid_pearson) / np.sqrt(dispersion),
    )


def _gradient(name, dispersion, alpha, fit, alpha_level, y, mu, pearson) -> Gradient:
    low, high = np.asarray(fit.conf_int(alpha=alpha_level))[1]
    slope = float(np.asarray(fit.params)[1])
    return Gradient(
        model=name,
        dispersion=dispersion,
        alpha=alpha,
        irr=float(np.exp(slope)),
        lower=float(np.exp(low)),
        upper=float(np.exp(high)),
        p_value=float(np.asarray(fit.pvalues)[1]),
        expected=np.asarray(mu, dtype=float),
        pearson=np.asarray(pearson, dtype=float),
    )


def gradient_for(
    table: pd.DataFrame, step: str = "deprivation_step", level: float = 0.95
) -> Gradient:
    """:func:`fit_gradient` on an LSOA table (``count``, ``person_years`` and ``step``)."""
    return fit_gradient(table["count"], table[step], table["person_years"], level)


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

    Percentile bootstrap interval over LSOAs (:func:`stats.spearman_with_bootstrap`).
    """
    return stats.spearman_with_bootstrap(
        table["rate_per_1000"].to_numpy(dtype=float),
        -table[rank].to_numpy(dtype=float),
        n_boot=n_boot,
        seed=seed,
        level=level,
    )


# -- where the gradient breaks down ----------------------------------------------------------


def unexpected_lsoas(table: pd.DataFrame, gradient: Gradient, level: float = 0.95) -> pd.DataFrame:
    """The LSOA table with the model's expectation and which LSOAs depart from it.

    Adds ``expected`` (events the deprivation model predicts), ``ratio_observed_expected``,
    ``pearson_residual``, ``p_value`` (two-sided, from the model's distribution: negative
    binomial with its shape, else Poisson), ``q_value`` (Benjamini-Hochberg over all
    LSOAs) and ``unexpected``: "more than expected" / "fewer than expected" where the
    q-value is below ``1 - level``, else missing.
    """
    frame = table.copy()
    y = frame["count"].to_numpy(dtype=float)
    mu = gradient.expected
    if gradient.alpha > 0:
        size = 1 / gradient.alpha
        dist = st.nbinom(size, size / (size + mu))
    else:
        dist = st.poisson(mu)
    upper_tail = dist.sf(y - 1)
    lower_tail = dist.cdf(y)
    p = np.minimum(1.0, 2 * np.minimum(upper_tail, lower_tail))
    q = multipletests(p, method="fdr_bh")[1]
    frame["expected"] = mu
    frame["ratio_observed_expected"] = y / mu
    frame["pearson_residual"] = gradient.pearson
    frame["p_value"], frame["q_value"] = p, q
    flagged = q < 1 - level
    frame["unexpected"] = pd.array(
        np.where(flagged, np.where(y > mu, MORE, FEWER), None), dtype="string"
    )
    return frame


def unexpected_list(frame: pd.DataFrame, direction: str = MORE) -> pd.DataFrame:
    """The flagged LSOAs in one direction, largest departure first."""
    rows = frame[frame["unexpected"] == direction]
    key = "pearson_residual"
    return rows.sort_values(key, ascending=direction != MORE).reset_index(drop=True)


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
    rate_ratio: RateRatio
    inequality: stats.InequalityIndices
    gradient: Gradient
    income_gradient: Gradient
    rho_imd: stats.Interval
    rho_income: stats.Interval
    districts: pd.DataFrame

    @property
    def area_rate(self) -> float:
        return float(self.table["count"].sum() / self.table["person_years"].sum() * 1000)


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
    population, years = population_for_months(lsoa_population, events.months)
    table = lsoa_table(lsoas, events, population, level)
    gradient = gradient_for(table, level=level)
    deciles = decile_table(table, level)
    return Analysis(
        events=events,
        population_years=years,
        table=unexpected_lsoas(table, gradient, level),
        deciles=deciles,
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


# -- publishable tables ----------------------------------------------------------------------


def published_deciles(deciles: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """The decile table with :data:`DECILE_COLUMNS` only, after disclosure control."""
    rates = ["rate_per_1000", "rate_lower_95", "rate_upper_95"]
    frame = deciles[DECILE_COLUMNS].copy()
    frame[rates] = frame[rates].round(3)
    return _suppressed(frame, config, rates)[DECILE_COLUMNS]


def published_lsoas(table: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    """The LSOA table after disclosure control: counts 1-5 hidden, rates on < 10 events blanked.

    Everything computed from the count (rate, limits, observed/expected, residual) is
    hidden with it; markers in ``<column>_marker``. Because the chapter also publishes
    totals by district and by IMD decile, a district or decile with exactly one hidden
    count gets a second one hidden (:func:`secondary_cells`), so no small count can be
    recovered by subtraction.
    """
    frame = table.assign(
        population=table["population"].round().astype("int64"), expected=table["expected"].round(2)
    )
    derived = [
        "rate_per_1000",
        "rate_lower_95",
        "rate_upper_95",
        "ratio_observed_expected",
        "pearson_residual",
    ]
    frame[derived] = frame[derived].round(3)
    safe = _suppressed(frame[LSOA_COLUMNS], config, derived)
    primary = (safe[marker_column("count")] == SUPPRESSED_MARKER).fillna(False).to_numpy(bool)
    hidden = secondary_cells(
        frame["count"].to_numpy(dtype=float),
        primary,
        [frame["district_code"].to_numpy(), frame["imd_decile"].to_numpy()],
    )
    extra = hidden & ~primary
    for column in ["count", *derived]:
        safe[column] = safe[column].mask(extra)
        safe[marker_column(column)] = safe[marker_column(column)].mask(extra, SUPPRESSED_MARKER)
    return safe


def secondary_cells(counts: np.ndarray, hidden: np.ndarray, groupings: list) -> np.ndarray:
    """Hidden cells after complementary suppression across several published totals.

    ``groupings`` holds one label array per published total (e.g. district and decile).
    While any group of any grouping has exactly one hidden cell, the smallest shown
    non-zero cell of that group (a zero only if none) is hidden too; the loop repeats
    because hiding a cell for one grouping can leave a single hidden cell in another.
    """
    hidden = np.asarray(hidden, dtype=bool).copy()
    counts = np.asarray(counts, dtype=float)
    changed = True
    while changed:
        changed = False
        for labels in groupings:
            labels = np.asarray(labels)
            for key in pd.unique(labels):
                positions = np.flatnonzero(labels == key)
                if hidden[positions].sum() != 1:
                    continue
                shown = positions[~hidden[positions]]
                if len(shown) == 0:
                    continue
                nonzero = shown[counts[shown] > 0]
                pool = nonzero if len(nonzero) else shown
                hidden[pool[np.argmin(counts[pool])]] = True
                changed = True
    return hidden


def published_districts(districts: pd.DataFrame, config: AssessmentConfig) -> pd.DataFrame:
    frame = districts.copy()
    for column in (
        "irr_per_decile",
        "irr_lower_95",
        "irr_upper_95",
        "rho",
        "rho_lower_95",
        "rho_upper_95",
    ):
        frame[column] = frame[column].astype(float).round(3)
    safe = suppress_small_counts(
        frame, ["count"], threshold=config.thresholds.suppress_counts_up_to
    )
    assert_no_identifiers(safe)
    return safe


def _suppressed(frame: pd.DataFrame, config: AssessmentConfig, derived: list[str]) -> pd.DataFrame:
    safe = suppress_small_counts(
        frame,
        ["count"],
        threshold=config.thresholds.suppress_counts_up_to,
        derived_columns={column: "count" for column in derived},
        min_events_for_rate=config.thresholds.min_events_for_rate,
    )
    assert_no_identifiers(safe)
    return safe


def measures_table(analyses: list[Analysis]) -> pd.DataFrame:
    """One row per measure: source, months, events and the headline statistics."""
    rows = []
    for a in analyses:
        rows.append(
            {
                "measure": a.events.label,
                "source": a.events.source,
                "months": len(a.events.months),
                "first_month": a.events.months[0],
                "last_month": a.events.months[-1],
                "lsoas": len(a.table),
                "count": a.events.total,
                "rate_per_1000": round(a.area_rate, 3),
                "rho_imd": a.rho_imd.estimate,
                "rho_imd_lower_95": a.rho_imd.lower,
                "rho_imd_upper_95": a.rho_imd.upper,
                "rho_income": a.rho_income.estimate,
                "rho_income_lower_95": a.rho_income.lower,
                "rho_income_upper_95": a.rho_income.upper,
                "rate_ratio": a.rate_ratio.estimate,
                "rate_ratio_lower_95": a.rate_ratio.lower,
                "rate_ratio_upper_95": a.rate_ratio.upper,
                "irr_per_decile": a.gradient.irr,
                "irr_lower_95": a.gradient.lower,
                "irr_upper_95": a.gradient.upper,
                "model": a.gradient.model,
            }
        )
    frame = pd.DataFrame(rows)
    numbers = frame.select_dtypes("float").columns
    frame[numbers] = frame[numbers].round(3)
    return frame


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


def build(config: AssessmentConfig, definitions: Definitions, read) -> DeprivationChapter:
    """Everything the chapter shows, from the processed tables (``read(config, name)``)."""
    districts = config.area.districts
    lsoas = area_lsoas(read(config, "lsoa_lookup"), read(config, "imd"), districts)
    codes = lsoas["lsoa11_code"]
    population = read(config, "lsoa_population")
    population = population[population["lsoa11_code"].isin(codes)]
    level, seed = config.thresholds.confidence_level, config.seed
    police = read(config, "police_uk_counts")
    measures = [
        police_uk_events(
            police,
            codes,
            definitions.categories[key].policeuk_crime_types,
            key=key,
            label=definitions.categories[key].label,
            period=config.period,
        )
        for key in POLICE_UK_CATEGORIES
        if key in definitions.categories
    ]
    if config.data.force_extract is not None and KNIFE_CATEGORY in definitions.categories:
        knife = definitions.categories[KNIFE_CATEGORY]
        measures.append(
            extract_events(
                read(config, "force_extract"),
                codes,
                knife.home_office_codes,
                months_in_period(config.period),
                key=KNIFE_CATEGORY,
                label=f"{knife.label} (force extract)",
                marker=knife.marker or "sharp_instrument",
                synthetic=config.data.force_extract_is_synthetic,
            )
        )
    headline, *others = [
        analyse(lsoas, events, population, seed=seed, level=level, with_districts=(i == 0))
        for i, events in enumerate(measures)
    ]
    lsoa_shapes = read(config, "lsoa_boundaries")
    district_shapes = read(config, "district_boundaries")
    return DeprivationChapter(
        headline=headline,
        others=others,
        lsoa_boundaries=lsoa_shapes[lsoa_shapes["lsoa11_code"].isin(codes)],
        district_boundaries=district_shapes[district_shapes["lad17_code"].isin(list(districts))],
    )


def results(chapter: DeprivationChapter) -> dict:
    """Key figures for ``results.json``."""
    h = chapter.headline
    return {
        "measure": h.events.label,
        "source": h.events.source,
        "crime_types": list(h.events.crime_types),
        "months": list(h.events.months),
        "months_pooled": len(h.events.months),
        "population_years": {str(k): v for k, v in h.population_years.items()},
        "lsoas": len(h.table),
        "events": h.events.total,
        "excluded_no_location": h.events.no_location,
        "excluded_outside_area": h.events.outside_area,
        "rate_per_1000": round(h.area_rate, 3),
        "rho_imd": _interval(h.rho_imd),
        "rho_income": _interval(h.rho_income),
        "rate_ratio": {
            "most_deprived_decile": h.rate_ratio.most_deprived_decile,
            "least_deprived_decile": h.rate_ratio.least_deprived_decile,
            **_interval(h.rate_ratio),
        },
        "irr_per_decile": {
            **_interval(h.gradient, "irr"),
            "model": h.gradient.model,
            "dispersion": round(h.gradient.dispersion, 3),
        },
        "irr_per_income_decile": {
            **_interval(h.income_gradient, "irr"),
            "model": h.income_gradient.model,
        },
        "sii": round(h.inequality.sii, 4),
        "rii": round(h.inequality.rii, 4),
        "unexpected_more": int((h.table["unexpected"] == MORE).sum()),
        "unexpected_fewer": int((h.table["unexpected"] == FEWER).sum()),
        "districts": published_table_records(h.districts),
        "measures": measures_table(chapter.analyses).to_dict(orient="records"),
    }


def _interval(value, name: str = "estimate") -> dict:
    return {
        "estimate": round(float(getattr(value, name)), 4),
        "lower": round(float(value.lower), 4),
        "upper": round(float(value.upper), 4),
    }


def published_table_records(districts: pd.DataFrame) -> list[dict]:
    frame = districts[
        [
            "district",
            "lsoas",
            "irr_per_decile",
            "irr_lower_95",
            "irr_upper_95",
            "rho",
            "rho_lower_95",
            "rho_upper_95",
            "reliability",
        ]
    ]
    return frame.round(4).replace({np.nan: None}).to_dict(orient="records")


# -- words -------------------------------------------------------------------------------------

STRENGTH = (
    (0.7, "very strong"),
    (0.5, "strong"),
    (0.3, "moderate"),
    (0.1, "weak"),
    (0.0, "negligible"),
)
"""Conventional labels for |rho| (0.1 / 0.3 / 0.5 / 0.7 cut-points)."""


def strength(rho: float) -> str:
    """'weak', 'moderate', ... for the size of a correlation coefficient."""
    size = abs(rho)
    return next(word for cut, word in STRENGTH if size >= cut)


def describe_rho(rho: stats.Interval, level: float = 0.95) -> str:
    """E.g. 'a moderate positive association: rho 0.41, 95% CI 0.33 to 0.49'."""
    pct = f"{level:.0%}"
    numbers = f"rho {_num(rho.estimate)}, {pct} CI {_num(rho.lower)} to {_num(rho.upper)}"
    if rho.lower <= 0 <= rho.upper:
        return f"no clear association ({strength(rho.estimate)} at most: {numbers})"
    direction = "positive" if rho.estimate > 0 else "negative"
    word, floor = strength(rho.estimate), strength(min(abs(rho.lower), abs(rho.upper)))
    hedge = f" (at least {floor})" if floor != word else ""
    return f"a {word} {direction} association: {numbers}{hedge}"


def _num(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace("-", "−")


def _months_words(months) -> str:
    names = [pd.Period(m, freq="M").strftime("%b %Y") for m in months]
    return join(names)


def _span_words(months) -> str:
    """'7 pooled months (Oct 2018 to Jan 2021, not consecutive)' or '144 months (...)'."""
    periods = [pd.Period(m, freq="M") for m in months]
    first, last = periods[0].strftime("%b %Y"), periods[-1].strftime("%b %Y")
    consecutive = (periods[-1] - periods[0]).n + 1 == len(periods)
    if consecutive:
        return f"{len(periods)} months ({first} to {last})"
    return f"{len(periods)} pooled months ({first} to {last}, not consecutive)"


def describe_data(a: Analysis, area: str) -> str:
    """What was counted, over which months and which population."""
    e = a.events
    years = ", ".join(
        f"mid-{y} ({n} month{'s' if n > 1 else ''})" for y, n in a.population_years.items()
    )
    types = join([f'"{t}"' for t in e.crime_types]) if e.crime_types else e.label
    return (
        f"The headline measure is police.uk street-level crime type {types} (real data): "
        f"{e.total:,} offences in {len(a.table)} LSOAs of {area}, pooled over the "
        f"{len(e.months)} months the police.uk files hold: {_months_words(e.months)}. "
        f"{e.no_location:,} offences with no location and {e.outside_area:,} located outside "
        f"the area's LSOAs are left out. Rates are annualised per 1,000 residents "
        f"(offences ÷ {len(e.months)} months × 12 ÷ population × 1,000); each LSOA's "
        f"population is the average of the ONS mid-year estimates of the months' years "
        f"({years}; the nearest year where a year has no estimate). Across the area the rate "
        f"is {a.area_rate:.1f} per 1,000 a year."
    )


def describe_caveats(chapter: DeprivationChapter) -> str:
    """The two cautions the Board must hear, plus the synthetic tier where present."""
    h = chapter.headline
    kind = h.events.crime_types[0] if h.events.crime_types else h.events.label
    text = (
        f'**Two cautions.** police.uk "{kind}" is much broader than serious violence: it '
        "holds every violent and sexual offence, including common assault without injury, "
        "harassment, stalking and sexual offences, so it shows where violence in general is "
        "recorded, not serious violence alone. And the Index of "
        "Multiple Deprivation includes a crime domain (recorded violence, burglary, theft and "
        "criminal damage), so part of any link between the IMD and violence is built in; the "
        "income domain, which contains no crime, is shown alongside as the fairer test."
    )
    synthetic = [a for a in chapter.others if a.events.synthetic]
    if synthetic:
        text += (
            f" The knife-enabled serious violence figures come from the force extract, which "
            f"here is {SYNTHETIC_LABEL}: its offences were placed in LSOAs in proportion to "
            "the real police.uk counts, so its gradient echoes police.uk by construction and "
            "is not independent evidence."
        )
    return text


def describe_association(a: Analysis, level: float = 0.95) -> str:
    """The strength of the association with its uncertainty, IMD and income domain."""
    pct = f"{level:.0%}"
    return (
        f"Across the {len(a.table)} LSOAs, deprivation (IMD 2019 rank) and the annual rate of "
        f"{a.events.label.lower()} show {describe_rho(a.rho_imd, level)} (Spearman's rank "
        f"correlation; the {pct} interval comes from {N_BOOT:,} bootstrap resamples of "
        f"LSOAs). With the income domain in place of the whole index: "
        f"{describe_rho(a.rho_income, level)}. {_compare_domains(a)}"
    )


def _compare_domains(a: Analysis) -> str:
    imd, income = a.rho_imd, a.rho_income
    overlap = imd.lower <= income.upper and income.lower <= imd.upper
    if overlap:
        return (
            "The two intervals overlap, so the crime domain inside the IMD does not "
            "account for the association on its own."
        )
    if imd.estimate > income.estimate:
        return (
            "The association with the whole index is clearly stronger than with income, "
            "so part of it comes from the IMD's own crime domain."
        )
    return "The association with income is clearly stronger than with the whole index."


def describe_gradient(a: Analysis, level: float = 0.95) -> str:
    """Rate ratio, IRR per decile step, SII/RII in words, every number computed."""
    pct = f"{level:.0%}"
    rr, g, ig = a.rate_ratio, a.gradient, a.income_gradient
    deciles = a.deciles.set_index("imd_decile")
    most, least = deciles.loc[rr.most_deprived_decile], deciles.loc[rr.least_deprived_decile]
    model = f"{g.model} regression of LSOA counts with population as offset" + (
        f" (chosen because the counts vary far more than a Poisson model allows: "
        f"dispersion {g.dispersion:.1f})"
        if g.model != "Poisson"
        else ""
    )
    sii, rii = a.inequality
    return (
        f"The rate in the most deprived decile present (decile {rr.most_deprived_decile}, "
        f"{int(most['lsoas'])} LSOAs) is {most['rate_per_1000']:.1f} per 1,000 a year against "
        f"{least['rate_per_1000']:.1f} in the least deprived (decile {rr.least_deprived_decile}, "
        f"{int(least['lsoas'])} LSOAs): a rate ratio of {rr.estimate:.2f} ({pct} CI "
        f"{rr.lower:.2f} to {rr.upper:.2f}). Each step of one national decile towards more "
        f"deprivation multiplies the rate by {g.irr:.3f}, the incidence rate ratio (IRR) "
        f"per decile ({pct} CI {g.lower:.3f} to {g.upper:.3f}; {_pct_words(g)}), in a {model}. "
        f"By income-domain decile the "
        f"step is {ig.irr:.3f} ({pct} CI {ig.lower:.3f} to {ig.upper:.3f}). Over the whole "
        f"population, the fitted rate at the most deprived end is {abs(sii):.1f} per 1,000 "
        f"{'higher' if sii < 0 else 'lower'} than at the least deprived end (slope index of "
        f"inequality {_num(sii, 1)}) and {_times(rii)} (relative index of inequality "
        f"{rii:.2f}; PHE convention, least over most deprived)."
    )


def _pct_words(g: Gradient) -> str:
    change = (g.irr - 1) * 100
    return f"{abs(change):.1f}% {'more' if change >= 0 else 'less'} per decile"


def _times(rii: float) -> str:
    if not np.isfinite(rii) or rii <= 0:
        return "the relative index cannot be read as a ratio"
    return f"{1 / rii:.2f} times the least deprived end's rate"


def describe_unexpected(a: Analysis, level: float = 0.95, top: int = 5) -> str:
    """Where the gradient breaks down: LSOAs far above or below what deprivation predicts."""
    more, fewer = unexpected_list(a.table, MORE), unexpected_list(a.table, FEWER)
    q = f"{1 - level:.0%}"
    if more.empty and fewer.empty:
        return (
            f"No LSOA departs from what its deprivation predicts by more than chance "
            f"allows (false discovery rate {q})."
        )
    text = (
        f"{len(more)} LSOAs have far more {a.events.label.lower()} than their deprivation "
        f"predicts and {len(fewer)} far fewer (two-sided test against the model's "
        f"{a.gradient.model} distribution, false discovery rate {q})."
    )
    if not more.empty:
        shown = more.head(top)
        names = join(
            [
                f"{r.lsoa11_name} ({r.district}, {r.ratio_observed_expected:.1f} times "
                f"the expected count, IMD decile {r.imd_decile})"
                for r in shown.itertuples()
            ]
        )
        text += f" The largest departures are {names}. {_district_share(more, a.table)}"
    return text + (
        " Places like these usually draw people who do not live there (town and city "
        "centres with a night-time economy, shops and transport hubs, or sites such as "
        "hospitals), so the deprivation of their residents cannot predict their violence; "
        "each should be checked against local knowledge before it is named as such."
    )


def _district_share(more: pd.DataFrame, table: pd.DataFrame) -> str:
    counts = more["district"].value_counts()
    events = int(more["count"].sum())
    share = events / table["count"].sum() * 100
    where = join([f"{n} in {d}" for d, n in counts.items()])
    return (
        f"Together the {len(more)} LSOAs ({len(more) / len(table):.1%} of the area's "
        f"LSOAs) hold {events:,} offences, {share:.0f}% of the area's total; {where}."
    )


def describe_districts(districts: pd.DataFrame, level: float = 0.95) -> str:
    """The gradient within each district, and where it is uncertain."""
    pct = f"{level:.0%}"
    lines = []
    for r in districts.itertuples():
        irr = (
            "no model"
            if np.isnan(r.irr_per_decile)
            else f"IRR per decile {r.irr_per_decile:.2f} ({pct} CI {r.irr_lower_95:.2f} to "
            f"{r.irr_upper_95:.2f})"
        )
        rho = (
            ""
            if np.isnan(r.rho)
            else f"; rho {_num(r.rho)} ({_num(r.rho_lower_95)} to {_num(r.rho_upper_95)})"
        )
        lines.append(
            f"- **{r.district}** ({r.lsoas} LSOAs, deciles spanned: "
            f"{r.deciles_spanned}): {irr}{rho}; {r.reliability}."
        )
    uncertain = districts.loc[districts["reliability"] != "clear", "district"].tolist()
    head = (
        f"Within each district (a gradient is marked uncertain with fewer than "
        f"{MIN_LSOAS_FOR_GRADIENT} LSOAs, LSOAs spanning fewer than {MIN_DECILES_SPANNED} "
        f"national deciles, or an IRR interval that includes 1):\n\n"
    )
    tail = (
        "\n\nEvery district's gradient is clear."
        if not uncertain
        else f"\n\nThe within-district gradient is uncertain in {join(uncertain)}: too few "
        "LSOAs, too narrow a spread of deprivation, or an interval that cannot rule out "
        "no gradient."
    )
    return head + "\n".join(lines) + tail


def tier_note(chapter: DeprivationChapter) -> str:
    """A sentence for captions: which rows rest on demonstration (synthetic) data, if any."""
    synthetic = [a.events.label for a in chapter.analyses if a.events.synthetic]
    if not synthetic:
        return ""
    return (
        f" {join(synthetic)}: {SYNTHETIC_LABEL}, invented offences in the force extract's "
        "schema, not real figures."
    )


def describe_measures(analyses: list[Analysis], level: float = 0.95) -> str:
    """The same statistics for the other measures, one bullet each."""
    pct = f"{level:.0%}"
    lines = []
    for a in analyses:
        rr = a.rate_ratio
        ratio = (
            "no rate ratio (no events in one of the end deciles)"
            if np.isnan(rr.estimate)
            else f"rate ratio {rr.estimate:.2f} ({pct} CI {rr.lower:.2f} to {rr.upper:.2f})"
        )
        lines.append(
            f"- **{a.events.label}** ({a.events.source}; {a.events.total:,} offences over "
            f"{_span_words(a.events.months)}): "
            f"{describe_rho(a.rho_imd, level)} with the IMD and "
            f"{describe_rho(a.rho_income, level)} with income; {ratio}; IRR per decile "
            f"{a.gradient.irr:.3f} ({pct} CI {a.gradient.lower:.3f} to {a.gradient.upper:.3f})."
        )
    return "\n".join(lines)


# -- alt text -------------------------------------------------------------------------------


def alt_deciles(a: Analysis, level: float = 0.95) -> str:
    d = a.deciles
    top = d.loc[d["rate_per_1000"].idxmax()]
    rr = a.rate_ratio
    return (
        f"Bar chart of the annual rate of {a.events.label.lower()} per 1,000 residents by "
        f"national IMD decile, with {level:.0%} intervals. The rate is "
        f"{d.iloc[0]['rate_per_1000']:.1f} "
        f"in decile {int(d.iloc[0]['imd_decile'])} (most deprived) and "
        f"{d.iloc[-1]['rate_per_1000']:.1f} in decile {int(d.iloc[-1]['imd_decile'])} (least "
        f"deprived), a rate ratio of {rr.estimate:.2f}; the highest is decile "
        f"{int(top['imd_decile'])} at {top['rate_per_1000']:.1f}."
    )


def alt_scatter(a: Analysis, min_events: int = 10) -> str:
    more = len(unexpected_list(a.table, MORE))
    few = int((a.table["count"] < min_events).sum())
    return (
        f"Scatter plot of {len(a.table)} LSOAs: annual rate of {a.events.label.lower()} per "
        f"1,000 residents against national IMD rank, with a lowess smoother; the {few} LSOAs "
        f"with fewer than {min_events} offences are ticks along the foot, their rates not shown. "
        f"{_sentence(describe_rho(a.rho_imd))}; {_count_words(more)} far above what "
        f"their deprivation predicts."
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count_words(n: int) -> str:
    return "no LSOA lies" if n == 0 else "1 LSOA lies" if n == 1 else f"{n} LSOAs lie"


def bivariate_counts(table: pd.DataFrame) -> pd.DataFrame:
    """LSOAs in each deprivation tercile x violence tercile cell (3 x 3)."""
    return pd.crosstab(table["deprivation_tercile"], table["violence_tercile"]).reindex(
        index=[1, 2, 3], columns=[1, 2, 3], fill_value=0
    )


def alt_bivariate(a: Analysis, area: str) -> str:
    cells = bivariate_counts(a.table)
    both_high = int(cells.loc[3, 3])
    both_low = int(cells.loc[1, 1])
    off = int(cells.loc[1, 3])
    return (
        f"Map of {area}'s {len(a.table)} LSOAs coloured by deprivation tercile (IMD rank "
        f"among the area's LSOAs) crossed with tercile of the {a.events.label.lower()} rate, "
        f"with district outlines. {both_high} LSOAs are in the most deprived and highest-rate "
        f"third on both, {both_low} in the least deprived and lowest-rate third on both, and "
        f"{off} are among the least deprived but in the highest-rate third."
    )


def alt_unexpected(a: Analysis) -> str:
    more = unexpected_list(a.table, MORE)
    fewer = unexpected_list(a.table, FEWER)
    where = more["district"].value_counts()
    places = join([f"{n} in {d}" for d, n in where.items()]) if len(where) else "none"
    return (
        f"Map of LSOAs whose {a.events.label.lower()} departs from what their deprivation "
        f"predicts: {len(more)} with far more ({places}) and {len(fewer)} with far fewer."
    )


def alt_districts(districts: pd.DataFrame) -> str:
    valid = districts.dropna(subset=["irr_per_decile"])
    top = valid.loc[valid["irr_per_decile"].idxmax()]
    low = valid.loc[valid["irr_per_decile"].idxmin()]
    return (
        f"Dot-and-interval chart of the incidence rate ratio per IMD decile within each of "
        f"{len(districts)} districts. Steepest in {top['district']} "
        f"({top['irr_per_decile']:.2f}), shallowest in {low['district']} "
        f"({low['irr_per_decile']:.2f}); "
        f"{int((districts['reliability'] != 'clear').sum())} marked uncertain."
    )


def unexpected_display(a: Analysis, safe: pd.DataFrame, direction: str = MORE) -> pd.DataFrame:
    """The LSOAs far from expectation as a Board reads them, from the published table."""
    codes = unexpected_list(a.table, direction)["lsoa11_code"]
    rows = safe.set_index("lsoa11_code").loc[list(codes)].reset_index()
    return pd.DataFrame(
        {
            "LSOA": rows["lsoa11_name"],
            "District": rows["district"],
            "Offences": rows["count"],
            "Per 1,000 a year": rows["rate_per_1000"],
            "IMD decile": rows["imd_decile"],
            "Expected offences": rows["expected"],
            "Observed / expected": rows["ratio_observed_expected"],
        }
    )


def decile_display(deciles: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """The decile table as a Board reads it."""
    interval = [
        f"{lo:.1f} to {hi:.1f}" if pd.notna(lo) else "–"
        for lo, hi in zip(deciles["rate_lower_95"], deciles["rate_upper_95"], strict=True)
    ]
    labels = {1: "1 (most deprived)", 10: "10 (least deprived)"}
    return pd.DataFrame(
        {
            "IMD decile": [labels.get(int(d), str(int(d))) for d in deciles["imd_decile"]],
            "LSOAs": deciles["lsoas"],
            "Population": deciles["population"],
            "Offences": deciles["count"],
            "Per 1,000 a year": deciles["rate_per_1000"],
            f"{level:.0%} CI": interval,
        }
    )


def district_display(districts: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """The district gradients as a Board reads them."""

    def ci(lo, hi, digits):
        return "–" if pd.isna(lo) else f"{lo:.{digits}f} to {hi:.{digits}f}"

    return pd.DataFrame(
        {
            "District": districts["district"],
            "LSOAs": districts["lsoas"],
            "Offences": districts["count"],
            "Deciles spanned": districts["deciles_spanned"],
            "Rate ratio per decile": districts["irr_per_decile"],
            f"{level:.0%} CI (rate ratio)": [
                ci(lo, hi, 2)
                for lo, hi in zip(districts["irr_lower_95"], districts["irr_upper_95"], strict=True)
            ],
            "Spearman's rho": districts["rho"],
            f"{level:.0%} CI (rho)": [
                ci(lo, hi, 2)
                for lo, hi in zip(districts["rho_lower_95"], districts["rho_upper_95"], strict=True)
            ],
            "Reliability": districts["reliability"],
        }
    )
