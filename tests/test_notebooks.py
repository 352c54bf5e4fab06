"""Chapter notebooks are committed clean and run on their own in JupyterLab."""

import nbformat
import pytest

from needs_assessment.chapters.registry import CHAPTERS, chapter_notebook
from needs_assessment.paths import DEFAULT_CONFIG, KERNEL_NAME, NOTEBOOK_DIR, ROOT
from needs_assessment.report.render import chapter_title

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def test_every_notebook_is_a_chapter(default_config):
    keys = {path.stem.split("_", 1)[1] for path in NOTEBOOKS}
    assert keys <= set(CHAPTERS)
    assert {chapter_notebook(key) for key in default_config.report.chapters} <= set(NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_with_kernelspec(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == KERNEL_NAME
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_defaults_to_the_default_config(path):
    notebook = nbformat.read(path, as_version=4)
    chapter_title(notebook, path)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    namespace: dict = {}
    exec(tagged[0].source, namespace)
    assert (ROOT / namespace["config_path"]).resolve() == DEFAULT_CONFIG.resolve()
    assert namespace["output_dir"] == ""
