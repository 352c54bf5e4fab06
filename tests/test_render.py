"""The page template: no code, no network, alt text, captions, contents list."""

import re

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from needs_assessment.presentation.figures import figure_html
from needs_assessment.report.render import CONTENT_SECURITY_POLICY, Page, merge, to_html

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


# -- nothing from a config or a data file is live HTML ------------------------------------

INJECTED = '<img src=x onerror=alert(1)> [x](javascript:alert(1)) <iframe src="file:///etc/passwd">'


@pytest.fixture(scope="module")
def injected_html(tmp_path_factory):
    from IPython.display import Markdown

    notebook = executed_chapter(title="Trends <b>bold</b>")
    markdown = Markdown("Note: " + INJECTED)._repr_markdown_()
    notebook.cells.append(
        new_code_cell(
            "x",
            outputs=[
                new_output("display_data", data={"text/markdown": markdown}),
                new_output("display_data", data={"application/javascript": "alert(2)"}),
            ],
        )
    )
    notebook.cells.append(new_markdown_cell("Analyst cell " + INJECTED))
    page = Page(
        title=f"T {INJECTED}", kicker=f"K {INJECTED}", footer=INJECTED, description='" onload="x'
    )
    chapters = [(tmp_path_factory.mktemp("nb") / "01_trends.ipynb", notebook)]
    merged = merge(chapters, f"# Front {INJECTED}\n\n{{contents}}", "## Appendix\n\n" + INJECTED)
    return to_html(merged, page)


def test_markdown_and_page_fields_are_never_live(injected_html):
    assert "<img src=x" not in injected_html and "<iframe" not in injected_html
    assert 'href="javascript' not in injected_html and "<script" not in injected_html
    assert "alert(2)" not in injected_html  # JavaScript outputs are dropped
    assert not [a for _, attrs in start_tags(injected_html) for a, _ in attrs if a.startswith("on")]
    assert injected_html.count("&lt;img src=x onerror=alert(1)&gt;") >= 6
    assert "Trends &lt;b&gt;bold&lt;/b&gt;</h2>" in injected_html


def start_tags(page: str) -> list[tuple[str, list]]:
    from html.parser import HTMLParser

    tags = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: tags.append((tag, attrs))
    parser.feed(page)
    return tags


def test_the_page_has_a_content_security_policy(page_html):
    policies = [
        dict(attrs)["content"]
        for tag, attrs in start_tags(page_html)
        if tag == "meta" and dict(attrs).get("http-equiv") == "Content-Security-Policy"
    ]
    assert policies == [CONTENT_SECURITY_POLICY]
    assert page_html.index("Content-Security-Policy") < page_html.index("<style")


def test_table_cells_headers_and_caption_are_escaped():
    import pandas as pd

    from needs_assessment.report.chapter import table_html

    frame = pd.DataFrame({"<b>h</b>": ["<img src=x onerror=alert(1)>"], "n": [1234]})
    shown = table_html(frame, "Caption <i>x</i>")
    assert "<img" not in shown and "<b>" not in shown and "<i>" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown and ">1,234<" in shown


# -- the Board page: tables, figures, print ------------------------------------------------


def test_table_numbers_right_aligned_with_thousands_and_prose_rounding():
    import pandas as pd

    from needs_assessment.report.chapter import table_html

    frame = pd.DataFrame(
        {
            "District": ["Fenland", "Cambridge"],
            "Offences": [12345, 7],
            "Rate": [1234.567, 0.01234],
            "Share (%)": [12.34, 5.0],
            "Rate (95% CI)": ["12.3 (10.1–14.5)", "[c]"],
            "Judgement": ["Comparable", "Higher"],
        }
    )
    shown = table_html(frame, "Caption", {"Share (%)": "{:.1f}"})
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", shown)
    assert [text for _, text in cells[:6]] == [
        "Fenland",
        "12,345",
        "1,234.57",
        "12.3",
        '<span class="sna-word">(10.1–14.5)</span>'.join(["12.3 ", ""]),
        "Comparable",
    ]
    assert [text for _, text in cells[7:9]] == ["7", "0.0123"]
    numeric = [bool(attrs) for attrs, _ in cells[:6]]
    assert numeric == [False, True, True, True, True, False]
    assert 'tabindex="0"' in shown and 'role="region"' in shown and 'aria-label="Caption"' in shown


