"""What a chapter notebook publishes: prose, figures, tables and key results.

A notebook makes one :class:`Chapter` after its parameters cell and sends everything it
shows through it, so that every figure has alt text, every table a caption and a CSV in
``tables/``, and every number the prose quotes is also in ``results.json``.
"""

from __future__ import annotations

import ast
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, display

from needs_assessment.config import AssessmentConfig, load_config
from needs_assessment.coverage import THIN_SHARE, ThinCategory, thin_by_category
from needs_assessment.methods.disclosure import assert_no_identifiers
from needs_assessment.paths import REPORTS_DIR, from_root
from needs_assessment.presentation.figures import apply_house_style, figure_html
from needs_assessment.presentation.text import Wording, markdown_to_html, plain

TEMPLATE_NAME = re.compile(r"[a-z_]+/[a-z0-9_]+(:[a-z_]+)?")
#: A body table shows at most this many rows; the rest sit in a collapsed block.
BODY_ROWS = 12
#: A word a browser may break inside (after a hyphen, a dash or a slash).
BREAKABLE_WORD = re.compile(r"\S[-‐–—/]|[-‐–—/]\S")
#: Excel's limit on a sheet name (the workbook names each sheet after its table).
SHEET_NAME_LENGTH = 31
#: A formatted cell that reads as a number (right-aligned, never wrapped): 1,234 / −3.5% /
#: £12.30 / 2.1–4.7 / 12.3 (10.1–14.5) / +4 / a suppression marker or a dash.
NUMERIC_CELL = re.compile(
    r"[<>≤≥]?[−+-]?£?\d[\d,]*(\.\d+)?%?"
    r"(\s?[–-]\s?[−+-]?£?\d[\d,]*(\.\d+)?%?)?(\s\([^()]*\))?"
    r"|[–—-]|\[c\]|\[low\]|\[x\]"
)


