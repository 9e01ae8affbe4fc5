"""Each report batch worker's Jupyter kernels, and papermill's engine that writes a notebook once.

A worker keeps one kernel per kernel name and runs its notebooks, and the work they share
(:func:`run_code`), in it one after another (:data:`RESET` clears the names in between; what a
module loaded — parameters, reported figures — stays for the next); a kernel that died, or ran
something that failed, is replaced. The kernel's stderr goes to a log file, whose tail tells why a
kernel died.
"""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def stderr_to(path: Path):
    """Send this process's fd 2 (and so the kernel's, which inherits it) to a log file."""
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@functools.lru_cache(maxsize=1)
def engine() -> str:
    """papermill's nbclient engine, writing the executed notebook once at the end.

    papermill rewrites (and re-validates) the whole notebook before and after every cell, so a
    watcher sees progress; in the batch nobody watches the staging copy, and a report with charts
    is written some forty times. The last write — when execution ends, also after a timeout or a
    dead kernel — is kept, and papermill itself writes the finished or failed notebook after it,
    so the file is the same."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class FinalWrite(NotebookExecutionManager):
        def save(self, **kwargs):  # the per-cell writes
            self.last_save_time = self.now()

        def notebook_complete(self, **kwargs):
            super().notebook_complete(**kwargs)
            NotebookExecutionManager.save(self)

    class Engine(NBClientEngine):
        @classmethod
        def execute_notebook(
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=True,
            log_output=False,
            autosave_cell_every=30,
            **kwargs,
        ):
            manager = FinalWrite(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            manager.notebook_start()
            try:
                cls.execute_managed_notebook(manager, kernel_name, log_output=log_output, **kwargs)
            finally:
                manager.cleanup_pbar()
                manager.notebook_complete()
            return manager.nb

    papermill_engines.register("civsim-final-write", Engine)
    return "civsim-final-write"


# ---------------------------------------------------------------- one kernel per worker process

KERNELS: dict[str, tuple] = {}  # kernel name -> (manager, its stderr log); in each worker process
# the previous notebook's names go (what %reset -f clears), and a new history session starts, so the
# notebook's cells count from 1 as in a new kernel. Every warning is an error: a warning would be
# printed into the report (with the kernel's temporary file name), so a library's deprecation
# fails the report, and a test, instead of reaching a reader.
RESET = (
    "get_ipython().reset(new_session=True)\n"
    "import os as _os, warnings as _warnings\n_os.chdir({cwd!r})\n"
    "_warnings.resetwarnings()\n_warnings.simplefilter('error')\ndel _os, _warnings\n"
)


def kernel(name: str, cwd: Path):
    """This worker's kernel of that name, started once; a new one when the last died or was
    dropped after a failure."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    if name in KERNELS and not run_sync(KERNELS[name][0].is_alive)():
        drop(name)
    if name not in KERNELS:
        km = AsyncKernelManager(kernel_name=name)
        log = Path(tempfile.mkstemp(prefix="civsim-kernel-", suffix=".log")[1])
        with stderr_to(log):  # the kernel inherits fd 2: its dying words go to the log
            run_sync(km.start_kernel)(cwd=str(cwd))
        KERNELS[name] = (km, log)
        _finalize()
    return KERNELS[name][0]


def drop(name: str) -> None:
    """Shut a worker's kernel down (after a failure the next notebook gets a fresh one)."""
    from jupyter_core.utils import run_sync

    km, log = KERNELS.pop(name, (None, None))
    if km is None:
        return
    with contextlib.suppress(Exception):
        run_sync(km.shutdown_kernel)(now=True)
    with contextlib.suppress(Exception):
        run_sync(km.cleanup_resources)()
    with contextlib.suppress(OSError):
        log.unlink()


def drop_all() -> None:
    for name in list(KERNELS):
        drop(name)


@functools.lru_cache(maxsize=1)
def _finalize() -> None:
    """Shut the kernels down when the worker process ends (multiprocessing skips atexit)."""
    from multiprocessing import util

    util.Finalize(None, drop_all, exitpriority=10)


def run_code(code: str, name: str, timeout: float) -> str:
    """Run ``code`` in this worker's kernel ``name`` (its names cleared first, every warning an
    error, as for a notebook): "" when it ran, else the one line why not (the kernel is then dropped)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    cells = [nbformat.v4.new_code_cell(RESET.format(cwd=os.getcwd())), nbformat.v4.new_code_cell(code)]
    try:
        km = kernel(name, Path.cwd())
        NotebookClient(nbformat.v4.new_notebook(cells=cells), km=km, kernel_name=name, timeout=timeout).execute()
        return ""
    except CellExecutionError as exc:
        why = f"{exc.ename}: {exc.evalue}"
    except CellTimeoutError:
        why = f"timeout: it ran longer than {timeout:g} s"
    except DeadKernelError:
        why = "kernel died"
    except Exception as exc:  # the kernel would not start, or the like
        why = f"{type(exc).__name__}: {exc}"
    drop_all()
    return " ".join(why.split())


def kernel_log(kernel_name: str | None) -> Path | None:
    entry = KERNELS.get(kernel_name) if kernel_name else next(iter(KERNELS.values()), None)
    return entry[1] if entry else None


__all__ = ["KERNELS", "RESET", "kernel", "drop", "drop_all", "run_code", "kernel_log", "engine", "stderr_to", "tail"]
