"""The deprivation chapter's wording: snapshots of every template, and the level in labels.

Regenerate on purpose with ``pytest --update-snapshots tests/text/test_deprivation_wording.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from needs_assessment.chapters import registry
from needs_assessment.chapters.deprivation import tables, words
from needs_assessment.methods import stats
from needs_assessment.presentation.text import Wording, plain

TEXT = Path(words.__file__).parent / "text"
#: Template -> the words function that fills it, and its blocks (figures: alt and caption).
TEMPLATES = {
    "data": (words.data, ()),
    "caveats": (words.caveats, ()),
    "association": (words.association, ()),
    "gradient": (words.gradient, ()),
    "link": (words.link, ()),
    "unexpected": (words.unexpected, ()),
    "departures": (words.unexpected, ()),
    "districts": (words.districts, ()),
    "measures": (words.measures, ()),
    "deciles_chart": (words.deciles_chart, ("alt", "caption")),
    "deciles_table": (words.deciles_chart, ()),
    "scatter_chart": (words.scatter_chart, ("alt", "caption")),
    "bivariate_map": (words.bivariate_map, ("alt", "caption")),
    "unexpected_map": (words.unexpected_map, ("alt", "caption")),
    "lsoa_table": (words.unexpected_map, ()),
    "districts_chart": (words.districts_chart, ("alt", "caption")),
    "districts_table": (words.districts_chart, ()),
    "measures_table": (words.measures_table, ()),
    "method": (words.method, ()),
    "partial_year": (words.partial_year, ("section", "reason", "remedy")),
    "so_what": (words.so_what, ()),
}
INCLUDED = {"rho", "span", "unit"}  # rendered inside the others


def _built(config):
    from needs_assessment.prepare import prepare

    prepare(config)
    return registry.build("deprivation", config)


@pytest.fixture(scope="module")
def real(default_config):
    return _built(default_config)


@pytest.fixture(scope="module")
def at_90(default_config):
    thresholds = default_config.thresholds.model_copy(update={"confidence_level": 0.9})
    config = default_config.model_copy(update={"thresholds": thresholds})
    return config, _built(config)


def rendered(chapter, config) -> dict[str, str]:
    """Every template of the chapter rendered for ``chapter``: name (and block) -> Markdown."""
    wording = Wording(config.thresholds.confidence_level)
    out = {}
    for name, (context, blocks) in TEMPLATES.items():
        values = context(chapter, config)
        if blocks:
            for block in blocks:
                out[f"{name}:{block}"] = wording.block(f"deprivation/{name}", block, **values)
        else:
            out[name] = wording.markdown(f"deprivation/{name}", **values)
    return out


def test_every_template_is_covered():
    files = {path.name.removesuffix(".md.j2") for path in TEXT.glob("*.md.j2")}
    assert files == set(TEMPLATES) | INCLUDED


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_wording_snapshot(real, default_config, snapshot, name):
    texts = rendered(real, default_config)
    parts = [f"## {key}\n\n{text}" for key, text in texts.items() if key.split(":")[0] == name]
    snapshot(f"deprivation_{name}", "\n\n".join(parts))


def _rho(estimate, lower, upper):
    return words.rho(stats.Interval(estimate, lower, upper))


def test_rho_in_words_snapshot(snapshot):
    wording = Wording(0.95)
    template = wording.env.get_template("deprivation/rho.md.j2")
    cases = [(0.41, 0.33, 0.49), (0.71, 0.65, 0.75), (-0.2, -0.3, -0.12), (0.05, -0.04, 0.13)]
    lines = [template.render(rho=_rho(*case)) for case in cases]
    lines.append(template.render(rho=_rho(0.05, -0.04, 0.13), capital=True))
    snapshot("deprivation_rho", "\n".join(f"- {line}" for line in lines))


#: How the templates name the English index (``words.index_words`` for an English area).
IMD = {"index": "IMD 2019", "index_short": "IMD", "crime_domain": "crime", "cross_border": False}


def test_branches_snapshot(snapshot):
    """The wording for no departures, one district uncertain, no district model and Poisson
    decile limits."""
    wording = Wording(0.95)
    departures = {
        "measure": "Test",
        "source": "s",
        "more": 0,
        "fewer": 0,
        "model": "Poisson",
        "fdr": 0.05,
        "top": [],
        "share_of_lsoas": 0.0,
        "more_events": 0,
        "share_of_events": 0.0,
        "places": [],
        **IMD,
    }
    none_flagged = wording.markdown("deprivation/unexpected", **departures)
    none_flagged += "\n\n" + wording.markdown("deprivation/departures", **departures)
    fewer_only = wording.markdown("deprivation/departures", **(departures | {"fewer": 2}))
    district = {
        "district": "Small",
        "lsoas": 12,
        "deciles_spanned": 2,
        "irr": None,
        "irr_lower": None,
        "irr_upper": None,
        "rho": None,
        "rho_lower": None,
        "rho_upper": None,
        "reliability": "uncertain: only 12 LSOAs; LSOAs span only 2 deciles; no model",
    }
    uncertain = wording.markdown(
        "deprivation/districts",
        min_lsoas=30,
        min_deciles=5,
        districts=[district],
        uncertain=["Small"],
    )
    no_model = wording.block(
        "deprivation/districts_chart",
        "alt",
        measure="Test",
        source="s",
        area="X",
        districts=1,
        steepest=None,
        shallowest=None,
        uncertain=1,
        **IMD,
    )
    span = {"months": 12, "first": "Apr 2019", "last": "Mar 2020", "consecutive": True}
    poisson = wording.markdown(
        "deprivation/method",
        measure="Test",
        source="s",
        span={**span, "whole_years": True},
        alpha=0.0,
        decile_model="Poisson",
        n_boot=2000,
        **IMD,
    )
    parts = [none_flagged, fewer_only, uncertain, no_model, poisson]
    snapshot("deprivation_branches", "\n\n".join(parts))


def test_numbers_in_the_prose_are_the_computed_ones(real, default_config):
    texts = {key: " ".join(text.split()) for key, text in rendered(real, default_config).items()}
    h = real.headline
    rr, g = h.rate_ratio, h.gradient
    assert f"{rr.estimate:.2f} (95% CI {rr.lower:.2f} to {rr.upper:.2f}," in texts["gradient"]
    assert f"{g.irr:.3f}" in texts["gradient"] and f"{g.upper:.3f}" in texts["gradient"]
    assert f"rho {h.rho_imd.estimate:.2f}" in texts["association"]
    assert f"{h.events.total:,}" in texts["data"] and f"{h.area_rate:.1f}" in texts["data"]
    assert f"alpha {h.alpha:.3f}" in texts["method"]
    assert f"rho {h.rho_imd.estimate:.2f}" in texts["so_what"]
    assert f"{rr.estimate:.2f} times" in texts["so_what"]


def test_so_what_is_at_most_three_bullets(real, default_config):
    text = rendered(real, default_config)["so_what"]
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert 1 <= len(bullets) <= 3


def test_no_rate_is_called_annual(real, default_config):
    """police.uk months are not a year: no rate is annual (the old wording said so 9 times)."""
    claim = re.compile(r"annual|1,000 a year|residents a year|1,000 per year", re.IGNORECASE)
    texts = rendered(real, default_config)
    assert [key for key, text in texts.items() if claim.search(" ".join(text.split()))] == []


def test_values_are_escaped_not_markup(real, default_config):
    texts = rendered(real, default_config)
    assert r"Cambridgeshire \& Peterborough" in texts["data"]
    assert "**Two cautions.**" in texts["caveats"]  # emphasis from the template's own text


def test_level_90_labels_every_template_and_header(at_90):
    config, chapter = at_90
    texts = rendered(chapter, config)
    assert not [key for key, text in texts.items() if "95%" in text]
    with_level = [
        "association",
        "gradient",
        "districts",
        "measures",
        "deciles_chart:alt",
        "deciles_chart:caption",
        "deciles_table",
        "scatter_chart:alt",
        "districts_chart:caption",
        "districts_table",
        "measures_table",
    ]
    assert [key for key in with_level if "90%" not in texts[key]] == []
    assert "false discovery rate 10%" in plain(texts["unexpected_map:caption"])
    h = chapter.headline
    deciles = tables.published_deciles(h.deciles, config)
    lsoas = tables.published_lsoas(h.table, config)
    shown = [
        tables.decile_display(deciles, 0.9),
        tables.district_display(h.districts, 0.9),
        tables.unexpected_display(h, lsoas),
        tables.measures_display(tables.measures_table(chapter.analyses), 0.9),
    ]
    headers = [column for frame in shown for column in frame.columns]
    assert not [column for column in headers if "95%" in column]
    assert sum("90% CI" in column for column in headers) == 1 + 2 + 4


#: How the templates name the Welsh index, and both for an area in England and Wales.
WIMD = {
    "index": "WIMD 2019",
    "index_short": "WIMD",
    "crime_domain": "community safety",
    "cross_border": False,
}
BOTH = {
    "index": "IMD 2019 and WIMD 2019",
    "index_short": "IMD and WIMD",
    "crime_domain": "crime and community safety",
    "cross_border": True,
}


def test_welsh_and_cross_border_wording_snapshot(real, default_config, snapshot):
    """The templates that name the index, for a Welsh area and for a cross-border one (the
    default chapter's numbers with the index words of ``words.index_words``)."""
    wording = Wording(default_config.thresholds.confidence_level)
    parts = []
    for label, names in (("Welsh", WIMD), ("cross-border", BOTH)):
        for name in ("caveats", "association", "deciles_table", "method"):
            values = TEMPLATES[name][0](real, default_config) | names
            parts.append(
                f"## {label}: {name}\n\n" + wording.markdown(f"deprivation/{name}", **values)
            )
    snapshot("deprivation_wimd", "\n\n".join(parts))
