"""Read the project's CSV files with their columns checked, so a bad file fails with one clear line."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import pandas as pd

from .errors import CivsimError

# Excel and WPS on Chinese Windows save CSV as GBK/GB18030 (a superset of GBK); try UTF-8 first.
ENCODINGS = ("utf-8-sig", "gb18030")


def read_text(path: Path) -> str:
    raw = Path(path).read_bytes()
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CivsimError(path, None, "cannot decode the file", "UTF-8 or GBK/GB18030 text")


def read_csv(path: str | Path, columns: dict[str, str], *, allow_extra: bool = False,
             unique: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV whose columns are ``columns`` (name -> 'str' | 'int' | 'float' | 'optional_float'
    | 'optional_str').

    Every value is converted to its declared type; the first bad cell is reported by row number
    (as a spreadsheet shows it, the header being row 1) and column.
    """
    path = Path(path)
    if not path.is_file():
        raise CivsimError(path, None, "file not found", "an existing CSV file")
    try:
        with warnings.catch_warnings():
            # A row longer than the header is an error here, not a silently dropped cell.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(read_text(path)), dtype=str, keep_default_na=False, index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise CivsimError(path, None, f"not a well-formed CSV ({str(exc).strip()})", "comma-separated rows") from None
    except pd.errors.EmptyDataError:
        raise CivsimError(path, None, "the file is empty", "a header row with columns " + ", ".join(columns)) from None
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CivsimError(path, "columns", f"missing column(s) {', '.join(missing)}", "columns " + ", ".join(columns))
    extra = [c for c in frame.columns if c not in columns]
    if extra and not allow_extra:
        raise CivsimError(path, "columns", f"unexpected column(s) {', '.join(extra)}", "columns " + ", ".join(columns))
    out = {}
    for name, kind in columns.items():
        text = frame[name].str.strip()
        optional = kind.startswith("optional_")
        base = kind.removeprefix("optional_")
        if base == "str":
            bad = (text == "") & (not optional)
            out[name] = text
        else:
            numbers = pd.to_numeric(text.where(text != ""), errors="coerce")
            bad = numbers.isna() & ((text != "") | (not optional))
            if base == "int":
                bad |= numbers.notna() & (numbers % 1 != 0)
                numbers = numbers.astype("Int64") if optional else numbers.fillna(0).astype("int64")
            out[name] = numbers
        if bad.any():
            row = int(bad.idxmax())
            value = frame[name].iloc[row]
            raise CivsimError(path, f"row {row + 2}, column {name}", f"bad value {value!r}",
                              {"str": "non-empty text", "int": "an integer", "float": "a number"}[base])
    table = pd.DataFrame(out, index=frame.index)
    if unique:
        dup = table.duplicated(subset=unique)
        if dup.any():
            row = int(dup.idxmax())
            raise CivsimError(path, f"row {row + 2}", "duplicate row", "one row per " + ", ".join(unique))
    return table
