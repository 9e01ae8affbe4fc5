"""The monthly loop: move the roll, call each program's rule, collect one tidy table.

``simulate(district, year, scenarios)`` runs the baseline and any number of scenarios on one roll
(the same households, persons and random draws), so differences come from policy alone.
Output columns: jurisdiction, scenario, month, program, area, [street,] households, persons,
person_times, amount_yuan — one row per month × line × area (× street when the roll has streets).
``households`` counts the households paid by a household program (0 for person and case lines);
``persons`` the persons paid (a household's members for a household program); each recipient is
one person-time a month. ``Simulation.run(params, detail=True)`` also returns each household's and
person's amount per month (:class:`Detail`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import cpi, dynamics, params as params_module, scenarios as scenarios_module, schema, synthetic
from .errors import CivsimError
from .params import ParamSet
from .programs import PROGRAMS, REGISTRY, Cases, Paid
from .roll import AREAS, CATEGORICAL, NEVER_AFTER, NEVER_BEFORE, Roll

KEYS = ["jurisdiction", "scenario", "month", "program", "area"]
MEASURES = ["households", "persons", "person_times", "amount_yuan"]
COLUMNS = KEYS + MEASURES


class View:
    """One program's candidates: their rows in the entity table, and their columns sliced once.

    ``view.age``, ``view.disability_grade`` … are numpy arrays over the candidates (categories as
    codes); ``area`` and ``household`` (each candidate's household row) hold for persons too.
    """

    def __init__(self, roll: Roll, entity: str, rows: np.ndarray, group: np.ndarray):
        self.entity, self.rows, self.n = entity, rows, len(rows)
        self._roll, self._cache = roll, {}
        table = roll.households if entity == "household" else roll.persons
        self._table = table
        household = rows if entity == "household" else roll.household_row[rows]
        self._cache.update(household=household, group=group[household], area=roll.area_code[household])
        start, end = self.col("start"), self.col("end")
        if entity == "person":   # a person is on the roll while both they and their household are
            start = np.maximum(start, roll.households["start"].to_numpy()[household])
            end = np.minimum(end, roll.households["end"].to_numpy()[household])
        self._start, self._end = start, end
        self.always = bool((start == NEVER_BEFORE).all() and (end == NEVER_AFTER).all())

    def col(self, name: str) -> np.ndarray:
        if name not in self._cache:
            series = self._table[name]
            values = series.cat.codes.to_numpy() if name in CATEGORICAL else series.to_numpy()
            self._cache[name] = values[self.rows]
        return self._cache[name]

    def household_col(self, name: str) -> np.ndarray:
        key = "household." + name
        if key not in self._cache:
            series = self._roll.households[name]
            values = series.cat.codes.to_numpy() if name in CATEGORICAL else series.to_numpy()
            self._cache[key] = values[self.col("household")]
        return self._cache[key]

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
        return (self._start[rows] <= month) & (month < self._end[rows])


@dataclass
class Prepared:
    """What the programs read from a roll, computed once and shared by every scenario."""
    roll: Roll
    views: dict
    groups: pd.DataFrame        # group code -> area (and street)
    group: np.ndarray           # each household's group code
    case_rows: np.ndarray       # the groups of urban and rural case lines
    cache: dict = field(default_factory=dict)
    # (id(leaf), month ordinal) -> (leaf, value in force): the parameter sets of one roll's runs
    # (scenarios, Monte Carlo draws) share most leaves; the leaf is kept, so its id stays its own
    values: dict = field(default_factory=dict)
    unpaid: set = field(default_factory=set)    # leaves read as 0 (schema.unpaid: a bureau roll's category paid no cash)

    def in_force(self, params: ParamSet, path: str, t: int, date) -> float:
        """``params.at(path, date)``, looked up once per leaf and month."""
        leaf = params.leaves.get(path)
        if leaf is None:
            return 0.0 if path in self.unpaid else params.at(path, date)    # else the error naming it
        hit = self.values.get((id(leaf), t))
        if hit is not None and hit[0] is leaf:
            return hit[1]
        if len(self.values) > 100_000:       # a long-lived explorer's many control changes
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
        area = roll.area_code.astype(np.int64)
        if roll.has_streets:
            # "" first: case lines, which no street approves on the roll, sit there
            names = [""] + sorted(set(roll.households["street"].astype(str)) - {""})
            street = pd.Categorical(roll.households["street"].astype(str), categories=names).codes.astype(np.int64)
            codes = (area * len(names) + street).astype(np.int32)
            groups = pd.DataFrame({"area": np.repeat(AREAS, len(names)), "street": names * 2})
        else:
            codes, groups = area.astype(np.int8), pd.DataFrame({"area": list(AREAS)})
        case_rows = np.array([0, len(groups) // 2])
        views = {}
        small = np.int32 if max(len(roll.households), len(roll.persons)) < 2**31 else np.int64
        for program in REGISTRY:
            if program.candidates is None:
                continue
            mask = np.asarray(program.candidates(roll), dtype=bool)
            views[program.key] = View(roll, program.entity, np.flatnonzero(mask).astype(small), codes)
        return cls(roll, views, groups, codes, case_rows)


@dataclass
class Month:
    """One month as the programs see it: the parameters in force, the roll, and the lines paid so far."""
    params: ParamSet
    period: pd.Period
    prepared: Prepared
    _income: np.ndarray         # per-capita income of the 低保 candidates this month
    _cpi: float                 # CPI and food CPI y/y, percent
    _food: float
    results: dict = field(default_factory=dict)   # line -> (view paid over, Paid), or a callable making it
    read: set | None = None                        # when a set, every (program, leaf) read is recorded (tests)
    program: str = ""                              # the program whose rule is running
    date: object = None                            # the period's first day, when the caller has it

    def __post_init__(self):
        self.t = self.period.ordinal
        self._date = self.date if self.date is not None else self.period.start_time.date()
        self._cache: dict = {}

    # A rule reads the month's incomes and prices only when its program declares them (``uses``):
    # what a Monte Carlo draw changes must be known to be read, so that the rest can be reused.
    @property
    def income(self) -> np.ndarray:
        return self._input("income", self._income)

    @property
    def cpi(self) -> float:
        return self._input("prices", self._cpi)

    @property
    def food(self) -> float:
        return self._input("prices", self._food)

    def _input(self, kind: str, value):
        if self.program and kind not in PROGRAMS[self.program].uses:
            raise RuntimeError(f"program {self.program} reads the month's {kind} without declaring uses=({kind!r},)")
        return value

    def value(self, path: str) -> float:
        """The leaf in force this month; an absent leaf or one not yet in force is an error."""
        if self.read is not None:
            self.read.add((self.program, path))
        if path not in self._cache:
            self._cache[path] = self.prepared.in_force(self.params, path, self.t, self._date)
        return self._cache[path]

    def optional(self, path: str) -> float:
        """A leaf the rule reads as 0 where the jurisdiction declares none (an age band it does not pay)."""
        if self.read is not None:
            self.read.add((self.program, path))
        if path not in self._cache:
            self._cache[path] = self.params.get(path, self._date, 0.0)
        return self._cache[path]

    def by_area(self, prefix: str, area: np.ndarray) -> np.ndarray:
        """``<prefix>.urban`` / ``<prefix>.rural`` for each of ``area`` (codes)."""
        # float32, as incomes are: half the memory traffic on a million households
        return np.array([self.value(f"{prefix}.{a}") for a in AREAS], np.float32)[area]

    def result(self, line: str):
        """(entity, rows, amounts, Paid) of a line paid earlier this month; a flat program's is
        made per entity only when another program asks for it."""
        value = self.results[line]
        if callable(value):
            value = self.results[line] = value()
        if len(value) == 2:     # (view, Paid) -> (entity, rows in the entity table, amounts, Paid)
            view, paid = value
            value = self.results[line] = (view.entity, view.rows[paid.rows], np.asarray(paid.amount, np.float64), paid)
        return value

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
                elif paid_entity == "household":        # persons of the paid households
                    mask = np.zeros(len(roll.households), bool)
                    mask[rows] = True
                    mask = mask[roll.household_row]
                else:                                   # households with a paid member
                    mask[roll.household_row[rows]] = True
            self._cache[key] = mask
        return self._cache[key]


def year_months(year: int) -> pd.PeriodIndex:
    return pd.period_range(f"{year}-01", f"{year}-12", freq="M")


@dataclass
class Detail:
    """Per-entity amounts: for each line, its entity and one (rows, yuan) pair per month."""
    roll: Roll
    months: pd.PeriodIndex
    lines: dict = field(default_factory=dict)   # line -> (entity, [(rows, amounts) per month])

    def frame(self, line: str) -> pd.DataFrame:
        """Long table month, entity id, amount_yuan for one line."""
        entity, months = self.lines[line]
        ids = (self.roll.households["household_id"] if entity == "household" else self.roll.persons["person_id"]).to_numpy()
        return pd.DataFrame({"month": np.concatenate([np.full(len(r), m) for m, (r, _) in zip(self.months, months)]),
                             f"{entity}_id": ids[np.concatenate([r for r, _ in months])],
                             "amount_yuan": np.concatenate([a for _, a in months])})

    def household_totals(self) -> pd.DataFrame:
        """Each household's money over the months per line (a person's amount counts to their household)."""
        n = len(self.roll.households)
        out = {}
        for line, (entity, months) in self.lines.items():
            rows = np.concatenate([r for r, _ in months]) if months else np.zeros(0, np.int64)
            amount = np.concatenate([a for _, a in months]) if months else np.zeros(0)
            if entity == "person":
                rows = self.roll.household_row[rows]
            out[line] = np.bincount(rows, weights=amount, minlength=n)
        return pd.DataFrame(out, index=self.roll.households["household_id"].to_numpy())


class Simulation:
    """One district's roll and months, ready to run any parameter set quickly (the explorer
    reuses it: only the policy changes between runs)."""

    def __init__(self, params: ParamSet, year: int, seed: int = 1, roll: Roll | None = None,
                 months: pd.PeriodIndex | None = None):
        self.params, self.year, self.seed = params, year, seed
        self.months = months if months is not None else year_months(year)
        self.roll = roll if roll is not None else synthetic.synthesize(params, year, seed, self.months)
        self.prepared = Prepared.of(self.roll)
        pool = self.prepared.views.get("dibao")
        self.pool = pool.rows if pool is not None else np.zeros(0, np.int64)
        self.cpi, self.food = cpi.for_months(self.months)
        self._dates = (None, [], [])   # (months, their Periods, each one's first day), made on the first run
        self.programs = self._active(params)
        self._paths: dict = {}
        self._made_paths, self._draws = 0, None     # paths made; the month draws, once a second is
        self._indexes: dict = {}                     # by_year's (year, line) indexes, by lines paid
        self.counts = {p.key: self._class_counts(p) for p in self.programs if p.rates is not None}

    def _class_counts(self, program) -> np.ndarray:
        """Candidates on the roll per month × class × group (from their spells), counted once."""
        view = self.prepared.views[program.key]
        classes = self.prepared.once(("classes", program.key), lambda roll: program.classes(view))
        counted = classes >= 0        # class -1: paid by the program's rule month by month
        n_classes = int(classes.max()) + 1 if counted.any() else 1
        n_groups, first, n_months = len(self.prepared.groups), self.months[0].ordinal, len(self.months)
        start = np.clip(view._start[counted] - first, 0, n_months)
        end = np.clip(view._end[counted] - first, 0, n_months)
        cell = classes[counted] * n_groups + view.group[counted]
        size = n_classes * n_groups
        diff = (np.bincount(start * size + cell, minlength=(n_months + 1) * size)
                - np.bincount(end * size + cell, minlength=(n_months + 1) * size))
        return np.cumsum(diff.reshape(n_months + 1, n_classes, n_groups), axis=0)[:n_months].astype(np.float64)

    def _active(self, params: ParamSet) -> list:
        """The programs with a caseload here (candidates on the roll, cases in the year, or a program
        they ride on) and, for a program paid only where declared, its declaration here; each must
        find its required leaves."""
        active = []
        for program in REGISTRY:
            if program.candidates is not None:
                has = self.prepared.views[program.key].n > 0
            elif program.reads and not program.caseload:
                has = any(line in {o for a in active for o in a.outputs} for line in program.reads)
            else:
                has = any(params.has(path) and params.monthly_or_zero(path, self.months).any() for path in program.caseload)
            if has and schema.applies(params, program):
                self.prepared.unpaid.update(schema.require(params, program, self.roll))
                active.append(program)
        return active

    def income(self, params: ParamSet) -> np.ndarray:
        date = self.roll.anchor.start_time.date()
        key = (params.at("dibao.entry_rate", date), params.at("dibao.exit_rate", date),
               tuple(params.at(f"dibao.gap_ratio.{a}", date) for a in AREAS))
        if key not in self._paths:
            if self._draws is None and self._made_paths:    # a second path: keep the month draws
                self._draws = dynamics.KeptDraws(self.roll, len(self.pool))
            self._paths[key] = dynamics.income_path(self.roll, self.pool, self.months, key[0], key[1],
                                                    dict(zip(AREAS, key[2])), self._draws).income
            self._made_paths += 1
        return self._paths[key]

    def clear_paths(self) -> None:
        """Forget the cached income paths (a Monte Carlo draws new rates each time)."""
        self._paths.clear()

    def run(self, params: ParamSet, detail: bool = False, read: set | None = None, fixed: "Fixed | None" = None):
        """The tidy table of one parameter set (and its :class:`Detail` when ``detail``); ``fixed``
        supplies the lines of the programs it holds instead of running them again."""
        if detail and fixed is not None:
            raise ValueError("a run with detail evaluates every program: no fixed lines")
        per_entity = Detail(self.roll, self.months) if detail else None
        lines, periods, measures = self._blocks(params, per_entity, read, fixed)
        frame = self._frame(params, lines, periods, measures, self.prepared.groups)
        return (frame, per_entity) if detail else frame

    def fixed(self, params: ParamSet, inputs=("income", "prices"), leaves=()) -> "Fixed":
        """The lines of ``params`` that stay the same when only the month's ``inputs`` and the
        ``leaves`` change (a Monte Carlo draw), to pass to :meth:`run` or :meth:`by_year`."""
        inputs, leaves = set(inputs), set(leaves)
        line_of = {line: p.key for p in self.programs for line in p.outputs}
        changing: set = set()
        for p in self.programs:     # in order: a program reads only the lines of those before it
            if set(p.uses) & inputs or set(p.params) & leaves or any(line_of.get(r) in changing for r in p.reads):
                changing.add(p.key)
        # a flat program reading no line makes its month's result only when another asks for it:
        # it can be read without running again; any other program read by one that runs, runs too
        lazy = {p.key for p in self.programs if p.key not in changing and p.rates is not None and not p.reads}
        run = set(changing)
        for p in reversed(self.programs):
            if p.key in run:
                run |= {line_of[r] for r in p.reads if r in line_of} - lazy
        held = frozenset(p.key for p in self.programs if p.key not in run)
        record: dict = {}
        self._blocks(params, None, None, None, record=(held, record))
        return Fixed(self.months, held, frozenset(held & lazy), record)

    def by_year(self, params: ParamSet, fixed: "Fixed | None" = None) -> pd.DataFrame:
        """amount_yuan and person_times summed to (year, line), lines in the order they are first
        paid: :func:`civsim.budget.components.by_year` of :meth:`run`, to the bit, without the table."""
        lines, periods, measures = self._blocks(params, None, None, fixed)
        n = len(self.prepared.groups)
        values = np.concatenate(measures) if measures else np.zeros((0, 4))
        line_code, names = pd.factorize(np.array(lines, dtype=object))
        years = np.fromiter((period.year for period in periods), np.int64, len(periods))
        unique, inverse = np.unique(years * len(names) + line_code, return_inverse=True)
        inverse = np.repeat(inverse, n)
        key = (tuple(names), unique.tobytes())
        index = self._indexes.get(key)
        if index is None:   # the draws of a Monte Carlo mostly pay the same lines: one index each
            index = self._indexes[key] = pd.MultiIndex.from_arrays(
                [unique // len(names), np.asarray(names, dtype=object)[unique % len(names)]], names=["year", "program"])
        return pd.DataFrame({"amount_yuan": np.bincount(inverse, weights=values[:, 3], minlength=len(unique)),
                             "person_times": np.bincount(inverse, weights=values[:, 2], minlength=len(unique))},
                            index=index)

    def _blocks(self, params: ParamSet, per_entity, read, fixed, record=None):
        """Each line paid, month by month: (lines, periods, measures), one block of groups × MEASURES
        per line and month; ``record`` = (program keys, dict) keeps those programs' blocks."""
        if fixed is not None and not fixed.months.equals(self.months):
            raise ValueError("the fixed lines were recorded over other months")
        held = fixed.programs if fixed is not None else ()
        income = self.income(params) if len(self.pool) else np.zeros((len(self.months), 0), np.float32)
        lines, periods, measures = [], [], []
        if self._dates[0] is not self.months:
            periods_ = list(self.months)
            self._dates = (self.months, periods_, [period.start_time.date() for period in periods_])
        _, months, dates = self._dates
        for t, period in enumerate(months):
            month = Month(params, period, self.prepared, income[t], self.cpi[t], self.food[t], read=read,
                          date=dates[t])
            for program in self.programs:
                if program.key in held:
                    paid = fixed.blocks.get((t, program.key), ())
                    if program.key in fixed.lazy:   # its result, made if a later program asks
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
        n_groups = len(self.prepared.groups)
        view = self.prepared.views.get(program.key)
        if program.rates is not None and per_entity is None:
            rates = np.asarray(program.rates(month, view), np.float64)
            counts = self.counts[program.key][t]
            persons = (rates != 0).astype(np.float64)[: len(counts)] @ counts
            block = _block(0.0, persons, rates[: len(counts)] @ counts)
            if program.pay is not None:     # the candidates outside the classes
                rest = program.pay(month, view)
                group = view.group[rest.rows]
                count = np.bincount(group, minlength=n_groups).astype(np.float64)
                block += _block(0.0, count, np.bincount(group, weights=rest.amount, minlength=n_groups))
            month.results[program.key] = lambda p=program, v=view, m=month: (v, p.evaluate(m, v))
            return [(program.key, block)]
        out = program.evaluate(month, view)
        if isinstance(out, Cases):
            block = np.zeros((n_groups, 4))
            rows, count = self.prepared.case_rows, np.where(out.amount != 0, out.persons, 0.0)
            block[rows, 0 if out.counts == "households" else 1] = block[rows, 2] = count
            block[rows, 3] = out.amount
            return [(program.key, block)]
        blocks = []
        for line, paid in (out.items() if isinstance(out, dict) else ((program.key, out),)):
            over = self.prepared.views[paid.over] if paid.over else view
            amount = np.asarray(paid.amount, np.float64)
            month.results[line] = (over, paid)
            group = over.group[paid.rows]
            count = np.bincount(group, minlength=n_groups).astype(np.float64)
            if over.entity == "household":
                persons = np.bincount(group, weights=over.size[paid.rows], minlength=n_groups)
                block = _block(count, persons, np.bincount(group, weights=amount, minlength=n_groups))
            else:
                block = _block(0.0, count, np.bincount(group, weights=amount, minlength=n_groups))
            blocks.append((line, block))
            if per_entity is not None:
                per_entity.lines.setdefault(line, (over.entity, []))[1].append((over.rows[paid.rows],
                                                                               amount.astype(np.float32)))
        return blocks

    def _frame(self, params, lines, periods, measures, groups) -> pd.DataFrame:
        n = len(groups)
        values = np.concatenate(measures) if measures else np.zeros((0, 4))
        frame = pd.DataFrame({"jurisdiction": params.district.code, "scenario": params.scenario,
                              "month": pd.PeriodIndex(np.repeat(periods, n), freq="M") if periods else pd.PeriodIndex([], freq="M"),
                              "program": np.repeat(lines, n)})
        for column in groups.columns:
            frame[column] = np.tile(groups[column].to_numpy(), len(lines))
        frame[MEASURES] = values
        return frame


