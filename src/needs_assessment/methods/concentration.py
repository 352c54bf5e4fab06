"""Crime concentration: how few places hold a share of the events, and what chance would give.

- :func:`concentration_shares`: the percentage of places that hold 25% and 50% of the
  events, places with most events first, places with no event counted in the denominator
  (the "law of crime concentration", Weisburd 2015).
- :func:`lorenz_curve`: cumulative % of events against cumulative % of places.
- :func:`random_concentration`: the same shares had the same number of events fallen at
  random in proportion to an exposure (seeded multinomial simulation): with few events
  per place, much apparent concentration is chance (Bernasco and Steenbeek 2017).
- :func:`in_top_share`: the places among the top tenth (by default) by count.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

CONCENTRATION_SHARES = (0.25, 0.50)
RANDOM_SIMULATIONS = 200
TOP_SHARE = 0.10


def concentration_shares(counts, shares=CONCENTRATION_SHARES) -> dict[float, float]:
    """Percentage of places that hold each share of the events, most events first.

    The smallest number of places whose events reach at least ``share`` of the total,
    over all places (places with no event included). NaN when there is no event.
    """
    values = np.sort(np.asarray(counts, dtype=float))[::-1]
    total = values.sum()
    if len(values) == 0 or total <= 0:
        return {share: float("nan") for share in shares}
    cumulative = np.cumsum(values)
    return {
        share: float((np.argmax(cumulative >= share * total) + 1) / len(values) * 100)
        for share in shares
    }


def lorenz_curve(counts) -> pd.DataFrame:
    """Cumulative % of events against cumulative % of places, places with most events first."""
    values = np.sort(np.asarray(counts, dtype=float))[::-1]
    total = values.sum()
    places = np.arange(len(values) + 1) / max(len(values), 1) * 100
    events = np.concatenate([[0.0], np.cumsum(values)]) / (total if total > 0 else 1) * 100
    return pd.DataFrame({"share_of_lsoas_pct": places, "share_of_events_pct": events})


def random_concentration(
    exposure,
    events: int,
    *,
    seed: int,
    shares=CONCENTRATION_SHARES,
    simulations: int = RANDOM_SIMULATIONS,
) -> dict[float, float]:
    """Mean concentration shares if ``events`` fell at random in proportion to ``exposure``."""
    weights = np.asarray(exposure, dtype=float)
    if events <= 0 or weights.sum() <= 0:
        return {share: float("nan") for share in shares}
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(int(events), weights / weights.sum(), size=simulations)
    found = [concentration_shares(row, shares) for row in draws]
    return {share: float(np.mean([f[share] for f in found])) for share in shares}


def in_top_share(counts: pd.Series, share: float = TOP_SHARE) -> pd.Series:
    """Among the ceil(share x n) places with most events (ties all included), and > 0."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    k = math.ceil(share * len(counts))
    rank = counts.rank(ascending=False, method="min")
    return (rank <= k) & (counts > 0)
