"""``civsim params`` (every parameter in force at a date, or every declared leaf), ``civsim check``
(a district's parameters for a year: origin of each leaf, what is missing; exit 1 if something
required is missing) and ``civsim district new`` (a jurisdiction's row and its parameter stubs)."""

from __future__ import annotations

import json
import sys

from .cli_options import add_district, add_year, check_year_option
from .errors import CivsimError


def add_parsers(sub) -> None:
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


def run_params(args) -> int:
    import datetime as dt

    from . import param_leaves, params

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
    day = param_leaves.parse_date(date, "--date", "--date")
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


def run_check(args) -> int:
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


def run_district(args) -> int:
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
