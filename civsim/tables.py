"""Read the project's CSV files with their columns checked, so a bad file fails with one clear line."""

from __future__ import annotations

import csv
import io
import math
import os
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .errors import CivsimError

# Excel and WPS on Chinese Windows save CSV as GBK/GB18030 (a superset of GBK); try UTF-8 first.
ENCODINGS = ("utf-8-sig", "gb18030")
# A calendar month as civsim writes it (Excel's "Jan-18" would be read by pandas as the year 1).
MONTH = r"\d{4}-(?:0[1-9]|1[0-2])"
# Integers beyond this are not exact in the float they pass through (and no count or code is so large).
LARGEST_INT = 2**53
LONGEST_INT = 15  # digits: every integer of 15 digits is below LARGEST_INT


# A cell Excel or WPS would read as a formula (=HYPERLINK(…), =cmd|…, +, -, @; a tab or carriage
# return before one), full-width forms included, unless the whole cell is a number (-12.50 is one).
FORMULA = r"^[=+\-@\t\r\n\u2212\uff1d\uff0b\uff0d\uff20]"
NUMBER = r"^\s*[+\-\u2212]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+\-]?\d+)?\s*$"
QUOTE = "'"  # the prefix that makes such a cell text; read back, it is removed again


_FORMULA, _NUMBER = re.compile(FORMULA), re.compile(NUMBER)


def _cells(values: pd.Series, test) -> pd.Series:
    """``test`` of each cell, made once per distinct cell (a column repeats its codes and labels)."""
    codes, distinct = pd.factorize(values)
    flagged = np.fromiter(map(test, distinct), bool, len(distinct))
    return pd.Series(np.append(flagged, False)[codes], index=values.index)  # an empty cell's code is -1


def _formula_cells(values: pd.Series) -> pd.Series:
    return _cells(values, lambda v: isinstance(v, str) and _FORMULA.match(v) is not None and _NUMBER.match(v) is None)


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell that a spreadsheet would run as a formula made text by a
    leading apostrophe; numbers (numeric columns, and cells that are a number) stay as they are."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if isinstance(column.dtype, pd.CategoricalDtype) and not pd.api.types.is_numeric_dtype(column.cat.categories):
            column = column.astype(object)
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            # a carriage return is not quoted by the CSV writer and would split the row: a newline is
            text = _cells(column, lambda v: isinstance(v, str) and "\r" in v)
            if text.any():
                column = column.where(~text, column.astype(str).str.replace("\r\n", "\n").str.replace("\r", "\n"))
                out[name] = column
            bad = _formula_cells(column)
            if bad.any():
                out[name] = column.where(~bad, QUOTE + column.astype(str))
    if out.columns.dtype == object:
        out.columns = [
            QUOTE + c if isinstance(c, str) and _formula_cells(pd.Series([c])).iloc[0] else c for c in out.columns
        ]
    return out


def write_csv(frame: pd.DataFrame, target, *, index: bool = False) -> None:
    """Write a table a user may open in Excel or WPS: no cell runs as a formula; written whole
    (``civsim.atomic``) to a file, or straight to an open stream such as standard output."""
    safe = csv_safe(frame)
    if hasattr(target, "write"):
        safe.to_csv(target, index=index)
        return
    from .atomic import atomic_path

    with atomic_path(target) as tmp:
        safe.to_csv(tmp, index=index)


def _unquote(values: pd.Series) -> pd.Series:
    """A text cell written by :func:`write_csv` read back as it was (the apostrophe removed)."""
    quoted = values.str.startswith(QUOTE) & values.str.slice(1).str.contains(FORMULA)
    return values.where(~quoted, values.str.slice(1)) if quoted.any() else values


@dataclass(frozen=True)
class Column:
    """A column's type (as in :func:`read_csv`) and, optionally, its range or its allowed values.

    ``low``/``high`` bound a number (inclusive); ``allowed`` lists the only values a cell may hold
    (numbers for a numeric code, text for a category). Numbers are always finite.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    allowed: tuple | None = None
    meaning: str = ""  # what the values stand for, shown in the error (e.g. "0 full, 1 partial, 2 none")
    pattern: str | None = None  # a regular expression a text cell must match whole

    def expected(self) -> str:
        base = self.kind.removeprefix("optional_")
        if self.allowed is not None:
            text = " or ".join(str(a) for a in self.allowed)
        elif self.pattern is not None:
            return self.meaning or f"text matching {self.pattern}"
        elif self.low is not None and self.high is not None:
            text = f"{'an integer' if base == 'int' else 'a number'} from {self.low:g} to {self.high:g}"
        elif self.low is not None:
            text = f"{'an integer' if base == 'int' else 'a number'} of {self.low:g} or more"
        elif self.high is not None:
            text = f"{'an integer' if base == 'int' else 'a number'} of at most {self.high:g}"
        else:
            text = {"str": "non-empty text", "int": "an integer", "float": "a finite number"}[base]
        return f"{text} ({self.meaning})" if self.meaning else text


def open_check(path: Path, what: str = "file") -> os.stat_result:
    """Stat ``path`` and refuse, in one line, anything that is not a readable regular file."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise CivsimError(
                path, None, f"dangling symbolic link to {os.readlink(path)}", f"an existing {what}"
            ) from None
        raise CivsimError(path, None, "file not found", f"an existing {what}") from None
    except OSError as exc:
        raise CivsimError(path, None, f"cannot open ({exc.strerror})", f"a readable {what}") from None
    if stat.S_ISDIR(info.st_mode):
        raise CivsimError(path, None, "is a folder", f"a {what}, not a folder")
    if not stat.S_ISREG(info.st_mode):  # a pipe or device would block or never end
        raise CivsimError(path, None, "not a regular file", f"a {what} (not a pipe, device or socket)")
    return info


