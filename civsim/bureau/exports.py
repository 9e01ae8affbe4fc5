"""One Excel export (家庭查询 or 人员查询) read into the columns the roll needs.

Title rows above the header and footer rows (制表人 / 制表时间 / 合计) are skipped; the header row
is the row among the first 80 that names the most known aliases (joined with the row above or
below for a two-row header), on the visible sheet that has one, or the active one where several
do; merged blocks give their value to each of their cells (a street merged over its households).
The file's content decides its format (civsim.bureau.sheets). Rows and columns keep the sheet's
own numbering, for messages. Only recognised
columns are kept, as normalised text: names, phones, addresses and bank accounts are never read
out of the sheet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import CivsimError
from . import privacy, sheets
from . import vocab as V

HEADER_SCAN_ROWS = 80  # a header may stand below many query-condition rows (查询条件：…)
FOOTER_WORDS = ("制表", "审核", "合计", "总计", "打印", "填报", "负责人", "统计时间", "导出时间", "备注：", "备注:")
EXPECTED = (
    "a 家庭查询 export (a header row with 户主身份证号 and 保障人口) or a 人员查询 export (身份证号 and 户主身份证号)"
)


@dataclass
class Export:
    path: Path
    kind: str  # "household" | "person"
    columns: dict  # field -> pd.Series of normalised text ("" when blank)
    headers: dict  # field -> the header as written in the file
    rows: np.ndarray  # spreadsheet row number of each data row
    label_text: str  # file name and title rows, where a category label may stand
    month: pd.Period | None  # export month from the file name (…_YYYYMMDD)

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


_FEW = 256  # distinct values a column's text is made of one by one (Arrow's kernels cost more to start)
_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_ANY_SPACE = re.compile(r"\s+")


def _normalised(cells: np.ndarray, upper: bool = False) -> pd.Series:
    """Cells as compared text: NFKC (full-width digits and letters become ASCII), no whitespace,
    upper case where ``upper`` (a 身份证号's x); blank is "". Numbers print as the sheet shows
    them (780.0 as 780). Done once per distinct value (label columns hold few)."""
    codes, uniques = pd.factorize(pd.Series(cells, dtype=object), use_na_sentinel=False)
    if len(uniques) <= _FEW and not (upper and any(isinstance(v, str) and not v.isascii() for v in uniques)):
        text = np.array([_one_text(v, upper) for v in uniques], dtype=object)
    else:
        text = _texts(pd.Series(uniques, dtype=object), upper)
    return pd.Series(text[codes] if len(codes) else np.zeros(0, object), dtype=object)


def _one_text(value, upper: bool) -> str:
    """One distinct value as :func:`_texts` makes it (upper only on ASCII: Python's and Arrow's upper
    case differ beyond it)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(int(value)) if isinstance(value, float) and value.is_integer() and abs(value) < 1e15 else str(value)
    if not text.isascii():
        text = _ANY_SPACE.sub("", unicodedata.normalize("NFKC", text))
    text = _ASCII_SPACE.sub("", text)
    return text.upper() if upper else text


def _texts(values: pd.Series, upper: bool) -> np.ndarray:
    """Many distinct values at once, in Arrow's string kernels rather than a Python loop."""
    text = values.astype(str)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):  # numbers among them
        whole = values.map(lambda v: isinstance(v, float) and v.is_integer() and abs(v) < 1e15).astype(bool)
        text[whole] = values[whole].astype(np.int64).astype(str)
    text[values.isna()] = ""
    text = pd.Series(pd.array(text, dtype="string[pyarrow]"))
    wide = text.str.contains(r"[^\x00-\x7f]", regex=True)
    if wide.any():  # NFKC and any Unicode space removed where a value is not plain ASCII
        text[wide] = text[wide].astype(object).str.normalize("NFKC").str.replace(r"\s+", "", regex=True)
    text = text.str.replace(r"[ \t\r\n\f\v]+", "", regex=True)  # a class Arrow runs itself (\s is Python's)
    if upper:
        text = text.str.upper()
    return text.to_numpy(dtype=object)


