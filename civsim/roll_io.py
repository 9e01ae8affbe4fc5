"""A roll's files: reading a bureau's roll (a folder written by ``civsim roll import``, CSV or
Parquet, or a folder of the information system's exports) and writing one. The roll itself, the data
model, is :mod:`civsim.roll`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .bureau import importer
from .bureau.exports import exports_in
from .errors import CivsimError
from .params import read_yaml
from .roll import AREAS, HOUSEHOLD_COLUMNS, PERSON_COLUMNS, Roll, from_tables, to_tables
from .synthetic import caseload_anchor
from .roll_tables import read_table
from .tables import table_file, write_csv


def _tables_in(folder: Path) -> dict[str, Path]:
    return {name: table_file(folder, name) for name in ("households", "persons")}


def load(households_path, persons_path, anchor, standards: dict, seed: int = 1) -> Roll:
    """A bureau's roll (its 台账) from CSV or Parquet files in the roll's columns."""
    households_path, persons_path = Path(households_path), Path(persons_path)
    households = read_table(households_path, HOUSEHOLD_COLUMNS)
    persons = read_table(persons_path, PERSON_COLUMNS)
    if len(households) == 0:
        raise CivsimError(households_path, None, "the roll is empty", "at least one household")
    return from_tables(
        households, persons, anchor, standards, seed, str(households_path.parent), (households_path, persons_path)
    )


def load_folder(params, year: int, folder, seed: int = 1) -> Roll:
    """A bureau's roll from ``folder/households`` and ``folder/persons`` (``.csv`` or ``.parquet``);
    incomes are read against the 低保 standards in force at the year's caseload anchor month."""
    folder = Path(folder)
    exports = exports_in(folder)
    tables = [folder / f"households{s}" for s in (".csv", ".parquet") if (folder / f"households{s}").is_file()]
    if tables and exports:
        raise CivsimError(
            folder,
            None,
            f"both a roll ({tables[0].name}) and exports ({exports[0].name} …): which one is the roll is ambiguous",
            "a folder written by `civsim roll import`, or a folder of the exports alone",
        )
    if exports:
        return _from_exports(params, folder, seed)
    if not tables and (folder / "history.yaml").is_file():
        months = sorted(p.name for p in folder.iterdir() if (p / "roll.yaml").is_file())
        raise CivsimError(
            folder,
            None,
            "a roll history, one folder per month",
            f"one month's folder, e.g. {folder / months[-1]}" if months else "one month's roll folder",
        )
    paths = _tables_in(folder)
    anchor = _export_month(folder) or caseload_anchor(params, year)
    standards = {area: params.get(f"dibao.standard.{area}", anchor.start_time.date(), 0.0) for area in AREAS}
    return load(paths["households"], paths["persons"], str(anchor), standards, seed)


def _export_month(folder: Path):
    """The month a folder written by ``civsim roll import`` was exported (its roll.yaml), if any."""
    meta = folder / "roll.yaml"
    if not meta.is_file():
        return None
    month = (read_yaml(meta) or {}).get("month")
    try:
        return pd.Period(str(month), "M")
    except ValueError:
        raise CivsimError(meta, "month", f"bad month {month!r}", "YYYY-MM") from None


def _from_exports(params, folder: Path, seed: int) -> Roll:
    """The information system's exports read straight from a folder (nothing written)."""
    imported = importer.import_exports(
        exports_in(folder), params.district.code, salt=importer.read_salt(params.district)
    )
    date = imported.month.start_time.date()
    standards = {area: params.get(f"dibao.standard.{area}", date, 0.0) for area in AREAS}
    return from_tables(imported.households, imported.persons, imported.month, standards, seed, str(folder))


def save(roll: Roll, folder) -> tuple[Path, Path]:
    """Write the roll as ``households.csv`` and ``persons.csv`` (atomically)."""
    paths = []
    for name, table in zip(("households", "persons"), to_tables(roll)):
        target = Path(folder) / f"{name}.csv"
        write_csv(table, target)  # a street named "=HYPERLINK(…)" stays text in Excel
        paths.append(target)
    return tuple(paths)
