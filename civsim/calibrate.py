"""Fit one parameter to one reported figure, by bisection on the full model.

Used to set a params value marked ``calibration:`` with ``fitted_to: "<program> <measure>
<period>"``; ``tests/test_calibration.py`` re-runs every such fit and checks the shipped value,
so a calibration note cannot drift from what the model actually needs.
"""
from __future__ import annotations

import datetime as dt

from . import engine, params as params_module, reported, scenarios
from .errors import CivsimError
from .reconcile import model_figure


def fit(district, year: int, path: str, figure: str, low: float, high: float, tolerance: float = 0.01,
        seed: int = 1) -> float:
    """The value of leaf ``path`` (constant over ``year``) at which the model's figure equals the
    reported ``figure`` ("program measure period"), to ``tolerance`` in the leaf's unit."""
    params = params_module.load(district)
    program, measure, period = figure.split()
    rows = reported.for_district(params.district.code, year)
    rows = rows[(rows.program == program) & (rows.measure == measure) & (rows.period == period)]
    if len(rows) != 1:
        raise CivsimError("data/reported", figure, f"{len(rows)} reported rows match", "exactly one")
    row = next(rows.itertuples(index=False))
    sim = engine.Simulation(params, year, seed)

    def model(value: float) -> float:
        change = scenarios.Change(path, dt.date(year, 1, 1), None, value=value)
        trial = scenarios.apply(params, scenarios.Scenario("fit", "fit", (change,)), year)
        return model_figure(sim.run(trial).assign(scenario="baseline"), row, trial)[0] - row.value

    lo, hi = low, high
    if model(lo) > 0 or model(hi) < 0:
        raise CivsimError(path, figure, f"no value in [{low}, {high}] reaches {row.value:g}", "a wider bracket")
    while hi - lo > tolerance:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if model(mid) < 0 else (lo, mid)
    return round((lo + hi) / 2, 2)
