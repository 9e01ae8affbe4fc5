"""JupyterLab for the project's notebooks: a pre-save hook that keeps ``civsim/notebooks/`` free of outputs.

JupyterLab autosaves an open notebook every two minutes, outputs included; the explorer's outputs are
widget views whose state is not saved, so the next opening shows ``VBox(children=…`` text and git
shows the notebook modified. The project's Jupyter config (``.jupyter/jupyter_server_config.py``,
used by ``make lab``) installs :func:`strip_outputs` as the contents manager's pre-save hook: the file
on disk never holds outputs, while the open notebook keeps them on screen.
"""

from __future__ import annotations

from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"


def strip(notebook: dict) -> dict:
    """The notebook (nbformat JSON as a dict) without outputs, execution counts or widget state."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    notebook.get("metadata", {}).pop("widgets", None)
    return notebook


def strip_outputs(model: dict, path: str, contents_manager=None, **_kwargs) -> None:
    """Jupyter pre-save hook: strip a notebook saved inside the project's ``civsim/notebooks/`` folder."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    root = Path(getattr(contents_manager, "root_dir", "") or ".")
    if (root / path.lstrip("/")).resolve().is_relative_to(NOTEBOOKS):
        strip(model["content"])


__all__ = ["strip", "strip_outputs", "NOTEBOOKS"]