@dataclass
class Chapter:
    """Output channel for one chapter; writes into ``output_dir`` (tables/, results/)."""

    key: str
    config: AssessmentConfig
    output_dir: Path
    words: Wording = field(default_factory=Wording)
    figures: int = 0
    gaps: list[dict[str, str]] = field(default_factory=list)
    tables: list[dict[str, str]] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, key: str, config_path: str, output_dir: str = "") -> Chapter:
        """Load the config, set the house style, and pick the output folder.

        Run from JupyterLab (``output_dir`` empty), outputs go to ``reports/lab/<config>/``
        so an analyst's exploration never overwrites a published report.
        """
        config = load_config(config_path)
        apply_house_style()
        folder = from_root(output_dir) if output_dir else REPORTS_DIR / "lab" / config.name
        (folder / "tables").mkdir(parents=True, exist_ok=True)
        (folder / "results").mkdir(parents=True, exist_ok=True)
        words = Wording(config.thresholds.confidence_level, wording_folder(config))
        if output_dir:
            guard_figures()
        chapter = cls(key=key, config=config, output_dir=folder, words=words)
        chapter.note_thin_extract()
        return chapter

    def note_thin_extract(self) -> None:
        """At the top of a chapter built on the force extract: "read with care", naming the
        categories and years where the extract holds under 80% of the published force count
        (:func:`thin_extract_years`)."""
        from needs_assessment.chapters.registry import inputs

        if "force_extract" not in inputs(self.key):
            return
        thin = thin_extract_years(self.config)
        if not thin:
            return
        context = {
            "share": THIN_SHARE,
            "categories": [
                {
                    "label": self._category_label(item.category),
                    "runs": [{"first": a, "last": b} for a, b in item.runs],
                    "lowest": item.lowest_share,
                }
                for item in thin
            ],
        }
        self.read_with_care(
            *(self.text(f"common/thin_extract:{part}", **context) for part in THIN_PARTS)
        )

    def _category_label(self, key: str) -> str:
        from needs_assessment.definitions import load_definitions

        return load_definitions(self.config.definitions).categories[key].label

    def say(self, template: str, /, **context: Any) -> None:
        """Show the wording template ``<chapter>/<name>`` (or one of its blocks,
        ``<chapter>/<name>:<block>``) rendered with ``context``."""
        if not is_template_name(template):
            raise ValueError(
                f"chapter.say takes a wording template name such as 'trends/coverage', not "
                f"text: put the sentence in a template ({template[:40]!r})"
            )
        name, _, block = template.partition(":")
        markdown = (
            self.words.block(name, block, **context)
            if block
            else self.words.markdown(name, **context)
        )
        display(HTML(markdown_to_html(markdown)))

    def not_available(self, section: str, reason: str, remedy: str = "") -> None:
        """Say that a section cannot be shown, why, and what data would fill it.

        The gap is recorded in the chapter's results (``gaps``), so the summary lists it.
        """
        self._gap("not available", section, reason, remedy)

    def read_with_care(self, section: str, reason: str, remedy: str = "") -> None:
        """Say that a section rests on thin or partial data (recorded like a gap)."""
        self._gap("read with care", section, reason, remedy)

    def _gap(self, status: str, section: str, reason: str, remedy: str) -> None:
        self.gaps.append({"section": section, "status": status, "reason": reason, "remedy": remedy})
        self.record(gaps=self.gaps)
        template = "common/not_available" if status == "not available" else "common/read_with_care"
        self.say(template, section=section, reason=reason, remedy=remedy)

    def detail(self, label: str, template: str, /, **context: Any) -> None:
        """Show a template inside a collapsed block headed ``label``: method and detail one
        click away, outside the body the Board reads (and left out of the print)."""
        name, _, block = template.partition(":")
        markdown = (
            self.words.block(name, block, **context)
            if block
            else self.words.markdown(name, **context)
        )
        display(
            HTML(
                '<details class="sna-more sna-detail">'
                f"<summary>{html.escape(label)}</summary>{markdown_to_html(markdown)}</details>"
            )
        )

    def notes(self, path: str | Path) -> None:
        """Show the analyst's own Markdown file, with any raw HTML in it shown as text."""
        text = from_root(path).read_text(encoding="utf-8")
        display(HTML(markdown_to_html(text)))

    def text(self, template: str, /, **context: Any) -> str:
        """A template (or one of its blocks, ``name:block``) as one line of plain text."""
        name, _, block = template.partition(":")
        if block:
            return plain(self.words.block(name, block, **context))
        return plain(self.words.markdown(name, **context))

    def figure(
        self,
        fig,
        template: str | None = None,
        *,
        alt: str | None = None,
        caption: str | None = None,
        **context: Any,
    ) -> None:
        """Show a figure with alt text and a numbered caption.

        ``template`` names a wording template with an ``alt`` and a ``caption`` block.
        """
        if template is not None:
            alt = self.text(f"{template}:alt", **context)
            caption = self.text(f"{template}:caption", **context)
        if alt is None or caption is None:
            raise ValueError("a figure needs a wording template, or alt text and a caption")
        self.figures += 1
        display(HTML(figure_html(fig, alt, caption, number=self.figures)))

    def table(
        self,
        frame: pd.DataFrame,
        name: str,
        *,
        caption: str,
        show: pd.DataFrame | None = None,
        formats: dict[str, str] | None = None,
        source: str = "",
        coverage: str = "",
        body_rows: int = BODY_ROWS,
        key: bool = False,
    ) -> None:
        """Write ``frame`` to ``tables/<name>.csv`` and show it (or ``show``) with a caption.

        Only a ``key`` table is in the body the Board reads; any other is behind a click,
        headed by its caption (in print: a pointer to its workbook sheet). A key table
        longer than ``body_rows`` shows its first ``body_rows`` rows, then the whole table
        in a collapsed block. The CSV and the workbook always hold every row. Every
        published table is checked for record-level identifiers first; small-area tables
        must already have passed :func:`disclosure.suppress_small_counts`.
        """
        assert_no_identifiers(frame)
        path = self.output_dir / "tables" / f"{name}.csv"
        frame.to_csv(path, index=False)
        self.tables = [t for t in self.tables if t["name"] != name]
        self.tables.append(
            {
                "name": name,
                "caption": caption,
                "chapter": self.key,
                "source": source,
                "coverage": coverage,
            }
        )
        self._write_table_index()
        shown = show if show is not None else frame
        if key:
            display(HTML(body_table_html(shown, caption, formats, sheet=name, body_rows=body_rows)))
        else:
            display(HTML(collapsed_table_html(shown, caption, formats, sheet=name)))

    def record(self, **values: Any) -> None:
        """Add key results to ``results/<chapter>.json`` (merged into ``results.json``)."""
        self.results.update(values)
        path = self.output_dir / "results" / f"{self.key}.json"
        path.write_text(json.dumps(self.results, indent=2, default=_jsonable), encoding="utf-8")

    def _write_table_index(self) -> None:
        path = self.output_dir / "results" / "tables" / f"{self.key}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(self.tables, indent=2), encoding="utf-8")


