"""The scenario explorer: planners move a standard and see caseloads and money move.

``build(district, year)`` returns an :class:`Explorer`; ``explorer.widget`` is the ipywidgets app.
All state lives in plain attributes (``params``, ``sim``, ``scenario``, ``frame``, ``table``,
``monthly``, ``annual_difference_yuan``, ``message``), so tests drive it without a browser: set a
control's ``.value``, call :meth:`Explorer.recompute`, click ``save_button.click()``.

One population per district: the :class:`civsim.engine.Simulation` (the roll) is built once and every
control change re-runs it with the scenario built from the controls (a :class:`civsim.scenarios.
Scenario` applied to the baseline), so differences come from policy alone. Standards, and the roll's
take-up and entry/exit rates, change from the effective month (the rules and the roll's income path
read them month by month), so a saved scenario reproduces the explorer's numbers exactly.

Only programs the district's baseline pays get controls (:data:`STANDARDS` is the one list of
them). A negative new standard makes the scenario invalid (方案无效) and a new standard above
:data:`JUMP` times the one in force waits for its row's 确认 box (待确认): either way nothing is
computed or saved and ``status`` says why. Saving refuses such controls, names that start with
``-`` or that Windows reserves (CON, NUL, COM1 …), and writes the title as one line through the
YAML library's dumper; under ``civsim app`` each visitor saves into a folder of their own
(:data:`VISITOR_SAVES`), and every save is offered as a download.

Slider changes are debounced: each change (re)starts a short timer (on the kernel's event loop when
there is one, else a thread) and the computation runs when the controls have been still for
``debounce`` seconds. ``debounce=0`` recomputes on every change; ``debounce=None`` only on
:meth:`Explorer.recompute`.
"""
from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
import html
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import districts, engine, params as params_module, scenarios as scenarios_module
from .atomic import atomic_path
from .errors import CivsimError
from .params import UNITS
from .programs import LINE_PROGRAM, REGISTRY
from .report.labels import UNIT_WORDS, family_label, program_label
from .scenarios import SCENARIOS, Change, Scenario

# The planner's controls: one per standard a program declares for planners (``Param.label``),
# under the program that reads it first — (program, leaf, label, unit as a bureau writes it). A
# district shows a control when it has the leaf and its baseline pays the program.


def _standards() -> tuple:
    found: dict = {}
    for program in REGISTRY:
        for path, param in program.params.items():
            if param.label and param.control is None and path not in found:
                found[path] = (program.key, path, param.label, UNIT_WORDS[UNITS[param.unit][0]])
    return tuple(found.values())


def _roll() -> tuple:
    """(program, path, label, min, max, step, readout format) of each roll behaviour a program
    declares for planners (``Param.control``)."""
    found: dict = {}
    for program in REGISTRY:
        for path, param in {**program.params, **program.roll_params}.items():
            if param.control is not None and path not in found:
                found[path] = (program.key, path, param.label, *param.control)
    return tuple(found.values())


STANDARDS = _standards()
ROLL = _roll()
# A new standard above this multiple of the one in force is nearly always a typo (8300 for 830).
JUMP = 3.0
# Scenario names that Windows cannot use as file names (whatever the case or extension).
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
# Set by ``civsim app``: saves go to a fresh folder per visitor under this one.
VISITOR_SAVES = "CIVSIM_APP_SAVES"
LIVE_NAME = "explorer"
TOLERANCE = 1e-9


def _widgets():
    import ipywidgets

    return ipywidgets


def _order(program: str) -> tuple:
    from .budget import PROGRAMS

    return (PROGRAMS.index(program), "") if program in PROGRAMS else (len(PROGRAMS), program)


def available_districts() -> list[tuple[str, str]]:
    """(label, code) of the jurisdictions with parameter files of their own."""
    out = []
    for district in districts.load_districts().values():
        folder = params_module.PARAMS / district.slug
        if folder.is_dir() and any(folder.glob("*.yaml")):
            out.append((f"{district.name}（{district.code}）", district.code))
    return out