def _starts_with_digit(text: pd.Series) -> np.ndarray:
    first = text.to_numpy(dtype="U1")  # numpy truncates to the first character, in C
    return (first >= "0") & (first <= "9")


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
    """(first header row, last header row, names, hits): the row naming the most known aliases,
    joined with the row above or below where the two together name more (a two-row header whose
    upper row groups columns: 户主 over 姓名 and 身份证号, 收入情况 over 家庭年总收入 …)."""
    known = set(vocab.aliases["household"]) | set(vocab.aliases["person"])
    texts = [[V.header(c) if isinstance(c, str) else "" for c in row] for row in rows]
    best = (None, None, None, 0)
    for r, cells in enumerate(texts):
        hits = len(set(cells) & known)
        if hits > best[3]:
            best = (r, r, cells, hits)
    if best[0] is None:
        return best
    r = best[0]
    for top, bottom in ((r - 1, r), (r, r + 1)):
        if top < 0 or bottom >= len(texts) or _looks_like_data(rows[bottom]):
            continue
        names = _joined(texts[top], texts[bottom], known)
        hits = len(set(names) & known)
        if hits > best[3]:
            best = (top, bottom, names, hits)
    return best


def _looks_like_data(row) -> bool:
    """A data row (an 18- or 15-digit number among its cells), not a header's second row."""
    return any(re.fullmatch(r"\d{15}|\d{17}[\dXx]", V.label(_cell_text(c))) for c in row if c not in ("", None))


def _joined(top: list, bottom: list, known: set) -> list:
    """Each column's name from a two-row header: the lower cell, or upper + lower where that is
    an alias (户主 + 身份证号), or the upper cell where the lower is blank (merged down)."""
    width = max(len(top), len(bottom))
    top, bottom = top + [""] * (width - len(top)), bottom + [""] * (width - len(bottom))
    names = []
    for upper, lower in zip(top, bottom):
        if not lower:
            names.append(upper)
        elif upper and upper + lower in known:
            names.append(upper + lower)
        elif lower in known or not upper:
            names.append(lower)
        else:
            names.append(upper + lower)
    return names


def _spread(rows: list, merged: list, first: int, last: int | None = None) -> None:
    """A merged block's value given to every cell of the block, for blocks starting at or after
    row ``first`` (and, with ``last``, at or before that row), in place."""
    for (r0, c0), (r1, c1) in merged:
        if r0 < first or (last is not None and r0 > last) or r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= c1:
                row.extend([""] * (c1 + 1 - len(row)))
            row[c0 : c1 + 1] = [value] * (c1 + 1 - c0)


def _choose(path: Path, candidates: list, hidden: list, names: list):
    """The sheet to read: the only visible sheet with an export's header, else the active one."""
    if not candidates:
        if hidden:
            raise CivsimError(
                path,
                f"sheet {hidden[0][0].name}",
                "the export is on a hidden sheet",
                "the month's export on a visible sheet",
            )
        raise CivsimError(path, f"sheet(s) {'、'.join(map(str, names))}", "no header row of an export found", EXPECTED)
    if len(candidates) == 1:
        return candidates[0]
    active = [c for c in candidates if c[0].active]
    if len(active) == 1:
        return active[0]
    raise CivsimError(
        path,
        f"sheets {'、'.join(c[0].name for c in candidates)}",
        "several sheets hold an export and none is the active one",
        "one sheet per export, or the month's sheet left active when saved",
    )


