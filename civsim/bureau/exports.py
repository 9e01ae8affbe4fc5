"""One Excel export (家庭查询 or 人员查询) read into the columns the roll needs.

Title rows above the header and footer rows (制表人 / 制表时间 / 合计) are skipped; the header row
is the row among the first 15 that names the most known aliases, on the first sheet that has
one. Rows and columns keep the sheet's own numbering, for messages. Only recognised
columns are kept, as normalised text: names, phones, addresses and bank accounts are never read
out of the sheet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from ..errors import CivsimError
from . import vocab as V

HEADER_SCAN_ROWS = 15
FOOTER_WORDS = ("制表", "审核", "合计", "总计", "打印", "填报", "负责人", "统计时间", "导出时间", "备注：", "备注:")
EXPECTED = ("a 家庭查询 export (a header row with 户主身份证号 and 保障人口) or a 人员查询 export "
            "(身份证号 and 户主身份证号)")


@dataclass
class Export:
    path: Path
    kind: str                       # "household" | "person"
    columns: dict                   # field -> pd.Series of normalised text ("" when blank)
    headers: dict                   # field -> the header as written in the file
    rows: np.ndarray                # spreadsheet row number of each data row
    label_text: str                 # file name and title rows, where a category label may stand
    month: pd.Period | None         # export month from the file name (…_YYYYMMDD)

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, field: str) -> bool:
        return field in self.columns

    def text(self, field: str) -> pd.Series:
        return self.columns.get(field, pd.Series("", index=range(len(self)), dtype=object))

    def error(self, field: str | None, position: int, problem: str, expected: str = "") -> CivsimError:
        """An error at the data row ``position`` (0-based) and the field's column; never a value."""
        where = f"row {self.rows[position]}"
        if field is not None:
            where += f", column {self.headers.get(field, V.load().canonical[self.kind].get(field, field))}"
        return CivsimError(self.path, where, problem, expected)


def _normalised(cells: np.ndarray) -> pd.Series:
    """Cells as compared text: NFKC, no whitespace; blank is "". Numbers print as the sheet shows
    them (780.0 as 780). Done once per distinct value (label columns hold few)."""
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=False)
    values = pd.Series(uniques, dtype=object)
    text = values.astype(str)
    whole = values.map(lambda v: isinstance(v, float) and v.is_integer() and abs(v) < 1e15).astype(bool)
    text[whole] = values[whole].astype(np.int64).astype(str)
    text[values.isna()] = ""
    text = pd.Series(pd.array(text, dtype="string[pyarrow]"))   # Arrow's string kernels, not a Python loop
    wide = text.str.contains(r"[^\x00-\x7f]", regex=True)
    if wide.any():
        text[wide] = text[wide].astype(object).str.normalize("NFKC")
    text = text.str.replace(r"\s+", "", regex=True).to_numpy(dtype=object)
    return pd.Series(text[codes] if len(codes) else np.zeros(0, object), dtype=object)


def _cell_text(value) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return "" if value is None else str(value)


def _footer_or_blank(row) -> bool:
    filled = [c for c in row if c not in ("", None)]
    return not filled or V.label(_cell_text(filled[0])).startswith(FOOTER_WORDS)


def _month_from_name(stem: str) -> pd.Period | None:
    found = re.search(r"((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])(?:[-_.]?\d{2})?(?!\d)", stem)
    return pd.Period(f"{found.group(1)}-{found.group(2)}", "M") if found else None


def _find_header(rows: list, vocab: V.Vocabulary):
    """(row index, normalised headers, hits) of the row naming the most known aliases."""
    known = set(vocab.aliases["household"]) | set(vocab.aliases["person"])
    best = (None, None, 0)
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [V.header(c) if isinstance(c, str) else "" for c in row]
        hits = len(set(cells) & known)
        if hits > best[2]:
            best = (r, cells, hits)
    return best


def read(path: str | Path, vocab: V.Vocabulary | None = None) -> Export:
    path = Path(path)
    vocab = vocab or V.load()
    if not path.is_file():
        raise CivsimError(path, None, "file not found", "an .xlsx or .xls export")
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        for name in names:   # the first sheet with a header row; each sheet is parsed once
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            r, cells, hits = _find_header(rows, vocab)
            if hits >= 2:
                break
    except Exception:  # the reader's own error types: not a workbook, encrypted, truncated
        raise CivsimError(path, None, "not a readable Excel workbook", ".xlsx or .xls") from None
    if hits < 2:
        raise CivsimError(path, f"sheet(s) {'、'.join(map(str, names))}", "no header row of an export found", EXPECTED)
    header_row = rows[r]

    # The file name's last kind word decides (特困人员家庭查询 is a household file); else the headers.
    at = {k: path.stem.rfind(w) for k, w in (("household", "家庭"), ("person", "人员"))}
    hint = max(at, key=at.get) if max(at.values()) >= 0 else None
    person_able = all(f in {vocab.aliases["person"].get(c) for c in cells} for f in V.REQUIRED["person"])
    kind = hint or ("person" if person_able else "household")
    positions, headers = {}, {}
    for i, cell in enumerate(cells):
        field = vocab.aliases[kind].get(cell)
        if field and field not in positions:
            positions[field], headers[field] = i, str(header_row[i]).strip()
            if "万元" in V.label(header_row[i]):
                raise CivsimError(path, f"row {r + 1}, column {headers[field]}", "amount in 万元", "amounts in 元")
    if kind == "household" and "size" not in positions and "family_size" in positions:
        positions["size"], headers["size"] = positions["family_size"], headers["family_size"]
    missing = [vocab.canonical[kind][f] for f in V.REQUIRED[kind] if f not in positions]
    if missing:
        raise CivsimError(path, f"row {r + 1}", f"missing column(s) {'、'.join(missing)}",
                          f"the header of a {'人员查询' if kind == 'person' else '家庭查询'} export")

    width = max(map(len, rows))
    data = rows[r + 1:]
    if any(len(row) != width for row in data):   # calamine pads rows to the sheet's width; be sure
        data = [row + [""] * (width - len(row)) for row in data]
    body = np.empty((len(data), width), dtype=object)
    if data:
        body[:] = data
    numbers = np.arange(r + 2, r + 2 + len(body))
    columns = {f: _normalised(body[:, i]) for f, i in positions.items()}
    # Footers and blank rows have no number in the key column; only those rows are looked at.
    suspect = np.flatnonzero(~columns["person_id" if kind == "person" else "head_id"].str.match(r"\d").to_numpy(bool))
    keep = np.ones(len(body), bool)
    keep[[i for i in suspect if _footer_or_blank(body[i])]] = False
    numbers = numbers[keep]
    columns = {f: c[keep].reset_index(drop=True) for f, c in columns.items()}
    for f in ("head_id", "person_id"):
        if f in columns:
            columns[f] = columns[f].str.upper()
    title = " ".join(str(c) for row in rows[:r] for c in row if isinstance(c, str))
    return Export(path, kind, columns, headers, numbers, V.label(path.stem + " " + title), _month_from_name(path.stem))
