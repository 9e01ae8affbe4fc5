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
import threading
import time
from pathlib import Path

from civsim import reports
from civsim.report.render import to_docx, to_html, to_pdf


class TreeCPU:
    """CPU seconds of this process and all its descendants (workers, fork server, papermill, kernels),
    sampled from /proc every 0.1 s: on a machine others share, CPU is what the two ways cost, where
    wall time also measures the neighbours."""

    def __init__(self):
        self.seen: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
        mine = {os.getpid()}
        for _ in range(8):                           # descendants, a level at a time
            mine |= {pid for pid, (parent, _) in stats.items() if parent in mine}
        for pid in mine - {os.getpid()}:
            self.seen[pid] = max(self.seen.get(pid, 0.0), stats[pid][1])

    def _watch(self) -> None:
        while not self.stop.wait(0.1):
            self._sample()

    def __enter__(self):
        own = resource.getrusage(resource.RUSAGE_SELF)
        self.start = own.ru_utime + own.ru_stime
        self._sample()
        self.before = dict(self.seen)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        own = resource.getrusage(resource.RUSAGE_SELF)
        self.seconds = own.ru_utime + own.ru_stime - self.start + sum(
            value - self.before.get(pid, 0.0) for pid, value in self.seen.items())


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
        start = time.perf_counter()
        with TreeCPU() as used:
            code = reports.main(out=Path(tmp) / "batch", layout=args.layout, progress=False)
        parallel, parallel_cpu = time.perf_counter() - start, used.seconds
        assert code == 0
        (Path(tmp) / "seq").mkdir()
        jobs = reports.jobs(items, out=Path(tmp) / "seq", layout=args.layout)
        with TreeCPU() as used:
            serial = sequential(jobs, Path(tmp) / "seq")
        serial_cpu = used.seconds
    print(f"{len(jobs)} reports on {os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f}): "
          f"batch {parallel:.1f} s ({parallel_cpu:.0f} CPU s), papermill CLI one after another {serial:.1f} s "
          f"({serial_cpu:.0f} CPU s); speed-up {serial / parallel:.2f}×, CPU {serial_cpu / parallel_cpu:.2f}× less "
          f"(on {os.cpu_count()} idle cores about {os.cpu_count() * serial_cpu / parallel_cpu:.1f}× at best)")


if __name__ == "__main__":
    main()
