"""A roll's two tables as files (``households`` and ``persons``, CSV or Parquet): each column read with
its type and its range, words or month pattern, an omitted optional column at its default. The
bureau's month-by-month rolls and a roll folder are both read through it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import CivsimError
from .roll import complete
from .tables import MONTH, Column, read_csv, read_text


MEANINGS = {
    "self_care": "0 full, 1 partial, 2 none",
    "disability_grade": "0 none, 1-4",
    "size": "persons in the household",
    "income": "yuan/person/month",
}


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
        return Column(
            kind,
            allowed=tuple(range(int(low), int(high) + 1)),
            meaning=MEANINGS.get(name, "0 no, 1 yes" if (low, high) == (0, 1) else ""),
        )
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
    present = {
        name: _checked(name, kind, allowed)
        for name, (kind, default, allowed) in columns.items()
        if name in header or default is None
    }
    return complete(read_csv(path, present, allow_extra=True), columns)
