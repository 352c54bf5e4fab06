"""What a chapter notebook publishes: prose, figures, tables and key results.

A notebook makes one :class:`Chapter` after its parameters cell and sends everything it
shows through it, so that every figure has alt text, every table a caption and a CSV in
``tables/``, and every number the prose quotes is also in ``results.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from .config import AssessmentConfig, load_config
from .disclosure import assert_no_identifiers
from .figures import apply_house_style, figure_html
from .paths import REPORTS_DIR, from_root


@dataclass
class Chapter:
    """Output channel for one chapter; writes into ``output_dir`` (tables/, results/)."""

    key: str
    config: AssessmentConfig
    output_dir: Path
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
        return cls(key=key, config=config, output_dir=folder)

    def say(self, text: str) -> None:
        """Show prose (Markdown). Numbers in it must come from computed values."""
        display(Markdown(text))

    def figure(self, fig, *, alt: str, caption: str) -> None:
        """Show a figure with alt text and a numbered caption."""
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
