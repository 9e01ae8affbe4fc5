"""Loaded once by the report batch's fork server, so every worker forks with the renderers ready.

Each worker would otherwise import papermill, nbconvert, WeasyPrint and python-docx itself, compile
the page templates and let fontconfig and Pango find the Chinese fonts: several seconds of the
same work per worker. The fork server does it once and the workers inherit it.
"""
import sys

# Importing papermill imports nbformat and so jsonschema, which compiles some forty grammars of
# rfc3987_syntax (one to three seconds) for IRI format checks that no notebook schema asks for;
# jsonschema treats the package as optional, so the batch's processes go without it.
sys.modules.setdefault("rfc3987_syntax", None)

import docx  # noqa: E402,F401
import nbclient  # noqa: E402,F401
import papermill  # noqa: E402,F401
from weasyprint import HTML  # noqa: E402

from . import render, word  # noqa: E402,F401

try:  # a warm-up that fails leaves the work to each worker, where its error is reported
    render._exporter()                                       # the page templates, compiled
    HTML(string='<p style="font-family: \'Noto Sans CJK SC\'">民政</p>').write_pdf()   # fonts found
except Exception:
    pass
