"""The report batch on a Dask client: the same Jobs and Outcomes as :func:`civsim.batch.run`,
each job executed by :func:`civsim.batch.run_one` on a worker of a LocalCluster or an existing
cluster, so a province's districts × reports spread over machines.

Failures stay isolated as in the process pool: a notebook that raises, hangs or kills its kernel
is a failed Outcome from ``run_one`` itself, and a worker that dies under a job (memory limit,
crash) fails that job only — its cause in ``error`` — while the others finish. Outputs are atomic
because ``run_one`` stages them beside the target; on a real cluster ``out_dir`` must be a folder
every worker can write (a shared file system), as the workers write the reports themselves.
The work jobs share (:class:`civsim.batch_jobs.Shared`: a district-year's context) is done first, on
the workers, in a hidden folder beside the reports that the jobs then read.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

from . import batch, cluster
from .batch_jobs import Job, Outcome
from .errors import CivsimError


def run(
    jobs: Iterable[Job],
    client=None,
    timeout: float = 600,
    progress: bool = True,
    kernel_name: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    memory_limit=None,
) -> list[Outcome]:
    """Run the jobs on ``client`` (default: a cluster from ``cluster.connect(scheduler, workers,
    memory_limit)`` for this call); outcomes in job order, as ``batch.run`` returns them."""
    jobs = batch.checked(jobs)
    if not jobs:
        return []
    if client is None:
        with cluster.connect(scheduler, workers, memory_limit) as own:
            return run(jobs, own, timeout, progress, kernel_name)
    # the shared work first (a district-year's context), in a hidden folder beside the reports, which
    # the workers write and read (on a real cluster a shared file system, as for the reports)
    root = Path(os.path.commonpath([job.out_dir.absolute() for job in jobs]))
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".civsim-run-", dir=root) as area:
        schedule = batch.Schedule(jobs, Path(area))
        items = [
            (what, schedule.call((kind, what), timeout, kernel_name)[1])
            for kind, what in schedule.tasks
            if kind == "shared"
        ]
        for done in cluster.gather(client, batch.make_shared, items, progress=False):
            schedule.finish(("shared", done.key), done.result if done.ok else done.error)
        ready = [what for kind, what in schedule.tasks if kind == "job"]
        items = [(str(i), schedule.call(("job", i), timeout, kernel_name)[1]) for i in ready]
        for done in cluster.gather(client, batch.run_one, items, progress=progress, desc="reports", unit="report"):
            i = int(done.key)
            schedule.finish(("job", i), done.result if done.ok else done.error)
    return schedule.outcomes


__all__ = ["run", "main"]


def main(
    jurisdiction,
    level: str | None,
    year: int,
    scenario: str = "baseline",
    out=None,
    timeout: float = 600,
    progress: bool = True,
    scheduler: str | None = None,
    workers: int | None = None,
    memory_limit=None,
) -> int:
    """``civsim report --province/--city``: every district's summary and plan on Dask; print the
    batch summary; 1 if any report failed."""
    from . import params as params_module, province, report_jobs, scenarios as scenarios_module

    if year is None:
        raise CivsimError("civsim report", "--year", "missing", "a year such as 2020")
    members = province.districts_under(jurisdiction, level)
    items = [(d.name, int(year), report_jobs.as_of_month(d.code, int(year))) for d in members]
    if scenario != "baseline":
        chosen = scenarios_module.load(scenario)
        for d in members:  # the plan is for the year after
            scenarios_module.apply(params_module.load(d.code), chosen, int(year) + 1)
    outcomes = run(
        report_jobs.jobs(items, scenario, out),
        timeout=timeout,
        progress=progress,
        kernel_name=report_jobs.KERNEL,
        scheduler=scheduler,
        workers=workers,
        memory_limit=memory_limit,
    )
    print(batch.summary(outcomes))
    return 0 if all(o.ok for o in outcomes) else 1
