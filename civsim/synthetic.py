"""A synthetic roll for a district that has reported caseloads but no 台账 of its own.

Each program's caseload is added by its module in :mod:`civsim.caseloads`, in display order, to
one :class:`Builder`; the result is a linked household–person roll whose counts equal the
``caseload.*`` targets at the anchor month (the month of the reported caseloads). Around the
anchor, categorical caseloads move by spells drawn at the ``<program>.turnover.*`` rates: of a stock N, about
``entry × N`` join and ``exit × N`` leave each month, so the stock stays near N and exactly N at the
anchor. The draws are fixed by the seed, so every scenario sees the same roll.
"""

from __future__ import annotations

import datetime as dt
import functools
import zlib

import numpy as np
import pandas as pd

from .roll import AREAS, CATEGORICAL, HOUSEHOLD_COLUMNS, NEVER_AFTER, NEVER_BEFORE, PERSON_COLUMNS, Roll


def caseload_anchor(params, year: int) -> pd.Period:
    """The month of the latest 低保 caseload figure in force by the end of ``year``."""
    leaf = params.leaves.get("caseload.dibao.urban.households") or params.leaves.get("caseload.dibao.rural.households")
    if leaf is None:
        return pd.Period(f"{year}-12", "M")
    return pd.Period(_latest(leaf, dt.date(year, 12, 1)).start, "M")


def count_month(params, path: str, year: int) -> pd.Period | None:
    """The month a caseload leaf's count is for, as a roll for ``year`` places it: its latest value in
    force by December (or its first, when it begins later: a roll for ``year`` does not place it);
    None where it is not declared."""
    leaf = params.leaves.get(path)
    return None if leaf is None else pd.Period(_latest(leaf, dt.date(year, 12, 1)).start, "M")


@functools.lru_cache(maxsize=512)
def _month(day: dt.date) -> pd.Period:
    return pd.Period(day, "M")


def _latest(leaf, by: dt.date):
    return leaf.at(by) if leaf.entries[0].start <= by else leaf.entries[0]


def sizes(households: int, persons: int, rng: np.random.Generator) -> np.ndarray:
    """Household sizes summing exactly to ``persons`` (each at least 1)."""
    if households == 0:
        return np.zeros(0, np.int64)
    base, extra = divmod(max(persons, households), households)
    out = np.full(households, base, np.int64)
    out[rng.permutation(households)[:extra]] += 1
    return out


