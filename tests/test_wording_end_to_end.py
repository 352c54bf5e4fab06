"""Wording end to end: an override folder changes one passage and nothing else, and the
configured confidence level reaches every label on the page."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import yaml

from needs_assessment.paths import DEFAULT_CONFIG
from needs_assessment.report import run as report

pytestmark = pytest.mark.e2e


class _Text(HTMLParser):
    """The page's visible text, one block per paragraph or list item."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "pre"):
            self._skip += 1
        if tag in ("p", "li", "td", "th", "h2", "h3", "figcaption", "caption", "summary"):
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "pre"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and self.blocks:
            self.blocks[-1] += data


def page_text(folder) -> list[str]:
    parser = _Text()
    parser.feed((folder / "assessment.html").read_text(encoding="utf-8"))
    return [re.sub(r"\s+", " ", b).strip() for b in parser.blocks if b.strip()]


def write_config(tmp_path, name: str, **report_settings) -> object:
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    settings["report"].update(report_settings)
    path = tmp_path / "config" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def test_override_folder_changes_that_sentence_and_nothing_else(tmp_path):
    wording = tmp_path / "config" / "wording" / "trends"  # beside the config
    wording.mkdir(parents=True)
    (wording / "intro.md.j2").write_text(
        "Our analysts read these figures with the partnership each quarter.\n", encoding="utf-8"
    )
    plain = write_config(tmp_path, "plain", chapters=["trends"])
    edited = write_config(
        tmp_path, "edited", chapters=["trends"], wording=str(tmp_path / "config" / "wording")
    )
    before = page_text(report.run(plain, reports_dir=tmp_path / "reports"))
    after = page_text(report.run(edited, reports_dir=tmp_path / "reports"))
    # The appendix names each config file; everything else must match.
    removed = [b for b in before if b not in after and "Config file" not in b]
    added = [b for b in after if b not in before and "Config file" not in b]
    assert added == ["Our analysts read these figures with the partnership each quarter."]
    assert len(removed) == 1 and removed[0].startswith("Rates per 1,000 residents")


def test_confidence_level_reaches_every_label(tmp_path):
    settings = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    settings["thresholds"]["confidence_level"] = 0.9
    path = tmp_path / "config" / "level90.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    folder = report.run(path, reports_dir=tmp_path / "reports")
    text = " ".join(page_text(folder))
    assert "90%" in text
    assert "95%" not in text, re.findall(r".{60}95%.{20}", text)[:5]
