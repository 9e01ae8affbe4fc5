"""The ``civsim`` command: thin argument parsing over the modules; every subcommand names its
jurisdiction with ``--district`` and its period with ``--year`` or ``--date``."""

from __future__ import annotations

import argparse
import json
import os
import sys

from .cli_options import (
    MAX_WORKERS,
    add_district,
    add_jurisdiction_run,
    add_year,
    check_folder,
    check_output,
    check_paid,
    check_year_option,
    chosen_scenarios,
    integer,
    memory,
    write_table,
)
from .errors import CivsimError
from .lean_imports import without_iri_grammars

MAX_DRAWS = 10_000  # ~12 ms a draw for a district: minutes, not days


class _Parser(argparse.ArgumentParser):
    """Usage mistakes are one line too (argparse would print the whole usage first)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="civsim", description="Social-assistance simulation and reports for civil-affairs bureaus.")
    parser.add_argument(
        "--home",
        metavar="DIR",
        default=None,
        help="the workspace: the bureau's params/, data/reported/, rolls/, reports/ "
        "(default: $CIVSIM_HOME, else the repository in a checkout, else the current folder)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "init",
        help="create a workspace DIR for a district: its and its parents' parameter folders "
        "(the shipped examples, or stubs) and the empty folders a bureau uses",
    )
    p.add_argument("dir", metavar="DIR", help="the new workspace folder (absent, empty, or a workspace to complete)")
    add_district(p)

    p = sub.add_parser("params", help="print every parameter in force at a date, with unit and source")
    add_district(p)
    p.add_argument("--date", default=None, help="YYYY-MM or YYYY-MM-DD (default: today)")
    p.add_argument("--json", action="store_true", help="a JSON list of {path, value, unit, source}")
    p.add_argument("--schema", action="store_true", help="every declared leaf: unit, default or required, who reads it")

    p = sub.add_parser(
        "check",
        help="a district's parameters for a year: origin of each leaf, what is missing, "
        "uncovered months, reported figures without a program (exit 1 if something required is missing)",
    )
    add_district(p)
    add_year(p)
    p.add_argument("--json", action="store_true", help="the findings as JSON")

    p = sub.add_parser(
        "district", help="add a jurisdiction: its row in data/districts.csv and a folder of parameter stubs"
    )
    district = p.add_subparsers(dest="district_command", required=True)
    r = district.add_parser(
        "new", help="append CODE NAME to data/districts.csv and write params/<code>-<pinyin>/ stubs"
    )
    r.add_argument("code", metavar="CODE", help="6-digit GB/T 2260 code, e.g. 350213")
    r.add_argument("name", metavar="NAME", help="Chinese name, e.g. 翔安区")
    r.add_argument("--parent", default=None, help="code or name of the city or province above it (none for a province)")
    r.add_argument(
        "--pinyin", required=True, help="folder name in lowercase letters, e.g. xiangan (names the params folder)"
    )

    p = sub.add_parser("simulate", help="monthly caseloads and money per program (tidy CSV)")
    add_district(p, required=False)
    add_year(p)
    p.add_argument("--scenario", action="append", default=[], help="scenario name under params/scenarios (repeatable)")
    p.add_argument(
        "--seed",
        type=integer(0, 2**63 - 1, "a seed"),
        default=None,
        help="seed of the synthetic roll and its monthly draws (default 1)",
    )
    p.add_argument(
        "--roll", default=None, help="folder with a real roll: households.csv|.parquet and persons.csv|.parquet"
    )
    p.add_argument("--csv", default=None, help="write the table here ('-' or none: standard output)")
    add_jurisdiction_run(p)

    p = sub.add_parser("compare", help="households better off / worse off / unchanged under a scenario")
    add_district(p)
    add_year(p)
    p.add_argument("--scenario", required=True, help="scenario name under params/scenarios")
    p.add_argument(
        "--seed", type=integer(0, 2**63 - 1, "a seed"), default=1, help="seed of the synthetic roll (default 1)"
    )
    p.add_argument("--roll", default=None, help="folder with a bureau's roll (households, persons)")
    p.add_argument("--csv", default=None, help="write the table here (default: standard output)")

    p = sub.add_parser(
        "calibrate",
        help="fit the roll to a year's reported figures: the values fitted one by one, "
        "then the roll's unknowns jointly (params/calibration/<folder>.yaml); or, with --roll, "
        "measure the 低保 dynamics on the district's own rolls",
    )
    add_district(p)
    add_year(p, required=False)
    p.add_argument(
        "--roll",
        default=None,
        help="a roll history of two or more months (the folder `civsim roll import` "
        "writes for several month folders): entry and exit rates, gap ratios, 档 shares and household "
        "make-up measured on it instead of the fit to reported figures (no --year)",
    )
    p.add_argument("--write", action="store_true", help="write the fitted values into params/calibration/")

    p = sub.add_parser("reconcile", help="reported figures beside the model's")
    add_district(p)
    add_year(p)
    p.add_argument("--csv", default=None, help="write the table here ('-' or none: standard output)")

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

    from .roll_cli import add_parsers as roll_parsers  # civsim roll import|check|sample|diff

    roll_parsers(sub)

    p = sub.add_parser("app", help="the scenario explorer as a web page for planners (Voila)")
    p.add_argument("--port", type=integer(1, 65535, "a port"), default=8866, help="port to listen on (default 8866)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--token", default=None, help="access token (default: a random one, printed in the URL)")
    p.add_argument(
        "--saves",
        default=None,
        help="folder for saved scenarios, one subfolder per visitor (default params/scenarios/app)",
    )

    from .household_cli import add_parsers as household_parsers  # civsim household, civsim cases

    household_parsers(sub)
    return parser


def cmd_params(args) -> int:
    import datetime as dt

    from . import params

    loaded = params.load(args.district)
    if args.schema:
        from . import schema

        from .districts import ROOT

        rows = schema.rows(loaded, params.national(), ROOT)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            width = max(len(r["path"]) for r in rows)
            for r in rows:
                print(
                    f"{r['path']:<{width}}  {r['unit']:<20}  {r['default']:<17}  {r['read_by']:<30}  {r['in_force_from']}"
                )
        return 0
    date = args.date or dt.date.today().isoformat()
    day = params.parse_date(date, "--date", "--date")
    rows = loaded.resolve(day)
    if not rows:
        first = min(leaf.entries[0].start for leaf in loaded.leaves.values())
        raise CivsimError(
            "--date",
            date,
            f"before any value of {loaded.district.name}'s parameters",
            f"a date from {first.isoformat()} on",
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        width = max((len(r["path"]) for r in rows), default=10)
        for r in rows:
            print(f"{r['path']:<{width}}  {r['value']:>12g}  {r['unit']:<20}  {r['source']}")
    return 0


def cmd_check(args) -> int:
    from . import params, params_check

    check_year_option(params.load(args.district), args.year)  # the years simulate accepts, no more
    report = params_check.check(args.district, args.year)
    if args.json:

        def rows(findings):
            return [{"path": f.path, "program": f.program, "note": f.note, "file": f.file} for f in findings]

        print(
            json.dumps(
                {
                    "district": report.district.code,
                    "year": report.year,
                    "ok": report.ok,
                    "leaves": report.leaves.to_dict("records"),
                    "active": report.active,
                    "not_paid": report.not_paid,
                    "missing": rows(report.missing),
                    "uncovered": rows(report.uncovered),
                    "assumed": rows(report.assumed),
                    "unmatched": rows(report.unmatched),
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        sys.stdout.write(params_check.render(report))
    return 0 if report.ok else 1


def cmd_district(args) -> int:
    from . import district_new

    row, folder = district_new.new(args.code, args.name, args.parent, args.pinyin)
    stubs = sorted(p.name for p in folder.glob("*.yaml"))
    print(
        f"已添加 {row.code} {row.name}（{row.level}，上级 {row.parent or '无'}）到 data/districts.csv；"
        f"参数存根写入 {folder.relative_to(folder.parents[1])}/：{'、'.join(stubs) or '无（上级已规定全部必填参数）'}",
        file=sys.stderr,
    )
    print(
        f"填写存根（或删去本地区不发放的项目）后运行 civsim check --district {row.code} --year <年份>", file=sys.stderr
    )
    return 0


def _simulate_jurisdiction(args) -> int:
    from . import province

    chosen = [
        name
        for name, given in (
            ("--district", args.district),
            ("--province", args.province),
            ("--city", args.city),
            ("--all", args.all),
        )
        if given
    ]
    if len(chosen) != 1 or chosen == ["--district"]:
        raise CivsimError(
            "civsim simulate",
            " ".join(chosen) or "--province/--city/--all",
            "a jurisdiction run needs exactly one of these",
            "--province X, --city X or --all, with --out DIR",
        )
    if args.roll or args.csv:
        raise CivsimError(
            "civsim simulate",
            "--roll" if args.roll else "--csv",
            f"not with {chosen[0]}",
            "--out DIR (each district runs on its own synthetic roll)",
        )
    check_folder(args.out)
    level = {"--province": "province", "--city": "city", "--all": None}[chosen[0]]
    return province.main(
        args.province or args.city,
        level,
        args.year,
        args.scenario,
        args.seed,
        args.out,
        args.scheduler,
        args.workers,
        args.memory_limit,
    )


def cmd_simulate(args) -> int:
    from . import engine, params, roll_io

    if args.province or args.city or args.all or args.out or args.scheduler or args.workers or args.memory_limit:
        return _simulate_jurisdiction(args)
    if not args.district:
        raise CivsimError(
            "civsim simulate", "--district", "missing", "--district X, or --province/--city/--all with --out DIR"
        )
    check_output(args.csv, args, "--csv")
    base = params.load(args.district)
    check_year_option(base, args.year)
    chosen = chosen_scenarios(args.scenario)
    seed = 1 if args.seed is None else args.seed
    roll = roll_io.load_folder(base, args.year, args.roll, seed) if args.roll else None
    frame = engine.simulate(args.district, args.year, scenarios=chosen, seed=seed, params=base, roll=roll)
    engine.require_someone(frame, args.year)
    for note in frame.attrs.get("notes", ()):
        print("civsim: 注意：" + note, file=sys.stderr)
    check_paid(frame, base, args.year, args.roll, roll)
    write_table(engine.to_csv_frame(frame), args.csv)
    return 0


def cmd_compare(args) -> int:
    from . import compare, params, roll_io

    check_output(args.csv, args, "--csv")
    base = params.load(args.district)
    check_year_option(base, args.year)
    roll = roll_io.load_folder(base, args.year, args.roll, args.seed) if args.roll else None
    write_table(compare.compare(args.district, args.year, args.scenario, args.seed, roll), args.csv)
    return 0


def cmd_calibrate(args) -> int:
    from . import calibrate, params

    if args.roll is not None:
        from .bureau import dynamics

        if args.year is not None:
            raise CivsimError("civsim calibrate", "--year", "not with --roll", "the months are the rolls' own")
        learnt = dynamics.learn(args.roll, args.district)
        print(dynamics.render(learnt), end="")
        if args.write:
            print(f"wrote {dynamics.write(learnt)}", file=sys.stderr)
            params.clear_cache()
        return 0
    if args.year is None:
        raise CivsimError(
            "civsim calibrate", "--year", "missing", "--year Y (the reported figures' year), or --roll HISTORY"
        )
    check_year_option(params.load(args.district), args.year)
    figures = calibrate.own_figures(args.district, args.year)
    try:  # the roll's unknowns first: the values fitted one by one are fitted on that roll
        fit = calibrate.fit_roll(args.district, args.year)
    except CivsimError as exc:
        if not figures:
            raise
        print(f"civsim: {exc}", file=sys.stderr)
    else:
        print(fit.table().to_string(index=False))
        print(fit.targets.to_string(index=False))
        for figure in fit.why or fit.unreached:
            print(
                f"{figure}（未达到，留作检验）"
                if fit.why
                else f"{figure}: not reached within the bounds (left as a check)"
            )
        if args.write:
            print(f"wrote {calibrate.write(fit)}", file=sys.stderr)
            params.clear_cache()
    for figure in figures:
        paths, shift = calibrate.refit(args.district, figure)
        print(f"{figure}: {', '.join(paths)} shift {shift:+.4g}")
        if args.write:
            calibrate.write_refit(args.district, figure)
            params.clear_cache()
    return 0


def cmd_reconcile(args) -> int:
    from . import params, reconcile

    check_output(args.csv, args, "--csv")
    check_year_option(params.load(args.district), args.year)
    table = reconcile.reconcile(args.district, args.year)
    write_table(table, args.csv)
    print(reconcile.accuracy_line(table), file=sys.stderr)
    return 0


def cmd_report(args) -> int:
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


def cmd_project(args) -> int:
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


def cmd_roll(args) -> int:
    from . import roll_cli

    return roll_cli.run(args)


def cmd_app(args) -> int:
    from . import app

    return app.main(host=args.host, port=args.port, token=args.token, saves=args.saves)


def cmd_household(args) -> int:
    from . import household_cli

    return household_cli.run_household(args, check_output)


def cmd_cases(args) -> int:
    from . import household_cli

    return household_cli.run_cases(args)


def _shown(text) -> str:
    """A message as the terminal should show it: a control or format character from a file or an
    argument (an escape sequence, a right-to-left override) as its escape, never acted on."""
    import unicodedata

    return "".join(c if unicodedata.category(c)[0] != "C" else repr(c)[1:-1] for c in str(text))


def _set_home(argv: list[str] | None) -> None:
    """--home before anything reads the workspace (civsim.paths resolves it once, on import)."""
    pre = _Parser(prog="civsim", add_help=False)
    pre.add_argument("--home", default=None)
    home = pre.parse_known_args(sys.argv[1:] if argv is None else argv)[0].home
    if home is None:
        return
    chosen = os.path.abspath(os.path.expanduser(home))
    loaded = sys.modules.get(f"{__package__}.paths")
    if loaded is not None and str(loaded.ROOT) != os.path.realpath(chosen):
        raise CivsimError(
            "--home",
            home,
            f"civsim already uses the workspace {loaded.ROOT} in this process",
            "CIVSIM_HOME set before civsim is imported, or a new process",
        )
    os.environ["CIVSIM_HOME"] = chosen


def cmd_init(args) -> int:
    from . import workspace

    folder, written, stubbed, empty = workspace.init(args.dir, args.district)
    print(
        f"工作区 {folder}：写入 {len(written)} 个文件"
        + (f"；params/{stubbed}/ 为参数存根，填写后运行 civsim check" if stubbed else "")
        + (f"；上级 {'、'.join(empty)} 不是随附示例，其参数文件夹为空（沿用上级和全国默认值）" if empty else ""),
        file=sys.stderr,
    )
    print(f"在其中运行 civsim，或用 civsim --home {folder} …，或设 CIVSIM_HOME={folder}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    without_iri_grammars()  # the commands that import nbformat (report) start seconds sooner
    before = os.environ.get("CIVSIM_HOME")
    try:
        return _main(argv)
    finally:  # called in-process (tests, a notebook): the caller's environment as it was
        if before is None:
            os.environ.pop("CIVSIM_HOME", None)
        else:
            os.environ["CIVSIM_HOME"] = before


def _main(argv: list[str] | None) -> int:
    try:
        _set_home(argv)
    except CivsimError as exc:
        print(f"civsim: error: {_shown(exc)}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --home without a folder: one line printed
        return exc.code if isinstance(exc.code, int) else 2
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if (
            getattr(args, "years", None) and getattr(args, "year", None) and args.year + args.years - 1 > 2100
        ):  # given --years only
            parser.error(
                f"argument --years: {args.years} years from {args.year} end after 2100 "
                f"(expected at most {2101 - args.year})"
            )
    except SystemExit as exc:  # a usage mistake (one line printed) or --help
        return exc.code if isinstance(exc.code, int) else 2
    try:
        if args.command != "init":
            from .paths import HOME_ENV, require_workspace

            # the notebooks' kernels and the app's server run in folders of their own: they find
            # the workspace through the environment
            os.environ[HOME_ENV] = str(require_workspace())
        return globals()[f"cmd_{args.command}"](args)
    except CivsimError as exc:
        print(f"civsim: error: {_shown(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `civsim params … | head` closed the pipe early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # Ctrl-C: files being written are left as they were
        print("civsim: 已中断 (interrupted)", file=sys.stderr)
        return 130
    except OSError as exc:  # anything the checks above did not foresee, still one line
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"civsim: error: {_shown(where)}{exc.strerror or exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
