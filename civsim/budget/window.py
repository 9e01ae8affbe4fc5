"""The budget window's draws: the roll, the parameter sets and the draw settings of one projection
(:class:`Window`), each Monte Carlo draw — the roll's rates, the month's prices and the caseloads
scaled within their spreads — and the blocks of draws evaluated together (civsim.engine.draws)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import cpi as cpi_module, engine, reported_figures, scenarios as scenarios_module
from ..engine.draws import Copies, NotStackable, copies_for
from ..params import ParamSet
from ..programs import family
from .components import KINDS, ParameterSets, by_year, fen

RATE_FACTOR = (0.7, 1.3)
CASELOAD_SPREAD = 0.05
CPI_WINDOW = 36
CPI_STEP_FALLBACK = {"cpi_yoy_pct": 0.5, "food_cpi_yoy_pct": 2.2}   # when the window has < 2 changes
YEARS = 3
SPLIT_DRAWS = 50    # draws that also run the recurring and carried-forward sets (the split)
BASELINE = "baseline"
TOTAL = "total"
SERIES = ("cpi_yoy_pct", "food_cpi_yoy_pct")
DRAWN_LEAVES = ("dibao.entry_rate", "dibao.exit_rate")     # the roll's rates, scaled in each draw


def cpi_start(base_year: int) -> dict:
    """Last observed value and random-walk step s.d. of each CPI series at the end of ``base_year``."""
    table = cpi_module.series()
    table = table[table.index <= pd.Period(f"{base_year}-12", "M")]
    out = {}
    for column in SERIES:
        values = table[column].dropna()
        window = table[column].iloc[-CPI_WINDOW:].diff().dropna()
        step = float(window.std()) if len(window) >= 2 else CPI_STEP_FALLBACK[column]
        out[column] = {"last": float(values.iloc[-1]) if len(values) else 0.0,
                       "month": str(values.index[-1]) if len(values) else None,
                       "step": round(step, 3), "changes": len(window)}
    return out


def reported_trend(code: str, program: str, folder=None) -> tuple[float, str] | None:
    """Yearly growth of a caseload the bureau reports in two or more years, and what it rests on:
    the stocks (persons, else households; area "all", else urban + rural) at the latest reported
    month of each year, first and last year compounded. None without such a series."""
    table = reported_figures.load(folder) if folder is not None else reported_figures.load()
    table = table[(table["jurisdiction"] == str(code)) & (table["program"] == program)
                  & ~table["period"].str.contains("..", regex=False)]
    for measure in ("persons", "households"):
        data = table[table["measure"] == measure]
        if (data["area"] == "all").any():
            data = data[data["area"] == "all"]
        data = data.assign(month=data["period"]).sort_values("month")
        per_year = data.groupby("year").apply(lambda g: g[g["month"] == g["month"].max()]["value"].sum(),
                                              include_groups=False)
        per_year = per_year[per_year > 0]
        if len(per_year) >= 2:
            first, last = per_year.index[0], per_year.index[-1]
            growth = (per_year.iloc[-1] / per_year.iloc[0]) ** (1 / (last - first)) - 1
            return float(growth), f"{measure} {first}: {per_year.iloc[0]:g} → {last}: {per_year.iloc[-1]:g}"
    return None


def _scaled(paramset: ParamSet, entry: float, exit_: float) -> ParamSet:
    """The parameter set with both roll rates scaled (all dates), scenario name kept."""
    changes = tuple(scenarios_module.Change(path, dt.date(1900, 1, 1), None, percent=(factor - 1) * 100)
                    for path, factor in zip(DRAWN_LEAVES, (entry, exit_))
                    if paramset.has(path))
    if not changes:
        return paramset
    drawn = scenarios_module.apply(paramset, scenarios_module.Scenario("mc_draw", "", changes))
    return drawn.with_leaves(drawn.leaves, paramset.scenario)


class Window:
    """The roll, the parameter sets and the draw settings of one projection; :meth:`draw` is one
    Monte Carlo draw, a pure function of ``d`` (it can be fanned out to worker processes)."""

    def __init__(self, base: ParamSet, year: int, sets: list[ParameterSets], seed: int = 1, roll=None,
                 years: int = YEARS, split_draws: int = SPLIT_DRAWS):
        self.base, self.year, self.seed, self.split_draws = base, int(year), int(seed), int(split_draws)
        self.years = tuple(range(self.year, self.year + years))
        self.code = base.district.code
        self.sets = sets
        self.this = engine.Simulation(base, self.year - 1, seed, roll=roll)
        self.window = engine.Simulation(base, self.year, seed, roll=self.this.roll,
                                        months=pd.period_range(f"{self.year}-01", f"{self.years[-1]}-12", freq="M"))
        self.cpi = cpi_start(self.year - 1)
        self.base_table = {s.scenario: self._base_runs(s) for s in sets}
        self.families, self.caseload = self._caseload()
        # what a draw leaves as it is, per parameter set: the lines of every program that reads
        # neither the incomes nor the prices nor the roll's rates, computed once
        self.fixed = {(s.scenario, kind): self.window.fixed(p, leaves=DRAWN_LEAVES)
                      for s in sets for kind, p in zip(KINDS, s)}

    # the base year: one deterministic run per parameter set
    def _base_runs(self, sets: ParameterSets) -> pd.DataFrame:
        out = {}
        for kind, paramset in zip(KINDS, sets):
            totals = by_year(self.this.run(paramset))
            out[kind] = pd.Series(fen(totals["amount_yuan"]), index=totals.index)
            if kind == "full":
                out["person_times"] = totals["person_times"]
        return pd.DataFrame(out).fillna(0)

    def _probe(self, entry: float, exit_: float) -> pd.Series:
        self.window.cpi, self.window.food = cpi_module.for_months(self.window.months)
        totals = by_year(self.window.run(_scaled(self.sets[0].full, entry, exit_)))["amount_yuan"]
        self.window.clear_paths()
        return totals.groupby(level="program").sum()

    def _caseload(self):
        """Which lines ride on which caseload, and each caseload's uncertainty."""
        central, moved = self._probe(1.0, 1.0), self._probe(RATE_FACTOR[1], RATE_FACTOR[0])
        programs = sorted(set(central.index) | set(self.base_table[self.sets[0].scenario].index.get_level_values(1)))
        families = {p: family(p) for p in programs}   # the declarations' one rule
        moved = moved.reindex(programs, fill_value=0.0) - central.reindex(programs, fill_value=0.0)
        roll_families = {families[p] for p in programs if abs(moved[p]) > 0.005}
        rows = []
        for name in sorted(set(families.values())):
            if name in roll_families:
                rows.append({"family": name, "kind": "roll", "trend": 0.0, "spread": np.nan, "basis": ""})
                continue
            trend = reported_trend(self.code, name)
            rows.append({"family": name, "kind": "trend" if trend else "assumed",
                         "trend": trend[0] if trend else 0.0, "spread": CASELOAD_SPREAD,
                         "basis": trend[1] if trend else ""})
        return families, pd.DataFrame(rows, columns=["family", "kind", "trend", "spread", "basis"])

    def inputs(self, d: int) -> dict:
        """Draw ``d``'s inputs: rate factors, CPI paths, and caseload factors per family and year."""
        rng = np.random.default_rng([self.seed, int(self.code), self.year, d])
        entry, exit_ = rng.uniform(*RATE_FACTOR, size=2)
        n = len(self.window.months)
        paths = [np.round(self.cpi[c]["last"] + np.cumsum(rng.normal(0.0, self.cpi[c]["step"], n)), 1) for c in SERIES]
        factors = {}
        for row in self.caseload.itertuples(index=False):
            if row.kind == "roll":
                factors[row.family] = np.ones(len(self.years))
            else:
                u = rng.uniform(1 - row.spread, 1 + row.spread, len(self.years))
                factors[row.family] = np.cumprod((1 + row.trend) * u)
        return {"entry": float(entry), "exit": float(exit_), "cpi": paths[0], "food": paths[1], "caseload": factors}

    def draw(self, d: int) -> pd.DataFrame:
        """One draw: scenario, draw, year, program, full (integer fen), person_times; and, in the
        first ``split_draws`` draws (``split`` True), the integer-fen differences
        ``non_recurring`` = full − recurring and ``standard`` = recurring − carried (0 otherwise).
        Draw by draw, every program that moves run again: :meth:`block` gives the same table for
        many draws at once."""
        x = self.inputs(d)
        self.window.cpi, self.window.food = x["cpi"], x["food"]
        with_split = d < self.split_draws
        frames = []
        for sets in self.sets:
            runs = [self.window.by_year(_scaled(p, x["entry"], x["exit"]), self.fixed[sets.scenario, kind])
                    for kind, p in zip(KINDS if with_split else KINDS[:1], sets)]
            frames.append(self._table(d, x, sets.scenario, runs))
        self.window.clear_paths()   # each draw's rates are new: hold no income path past its draw
        return pd.concat(frames, ignore_index=True)

    def block(self, draws) -> pd.DataFrame:
        """The draws ``draws`` evaluated together (:class:`civsim.engine.draws.Copies`): the table
        of :meth:`draw` for each, concatenated, to the bit; draw by draw where a rule cannot run
        over copies of the roll."""
        draws = [int(d) for d in draws]
        xs = {d: self.inputs(d) for d in draws}
        runs: dict = {}
        try:
            for sets in self.sets:
                for kind, paramset in zip(KINDS, sets):
                    chosen = draws if kind == "full" else [d for d in draws if d < self.split_draws]
                    if chosen:
                        years = self._together(paramset, [xs[d] for d in chosen], self.fixed[sets.scenario, kind])
                        runs.update({(d, sets.scenario, kind): table for d, table in zip(chosen, years)})
        except NotStackable:
            return pd.concat([self.draw(d) for d in draws], ignore_index=True)
        frames = [self._table(d, xs[d], sets.scenario,
                              [runs[d, sets.scenario, kind] for kind in (KINDS if d < self.split_draws else KINDS[:1])])
                  for d in draws for sets in self.sets]
        return pd.concat(frames, ignore_index=True)

    def _together(self, paramset: ParamSet, xs: list, fixed) -> list[pd.DataFrame]:
        """:meth:`civsim.engine.Simulation.by_year` of ``paramset`` under each draw's inputs ``xs``."""
        sim = self.window.on_roll_of(paramset)
        if fixed is not None and fixed.roll is not None and fixed.roll is not sim.roll:
            fixed = None
        entry, exit_, gap = self._rates(sim, paramset, xs)
        n_months = len(sim.months)
        if len(sim.pool):
            incomes = sim.incomes(entry, exit_, gap)
        else:
            incomes = np.zeros((n_months, len(xs), 0), np.float32)
        # a draw's prices are the window's; a scenario's own roll keeps its observed series (as draw does)
        prices = [np.stack([x[k] for x in xs]) if sim is self.window else np.tile(getattr(sim, a), (len(xs), 1))
                  for k, a in (("cpi", "cpi"), ("food", "food"))]
        copies = self._copies(sim, len(xs))
        out = []
        for start in range(0, len(xs), copies.copies):
            part = slice(start, start + copies.copies)
            out += copies.by_year(paramset, incomes[:, part], prices[0][part], prices[1][part], fixed, DRAWN_LEAVES)
        return out

    @staticmethod
    def _rates(sim, paramset: ParamSet, xs: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each draw's entry and exit rates (draws × months of the span) and the gap ratios they
        share: the rates of ``paramset`` times each draw's factor, as :func:`_scaled` applies it
        (checked against it on the first draw; where it differs, each draw's set is read)."""
        entry, exit_, gap = sim.rates(paramset)
        factors = [[1 + ((x[key] - 1) * 100) / 100 if paramset.has(path) else 1.0
                    for x in xs] for key, path in (("entry", DRAWN_LEAVES[0]), ("exit", DRAWN_LEAVES[1]))]
        together = np.outer(factors[0], entry), np.outer(factors[1], exit_)
        first = sim.rates(_scaled(paramset, xs[0]["entry"], xs[0]["exit"]))
        if np.array_equal(first[0], together[0][0]) and np.array_equal(first[1], together[1][0]) \
                and np.array_equal(first[2], gap):
            return together[0], together[1], gap
        rates = [sim.rates(_scaled(paramset, x["entry"], x["exit"])) for x in xs]
        if any(not np.array_equal(r[2], rates[0][2]) for r in rates):
            raise NotStackable("the draws' gap ratios differ")
        return np.stack([r[0] for r in rates]), np.stack([r[1] for r in rates]), rates[0][2]

    def _copies(self, sim, draws: int) -> Copies:
        stacks = self.__dict__.setdefault("_stacks", {})
        size = copies_for(sim, draws)
        key = (id(sim), size)
        if key not in stacks:
            if len(stacks) >= 4:        # a long-lived window: hold a few stacks, not every size met
                stacks.clear()
            stacks[key] = (sim, Copies(sim, size))
        return stacks[key][1]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_stacks", None)      # remade where the window goes
        return state

    def _table(self, d: int, x: dict, scenario: str, runs: list) -> pd.DataFrame:
        """One draw's rows of one scenario from its runs' year tables (full, and recurring and
        carried in a split draw)."""
        with_split = len(runs) > 1
        index = runs[0].index
        for run in runs[1:]:    # runs paying the same lines share one index (Simulation.by_year)
            if run.index is not index:
                index = index.union(run.index, sort=False)
        runs = [run if run.index is index else run.reindex(index, fill_value=0.0) for run in runs]
        ones = np.ones(len(self.years))
        factor = np.array([x["caseload"].get(self.families.get(p, p), ones)[y - self.year] for y, p in index])
        amounts = [fen(run["amount_yuan"].to_numpy() * factor) for run in runs]
        return pd.DataFrame({"scenario": scenario, "draw": d,
                             "year": index.get_level_values("year"), "program": index.get_level_values("program"),
                             "full": amounts[0], "person_times": runs[0]["person_times"].to_numpy() * factor,
                             "split": with_split,
                             "non_recurring": amounts[0] - amounts[1] if with_split else 0,
                             "standard": amounts[1] - amounts[2] if with_split else 0})
