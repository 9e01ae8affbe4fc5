"""Sphinx configuration of the documentation site (`make docs` builds it into site/).

The pages stay plain Markdown (MyST), readable on a forge as they are; the site adds navigation
and a search that finds Chinese words: Sphinx's Chinese search language segments the text with
jieba at build time, so the index holds words such as 低保 and 预算总表 rather than whole sentences.
The theme (alabaster, shipped with Sphinx) loads nothing from the network.
"""
import logging
import os
import re
import shutil
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)      # not its dictionary-loading chatter in every build

HERE = Path(__file__).resolve().parent

project = "civsim"
author = "civsim"
copyright = "civsim"
language = "zh_CN"                  # the site's own labels (搜索, 导航 …) in Chinese; and the search splitter
html_search_language = "zh"
root_doc = "README"

extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
myst_heading_anchors = 3            # links such as parameters.md#add-a-district
exclude_patterns = ["reconciliation/**", "_static/**"]

html_theme = "alabaster"
html_title = "civsim 文档"
html_theme_options = {"nosidebar": False, "show_relbars": True, "font_family": "'Noto Sans CJK SC', sans-serif",
                      "head_font_family": "'Noto Sans CJK SC', sans-serif", "code_font_family": "monospace"}
html_sidebars = {"**": ["navigation.html", "searchbox.html"]}
html_static_path = ["_static"]
html_js_files = ["zh_search.js"]   # the search page's result line in Chinese (see the file)
html_show_sourcelink = False
html_copy_source = False



def _pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(HERE).with_suffix("").as_posix() for p in folder.glob("*.md") if p.name != "README.md")


GUIDE = ["使用说明/README", "使用说明/规划人员", "使用说明/财务人员", "使用说明/材料撰写人员", "使用说明/台账管理人员"]
# The navigation: the user guide first, then every developer page. Written here rather than into
# the pages, so that each page reads the same on the forge as on the site.
TOCTREES = {
    "README": [GUIDE[0], *_pages(HERE), *_pages(HERE / "rules")],
    GUIDE[0]: GUIDE[1:],
}


# A link out of docs/ (the README, benchmarks/, data/) or to a folder is not a page of this site:
# on the site it reads as the file's path in the repository; every other link must resolve.
_OUTSIDE = re.compile(r"\[([^\]]+)\]\(((?:\.\./)+[^)\s#]+|[^)\s:#]+/)(#[^)\s]*)?\)")


def _repository_path(docname: str, target: str) -> str:
    path = (HERE / docname).parent / target
    return os.path.relpath(path, HERE.parent).replace(os.sep, "/") + ("/" if target.endswith("/") else "")


def _source_read(app, docname, source):
    source[0] = _OUTSIDE.sub(lambda m: f"{m[1]} (`{_repository_path(docname, m[2])}`)", source[0])
    entries = TOCTREES.get(docname)
    if entries:
        base = docname.rpartition("/")[0]
        lines = [e[len(base) + 1:] if base else e for e in entries]
        source[0] += "\n\n```{toctree}\n:hidden:\n:maxdepth: 2\n\n" + "\n".join(lines) + "\n```\n"


def _index_page(app, exception):
    """A static site opens at index.html: the same page as README.html (same folder, same links)."""
    if exception is None and app.builder.format == "html":
        shutil.copyfile(Path(app.outdir) / "README.html", Path(app.outdir) / "index.html")


def setup(app):
    app.connect("source-read", _source_read)
    app.connect("build-finished", _index_page)
