"""Executive summary, built from the chapters' results alone (``results/*.json``).

Nothing here computes a statistic: it selects and words what the chapters recorded, so the
summary can never disagree with the chapter it summarises.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from needs_assessment.presentation.text import join, rate

JUDGEMENT_WORDS = {"Higher": "higher than", "Lower": "lower than", "Comparable": "comparable with"}


def load_results(folder: Path) -> dict:
    """The chapters' results recorded so far in ``folder/results`` (one key per chapter)."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((Path(folder) / "results").glob("*.json"))
        if path.stem != "summary"
    }


def load_previous(folder: Path) -> dict | None:
    """The results of the last published run of the same assessment, if there is one."""
    path = Path(folder) / "previous_results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def findings_markdown(results: dict) -> str:
    """Key findings grouped under short headings, each a bulleted list of sentences."""
    trends = results.get("trends", {})
    groups = [
        ("Latest financial year", trend_findings({**trends, "rolling_year": []})),
        (
            "Latest published 12 months",
            trend_findings({"rolling_year": trends.get("rolling_year", [])}),
        ),
        ("Deprivation", deprivation_findings(results.get("deprivation", {}))),
        ("Hotspots", hotspot_findings(results.get("hotspots", {}))),
        ("County Lines", county_lines_findings(results.get("county_lines", {}))),
    ]
    blocks = [
        f"**{title}**\n\n" + "\n".join(f"- {s}" for s in sentences)
        for title, sentences in groups
        if sentences
    ]
    return "\n\n".join(blocks) or "No chapter recorded findings."


def trend_findings(trends: dict) -> list[str]:
    """Plain sentences for the Board: each category's latest change and its benchmark."""
    sentences = []
    for row in trends.get("judgements", []):
        change = row.get("change_on_previous_pct")
        if change is None:
            continue
        direction = "rose" if change > 0 else "fell"
        sentence = (
            f"{row['label']} {direction} {abs(change):.0f}% on the previous year to "
            f"{row['count']:,} offences in {row['financial_year']} "
            f"({row['vs_previous_year'].lower()} by a Poisson test), "
            f"{JUDGEMENT_WORDS.get(row['vs_three_year_average'], 'not compared with')} the "
            f"3-year average"
        )
        if row.get("vs_england_wales") in JUDGEMENT_WORDS:
            sentence += (
                f", and the rate was {JUDGEMENT_WORDS[row['vs_england_wales']]} England and Wales"
            )
        sentences.append(sentence + ".")
    for row in trends.get("rolling_year", []):
        if row["judgement"] == "Higher":
            sentences.append(
                f"In the latest published 12 months ({row['period']}) {row['label'].lower()} "
                f"stood at {row['count']:,}, {row['change_pct']:+.0f}% on the 12 months before "
                "(statistically higher)."
            )
    return sentences


def deprivation_findings(dep: dict) -> list[str]:
    """The strength of the link with deprivation, with its uncertainty."""
    if not dep.get("rho_imd"):
        return []
    rho, ratio = dep["rho_imd"], dep["rate_ratio"]
    sentences = [
        f"{dep['measure']} rises with deprivation across the area's {dep['lsoas']} "
        f"neighbourhoods ({dep['months_pooled']} months of data): Spearman's rho "
        f"{rho['estimate']:.2f} (95% CI {rho['lower']:.2f} to {rho['upper']:.2f}); the most "
        f"deprived tenth of neighbourhoods has {ratio['estimate']:.1f} times the rate of the "
        f"least deprived (95% CI {ratio['lower']:.1f} to {ratio['upper']:.1f})."
    ]
    if dep.get("unexpected_more"):
        sentences.append(
            f"{dep['unexpected_more']} neighbourhoods have far more violence than "
            "their deprivation predicts (listed and mapped in the deprivation chapter)."
        )
    return sentences


def county_lines_findings(lines: dict) -> list[str]:
    """Which drug markets import their dealers, over the recent years pooled."""
    recent = lines.get("pooled_import_shares", {}).get("recent", {})
    if not recent:
        return []
    groups: dict[str, list[str]] = {}
    for district, row in recent.items():
        groups.setdefault(row["market_type"], []).append(
            f"{district} ({row['import_share'] * 100:.0f}% of supply offenders from outside the "
            f"force, 95% CI {row['lower_95'] * 100:.0f}–{row['upper_95'] * 100:.0f}%)"
        )
    period = next(iter(recent.values()))["period"]
    label = f" — {lines['data_label']}" if lines.get("synthetic") else ""
    parts = [f"{kind}: {join(names)}" for kind, names in groups.items()]
    return [f"County Lines drug markets, {period}{label}: " + "; ".join(parts) + "."]