class Builder:
    """Collects households and members as the programs add their caseloads."""

    def __init__(self, params, anchor: pd.Period, months: pd.PeriodIndex, seed: tuple, read_at=None, year=None):
        year = anchor.year if year is None else year
        self.params, self.anchor, self._seed = params, anchor, seed
        self._stream, self._rng = list(seed), None
        # the leaves are read at the anchor, or (a scenario's roll, civsim.scenario_roll) at the
        # month its change takes effect
        self.date = read_at or anchor.start_time.date()
        self._read_at = read_at
        self._by = dt.date(year, 12, 1)  # the run's year: counts in force by its December
        self.month = anchor  # the month the spells drawn next are anchored at (:meth:`target`)
        self.unplaced: dict = {}  # caseload leaf -> the month of a count later than the run's year
        self.parts: dict = {}  # program -> (first household row, first person row, end rows)
        self.reads: dict = {}  # program -> the leaves its caseload was built from
        self._program = None
        self.span = (min(months[0], anchor).ordinal, max(months[-1], anchor).ordinal)
        self._households: list[dict] = []
        self._persons: list[dict] = []
        self._next_household = 0
        self._columns: dict = {}

    def begin(self, program: str | None) -> None:
        """Rows added from here on are ``program``'s, drawn from a stream of its own: a program's
        caseload comes out the same whatever another program's leaves are."""
        if self._program is not None:
            self.parts[self._program] = self._marks + (self._rows("households"), self._rows("persons"))
        self._program = program
        if program is not None:
            self._stream, self._rng = [*self._seed, zlib.crc32(program.encode())], None
            self._marks = (self._rows("households"), self._rows("persons"))
            self.reads[program] = set()

    @property
    def rng(self) -> np.random.Generator:
        """The random stream of the program being added (seeded when first drawn from: a program
        with no caseload here draws nothing)."""
        if self._rng is None:
            self._rng = np.random.default_rng(self._stream)
        return self._rng

    def _rows(self, table: str) -> int:
        return sum(len(part["household_id"]) for part in (self._households if table == "households" else self._persons))

    def declares(self, *paths: str) -> bool:
        """Whether the jurisdiction (or a parent, or the national defaults) declares any of ``paths``
        with a value above 0 somewhere."""
        return any(self.params.has(p) and any(e.value > 0 for e in self.params.leaf(p).entries) for p in paths)

    def value(self, path: str, default: float = 0.0) -> float:
        if self._program is not None:
            self.reads[self._program].add(path)
        return self.params.get(path, self.date, default)

    def target(self, path: str) -> int:
        """The count a caseload leaf reports, at its own month (:func:`count_month`); the spells drawn
        next (:meth:`spells`, :meth:`singles`) are anchored at that month, so a 特困 count published for
        a later month than the 低保 one is on the roll then, not read as 0 at the 低保 count's month."""
        if self._program is not None:
            self.reads[self._program].add(path)
        leaf = self.params.leaves.get(path)
        if leaf is None:
            self.month = self.anchor
            return 0
        if leaf.entries[0].start > self._by:  # a count for a later year: not this run's (said, see Roll.unplaced)
            self.unplaced[path] = pd.Period(leaf.entries[0].start, "M")
            self.month = self.anchor
            return 0
        entry = _latest(leaf, self._by)
        if self._read_at is not None and leaf.at(max(self._read_at, entry.start)).start > entry.start:
            entry = leaf.at(self._read_at)  # a scenario's count from its month (civsim.scenario_roll)
        self.month = _month(entry.start)
        return int(round(entry.value))

    def sizes(self, households: int, persons: int) -> np.ndarray:
        return sizes(households, persons, self.rng)

    def add(self, households: dict, members: dict, member_of: np.ndarray) -> np.ndarray:
        """Add households (columns as arrays or scalars) and their members (``member_of``: each member's
        position among the new households); returns the new households' ids."""
        n = int(member_of.max()) + 1 if len(member_of) else 0
        ids = np.arange(self._next_household, self._next_household + n, dtype=np.int64)
        self._next_household += n
        households = {**households, "household_id": ids, "size": np.bincount(member_of, minlength=n)}
        self._households.append(households)
        self._persons.append({**members, "household_id": ids[member_of]})
        return ids

    def singles(self, count: int, turnover: str, area, category: str = "other", **attributes) -> None:
        """``count`` one-person households at the anchor, with joiners and leavers around it at the
        rates ``<name>.turnover.entry`` / ``.exit``; ``area`` and attributes are scalars or arrays
        (repeated to ``count``; joiners and leavers copy an anchor person's)."""
        if count <= 0:
            return
        start, end, template = self.spells(
            count, self.value(f"{turnover}.turnover.entry"), self.value(f"{turnover}.turnover.exit")
        )
        n = len(start)
        # an array shorter than ``count`` repeats (grades [1, 2] alternate); a scalar stays one
        pick = lambda value: np.asarray(value)[template % len(value)] if np.ndim(value) else value  # noqa: E731
        households = {"area": pick(area), "category": category, "start": start, "end": end}
        members = {name: pick(value) for name, value in attributes.items()}
        self.add(households, {**members, "start": start, "end": end}, np.arange(n))

    def spells(self, count: int, entry: float, exit: float):
        """Spell bounds (month ordinals, end exclusive) for ``count`` persons present at the anchor
        plus the leavers before it and the joiners after it; ``template`` maps each to one of the
        ``count`` anchor persons whose attributes it takes."""
        a, (lo, hi) = self.month.ordinal, self.span
        lo, hi = min(lo, a), max(hi, a)  # a count for a month outside the run's is projected to it
        rng = self.rng
        start = a + 1 - rng.geometric(max(entry, 1e-9), count)  # the anchor less the months since each joined
        end = a + rng.geometric(max(exit, 1e-9), count)  # the anchor plus the months until they leave
        start[start < lo] = NEVER_BEFORE
        end[end > hi] = NEVER_AFTER
        leavers = int(round(exit * count * (a - lo)))
        joiners = int(round(entry * count * (hi - a)))
        start = np.concatenate(
            [start, np.full(leavers, NEVER_BEFORE), a + 1 + rng.integers(0, max(hi - a, 1), joiners)]
        )
        end = np.concatenate([end, lo + 1 + rng.integers(0, max(a - lo, 1), leavers), np.full(joiners, NEVER_AFTER)])
        template = np.concatenate([np.arange(count), rng.integers(0, count, leavers + joiners)])
        return start.astype(np.int64, copy=False), end.astype(np.int64, copy=False), template

    def column(self, table: str, name: str) -> np.ndarray:
        """One column of the households or persons added so far (categories as codes: see :meth:`code`)."""
        key = (table, name, len(self._households))
        if key not in self._columns:
            self._columns = {k: v for k, v in self._columns.items() if k[2] == key[2]}
            self._columns[key] = self._gather(table, name)
        return self._columns[key]

    def _gather(self, table: str, name: str) -> np.ndarray:
        columns = HOUSEHOLD_COLUMNS if table == "households" else PERSON_COLUMNS
        parts = self._households if table == "households" else self._persons
        values = _column(
            [part.get(name, _default(name, columns[name])) for part in parts],
            [len(part["household_id"]) for part in parts],
            name,
        )
        return values

    @staticmethod
    def code(name: str, word: str) -> int:
        """The code of a category word in :meth:`column` (``code("category", "dibao")``)."""
        return list(CATEGORICAL[name]).index(word)

    def parts_so_far(self, households: tuple = (), persons: tuple = ()):
        """Each part added so far, as it was given: (its number of households, their columns
        ``households``, its members' columns ``persons``, each member's household position in the
        part). A column is an array, or one value for every row of the part (categories as codes):
        a count over the roll made part by part reads no column whole."""
        for h, p in zip(self._households, self._persons):
            ids = h["household_id"]
            yield (
                len(ids),
                {name: _given(h, name, HOUSEHOLD_COLUMNS) for name in households},
                {name: _given(p, name, PERSON_COLUMNS) for name in persons},
                p["household_id"] - (ids[0] if len(ids) else 0),
            )

    def member_household(self, name: str) -> np.ndarray:
        """A household column for each member added so far (household ids are rows here)."""
        return self.column("households", name)[self.column("persons", "household_id")]

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The households and persons added; ``arrays`` then holds their columns as the engine reads
        them (:meth:`civsim.roll.Roll.array`)."""
        self.arrays = {"households": {}, "persons": {}}
        # ids are rows, given in order from 0 (:meth:`add`): made whole rather than gathered
        return (
            _frame(self._households, HOUSEHOLD_COLUMNS, "household_id", self.arrays["households"]),
            _frame(self._persons, PERSON_COLUMNS, "person_id", self.arrays["persons"]),
        )


def _given(part: dict, name: str, columns: dict):
    """A part's column as given (or its default), a category as its code."""
    value = part.get(name, _default(name, columns[name]))
    return _codes(value, CATEGORICAL[name]) if name in CATEGORICAL else value


