"""House style for figures, and figures rendered as accessible HTML (image + alt text).

nbconvert ignores ``alt`` on PNG outputs, so every figure is emitted as an HTML
``<figure>`` holding a base64 PNG with its alt text and a caption: self-contained, and
readable by screen readers.

House sizes: a figure is drawn at one of :data:`SIZES` and shown at
:data:`PX_PER_INCH` CSS pixels per inch, so a "wide" figure fills the page's text column
at 1280 px (920 px) and one point of figure text is ``PX_PER_INCH / 72`` = 1.6 px on screen.
Text of :data:`MIN_TEXT_PT` points is then 10 px; a figure drawn wider than the column is
shrunk to fit, and its text with it (:func:`text_px`).
"""

from __future__ import annotations

import base64
import html
import io

import matplotlib.pyplot as plt
import seaborn as sns
from PIL import Image

#: Okabe-Ito palette: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
FORCE_COLOUR = PALETTE[0]
BENCHMARK_COLOUR = "#595959"
DPI = 144
#: The text column at a 1280 px window: ``main`` is 60rem (960 px) less 2 x 1.25rem padding.
COLUMN_PX = 920
#: Sizes in inches (width, height): "wide" fills the column, "half" is a small single chart,
#: "map" a square map or a small-multiple panel.
SIZES = {"wide": (8.0, 4.5), "half": (5.0, 3.4), "map": (6.4, 6.4)}
#: CSS pixels per figure inch: a "wide" figure is shown exactly as wide as the column.
PX_PER_INCH = COLUMN_PX / SIZES["wide"][0]
#: The smallest figure text, in points, that is still 10 px at 1280 px (unshrunk figure).
MIN_TEXT_PT = 10 * 72 / PX_PER_INCH


def size(name: str, *, height: float | None = None) -> tuple[float, float]:
    """A house figure size in inches, ``figsize=size("wide")``; ``height`` overrides its height
    (small multiples), the width never changes."""
    if name not in SIZES:
        raise ValueError(f"unknown figure size {name!r}: use one of {', '.join(SIZES)}")
    width, default = SIZES[name]
    return (width, default if height is None else height)


def size_name(fig: plt.Figure) -> str:
    """The house size the figure was drawn at, or ``WxH`` in inches when it is none of them."""
    width, height = (round(float(v), 2) for v in fig.get_size_inches())
    for name, (w, _) in SIZES.items():
        if abs(width - w) < 0.01:
            return name
    return f"{width:g}x{height:g}"


def shown_width_px(png_width: int) -> int:
    """The width, in CSS pixels, a PNG of ``png_width`` pixels is given on the page."""
    return round(png_width / DPI * PX_PER_INCH)


def text_px(points: float, png_width: int, column_px: float = COLUMN_PX) -> float:
    """Rendered height of ``points`` text from a PNG ``png_width`` wide (saved at :data:`DPI`)
    in a column ``column_px`` wide: shown at :func:`shown_width_px`, shrunk to the column."""
    shown = min(shown_width_px(png_width), column_px)
    return points * DPI / 72 * shown / png_width


def smallest_text_pt(fig: plt.Figure) -> float:
    """The size in points of the smallest visible text in a drawn figure."""
    from matplotlib.text import Text

    sizes = [
        t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
    ]
    if not sizes:
        raise ValueError("a figure needs some text: a title, axis labels or direct labels")
    return min(sizes)


def apply_house_style() -> None:
    """Seaborn's white grid, a colour-blind-safe palette, legible sizes."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")
    plt.rcParams.update(
        {
            "figure.figsize": SIZES["wide"],
            "figure.dpi": 100,
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.family": "DejaVu Sans",
        }
    )


def png_bytes(fig: plt.Figure) -> bytes:
    """The figure as a PNG with a 256-colour palette: about a third of the size of full
    colour, which keeps the self-contained page small enough to email."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    image = Image.open(buffer).convert("RGB")
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def figure_html(fig: plt.Figure, alt: str, caption: str, *, number: int | None = None) -> str:
    """Render ``fig`` as a self-contained HTML figure with alt text and a caption.

    The image is given its house width and height (:func:`shown_width_px`) and the figure a
    class naming its house size (``sna-half``: print sets it beside the prose); its smallest
    text (points), the DPI and the house size are kept as ``data-`` attributes, so a browser
    test can compute the text's rendered size.
    """
    if not alt.strip():
        raise ValueError("every figure needs alt text that states its message")
    name = size_name(fig)
    png = png_bytes(fig)
    points = smallest_text_pt(fig)
    width, height = Image.open(io.BytesIO(png)).size
    data = base64.b64encode(png).decode("ascii")
    label = f"Figure {number}. " if number is not None else ""
    kind = f" sna-{name}" if name in SIZES else ""
    return (
        f'<figure class="sna-figure{kind}">'
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}"'
        f' width="{shown_width_px(width)}" height="{shown_width_px(height)}"'
        f' data-text-pt="{points:g}" data-dpi="{DPI}" data-size="{html.escape(name)}">'
        f"<figcaption>{html.escape(label + caption)}</figcaption>"
        "</figure>"
    )


def financial_year_axis(ax, years, fontsize: float | None = None) -> None:
    """Label every other financial year ('2017/18') on an axis of start years."""
    from needs_assessment.config import financial_year_label

    years = sorted({int(y) for y in years})
    ax.set_xticks(
        years[::2],
        [financial_year_label(y) for y in years[::2]],
        rotation=45,
        ha="right",
        fontsize=fontsize,
    )


def label_line_ends(ax, ends: list[tuple[float, float, str, str]], fontsize: float = 9) -> None:
    """Label each line at its last point, ``(x, y, text, colour)``, in place of a legend;
    labels closer than a line of text are nudged apart, and the x axis leaves them room."""
    low, high = ax.get_ylim()
    gap = (high - low) * 0.07
    placed: list[float] = []
    for x, y, text, colour in sorted(ends, key=lambda end: end[1]):
        y = max(y, placed[-1] + gap) if placed else y
        placed.append(y)
        ax.annotate(
            text,
            (x, y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            color=colour,
            fontsize=fontsize,
            annotation_clip=False,
        )
    left, right = ax.get_xlim()
    ax.set_xlim(left, right + (right - left) * 0.35)
