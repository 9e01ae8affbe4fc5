"""A synthetic nation on the LocalCluster: ~2,800 districts, ~40 million persons on 低保 and 特困.

Run on demand (not in CI):  .venv/bin/python benchmarks/national.py [--districts N] [--persons P]
                                                                   [--workers 1,2] [--memory-limit 4GB]
                            .venv/bin/python benchmarks/national.py --in-process 100

Each synthetic district is a ParamSet built in memory from a shipped district whose roll holds
低保 or 特困 recipients (today 东西湖区), with every ``caseload`` leaf scaled by a scenario
overlay (as benchmarks/run.py scales one district). District sizes are log-normal (seeded), then
scaled together so the nation's 低保 + 特困 persons at the anchor month total ``--persons``.
The districts sit under 31 synthetic provinces of up to nine cities each (codes 9PPCDD, which no
real GB/T 2260 code uses), so the roll-ups run at national shape. 12 months, all programs.

Per worker count: wall time of the run (districts out, aggregates back, each district's Parquet
written on arrival), the roll-up, peak resident memory of each worker, and throughput in
person-months per second — persons on 低保 and 特困 summed over the 12 months, divided by the
wall time. Each worker is capped at ``--memory-limit`` (the nanny restarts a worker past it).
The workers' CPU seconds and the load average are printed too: on a shared machine the wall time
depends on what else runs, the CPU time much less.

``--in-process K`` runs K districts of the nation (evenly spread over it) one after another in this
process, no cluster: the CPU time of a district-year, split by least squares into a fixed part and
a part per 1,000 rows of its roll (households and persons). Every run also checks the national
numbers: the first districts of the nation, summed in integer fen, against ``REFERENCE``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

# the caseloads the national figure counts: 低保 and 特困 (with their price subsidies' families)
HEADLINE = ("dibao", "tekun")
YEAR = 2020
PROVINCES = 31
# The first 4 districts of the 2,800-district nation in YEAR, their money summed in integer fen: the
# national run's numbers, which no change for speed may move (tests/test_benchmarks.py checks them).
# A rule or parameter changed on purpose moves them: record the new sum here with the change.
REFERENCE = (4, 87_368_464_022)


def headline_persons(frame, month) -> float:
    """Persons on 低保 and 特困 in one month of a district's table."""
    rows = frame[(frame["scenario"] == "baseline") & (frame["month"] == month) & frame["program"].isin(HEADLINE)]
    return float(rows["persons"].sum())


def anchor(params, year: int = YEAR):
    """The month of a district's reported caseloads, which its synthetic roll reproduces."""
    from civsim.synthetic import caseload_anchor

    return pd.Period(caseload_anchor(params, year), "M")


def templates(only=None, year: int = YEAR):
    """Shipped districts whose parameters cover ``year`` and whose rolls hold 低保 or 特困
    recipients, with that count at the anchor. A district whose parameters begin after ``year``
    (翔安区's standards from 2022) cannot be simulated in ``year``: it is left out, and named."""
    from civsim import districts, engine, params
    from civsim.errors import CivsimError

    found, skipped = [], []
    for d in districts.load_districts().values():
        if d.level != "district" or (only is not None and d.code not in only and d.name not in only):
            continue
        base = params.load(d.code)
        try:
            month = anchor(base, year)  # a roll anchored before the year: counted in its first month
            month = month if month.year == year else pd.Period(f"{year}-01", "M")
            frame = engine.simulate(d.code, year, params=base)
            engine.require_someone(frame, year)  # counts only for later years: no one this year
            persons = headline_persons(frame, month)
        except CivsimError as error:  # no value in force in the year: not a template for it
            skipped.append(f"{d.name}: its parameters do not cover {year} ({error})")
            continue
        if persons > 0:
            found.append((base, persons))
        else:
            skipped.append(f"{d.name}: no 低保 or 特困 recipients on its roll in {month}")
    for line in skipped:
        print(f"template left out, {line}", file=sys.stderr)
    if not found:
        sys.exit(f"no shipped district covering {year} has 低保 or 特困 recipients to scale")
    return found