def _default(name: str, spec):
    return {"start": NEVER_BEFORE, "end": NEVER_AFTER}.get(name, spec[1] if spec[1] is not None else 0)


def _column(values: list, lengths: list[int], name: str, dtype=None) -> np.ndarray:
    """Concatenate one column over the parts; scalars broadcast, categories become codes. Without
    ``dtype``, the type the parts' arrays (and a scalar as ``np.full`` makes it) concatenate to."""
    if name in CATEGORICAL:
        values = [_codes(value, CATEGORICAL[name]) for value in values]
    if dtype is None:
        dtype = np.result_type(*(np.asarray(value).dtype for value in values)) if values else np.int64
    if values and not any(isinstance(value, (np.ndarray, list, tuple)) for value in values) and len(set(values)) == 1:
        # one value throughout (a default); all bits zero: left to the system's zeroed pages
        if not np.array(values[0]).astype(dtype).tobytes().strip(b"\0"):
            return np.zeros(sum(lengths), dtype)
        return np.full(sum(lengths), values[0], dtype)
    out = np.empty(sum(lengths), dtype)
    at = 0
    for value, n in zip(values, lengths):  # each part written into its rows: no copy to concatenate
        np.copyto(out[at : at + n], value, casting="unsafe")
        at += n
    return out


def _codes(value, words: tuple):
    """A category word (or an array of them) as its code among ``words`` (-1 where not one)."""
    if np.ndim(value) == 0:
        return list(words).index(value)
    value = np.asarray(value)
    if value.dtype.kind != "U":
        return pd.Categorical(value, categories=list(words)).codes
    found, inverse = np.unique(value, return_inverse=True)
    table = np.array([words.index(w) if w in words else -1 for w in found.tolist()], np.int8)
    return table[inverse.reshape(-1)]


_DTYPES: dict = {}


def categories(words) -> pd.CategoricalDtype:
    """The categorical type of ``words`` (made once: a new one checks its words again)."""
    words = tuple(words)
    if words not in _DTYPES:
        _DTYPES[words] = pd.CategoricalDtype(list(words))
    return _DTYPES[words]


def _text(values: list, lengths: list[int]) -> pd.Categorical:
    """A free-text column over the parts, as categories (scalars broadcast without making strings)."""
    words = sorted({v for v in values if np.ndim(v) == 0} | {w for v in values if np.ndim(v) for w in np.unique(v)})
    codes = [words.index(v) if np.ndim(v) == 0 else np.searchsorted(words, v) for v in values]
    return pd.Categorical.from_codes(_column(codes, lengths, "", np.int32), dtype=categories(words or [""]))


