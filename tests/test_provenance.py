"""The provenance appendix and run manifest: facts from files, wording from templates."""

from __future__ import annotations

from needs_assessment.config import load_config
from needs_assessment.paths import DEFAULT_CONFIG, ROOT
from needs_assessment.presentation.text import Wording, markdown_to_html
from needs_assessment.report.provenance import appendix_markdown, relative_to_root, run_manifest


def test_appendix_lists_every_manifest_source_and_the_configured_level(default_config):
    from needs_assessment.manifest import load_manifest

    text = appendix_markdown(default_config)
    sources = load_manifest(ROOT / "data" / "raw" / "manifest.yaml")["sources"]
    assert text.count("\n| ") - text.count("\n|---") >= len(sources)
    assert "95% confidence" in text
    level90 = default_config.model_copy(
        update={
            "thresholds": default_config.thresholds.model_copy(update={"confidence_level": 0.9})
        }
    )
    text90 = appendix_markdown(level90)
    assert "90% confidence" in text90 and "95%" not in text90


def test_values_from_files_are_escaped(default_config):
    results = {"trends": {"sources": ["<img src=x onerror=alert(1)>", "[x](javascript:1)"]}}
    html = markdown_to_html(appendix_markdown(default_config, results))
    assert "<img" not in html and "href" not in html and "&lt;img" in html


def test_config_block_cannot_end_early(tmp_path):
    settings = DEFAULT_CONFIG.read_text().replace(
        "title: Serious violence strategic needs assessment", "title: '```\n<b>x</b>'"
    )
    path = tmp_path / "evil.yaml"
    path.write_text(settings)
    text = appendix_markdown(load_config(path))
    block = text.split("```yaml", 1)[1]
    assert block.count("```") == 1  # only the block's own closing fence


def test_published_paths_are_relative(default_config, tmp_path):
    manifest = run_manifest(default_config, DEFAULT_CONFIG, {"total": 1.0}, {})
    assert manifest["config_file"] == "config/cambridgeshire-2021.yaml"
    assert relative_to_root(tmp_path / "x.yaml") == "x.yaml"


def test_methods_wording(snapshot):
    words = Wording(0.95)
    snapshot(
        "appendix_methods", words.markdown("appendix/methods", suppress_up_to=5, min_events=10)
    )
