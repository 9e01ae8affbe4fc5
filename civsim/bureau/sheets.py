"""A workbook as information systems really write it, opened as sheets of cell rows.

An export called ``.xls`` is often something else: an HTML table (what many government systems
send as "Excel"), Excel 2003 XML (SpreadsheetML), or CSV / tab-separated text. The content
decides, not the name (but an .xlsx must be a zip, as Excel wants): an .xlsx or BIFF .xls goes
through calamine, the rest through the readers here. Each sheet says whether it is visible and whether it is the active one (the sheet
the clerk last looked at), and lists its merged blocks, so the caller can read the right sheet
and give a merged cell's value to every cell of its block.

An .xlsx is a zip: the sizes its directory declares are checked before anything is unpacked, so a
small file that unpacks to gigabytes (an "Excel bomb": tens of millions of shared strings, or one
huge cell) is refused, not parsed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable

from ..errors import CivsimError

# Limits of an .xlsx's parts, from the zip directory (a district's 100,000-household export
# unpacks to under 100 MB per sheet, about 10× its packed size).
MAX_PART = 1 << 30  # bytes unpacked, any one part
MAX_TOTAL = 2 << 30  # bytes unpacked, all parts
MAX_RATIO = 100  # unpacked / packed, for a part over RATIO_FROM bytes
RATIO_FROM = 16 << 20
MAX_STRINGS = 10_000_000  # shared strings a workbook declares
MAX_TEXT = 1 << 30  # bytes of an HTML, XML or CSV "xls"

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
XL = "{urn:schemas-microsoft-com:office:excel}"


@dataclass
class Sheet:
    name: str
    visible: bool
    active: bool
    read: Callable  # read(nrows=None) -> list of rows (lists of cells), from the sheet's row 1
    merged: Callable = field(default=lambda: [])  # -> [((row0, col0), (row1, col1))], 0-based, inclusive


def _refuse(path, problem, expected="an .xlsx or .xls export of the information system"):
    return CivsimError(path, None, problem, expected)


def open_sheets(path: Path) -> tuple[str, list[Sheet]]:
    """(format, sheets) of the file at ``path``; a file no reader understands is one error."""
    with open(path, "rb") as f:
        start = f.read(4096)
    if start.startswith(b"PK"):
        return "xlsx", _calamine(path, _xlsx_checked(path))
    if start.startswith(OLE2):
        return "xls", _calamine(path, None)
    if path.suffix.lower() in (".xlsx", ".xlsm"):  # Excel itself opens these only as zips
        raise _refuse(path, "not a readable Excel workbook", ".xlsx or .xls")
    if path.stat().st_size > MAX_TEXT:
        raise _refuse(path, f"{path.stat().st_size >> 20} MB of text", f"a text export under {MAX_TEXT >> 20} MB")
    text = _decoded(path)
    head = text[:4096].lstrip("\ufeff \t\r\n").lower()
    if head.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in text[:8192]:
        return "Excel 2003 XML", _spreadsheet_ml(path, text)
    if head.startswith(("<!doctype html", "<html", "<table", "<meta", "<head", "<body", "<?xml")) or "<table" in head:
        return "HTML", _html(path, text)
    if "\x00" in text[:4096] or not text.strip():
        raise _refuse(path, "not a readable Excel workbook", ".xlsx or .xls")
    return "CSV", _csv(path, text)


# ---------------------------------------------------------------- .xlsx and BIFF .xls (calamine)


def _xlsx_checked(path: Path) -> int | None:
    """The zip directory's sizes within the limits (else an error); returns the active tab."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            strings = workbook = b""
            if "xl/sharedStrings.xml" in names:
                with z.open("xl/sharedStrings.xml") as f:
                    strings = f.read(1024)
            if "xl/workbook.xml" in names and z.getinfo("xl/workbook.xml").file_size < (16 << 20):
                workbook = z.read("xl/workbook.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise _refuse(path, "not a readable Excel workbook", ".xlsx or .xls") from None
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_PART or (info.file_size > RATIO_FROM and ratio > MAX_RATIO):
            raise _refuse(
                path,
                f"{info.filename} unpacks to {info.file_size >> 20} MB "
                f"({ratio:.0f}× its packed size): refused before reading",
                f"a workbook part under {MAX_PART >> 20} MB and under {MAX_RATIO}× packed",
            )
    if total > MAX_TOTAL:
        raise _refuse(
            path,
            f"unpacks to {total >> 20} MB: refused before reading",
            f"a workbook under {MAX_TOTAL >> 20} MB unpacked",
        )
    declared = max((int(n) for n in re.findall(rb'(?:uniqueCount|count)="(\d+)"', strings)), default=0)
    if declared > MAX_STRINGS:
        raise _refuse(path, f"declares {declared} shared strings: refused before reading", f"at most {MAX_STRINGS}")
    found = re.search(rb'activeTab="(\d+)"', workbook)
    return int(found.group(1)) if found else 0


def _calamine(path: Path, active: int | None) -> list[Sheet]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        meta = [m for m in book.sheets_metadata]
    except Exception:  # the reader's own error types: not a workbook, encrypted, truncated
        raise _refuse(path, "not a readable Excel workbook", ".xlsx or .xls") from None
    sheets, opened = [], {}

    def sheet_of(name):  # each sheet parsed once, however often it is read
        if name not in opened:
            try:
                opened[name] = book.get_sheet_by_name(name)
            except Exception:
                raise _refuse(path, f"sheet {name} cannot be read", ".xlsx or .xls") from None
        return opened[name]

    for i, m in enumerate(meta):

        def read(nrows=None, name=m.name):
            sheet = sheet_of(name)
            try:
                return (
                    sheet.to_python(skip_empty_area=False, nrows=nrows)
                    if nrows
                    else sheet.to_python(skip_empty_area=False)
                )
            except Exception:
                raise _refuse(path, f"sheet {name} cannot be read", ".xlsx or .xls") from None

        def merged(name=m.name):
            return list(sheet_of(name).merged_cell_ranges or [])

        if str(m.typ).rsplit(".", 1)[-1].lower() != "worksheet":  # a chart or dialog sheet holds no rows
            continue
        visible = str(m.visible).rsplit(".", 1)[-1].lower() == "visible"
        sheets.append(Sheet(str(m.name), visible, active is not None and i == active, read, merged))
    if active is None and len(sheets) == 1:
        sheets[0].active = True
    return sheets


# ---------------------------------------------------------------- text formats


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("gb18030", "replace")


def _csv(path: Path, text: str) -> list[Sheet]:
    # ="420112…" and '420112… are how systems keep a number as text in CSV for Excel
    text = re.sub(r'(^|[,\t])="([^"]*)"(?=[,\t\r\n]|$)', r"\1\2", text, flags=re.M)
    text = re.sub(r"(^|[,\t])'(?=\d)", r"\1", text, flags=re.M)
    first = text[:8192].splitlines()[:20]
    delimiter = "\t" if sum(line.count("\t") for line in first) >= sum(line.count(",") for line in first) else ","
    read, merged = _rows_of(list(csv.reader(io.StringIO(text), delimiter=delimiter)))
    return [Sheet(path.stem, True, True, read, merged)]


def _rows_of(rows: list, merged: list | None = None):
    width = max(map(len, rows), default=0)
    padded = [row + [""] * (width - len(row)) for row in rows]
    return (lambda nrows=None: padded[:nrows] if nrows else padded), (lambda: list(merged or []))


class _Tables(HTMLParser):
    """Every <table> of a page as rows of (text, rowspan, colspan)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self._stack = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._stack.append({"rows": [], "row": None, "cell": None})
        elif not self._stack:
            return
        t = self._stack[-1]
        if tag == "tr":
            self._close_row(t)
            t["row"] = []
        elif tag in ("td", "th"):
            self._close_cell(t)
            if t["row"] is None:
                t["row"] = []
            a = dict(attrs)
            t["cell"] = ([], _span(a.get("rowspan")), min(_span(a.get("colspan")), 1000))
        elif tag == "br" and t["cell"] is not None:
            t["cell"][0].append(" ")

    def handle_data(self, data):
        if self._stack and self._stack[-1]["cell"] is not None:
            self._stack[-1]["cell"][0].append(data)

    def handle_endtag(self, tag):
        if not self._stack:
            return
        t = self._stack[-1]
        if tag in ("td", "th"):
            self._close_cell(t)
        elif tag == "tr":
            self._close_row(t)
        elif tag == "table":
            self._close_row(t)
            self.tables.append(t["rows"])
            self._stack.pop()

    @staticmethod
    def _close_cell(t):
        if t["cell"] is not None:
            text, rowspan, colspan = t["cell"]
            t["row"].append((re.sub(r"\s+", " ", "".join(text)).strip(), rowspan, colspan))
            t["cell"] = None

    def _close_row(self, t):
        self._close_cell(t)
        if t["row"] is not None:
            t["rows"].append(t["row"])
            t["row"] = None


def _grid(rows: list) -> tuple[list, list]:
    """Rows of (text, rowspan, colspan) laid on a grid: a spanned cell's value at its top-left,
    "" elsewhere, each span a merged block."""
    out, merged, below = [], [], {}  # below: column -> rows a span above still covers
    for r, cells in enumerate(rows):
        row, c = {}, 0
        for text, rowspan, colspan in cells:
            while below.get(c, 0) > 0:
                c += 1
            for k in range(colspan):
                row[c + k] = text if k == 0 else ""
                if rowspan > 1:
                    below[c + k] = rowspan  # decremented below, after this row
            if rowspan > 1 or colspan > 1:
                merged.append(((r, c), (r + rowspan - 1, c + colspan - 1)))
            c += colspan
        below = {k: v - 1 for k, v in below.items() if v > 1}
        out.append([row.get(k, "") for k in range(max(row, default=-1) + 1)])
    return out, merged


def _span(text) -> int:
    try:
        return max(1, min(int(str(text).strip()), 100_000))
    except (TypeError, ValueError):
        return 1


def _html(path: Path, text: str) -> list[Sheet]:
    parser = _Tables()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # html.parser is lenient; anything it still cannot take is not a table
        raise _refuse(path, "an HTML file without a readable table") from None
    tables = [_grid(rows) for rows in parser.tables if rows]
    if not tables:
        raise _refuse(path, "an HTML file without a table")
    sheets = []
    for i, (rows, merged) in enumerate(tables):
        read, merges = _rows_of(rows, merged)
        sheets.append(Sheet(f"表{i + 1}", True, len(tables) == 1, read, merges))
    return sheets


def _spreadsheet_ml(path: Path, text: str) -> list[Sheet]:
    """Excel 2003 XML: Worksheet > Table > Row > Cell > Data, with ss:Index skips, MergeAcross /
    MergeDown blocks, hidden sheets (WorksheetOptions/Visible) and the active sheet."""
    import defusedxml.ElementTree as ET

    try:
        root = ET.fromstring(text.encode("utf-8"))
    except Exception:  # malformed XML, or entities defusedxml refuses
        raise _refuse(path, "Excel 2003 XML that cannot be read") from None
    active_at = root.find(f"{XL}ExcelWorkbook/{XL}ActiveSheet")
    active = int(active_at.text) if active_at is not None and (active_at.text or "").strip().isdigit() else None
    sheets = []
    worksheets = root.findall(f"{SS}Worksheet")
    for i, ws in enumerate(worksheets):
        rows, merged, covered, r = [], [], {}, 0  # covered: column -> last row a MergeDown spans
        table = ws.find(f"{SS}Table")
        for row in table.findall(f"{SS}Row") if table is not None else []:
            index = row.get(f"{SS}Index")
            if index and index.isdigit():
                while r < int(index) - 1:
                    rows.append([])
                    r += 1
            cells, c = {}, 0
            for cell in row.findall(f"{SS}Cell"):
                at = cell.get(f"{SS}Index")
                if at and at.isdigit():
                    c = int(at) - 1
                while covered.get(c, -1) >= r:
                    c += 1
                data = cell.find(f"{SS}Data")
                value = _xml_value(data)
                cells[c] = value
                across, down = _span_int(cell.get(f"{SS}MergeAcross")), _span_int(cell.get(f"{SS}MergeDown"))
                if across or down:
                    merged.append(((r, c), (r + down, c + across)))
                    for k in range(c, c + across + 1) if down else ():
                        covered[k] = r + down
                c += 1 + across
            rows.append([cells.get(k, "") for k in range(max(cells, default=-1) + 1)])
            r += 1
        options = ws.find(f"{XL}WorksheetOptions")
        hidden = options is not None and (options.findtext(f"{XL}Visible") or "").strip() in (
            "SheetHidden",
            "SheetVeryHidden",
        )
        selected = options is not None and options.find(f"{XL}Selected") is not None
        read, merges = _rows_of(rows, merged)
        is_active = (i == active) if active is not None else (selected or len(worksheets) == 1)
        sheets.append(Sheet(ws.get(f"{SS}Name") or f"Sheet{i + 1}", not hidden, is_active, read, merges))
    if not sheets:
        raise _refuse(path, "Excel 2003 XML without a worksheet")
    return sheets


def _span_int(text) -> int:
    return int(text) if text and text.isdigit() else 0


def _xml_value(data):
    if data is None:
        return ""
    text = "".join(data.itertext())
    if data.get(f"{SS}Type") == "Number":
        try:
            return float(text)
        except ValueError:
            return text
    return text
