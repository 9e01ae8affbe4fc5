"""Draws as a dimension of the run: a Monte Carlo's draws evaluated together, as copies of one roll.

A draw changes only the month's inputs (the 低保 pool's incomes, prices) and a few leaves no
running rule reads (the roll's rates); the roll and every other parameter are the same. So
:class:`Copies` lays ``copies`` of a simulation's roll side by side (copy-major: copy c's rows
follow copy c − 1's), each copy's households in groups of their own, and a month's rule runs once
over all of them with each copy's incomes: one call in place of one per draw. The rules are
unchanged — they only see a larger roll.

What a rule reads as one number per month cannot differ between the copies: a program using the
prices (价格临时补贴) runs copy by copy over the single roll, reading the lines paid before it
sliced to its copy. Case flows (no roll behind them) and a running rule that reads a leaf the
draws change cannot be copied: :class:`NotStackable`, and the caller runs draw by draw.

Each draw's year table (:meth:`Copies.by_year`) is summed from its own blocks in the order one
draw's run makes them, so it is the same, to the bit, as :meth:`Simulation.by_year` of that draw.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..params import ParamSet
from ..programs import LINE_PROGRAM, Paid
from ..roll import Roll
from .candidates import Prepared, View
from .month import Month
from .reuse import Fixed
from .simulation import Simulation

ROWS = 2_000_000        # households + persons of all copies together (a few hundred MB at most)


class NotStackable(Exception):
    """The run cannot evaluate its draws as copies (see the module's doc); run them one by one."""


def copies_for(sim: Simulation, draws: int) -> int:
    """How many copies of ``sim``'s roll a block holds: all ``draws`` where ``ROWS`` allows, else
    equal blocks under it."""
    most = max(1, ROWS // max(1, len(sim.roll.households) + len(sim.roll.persons)))
    blocks = -(-draws // most)
    return -(-draws // blocks)


class Copies:
    """``copies`` of ``sim``'s roll side by side, prepared once; :meth:`by_year` runs a block of
    draws over them."""

    def __init__(self, sim: Simulation, copies: int):
        self.base, self.copies = sim, int(copies)
        roll, prepared = sim.roll, sim.prepared
        H, P, B = len(roll.households), len(roll.persons), self.copies
        households = roll.households.iloc[np.tile(np.arange(H), B)].reset_index(drop=True)
        persons = roll.persons.iloc[np.tile(np.arange(P), B)].reset_index(drop=True)
        households["household_id"] = np.arange(H * B)
        persons["household_id"] = np.tile(roll.household_row.astype(np.int64), B) + np.repeat(np.arange(B) * H, P)
        persons["person_id"] = np.arange(P * B)
        stacked = Roll(households, persons, roll.anchor, roll.standard_at_anchor, roll.seed, roll.source,
                       months=roll.months, year=roll.year)
        self.n_groups = n = len(prepared.groups)
        group = np.tile(prepared.group.astype(np.int64), B) + np.repeat(np.arange(B) * n, H)
        group = group.astype(np.int32 if B * n < 2**31 else np.int64)
        views, columns = {}, {}
        for key, view in prepared.views.items():
            size = H if view.entity == "household" else P
            rows = np.tile(view.rows.astype(np.int64), B) + np.repeat(np.arange(B) * size, view.n)
            views[key] = View(stacked, view.entity, rows.astype(view.rows.dtype if B * size < 2**31 else np.int64),
                              group, columns)
        groups = pd.concat([prepared.groups] * B, ignore_index=True)
        self.sim = Simulation(sim.params, sim.year, sim.seed, roll=stacked, months=sim.months,
                              prepared=Prepared(stacked, views, groups, group, prepared.case_rows))
        self._key_of = {id(v): k for k, v in views.items()}

    def check(self, fixed: Fixed | None, leaves=()) -> None:
        """:class:`NotStackable` unless every program this run evaluates can run over the copies."""
        held = fixed.programs if fixed is not None else frozenset()
        running = [p for p in self.sim.programs if p.key not in held]
        priced = {line for p in running if "prices" in p.uses for line in p.outputs}
        for p in running:
            if p.entity == "case":
                raise NotStackable(f"{p.key} is a case flow")
            if set(p.params) & set(leaves):
                raise NotStackable(f"{p.key} reads a leaf the draws change")
            if set(p.reads) & priced:
                raise NotStackable(f"{p.key} reads a line paid copy by copy")

    def by_year(self, params: ParamSet, incomes: np.ndarray, cpi: np.ndarray, food: np.ndarray,
                fixed: Fixed | None = None, leaves=()) -> list[pd.DataFrame]:
        """Each draw's :meth:`Simulation.by_year`: ``incomes`` months × draws × pool households
        (:meth:`Simulation.incomes`), ``cpi`` and ``food`` draws × months; at most ``copies``
        draws, the same ``params`` (the leaves the draws change, ``leaves``, read by no running
        rule) and the lines of ``fixed`` for all."""
        draws = incomes.shape[1]
        if draws > self.copies:
            raise ValueError(f"{draws} draws for {self.copies} copies")
        if fixed is not None and not fixed.months.equals(self.base.months):
            raise ValueError("the fixed lines were recorded over other months")
        self.check(fixed, leaves)
        if draws < self.copies:     # the last block: the spare copies repeat the last draw
            spare = self.copies - draws
            incomes = np.concatenate([incomes, np.repeat(incomes[:, -1:], spare, axis=1)], axis=1)
            cpi, food = (np.concatenate([a, np.repeat(a[-1:], spare, axis=0)]) for a in (cpi, food))
        entries = self._entries(params, incomes, cpi, food, fixed)
        lines, years, present, blocks = (list(column) for column in zip(*entries)) if entries else ([], [], [], [])
        values = np.zeros((len(lines), self.copies, self.n_groups, 4))
        for i, block in enumerate(blocks):
            values[i] = block       # a held line's block stands for every copy
        years = np.asarray(years, np.int64)
        present = np.array(present, bool).reshape(len(lines), self.copies)
        names = np.array(lines, dtype=object)
        out = []
        for d in range(draws):
            chosen = present[:, d]
            out.append(self.base.year_table(list(names[chosen]), years[chosen], values[chosen, d]))
        return out

    def _entries(self, params, incomes, cpi, food, fixed):
        """Every line paid, month by month in the order one draw's run pays them: (its name, year,
        which copies paid it, its block: copies × groups × MEASURES, or groups × MEASURES for a
        held line, the same in every copy)."""
        sim, B, n = self.sim, self.copies, self.n_groups
        held = fixed.programs if fixed is not None else ()
        everyone = np.ones(B, bool)
        entries = []
        income = incomes.reshape(len(sim.months), -1)
        for t, period in enumerate(sim.months):
            month = Month(params, period, sim.prepared, income[t], np.nan, np.nan, date=period.start_time.date())
            for program in sim.programs:
                if program.key in held:
                    entries += [(line, period.year, everyone, block)
                                for line, block in fixed.blocks.get((t, program.key), ())]
                    if program.key in fixed.lazy:
                        view = sim.prepared.views.get(program.key)
                        month.results[program.key] = lambda p=program, v=view, m=month: (v, p.evaluate(m, v))
                    continue
                if "prices" in program.uses:
                    paid = self._per_copy(program, month, t, incomes[t], cpi[:, t], food[:, t])
                else:
                    month.program = program.key
                    paid = [(line, block.reshape(B, n, 4), everyone) for line, block in sim._pay(program, month, t, None)]
                entries += [(line, period.year, who, block) for line, block, who in paid]
            month.results.clear()
            month._cache.clear()
        return entries

    def _per_copy(self, program, month: Month, t: int, income: np.ndarray, cpi: np.ndarray, food: np.ndarray) -> list:
        """A program reading the month's prices, copy by copy over the single roll: [(line,
        copies × groups × MEASURES, which copies paid it)] in the order of its lines."""
        base, B, n = self.base, self.copies, self.n_groups
        sliced: dict = {}
        paid_by: dict = {}
        order = list(program.outputs)
        lines = list(month.results)
        for d in range(B):
            results = _Sliced.fromkeys(lines)
            results.at = (self, month, d, sliced)
            single = Month(month.params, month.period, base.prepared, income[d], cpi[d], food[d], results=results,
                           date=month._date, program=program.key)
            paid = base._pay(program, single, t, None)
            at = [order.index(line) for line, _ in paid]
            if at != sorted(at):
                raise NotStackable(f"{program.key} pays its lines in another order than it declares them")
            for line, block in paid:
                values, who = paid_by.setdefault(line, (np.zeros((B, n, 4)), np.zeros(B, bool)))
                values[d], who[d] = block, True
        return [(line, *paid_by[line]) for line in order if line in paid_by]

    def _slice(self, month: Month, line: str, d: int, sliced: dict):
        """Copy ``d``'s part of a line the copies paid together: (its single view, Paid)."""
        if line not in sliced:
            value = month.results[line]
            if callable(value):
                value = month.results[line] = value()
            paid = value[1] if len(value) == 2 else value[3]
            key = self._key_of[id(value[0])] if len(value) == 2 else (paid.over or LINE_PROGRAM[line].key)
            size = self.base.prepared.views[key].n
            rows = np.asarray(paid.rows, np.int64)
            amount = np.broadcast_to(np.asarray(paid.amount), rows.shape)
            copy = rows // max(size, 1)
            order = np.argsort(copy, kind="stable")
            bounds = np.searchsorted(copy[order], np.arange(self.copies + 1))
            sliced[line] = (key, size, rows, amount, paid.over, order, bounds)
        key, size, rows, amount, over, order, bounds = sliced[line]
        chosen = order[bounds[d]:bounds[d + 1]]
        return self.base.prepared.views[key], Paid(rows[chosen] - d * size, amount[chosen], over)


class _Sliced(dict):
    """One copy's view of the lines the copies paid together this month: each line is sliced to
    the copy when its rule first reads it."""
    at: tuple

    def __getitem__(self, line):
        value = dict.__getitem__(self, line)
        if value is None:
            copies, month, d, sliced = self.at
            value = copies._slice(month, line, d, sliced)
            dict.__setitem__(self, line, value)
        return value
