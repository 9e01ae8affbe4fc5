"""The YAML files a person edits (parameters, scenarios, plans, summaries, cases): read as YAML 1.2
with one safe loader, bounded in size, aliases and depth, and written back with the same library."""

from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from pathlib import Path

from . import yaml_cache
from .errors import CivsimError

YAML_BYTES = 1 << 20  # a parameter, scenario or plan file is a few kB; 1 MiB is far beyond any
YAML_NODES = 100_000  # values once aliases are expanded (nested aliases can expand to billions)
YAML_DEPTH = 40  # nesting levels
BOUNDS = (YAML_BYTES, YAML_NODES, YAML_DEPTH)  # a tree kept on disk was read within these
# Parsed trees by the text's hash: the pure-Python parser takes ~10 ms a file and a district's
# parameters are read again for every run, so each text is parsed once (civsim.yaml_cache keeps the
# tree for other processes) and handed out as a fresh copy (callers may change what they get).
_PARSED: OrderedDict[bytes, bytes] = OrderedDict()
_PARSED_MAX = 512


def read_yaml(path: Path, keep: bool = True):
    """Read a YAML file as YAML 1.2 with a safe loader, so a value means what it says (``0750`` is
    750, ``no`` and ``8:30`` stay text), a duplicate key is an error instead of the last copy
    silently winning, and the file's size and its expansion through aliases are bounded. Every
    failure, an empty file included, is one line naming the file and, where known, the line.
    ``keep=False``: the tree is not kept on disk for other processes (a family's case file)."""
    from .tables import read_text

    return parse_yaml(read_text(path, limit=YAML_BYTES, what="YAML file"), path, keep)


def read_text_checked(path: Path) -> str:
    """A YAML file's text once :func:`read_yaml` accepts it (for an editor that rewrites the file)."""
    from .tables import read_text

    text = read_text(path, limit=YAML_BYTES, what="YAML file")
    parse_yaml(text, path)
    return text


def _safe_yaml():
    """The one YAML 1.2 library and mode civsim reads (and writes) its files with."""
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True)


def dump_yaml(tree) -> str:
    """``tree`` as YAML text that :func:`parse_yaml` reads back: the same library and mode, block style,
    keys in their order, Chinese as written."""
    import io

    dumper = _safe_yaml()
    dumper.allow_unicode, dumper.width, dumper.default_flow_style = True, 4096, False
    dumper.sort_base_mapping_type_on_output = False
    body = io.StringIO()
    dumper.dump(tree, body)
    return body.getvalue()


def parse_yaml(text: str, path, keep: bool = True):
    """:func:`read_yaml` on text already read (``path`` names it in errors)."""
    key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    if key in _PARSED:
        _PARSED.move_to_end(key)
        return pickle.loads(_PARSED[key])
    tree = yaml_cache.get(key, BOUNDS) if keep else None
    if tree is None:
        tree = _parse(text, path)
        if keep:
            yaml_cache.put(key, BOUNDS, tree)
    _PARSED[key] = pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)
    if len(_PARSED) > _PARSED_MAX:
        _PARSED.popitem(last=False)
    return tree


def _parse(text: str, path):
    from ruamel.yaml.error import YAMLError

    try:
        tree = _safe_yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(exc, "problem", None) or "malformed YAML"
        if "duplicate key" in str(problem):
            raise CivsimError(path, where, str(problem).split(" with value")[0], "each key once in a mapping") from None
        raise CivsimError(path, where, str(problem), "well-formed YAML") from None
    except RecursionError:
        raise CivsimError(path, None, "nested too deeply", f"at most {YAML_DEPTH} levels") from None
    except ValueError as exc:  # the safe loader's date constructor, e.g. 2020-13-01
        raise CivsimError(path, None, f"bad value ({exc})", "valid ISO dates YYYY-MM-DD") from None
    except (TypeError, AttributeError, KeyError, IndexError) as exc:  # the parser on input it does not expect
        raise CivsimError(path, None, f"malformed YAML ({type(exc).__name__})", "well-formed YAML") from None
    if tree is None:
        raise CivsimError(path, None, "the file is empty", "YAML with at least one key")
    _bounded(tree, path)
    return tree


def _bounded(tree, path) -> None:
    """Refuse a tree that expands (through aliases) beyond YAML_NODES values or YAML_DEPTH levels."""
    stack, count = [(tree, 1, None)], 0  # the top-level key each value is under, to name it
    while stack:
        node, depth, key = stack.pop()
        count += 1
        if count > YAML_NODES:
            raise CivsimError(
                path,
                key,
                f"more than {YAML_NODES:,} values once aliases are expanded",
                "a file without nested aliases (an alias bomb?)",
            )
        if depth > YAML_DEPTH:
            raise CivsimError(path, key, "nested too deeply", f"at most {YAML_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((child, depth + 1, key if key is not None else str(name)[:40]) for name, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, depth + 1, key if key is not None else f"[{i}]") for i, child in enumerate(node))
