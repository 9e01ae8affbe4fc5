"""Budgets: what next year and the two after will cost per program, with a range, and why it moved.

Analysis (this package's modules except ``workbook`` and ``display``; nothing here imports the
report layer):

* :func:`decompose` — one year's change per program split into 标准因素 + 人数因素 +
  一次性及阶段性项目, adding up to the fen (:mod:`civsim.budget.components`);
* :func:`project` — the budget window with P10/P50/P90 and the split per year
  (:mod:`civsim.budget.projection`);
* :mod:`civsim.budget.overlays` — the parameter sets they compare (recurring items repeated,
  non-recurring ones taken out, standards carried forward).

Presentation: :mod:`civsim.budget.workbook` (the Excel workbook) and :mod:`civsim.budget.display`
(the chart, the CLI table); ``to_xlsx`` and ``chart`` are reachable from here too.
"""

from __future__ import annotations

from .components import decompose
from .overlays import carried_forward, is_standard, recurring_only, repeat_recurring
from .projection import (
    BASELINE,
    CASELOAD_SPREAD,
    CPI_WINDOW,
    RATE_FACTOR,
    TOTAL,
    YEARS,
    Projection,
    Window,
    params_hash,
    project,
    roll_hash,
    split_price_volume,
)

from ..programs import LINES  # noqa: E402

# The symmetric price/volume split, under its former name, for callers not yet on decompose().
split = split_price_volume

# The budget lines in display order: every line the programs declare.
PROGRAMS = tuple(LINES)


def __getattr__(name):
    if name in ("to_xlsx", "sheets"):
        from . import workbook

        return getattr(workbook, name)
    if name in ("chart", "main"):
        from . import display

        return getattr(display, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "decompose",
    "project",
    "Projection",
    "Window",
    "carried_forward",
    "is_standard",
    "recurring_only",
    "repeat_recurring",
    "params_hash",
    "roll_hash",
    "split",
    "split_price_volume",
    "BASELINE",
    "TOTAL",
    "RATE_FACTOR",
    "CASELOAD_SPREAD",
    "CPI_WINDOW",
    "YEARS",
    "PROGRAMS",
]
