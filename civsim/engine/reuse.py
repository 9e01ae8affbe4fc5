"""The Monte Carlo's reuse, behind one seam: the lines a draw cannot move are recorded once and
handed to every draw's run (:meth:`civsim.engine.Simulation.fixed`, :class:`Fixed`).

A draw changes only the month's inputs (the 低保 pool's incomes, prices) and a few leaves (the
roll's rates); a program that uses none of them, nor reads a line of one that does, pays the same
in every draw. A flat program reading no line makes its month's result only when another asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..roll import Roll


def held_programs(programs, inputs, leaves) -> tuple[frozenset, frozenset]:
    """Of ``programs`` (in evaluation order), those a change of ``inputs`` and ``leaves`` leaves as
    they were, and those of them whose month's result a run can still read (flat programs)."""
    inputs, leaves = set(inputs), set(leaves)
    line_of = {line: p.key for p in programs for line in p.outputs}
    changing: set = set()
    for p in programs:  # in order: a program reads only the lines of those before it
        if set(p.uses) & inputs or set(p.params) & leaves or any(line_of.get(r) in changing for r in p.reads):
            changing.add(p.key)
    # a flat program reading no line makes its month's result only when another asks for it:
    # it can be read without running again; any other program read by one that runs, runs too
    lazy = {p.key for p in programs if p.key not in changing and p.rates is not None and not p.reads}
    run = set(changing)
    for p in reversed(programs):
        if p.key in run:
            run |= {line_of[r] for r in p.reads if r in line_of} - lazy
    held = frozenset(p.key for p in programs if p.key not in run)
    return held, frozenset(held & lazy)


@dataclass(frozen=True)
class Fixed:
    """The month-by-month lines of the programs a run takes as they were (:meth:`Simulation.fixed`):
    (month index, program key) -> [(line, block)]; the blocks are shared, never written to."""

    months: pd.PeriodIndex
    programs: frozenset
    lazy: frozenset  # those of them whose month's result a run can still read (flat programs)
    blocks: dict = field(repr=False)
    roll: Roll | None = field(default=None, repr=False, compare=False)  # the roll they were recorded on
