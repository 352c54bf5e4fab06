"""Kernels reused between notebooks: each notebook still meets the state of a new kernel,
and a chapter's outputs are the same as on a kernel of its own."""

import json
import signal
import time

import pytest

from needs_assessment.report import kernels
from needs_assessment.report.kernels import KernelPool
from needs_assessment.report.run import ensure_kernel, execute_chapter


@pytest.fixture(scope="module")
def pool():
    ensure_kernel()
    with KernelPool() as shared:
        yield shared


def outputs_of(kernel, code: str) -> str:
    """Run ``code`` as a notebook cell would (history kept) and return what it printed."""
    msg_id = kernel.client.execute(code)
    text = []
    while True:
        message = kernel.client.get_iopub_msg(timeout=60)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] in ("stream", "error"):
            text.append(message["content"].get("text") or message["content"]["evalue"])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return "".join(text)


def recorded_count(kernel, code: str) -> int:
    """The execution count a notebook would record for ``code`` run as its next cell."""
    msg_id = kernel.client.execute(code)
    while True:
        reply = kernel.client.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]["execution_count"]


def test_a_kernel_is_lent_again_in_the_state_of_a_new_one(pool, tmp_path):
    (tmp_path / "sna_warn_probe.py").write_text(
        "import warnings\n\ndef warn():\n    warnings.warn('shown once')\n"
    )
    probe = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import sna_warn_probe"
    with pool.kernel() as first:
        outputs_of(first, "left_behind = 1")
        outputs_of(first, probe)
        assert "shown once" in outputs_of(first, "sna_warn_probe.warn()")
        assert "shown once" not in outputs_of(first, "sna_warn_probe.warn()")  # once a place
    started = pool.started
    with pool.kernel() as second:
        assert second is first and pool.started == started
        assert recorded_count(second, "pass") == 1  # as in a notebook's first cell
        assert "is not defined" in outputs_of(second, "left_behind")
        outputs_of(second, "import sna_warn_probe")  # still imported: modules stay
        assert "shown once" in outputs_of(second, "sna_warn_probe.warn()")


def test_the_chapters_figure_guard_is_gone_before_the_next_notebook(pool):
    with pool.kernel() as kernel:
        outputs_of(kernel, "from needs_assessment.report.chapter import guard_figures")
        outputs_of(kernel, "guard_figures()")
        assert "1" in outputs_of(kernel, "print(len(get_ipython().ast_transformers))")
    with pool.kernel() as again:
        assert again is kernel
        assert outputs_of(again, "print(len(get_ipython().ast_transformers))") == "0\n"


def test_a_kernel_whose_notebook_failed_is_not_lent_again(pool):
    with pytest.raises(RuntimeError), pool.kernel() as failed:
        raise RuntimeError("a cell failed")
    assert not failed.alive()
    with pool.kernel() as next_one:
        assert next_one is not failed


def test_a_dead_idle_kernel_is_replaced(pool):
    with pool.kernel() as kernel:
        pass
    kernel.manager.signal_kernel(signal.SIGKILL)  # this test's own kernel, by its manager
    for _ in range(100):
        if not kernel.manager.is_alive():
            break
        time.sleep(0.05)
    started = pool.started
    with pool.kernel() as replacement:
        assert replacement is not kernel and pool.started == started + 1
        assert outputs_of(replacement, "print(2 + 2)") == "4\n"


def test_one_pool_per_process(monkeypatch):
    first = kernels.process_pool()
    assert kernels.process_pool() is first
    monkeypatch.setattr(first, "pid", -1)  # as a forked child sees its parent's pool
    child = kernels.process_pool()
    assert child is not first and child.pid > 0
    first.close()  # another process's pool: closing it here touches nothing


def cells(notebook_path) -> list:
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    return [
        (cell["source"], cell.get("outputs"), cell.get("execution_count"))
        for cell in notebook["cells"]
        if "output_dir" not in "".join(cell["source"])  # the staging folder differs
    ]


@pytest.mark.e2e
def test_a_chapter_on_a_reused_kernel_has_the_outputs_of_a_kernel_of_its_own(
    default_config, tmp_path, pool
):
    from needs_assessment.paths import DEFAULT_CONFIG
    from needs_assessment.prepare import prepare

    prepare(default_config)
    own, shared = tmp_path / "own", tmp_path / "shared"
    for folder in (own, shared):
        for sub in ("notebooks", "tables", "results"):
            (folder / sub).mkdir(parents=True)
    alone = execute_chapter("costs", default_config, DEFAULT_CONFIG, own)  # a kernel of its own
    execute_chapter("people", default_config, DEFAULT_CONFIG, shared, pool)
    after_people = execute_chapter("costs", default_config, DEFAULT_CONFIG, shared, pool)
    assert cells(after_people) == cells(alone)
    assert (shared / "results" / "costs.json").read_text() == (
        own / "results" / "costs.json"
    ).read_text()
    for table in (own / "tables").glob("*.csv"):
        assert (shared / "tables" / table.name).read_bytes() == table.read_bytes()
