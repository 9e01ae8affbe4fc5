"""The files of fitted values, ``params/calibration/<folder>.yaml``, rewritten in place.

The values :mod:`civsim.calibrate` fits (one by one to a figure, or the roll's unknowns jointly)
and those :mod:`civsim.bureau.dynamics` measures on a district's rolls go into the jurisdiction's
own file: edited under a lock by a round-trip YAML editor that keeps the file's other values and
comments, and written atomically. :mod:`civsim.params` reads them.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from . import param_leaves, params as params_module, programs
from .calibrate import Fit, refit, shifted
from .units import UNITS

WHOLE = {"persons", "households", "beds"}  # counted in whole units; a monthly rate of cases is not


def _file(params, root=None) -> Path:
    """The jurisdiction's own file of fitted values (a parent's are refitted on the parent)."""
    return Path(root or params_module.PARAMS) / params_module.CALIBRATION / f"{params.district.slug}.yaml"


def _on_rolls(raw) -> bool:
    """A file entry measured on rolls (its fitted_to all roll references), not fitted to figures."""
    figures = raw.get("fitted_to") if isinstance(raw, dict) else None
    figures = [figures] if isinstance(figures, str) else figures or []
    return bool(figures) and all(map(param_leaves.is_roll_reference, figures))


def _edit(params, root, change) -> Path:
    """Apply ``change(tree)`` to the jurisdiction's file of fitted values and write it atomically,
    its other values and comments kept."""
    from .atomic import locked

    target = _file(params, root)
    with locked(target.parent):  # two fits at once: the second edits what the first wrote
        return _edit_locked(target, change)


def _edit_locked(target: Path, change) -> Path:
    from io import StringIO

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from .atomic import write_text

    editor = YAML(typ="rt")  # round trip: keeps the file's comments and layout
    editor.width = 4096
    tree = CommentedMap()
    if target.is_file():
        text = params_module.read_text_checked(target)  # bounded and parsed safely first
        tree = editor.load(text) or tree
    change(tree)
    out = StringIO()
    editor.dump(tree, out)
    return write_text(target, out.getvalue())


def _node(tree, path: str):
    from ruamel.yaml.comments import CommentedMap

    *parents, name = path.split(".")
    for part in parents:
        tree = tree.setdefault(part, CommentedMap())
    return tree, name


def write_refit(district, figure: str, root=params_module.PARAMS) -> Path:
    """Move the values fitted one by one to ``figure`` to their refit (money and monthly rates to
    two decimals, counts to whole persons)."""
    params = params_module.load(district, root)
    paths, shift = refit(district, figure, root=root)
    moved = shifted(params, paths, shift)

    def change(tree):
        for path in paths:
            node, name = _node(tree, path)
            leaf, factor = moved.leaf(path), UNITS[params.leaf(path).declared_unit][1]
            for date, raw in node[name]["values"].items():
                if isinstance(raw, dict) and "fitted_to" in raw:
                    value = leaf.at(param_leaves.parse_date(date)).value / factor
                    raw["value"] = int(round(value)) if leaf.unit in WHOLE else round(value, 2)

    return _edit(params, root, change)


def write(fit: Fit, root=params_module.PARAMS) -> Path:
    """Write the jointly fitted values, each dated at the year's first day with every figure it
    was fitted to (those it moves); a value the file held from that day on is replaced."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    base = params_module.load(fit.district, root, calibrated=False)
    day = dt.date(fit.year, 1, 1)
    unreached = (
        f"; not reached within the bounds, so left as checks: {', '.join(fit.unreached)}" if fit.unreached else ""
    )

    def change(tree):
        for path in set(programs.UNKNOWNS) - {u.path for u in fit.unknowns}:  # no longer fitted this year
            node, name = _node(tree, path)
            values = node.get(name, {}).get("values", {})
            for date in [
                d
                for d in values
                if param_leaves.parse_date(d) == day and "fitted_to" in values[d] and not _on_rolls(values[d])
            ]:
                del values[date]
            if name in node and not values:
                del node[name]
        param_leaves.prune(tree)
        for j, (unknown, value) in enumerate(zip(fit.unknowns, fit.values)):
            node, name = _node(tree, unknown.path)
            leaf = base.leaf(unknown.path)
            if name not in node:
                node[name] = CommentedMap(
                    [("unit", leaf.declared_unit), ("description", leaf.description), ("values", CommentedMap())]
                )
            values = node[name]["values"]
            rolls = [d for d in values if param_leaves.parse_date(d) >= day and _on_rolls(values[d])]
            if any(param_leaves.parse_date(d) == day for d in rolls):
                continue  # measured on the district's own rolls from that day: the measure stays
            for date in [d for d in values if param_leaves.parse_date(d) >= day and d not in rolls]:
                del values[date]
            start = (
                f"fitted freely from {unknown.prior:g}"
                if math.isinf(unknown.spread)
                else f"prior {unknown.prior:g} ± {unknown.spread:g} around the unfitted value"
            )
            figures = CommentedSeq(fit.fitted_to(j))
            figures.fa.set_flow_style()
            entry = CommentedMap(
                [
                    ("value", float(value)),
                    ("fitted_to", figures),
                    (
                        "calibration",
                        f"joint least-squares fit of {len(fit.unknowns)} roll values to "
                        f"{len(fit.figures)} reported figures (civsim calibrate); {start}{unreached}",
                    ),
                ]
            )
            entry.fa.set_flow_style()
            values[dt.date(fit.year, 1, 1)] = entry  # a new date object each: no YAML anchors

    return _edit(base, root, change)
