"""The budget window (中期财政规划): the next three years per program, with a range and the split.

``project(district, year, scenarios)`` takes ``year − 1`` as the base year (the model's estimate
of the year now closing) and projects ``year`` and the two years after it under the baseline and
each scenario, on one roll. Per year and program it gives the P10/P50/P90 of a seeded Monte
Carlo, the expected amount (the mean over the draws: means add up over programs, so the 合计 is
the sum of its lines) and the change from the year before split into 标准因素, 人数因素 and
一次性及阶段性项目 (:mod:`civsim.budget.components`), adding up to the fen.

**The baseline** is the params as they stand: a standard with no dated change is held flat at
its value of December of the base year (listed in ``held_flat``), and a supplement declared
recurring repeats its base-year months (``repeated``). A scenario may date several changes, e.g.
+5 % from each January of the window (:func:`civsim.scenarios.parse`).

**Uncertainty** (every draw ``d`` has its own generator seeded by (seed, district code, year, d),
so more draws extend fewer and a seed gives the same numbers; every scenario sees the same draws):

* the 低保 roll: ``dibao.entry_rate`` and ``dibao.exit_rate`` each scaled by a factor uniform on
  ``RATE_FACTOR``; the lines whose money moves with those rates take their range from the roll;
* every other caseload (特困, 两项补贴, children, elderly, cases per month, grants per household):
  a yearly factor, compounded over the window, uniform on 1 ± ``CASELOAD_SPREAD`` around the trend
  of the bureau's reported series where it reports the caseload in two or more years, around no
  change where it does not (``caseload`` lists which, and why);
  ±5 % is of the order of the yearly change the 低保 roll's ±30 % turnover gives (P10–P90 about
  ±3 % for 东西湖区's first year);
* prices: monthly CPI and food CPI y/y follow a random walk from the last month observed by the
  end of the base year, with the s.d. of the month-to-month changes over ``CPI_WINDOW`` months
  (only the 价格临时补贴 depend on it).

**The split** of each mean change needs the recurring and carried-forward runs too; they are made
in the first ``window.SPLIT_DRAWS`` draws only, and their means are the mean of the full runs times their
ratio to it in those draws — exact when every draw is a split draw, a ratio of exactly 1 for a
line with no non-recurring item or standard change, exactly 0 for a wholly non-recurring line —
so the three components still add up to the change to the fen.

**What a draw runs**: a draw changes only the roll's rates (so the 低保 incomes), the prices and
the caseload factors, which scale each line's yearly sum afterwards. The programs that read
neither the incomes nor the prices, nor a line of one that does (特困 care, nursing subsidies,
case flows …), pay the same in every draw: their lines are computed once per parameter set
(:meth:`civsim.engine.Simulation.fixed`) and every draw runs only the rest — the same numbers, to
the bit, as running every program each time. The incomes' month draws are fixed by the seed
whatever the rates, so they are made once and kept (:class:`civsim.dynamics.KeptDraws`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .. import params as params_module, provenance, scenarios as scenarios_module
from ..errors import CivsimError
from ..params import ParamSet
from ..engine.draws import copies_for
from .components import KINDS, ParameterSets, fen, split
from .overlays import non_recurring_items, repeated_items, standards_held_flat
from .window import (
    BASELINE,
    CASELOAD_SPREAD,
    CPI_WINDOW,
    RATE_FACTOR,
    TOTAL,
    YEARS,
    Window,
    cpi_start,
    reported_trend,
)


@dataclass(frozen=True)
class Projection:
    """The budget window: tidy tables, money in yuan to the fen, baseline first.

    * ``lines`` — one row per scenario × year × program (and a ``total`` row per scenario × year):
      previous_yuan (the year before: the base year's model figure, or the previous year's mean),
      mean_yuan, p10/p50/p90_yuan, change_yuan = standard_yuan + people_yuan + one_off_yuan,
      person_times, mc_se_yuan, family (the caseload the line rides on), uncertainty (roll / trend /
      assumed / none; sum on a total) and, where the range has no width, why (``no_range``:
      not_paid / single_draw / fixed).
    * ``base`` — the base year per scenario and program (amount, person-times, non-recurring part).
    * ``reserve`` — the 临时救助 street reserve per scenario and year.
    * ``caseload`` — the caseload uncertainty of each program family and its reason.
    * ``samples`` — every draw: scenario, draw, year, program, amount_yuan, person_times.
    * ``items`` — per scenario: the base year's non-recurring items, the standards held flat, the
      recurring items repeated; ``changes`` — each scenario's dated changes; ``settings`` — the
      Monte Carlo settings actually used (rate factors, caseload spread, CPI starts and steps).
    * ``provenance`` — civsim version, params hash, roll hash or "synthetic", seed, date.
    """

    district: str
    district_name: str
    year: int
    years: tuple[int, ...]
    draws: int
    seed: int
    scenarios: tuple[str, ...]
    titles: dict = field(repr=False)
    lines: pd.DataFrame = field(repr=False)
    base: pd.DataFrame = field(repr=False)
    reserve: pd.DataFrame = field(repr=False)
    caseload: pd.DataFrame = field(repr=False)
    samples: pd.DataFrame = field(repr=False)
    items: dict = field(repr=False)
    changes: dict = field(repr=False)
    settings: dict = field(repr=False)
    provenance: dict = field(repr=False)

    @property
    def base_year(self) -> int:
        return self.year - 1

    def split(self, scenario: str = BASELINE, year: int | None = None) -> pd.DataFrame:
        """One scenario-year in the columns of :func:`civsim.budget.decompose` (the Monte Carlo
        means instead of one deterministic run), without the total row."""
        year = self.year if year is None else year
        self.total(scenario, year)  # a clear error for an unknown scenario or year
        rows = self.lines[
            (self.lines["scenario"] == scenario) & (self.lines["year"] == year) & (self.lines["program"] != TOTAL)
        ].set_index("program")
        if year == self.year:
            before = self.base[self.base["scenario"] == scenario].set_index("program")["person_times"]
        else:
            before = self.lines[(self.lines["scenario"] == scenario) & (self.lines["year"] == year - 1)]
            before = before.set_index("program")["person_times"]
        return pd.DataFrame(
            {
                "program": rows.index,
                "base_yuan": rows["previous_yuan"].to_numpy(),
                "budget_yuan": rows["mean_yuan"].to_numpy(),
                "change_yuan": rows["change_yuan"].to_numpy(),
                "standard_yuan": rows["standard_yuan"].to_numpy(),
                "people_yuan": rows["people_yuan"].to_numpy(),
                "one_off_yuan": rows["one_off_yuan"].to_numpy(),
                "base_person_times": before.reindex(rows.index, fill_value=0.0).to_numpy(),
                "budget_person_times": rows["person_times"].to_numpy(),
            }
        )

    def total(self, scenario: str = BASELINE, year: int | None = None) -> pd.Series:
        """The 合计 row of one scenario and year (default: the first budget year)."""
        year = self.year if year is None else year
        rows = self.lines[
            (self.lines["scenario"] == scenario) & (self.lines["program"] == TOTAL) & (self.lines["year"] == year)
        ]
        if rows.empty:
            raise CivsimError(
                "projection",
                "scenario/year",
                f"no scenario {scenario!r} in {year}",
                f"one of {', '.join(self.scenarios)} and a year in {self.years}",
            )
        return rows.iloc[0]


# ---------------------------------------------------------------- the draws' inputs

# ---------------------------------------------------------------- the projection


def _scenario_list(base: ParamSet, chosen, years) -> tuple[list[ParamSet], dict, dict]:
    sets, titles, changes = [base], {BASELINE: "基准"}, {BASELINE: []}
    for item in chosen:
        scenario = item if isinstance(item, scenarios_module.Scenario) else scenarios_module.load(item)
        if scenario.name == BASELINE or scenario.name in titles:
            raise CivsimError(
                scenario.file or "scenarios",
                "name",
                f"scenario {scenario.name!r} given twice or named like the baseline",
                "distinct scenario names other than 'baseline'",
            )
        start, end = dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31)
        for i, change in enumerate(scenario.changes):
            if change.start > end or (change.end and change.end < start):
                raise CivsimError(
                    scenario.file,
                    f"changes[{i}]",
                    f"the period from {change.start} misses the budget window {years[0]}–{years[-1]}",
                    f"a period that overlaps {years[0]}–{years[-1]}",
                )
        sets.append(scenarios_module.apply(base, scenario))
        titles[scenario.name] = scenario.title
        changes[scenario.name] = scenario.to_dict()["changes"]
    return sets, titles, changes


# The workbook names its inputs as the reports do (one hash of each).
params_hash, roll_hash = provenance.params_hash, provenance.roll_hash


def project(
    district, year: int, scenarios=(), draws: int = 200, seed: int = 1, years: int = YEARS, roll=None, runner=map
) -> Projection:
    """Project ``year`` and the ``years − 1`` after it from ``year − 1`` for the baseline and each
    scenario (names under params/scenarios or :class:`civsim.scenarios.Scenario` objects).

    ``runner(function, blocks)`` maps :meth:`Window.block` over blocks of draw numbers (ranges;
    default the built-in ``map``; a distributed client's map works the same). Deterministic for a
    seed, whatever the blocks.
    """
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise CivsimError("project", "draws", f"bad number of draws {draws!r}", "an integer of 1 or more")
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise CivsimError("project", "year", f"bad year {year!r}", "a calendar year such as 2021")
    if isinstance(years, bool) or not isinstance(years, (int, np.integer)) or not 1 <= years <= 5:
        raise CivsimError("project", "years", f"bad window {years!r}", "1 to 5 budget years")
    year, draws = int(year), int(draws)
    base = params_module.load(district)
    window_years = tuple(range(year, year + int(years)))
    paramsets, titles, changes = _scenario_list(base, list(scenarios or ()), window_years)
    sets = [ParameterSets(p, window_years) for p in paramsets]
    model = Window(base, year, sets, seed, roll=roll, years=int(years))
    size = copies_for(model.window, draws)  # draws evaluated together, in blocks that bound memory
    blocks = [range(start, min(start + size, draws)) for start in range(0, draws, size)]
    samples = pd.concat(list(runner(model.block, blocks)), ignore_index=True)
    names = [s.scenario for s in sets]
    lines, base_rows = _lines(model, samples, names, draws)
    items = {
        s.scenario: {
            "non_recurring": non_recurring_items(s.full, year - 1),
            "held_flat": standards_held_flat(s.full, year - 1, window_years),
            "repeated": repeated_items(p, s.full, window_years),
        }
        for p, s in zip(paramsets, sets)
    }
    settings = {
        "rate_factor": RATE_FACTOR,
        "caseload_spread": CASELOAD_SPREAD,
        "cpi": model.cpi,
        "cpi_window": CPI_WINDOW,
        "entry_rate": base.get("dibao.entry_rate", dt.date(year, 1, 1), 0.0),
        "exit_rate": base.get("dibao.exit_rate", dt.date(year, 1, 1), 0.0),
    }
    provenance = {
        "version": _version(),
        "params_hash": params_hash(base),
        "roll_hash": roll_hash(roll),
        "seed": seed,
        "draws": draws,
        "date": dt.date.today().isoformat(),
    }
    tidy = samples.rename(columns={"full": "amount_fen"})
    tidy = tidy.assign(amount_yuan=tidy["amount_fen"] / 100)[
        ["scenario", "draw", "year", "program", "amount_yuan", "person_times"]
    ]
    return Projection(
        base.district.code,
        base.district.name,
        year,
        window_years,
        draws,
        seed,
        tuple(names),
        titles,
        lines,
        base_rows,
        _reserve(model, lines, paramsets, window_years),
        model.caseload,
        tidy,
        items,
        changes,
        settings,
        provenance,
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("civsim")
    except PackageNotFoundError:
        return "unknown"


def _lines(model: Window, samples: pd.DataFrame, names, draws: int):
    kinds = list(KINDS)
    rows, base_rows = [], []
    programs = list(
        dict.fromkeys(list(model.base_table[names[0]].index.get_level_values(1)) + list(pd.unique(samples["program"])))
    )  # in the order first met
    for name in names:
        base = model.base_table[name].reset_index(level="year", drop=True).reindex(programs, fill_value=0)
        data = samples[samples["scenario"] == name]
        index = pd.MultiIndex.from_product([range(draws), model.years, programs], names=["draw", "year", "program"])
        full = data.set_index(["draw", "year", "program"])[["full", "person_times", "non_recurring", "standard"]]
        full = full.reindex(index, fill_value=0)
        sums = full.groupby(level=["year", "program"]).sum()
        n_split = min(draws, model.split_draws)
        split_sums = full[full.index.get_level_values("draw") < n_split].groupby(level=["year", "program"]).sum()
        # The mean of the full runs is over every draw; the recurring and carried-forward means
        # scale it by their ratio to it in the split draws (exact when every draw is a split draw;
        # a line with no non-recurring item or no standard change keeps a ratio of exactly 1, a
        # wholly non-recurring line one of 0). Where the ratio is undefined, the mean difference.
        mean_full = np.round(sums["full"].to_numpy() / draws)
        full_s = split_sums["full"].to_numpy().astype(np.float64)
        recurring_s = full_s - split_sums["non_recurring"].to_numpy()
        carried_s = recurring_s - split_sums["standard"].to_numpy()
        mean_recurring = _scaled_mean(mean_full, recurring_s, full_s, n_split)
        mean_carried = _scaled_mean(mean_recurring, carried_s, recurring_s, n_split)
        mean_full, mean_recurring, mean_carried = (
            a.astype(np.int64) for a in (mean_full, mean_recurring, mean_carried)
        )
        means = pd.DataFrame(
            {"full": mean_full, "recurring": mean_recurring, "carried": mean_carried}, index=sums.index
        )
        table = pd.concat([base[kinds].assign(year=model.year - 1).set_index("year", append=True).swaplevel(), means])
        parts = split(table, model.year - 1)
        amounts = full["full"].to_numpy().reshape(draws, len(model.years), len(programs))
        p10, p50, p90 = np.percentile(amounts, [10, 50, 90], axis=0)
        se = amounts.std(axis=0, ddof=1) / np.sqrt(draws) if draws > 1 else np.full(amounts.shape[1:], np.nan)
        totals = amounts.sum(axis=2)
        t10, t50, t90 = np.percentile(totals, [10, 50, 90], axis=0)
        tse = totals.std(axis=0, ddof=1) / np.sqrt(draws) if draws > 1 else np.full(len(model.years), np.nan)
        times = sums["person_times"] / draws
        times_at = times.to_dict()
        kind = dict(zip(model.caseload["family"], model.caseload["kind"]))
        for i, year in enumerate(model.years):
            block = parts[parts["year"] == year].set_index("program").reindex(programs)
            records = block.to_dict("index")
            for j, program in enumerate(programs):
                r = SimpleNamespace(**records[program])
                width = p90[i, j] - p10[i, j]
                rows.append(
                    {
                        "scenario": name,
                        "year": year,
                        "program": program,
                        "previous_yuan": r.previous_fen / 100,
                        "mean_yuan": r.amount_fen / 100,
                        "p10_yuan": _to_yuan(p10[i, j]),
                        "p50_yuan": _to_yuan(p50[i, j]),
                        "p90_yuan": _to_yuan(p90[i, j]),
                        "change_yuan": (r.amount_fen - r.previous_fen) / 100,
                        "standard_yuan": r.standard_fen / 100,
                        "people_yuan": r.people_fen / 100,
                        "one_off_yuan": r.one_off_fen / 100,
                        "person_times": round(float(times_at.get((year, program), 0.0)), 2),
                        "mc_se_yuan": round(float(se[i, j]) / 100, 2),
                        "family": model.families.get(program, program),
                        "uncertainty": kind.get(model.families.get(program, program), "none"),
                        "no_range": ""
                        if width > 0
                        else ("not_paid" if not amounts[:, i, j].any() else "single_draw" if draws == 1 else "fixed"),
                    }
                )
            block = parts[parts["year"] == year]
            rows.append(
                {
                    "scenario": name,
                    "year": year,
                    "program": TOTAL,
                    "previous_yuan": int(block["previous_fen"].sum()) / 100,
                    "mean_yuan": int(block["amount_fen"].sum()) / 100,
                    "p10_yuan": _to_yuan(t10[i]),
                    "p50_yuan": _to_yuan(t50[i]),
                    "p90_yuan": _to_yuan(t90[i]),
                    "change_yuan": int(block["amount_fen"].sum() - block["previous_fen"].sum()) / 100,
                    "standard_yuan": int(block["standard_fen"].sum()) / 100,
                    "people_yuan": int(block["people_fen"].sum()) / 100,
                    "one_off_yuan": int(block["one_off_fen"].sum()) / 100,
                    "person_times": round(float(times.xs(year, level="year").sum()), 2),
                    "mc_se_yuan": round(float(tse[i]) / 100, 2),
                    "family": "",
                    "uncertainty": "sum",
                    "no_range": "" if t90[i] > t10[i] else ("single_draw" if draws == 1 else "fixed"),
                }
            )
        for program in programs:
            b = base.loc[program]
            base_rows.append(
                {
                    "scenario": name,
                    "year": model.year - 1,
                    "program": program,
                    "amount_yuan": int(b["full"]) / 100,
                    "person_times": round(float(b["person_times"]), 2),
                    "one_off_yuan": int(b["full"] - b["recurring"]) / 100,
                }
            )
    lines = pd.DataFrame(rows)
    paying = lines.groupby("program")[["previous_yuan", "mean_yuan", "p90_yuan"]].apply(lambda g: (g != 0).any().any())
    lines = lines[lines["program"].map(paying)].reset_index(drop=True)
    base_frame = pd.DataFrame(base_rows)
    return lines, base_frame[base_frame["program"].isin(lines["program"])].reset_index(drop=True)


def _scaled_mean(mean_of: np.ndarray, part: np.ndarray, whole: np.ndarray, n: int) -> np.ndarray:
    """``mean_of × part/whole`` where ``whole`` is not 0, else ``mean_of − (whole − part)/n``; fen."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(whole != 0, part / whole, np.nan)
    return np.where(whole != 0, np.round(mean_of * np.nan_to_num(ratio)), mean_of - np.round((whole - part) / n))


def _to_yuan(value_fen: float) -> float:
    return int(np.round(value_fen)) / 100


def _reserve(model: Window, lines: pd.DataFrame, paramsets, years) -> pd.DataFrame:
    """临时救助 street reserve per scenario and year: its percent × the year before's 低保 money."""
    from ..programs.temporary import street_reserve

    rows = []
    for paramset in paramsets:
        dibao = lines[(lines["scenario"] == paramset.scenario) & (lines["program"] == "dibao")].set_index("year")
        for year in years:
            previous = float(dibao["previous_yuan"].get(year, 0.0)) if len(dibao) else 0.0
            percent = paramset.get("temporary.street_reserve", dt.date(year, 1, 1), np.nan)
            rows.append(
                {
                    "scenario": paramset.scenario,
                    "year": year,
                    "previous_dibao_yuan": previous,
                    "reserve_percent": percent,
                    "reserve_yuan": fen(street_reserve(previous, percent)).item() / 100
                    if np.isfinite(percent)
                    else np.nan,
                }
            )
    return pd.DataFrame(rows)


# The symmetric (Shapley) price/volume split of amount = price × volume, kept for callers that
# still show it; the budget itself uses civsim.budget.decompose.
def split_price_volume(this_yuan: float, this_q: float, next_yuan: float, next_q: float) -> tuple[float, float]:
    """(price effect, volume effect) in yuan, to the fen, adding up exactly to the change."""
    change = round(next_yuan * 100) - round(this_yuan * 100)
    if this_q > 0 and next_q > 0:
        p0, p1 = this_yuan / this_q, next_yuan / next_q
        price = round((p1 - p0) * (this_q + next_q) / 2 * 100)
    elif this_q <= 0 and next_q <= 0:
        price = change
    else:
        price = 0
    return price / 100, (change - price) / 100


__all__ = [
    "Projection",
    "Window",
    "project",
    "cpi_start",
    "reported_trend",
    "params_hash",
    "roll_hash",
    "RATE_FACTOR",
    "CASELOAD_SPREAD",
    "CPI_WINDOW",
    "YEARS",
    "BASELINE",
    "TOTAL",
]
