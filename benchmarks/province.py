"""A province's what-if on the LocalCluster: 100 synthetic districts, baseline and a scenario,
with the roll-ups to its cities and the province (what `civsim simulate --province X --scenario S`
does for a province listed in data/districts.csv).

Run on demand:  .venv/bin/python benchmarks/province.py [--districts 100] [--workers 2]
                                                        [--scenario dibao_plus5_july] [--year 2021]

The districts are built as benchmarks/national.py builds a nation's (shipped districts whose
parameters cover the year, every caseload scaled, log-normal sizes), here under one synthetic
province of up to nine cities, a province's share of the nation's 40 million persons on 低保 and
特困. Prints the cluster's start, the run (districts out, tables back), the roll-up, the workers'
CPU seconds and the load average; the target is the run and roll-up in under 10 s on 2 workers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import national  # noqa: E402

TARGET_S = 10


def measure(districts: int, workers: int | None = 2, scenario: str = "dibao_plus5_july", year: int = 2021) -> dict:
    """Run the synthetic province (``workers`` None: one after another in this process, no cluster)."""
    from civsim import cluster, province

    units, above = national.nation(districts, 40e6 * districts / 2800, year=year, provinces=1)
    members = {u.district.code: u.district for u in units}
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    if workers is None:
        frames = {u.district.code: province.run_district(u, year, [scenario]) for u in units}
        started = run_s = time.perf_counter() - start
        cpu = None
    else:
        with cluster.connect(workers=workers) as client:
            client.run(lambda: __import__("civsim.province"))  # imports warm
            started = time.perf_counter() - start
            cpu_before = sum(client.run(national._cpu_seconds).values())
            begun = time.perf_counter()
            result = province.run(units, year, [scenario], client=client, progress=False)
            run_s = time.perf_counter() - begun
            cpu = sum(client.run(national._cpu_seconds).values()) - cpu_before
        if result.failures:
            raise SystemExit(f"districts failed: {dict(list(result.failures.items())[:3])}")
        frames = result.frames
    begun = time.perf_counter()
    table = province.roll_up(frames, members, lambda d: above[d.code])
    rollup_s = time.perf_counter() - begun
    top = table[table["level"] == "province"]
    totals = top.groupby("scenario", sort=False)["amount_yuan"].sum()
    return {
        "districts": len(frames),
        "workers": workers,
        "start_s": started,
        "run_s": run_s,
        "rollup_s": rollup_s,
        "worker_cpu_s": cpu,
        "load": (load_before, os.getloadavg()[0]),
        "scenarios": list(totals.index),
        "baseline_yuan": float(totals.iloc[0]),
        "scenario_yuan": float(totals.iloc[-1]),
        "cities": int(table.loc[table["level"] == "city", "jurisdiction"].nunique()),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenario", default="dibao_plus5_july")
    parser.add_argument("--year", type=int, default=2021)
    args = parser.parse_args(argv)
    r = measure(args.districts, args.workers, args.scenario, args.year)
    total = r["run_s"] + r["rollup_s"]
    print(
        f"synthetic province, {r['districts']} districts in {r['cities']} cities, {args.year}, baseline and "
        f"{args.scenario}: cluster start {r['start_s']:.1f} s; run {r['run_s']:.1f} s on {args.workers} workers "
        f"(worker CPU {r['worker_cpu_s']:.1f} s); roll-up {r['rollup_s']:.1f} s; run + roll-up {total:.1f} s "
        f"(target < {TARGET_S} s); province total {r['baseline_yuan'] / 1e8:,.2f} → {r['scenario_yuan'] / 1e8:,.2f} 亿元; "
        f"1-min load average {r['load'][0]:.1f} before, {r['load'][1]:.1f} after",
        flush=True,
    )
    return 0 if total < TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