def paid_programs(baseline: pd.DataFrame) -> set[str]:
    """The lines a district's baseline pays (any persons or any money in the year) and the keys of
    the programs writing them (a supplement writes one line per program it rides on)."""
    sums = baseline.groupby("program")[["persons", "amount_yuan"]].sum()
    lines = set(sums.index[(sums > 0).any(axis=1)])
    return lines | {LINE_PROGRAM[line].key for line in lines if line in LINE_PROGRAM}


def moving_leaves(sim, params, baseline: pd.DataFrame, paid: set[str]) -> set[str]:
    """The labelled standards whose change moves the money here: every standard of a paid program
    with one, and of a program with several (特困 by placement and care, age bands …) those whose
    +10% changes the year's total — a standard nobody on the roll is paid by offers no control."""
    candidates = [(program, path) for program, path, *_ in STANDARDS if program in paid and params.has(path)]
    per_program = pd.Series([p for p, _ in candidates]).value_counts()
    moving, total = set(), baseline["amount_yuan"].sum()
    for program, path in candidates:
        if per_program[program] == 1:
            moving.add(path)
            continue
        probe = Scenario("probe", "probe", (Change(path, dt.date(sim.year, 1, 1), None, percent=10.0),))
        if abs(sim.run(scenarios_module.apply(params, probe, sim.year))["amount_yuan"].sum() - total) > 0.005:
            moving.add(path)
    return moving


def check_save_name(name: str) -> str | None:
    """Why a scenario name cannot be saved (Chinese, for the planner), or None when it can."""
    try:
        scenarios_module.check_name(name)
    except CivsimError:
        return f"方案名“{name}”无效：只能用字母、数字、汉字、_ 或 -（1—64个字符）"
    if name.startswith("-"):
        return f"方案名“{name}”不能以 - 开头（会被命令行当作选项）"
    if name.upper() in RESERVED:
        return f"方案名“{name}”是 Windows 保留的文件名，请换一个"
    if name == "baseline":
        return "方案名不能是 baseline（基准）"
    return None


def one_line(text: str) -> str:
    """A title as one line of printable text: line and paragraph separators, tabs and other
    control characters become single spaces, so a saved title reads back exactly as written."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _caption(label: str, current: float, unit: str) -> str:
    return (f'<div class="civsim-caption" lang="zh-CN">{html.escape(label)}<br>'
            f"<small>现行{round(current, 2):g}{unit}</small></div>")


@dataclass
class StandardControl:
    """One standard: a % change or a new value (mode), against the baseline in force."""
    program: str
    path: str
    label: str
    unit: str
    current: float
    mode: object        # ToggleButtons: "percent" | "value"
    percent: object     # FloatSlider, percent
    value: object       # FloatText, yuan (checked here: negative refused, a jump over JUMP× confirmed)
    confirm: object     # Checkbox, shown while a jump waits for confirmation
    caption: object     # HTML: label and the standard in force
    row: object         # HBox

    def new_value(self) -> float:
        if self.mode.value == "percent":
            return self.current * (1 + self.percent.value / 100)
        return float(self.value.value)

    def change(self, start: dt.date) -> Change | None:
        if self.mode.value == "percent":
            if abs(self.percent.value) <= TOLERANCE:
                return None
            return Change(self.path, start, None, percent=float(self.percent.value))
        if abs(self.value.value - self.current) <= TOLERANCE:
            return None
        return Change(self.path, start, None, value=float(self.value.value))

    def problem(self) -> str | None:
        """Why this control's value cannot be used as it stands (Chinese), or None."""
        new = self.new_value()
        if not np.isfinite(new) or new < 0:
            return f"{self.label}的新标准不能为负数（输入了{new:g}），请输入 0 或以上的金额"
        return None

    def jump(self) -> str | None:
        """A jump above JUMP× the standard in force, not yet confirmed (Chinese), or None."""
        new = self.new_value()
        if self.current > 0 and new > JUMP * self.current and not self.confirm.value:
            return (f"{self.label}新标准{new:g}元是现行{self.current:g}元的{new / self.current:.1f}倍，"
                    f"请核对；确无错误请勾选该行的“确认”")
        return None

    def describe(self) -> str:
        if self.mode.value == "percent":
            return f"{self.label}{self.percent.value:+g}%"
        return f"{self.label}调整为{self.value.value:g}{self.unit.split('/')[0]}"

    def set_current(self, current: float) -> None:
        if abs(self.value.value - self.current) <= TOLERANCE:   # untouched: follow the baseline
            self.value.value = current
        self.current = current
        self.caption.value = _caption(self.label, current, self.unit)


