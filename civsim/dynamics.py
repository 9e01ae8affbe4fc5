"""How the income-tested households' incomes move month by month around the anchor."""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .roll import AREAS, Roll


@dataclass
class IncomePath:
    """Per-capita income of each pool household month by month (float32, months × households).

    Each month a recipient's income rises above the anchor line with probability ``exit_rate``;
    a non-recipient's falls below it with the probability that brings ``entry_rate`` × stock new
    eligible households. Walking away from the anchor in both directions keeps the anchor exact.
    The uniform draws are fixed by the seed, so every scenario sees the same roll.
    """
    income: np.ndarray
    months: pd.PeriodIndex


def month_draws(roll: Roll, n: int):
    """The uniform draws (move, level) of each month a path steps through, in its order: from two
    streams of their own, fixed by the seed whatever the rates, one month at a time."""
    streams = [np.random.default_rng([roll.seed, 7, i]) for i in (0, 1)]
    while True:
        yield streams[0].random(n, dtype=np.float32), streams[1].random(n, dtype=np.float32)


class KeptDraws:
    """:func:`month_draws`, each month's kept once made: the paths of many rates on one roll (a
    Monte Carlo) read the same draws rather than make them again."""

    def __init__(self, roll: Roll, n: int):
        self._roll, self._n = roll, n
        self._source, self._made = month_draws(roll, n), []

    def __reduce__(self):   # travels (to a worker process) as the roll and size it remakes them from
        return (KeptDraws, (self._roll, self._n))

    def __iter__(self):
        for i in itertools.count():
            if i == len(self._made):
                self._made.append(next(self._source))
            yield self._made[i]


def income_path(roll: Roll, pool: np.ndarray, months: pd.PeriodIndex, entry_rate: float, exit_rate: float,
                gap_ratio: dict, draws=None) -> IncomePath:
    """Incomes of the income-tested households ``pool`` (rows of ``roll.households``); ``draws``
    the month draws to step with (default: :func:`month_draws`, made as they are read)."""
    n = len(pool)
    income0 = roll.households["income"].to_numpy(np.float32)[pool]
    area = roll.area_code[pool]
    line = np.array([roll.standard_at_anchor.get(a, 0.0) for a in AREAS], np.float32)[area]
    gaps = np.clip([gap_ratio[a] for a in AREAS], 0.01, 0.99)
    k = (gaps / (1 - gaps)).astype(np.float32)[area]
    span = pd.period_range(min(months[0], roll.anchor), max(months[-1], roll.anchor), freq="M")
    out = np.empty((len(span), n), np.float32)
    a = span.get_loc(roll.anchor)
    out[a] = income0
    below0 = income0 < line
    stock, others = max(below0.sum(), 1), max((~below0).sum(), 1)
    p_in = min(1.0, entry_rate * stock / others)
    # Draws for every month, made in one fixed order so paths do not depend on the rates.
    draws = iter(draws) if draws is not None else month_draws(roll, n)
    for step, direction in ((1, range(a + 1, len(span))), (-1, range(a - 1, -1, -1))):
        # Going back in time, entries and exits swap roles.
        p_exit, p_enter = (exit_rate, p_in) if step == 1 else (p_in * others / stock, exit_rate * stock / others)
        for j in direction:
            prev = out[j - step]
            below = prev < line
            move, level = next(draws)
            leave = np.flatnonzero(below & (move < p_exit))
            enter = np.flatnonzero(~below & (move < p_enter))
            out[j] = prev
            out[j, leave] = line[leave] * (1 + level[leave])          # above the line, up to 2×
            out[j, enter] = line[enter] * level[enter] ** k[enter]    # the recipients' income profile
    keep = [span.get_loc(m) for m in months]
    return IncomePath(out[keep], months)
