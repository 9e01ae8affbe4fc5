"""A plan's numbered tasks count 1, 2, 3 … within each section, in the page, the PDF and Word.

Each task is a list of its own (so that the print layout may break a page between tasks), numbered
on from the one before; the PDF and the .docx must show those numbers, not "1." every time.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from civsim.report import documents, render, word
from shipped import SHIPPED, output

pytestmark = pytest.mark.slow

KEPT = [item.district for item in SHIPPED if documents.plan(item.district, item.year + 1) is not None]


def expected(district, year: int) -> list[tuple[int, str]]:
    """(number, title) of every task, numbered within its section."""
    plan = documents.plan(district, year)
    return [(i, task.title) for section in plan.sections for i, task in enumerate(section.tasks, start=1)]


def pdf_numbers(path: Path) -> list[tuple[int, str]]:
    """(number, the text beside it) of every numbered-list marker of the PDF, in page order: the
    markers are text runs of their own, matched to the run on their line to the right."""
    found = []
    for page in PdfReader(path).pages:
        runs = []

        def visit(text, cm, tm, font, size):
            if text.strip():
                runs.append((cm[1] * tm[4] + cm[3] * tm[5] + cm[5], cm[0] * tm[4] + cm[2] * tm[5] + cm[4], text))

        page.extract_text(visitor_text=visit)
        for y, x, text in runs:
            marker = re.fullmatch(r"\s*(\d+)\.\s*", text)
            if marker:
                line = sorted((rx, t) for ry, rx, t in runs if abs(ry - y) < 2 and rx > x)
                found.append((int(marker.group(1)), "".join(t for _, t in line).strip()))
    return found


def docx_numbers(path: Path) -> list[tuple[int, str]]:
    """(number, paragraph text) of every numbered paragraph at the first level, as Word counts
    them: the w:num's start, plus the paragraphs of that w:num before it."""
    document = docx.Document(str(path))
    numbering = document.part.numbering_part.element
    formats = {
        a.get(qn("w:abstractNumId")): a.find(qn("w:lvl")).find(qn("w:numFmt")).get(qn("w:val"))
        for a in numbering.findall(qn("w:abstractNum"))
    }
    nums = {}
    for num in numbering.findall(qn("w:num")):
        override = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        nums[num.get(qn("w:numId"))] = (
            formats[num.find(qn("w:abstractNumId")).get(qn("w:val"))],
            int(override.get(qn("w:val"))) if override is not None else 1,
        )
    counts, found = {}, []
    for paragraph in document.paragraphs:
        numpr = paragraph._p.pPr.find(qn("w:numPr")) if paragraph._p.pPr is not None else None
        if numpr is None or numpr.find(qn("w:ilvl")).get(qn("w:val")) != "0":
            continue
        num = numpr.find(qn("w:numId")).get(qn("w:val"))
        if nums[num][0] != "decimal":
            continue
        counts[num] = counts.get(num, 0) + 1
        found.append((nums[num][1] + counts[num] - 1, paragraph.text))
    return found


def html_numbers(page: str) -> list[tuple[int, str]]:
    """(number, text) of every first-level numbered item as a browser counts it (the list's start)."""
    seen, found = {}, []
    for block in word.blocks(page):
        if block.kind == "item" and block.style == "ordered" and block.level == 0:
            seen[block.list_id] = seen.get(block.list_id, -1) + 1
            found.append((block.start + seen[block.list_id], block.text()))
    return found


def matches(found: list[tuple[int, str]], tasks: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The tasks as the output numbers them: each found number with the title its text opens with."""
    assert len(found) == len(tasks), (found, tasks)
    for (number, text), (_, title) in zip(found, tasks):
        assert text.startswith(title[:6]), (text, title)
    return [(number, title) for (number, _), (_, title) in zip(found, tasks)]


def check(html_path: Path, district, year: int) -> None:
    tasks = expected(district, year)
    assert any(number > 1 for number, _ in tasks)  # something to count past 1
    assert matches(html_numbers(html_path.read_text(encoding="utf-8")), tasks) == tasks
    assert matches(pdf_numbers(html_path.with_suffix(".pdf")), tasks) == tasks
    assert matches(docx_numbers(html_path.with_suffix(".docx")), tasks) == tasks


@pytest.mark.parametrize("name", KEPT)
def test_a_shipped_plan_counts_its_tasks_within_each_section(rendered, name):
    item = next(s for s in SHIPPED if s.district == name)
    check(output(rendered, name, "next_year_plan", "html"), name, item.year + 1)


def test_the_gongwen_plan_counts_its_tasks_too(rendered):
    outcome = rendered["defaults"]
    assert outcome.ok, outcome.error
    check(outcome.outputs["html"], "东丽区", 2022)


def test_a_section_in_word_is_one_list(tmp_path):
    """Word counts a section's tasks as one list (an inserted task renumbers the rest); a new
    section's list starts again at 1, and the PDF counts as the page does."""
    page = tmp_path / "plan.html"
    page.write_text(
        "<html><head><meta charset='utf-8'></head><body><h2>一、甲</h2>"
        "<ol><li>第一项</li></ol><ol start='2'><li>第二项<ul><li>完成时限：6月</li></ul></li></ol>"
        "<ol start='3'><li>第三项</li></ol><h2>二、乙</h2><ol><li>第四项</li></ol>"
        "<ol start='2'><li>第五项</li></ol></body></html>",
        encoding="utf-8",
    )
    word.from_html(page, tmp_path / "plan.docx")
    render.to_pdf(page, tmp_path / "plan.pdf")
    numbers = [(1, "第一项"), (2, "第二项"), (3, "第三项"), (1, "第四项"), (2, "第五项")]
    assert [(n, t[:3]) for n, t in docx_numbers(tmp_path / "plan.docx")] == numbers
    assert [(n, t[:3]) for n, t in pdf_numbers(tmp_path / "plan.pdf")] == numbers
    paragraphs = [
        p
        for p in docx.Document(str(tmp_path / "plan.docx")).paragraphs
        if p._p.pPr is not None
        and p._p.pPr.find(qn("w:numPr")) is not None
        and p.text in {"第一项", "第三项", "第四项"}
    ]
    ids = [p._p.pPr.find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val")) for p in paragraphs]
    assert ids[0] == ids[1] != ids[2]
