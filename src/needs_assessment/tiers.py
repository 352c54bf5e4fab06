"""The data tiers a figure can rest on, and how each is labelled: one place for all.

A chapter uses the richest tier it has and says which one each figure rests on; anything
drawn from synthetic data carries :data:`SYNTHETIC_LABEL`, worded the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

SYNTHETIC_LABEL = "demonstration data (synthetic)"
#: Stamped inside every image drawn from synthetic data.
SYNTHETIC_STAMP = "DEMONSTRATION DATA (SYNTHETIC)"


@dataclass(frozen=True)
class Tier:
    """One source of evidence: its key, how the page names it, and whether it is real."""

    key: str
    label: str
    synthetic: bool = False

    @property
    def tag(self) -> str:
        """', demonstration data (synthetic)' after a figure's source, or ''."""
        return f", {SYNTHETIC_LABEL}" if self.synthetic else ""


PUBLIC = Tier("public", "published force statistics (real)")
POLICE_UK = Tier("police_uk", "police.uk street-level crime (real)")
HOSPITAL = Tier("hospital", "NHS hospital admissions by region of residence (real)")


def force_extract(synthetic: bool) -> Tier:
    """The force's offence-level extract; synthetic in the shipped demonstration."""
    if synthetic:
        return Tier("force_extract", f"force offence extract: {SYNTHETIC_LABEL}", True)
    return Tier("force_extract", "force offence extract")
