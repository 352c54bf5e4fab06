"""The chapters an assessment can contain, and what each one depends on.

A run re-executes a chapter only when something it depends on changed: its notebook, the
package code, the config sections it reads, or the processed tables it reads. The
``summary`` chapter is built from the other chapters' results, so it always runs last and
is placed first on the page.
"""

from __future__ import annotations

from dataclasses import dataclass

COMMON_CONFIG = ("title", "area", "period", "definitions", "thresholds", "seed")
#: What the trends chapter reads (the County Lines chapter reads it too, for its real
#: public-data cross-check).
TRENDS = (
    "recorded_crime",
    "pfa_offence_groups",
    "pfa_knife",
    "force_population",
    "force_context",
    "lsoa_lookup",
    "crime_severity",
    "hospital_admissions",
    "force_extract",
    "district_population",
)
#: What the neighbourhood-level chapters read.
SMALL_AREA = (
    "police_uk_counts",
    "imd",
    "lsoa_lookup",
    "lsoa_population",
    "lsoa_boundaries",
    "force_extract",
)


@dataclass(frozen=True)
class ChapterSpec:
    key: str
    tables: tuple[str, ...]
    config: tuple[str, ...] = COMMON_CONFIG
    uses_results: bool = False
    modules: tuple[str, ...] = ()  # chapter-specific modules it imports (package-relative)


SPECS: dict[str, ChapterSpec] = {
    spec.key: spec
    for spec in (
        ChapterSpec(
            "summary", (), COMMON_CONFIG + ("report",), uses_results=True, modules=("summary",)
        ),
        ChapterSpec(
            "trends", TRENDS, COMMON_CONFIG + ("data",), modules=("trends", "trend_charts")
        ),
        ChapterSpec(
            "deprivation",
            (*SMALL_AREA, "district_boundaries"),
            COMMON_CONFIG + ("data",),
            modules=("deprivation", "deprivation_charts"),
        ),
        ChapterSpec(
            "hotspots",
            SMALL_AREA,
            COMMON_CONFIG + ("data",),
            modules=("hotspots", "hotspot_charts"),
        ),
        ChapterSpec(
            "county_lines",
            (*TRENDS, "district_boundaries"),
            COMMON_CONFIG + ("county_lines", "data"),
            modules=("county_lines", "county_lines_charts", "trends"),
        ),
    )
}
CHAPTERS = tuple(SPECS)


def execution_order(keys: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Chapters that can run side by side, then those that need their results."""
    independent = [k for k in keys if not SPECS[k].uses_results]
    dependent = [k for k in keys if SPECS[k].uses_results]
    return independent, dependent


def page_order(keys: tuple[str, ...]) -> list[str]:
    """The summary first, then the chapters in config order."""
    return [k for k in keys if SPECS[k].uses_results] + [
        k for k in keys if not SPECS[k].uses_results
    ]
