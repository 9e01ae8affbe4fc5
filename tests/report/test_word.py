"""A report page becomes a Word document: heading styles, numbered lists, Word tables, pictures,
page-number fields, and the East Asian font named on every run."""

import base64
import io
import shutil
import subprocess

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from civsim.errors import CivsimError
from civsim.report import layouts, word


def png() -> bytes:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([1, 2, 3])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    return buffer.getvalue()


PAGE = f"""<!DOCTYPE html><html lang="zh-CN"><head><title>标题</title><style>p {{ color: red }}</style></head>
<body><main class="report">
<div data-mime-type="text/markdown"><h1 id="t">东丽区民政局2022年工作计划<a class="anchor-link" href="#t">¶</a></h1>
<blockquote><p>说明：工作任务摘自《东丽区民政局2022年工作计划》。</p></blockquote>
<h2>一、增强兜底保障能力</h2>
<h3>（一）社会救助</h3>
<ol><li><strong>构建综合救助格局</strong>。出台实施方案。<ul><li>责任科室：社救科</li><li>完成时限：12月底</li></ul></li></ol></div>
<div data-mime-type="text/markdown"><ol start="2"><li><p><strong>落实救助和福利制度</strong>。落实低保。</p></li></ol></div>
<div data-mime-type="application/vnd.jupyter.stderr"><pre>UserWarning: something in English</pre></div>
<div data-mime-type="text/html"><style scoped>.dataframe {{ x: 1 }}</style><table class="dataframe">
<thead><tr><th>项目</th><th>2021年人次</th><th>增减（万元）</th></tr></thead>
<tbody><tr><th>低保金及补贴</th><td>12,688</td><td>-3.20</td></tr><tr><th>合计</th><td>13000</td><td>—</td></tr></tbody>
</table></div>
<div data-mime-type="image/png"><img src="data:image/png;base64,{base64.b64encode(png()).decode()}"></div>
<div class="closing"><p class="signature">东丽区民政局</p><p class="date-line">2022年1月5日</p>
<p class="colophon">生成信息：civsim 0.1.0；参数摘要 0123456789ab；名册 模型合成；随机种子 1；生成日期 2026年12月2日。</p></div>
</main></body></html>"""


@pytest.fixture(scope="module", params=["standard", "gongwen"])
def document(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("word")
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    path = word.from_html(folder / "page.html", folder / "page.docx", request.param)
    return request.param, path, docx.Document(str(path))


def test_blocks_skip_styles_anchors_and_stderr():
    blocks = word.blocks(PAGE)
    texts = [b.text() for b in blocks]
    assert texts[0] == "东丽区民政局2022年工作计划"  # no "¶", no <title>, no CSS
    assert not any("UserWarning" in t or "color" in t or "dataframe" in t for t in texts)
    assert [b.kind for b in blocks].count("table") == 1 and [b.kind for b in blocks].count("image") == 1
    items = [b for b in blocks if b.kind == "item"]
    assert [(b.style, b.level, b.start) for b in items] == [
        ("ordered", 0, 1),
        ("bullet", 1, 1),
        ("bullet", 1, 1),
        ("ordered", 0, 2),
    ]
    assert items[0].runs[0].bold and items[0].text() == "构建综合救助格局。出台实施方案。"


def test_headings_are_heading_styles_and_tasks_numbered_lists(document):
    _, _, doc = document
    styles = [(p.style.name, p.text) for p in doc.paragraphs if p.text]
    assert ("Title", "东丽区民政局2022年工作计划") in styles
    assert ("Heading 1", "一、增强兜底保障能力") in styles and ("Heading 2", "（一）社会救助") in styles
    numbered = [p for p in doc.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert [p.text for p in numbered] == [
        "构建综合救助格局。出台实施方案。",
        "责任科室：社救科",
        "完成时限：12月底",
        "落实救助和福利制度。落实低保。",
    ]
    # the second task's list starts at 2, where the first left off: it joins the first's w:num
    # (started at 1), so Word counts it 2 and the section's tasks are one list
    num_id = numbered[-1]._p.pPr.numPr.numId.val
    assert numbered[0]._p.pPr.numPr.numId.val == num_id != numbered[1]._p.pPr.numPr.numId.val
    numbering = doc.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_id))
    assert num.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val")) == "1"


