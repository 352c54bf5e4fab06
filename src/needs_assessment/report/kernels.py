"""Kernels that execute the chapter notebooks, started once and reused.

Starting a kernel and importing the toolkit into it costs seconds, more than most
chapters' analysis; a :class:`KernelPool` keeps kernels alive between notebooks (in a
batch, between forces too). Before each notebook a kernel is put back in the state of a
new one: its namespace emptied, the execution count at 1, the cell transformers and
warning filters as at start and no warning remembered as shown, so a notebook's outputs
are those it would have in a kernel of its own. A kernel whose notebook failed is shut
down, never reused.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jupyter_client.manager import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from needs_assessment.errors import NotebookError
from needs_assessment.paths import KERNEL_NAME

#: The papermill engine that executes on a kernel already running (see :class:`Engine`).
ENGINE = "sna-running-kernel"
#: As nbclient starts its own kernels: history in memory, never in a shared SQLite file.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]

_REMEMBER_START = """
import warnings as _w
get_ipython()._sna_start = (list(_w.filters), list(get_ipython().ast_transformers))
del _w
"""
# Two steps: a cell is compiled with the transformers of the moment (a chapter's figure
# check appends a call to a name in the namespace), so they go before the namespace does.
_FRESH = (
    "get_ipython().ast_transformers[:] = get_ipython()._sna_start[1]",
    """
get_ipython().reset(new_session=True)
import warnings as _w
_w.filters[:] = get_ipython()._sna_start[0]
_w._filters_mutated()
_w.onceregistry.clear()
del _w
""",
)


class Kernel:
    """One IPython kernel on IPC sockets in a private folder (never reachable over TCP)."""

    def __init__(self, startup_timeout: float) -> None:
        self.sockets = Path(tempfile.mkdtemp(prefix="sna-kernel-"))
        self.manager = KernelManager(
            kernel_name=KERNEL_NAME, transport="ipc", ip=str(self.sockets / "k")
        )
        self.client = None
        try:
            self.manager.start_kernel(extra_arguments=list(KERNEL_ARGUMENTS))
            self.client = self.manager.client()
            self.client.start_channels()
            self.client.wait_for_ready(timeout=startup_timeout)
            self.client.allow_stdin = False
            self.run(_REMEMBER_START)
        except BaseException:
            self.close()
            raise

    def run(self, code: str, timeout: float = 60) -> None:
        """Execute ``code`` silently (no history, no execution count); raise if it fails."""
        msg_id = self.client.execute(code, silent=True, store_history=False)
        while True:
            reply = self.client.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        while True:  # drain its output so the next notebook starts with none pending
            message = self.client.get_iopub_msg(timeout=timeout)
            if message["parent_header"].get("msg_id") == msg_id and (
                message["msg_type"] == "status"
                and message["content"].get("execution_state") == "idle"
            ):
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise NotebookError(
                f"the kernel could not be reset: {content.get('ename')}: {content.get('evalue')}"
            )

    def fresh(self) -> None:
        """Back to the state of a new kernel (the toolkit's modules stay imported)."""
        for code in _FRESH:
            self.run(code)

    def alive(self) -> bool:
        return self.manager.has_kernel and self.manager.is_alive()

    def close(self) -> None:
        try:
            if self.client is not None:
                self.client.stop_channels()
            if self.manager.has_kernel:
                self.manager.shutdown_kernel(now=True)
        finally:
            shutil.rmtree(self.sockets, ignore_errors=True)


class KernelPool:
    """Idle kernels, one lent per notebook at a time; safe to share between threads.

    ``reuse=False``: a new kernel for every notebook (as before kernels were kept; for
    comparisons and profiles).
    """

    def __init__(self, reuse: bool = True) -> None:
        self.reuse = reuse
        self._idle: list[Kernel] = []
        self._lock = threading.Lock()
        self.pid = os.getpid()  # a forked child never closes its parent's kernels
        self.started = 0  # kernels started over the pool's life

    @contextmanager
    def kernel(self, startup_timeout: float = 60) -> Iterator[Kernel]:
        """A fresh kernel; taken back afterwards, unless its notebook failed."""
        kernel = self._take(startup_timeout)
        reusable = False
        try:
            yield kernel
            reusable = self.reuse and kernel.alive()
        finally:
            if reusable:
                with self._lock:
                    self._idle.append(kernel)
            else:
                kernel.close()

    def _take(self, startup_timeout: float) -> Kernel:
        while True:
            with self._lock:
                kernel = self._idle.pop() if self._idle else None
            if kernel is None:
                with self._lock:
                    self.started += 1
                return Kernel(startup_timeout)
            try:
                if kernel.alive():
                    kernel.fresh()
                    return kernel
            except Exception:  # stuck since its last notebook: start another
                pass
            kernel.close()

    def close(self) -> None:
        if os.getpid() != self.pid:
            return
        with self._lock:
            idle, self._idle = self._idle, []
        for kernel in idle:
            kernel.close()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_process_pool: KernelPool | None = None
_process_lock = threading.Lock()


def process_pool() -> KernelPool:
    """This process's pool, kept for its life (a batch worker's kernels serve every force)
    and closed when it exits, a multiprocessing worker included."""
    global _process_pool
    with _process_lock:
        if _process_pool is None or _process_pool.pid != os.getpid():
            _process_pool = KernelPool()
            atexit.register(_process_pool.close)
            multiprocessing.util.Finalize(_process_pool, _process_pool.close, exitpriority=10)
        return _process_pool


class _Client(PapermillNotebookClient):
    """Papermill's client on a kernel and client already running (it then starts none)."""

    def __init__(self, nb_man, kernel: Kernel, **kwargs) -> None:
        super().__init__(nb_man, km=kernel.manager, **kwargs)
        self.kc = kernel.client


class Engine(NBClientEngine):
    """Papermill's nbclient engine, on the :class:`Kernel` passed as ``kernel=``."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        kernel = kwargs.pop("kernel")
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        final = merge_kwargs(
            kwargs,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        return _Client(nb_man, kernel, **final).execute()


papermill_engines.register(ENGINE, Engine)
