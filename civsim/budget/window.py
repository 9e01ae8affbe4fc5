"""The budget window's draws: the roll, the parameter sets and the draw settings of one projection
(:class:`Window`), each Monte Carlo draw — the roll's rates, the month's prices and the caseloads
scaled within their spreads — and the blocks of draws evaluated together (civsim.engine.draws).
The draws' rows are made from their runs by :class:`civsim.budget.draw_rows.DrawRows`."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import cpi as cpi_module, engine, reported_figures, scenarios as scenarios_module
from ..engine.draws import Copies, NotStackable, copies_for, fixed_like
from ..params import ParamSet
from ..programs import family
from ..roll import AREAS
from .components import KINDS, ParameterSets, by_year, fen
from .draw_rows import DrawRows

RATE_FACTOR = (0.7, 1.3)
CASELOAD_SPREAD = 0.05
CPI_WINDOW = 36
CPI_STEP_FALLBACK = {"cpi_yoy_pct": 0.5, "food_cpi_yoy_pct": 2.2}  # when the window has < 2 changes
YEARS = 3
SPLIT_DRAWS = 50  # draws that also run the recurring and carried-forward sets (the split)
BASELINE = "baseline"
TOTAL = "total"
SERIES = ("cpi_yoy_pct", "food_cpi_yoy_pct")
DRAWN_LEAVES = ("dibao.entry_rate", "dibao.exit_rate")  # the roll's rates, scaled in each draw
RATE_LEAVES = DRAWN_LEAVES + tuple(f"dibao.gap_ratio.{a}" for a in AREAS)  # what the incomes' rates read


def cpi_start(base_year: int) -> dict:
    """Last observed value and random-walk step s.d. of each CPI series at the end of ``base_year``."""
    table = cpi_module.series()
    table = table[table.index <= pd.Period(f"{base_year}-12", "M")]
    out = {}
    for column in SERIES:
        values = table[column].dropna()
        window = table[column].iloc[-CPI_WINDOW:].diff().dropna()
        step = float(window.std()) if len(window) >= 2 else CPI_STEP_FALLBACK[column]
        out[column] = {
            "last": float(values.iloc[-1]) if len(values) else 0.0,
            "month": str(values.index[-1]) if len(values) else None,
            "step": round(step, 3),
            "changes": len(window),
        }
    return out


def reported_trend(code: str, program: str, folder=None, table: pd.DataFrame | None = None) -> tuple[float, str] | None:
    """Yearly growth of a caseload the bureau reports in two or more years, and what it rests on:
    the stocks (persons, else households; area "all", else urban + rural) at the latest reported
    month of each year, first and last year compounded. None without such a series. ``table``: the
    reported figures already read (else they are read from ``folder``)."""
    if table is None:
        table = reported_figures.load(folder) if folder is not None else reported_figures.load()
    table = table[(table["jurisdiction"] == str(code)) & (table["program"] == program)]
    if table.empty:
        return None
    table = table[~table["period"].str.contains("..", regex=False)]
    for measure in ("persons", "households"):
        data = table[table["measure"] == measure]
        if (data["area"] == "all").any():
            data = data[data["area"] == "all"]
        if data["year"].nunique() < 2:
            continue
        data = data.assign(month=data["period"]).sort_values("month")
        per_year = data.groupby("year").apply(
            lambda g: g[g["month"] == g["month"].max()]["value"].sum(), include_groups=False
        )
        per_year = per_year[per_year > 0]
        if len(per_year) >= 2:
            first, last = per_year.index[0], per_year.index[-1]
            growth = (per_year.iloc[-1] / per_year.iloc[0]) ** (1 / (last - first)) - 1
            return float(growth), f"{measure} {first}: {per_year.iloc[0]:g} → {last}: {per_year.iloc[-1]:g}"
    return None


_REPORTED: dict = {}


def _reported(code: str) -> pd.DataFrame:
    """The reported figures of ``code``, read once while the files stay as they are."""
    files = sorted(reported_figures.REPORTED.glob("*.csv"))
    key = (str(code), tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files))
    if key not in _REPORTED:
        if len(_REPORTED) > 16:
            _REPORTED.clear()
        table = reported_figures.load()
        _REPORTED[key] = table[table["jurisdiction"] == str(code)]
    return _REPORTED[key]


def _scaled(paramset: ParamSet, entry: float, exit_: float) -> ParamSet:
    """The parameter set with both roll rates scaled (all dates), scenario name kept."""
    changes = tuple(
        scenarios_module.Change(path, dt.date(1900, 1, 1), None, percent=(factor - 1) * 100)
        for path, factor in zip(DRAWN_LEAVES, (entry, exit_))
        if paramset.has(path)
    )
    if not changes:
        return paramset
    drawn = scenarios_module.apply(paramset, scenarios_module.Scenario("mc_draw", "", changes))
    return drawn.with_leaves(drawn.leaves, paramset.scenario)


class Window(DrawRows):
    """The roll, the parameter sets and the draw settings of one projection; :meth:`draw` is one
    Monte Carlo draw, a pure function of ``d`` (it can be fanned out to worker processes)."""

    def __init__(
        self,
        base: ParamSet,
        year: int,
        sets: list[ParameterSets],
        seed: int = 1,
        roll=None,
        years: int = YEARS,
        split_draws: int = SPLIT_DRAWS,
    ):
        self.base, self.year, self.seed, self.split_draws = base, int(year), int(seed), int(split_draws)
        self.years = tuple(range(self.year, self.year + years))
        self.code = base.district.code
        self.sets = sets
        self.this = engine.Simulation(base, self.year - 1, seed, roll=roll)
        self.window = engine.Simulation(
            base,
            self.year,
            seed,
            roll=self.this.roll,
            prepared=self.this.prepared,
            months=pd.period_range(f"{self.year}-01", f"{self.years[-1]}-12", freq="M"),
        )
        self.cpi = cpi_start(self.year - 1)
        # what a draw leaves as it is, per parameter set: the lines of every program that reads
        # neither the incomes nor the prices nor the roll's rates, computed once
        self.fixed = {}
        first = None
        for s in sets:
            for kind, p in zip(KINDS, s):
                # the baseline's full set once; every other set takes its lines where its leaves are the same
                like = fixed_like(self.window, first[0], first[1], p) if first is not None else None
                self.fixed[s.scenario, kind] = like if like is not None else self.window.fixed(p, leaves=DRAWN_LEAVES)
                if first is None:
                    first = (p, self.fixed[s.scenario, kind])
        self.base_table = {s.scenario: self._base_runs(s) for s in sets}
        self.families, self.caseload = self._caseload()

    # the base year: one deterministic run per parameter set
    def _base_runs(self, sets: ParameterSets) -> pd.DataFrame:
        out, record = {}, {}
        for kind, paramset in zip(KINDS, sets):
            # the recurring and carried runs take the full run's lines of every program reading
            # none of the leaves they set otherwise (the same lines as running them again)
            totals = (
                by_year(self.this.run(paramset, record=record))
                if kind == "full"
                else self.this.by_year(paramset, fixed=self.this.reusing(sets.full, record, paramset))
            )
            out[kind] = pd.Series(fen(totals["amount_yuan"]), index=totals.index)
            if kind == "full":
                out["person_times"] = totals["person_times"]
        return pd.DataFrame(out).fillna(0)

    def _probe(self, entry: float, exit_: float) -> pd.Series:
        self.window.cpi, self.window.food = cpi_module.for_months(self.window.months)
        fixed = self.fixed[self.sets[0].scenario, "full"]  # the programs the rates cannot move
        totals = self.window.by_year(_scaled(self.sets[0].full, entry, exit_), fixed=fixed)["amount_yuan"]
        self.window.clear_paths()
        return totals.groupby(level="program").sum()

    def _probes(self) -> tuple[pd.Series, pd.Series]:
        """:meth:`_probe` at the central rates and at the rates moved apart, the two together as
        two draws over copies of the roll (the same sums); one by one where they cannot be."""
        cpi, food = cpi_module.for_months(self.window.months)
        xs = [
            {"entry": entry, "exit": exit_, "cpi": cpi, "food": food}
            for entry, exit_ in ((1.0, 1.0), (RATE_FACTOR[1], RATE_FACTOR[0]))
        ]
        full = self.sets[0].full
        try:
            (tables,) = self._together(xs, [(full, self.fixed[full.scenario, "full"], 2)])
        except NotStackable:
            return self._probe(1.0, 1.0), self._probe(RATE_FACTOR[1], RATE_FACTOR[0])
        finally:
            self.__dict__.pop("_kept_incomes", None)
            self.__dict__.pop("_stacks", None)  # two copies: the blocks need their own
        self.window.cpi, self.window.food = cpi, food
        return tuple(pd.Series(amount, index=index).groupby(level="program").sum() for index, amount, _ in tables)

    def _caseload(self):
        """Which lines ride on which caseload, and each caseload's uncertainty."""
        central, moved = self._probes()
        programs = sorted(set(central.index) | set(self.base_table[self.sets[0].scenario].index.get_level_values(1)))
        families = {p: family(p) for p in programs}  # the declarations' one rule
        moved = moved.reindex(programs, fill_value=0.0) - central.reindex(programs, fill_value=0.0)
        roll_families = {families[p] for p in programs if abs(moved[p]) > 0.005}
        rows = []
        reported = _reported(self.code)
        for name in sorted(set(families.values())):
            if name in roll_families:
                rows.append({"family": name, "kind": "roll", "trend": 0.0, "spread": np.nan, "basis": ""})
                continue
            trend = reported_trend(self.code, name, table=reported)
            rows.append(
                {
                    "family": name,
                    "kind": "trend" if trend else "assumed",
                    "trend": trend[0] if trend else 0.0,
                    "spread": CASELOAD_SPREAD,
                    "basis": trend[1] if trend else "",
                }
            )
        return families, pd.DataFrame(rows, columns=["family", "kind", "trend", "spread", "basis"])

    def inputs(self, d: int) -> dict:
        """Draw ``d``'s inputs: rate factors, CPI paths, and caseload factors per family and year."""
        rng = np.random.default_rng([self.seed, int(self.code), self.year, d])
        entry, exit_ = rng.uniform(*RATE_FACTOR, size=2)
        n = len(self.window.months)
        paths = [np.round(self.cpi[c]["last"] + np.cumsum(rng.normal(0.0, self.cpi[c]["step"], n)), 1) for c in SERIES]
        factors = {}
        if "_rows" not in self.__dict__:
            self._rows = [
                (row.family, row.kind, row.trend, row.spread) for row in self.caseload.itertuples(index=False)
            ]
        for family_, kind, trend, spread in self._rows:
            if kind == "roll":
                factors[family_] = np.ones(len(self.years))
            else:
                u = rng.uniform(1 - spread, 1 + spread, len(self.years))
                factors[family_] = np.cumprod((1 + trend) * u)
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
            runs = [
                self.window.by_year(_scaled(p, x["entry"], x["exit"]), self.fixed[sets.scenario, kind])
                for kind, p in zip(KINDS if with_split else KINDS[:1], sets)
            ]
            frames.append(self._table(d, x, sets.scenario, runs))
        self.window.clear_paths()  # each draw's rates are new: hold no income path past its draw
        return pd.concat(frames, ignore_index=True)

    def block(self, draws) -> pd.DataFrame:
        """The draws ``draws`` evaluated together (:class:`civsim.engine.draws.Copies`): the table
        of :meth:`draw` for each, concatenated, to the bit; draw by draw where a rule cannot run
        over copies of the roll."""
        draws = [int(d) for d in draws]
        xs = {d: self.inputs(d) for d in draws}
        runs: dict = {}
        # the split draws run the recurring and carried sets beside the full one: they come first
        split = [d for d in draws if d < self.split_draws]
        order = split + [d for d in draws if d >= self.split_draws]
        try:
            for sets in self.sets:
                chosen = [
                    (paramset, self.fixed[sets.scenario, kind], len(order) if kind == "full" else len(split))
                    for kind, paramset in zip(KINDS, sets)
                ]
                years = self._together([xs[d] for d in order], [c for c in chosen if c[2]])
                for kind, tables in zip(KINDS, years):
                    runs.update({(d, sets.scenario, kind): table for d, table in zip(order, tables)})
        except NotStackable:
            return pd.concat([self.draw(d) for d in draws], ignore_index=True)
        finally:
            self.__dict__.pop("_kept_incomes", None)  # the block's incomes: held for its runs only
        return self._assemble(draws, xs, runs)

    def full_runs(self, paramset: ParamSet, fixed, xs: dict) -> pd.DataFrame:
        """The rows :meth:`block` gives for the draws ``xs`` (draw -> :meth:`inputs`) of a set of
        its own, ``paramset``, the full runs alone (no split), its held lines ``fixed``: the draws
        together, or one by one where a rule cannot run over copies of the roll. The incomes of
        their rates stay kept for the next call (a page recomputing on every change; it trims them)."""
        draws = sorted(xs)
        try:
            (tables,) = self._together([xs[d] for d in draws], [(paramset, fixed, len(draws))])
            runs = {(d, paramset.scenario, KINDS[0]): table for d, table in zip(draws, tables)}
            return self._assemble(draws, xs, runs, scenarios=(paramset.scenario,))
        except NotStackable:
            parts = []
            for d in draws:
                x = xs[d]
                self.window.cpi, self.window.food = x["cpi"], x["food"]
                parts.append(
                    self._columns(
                        d, x, paramset.scenario, [self.window.by_year(_scaled(paramset, x["entry"], x["exit"]), fixed)]
                    )
                )
                self.window.clear_paths()
            return self._frame(parts)

    def _together(self, xs: list, runs: list) -> list[list[tuple]]:
        """:meth:`civsim.engine.Simulation.by_year` of each of ``runs`` = [(paramset, fixed,
        draws)] under the inputs ``xs`` of its first ``draws`` draws, as (index, amount_yuan,
        person_times): side by side over the same copies where they share a roll, fixed programs
        and the roll's rates (:meth:`civsim.engine.draws.Copies.sums`), else one after the other."""
        sims = [self.window.on_roll_of(paramset) for paramset, _, _ in runs]
        sim = sims[0]
        fixed = [f if f is None or f.roll is None or f.roll is sim.roll else None for _, f, _ in runs]
        rates = [self._rates_kept(sim, paramset, xs[:n]) for paramset, _, n in runs]
        alike = (
            all(s is sim for s in sims)
            and len({f.programs if f is not None else None for f in fixed}) == 1
            and all(
                np.array_equal(r[2], rates[0][2])
                and np.array_equal(r[0], rates[0][0][: len(r[0])])
                and np.array_equal(r[1], rates[0][1][: len(r[1])])
                for r in rates
            )
        )
        if not alike:
            return [self._together(xs[:n], [(paramset, f, n)])[0] for paramset, f, n in runs]
        entry, exit_, gap = rates[0]
        n_months = len(sim.months)
        if len(sim.pool):
            incomes = self._incomes(sim, entry, exit_, gap)
        else:
            incomes = np.zeros((n_months, len(xs), 0), np.float32)
        # a draw's prices are the window's; a scenario's own roll keeps its observed series (as draw does)
        prices = [
            np.stack([x[k] for x in xs]) if sim is self.window else np.tile(getattr(sim, a), (len(xs), 1))
            for k, a in (("cpi", "cpi"), ("food", "food"))
        ]
        copies = self._copies(sim, len(xs))
        out: list = [[] for _ in runs]
        for start in range(0, len(xs), copies.copies):
            part = slice(start, start + copies.copies)
            counts = [max(0, min(n - start, copies.copies)) for _, _, n in runs]
            chosen = [i for i, c in enumerate(counts) if c]
            tables = copies.sums(
                [(runs[i][0], fixed[i], counts[i]) for i in chosen],
                incomes[:, part],
                prices[0][part],
                prices[1][part],
                DRAWN_LEAVES,
            )
            for i, t in zip(chosen, tables):
                out[i] += t
        return out

    def _incomes(self, sim, entry: np.ndarray, exit_: np.ndarray, gap: np.ndarray) -> np.ndarray:
        """:meth:`civsim.engine.Simulation.incomes`, made once for the block's rates: the split's
        runs and every scenario leaving the roll's rates as they are read the full run's paths
        (a path is the same whichever paths step beside it)."""
        kept = self.__dict__.setdefault("_kept_incomes", [])
        n = len(entry)
        for other, e, x, g, incomes in kept:
            if (
                other is sim
                and len(e) >= n
                and np.array_equal(g, gap)
                and np.array_equal(e[:n], entry)
                and np.array_equal(x[:n], exit_)
            ):
                return incomes[:, :n]
        incomes = sim.incomes(entry, exit_, gap)
        kept.append((sim, entry, exit_, gap, incomes))
        return incomes

    def _rates_kept(self, sim, paramset: ParamSet, xs: list):
        """:meth:`_rates`, kept for the same simulation, draws and rate leaves (a page recomputing
        on every change mostly leaves the roll's rates as they are)."""
        leaves = tuple(paramset.leaves.get(path) for path in RATE_LEAVES)
        kept = self.__dict__.setdefault("_kept_rates", [])
        for other, other_xs, other_leaves, rates in kept:
            if (
                other is sim
                and len(other_xs) == len(xs)
                and all(a is b for a, b in zip(other_xs, xs))
                and all(a is b for a, b in zip(other_leaves, leaves))
            ):
                return rates
        rates = self._rates(sim, paramset, xs)
        kept.append((sim, list(xs), leaves, rates))
        del kept[:-8]
        return rates

    @staticmethod
    def _rates(sim, paramset: ParamSet, xs: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each draw's entry and exit rates (draws × months of the span) and the gap ratios they
        share: the rates of ``paramset`` times each draw's factor, as :func:`_scaled` applies it
        (checked against it on the first draw; where it differs, each draw's set is read)."""
        entry, exit_, gap = sim.rates(paramset)
        factors = [
            [1 + ((x[key] - 1) * 100) / 100 if paramset.has(path) else 1.0 for x in xs]
            for key, path in (("entry", DRAWN_LEAVES[0]), ("exit", DRAWN_LEAVES[1]))
        ]
        together = np.outer(factors[0], entry), np.outer(factors[1], exit_)
        first = sim.rates(_scaled(paramset, xs[0]["entry"], xs[0]["exit"]))
        if (
            np.array_equal(first[0], together[0][0])
            and np.array_equal(first[1], together[1][0])
            and np.array_equal(first[2], gap)
        ):
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
            if len(stacks) >= 4:  # a long-lived window: hold a few stacks, not every size met
                stacks.clear()
            stacks[key] = (sim, Copies(sim, size))
        return stacks[key][1]

    def __getstate__(self):
        state = dict(self.__dict__)
        for kept in ("_stacks", "_kept_positions", "_kept_incomes", "_kept_rates"):  # remade where the window goes
            state.pop(kept, None)
        return state
