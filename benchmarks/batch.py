"""The report batch against the same notebooks run one after another with the papermill CLI.

Run on demand:  .venv/bin/python benchmarks/batch.py [--layout gongwen]
Both sides execute the reports `civsim report --all` renders (summary, plan and budget of every
district with a caseload) and write HTML, PDF and Word; the sequential side runs ``papermill`` as
a command per notebook (what a user would script) and renders in this process.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from civsim import reports
from civsim.report.render import to_docx, to_html, to_pdf


def cpu() -> float:
    """CPU seconds of this process and of every finished child (workers, papermill, their kernels)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sequential(jobs, out: Path) -> float:
    papermill = Path(sys.executable).with_name("papermill")
    start = time.perf_counter()
    for i, job in enumerate(jobs):
        executed = out / f"{i}-{job.name}.ipynb"
        subprocess.run([str(papermill), str(job.notebook), str(executed), "--cwd", str(job.notebook.parent),
                        "-k", reports.KERNEL, "--no-progress-bar", "-y", json.dumps(job.parameters, ensure_ascii=False)],
                       check=True, capture_output=True)
        html = to_html(executed, executed.with_suffix(".html"))
        to_pdf(html, executed.with_suffix(".pdf"), job.layout)
        to_docx(html, executed.with_suffix(".docx"), job.layout)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layout", default="standard")
    args = parser.parse_args()
    items = [(s.district, s.year, s.as_of_month) for s in reports.with_caseload()]
    with tempfile.TemporaryDirectory() as tmp:
        start_cpu = cpu()
        start = time.perf_counter()
        code = reports.main(out=Path(tmp) / "batch", layout=args.layout, progress=False)
        parallel, parallel_cpu = time.perf_counter() - start, cpu() - start_cpu
        assert code == 0
        (Path(tmp) / "seq").mkdir()
        jobs = reports.jobs(items, out=Path(tmp) / "seq", layout=args.layout)
        start_cpu = cpu()
        serial = sequential(jobs, Path(tmp) / "seq")
        serial_cpu = cpu() - start_cpu
    print(f"{len(jobs)} reports on {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}): "
          f"batch {parallel:.1f} s ({parallel_cpu:.0f} CPU s), papermill CLI one after another {serial:.1f} s "
          f"({serial_cpu:.0f} CPU s); speed-up {serial / parallel:.2f}×, CPU {serial_cpu / parallel_cpu:.2f}× less")


if __name__ == "__main__":
    main()
