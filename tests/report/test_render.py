"""Executed notebooks become a self-contained Chinese HTML page and an A4 PDF with the font embedded."""

import os
import re
import stat
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from civsim.errors import CivsimError
from civsim.report import render

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HEADING = "东西湖区民政局2020年工作总结"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    import papermill  # here, not at the top: only the slow tests run a notebook

    folder = tmp_path_factory.mktemp("render")
    executed = folder / "report.ipynb"
    papermill.execute_notebook(str(FIXTURES / "report.ipynb"), str(executed), progress_bar=False, cwd=str(FIXTURES))
    html = render.to_html(executed, folder / "report.html")
    pdf = render.to_pdf(html, folder / "report.pdf")
    return html, pdf


@pytest.mark.slow
def test_html_is_chinese_without_code_or_prompts(rendered):
    html = rendered[0].read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    assert f"<title>{HEADING}</title>" in html
    assert HEADING in html
    assert "截止10月份，全区在册城市低保221户269人" in html
    assert "特困供养" in html and "<table" in html  # the pandas table
    for prompt in ("In [", "In&nbsp;[", "Out[", "Out&nbsp;["):
        assert prompt not in html
    for code in ("import pandas", "pd.DataFrame", "set_title", "use_cjk_font", "district ="):
        assert code not in html
    assert "&lt;Figure size" not in html  # the chart is a picture, not its repr


@pytest.mark.slow
def test_html_needs_no_network(rendered):
    html = rendered[0].read_text(encoding="utf-8")
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html, flags=re.IGNORECASE)
    for tag in tags:
        for value in re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]*)""", tag, flags=re.IGNORECASE):
            assert "http" not in value and not value.startswith("//"), tag
    text = re.sub(r"data:[^\"']+", "", html).lower()  # base64 images may spell anything
    for word in ("mathjax", "require.js", "requirejs", "cdn", "unpkg", "jsdelivr", "widget"):
        assert word not in text
    images = re.findall(r"<img\b[^>]*\bsrc=\"([^\"]{0,30})", html)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)


@pytest.mark.slow
def test_html_has_cjk_font_and_a4_print_css(rendered):
    html = rendered[0].read_text(encoding="utf-8")
    assert re.search(r'font-family:\s*"Noto Sans CJK SC"', html)
    assert re.search(r"@page\s*{[^}]*size:\s*A4", html)
    assert "break-inside: avoid" in html


@pytest.mark.slow
def test_pdf_has_the_chinese_heading_and_embeds_a_cjk_font(rendered):
    reader = PdfReader(rendered[1])
    text = "".join(reader.pages[0].extract_text().split())
    assert HEADING in text
    assert "1219.16万元" in text
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts") or []
            for descendant in descendants:
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))  # embedded
    assert any("NotoSansCJK" in re.sub(r"[-_ ]", "", name) for name in fonts), fonts


@pytest.mark.slow
def test_outputs_get_the_usual_file_mode(rendered):
    mask = os.umask(0o022)
    os.umask(mask)
    for path in rendered:  # not mkstemp's 0600: the intranet's web server must read them
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~mask


def test_html_with_a_remote_script_is_refused(tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "chart",
                outputs=[
                    nbformat.v4.new_output(
                        "display_data",
                        data={
                            "text/html": '<script src="https://cdn.example.org/plotly.min.js"></script><div>图</div>'
                        },
                    )
                ],
            )
        ]
    )
    nbformat.write(notebook, tmp_path / "remote.ipynb")
    with pytest.raises(CivsimError, match="cdn.example.org"):
        render.to_html(tmp_path / "remote.ipynb", tmp_path / "remote.html")
    assert not (tmp_path / "remote.html").exists()


def test_remote_resources():
    page = (
        '<script src="https://a.org/x.js"></script><link rel="stylesheet" href="//b.org/s.css">'
        '<img src="data:image/png;base64,AAAA"><a href="https://c.org/">source</a>'
        '<style>@import url("http://d.org/f.css");</style><script>var x = 1;</script>'
    )
    assert render.remote_resources(page) == ["https://a.org/x.js", "//b.org/s.css", "http://d.org/f.css"]


def test_pdf_fetcher_refuses_the_network():
    fetcher = render.offline_fetcher()
    with pytest.raises(ValueError):
        fetcher("https://example.org/logo.png")
    with pytest.raises(ValueError):
        fetcher("http://127.0.0.1:9/logo.png")


@pytest.mark.slow
def test_a_failed_render_keeps_the_previous_output(tmp_path, rendered):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"previous good pdf")
    with pytest.raises(CivsimError, match="page not found"):
        render.to_pdf(tmp_path / "missing.html", pdf)
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json", encoding="utf-8")
    html = tmp_path / "report.html"
    html.write_text("previous good page", encoding="utf-8")
    with pytest.raises(CivsimError, match="not a readable notebook"):
        render.to_html(broken, html)
    assert pdf.read_bytes() == b"previous good pdf"
    assert html.read_text(encoding="utf-8") == "previous good page"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.ipynb", "report.html", "report.pdf"]


def test_a_wide_table_keeps_its_row_labels_whole_and_inside_the_a4_width(tmp_path):
    """A table of many columns (display.Table marks it wide) is set smaller in print: its row labels
    break into a few lines, not a character or two to a line (as in a plain table), and it keeps
    within the text block."""
    import pandas as pd

    from civsim.report.display import Table

    label = "事实无人抚养儿童价格临时补贴"
    frame = pd.DataFrame(
        [
            {
                "方案": "基准",
                "项目": label,
                **{f"{y}年{k}（万元）": 646.83 for y in (2021, 2022, 2023) for k in ("预测数", "P10", "P90")},
            }
        ]
        * 3
    ).round(2)
    pages = {}
    for name, html in (("wide", Table(frame)._repr_html_()), ("plain", frame._repr_html_())):
        page = tmp_path / f"{name}.html"
        page.write_text(
            f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>"
            f"{(render.TEMPLATES / 'civsim' / 'report.css').read_text(encoding='utf-8')}</style></head>"
            f"<body><main class='report'>{html}</main></body></html>",
            encoding="utf-8",
        )
        pages[name] = PdfReader(render.to_pdf(page, tmp_path / f"{name}.pdf")).pages[0]
    assert 'class="dataframe wide"' in Table(frame)._repr_html_()
    assert 'class="dataframe wide"' not in Table(frame.iloc[:, :5])._repr_html_()

    def pieces(page):  # the lines each label is broken into
        lines = [line.strip() for line in page.extract_text().splitlines()]
        return [line for line in lines if line and line in label], sum(line.endswith("基准") for line in lines)

    wide, plain = pieces(pages["wide"]), pieces(pages["plain"])
    assert wide[1] == 3 and max(map(len, wide[0])) >= 6 and len(wide[0]) <= 9 and "".join(wide[0]) == label * 3
    assert plain[1] == 0 and max(map(len, plain[0])) <= 2  # as a plain table: a character or two a line

    def last_start(page):  # where the rightmost text run starts, in pt
        starts = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: starts.append(cm[4] + tm[4] * cm[0]))
        return max(starts)

    inside = (210 - 18 - 5) * 72 / 25.4  # 5 mm inside the right margin: room for the last number
    assert last_start(pages["wide"]) < inside
