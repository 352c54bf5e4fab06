"""Merge executed chapter notebooks into one page and render it as self-contained HTML.

nbconvert has no merge, so chapters are joined with nbformat. The page is rendered with a
small custom template (``templates/sna``, extending lab) that hides all code, loads
nothing from the network and adds a print stylesheet. The injected-parameters cell is
removed by a ``TagRemovePreprocessor`` registered on the exporter object (naming it in
config fails silently), and stream outputs (warnings, stray prints) are dropped.

No text is ever live HTML: every Markdown cell and Markdown output is rendered by
:func:`markdown_to_html` (raw HTML shown as text, unsafe link schemes refused); the only
HTML the merge adds itself (the contents list, chapter headings) is built here with every
value escaped, and the page carries a Content-Security-Policy that allows no script, no
remote image, frame, font or connection.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from needs_assessment.presentation.text import markdown_to_html

TEMPLATES = Path(__file__).parent / "templates"
REMOVED_TAGS = {"injected-parameters", "parameters", "remove-cell"}
HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*$", re.MULTILINE)
#: The page's policy: inline styles and ``data:`` images only; no script, frame, font,
#: connection, form target or base URL.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)
#: A table Markdown made (no attributes, so never one of ``chapter.table_html``'s).
MARKDOWN_TABLE = re.compile(r"<table>(.*?)</table>", re.DOTALL)
#: Text between two tags, and in it a word a browser may break after a hyphen or slash.
TAG_TEXT = re.compile(r">([^<]+)<")
BREAKABLE_WORD = re.compile(r"[^\s<>]*\S[-‐–—/]\S[^\s<>]*")
HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.DOTALL)
#: A cell of the page, a ``<div>`` tag, and a Markdown cell whose last element is a heading.
CELL = re.compile(r'<div class="jp-Cell (?P<kind>[^"]*)"')
DIV_TAG = re.compile(r"<div\b|</div>")
ENDS_WITH_HEADING = re.compile(r"</h[2-6]>\s*</div>\s*</div>$")
#: A chapter heading the merge built (:func:`_h2`).
CHAPTER_H2 = re.compile(r'<h2 id="chapter-[^"]*">.*?</h2>\s*', re.DOTALL)
#: Output types that would run code in the reader's browser: never published.
ACTIVE_MIMETYPES = {
    "application/javascript",
    "text/javascript",
    "application/vnd.jupyter.widget-view+json",
}


@dataclass(frozen=True)
class Page:
    """What frames the chapters: title block, kicker line and footer."""

    title: str
    kicker: str
    footer: str
    description: str


class DropStreams(Preprocessor):
    """Remove stream outputs from every cell: warnings and progress bars on stderr, and a
    stray ``print()`` on stdout (what the page shows goes through ``chapter``); and every
    output that would run script (JavaScript, widget views)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if out.output_type != "stream"]
            for output in cell.outputs:
                for mimetype in ACTIVE_MIMETYPES & set(output.get("data", {})):
                    del output["data"][mimetype]
            cell.outputs = [out for out in cell.outputs if out.get("data", True)]
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
    before, _, after = front.partition("{contents}")
    merged.cells.extend(
        [nbformat.v4.new_markdown_cell(before), page_html(_contents(entries))]
        + ([nbformat.v4.new_markdown_cell(after)] if after.strip() else [])
    )
    for _, notebook in titles:
        cells = list(notebook.cells)
        first = next(i for i, c in enumerate(cells) if c.cell_type == "markdown")
        cells[first : first + 1] = _titled(cells[first].source)
        merged.cells.extend(cells)
    merged.cells.extend(_titled(back) if back_title else [nbformat.v4.new_markdown_cell(back)])
    merged.metadata = chapters[0][1].metadata if chapters else {}
    return merged


def page_html(html_text: str) -> nbformat.NotebookNode:
    """A raw cell of HTML built by this module (escaped values only), shown as it is."""
    return nbformat.v4.new_raw_cell(html_text, metadata={"sna_html": True})


def _contents(entries: list[str]) -> str:
    items = "\n".join(
        f'<li><a href="#{slug(title)}">{html.escape(title)}</a></li>' for title in entries
    )
    return (
        '<nav class="sna-contents" aria-label="Contents">'
        f'<h2 class="sna-first">Contents</h2><ol>{items}</ol></nav>'
    )


