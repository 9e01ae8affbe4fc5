"""``civsim report`` (the annual summary, next-year plan and budget notebooks rendered for a
district, every jurisdiction, or a province's or city's districts on Dask) and ``civsim project``
(the budget window per program as an Excel workbook)."""

from __future__ import annotations

from .cli_options import (
    MAX_WORKERS,
    add_district,
    add_year,
    check_folder,
    check_output,
    check_year_option,
    chosen_scenarios,
    integer,
    memory,
)
from .errors import CivsimError

MAX_DRAWS = 10_000  # ~12 ms a draw for a district: minutes, not days


def add_parsers(sub) -> None:
    p = sub.add_parser("report", help="render the annual summary, next-year plan and budget (HTML, PDF, Word)")
    add_district(p, required=False)
    add_year(p, required=False)
    p.add_argument(
        "--all",
        action="store_true",
        help="every jurisdiction with a caseload: at --year, else at its latest caseload year",
    )
    p.add_argument(
        "--layout",
        choices=("standard", "gongwen"),
        default="standard",
        help="PDF and Word layout: standard (intranet) or gongwen (GB/T 9704 official document)",
    )
    p.add_argument("--scenario", default="baseline", help="scenario for the plan's budget part")
    p.add_argument(
        "--workers",
        type=integer(1, MAX_WORKERS, "a number of workers"),
        default=None,
        help="parallel notebooks (default: the core count)",
    )
    p.add_argument("--out", default=None, help="output folder (default: reports/)")
    p.add_argument(
        "--from-districts",
        action="store_true",
        help="a city's or province's summary figures as the sum of its districts' (e.g. 天津市)",
    )
    group = p.add_argument_group("on Dask: every district under a jurisdiction, or any batch")
    group.add_argument("--province", default=None, help="every district of this province × summary and plan")
    group.add_argument("--city", default=None, help="every district of this city × summary and plan")
    group.add_argument(
        "--backend",
        choices=("processes", "dask"),
        default="processes",
        help="processes: a pool on this machine (default); dask: a dask cluster",
    )
    group.add_argument(
        "--scheduler", default=None, help="address of an existing dask scheduler (implies --backend dask)"
    )
    group.add_argument("--memory-limit", type=memory, default=None, help="per local dask worker, e.g. 4GB")
    p.add_argument(
        "--roll",
        default=None,
        help="the bureau's own roll for the annual summary (a folder from "
        "`civsim roll import`, or of exports): its figures, and a table by street",
    )

    p = sub.add_parser("project", help="the budget window per program: range and why it moved (Excel workbook)")
    add_district(p)
    add_year(p)
    p.add_argument("--scenario", action="append", default=[], help="scenario name (repeatable)")
    p.add_argument(
        "--draws",
        type=integer(1, MAX_DRAWS, "a number of draws"),
        default=200,
        help=f"Monte Carlo draws for the range (1 to {MAX_DRAWS})",
    )
    p.add_argument(
        "--years",
        type=integer(1, 10, "a number of years"),
        default=None,
        help="budget years from --year on (default 3: 中期财政规划)",
    )
    p.add_argument(
        "--seed", type=integer(0, 2**32 - 1, "a seed"), default=1, help="seed of the roll and the draws (default 1)"
    )
    p.add_argument(
        "--roll",
        default=None,
        help="folder with the base year's roll: households.csv|.parquet and persons.csv|.parquet",
    )
    p.add_argument("--xlsx", default=None, help="write the workbook here")


def run_report(args) -> int:
    from . import report_jobs

    check_folder(args.out)
    if args.province or args.city:
        from . import batch_dask

        if args.all or args.district or args.from_districts or (args.province and args.city):
            raise CivsimError(
                "civsim report",
                "--province/--city",
                "not with --all, --district, --from-districts or each other",
                "--province X or --city X, with --year Y",
            )
        return batch_dask.main(
            args.province or args.city,
            "province" if args.province else "city",
            args.year,
            args.scenario,
            args.out,
            scheduler=args.scheduler,
            workers=args.workers,
            memory_limit=args.memory_limit,
        )
    runner = None
    if args.backend == "dask" or args.scheduler or args.memory_limit:
        import functools

        from . import batch_dask

        runner = functools.partial(batch_dask.run, scheduler=args.scheduler, memory_limit=args.memory_limit)
    if not args.all and not (args.district and args.year):
        raise CivsimError("civsim report", "--district/--year", "missing", "--district X --year Y, or --all [--year Y]")
    if not args.all:
        from . import params

        check_year_option(params.load(args.district), args.year)
    return report_jobs.main(
        district=None if args.all else args.district,
        year=args.year,
        scenario=args.scenario,
        workers=args.workers,
        out=args.out,
        layout=args.layout,
        from_districts=args.from_districts,
        runner=runner,
        roll=args.roll,
    )


def run_project(args) -> int:
    from . import params
    from .budget import display

    check_output(args.xlsx, args, "--xlsx")
    check_year_option(params.load(args.district), args.year)
    return display.main(
        args.district,
        args.year,
        chosen_scenarios(args.scenario),
        args.draws,
        args.xlsx,
        seed=args.seed,
        years=args.years or 3,
        roll=args.roll,
    )
