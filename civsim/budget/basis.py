"""What a budget line rests on (测算依据), in the projection's own figures: how many it pays, how
much each, the standards in force and since when, and the one-offs and repeated supplements by name.

Nothing here projects anything: the amounts and person-times are a :class:`Projection`'s means;
the standards are the parameters the projection ran on, read at the budget year's months; which
leaves belong to a line is what the program declarations say (``civsim.programs``). A report
writes these in words (civsim.report.budget_document).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .. import programs as programs_module
from ..params import ParamSet
from .overlays import is_standard
from .projection import BASELINE, TOTAL, Projection


@dataclass(frozen=True)
class Standard:
    """A standard a line pays by, in force from ``since`` (value in the leaf's unit). ``origin``
    says what the value rests on: "document" (a dated notice or report), "scenario", "calibration"
    (fitted to the amounts reported paid) or "assumption" (no source gives it)."""

    path: str
    name: str
    value: float
    unit: str
    since: dt.date
    origin: str


def _origin(source: str) -> str:
    if source in ("assumption", "calibration"):
        return source
    return "scenario" if source.startswith("scenario") else "document"


@dataclass(frozen=True)
class Basis:
    """One budget line of one year: ``monthly`` lines pay the same people month after month (so
    person-times / 12 is the people paid in an average month), the others count each payment."""

    line: str
    family: str
    amount_yuan: float
    person_times: float
    monthly: bool
    standards: tuple[Standard, ...]  # in force in January, then each change within the year
    repeated: tuple[dict, ...]  # recurring supplements repeated from the year before
    one_offs: tuple[dict, ...]  # the base year's non-recurring items this line paid
    base_one_off_yuan: float  # the base year's non-recurring money on this line

    @property
    def per_time_yuan(self) -> float:
        return self.amount_yuan / self.person_times if self.person_times else 0.0


def _name(path: str, param, leaf) -> str:
    """A leaf's name as the declarations give it (the program that labels it, where another only
    reads it), else as its parameter file describes it."""
    labelled = next(
        (p.params[path] for p in programs_module.REGISTRY if path in p.params and p.params[path].label), param
    )
    return labelled.label or param.about or leaf.description or path


def _wholly_non_recurring(program, params: ParamSet) -> bool:
    """A program whose amounts are declared non-recurring (a grant paid once), so not paid monthly."""
    leaves = [params.leaf(path) for path in program.params if params.has(path)]
    return any(leaf.recurring is not None and not leaf.recurring.value and is_standard(leaf) for leaf in leaves)


def standards(program, params: ParamSet, year: int) -> tuple[Standard, ...]:
    """The program's standards (declared leaves in yuan) in force in ``year``: the value of
    January with the date it took effect, then each value that starts later in the year; a leaf
    that pays nothing all year is left out."""
    out = []
    for path, param in program.params.items():
        if not params.has(path):
            continue
        leaf = params.leaf(path)
        if not is_standard(leaf) or leaf.entries[0].start > dt.date(year, 12, 31):
            continue
        january = dt.date(year, 1, 1)
        entries = [leaf.at(january)] if leaf.entries[0].start <= january else []
        entries += [e for e in leaf.entries if e.start.year == year and e.start > january]
        if not any(e.value for e in entries):
            continue
        out += [
            Standard(path, _name(path, param, leaf), e.value, leaf.unit, e.start, _origin(e.source)) for e in entries
        ]
    return tuple(out)


def _by_program(items: list[dict]) -> dict[str, list[dict]]:
    """Items (of projection.items) keyed by the program that declares their leaf."""
    out: dict[str, list[dict]] = {}
    for item in items:
        for program in programs_module.REGISTRY:
            if item["path"] in program.params:
                out.setdefault(program.key, []).append(item)
    return out


def _riding(line: str, codes) -> str:
    """The line another line's code starts with (the longest), else the line itself."""
    parents = [code for code in codes if code != line and line.startswith(code + "_")]
    return max(parents, key=len) if parents else line


def lines(projection: Projection, params: ParamSet, scenario: str = BASELINE, year: int | None = None) -> list[Basis]:
    """The basis of every line of ``scenario`` in ``year`` (default the first budget year), in the
    projection's order; ``params`` are the parameters the scenario ran on."""
    year = projection.year if year is None else int(year)
    rows = projection.lines[
        (projection.lines["scenario"] == scenario)
        & (projection.lines["year"] == year)
        & (projection.lines["program"] != TOTAL)
    ]
    items = projection.items[scenario]
    repeated = _by_program(items["repeated"])
    one_offs = _by_program(items["non_recurring"])
    base = projection.base[projection.base["scenario"] == scenario].set_index("program")["one_off_yuan"]
    out = []
    codes = list(rows["program"])
    for r in rows.itertuples(index=False):
        program = programs_module.LINE_PROGRAM.get(r.program)
        if program is None:
            continue
        own = r.program == program.key
        family = programs_module.family(r.program)
        if family == r.program:  # a grant riding on a program by its name (重度残疾人一次性生活救助)
            family = _riding(r.program, codes)
        out.append(
            Basis(
                r.program,
                family,
                float(r.mean_yuan),
                float(r.person_times),
                own and program.entity in ("person", "household") and not _wholly_non_recurring(program, params),
                standards(program, params, year) if own else (),
                tuple(i for i in repeated.get(program.key, []) if any(m.startswith(str(year)) for m in i["months"])),
                tuple(one_offs.get(program.key, [])) if own else (),
                float(base.get(r.program, 0.0)),
            )
        )
    return out


def family_order(lines_: list[Basis]) -> list[str]:
    """The families of the lines, in the order of the program declarations."""
    known = [p.key for p in programs_module.REGISTRY]
    return sorted(
        dict.fromkeys(b.family for b in lines_), key=lambda f: (known.index(f) if f in known else len(known), f)
    )


def ordered(lines_: list[Basis]) -> list[Basis]:
    """Lines grouped by family (the program's own line first, then its supplements)."""
    families = family_order(lines_)
    known = list(programs_module.LINES)
    return sorted(
        lines_,
        key=lambda b: (
            families.index(b.family),
            b.line != b.family,
            known.index(b.line) if b.line in known else len(known),
        ),
    )


def frame(lines_: list[Basis]) -> pd.DataFrame:
    """The lines as a table (for tests and the workbook): line, family, amount_yuan, person_times,
    monthly, per_time_yuan, base_one_off_yuan."""
    return pd.DataFrame(
        [
            {
                "line": b.line,
                "family": b.family,
                "amount_yuan": b.amount_yuan,
                "person_times": b.person_times,
                "monthly": b.monthly,
                "per_time_yuan": b.per_time_yuan,
                "base_one_off_yuan": b.base_one_off_yuan,
            }
            for b in lines_
        ]
    )


__all__ = ["Standard", "Basis", "standards", "lines", "ordered", "family_order", "frame"]
