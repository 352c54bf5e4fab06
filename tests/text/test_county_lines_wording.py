"""County Lines wording: a snapshot of every template on the demonstration data, each
paragraph and caption resting on the extract labelled, and the configured level in every
interval label. Regenerate the snapshots on purpose with ``--update-snapshots``."""

from __future__ import annotations

import dataclasses
import re

import pytest

from needs_assessment import tiers
from needs_assessment.chapters import registry
from needs_assessment.chapters.county_lines import analysis, tables, words
from needs_assessment.chapters.county_lines.markets import HOME_GROWN, OFFENCES, UNCERTAIN
from needs_assessment.prepare import prepare
from needs_assessment.presentation.text import Wording, plain

#: Paragraph templates -> their context, from the chapter and its published tables.
PARAGRAPHS = {
    "so_what": lambda r, p: words.so_what(r),
    "tiers_note": lambda r, p: words.tiers_note(r),
    "method": lambda r, p: words.method(r),
    "markets": lambda r, p: words.markets(r),
    "power": lambda r, p: words.power(r),
    "origins": lambda r, p: words.origins(r, p.origins),
    "indicators": lambda r, p: words.indicators(r),
    "trends": lambda r, p: words.trends(r),
    "violence": lambda r, p: words.violence(r),
    "overlap": lambda r, p: words.overlap(r),
    "public": lambda r, p: words.public(r),
    "limits": lambda r, p: words.limits(r),
}
FIGURES = {
    "import_shares_chart": lambda r, p: words.import_shares_chart(r),
    "map_chart": lambda r, p: words.map_chart(r),
    "origins_chart": lambda r, p: words.origins_chart(r, p.origins),
    "indicators_chart": lambda r, p: words.indicators_chart(r),
    "public_chart": lambda r, p: words.public_chart(r),
}
TABLES = ("markets_table", "origins_table", "indicators_table", "trends_table", "overlap_table")
#: Wording that rests on real data only. (The public paragraph is labelled all the same: it
#: says the extract's drug offences were generated to match the published totals.)
REAL_ONLY = {"public_chart"}


@pytest.fixture(scope="module")
def demo(default_config):
    prepare(default_config)
    return registry.build("county_lines", default_config)


@pytest.fixture(scope="module")
def text(demo):
    return rendered(demo)


def real(result):
    """The same chapter as if the extract were the force's real one."""
    return dataclasses.replace(result, synthetic=False, label=analysis.data_label(False))


def tidy(markdown: str) -> str:
    """Markdown with each paragraph and list item on one line (snapshots that read easily)."""
    blocks = []
    for block in (b for b in markdown.split("\n\n") if b.strip()):
        items = re.split(r"\n(?=- )", block)
        blocks.append("\n".join(" ".join(item.split()) for item in items))
    return "\n\n".join(blocks)


def rendered(result, level: float = 0.95) -> dict[str, str]:
    """Every paragraph, figure block and table caption of the chapter, as Markdown."""
    wording, published = Wording(level), tables.published(result)
    out = {
        name: wording.markdown(f"county_lines/{name}", **context(result, published))
        for name, context in PARAGRAPHS.items()
    }
    for name, context in FIGURES.items():
        for block in ("alt", "caption"):
            out[f"{name}:{block}"] = wording.block(
                f"county_lines/{name}", block, **context(result, published)
            )
    for name in TABLES:
        out[name] = wording.markdown(f"county_lines/{name}", **words.captions(result))
    return out


@pytest.mark.parametrize("name", list(PARAGRAPHS))
def test_paragraphs(text, snapshot, name):
    snapshot(f"county_lines_{name}", tidy(text[name]))


@pytest.mark.parametrize("name", list(FIGURES))
def test_figure_alt_text_and_captions(text, snapshot, name):
    snapshot(
        f"county_lines_{name}",
        f"alt: {plain(text[f'{name}:alt'])}\n\ncaption: {plain(text[f'{name}:caption'])}",
    )


def test_table_captions(text, snapshot):
    captions = (f"{name}: {plain(text[name])}" for name in TABLES)
    snapshot("county_lines_table_captions", "\n\n".join(captions))


def test_wording_for_a_real_extract(demo, snapshot):
    text = rendered(real(demo))
    names = ("tiers_note", "method", "violence", "overlap", "public", "limits", "markets_table")
    snapshot("county_lines_real_extract", "\n\n".join(f"{n}: {tidy(text[n])}" for n in names))


