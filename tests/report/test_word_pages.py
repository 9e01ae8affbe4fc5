"""The .docx as Word shows it: every shipped document's Word file, laid out by LibreOffice, runs to
about as many pages as its PDF — a table that Word lays out wider, figures broken a digit to a line
or a list that lost its numbers would show as pages gained.

One LibreOffice run converts all of them (it starts once); the documents are the session's one
rendering (conftest.rendered).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from pypdf import PdfReader

from shipped import NAMES, SHIPPED, output

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (make setup installs it)"),
]


def allowed(pdf_pages: int) -> int:
    """Pages the Word layout may differ by: 20 %, and a page at least (a short document's last
    lines may run over)."""
    return max(1, round(0.2 * pdf_pages))


def test_each_word_file_runs_to_about_as_many_pages_as_its_pdf(rendered, tmp_path):
    documents = [output(rendered, item.district, document, "docx") for item in SHIPPED for document in NAMES]
    documents += [rendered[key].outputs["docx"] for key in ("defaults", "gongwen_budget")]
    for i, path in enumerate(documents):  # one folder, names LibreOffice keeps apart
        shutil.copy(path, tmp_path / f"{i}.docx")
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *(str(tmp_path / f"{i}.docx") for i in range(len(documents))),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    pages = {}
    for i, path in enumerate(documents):
        word, pdf = (len(PdfReader(p).pages) for p in (tmp_path / f"{i}.pdf", path.with_suffix(".pdf")))
        pages[f"{path.parent.parent.name}/{path.parent.name}/{path.stem}"] = (word, pdf)
    far = {name: pair for name, pair in pages.items() if abs(pair[0] - pair[1]) > allowed(pair[1])}
    assert far == {}, pages


def test_the_allowance_is_a_fifth_and_at_least_a_page():
    assert [allowed(n) for n in (2, 5, 8, 10, 15)] == [1, 1, 2, 2, 3]
