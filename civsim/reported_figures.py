"""The figures the bureaus reported (``data/reported/*.csv``), one tidy row per figure.

A period is ``YYYY-MM`` (a stock at the end of that month) or ``YYYY-MM..YYYY-MM`` (a flow over
those months, inclusive). Values are in base units: yuan, persons, households.

Figures of things the model does not simulate (service counts, marriage registrations …) carry
codes of their own and are listed as "not modelled"; a code one or two letters away from a
modelled program's is refused as a misspelling, since it would be filed there without a word.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .districts import DATA
from .errors import CivsimError
from .names import code as code_text
from .programs import LINES, REGISTRY
from .tables import MONTH, Column, read_csv

REPORTED = DATA / "reported"
AREAS = ("urban", "rural", "all")
COLUMNS = {
    "jurisdiction": "str",
    "year": Column("int", 1949, 2100),
    "program": "str",
    "area": Column("str", allowed=AREAS),
    "measure": "str",
    "period": "str",
    "value": Column("float", 0),
    "source": "str",
    "quote": "str",
}
WHOLE = ("households", "persons")  # measures that count: whole numbers
PERIOD = re.compile(rf"^({MONTH})(?:\.\.({MONTH}))?$")


def modelled_programs() -> set[str]:
    """The program codes a reported figure is reconciled under: every declared line, and every
    reported aggregate a program declares itself part of (disability, children, assistance_total)."""
    return set(LINES) | {code for program in REGISTRY for code in program.reported_in}


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) turning ``a`` into ``b``."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def misspelt(program: str, known: set[str]) -> str | None:
    """The modelled code ``program`` is probably a misspelling of, if any."""
    return None if program in known else _misspelt(program, frozenset(known))


@lru_cache(maxsize=4096)
def _misspelt(program: str, known: frozenset[str]) -> str | None:
    # every file names the same few codes: each is measured against the modelled ones once, and
    # only against codes of about its length (more than 2 apart in length is more than 2 edits)
    lowered = program.lower()
    near = [(_distance(lowered, k), k) for k in known if abs(len(k) - len(lowered)) <= 2]
    best, code = min(near) if near else (99, None)
    return code if best <= (1 if len(code or "") <= 5 else 2) or lowered == code else None


def parse_period(text: str, file=None, key=None) -> tuple[pd.Period, pd.Period]:
    """(first month, last month); a stock has first == last and no range."""
    match = PERIOD.match(str(text))
    if not match:
        raise CivsimError(file, key, f"bad period {text!r}", "YYYY-MM or YYYY-MM..YYYY-MM, months 01-12")
    first = pd.Period(match.group(1), "M")
    last = pd.Period(match.group(2), "M") if match.group(2) else first
    if last < first:
        raise CivsimError(file, key, f"period {text!r} ends before it starts", "first month ≤ last month")
    return first, last


def is_flow(period: str) -> bool:
    return ".." in period


def read(path: Path) -> pd.DataFrame:
    path = Path(path)
    table = read_csv(path, COLUMNS, unique=list(COLUMNS)[:7] + ["quote"])
    table["jurisdiction"] = table["jurisdiction"].map(code_text)  # Excel saves 420112 as 420112.0
    bad = ~table["jurisdiction"].str.fullmatch(r"[0-9]{6}")
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise CivsimError(
            path,
            f"row {row + 2}, column jurisdiction",
            f"bad code {table['jurisdiction'].iloc[row]!r}",
            "a 6-digit GB/T 2260 code",
        )
    counts = table["measure"].isin(WHOLE) & (table["value"] % 1 != 0)
    if counts.any():  # 221.7 households would be rounded somewhere without a word
        row = int(counts.to_numpy().argmax())
        raise CivsimError(
            path,
            f"row {row + 2}, column value",
            f"{table['value'].iloc[row]:g} {table['measure'].iloc[row]} is not a whole number",
            "a whole number of households or persons",
        )
    known = modelled_programs()
    periods, codes = set(), {}  # each distinct period and code checked once (a file repeats them)
    for row, (period, program) in enumerate(zip(table["period"], table["program"]), start=2):
        if period not in periods:
            parse_period(period, path, f"row {row}, column period")
            periods.add(period)
        if program not in codes:
            codes[program] = misspelt(program, known)
        meant = codes[program]
        if meant:
            raise CivsimError(
                path,
                f"row {row}, column program",
                f"unknown program {program!r}, close to {meant!r}",
                f"{meant} if that is meant, or a code not resembling a modelled program's",
            )
    _check_counts(table, path)
    table["file"] = path.name
    return table


def _check_counts(table: pd.DataFrame, path: Path) -> None:
    """A figure's households cannot exceed its persons (same program, area and period)."""
    key = ["jurisdiction", "year", "program", "area", "period"]
    rows = table.assign(row=table.index + 2)
    pairs = rows[rows["measure"] == "households"].merge(
        rows[rows["measure"] == "persons"], on=key, suffixes=("", "_persons")
    )
    bad = pairs[pairs["value"] > pairs["value_persons"]]
    if len(bad):
        first = bad.iloc[0]
        raise CivsimError(
            path,
            f"row {first['row']}, column value",
            f"{first['value']:g} households but {first['value_persons']:g} persons (row {first['row_persons']})",
            "no more households than persons",
        )


def load(folder: Path = REPORTED) -> pd.DataFrame:
    """Every reported figure of the files in ``folder``, read once a process however it is named."""
    return _load(Path(folder))


def clear_cache() -> None:
    """Forget the figures read so far (after a file of the folder was rewritten)."""
    _load.cache_clear()


@lru_cache(maxsize=2)
def _load(folder: Path) -> pd.DataFrame:
    files = sorted(folder.glob("*.csv"))
    if not files:
        return pd.DataFrame(columns=list(COLUMNS))
    table = pd.concat([read(f) for f in files], ignore_index=True)
    _refuse_repeats(table, Path(folder))
    return table


FIGURE = ["jurisdiction", "year", "program", "area", "measure", "period"]


def _refuse_repeats(table: pd.DataFrame, folder: Path) -> None:
    """One figure in two files (a "- 副本.csv" copy, an export saved twice) would be counted twice."""
    repeated = table.duplicated(FIGURE, keep=False) & (
        table.groupby(FIGURE, sort=False)["file"].transform("nunique") > 1
    )
    if repeated.any():
        first = table[repeated].iloc[0]
        files = sorted(set(table.loc[repeated & (table[FIGURE] == first[FIGURE]).all(axis=1), "file"]))
        raise CivsimError(
            folder / files[0],
            f"{first['program']} {first['measure']} {first['period']}",
            f"the same figure ({first['jurisdiction']} {first['area']}) is also in {', '.join(files[1:])}",
            'each figure in one file (a copy such as "… - 副本.csv" doubles every figure)',
        )


def for_district(code: str, year: int, folder: Path = REPORTED) -> pd.DataFrame:
    table = load(folder)
    return table[(table["jurisdiction"] == str(code)) & (table["year"] == year)].reset_index(drop=True)
