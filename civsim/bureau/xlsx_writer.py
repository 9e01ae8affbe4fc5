"""One-sheet .xlsx files written as information systems stream their exports: every cell in the
sheet's XML as it goes (text as inline strings, numbers, dates as serials with a date format), no
shared-string table, no styles beyond the date's.

Each column becomes an array of cell XML at once and the rows are joined from those arrays: the
eight files of a 1,000-household month take 0.2 s of CPU, where openpyxl, an object per cell, took
0.5–0.8 s.
The zip's entries carry a fixed time: the same rows give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from ..atomic import atomic_path

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_STYLE = {"d": 1, "t": 2}  # cellXfs index of a date's format below (built-in 14) and a date-time's
_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's 1900 date system, after its 1900-02-29
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0 text

_PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    "</Types>",
    "_rels/.rels": f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PKG}/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>",
    "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    "</Relationships>",
    "xl/styles.xml": f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}


def write(path: Path, rows: list, creator: str, created: dt.datetime) -> None:
    """Write ``rows`` — short lists of cells and data frames, in order, from row 1 — as the one
    sheet of an .xlsx at ``path`` (atomically). A frame's rows are written without its header; an
    empty list is an empty row. A cell is text, a number (to Excel's 15 significant digits), a date
    or datetime, or None / "" / NaN (left empty)."""
    sheet, row = [], 1
    for part in rows:
        frame = isinstance(part, pd.DataFrame)
        values = part.to_numpy(dtype=object) if frame else np.array([list(part) or [None]], dtype=object)
        sheet.append(_rows(values, row))
        row += len(values)
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{_escaped(np.array([creator], object))[0]}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created:%Y-%m-%dT%H:%M:%SZ}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created:%Y-%m-%dT%H:%M:%SZ}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    parts = {
        **_PARTS,
        "docProps/core.xml": core,
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(sheet)}</sheetData></worksheet>',
    }
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as book:
        for name, text in parts.items():
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            book.writestr(entry, _HEAD + text, compress_type=zipfile.ZIP_DEFLATED)


def _rows(values: np.ndarray, first: int) -> str:
    """The <row> elements of a 2-D array of cell values, numbered from ``first``: each kind of cell
    made for the whole array at once; rows without a cell are left out."""
    numbers = np.arange(first, first + len(values)).astype(str).astype(object)
    refs = np.array([_letters(j) for j in range(values.shape[1])], object)[None, :] + numbers[:, None]
    types = _type(values)
    kinds = np.frompyfunc({kind: _kind(kind) for kind in set(types.ravel())}.get, 1, 1)(types)
    kinds[pd.isna(values) | (values == "")] = ""
    number = kinds == "n"
    floats = values[number].astype(float)
    finite = np.isfinite(floats)
    number[number] = finite  # inf has no cell: empty, as NaN
    text = kinds == "s"
    cells = np.full(values.shape, "", dtype=object)
    cells[text] = '<c r="' + refs[text] + '" t="inlineStr"><is><t xml:space="preserve">' + _escaped(values[text])
    cells[text] += "</t></is></c>"
    cells[number] = '<c r="' + refs[number] + '"><v>' + _digits(floats[finite]) + "</v></c>"
    for kind, style in _STYLE.items():
        date = kinds == kind
        days = ((pd.to_datetime(values[date]) - _EPOCH) / pd.Timedelta(days=1)).to_numpy()
        cells[date] = '<c r="' + refs[date] + f'" s="{style}"><v>' + _digits(days) + "</v></c>"
    filled = (cells != "").any(axis=1)
    if not filled.any():
        return ""
    return "".join('<row r="' + numbers[filled] + '">' + cells[filled].sum(axis=1) + "</row>")


_type = np.frompyfunc(type, 1, 1)


def _digits(numbers: np.ndarray) -> np.ndarray:
    """Numbers as a cell's text, to the 15 significant digits Excel keeps (a whole day: no point)."""
    return np.char.mod("%.15g", numbers).astype(object)


def _kind(kind: type) -> str:
    """s (text), n (number), d (date), t (date and time) or "" (empty) for a cell value's type;
    any other type is the caller's mistake."""
    if issubclass(kind, str):
        return "s"
    if issubclass(kind, (bool, np.bool_)):
        raise TypeError("a true/false cell is not written; write it as text or a number")
    if issubclass(kind, (int, float, np.integer, np.floating)):
        return "n"
    if issubclass(kind, (dt.datetime, np.datetime64)):
        return "t"
    if issubclass(kind, dt.date):
        return "d"
    if kind is type(None):
        return ""
    raise TypeError(f"a cell of type {kind.__name__} has no .xlsx form here")


def _escaped(texts: np.ndarray) -> np.ndarray:
    """Texts as XML character data: control characters XML cannot hold dropped, & < > escaped
    (each looked for once in all the texts together: exports seldom hold any)."""
    joined = "".join(texts)
    series = pd.Series(texts, dtype=object)
    if _CONTROL.search(joined):
        series = series.str.replace(_CONTROL, "", regex=True)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if char in joined:
            series = series.str.replace(char, entity, regex=False)
    return series.to_numpy(dtype=object)


def _letters(index: int) -> str:
    """A column's letters: 0 → A, 25 → Z, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name
