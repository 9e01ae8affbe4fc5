"""A rendered report page as a Word document (.docx) an author edits in Word or WPS and files.

The .docx is made from the same self-contained HTML the intranet gets, so the three outputs say
the same thing: headings become Word heading styles (the title Title, "一、" Heading 1, "（一）"
Heading 2), ordered lists numbered lists, tables Word tables with a repeated header row, charts
pictures, and the 落款, date line and colophon right-aligned paragraphs. Every run names its East
Asian font (``w:eastAsia``) with the official face of its role (civsim.report.layouts), so a bureau
PC that has 仿宋_GB2312 and the others shows the official look. The footer carries a PAGE field:
"— 1 —" right on odd and left on even pages in the 公文 layout, centred otherwise.

python-docx writes it (see the README for why not pandoc); the HTML is read with the standard
library's parser, which is enough for the small set of tags the report pages use.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from ..atomic import atomic_path
from ..errors import CivsimError
from . import layouts
from .table_widths import NUMBER, column_widths
from .word_blocks import Block, Run, blocks  # noqa: F401  (blocks: read a page as Word will)

LATIN = "Times New Roman"


# ---------------------------------------------------------------- the page as blocks


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _name_fonts(element, face: layouts.Face) -> None:
    """Set w:rFonts on a run's or style's rPr: Latin faces and the official East Asian face."""
    from docx.oxml import OxmlElement

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(_qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(_qn(attr), None)
    fonts.set(_qn("w:ascii"), LATIN)
    fonts.set(_qn("w:hAnsi"), LATIN)
    fonts.set(_qn("w:cs"), LATIN)
    fonts.set(_qn("w:eastAsia"), face.official)


def _run(paragraph, text: str, face: layouts.Face, bold: bool | None = None, italic: bool = False, size=None):
    from docx.shared import Pt, RGBColor

    run = paragraph.add_run(text)
    _name_fonts(run._r, face)
    run.font.size = Pt(size or face.size_pt)
    run.font.bold = face.bold if bold is None else bold
    run.font.italic = italic or None
    run.font.color.rgb = RGBColor(0, 0, 0)
    return run


def _field(paragraph, instruction: str, face: layouts.Face) -> None:
    """A Word field (PAGE) as begin / instruction / separate / placeholder / end runs."""
    from docx.oxml import OxmlElement

    def char(kind):
        run = _run(paragraph, "", face)
        element = OxmlElement("w:fldChar")
        element.set(_qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = _run(paragraph, "", face)
    instr = OxmlElement("w:instrText")
    instr.set(_qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    _run(paragraph, "1", face)
    char("end")


def _style(
    document,
    name: str,
    face: layouts.Face,
    layout: layouts.Layout,
    *,
    align=None,
    before=0,
    after=0,
    indent_chars: float = 0,
):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt, RGBColor

    style = document.styles[name]
    _name_fonts(style.element, face)
    style.font.size = Pt(face.size_pt)
    style.font.bold = face.bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if layout.line_pt and name != "Title":
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(layout.line_pt)
    elif name == "Title" and layout.gongwen:
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(face.size_pt * 1.45)
    else:
        fmt.line_spacing = 1.5 if name == "Normal" else 1.2
    if align is not None:
        fmt.alignment = align
    fmt.first_line_indent = Pt(indent_chars * layout.body.size_pt)  # 0 too: styles inherit Normal's
    # the Title style of the default template draws a rule under itself: the 公文 title has none
    ppr = style.element.find(_qn("w:pPr"))
    if ppr is not None:
        for border in ppr.findall(_qn("w:pBdr")):
            ppr.remove(border)
    return style


def _setup(document, layout: layouts.Layout) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    top, right, bottom, left = layout.margins_mm
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = (
        Mm(top),
        Mm(right),
        Mm(bottom),
        Mm(left),
    )
    section.footer_distance = Mm(max(bottom - 7 - 8, 8)) if layout.gongwen else Mm(10)
    normal = _style(
        document,
        "Normal",
        layout.body,
        layout,
        indent_chars=2 if layout.gongwen else 0,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    lang = OxmlElement("w:lang")
    lang.set(_qn("w:val"), "zh-CN")
    lang.set(_qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    _style(document, "Title", layout.title, layout, align=WD_ALIGN_PARAGRAPH.CENTER, after=layout.line_pt or 12)
    for name, face in (("Heading 1", layout.heading1), ("Heading 2", layout.heading2), ("Heading 3", layout.heading3)):
        _style(
            document,
            name,
            face,
            layout,
            before=0 if layout.gongwen else 10,
            after=0 if layout.gongwen else 4,
            indent_chars=2 if layout.gongwen else 0,
        )
    for name in ("List Number", "List Bullet", "List Bullet 2", "Quote"):
        if name in document.styles:
            _style(document, name, layout.body, layout)
    _footers(document, layout)


def _footers(document, layout: layouts.Layout) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    section = document.sections[0]
    face = layout.page_number
    if not layout.gongwen:
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(paragraph, "PAGE", face)
        return
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        paragraph.paragraph_format.first_line_indent = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = Pt(face.size_pt)
        else:
            paragraph.paragraph_format.left_indent = Pt(face.size_pt)
        _run(paragraph, "— ", face)
        _field(paragraph, "PAGE", face)
        _run(paragraph, " —", face)


class _Numbering:
    """Numbered and bulleted lists: one abstract definition each, one w:num per list so that every
    list restarts. A numbered list that goes on where the one before it left off (the page splits a
    section's tasks into one list each, the next starting at the following number) joins that
    list's w:num, so Word counts the section's tasks as one list and renumbers them when an author
    inserts one; a heading ends that."""

    def __init__(self, document):
        self.part = document.part.numbering_part.element
        self.abstract = {
            "ordered": self._abstract(1000, "decimal", "%{}."),
            "bullet": self._abstract(1001, "bullet", "•"),
        }
        self.nums: dict[int, int] = {}
        self.next = 1000
        self.going_on: dict[int, tuple[int, int]] = {}  # level -> (w:num, its next number)

    def restart(self) -> None:
        self.going_on.clear()

    def counted(self, block: Block) -> int:
        """The w:num of an item, counting it where it is numbered."""
        num = self.num(block)
        if block.style == "ordered":
            previous, following = self.going_on.get(block.level, (None, None))
            self.going_on[block.level] = (num, following + 1 if previous == num else block.start + 1)
        return num

    def _abstract(self, number: int, fmt: str, text: str) -> int:
        from docx.oxml import OxmlElement

        abstract = OxmlElement("w:abstractNum")
        abstract.set(_qn("w:abstractNumId"), str(number))
        for level in range(4):
            lvl = OxmlElement("w:lvl")
            lvl.set(_qn("w:ilvl"), str(level))
            for tag, value in (
                ("w:start", "1"),
                ("w:numFmt", fmt),
                ("w:lvlText", text.format(level + 1) if "{}" in text else text),
                ("w:lvlJc", "left"),
            ):
                child = OxmlElement(tag)
                child.set(_qn("w:val"), value)
                lvl.append(child)
            ppr = OxmlElement("w:pPr")
            ind = OxmlElement("w:ind")
            ind.set(_qn("w:left"), str(420 * (level + 1) + 220))
            ind.set(_qn("w:hanging"), "420")
            ppr.append(ind)
            lvl.append(ppr)
            abstract.append(lvl)
        first_num = self.part.find(_qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.part.append(abstract)
        return number

    def num(self, block: Block) -> int:
        from docx.oxml import OxmlElement

        if block.list_id in self.nums:
            return self.nums[block.list_id]
        num, following = self.going_on.get(block.level, (None, None))
        if block.style == "ordered" and block.start > 1 and block.start == following:
            self.nums[block.list_id] = num
            return num
        self.next += 1
        num = OxmlElement("w:num")
        num.set(_qn("w:numId"), str(self.next))
        ref = OxmlElement("w:abstractNumId")
        ref.set(_qn("w:val"), str(self.abstract[block.style]))
        num.append(ref)
        if block.style == "ordered":
            override = OxmlElement("w:lvlOverride")
            override.set(_qn("w:ilvl"), "0")
            start = OxmlElement("w:startOverride")
            start.set(_qn("w:val"), str(block.start))
            override.append(start)
            num.append(override)
        self.part.append(num)
        self.nums[block.list_id] = self.next
        return self.next


def _number(paragraph, num_id: int, level: int) -> None:
    from docx.oxml import OxmlElement

    ppr = paragraph._p.get_or_add_pPr()
    numpr = OxmlElement("w:numPr")
    for tag, value in (("w:ilvl", level), ("w:numId", num_id)):
        child = OxmlElement(tag)
        child.set(_qn("w:val"), str(value))
        numpr.append(child)
    ppr.append(numpr)


def _table(document, rows, layout: layouts.Layout) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.shared import Mm, Pt

    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    face = layout.table
    text_width = Mm(210 - layout.margins_mm[1] - layout.margins_mm[3])
    ems = column_widths(rows, text_width.pt / face.size_pt)
    widths = [int(text_width * w / sum(ems)) for w in ems]
    table.autofit = False
    for column, column_width in zip(table.columns, widths):
        column.width = column_width
    cells = table._cells  # all at once: cell(r, c) walks the whole table each call
    for i, cell in enumerate(cells):
        cell.width = widths[i % width]
    for r, row in enumerate(rows):
        header_row = all(is_header for _, is_header in row) and r < 3
        if header_row:
            trpr = table.rows[r]._tr.get_or_add_trPr()
            repeat = OxmlElement("w:tblHeader")
            repeat.set(_qn("w:val"), "true")
            trpr.append(repeat)
        for c in range(width):
            text, is_header = row[c] if c < len(row) else ("", False)
            paragraph = cells[r * width + c].paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.first_line_indent = Pt(0)
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.space_before = fmt.space_after = Pt(1)
            numeric = bool(NUMBER.fullmatch(text))
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.CENTER
                if header_row
                else WD_ALIGN_PARAGRAPH.RIGHT
                if numeric and c > 0
                else WD_ALIGN_PARAGRAPH.LEFT
            )
            _run(paragraph, text, face, bold=header_row)


def _picture(document, data: bytes, layout: layouts.Layout) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    top, right, bottom, left = layout.margins_mm
    text_width = Mm(210 - right - left)
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.add_run().add_picture(io.BytesIO(data), width=text_width)


def build(page_blocks: list[Block], layout: str | layouts.Layout = "standard", title: str | None = None):
    """A python-docx Document of the blocks in the layout."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    layout = layouts.get(layout)
    document = docx.Document()
    _setup(document, layout)
    numbering = _Numbering(document)
    heading_styles = {1: ("Title", layout.title), 2: ("Heading 1", layout.heading1), 3: ("Heading 2", layout.heading2)}
    for block in page_blocks:
        if block.kind == "heading":
            style, face = heading_styles.get(block.level, ("Heading 3", layout.heading3))
            paragraph = document.add_paragraph(style=style)
            numbering.restart()
            for run in block.runs:
                _run(paragraph, run.text, face, bold=face.bold or (run.bold and not layout.gongwen))
        elif block.kind in ("para", "item"):
            style = {"item": "List Number" if block.style == "ordered" else "List Bullet"}.get(block.kind)
            paragraph = document.add_paragraph(style=style)
            fmt = paragraph.paragraph_format
            face, size = layout.body, None
            if block.kind == "item":
                fmt.first_line_indent = Pt(0)
                _number(paragraph, numbering.counted(block), block.level)
            elif block.style in ("signature", "date"):
                fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                fmt.first_line_indent = Pt(0)
                fmt.right_indent = Pt(4 * layout.body.size_pt) if layout.gongwen else Pt(0)
                if block.style == "signature":
                    fmt.space_before = Pt(layout.line_pt or 12)
            elif block.style == "colophon":
                fmt.first_line_indent = Pt(0)
                fmt.space_before = Pt(layout.line_pt or 12)
                fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.SINGLE, None
                size = 10.5 if layout.gongwen else 8.5
            elif block.style == "quote":
                fmt.left_indent = Pt(0 if layout.gongwen else 12)
            elif block.style == "pre":
                fmt.first_line_indent = Pt(0)
            for run in block.runs:
                _run(paragraph, run.text, face, bold=run.bold, italic=run.italic, size=size)
        elif block.kind == "table":
            _table(document, block.rows, layout)
        elif block.kind == "image":
            _picture(document, block.image, layout)
    heading = next((b.text() for b in page_blocks if b.kind == "heading" and b.level == 1), None)
    document.core_properties.title = title or heading or ""
    document.core_properties.language = "zh-CN"
    document.core_properties.author = ""
    return document


def from_html(html_path: str | os.PathLike, docx_path: str | os.PathLike, layout: str = "standard") -> Path:
    """Write the report page ``html_path`` as ``docx_path`` (whole or not at all)."""
    html_path = Path(html_path)
    if not html_path.is_file():
        raise CivsimError(html_path, None, "page not found", "an HTML file made by to_html")
    document = build(blocks(html_path.read_text(encoding="utf-8")), layout)
    with atomic_path(docx_path) as tmp:
        document.save(str(tmp))
    return Path(docx_path)


__all__ = ["Block", "Run", "blocks", "build", "from_html"]
