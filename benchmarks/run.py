"""Engine throughput and memory at 10k … 10M households × 12 months, against a bare-numpy floor.

Run on demand (not in CI):  .venv/bin/python benchmarks/run.py [sizes…]
Each size runs in a fresh process so its peak memory (ru_maxrss) is its own. The population is
东西湖区's with every caseload scaled up so the 低保 candidate pool holds the requested number
of households (other programs scale with it). "engine" is a warm ``Simulation.run`` (all
programs, roll and income path built); "floor" is the 低保 gap formula alone as bare numpy over
the same arrays; "cold" adds building the roll and its income path.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

SIZES = [10_000, 100_000, 1_000_000, 10_000_000]


def measure(households: int, detail: bool = False) -> dict:
    import numpy as np

    from civsim import engine, params, scenarios, synthetic

    base = params.load("东西湖区")
    roll = synthetic.synthesize(base, 2020)
    pool = int((roll.households["category"] == "dibao").sum())
    scale = scenarios.parse(
        {
            "name": "scale",
            "changes": [{"path": "caseload", "from": "2000-01-01", "percent": (households / pool - 1) * 100}],
        }
    )
    scaled = scenarios.apply(base, scale)
    start = time.perf_counter()
    sim = engine.Simulation(scaled, 2020)
    sim.run(scaled)
    cold = time.perf_counter() - start
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        sim.run(scaled)
        runs.append(time.perf_counter() - start)
    warm = min(runs)

    income = sim.income(scaled)
    households = sim.roll.households  # the 低保 candidates' columns, without copying the table
    area = sim.roll.area_code[sim.pool].astype("int64")
    size = households["size"].to_numpy()[sim.pool].astype("float64")
    draw = households["claim_draw"].to_numpy()[sim.pool].astype("float32")
    take_up = scaled.at("dibao.take_up", "2020-01")
    standards = np.stack([scaled.monthly(f"dibao.standard.{a}", sim.months) for a in ("urban", "rural")], axis=1)
    floors = []
    for _ in range(3):
        start = time.perf_counter()
        for t in range(len(sim.months)):
            standard = standards[t][area]
            claims = (income[t] < standard) & (draw < take_up)
            np.bincount(area, weights=np.where(claims, (standard - income[t]) * size, 0.0), minlength=2)
        floors.append(time.perf_counter() - start)
    floor = min(floors)
    detail_mb = None
    if detail:
        _, per_entity = sim.run(scaled, detail=True)
        detail_mb = round(
            sum(rows.nbytes + amounts.nbytes for _, months in per_entity.lines.values() for rows, amounts in months)
            / 2**20
        )
    n = len(sim.pool)
    return {
        "households": n,
        "persons": len(sim.roll.persons),
        "detail_mb": detail_mb,
        "cold_s": round(cold, 3),
        "engine_s": round(warm, 3),
        "floor_s": round(floor, 3),
        "ratio": round(warm / floor, 2),
        "households_per_s": round(n * 12 / warm),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(int(argv[1]), detail=argv[2:3] == ["--detail"])))
        return
    sizes = [int(a) for a in argv] or SIZES
    print(
        f"{'households':>11} {'persons':>11} {'cold s':>8} {'engine s':>9} {'floor s':>8} {'ratio':>6} {'hh-months/s':>12} "
        f"{'peak MB':>8} {'detail MB':>10}"
    )
    for n in sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n)] + (["--detail"] if n <= 1_000_000 else []),
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['households']:>11,} {r['persons']:>11,} {r['cold_s']:>8} {r['engine_s']:>9} {r['floor_s']:>8} {r['ratio']:>6} "
            f"{r['households_per_s']:>12,} {r['peak_mb']:>8,} {str(r['detail_mb']):>10}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
