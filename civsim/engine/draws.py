"""Draws as a dimension of the run: a Monte Carlo's draws evaluated together, as copies of one roll.

A draw changes only the month's inputs (the 低保 pool's incomes, prices) and a few leaves no
running rule reads (the roll's rates); the roll and every other parameter are the same. So
:class:`Copies` lays ``copies`` of a simulation's roll side by side (copy-major: copy c's rows
follow copy c − 1's), each copy's households in groups of their own, and a month's rule runs once
over all of them with each copy's incomes: one call in place of one per draw. Each row knows its
draw (the column ``draw``, its copy), and what a draw gives as one number a month — the prices —
the month holds as one per draw, broadcast by that column (价格临时补贴 reads its draw's rise; a
line says which draws paid it, ``Paid.draws``). Case flows (no roll behind them) and a running
rule that reads a leaf the draws change cannot be copied: :class:`NotStackable`, and the caller
runs draw by draw.

Each draw's year table (:meth:`Copies.by_year`) is summed from its own blocks in the order one
draw's run makes them, so it is the same, to the bit, as :meth:`Simulation.by_year` of that draw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import money
from ..params import ParamSet
from ..programs import Paid
from ..roll import Roll
from .candidates import Prepared, View
from .month import Month
from .reuse import Fixed
from .simulation import Simulation

ROWS = 2_000_000  # households + persons of all copies together (a few hundred MB at most)


class NotStackable(Exception):
    """The run cannot evaluate its draws as copies (see the module's doc); run them one by one."""


def copies_for(sim: Simulation, draws: int) -> int:
    """How many copies of ``sim``'s roll a block holds: all ``draws`` where ``ROWS`` allows, else
    equal blocks under it."""
    most = max(1, ROWS // max(1, len(sim.roll.households) + len(sim.roll.persons)))
    blocks = -(-draws // most)
    return -(-draws // blocks)


class Copies:
    """``copies`` of ``sim``'s roll side by side, prepared once; :meth:`sums` (and
    :meth:`by_year`, :meth:`by_year_sets`) run a block of draws over them."""

    def __init__(self, sim: Simulation, copies: int):
        self.base, self.copies = sim, int(copies)
        roll, prepared = sim.roll, sim.prepared
        H, P, B = len(roll.households), len(roll.persons), self.copies
        link = np.tile(roll.household_row.astype(np.int64), B) + np.repeat(np.arange(B) * H, P)
        households = _tiled(roll.households, B, {"household_id": np.arange(H * B)})
        persons = _tiled(roll.persons, B, {"household_id": link, "person_id": np.arange(P * B)})
        stacked = Roll(
            households,
            persons,
            roll.anchor,
            roll.standard_at_anchor,
            roll.seed,
            roll.source,
            months=roll.months,
            year=roll.year,
        )
        stacked._row = link.astype(np.int32) if H * B < 2**31 else link  # the link, known: no search
        self.n_groups = n = len(prepared.groups)
        group = np.tile(prepared.group.astype(np.int64), B) + np.repeat(np.arange(B) * n, H)
        group = group.astype(np.int32 if B * n < 2**31 else np.int64)
        views = {}
        # each row's draw (its copy): a rule reading one value per draw (the prices) picks its own
        columns = {("household", "draw"): np.repeat(np.arange(B), H), ("person", "draw"): np.repeat(np.arange(B), P)}
        for key, view in prepared.views.items():
            size = H if view.entity == "household" else P
            rows = np.tile(view.rows.astype(np.int64), B) + np.repeat(np.arange(B) * size, view.n)
            views[key] = View(
                stacked, view.entity, rows.astype(view.rows.dtype if B * size < 2**31 else np.int64), group, columns
            )
        groups = pd.concat([prepared.groups] * B, ignore_index=True)
        self.sim = Simulation(
            sim.params,
            sim.year,
            sim.seed,
            roll=stacked,
            months=sim.months,
            prepared=Prepared(stacked, views, groups, group, prepared.case_rows),
        )

    def check(self, fixed: Fixed | None, leaves=()) -> None:
        """:class:`NotStackable` unless every program this run evaluates can run over the copies."""
        held = fixed.programs if fixed is not None else frozenset()
        for p in self.sim.programs:
            if p.key in held:
                continue
            if p.entity == "case":
                raise NotStackable(f"{p.key} is a case flow")
            if set(p.params) & set(leaves):
                raise NotStackable(f"{p.key} reads a leaf the draws change")

    def by_year(
        self,
        params: ParamSet,
        incomes: np.ndarray,
        cpi: np.ndarray,
        food: np.ndarray,
        fixed: Fixed | None = None,
        leaves=(),
    ) -> list[pd.DataFrame]:
        """Each draw's :meth:`Simulation.by_year`: ``incomes`` months × draws × pool households
        (:meth:`Simulation.incomes`), ``cpi`` and ``food`` draws × months; at most ``copies``
        draws, the same ``params`` (the leaves the draws change, ``leaves``, read by no running
        rule) and the lines of ``fixed`` for all."""
        return self.by_year_sets([(params, fixed, incomes.shape[1])], incomes, cpi, food, leaves)[0]

    def by_year_sets(
        self, runs: list, incomes: np.ndarray, cpi: np.ndarray, food: np.ndarray, leaves=()
    ) -> list[list[pd.DataFrame]]:
        """:meth:`by_year` of several parameter sets under the same draws' inputs, month by month
        side by side: ``runs`` = [(params, fixed, draws)], the first over every draw of
        ``incomes``, each other over its first ``draws``. A program whose leaves in force in a
        month are the first set's, and whose lines read are too, pays that month what it pays in
        the first set: its lines are taken, not made again (a budget's recurring and carried
        sets differ from the full one in a few programs and months)."""
        return [
            [pd.DataFrame({"amount_yuan": amount, "person_times": times}, index=index) for index, amount, times in sums]
            for sums in self.sums(runs, incomes, cpi, food, leaves)
        ]

    def sums(self, runs: list, incomes: np.ndarray, cpi: np.ndarray, food: np.ndarray, leaves=()) -> list[list]:
        """:meth:`by_year_sets` as arrays: for each run and draw, (the (year, line) index, amount_yuan,
        person_times), the columns of its year table."""
        draws = incomes.shape[1]
        if draws > self.copies or any(k > draws for _, _, k in runs):
            raise ValueError(f"{draws} draws for {self.copies} copies")
        for _, fixed, _ in runs:
            if fixed is not None and not fixed.months.equals(self.base.months):
                raise ValueError("the fixed lines were recorded over other months")
            self.check(fixed, leaves)
        if len({fixed.programs if fixed is not None else frozenset() for _, fixed, _ in runs}) > 1:
            raise ValueError("the sets run side by side hold different programs")
        if draws < self.copies:  # the last block: the spare copies repeat the last draw
            spare = self.copies - draws
            incomes = np.concatenate([incomes, np.repeat(incomes[:, -1:], spare, axis=1)], axis=1)
            cpi, food = (np.concatenate([a, np.repeat(a[-1:], spare, axis=0)]) for a in (cpi, food))
        return [self._sums(entries, k) for entries, (_, _, k) in zip(self._entries(runs, incomes, cpi, food), runs)]

    def _sums(self, entries: list, draws: int) -> list[tuple]:
        """Each of the first ``draws`` copies' year sums from a run's entries, as
        :meth:`Simulation.year_table` sums them: every (year, line) cell of every copy at once,
        each cell's blocks added in the same order (a line a copy did not pay adds zeros, which
        move no sum), so the same bits; then each copy's cells, in the order its lines were first
        paid, the copies paying the same cells in the same order sharing one index."""
        lines, years, present, blocks = (list(column) for column in zip(*entries)) if entries else ([], [], [], [])
        n, B, L = self.n_groups, self.copies, len(lines)
        values = np.zeros((L, B, n, 4))
        for i, block in enumerate(blocks):
            values[i] = block  # a held line's block stands for every copy
        years = np.asarray(years, np.int64)
        present = np.array(present, bool).reshape(L, B)[:, :draws]
        codes, names = pd.factorize(np.array(lines, dtype=object))
        cells, cell_of = np.unique(years * max(1, len(names)) + codes, return_inverse=True)
        C = len(cells)
        key = (np.arange(draws)[:, None] * C + np.repeat(cell_of, n)[None, :]).reshape(-1)
        part = values[:, :draws].transpose(1, 0, 2, 3)  # copies × lines × groups × MEASURES
        amount = money.yuan(np.bincount(key, weights=part[..., 3].reshape(-1), minlength=draws * C)).reshape(draws, C)
        times = np.bincount(key, weights=part[..., 2].reshape(-1), minlength=draws * C).reshape(draws, C)
        # which cells each copy paid, and where each line was first paid
        paid = np.zeros((draws, C), bool)
        for e in range(L):
            paid[:, cell_of[e]] |= present[e]
        at = np.where(present, np.arange(L)[:, None], L)
        first = (
            np.stack([at[codes == c].min(axis=0) for c in range(len(names))]) if len(names) else np.zeros((0, draws))
        )
        order = np.argsort(first, axis=0, kind="stable")  # each copy's lines in the order first paid
        alike: dict = {}
        for d in range(draws):
            alike.setdefault(paid[d].tobytes() + order[:, d].tobytes(), []).append(d)
        out: list = [None] * draws
        for chosen_draws in alike.values():
            d = chosen_draws[0]
            chosen = present[:, d]
            index, inverse = self._index(codes[chosen], names, years[chosen])
            where = np.empty(len(index), np.int64)
            where[inverse] = cell_of[chosen]  # each of the copy's cells among every copy's
            for d in chosen_draws:
                out[d] = (index, amount[d, where], times[d, where])
        return out

    def _index(self, codes: np.ndarray, every: pd.Index, years: np.ndarray) -> tuple[pd.MultiIndex, np.ndarray]:
        """The (year, line) index of the lines ``every[codes]`` paid in ``years`` and each line's
        cell, as :meth:`Simulation.year_table` makes them (the lines numbered in the order they
        are first paid; the index kept with the simulation's)."""
        present, first = np.unique(codes, return_index=True)
        order = present[np.argsort(first, kind="stable")]  # the lines in the order first paid
        number = np.empty(len(every), np.int64)
        number[order] = np.arange(len(order))
        line_code, names = number[codes], every[order]
        unique, inverse = np.unique(years * len(names) + line_code, return_inverse=True)
        kept = self.base._indexes
        key = (tuple(names), unique.tobytes())
        index = kept.get(key)
        if index is None:
            index = kept[key] = pd.MultiIndex.from_arrays(
                [unique // len(names), np.asarray(names, dtype=object)[unique % len(names)]], names=["year", "program"]
            )
        return index, inverse

    def _entries(self, runs, incomes, cpi, food) -> list[list]:
        """Each run's lines, month by month in the order one draw's run pays them: (its name, year,
        which copies paid it, its block: copies × groups × MEASURES, or groups × MEASURES for a
        held line, the same in every copy)."""
        sim, B, n = self.sim, self.copies, self.n_groups
        first = runs[0][0]
        fixed = runs[0][1]
        held = fixed.programs if fixed is not None else ()
        everyone = np.ones(B, bool)
        line_of = {line: p.key for p in sim.programs for line in p.outputs}
        same = [None] + [self._same_leaves(first, params) for params, _, _ in runs[1:]]
        entries: list = [[] for _ in runs]
        income = incomes.reshape(len(sim.months), -1)
        for t, period in enumerate(sim.months):
            date = period.start_time.date()
            months, paid_first = [], {}
            for k, (params, fixed, _) in enumerate(runs):
                # each copy's prices: a rule reading them (价格临时补贴) finds one per draw
                month = Month(params, period, sim.prepared, income[t], cpi[:, t], food[:, t], date=date)
                months.append(month)
                taken: set = set()  # programs paying this month what they pay in the first set
                for program in sim.programs:
                    alike = k > 0 and same[k][program.key][t] and all(line_of.get(r) in taken for r in program.reads)
                    if program.key in held:
                        entries[k] += [
                            (line, period.year, everyone, block)
                            for line, block in fixed.blocks.get((t, program.key), ())
                        ]
                        if program.key in fixed.lazy:
                            view = sim.prepared.views.get(program.key)
                            month.results[program.key] = lambda p=program, v=view, m=month: (v, self._held(p, m, v))
                        if alike:
                            taken.add(program.key)
                        continue
                    if alike:
                        entries[k] += paid_first[program.key]
                        for line in program.outputs:
                            if line in months[0].results:
                                month.results[line] = months[0].results[line]
                        taken.add(program.key)
                        continue
                    month.program = program.key
                    paid = []
                    for line, block in sim._pay(program, month, t, None):
                        result = month.results.get(line)
                        who = getattr(result[1], "draws", None) if isinstance(result, tuple) else None
                        paid.append((line, period.year, everyone if who is None else who, block.reshape(B, n, 4)))
                    entries[k] += paid
                    if k == 0:
                        paid_first[program.key] = paid
            for month in months:
                month.results.clear()
                month._cache.clear()
        return entries

    def _held(self, program, month: Month, view: View) -> Paid:
        """A held flat program's month over the copies (another program reads it): made on the
        single roll and laid out for every copy, as no draw moves it."""
        single = self.base.prepared.views[program.key]
        alone = Month(
            month.params, month.period, self.base.prepared, month._income[:0], np.nan, np.nan, date=month._date
        )
        paid = program.evaluate(alone, single)
        rows = np.asarray(paid.rows, np.int64)
        amount = np.broadcast_to(np.asarray(paid.amount), rows.shape)
        return Paid(
            (rows[None, :] + (np.arange(self.copies) * single.n)[:, None]).reshape(-1),
            np.tile(amount, self.copies),
            paid.over,
        )

    def _same_leaves(self, first: ParamSet, params: ParamSet) -> dict:
        return same_leaves(self.sim, first, params)


def same_leaves(sim: Simulation, first: ParamSet, params: ParamSet) -> dict:
    """For each program of ``sim``, the months (a mask) in which every leaf it declares is in
    force at the same value in ``params`` as in ``first`` (absent in both counts as the same)."""
    prepared = sim.prepared
    at = [(period.ordinal, period.start_time.date()) for period in sim.months]
    out = {}
    for program in sim.programs:
        alike = np.ones(len(at), bool)
        for path in program.params:
            a, b = first.leaves.get(path), params.leaves.get(path)
            if a is b:
                continue
            if a is None or b is None:
                alike[:] = False
                break
            alike &= [_in_force(prepared, first, path, t, d) == _in_force(prepared, params, path, t, d) for t, d in at]
        out[program.key] = alike
    return out


def fixed_like(sim: Simulation, first: ParamSet, fixed: Fixed, params: ParamSet) -> Fixed:
    """:meth:`Simulation.fixed` of ``params`` (the same inputs and leaves as ``fixed``, recorded
    for ``first``), taking the lines of every held program whose leaves are ``first``'s in every
    month and whose lines read are taken too: only the others are run again. None where either
    set runs on a roll of its own (a scenario's)."""
    if (
        fixed.roll is not None
        and fixed.roll is not sim.roll
        or sim.on_roll_of(params) is not sim
        or sim.on_roll_of(first) is not sim
    ):
        return None
    alike = same_leaves(sim, first, params)
    line_of = {line: p.key for p in sim.programs for line in p.outputs}
    taken: set = set()
    for program in sim.programs:  # in order: a program reads only the lines of those before it
        if (
            program.key in fixed.programs
            and alike[program.key].all()
            and all(line_of.get(r) in taken for r in program.reads)
        ):
            taken.add(program.key)
    # a program run again reads its lines from the month's results: what it reads is run too,
    # unless a flat program makes its result when asked
    again = set(fixed.programs) - taken
    for program in reversed(sim.programs):
        if program.key in again:
            again |= {line_of[r] for r in program.reads if r in line_of} - set(fixed.lazy)
    taken = taken - again
    if not again:
        return Fixed(fixed.months, fixed.programs, fixed.lazy, dict(fixed.blocks), fixed.roll)
    running = frozenset(p.key for p in sim.programs if p.key not in again)  # the rest: not run here
    record: dict = {}
    sim._blocks(
        params,
        None,
        None,
        Fixed(
            fixed.months,
            running,
            frozenset(taken & fixed.lazy),
            {k: v for k, v in fixed.blocks.items() if k[1] in taken},
            sim.roll,
        ),
        record=(frozenset(again), record),
    )
    blocks = {k: v for k, v in fixed.blocks.items() if k[1] in taken}
    blocks.update(record)
    return Fixed(fixed.months, fixed.programs, fixed.lazy, blocks, sim.roll)


def _in_force(prepared, params: ParamSet, path: str, t: int, date):
    """The leaf's value in force, or an object equal to nothing where it has none (not yet in force)."""
    try:
        return prepared.in_force(params, path, t, date)
    except Exception:
        return object()


def _tiled(table: pd.DataFrame, copies: int, given: dict) -> pd.DataFrame:
    """``copies`` copies of a roll's table one after the other, column by column (categories kept),
    the ``given`` columns as given."""
    out = {}
    for name, column in table.items():
        if name in given:
            out[name] = given[name]
        elif isinstance(column.dtype, pd.CategoricalDtype):
            out[name] = pd.Categorical.from_codes(np.tile(column.cat.codes.to_numpy(), copies), dtype=column.dtype)
        else:
            out[name] = np.tile(column.to_numpy(), copies)
    return pd.DataFrame(out, columns=table.columns, copy=False)  # the columns as made: no second copy
