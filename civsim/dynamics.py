"""How the income-tested households' incomes move month by month around the anchor."""

from __future__ import annotations

import functools
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
            yield tuple(
                np.concatenate([s.random(n_base, dtype=np.float32), a.random(n - n_base, dtype=np.float32)])
                for s, a in zip(streams, added)
            )


def pool_base(roll: Roll, pool: np.ndarray) -> int | None:
    """How many of the pool's households are the baseline roll's (None: all of them)."""
    return None if roll.base_rows is None else int((pool < roll.base_rows).sum())


class KeptDraws:
    """:func:`month_draws`, each month's kept once made: the paths of many rates on one roll (a
    Monte Carlo) read the same draws rather than make them again."""

    def __init__(self, roll: Roll, n: int, n_base: int | None = None):
        self._roll, self._n, self._base = roll, n, n_base
        self._source, self._made = month_draws(roll, n, n_base), []

    def __reduce__(self):  # travels (to a worker process) as the roll and size it remakes them from
        return (KeptDraws, (self._roll, self._n, self._base))

    def __iter__(self):
        for i in itertools.count():
            if i == len(self._made):
                self._made.append(next(self._source))
            yield self._made[i]


def span(roll: Roll, months: pd.PeriodIndex) -> pd.PeriodIndex:
    """The months a path steps through: the run's and the anchor's."""
    return _months(min(months[0], roll.anchor).ordinal, max(months[-1], roll.anchor).ordinal)


@functools.lru_cache(maxsize=64)
def _months(first: int, last: int) -> pd.PeriodIndex:  # an index is immutable: one per span will do
    return pd.PeriodIndex.from_ordinals(np.arange(first, last + 1), freq="M")


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


def income_path(
    roll: Roll, pool: np.ndarray, months: pd.PeriodIndex, entry_rate, exit_rate, gap_ratio, draws=None
) -> IncomePath:
    """Incomes of the income-tested households ``pool`` (rows of ``roll.households``) over ``months``.

    ``entry_rate`` and ``exit_rate`` hold one rate per month of :func:`span` (a move into a month
    happens at that month's rates) or one for all, ``gap_ratio`` one (urban, rural) pair per month
    (or an {area: ratio} mapping for all): below the line a
    household's income/standard ratio r, drawn as v**k at the anchor, is read as r**(k_t/k), so the
    month's mean gap is its ratio and each household keeps its rank. ``draws``: the month draws to
    step with (default: :func:`month_draws`, made as they are read)."""
    span_ = span(roll, months)
    rates = [np.broadcast_to(np.asarray(r, np.float64), len(span_))[None] for r in (entry_rate, exit_rate)]
    return IncomePath(income_paths(roll, pool, months, *rates, gap_ratio, draws)[:, 0], months)


