"""The run loop: month by month, each program's rule over its candidates, one block of measures
per line and month, gathered into the tidy table (:meth:`Simulation.run`) or summed by year
(:meth:`Simulation.by_year`)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import cpi, dynamics, money, scenario_roll, schema, synthetic
from ..params import ParamSet
from ..programs import EVALUATION, Cases
from ..roll import AREAS, Roll
from .candidates import Prepared
from .month import Month
from .reuse import Fixed, held_programs
from .tidy import Lines


def year_months(year: int) -> pd.PeriodIndex:
    return _year_months(int(year))


@functools.lru_cache(maxsize=64)
def _year_months(year: int) -> pd.PeriodIndex:  # an index is immutable: one per year will do
    return pd.period_range(f"{year}-01", f"{year}-12", freq="M")


def first_days(months: pd.PeriodIndex) -> list[dt.date]:
    """Each month's first day (the day its parameters are read on)."""
    return [dt.date(1970 + ordinal // 12, ordinal % 12 + 1, 1) for ordinal in months.asi8.tolist()]


@functools.lru_cache(maxsize=64)
def _prices(ordinals: tuple) -> tuple[np.ndarray, np.ndarray]:
    return cpi.for_months(pd.PeriodIndex.from_ordinals(list(ordinals), freq="M"))


def prices(months: pd.PeriodIndex) -> tuple[np.ndarray, np.ndarray]:
    """CPI and food CPI y/y of the months (:func:`civsim.cpi.for_months`), read once per set of months."""
    headline, food = _prices(tuple(months.asi8.tolist()))
    return headline.copy(), food.copy()


@dataclass
class Detail:
    """Per-entity amounts: for each line, its entity and one (rows, yuan) pair per month."""

    roll: Roll
    months: pd.PeriodIndex
    lines: dict = field(default_factory=dict)  # line -> (entity, [(rows, amounts in fen) per month])

    def frame(self, line: str) -> pd.DataFrame:
        """Long table month, entity id, amount_yuan for one line."""
        entity, months = self.lines[line]
        ids = (
            self.roll.households["household_id"] if entity == "household" else self.roll.persons["person_id"]
        ).to_numpy()
        return pd.DataFrame(
            {
                "month": np.concatenate([np.full(len(r), m) for m, (r, _) in zip(self.months, months)]),
                f"{entity}_id": ids[np.concatenate([r for r, _ in months])],
                "amount_yuan": money.yuan(np.concatenate([a for _, a in months])),
            }
        )

    def household_totals(self) -> pd.DataFrame:
        """Each household's money over the months per line (a person's amount counts to their household)."""
        n = len(self.roll.households)
        out = {}
        for line, (entity, months) in self.lines.items():
            rows = np.concatenate([r for r, _ in months]) if months else np.zeros(0, np.int64)
            amount = np.concatenate([a for _, a in months]) if months else np.zeros(0, np.int64)
            if entity == "person":
                rows = self.roll.household_row[rows]
            out[line] = money.yuan(np.bincount(rows, weights=amount.astype(np.float64), minlength=n))
        return pd.DataFrame(out, index=self.roll.households["household_id"].to_numpy())


class Simulation:
    """One district's roll and months, ready to run any parameter set quickly (the explorer
    reuses it: only the policy changes between runs)."""

    def __init__(
        self,
        params: ParamSet,
        year: int,
        seed: int = 1,
        roll: Roll | None = None,
        months: pd.PeriodIndex | None = None,
        prepared: Prepared | None = None,
    ):
        self.params, self.year, self.seed = params, year, seed
        self.months = months if months is not None else year_months(year)
        self.roll = roll if roll is not None else synthetic.synthesize(params, year, seed, self.months)
        self.prepared = prepared if prepared is not None else Prepared.of(self.roll)
        pool = self.prepared.views.get("dibao")
        self.pool = pool.rows if pool is not None else np.zeros(0, np.int64)
        self.cpi, self.food = prices(self.months)
        self._dates = (None, [], [])  # (months, their Periods, each one's first day), made on the first run
        self._span = None  # (ordinal, first day) of each month the incomes step through
        self.programs = self._active(params)
        self._paths: dict = {}
        self._made_paths, self._kept = 0, None  # paths made; the month draws, once a second is
        self._indexes: dict = {}  # by_year's (year, line) indexes, by lines paid
        self.counts = {p.key: self._class_counts(p) for p in self.programs if p.rates is not None}
        self._rerolled: dict = {}  # the simulations of scenarios' rolls (civsim.scenario_roll)

    def on_roll_of(self, params: ParamSet) -> "Simulation":
        """The simulation ``params`` runs on: this one, or, where ``params`` changes a leaf the roll
        was drawn from, one on the scenario's roll (made once per set of changed leaves)."""
        key = tuple(
            (path, id(params.leaves.get(path)))
            for path in sorted(scenario_roll.roll_leaves())
            if params.leaves.get(path) is not self.params.leaves.get(path)
        )
        if not key:
            return self
        if key not in self._rerolled:
            roll = scenario_roll.build(self.roll, self.params, params, self.months)
            self._rerolled[key] = self if roll is None else Simulation(params, self.year, self.seed, roll, self.months)
        sim = self._rerolled[key]
        sim.cpi, sim.food = self.cpi, self.food  # the prices this run is given (a Monte Carlo draw's path)
        return sim

    def _class_counts(self, program) -> np.ndarray:
        """Candidates on the roll per month × class × group (from their spells), counted once."""
        view = self.prepared.views[program.key]
        classes = view.keep(program.classes, ("classes", program.key))
        counted = classes >= 0  # class -1: paid by the program's rule month by month
        n_classes = int(classes.max()) + 1 if counted.any() else 1
        n_groups, first, n_months = len(self.prepared.groups), self.months[0].ordinal, len(self.months)
        start = np.clip(view._start[counted] - first, 0, n_months)
        end = np.clip(view._end[counted] - first, 0, n_months)
        cell = classes[counted] * n_groups + view.group[counted]
        size = n_classes * n_groups
        diff = np.bincount(start * size + cell, minlength=(n_months + 1) * size) - np.bincount(
            end * size + cell, minlength=(n_months + 1) * size
        )
        return np.cumsum(diff.reshape(n_months + 1, n_classes, n_groups), axis=0)[:n_months].astype(np.float64)

    def _active(self, params: ParamSet) -> list:
        """The programs with a caseload here (candidates on the roll, cases in the year, or a program
        they ride on) and, for a program paid only where declared, its declaration here; each must
        find its required leaves."""
        active = []
        for program in EVALUATION:  # each after the programs whose lines it reads
            if program.candidates is not None:
                has = self.prepared.views[program.key].n > 0
            elif program.reads and not program.caseload:
                has = any(line in {o for a in active for o in a.outputs} for line in program.reads)
            else:
                days = self._days()
                has = any(
                    params.has(path) and any(params.get(path, day, 0.0) for day in days) for path in program.caseload
                )
            if has and schema.applies(params, program):
                self.prepared.unpaid.update(schema.require(params, program, self.roll))
                active.append(program)
        return active

    def _days_of_months(self) -> tuple:
        """(months, their Periods, each one's first day), made once for the months."""
        if self._dates[0] is not self.months:
            self._dates = (self.months, list(self.months), first_days(self.months))
        return self._dates

    def _days(self) -> list:
        return self._days_of_months()[2]

    def income(self, params: ParamSet) -> np.ndarray:
        """The 低保 pool's incomes month by month under ``params``: the roll's rates and gap ratios
        are read for each month, so a scenario changing them from a date acts from that date."""
        entry, exit_, gap = self.rates(params)
        key = (entry.tobytes(), exit_.tobytes(), gap.tobytes())
        if key not in self._paths:
            self._paths[key] = dynamics.income_path(
                self.roll, self.pool, self.months, entry, exit_, gap, self._draws if self._made_paths else None
            ).income
            self._made_paths += 1
        return self._paths[key]

    def rates(self, params: ParamSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The 低保 pool's entry and exit rates and gap ratios (urban, rural) under ``params``, one
        per month its incomes step through (:func:`civsim.dynamics.span`)."""
        if self._span is None:  # the roll and months are this simulation's for good: once
            span = dynamics.span(self.roll, self.months)
            self._span = list(zip(span.asi8.tolist(), first_days(span)))
        at = self._span
        value = self.prepared.in_force
        entry = np.array([value(params, "dibao.entry_rate", t, d) for t, d in at])
        exit_ = np.array([value(params, "dibao.exit_rate", t, d) for t, d in at])
        gap = np.array([[value(params, f"dibao.gap_ratio.{a}", t, d) for a in AREAS] for t, d in at])
        return entry, exit_, gap

    def incomes(self, entry: np.ndarray, exit_: np.ndarray, gap: np.ndarray) -> np.ndarray:
        """The pool's incomes for several rate paths at once (paths × months of the span each):
        months × paths × households, each path the one :meth:`income` gives for its rates."""
        self._made_paths += 1
        return dynamics.income_paths(self.roll, self.pool, self.months, entry, exit_, gap, self._draws)

    @property
    def _draws(self):
        """The month draws, kept once a second path is made (a Monte Carlo reads them again)."""
        if self._kept is None:
            self._kept = dynamics.KeptDraws(self.roll, len(self.pool), dynamics.pool_base(self.roll, self.pool))
        return self._kept

    def clear_paths(self) -> None:
        """Forget the cached income paths (a Monte Carlo draws new rates each time)."""
        self._paths.clear()

    def run(
        self,
        params: ParamSet,
        detail: bool = False,
        read: set | None = None,
        fixed: "Fixed | None" = None,
        record: dict | None = None,
    ):
        """The tidy table of one parameter set (and its :class:`Detail` when ``detail``); ``fixed``
        supplies the lines of the programs it holds instead of running them again; ``record``, a
        dict, receives every program's month-by-month lines (for :meth:`reusing`)."""
        paid, per_entity = self._run(params, detail, read, fixed, record)
        frame = paid.frame()
        return (frame, per_entity) if detail else frame

    def lines(self, params: ParamSet, fixed: "Fixed | None" = None, record: dict | None = None) -> Lines:
        """:meth:`run`'s lines before they are a table (:func:`civsim.engine.tidy.finish` makes one
        table of several runs' lines)."""
        return self._run(params, False, None, fixed, record)[0]

    def _run(self, params: ParamSet, detail: bool, read, fixed, record) -> tuple[Lines, "Detail | None"]:
        if detail and fixed is not None:
            raise ValueError("a run with detail evaluates every program: no fixed lines")
        sim = self.on_roll_of(params)
        if sim is not self:  # lines recorded on another roll do not hold on the scenario's
            return sim._run(params, detail, read, fixed if fixed is not None and fixed.roll is sim.roll else None, None)
        if fixed is not None and fixed.roll is not None and fixed.roll is not self.roll:
            fixed = None
        per_entity = Detail(self.roll, self.months) if detail else None
        keep = (frozenset(p.key for p in self.programs), record) if record is not None else None
        lines, periods, measures = self._blocks(params, per_entity, read, fixed, record=keep)
        values = np.concatenate(measures) if measures else np.zeros((0, 4))
        return Lines(params.district.code, params.scenario, lines, periods, values, self.prepared.groups), per_entity

    def reusing(self, base: ParamSet, record: dict, params: ParamSet) -> "Fixed":
        """The lines of a run of ``base`` (``record`` of :meth:`run`) that a run of ``params`` can
        take as they are: those of every program reading none of the leaves ``params`` sets
        otherwise (nor, where it moves the roll's rates, the incomes), nor a line of one that does."""
        changed = {
            path
            for path in params.leaves.keys() | base.leaves.keys()
            if params.leaves.get(path) is not base.leaves.get(path)
        }
        inputs = ("income",) if changed & set(scenario_roll.MONTHLY) else ()
        held, lazy = held_programs(self.programs, inputs, changed)
        return Fixed(self.months, held, lazy, {k: v for k, v in record.items() if k[1] in held}, self.roll)

    def fixed(self, params: ParamSet, inputs=("income", "prices"), leaves=()) -> "Fixed":
        """The lines of ``params`` that stay the same when only the month's ``inputs`` and the
        ``leaves`` change (a Monte Carlo draw), to pass to :meth:`run` or :meth:`by_year`."""
        sim = self.on_roll_of(params)
        if sim is not self:
            return sim.fixed(params, inputs, leaves)
        held, lazy = held_programs(self.programs, inputs, leaves)
        record: dict = {}
        self._blocks(params, None, None, None, record=(held, record))
        return Fixed(self.months, held, lazy, record, self.roll)

    def by_year(self, params: ParamSet, fixed: "Fixed | None" = None) -> pd.DataFrame:
        """amount_yuan and person_times summed to (year, line), lines in the order they are first
        paid: :func:`civsim.budget.components.by_year` of :meth:`run`, to the bit, without the table."""
        sim = self.on_roll_of(params)
        if sim is not self:
            return sim.by_year(params, fixed if fixed is not None and fixed.roll is sim.roll else None)
        if fixed is not None and fixed.roll is not None and fixed.roll is not self.roll:
            fixed = None
        lines, periods, measures = self._blocks(params, None, None, fixed)
        years = np.fromiter((period.year for period in periods), np.int64, len(periods))
        values = np.concatenate(measures) if measures else np.zeros((0, 4))
        return self.year_table(lines, years, values.reshape(len(lines), len(self.prepared.groups), 4))

    def year_table(self, lines: list, years: np.ndarray, values: np.ndarray) -> pd.DataFrame:
        """:meth:`by_year` of lines paid in ``years`` (one each) with ``values`` (line × group ×
        MEASURES): summed in their order, so a caller gathering them otherwise gets the same bits."""
        n = values.shape[1]
        values = values.reshape(-1, 4)
        line_code, names = pd.factorize(np.array(lines, dtype=object))
        unique, inverse = np.unique(years * len(names) + line_code, return_inverse=True)
        inverse = np.repeat(inverse, n)
        key = (tuple(names), unique.tobytes())
        index = self._indexes.get(key)
        if index is None:  # the draws of a Monte Carlo mostly pay the same lines: one index each
            index = self._indexes[key] = pd.MultiIndex.from_arrays(
                [unique // len(names), np.asarray(names, dtype=object)[unique % len(names)]], names=["year", "program"]
            )
        return pd.DataFrame(
            {
                "amount_yuan": money.yuan(np.bincount(inverse, weights=values[:, 3], minlength=len(unique))),
                "person_times": np.bincount(inverse, weights=values[:, 2], minlength=len(unique)),
            },
            index=index,
        )

    def _blocks(self, params: ParamSet, per_entity, read, fixed, record=None):
        """Each line paid, month by month: (lines, periods, measures), one block of groups × MEASURES
        per line and month; ``record`` = (program keys, dict) keeps those programs' blocks."""
        if fixed is not None and not fixed.months.equals(self.months):
            raise ValueError("the fixed lines were recorded over other months")
        held = fixed.programs if fixed is not None else ()
        income = self.income(params) if len(self.pool) else np.zeros((len(self.months), 0), np.float32)
        lines, periods, measures = [], [], []
        _, months, dates = self._days_of_months()
        for t, period in enumerate(months):
            month = Month(params, period, self.prepared, income[t], self.cpi[t], self.food[t], read=read, date=dates[t])
            for program in self.programs:
                if program.key in held:
                    paid = fixed.blocks.get((t, program.key), ())
                    if program.key in fixed.lazy:  # its result, made if a later program asks
                        view = self.prepared.views.get(program.key)
                        month.results[program.key] = lambda p=program, v=view, m=month: (v, p.evaluate(m, v))
                else:
                    month.program = program.key
                    paid = self._pay(program, month, t, per_entity)
                    if record is not None and program.key in record[0]:
                        record[1][(t, program.key)] = paid
                for line, block in paid:
                    lines.append(line)
                    periods.append(period)
                    measures.append(block)
            # the month's lazy results refer back to the month: let its arrays go now, not at a
            # later garbage collection (a million households' masks a month add up)
            month.results.clear()
            month._cache.clear()
        return lines, periods, measures

    def _pay(self, program, month: Month, t: int, per_entity) -> list:
        """One program's month: [(line, block of groups × MEASURES)], its results left in ``month``."""
        n_groups = self.prepared.n_groups
        view = self.prepared.views.get(program.key)
        if program.rates is not None and per_entity is None:
            rates = money.whole_fen(program.rates(month, view), program.rounding)
            counts = self.counts[program.key][t]
            persons = (rates != 0).astype(np.float64)[: len(counts)] @ counts
            block = _block(0.0, persons, rates[: len(counts)] @ counts)
            if program.pay is not None:  # the candidates outside the classes
                rest = program.pay(month, view)
                group = view.group[rest.rows]
                count = np.bincount(group, minlength=n_groups).astype(np.float64)
                paid_fen = money.whole_fen(rest.amount, program.rounding)
                block += _block(0.0, count, np.bincount(group, weights=paid_fen, minlength=n_groups))
            month.results[program.key] = lambda p=program, v=view, m=month: (v, p.evaluate(m, v))
            return [(program.key, block)]
        out = program.evaluate(month, view)
        if isinstance(out, Cases):
            block = np.zeros((n_groups, 4))
            rows, count = self.prepared.case_rows, np.where(out.amount != 0, out.persons, 0.0)
            block[rows, 0 if out.counts == "households" else 1] = block[rows, 2] = count
            block[rows, 3] = money.fen(out.amount, program.rounding)
            return [(program.key, block)]
        blocks = []
        for line, paid in out.items() if isinstance(out, dict) else ((program.key, out),):
            over = self.prepared.views[paid.over] if paid.over else view
            amount = money.whole_fen(paid.amount, program.rounding)
            month.results[line] = (over, paid)
            group, count, persons = _counted(month, over, paid.rows, n_groups)
            # whole fen in float64 sum exactly, in any order
            total = np.bincount(group, weights=amount, minlength=n_groups)
            block = _block(count, persons, total) if over.entity == "household" else _block(0.0, count, total)
            blocks.append((line, block))
            if per_entity is not None:
                # one entity's month fits int32 fen (21 million yuan): half the memory of int64
                kept = amount.astype(np.int32 if len(amount) == 0 or np.abs(amount).max() < 2**31 else np.int64)
                per_entity.lines.setdefault(line, (over.entity, []))[1].append((over.rows[paid.rows], kept))
        return blocks


def _counted(month: Month, over, rows: np.ndarray, n_groups: int) -> tuple:
    """The groups of ``rows`` (positions among ``over``'s candidates), how many there are per group,
    and, for households, their members: made once a month for rows several lines pay (低保's, which
    its supplements pay too)."""
    key = ("counted", id(over), id(rows))
    hit = month._cache.get(key)
    if hit is None or hit[0] is not rows:
        group = over.group[rows]
        if n_groups == 2:  # urban and rural alone (codes 0 and 1): the rural ones counted
            rural = np.count_nonzero(group)
            count = np.array([len(group) - rural, rural], np.float64)
        else:
            count = np.bincount(group, minlength=n_groups).astype(np.float64)
        persons = (
            np.bincount(group, weights=over.size[rows], minlength=n_groups) if over.entity == "household" else count
        )
        hit = month._cache[key] = (rows, group, count, persons)
    return hit[1:]


def _block(households, persons, amount) -> np.ndarray:
    """One line's month per group: households, persons, person-times (= persons), amount in fen."""
    block = np.empty((len(persons), 4))
    block[:, 0], block[:, 1], block[:, 2], block[:, 3] = households, persons, persons, amount
    return block
