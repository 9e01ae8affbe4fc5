"""The monthly loop: move the roll, call each program's rule, collect one tidy table.

``simulate(district, year, scenarios)`` runs the baseline and any number of scenarios on one roll
(the same households, persons and random draws), so differences come from policy alone.
Output columns: jurisdiction, scenario, month, program, area, [street,] households, persons,
person_times, amount_yuan — one row per month × line × area (× street when the roll has streets).
``households`` counts the households paid by a household program (0 for person and case lines);
``persons`` the persons paid (a household's members for a household program); each recipient is
one person-time a month. ``Simulation.run(params, detail=True)`` also returns each household's and
person's amount per month (:class:`Detail`).

The package: ``candidates`` (what the rules read from a roll), ``month`` (one month as a rule sees
it), ``simulation`` (the run loop), ``reuse`` (the Monte Carlo's recorded lines), ``tidy`` (the
table and its sums).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import money, params as params_module, scenarios as scenarios_module, schema
from ..errors import CivsimError
from ..params import ParamSet
from ..roll import Roll
from .candidates import Prepared, View
from .month import Month
from .reuse import Fixed
from .simulation import Detail, Simulation, year_months
from .tidy import COLUMNS, KEYS, MEASURES, Lines, finish, stock, to_csv_frame, year_totals


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


def runs(sim: Simulation, sets: list[ParamSet]) -> list[pd.DataFrame]:
    """The table of each parameter set, the first the baseline: a scenario takes the baseline's
    lines of every program that reads none of the leaves it changes (:meth:`Simulation.reusing`),
    the same lines as running them again."""
    return [paid.frame() for paid in _lines(sim, sets)]


def _lines(sim: Simulation, sets: list[ParamSet]) -> list[Lines]:
    """:func:`runs` before the tables are made."""
    if len(sets) < 2:
        return [sim.lines(p) for p in sets]
    record: dict = {}
    paid = [sim.lines(sets[0], record=record)]
    return paid + [sim.lines(p, fixed=sim.reusing(sets[0], record, p)) for p in sets[1:]]


def _same(one: Lines, other: Lines) -> bool:
    """Whether two runs' tables hold the same lines and measures (as their frames compare)."""
    if one.values.shape != other.values.shape:
        return False
    n, m = len(one.groups), len(other.groups)
    if not (one.lines == other.lines if n == m else np.array_equal(np.repeat(one.lines, n), np.repeat(other.lines, m))):
        return False
    return np.array_equal(one.values[:, :3], other.values[:, :3], equal_nan=True) and np.array_equal(
        money.yuan(one.values[:, 3]), money.yuan(other.values[:, 3]), equal_nan=True
    )


def simulate(
    district, year: int, scenarios=(), seed: int | None = None, params: ParamSet | None = None, roll: Roll | None = None
) -> pd.DataFrame:
    """Baseline and scenarios for one district-year on one shared roll (tidy DataFrame)."""
    base = params if params is not None else params_module.load(district)
    sim = Simulation(base, year, 1 if seed is None else seed, roll=roll)
    sets = scenario_sets(base, scenarios, year)
    paid = _lines(sim, sets)
    for scenario, lines in zip(scenarios, paid[1:]):
        if _same(lines, paid[0]):
            name = scenario.name if isinstance(scenario, scenarios_module.Scenario) else str(scenario)
            raise CivsimError(
                getattr(scenario, "file", "") or f"scenario {name}",
                "changes",
                f"changes nothing in {year}: the leaves it changes pay no one that year",
                "a change that reaches someone paid in the simulated year",
            )
    frame = finish(paid)
    # what the roll could not hold, in the user's words (the command line prints it)
    frame.attrs["notes"] = [
        f"{path}：人数为{month}的数字，晚于{year}年，本年名册不计入" for path, month in sim.roll.unplaced.items()
    ]
    frame.attrs["unplaced"] = {path: str(month) for path, month in sim.roll.unplaced.items()}
    frame.attrs["district"] = base.district.slug
    if sim.roll.reads:  # the leaves a synthetic roll was drawn from (a bureau roll: None)
        frame.attrs["drawn_from"] = sorted(set().union(*sim.roll.reads.values()))
    return frame


def require_someone(frame: pd.DataFrame, year: int) -> None:
    """A district-year run for a user (the command line, a province run) whose roll could place no
    count and that pays no one is an error naming the first count, not a table of zeros (a summary's
    last-year comparison may run such a year and say 上年无可比数据)."""
    unplaced = frame.attrs.get("unplaced") or {}
    if unplaced and not (frame["amount_yuan"].abs() > 0).any():
        path, month = min(unplaced.items(), key=lambda item: item[1])
        raise CivsimError(
            f"params/{frame.attrs.get('district', '')}",
            path,
            f"every count is for a later year (from {month}): a roll for {year} holds no one",
            f"a year the district's counts cover ({month[:4]} or later)",
        )


__all__ = [
    "Simulation",
    "simulate",
    "runs",
    "require_someone",
    "scenario_sets",
    "Detail",
    "Fixed",
    "Month",
    "View",
    "Prepared",
    "to_csv_frame",
    "year_totals",
    "stock",
    "year_months",
    "COLUMNS",
    "KEYS",
    "MEASURES",
]
