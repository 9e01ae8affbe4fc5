"""The Chinese user guide (docs/使用说明/): its pictures, and the guide as one HTML page and PDF.

    python tools/guide.py screenshots    # docs/使用说明/images/*.png from the real app and reports
    python tools/guide.py render OUT     # OUT/使用说明.html and OUT/使用说明.pdf

`screenshots` starts `civsim app` on a free port (civsim.app.running), drives Debian's Chromium
with Playwright through the 方案模拟 and 单户测算 pages as a planner would, renders 东西湖区's
reports with `civsim report` (both layouts) and turns chosen PDF pages into PNGs with pdftoppm;
the Word file is laid out by LibreOffice (as in tests/report/test_word_pages.py) and shown the same way.
`render` joins the guide's pages into one notebook of Markdown cells and renders it with the
reports' own pipeline (civsim.report.render: the offline HTML template, WeasyPrint for the PDF).
Both run offline; `make docs` runs them before the site build.
"""
from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from civsim import lean_imports
from civsim.headless import CHROMIUM, FLAGS

lean_imports.without_iri_grammars()  # as civsim's own processes: nbformat would load them, 2 s of CPU

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "使用说明"
IMAGES = GUIDE / "images"
# the pages in reading order: the guide's index first, then one page per user
PAGES = ["README.md", "规划人员.md", "财务人员.md", "材料撰写人员.md", "台账管理人员.md"]
TITLE = "civsim 使用说明"
WAIT_MS = 60_000
DISTRICT, YEAR = "东西湖区", 2020
DIBAO = ".civsim-dibao-standard-urban"


def _civsim(*args: str, cwd: Path = ROOT) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    subprocess.run([sys.executable, "-m", "civsim.cli", *args], cwd=cwd, env=env, check=True)


