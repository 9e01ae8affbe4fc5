"""The report batch against the same notebooks run one after another with the papermill CLI.

Run on demand:  .venv/bin/python benchmarks/batch.py [--layout gongwen]
Both sides execute the reports `civsim report --all` renders (summary, plan and budget of every
district with a caseload) and write HTML, PDF and Word; the sequential side runs ``papermill`` as
a command per notebook (what a user would script) and renders in this process.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from civsim import batch, reports
from civsim.report.render import to_docx, to_html, to_pdf


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
        jobs = reports.jobs(items, out=Path(tmp) / "batch", layout=args.layout)
        start = time.perf_counter()
        outcomes = batch.run(jobs, progress=False, kernel_name=reports.KERNEL)
        parallel = time.perf_counter() - start
        assert all(o.ok for o in outcomes), batch.summary(outcomes)
        (Path(tmp) / "seq").mkdir()
        serial = sequential(reports.jobs(items, out=Path(tmp) / "seq", layout=args.layout), Path(tmp) / "seq")
    print(f"{len(jobs)} reports: batch {parallel:.1f} s, papermill CLI one after another {serial:.1f} s, "
          f"speed-up {serial / parallel:.2f}×")


if __name__ == "__main__":
    main()