def _titled(source: str) -> list[nbformat.NotebookNode]:
    """A chapter's first Markdown cell as its ``<h2>`` heading, then the rest as Markdown."""
    match = HEADING.search(source)
    rest = source[: match.start()] + source[match.end() :]
    return [page_html(_h2(match.group("title"))), nbformat.v4.new_markdown_cell(rest)]


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
    exporter.register_filter("sna_markdown", markdown_to_html)
    notebook.metadata["title"] = page.title
    resources = {"sna": {**page.__dict__, "csp": CONTENT_SECURITY_POLICY}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return headings_kept_with_next(boxed_tables(body))


def boxed_tables(page: str) -> str:
    """Each Markdown table in a box that scrolls sideways (named after its headers), so a
    wide one never widens the page, and its hyphenated words kept whole. Adds fixed
    markup only, around text that is already escaped."""
    names: set[str] = set()

    def box(match: re.Match) -> str:
        name = _box_name(match.group(1), names)
        inner = TAG_TEXT.sub(_unbroken, match.group(1))
        return (
            f'<div class="sna-table-wrap" role="region" aria-label="{name}" tabindex="0">'
            f"<table>{inner}</table></div>"
        )

    return MARKDOWN_TABLE.sub(box, page)


def _box_name(table: str, taken: set[str]) -> str:
    """'Table: Source, Publisher' (escaped), numbered when an earlier table took the name."""
    headers = [re.sub(r"<[^>]+>", "", cell).strip() for cell in HEADER_CELL.findall(table)]
    name = "Table: " + ", ".join(html.unescape(h) for h in headers if h) if headers else "Table"
    unique, number = name, 2
    while unique in taken:
        unique, number = f"{name} ({number})", number + 1
    taken.add(unique)
    return html.escape(unique, quote=True)


def _unbroken(match: re.Match) -> str:
    words = BREAKABLE_WORD.sub(lambda w: f'<span class="sna-word">{w.group(0)}</span>', match[1])
    return f">{words}<"


def headings_kept_with_next(page: str) -> str:
    """A Markdown cell that ends with a heading, and the next cell with output, in one
    ``<div class="sna-keep">`` that print keeps on one page: no heading alone at a page
    foot. A chapter's ``<h2>`` is kept the same way with its opening Markdown cell and the
    next cell with output. (Chromium ignores ``break-after: avoid`` across the cells'
    nested boxes.)"""
    cells = [(m.start(), _div_end(page, m.start()), m["kind"]) for m in CELL.finditer(page)]
    top = [c for c in cells if not any(o[0] < c[0] < o[1] for o in cells)]
    pairs = _chapter_openings(page, top)
    for (start, end, kind), following in zip(top, top[1:], strict=False):
        inside = any(a < start < b for a, b in pairs)
        if not inside and "jp-MarkdownCell" in kind and ENDS_WITH_HEADING.search(page[start:end]):
            end_of_next = _next_with_output(top, following)
            if end_of_next is not None:
                pairs.append((start, end_of_next))
    for start, end in sorted(pairs, reverse=True):
        page = f'{page[:start]}<div class="sna-keep">{page[start:end]}</div>{page[end:]}'
    return page


def _chapter_openings(page: str, top: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """(start, end) of each chapter ``<h2>`` that a Markdown cell follows, through the
    first cell with output after that Markdown cell."""
    openings = []
    for match in CHAPTER_H2.finditer(page):
        after = [c for c in top if c[0] >= match.end()]
        if len(after) > 1 and "jp-MarkdownCell" in after[0][2]:
            end = _next_with_output(top, after[1])
            if end is not None and not page[match.end() : after[0][0]].strip():
                openings.append((match.start(), end))
    return openings


def _next_with_output(cells: list[tuple[int, int, str]], first: tuple) -> int | None:
    """The end of the first code cell with output from ``first`` on (None: a Markdown cell)."""
    for _start, end, kind in cells[cells.index(first) :]:
        if "jp-MarkdownCell" in kind:
            return None
        if "jp-mod-noOutputs" not in kind:
            return end
    return None


def _div_end(page: str, start: int) -> int:
    """Where the ``<div>`` opening at ``start`` closes (every value in the page is escaped,
    so each ``<div`` and ``</div>`` in it is a tag)."""
    depth = 0
    for tag in DIV_TAG.finditer(page, start):
        depth += 1 if tag.group(0) == "<div" else -1
        if depth == 0:
            return tag.end()
    raise ValueError(f"unclosed <div> at character {start} of the page")
