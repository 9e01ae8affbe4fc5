"""Render many report notebooks in parallel: execute with papermill, then HTML, PDF and Word.

A district's summary and plan are one notebook run with different parameters, so a city renders
dozens at once. Jobs (:mod:`civsim.batch_jobs`) run in a pool of worker processes, one per core;
each worker keeps one kernel and runs its jobs in it one after another, its names cleared in
between, so the kernel's start and the imports of civsim, pandas and matplotlib are paid once per
worker rather than once per report. A notebook that raises, warns (every warning is an error in the
kernel), hangs or kills its kernel becomes a failed Outcome and its kernel is replaced; the others
go on. Outputs appear whole or not at all: everything is made in a hidden staging folder beside the
target and moved in with os.replace, so a failed run leaves the previous good report in place.

Jobs may share work (:class:`~civsim.batch_jobs.Shared`: for the reports, a district-year's
context, which its summary, plan and budget format): the pool does it once per run, in a folder of
the run's own temporary area, before the jobs that read it, and passes them the folder as a
parameter.
"""

from __future__ import annotations

import ast
import concurrent.futures
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Iterable

from . import batch_kernels as kernels
from .batch_jobs import Job, Outcome, Shared
from .batch_summary import summary
from .errors import CivsimError

KINDS = ("ipynb", "html", "pdf", "docx")
# papermill's own marker cells: not in the source notebook, so not counted in a cell index
_ADDED_TAGS = {"injected-parameters", "papermill-error-cell-tag", "civsim-reset"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _failing_cell(executed: Path) -> int | None:
    """Index in the source notebook of the cell that failed or was running when execution stopped."""
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except Exception:
        return None
    source = [c for c in cells if not _ADDED_TAGS & set(c.get("metadata", {}).get("tags", []))]
    states = [c.get("metadata", {}).get("papermill", {}) for c in source]
    failed = [i for i, s in enumerate(states) if s.get("exception") or s.get("status") == "failed"]
    if failed:
        return failed[0]
    started = [i for i, s in enumerate(states) if s.get("start_time")]
    return started[-1] if started else None


def _assigned_names(source: str) -> set[str] | None:
    """Names assigned in a parameters cell; None if it is not plain Python (e.g. has magics)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    targets = [
        t
        for node in ast.walk(tree)
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
    ]
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _execute(job: Job, executed: Path, timeout: float, kernel_name: str | None) -> None:
    import nbformat
    import papermill

    try:
        notebook = nbformat.read(job.notebook, as_version=4)
    except FileNotFoundError:
        raise CivsimError(job.notebook, None, "notebook not found", "an existing .ipynb file") from None
    cell = next((c for c in notebook.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if job.parameters and cell is None:
        raise CivsimError(
            job.notebook,
            "parameters",
            'no cell tagged "parameters"',
            "a parameters cell declaring " + ", ".join(sorted(job.parameters)),
        )
    declared = _assigned_names(cell.source) if cell is not None else set()
    unknown = sorted(set(job.parameters) - declared) if declared is not None else []
    if unknown:  # papermill only warns, and the report would silently use the default value
        raise CivsimError(
            job.notebook,
            "parameters",
            f"unknown parameter(s) {', '.join(unknown)}",
            "one of " + ", ".join(sorted(declared)),
        )
    name = kernel_name or notebook.metadata.get("kernelspec", {}).get("name") or "python3"
    cwd = job.notebook.parent.resolve()
    km = kernels.kernel(name, cwd)
    # the kernel may have run another notebook: clear its names and set the working folder first,
    # in a cell of its own that the report leaves out
    notebook.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            kernels.RESET.format(cwd=str(cwd)), metadata={"tags": ["civsim-reset", "remove-cell"]}
        ),
    )
    # papermill formats path strings with the parameters ("{x}"): pass the notebook as an object and
    # escape the braces of the output path.
    papermill.execute_notebook(
        notebook,
        str(executed).replace("{", "{{").replace("}", "}}"),
        parameters=dict(job.parameters),
        kernel_name=name,
        execution_timeout=timeout,
        progress_bar=False,
        log_output=False,
        cwd=str(job.notebook.parent.resolve()),
        km=km,
        engine_name=kernels.engine(),
    )


def _finish(executed: Path, job: Job) -> None:
    """The executed notebook without the reset cell; a report that does not state its provenance
    gets the colophon line from its parameters (district, seed)."""
    import nbformat

    from . import params as params_module, provenance

    notebook = nbformat.read(executed, as_version=4)
    notebook.cells = [c for c in notebook.cells if "civsim-reset" not in c.get("metadata", {}).get("tags", [])]

    def colophon(metadata) -> bool:  # IPython files a repr's metadata under its mime type
        return isinstance(metadata, dict) and (
            metadata.get("civsim") == "colophon" or any(colophon(v) for v in metadata.values())
        )

    marked = any(colophon(output.get("metadata")) for cell in notebook.cells for output in cell.get("outputs", []))
    if not marked and "district" in job.parameters:
        seed = job.parameters.get("seed")
        try:
            line = provenance.of(
                params_module.load(job.parameters["district"]), seed=seed if isinstance(seed, int) else None
            ).line()
        except CivsimError:  # a notebook whose "district" is no jurisdiction of ours: nothing to state
            line = None
        if line:
            notebook.cells.append(nbformat.v4.new_markdown_cell(line, metadata={"tags": ["civsim-colophon"]}))
    nbformat.write(notebook, executed)


def _run_one(job: Job, timeout: float, kernel_name: str | None) -> Outcome:
    """Execute and render one job in a staging folder, then move the outputs in (worker process)."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from .report.render import to_docx, to_html, to_pdf

    start = time.monotonic()
    outcome = Outcome(job.label, job.notebook, {}, ok=False)
    staging = None
    try:
        job.out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".civsim-", suffix=".tmp", dir=job.out_dir))
        executed, log = staging / f"{job.name}.ipynb", staging / "kernel.log"
        try:
            with kernels.stderr_to(log):
                _execute(job, executed, timeout, kernel_name)
        except PapermillExecutionError as exc:
            outcome.error = f"{exc.ename}: {exc.evalue}"
            outcome.detail = _ANSI.sub("", "\n".join(exc.traceback))
        except CellTimeoutError:
            outcome.error = "timeout"
            outcome.detail = f"a cell ran longer than {timeout:g} s"
        except DeadKernelError:
            outcome.error = "kernel died"
            kernel_log = kernels.kernel_log(kernel_name)
            outcome.detail = kernels.tail(kernel_log) if kernel_log else kernels.tail(log)
        if outcome.error:
            kernels.drop_all()  # whatever the notebook left behind goes with it
            outcome.cell = _failing_cell(executed)
            if executed.exists():  # keep the executed copy beside the report, for debugging
                outcome.failed_notebook = job.output("failed.ipynb")
                os.replace(executed, outcome.failed_notebook)
            return outcome
        _finish(executed, job)
        html = to_html(executed, staging / f"{job.name}.html")
        to_pdf(html, staging / f"{job.name}.pdf", job.layout)
        to_docx(html, staging / f"{job.name}.docx", job.layout)
        for kind in KINDS:
            os.replace(staging / f"{job.name}.{kind}", job.output(kind))
            outcome.outputs[kind] = job.output(kind)
        job.output("failed.ipynb").unlink(missing_ok=True)  # the report is good again
        outcome.ok = True
        return outcome
    except Exception as exc:  # anything else (bad notebook, render error, disk) fails this job only
        kernels.drop_all()
        outcome.error = f"{type(exc).__name__}: {exc}"
        outcome.detail = kernels.tail(staging / "kernel.log") if staging else ""
        return outcome
    finally:
        outcome.seconds = time.monotonic() - start
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _context():
    """Workers fork from a server that loaded the renderers once (civsim.report.warmup), not from the
    caller: run() may be called from a notebook whose kernel holds threads and sockets. Where there
    is no fork server (Windows, macOS defaults aside), each worker is spawned and loads them itself."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["civsim.report.warmup"])
    return context


def prepare() -> None:
    """Start the fork server now, so that it loads the renderers while the caller still plans its
    jobs (reading every district's parameters takes about a second) rather than after."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _start_worker() -> None:
    from . import lean_imports

    lean_imports.without_iri_grammars()  # as the fork server does (civsim.report.warmup), when spawned


def make_shared(shared: Shared, folder: str, timeout: float = 600, kernel_name: str | None = None) -> str:
    """Do one shared work into ``folder``, in this worker's kernel, which then runs notebooks with
    what the work loaded (parameters, reported figures) at hand: "" when done, else the one line why
    not (its jobs fail with it; the others go on)."""
    code = (
        f"import json as _json\nfrom {shared.make.__module__} import {shared.make.__name__} as _make\n"
        f"_make({folder!r}, **_json.loads({json.dumps(shared.arguments, ensure_ascii=False)!r}))\n"
        "del _json, _make"
    )
    return kernels.run_code(code, kernel_name or "python3", timeout)


def checked(jobs: Iterable[Job]) -> list[Job]:
    """The jobs as a list; two jobs writing the same notebook are an error before any starts."""
    jobs = list(jobs)
    targets = [job.output("ipynb").resolve() for job in jobs]
    for i, target in enumerate(targets):
        if target in targets[:i]:
            raise CivsimError(
                f"job {jobs[i].label}", "name", f"writes {target} like an earlier job", "one job per out_dir/name"
            )
    return jobs


class Schedule:
    """A run's tasks in the caller's order, each shared work just before the first job reading it:
    a job is ready once its shared work is done; a job whose shared work failed fails with its cause."""

    def __init__(self, jobs: list[Job], area: Path):
        self.jobs, self.outcomes = jobs, [None] * len(jobs)
        self.shared: dict[str, Shared] = {}
        self.folders: dict[str, Path] = {}
        self.readers: dict[str, list[int]] = {}
        self.done: set[str] = set()
        self.tasks: list[tuple[str, object]] = []
        for i, job in enumerate(jobs):
            if job.shared is not None and job.shared.name not in self.shared:
                self.shared[job.shared.name] = job.shared
                self.folders[job.shared.name] = area / job.shared.name
                self.tasks.append(("shared", job.shared.name))
            if job.shared is not None:
                self.readers.setdefault(job.shared.name, []).append(i)
            self.tasks.append(("job", i))

    def _ready(self, task) -> bool:
        kind, what = task
        return kind == "shared" or self.jobs[what].shared is None or self.jobs[what].shared.name in self.done

    def take(self):
        """The first task that can start, taken off the list; None when none can."""
        for n, task in enumerate(self.tasks):
            if self._ready(task):
                return self.tasks.pop(n)
        return None

    def call(self, task, timeout: float, kernel_name: str | None) -> tuple:
        """The function and arguments that do ``task``."""
        kind, what = task
        if kind == "shared":
            return make_shared, (self.shared[what], str(self.folders[what]), timeout, kernel_name)
        job = self.jobs[what]
        return _run_one, (
            job if job.shared is None else job.with_folder(self.folders[job.shared.name]),
            timeout,
            kernel_name,
        )

    def finish(self, task, result) -> list[int]:
        """Record what ``task`` gave — an Outcome, a shared work's "" or cause, the exception its
        result came back as, or None when its worker crashed — and return the jobs it settled."""
        kind, what = task
        if result is None or isinstance(result, BaseException):
            result = " ".join(f"{type(result).__name__}: {result}".split()) if result else "worker process crashed"
        if kind == "job":
            job = self.jobs[what]
            self.outcomes[what] = (
                result if isinstance(result, Outcome) else Outcome(job.label, job.notebook, {}, ok=False, error=result)
            )
            return [what]
        if result == "":
            self.done.add(what)
            return []
        settled = self.readers[what]
        for i in settled:
            self.outcomes[i] = Outcome(
                self.jobs[i].label, self.jobs[i].notebook, {}, ok=False, error=f"{what}: {result}"
            )
        self.tasks = [t for t in self.tasks if not (t[0] == "job" and t[1] in settled)]
        return settled


def run(
    jobs: Iterable[Job],
    workers: int | None = None,
    timeout: float = 600,
    progress: bool = True,
    kernel_name: str | None = None,
) -> list[Outcome]:
    """Run the jobs in up to ``workers`` processes (default: all cores); outcomes in job order.

    ``timeout`` is seconds per cell; ``kernel_name`` overrides the notebooks' kernelspec. Each
    worker starts the first task that can start in the jobs' order (so the caller puts the longest
    first); shared work goes before the first job reading it.
    """
    from tqdm.auto import tqdm

    jobs = checked(jobs)
    if not jobs:
        return []
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    pool_options = {"mp_context": _context(), "initializer": _start_worker}
    area = tempfile.TemporaryDirectory(prefix="civsim-run-")  # this run's shared work, gone after it
    with area, tqdm(total=len(jobs), disable=not progress, desc="reports", unit="report") as bar:
        schedule = Schedule(jobs, Path(area.name))

        def record(task, result):
            settled = schedule.finish(task, result)
            if settled:
                bar.set_postfix_str(jobs[settled[0]].label, refresh=False)
                bar.update(len(settled))

        while schedule.tasks:
            crashed = _pool_round(schedule, workers, pool_options, timeout, kernel_name, record)
            # A dead worker breaks the whole pool: the tasks it held run again one by one, so one
            # crash sinks only itself; the rest go on in a new pool.
            for task in crashed:
                with concurrent.futures.ProcessPoolExecutor(1, **pool_options) as pool:
                    function, arguments = schedule.call(task, timeout, kernel_name)
                    try:
                        record(task, pool.submit(function, *arguments).result())
                    except BrokenProcessPool:
                        record(task, None)
    return schedule.outcomes


def _pool_round(schedule: Schedule, workers: int, pool_options: dict, timeout: float, kernel_name, record) -> list:
    """Run tasks in one pool, one more at once than workers (each next task is chosen as a worker
    frees, and one waits queued for it), until none is left or the pool breaks; the tasks in flight
    when it broke."""
    running: dict = {}
    crashed = []
    with concurrent.futures.ProcessPoolExecutor(workers, **pool_options) as pool:
        while schedule.tasks or running:
            while len(running) < workers + 1 and not crashed:  # one queued: a free worker starts at once
                task = schedule.take()
                if task is None:
                    break
                function, arguments = schedule.call(task, timeout, kernel_name)
                try:
                    running[pool.submit(function, *arguments)] = task
                except BrokenProcessPool:
                    crashed.append(task)
            if not running:
                break
            finished, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            if crashed or any(isinstance(f.exception(), BrokenProcessPool) for f in finished):
                finished = concurrent.futures.wait(running).done  # a broken pool: all it ran is lost
            for future in finished:
                task = running.pop(future)
                try:
                    record(task, future.result())
                except BrokenProcessPool:
                    crashed.append(task)
                except Exception as exc:  # e.g. a result that cannot be pickled back
                    record(task, exc)
            if crashed:
                break
    return crashed


run_one = _run_one  # one job in the calling process: what another backend (civsim.batch_dask) distributes

__all__ = ["run", "run_one", "make_shared", "Schedule", "prepare", "summary"]
