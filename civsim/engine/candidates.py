"""What the programs read from a roll: each program's candidates (a view over its entity's table)
and the lookups made once per roll, shared by every scenario and Monte Carlo draw."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..params import ParamSet
from ..programs import REGISTRY
from ..roll import AREAS, CATEGORICAL, NEVER_AFTER, NEVER_BEFORE, Roll


class View:
    """One program's candidates: their rows in the entity table, and their columns sliced once.

    ``view.age``, ``view.disability_grade`` … are numpy arrays over the candidates (categories as
    codes); ``area`` and ``household`` (each candidate's household row) hold for persons too.
    """

    def __init__(self, roll: Roll, entity: str, rows: np.ndarray, group: np.ndarray, columns: dict | None = None):
        self.entity, self.rows, self.n = entity, rows, len(rows)
        self._roll, self._cache, self._group = roll, {}, group
        table = roll.households if entity == "household" else roll.persons
        self._table = table
        # whole columns as arrays, shared by the views of one roll (a DataFrame's column costs more
        # to reach than to slice at district size); a view's own columns are sliced when first read
        self._columns = columns if columns is not None else {}

    @property
    def _start(self) -> np.ndarray:
        return self._spells[0]

    @property
    def _end(self) -> np.ndarray:
        return self._spells[1]

    @property
    def always(self) -> bool:
        """Whether every candidate is on the roll in every month (no spell bounds)."""
        return self._spells[2]

    @functools.cached_property
    def _spells(self) -> tuple[np.ndarray, np.ndarray, bool]:
        start, end = self.col("start"), self.col("end")
        if self.entity == "person":  # a person is on the roll while both they and their household are
            household = self.col("household")
            start = np.maximum(start, self._whole("household", "start")[household])
            end = np.minimum(end, self._whole("household", "end")[household])
        return start, end, _unbounded(start, end)

    @property
    def roll(self) -> Roll:
        return self._roll

    def keep(self, compute, key=None):
        """``compute(view)``, made once and kept with the view (see :func:`civsim.programs.static`);
        kept under its name (or ``key``), so a view travels to a worker process."""
        key = ("kept",) + (key or (compute.__module__, compute.__qualname__))
        if key not in self._cache:
            self._cache[key] = compute(self)
        return self._cache[key]

    def is_(self, column: str, *words: str) -> np.ndarray:
        """Candidates whose ``column`` (a category of the entity's table) is one of ``words``."""
        return np.isin(self.col(column), _codes(self._table, column, words))

    def household_is(self, column: str, *words: str) -> np.ndarray:
        """Candidates whose household's ``column`` is one of ``words`` (``view.household_is("category", "dibao")``)."""
        return np.isin(self.household_col(column), _codes(self._roll.households, column, words))

    def col(self, name: str) -> np.ndarray:
        if name not in self._cache:
            if name == "household":  # each candidate's household row
                value = self.rows if self.entity == "household" else self._roll.household_row[self.rows]
            elif name == "group":  # its household's group (area, and street where the roll has them)
                value = self._group[self.col("household")]
            elif name == "area":  # its household's area (persons too)
                value = self._whole("household", "area")[self.col("household")]
            else:
                value = self._whole(self.entity, name)[self.rows]
            self._cache[name] = value
        return self._cache[name]

    def household_col(self, name: str) -> np.ndarray:
        key = "household." + name
        if key not in self._cache:
            self._cache[key] = self._whole("household", name)[self.col("household")]
        return self._cache[key]

    def _whole(self, entity: str, name: str) -> np.ndarray:
        """A column of the roll's households or persons as an array (categories as codes)."""
        key = (entity, name)
        if key not in self._columns:
            self._columns[key] = self._roll.array("households" if entity == "household" else "persons", name)
        return self._columns[key]

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.col(name)

    def on_roll(self, month: int, rows: np.ndarray | None = None) -> np.ndarray | None:
        """Candidates (or those at positions ``rows``) whose spell covers ``month`` (an ordinal),
        or None when all always are."""
        if self.always:
            return None
        if rows is None:
            return (self._start <= month) & (month < self._end)
        # a subset asked about every month (a static lookup's rows) has its spells sliced once
        hit = self._cache.get(("spells", id(rows)))
        if hit is None or hit[0] is not rows:
            start, end = self._start[rows], self._end[rows]
            hit = self._cache[("spells", id(rows))] = (rows, start, end, _unbounded(start, end))
        if hit[3]:
            return None
        return (hit[1] <= month) & (month < hit[2])


@functools.lru_cache(maxsize=1)
def _area_groups() -> pd.DataFrame:
    """The groups of a roll without streets, urban and rural: one table for every such roll (read,
    never changed)."""
    return pd.DataFrame({"area": list(AREAS)})


def _unbounded(start: np.ndarray, end: np.ndarray) -> bool:
    """Whether every spell is open at both ends (on the roll in every month)."""
    return bool((start == NEVER_BEFORE).all() and (end == NEVER_AFTER).all())


def _codes(table: pd.DataFrame, column: str, words) -> list[int]:
    # a roll's categories are CATEGORICAL's, in its order (Roll makes them so)
    categories = list(CATEGORICAL[column]) if column in CATEGORICAL else list(table[column].cat.categories)
    unknown = [w for w in words if w not in categories]
    if unknown:
        raise ValueError(f"{column} has no category {unknown[0]!r} (it has {', '.join(map(str, categories))})")
    return [categories.index(w) for w in words]


@dataclass
class Prepared:
    """What the programs read from a roll, computed once and shared by every scenario."""

    roll: Roll
    views: dict
    groups: pd.DataFrame  # group code -> area (and street)
    group: np.ndarray  # each household's group code
    case_rows: np.ndarray  # the groups of urban and rural case lines
    cache: dict = field(default_factory=dict)
    # (id(leaf), month ordinal) -> (leaf, value in force): the parameter sets of one roll's runs
    # (scenarios, Monte Carlo draws) share most leaves; the leaf is kept, so its id stays its own
    values: dict = field(default_factory=dict)
    trace: object = None  # a civsim.engine.trace.Trace: the months' rules record their working
    unpaid: set = field(default_factory=set)  # leaves read as 0 (schema.unpaid: a bureau roll's category paid no cash)
    by_area: dict = field(default_factory=dict)  # (id(area codes), values) -> (the codes, each one's value)

    @functools.cached_property
    def n_groups(self) -> int:
        return len(self.groups)

    def spread(self, values: np.ndarray, area: np.ndarray) -> np.ndarray:
        """``values[area]``, made once per array of area codes and set of values (read-only: the
        months of a year mostly share their standards)."""
        key = (id(area), values.tobytes())
        hit = self.by_area.get(key)
        if hit is None or hit[0] is not area:
            if len(self.by_area) >= 8:  # a Monte Carlo's copies: a few at a time
                self.by_area.clear()
            spread = values[area]
            spread.flags.writeable = False
            hit = self.by_area[key] = (area, spread)
        return hit[1]

    def in_force(self, params: ParamSet, path: str, t: int, date) -> float:
        """``params.at(path, date)``, looked up once per leaf and month."""
        leaf = params.leaves.get(path)
        if leaf is None:
            return 0.0 if path in self.unpaid else params.at(path, date)  # else the error naming it
        hit = self.values.get((id(leaf), t))
        if hit is not None and hit[0] is leaf:
            return hit[1]
        if len(self.values) > 100_000:  # a long-lived explorer's many control changes
            self.values.clear()
        value = leaf.at(date).value
        self.values[(id(leaf), t)] = (leaf, value)
        return value

    def once(self, key: str, compute):
        """``compute(roll)``, computed once per roll (programs keep their static lookups here)."""
        if key not in self.cache:
            self.cache[key] = compute(self.roll)
        return self.cache[key]

    @classmethod
    def of(cls, roll: Roll) -> "Prepared":
        area = roll.area_code
        if roll.has_streets:
            # "" first: case lines, which no street approves on the roll, sit there
            names = [""] + sorted(set(roll.households["street"].astype(str)) - {""})
            street = pd.Categorical(roll.households["street"].astype(str), categories=names).codes.astype(np.int64)
            codes = (area.astype(np.int64) * len(names) + street).astype(np.int32)
            groups = pd.DataFrame({"area": np.repeat(AREAS, len(names)), "street": names * 2})
        else:
            codes, groups = area, _area_groups()  # the area's code (int8, read-only)
        case_rows = np.array([0, len(groups) // 2])
        views, columns = {}, {}
        small = np.int32 if max(len(roll.households), len(roll.persons)) < 2**31 else np.int64
        for program in REGISTRY:
            if program.candidates is None:
                continue
            mask = np.asarray(program.candidates(roll), dtype=bool)
            views[program.key] = View(roll, program.entity, np.flatnonzero(mask).astype(small), codes, columns)
        return cls(roll, views, groups, codes, case_rows)