#: The blocks of ``common/thin_extract``: the notice's section, reason and remedy.
THIN_PARTS = ("section", "reason", "remedy")


def thin_extract_years(config: AssessmentConfig) -> list[ThinCategory]:
    """Categories and years of the period where the force's own extract holds under
    :data:`~needs_assessment.coverage.THIN_SHARE` of the Home Office's published count.

    None for a partnership (its districts hold part of the force by design), and none for a
    synthetic demonstration extract: it is a simulation, labelled as such on every figure,
    whose totals say nothing about how complete a force's export is.
    """
    from needs_assessment.refresh import thin_report

    if config.data.force_extract is None or config.data.force_extract_is_synthetic:
        return []
    period = config.period
    return thin_by_category(thin_report(config), period.first_year, period.last_year)


def is_template_name(text: str) -> bool:
    """'trends/coverage' is a template name; a sentence is not."""
    return bool(TEMPLATE_NAME.fullmatch(text))


def wording_folder(config: AssessmentConfig) -> Path | None:
    """The assessment's folder of wording overrides, if its config names one."""
    folder = config.report.wording
    return from_root(folder) if folder is not None else None


def guard_figures() -> None:
    """Under papermill, a figure not sent through ``chapter.figure`` fails its cell.

    ``plt.show()`` would publish a figure without alt text, and a figure left open would
    vanish from the page without a word; both raise in the cell that made them, so the run
    names that cell. In JupyterLab (no output folder) figures show inline as usual.
    """
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return

    def refuse_show(*args, **kwargs):
        plt.close("all")
        raise FigureError(
            "plt.show() publishes a figure without alt text: use chapter.figure(fig, ...)"
        )

    plt.show = refuse_show
    shell.user_ns["_sna_check_figures"] = _check_no_open_figures
    if not any(isinstance(t, _FigureCheck) for t in shell.ast_transformers):
        shell.ast_transformers.append(_FigureCheck())


class FigureError(RuntimeError):
    """A figure bypassed ``chapter.figure`` (so it would have no alt text)."""


def _check_no_open_figures() -> None:
    import matplotlib.pyplot as plt

    if plt.get_fignums():
        plt.close("all")
        raise FigureError(
            "this cell left a figure open: send it through chapter.figure(fig, ...) so it "
            "is published with alt text and a caption"
        )


class _FigureCheck(ast.NodeTransformer):
    """Appends ``_sna_check_figures()`` to every cell the kernel runs."""

    def visit_Module(self, node: ast.Module) -> ast.Module:
        call = ast.Expr(
            ast.Call(func=ast.Name("_sna_check_figures", ast.Load()), args=[], keywords=[])
        )
        node.body.append(call)
        return ast.fix_missing_locations(node)


def body_table_html(
    frame: pd.DataFrame,
    caption: str,
    formats: dict[str, str] | None = None,
    *,
    sheet: str,
    body_rows: int = BODY_ROWS,
) -> str:
    """A table for the page body: at most ``body_rows`` rows shown; a longer table's whole
    content in a collapsed ``<details>`` block ("Show all N rows"), which print replaces
    with a pointer to the workbook sheet ``sheet``."""
    if body_rows < 1:
        raise ValueError(f"body_rows must be at least 1, not {body_rows}")
    if len(frame) <= body_rows:
        return table_html(frame, caption, formats)
    rows = f"{len(frame):,}"
    return (
        table_html(frame.head(body_rows), caption, formats)
        + '<details class="sna-more">'
        + f"<summary>Show all {rows} rows</summary>"
        + table_html(frame, caption, formats)
        + "</details>"
        + _print_pointer(f"All {rows} rows: workbook sheet", sheet)
    )


def collapsed_table_html(
    frame: pd.DataFrame, caption: str, formats: dict[str, str] | None = None, *, sheet: str
) -> str:
    """A table behind a click, headed by its caption; print shows a pointer to its workbook
    sheet ``sheet`` instead."""
    return (
        '<details class="sna-more sna-table-detail">'
        + f"<summary>Table: {html.escape(caption)}</summary>"
        + table_html(frame, caption, formats)
        + "</details>"
        + _print_pointer(f"Table: {caption}: workbook sheet", sheet)
    )


