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
from .roll import (AREAS, HOUSEHOLD_COLUMNS, PERSON_COLUMNS, Roll, complete, from_tables, to_tables)
from .synthetic import caseload_anchor
from .tables import MONTH, Column, read_csv, read_text, table_file, write_csv

MEANINGS = {"self_care": "0 full, 1 partial, 2 none", "disability_grade": "0 none, 1-4", "size": "persons in the household",
            "income": "yuan/person/month"}


def _checked(name: str, kind: str, allowed) -> Column:
    """The reader's column for one roll column: its type with its range, words or month pattern."""
    if allowed == "month":
        return Column(kind, pattern=f"(?:{MONTH})?", meaning="a month YYYY-MM or empty")
    if allowed is None:
        return Column(kind)
    if isinstance(allowed[0], str):
        return Column(kind, allowed=tuple(a for a in allowed if a) if kind.startswith("optional") else allowed)
    low, high = allowed
    if kind == "int" and high is not None and high - low <= 4:
        return Column(kind, allowed=tuple(range(int(low), int(high) + 1)),
                      meaning=MEANINGS.get(name, "0 no, 1 yes" if (low, high) == (0, 1) else ""))
    return Column(kind, low, high, meaning=MEANINGS.get(name, ""))


def read_table(path: Path, columns: dict) -> pd.DataFrame:
    """A roll table from CSV or Parquet, columns converted and checked; omitted optional columns default."""
    if path.suffix == ".parquet":
        try:
            frame = pd.read_parquet(path).astype(str).replace({"nan": "", "None": "", "<NA>": ""})
        except Exception as exc:  # pyarrow raises several types for a missing or broken file
            raise CivsimError(path, None, f"cannot read Parquet ({type(exc).__name__})", "a Parquet file") from None
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / (path.stem + ".csv")
            frame.to_csv(copy, index=False)
            try:
                return read_table(copy, columns)
            except CivsimError as exc:
                raise CivsimError(path, exc.key, exc.problem, exc.expected) from None
    lines = read_text(path).splitlines()
    header = [name.strip().strip('"') for name in lines[0].split(",")] if lines else []
    present = {name: _checked(name, kind, allowed) for name, (kind, default, allowed) in columns.items()
               if name in header or default is None}
    return complete(read_csv(path, present, allow_extra=True), columns)


def _tables_in(folder: Path) -> dict[str, Path]:
    return {name: table_file(folder, name) for name in ("households", "persons")}


def load(households_path, persons_path, anchor, standards: dict, seed: int = 1) -> Roll:
    """A bureau's roll (its 台账) from CSV or Parquet files in the roll's columns."""
    households_path, persons_path = Path(households_path), Path(persons_path)
    households = read_table(households_path, HOUSEHOLD_COLUMNS)
    persons = read_table(persons_path, PERSON_COLUMNS)
    if len(households) == 0:
        raise CivsimError(households_path, None, "the roll is empty", "at least one household")
    return from_tables(households, persons, anchor, standards, seed, str(households_path.parent),
                       (households_path, persons_path))


def load_folder(params, year: int, folder, seed: int = 1) -> Roll:
    """A bureau's roll from ``folder/households`` and ``folder/persons`` (``.csv`` or ``.parquet``);
    incomes are read against the 低保 standards in force at the year's caseload anchor month."""
    folder = Path(folder)
    exports = exports_in(folder)
    tables = [folder / f"households{s}" for s in (".csv", ".parquet") if (folder / f"households{s}").is_file()]
    if tables and exports:
        raise CivsimError(folder, None, f"both a roll ({tables[0].name}) and exports ({exports[0].name} …): "
                          "which one is the roll is ambiguous",
                          "a folder written by `civsim roll import`, or a folder of the exports alone")
    if exports:
        return _from_exports(params, folder, seed)
    if not tables and (folder / "history.yaml").is_file():
        months = sorted(p.name for p in folder.iterdir() if (p / "roll.yaml").is_file())
        raise CivsimError(folder, None, "a roll history, one folder per month",
                          f"one month's folder, e.g. {folder / months[-1]}" if months else "one month's roll folder")
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
    imported = importer.import_exports(exports_in(folder), params.district.code, salt=importer.read_salt(params.district))
    date = imported.month.start_time.date()
    standards = {area: params.get(f"dibao.standard.{area}", date, 0.0) for area in AREAS}
    return from_tables(imported.households, imported.persons, imported.month, standards, seed, str(folder))


def save(roll: Roll, folder) -> tuple[Path, Path]:
    """Write the roll as ``households.csv`` and ``persons.csv`` (atomically)."""
    paths = []
    for name, table in zip(("households", "persons"), to_tables(roll)):
        target = Path(folder) / f"{name}.csv"
        write_csv(table, target)   # a street named "=HYPERLINK(…)" stays text in Excel
        paths.append(target)
    return tuple(paths)
