"""House style for figures, and figures rendered as accessible HTML (image + alt text).

nbconvert ignores ``alt`` on PNG outputs, so every figure is emitted as an HTML
``<figure>`` holding a base64 PNG with its alt text and a caption: self-contained, and
readable by screen readers.
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


def apply_house_style() -> None:
    """Seaborn's white grid, a colour-blind-safe palette, legible sizes."""
    sns.set_theme(style="whitegrid", palette=PALETTE, context="notebook")
    plt.rcParams.update(
        {
            "figure.figsize": (8, 4.5),
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
    """Render ``fig`` as a self-contained HTML figure with alt text and a caption."""
    if not alt.strip():
        raise ValueError("every figure needs alt text that states its message")
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    label = f"Figure {number}. " if number is not None else ""
    return (
        '<figure class="sna-figure">'
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'
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