def read(path: str | Path, vocab: V.Vocabulary | None = None) -> Export:
    path = Path(path)
    vocab = vocab or V.load()
    if not path.is_file():
        raise CivsimError(path, None, "file not found", "an .xlsx or .xls export")
    _, found = sheets.open_sheets(path)
    candidates, hidden = [], []
    for sheet in found:
        head = sheet.read(HEADER_SCAN_ROWS)
        _spread(head, [m for m in sheet.merged() if m[0][0] < len(head)], 0)
        top, bottom, cells, hits = _find_header(head, vocab)
        if hits >= 2:
            (candidates if sheet.visible else hidden).append((sheet, top, bottom, cells))
    sheet, top, bottom, cells = _choose(path, candidates, hidden, [s.name for s in found])
    rows = sheet.read()
    merged = sheet.merged()
    _spread(rows, merged, 0, bottom)  # a merged header cell names each column it spans
    header_row = [
        " ".join(
            str(rows[t][i]).strip() for t in range(top, bottom + 1) if i < len(rows[t]) and str(rows[t][i]).strip()
        )
        for i in range(len(cells))
    ]
    r = bottom

    # The file name's last kind word decides (特困人员家庭查询 is a household file); else the headers.
    at = {k: path.stem.rfind(w) for k, w in (("household", "家庭"), ("person", "人员"))}
    hint = max(at, key=at.get) if max(at.values()) >= 0 else None
    person_able = all(f in {vocab.aliases["person"].get(c) for c in cells} for f in V.REQUIRED["person"])
    kind = hint or ("person" if person_able else "household")
    positions, headers = {}, {}
    for i, cell in enumerate(cells):
        field = vocab.aliases[kind].get(cell)
        if field and field not in positions:
            positions[field], headers[field] = i, header_row[i]
            if "万元" in V.label(header_row[i]):
                raise CivsimError(path, f"row {r + 1}, column {headers[field]}", "amount in 万元", "amounts in 元")
    if kind == "household" and "size" not in positions and "family_size" in positions:
        positions["size"], headers["size"] = positions["family_size"], headers["family_size"]
    missing = [vocab.canonical[kind][f] for f in V.REQUIRED[kind] if f not in positions]
    if missing:
        raise CivsimError(
            path,
            f"row {r + 1}",
            f"missing column(s) {'、'.join(missing)}",
            f"the header of a {'人员查询' if kind == 'person' else '家庭查询'} export",
        )

    _spread(rows, merged, r + 1)  # a merged block's value (a street) on each of its rows
    width = max(max(map(len, rows)), len(cells))
    data = rows[r + 1 :]
    if any(len(row) != width for row in data):  # calamine pads rows to the sheet's width; others may not
        data = [row + [""] * (width - len(row)) for row in data]
    body = np.empty((len(data), width), dtype=object)
    if data:
        body[:] = data
    numbers = np.arange(r + 2, r + 2 + len(body))
    columns = {f: _normalised(body[:, i], upper=f in ("head_id", "person_id")) for f, i in positions.items()}
    # Footers and blank rows have no number in the key column; only those rows are looked at.
    suspect = np.flatnonzero(~_starts_with_digit(columns["person_id" if kind == "person" else "head_id"]))
    keep = np.ones(len(body), bool)
    keep[[i for i in suspect if _footer_or_blank(body[i])]] = False
    numbers = numbers[keep]
    columns = {f: c[keep].reset_index(drop=True) for f, c in columns.items()}
    if "street_community" in columns:
        street, community = _split_place(columns.pop("street_community"))
        for f, values in (("street", street), ("community", community)):
            if f not in columns:
                columns[f], headers[f] = values, headers["street_community"]
    title = " ".join(str(c) for row in rows[:top] for c in row if isinstance(c, str))
    return Export(
        path,
        kind,
        columns,
        headers,
        numbers,
        V.label(path.stem + " " + title),
        _month_from_name(privacy.masked(path.stem)),
    )


PLACE_SEPARATOR = r"[/／\\|、,，>＞\-—]+"
STREET_END = r"^(.+?(?:街道办事处|街道|办事处|镇|乡|开发区|管委会|农场|街))(.*)$"


def _split_place(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """所属街道/社区 in one column: "吴家山街道/新村社区", "吴家山街道-新村社区" or
    "吴家山街道新村社区" → street and community (per distinct value)."""
    codes, uniques = pd.factorize(text)
    u = pd.Series(uniques, dtype=object)
    parts = u.str.split(PLACE_SEPARATOR, n=1, regex=True)
    street = parts.str[0].fillna("")
    community = parts.str[1].fillna("")
    joined = community == ""
    split = u[joined].str.extract(STREET_END)
    street[joined] = split[0].fillna(u[joined])
    community[joined] = split[1].fillna("")
    take = lambda s: pd.Series(s.to_numpy(dtype=object)[codes] if len(codes) else np.zeros(0, object), dtype=object)  # noqa: E731
    return take(street), take(community)


def exports_in(folder: Path) -> list[Path]:
    """The export files in ``folder`` (sorted), Excel's lock files beside open exports left out."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    # Excel's lock files (~$name.xlsx) beside open exports are not exports
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in (".xlsx", ".xls") and not p.name.startswith("~$"))
