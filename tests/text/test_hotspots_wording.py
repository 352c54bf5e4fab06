"""Wording of the hotspots chapter: every template rendered with the real Cambridgeshire
chapter, compared with snapshots (regenerate on purpose with ``--update-snapshots``)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from needs_assessment import tiers
from needs_assessment.chapters.hotspots import tables, words
from needs_assessment.chapters.hotspots.analysis import (
    HEADLINE,
    TIER_EXTRACT,
    TIER_POLICE_UK,
    district_comparison,
)
from needs_assessment.presentation.text import Wording

TEXT = Path(words.__file__).parent / "text"


@pytest.fixture(scope="module")
def real(hotspots_chapter):
    return hotspots_chapter


#: Snapshots rendered from a template of another name.
TEMPLATE_OF = {"lsoa_table_extract": "lsoa_table"}


def prose(chapter, config) -> dict[str, dict]:
    """Every prose template and table caption, with its context."""
    return {
        "so_what": words.so_what(chapter),
        "data": words.data(chapter),
        "method": words.method(chapter),
        "concentration": words.concentration(chapter),
        "hot_spots": words.hot_spots(chapter),
        "persistence": words.persistence(chapter),
        "districts": words.districts(chapter, *HEADLINE),
        "time": words.time(chapter),
        "no_extract": {},
        "concentration_table": words.concentration_table(chapter),
        "lsoa_table": words.lsoa_table(chapter, config, TIER_POLICE_UK),
        "lsoa_table_extract": words.lsoa_table(chapter, config, TIER_EXTRACT),
        "spikes": words.spikes(chapter),
        "spikes_table": words.spikes_table(chapter, config),
        "district_table": words.district_table(chapter),
        "top_table": words.top_table(chapter),
    }


def figures(chapter, config) -> dict[str, tuple[str, dict]]:
    """Every figure template (alt and caption), with its context."""
    return {
        "force_maps_police_uk": ("force_maps", words.force_maps(chapter, TIER_POLICE_UK)),
        "force_maps_extract": ("force_maps", words.force_maps(chapter, TIER_EXTRACT)),
        "lorenz_chart": ("lorenz_chart", words.lorenz_chart(chapter)),
        "district_maps": ("district_maps", words.district_maps(chapter, *HEADLINE, config)),
        "heatmap": ("heatmap", words.heatmap(chapter)),
        "months_chart": ("months_chart", words.months_chart(chapter)),
    }


def render_all(chapter, config, level: float) -> dict[str, str]:
    wording = Wording(level)
    out = {
        name: wording.markdown(f"hotspots/{TEMPLATE_OF.get(name, name)}", **ctx)
        for name, ctx in prose(chapter, config).items()
    }
    for name, (template, ctx) in figures(chapter, config).items():
        out[name] = "\n\n".join(
            f"{block}: " + wording.block(f"hotspots/{template}", block, **ctx)
            for block in ("alt", "caption")
        )
    return out


@pytest.fixture(scope="module")
def rendered(real, default_config):
    return render_all(real, default_config, default_config.thresholds.confidence_level)


NAMES = [
    "so_what",
    "data",
    "method",
    "concentration",
    "hot_spots",
    "persistence",
    "districts",
    "time",
    "no_extract",
    "concentration_table",
    "lsoa_table",
    "lsoa_table_extract",
    "spikes",
    "spikes_table",
    "district_table",
    "top_table",
    "force_maps_police_uk",
    "force_maps_extract",
    "lorenz_chart",
    "district_maps",
    "heatmap",
    "months_chart",
]


@pytest.mark.parametrize("name", NAMES)
def test_wording_snapshot(rendered, snapshot, name):
    snapshot(f"hotspots_{name}", rendered[name])


def test_every_template_is_covered():
    on_disk = {path.name.removesuffix(".md.j2") for path in TEXT.glob("*.md.j2")}
    covered = {TEMPLATE_OF.get(n, n) for n in NAMES if not n.startswith("force_maps_")}
    covered |= {"force_maps"}
    assert on_disk == covered


def test_branches_of_hot_spots_and_islands(real, snapshot):
    wording = Wording()
    none = {**words.hot_spots(real), "hot_spots": 0, "others": []}
    snapshot("hotspots_hot_spots_none", wording.markdown("hotspots/hot_spots", **none))
    spread = {
        **words.hot_spots(real),
        "hot_spots": 4,
        "by_district": {"Fenland": 2, "Cambridge": 1, "Peterborough": 1},
        "cold_spots": 0,
    }
    snapshot("hotspots_hot_spots_three", wording.markdown("hotspots/hot_spots", **spread))
    islands = {**words.method(real), "islands": 2, "island_handling": "drop", "unsettled": 0}
    snapshot("hotspots_method_islands", wording.markdown("hotspots/method", **islands))
    snapshot(
        "hotspots_spikes_none",
        wording.markdown("hotspots/spikes", **{**words.spikes(real), "spikes": []}),
    )


def test_synthetic_label_on_every_text_from_the_extract(rendered, real):
    if not real.extract.synthetic:
        pytest.skip("the configured extract is not synthetic")
    for name in ("time", "force_maps_extract", "heatmap", "months_chart", "concentration_table"):
        assert tiers.SYNTHETIC_LABEL in rendered[name], name
    assert tiers.SYNTHETIC_LABEL not in rendered["force_maps_police_uk"]


def test_top_tenth_is_never_called_a_hot_spot(rendered):
    for name, text in rendered.items():
        assert not re.search(r"hotspot|top decile", text, re.IGNORECASE), name
        for sentence in re.split(r"(?<=[.;:])\s", text):
            if "by count" in sentence and "hot spot" in sentence:
                assert "also significant hot spots" in sentence, (name, sentence)


def test_configured_confidence_level_reaches_every_label(real, default_config):
    thresholds = default_config.thresholds.model_copy(update={"confidence_level": 0.9})
    config = default_config.model_copy(update={"thresholds": thresholds})
    at_90 = replace(
        real,
        settings=replace(real.settings, confidence_level=0.9),
        district_table=district_comparison(real.results, 0.9),
    )
    text = render_all(at_90, config, 0.9)
    assert "90% CI" in text["districts"]
    assert not [name for name, t in text.items() if "95%" in t]
    shown = tables.district_display(tables.district_csv(at_90, config), at_90, *HEADLINE, 0.9)
    headers = " ".join(shown.columns)
    assert "90% CI" in headers and "95%" not in headers
    narrow = at_90.district_table.set_index(["tier", "category", "district"])
    wide = real.district_table.set_index(["tier", "category", "district"])
    assert (
        narrow["rate_upper"] - narrow["rate_lower"] < wide["rate_upper"] - wide["rate_lower"]
    ).all()
