"""The deprivation gradient as a count model of LSOAs, and the LSOAs that depart from it.

``log E[count] = a + b * step + log(person-years)``: the incidence rate ratio (IRR) per
step of deprivation is ``exp(b)``; Poisson, or negative binomial when the counts are
overdispersed. An LSOA *departs* from the gradient when its count is unlikely under the
model (two-sided, Benjamini-Hochberg false discovery rate ``1 - level`` over all LSOAs).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as st
from statsmodels.stats.multitest import multipletests

from needs_assessment.methods import stats

MORE, FEWER = "more than expected", "fewer than expected"
"""The two directions of departure (values of the ``unexpected`` column)."""


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
