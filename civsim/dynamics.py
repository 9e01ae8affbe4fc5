"""How the income-tested households' incomes move month by month around the anchor."""
from __future__ import annotations

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


def income_path(roll: Roll, pool: np.ndarray, months: pd.PeriodIndex, entry_rate: float, exit_rate: float,
                gap_ratio: dict) -> IncomePath:
    """Incomes of the income-tested households ``pool`` (rows of ``roll.households``)."""
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
    rng = np.random.default_rng([roll.seed, 7])
    # Draws for every month, made in one fixed order so paths do not depend on the rates.
    # Draws month by month from two streams of their own (fixed by the seed, whatever the rates),
    # so only one month of draws is held at a time.
    streams = [np.random.default_rng([roll.seed, 7, i]) for i in (0, 1)]
    for step, direction in ((1, range(a + 1, len(span))), (-1, range(a - 1, -1, -1))):
        # Going back in time, entries and exits swap roles.
        p_exit, p_enter = (exit_rate, p_in) if step == 1 else (p_in * others / stock, exit_rate * stock / others)
        for j in direction:
            prev = out[j - step]
            below = prev < line
            move = streams[0].random(n, dtype=np.float32)
            level = streams[1].random(n, dtype=np.float32)
            leave = np.flatnonzero(below & (move < p_exit))
            enter = np.flatnonzero(~below & (move < p_enter))
            out[j] = prev
            out[j, leave] = line[leave] * (1 + level[leave])          # above the line, up to 2×
            out[j, enter] = line[enter] * level[enter] ** k[enter]    # the recipients' income profile
    keep = [span.get_loc(m) for m in months]
    return IncomePath(out[keep], months)
