"""The page template: no code, no network, alt text, captions, contents list."""

import re

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from needs_assessment.presentation.figures import figure_html
from needs_assessment.report.render import Page, merge, to_html

PAGE = Page(
    title="Test assessment",
    kicker="Area · 2010/11 to 2021/22",
    footer="Footer",
    description="A test",
)


def executed_chapter(title="Trends"):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    cells = [
        new_markdown_cell(f"## {title}\n\nIntro."),
        new_code_cell("config_path = 'x'", metadata={"tags": ["parameters"]}),
        new_code_cell(
            "config_path = 'SECRET_INJECTED'", metadata={"tags": ["injected-parameters"]}
        ),
        new_code_cell(
            "import secret_code_here",
            outputs=[
                new_output("stream", name="stderr", text="UserWarning: noisy\n"),
                new_output(
                    "display_data", data={"text/html": figure_html(fig, "Alt says rising", "Cap")}
                ),
            ],
        ),
    ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "needs-assessment",
        "language": "python",
        "display_name": "x",
    }
    return notebook


@pytest.fixture(scope="module")
def page_html(tmp_path_factory):
    chapters = [(tmp_path_factory.mktemp("nb") / "01_trends.ipynb", executed_chapter())]
    merged = merge(chapters, "# Title\n\n{contents}", "## Appendix: data\n\nSources.")
    return to_html(merged, PAGE)


def test_no_code_no_parameters_no_stderr(page_html):
    assert "secret_code_here" not in page_html
    assert "SECRET_INJECTED" not in page_html
    assert "UserWarning" not in page_html
    assert "jp-InputArea-editor" not in page_html


def test_loads_nothing_from_the_network(page_html):
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page_html)
    assert not re.search(r"@import", page_html)
    assert "<script" not in page_html


def test_images_have_alt_text(page_html):
    images = re.findall(r"<img[^>]*>", page_html)
    assert images
    assert all(re.search(r'alt="[^"]+"', img) for img in images)
    assert 'alt="Alt says rising"' in page_html


def test_contents_links_every_chapter(page_html):
    assert '<a href="#chapter-trends">Trends</a>' in page_html
    assert 'id="chapter-trends"' in page_html
    assert 'href="#chapter-appendix-data"' in page_html
    assert 'id="chapter-appendix-data"' in page_html


def test_print_stylesheet_and_language(page_html):
    assert "@media print" in page_html
    assert '<html lang="en">' in page_html


def test_chapter_must_have_a_title(tmp_path):
    notebook = executed_chapter()
    notebook.cells[0] = new_markdown_cell("No heading here")
    with pytest.raises(ValueError, match="chapter title"):
        merge([(tmp_path / "x.ipynb", notebook)], "{contents}", "")


def test_figure_without_alt_is_refused():
    import matplotlib.pyplot as plt

    with pytest.raises(ValueError, match="alt text"):
        figure_html(plt.figure(), " ", "caption")
