"""Merge executed chapter notebooks into one page and render it as self-contained HTML.

nbconvert has no merge, so chapters are joined with nbformat. The page is rendered with a
small custom template (``templates/sna``, extending lab) that hides all code, loads
nothing from the network and adds a print stylesheet. The injected-parameters cell is
removed by a ``TagRemovePreprocessor`` registered on the exporter object (naming it in
config fails silently), and stream outputs (warnings, stray prints) are dropped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

TEMPLATES = Path(__file__).parent / "templates"
REMOVED_TAGS = {"injected-parameters", "parameters", "remove-cell"}
HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Page:
    """What frames the chapters: title block, kicker line and footer."""

    title: str
    kicker: str
    footer: str
    description: str


class DropStreams(Preprocessor):
    """Remove stream outputs from every cell: warnings and progress bars on stderr, and a
    stray ``print()`` on stdout (what the page shows goes through ``chapter``)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if out.output_type != "stream"]
        return cell, resources


def chapter_title(notebook: nbformat.NotebookNode, path: Path) -> str:
    """The chapter's title: the first ``## `` heading of its first markdown cell."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = HEADING.search(cell.source)
            if match:
                return match.group("title")
            break
    raise ValueError(f"{path}: the first markdown cell must start with a '## ' chapter title")


def slug(text: str) -> str:
    return "chapter-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def merge(
    chapters: list[tuple[Path, nbformat.NotebookNode]], front: str, back: str
) -> nbformat.NotebookNode:
    """One notebook: front matter (with a contents list), each chapter, then the appendix.

    ``front`` and ``back`` are Markdown; ``{contents}`` in ``front`` is replaced by the list
    of chapter links. Each chapter's ``## `` title becomes an ``<h2>`` with a stable id.
    """
    merged = nbformat.v4.new_notebook()
    titles = [(chapter_title(nb, path), nb) for path, nb in chapters]
    back_title = HEADING.search(back).group("title") if HEADING.search(back) else None
    entries = [t for t, _ in titles] + ([back_title] if back_title else [])
    contents = "\n".join(
        f'<li><a href="#{slug(title)}">{html.escape(title)}</a></li>' for title in entries
    )
    nav = (
        '<nav class="sna-contents" aria-label="Contents">'
        f'<h2 class="sna-first">Contents</h2><ol>{contents}</ol></nav>'
    )
    merged.cells.append(nbformat.v4.new_markdown_cell(front.replace("{contents}", nav)))
    for _, notebook in titles:
        cells = list(notebook.cells)
        first = next(i for i, c in enumerate(cells) if c.cell_type == "markdown")
        cells[first] = nbformat.v4.new_markdown_cell(
            HEADING.sub(lambda m: _h2(m.group("title")), cells[first].source, count=1)
        )
        merged.cells.extend(cells)
    if back_title:
        back = HEADING.sub(lambda m: _h2(m.group("title")), back, count=1)
    merged.cells.append(nbformat.v4.new_markdown_cell(back))
    merged.metadata = chapters[0][1].metadata if chapters else {}
    return merged


def _h2(title: str) -> str:
    return f'<h2 id="{slug(title)}">{html.escape(title)}</h2>\n'


def to_html(notebook: nbformat.NotebookNode, page: Page) -> str:
    """Render the merged notebook with the house template; no code, no prompts."""
    exporter = HTMLExporter(
        template_name="sna",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        language_code="en",
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=REMOVED_TAGS, enabled=True), enabled=True
    )
    exporter.register_preprocessor(DropStreams(enabled=True), enabled=True)
    notebook.metadata["title"] = page.title
    resources = {"sna": page.__dict__}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return body