def _pdf_page(pdf: Path, page: int, png: Path, dpi: int = 60) -> None:
    """One page of a PDF as a PNG (pdftoppm, from poppler-utils)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile",
                        str(pdf), f"{tmp}/page"], check=True)
        shutil.move(f"{tmp}/page.png", png)


def app_pictures() -> None:
    from playwright.sync_api import sync_playwright

    from civsim import app

    with tempfile.TemporaryDirectory() as tmp, app.running(saves=Path(tmp) / "saves", log=Path(tmp) / "voila.log",
                                                           timeout=120) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page.goto(server.url)
        page.wait_for_selector(f"{DIBAO} input[type=number]", state="attached", timeout=WAIT_MS)
        page.locator(".civsim-results svg").first.wait_for(state="visible", timeout=WAIT_MS)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(IMAGES / "app-scenario.png"))

        # a new 城市低保 standard of 900 yuan from July
        before = page.get_attribute(".civsim-total", "data-yuan")
        page.locator(f"{DIBAO} button", has_text="新标准").click()
        box = page.locator(f"{DIBAO} input[type=number]")
        box.click(click_count=3)
        box.press_sequentially("900")
        page.wait_for_function("b => document.querySelector('.civsim-total').dataset.yuan !== b", arg=before,
                               timeout=WAIT_MS)
        page.wait_for_timeout(1000)
        page.screenshot(path=str(IMAGES / "app-new-standard.png"))

        page.locator("button", has_text="与上年比较").click()
        page.wait_for_selector("text=标准因素", timeout=WAIT_MS)
        # in a window tall enough for every row of the table
        page.set_viewport_size({"width": 1366, "height": 1000})
        page.wait_for_timeout(1000)
        page.screenshot(path=str(IMAGES / "app-year-on-year.png"))
        page.set_viewport_size({"width": 1366, "height": 768})

        page.locator(".civsim-controls input[placeholder^='如']").fill("dibao_900")
        page.locator("button", has_text="保存方案").click()
        page.wait_for_selector("text=已保存", timeout=WAIT_MS)
        page.locator("text=已保存").first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(IMAGES / "app-save.png"))

        page.get_by_role("tab", name="单户测算").click()
        page.wait_for_selector(".civsim-hh-base[data-line='dibao']", state="visible", timeout=WAIT_MS)
        income = page.locator(".civsim-hh-income input[type=number]")
        income.fill("300")
        income.press("Enter")
        page.wait_for_function(
            "() => Number(document.querySelector(\".civsim-hh-base[data-line='dibao']\").dataset.yuan) === 1590",
            timeout=WAIT_MS)
        page.set_viewport_size({"width": 1366, "height": 1120})
        page.wait_for_timeout(1000)
        page.screenshot(path=str(IMAGES / "app-household.png"))
        browser.close()


def report_pictures() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        _civsim("report", "--district", DISTRICT, "--year", str(YEAR), "--workers", "1", "--out", str(out / "standard"))
        _civsim("report", "--district", DISTRICT, "--year", str(YEAR), "--workers", "1", "--layout", "gongwen",
                "--out", str(out / "gongwen"))
        [folder] = (out / "standard").iterdir()
        [gongwen] = (out / "gongwen").iterdir()
        summary, plan, budget = (folder / str(YEAR) / "工作总结.pdf", folder / str(YEAR + 1) / "工作计划.pdf",
                                 folder / str(YEAR + 1) / "预算测算.pdf")
        _pdf_page(summary, 1, IMAGES / "summary-page1.png")
        _pdf_page(gongwen / str(YEAR) / "工作总结.pdf", 1, IMAGES / "summary-gongwen-page1.png")
        _pdf_page(plan, 1, IMAGES / "plan-page1.png")
        _pdf_page(budget, 1, IMAGES / "budget-page1.png")
        _pdf_page(budget, 4, IMAGES / "budget-page4.png")      # 增减因素 chart and 中期财政规划
        soffice = shutil.which("soffice")
        if soffice:      # the .docx as a word processor lays it out
            docx = gongwen / str(YEAR) / "工作总结.docx"
            subprocess.run([soffice, f"-env:UserInstallation=file://{tmp}/lo", "--headless", "--convert-to", "pdf",
                            "--outdir", str(out / "word"), str(docx)], check=True, capture_output=True)
            _pdf_page(out / "word" / "工作总结.pdf", 1, IMAGES / "summary-word-page1.png")
        else:
            print("no LibreOffice (soffice): the Word picture is kept as it was", file=sys.stderr)


def screenshots() -> None:
    if not Path(CHROMIUM).exists():
        sys.exit("the pictures need Debian's chromium: apt-get install -y chromium")
    if not shutil.which("pdftoppm"):
        sys.exit("the pictures need pdftoppm: apt-get install -y poppler-utils")
    IMAGES.mkdir(parents=True, exist_ok=True)
    report_pictures()
    app_pictures()
    print(f"wrote {len(list(IMAGES.glob('*.png')))} pictures to {IMAGES.relative_to(ROOT)}")


_LINK = re.compile(r"\[([^\]]+)\]\((?!https?:)([^)#]*\.md|\.\./[^)]*)(#[^)]*)?\)")
_IMAGE = re.compile(r"(!\[[^\]]*\]\()images/([^)]+)\)")


def _base64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode("ascii")


def _as_section(text: str) -> str:
    """A page as part of the one-document guide: headings one level down, pictures inline (the page
    stands alone, like a report), links to other pages as plain text (they are all in here)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            line = "#" + line
        lines.append(line)
    text = "\n".join(lines)
    text = _IMAGE.sub(lambda m: f"{m[1]}data:image/png;base64,{_base64(IMAGES / m[2])})", text)
    return _LINK.sub(lambda m: m[1], text)


def render(out: Path) -> None:
    import nbformat

    from civsim.report import render as pipeline

    texts = [(GUIDE / page).read_text(encoding="utf-8") for page in PAGES]
    texts[0] = re.sub(r"\A# [^\n]*\n", "", texts[0])          # the guide's own title is the document's
    cells = [nbformat.v4.new_markdown_cell(f"# {TITLE}")] + [nbformat.v4.new_markdown_cell(_as_section(t)) for t in texts]
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={"language_info": {"name": "python"}})
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "使用说明.ipynb"
        nbformat.write(notebook, source)
        html = pipeline.to_html(source, out / "使用说明.html")
    pipeline.to_pdf(html, out / "使用说明.pdf")
    print(f"wrote {out / '使用说明.html'} and {out / '使用说明.pdf'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("screenshots")
    render_parser = sub.add_parser("render")
    render_parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    screenshots() if args.command == "screenshots" else render(args.out)


if __name__ == "__main__":
    main()