def test_wording_for_an_extract_without_offender_ids(demo, snapshot):
    text = rendered(dataclasses.replace(demo, unit=OFFENCES))
    snapshot("county_lines_no_offender_ids", f"{tidy(text['method'])}\n\n{tidy(text['limits'])}")


def test_wording_when_there_is_nothing_to_compare(demo, snapshot):
    nan = float("nan")
    summary = demo.summary.assign(recent_market_type=HOME_GROWN)
    usual = summary.assign(
        whole_market_type=summary["usual_market_type"], whole_certainty=UNCERTAIN
    )
    bare = dataclasses.replace(
        demo, violence=dataclasses.replace(demo.violence, rate_ratio=nan), summary=usual
    )
    wording, published = Wording(), tables.published(bare)
    parts = {
        "violence": words.violence(bare),
        "origins": words.origins(bare, published.origins),
        "power": words.power(bare),
    }
    text = {n: wording.markdown(f"county_lines/{n}", **c) for n, c in parts.items()}
    assert text["power"] == ""
    snapshot("county_lines_nothing_to_compare", tidy(f"{text['violence']}\n\n{text['origins']}"))


def paragraphs(text: str) -> list[str]:
    """Markdown paragraphs; a bullet list belongs to the sentence that introduces it."""
    blocks: list[str] = []
    for block in (b for b in text.split("\n\n") if b.strip()):
        if block.startswith("- ") and blocks:
            blocks[-1] += "\n\n" + block
        else:
            blocks.append(block)
    return blocks


def test_every_extract_paragraph_and_caption_is_labelled(demo, text):
    for name, markdown in text.items():
        labelled = [tiers.SYNTHETIC_LABEL in plain(p) for p in paragraphs(markdown)]
        if name.split(":")[0] in REAL_ONLY:
            assert not any(labelled), name
        else:
            assert labelled and all(labelled), name
    for name, markdown in rendered(real(demo)).items():
        assert tiers.SYNTHETIC_LABEL not in plain(markdown), name


def test_labels_follow_the_configured_confidence_level(default_config):
    thresholds = default_config.thresholds.model_copy(update={"confidence_level": 0.9})
    config = default_config.model_copy(update={"thresholds": thresholds})
    result = registry.build("county_lines", config)
    everything = "\n".join(rendered(result, level=0.9).values())
    assert "90%" in everything and "95%" not in everything
    header = " ".join(tables.trend_display(result.trends, result.settings.level).columns)
    assert "90%" in header and "95%" not in header


def test_weapon_note(snapshot):
    snapshot("county_lines_weapon_note", Wording().markdown("county_lines/weapon_note"))


def test_thin_sections_wording(default_config, snapshot):
    """Each section's gap (``county_lines/gaps``) on a 300-row extract and on one that ends
    two years before the period does."""
    from needs_assessment.definitions import load_definitions
    from needs_assessment.prepare import read

    extract = read(default_config, "force_extract")
    inputs = {name: read(default_config, name) for name in registry.inputs("county_lines")}
    definitions = load_definitions(default_config.definitions)
    wording = Wording(default_config.thresholds.confidence_level)
    parts = []
    for case in (extract.sample(300, random_state=1), extract[extract["year"] <= 2019]):
        result = analysis.build(default_config, definitions, **(inputs | {"force_extract": case}))
        context = words.gap(result)
        for section, reason in result.gaps.items():
            blocks = (section, f"{reason}_reason", f"{reason}_remedy")
            parts.append(
                " | ".join(plain(wording.block("county_lines/gaps", b, **context)) for b in blocks)
            )
    snapshot("county_lines_gaps", "\n".join(f"- {part}" for part in parts))


def test_thin_extract_notice_wording(snapshot):
    """The notice every chapter built on a thin extract opens with (``common/thin_extract``)."""
    context = {
        "share": 0.8,
        "categories": [
            {"label": "Robbery", "runs": [{"first": 2012, "last": 2014}], "lowest": 0.012},
            {
                "label": "Drug supply",
                "runs": [{"first": 2015, "last": 2015}, {"first": 2019, "last": 2020}],
                "lowest": 0.4,
            },
        ],
    }
    wording = Wording(0.95)
    parts = [
        plain(wording.block("common/thin_extract", part, **context))
        for part in ("section", "reason", "remedy")
    ]
    snapshot("common_thin_extract", "\n\n".join(parts))