@dataclass
class RollControl:
    program: str
    path: str
    label: str
    current: float
    slider: object

    def change(self, start: dt.date) -> Change | None:
        if abs(self.slider.value - self.current) <= TOLERANCE:
            return None
        return Change(self.path, start, None, value=float(self.slider.value))

    def describe(self) -> str:
        return f"{self.label}{self.slider.value:.4g}"


# Results sit beside the controls on a laptop screen (1366 px) and above them when narrower; the
# Chinese font is named so that CJK glyphs take their simplified-Chinese shapes whatever the page's
# language (a browser otherwise may pick the Japanese face of the same font).
STYLE = """<style>
.civsim-explorer { --jp-ui-font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", sans-serif; --jp-content-font-family: var(--jp-ui-font-family);
  --jp-widgets-font-family: var(--jp-ui-font-family); font-family: var(--jp-ui-font-family); }
.civsim-explorer .civsim-columns { flex-wrap: wrap; align-items: flex-start; gap: 8px 20px; }
.civsim-explorer .civsim-results { flex: 0 1 640px; min-width: 0; }
.civsim-explorer .civsim-controls { flex: 1 1 600px; min-width: 0; }
.civsim-explorer .civsim-caption { line-height: 1.25; font-size: 12px; padding-top: 2px; }
.civsim-explorer .civsim-caption small { color: #666; font-size: 11px; }
.civsim-explorer table { border-collapse: collapse; font-size: 12px; }
.civsim-explorer td, .civsim-explorer th { padding: 2px 6px; text-align: right; white-space: nowrap; }
.civsim-explorer .civsim-warn { color: #b03a2e; font-weight: bold; }
</style>"""


