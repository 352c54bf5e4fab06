"""Numbers and lists in words, the same way in every chapter."""

from __future__ import annotations

import math


def rate(value: float | None) -> str:
    """A rate per 1,000: two decimals, or three significant figures when below 0.1."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3g}"


def signed_pct(value: float) -> str:
    """+4.2% / −3.1% (with a true minus sign)."""
    return f"{value:+.1f}%".replace("-", "−")


def join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
