"""Executive summary, built from the chapters' results alone (``results/*.json``).

Nothing here computes a statistic: it selects and words what the chapters recorded, so the
summary can never disagree with the chapter it summarises.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

#: Keys every chapter may record beside its model (sections not available, via ``chapter``).
RECORDED_BY_EVERY_CHAPTER = ("gaps",)


def load_results(folder: Path) -> dict:
    """The chapters' results recorded so far in ``folder/results`` (one key per chapter),
    each checked against its chapter's results model: the summary quotes only what a
    chapter declares, and a block that drifted from its model fails here, by name."""
    return {
        path.stem: typed(path.stem, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted((Path(folder) / "results").glob("*.json"))
        if path.stem != "summary"
    }


def typed(key: str, block: dict) -> dict:
    """``block`` validated by the chapter's model, returned as plain JSON values."""
    from needs_assessment.chapters.registry import results_model

    model = results_model(key)
    if model is None:
        return block
    declared = {k: v for k, v in block.items() if k not in RECORDED_BY_EVERY_CHAPTER}
    checked = model.model_validate(declared).model_dump(mode="json")
    return {**checked, **{k: block[k] for k in RECORDED_BY_EVERY_CHAPTER if k in block}}


def load_previous(folder: Path) -> dict | None:
    """The results of the last published run of the same assessment, if there is one."""
    path = Path(folder) / "previous_results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def deprivation_facts(dep: dict) -> dict | None:
    """The deprivation chapter's own verdict on the association, with its figures."""
    if not dep.get("rho_imd"):
        return None
    return {
        "measure": dep["measure"],
        "lsoas": dep["lsoas"],
        "months": dep["months_pooled"],
        "rho": dep["rho_imd"],
        "ratio": dep["rate_ratio"],
        "association": dep["association"],
        "unexpected_more": dep.get("unexpected_more", 0),
    }


def county_lines_facts(lines: dict) -> dict | None:
    """Districts grouped by the market type the County Lines chapter gave them (recent
    years pooled), with the chapter's own statement of certainty; a district whose share
    is withheld by disclosure control is grouped but quoted without it."""
    recent = lines.get("pooled_import_shares", {}).get("recent", {})
    if not recent:
        return None
    groups: dict[str, list[dict]] = {}
    for district, row in recent.items():
        groups.setdefault(row["market_type"], []).append(
            {
                "district": district,
                "share": row["import_share"],
                "lower": row["lower_95"],
                "upper": row["upper_95"],
                "certainty": row.get("certainty"),
            }
        )
    return {
        "period": next(iter(recent.values()))["period"],
        "synthetic": bool(lines.get("synthetic")),
        "label": lines.get("data_label", ""),
        "groups": [{"market_type": kind, "districts": rows} for kind, rows in groups.items()],
    }


def cost_facts(costs: dict) -> dict | None:
    """What the costs chapter put on serious violence, with its price base (a lower bound)."""
    if not costs or costs.get("total_cost_gbp") is None:
        return None
    return {
        "year": costs["latest_year"],
        "total": costs["total_cost_gbp"],
        "police_cjs_homicide": costs.get("homicide_police_cjs_cost_gbp"),
        "prices": costs.get("prices"),
        "uncosted": len(costs.get("uncosted_categories", [])),
    }


def limitation_facts(results: dict, synthetic: bool, period_end: str | None = None) -> dict:
    """What the data cannot say, from what the chapters recorded about their coverage.

    ``stops_early`` is the last year of real force counts when it falls before the
    assessment's last year (``period_end``), else None.
    """
    trends = results.get("trends", {})
    latest = (trends.get("latest") or {}).get("financial_year")
    last = sorted({c["last_year"] for c in trends.get("coverage", {}).values()})
    last_real = latest or (last[-1] if last else None)
    stops_early = (
        last_real if last_real and (period_end is None or last_real < period_end) else None
    )
    return {
        "last_real_year": stops_early,
        "synthetic": synthetic,
        "chapter_notes": [
            note for chapter in results.values() for note in chapter.get("limitations", [])
        ],
    }


#: The judgements compared with the last assessment (the trends results' fields).
JUDGEMENTS = ("vs_three_year_average", "vs_england_wales")
#: One row per changed figure: which (``measure``: ``count``, ``count_of_year`` with its
#: ``year``, or a judgement field), its value then and now, and the kind of ``change``:
#: ``revision`` (an earlier year's published figure), ``latest_year``, ``judgement_revised``.
CHANGE_COLUMNS = ["indicator", "measure", "year", "then", "now", "change"]