def income_paths(
    roll: Roll,
    pool: np.ndarray,
    months: pd.PeriodIndex,
    entry_rate: np.ndarray,
    exit_rate: np.ndarray,
    gap_ratio,
    draws=None,
) -> np.ndarray:
    """:func:`income_path` for several pairs of rate paths at once (a Monte Carlo's draws):
    ``entry_rate`` and ``exit_rate`` are (paths × months of :func:`span`); every path steps with
    the same month draws and the same gap ratios. Returns months × paths × households (float32),
    each path to the bit the one :func:`income_path` gives for its rates."""
    n = len(pool)
    income0 = roll.households["income"].to_numpy(np.float32)[pool]
    area = roll.area_code[pool]
    line = np.array([roll.standard_at_anchor.get(a, 0.0) for a in AREAS], np.float32)[area]
    span_ = span(roll, months)
    entry_rate, exit_rate = (np.asarray(r, np.float64) for r in (entry_rate, exit_rate))
    paths = len(entry_rate)
    if isinstance(gap_ratio, dict):
        gap_ratio = [gap_ratio[a] for a in AREAS]
    gap_ratio = np.broadcast_to(np.asarray(gap_ratio, np.float64), (len(span_), len(AREAS)))
    out = np.empty((len(span_), paths, n), np.float32)
    a = span_.get_loc(roll.anchor)
    k = drawn_k(roll, pool, gap_ratio[a])
    out[a] = income0
    movers: dict = {}  # month -> flat positions of the incomes that moved into it (forward months)
    below0 = income0 < line
    stock, others = max(below0.sum(), 1), max((~below0).sum(), 1)
    # Draws for every month, made in one fixed order so paths do not depend on the rates.
    draws = iter(draws) if draws is not None else month_draws(roll, n, pool_base(roll, pool))
    for step, direction in ((1, range(a + 1, len(span_))), (-1, range(a - 1, -1, -1))):
        for j in direction:
            at = j if step == 1 else j + 1  # the month the move happens in
            p_in = np.minimum(1.0, entry_rate[:, at] * stock / others)
            # Going back in time, entries and exits swap roles.
            p_exit, p_enter = (
                (exit_rate[:, at], p_in) if step == 1 else (p_in * others / stock, exit_rate[:, at] * stock / others)
            )
            prev = out[j - step]
            move, level = next(draws)
            order = np.argsort(move, kind="stable") if paths >= _FEW else None  # the month's draws in order, once
            leave = _moving(prev, line, move, p_exit, below=True, order=order)
            enter = _moving(prev, line, move, p_enter, below=False, order=order)
            out[j] = prev
            flat = out[j].reshape(-1)
            h = leave % n
            flat[leave] = line[h] * (1 + level[h])  # above the line, up to 2×
            h = enter % n
            flat[enter] = line[h] * level[h] ** k[h]  # the recipients' income profile
            if step == 1:  # who moved into month j: every other income is the month before's
                movers[j] = np.concatenate([leave, enter])
    keep = [span_.get_loc(m) for m in months]
    contiguous = keep == list(range(keep[0], keep[0] + len(keep))) if keep else False
    out = out[keep[0] : keep[0] + len(keep)] if contiguous else out[keep]
    before = None  # (raw incomes, ratio) of the month before, when it was read anew
    for i, j in enumerate(keep):  # a month whose gap ratio is not the one drawn with
        ratio = _k(gap_ratio[j])[area] / k
        if not (ratio != 1).any():
            before = None
            continue
        if contiguous and before is not None and j in movers and np.array_equal(ratio, before[1]):
            # the month after one read anew, at the same ratio: an income as it was the month
            # before reads as it did then (those who did not move), a mover's is read anew
            at = movers[j]
            raw = out[i].reshape(-1)[at]
            out[i] = out[i - 1]
            flat = out[i].reshape(-1)
            flat[at] = raw
            h = at % n
            moved = (raw < line[h]) & (ratio[h] != 1)
            at, h, raw = at[moved], h[moved], raw[moved]
            flat[at] = line[h] * np.power(raw / line[h], ratio[h])
            before = (None, ratio)
            continue
        raw = out[i].copy()
        moved = (raw < line) & (ratio != 1)
        if before is not None and before[0] is not None and np.array_equal(ratio, before[1]):
            # an income as it was the month before, at the same ratio, reads as it did then
            same = raw == before[0]
            np.copyto(out[i], out[i - 1], where=same)
            moved &= ~same
        # line × (income / line) ** ratio where moved, elementwise as it reads (float32), over
        # the incomes moved alone
        at = np.flatnonzero(moved)
        h = at % n
        flat = out[i].reshape(-1)
        flat[at] = line[h] * np.power(raw.reshape(-1)[at] / line[h], ratio[h])
        before = (raw, ratio)
    return out


_FEW = 16  # fewer paths than this: comparing every draw costs less than sorting them


def _moving(
    prev: np.ndarray, line: np.ndarray, move: np.ndarray, p: np.ndarray, below: bool, order: np.ndarray | None = None
) -> np.ndarray:
    """Positions in paths × households (flat) of the households below (or at and above) the line
    in ``prev`` whose draw ``move`` is under their path's probability ``p``. With many paths,
    those with ``move < p`` are a prefix of the draws in increasing order (``order``: the draws'
    stable sort, made here when not given): only they are looked at."""
    paths, n = prev.shape
    if paths < _FEW:
        side = prev < line if below else ~(prev < line)
        return np.flatnonzero(side & (move < p[:, None]))
    if order is None:
        order = np.argsort(move, kind="stable")
    count = np.searchsorted(move[order].astype(np.float64), p, side="left")  # how many draws < p
    total = int(count.sum())
    path = np.repeat(np.arange(paths), count)
    h = order[np.arange(total) - np.repeat(np.cumsum(count) - count, count)]
    flat = path * n + h
    at = prev.reshape(-1)[flat] < line[h]
    return flat[at if below else ~at]
