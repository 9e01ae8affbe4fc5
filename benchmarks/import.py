"""Importing a bureau's exports: 100,000 households with about 160,000 persons from .xlsx.

Run on demand (not in CI):  .venv/bin/python benchmarks/import.py [households]
The seeded sample generator writes the eight exports once (cached under /tmp, not timed); the
import then runs in a fresh process so its time and peak memory (ru_maxrss) are its own: reading
every sheet, checking every 身份证号, joining, hashing and writing the roll folder. CPU time
(user + system, including the interpreter's start and imports) and the load average are shown
because wall time on a shared machine depends on what else runs.
Targets: under 10 s of CPU and 500 MB at peak.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(folder: str, out: str) -> dict:
    from civsim.bureau import commands

    start = time.perf_counter()
    roll = commands.run_import(sorted(Path(folder).glob("*.xlsx")), "东西湖区", out, salt="benchmark-salt-0123456789")
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "households": len(roll.households),
        "persons": len(roll.persons),
        "import_s": round(seconds, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "load": round(os.getloadavg()[0], 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(households: int = 100_000) -> None:
    from civsim.bureau import sample

    folder = Path(tempfile.gettempdir()) / f"civsim-bench-exports-{households}"
    if not (folder / "done").exists():
        start = time.perf_counter()
        sample.write_sample("东西湖区", households, folder, seed=1)
        (folder / "done").write_text("")
        print(f"wrote the exports in {time.perf_counter() - start:.1f} s (not timed below)", file=sys.stderr)
    size_mb = sum(p.stat().st_size for p in folder.glob("*.xlsx")) / 2**20
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            [sys.executable, __file__, "--measure", str(folder), out], capture_output=True, text=True, check=True
        )
    row = json.loads(result.stdout.strip().splitlines()[-1])
    row["xlsx_mb"] = round(size_mb, 1)
    print("| households | persons | .xlsx | import (wall) | CPU | peak memory | load average |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {row['households']:,} | {row['persons']:,} | {row['xlsx_mb']} MB | {row['import_s']} s | "
        f"{row['cpu_s']} s | {row['peak_mb']:,} MB | {row['load']} |"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        print(json.dumps(measure(sys.argv[2], sys.argv[3])))
    else:
        main(*(int(a) for a in sys.argv[1:2]))
