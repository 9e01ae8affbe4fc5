"""The ``civsim`` command: thin argument parsing over the modules; every subcommand names its
jurisdiction with ``--district`` and its period with ``--year`` or ``--date``."""
from __future__ import annotations

import argparse
import json
import os
import sys

from .errors import CivsimError


def _district(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--district", required=required, help="GB/T 2260 code or Chinese name, e.g. 420112 or 东西湖区")


def _year(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--year", type=int, required=required, help="calendar year, e.g. 2020")


def _jurisdiction_run(parser: argparse.ArgumentParser) -> None:
    """Options of a run over every district under a jurisdiction, on Dask (civsim.province)."""
    group = parser.add_argument_group("every district under a jurisdiction, on Dask")
    group.add_argument("--province", default=None, help="every district of this province (code or name)")
    group.add_argument("--city", default=None, help="every district of this city (code or name)")
    group.add_argument("--all", action="store_true", help="every district in data/districts.csv")
    group.add_argument("--out", default=None, help="folder for districts/district=<code>/*.parquet and the roll-ups")
    group.add_argument("--scheduler", default=None, help="address of an existing dask scheduler (default: a local cluster)")
    group.add_argument("--workers", type=int, default=None, help="local cluster workers (default: the core count)")
    group.add_argument("--memory-limit", default=None, help="per local worker, e.g. 4GB (default: memory ÷ workers)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civsim", description="Social-assistance simulation and reports for civil-affairs bureaus.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("params", help="print every parameter in force at a date, with unit and source")
    _district(p)
    p.add_argument("--date", default=None, help="YYYY-MM or YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="a JSON list of {path, value, unit, source}")

    p = sub.add_parser("simulate", help="monthly caseloads and money per program (tidy CSV)")
    _district(p, required=False)
    _year(p)
    p.add_argument("--scenario", action="append", default=[], help="scenario name under params/scenarios (repeatable)")
    p.add_argument("--seed", type=int, default=None, help="seed of the synthetic roll and its monthly draws (default 1)")
    p.add_argument("--roll", default=None, help="folder with a real roll: households.csv|.parquet and persons.csv|.parquet")
    p.add_argument("--csv", default=None, help="write the table here (default: standard output)")
    _jurisdiction_run(p)

    p = sub.add_parser("reconcile", help="reported figures beside the model's")
    _district(p)
    _year(p)
    p.add_argument("--csv", default=None, help="write the table here (default: standard output)")

    p = sub.add_parser("report", help="render the annual summary and next-year plan (HTML, PDF)")
    _district(p, required=False)
    _year(p, required=False)
    p.add_argument("--all", action="store_true", help="every shipped district-year")
    p.add_argument("--scenario", default="baseline", help="scenario for the plan's budget part")
    p.add_argument("--workers", type=int, default=None, help="parallel notebooks (default: the core count)")
    p.add_argument("--out", default=None, help="output folder (default: reports/)")
    p.add_argument("--from-districts", action="store_true",
                   help="a city's or province's summary figures as the sum of its districts' (e.g. 天津市)")
    group = p.add_argument_group("on Dask: every district under a jurisdiction, or any batch")
    group.add_argument("--province", default=None, help="every district of this province × summary and plan")
    group.add_argument("--city", default=None, help="every district of this city × summary and plan")
    group.add_argument("--backend", choices=("processes", "dask"), default="processes",
                       help="processes: a pool on this machine (default); dask: a dask cluster")
    group.add_argument("--scheduler", default=None, help="address of an existing dask scheduler (implies --backend dask)")
    group.add_argument("--memory-limit", default=None, help="per local dask worker, e.g. 4GB")

    p = sub.add_parser("project", help="next year's budget per program with a range (Excel workbook)")
    _district(p)
    _year(p)
    p.add_argument("--scenario", action="append", default=[], help="scenario name (repeatable)")
    p.add_argument("--draws", type=int, default=200, help="Monte Carlo draws for the range")
    p.add_argument("--xlsx", default=None, help="write the workbook here")
    return parser


def _write_table(frame, path: str | None) -> None:
    if path:
        from .atomic import atomic_path

        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False)
        print(f"wrote {len(frame)} rows to {path}", file=sys.stderr)
    else:
        frame.to_csv(sys.stdout, index=False)


def cmd_params(args) -> int:
    import datetime as dt

    from . import params

    date = args.date or dt.date.today().isoformat()
    rows = params.load(args.district).resolve(params.parse_date(date, "--date", "--date"))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        width = max((len(r["path"]) for r in rows), default=10)
        for r in rows:
            print(f"{r['path']:<{width}}  {r['value']:>12g}  {r['unit']:<20}  {r['source']}")
    return 0


def _simulate_jurisdiction(args) -> int:
    from . import province

    chosen = [name for name, given in (("--district", args.district), ("--province", args.province),
                                       ("--city", args.city), ("--all", args.all)) if given]
    if len(chosen) != 1 or chosen == ["--district"]:
        raise CivsimError("civsim simulate", " ".join(chosen) or "--province/--city/--all",
                          "a jurisdiction run needs exactly one of these", "--province X, --city X or --all, with --out DIR")
    if args.roll or args.csv:
        raise CivsimError("civsim simulate", "--roll" if args.roll else "--csv", f"not with {chosen[0]}",
                          "--out DIR (each district runs on its own synthetic roll)")
    level = {"--province": "province", "--city": "city", "--all": None}[chosen[0]]
    return province.main(args.province or args.city, level, args.year, args.scenario, args.seed, args.out,
                         args.scheduler, args.workers, args.memory_limit)


def cmd_simulate(args) -> int:
    from . import engine, params, population

    if args.province or args.city or args.all or args.out or args.scheduler or args.workers or args.memory_limit:
        return _simulate_jurisdiction(args)
    if not args.district:
        raise CivsimError("civsim simulate", "--district", "missing", "--district X, or --province/--city/--all with --out DIR")
    base = params.load(args.district)
    seed = 1 if args.seed is None else args.seed
    roll = population.load_folder(base, args.year, args.roll, seed) if args.roll else None
    frame = engine.simulate(args.district, args.year, scenarios=args.scenario, seed=seed, params=base, roll=roll)
    _write_table(engine.to_csv_frame(frame), args.csv)
    return 0


def cmd_reconcile(args) -> int:
    from . import reconcile

    _write_table(reconcile.reconcile(args.district, args.year), args.csv)
    return 0


def cmd_report(args) -> int:
    from . import reports

    if args.province or args.city:
        from . import batch_dask

        if args.all or args.district or args.from_districts or (args.province and args.city):
            raise CivsimError("civsim report", "--province/--city", "not with --all, --district, --from-districts "
                              "or each other", "--province X or --city X, with --year Y")
        return batch_dask.main(args.province or args.city, "province" if args.province else "city", args.year,
                               args.scenario, args.out, scheduler=args.scheduler, workers=args.workers,
                               memory_limit=args.memory_limit)
    runner = None
    if args.backend == "dask" or args.scheduler or args.memory_limit:
        import functools

        from . import batch_dask

        runner = functools.partial(batch_dask.run, scheduler=args.scheduler, memory_limit=args.memory_limit)
    if not args.all and not (args.district and args.year):
        raise CivsimError("civsim report", "--district/--year", "missing", "--district X --year Y, or --all")
    return reports.main(district=None if args.all else args.district, year=None if args.all else args.year,
                        scenario=args.scenario, workers=args.workers, out=args.out, from_districts=args.from_districts,
                        runner=runner)


def cmd_project(args) -> int:
    from . import budget

    return budget.main(args.district, args.year, args.scenario, args.draws, args.xlsx)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return globals()[f"cmd_{args.command}"](args)
    except CivsimError as exc:
        print(f"civsim: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `civsim params … | head` closed the pipe early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
