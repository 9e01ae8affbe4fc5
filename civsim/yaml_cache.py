"""Parsed YAML trees kept on disk by their text's hash, so one process reads the tree another parsed.

The pure-Python YAML 1.2 parser takes 10-25 ms a file, and every command, report kernel and worker
reads a district's twenty-odd parameter files anew: about a third of a `civsim simulate`. A tree is
kept as JSON with its types tagged (dates, and mappings with their key order and non-text keys),
named by the text's hash, under a folder named for the parser's version and civsim's bounds, so a
tree is only ever reused for the same text read the same way. The folder is ``CIVSIM_CACHE_DIR``
or ``~/.cache/civsim`` (``$XDG_CACHE_HOME/civsim``), readable by its owner only. The cache only saves
time: a kept file that cannot be read, or a folder that cannot be written, is as if there were none.
A family's case file (单户测算) is never kept: it stays only where the clerk keeps it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from .errors import CivsimError

FORMAT = 1  # bumped when what a kept file holds, or how a tree is read, changes
KEPT = 2000  # trees kept; past that the older half is removed (a few kB each)


class _NotKept(Exception):
    """A tree holding a value not tagged here (a set, bytes, a time with its zone): parsed each time."""


def folder(bounds: tuple) -> Path:
    from ruamel.yaml import __version__ as parser

    base = (
        os.environ.get("CIVSIM_CACHE_DIR")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "civsim"
    )
    return Path(base) / f"yaml-{parser}-{FORMAT}-{'-'.join(map(str, bounds))}"


def get(key: bytes, bounds: tuple):
    """The tree kept for ``key`` (the text's hash), or None."""
    try:
        text = (folder(bounds) / f"{key.hex()}.json").read_text(encoding="utf-8")
        return _decode(json.loads(text))
    except (OSError, ValueError, TypeError, KeyError, RuntimeError):  # none, not one written here, no home
        return None


def put(key: bytes, bounds: tuple, tree) -> None:
    """Keep ``tree`` for ``key``, written whole (civsim.atomic: a reader never sees part of a file,
    a failed write leaves nothing behind), if it can be."""
    from .atomic import atomic_path  # only when writing: it loads where civsim's folders are

    try:
        text = json.dumps(_encode(tree), ensure_ascii=False, separators=(",", ":"))
        where = folder(bounds)
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
        with atomic_path(where / f"{key.hex()}.json") as tmp:
            tmp.write_text(text, encoding="utf-8")
        _prune(where)
    except (OSError, CivsimError, _NotKept, ValueError, RuntimeError):  # RuntimeError: too deep, or no home
        return


def _prune(where: Path) -> None:
    entries = list(os.scandir(where))
    if len(entries) <= KEPT:
        return
    by_age = sorted(entries, key=lambda e: e.stat().st_mtime)
    for entry in by_age[: len(by_age) - KEPT // 2]:
        try:
            os.unlink(entry.path)
        except OSError:  # another process removed it first
            pass


def _encode(node):
    kind = type(node)
    if node is None or kind in (bool, int, float, str):
        return node
    if kind is list:
        return [_encode(v) for v in node]
    if kind is dict:
        return {"map": [[_encode(k), _encode(v)] for k, v in node.items()]}
    if kind is dt.datetime and node.tzinfo is None:  # a zone's name would not read back as written
        return {"datetime": node.isoformat()}
    if kind is dt.date:
        return {"date": node.isoformat()}
    raise _NotKept(kind.__name__)


def _decode(node):
    if type(node) is list:
        return [_decode(v) for v in node]
    if type(node) is dict:
        [(tag, value)] = node.items()
        if tag == "map":
            return {_decode(k): _decode(v) for k, v in value}
        return {"datetime": dt.datetime, "date": dt.date}[tag].fromisoformat(value)
    return node
