"""What civsim's own processes leave out of the libraries they import.

nbformat, papermill, Jupyter Server and Voila import jsonschema, whose format checkers import
rfc3987_syntax when it is installed; that package compiles some forty IRI grammars as it loads, two
to three seconds of CPU in every process, for a format no notebook or Jupyter schema asks for.
jsonschema treats the package as optional, so the command line, the report batch's processes, the
Dask workers civsim starts (a preload, :func:`dask_setup`) and the app's server go without it.
"""

import sys


def without_iri_grammars() -> None:
    """Before jsonschema is first imported: take rfc3987_syntax as not installed."""
    sys.modules.setdefault("rfc3987_syntax", None)


def dask_setup(worker=None) -> None:
    """Dask's hook when a worker preloads this module: the local workers of civsim.cluster run
    civsim's reports, so they go without the grammars as its other processes do."""
    without_iri_grammars()
