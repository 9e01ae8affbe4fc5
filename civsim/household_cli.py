"""``civsim household FILE`` (each program's monthly amount for a household, with its working)
and ``civsim cases FILE…`` (check case files' expected amounts; exit 1 on a mismatch)."""

from __future__ import annotations

import argparse
import sys


def add_parsers(sub) -> None:
    p = sub.add_parser(
        "household",
        help="单户测算: every program's monthly amount for one household, "
        "with its working (a case file as in tests/programs/cases/)",
    )
    p.add_argument("file", help="case YAML: description, period, household (members …), optional params and output")
    p.add_argument(
        "--scenario",
        default=None,
        help="a scenario (name under params/scenarios/ or a .yaml file): baseline and scenario side by side",
    )
    p.add_argument("--pdf", default=None, help="also write the one-page PDF (审批材料附件) here")
    p = sub.add_parser(
        "cases", help="check case files: each case's expected amounts against the engine (exit 1 on a mismatch)"
    )
    p.add_argument("files", nargs="+", help="case YAML files (tests/programs/cases/*.yaml)")


def run_household(args, check_output) -> int:
    """``check_output(path, inputs, flag)``: the command line's refusal of an output it cannot write."""
    from . import household, household_text  # here: building the parser stays free of pandas

    if args.pdf:  # refused before any work: unwritable, in params/ or data/, or one of the inputs
        inputs = argparse.Namespace(scenario=[args.scenario, args.file] if args.scenario else [args.file])
        check_output(args.pdf, inputs, "--pdf")
    cases = household.load(args.file)
    for i, case in enumerate(cases):
        sims: dict = {}
        base = household.compute(case, sims=sims)
        other = household.compute(case, args.scenario, sims=sims) if args.scenario else None
        if i:
            print()
        print(household_text.text(base, other))
        wrong = household.mismatches(case, base)
        if case.output:
            print("  核对预期金额：" + ("一致" if not wrong else "不一致 —— " + "；".join(wrong)))
    if args.pdf:
        from .household_pdf import write_pdf

        sims = {}
        base = household.compute(cases[0], sims=sims)
        other = household.compute(cases[0], args.scenario, sims=sims) if args.scenario else None
        write_pdf(base, other, args.pdf)
        print(f"已写出 {args.pdf}", file=sys.stderr)
    return 0


def run_cases(args) -> int:
    from . import household

    failed = total = 0
    for file in args.files:
        for case in household.load(file):
            total += 1
            where = f"{file} {case.where}".strip()
            if not case.output:  # nothing to check is not a pass
                failed += 1
                print(f"不符 {where} {case.name}：没有写预期金额（output），无从核对")
                continue
            wrong = household.mismatches(case, household.compute(case, traced=False))
            if wrong:
                failed += 1
                print(f"不符 {where} {case.name}：" + "；".join(wrong))
            else:
                print(f"通过 {where} {case.name}")
    print(f"共 {total} 个案例，通过 {total - failed} 个，不符 {failed} 个", file=sys.stderr)
    return 1 if failed else 0