def read_bytes(path: Path, limit: int | None = None, what: str = "file") -> bytes:
    """The bytes of a regular file, at most ``limit`` of them; every failure is one line."""
    info = open_check(path, what)
    if limit is not None and info.st_size > limit:
        raise CivsimError(
            path, None, f"file too large ({info.st_size:,} bytes)", f"a {what} of at most {limit:,} bytes"
        )
    try:
        with open(path, "rb") as handle:
            return handle.read() if limit is None else handle.read(limit + 1)
    except OSError as exc:
        raise CivsimError(path, None, f"cannot read ({exc.strerror})", f"a readable {what}") from None


def read_text(path: Path, limit: int | None = None, what: str = "file") -> str:
    raw = read_bytes(path, limit, what)
    if limit is not None and len(raw) > limit:  # grew while being read
        raise CivsimError(path, None, "file too large", f"a {what} of at most {limit:,} bytes")
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CivsimError(path, None, "cannot decode the file", "UTF-8 or GBK/GB18030 text")


def table_file(folder: str | Path, name: str, suffixes=(".csv", ".parquet")) -> Path:
    """The one file ``folder/name<suffix>``; none, or more than one format of it, is an error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CivsimError(folder, None, "folder not found", "an existing folder")
    found = [folder / f"{name}{s}" for s in suffixes if os.path.lexists(folder / f"{name}{s}")]
    if not found:
        raise CivsimError(
            folder, name, "file not found", " or ".join(f"{name}{s}" for s in suffixes) + " in the folder"
        )
    if len(found) > 1:
        raise CivsimError(
            folder,
            name,
            f"both {' and '.join(p.name for p in found)}",
            "one of them only (which one is meant is not for civsim to guess)",
        )
    open_check(found[0], "table file")  # a pipe named persons.parquet would block the reader
    return found[0]


def _header(text: str, path: Path) -> list[str]:
    try:
        first = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise CivsimError(
            path, "row 1", f"not a well-formed CSV header ({exc})", "comma-separated column names"
        ) from None
    return [c.strip() for c in first]


SEPARATORS = {";": "semicolon", "\t": "tab", "|": "vertical bar"}


def _refuse_other_separators(header: list[str], specs: dict, path: Path) -> None:
    """A file saved with semicolons (Excel in a locale with a decimal comma) or tabs reads as one
    column named "code;name;…": say so, rather than that every column is missing."""
    if len(header) > 1 and all(c in header for c in specs):
        return
    line = ",".join(header)
    for separator, name in SEPARATORS.items():
        cells = [c.strip() for c in line.split(separator)]
        if len(cells) > 1 and sum(c in cells for c in specs) > len(specs) / 2:
            raise CivsimError(
                path,
                "row 1",
                f"the file is {name}-separated",
                'a comma-separated file (in Excel or WPS: save as "CSV UTF-8 (逗号分隔)")',
            )


def _refuse_ragged(text: str, header: list[str], path: Path) -> None:
    """The first row with more cells than the header, by its row number (an unquoted 1,234 splits a
    number in two); only on a file pandas could not read, so a good file pays nothing."""
    for row, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if row > 1 and len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            hint = ""
            if any(
                a.strip().lstrip("-").isdigit() and b.strip().isdigit() and len(b.strip()) == 3
                for a, b in zip(cells, cells[1:])
            ):
                hint = " (a number with a thousands separator, such as 1,234, not in quotes?)"
            raise CivsimError(
                path,
                f"row {row}",
                f"{len(cells)} cells but the header has {len(header)}{hint}",
                "one cell per column: numbers without thousands separators (1234), text with a comma in quotes",
            )


def read_csv(
    path: str | Path, columns: dict[str, str | Column], *, allow_extra: bool = False, unique: list[str] | None = None
) -> pd.DataFrame:
    """Read a CSV whose columns are ``columns`` (name -> 'str' | 'int' | 'float' | 'optional_float'
    | 'optional_str', or a :class:`Column` carrying a range or allowed values).

    Every value is converted to its declared type and checked against its range; the first bad
    cell is reported by row number (as a spreadsheet shows it, the header being row 1) and column.
    ``inf``, ``nan`` and the like are refused in numeric columns.
    """
    path = Path(path)
    specs = {name: spec if isinstance(spec, Column) else Column(spec) for name, spec in columns.items()}
    text = read_text(path, what="CSV file")
    header = _header(text, path)
    _refuse_other_separators(header, specs, path)
    repeated = sorted({c for c in header if header.count(c) > 1 and c})
    if repeated:
        raise CivsimError(path, "columns", f"column(s) {', '.join(repeated)} appear more than once", "each column once")
    try:
        with warnings.catch_warnings():
            # A row longer than the header is an error here, not a silently dropped cell.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False)
    except pd.errors.EmptyDataError:
        raise CivsimError(path, None, "the file is empty", "a header row with columns " + ", ".join(specs)) from None
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as exc:
        _refuse_ragged(text, header, path)
        raise CivsimError(path, None, f"not a well-formed CSV ({str(exc).strip()})", "comma-separated rows") from None
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in specs if c not in frame.columns]
    if missing:
        raise CivsimError(path, "columns", f"missing column(s) {', '.join(missing)}", "columns " + ", ".join(specs))
    extra = [c for c in frame.columns if c not in specs]
    if extra and not allow_extra:
        raise CivsimError(path, "columns", f"unexpected column(s) {', '.join(extra)}", "columns " + ", ".join(specs))
    quoted = QUOTE in text  # else no cell was made text by write_csv, and none is unquoted
    out = {}
    for name, spec in specs.items():
        text_values = frame[name].str.strip()
        optional = spec.kind.startswith("optional_")
        base = spec.kind.removeprefix("optional_")
        empty = text_values == ""
        if base == "str":
            bad = empty & (not optional)
            values = _unquote(text_values) if quoted else text_values
            if spec.allowed is not None:
                bad |= ~empty & ~values.isin([str(a) for a in spec.allowed])
            if spec.pattern is not None:
                bad |= ~empty & ~values.str.fullmatch(spec.pattern).fillna(False).astype(bool)
        else:
            numbers = _numbers(text_values.where(~empty))
            present = np.isfinite(numbers.to_numpy(dtype=float, na_value=np.nan))
            bad = ~present & (~empty.to_numpy() | (not optional))
            exact = numbers.to_numpy()  # integers stay integers: exact past 2**53
            with np.errstate(invalid="ignore"):  # NaN and inf cells are not present
                if base == "int":
                    bad |= present & ((exact % 1 != 0) | (exact > LARGEST_INT) | (exact < -LARGEST_INT))
                if spec.low is not None:
                    bad |= present & (exact < spec.low)
                if spec.high is not None:
                    bad |= present & (exact > spec.high)
            if spec.allowed is not None:
                bad |= present & ~np.isin(exact, spec.allowed)
            if not bad.any() and base == "int":
                numbers = numbers.astype("Int64") if optional else numbers.fillna(0).astype("int64")
            values = numbers
        if bad.any():
            row = int(np.flatnonzero(np.asarray(bad))[0])
            value = frame[name].iloc[row]
            digits = sum(ch.isdigit() for ch in str(value))
            if base == "int" and digits > LONGEST_INT and str(value).strip().lstrip("+-").isdigit():
                raise CivsimError(
                    path,
                    f"row {row + 2}, column {name}",
                    f"value {value!r} is too long ({digits} digits)",
                    f"an integer of at most {LONGEST_INT} digits (an id longer than that is not one civsim writes)",
                )
            raise CivsimError(path, f"row {row + 2}, column {name}", f"bad value {value!r}", spec.expected())
        out[name] = values
    table = pd.DataFrame(out, index=frame.index)
    if unique:
        dup = table.duplicated(subset=unique)
        if dup.any():
            row = int(dup.idxmax())
            raise CivsimError(path, f"row {row + 2}", "duplicate row", "one row per " + ", ".join(unique))
    return table


def _numbers(text: pd.Series) -> pd.Series:
    """Each cell as a number, NaN where it is missing or not a number: what ``pd.to_numeric(text,
    errors="coerce")`` gives, int64 where every cell is written as an integer, read about ten times
    faster by Arrow's parser. Arrow refuses what pandas refuses and more (a leading +, NA), and both
    give the correctly rounded double; pandas reads a column holding a cell Arrow refuses (marking
    it NaN for the caller to report), and one holding a number at or past 2**53, where a double no
    longer tells neighbouring integers apart."""
    cells = pa.array(text)
    try:
        parsed = pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        parsed = None
    if parsed is None or (np.abs(parsed) >= LARGEST_INT).any():
        return pd.to_numeric(text, errors="coerce")
    whole = not np.isnan(parsed).any() and (parsed == np.floor(parsed)).all()
    if whole and pc.all(pc.match_substring_regex(cells, r"^-?\d+$"), min_count=0).as_py():
        return pd.Series(parsed.astype(np.int64), index=text.index)
    return pd.Series(parsed, index=text.index)


def is_finite_number(value) -> bool:
    """A real number (not a bool), finite."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
