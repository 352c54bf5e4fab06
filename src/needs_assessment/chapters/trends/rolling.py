"""The trends chapter's rolling 12 months: counts to the latest quarter, and published ranks.

Counts come from the Home Office open data tables (12 months to the end of each quarter,
``force_offence_rolling_year``) for the categories they count, and from ONS Table P5 for
knife or sharp instrument offences (to the year ending December 2019, the last edition
here). Ranks are those of the latest rolling year the ONS PFA tables publish: Table P3's
rates for the offence groups (the group a category's definition names, or the group of its
label), and knife offences per 100,000 as Table P6 publishes them (P5 counts on the
population behind P3's rates).
"""

from __future__ import annotations

import pandas as pd

from needs_assessment.config import AssessmentConfig
from needs_assessment.definitions import Definitions
from needs_assessment.force_series import (
    CURRENT,
    FORCE_NAME_ALIASES,
    published_knife,
    rate_per,
)
from needs_assessment.forces import NOT_RANKED
from needs_assessment.methods import change
from needs_assessment.methods.ranks import ons_ranks, rank_label

COVID_YEAR = 2020  # financial year 2020/21, the lockdown year (``analysis.COVID_YEAR``)
RANK_COLUMNS = ["category", "label", "period", "per", "rate", "rank", "rank_label", "of"]


def rolling_year(
    counts: pd.DataFrame,
    knife: pd.DataFrame,
    annual: pd.DataFrame,
    config: AssessmentConfig,
    definitions: Definitions,
    level: float = 0.95,
) -> pd.DataFrame:
    """The latest rolling 12 months against the 12 months before it, per category.

    ``counts`` is ``force_offence_rolling_year``; ``knife`` is ``pfa_knife``; ``annual`` the
    force's financial-year series (``category, year, count, population``). Each latest
    period is judged against the period a year earlier as the financial years are
    (:mod:`needs_assessment.methods.change`): trend and year-to-year variation from the
    force's annual series, less the lockdown year; no population estimate covers the
    rolling periods, so the population is taken as unchanged between them.
    """
    frames = [_open_data_rows(counts, config.area.force)]
    for key in definitions.categories_with("ons_series"):
        frames.append(_knife_rows(knife, config.area.force).assign(category=key))
    rows = pd.concat(frames, ignore_index=True).dropna(subset=["count"])
    out = [
        _compare(
            category,
            group.set_index("period_end")["count"],
            _annual_fit(annual[(annual["category"] == category) & (annual["vintage"] == CURRENT)]),
            definitions,
            level,
        )
        for category, group in rows.groupby("category", sort=False)
    ]
    out = [row for row in out if row is not None]
    order = {c: i for i, c in enumerate(definitions.categories)}
    frame = pd.DataFrame(out)
    return frame.sort_values("category", key=lambda s: s.map(order)).reset_index(drop=True)


def _open_data_rows(counts: pd.DataFrame, force: str) -> pd.DataFrame:
    rows = counts[(counts["area_type"] == "force") & (counts["area"] == force)]
    return rows[["category", "period_end", "count"]]


def _knife_rows(knife: pd.DataFrame, force: str) -> pd.DataFrame:
    rows = published_knife(knife[knife["area_type"] == "force"])
    rows = rows[rows["area_name"].replace(FORCE_NAME_ALIASES) == force]
    return rows.assign(count=rows["knife_offences"])[["period_end", "count"]]


def _annual_fit(annual: pd.DataFrame) -> change.Baseline | None:
    return change.fit_baseline(
        annual["year"].to_numpy(),
        annual["count"].astype(float).to_numpy(),
        annual["population"].astype(float).to_numpy(),
        exclude=(COVID_YEAR,),
    )


def _compare(category: str, counts: pd.Series, fit, definitions: Definitions, level: float):
    latest = counts.index.max()
    before = latest - pd.DateOffset(years=1)
    if before not in counts.index:
        return None
    current, previous = int(counts[latest]), int(counts[before])
    # the rolling years lie after the annual ones fitted: no pull on the slope
    result = change.judge(
        fit, current, 1.0, latest.year + 1, [previous], [1.0], [latest.year], level
    )
    return {
        "category": category,
        "label": definitions.labels[category],
        "period": f"year ending {latest:%B %Y}",
        "count": current,
        "previous_period": f"year ending {before:%B %Y}",
        "previous_count": previous,
        "change_pct": None if previous == 0 else round((current - previous) / previous * 100, 1),
        "judgement": change.judgement_of(result),
        "expected_change_pct": None
        if result is None
        else round((result.expected_ratio - 1) * 100, 1),
        "baseline_includes_lockdown": _overlaps_lockdown(before),
    }


