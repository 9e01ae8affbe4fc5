"""The parameter schema: every leaf a program or the roll reads, declared once in the programs.

A params file holding a leaf nothing reads (``nursng:``), a leaf in a unit its readers do not
expect, a program with a caseload but without a leaf it requires, a scenario whose changes reach
no leaf any program reads: each is an error naming the file and the key, never a silent zero.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from .errors import CivsimError
from .units import UNITS


@lru_cache(maxsize=1)
def declared() -> dict:
    """path -> (Param, readers): every leaf read, with the programs that read it."""
    from .programs import REGISTRY

    out: dict = {}
    for program in REGISTRY:
        for path, param in {**program.params, **program.roll_params}.items():
            if param.unit not in UNITS:
                raise RuntimeError(f"program {program.key} declares {path} in unknown unit {param.unit}")
            known = out.get(path)
            if known is not None and UNITS[known[0].unit][0] != UNITS[param.unit][0]:
                raise RuntimeError(f"{path} is declared in two units ({known[0].unit}, {param.unit})")
            out[path] = (known[0] if known else param, (known[1] if known else ()) + (program.key,))
    return out


def check(params) -> None:
    """Every leaf of a jurisdiction's files is declared, in a unit its readers expect."""

    schema = declared()
    for path, leaf in params.leaves.items():
        if path not in schema:
            nearest = difflib.get_close_matches(path, list(schema), n=1, cutoff=0)
            raise CivsimError(
                leaf.file,
                path,
                "no program or roll reads this leaf",
                f"a declared name (nearest: {nearest[0]})" if nearest else "a declared name",
            )
        param = schema[path][0]
        if leaf.unit != UNITS[param.unit][0]:
            raise CivsimError(
                leaf.file,
                path,
                f"unit {leaf.declared_unit}",
                f"a unit convertible to {UNITS[param.unit][0]}, as {', '.join(schema[path][1])} read it",
            )


def counts_someone(params, path: str) -> bool:
    """Whether a caseload leaf holds a count above 0 on any of its dates."""
    return params.has(path) and any(entry.value > 0 for entry in params.leaf(path).entries)


def missing(params, program) -> list[tuple[str, object]]:
    """The leaves ``program`` requires that neither the jurisdiction nor a parent declares: (path, Param)."""
    return [
        (path, param)
        for path, param in {**program.params, **program.roll_params}.items()
        if param.required
        and not params.has(path)
        and (not param.when or counts_someone(params, param.when))
        and not (param.instead and all(params.has(p) for p in param.instead))
    ]


def applies(params, program) -> bool:
    """A program that applies only where declared (``declared_by``) applies where one of those leaves is."""
    return not program.declared_by or any(params.has(path) for path in program.declared_by)


def unpaid(params, program, roll=None) -> list[str]:
    """The program's own required leaves (its cash), where the jurisdiction declares none of them
    and its caseload is only the evidence of a bureau's roll (``roll`` None: any roll but a
    synthetic one): the roll's households in its category are on the roll and paid nothing, those
    leaves read as 0. A caseload the jurisdiction declares in its params without the amount stays
    an error (a figure without a rule), and so do a rule declared in part (a 特困 standard without
    its care parts) and a missing leaf of another program (the 低保 standard an edge test reads)."""
    if roll is not None and roll.source == "synthetic":
        return []
    if any(counts_someone(params, p) for p in program.roll_params if p.startswith("caseload.")):
        return []
    own = [
        path
        for path, param in {**program.params, **program.roll_params}.items()
        if param.required and path.startswith(program.key + ".")
    ]
    gone = [path for path, _ in missing(params, program)]
    if not gone or any(params.has(path) for path in own) or not set(gone) <= set(own):
        return []
    return gone


def require(params, program, roll=None) -> list[str]:
    """A program with a caseload finds each leaf it requires (no national default stands in), but
    for the leaves ``unpaid`` on a bureau's roll, which it returns."""
    zero = unpaid(params, program, roll) if roll is not None else []
    for path, param in missing(params, program):
        if path in zero:
            continue
        raise CivsimError(
            f"params/{params.district.slug}",
            path,
            f"missing: {program.label}（{program.key}）has a caseload here and no national default applies",
            f"a value in {param.unit} declared for {params.district.name} or a parent",
        )
    return zero


def check_scenario(base, applied, scenario) -> None:
    """A scenario must change at least one leaf some program reads."""
    changed = [path for path, leaf in applied.leaves.items() if base.leaves.get(path) != leaf]
    if not any(path in declared() for path in changed):
        raise CivsimError(
            scenario.file or f"scenario {scenario.name}",
            "changes",
            "changes no leaf that any program reads",
            "a path listed by `civsim params --schema`",
        )


def rows(params=None, national=(), root=None) -> list[dict]:
    """The schema as rows (for ``civsim params --schema``): path, unit, default or required, readers;
    ``national`` the paths the national defaults hold, ``root`` what the files' names are relative to."""
    import os

    out = []
    for path, (param, readers) in sorted(declared().items()):
        default = "required" if param.required else "national default" if path in national else "none"
        origin = os.path.relpath(params.leaf(path).file, root) if params is not None and params.has(path) else "-"
        out.append(
            {
                "path": path,
                "unit": param.unit,
                "default": default,
                "in_force_from": origin,
                "read_by": ", ".join(readers),
            }
        )
    return out
