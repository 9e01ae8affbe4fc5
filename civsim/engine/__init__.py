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

import pandas as pd

from .. import params as params_module, scenarios as scenarios_module, schema
from ..errors import CivsimError
from ..params import ParamSet
from ..roll import Roll
from .candidates import Prepared, View
from .month import Month
from .reuse import Fixed
from .simulation import Detail, Simulation, year_months
from .tidy import COLUMNS, KEYS, MEASURES, _finish, stock, to_csv_frame, year_totals


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
    if len(sets) < 2:
        return [sim.run(p) for p in sets]
    record: dict = {}
    frames = [sim.run(sets[0], record=record)]
    return frames + [sim.run(p, fixed=sim.reusing(sets[0], record, p)) for p in sets[1:]]


def simulate(district, year: int, scenarios=(), seed: int | None = None, params: ParamSet | None = None,
             roll: Roll | None = None) -> pd.DataFrame:
    """Baseline and scenarios for one district-year on one shared roll (tidy DataFrame)."""
    base = params if params is not None else params_module.load(district)
    sim = Simulation(base, year, 1 if seed is None else seed, roll=roll)
    sets = scenario_sets(base, scenarios, year)
    frames = runs(sim, sets)
    for scenario, frame in zip(scenarios, frames[1:]):
        if frame[MEASURES].equals(frames[0][MEASURES]) and frame["program"].equals(frames[0]["program"]):
            name = scenario.name if isinstance(scenario, scenarios_module.Scenario) else str(scenario)
            raise CivsimError(getattr(scenario, "file", "") or f"scenario {name}", "changes",
                              f"changes nothing in {year}: the leaves it changes pay no one that year",
                              "a change that reaches someone paid in the simulated year")
    return _finish(frames)


__all__ = ["Simulation", "simulate", "runs", "scenario_sets", "Detail", "Fixed", "Month", "View", "Prepared", "to_csv_frame",
           "year_totals", "stock", "year_months", "COLUMNS", "KEYS", "MEASURES"]
