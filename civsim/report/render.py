"""Executed notebooks to self-contained Chinese HTML (intranet) and A4 PDF (print).

Bureau intranets often have no internet access, so a page that pulls MathJax or require.js from a
CDN opens blank or slow there: the HTML uses our own template (templates/civsim) that loads
nothing, and a page that would still fetch a script, style or image from the network is refused.
The PDF is made by WeasyPrint with a fetcher that cannot reach the network, in Noto Sans CJK.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

from ..atomic import atomic_path
from ..errors import CivsimError

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "civsim"
CJK_FONT_FIX = "install it with `apt-get install fonts-noto-cjk` (`make test` installs it)"

# A tag that makes the browser fetch something: script/img/iframe… src=, link href=, CSS url()/@import.
_REMOTE = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed|input)\b[^>]*?\bsrc\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)"""
    r"""|(?:url\(|@import)\s*["']?\s*((?:https?:)?//[^"')\s;]+)""",
    re.IGNORECASE,
)


def remote_resources(html: str) -> list[str]:
    """The URLs a browser would fetch from the network to show this page (links to click excluded)."""
    return [next(group for group in match.groups() if group) for match in _REMOTE.finditer(html)]


@functools.lru_cache(maxsize=1)
def _exporter():
    """The HTML exporter, made once a process: building it compiles the page templates."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    # Authors can drop a helper cell or its output from the report with these cell tags.
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
    config.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output"}
    return HTMLExporter(
        config=config,
        template_name=TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )


def _first_heading(notebook) -> str | None:
    """The first "# " heading, from markdown cells or markdown outputs: the page's and PDF's title,
    rather than a file name such as annual_summary."""
    for cell in notebook.cells:
        texts = (
            [cell.source]
            if cell.cell_type == "markdown"
            else [output.get("data", {}).get("text/markdown", "") for output in cell.get("outputs", [])]
        )
        for text in texts:
            text = "".join(text) if isinstance(text, list) else text
            for line in text.splitlines():
                if line.startswith("# "):  # the page title shows the text, not its Markdown escapes
                    return re.sub(r"\\(.)", r"\1", line[2:].strip())
    return None


def to_html(notebook_path: str | os.PathLike, html_path: str | os.PathLike) -> Path:
    """Render an executed notebook as one self-contained page: outputs and text, no code, no prompts."""
    import nbformat

    notebook_path = Path(notebook_path)
    if not notebook_path.is_file():
        raise CivsimError(notebook_path, None, "notebook not found", "an executed .ipynb file")
    try:
        notebook = nbformat.read(notebook_path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise CivsimError(
            notebook_path, None, f"not a readable notebook ({type(exc).__name__}: {exc})", "a .ipynb file in nbformat 4"
        ) from None
    notebook.metadata.setdefault("title", _first_heading(notebook) or notebook_path.stem)
    resources = {"metadata": {"name": notebook_path.stem, "path": str(notebook_path.parent)}}
    html, _ = _exporter().from_notebook_node(notebook, resources=resources)
    remote = remote_resources(html)
    if remote:
        raise CivsimError(
            notebook_path,
            "outputs",
            f"the page would load {remote[0]} from the network",
            "a self-contained page: inline the resource or drop it from the notebook",
        )
    with atomic_path(html_path) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return Path(html_path)


@functools.lru_cache(maxsize=1)
def _check_cjk_fontconfig() -> None:
    """WeasyPrint finds fonts through fontconfig; without a CJK font the PDF shows empty boxes."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return  # fontconfig's tools are absent; WeasyPrint itself still needs libfontconfig
    families = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True).stdout
    if "Noto Sans CJK" not in families and "Noto Sans SC" not in families:
        raise CivsimError(
            "fontconfig",
            "Noto Sans CJK SC",
            f"no Chinese font for the PDF; {CJK_FONT_FIX}",
            "a font listed by `fc-list :lang=zh`",
        )


def _is_local(url: str) -> bool:
    return url.lower().startswith(("data:", "file:"))


def offline_fetcher():
    """A WeasyPrint URL fetcher that reads data: and file: URLs and refuses everything else."""
    try:
        from weasyprint.urls import URLFetcher  # WeasyPrint >= 66
    except ImportError:  # older WeasyPrint: a plain function
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args, **kwargs):
            if not _is_local(url):
                raise ValueError(f"civsim renders offline; refused to fetch {url}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols=("data", "file"))


_OL_START = re.compile(r"<ol\b(?![^>]*\bstyle=)([^>]*?)\bstart=[\"']?(\d+)[\"']?([^>]*)>", re.IGNORECASE)


def counted_lists(page: str) -> str:
    """The page with each ``<ol start="n">`` also counting from n in CSS.

    A report's numbered tasks are one list each (so that the print layout may break a page
    between them), numbered on from the task before by ``start``; WeasyPrint does not read that
    attribute and would number every task "1.", so the list's counter is set to n − 1 as well."""
    return _OL_START.sub(
        lambda m: (
            f'<ol{m.group(1)}start="{m.group(2)}"{m.group(3)} style="counter-reset: list-item {int(m.group(2)) - 1}">'
        ),
        page,
    )


def to_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, layout: str = "standard") -> Path:
    """Print the HTML page to an A4 PDF with the CJK fonts embedded, without touching the network.

    ``layout`` "gongwen" lays the 公文 page rules (civsim.report.layouts) over the page's own style:
    they go in as the page's last stylesheet, so they win over the intranet layout's rules.
    """
    from weasyprint import HTML

    from . import layouts

    html_path = Path(html_path)
    if not html_path.is_file():
        raise CivsimError(html_path, None, "page not found", "an HTML file made by to_html")
    _check_cjk_fontconfig()
    extra = layouts.css(layout)
    page = counted_lists(html_path.read_text(encoding="utf-8"))
    if extra:
        head_end = page.find("</head>")
        if head_end < 0:
            raise CivsimError(html_path, "<head>", "no </head> in the page", "a page made by to_html")
        page = page[:head_end] + f"<style>{extra}</style>" + page[head_end:]
    document = HTML(
        string=page, base_url=str(html_path.parent) + os.sep, url_fetcher=offline_fetcher(), media_type="print"
    )
    with atomic_path(pdf_path) as tmp:
        document.write_pdf(tmp)
    return Path(pdf_path)


def to_docx(html_path: str | os.PathLike, docx_path: str | os.PathLike, layout: str = "standard") -> Path:
    """The HTML page as a Word document an author can edit (see civsim.report.word)."""
    from . import word

    return word.from_html(html_path, docx_path, layout)


__all__ = ["to_html", "to_pdf", "to_docx", "remote_resources", "offline_fetcher", "TEMPLATES"]