@dataclass(frozen=True)
class Fixed:
    """The month-by-month lines of the programs a run takes as they were (:meth:`Simulation.fixed`):
    (month index, program key) -> [(line, block)]; the blocks are shared, never written to."""
    months: pd.PeriodIndex
    programs: frozenset
    lazy: frozenset         # those of them whose month's result a run can still read (flat programs)
    blocks: dict = field(repr=False)


def _block(households, persons, amount) -> np.ndarray:
    """One line's month per group: households, persons, person-times (= persons), amount."""
    block = np.empty((len(persons), 4))
    block[:, 0], block[:, 1], block[:, 2], block[:, 3] = households, persons, persons, amount
    return block


def _finish(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frame = pd.concat(frames, ignore_index=True)
    # A line that pays nothing in any scenario is left out.
    paying = frame.groupby("program")[MEASURES].sum().abs().sum(axis=1) > 0
    frame = frame[frame["program"].isin(paying[paying].index)]
    keys = KEYS + (["street"] if "street" in frame else [])
    frame = frame.groupby(keys, sort=False, as_index=False)[MEASURES].sum()
    if "street" in frame:   # a street with nothing paid on a line in any scenario is left out
        kept = frame.groupby(["program", "area", "street"])[MEASURES].transform(lambda c: c.abs().sum()).sum(axis=1) > 0
        frame = frame[kept]
    order = {name: i for i, name in enumerate(dict.fromkeys(frame["scenario"]))}
    frame = frame.sort_values(["scenario", "month", "program"] + keys[4:],
                              key=lambda s: s.map(order) if s.name == "scenario" else s, kind="stable").reset_index(drop=True)
    return frame[keys + MEASURES]


def scenario_sets(base: ParamSet, scenarios, year: int) -> list[ParamSet]:
    """The baseline and each scenario applied to it; a scenario that changes no leaf a program
    reads is an error, not a silent copy of the baseline."""
    sets = [base]
    for s in scenarios:
        scenario = s if isinstance(s, scenarios_module.Scenario) else scenarios_module.load(s)
        applied = scenarios_module.apply(base, scenario, year)
        schema.check_scenario(base, applied, scenario)
        sets.append(applied)
    return sets


def simulate(district, year: int, scenarios=(), seed: int | None = None, params: ParamSet | None = None,
             roll: Roll | None = None) -> pd.DataFrame:
    """Baseline and scenarios for one district-year on one shared roll (tidy DataFrame)."""
    base = params if params is not None else params_module.load(district)
    sim = Simulation(base, year, 1 if seed is None else seed, roll=roll)
    return _finish([sim.run(p) for p in scenario_sets(base, scenarios, year)])


def to_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as written to CSV: months as YYYY-MM, money to the fen, counts to 0.01."""
    out = frame.copy()
    out["month"] = out["month"].astype(str)
    out[MEASURES] = out[MEASURES].round(2)
    return out


def year_totals(frame: pd.DataFrame, months: slice | None = None) -> pd.DataFrame:
    """Flows summed over the months (amount, person_times) per scenario × program × area."""
    data = frame if months is None else frame[(frame["month"] >= months.start) & (frame["month"] <= months.stop)]
    return data.groupby(["scenario", "program", "area"], as_index=False, sort=False)[["person_times", "amount_yuan"]].sum()


def stock(frame: pd.DataFrame, month) -> pd.DataFrame:
    """Households and persons on the roll in ``month`` per scenario × program × area."""
    month = pd.Period(month, "M")
    data = frame[frame["month"] == month]
    return data.groupby(["scenario", "program", "area"], as_index=False, sort=False)[["households", "persons"]].sum()


__all__ = ["Simulation", "simulate", "Detail", "Fixed", "to_csv_frame", "year_totals", "stock", "year_months", "COLUMNS", "MEASURES"]