def test_whole_number_floats_show_as_integers_and_missing_as_a_dash():
    import pandas as pd

    from needs_assessment.report.chapter import table_html

    shown = table_html(pd.DataFrame({"n": [1200.0, None]}), "C")
    assert ">1,200<" in shown and ">–<" in shown and "1,200.00" not in shown


def test_long_table_shows_its_first_rows_and_the_rest_collapsed():
    import pandas as pd

    from needs_assessment.report.chapter import BODY_ROWS, body_table_html

    frame = pd.DataFrame({"Year": [f"{y}/{y % 100 + 1:02d}" for y in range(2000, 2030)]})
    shown = body_table_html(frame, "Years", sheet="trends_annual_with_a_very_long_name")
    before, _, collapsed = shown.partition("<details")
    assert before.count("<tr>") == BODY_ROWS + 1  # the header row and the first rows
    assert "<summary>Show all 30 rows</summary>" in collapsed
    assert collapsed.count("<tr>") == 30 + 1
    sheet = "trends_annual_with_a_very_long_name"[:31]  # Excel's limit, as in the workbook
    assert f"All 30 rows: workbook sheet {sheet}</p>" in collapsed
    short = body_table_html(frame.head(BODY_ROWS), "Years", sheet="x")
    assert "<details" not in short and short.count("<tr>") == BODY_ROWS + 1
    with pytest.raises(ValueError, match="body_rows"):
        body_table_html(frame, "Years", sheet="x", body_rows=0)


def test_a_table_that_is_not_key_is_behind_a_click_headed_by_its_caption():
    import pandas as pd

    from needs_assessment.report.chapter import collapsed_table_html

    frame = pd.DataFrame({"District": ["<b>Fenland</b>", "Cambridge"], "Count": [3, 4]})
    shown = collapsed_table_html(frame, "Offences <by> district", sheet="trends_districts")
    collapsed, _, after = shown.partition("</details>")
    assert collapsed.startswith('<details class="sna-more sna-table-detail">')
    assert "<summary>Table: Offences &lt;by&gt; district</summary>" in collapsed
    assert collapsed.count("<tr>") == 3 and "&lt;b&gt;Fenland" in collapsed
    assert after == (
        '<p class="sna-print-only">Table: Offences &lt;by&gt; district: workbook sheet '
        "trends_districts</p>"
    )


def test_words_with_a_hyphen_dash_or_slash_are_kept_whole():
    import pandas as pd

    from needs_assessment.report.chapter import table_html

    shown = table_html(pd.DataFrame({"Long-term trend": ["2018/19 rose"]}), "C")
    assert '<span class="sna-word">Long-term</span> trend' in shown
    assert '<span class="sna-word">2018/19</span> rose' in shown


def test_markdown_tables_get_a_named_scroll_box_and_whole_words():
    from needs_assessment.report.render import boxed_tables

    table = "<table><thead><tr><th>So-urce &amp; x</th></tr></thead></table>"
    page = boxed_tables(f"<p>mid-2020</p>{table}{table}")
    assert page.count('<div class="sna-table-wrap" role="region"') == 2
    assert 'aria-label="Table: So-urce &amp; x"' in page
    assert 'aria-label="Table: So-urce &amp; x (2)"' in page
    assert "<p>mid-2020</p>" in page and '<span class="sna-word">So-urce</span>' in page


