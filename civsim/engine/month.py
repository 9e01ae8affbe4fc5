"""One month as the rules see it: the parameters in force, the candidates, the lines paid so far."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..params import ParamSet
from ..programs import PROGRAMS, Paid
from ..roll import AREAS
from .candidates import Prepared


@dataclass
class Month:
    """One month as the programs see it: the parameters in force, the roll, and the lines paid so far."""

    params: ParamSet
    period: pd.Period
    prepared: Prepared
    _income: np.ndarray  # per-capita income of the 低保 candidates this month
    _cpi: float  # CPI and food CPI y/y, percent
    _food: float
    results: dict = field(default_factory=dict)  # line -> (view paid over, Paid), or a callable making it
    read: set | None = None  # when a set, every (program, leaf) read is recorded (tests)
    program: str = ""  # the program whose rule is running
    date: object = None  # the period's first day, when the caller has it
    trace: object = None  # a civsim.engine.trace.Trace, or None (the usual run)

    def __post_init__(self):
        self.t = self.period.ordinal
        if self.trace is None:
            self.trace = self.prepared.trace
        self._date = self.date if self.date is not None else self.period.start_time.date()
        self._cache: dict = {}

    # A rule reads the month's incomes and prices only when its program declares them (``uses``):
    # what a Monte Carlo draw changes must be known to be read, so that the rest can be reused.
    @property
    def income(self) -> np.ndarray:
        if self.trace is not None:
            self.step("家庭月人均收入", self._income)
        return self._input("income", self._income)

    @property
    def cpi(self) -> float:
        if self.trace is not None:
            self.step("居民消费价格指数同比涨幅", self._cpi, "%")
        return self._input("prices", self._cpi)

    @property
    def food(self) -> float:
        if self.trace is not None:
            self.step("食品价格指数同比涨幅", self._food, "%")
        return self._input("prices", self._food)

    def _input(self, kind: str, value):
        if self.program and kind not in PROGRAMS[self.program].uses:
            raise RuntimeError(f"program {self.program} reads the month's {kind} without declaring uses=({kind!r},)")
        return value

    def value(self, path: str) -> float:
        """The leaf in force this month; an absent leaf or one not yet in force is an error."""
        if self.read is not None:
            self.read.add((self.program, path))
        value = self._cache.get(path)
        if value is None:
            value = self._cache[path] = self.prepared.in_force(self.params, path, self.t, self._date)
        if self.trace is not None:
            self.trace.read(self, path, value)
        return value

    def optional(self, path: str) -> float:
        """A leaf the rule reads as 0 where the jurisdiction declares none (an age band it does not pay)."""
        if self.read is not None:
            self.read.add((self.program, path))
        if path not in self._cache:
            self._cache[path] = self.params.get(path, self._date, 0.0)
        if self.trace is not None:
            self.trace.read(self, path, self._cache[path])
        return self._cache[path]

    def step(self, label: str, values, unit: str = "元", rows: np.ndarray | None = None) -> None:
        """Record one step of the running rule's working — ``label`` (Chinese, as the notice words
        it) and its values over the candidates, or those at positions ``rows`` — when a trace is on
        (the household calculator); a no-op otherwise."""
        if self.trace is not None:
            self.trace.step(self, label, values, unit, rows)

    def either(self, *paths: str) -> float:
        """The first of ``paths`` the jurisdiction declares (a placement's own care standard, else the
        one set for all); the last is required when none is."""
        return self.value(next((p for p in paths if self.params.has(p)), paths[-1]))

    def per_area(self, prefix: str, area: np.ndarray) -> np.ndarray:
        """``<prefix>.urban`` and ``<prefix>.rural`` (float64), an area's leaf read only where it is
        declared or ``area`` holds someone of it."""
        return np.array(
            [
                self.value(f"{prefix}.{a}")
                if self.params.has(f"{prefix}.{a}") or (np.asarray(area) == code).any()
                else 0.0
                for code, a in enumerate(AREAS)
            ]
        )

    def by_area(self, prefix: str, area: np.ndarray) -> np.ndarray:
        """``<prefix>.urban`` / ``<prefix>.rural`` for each of ``area`` (codes); an area's leaf is needed
        only where ``area`` holds someone of it (an all-urban district declares no rural standard)."""
        # float32, as incomes are: half the memory traffic on a million households
        return self.prepared.spread(self.per_area(prefix, area).astype(np.float32), area)

    def result(self, line: str):
        """(entity, rows, amounts, Paid) of a line paid earlier this month; a flat program's is
        made per entity only when another program asks for it."""
        value = self.results[line]
        if callable(value):
            value = self.results[line] = value()
        if len(value) == 2:  # (view, Paid) -> (entity, rows in the entity table, amounts, Paid)
            view, paid = value
            value = self.results[line] = (view.entity, view.rows[paid.rows], np.asarray(paid.amount, np.float64), paid)
        return value

    def present(self, view, rows: np.ndarray | None = None) -> np.ndarray | bool:
        """Which candidates (or those at positions ``rows``) are on the roll this month: a mask, or
        True when every candidate always is."""
        on_roll = view.on_roll(self.t, rows)
        return True if on_roll is None else on_roll

    def payment(self, line: str) -> Paid:
        """What ``line`` paid earlier this month: its rows are positions among the candidates of
        the program it was paid over (:meth:`candidates`)."""
        return self.result(line)[3]

    def has_paid(self, line: str) -> bool:
        """Whether ``line`` was paid (by a program active here) earlier this month."""
        return line in self.results

    def candidates(self, program: str):
        """The candidates (a view) of ``program`` on this roll."""
        return self.prepared.views[program]

    def paid_households(self, line: str) -> np.ndarray:
        """A bool mask over the roll's households: who (or whose member) was paid ``line`` this month."""
        return self.paid(line, "household")

    def claims(self, view, take_up: float) -> np.ndarray:
        """Candidates who claim when eligible (fixed draws, so the same mask every month)."""
        return self.prepared.once(("claims", view.entity, id(view), take_up), lambda roll: view.claim_draw < take_up)

    def paid(self, line: str, entity: str) -> np.ndarray:
        """A bool mask over the roll's households or persons: who was paid ``line`` this month."""
        key = (line, entity)
        if key not in self._cache:
            roll = self.prepared.roll
            mask = np.zeros(len(roll.households) if entity == "household" else len(roll.persons), bool)
            if line in self.results:
                paid_entity, rows, _, _ = self.result(line)
                if paid_entity == entity:
                    mask[rows] = True
                elif paid_entity == "household":  # persons of the paid households
                    mask = np.zeros(len(roll.households), bool)
                    mask[rows] = True
                    mask = mask[roll.household_row]
                else:  # households with a paid member
                    mask[roll.household_row[rows]] = True
            self._cache[key] = mask
        return self._cache[key]
