"""The app's server process, started by :mod:`civsim.app` as ``python -m civsim.app_server``:
Voila's own entry point, with what civsim's processes leave out (:mod:`civsim.lean_imports`)."""

from civsim import lean_imports

if __name__ == "__main__":
    lean_imports.without_iri_grammars()
    from voila.app import main

    main()
