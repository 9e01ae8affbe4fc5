"""Benchmark: a 200-draw budget window (three years) for 东西湖区, baseline alone and with one
scenario. Prints wall and CPU seconds; the target is under 10 s for the baseline.

    .venv/bin/python benchmarks/budget.py [--district 东西湖区] [--year 2021] [--draws 200]
"""
from __future__ import annotations

import argparse
import time

from civsim import budget

TARGET_S = 10


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--district", default="东西湖区")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--scenario", default="dibao_plus5_july")
    args = parser.parse_args(argv)

    budget.project(args.district, args.year, draws=2)           # warm-up: imports, params, CPI table
    results = {}
    for label, chosen in (("baseline", []), (f"baseline + {args.scenario}", [args.scenario])):
        wall, cpu = time.perf_counter(), time.process_time()
        projection = budget.project(args.district, args.year, chosen, draws=args.draws)
        results[label] = (time.perf_counter() - wall, time.process_time() - cpu)
        print(f"{projection.district_name} {projection.years[0]}–{projection.years[-1]}, {args.draws} draws, {label}: "
              f"{results[label][0]:.1f} s wall, {results[label][1]:.1f} s CPU")
    return 0 if results["baseline"][0] < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
