"""The report batch on its two backends: the process pool (civsim.batch.run) against a 2-worker
(1 for a single report) Dask LocalCluster (civsim.batch_dask.run), on the reports of every district with a caseload (or the
first ``reports`` of them; with ``document``, a report's file name such as 工作计划, only those),
HTML and PDF included.

Run on demand:  .venv/bin/python benchmarks/batch_dask.py [rounds] [reports] [document]
The backends alternate, ``rounds`` times each (default 2), so a neighbour's load on a shared
machine falls on both; the LocalCluster's start-up is timed as part of its run.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from civsim import batch, batch_dask, report_jobs


def main(rounds: int, limit: int | None = None, document: str | None = None) -> None:
    items = [(s.district, s.year, s.as_of_month) for s in report_jobs.with_caseload()]
    times = {"processes": [], "dask": []}
    for r in range(rounds):
        for name in times:
            with tempfile.TemporaryDirectory() as tmp:
                jobs = [j for j in report_jobs.jobs(items, out=Path(tmp)) if document in (None, j.name)][:limit]
                if not jobs:
                    raise SystemExit(f"no report to render (document {document!r}, reports {limit})")
                workers = min(2, len(jobs))  # a worker with no report to render only costs its start
                load = os.getloadavg()[0]
                start = time.perf_counter()
                if name == "processes":
                    outcomes = batch.run(jobs, workers=workers, progress=False, kernel_name=report_jobs.KERNEL)
                else:
                    outcomes = batch_dask.run(jobs, workers=workers, progress=False, kernel_name=report_jobs.KERNEL)
                times[name].append(time.perf_counter() - start)
                assert all(o.ok for o in outcomes), batch.summary(outcomes)
            print(
                f"round {r + 1}, {name}: {len(jobs)} reports in {times[name][-1]:.1f} s (load {load:.1f})", flush=True
            )
    best = {name: min(t) for name, t in times.items()}
    print(
        f"best of {rounds}: process pool {best['processes']:.1f} s, Dask LocalCluster {best['dask']:.1f} s "
        f"(dask ÷ pool {best['dask'] / best['processes']:.2f})"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 2,
        int(sys.argv[2]) if len(sys.argv) > 2 else None,
        sys.argv[3] if len(sys.argv) > 3 else None,
    )
