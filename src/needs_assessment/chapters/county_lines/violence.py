"""County Lines: drug markets set beside serious violence.

Serious violence is violence with injury plus knife or sharp instrument offences (codes of
the ``violence_with_injury`` category, or codes of ``knife_crime`` with the sharp-instrument
marker; each offence counted once). Rates in clearly importing and clearly home-grown
district-years (the interval of the import share excludes the threshold) are compared by a
rate ratio (``stats.rate_ratio_interval``), and again with year effects and extra-Poisson
variation allowed for (quasi-Poisson regression). LSOA by LSOA, the top decile of
drug-supply counts is compared with the top decile of serious-violence counts over the
whole period (Fisher's exact test; conditional odds ratio with exact interval).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as st
from scipy.stats.contingency import odds_ratio

from needs_assessment.chapters.county_lines.indicators import serious_violence_mask
from needs_assessment.chapters.county_lines.markets import (
    CLEAR,
    HOME_GROWN,
    IMPORTING,
    SUPPLY,
    codes,
)
from needs_assessment.definitions import Definitions
from needs_assessment.methods import stats
from needs_assessment.periods import financial_year_label

#: Share of LSOAs called hotspots (top decile).
HOTSPOT_SHARE = 0.10
#: How serious violence in importing markets compares with home-grown ones.
HIGHER, LOWER, NOT_DIFFERENT = "higher", "lower", "not different"


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

    @property
    def verdict(self) -> str:
        """Higher / lower when the crude ratio's interval lies wholly above / below 1."""
        if self.lower > 1:
            return HIGHER
        return LOWER if self.upper < 1 else NOT_DIFFERENT

    @property
    def adjusted_includes_one(self) -> bool:
        return bool(self.adjusted_lower <= 1 <= self.adjusted_upper)


def violence_link(
    market_table: pd.DataFrame, indicator_table: pd.DataFrame, level: float = 0.95
) -> ViolenceLink:
    """Rate ratio of serious violence, importing / home-grown district-years.

    The crude ratio pools events and populations of each group (``stats.rate_ratio_interval``,
    Poisson). The adjusted ratio comes from a quasi-Poisson regression of counts on market
    type and financial year with log population as offset, so that a change in violence over
    time is not read as a market effect and the interval widens with the variation between
    district-years (Pearson dispersion). Only clear classifications count: uncertain, mixed
    and too-few district-years are left out.
    """
    frame = indicator_table.merge(
        market_table[["district_code", "year", "market_type", "certainty"]],
        on=["district_code", "year"],
    )
    frame = frame[
        frame["market_type"].isin([IMPORTING, HOME_GROWN]) & (frame["certainty"] == CLEAR)
    ]
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
    level: float
    first_year: str
    last_year: str
    table: pd.DataFrame = field(repr=False)

    @property
    def significant(self) -> bool:
        """Fisher's test rejects independence at the configured level."""
        return self.p_value < 1 - self.level


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
        level=level,
        first_year=financial_year_label(int(years[0])) if years else "",
        last_year=financial_year_label(int(years[-1])) if years else "",
        table=table.rename_axis("lsoa_code").reset_index(),
    )
