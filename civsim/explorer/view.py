"""The scenario page (方案模拟): widgets over the :class:`~civsim.explorer.model.Model`.

``build(district, year)`` returns an :class:`Explorer`; ``explorer.widget`` is the ipywidgets app.
Here are its state, events, computing and saving; :mod:`.layout` lays the page out and makes the
control widgets, :mod:`.results_pane` draws the results.
State lives in plain attributes (``params``, ``sim``, ``scenario``, ``frame``, ``table``,
``annual_difference_yuan``, ``message``), so tests drive it without a browser: set a control's
``.value``, call :meth:`Explorer.recompute`, click ``save_button.click()``.

Changes are debounced: each change (re)starts a short timer (on the kernel's event loop when there
is one, else a thread) and the computation runs when the controls have been still for ``debounce``
seconds. ``debounce=0`` recomputes on every change; ``debounce=None`` only on :meth:`recompute`.
The wait follows the recompute: twice the last recompute's time, at least ``typing`` (0.08 s) and
at most ``debounce`` (0.3 s). A drag sends a value every 16 ms, and any wait longer than that
computes it once, where it stops; keystrokes come 100–200 ms apart, so on a district whose
recompute takes 30–40 ms a key's value is computed before the next key and the last one 0.08 s
after it, while on a roll whose recompute takes 150 ms or more the wait grows to 0.3 s, so that
intermediate values do not queue up (``benchmarks/app.py --waits``; docs/performance.md).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import html
import threading
import time
from pathlib import Path

import pandas as pd

from .. import districts
from ..errors import CivsimError
from ..scenarios import Scenario
from . import results_pane
from .controls import RollControl, StandardControl
from .layout import page, roll_slider, standard_row
from .ranges import range_html
from .saves import VISITOR_SAVES, _save_folder, visitor_folder  # noqa: F401 (VISITOR_SAVES: the package's name)
from .model import LIVE_NAME, Model, RollSetting, StandardSetting, available_districts, check_save_name


def _widgets():
    import ipywidgets

    return ipywidgets


class Explorer:
    """Controls, results and the save action for one district-year (see the module docstring)."""

    def __init__(
        self,
        district="东西湖区",
        year: int = 2021,
        folder=None,
        debounce: float | None = 0.3,
        seed: int = 1,
        typing: float = 0.08,
        range_draws: int | None = None,
    ):
        w = _widgets()
        self.year, self.debounce, self.seed, self.typing = int(year), debounce, seed, typing
        self.range_draws = range_draws
        self.folder, self.visitor_root = _save_folder(folder)
        self.recomputes = 0
        self.message = ""
        self.status = ""  # "" when the controls make a valid scenario, else why not (Chinese)
        self.listeners: list = []  # called with the scenario (or None) after each valid recompute
        self._timer = None
        self._lock = threading.RLock()
        self._quiet = False
        self.standards: list[StandardControl] = []
        self.roll: list[RollControl] = []
        self.scenario: Scenario | None = None
        self.result = None
        self.budget_range = None  # the budget year's P10–P90 (civsim.budget.live.Range), or None
        self.range_problem = ""  # why it could not be computed (Chinese), else ""
        self.range_ms = 0.0
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
        self.range_box = w.HTML()  # the budget year's P10–P90, beside the scenario's total
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

        self.widget = page(self)
        self.load_district(code)

    # ------------------------------------------------------------ the model's state, by its old names

    params = property(lambda self: self.model.params)
    sim = property(lambda self: self.model.sim)
    baseline = property(lambda self: self.model.baseline)
    paid = property(lambda self: self.model.paid)
    moving = property(lambda self: self.model.moving)
    _split_sims = property(lambda self: self.model._split_sims)
    current = property(lambda self: self.result.current)
    frame = property(lambda self: self.result.frame)
    annual_difference_yuan = property(lambda self: self.result.annual_difference_yuan)

    def monthly_for(self, program: str = "total") -> pd.DataFrame:
        return self.result.monthly_for(program)

    @property
    def monthly(self) -> pd.DataFrame:
        return self.result.monthly_for("total")

    # ------------------------------------------------------------ setup

    def load_district(self, district) -> None:
        """Load a district's parameters, build its roll once, rebuild the controls, show the baseline."""
        with self._lock:
            self._cancel_timer()
            self.model = Model(district, self.year, self.seed, self.range_draws)
            self.split_html.value = ""
            self._build_controls()
            self.recompute()

    def _build_controls(self) -> None:
        self._quiet = True
        try:
            self.standards = []
            for s in self.model.standard_settings(self.month_box.value):
                control = standard_row(s)
                control.mode.observe(lambda change, c=control: self._on_mode(c), "value")
                control.percent.observe(lambda change, c=control: self._on_value(c), "value")
                control.value.observe(lambda change, c=control: self._on_value(c), "value")
                control.confirm.observe(self._changed, "value")
                self.standards.append(control)
            self.roll = []
            for s in self.model.roll_settings():
                control = roll_slider(s)
                control.slider.observe(self._changed, "value")
                self.roll.append(control)
            self.standards_box.children = [c.row for c in self.standards]
            self.roll_box.children = [c.slider for c in self.roll]
        finally:
            self._quiet = False

    # ------------------------------------------------------------ the scenario

    @property
    def start(self) -> dt.date:
        """The effective date of the standards' changes."""
        return self.model.start(self.month_box.value)

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

    def settings(self) -> tuple[list[StandardSetting], list[RollSetting]]:
        return [c.setting() for c in self.standards], [c.setting() for c in self.roll]

    def changes(self) -> list:
        scenario = self.build_scenario()
        return list(scenario.changes) if scenario else []

    def build_scenario(self, name: str = LIVE_NAME, title: str = "") -> Scenario | None:
        """The controls as a civsim Scenario, or None when nothing differs from the baseline."""
        standards, roll = self.settings()
        return self.model.scenario(standards, roll, self.month_box.value, name, title)

    def check(self) -> str:
        return self.model.check(self.settings()[0])

    # ------------------------------------------------------------ events

    def _on_mode(self, control: StandardControl) -> None:
        percent = control.mode.value == "percent"
        control.percent.layout.display = None if percent else "none"
        control.value.layout.display = "none" if percent else None
        self._on_value(control)

    def _on_value(self, control: StandardControl) -> None:
        if control.confirm.value:  # a confirmation is for the value it was given to
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

    def wait(self) -> float:
        """Seconds to let the controls settle: twice the last recompute, within [typing, debounce]."""
        return min(self.debounce, max(self.typing, 2 * getattr(self, "compute_ms", 0.0) / 1000))

    def _changed(self, _change=None) -> None:
        if self._quiet or self.debounce is None:
            return
        wait = self.wait()
        if wait <= 0:
            self.recompute()
            return
        self._cancel_timer()
        try:
            self._timer = asyncio.get_running_loop().call_later(wait, self._fire)
        except RuntimeError:  # no event loop (a script, a test): a thread timer
            timer = threading.Timer(wait, self._fire)
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
        except Exception as exc:  # a timer has no caller to raise to: show it instead
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
                    result = self.model.run(scenario)
                except CivsimError as exc:
                    self.status = f"方案无效：{exc}"
            self.status_box.value = results_pane.status_note(self.status)
            if self.status:
                return self.table
            self.scenario, self.result, self.table = scenario, result, result.table
            self._program_options()
            self.compute_ms = (time.perf_counter() - started) * 1000  # shown in the page for the benchmark
            self.recomputes += 1
            self._show()
            for listener in self.listeners:
                listener(scenario)
            # the budget year's range after the total is on the page: the total does not wait for it
            self.range_box.value = self._range_html(pending=True)
            if self.model._live is None and self.debounce is not None and _loop() is not None:
                _loop().call_soon(self._range_later)  # its draws are built once the page is up
            else:
                self._update_range(scenario)
            return self.table

    def _update_range(self, scenario) -> None:
        ranged = time.perf_counter()
        try:
            self.budget_range, self.range_problem = self.model.budget_range(scenario), ""
        except CivsimError as exc:
            self.budget_range, self.range_problem = None, f"预算年度区间无法计算：{exc.problem}"
        self.range_ms = (time.perf_counter() - ranged) * 1000
        self.range_box.value = self._range_html()

    def _range_later(self) -> None:
        with self._lock:
            try:
                self._update_range(self.scenario)
            except Exception as exc:  # a callback has no caller to raise to: show it instead
                self._say(f"计算出错：{exc}")

    def _program_options(self) -> None:
        options = [("合计", "total")] + [
            (label, p) for p, label in zip(self.table["program"], self.table["label"]) if p != "total"
        ]
        if list(self.program_box.options) != options:
            self._quiet = True
            try:
                keep = self.program_box.value if self.program_box.value in [v for _, v in options] else "total"
                self.program_box.options = options
                self.program_box.value = keep
            finally:
                self._quiet = False

    # ------------------------------------------------------------ showing

    def _say(self, text: str) -> None:
        self.message = text
        self.message_box.value = f"<span>{html.escape(text)}</span>"

    def _show(self) -> None:
        self.headline.value = results_pane.headline(
            self.params.district.name, self.year, self.scenario, self.table, self.compute_ms
        )
        self.table_html.value = results_pane.program_table(self.result)
        self._draw()

    def _range_html(self, pending: bool = False) -> str:
        return range_html(self.budget_range, self.year, self.range_problem, self.range_ms, pending)

    def show_split(self, _button=None) -> pd.DataFrame | None:
        """Why this year's money moved from the year before under the controls' scenario (万元)."""
        self.recompute()
        if self.status:
            self.split_html.value = f'<div lang="zh-CN">不能比较：{html.escape(self.status)}</div>'
            return None
        split = self.model.split(self.build_scenario())
        self.split_html.value = results_pane.split_table(split, self.year)
        return split

    def _draw(self) -> None:
        if self._quiet or self.result is None:
            return
        self.chart.value = self.render(self.program_box.value)

    def render(self, program: str = "total") -> str:
        """The chart as inline SVG: monthly money and caseload of a program or the total, baseline vs scenario."""
        return results_pane.chart(self.result, program)

    # ------------------------------------------------------------ saving

    def save(self, _button=None) -> Path | None:
        """Write ``<folder>/<name>.yaml`` atomically and offer it as a download; refuse controls the
        explorer reports invalid or unconfirmed, a bad or reserved name, or, unless the overwrite box is
        ticked, an existing file. Returns the path written, or None (see ``message``)."""
        self.download.value = ""
        self.recompute()  # save what the controls say now, not a pending timer's
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
        except OSError as exc:  # the saves folder is a file, read-only, or on a full disk: say so
            self._say(f"不能保存：保存方案的文件夹不可写（{exc.strerror or type(exc).__name__}），请联系管理员")
            return None
        path = folder / f"{name}.yaml"
        if path.exists() and not self.overwrite_box.value:
            self._say(f"{path.name} 已存在；如需覆盖，请勾选“覆盖同名方案”后再保存")
            return None
        try:
            self.model.save(scenario, path)
        except CivsimError as exc:
            self._say(f"不能保存：{exc.problem}，请联系管理员")
            return None
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        self.download.value = (
            f'<a download="{name}.yaml" href="data:text/yaml;charset=utf-8;base64,{data}">'
            f"下载 {html.escape(name)}.yaml</a>"
        )
        self._say(f"已保存 {self.shown(path)}")
        return path

    def shown(self, path: Path) -> Path:
        """Where a saved file is, as a visitor sees it: among the app's saves, not the server's folders."""
        return path.relative_to(self.visitor_root) if self.visitor_root is not None else path

    def _visitor_folder(self) -> Path:
        """This visitor's own folder under the app's saves, made on the first save with a name no
        other visitor can have (mkdtemp), so one visitor never overwrites another's file."""
        self.folder = visitor_folder(self.visitor_root)
        return self.folder


def _loop():
    """The running event loop (a kernel's), or None (a script, a test)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def build(
    district="东西湖区",
    year: int = 2021,
    folder=None,
    debounce: float | None = 0.3,
    typing: float = 0.08,
    range_draws: int | None = None,
) -> Explorer:
    """The explorer for a district-year; display ``build().widget`` in a notebook. Saves go to
    ``folder``; by default to ``params/scenarios``, or under ``civsim app`` to the visitor's own folder.
    ``range_draws``: the budget year's range over so many draws (default
    :data:`civsim.budget.live.LIVE_DRAWS`)."""
    return Explorer(district, year, folder, debounce=debounce, typing=typing, range_draws=range_draws)
