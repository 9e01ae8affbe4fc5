"""The 低保 pool's incomes for many rate paths at once (a Monte Carlo's draws): a month whose gap
ratio is not the one the incomes were drawn with reads each income below the line anew, and the
shortcuts taken for the incomes that did not move give what reading every income anew gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

from civsim import dynamics, engine, params
from civsim.roll import AREAS


def test_incomes_read_at_each_months_gap_ratio_are_every_income_read_anew():
    base = params.load("东西湖区")
    sim = engine.Simulation(base, 2021, months=pd.period_range("2021-01", "2023-12", freq="M"))
    entry, exit_, gap = sim.rates(base)
    roll, pool = sim.roll, sim.pool
    span = dynamics.span(roll, sim.months)
    anchor = span.get_loc(roll.anchor)
    gap = np.array(gap, np.float64)
    gap[anchor + 5 :, 1] += 0.05  # the rural gap ratio moves twice after the anchor
    gap[anchor + 17 :, 1] += 0.05
    factors = np.random.default_rng(3).uniform(0.7, 1.3, (20, 2))
    rates = np.outer(factors[:, 0], entry), np.outer(factors[:, 1], exit_)
    read = dynamics.income_paths(roll, pool, sim.months, *rates, gap)
    # the same draws at the anchor's ratio throughout: the incomes as drawn, never read anew
    raw = dynamics.income_paths(roll, pool, sim.months, *rates, np.broadcast_to(gap[anchor], gap.shape))
    area = roll.area_code[pool]
    line = np.array([roll.standard_at_anchor.get(a, 0.0) for a in AREAS], np.float32)[area]
    k = dynamics.drawn_k(roll, pool, gap[anchor])
    changed = 0
    for i, month in enumerate(sim.months):
        ratio = dynamics._k(gap[span.get_loc(month)])[area] / k
        below = (raw[i] < line) & (ratio != 1)
        expected = np.where(
            below, line * np.power(np.divide(raw[i], line, where=below, out=np.ones_like(raw[i])), ratio), raw[i]
        )
        assert np.array_equal(read[i], expected), month
        changed += int(below.any())
    assert changed >= 30 and not np.array_equal(read, raw)
