"""The documentation site (`make docs`, Sphinx into site/) and the Chinese user guide in it
(docs/使用说明/): the build passes with warnings as errors, holds the guide's and the developer
pages, loads nothing from the network, and its search index finds Chinese words of the guide; the
guide reads in Chinese, its pictures are the ones tools/guide.py takes, and it renders to a PDF
through the reports' pipeline."""

import contextlib
import functools
import http.server
import importlib.util
import json
import re
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from civsim.report.render import remote_resources
from civsim.headless import CHROMIUM, FLAGS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GUIDE = DOCS / "使用说明"
USERS = ["规划人员", "财务人员", "材料撰写人员", "台账管理人员"]
needs_sphinx = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("sphinx", "myst_parser", "jieba")),
    reason="sphinx, myst-parser or jieba is not installed (make setup installs the dev extras)",
)

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="no chromium (Debian's; `make setup` installs it when run as root)"
)

# Latin words a bureau user may read in the guide's prose: products, file formats, keys, units
LATIN = {
    "civsim",
    "JupyterLab",
    "A4",
    "GB2312",
    "Word",
    "WPS",
    "Excel",
    "PDF",
    "HTML",
    "Chrome",
    "Edge",
    "Ctrl",
    "GB",
    "T",
    "CPI",
    "P10",
    "P50",
    "P90",
    "Y",
}


def _prose(text: str) -> str:
    """The guide's text as a reader reads it: without code blocks, code spans and link targets."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`]*`", "", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def test_every_word_of_the_guide_is_chinese():
    for page in ["README", *USERS]:
        prose = _prose((GUIDE / f"{page}.md").read_text(encoding="utf-8"))
        latin = set(re.findall(r"[A-Za-z][A-Za-z0-9]*", prose)) - LATIN
        assert not latin, (page, sorted(latin))
        assert len(re.findall(r"[\u4e00-\u9fff]", prose)) > 500, page


def test_the_guide_shows_every_picture_the_script_takes_and_only_those():
    script = (ROOT / "tools" / "guide.py").read_text(encoding="utf-8")
    taken = set(re.findall(r'"([a-z0-9-]+\.png)"', script))
    shown = {
        m for page in USERS for m in re.findall(r"\]\(images/([^)]+)\)", (GUIDE / f"{page}.md").read_text("utf-8"))
    }
    assert taken == shown
    assert all((GUIDE / "images" / name).stat().st_size > 10_000 for name in shown)
    assert {p.name for p in (GUIDE / "images").glob("*.png")} == shown  # no stale picture left behind


def test_make_docs_takes_the_pictures_then_builds_the_site_and_the_printed_guide():
    recipe = subprocess.run(
        ["make", "-n", "-s", "docs", "STAMP=Makefile", "SYSTEM=Makefile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert [line.split()[1:3] for line in recipe[:3]] == [
        ["tools/guide.py", "screenshots"],
        ["-m", "sphinx"],
        ["tools/guide.py", "render"],
    ]
    assert " -W " in recipe[1] and recipe[1].endswith(" docs site")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^DEBIAN\s*\+=.*\bpoppler-utils\b", makefile, re.M)  # pdftoppm
    assert "site/" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(out / "doctrees"),
            str(DOCS),
            str(out / "site"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return out / "site"


def _index(site: Path) -> dict:
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


@pytest.mark.slow
@needs_sphinx
def test_the_site_builds_strictly_with_the_guide_and_the_developer_pages(site):
    for page in ["README", *USERS]:
        html = (site / "使用说明" / f"{page}.html").read_text(encoding="utf-8")
        assert 'lang="zh-CN"' in html
    assert "使用说明" in (site / "使用说明" / "README.html").read_text(encoding="utf-8")
    for page in [*DOCS.glob("*.md"), *(DOCS / "rules").glob("*.md")]:
        assert (site / page.relative_to(DOCS).with_suffix(".html")).is_file(), page
    assert (site / "index.html").read_text(encoding="utf-8") == (site / "README.html").read_text(encoding="utf-8")
    # the guide's pictures are in the site, and the pages link to one another
    planner = (site / "使用说明" / "规划人员.html").read_text(encoding="utf-8")
    assert re.search(r'<img [^>]*src="\.\./_images/app-household\.png"', planner)
    assert (site / "_images" / "app-household.png").is_file()
    guide = (site / "使用说明" / "README.html").read_text(encoding="utf-8")
    assert all(f'href="{urllib.parse.quote(user)}.html"' in guide for user in USERS)


@pytest.mark.slow
@needs_sphinx
def test_the_site_loads_nothing_from_the_network(site):
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20
    for page in pages:
        assert remote_resources(page.read_text(encoding="utf-8")) == [], page
    for css in site.rglob("*.css"):
        assert not re.search(r"(?:url\(|@import)\s*[\"']?\s*(?:https?:)?//", css.read_text(encoding="utf-8")), css


@pytest.mark.slow
@needs_sphinx
def test_the_search_index_holds_chinese_words_of_the_guide(site):
    index = _index(site)
    docs = index["docnames"]

    def pages(word: str, where=("terms", "titleterms")) -> set[str]:
        found = [index[key].get(word, []) for key in where]  # a page's title words are kept apart
        return {docs[i] for hits in found for i in ([hits] if isinstance(hits, int) else hits)}

    assert "使用说明/财务人员" in pages("预算")  # segmented words, not whole sentences
    assert "使用说明/台账管理人员" in pages("台账")
    assert "使用说明/规划人员" in pages("单户")
    assert "使用说明/材料撰写人员" in pages("公文")
    assert pages("密钥", ["terms"]) == {"使用说明/台账管理人员"}  # a word of the text, not of a title
    assert "中期财政规划" not in index["terms"] and "使用说明/财务人员" in pages("财政", ["terms"])
    assert "budget" in pages("budget")  # the developer pages are indexed too
    assert all(len(term) <= 12 for term in index["terms"] if re.search(r"[\u4e00-\u9fff]", term))


@contextlib.contextmanager
def _served(folder: Path):
    """The site over HTTP on a free local port, as an intranet server would serve it."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