def nation(
    n: int,
    persons: float,
    seed: int = 2800,
    only=None,
    year: int = YEAR,
    provinces: int = PROVINCES,
    first: int | None = None,
):
    """n ParamSets built from the templates with scaled caseloads, and each one's jurisdictions
    (under ``provinces`` synthetic provinces); only the ``first`` of them when given (the same
    districts as in the whole nation)."""
    from civsim import districts, scenarios

    bases = templates(only, year)
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0.0, 0.6, n)
    own = np.array([bases[i % len(bases)][1] for i in range(n)])
    scale = size * persons / (size * own).sum()  # district i holds scale[i] × its template's recipients
    count = provinces
    provinces = [
        districts.District(f"9{p:02d}000", f"合成省{p:02d}", f"hechengsheng{chr(97 + p % 26)}", None, "province")
        for p in range(1, count + 1)
    ]
    units, above, cities = [], {}, {}
    per_province = -(-n // count)
    city_size = -(-per_province // 9)  # at most nine cities a province: codes 9PP100 … 9PP900
    firsts = {}
    for i in range(n):
        firsts.setdefault(i * count // n, i)
    for i in range(n if first is None else min(first, n)):
        p = i * count // n
        c, k = divmod(i - firsts[p], city_size)
        province = provinces[p]
        city_code = f"{province.code[:3]}{c + 1}00"
        city = cities.setdefault(
            city_code,
            districts.District(city_code, f"{province.name}合成市{c + 1}", "hechengshi", province.code, "city"),
        )
        code = f"{city_code[:4]}{k + 1:02d}"
        district = districts.District(code, f"{city.name}合成区{k + 1:02d}", "hechengqu", city.code, "district")
        base = bases[i % len(bases)][0]
        grow = scenarios.parse(
            {
                "name": "scale",
                "changes": [{"path": "caseload", "from": "2000-01-01", "percent": float((scale[i] - 1) * 100)}],
            }
        )
        scaled = scenarios.apply(base, grow)
        units.append(replace(scaled.with_leaves(scaled.leaves, "baseline"), district=district))
        above[code] = [city, province]
    if len({u.district.code for u in units}) != len(units):
        sys.exit("synthetic district codes collide; lower --districts")
    return units, above


def total_fen(units, year: int = YEAR) -> int:
    """The districts' money over the year (baseline), each table's amounts in integer fen, summed."""
    from civsim import province

    return sum(
        int(np.rint(province.run_district(u, year)["amount_yuan"].to_numpy() * 100).astype(np.int64).sum())
        for u in units
    )


def reference_fen() -> int:
    """:func:`total_fen` of the first ``REFERENCE[0]`` districts of the 2,800-district nation."""
    units, _ = nation(2800, 40e6, first=REFERENCE[0])
    return total_fen(units)


def district_years(units, year: int = YEAR, repeat: int = 1) -> dict:
    """Each district-year run one after another in this process (the fastest of ``repeat`` runs of
    each): CPU seconds per district-year, split into a fixed part and one per 1,000 roll rows."""
    from civsim import province, synthetic

    province.run_district(units[0], year)  # imports and first reads, not timed
    cpu, rows = [], []
    for unit in units:
        best = np.inf
        for _ in range(repeat):
            start = time.process_time()
            province.run_district(unit, year)
            best = min(best, time.process_time() - start)
        cpu.append(best)
        roll = synthetic.synthesize(unit, year)
        rows.append((len(roll.households) + len(roll.persons)) / 1000)
    cpu, rows = np.array(cpu), np.array(rows)
    per_row, fixed = np.polyfit(rows, cpu, 1) if len(set(rows.tolist())) > 1 else (0.0, float(cpu.mean()))
    return {
        "districts": len(units),
        "cpu_s": float(cpu.mean()),
        "fixed_s": float(fixed),
        "per_1000_rows_s": float(per_row),
        "rows_k": float(rows.mean()),
        "load": os.getloadavg()[0],
    }


def measure(units, above, workers: int, memory_limit: str) -> dict:
    from civsim import cluster, province

    month = anchor(units[0])
    with tempfile.TemporaryDirectory() as tmp:

        def save(code, frame):
            province._write_parquet(
                province.written(frame), Path(tmp) / "districts" / f"district={code}" / "part-0.parquet"
            )

        with cluster.connect(workers=workers, memory_limit=memory_limit) as client:
            client.run(lambda: __import__("civsim.province"))  # imports warm, not timed
            cpu_before = sum(client.run(_cpu_seconds).values())
            load_before = os.getloadavg()[0]
            start, driver = time.perf_counter(), _cpu_seconds()
            result = province.run(units, YEAR, client=client, progress=sys.stderr.isatty(), on_result=save)
            wall, driver = time.perf_counter() - start, _cpu_seconds() - driver
            load_after = os.getloadavg()[0]
            cpu = sum(client.run(_cpu_seconds).values()) - cpu_before
            peaks = cluster.worker_peak_memory(client)
        start = time.perf_counter()
        table = province.roll_up(result.frames, result.districts, lambda d: above[d.code])
        rollup = time.perf_counter() - start
    frames = list(result.frames.values())
    months = sum(
        float(f.loc[(f["scenario"] == "baseline") & f["program"].isin(HEADLINE), "persons"].sum()) for f in frames
    )
    at_anchor = sum(headline_persons(f, month) for f in frames)
    national = table[table["level"] == "province"]
    return {
        "workers": workers,
        "districts": len(frames),
        "failed": len(result.failures),
        "headline_persons": at_anchor,
        "person_months": months,
        "wall_s": wall,
        "rollup_s": rollup,
        "person_months_per_s": months / wall,
        "worker_cpu_s": cpu,
        "driver_cpu_s": driver,
        "load": (load_before, load_after),
        "peak_worker_mb": max(peaks.values()) / 2**20,
        "peak_workers_mb": sorted(v / 2**20 for v in peaks.values()),
        "driver_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "provinces": national["jurisdiction"].nunique(),
        "cities": table.loc[table["level"] == "city", "jurisdiction"].nunique(),
        "national_yuan": float(national["amount_yuan"].sum()),
        "failures": dict(list(result.failures.items())[:5]),
    }


def _cpu_seconds() -> float:
    """User + system CPU time of this (worker) process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=2800)
    parser.add_argument(
        "--persons",
        type=float,
        default=None,
        help="低保 + 特困 persons in all (default 40 million × districts / 2,800)",
    )
    parser.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2")
    parser.add_argument("--memory-limit", default="4GB", help="per worker")
    parser.add_argument(
        "--in-process",
        type=int,
        default=None,
        metavar="K",
        help="K districts spread over the nation, one after another here (no cluster)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="with --in-process: the fastest of this many runs each")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if not 1 <= args.districts <= PROVINCES * 9 * 99:
        sys.exit(f"--districts from 1 to {PROVINCES * 9 * 99}")
    persons = args.persons or 40e6 * args.districts / 2800
    fen, recorded = reference_fen(), REFERENCE[1]
    print(
        f"national numbers: the first {REFERENCE[0]} districts pay {fen:,} fen in {YEAR} "
        f"({'unchanged' if fen == recorded else f'CHANGED from {recorded:,}'})",
        flush=True,
    )
    if fen != recorded:
        sys.exit(1)
    units, above = nation(args.districts, persons)
    if args.in_process:
        r = district_years(units[:: max(1, len(units) // args.in_process)][: args.in_process], repeat=args.repeat)
        print(
            f"{r['districts']} district-years in this process: {r['cpu_s'] * 1000:.1f} ms of CPU each "
            f"({r['rows_k']:.0f} thousand roll rows on average) = {r['fixed_s'] * 1000:.1f} ms fixed + "
            f"{r['per_1000_rows_s'] * 1000:.3f} ms per 1,000 rows; 1-min load average {r['load']:.1f}",
            flush=True,
        )
        return
    print(
        f"built {len(units):,} synthetic districts in {time.perf_counter() - start:.1f} s "
        f"(target {persons:,.0f} persons on 低保 and 特困)",
        flush=True,
    )
    runs = []
    for workers in (int(w) for w in args.workers.split(",")):
        r = measure(units, above, workers, args.memory_limit)
        runs.append(r)
        print(
            f"{workers} worker(s): {r['districts']:,} districts ({r['failed']} failed), "
            f"{r['headline_persons']:,.0f} persons on 低保+特困 at the anchor month, "
            f"{r['person_months']:,.0f} person-months in {r['wall_s']:.1f} s = {r['person_months_per_s']:,.0f} person-months/s; "
            f"roll-up to {r['cities']} cities and {r['provinces']} provinces {r['rollup_s']:.1f} s; "
            f"peak memory per worker {', '.join(f'{m:,.0f}' for m in r['peak_workers_mb'])} MB "
            f"(limit {args.memory_limit}), driver {r['driver_peak_mb']:,.0f} MB; "
            f"national total {r['national_yuan'] / 1e8:,.2f} 亿元 ({r['national_yuan']:,.2f} 元); worker CPU {r['worker_cpu_s']:.1f} s "
            f"({r['worker_cpu_s'] / r['districts'] * 1000:.1f} ms a district-year, "
            f"{r['person_months'] / r['worker_cpu_s']:,.0f} person-months per CPU-second), driver CPU {r['driver_cpu_s']:.1f} s; "
            f"1-min load average {r['load'][0]:.1f} before, {r['load'][1]:.1f} after",
            flush=True,
        )
        if r["failures"]:
            print("  failures:", r["failures"], flush=True)
    if len(runs) > 1:
        base = runs[0]
        for r in runs[1:]:
            print(f"speed-up {base['workers']}→{r['workers']} workers: {base['wall_s'] / r['wall_s']:.2f}×")


if __name__ == "__main__":
    main(sys.argv[1:])
