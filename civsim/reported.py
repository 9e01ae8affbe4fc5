"""The figures the bureaus reported (``data/reported/*.csv``), one tidy row per figure.

A period is ``YYYY-MM`` (a stock at the end of that month) or ``YYYY-MM..YYYY-MM`` (a flow over
those months, inclusive). Values are in base units: yuan, persons, households.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .districts import DATA
from .errors import CivsimError
from .tables import read_csv

REPORTED = DATA / "reported"
COLUMNS = {"jurisdiction": "str", "year": "int", "program": "str", "area": "str", "measure": "str",
           "period": "str", "value": "float", "source": "str", "quote": "str"}
PERIOD = re.compile(r"^(\d{4}-\d{2})(?:\.\.(\d{4}-\d{2}))?$")
AREAS = ("urban", "rural", "all")


def parse_period(text: str, file=None, key=None) -> tuple[pd.Period, pd.Period]:
    """(first month, last month); a stock has first == last and no range."""
    match = PERIOD.match(text)
    if not match:
        raise CivsimError(file, key, f"bad period {text!r}", "YYYY-MM or YYYY-MM..YYYY-MM")
    first = pd.Period(match.group(1), "M")
    last = pd.Period(match.group(2), "M") if match.group(2) else first
    if last < first:
        raise CivsimError(file, key, f"period {text!r} ends before it starts", "first month ≤ last month")
    return first, last


def is_flow(period: str) -> bool:
    return ".." in period


def read(path: Path) -> pd.DataFrame:
    table = read_csv(path, COLUMNS, unique=list(COLUMNS)[:7] + ["quote"])
    for row, (period, area) in enumerate(zip(table["period"], table["area"]), start=2):
        parse_period(period, path, f"row {row}, column period")
        if area not in AREAS:
            raise CivsimError(path, f"row {row}, column area", f"bad area {area!r}", " or ".join(AREAS))
    if (table["value"] < 0).any():
        row = int((table["value"] < 0).to_numpy().argmax()) + 2
        raise CivsimError(path, f"row {row}, column value", "negative value", "0 or more")
    table["file"] = path.name
    return table


@lru_cache(maxsize=2)
def load(folder: Path = REPORTED) -> pd.DataFrame:
    files = sorted(Path(folder).glob("*.csv"))
    return pd.concat([read(f) for f in files], ignore_index=True) if files else pd.DataFrame(columns=list(COLUMNS))


def for_district(code: str, year: int, folder: Path = REPORTED) -> pd.DataFrame:
    table = load(folder)
    return table[(table["jurisdiction"] == str(code)) & (table["year"] == year)].reset_index(drop=True)