def changes(current: dict, previous: dict | None) -> pd.DataFrame:
    """What changed since the last published assessment, figure by figure: value then and
    now, judgement then and now. A different count for a year the last assessment already
    published is a revision; a new latest year is a change in the latest year."""
    if not previous:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    before = {r["category"]: r for r in previous.get("trends", {}).get("judgements", [])}
    counts = current.get("trends", {}).get("recent_counts", {})
    rows = []
    for row in current.get("trends", {}).get("judgements", []):
        old = before.get(row["category"])
        if old is not None:
            rows += _category_changes(row, old, counts.get(row["category"], {}))
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _category_changes(row: dict, old: dict, counts: dict) -> list[dict]:
    then, now = old.get("financial_year"), row.get("financial_year")
    moved_on = then != now
    entries = []
    if moved_on and then in counts and counts[then] != old.get("count"):
        entries.append(("count_of_year", then, old.get("count"), counts[then], "revision"))
    if moved_on:
        entries.append(
            (
                "count",
                None,
                f"{then}: {old.get('count')}",
                f"{now}: {row.get('count')}",
                "latest_year",
            )
        )
    elif old.get("count") != row.get("count"):
        entries.append(("count", None, old.get("count"), row.get("count"), "revision"))
    for field in JUDGEMENTS:
        if old.get(field) != row.get(field):
            kind = "latest_year" if moved_on else "judgement_revised"
            entries.append((field, None, old.get(field), row.get(field), kind))
    return [dict(zip(CHANGE_COLUMNS, (row["label"], *entry), strict=True)) for entry in entries]


#: The results block in which the run lists the chapters it left out for want of data.
LEFT_OUT = "chapters_left_out"


def gap_facts(results: dict) -> list[dict]:
    """Every section a chapter could not show, or showed on thin data, with its reason; a
    chapter left out whole carries ``left_out`` (no chapter page is there to say why)."""
    return [
        {
            "chapter": "" if key == LEFT_OUT else key.replace("_", " ").capitalize(),
            "left_out": key == LEFT_OUT,
            **gap,
        }
        for key, chapter in results.items()
        for gap in chapter.get("gaps", [])
    ]


# -- the Board page: stamp, key messages, dashboard --------------------------------------

#: How many key messages the summary opens with, at most.
MAX_MESSAGES = 5
#: Spearman's rho whose whole interval lies above this is "strong" evidence of a gradient.
STRONG_RHO = 0.3


def stamp(results: dict) -> dict | None:
    """The latest year of real force counts and its source, as the trends chapter records."""
    latest = results.get("trends", {}).get("latest")
    return dict(latest) if latest else None


def judged(rows: list[dict], field: str, verdict: str) -> list[str]:
    return [row["label"] for row in rows if row.get(field) == verdict]


def trend_messages(trends: dict) -> list[dict]:
    """Against its own past (3-year average) and against England and Wales."""
    rows = trends.get("judgements", [])
    if not rows:
        return []
    year = rows[0]["financial_year"]
    return [
        {
            "kind": "average",
            "year": year,
            "higher": judged(rows, "vs_three_year_average", "Higher"),
            "lower": judged(rows, "vs_three_year_average", "Lower"),
            "measures": len(rows),
            "lockdown": any(row.get("average_includes_lockdown") for row in rows),
            "evidence": "strong",
        },
        {
            "kind": "england_wales",
            "year": year,
            "higher": judged(rows, "vs_england_wales", "Higher"),
            "lower": judged(rows, "vs_england_wales", "Lower"),
            "measures": len(rows),
            "evidence": "strong",
        },
    ]


def deprivation_message(dep: dict) -> dict | None:
    facts = deprivation_facts(dep)
    if facts is None:
        return None
    strong = facts["rho"]["lower"] > STRONG_RHO or facts["rho"]["upper"] < -STRONG_RHO
    partial = not dep.get("months_cover_whole_years", True)
    return {
        "kind": "deprivation",
        **facts,
        "evidence": "moderate" if partial or not strong else "strong",
        "partial_year": partial,
    }


def hotspot_message(hot: dict) -> dict | None:
    facts = hot.get("findings")
    if not facts:
        return None
    return {"kind": "hotspots", **facts, "evidence": "moderate"}


def county_lines_message(lines: dict) -> dict | None:
    facts = county_lines_facts(lines)
    if facts is None:
        return None
    evidence = "illustrative" if facts["synthetic"] else "moderate"
    return {"kind": "county_lines", **facts, "evidence": evidence}


def cost_message(costs: dict) -> dict | None:
    facts = cost_facts(costs)
    return None if facts is None else {"kind": "costs", **facts, "evidence": "lower bound"}


def key_messages(results: dict) -> list[dict]:
    """Up to :data:`MAX_MESSAGES` messages, each quoting one chapter's own judgement."""
    candidates = [
        *trend_messages(results.get("trends", {})),
        deprivation_message(results.get("deprivation", {})),
        hotspot_message(results.get("hotspots", {})),
        county_lines_message(results.get("county_lines", {})),
        cost_message(results.get("costs", {})),
    ]
    return [message for message in candidates if message][:MAX_MESSAGES]
