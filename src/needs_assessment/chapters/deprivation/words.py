"""Results -> the context each deprivation template needs (``text/<name>.md.j2``).

No sentence is written here: every function returns numbers, names from the data and
codes, and the template words them. Each takes the built chapter and the config, so the
notebook calls them all the same way: ``chapter.say(name, **words.<name>(result, config))``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import pandas as pd

from needs_assessment import tiers
from needs_assessment.chapters.deprivation.analysis import (
    MIN_DECILES_SPANNED,
    MIN_LSOAS_FOR_GRADIENT,
    N_BOOT,
    RATE,
    Analysis,
    DeprivationChapter,
    bivariate_counts,
    covers_whole_years,
    direction,
    strength,
)
from needs_assessment.chapters.deprivation.gradient import FEWER, MORE, unexpected_list
from needs_assessment.config import AssessmentConfig
from needs_assessment.methods import stats

TOP_DEPARTURES = 5
"""How many of the LSOAs far above expectation the prose names."""
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring"}
SEASONS |= {6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}
"""Meteorological season of each calendar month."""


# -- pieces shared by several templates --------------------------------------------------------

#: Per index: its short name and the name of its crime domain.
INDEX_NAMES = {"IMD 2019": ("IMD", "crime"), "WIMD 2019": ("WIMD", "community safety")}


def index_words(chapter: DeprivationChapter) -> dict:
    """How every template names the index: ``index`` ('IMD 2019', 'WIMD 2019', or both for
    an area in England and Wales), ``index_short`` ('IMD', 'WIMD'), ``crime_domain``, and
    ``cross_border`` (each country's LSOAs ranked within its own index)."""
    names = [INDEX_NAMES[i] for i in chapter.index.split(" and ")]
    return {
        "index": chapter.index,
        "index_short": " and ".join(short for short, _ in names),
        "crime_domain": " and ".join(dict.fromkeys(domain for _, domain in names)),
        "cross_border": chapter.cross_border,
    }


def indexed(context: Callable[..., dict | None]) -> Callable[..., dict | None]:
    """A template's context function, with :func:`index_words` added to what it returns."""

    @functools.wraps(context)
    def with_index(chapter: DeprivationChapter, config: AssessmentConfig) -> dict | None:
        found = context(chapter, config)
        return None if found is None else index_words(chapter) | found

    return with_index


def rho(value: stats.Interval) -> dict:
    """Spearman's rho for ``deprivation/rho``: estimate, interval, verdict and strengths."""
    return {
        "estimate": value.estimate,
        "lower": value.lower,
        "upper": value.upper,
        "association": direction(value),
        "strength": strength(value.estimate),
        "floor": strength(min(abs(value.lower), abs(value.upper))),
    }


def month_label(month: str) -> str:
    """'2018-10' -> 'Oct 2018'."""
    return pd.Period(month, freq="M").strftime("%b %Y")


def span(months) -> dict:
    """The months a measure pools: how many, first, last, whether they run on, and whether
    they make whole years (:func:`covers_whole_years`)."""
    periods = [pd.Period(m, freq="M") for m in months]
    return {
        "months": len(periods),
        "first": month_label(months[0]),
        "last": month_label(months[-1]),
        "consecutive": (periods[-1] - periods[0]).n + 1 == len(periods),
        "whole_years": covers_whole_years(months),
    }


def seasons(months) -> list[dict]:
    """``[{season, months}]``: how many of ``months`` fall in each season, most first."""
    counts = pd.Series([SEASONS[int(m[5:7])] for m in months]).value_counts(sort=False)
    ordered = counts.sort_values(ascending=False, kind="stable")
    return [{"season": season, "months": int(n)} for season, n in ordered.items()]


def _measure(a: Analysis) -> dict:
    return {"measure": a.events.label, "source": a.events.source}


def _places(rows: pd.DataFrame) -> list[dict]:
    """``[{district, lsoas}]``, most LSOAs first."""
    counts = rows["district"].value_counts()
    return [{"district": d, "lsoas": int(n)} for d, n in counts.items()]


# -- prose -----------------------------------------------------------------------------------


@indexed
def data(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/data``: what was counted, over which months and population."""
    a = chapter.headline
    e = a.events
    return {
        **_measure(a),
        "area": config.area.display_name,
        "crime_types": list(e.crime_types),
        "events": e.total,
        "lsoas": len(a.table),
        "months": [month_label(m) for m in e.months],
        "no_location": e.no_location,
        "outside_area": e.outside_area,
        "population_years": [{"year": y, "months": n} for y, n in a.population_years.items()],
        "span": span(e.months),
        "area_rate": a.area_rate,
    }


@indexed
def partial_year(chapter: DeprivationChapter, config: AssessmentConfig) -> dict | None:
    """``deprivation/partial_year`` (read with care) when police.uk months are not whole
    years, else None: the months, their seasons and where more police.uk files go."""
    partial = [
        a
        for a in chapter.analyses
        if a.events.source == tiers.POLICE_UK.label and not covers_whole_years(a.events.months)
    ]
    if not partial:
        return None
    months = partial[0].events.months
    return {
        "measures": [a.events.label for a in partial],
        "span": span(months),
        "seasons": seasons(months),
        "folder": str(config.data.police_uk),
    }


@indexed
def method(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/method``: how the rates, intervals and models are made."""
    a = chapter.headline
    return {
        **_measure(a),
        "span": span(a.events.months),
        "alpha": a.alpha,
        "decile_model": a.decile_model,
        "n_boot": N_BOOT,
    }


@indexed
def caveats(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/caveats``: the headline's crime type and whether a measure is synthetic."""
    e = chapter.headline.events
    return {
        "kind": e.crime_types[0] if e.crime_types else e.label,
        "synthetic": any(a.events.synthetic for a in chapter.others),
        "synthetic_label": tiers.SYNTHETIC_LABEL,
    }


@indexed
def association(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/association``: rho with the IMD and income, and how they compare."""
    a = chapter.headline
    imd, income = a.rho_imd, a.rho_income
    if imd.lower <= income.upper and income.lower <= imd.upper:
        domains = "overlap"
    else:
        domains = "imd_stronger" if imd.estimate > income.estimate else "income_stronger"
    return {
        **_measure(a),
        "lsoas": len(a.table),
        "span": span(a.events.months),
        "rho_imd": rho(imd),
        "rho_income": rho(income),
        "n_boot": N_BOOT,
        "domains": domains,
    }


@indexed
def gradient(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/gradient``: rate ratio, IRR per decile step, SII and RII."""
    a = chapter.headline
    rr, g, ig = a.rate_ratio, a.gradient, a.income_gradient
    deciles = a.deciles.set_index("imd_decile")
    sii, rii = a.inequality
    return {
        "span": span(a.events.months),
        "most": _decile(deciles, rr.most_deprived_decile),
        "least": _decile(deciles, rr.least_deprived_decile),
        "rate_ratio": {**_interval(rr), "model": a.decile_model},
        "irr": {**_interval(g, "irr"), "change": (g.irr - 1) * 100, "model": g.model},
        "dispersion": g.dispersion,
        "income_irr": _interval(ig, "irr"),
        "sii": sii,
        "rii": rii,
        "rii_ratio": 1 / rii if math.isfinite(rii) and rii > 0 else None,
    }


def link(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/link``: the association and the gradient in full."""
    return association(chapter, config) | gradient(chapter, config)


def _decile(deciles: pd.DataFrame, decile: int) -> dict:
    row = deciles.loc[decile]
    return {"decile": int(decile), "lsoas": int(row["lsoas"]), "rate": row[RATE]}


def _interval(value, name: str = "estimate") -> dict:
    estimate = float(getattr(value, name))
    return {
        "estimate": None if math.isnan(estimate) else estimate,
        "lower": value.lower,
        "upper": value.upper,
    }


@indexed
def unexpected(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/unexpected``: the LSOAs far from what deprivation predicts."""
    a = chapter.headline
    more, fewer = unexpected_list(a.table, MORE), unexpected_list(a.table, FEWER)
    events = int(more["count"].sum())
    return {
        **_measure(a),
        "more": len(more),
        "fewer": len(fewer),
        "model": a.gradient.model,
        "fdr": 1 - config.thresholds.confidence_level,
        "top": [
            {
                "name": r.lsoa11_name,
                "district": r.district,
                "ratio": r.ratio_observed_expected,
                "decile": int(r.imd_decile),
            }
            for r in more.head(TOP_DEPARTURES).itertuples()
        ],
        "share_of_lsoas": len(more) / len(a.table),
        "more_events": events,
        "share_of_events": events / a.table["count"].sum() * 100,
        "places": _places(more),
    }


@indexed
def districts(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/districts``: the gradient within each district."""
    rows = chapter.headline.districts
    return {
        "min_lsoas": MIN_LSOAS_FOR_GRADIENT,
        "min_deciles": MIN_DECILES_SPANNED,
        "districts": [_district(r) for r in rows.itertuples()],
        "uncertain": rows.loc[rows["reliability"] != "clear", "district"].tolist(),
    }


def _district(r) -> dict:
    def value(x):
        return None if pd.isna(x) else float(x)

    return {
        "district": r.district,
        "lsoas": int(r.lsoas),
        "deciles_spanned": int(r.deciles_spanned),
        "irr": value(r.irr_per_decile),
        "irr_lower": value(r.irr_lower_95),
        "irr_upper": value(r.irr_upper_95),
        "rho": value(r.rho),
        "rho_lower": value(r.rho_lower_95),
        "rho_upper": value(r.rho_upper_95),
        "reliability": r.reliability,
    }


@indexed
def measures(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/measures``: the same statistics for each of the other measures."""
    return {
        "measures": [
            {
                **_measure(a),
                "events": a.events.total,
                "span": span(a.events.months),
                "rho_imd": rho(a.rho_imd),
                "rho_income": rho(a.rho_income),
                "rate_ratio": _interval(a.rate_ratio),
                "irr": _interval(a.gradient, "irr"),
            }
            for a in chapter.others
        ]
    }


# -- figures and tables ------------------------------------------------------------------------


@indexed
def deciles_chart(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/deciles_chart`` and ``deprivation/deciles_table``."""
    a = chapter.headline
    d = a.deciles
    top = d.loc[d[RATE].idxmax()]

    def row(r) -> dict:
        return {"decile": int(r["imd_decile"]), "rate": float(r[RATE])}

    return {
        **_measure(a),
        "area": config.area.display_name,
        "span": span(a.events.months),
        "decile_model": a.decile_model,
        "first": row(d.iloc[0]),
        "last": row(d.iloc[-1]),
        "top": row(top),
        "rate_ratio": a.rate_ratio.estimate,
    }


@indexed
def scatter_chart(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/scatter_chart``."""
    a = chapter.headline
    min_events = config.thresholds.min_events_for_rate
    return {
        **_measure(a),
        "lsoas": len(a.table),
        "span": span(a.events.months),
        "min_events": min_events,
        "few": int((a.table["count"] < min_events).sum()),
        "rho_imd": rho(a.rho_imd),
        "more": len(unexpected_list(a.table, MORE)),
    }


@indexed
def bivariate_map(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/bivariate_map``: LSOAs in the corner cells of the 3 x 3 map."""
    a = chapter.headline
    cells = bivariate_counts(a.table)
    return {
        **_measure(a),
        "area": config.area.display_name,
        "lsoas": len(a.table),
        "both_high": int(cells.loc[3, 3]),
        "both_low": int(cells.loc[1, 1]),
        "least_deprived_high_rate": int(cells.loc[1, 3]),
    }


@indexed
def unexpected_map(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/unexpected_map`` and ``deprivation/lsoa_table``."""
    a = chapter.headline
    thresholds = config.thresholds
    return {
        **_measure(a),
        "area": config.area.display_name,
        "more": len(unexpected_list(a.table, MORE)),
        "fewer": len(unexpected_list(a.table, FEWER)),
        "places": _places(unexpected_list(a.table, MORE)),
        "fdr": 1 - thresholds.confidence_level,
        "suppress_up_to": thresholds.suppress_counts_up_to,
        "min_events": thresholds.min_events_for_rate,
    }


@indexed
def districts_chart(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/districts_chart`` and ``deprivation/districts_table``."""
    a = chapter.headline
    rows = a.districts
    valid = rows.dropna(subset=["irr_per_decile"])

    def pick(index) -> dict:
        r = valid.loc[index]
        return {"district": r["district"], "irr": float(r["irr_per_decile"])}

    return {
        **_measure(a),
        "area": config.area.display_name,
        "districts": len(rows),
        "steepest": pick(valid["irr_per_decile"].idxmax()) if len(valid) else None,
        "shallowest": pick(valid["irr_per_decile"].idxmin()) if len(valid) else None,
        "uncertain": int((rows["reliability"] != "clear").sum()),
    }


@indexed
def measures_table(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/measures_table``: the caption, naming any synthetic measure."""
    return {
        "area": config.area.display_name,
        "synthetic_measures": [a.events.label for a in chapter.analyses if a.events.synthetic],
        "synthetic_label": tiers.SYNTHETIC_LABEL,
    }


@indexed
def so_what(chapter: DeprivationChapter, config: AssessmentConfig) -> dict:
    """``deprivation/so_what``: the chapter's three key messages, from its own findings."""
    return {
        "association": association(chapter, config),
        "gradient": gradient(chapter, config),
        "unexpected": unexpected(chapter, config),
        "uncertain": districts(chapter, config)["uncertain"],
    }
