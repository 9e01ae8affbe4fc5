"""The 公文 layout: its fonts draw every character of rare names, and its PDF has the standard's
page box, margins, faces and "— 1 —" page numbers right on odd and left on even pages."""

import pytest
from pypdf import PdfReader

from civsim.errors import CivsimError
from civsim.report import layouts, render

# characters common in given names and missing from GB2312-only faces
RARE = "堃喆玥珺彧赟昇旻翀犇淼焱琤珏璟瑄婕妍祎铖钰镕骞"
MM = 72 / 25.4


def test_every_face_of_the_layout_draws_the_rare_name_characters():
    for role in ("title", "heading1", "heading2", "heading3", "body", "table", "page_number"):
        face = getattr(layouts.GONGWEN, role)
        assert layouts.installed(face), f"no stand-in of {face.official} installed"
        assert layouts.missing_glyphs(RARE + "民政局工作总结一二三（）—", face) == [], role


def test_the_coverage_check_finds_a_missing_glyph():
    face = layouts.Face("none", ("Noto Sans CJK SC",), 10)
    assert layouts.missing_glyphs("低保\U000f0000", face) == ["\U000f0000"]  # a private-use code point
    assert layouts.missing_glyphs("x", layouts.Face("none", ("No Such Font 123",), 10)) == ["x"]


def test_a_bad_layout_name_is_one_clear_error():
    with pytest.raises(CivsimError, match="unknown layout"):
        layouts.get("gongwen2")


PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>名单</title></head><body><main class="report">
<h1>东西湖区民政局2020年工作总结</h1><h2>一、工作成效</h2><h3>（一）社会救助</h3>
{paragraphs}
<div class="closing"><p class="signature">东西湖区民政局</p><p class="date-line">2020年10月21日</p></div>
</main></body></html>"""


@pytest.fixture(scope="module")
def gongwen_pdf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gongwen")
    body = "".join(
        f"<p>第{i}段：为王{RARE[i % len(RARE)]}、李{RARE[(i + 3) % len(RARE)]}等困难群众发放救助金，"
        f"截止10月份全区在册城市低保221户269人，农村低保694户824人。</p>"
        for i in range(60)
    )
    html = folder / "page.html"
    html.write_text(PAGE.format(paragraphs=body), encoding="utf-8")
    return PdfReader(render.to_pdf(html, folder / "page.pdf", layout="gongwen"))


def _placed(page):
    """(text, x, y) of each text run on the page."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]))

    page.extract_text(visitor_text=visit)
    return found


def test_pdf_pages_are_a4_with_the_text_block_of_the_standard(gongwen_pdf):
    assert len(gongwen_pdf.pages) >= 3
    for page in gongwen_pdf.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    body = [(t, x, y) for t, x, y in _placed(gongwen_pdf.pages[1]) if "—" not in t]
    left = min(x for _, x, _ in body)
    top = max(y for _, _, y in body)
    assert 28 * MM - 1 <= left <= 28 * MM + 16 * 2 + 1  # binding margin (+ a two-character indent)
    assert 297 * MM - top == pytest.approx(37 * MM + 16, abs=12)  # first baseline about one line below 37 mm


def test_page_numbers_are_dashed_right_on_odd_and_left_on_even_pages(gongwen_pdf):
    width = float(gongwen_pdf.pages[0].mediabox.width)
    for number, page in enumerate(gongwen_pdf.pages[:3], start=1):
        marks = [(t, x, y) for t, x, y in _placed(page) if t.replace(" ", "") == f"—{number}—"]
        assert marks, f"no page number on page {number}"
        _, x, y = marks[0]
        assert y < 35 * MM  # in the bottom margin
        assert (x > width / 2) == (number % 2 == 1)


def test_pdf_embeds_the_stand_in_faces_and_keeps_every_rare_character(gongwen_pdf):
    fonts = set()
    for page in gongwen_pdf.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1].replace("-", ""))
    assert {"NotoSerifCJKSC", "NotoSerifCJKSCBold"} <= fonts, fonts  # 仿宋 body, 小标宋 title stand-ins
    assert "NotoSansCJKSC" in fonts, fonts  # 黑体 (level 1)
    assert any(f.startswith(("ARPLUKai", "LXGWWenKai")) for f in fonts), fonts  # 楷体 (level 2)
    text = "".join(page.extract_text() for page in gongwen_pdf.pages)
    assert all(ch in text for ch in RARE)
