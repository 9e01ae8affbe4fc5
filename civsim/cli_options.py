"""The command line's options and checks: the types its numbers and months are read as (each out of
range one line, at parse time), the options several subcommands share, and the refusals of an output
before any work is done (unwritable, inside params/ or data/, or one of the command's own inputs)."""

from __future__ import annotations

import argparse
import os
import sys

from .errors import CivsimError


def rate(text: str) -> float:
    """A monthly rate from 0 to 0.5."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate (expected a number such as 0.02)") from None
    if not 0 <= value <= 0.5:
        raise argparse.ArgumentTypeError(f"{value:g} is out of range (expected a monthly rate from 0 to 0.5)")
    return value


def integer(low: int, high: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range (expected {what} from {low} to {high})")
        return value

    return parse


MAX_WORKERS = 256
MAX_SAMPLE = 200_000  # households in a sample roll: more than any district's roll


def month(text: str) -> str:
    """YYYY-MM with a month 01-12 and a year 1949-2100."""
    import re

    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1949 <= int(match.group(1)) <= 2100:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a month (expected YYYY-MM, months 01 to 12, years 1949 to 2100)"
        )
    return match.group(0)


def memory(text: str) -> int:
    """A per-worker memory limit a district run can live in, and this machine has."""
    from .cluster import MIN_MEMORY, parse_memory, total_memory

    try:
        value = parse_memory(text)
    except CivsimError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a memory size (expected e.g. 4GB, 3.5GiB or 800MB)"
        ) from None
    if not MIN_MEMORY <= value <= total_memory():
        raise argparse.ArgumentTypeError(
            f"{text} is out of range (expected from {MIN_MEMORY >> 20} MiB to this "
            f"machine's {total_memory() / 2**30:.1f} GiB)"
        )
    return value


def add_district(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--district", required=required, help="GB/T 2260 code or Chinese name, e.g. 420112 or 东西湖区")


def add_year(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--year",
        type=integer(1949, 2100, "a calendar year"),
        required=required,
        help="calendar year, e.g. 2020 (within the years the district's parameters cover)",
    )


def add_jurisdiction_run(parser: argparse.ArgumentParser) -> None:
    """Options of a run over every district under a jurisdiction, on Dask (civsim.province)."""
    group = parser.add_argument_group("every district under a jurisdiction, on Dask")
    group.add_argument("--province", default=None, help="every district of this province (code or name)")
    group.add_argument("--city", default=None, help="every district of this city (code or name)")
    group.add_argument("--all", action="store_true", help="every district in data/districts.csv")
    group.add_argument("--out", default=None, help="folder for districts/district=<code>/*.parquet and the roll-ups")
    group.add_argument(
        "--scheduler", default=None, help="address of an existing dask scheduler (default: a local cluster)"
    )
    group.add_argument(
        "--workers",
        type=integer(1, MAX_WORKERS, "a number of workers"),
        default=None,
        help="local cluster workers (default: the core count)",
    )
    group.add_argument(
        "--memory-limit", type=memory, default=None, help="per local worker, e.g. 4GB (default: memory ÷ workers)"
    )


def write_table(frame, path: str | None) -> None:
    from .tables import write_csv  # a cell Excel would run as a formula is written as text

    if path in (None, "-"):
        write_csv(frame, sys.stdout)
        return
    write_csv(frame, path)
    print(f"wrote {len(frame)} rows to {path}", file=sys.stderr)


def input_files(args) -> list:
    """Files a command reads: the shipped parameters and data, the roll, the scenario files."""
    from pathlib import Path

    from .districts import DATA
    from .params import PARAMS

    files = [p for root in (PARAMS, DATA) if root.is_dir() for p in root.rglob("*")]
    roll = getattr(args, "roll", None)
    if roll and Path(roll).is_dir():
        files += list(Path(roll).iterdir())
    files += [
        Path(s) for s in getattr(args, "scenario", None) or () if isinstance(s, str) and s.endswith((".yaml", ".yml"))
    ]
    return files


def check_output(path: str | None, args, flag: str) -> None:
    """Refuse an output that cannot be written, or that is one of the command's own inputs, before
    any work is done."""
    if path in (None, "-"):
        return
    from .atomic import check_target, refuse_in_repository

    real = check_target(path)
    if real.is_file() or not real.exists():
        refuse_in_repository(path, flag)
    if not real.exists():
        return
    for source in input_files(args):
        try:
            same = os.path.samefile(real, source)
        except OSError:
            continue
        if same:
            raise CivsimError(flag, path, f"is an input of this command ({source})", "an output file that is not read")


def check_folder(path: str | None, flag: str = "--out") -> None:
    """An output folder: outside civsim's params/ and data/, and a folder (or a name not yet taken)."""
    if path is None:
        return
    from pathlib import Path

    from .atomic import refuse_in_repository

    refuse_in_repository(path, flag)
    if os.path.lexists(path) and not Path(path).is_dir():
        raise CivsimError(flag, path, "is a file, not a folder", "a folder for the outputs (made if missing)")


def check_year_option(base, year: int, flag: str = "--year") -> None:
    from .params import check_year

    check_year(base, year, flag)


def check_paid(frame, base, year: int, roll: str | None, roll_table=None) -> None:
    """An empty table or a year of zeros is a cause to name, not a result: a jurisdiction without
    parameters of its own, or a roll on which nobody can claim."""
    from .params import PARAMS

    if roll is not None and len(frame):
        dibao = frame.loc[frame["program"] == "dibao", "amount_yuan"].sum()
        held = (roll_table.households["category"] == "dibao").any() if roll_table is not None else False
        if frame["amount_yuan"].sum() <= 0 or (held and dibao <= 0):
            who = (
                "nobody on the roll is paid"
                if frame["amount_yuan"].sum() <= 0
                else "no 低保 household on the roll claims"
            )
            raise CivsimError(
                "--roll",
                roll,
                f"{who} in {year}",
                "households that can claim: a claim_draw below the take-up (0 for a bureau's roll), "
                "incomes under the standards, spells that reach the year",
            )
    if len(frame):
        return
    from .districts import lineage

    own = [d for d in lineage(base.district) if (PARAMS / d.slug).is_dir()]
    where = (
        f"no parameter folder for {base.district.name} or above it (params/{base.district.slug}/ is missing)"
        if not own
        else f"no program has a caseload in {year} under the parameters of {base.district.name}"
    )
    raise CivsimError(
        "--district",
        base.district.code,
        where,
        "a jurisdiction with parameters (civsim district new, then fill its stubs)",
    )


def chosen_scenarios(names) -> list:
    from . import scenarios

    return scenarios.load_all(names)
