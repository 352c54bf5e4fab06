"""What each wording template of the hotspots chapter needs: the chapter's facts as dicts.

One function per template in ``text/`` (the template of the same name), returning the
context it renders with; every number in it was computed by the chapter.
"""

from __future__ import annotations

from dataclasses import asdict

from needs_assessment import tiers
from needs_assessment.chapters.hotspots.analysis import (
    HEADLINE,
    TIER_EXTRACT,
    EventSet,
    HotspotsChapter,
    concentration_of,
    district_contrast,
    hot_spot_facts,
    hot_spots_per_district,
    mapped_rates,
    rate_classes,
    selection,
)
from needs_assessment.chapters.hotspots.analysis import spikes as spike_rows
from needs_assessment.chapters.hotspots.tables import TOP_PER_DISTRICT
from needs_assessment.chapters.hotspots.timing import LATE_NIGHTS, WEEKDAYS, time_peaks
from needs_assessment.config import AssessmentConfig
from needs_assessment.methods.disclosure import LOW_EVENTS_MARKER, SUPPRESSED_MARKER
from needs_assessment.methods.spatial import BOUND_RISK, HOT, MOST_DRAWS


def tier(event_set: EventSet) -> dict:
    """How a tier is named: label, synthetic tag, the periods it covers and hot spots use."""
    names = event_set.names(event_set.periods["period"])
    return {
        "key": event_set.key,
        "label": event_set.label,
        "tag": event_set.tier.tag,
        "synthetic": event_set.synthetic,
        "monthly": event_set.monthly,
        "names": names,
        "periods": len(names),
        "span": event_set.span_label,
        "window_periods": len(event_set.window),
        "window_label": event_set.window_label,
    }


def _headline(chapter: HotspotsChapter) -> dict:
    return {
        "area": chapter.area,
        "label": chapter.labels[HEADLINE[1]],
        "police_uk": tier(chapter.police_uk),
    }


def _rows(chapter: HotspotsChapter) -> list[dict]:
    """One dict per tier and category of the concentration table, with its tier's tag."""
    return [
        {**row, "tag": chapter.tiers[row["tier"]].tier.tag}
        for row in chapter.concentration.to_dict(orient="records")
    ]


# -- prose -----------------------------------------------------------------------------------


def data(chapter: HotspotsChapter) -> dict:
    sets = []
    for event_set in chapter.tiers.values():
        excluded = event_set.excluded
        no_location = int(excluded["no_location"].sum())
        outside = int(excluded["outside_area"].sum())
        sets.append(
            {
                **tier(event_set),
                "categories": [chapter.labels[c] for c in event_set.categories],
                "events": int(excluded["events"].sum()),
                "no_location": no_location,
                "outside": outside,
                "lost": no_location + outside,
            }
        )
    return {
        "area": chapter.area,
        "lsoas": len(chapter.lsoas),
        "districts": len(chapter.districts),
        "tiers": sets,
    }


def method(chapter: HotspotsChapter) -> dict:
    s = chapter.settings
    table = chapter.concentration
    return {
        **asdict(s),
        "islands": len(s.islands),
        "most_permutations": MOST_DRAWS,
        "bound_risk": BOUND_RISK,
        "unsettled": int(table["unsettled"].sum()),
        "tests": len(table),
    }


def concentration(chapter: HotspotsChapter) -> dict:
    return {"rows": _rows(chapter)}


def hot_spots(chapter: HotspotsChapter) -> dict:
    facts = hot_spot_facts(chapter, *HEADLINE)
    others = [row for row in _rows(chapter) if (row["tier"], row["category"]) != HEADLINE]
    return {
        **_headline(chapter),
        **asdict(facts),
        "fdr_level": chapter.settings.fdr_level,
        "others": others,
    }


def so_what(chapter: HotspotsChapter) -> dict:
    """The chapter's opening bullets: hot spots, concentration and persistence of the headline."""
    return {
        **hot_spots(chapter),
        **persistence(chapter),
        "headline": concentration_of(chapter, *HEADLINE).to_dict(),
    }


def persistence(chapter: HotspotsChapter) -> dict:
    row = concentration_of(chapter, *HEADLINE)
    facts = hot_spot_facts(chapter, *HEADLINE)
    extract = [r for r in _rows(chapter) if r["tier"] == TIER_EXTRACT]
    return {
        **_headline(chapter),
        "top_share": chapter.settings.top_share,
        "persistent": int(row["persistent_lsoas"]),
        "threshold": int(row["persistent_threshold"]),
        "periods": int(row["periods"]),
        "both": facts.persistent_hot_spots,
        "names": facts.hot_spot_names,
        "extract": _extract_persistence(chapter, extract),
    }


def _extract_persistence(chapter: HotspotsChapter, rows: list[dict]) -> dict | None:
    if not rows:
        return None
    return {
        **tier(chapter.tiers[TIER_EXTRACT]),
        "threshold": rows[0]["persistent_threshold"],
        "periods": rows[0]["periods"],
        "rows": rows,
    }


