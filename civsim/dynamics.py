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


def month_draws(roll: Roll, n: int, n_base: int | None = None):
    """The uniform draws (move, level) of each month a path steps through, in its order: from two
    streams of their own, fixed by the seed whatever the rates, one month at a time. The households
    a scenario's roll adds after the first ``n_base`` draw from streams of their own, so the
    baseline's households step as they do in the baseline."""
    n_base = n if n_base is None else n_base
    streams = [np.random.default_rng([roll.seed, 7, i]) for i in (0, 1)]
    added = [np.random.default_rng([roll.seed, 8, i]) for i in (0, 1)]
    while True:
        if n_base == n:
            yield streams[0].random(n, dtype=np.float32), streams[1].random(n, dtype=np.float32)
        else:
            yield tuple(np.concatenate([s.random(n_base, dtype=np.float32), a.random(n - n_base, dtype=np.float32)])
                        for s, a in zip(streams, added))


def pool_base(roll: Roll, pool: np.ndarray) -> int | None:
    """How many of the pool's households are the baseline roll's (None: all of them)."""
    return None if roll.base_rows is None else int((pool < roll.base_rows).sum())


class KeptDraws:
    """:func:`month_draws`, each month's kept once made: the paths of many rates on one roll (a
    Monte Carlo) read the same draws rather than make them again."""

    def __init__(self, roll: Roll, n: int, n_base: int | None = None):
        self._roll, self._n, self._base = roll, n, n_base
        self._source, self._made = month_draws(roll, n, n_base), []

    def __reduce__(self):   # travels (to a worker process) as the roll and size it remakes them from
        return (KeptDraws, (self._roll, self._n, self._base))

    def __iter__(self):
        for i in itertools.count():
            if i == len(self._made):
                self._made.append(next(self._source))
            yield self._made[i]


def span(roll: Roll, months: pd.PeriodIndex) -> pd.PeriodIndex:
    """The months a path steps through: the run's and the anchor's."""
    return pd.period_range(min(months[0], roll.anchor), max(months[-1], roll.anchor), freq="M")


def drawn_k(roll: Roll, pool: np.ndarray, anchor_gap: np.ndarray) -> np.ndarray:
    """The income profile's exponent each pool household's anchor income was drawn with: the roll's
    segments (a synthetic roll), or the gap ratios at the anchor (a bureau's roll)."""
    area = roll.area_code[pool]
    k = np.empty(len(pool), np.float32)
    k[:] = _k(anchor_gap)[area]
    for first, gaps in roll.drawn_gap:
        rows = pool >= first
        k[rows] = _k(np.array([gaps[a] for a in AREAS]))[area[rows]]
    return k


def _k(gap) -> np.ndarray:
    gap = np.clip(np.asarray(gap, np.float64), 0.01, 0.99)
    return (gap / (1 - gap)).astype(np.float32)


def income_path(roll: Roll, pool: np.ndarray, months: pd.PeriodIndex, entry_rate, exit_rate, gap_ratio,
                draws=None) -> IncomePath:
    """Incomes of the income-tested households ``pool`` (rows of ``roll.households``) over ``months``.

    ``entry_rate`` and ``exit_rate`` hold one rate per month of :func:`span` (a move into a month
    happens at that month's rates) or one for all, ``gap_ratio`` one (urban, rural) pair per month
    (or an {area: ratio} mapping for all): below the line a
    household's income/standard ratio r, drawn as v**k at the anchor, is read as r**(k_t/k), so the
    month's mean gap is its ratio and each household keeps its rank. ``draws``: the month draws to
    step with (default: :func:`month_draws`, made as they are read)."""
    n = len(pool)
    income0 = roll.households["income"].to_numpy(np.float32)[pool]
    area = roll.area_code[pool]
    line = np.array([roll.standard_at_anchor.get(a, 0.0) for a in AREAS], np.float32)[area]
    span_ = span(roll, months)
    # a rate or a {area: ratio} mapping holds for every month
    entry_rate, exit_rate = (np.broadcast_to(np.asarray(r, np.float64), len(span_)) for r in (entry_rate, exit_rate))
    if isinstance(gap_ratio, dict):
        gap_ratio = [gap_ratio[a] for a in AREAS]
    gap_ratio = np.broadcast_to(np.asarray(gap_ratio, np.float64), (len(span_), len(AREAS)))
    out = np.empty((len(span_), n), np.float32)
    a = span_.get_loc(roll.anchor)
    k = drawn_k(roll, pool, gap_ratio[a])
    out[a] = income0
    below0 = income0 < line
    stock, others = max(below0.sum(), 1), max((~below0).sum(), 1)
    # Draws for every month, made in one fixed order so paths do not depend on the rates.
    draws = iter(draws) if draws is not None else month_draws(roll, n, pool_base(roll, pool))
    for step, direction in ((1, range(a + 1, len(span_))), (-1, range(a - 1, -1, -1))):
        for j in direction:
            at = j if step == 1 else j + 1            # the month the move happens in
            p_in = min(1.0, entry_rate[at] * stock / others)
            # Going back in time, entries and exits swap roles.
            p_exit, p_enter = ((exit_rate[at], p_in) if step == 1
                               else (p_in * others / stock, exit_rate[at] * stock / others))
            prev = out[j - step]
            below = prev < line
            move, level = next(draws)
            leave = np.flatnonzero(below & (move < p_exit))
            enter = np.flatnonzero(~below & (move < p_enter))
            out[j] = prev
            out[j, leave] = line[leave] * (1 + level[leave])          # above the line, up to 2×
            out[j, enter] = line[enter] * level[enter] ** k[enter]    # the recipients' income profile
    keep = [span_.get_loc(m) for m in months]
    out = out[keep]
    for i, j in enumerate(keep):    # a month whose gap ratio is not the one drawn with
        ratio = _k(gap_ratio[j])[area] / k
        moved = (out[i] < line) & (ratio != 1)
        if moved.any():
            out[i, moved] = line[moved] * (out[i, moved] / line[moved]) ** ratio[moved]
    return IncomePath(out, months)
