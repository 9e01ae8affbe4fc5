"""Benchmark: a 200-draw budget window (three years) for 东西湖区, baseline alone and with one
scenario. Prints wall and CPU seconds (the least CPU of ``--repeat`` runs beside the median: the
machine is shared), the peak memory the baseline's projection allocates (tracemalloc, a run of
its own) and the process's peak resident size, and the load averages; the target is under 1 s of
CPU for the baseline.

    .venv/bin/python benchmarks/budget.py [--district 东西湖区] [--year 2021] [--draws 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
import tracemalloc

from civsim import budget

TARGET_CPU_S = 1.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--district", default="东西湖区")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", default="dibao_plus5_july")
    args = parser.parse_args(argv)

    print(f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    budget.project(args.district, args.year, draws=2)  # warm-up: imports, params, CPI table
    results = {}
    for label, chosen in (("baseline", []), (f"baseline + {args.scenario}", [args.scenario])):
        walls, cpus = [], []
        for _ in range(max(1, args.repeat)):
            wall, cpu = time.perf_counter(), time.process_time()
            projection = budget.project(args.district, args.year, chosen, draws=args.draws)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        results[label] = min(cpus)
        print(
            f"{projection.district_name} {projection.years[0]}–{projection.years[-1]}, {args.draws} draws, {label}: "
            f"{min(cpus):.2f} s CPU at least, {statistics.median(cpus):.2f} median of {len(cpus)} "
            f"({statistics.median(walls):.2f} s wall)"
        )
    tracemalloc.start()
    budget.project(args.district, args.year, draws=args.draws)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(
        f"memory: the baseline's projection allocates {peak:.0f} MB at its peak; the process's peak resident "
        f"size {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print(
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; target < {TARGET_CPU_S:g} s CPU for the baseline"
    )
    return 0 if results["baseline"] < TARGET_CPU_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