def _print_pointer(text: str, sheet: str) -> str:
    return (
        f'<p class="sna-print-only">{html.escape(text)} '
        f"{html.escape(sheet[:SHEET_NAME_LENGTH])}</p>"
    )


def table_html(frame: pd.DataFrame, caption: str, formats: dict[str, str] | None = None) -> str:
    """An HTML table with a caption and header cells, no index, numbers formatted.

    Numbers get thousands separators and the prose's rounding (:func:`default_format`);
    a column whose every cell reads as a number is right-aligned and never wrapped. The
    table sits in a box that scrolls sideways when it is wider than the page (focusable,
    named by its caption). The caption, the column headers and every cell are escaped: a
    value from a config or a data file shows as text, never as markup.
    """
    cells = formatted(frame, formats)
    numeric = [is_numeric_column(cells[column]) for column in cells.columns]
    head = "".join(
        f'<th scope="col"{_numeric_class(n)}>{unbroken(str(c))}</th>'
        for c, n in zip(frame.columns, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{_cell_class(v, n)}>{unbroken(v)}</td>" for v, n in zip(row, numeric, strict=True)
        )
        + "</tr>"
        for row in cells.itertuples(index=False, name=None)
    )
    label = html.escape(caption, quote=True)
    return (
        f'<div class="sna-table-wrap" role="region" aria-label="{label}" tabindex="0">'
        f'<table class="sna-table"><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


#: A judgement cell that opens with one of these symbols is also coloured (the symbol and
#: its word carry the meaning without colour; for serious violence higher is worse).
JUDGEMENT_CLASSES = {"▲": "sna-worse", "▼": "sna-better", "●": "sna-same"}


def _cell_class(text: str, numeric: bool) -> str:
    judgement = JUDGEMENT_CLASSES.get(str(text)[:1])
    if judgement:
        return f' class="{judgement}"'
    return _numeric_class(numeric)


def formatted(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> pd.DataFrame:
    """Every cell as the text the page shows: ``formats`` (a format string or a function per
    column; a plain ``{:.1f}`` gains thousands separators) over :func:`default_format`."""
    formats = formats or {}
    columns = {}
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        shape = formats.get(column) or default_format(values)
        columns[position] = [_cell(value, shape) for value in values]
    out = pd.DataFrame(columns, index=range(len(frame)), dtype=object)
    out.columns = list(frame.columns)
    return out


def default_format(values: pd.Series) -> str | None:
    """Integers (and whole-number floats) as 1,234; other floats as the prose's ``rate``
    filter rounds them: two decimals, three significant figures below 0.1."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    present = values.dropna()
    if pd.api.types.is_integer_dtype(values) or (present == present.round()).all():
        return "{:,.0f}"
    return _rate


def is_numeric_column(cells: pd.Series) -> bool:
    """Whether every shown cell of a column reads as a number (and one at least is one)."""
    text = [str(cell).strip() for cell in cells if str(cell).strip()]
    return any(any(ch.isdigit() for ch in cell) for cell in text) and all(
        NUMERIC_CELL.fullmatch(cell) for cell in text
    )


def unbroken(text: str) -> str:
    """``text`` escaped, each word holding a hyphen, dash or slash ("Long-term", "2018/19",
    "(4.3–19.8)") kept on one line: a browser may otherwise break it after that mark."""
    return "".join(
        f'<span class="sna-word">{html.escape(part)}</span>'
        if BREAKABLE_WORD.search(part)
        else html.escape(part)
        for part in re.split(r"(\s+)", text)
    )


def _rate(value: float) -> str:
    return f"{value:,.2f}" if abs(value) >= 0.1 or value == 0 else f"{value:.3g}"


def _cell(value: Any, shape) -> str:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return "–"
    if shape is None:
        return str(value)
    if callable(shape):
        return str(shape(value))
    return _with_thousands(shape).format(value)


def _with_thousands(shape: str) -> str:
    """'{:.1f}' -> '{:,.1f}': a number format without a grouping option gains one."""
    return re.sub(r"\{:([+-]?)\.(\d+)([fe%])\}", r"{:\1,.\2\3}", shape)


def _numeric_class(numeric: bool) -> str:
    return ' class="sna-num"' if numeric else ""


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to results.json")
