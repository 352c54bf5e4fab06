"""The context each summary template needs, from the chapters' recorded results."""

from __future__ import annotations

import pandas as pd

from needs_assessment.chapters.summary import analysis
from needs_assessment.tiers import SYNTHETIC_LABEL


def limitations(results: dict, synthetic: bool, period_end: str | None = None) -> dict:
    facts = analysis.limitation_facts(results, synthetic, period_end)
    return {**facts, "synthetic_label": SYNTHETIC_LABEL}


def changes(table: pd.DataFrame, previous: dict | None) -> dict:
    return {"first_run": previous is None, "changed": len(table)}


def gaps(results: dict) -> dict:
    return {"gaps": analysis.gap_facts(results)}


def key_messages(results: dict) -> dict:
    return {"messages": analysis.key_messages(results)}


def stamp(results: dict) -> dict:
    return {"latest": analysis.stamp(results)}
