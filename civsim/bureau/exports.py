"""One Excel export (家庭查询 or 人员查询) read into the columns the roll needs.

Title rows above the header and footer rows (制表人 / 制表时间 / 合计) are skipped; the header row
is the row, among the first rows of any sheet, that names the most known aliases. Only recognised
columns are kept, as normalised text: names, phones, addresses and bank accounts are never read
out of the sheet.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

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


def _normalised(column: pd.Series) -> pd.Series:
    text = column.fillna("").astype(str)
    return text.str.normalize("NFKC").str.replace(r"\s+", "", regex=True)


def _month_from_name(stem: str) -> pd.Period | None:
    found = re.search(r"((?:19|20)\d{2})[-_.]?(0[1-9]|1[0-2])(?:[-_.]?\d{2})?(?!\d)", stem)
    return pd.Period(f"{found.group(1)}-{found.group(2)}", "M") if found else None


def _find_header(sheets: dict, vocab: V.Vocabulary):
    """(sheet name, row index, normalised headers) of the best header row, or None."""
    known = set(vocab.aliases["household"]) | set(vocab.aliases["person"])
    best, best_hits = None, 0
    for name, frame in sheets.items():
        for r in range(min(HEADER_SCAN_ROWS, len(frame))):
            cells = [V.header(c) if isinstance(c, str) else "" for c in frame.iloc[r]]
            hits = len(set(cells) & known)
            if hits > best_hits:
                best, best_hits = (name, r, cells), hits
    return best if best_hits >= 2 else None


def read(path: str | Path, vocab: V.Vocabulary | None = None) -> Export:
    path = Path(path)
    vocab = vocab or V.load()
    if not path.is_file():
        raise CivsimError(path, None, "file not found", "an .xlsx or .xls export")
    try:
        sheets = pd.read_excel(path, engine="calamine", header=None, sheet_name=None, dtype=str)
    except Exception:  # the reader's own error types: not a workbook, encrypted, truncated
        raise CivsimError(path, None, "not a readable Excel workbook", ".xlsx or .xls") from None
    found = _find_header(sheets, vocab)
    if found is None:
        raise CivsimError(path, f"sheet(s) {'、'.join(map(str, sheets))}", "no header row of an export found", EXPECTED)
    sheet, r, cells = found
    frame = sheets[sheet]

    # The file name's last kind word decides (特困人员家庭查询 is a household file); else the headers.
    at = {k: path.stem.rfind(w) for k, w in (("household", "家庭"), ("person", "人员"))}
    hint = max(at, key=at.get) if max(at.values()) >= 0 else None
    person_able = all(f in {vocab.aliases["person"].get(c) for c in cells} for f in V.REQUIRED["person"])
    kind = hint or ("person" if person_able else "household")
    positions, headers = {}, {}
    for i, cell in enumerate(cells):
        field = vocab.aliases[kind].get(cell)
        if field and field not in positions:
            positions[field], headers[field] = i, str(frame.iat[r, i]).strip()
            if "万元" in V.label(frame.iat[r, i]):
                raise CivsimError(path, f"row {r + 1}, column {headers[field]}", "amount in 万元", "amounts in 元")
    if kind == "household" and "size" not in positions and "family_size" in positions:
        positions["size"], headers["size"] = positions["family_size"], headers["family_size"]
    missing = [vocab.canonical[kind][f] for f in V.REQUIRED[kind] if f not in positions]
    if missing:
        raise CivsimError(path, f"row {r + 1}", f"missing column(s) {'、'.join(missing)}",
                          f"the header of a {'人员查询' if kind == 'person' else '家庭查询'} export")

    body = frame.iloc[r + 1:]
    rows = np.arange(r + 2, len(frame) + 1)
    # Footers and blank rows have no number in the key column; only those rows are looked at.
    key = body.iloc[:, positions["person_id" if kind == "person" else "head_id"]]
    candidates = body[(~key.str.match(r"\s*\d", na=False)).to_numpy()]
    first = _normalised(candidates.bfill(axis=1).iloc[:, 0])
    drop = candidates.isna().all(axis=1) | first.str.startswith(FOOTER_WORDS)
    keep = ~body.index.isin(candidates.index[drop.to_numpy()])
    body, rows = body[keep], rows[keep]
    columns = {f: _normalised(body.iloc[:, i]).reset_index(drop=True) for f, i in positions.items()}
    for f in ("head_id", "person_id"):
        if f in columns:
            columns[f] = columns[f].str.upper()
    title = " ".join(str(c) for c in frame.iloc[:r].to_numpy().ravel() if isinstance(c, str))
    return Export(path, kind, columns, headers, rows, V.label(path.stem + " " + title), _month_from_name(path.stem))
