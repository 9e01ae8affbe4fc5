"""The ``civsim`` command: thin argument parsing over the modules; every subcommand names its
jurisdiction with ``--district`` and its period with ``--year`` or ``--date``. The parsers and
runners of some subcommands are in modules of their own (params_cli, report_cli, roll_cli,
household_cli); this one holds the rest, ``--home`` and the dispatch."""

from __future__ import annotations

import argparse
import os
import sys

from .cli_options import (
    add_district,
    add_jurisdiction_run,
    add_year,
    check_folder,
    check_output,
    check_paid,
    check_year_option,
    chosen_scenarios,
    integer,
    write_table,
)
from .errors import CivsimError
from .lean_imports import without_iri_grammars


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

    from .params_cli import add_parsers as params_parsers  # civsim params, check, district new

    params_parsers(sub)

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

    from .report_cli import add_parsers as report_parsers  # civsim report, project

    report_parsers(sub)

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
    from . import params_cli

    return params_cli.run_params(args)


def cmd_check(args) -> int:
    from . import params_cli

    return params_cli.run_check(args)


def cmd_district(args) -> int:
    from . import params_cli

    return params_cli.run_district(args)


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
    from . import calibrate, calibration_file, params

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
            print(f"wrote {calibration_file.write(fit)}", file=sys.stderr)
            params.clear_cache()
    for figure in figures:
        paths, shift = calibrate.refit(args.district, figure)
        print(f"{figure}: {', '.join(paths)} shift {shift:+.4g}")
        if args.write:
            calibration_file.write_refit(args.district, figure)
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
    from . import report_cli

    return report_cli.run_report(args)


def cmd_project(args) -> int:
    from . import report_cli

    return report_cli.run_project(args)


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