@needs_sphinx
@needs_chromium
def test_a_reader_searches_the_site_in_chinese_in_a_browser(site):
    from playwright.sync_api import sync_playwright

    with _served(site) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page()
        errors, external = [], []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: None if request.url.startswith(url) else external.append(request.url))
        for query, title in [("密钥", "台账管理人员：导入与核对台账"), ("预算 总表", "财务人员：预算测算")]:
            page.goto(f"{url}/search.html?q={urllib.parse.quote(query)}")
            page.wait_for_function(
                "() => /搜索完成/.test(document.querySelector('#search-results p')?.innerText)", timeout=30_000
            )
            assert title in page.locator("#search-results ul.search li a").all_inner_texts(), query
        page.locator("#search-results ul.search li").first.locator("p.context").wait_for(timeout=30_000)
        browser.close()
    assert errors == [] and external == []


@pytest.mark.slow
def test_the_guide_renders_to_html_and_pdf_through_the_reports_pipeline(tmp_path):
    from pypdf import PdfReader

    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "guide.py"), "render", str(tmp_path)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    html = (tmp_path / "使用说明.html").read_text(encoding="utf-8")
    assert remote_resources(html) == [] and html.count("data:image/png;base64,") == 11
    assert "<title>civsim 使用说明</title>" in html
    reader = PdfReader(tmp_path / "使用说明.pdf")
    assert len(reader.pages) >= 8
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(user in text for user in USERS)
    assert len(pictures(reader)) == 11  # each picture once


def pictures(reader) -> set[int]:
    """The PDF's image objects the pages draw (read from the pages' resources, not decoded)."""
    found = set()
    for page in reader.pages:
        drawn = page["/Resources"].get_object().get("/XObject")
        for ref in drawn.get_object().values() if drawn is not None else ():
            if ref.get_object()["/Subtype"] == "/Image":
                found.add(ref.idnum)
    return found
