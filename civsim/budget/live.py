"""The budget year's range for a page that recomputes on every change (the scenario explorer).

:class:`LiveRange` holds one budget window of a single year, built once per district-year: the
roll, the draws' inputs, the copies of the roll and the lines no draw moves. Each scenario then
runs only its draws — ``draws`` of them (:data:`LIVE_DRAWS`, fewer than the budget's 200 so that
a keypress stays quick) — and gives the P10 and P90 of the year's total, as
:func:`civsim.budget.project` gives them for the same draws, roll and scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.draws import fixed_like
from ..params import ParamSet
from .components import ParameterSets
from .overlays import repeat_recurring
from .window import DRAWN_LEAVES, Window

LIVE_DRAWS = 40  # the explorer's draws per change (the budget window takes 200)


@dataclass(frozen=True)
class Range:
    """P10 and P90 of the year's total over ``draws`` draws (yuan, to the fen), and their mean."""

    year: int
    draws: int
    p10_yuan: float
    p90_yuan: float
    mean_yuan: float


class LiveRange:
    """One budget year on a roll, ready to give any scenario's range quickly (see the module doc)."""

    def __init__(self, base: ParamSet, year: int, draws: int = LIVE_DRAWS, seed: int = 1, roll=None):
        self.base, self.year, self.draws = base, int(year), int(draws)
        self.model = Window(
            base, self.year, [ParameterSets(base, (self.year,))], seed, roll=roll, years=1, split_draws=0
        )
        self.xs = {d: self.model.inputs(d) for d in range(self.draws)}
        self._first = (self.model.sets[0].full, self.model.fixed[self.model.sets[0].scenario, "full"])
        self._base_range: Range | None = None

    def range(self, params: ParamSet | None = None) -> Range:
        """The year's range under ``params`` (the scenario applied to the base; None: the base,
        computed once: the page comes back to it whenever its controls are reset)."""
        if params is None:
            if self._base_range is None:
                self._base_range = self._range(None)
            return self._base_range
        return self._range(params)

    def _range(self, params: ParamSet | None) -> Range:
        # the budget's full set (recurring items repeated): the split's sets are not needed here
        full = self._first[0] if params is None else repeat_recurring(params, (self.year,))
        model = self.model
        fixed = self._first[1] if full is self._first[0] else fixed_like(model.window, *self._first, full)
        if fixed is None:
            fixed = model.window.fixed(full, leaves=DRAWN_LEAVES)
        samples = model.full_runs(full, fixed, self.xs)
        kept = model.__dict__.get("_kept_incomes", [])
        del kept[:-1]  # the incomes of the last rates (most changes leave the roll's rates as they are)
        totals = samples.groupby("draw", sort=True)["full"].sum().to_numpy()
        p10, p90 = np.percentile(totals, [10, 90])
        return Range(
            self.year,
            self.draws,
            int(np.round(p10)) / 100,
            int(np.round(p90)) / 100,
            int(np.round(totals.mean())) / 100,
        )


__all__ = ["LiveRange", "Range", "LIVE_DRAWS"]
