"""Nothing but the document: every shipped report, read as its reader gets it (the HTML page, the
PDF's text, the Word file's text), holds no warning, traceback, file path of the machine that made
it, missing-value marker, bare 0, 1, 2 … index column, text cut short or English word.

The reports are the session's one rendering (conftest.rendered), so this costs a read of each file.
"""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from civsim.report import word
from shipped import NAMES, SHIPPED, leaks, output

pytestmark = pytest.mark.slow

DOCUMENTS = [(item.district, document) for item in SHIPPED for document in NAMES]


def page_text(page: str) -> str:
    """An HTML page's text as a browser shows it, stderr outputs included (word.blocks skips them)."""
    page = re.sub(r"<(style|script|head)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<(br|/p|/div|/tr|/li|/h\d|/table|/pre)\b[^>]*>", "\n", page, flags=re.I)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", page))


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def docx_tables(path: Path) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in docx.Document(str(path)).tables]


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    rows = ["\t".join(row) for table in docx_tables(path) for row in table]
    return "\n".join([p.text for p in document.paragraphs] + rows)


def indexed(rows: list[list[str]]) -> bool:
    """A table whose first column runs 0, 1, 2 … below its header: pandas' row numbers."""
    body = [row[0].strip() for row in rows[1:] if row]
    return len(body) >= 2 and body == [str(i) for i in range(len(body))]


def index_lines(text: str) -> list[str]:
    """Lines of extracted PDF text starting 0, then 1, then 2: a table's row numbers."""
    hits, expected = [], 0
    for line in text.splitlines():
        first = line.split()[:1]
        if first == [str(expected)]:
            expected += 1
            if expected == 3:
                hits.append(line)
        else:
            expected = 1 if first == ["0"] else 0
    return hits


def scan(html_path: Path) -> dict[str, dict]:
    """Every hit in one document's three outputs, by output."""
    page = html_path.read_text(encoding="utf-8")
    pdf, docx_path = html_path.with_suffix(".pdf"), html_path.with_suffix(".docx")
    found = {"html": leaks(page_text(page)), "pdf": leaks(pdf_text(pdf)), "docx": leaks(docx_text(docx_path))}
    html_tables = [[[cell for cell, _ in row] for row in b.rows] for b in word.blocks(page) if b.kind == "table"]
    for kind, hit in (
        ("html", any(map(indexed, html_tables))),
        ("docx", any(map(indexed, docx_tables(docx_path)))),
        ("pdf", index_lines(pdf_text(pdf))),
    ):
        if hit:
            found[kind]["index column"] = hit if isinstance(hit, list) else True
    return {kind: hits for kind, hits in found.items() if hits}


@pytest.mark.parametrize("name, document", DOCUMENTS, ids=[f"{n}-{d}" for n, d in DOCUMENTS])
def test_a_shipped_document_holds_nothing_but_the_document(rendered, name, document):
    assert rendered["code"] == 0, rendered["printed"]
    assert scan(output(rendered, name, document, "html")) == {}


@pytest.mark.parametrize("key", ["defaults", "gongwen_budget"])
def test_the_gongwen_documents_hold_nothing_but_the_document(rendered, key):
    outcome = rendered[key]
    assert outcome.ok, outcome.error
    assert scan(outcome.outputs["html"]) == {}


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """Each check fires on the kind of text it is for, and not on a clean report's."""
    assert set(leaks("/tmp/ipykernel_81/1.py:1: Pandas4Warning: 'str' is not supported")) >= {
        "warning",
        "path",
        "english",
    }
    assert set(leaks("Traceback (most recent call last):\nValueError: bad")) >= {"traceback"}
    assert leaks("低保 nan 万元；None；NaT")["missing value"] == ["NaT", "None", "nan"]
    assert set(leaks("人数每年±5%（均匀分布）：本区报告数据只有一个年度…")) == {"cut short"}
    assert leaks("低保：月均保障269人 × 月人均补助830.00元 × 12个月 = 267.91万元；P10—P90") == {}
    assert index_lines("项目 金额\n0 低保 661.04\n1 特困 174.43\n2 孤儿 51.58\n") == ["2 孤儿 51.58"]
    assert index_lines("1. 理论学习\n2. 完善清单\n2021 低保 3.00\n") == []
    assert indexed([["", "项目"], ["0", "低保"], ["1", "特困"]]) and not indexed(
        [["项目", "金额"], ["低保", "1"], ["合计", "2"]]
    )
