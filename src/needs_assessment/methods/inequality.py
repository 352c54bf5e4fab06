"""Rates of groups of small areas (e.g. IMD deciles of LSOAs), allowing for overdispersion.

Counts of recorded crime vary between small areas far more than a Poisson model allows, so
a group's rate (its events over its exposure) is less certain than Byar's limits on its
count say. Here each area's count is taken as negative binomial (NB2): mean ``mu`` and
variance ``mu + alpha * mu**2``, with one shape ``alpha`` for every area, estimated by
maximum likelihood with each group's mean rate at its crude value (``mu = exposure * group
events / group exposure``). A group's total then has variance ``sum(mu) * design_effect``
with

    design_effect = 1 + alpha * sum(mu**2) / sum(mu),

and its limits are the Poisson limits (Byar's, exact under 10 events: :mod:`.stats`) of the
*effective* number of events, ``events / design_effect``, over the effective exposure
``exposure / design_effect``: the rate stays the crude rate, its interval widens. The ratio
of two groups' rates takes the log method on the same effective events, so its standard
error is ``sqrt(de_a / events_a + de_b / events_b)``. With ``alpha = 0`` (Poisson counts)
every limit is the Poisson one exactly.

Reference for the variance: Cameron & Trivedi (2013), *Regression Analysis of Count Data*,
2nd ed., section 3.3 (NB2); the effective-count device is Kish's design effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from needs_assessment.methods import stats

MAX_ALPHA = 100.0
"""Upper bound of the NB2 shape searched (a variance 100 x the mean squared)."""
MIN_ALPHA = 1e-9
"""Lower bound of the search: at this shape the counts are Poisson to within rounding."""


@dataclass(frozen=True)
class GroupRates:
    """Rates per group with overdispersion-aware limits, and the NB2 shape they use.

    ``table``: one row per group (sorted), columns ``group, units, count, exposure, rate,
    lower, upper, design_effect``; ``rate`` per ``per`` units of exposure.
    """

    table: pd.DataFrame
    alpha: float


def _arrays(counts, exposure, groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.asarray(counts, dtype=float)
    e = np.asarray(exposure, dtype=float)
    g = np.asarray(groups)
    if not (y.ndim == 1 and y.shape == e.shape == g.shape):
        raise ValueError("counts, exposure and groups must be one-dimensional and aligned")
    if len(y) == 0:
        raise ValueError("group rates need at least one area")
    if np.isnan(y).any() or np.isnan(e).any() or pd.isna(g).any():
        raise ValueError("counts, exposure and groups must not be missing")
    if (y < 0).any():
        raise ValueError("counts must not be negative")
    if (e <= 0).any():
        raise ValueError("exposure must be greater than zero")
    return y, e, g


def group_means(counts, exposure, groups) -> np.ndarray:
    """Each area's expected count at its group's crude rate: ``exposure * rate of its group``."""
    y, e, g = _arrays(counts, exposure, groups)
    _, index = np.unique(g, return_inverse=True)
    return e * (np.bincount(index, y) / np.bincount(index, e))[index]


def nb2_alpha(counts, means) -> float:
    """Maximum-likelihood NB2 shape of ``counts`` with the given means (``alpha >= 0``).

    Returns 0 when the likelihood does not rise from ``alpha = 0``: its slope there is
    ``sum((y - mu)**2 - y) / 2`` (Cameron & Trivedi 2013, 3.3), so counts that vary no more
    than Poisson ones give 0. Otherwise searches ``log(alpha)`` between :data:`MIN_ALPHA` and
    :data:`MAX_ALPHA`. Areas with a mean of 0 (and so a count of 0) carry no information and
    are left out.
    """
    y, mu = np.asarray(counts, dtype=float), np.asarray(means, dtype=float)
    if y.shape != mu.shape or y.ndim != 1:
        raise ValueError("counts and means must be one-dimensional and aligned")
    if (mu < 0).any() or np.isnan(mu).any():
        raise ValueError("means must be given and not negative")
    if ((mu == 0) & (y > 0)).any():
        raise ValueError("an area with events cannot have a mean of 0")
    keep = mu > 0
    y, mu = y[keep], mu[keep]
    if len(y) < 2 or ((y - mu) ** 2 - y).sum() <= 0:
        return 0.0

    constant = special.gammaln(y + 1)

    def negative_loglik(log_alpha: float) -> float:
        size = np.exp(-log_alpha)
        loglik = (
            special.gammaln(y + size)
            - special.gammaln(size)
            - constant
            + size * np.log(size / (size + mu))
            + y * np.log(mu / (size + mu))
        )
        return -float(loglik.sum())

    best = optimize.minimize_scalar(
        negative_loglik,
        bounds=(np.log(MIN_ALPHA), np.log(MAX_ALPHA)),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return float(np.exp(best.x))


def group_rates(
    counts, exposure, groups, *, per: float = 1000, level: float = 0.95, alpha: float | None = None
) -> GroupRates:
    """Crude rate of each group of areas with limits allowing for overdispersion (NB2).

    A group's ``design_effect`` is ``1 + alpha * sum(mu**2) / sum(mu)`` over its areas'
    means (1 for a group with no events). ``alpha`` is estimated from the areas
    (:func:`nb2_alpha` at :func:`group_means`) unless given; ``alpha = 0`` gives the Poisson
    limits of :func:`stats.rate_interval`.
    """
    y, e, g = _arrays(counts, exposure, groups)
    means = group_means(y, e, g)
    shape = nb2_alpha(y, means) if alpha is None else float(alpha)
    if shape < 0 or np.isnan(shape):
        raise ValueError(f"the NB2 shape must be 0 or more, got {shape}")
    keys, index = np.unique(g, return_inverse=True)
    mu, mu2 = np.bincount(index, means), np.bincount(index, means**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        effect = np.where(mu > 0, 1 + shape * mu2 / mu, 1.0)
    table = pd.DataFrame(
        {
            "group": keys,
            "units": np.bincount(index),
            "count": np.bincount(index, y),
            "exposure": np.bincount(index, e),
            "design_effect": effect,
        }
    )
    rate, lower, upper = stats.rate_interval(
        table["count"].to_numpy() / effect, table["exposure"].to_numpy() / effect, per, level
    )
    table["rate"], table["lower"], table["upper"] = rate, lower, upper
    columns = ["group", "units", "count", "exposure", "rate", "lower", "upper", "design_effect"]
    return GroupRates(table=table[columns], alpha=shape)


def group_rate_ratio(table: pd.DataFrame, numerator, denominator, level: float = 0.95):
    """Rate of group ``numerator`` over group ``denominator`` with log-method limits on the
    effective events (NaN when either group has no events).

    ``table`` has ``group, count, exposure, design_effect`` (e.g. :attr:`GroupRates.table`).
    """
    rows = table.set_index("group")
    for key in (numerator, denominator):
        if key not in rows.index:
            raise ValueError(f"no group {key!r} among the rates")
    a, b = rows.loc[numerator], rows.loc[denominator]
    return stats.rate_ratio_interval(
        float(a["count"] / a["design_effect"]),
        float(a["exposure"] / a["design_effect"]),
        float(b["count"] / b["design_effect"]),
        float(b["exposure"] / b["design_effect"]),
        level,
    )
