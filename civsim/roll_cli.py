"""``civsim roll``: a bureau's 台账 — ``import`` the information system's exports, ``check`` each
household's modelled 低保 against its export, write a ``sample`` of exports, ``diff`` two months."""

from __future__ import annotations

import sys

from .cli_options import MAX_SAMPLE, add_district, check_folder, check_output, integer, month, rate, write_table


def add_parsers(sub) -> None:
    p = sub.add_parser("roll", help="a bureau's 台账: import the information system's Excel exports, or write a sample")
    roll = p.add_subparsers(dest="roll_command", required=True)
    r = roll.add_parser("import", help="家庭查询/人员查询 .xlsx|.xls exports -> households.csv, persons.csv, roll.yaml")
    r.add_argument(
        "files",
        nargs="+",
        help="the exports, a 家庭查询 and a 人员查询 file per category; or a folder "
        "of them; or several month folders (a roll history: --out/<YYYY-MM>/ and history.yaml)",
    )
    add_district(r)
    r.add_argument("--out", required=True, help="roll folder to write")
    r.add_argument(
        "--month", type=month, default=None, help="export month YYYY-MM (default: from the file names, …_YYYYMMDD)"
    )
    r.add_argument("--salt", default=None, help="salt of the 身份证号 hash (default: the district's salt file)")
    r.add_argument(
        "--salt-file",
        default=None,
        help="file holding the salt (default: $CIVSIM_SALT_DIR or "
        "~/.config/civsim/salt/<code>.salt, created on first use)",
    )
    r = roll.add_parser(
        "check", help="each household's modelled 低保 beside its exported 户月保障金额, for the export month"
    )
    add_district(r)
    r.add_argument(
        "--roll", required=True, help="a roll folder written by `civsim roll import`, or a folder of exports"
    )
    r.add_argument("--csv", default=None, help="write the households that differ here (default: standard output)")

    r = roll.add_parser("sample", help="write a seeded sample of exports with fake persons")
    add_district(r)
    r.add_argument(
        "--households",
        type=integer(1, MAX_SAMPLE, "a number of households"),
        default=5000,
        help="households in the sample",
    )
    r.add_argument("--seed", type=integer(0, 2**63 - 1, "a seed"), default=1)
    r.add_argument("--month", type=month, default="2020-10", help="export month YYYY-MM")
    r.add_argument(
        "--months",
        type=integer(1, 120, "a number of months"),
        default=1,
        help="months from --month on, one folder each (--out/<YYYY-MM>/), the roll turning over",
    )
    r.add_argument(
        "--exit-rate",
        type=rate,
        default=None,
        help="each household's chance of leaving its export a month (default 0.015)",
    )
    r.add_argument(
        "--entry-rate",
        type=rate,
        default=None,
        help="households entering each export a month, as a share of its stock (default 0.015)",
    )
    r.add_argument("--out", required=True, help="folder for the .xlsx files")

    r = roll.add_parser("diff", help="新增 / 退出 / 变更 between two months' rolls, by street and category")
    r.add_argument("before", metavar="A", help="the earlier month's roll folder (from `civsim roll import`)")
    r.add_argument("after", metavar="B", help="the later month's roll folder, imported with the same salt")
    r.add_argument("--xlsx", default=None, help="also write the summary and each household's change here")


def run(args) -> int:
    if args.roll_command in ("import", "sample"):
        check_folder(args.out)
    if args.roll_command == "import":
        from .bureau import commands

        commands.run_import(args.files, args.district, args.out, args.month, args.salt, args.salt_file)
    elif args.roll_command == "diff":
        from .bureau import history

        if args.xlsx:
            check_output(args.xlsx, args, "--xlsx")
        changes = history.diff(args.before, args.after)
        sys.stdout.write(history.render(changes))
        if args.xlsx:
            history.write_xlsx(changes, args.xlsx)
            print(f"wrote {args.xlsx}", file=sys.stderr)
    elif args.roll_command == "check":
        from . import params, roll_io
        from .bureau import amounts_check

        check_output(args.csv, args, "--csv")  # never onto the roll it checks
        base = params.load(args.district)
        result = amounts_check.check_roll(base, roll_io.load_folder(base, 0, args.roll))
        for line in result.unpaid:
            print(line, file=sys.stderr)
        print(
            f"核对户数 {result.compared}，与导出表一致（相差不足1元）{result.matched} 户，其余 {len(result.rest)} 户：",
            file=sys.stderr,
        )
        if len(result.rest):
            shown = (
                result.by_reason()
                .drop(columns="reason")
                .rename(columns={"households": "户数", "difference": "差额合计（元）"})
            )
            print(shown.to_string(index=False), file=sys.stderr)
        write_table(result.for_clerk(), args.csv)
    else:
        from .bureau import sample

        rates = {k: v for k, v in (("exit_rate", args.exit_rate), ("entry_rate", args.entry_rate)) if v is not None}
        paths = sample.write_sample(
            args.district, args.households, args.out, args.seed, args.month, args.months, **rates
        )
        print(f"wrote {len(paths)} exports to {args.out}", file=sys.stderr)
    return 0
