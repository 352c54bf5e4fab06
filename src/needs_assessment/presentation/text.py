"""Every sentence the page prints: Jinja2 templates an analyst can edit, and number filters.

Each chapter keeps its wording in ``chapters/<name>/text/*.md.j2``; the appendix keeps its
own in ``report/text/``. A template is named ``<chapter>/<file stem>``, e.g.
``trends/coverage``. An assessment overrides any template by putting a file of the same
name under the folder its config names (``report.wording``), e.g.
``wording/trends/coverage.md.j2``: that folder is searched first, the package second.

Values are interpolated as data, never as markup: every ``{{ value }}`` is escaped for
Markdown (so a ``*``, ``[link](...)`` or ``<tag>`` from a config or a data file shows as
text), and the Markdown is rendered to HTML with raw HTML disabled.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup

from needs_assessment.periods import financial_year_label

PACKAGE = Path(__file__).parents[1]
TEMPLATE_SUFFIX = ".md.j2"
#: Characters with a meaning in Markdown or HTML, escaped in every interpolated value.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~&])")
LIST_START = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)")


# -- numbers in words ---------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def rate(value: float | None) -> str:
    """A rate: two decimals, or three significant figures when below 0.1."""
    if _missing(value):
        return "–"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3g}"


def signed_pct(value: float) -> str:
    """+4.2% / −3.1% (with a true minus sign)."""
    return f"{value:+.1f}%".replace("-", "−")


def join(items: Iterable[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(item) for item in items]
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def thousands(value: float | None, digits: int = 0) -> str:
    """12,345 (or 12,345.6 with ``digits=1``)."""
    if _missing(value):
        return "–"
    return f"{value:,.{digits}f}"


def percent(value: float | None, digits: int = 1, *, share: bool = False) -> str:
    """``percent(12.34)`` -> '12.3%'; ``percent(0.1234, share=True)`` -> '12.3%'."""
    if _missing(value):
        return "–"
    return f"{value * 100 if share else value:.{digits}f}%"


def number(value: float | None, digits: int = 2) -> str:
    """A number with a fixed count of decimals, true minus sign."""
    if _missing(value):
        return "–"
    return f"{value:.{digits}f}".replace("-", "−")


def signed(value: float | None, digits: int = 0) -> str:
    """+5 / −3 (a sign always, a true minus sign)."""
    if _missing(value):
        return "–"
    return f"{value:+.{digits}f}".replace("-", "−")


def interval(low: float | None, high: float | None, digits: int | None = None) -> str:
    """'4.38–5.36' (rates to two decimals or three significant figures by default)."""
    if digits is None:
        return f"{rate(low)}–{rate(high)}"
    return f"{number(low, digits)}–{number(high, digits)}"


def per(unit: int) -> str:
    """1000 -> 'per 1,000'; 100000 -> 'per 100,000'; 1000000 -> 'per million'."""
    return "per million" if unit == 1_000_000 else f"per {unit:,}"


def plural(count: float, singular: str, many: str | None = None) -> str:
    """'1 neighbourhood', '2 neighbourhoods' (the count and the right noun)."""
    noun = singular if count == 1 else (many or singular + "s")
    return f"{thousands(count)} {noun}"


def level_label(level: float) -> str:
    """0.95 -> '95%', 0.9 -> '90%', 0.995 -> '99.5%'."""
    return f"{level * 100:g}%"


FILTERS = {
    "rate": rate,
    "signed_pct": signed_pct,
    "join": join,
    "thousands": thousands,
    "percent": percent,
    "number": number,
    "interval": interval,
    "signed": signed,
    "fy": financial_year_label,
    "per": per,
    "plural": plural,
}


# -- escaping and rendering ----------------------------------------------------------------


def escape_markdown(value: Any) -> str:
    """``value`` as literal text in Markdown: no emphasis, link, list, HTML or code."""
    if isinstance(value, Markup):  # already rendered by a template (trusted wording)
        return str(value)
    text = MARKDOWN_SPECIAL.sub(r"\\\1", "" if value is None else str(value))
    return LIST_START.sub(lambda m: f"{m.group(1)}{_escape_marker(m.group(2))}{m.group(3)}", text)


def _escape_marker(marker: str) -> str:
    return "\\" + marker if marker in "-+" else marker[:-1] + "\\" + marker[-1]


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_MARKDOWN.enable("table")


def markdown_to_html(text: str) -> str:
    """CommonMark with tables, raw HTML shown as text, unsafe link schemes refused."""
    return _MARKDOWN.render(text)


def plain(text: str) -> str:
    """Markdown as plain text for alt text and captions: rendered, tags dropped, one line."""
    rendered = re.sub(r"<[^>]+>", " ", markdown_to_html(text))
    return re.sub(r"\s+", " ", html.unescape(rendered)).strip()


def chapter_folders() -> dict[str, Path]:
    """Template prefix -> folder of the package's default wording."""
    folders = {folder.parent.name: folder for folder in sorted(PACKAGE.glob("chapters/*/text"))}
    folders["appendix"] = PACKAGE / "report" / "text"
    return folders


class Wording:
    """Renders named templates with the configured confidence level and override folder."""

    def __init__(self, level: float = 0.95, override: Path | None = None):
        self.level = level
        self.override = override
        self.env = _environment(str(override) if override else "", level)

    def template(self, name: str) -> jinja2.Template:
        return self.env.get_template(name + TEMPLATE_SUFFIX)

    def markdown(self, name: str, **context: Any) -> str:
        """The template rendered as Markdown (values escaped)."""
        return self.template(name).render(**context).strip()

    def html(self, name: str, **context: Any) -> str:
        """The template rendered to HTML."""
        return markdown_to_html(self.markdown(name, **context))

    def block(self, name: str, block: str, **context: Any) -> str:
        """One ``{% block %}`` of a template, as Markdown (e.g. a figure's alt and caption)."""
        template = self.template(name)
        if block not in template.blocks:
            raise KeyError(f"template {name}{TEMPLATE_SUFFIX} has no block '{block}'")
        rendered = "".join(template.blocks[block](template.new_context(context)))
        return rendered.strip()

    def has_block(self, name: str, block: str) -> bool:
        return block in self.template(name).blocks


@lru_cache(maxsize=8)
def _environment(override: str, level: float) -> SandboxedEnvironment:
    package = jinja2.PrefixLoader(
        {
            prefix: jinja2.FileSystemLoader(str(folder))
            for prefix, folder in chapter_folders().items()
        }
    )
    loaders: list[jinja2.BaseLoader] = [package]
    if override:
        loaders.insert(0, jinja2.FileSystemLoader(override))
    # Sandboxed: a template from an assessment's override folder cannot reach Python internals.
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        finalize=escape_markdown,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(FILTERS)
    env.globals["level"] = level_label(level)
    return env
