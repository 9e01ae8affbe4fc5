"""A context (:mod:`civsim.report.context`) as a folder: Parquet tables and a JSON manifest.

::

    context.json             the key, the parts, errors, each table's file and attrs, the projection's other fields
    results.parquet          summary: the year (this_year names the same file when the plan shares it)
    last_year.parquet        summary: the year before
    reconciliation.parquet   summary: each reported figure beside the model's
    this_year.parquet        plan: the year on the synthetic roll, baseline (when not the summary's)
    next_year.parquet        plan: the year after, baseline and scenarios
    decomposition.parquet    plan: the change per scenario and program
    projection-*.parquet     budget: the window's lines, base, reserve, caseload and samples

The folder is written whole into a staging folder and renamed (:func:`civsim.atomic.atomic_folder`).
The same context gives the same bytes: the tables without their index, their ``attrs`` in the
manifest rather than in Parquet metadata, the manifest's keys in a fixed order, no time of writing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..atomic import atomic_folder
from ..budget.projection import Projection
from ..errors import CivsimError

MANIFEST = "context.json"
FORMAT = 1
TABLES = ("results", "last_year", "reconciliation", "this_year", "next_year", "decomposition")
PROJECTION_TABLES = ("lines", "base", "reserve", "caseload", "samples")
PROJECTION_FIELDS = (
    "district",
    "district_name",
    "year",
    "years",
    "draws",
    "seed",
    "scenarios",
    "titles",
    "items",
    "changes",
    "settings",
    "provenance",
)


def _write(frame: pd.DataFrame, path: Path) -> dict:
    """One table as Parquet (no index, no attrs: those go in the manifest); its manifest entry."""
    bare = frame.reset_index(drop=True)
    bare.attrs = {}
    bare.to_parquet(path, index=False, engine="pyarrow")
    return {"file": path.name, "attrs": dict(frame.attrs)}


def _read(folder: Path, entry: dict) -> pd.DataFrame:
    frame = pd.read_parquet(folder / entry["file"], engine="pyarrow")
    frame.attrs = dict(entry.get("attrs", {}))
    return frame


def write(folder, manifest: dict, tables: dict, projection: Projection | None) -> Path:
    """Write ``folder`` (replaced whole): ``tables`` (name -> frame or None; a frame two names share
    is written once), the ``projection`` and ``manifest`` with each table's entry added."""
    folder = Path(folder)
    manifest = {"format": FORMAT, **manifest, "tables": {}}
    with atomic_folder(folder) as staging:
        written: dict[int, dict] = {}
        for name, frame in tables.items():
            if frame is None:
                continue
            if id(frame) not in written:
                written[id(frame)] = _write(frame, staging / f"{name}.parquet")
            manifest["tables"][name] = written[id(frame)]
        if projection is not None:
            manifest["projection"] = {name: _plain(getattr(projection, name)) for name in PROJECTION_FIELDS}
            manifest["projection"]["tables"] = {
                name: _write(getattr(projection, name), staging / f"projection-{name}.parquet")
                for name in PROJECTION_TABLES
            }
        text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
        (staging / MANIFEST).write_text(text, encoding="utf-8")
    return folder


def _plain(value):
    """A value as JSON holds it: tuples as lists (they come back as the fields' own types)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def read(folder) -> tuple[dict, dict, Projection | None]:
    """The manifest, the tables (name -> frame, a shared file read once) and the projection saved
    in ``folder``; one line when there is none or it is not whole."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise CivsimError(
            folder,
            None,
            "no context here (no context.json)",
            "a folder written by civsim report, or context = None to compute it",
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise CivsimError(
                path, "format", f"format {manifest.get('format')!r} of another civsim", f"format {FORMAT}"
            )
        read_files, tables = {}, {}
        for name, entry in manifest["tables"].items():
            if entry["file"] not in read_files:
                read_files[entry["file"]] = _read(folder, entry)
            tables[name] = read_files[entry["file"]]
        projection = None
        if "projection" in manifest:
            fields = dict(manifest["projection"])
            stored = fields.pop("tables")
            fields.update({name: _read(folder, stored[name]) for name in PROJECTION_TABLES})
            fields["years"], fields["scenarios"] = tuple(fields["years"]), tuple(fields["scenarios"])
            fields["settings"]["rate_factor"] = tuple(fields["settings"]["rate_factor"])
            projection = Projection(**fields)
    except CivsimError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CivsimError(
            folder, None, f"not a whole context ({type(exc).__name__}: {exc})", "a folder written by civsim report"
        ) from None
    return manifest, tables, projection


__all__ = ["write", "read", "MANIFEST", "TABLES"]
