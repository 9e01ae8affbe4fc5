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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civsim", description="Social-assistance simulation and reports for civil-affairs bureaus.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("params", help="print every parameter in force at a date, with unit and source")
    _district(p)
    p.add_argument("--date", default=None, help="YYYY-MM or YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="a JSON list of {path, value, unit, source}")

    p = sub.add_parser("simulate", help="monthly caseloads and money per program (tidy CSV)")
    _district(p)
    _year(p)
    p.add_argument("--scenario", action="append", default=[], help="scenario name under params/scenarios (repeatable)")
    p.add_argument("--seed", type=int, default=None, help="seed of the synthetic roll and its monthly draws (default 1)")
    p.add_argument("--roll", default=None, help="folder with a real roll: households.csv|.parquet and persons.csv|.parquet")
    p.add_argument("--csv", default=None, help="write the table here (default: standard output)")

    p = sub.add_parser("reconcile", help="reported figures beside the model's")
    _district(p)
    _year(p)
    p.add_argument("--csv", default=None, help="write the table here (default: standard output)")

    p = sub.add_parser("report", help="render the annual summary, next-year plan and budget (HTML, PDF, Word)")
    _district(p, required=False)
    _year(p, required=False)
    p.add_argument("--all", action="store_true",
                   help="every jurisdiction with a caseload: at --year, else at its latest caseload year")
    p.add_argument("--layout", choices=("standard", "gongwen"), default="standard",
                   help="PDF and Word layout: standard (intranet) or gongwen (GB/T 9704 official document)")
    p.add_argument("--scenario", default="baseline", help="scenario for the plan's budget part")
    p.add_argument("--workers", type=int, default=None, help="parallel notebooks (default: the core count)")
    p.add_argument("--out", default=None, help="output folder (default: reports/)")

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


def cmd_simulate(args) -> int:
    from . import engine, params, population

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

    if not args.all and not (args.district and args.year):
        raise CivsimError("civsim report", "--district/--year", "missing", "--district X --year Y, or --all [--year Y]")
    return reports.main(district=None if args.all else args.district, year=args.year,
                        scenario=args.scenario, workers=args.workers, out=args.out, layout=args.layout)


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