def _overlaps_lockdown(period_end: pd.Timestamp) -> bool:
    """Whether the 12 months to ``period_end`` overlap financial year ``COVID_YEAR``."""
    start = period_end - pd.DateOffset(years=1)
    return start < pd.Timestamp(COVID_YEAR + 1, 4, 1) and period_end >= pd.Timestamp(
        COVID_YEAR, 4, 1
    )


# -- published rolling-year ranks --------------------------------------------------------


def published_ranks(
    rates: pd.DataFrame,
    offence_groups: pd.DataFrame,
    knife: pd.DataFrame,
    config: AssessmentConfig,
    definitions: Definitions,
) -> pd.DataFrame:
    """The force's rank in the latest rolling year the PFA tables publish, per category.

    ``rates`` is ``pfa_rates`` (Table P3), ``offence_groups`` ``pfa_offence_groups`` (P1),
    ``knife`` ``pfa_knife`` (P5). Forces without a published rate (City of London, a
    withdrawn figure) are not ranked. Columns :data:`RANK_COLUMNS`.
    """
    latest = _latest_edition(rates)
    groups = _p3_groups(definitions, set(latest["offence_group"]))
    frames = [
        _ranked(_p3_rates(latest, group, rate_per(definitions, key)), key, definitions)
        for key, group in groups.items()
    ]
    people = _population_behind_rates(latest, _latest_edition(offence_groups))
    for key in definitions.categories_with("ons_series"):
        per = rate_per(definitions, key)
        frames.append(_ranked(_knife_rates(knife, people, per), key, definitions))
    ranks = pd.concat(frames, ignore_index=True)
    mine = ranks[ranks["force"] == config.area.force]
    order = {c: i for i, c in enumerate(definitions.categories)}
    mine = mine.sort_values("category", key=lambda s: s.map(order))
    return mine[RANK_COLUMNS].reset_index(drop=True)


def _latest_edition(frame: pd.DataFrame) -> pd.DataFrame:
    newest = frame[(frame["edition"] == frame["edition"].max()) & (frame["area_type"] == "force")]
    newest = newest[newest["period_end"] == newest["period_end"].max()]
    return newest.assign(force=newest["area_name"].replace(FORCE_NAME_ALIASES))


def _p3_groups(definitions: Definitions, published: set[str]) -> dict[str, str]:
    """Category -> the P3 group it ranks on: the one ONS group its definition names, else
    the group named as its label (e.g. "Violence against the person")."""
    out = {}
    for key, category in definitions.categories.items():
        named = category.ons_offence_groups
        group = named[0] if len(named) == 1 else category.label
        if group in published:
            out[key] = group
    return out


def _p3_rates(latest: pd.DataFrame, group: str, per: int) -> pd.DataFrame:
    """P3's rates per 1,000 for ``group``, in the category's unit (``per`` residents)."""
    rows = latest[latest["offence_group"] == group]
    return rows.assign(rate=rows["rate_per_1000"] * per / 1_000, per=per)[
        ["force", "period_end", "rate", "per"]
    ]


def _population_behind_rates(rates: pd.DataFrame, counts: pd.DataFrame) -> pd.Series:
    """Each force's unrounded population, as P1's total count over P3's total rate."""
    total = "Total recorded crime (excluding fraud)"
    rate = rates[rates["offence_group"] == total].set_index("force")["rate_per_1000"]
    count = counts[counts["offence_group"] == total].set_index("force")["count"]
    return (count.astype(float) / rate * 1_000).dropna()


def _knife_rates(knife: pd.DataFrame, people: pd.Series, per: int) -> pd.DataFrame:
    rows = published_knife(knife[knife["area_type"] == "force"])
    rows = rows.assign(force=rows["area_name"].replace(FORCE_NAME_ALIASES))
    rows = rows[rows["period_end"] == rows["period_end"].max()]
    rate = rows["knife_offences"].astype(float) / rows["force"].map(people) * per
    return rows.assign(rate=rate, per=per)[["force", "period_end", "rate", "per"]]


def _ranked(rates: pd.DataFrame, key: str, definitions: Definitions) -> pd.DataFrame:
    ranks = ons_ranks(rates.set_index("force")["rate"], NOT_RANKED).reset_index(names="force")
    period = rates["period_end"].max()
    return ranks.assign(
        category=key,
        label=definitions.labels[key],
        period=f"year ending {period:%B %Y}",
        per=int(rates["per"].iloc[0]),
        rank_label=[rank_label(r, t) for r, t in zip(ranks["rank"], ranks["tied"], strict=True)],
    )