def test_tables_pictures_and_closing(document):
    layout, _, doc = document
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["项目", "2021年人次", "增减（万元）"]
    assert [c.text for c in table.rows[1].cells] == ["低保金及补贴", "12,688", "-3.20"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert len(doc.inline_shapes) == 1
    texts = [p.text for p in doc.paragraphs]
    date = doc.paragraphs[texts.index("2022年1月5日")]
    assert date.paragraph_format.alignment == 2  # right
    if layout == "gongwen":  # four characters in
        assert date.paragraph_format.right_indent.pt == pytest.approx(64)
    assert any(t.startswith("生成信息：civsim") for t in texts)


def test_every_run_names_its_east_asian_font(document):
    layout, _, doc = document
    spec = layouts.get(layout)
    runs = [r for p in doc.paragraphs for r in p.runs if r.text]
    runs += [r for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs if r.text]
    runs += [r for s in doc.sections for f in (s.footer, s.even_page_footer) for p in f.paragraphs for r in p.runs]
    assert runs
    faces = {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in runs}
    assert None not in faces
    assert spec.body.official in faces and spec.title.official in faces and spec.heading1.official in faces


def test_page_size_margins_and_page_numbers(document):
    layout, _, doc = document
    spec = layouts.get(layout)
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    top, right, bottom, left = spec.margins_mm
    assert [
        round(m.mm) for m in (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    ] == [top, right, bottom, left]
    odd = section.footer.paragraphs[0]
    assert "PAGE" in "".join(odd._p.itertext())
    if layout == "gongwen":
        assert doc.settings.odd_and_even_pages_header_footer
        even = section.even_page_footer.paragraphs[0]
        assert odd.text == "— 1 —" and even.text == "— 1 —"  # the field's placeholder
        assert (odd.alignment, even.alignment) == (2, 0)  # right on odd, left on even
        normal = doc.styles["Normal"]
        assert normal.font.size.pt == 16 and normal.paragraph_format.line_spacing.pt == pytest.approx(28.9)
        assert doc.styles["Title"].font.size.pt == 22


def test_a_missing_page_is_one_clear_error(tmp_path):
    with pytest.raises(CivsimError, match="page not found"):
        word.from_html(tmp_path / "none.html", tmp_path / "x.docx")
    assert not (tmp_path / "x.docx").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (make setup installs it)")
def test_libreoffice_opens_it_and_prints_a4(tmp_path):
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    path = word.from_html(tmp_path / "page.html", tmp_path / "page.docx", "gongwen")
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    reader = PdfReader(tmp_path / "page.pdf")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = reader.pages[0].extract_text()
    assert "东丽区民政局2022年工作计划" in text.replace(" ", "") and "— 1 —" in text


def test_a_column_of_figures_gets_room_for_its_widest_figure():
    """Word would size the columns by their words and break 669.99—747.55 mid-number; the widths
    fill the text width, keep each figure and each short label on one line, and let long text wrap."""
    header = [("项目", True), ("城乡", True), ("上年预计执行数", True), ("区间（P10—P90）", True), ("说明", True)]
    body = [
        [
            ("事实无人抚养儿童生活费及补贴", True),
            ("城市", False),
            ("1721.61", False),
            ("1476.40—1564.90", False),
            ("按申报人数乘以申报标准计发，资料未分等级，按同一标准计" * 2, False),
        ]
    ]
    for width in (36.8, 51.9):  # 公文 and standard text widths, in ems
        widths = word.column_widths([header, *body], width)
        assert sum(widths) == pytest.approx(width)
        assert widths[1] >= 2 + 1 and widths[2] >= 7 * 0.55 + 1 and widths[3] >= 14 * 0.55 + 1 + 1
        assert widths[4] > widths[1]  # the long text takes what is left
    crowded = word.column_widths([header * 4, body[0] * 4], 36.8)  # more than a page holds: all shrink alike
    assert sum(crowded) == pytest.approx(36.8)