def districts(chapter: HotspotsChapter, tier_key: str, category: str) -> dict:
    contrast = district_contrast(chapter, tier_key, category)
    return {
        **asdict(contrast),
        "label": chapter.labels[category],
        "tier": tier(chapter.tiers[tier_key]),
    }


def spikes(chapter: HotspotsChapter) -> dict:
    """The spikes by LSOA (most categories first), each category with its tier's tag and how
    far above expectation it is."""
    by_lsoa: dict[str, dict] = {}
    for r in spike_rows(chapter).itertuples():
        lsoa = by_lsoa.setdefault(
            r.lsoa_code, {"name": r.lsoa_name, "district": r.district, "categories": []}
        )
        lsoa["categories"].append(
            {
                "label": chapter.labels[r.category],
                "tag": chapter.tiers[r.tier].tier.tag,
                "times": float(r.excess_ratio),
                "hot_spot": r.hotspot == HOT,
            }
        )
    rows = sorted(by_lsoa.values(), key=lambda lsoa: -len(lsoa["categories"]))
    return {"area": chapter.area, "lsoas": len(chapter.lsoas), "spikes": rows}


def time(chapter: HotspotsChapter) -> dict:
    peaks = [
        {**asdict(p), "peak_from": _clock(p.peak_hour), "peak_to": _clock((p.peak_hour + 1) % 24)}
        for p in time_peaks(chapter.hour_week, chapter.months)
    ]
    days, hours = LATE_NIGHTS
    return {
        "area": chapter.area,
        "extract": tier(chapter.extract),
        "peaks": peaks,
        "late_days": [WEEKDAYS[d] for d in days],
        "late_from": _clock(min(hours)),
        "late_to": _clock(max(hours) + 1),
    }


def _clock(hour: int) -> str:
    """'21:00'; the end of the day is 'midnight'."""
    return "midnight" if hour == 24 else f"{hour % 24:02d}:00"


# -- figures ---------------------------------------------------------------------------------


def _sources(chapter: HotspotsChapter) -> list[str]:
    return [event_set.label for event_set in chapter.tiers.values()]


def lorenz_chart(chapter: HotspotsChapter) -> dict:
    rows = _rows(chapter)
    most = min(rows, key=lambda r: r["share_lsoas_50pct"])
    return {"area": chapter.area, "rows": rows, "most": most, "sources": _sources(chapter)}


def force_maps(chapter: HotspotsChapter, tier_key: str) -> dict:
    rows = [r for r in _rows(chapter) if r["tier"] == tier_key]
    return {
        "area": chapter.area,
        "tier": tier(chapter.tiers[tier_key]),
        "rows": rows,
        "fdr_level": chapter.settings.fdr_level,
    }


def district_maps(
    chapter: HotspotsChapter, tier_key: str, category: str, config: AssessmentConfig
) -> dict:
    shown = mapped_rates(selection(chapter, tier_key, category), _min_events(config))
    return {
        "label": chapter.labels[category],
        "tier": tier(chapter.tiers[tier_key]),
        "classes": len(rate_classes(shown)),
        "hot_spots": hot_spots_per_district(chapter, tier_key, category),
    }


def heatmap(chapter: HotspotsChapter) -> dict:
    return time(chapter)


def months_chart(chapter: HotspotsChapter) -> dict:
    return time(chapter)


# -- table captions --------------------------------------------------------------------------


def concentration_table(chapter: HotspotsChapter) -> dict:
    extract = chapter.extract
    return {
        "area": chapter.area,
        "extract_synthetic": extract is not None and extract.synthetic,
        "synthetic_label": tiers.SYNTHETIC_LABEL,
    }


def lsoa_table(chapter: HotspotsChapter, config: AssessmentConfig, tier_key: str) -> dict:
    return {
        **_headline(chapter),
        "tier": tier(chapter.tiers[tier_key]),
        "suppress_up_to": config.thresholds.suppress_counts_up_to,
        "min_events": _min_events(config),
        "suppressed_marker": SUPPRESSED_MARKER,
        "low_marker": LOW_EVENTS_MARKER,
    }


def spikes_table(chapter: HotspotsChapter, config: AssessmentConfig) -> dict:
    return {
        "area": chapter.area,
        "sources": _sources(chapter),
        "suppress_up_to": config.thresholds.suppress_counts_up_to,
        "suppressed_marker": SUPPRESSED_MARKER,
        **concentration_table(chapter),
    }


def district_table(chapter: HotspotsChapter) -> dict:
    return {**_headline(chapter), **concentration_table(chapter)}


def top_table(chapter: HotspotsChapter) -> dict:
    return {**_headline(chapter), "top": TOP_PER_DISTRICT, "top_share": chapter.settings.top_share}


def _min_events(config: AssessmentConfig) -> int:
    return config.thresholds.min_events_for_rate
