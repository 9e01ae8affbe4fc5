"""The report batch against the same notebooks run one after another with the papermill CLI.

Run on demand:  .venv/bin/python benchmarks/batch.py [--layout gongwen] [--rounds 3]
                 [--district 东西湖区 [--document 工作计划]]
Both sides execute the reports `civsim report --all` renders (summary, plan and budget of every
district with a caseload) and write HTML, PDF and Word; the sequential side runs ``papermill`` as
a command per notebook (what a user would script: no context given, so each notebook computes
what it shows) and renders in this process. Each round runs both sides from nothing (new output
folders; the contexts the batch computes live only for its run), prints the load averages (1, 5,
15 min) around each side, and checks that both executed the same notebooks to the same outputs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from civsim import batch, report_jobs
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
        for _ in range(8):  # descendants, a level at a time
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
        self.seconds = (
            own.ru_utime
            + own.ru_stime
            - self.start
            + sum(value - self.before.get(pid, 0.0) for pid, value in self.seen.items())
        )


def sequential(jobs, out: Path) -> float:
    papermill = Path(sys.executable).with_name("papermill")
    start = time.perf_counter()
    for i, job in enumerate(jobs):
        executed = out / f"{i}-{job.name}.ipynb"
        subprocess.run(
            [
                str(papermill),
                str(job.notebook),
                str(executed),
                "--cwd",
                str(job.notebook.parent),
                "-k",
                report_jobs.KERNEL,
                "--no-progress-bar",
                "-y",
                json.dumps(job.parameters, ensure_ascii=False),
            ],
            check=True,
            capture_output=True,
        )
        html = to_html(executed, executed.with_suffix(".html"))
        to_pdf(html, executed.with_suffix(".pdf"), job.layout)
        to_docx(html, executed.with_suffix(".docx"), job.layout)
    return time.perf_counter() - start


_VOLATILE = [(re.compile(r"ipykernel_\d+"), "ipykernel_N"), (re.compile(r" at 0x[0-9a-f]+"), " at 0x…")]


def outputs(path: Path, root: Path) -> list:
    """A notebook's code outputs, without what differs between any two runs (kernel pid, object
    addresses, the output folder)."""
    import nbformat

    text = json.dumps(
        [c.get("outputs", []) for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"],
        ensure_ascii=False,
        sort_keys=True,
    ).replace(str(root), "ROOT")
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return json.loads(text)


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def one_round(
    items, layout: str, one: bool = False, document: str | None = None
) -> tuple[float, float, float, float, str]:
    """Both sides from nothing; with ``document`` (a report's file name) only that report of each
    district-year, each notebook computing its own figures on both sides."""
    with tempfile.TemporaryDirectory() as tmp:
        before = load()
        start = time.perf_counter()
        with TreeCPU() as used:
            if document is None:
                chosen = {"district": items[0][0], "year": items[0][1]} if one else {}
                code = report_jobs.main(out=Path(tmp) / "batch", layout=layout, progress=False, **chosen)
            else:
                code = int(
                    not all(
                        o.ok
                        for o in batch.run(
                            _jobs(items, Path(tmp) / "batch", layout, document),
                            progress=False,
                            kernel_name=report_jobs.KERNEL,
                        )
                    )
                )
        parallel, parallel_cpu = time.perf_counter() - start, used.seconds
        assert code == 0
        between = load()
        (Path(tmp) / "seq").mkdir()
        jobs = _jobs(items, Path(tmp) / "seq", layout, document)
        with TreeCPU() as used:
            serial = sequential(jobs, Path(tmp) / "seq")
        serial_cpu = used.seconds
        after = load()
        batch_jobs = _jobs(items, Path(tmp) / "batch", layout, document)
        differ = [
            job.label
            for i, (job, mine) in enumerate(zip(jobs, batch_jobs))
            if outputs(Path(tmp) / "seq" / f"{i}-{job.name}.ipynb", Path(tmp) / "seq")
            != outputs(mine.output("ipynb"), Path(tmp) / "batch")
        ]
        assert not differ, f"the batch and papermill disagree on {differ}"
    return parallel, parallel_cpu, serial, serial_cpu, f"load {before} → {between} → {after}"


def _jobs(items, out: Path, layout: str, document: str | None) -> list:
    return [
        job
        for job in report_jobs.jobs(items, out=out, layout=layout, shared=False)
        if document is None or job.name == document
    ]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layout", default="standard")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--district",
        default=None,
        help="only this district's reports of its first year with a caseload (the suite's smoke form)",
    )
    parser.add_argument(
        "--document",
        default=None,
        choices=[report_jobs.SUMMARY_NAME, report_jobs.PLAN_NAME, report_jobs.BUDGET_NAME],
        help="only this report of each district-year, each notebook computing its own figures",
    )
    args = parser.parse_args(argv)
    items = [
        (s.district, s.year, s.as_of_month)
        for s in report_jobs.with_caseload()
        if args.district is None or s.district == args.district
    ]
    if not items:
        sys.exit(f"no district with a caseload named {args.district}")
    if args.district is not None:  # its first year: what `civsim report --district X --year Y` renders
        items = items[:1]
    count = len(_jobs(items, Path(tempfile.gettempdir()), args.layout, args.document))
    for _ in range(args.rounds):
        parallel, parallel_cpu, serial, serial_cpu, loads = one_round(
            items, args.layout, one=args.district is not None, document=args.document
        )
        print(
            f"{count} reports on {os.cpu_count()} cores ({loads}): "
            f"batch {parallel:.1f} s ({parallel_cpu:.0f} CPU s), papermill CLI one after another {serial:.1f} s "
            f"({serial_cpu:.0f} CPU s); speed-up {serial / parallel:.2f}×, CPU {serial_cpu / parallel_cpu:.2f}× less "
            f"(on {os.cpu_count()} idle cores about {os.cpu_count() * serial_cpu / parallel_cpu:.1f}× at best); "
            "same outputs",
            flush=True,
        )


if __name__ == "__main__":
    main()
