"""Loaded once by the report batch's fork server, so every worker forks with the renderers ready.

Each worker would otherwise import papermill, nbconvert, WeasyPrint and python-docx itself, compile
the page templates and let fontconfig and Pango find the Chinese fonts: several seconds of the
same work per worker. The fork server does it once and the workers inherit it.
"""

from civsim import lean_imports

lean_imports.without_iri_grammars()

import docx  # noqa: E402,F401
import nbclient  # noqa: E402,F401
import papermill  # noqa: E402,F401
from weasyprint import HTML  # noqa: E402

from . import render, word  # noqa: E402,F401

try:  # a warm-up that fails leaves the work to each worker, where its error is reported
    render._exporter()  # the page templates, compiled
    HTML(string="<p style=\"font-family: 'Noto Sans CJK SC'\">民政</p>").write_pdf()  # fonts found
except Exception:
    pass
