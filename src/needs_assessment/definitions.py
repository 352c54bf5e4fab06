"""The serious-violence definition: categories and the recorded offences each one counts.

The mapping lives in an editable YAML file (``config/definitions/``) so a partnership can
follow its own local definition without touching code.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from needs_assessment.errors import ConfigError
from needs_assessment.paths import from_root
from needs_assessment.yaml_files import read_yaml


class Category(BaseModel):
    """One serious-violence category."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    description: str
    follows: str
    ons_offence_groups: list[str] = Field(default_factory=list)
    home_office_codes: dict[str, str] = Field(default_factory=dict)
    policeuk_crime_types: list[str] = Field(default_factory=list)
    marker: Literal["sharp_instrument", "firearm"] | None = None
    ons_series: Literal["ons_pfa_knife_offences"] | None = None


class Definitions(BaseModel):
    """All categories, in report order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    categories: dict[str, Category]

    @cached_property
    def labels(self) -> dict[str, str]:
        return {key: category.label for key, category in self.categories.items()}

    def ons_group_to_category(self) -> dict[str, str]:
        """ONS offence group -> category key (each group in at most one category)."""
        mapping: dict[str, str] = {}
        for key, category in self.categories.items():
            for group in category.ons_offence_groups:
                if group in mapping:
                    raise ConfigError(
                        f"offence group {group!r} is in both {mapping[group]!r} and {key!r}"
                    )
                mapping[group] = key
        return mapping

    def categories_with(self, attribute: str) -> dict[str, Category]:
        """Categories that define ``attribute`` (e.g. ``'home_office_codes'``)."""
        return {k: c for k, c in self.categories.items() if getattr(c, attribute)}

    def policeuk_type_to_categories(self) -> dict[str, list[str]]:
        """police.uk crime type -> the categories it carries."""
        mapping: dict[str, list[str]] = {}
        for key, category in self.categories.items():
            for crime_type in category.policeuk_crime_types:
                mapping.setdefault(crime_type, []).append(key)
        return mapping

    def code_mismatches(self, official: dict[str, str]) -> list[str]:
        """Codes missing from ``official`` (code -> description) or described differently."""
        problems = []
        for key, category in self.categories.items():
            for code, description in category.home_office_codes.items():
                if code not in official:
                    problems.append(f"{key}: code {code} is not a Home Office offence code")
                elif _normalise(official[code]) != _normalise(description):
                    problems.append(
                        f"{key}: code {code} is {official[code]!r}, not {description!r}"
                    )
        return problems


def offences_in(extract, category: Category):
    """Rows of a force extract that a category counts: its offence codes, and its marker."""
    mask = extract["home_office_code"].isin(list(category.home_office_codes))
    if category.marker:
        mask &= extract[category.marker].fillna(False).astype(bool)
    return mask


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def load_definitions(path: str | Path) -> Definitions:
    """Read and validate a definitions file; errors name the file and key."""
    path = from_root(path)
    raw = read_yaml(path, "definitions file")
    try:
        return Definitions(**raw)
    except TypeError as exc:
        raise ConfigError(f"{path}: not a valid definitions file: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            ".".join(str(p) for p in err["loc"]) + ": " + err["msg"] for err in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from None
