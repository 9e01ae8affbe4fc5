"""Why a program's money moves from one year to the next: 标准因素 + 人数因素 + 一次性及阶段性项目.

With ``full`` the year as projected, ``recurring`` the same with every non-recurring item taken
out and ``carried`` the recurring part with last year's standards (month m at its value of month
m − 12; :mod:`civsim.budget.overlays`), for budget year t and the year before:

* 一次性及阶段性项目 ``one_off = (full_t − recurring_t) − (full_{t−1} − recurring_{t−1})``: the
  non-recurring items that start, minus those that end;
* 标准因素 ``standard = recurring_t − carried_t``: this year's roll at this year's standards
  against the same roll at last year's — a household newly eligible because the standard rose is
  valued at its own (small) gap here;
* 人数因素 ``people = carried_t − recurring_{t−1}``: this year's roll against last year's, both at
  last year's standards — people joining or leaving, each at their own benefit.

The three add up to ``full_t − full_{t−1}`` exactly: every run is held in integer fen and the
terms telescope.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import engine, money, params as params_module, scenarios as scenarios_module
from ..params import ParamSet
from .overlays import carried_forward, recurring_only, repeat_recurring

KINDS = ("full", "recurring", "carried")
COMPONENTS = ("standard_yuan", "people_yuan", "one_off_yuan")


class ParameterSets:
    """The three parameter sets of one scenario over a budget window (``years`` after the base)."""

    def __init__(self, params: ParamSet, years):
        self.years = tuple(sorted(years))
        self.full = repeat_recurring(params, self.years)
        self.recurring = recurring_only(self.full)
        self.carried = carried_forward(self.recurring, self.years)
        self.scenario = params.scenario

    def __iter__(self):
        return iter((self.full, self.recurring, self.carried))


def fen(yuan) -> np.ndarray:
    return money.fen(yuan)


def by_year(frame: pd.DataFrame) -> pd.DataFrame:
    """A tidy engine table summed to (year, program): amount_yuan and person_times."""
    month_code, months = pd.factorize(frame["month"])
    program_code, programs = pd.factorize(frame["program"])
    years = np.array([m.year for m in months], np.int64)
    key = years[month_code] * len(programs) + program_code
    unique, inverse = np.unique(key, return_inverse=True)
    index = pd.MultiIndex.from_arrays(
        [unique // len(programs), np.asarray(programs)[unique % len(programs)]], names=["year", "program"]
    )
    # money in whole fen (the engine's amounts are), so the sums are exact in any order
    amount = money.fen(frame["amount_yuan"]).astype(np.float64)
    return pd.DataFrame(
        {
            "amount_yuan": money.yuan(np.bincount(inverse, weights=amount)),
            "person_times": np.bincount(inverse, weights=frame["person_times"].to_numpy(np.float64)),
        },
        index=index,
    )


def split(table: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """The three components for every year after ``base_year``.

    ``table``: index (year, program), integer-fen columns ``full``, ``recurring``, ``carried``
    covering ``base_year`` and the years after it (a missing row is zero). Returns one row per
    later year × program: year, program, previous_fen, amount_fen, standard_fen, people_fen,
    one_off_fen (previous + the three = amount, exactly).
    """
    years = sorted(y for y in table.index.get_level_values("year").unique() if y >= base_year)
    programs = list(dict.fromkeys(table.index.get_level_values("program")))
    full = table.reindex(pd.MultiIndex.from_product([years, programs], names=["year", "program"]), fill_value=0)
    rows = []
    for year in years[1:]:
        now, before = full.loc[year], full.loc[year - 1]
        one_off = (now["full"] - now["recurring"]) - (before["full"] - before["recurring"])
        rows.append(
            pd.DataFrame(
                {
                    "year": year,
                    "program": programs,
                    "previous_fen": before["full"].to_numpy(),
                    "amount_fen": now["full"].to_numpy(),
                    "standard_fen": (now["recurring"] - now["carried"]).to_numpy(),
                    "people_fen": (now["carried"] - before["recurring"]).to_numpy(),
                    "one_off_fen": one_off.to_numpy(),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def decompose(
    district=None,
    year: int | None = None,
    scenario=None,
    *,
    seed: int = 1,
    params: ParamSet | None = None,
    roll=None,
    simulations=None,
) -> pd.DataFrame:
    """The change from ``year − 1`` to ``year`` per program, split into its three components.

    ``district`` (code or name) or ``params`` (a ParamSet, e.g. the explorer's current one) give
    the parameters; ``scenario`` (a name or :class:`civsim.scenarios.Scenario`) is applied to
    them; ``roll`` is a bureau's roll (default: the synthetic one for ``seed``). ``simulations`` —
    an :class:`civsim.engine.Simulation` of ``year − 1`` and one of ``year`` on the same roll — are
    reused instead (a caller that recomputes often, like the explorer, builds them once). One
    deterministic run per parameter set; next year's CPI is the observed series where it exists.

    Columns: program, base_yuan, budget_yuan, change_yuan, standard_yuan, people_yuan,
    one_off_yuan (yuan to the fen; the three components add up to change_yuan exactly),
    base_person_times, budget_person_times. Programs in the engine's order; a program that pays
    nothing in either year is left out.
    """
    if year is None or isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        from ..errors import CivsimError

        raise CivsimError("decompose", "year", f"bad year {year!r}", "a calendar year such as 2021")
    year = int(year)
    base = params if params is not None else params_module.load(district)
    chosen = base
    if scenario is not None:
        scenario = scenario if isinstance(scenario, scenarios_module.Scenario) else scenarios_module.load(scenario)
        chosen = scenarios_module.apply(base, scenario, year)
    sets = ParameterSets(chosen, [year])
    if simulations is not None:
        this, following = simulations
    else:
        this = engine.Simulation(base, year - 1, seed, roll=roll)
        following = engine.Simulation(base, year, seed, roll=this.roll)
    table, times = _runs(this, following, sets)
    parts = split(table, year - 1)
    out = pd.DataFrame(
        {
            "program": parts["program"],
            "base_yuan": parts["previous_fen"] / 100,
            "budget_yuan": parts["amount_fen"] / 100,
            "change_yuan": (parts["amount_fen"] - parts["previous_fen"]) / 100,
            "standard_yuan": parts["standard_fen"] / 100,
            "people_yuan": parts["people_fen"] / 100,
            "one_off_yuan": parts["one_off_fen"] / 100,
        }
    )
    out["base_person_times"] = out["program"].map(times.get(year - 1, {})).fillna(0.0).round(2)
    out["budget_person_times"] = out["program"].map(times.get(year, {})).fillna(0.0).round(2)
    paying = (parts[["previous_fen", "amount_fen"]] != 0).any(axis=1) | (
        out[["base_person_times", "budget_person_times"]] != 0
    ).any(axis=1)
    return out[paying.to_numpy()].reset_index(drop=True)


def _runs(this: engine.Simulation, following: engine.Simulation, sets: ParameterSets):
    """Integer-fen (year, program) table of the three runs, and the full run's person-times."""
    columns, times = {}, {}
    for kind, paramset in zip(KINDS, sets):
        parts = [by_year(this.run(paramset)), by_year(following.run(paramset))]
        totals = pd.concat(parts)
        columns[kind] = pd.Series(fen(totals["amount_yuan"]), index=totals.index)
        if kind == "full":
            for (y, program), q in totals["person_times"].items():
                times.setdefault(y, {})[program] = q
    table = pd.DataFrame(columns).fillna(0).astype(np.int64)
    return table, times


__all__ = ["ParameterSets", "decompose", "split", "by_year", "fen", "KINDS", "COMPONENTS"]
