"""Benchmark: one control change in the scenario explorer → recompute, for 东西湖区 (a district-size
roll). Prints the median of 20 in milliseconds; the target is under 200 ms.

    .venv/bin/python benchmarks/explorer.py [--district 东西湖区] [--year 2021] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from civsim import explorer

TARGET_MS = 200


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--district", default="东西湖区")
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app = explorer.build(args.district, args.year, folder=folder, debounce=None)
        build_ms = (time.perf_counter() - started) * 1000
        control = app.control("dibao.standard.urban")
        app.month_box.value = 7
        app.recompute()  # warm-up
        times = []
        for i in range(args.repeat):
            started = time.perf_counter()
            control.percent.value = 1 + i % 10 + (i // 10) * 0.5  # a new value every time
            app.recompute()
            times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    print(
        f"{app.params.district.name} {args.year}: {len(app.sim.roll.households)} households, "
        f"{len(app.sim.roll.persons)} persons; build {build_ms:.0f} ms"
    )
    print(
        f"control change -> recompute: median {median:.1f} ms over {args.repeat} "
        f"(min {min(times):.1f}, max {max(times):.1f}); target < {TARGET_MS} ms"
    )
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