def other_findings(results: dict) -> list[str]:
    """Headlines of the chapters after the trends, from their recorded results."""
    sentences = deprivation_findings(results.get("deprivation", {}))
    sentences += hotspot_findings(results.get("hotspots", {}))
    sentences += county_lines_findings(results.get("county_lines", {}))
    return sentences


def hotspot_findings(hot: dict) -> list[str]:
    """Filled in from the hotspots chapter's results (see its ``summary_sentences``)."""
    return list(hot.get("summary_sentences", []))


def indicator_table(trends: dict) -> pd.DataFrame:
    """A performance-pack table: current year, previous years, 3-year average, rolling 12
    months, benchmark and judgements, one row per category."""
    rolling = {row["category"]: row for row in trends.get("rolling_year", [])}
    rows = []
    for row in trends.get("judgements", []):
        recent = trends.get("recent_counts", {}).get(row["category"], {})
        years = list(recent)
        record = {
            "Indicator": row["label"],
            "Current year": f"{row['financial_year']}: {row['count']:,}",
        }
        for offset, label in (
            (2, "Previous year"),
            (3, "Two years before"),
            (4, "Three years before"),
        ):
            record[label] = (
                f"{years[-offset]}: {recent[years[-offset]]:,}" if len(years) >= offset else "–"
            )
        record["3-year average"] = (
            "–" if row["three_year_average"] is None else f"{row['three_year_average']:,.0f}"
        )
        record["vs 3-year average"] = row["vs_three_year_average"]
        roll = rolling.get(row["category"])
        record["Rolling 12 months"] = (
            "–" if roll is None else f"{roll['count']:,} ({roll['period'][12:]})"
        )
        record["vs previous 12 months"] = "–" if roll is None else roll["judgement"]
        record["Rate per 1,000"] = rate(row["rate_per_1000"])
        record["England & Wales"] = rate(row["england_wales_rate"])
        record["vs England & Wales"] = row["vs_england_wales"]
        rows.append(record)
    return pd.DataFrame(rows)


def limitations(results: dict, synthetic: bool) -> list[str]:
    """What the data cannot say, from what the chapters recorded about their coverage."""
    notes = []
    coverage = results.get("trends", {}).get("coverage", {})
    last = sorted({c["last_year"] for c in coverage.values()})
    if last:
        notes.append(
            f"Published force-level counts end in {last[-1]}; later years rest on the "
            "crime severity score and hospital admissions, which are not counts of "
            "offences."
        )
    notes.append(
        "Police recorded crime measures what is reported and recorded: changes in "
        "recording practice (marked on the charts) and in reporting move the figures "
        "as much as changes in violence."
    )
    if synthetic:
        notes.append(
            "District, neighbourhood, time-of-day and County Lines findings drawn from "
            "the force extract use demonstration data (synthetic) in this report: they "
            "show what the toolkit produces, not the force's real pattern."
        )
    for chapter in results.values():
        notes.extend(chapter.get("limitations", []))
    return notes


def changes(current: dict, previous: dict | None) -> pd.DataFrame:
    """What changed since the last published assessment: counts and judgements, per category."""
    if not previous:
        return pd.DataFrame()
    before = {r["category"]: r for r in previous.get("trends", {}).get("judgements", [])}
    rows = []
    for row in current.get("trends", {}).get("judgements", []):
        old = before.get(row["category"])
        if old is None:
            continue
        for field, label in (
            ("financial_year", "Latest year"),
            ("count", "Offences"),
            ("vs_three_year_average", "vs 3-year average"),
            ("vs_england_wales", "vs England & Wales"),
        ):
            if old.get(field) != row.get(field):
                rows.append(
                    {
                        "Indicator": row["label"],
                        "Measure": label,
                        "Last assessment": old.get(field),
                        "This assessment": row.get(field),
                    }
                )
    return pd.DataFrame(
        rows, columns=["Indicator", "Measure", "Last assessment", "This assessment"]
    )


def describe_changes(table: pd.DataFrame, previous: dict | None) -> str:
    if previous is None:
        return (
            "This is the first published run of this assessment: there is nothing to "
            "compare with yet."
        )
    if table.empty:
        return "No headline figure or judgement has changed since the last published assessment."
    return f"{len(table)} headline figures or judgements differ from the last published assessment:"
