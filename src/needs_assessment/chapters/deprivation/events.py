"""What each deprivation measure counts: events per area LSOA, from police.uk or the extract.

Counting is :mod:`needs_assessment.small_area`'s; this module names each measure and the
tier (:mod:`needs_assessment.tiers`) its figures rest on.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from needs_assessment import small_area, tiers
from needs_assessment.config import Period
from needs_assessment.periods import months_in_years


@dataclass(frozen=True)
class Events:
    """Events per LSOA of one measure, and what went into them."""

    key: str
    label: str
    source: str  # the tier's label (:mod:`needs_assessment.tiers`)
    months: tuple[str, ...]
    counts: pd.Series  # index lsoa11_code (every area LSOA), events
    no_location: int = 0
    outside_area: int = 0
    synthetic: bool = False
    crime_types: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    @classmethod
    def counted(
        cls, counts: small_area.AreaCounts, tier: tiers.Tier, *, key: str, label: str, **extra
    ) -> Events:
        """One measure from :mod:`small_area` counts and the tier they come from."""
        return cls(
            key=key,
            label=label,
            source=tier.label,
            months=counts.months,
            counts=counts.per_lsoa,
            no_location=counts.no_location,
            outside_area=counts.outside_area,
            synthetic=tier.synthetic,
            **extra,
        )


def months_in_period(period: Period) -> tuple[str, ...]:
    """Every month of the assessed financial years, 'YYYY-MM' (April to March)."""
    return months_in_years(period.first_year, period.last_year)


def police_uk_events(
    counts: pd.DataFrame,
    lsoa_codes,
    crime_types,
    *,
    key: str,
    label: str,
    period: Period | None = None,
) -> Events:
    """Events per area LSOA from police.uk street counts (real), pooled over its months.

    The months pooled are every month present in ``counts`` (any crime type) inside
    ``period`` (all of them without one); exclusions as :func:`small_area.police_uk_counts`.
    """
    months = months_in_period(period) if period else small_area.police_uk_months(counts)
    counted = small_area.police_uk_counts(counts, lsoa_codes, crime_types, months)
    return Events.counted(
        counted, tiers.POLICE_UK, key=key, label=label, crime_types=tuple(crime_types)
    )


def extract_events(
    extract: pd.DataFrame,
    lsoa_codes,
    home_office_codes,
    months,
    *,
    key: str,
    label: str,
    marker: str = "sharp_instrument",
    synthetic: bool = False,
) -> Events:
    """Events per area LSOA from the force extract: rows with ``marker`` among the codes.

    ``months`` are the months the extract covers (the assessment period); exclusions as
    :func:`small_area.extract_counts`.
    """
    counted = small_area.extract_counts(
        extract, lsoa_codes, home_office_codes, months, marker=marker
    )
    return Events.counted(counted, tiers.force_extract(synthetic), key=key, label=label)