class Explorer:
    """Controls, results and the save action for one district-year (see the module docstring)."""

    def __init__(self, district="东西湖区", year: int = 2021, folder=None, debounce: float | None = 0.3,
                 seed: int = 1):
        w = _widgets()
        self.year, self.debounce, self.seed = int(year), debounce, seed
        self.folder, self.visitor_root = _save_folder(folder)
        self.recomputes = 0
        self.message = ""
        self.status = ""               # "" when the controls make a valid scenario, else why not (Chinese)
        self._timer = None
        self._lock = threading.RLock()
        self._quiet = False
        self.standards: list[StandardControl] = []
        self.roll: list[RollControl] = []
        self.scenario: Scenario | None = None
        self.table = pd.DataFrame()

        options = available_districts()
        code = districts.find(district).code
        if code not in [c for _, c in options]:
            options.append((f"{districts.find(code).name}（{code}）", code))
        self.district_box = w.Dropdown(options=options, value=code, description="区县")
        self.month_box = w.Dropdown(options=[(f"{m}月", m) for m in range(1, 13)], value=1, description="生效月份")
        self.program_box = w.Dropdown(options=[("合计", "total")], value="total", description="图示项目")
        self.standards_box = w.VBox()
        self.roll_box = w.VBox()
        self.headline = w.HTML()
        self.status_box = w.HTML()
        self.chart = w.HTML()
        self.table_html = w.HTML()
        self.name_box = w.Text(description="方案名", placeholder="如 dibao_plus5_july")
        self.title_box = w.Text(description="方案说明", placeholder="留空则自动生成")
        self.overwrite_box = w.Checkbox(value=False, description="覆盖同名方案")
        self.save_button = w.Button(description="保存方案", button_style="primary")
        self.message_box = w.HTML()
        self.download = w.HTML()
        self.split_button = w.Button(description="与上年比较")
        self.split_html = w.HTML()

        self.district_box.observe(self._on_district, "value")
        self.month_box.observe(self._on_month, "value")
        self.program_box.observe(lambda _: self._draw(), "value")
        self.save_button.on_click(self.save)
        self.split_button.on_click(self.show_split)

        results = w.VBox([self.headline, self.status_box, self.program_box, self.chart, self.table_html,
                          self.split_button, self.split_html])
        controls = w.VBox([
            w.HTML("<b>标准调整</b>（涨幅%或新标准，自生效月份起）"), self.standards_box,
            w.HTML("<b>名册假设</b>"), self.roll_box,
            w.HTML("<b>保存方案</b>"), self.name_box, self.title_box,
            w.HBox([self.overwrite_box, self.save_button]), self.message_box, self.download,
        ])
        results.add_class("civsim-results")
        controls.add_class("civsim-controls")
        columns = w.HBox([results, controls])
        columns.add_class("civsim-columns")
        self.widget = w.VBox([w.HTML(STYLE), w.HBox([self.district_box, self.month_box]), columns])
        self.widget.add_class("civsim-explorer")
        self.load_district(code)

    # ------------------------------------------------------------ setup

    def load_district(self, district) -> None:
        """Load a district's parameters, build its roll once, rebuild the controls, show the baseline."""
        with self._lock:
            self._cancel_timer()
            self.params = params_module.load(district)
            self.sim = engine.Simulation(self.params, self.year, self.seed)
            self.baseline = self.sim.run(self.params)
            self.paid = paid_programs(self.baseline)
            self.moving = moving_leaves(self.sim, self.params, self.baseline, self.paid)
            self._split_sims = None      # the year before and this year on one roll, built on first use
            self.split_html.value = ""
            self._build_controls()
            self.recompute()

    def _build_controls(self) -> None:
        w = _widgets()
        self._quiet = True
        try:
            start = self.start
            self.standards = []
            for program, path, label, unit in STANDARDS:
                if path not in self.moving:
                    continue
                current = self.params.get(path, start, 0.0)
                caption = w.HTML(_caption(label, current, unit), layout=w.Layout(width="200px"))
                mode = w.ToggleButtons(options=[("涨幅%", "percent"), ("新标准", "value")], value="percent",
                                       style={"button_width": "62px"})
                percent = w.FloatSlider(value=0.0, min=-50.0, max=100.0, step=0.5, description="%",
                                        readout_format=".1f", continuous_update=True,
                                        style={"description_width": "16px"}, layout=w.Layout(width="200px"))
                value = w.FloatText(value=current, step=10.0, description="元", continuous_update=True,
                                    style={"description_width": "16px"},
                                    layout=w.Layout(display="none", width="140px"))
                confirm = w.Checkbox(value=False, description="确认", indent=False,
                                     layout=w.Layout(display="none", width="60px"))
                control = StandardControl(program, path, label, unit, current, mode, percent, value, confirm,
                                          caption, w.HBox([caption, mode, percent, value, confirm]))
                control.row.add_class("civsim-" + path.replace(".", "-"))     # a handle for the browser test
                mode.observe(lambda change, c=control: self._on_mode(c), "value")
                percent.observe(lambda change, c=control: self._on_value(c), "value")
                value.observe(lambda change, c=control: self._on_value(c), "value")
                confirm.observe(self._changed, "value")
                self.standards.append(control)
            self.roll = []
            anchor = self.sim.roll.anchor.start_time.date()
            for program, path, label, low, high, step, fmt in ROLL:
                if program not in self.paid or not self.params.has(path):
                    continue
                current = self.params.get(path, anchor, 0.0)
                slider = w.FloatSlider(value=current, min=low, max=max(high, current), step=step, description=label,
                                       readout_format=fmt, style={"description_width": "initial"},
                                       layout=w.Layout(width="480px"))
                slider.observe(self._changed, "value")
                self.roll.append(RollControl(program, path, label, float(slider.value), slider))
            self.standards_box.children = [c.row for c in self.standards]
            self.roll_box.children = [c.slider for c in self.roll]
        finally:
            self._quiet = False

    # ------------------------------------------------------------ the scenario

    @property
    def start(self) -> dt.date:
        """The effective date of the standards' changes."""
        return dt.date(self.year, self.month_box.value, 1)

    @property
    def roll_start(self) -> dt.date:
        """The roll's rates change from the effective month too: the income path reads them month by month."""
        return self.start

    def control(self, path: str) -> StandardControl | RollControl:
        """The control of a parameter path (``dibao.standard.urban``, ``dibao.take_up``…)."""
        for control in [*self.standards, *self.roll]:
            if control.path == path:
                return control
        shown = ", ".join(c.path for c in [*self.standards, *self.roll])
        raise CivsimError(self.params.district.name, path, "no control for this parameter here", f"one of {shown}")

    def changes(self) -> list[Change]:
        out = [c.change(self.start) for c in self.standards] + [c.change(self.roll_start) for c in self.roll]
        return [c for c in out if c is not None]

    def build_scenario(self, name: str = LIVE_NAME, title: str = "") -> Scenario | None:
        """The controls as a civsim Scenario, or None when nothing differs from the baseline."""
        changes = self.changes()
        if not changes:
            return None
        described = [c.describe() for c in self.standards if c.change(self.start)]
        described += [c.describe() for c in self.roll if c.change(self.roll_start)]
        auto = "、".join(described) + f"（自{self.year}年{self.month_box.value}月起）"
        return Scenario(name, one_line(title) or auto, tuple(changes))

    def check(self) -> str:
        """Why the controls cannot be computed or saved as they stand ("" when they can): a negative
        standard is refused (方案无效), a jump over JUMP× waits for its row's confirmation (待确认)."""
        problems = [p for p in (c.problem() for c in self.standards) if p]
        if problems:
            return "方案无效：" + "；".join(problems)
        jumps = [j for j in (c.jump() for c in self.standards) if j]
        return "待确认：" + "；".join(jumps) if jumps else ""

    # ------------------------------------------------------------ events

    def _on_mode(self, control: StandardControl) -> None:
        percent = control.mode.value == "percent"
        control.percent.layout.display = None if percent else "none"
        control.value.layout.display = "none" if percent else None
        self._on_value(control)

    def _on_value(self, control: StandardControl) -> None:
        if control.confirm.value:                  # a confirmation is for the value it was given to
            self._quiet, quiet = True, self._quiet
            try:
                control.confirm.value = False
            finally:
                self._quiet = quiet
        self._changed()

    def _on_month(self, _change=None) -> None:
        self._quiet = True
        try:
            for control in self.standards:
                control.set_current(self.params.get(control.path, self.start, 0.0))
        finally:
            self._quiet = False
        self._changed()

    def _on_district(self, change) -> None:
        if self._quiet:
            return
        try:
            self.load_district(change["new"])
        except CivsimError as exc:
            self._say(f"无法载入：{exc}")

    def _changed(self, _change=None) -> None:
        if self._quiet or self.debounce is None:
            return
        if self.debounce <= 0:
            self.recompute()
            return
        self._cancel_timer()
        try:
            self._timer = asyncio.get_running_loop().call_later(self.debounce, self._fire)
        except RuntimeError:          # no event loop (a script, a test): a thread timer
            timer = threading.Timer(self.debounce, self._fire)
            timer.daemon = True
            self._timer = timer
            timer.start()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        try:
            self.recompute()
        except Exception as exc:      # a timer has no caller to raise to: show it instead
            self._say(f"计算出错：{exc}")

    # ------------------------------------------------------------ computing

    def recompute(self) -> pd.DataFrame:
        """Run the scenario now (cancelling any pending timer); returns the per-program table.

        Controls that make no valid scenario (see :meth:`check`) leave the last results in place and
        say why in the status line above them (the results are then not those of the controls)."""
        with self._lock:
            started = time.perf_counter()
            self._cancel_timer()
            for control in self.standards:
                control.confirm.layout.display = None if (control.jump() or control.confirm.value) else "none"
            self.status = self.check()
            if not self.status:
                try:
                    scenario = self.build_scenario()
                    current = (self.baseline.assign(scenario=LIVE_NAME) if scenario is None else
                               self.sim.run(scenarios_module.apply(self.params, scenario, self.year)))
                except CivsimError as exc:
                    self.status = f"方案无效：{exc}"
            self.status_box.value = (f'<div class="civsim-warn" lang="zh-CN">{html.escape(self.status)}<br>'
                                     f"（下列结果仍为上一次有效的设置）</div>" if self.status else "")
            if self.status:
                return self.table
            self.scenario, self.current = scenario, current
            self.frame = pd.concat([self.baseline, current], ignore_index=True)
            self._summarise()
            self.compute_ms = (time.perf_counter() - started) * 1000     # shown in the page for the benchmark
            self.recomputes += 1
            self._show()
            return self.table

    def _summarise(self) -> None:
        base, cur = self.baseline, self.current
        yearly = pd.DataFrame({
            "baseline_yuan": base.groupby("program", sort=False)["amount_yuan"].sum(),
            "scenario_yuan": cur.groupby("program", sort=False)["amount_yuan"].sum(),
            "baseline_persons": base.groupby(["program", "month"], sort=False)["persons"].sum().groupby(level=0).mean(),
            "scenario_persons": cur.groupby(["program", "month"], sort=False)["persons"].sum().groupby(level=0).mean(),
        }).fillna(0.0)
        yearly = yearly[(yearly.abs().sum(axis=1) > 0)]
        yearly = yearly.reindex(sorted(yearly.index, key=_order))
        yearly.loc["total"] = yearly.sum()
        yearly["diff_yuan"] = yearly["scenario_yuan"] - yearly["baseline_yuan"]
        yearly["diff_persons"] = yearly["scenario_persons"] - yearly["baseline_persons"]
        yearly.insert(0, "label", [program_label(p) if p != "total" else "合计" for p in yearly.index])
        self.table = yearly.rename_axis("program").reset_index()
        self.annual_difference_yuan = float(yearly.loc["total", "diff_yuan"])

        self._monthly_parts = {name: frame.groupby(["month", "program"])[["amount_yuan", "persons"]].sum()
                               for name, frame in (("baseline", base), ("scenario", cur))}
        self.monthly = self.monthly_for("total")
        options = [("合计", "total")] + [(label, p) for p, label in zip(self.table["program"], self.table["label"])
                                          if p != "total"]
        if list(self.program_box.options) != options:
            self._quiet = True
            try:
                keep = self.program_box.value if self.program_box.value in [v for _, v in options] else "total"
                self.program_box.options = options
                self.program_box.value = keep
            finally:
                self._quiet = False

    def monthly_for(self, program: str = "total") -> pd.DataFrame:
        """Money (yuan) and persons per month, baseline and scenario, for a program or the total."""
        months = engine.year_months(self.year)
        out = pd.DataFrame(index=months)
        for name, by in self._monthly_parts.items():
            if program != "total":
                by = by[by.index.get_level_values("program") == program]
            sums = by.groupby(level="month").sum().reindex(months).fillna(0.0)
            out[f"{name}_yuan"] = sums["amount_yuan"].to_numpy()
            out[f"{name}_persons"] = sums["persons"].to_numpy()
        return out.rename_axis("month")

    # ------------------------------------------------------------ showing

    def _say(self, text: str) -> None:
        self.message = text
        self.message_box.value = f"<span>{html.escape(text)}</span>"

    def _show(self) -> None:
        from .report.numbers import pct, wan_yuan

        total = self.table.set_index("program").loc["total"]
        ratio = total["diff_yuan"] / total["baseline_yuan"] if total["baseline_yuan"] else 0.0
        title = self.scenario.title if self.scenario else "方案与基准相同（未调整任何控件）"
        # data-yuan carries the exact scenario total for whoever reads the page (the browser test)
        self.headline.value = (f'<div lang="zh-CN"><b>{html.escape(self.params.district.name)} {self.year}年</b>：'
                               f"{html.escape(title)}<br>全年支出 基准 {wan_yuan(total['baseline_yuan'])}，"
                               f'方案 <span class="civsim-total" data-yuan="{total["scenario_yuan"]:.2f}" '
                               f'data-compute-ms="{self.compute_ms:.1f}">'
                               f"{wan_yuan(total['scenario_yuan'])}</span>，"
                               f"<b>差额 {wan_yuan(total['diff_yuan'])}（{pct(ratio, signed=True)}）</b></div>")
        self.table_html.value = self._table_html()
        self._draw()

    def show_split(self, _button=None) -> pd.DataFrame | None:
        """Why this year's money moved from the year before under the controls' scenario: the budget's
        one decomposition (标准因素, 人数因素, 一次性及阶段性项目) per program family, in 万元."""
        from .budget import decompose
        from .report.plan import families

        self.recompute()
        if self.status:
            self.split_html.value = f'<div lang="zh-CN">不能比较：{html.escape(self.status)}</div>'
            return None
        if self._split_sims is None:
            before = engine.Simulation(self.params, self.year - 1, self.seed)
            self._split_sims = (before, engine.Simulation(self.params, self.year, self.seed, roll=before.roll))
        split = families(decompose(year=self.year, scenario=self.build_scenario(), params=self.params,
                                   simulations=self._split_sims))
        shown = pd.DataFrame({"项目": split["family"].map(family_label),
                              f"{self.year - 1}年（万元）": split["amount0"] / 1e4, f"{self.year}年（万元）": split["amount1"] / 1e4,
                              "增减（万元）": split["change"] / 1e4, "标准因素（万元）": split["standard"] / 1e4,
                              "人数因素（万元）": split["people"] / 1e4, "一次性及阶段性项目（万元）": split["one_off"] / 1e4})
        self.split_html.value = (f'<div lang="zh-CN"><b>与{self.year - 1}年相比</b>（三项之和等于增减额；经常性补助按上年同月延续）'
                                 f'{shown.to_html(index=False, float_format=lambda v: f"{v:,.2f}", border=0)}</div>')
        return split

    def _table_html(self) -> str:
        shown = pd.DataFrame({
            "项目": self.table["label"],
            "基准支出（万元）": self.table["baseline_yuan"] / 1e4,
            "方案支出（万元）": self.table["scenario_yuan"] / 1e4,
            "差额（万元）": self.table["diff_yuan"] / 1e4,
            "基准月均人数": self.table["baseline_persons"],
            "方案月均人数": self.table["scenario_persons"],
            "人数差": self.table["diff_persons"],
        })
        return f'<div lang="zh-CN">{shown.to_html(index=False, float_format=lambda v: f"{v:,.2f}", border=0)}</div>'

    def _draw(self) -> None:
        if self._quiet or not hasattr(self, "_monthly_parts"):
            return
        self.chart.value = self.render(self.program_box.value)

    def render(self, program: str = "total") -> str:
        """The chart as inline SVG (drawn by the browser, so a change shows in milliseconds):
        monthly money and caseload of a program or the total, baseline vs scenario."""
        data = self.monthly_for(program)
        name = "合计" if program == "total" else program_label(program)
        labels = [f"{m.month}月" for m in data.index]
        panels = [svg_lines(labels, [("基准", data["baseline_yuan"] / 1e4, "#555555"),
                                     ("方案", data["scenario_yuan"] / 1e4, "#c0392b")], f"{name}：月度支出（万元）",
                            width=300, height=200),
                  svg_lines(labels, [("基准", data["baseline_persons"], "#555555"),
                                     ("方案", data["scenario_persons"], "#c0392b")], f"{name}：月度人数（人）",
                            width=300, height=200)]
        return f'<div lang="zh-CN" style="display:flex;gap:12px;flex-wrap:wrap">{"".join(panels)}</div>'

    # ------------------------------------------------------------ saving

    def save(self, _button=None) -> Path | None:
        """Write ``<folder>/<name>.yaml`` atomically and offer it as a download; refuse controls the
        explorer reports invalid or unconfirmed, a bad or reserved name, or, unless the overwrite box is
        ticked, an existing file. Returns the path written, or None (see ``message``)."""
        import yaml

        self.download.value = ""
        self.recompute()                           # save what the controls say now, not a pending timer's
        if self.status:
            self._say(f"不能保存：{self.status}")
            return None
        name = self.name_box.value.strip()
        refused = check_save_name(name)
        if refused:
            self._say(refused)
            return None
        scenario = self.build_scenario(name, self.title_box.value)
        if scenario is None:
            self._say("控件与基准相同，没有可保存的改动")
            return None
        try:
            folder = self._visitor_folder() if self.folder is None else self.folder
        except OSError as exc:   # the saves folder is a file, read-only, or on a full disk: say so
            self._say(f"不能保存：保存方案的文件夹不可写（{exc.strerror or type(exc).__name__}），请联系管理员")
            return None
        path = folder / f"{name}.yaml"
        if path.exists() and not self.overwrite_box.value:
            self._say(f"{path.name} 已存在；如需覆盖，请勾选“覆盖同名方案”后再保存")
            return None
        district = one_line(f"{self.params.district.name} ({self.params.district.code})")
        text = (f"# saved from the scenario explorer for {district}, {self.year}\n"
                + yaml.safe_dump(scenario.to_dict(), allow_unicode=True, sort_keys=False, width=1000))
        if scenarios_module.parse(params_module.parse_yaml(text, path), path) != dataclasses.replace(scenario, file=str(path)):
            raise AssertionError(f"{path}: the YAML does not read back as the scenario")   # never written
        try:
            with atomic_path(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except CivsimError as exc:
            self._say(f"不能保存：{exc.problem}，请联系管理员")
            return None
        data = base64.b64encode(text.encode("utf-8")).decode("ascii")
        self.download.value = (f'<a download="{name}.yaml" href="data:text/yaml;charset=utf-8;base64,{data}">'
                               f"下载 {html.escape(name)}.yaml</a>")
        # a visitor sees where the file is among the app's saves, not the server's folders
        shown = path.relative_to(self.visitor_root) if self.visitor_root is not None else path
        self._say(f"已保存 {shown}")
        return path

    def _visitor_folder(self) -> Path:
        """This visitor's own folder under the app's saves, made on the first save with a name no
        other visitor can have (mkdtemp), so one visitor never overwrites another's file."""
        self.visitor_root.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-")
        self.folder = Path(tempfile.mkdtemp(prefix=stamp, dir=self.visitor_root))
        os.chmod(self.folder, 0o777 & ~_umask())
        return self.folder


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _save_folder(folder) -> tuple[Path | None, Path | None]:
    """(folder, visitor root): a given folder; else, under ``civsim app``, a per-visitor folder made
    on the first save; else ``params/scenarios``."""
    if folder is not None:
        return Path(folder), None
    root = os.environ.get(VISITOR_SAVES)
    return (None, Path(root)) if root else (SCENARIOS, None)


def _ticks(top: float) -> list[float]:
    """Round gridline values from 0 to at least ``top`` (steps of 1, 2 or 5 × 10^k)."""
    if not np.isfinite(top) or top <= 0:
        return [0.0, 1.0]
    raw = top / 4
    power = 10 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [float(step * i) for i in range(int(np.ceil(top / step - 1e-9)) + 1)]


def svg_lines(labels: list[str], series: list[tuple[str, object, str]], title: str,
              width: int = 460, height: int = 230) -> str:
    """A small line chart as SVG: one line per (name, values, colour), y from zero."""
    left, right, top, bottom = 56, 10, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [np.asarray(v, dtype=float) for _, v, _ in series]
    ticks = _ticks(max(float(np.nanmax(v)) if len(v) else 0.0 for v in values))
    y_max = ticks[-1]
    n = len(labels)
    x = lambda i: left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)  # noqa: E731
    y = lambda v: top + plot_h * (1 - v / y_max)  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="11">',
             f'<text x="{left}" y="16" font-size="13" font-weight="bold">{html.escape(title)}</text>']
    for tick in ticks:
        text = f"{tick:,.0f}" if tick == int(tick) else f"{tick:,.2f}"
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="#e5e5e5"/><text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end">{text}</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                     f'{html.escape(label)}</text>')
    for k, ((name, _, colour), v) in enumerate(zip(series, values)):
        points = " ".join(f"{x(i):.1f},{y(val):.1f}" for i, val in enumerate(np.nan_to_num(v)))
        dash = ' stroke-dasharray="5,3"' if k else ""
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{points}"/>')
        lx = left + 10 + 70 * k
        parts.append(f'<line x1="{lx}" x2="{lx + 18}" y1="{height - 8}" y2="{height - 8}" stroke="{colour}" '
                     f'stroke-width="2"{dash}/><text x="{lx + 22}" y="{height - 4}">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def build(district="东西湖区", year: int = 2021, folder=None, debounce: float | None = 0.3) -> Explorer:
    """The explorer for a district-year; display ``build().widget`` in a notebook. Saves go to
    ``folder``; by default to ``params/scenarios``, or under ``civsim app`` to the visitor's own folder."""
    return Explorer(district, year, folder, debounce=debounce)


__all__ = ["Explorer", "build", "available_districts", "paid_programs", "check_save_name", "one_line", "STANDARDS",
           "ROLL", "JUMP", "RESERVED", "VISITOR_SAVES"]