# Narrow integer types keep a province's roll small; ids and spells stay wide.
NARROW = {
    "size": np.int16,
    "age": np.int16,
    "disability_grade": np.int8,
    "self_care": np.int8,
    "institution": np.int8,
    "tekun": np.int8,
    "seriously_ill": np.int8,
    "tier": np.int8,
    "single_parent": np.int8,
    "student": np.int8,
    "poor": np.int8,
    "home_care": np.int8,
    "elderly_allowance": np.int8,
    "start": np.int32,
    "end": np.int32,
    "income": np.float32,
    "claim_draw": np.float32,
    "benefit": np.float32,
    "classified": np.float32,
}


def _frame(parts: list[dict], columns: dict, id_column: str | None = None, arrays: dict | None = None) -> pd.DataFrame:
    lengths = [len(part["household_id"]) for part in parts]
    data = {}
    arrays = {} if arrays is None else arrays
    for name, spec in columns.items():
        if name == id_column:
            data[name] = arrays[name] = np.arange(sum(lengths), dtype=np.int64)
            continue
        if spec[0] == "optional_str" and name not in CATEGORICAL and name not in ("start", "end"):
            data[name] = _text([part.get(name, _default(name, spec)) for part in parts], lengths)
            continue
        dtype = (
            np.int8
            if name in CATEGORICAL
            else NARROW.get(name, np.float64)
            if spec[0] == "optional_float"
            else NARROW.get(name, np.int64)
            if spec[0] == "int" or name in ("start", "end")
            else None
        )
        # each part's column is let go once it is in the frame, so the roll is not held twice
        values = _column([part.pop(name, _default(name, spec)) for part in parts], lengths, name, dtype)
        if name in CATEGORICAL:
            arrays[name] = values.astype(np.int8, copy=False)
            data[name] = pd.Categorical.from_codes(arrays[name], dtype=categories(CATEGORICAL[name]))
        elif spec[0] == "int" or name in ("start", "end"):  # spells are month ordinals here
            data[name] = arrays[name] = values.astype(NARROW.get(name, np.int64), copy=False)
        elif spec[0] == "optional_float":
            data[name] = arrays[name] = values.astype(NARROW.get(name, np.float64), copy=False)
        else:  # free text (the street): categories, as most rows share a few values
            data[name] = pd.Categorical(values.astype(str) if len(values) else np.zeros(0, str))
    return pd.DataFrame(data, copy=False)


def synthesize(
    params,
    year: int,
    seed: int = 1,
    months: pd.PeriodIndex | None = None,
    anchor: pd.Period | None = None,
    read_at=None,
) -> Roll:
    """A synthetic roll for the jurisdiction whose counts equal its caseload targets at the anchor
    (``anchor`` and ``read_at``: a scenario's roll keeps the baseline's anchor and reads its leaves
    at the month its change takes effect)."""
    from .caseloads import BUILDERS
    from .programs import REGISTRY

    anchor = anchor if anchor is not None else caseload_anchor(params, year)
    months = months if months is not None else pd.period_range(f"{year}-01", f"{year}-12", freq="M")
    builder = Builder(params, anchor, months, (seed, int(params.district.code)), read_at, year)
    for program in REGISTRY:
        if program.key in BUILDERS:
            builder.begin(program.key)
            BUILDERS[program.key](builder)
    builder.begin(None)
    households, persons = builder.tables()
    at = anchor.start_time.date()
    standards = {area: params.get(f"dibao.standard.{area}", at, 0.0) for area in AREAS}
    # the link holds as the builder makes it (ids are rows, each size its members' count): no
    # second check of it (roll.validate, which a bureau's tables pass through)
    if int(builder.arrays["households"]["size"].sum(dtype=np.int64)) != len(persons):
        raise RuntimeError("a synthetic roll's sizes do not count its members")
    roll = Roll(households, persons, anchor, standards, seed)
    for table, arrays in builder.arrays.items():  # the columns as built: not taken from the frames again
        roll.hold(table, arrays)
    roll.parts, roll.reads, roll.months, roll.unplaced = builder.parts, builder.reads, months, builder.unplaced
    roll.year = year
    # the income profile the 低保 pool's incomes were drawn with (civsim.dynamics reads each month's against it)
    roll.drawn_gap = [(0, {area: params.get(f"dibao.gap_ratio.{area}", builder.date, 0.5) for area in AREAS})]
    return roll
