"""What a chapter notebook publishes: prose, figures, tables and key results.

A notebook makes one :class:`Chapter` after its parameters cell and sends everything it
shows through it, so that every figure has alt text, every table a caption and a CSV in
``tables/``, and every number the prose quotes is also in ``results.json``.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from needs_assessment.config import AssessmentConfig, load_config
from needs_assessment.methods.disclosure import assert_no_identifiers
from needs_assessment.paths import REPORTS_DIR, from_root
from needs_assessment.presentation.figures import apply_house_style, figure_html
from needs_assessment.presentation.text import Wording, plain

TEMPLATE_NAME = re.compile(r"[a-z_]+/[a-z0-9_]+(:[a-z_]+)?")


@dataclass
class Chapter:
    """Output channel for one chapter; writes into ``output_dir`` (tables/, results/)."""

    key: str
    config: AssessmentConfig
    output_dir: Path
    words: Wording = field(default_factory=Wording)
    figures: int = 0
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
        return cls(key=key, config=config, output_dir=folder, words=words)

    def say(self, template: str, **context: Any) -> None:
        """Show the wording template ``<chapter>/<name>`` rendered with ``context``.

        (A string that is not a template name is shown as Markdown: the older way, kept
        while chapters move their wording into templates.)
        """
        if not is_template_name(template):
            display(Markdown(template))
            return
        display(HTML(self.words.html(template, **context)))

    def text(self, template: str, **context: Any) -> str:
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
    ) -> None:
        """Write ``frame`` to ``tables/<name>.csv`` and show it (or ``show``) with a caption.

        Every published table is checked for record-level identifiers first; small-area
        tables must already have passed :func:`disclosure.suppress_small_counts`.
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
        display(HTML(table_html(show if show is not None else frame, caption, formats)))

    def record(self, **values: Any) -> None:
        """Add key results to ``results/<chapter>.json`` (merged into ``results.json``)."""
        self.results.update(values)
        path = self.output_dir / "results" / f"{self.key}.json"
        path.write_text(json.dumps(self.results, indent=2, default=_jsonable), encoding="utf-8")

    def _write_table_index(self) -> None:
        path = self.output_dir / "results" / "tables" / f"{self.key}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(self.tables, indent=2), encoding="utf-8")


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


def table_html(frame: pd.DataFrame, caption: str, formats: dict[str, str] | None = None) -> str:
    """An HTML table with a caption and header cells, no index, numbers formatted."""
    styler = frame.style.hide(axis="index").set_caption(caption)
    numeric = frame.select_dtypes("number").columns
    default = {
        column: "{:,.0f}" for column in numeric if pd.api.types.is_integer_dtype(frame[column])
    }
    default.update({c: "{:,.2f}" for c in numeric if pd.api.types.is_float_dtype(frame[c])})
    default.update(formats or {})
    styler = styler.format(default, na_rep="–").set_table_attributes('class="sna-table"')
    return f'<div class="sna-table-wrap">{styler.to_html()}</div>'


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (pd.Timestamp,)):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to results.json")