def test_a_heading_that_ends_a_cell_is_kept_with_the_next_output():
    from needs_assessment.report.render import headings_kept_with_next

    def cell(kind, inner):
        return f'<div class="jp-Cell {kind}"><div class="x">{inner}</div></div>'

    heading = cell("jp-MarkdownCell", "<p>a</p><h3>Annual rates</h3>")
    prose = cell("jp-MarkdownCell", "<h3>B</h3><p>b</p>")
    empty = cell("jp-CodeCell jp-mod-noOutputs", "")
    table = cell("jp-CodeCell", "<div><table></table></div>")
    page = headings_kept_with_next(heading + empty + table + prose + table)
    assert page == f'<div class="sna-keep">{heading}{empty}{table}</div>{prose}{table}'
    # a heading followed by Markdown only has nothing to be kept with; the next one still is
    alone = cell("jp-MarkdownCell", "<h3>Not available</h3>")
    page = headings_kept_with_next(alone + prose + heading + table)
    assert page == f'{alone}{prose}<div class="sna-keep">{heading}{table}</div>'


def test_page_css_never_breaks_words_and_keeps_print_rules(page_html):
    house = page_html.index("House style for the published assessment")
    style = page_html[house : page_html.index("</style>", house)]
    rules: dict[str, str] = {}
    for line in style.splitlines():
        if "{" in line:  # the screen rule, before any print rule for the same selector
            rules.setdefault(line.split("{")[0].strip(), line)
    assert "anywhere" not in rules["th, td"]
    assert (
        "overflow-x: auto" in rules[".sna-table-wrap"]
        and "display: block" in rules[".sna-table-wrap"]
    )
    assert not any(k.startswith("table") and "max-width" in v for k, v in rules.items())
    assert "details.sna-more { display: none; }" in style
    assert ".sna-keep { break-inside: avoid; }" in style


# -- figures: house sizes, text size on the page --------------------------------------------


def test_house_sizes_and_the_text_size_they_give():
    from needs_assessment.presentation import figures

    assert figures.size("wide") == figures.SIZES["wide"]
    assert figures.size("map", height=3.0) == (figures.SIZES["map"][0], 3.0)
    with pytest.raises(ValueError, match="unknown figure size"):
        figures.size("huge")
    wide_png = round(figures.SIZES["wide"][0] * figures.DPI)
    assert figures.shown_width_px(wide_png) == figures.COLUMN_PX
    # one point of text is PX_PER_INCH / 72 px, so MIN_TEXT_PT points are exactly 10 px
    assert figures.text_px(figures.MIN_TEXT_PT, wide_png) == pytest.approx(10.0)
    # a figure drawn twice as wide is shrunk to the column, and its text halves
    assert figures.text_px(8, 2 * wide_png) == pytest.approx(figures.text_px(8, wide_png) / 2)
    # at phone width the column is narrower still
    assert figures.text_px(8, wide_png, column_px=358) < figures.text_px(8, wide_png)


def test_figure_html_states_its_size_and_smallest_text():
    import matplotlib.pyplot as plt

    from needs_assessment.presentation import figures

    fig, ax = plt.subplots(figsize=figures.size("half"))
    ax.plot([1, 2], [3, 4])
    ax.set_title("Rising", fontsize=12)
    ax.annotate("small label", (1.5, 3.5), fontsize=7.5)
    shown = figures.figure_html(fig, "Alt text that says it rises", "Caption")
    img = re.search(r"<img[^>]*>", shown).group(0)
    assert 'data-size="half"' in img and 'data-text-pt="7.5"' in img
    assert shown.startswith('<figure class="sna-figure sna-half">')  # print sets it beside text
    assert f'data-dpi="{figures.DPI}"' in img
    width = int(re.search(r'width="(\d+)"', img).group(1))
    assert width <= figures.SIZES["half"][0] * figures.PX_PER_INCH + 1


def test_a_figure_off_the_house_sizes_is_named_by_its_inches():
    import matplotlib.pyplot as plt

    from needs_assessment.presentation.figures import size_name

    fig = plt.figure(figsize=(13, 8.4))
    assert size_name(fig) == "13x8.4"
    plt.close(fig)
