"""The scenario explorer: planners move a standard and see caseloads and money move.

Two layers: :mod:`.model` (settings → scenario → tables, plain pandas, shared by the scenario page
and the household page) and :mod:`.view` (the ipywidgets page, its debounce; :mod:`.layout` places its widgets,
:mod:`.results_pane` writes its results as HTML). Its chart is drawn
by :mod:`civsim.report.svg`; scenarios are written by :func:`civsim.scenarios.save`.

One population per district: the :class:`civsim.engine.Simulation` (the roll) is built once and every
control change re-runs it with the scenario built from the controls, so differences come from
policy alone. Beside the scenario's total the page shows the budget year's P10–P90 from the budget
window's draws (:meth:`Model.budget_range`, :mod:`civsim.budget.live`; :mod:`.ranges` words it),
recomputed after the total on every change. Standards, and the roll's take-up and entry/exit rates, change from the effective
month, so a saved scenario reproduces the explorer's numbers exactly. Only programs the district's
baseline pays get controls (:data:`STANDARDS`). A negative new standard makes the scenario invalid
(方案无效) and a new standard above :data:`JUMP` times the one in force waits for its row's 确认 box
(待确认): either way nothing is computed or saved and ``status`` says why. Saving refuses such
controls, names that start with ``-`` or that Windows reserves, and writes the title as one line;
under ``civsim app`` each visitor saves into a folder of their own (:data:`VISITOR_SAVES`), and
every save is offered as a download.
"""

from .model import (
    JUMP,
    RESERVED,
    ROLL,
    STANDARDS,
    Model,
    Result,
    RollSetting,
    StandardSetting,
    available_districts,
    check_save_name,
    moving_leaves,
    one_line,
    paid_programs,
)
from .view import VISITOR_SAVES, Explorer, RollControl, StandardControl, build

__all__ = [
    "Explorer",
    "build",
    "Model",
    "Result",
    "StandardSetting",
    "RollSetting",
    "StandardControl",
    "RollControl",
    "available_districts",
    "paid_programs",
    "moving_leaves",
    "check_save_name",
    "one_line",
    "STANDARDS",
    "ROLL",
    "JUMP",
    "RESERVED",
    "VISITOR_SAVES",
]
