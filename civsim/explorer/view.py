"""The scenario page (方案模拟): widgets over the :class:`~civsim.explorer.model.Model`.

``build(district, year)`` returns an :class:`Explorer`; ``explorer.widget`` is the ipywidgets app.
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
from ..report.svg import monthly_panels
from ..report.labels import family_label, program_label
from ..scenarios import Scenario
from .controls import RollControl, StandardControl, caption as _caption
from .ranges import range_html
from .saves import VISITOR_SAVES, _save_folder, visitor_folder  # noqa: F401 (VISITOR_SAVES: the package's name)
from .model import LIVE_NAME, Model, RollSetting, StandardSetting, available_districts, check_save_name


def _widgets():
    import ipywidgets

    return ipywidgets


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

        results = w.VBox(
            [
                self.headline,
                self.range_box,
                self.status_box,
                self.program_box,
                self.chart,
                self.table_html,
                self.split_button,
                self.split_html,
            ]
        )
        controls = w.VBox(
            [
                w.HTML("<b>标准调整</b>（涨幅%或新标准，自生效月份起）"),
                self.standards_box,
                w.HTML("<b>名册假设</b>"),
                self.roll_box,
                w.HTML("<b>保存方案</b>"),
                self.name_box,
                self.title_box,
                w.HBox([self.overwrite_box, self.save_button]),
                self.message_box,
                self.download,
            ]
        )
        results.add_class("civsim-results")
        controls.add_class("civsim-controls")
        columns = w.HBox([results, controls])
        columns.add_class("civsim-columns")
        self.widget = w.VBox([w.HTML(STYLE), w.HBox([self.district_box, self.month_box]), columns])
        self.widget.add_class("civsim-explorer")
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
        w = _widgets()
        self._quiet = True
        try:
            self.standards = []
            for s in self.model.standard_settings(self.month_box.value):
                caption = w.HTML(_caption(s.label, s.current, s.unit), layout=w.Layout(width="200px"))
                mode = w.ToggleButtons(
                    options=[("涨幅%", "percent"), ("新标准", "value")], value="percent", style={"button_width": "62px"}
                )
                percent = w.FloatSlider(
                    value=0.0,
                    min=-50.0,
                    max=100.0,
                    step=0.5,
                    description="%",
                    readout_format=".1f",
                    continuous_update=True,
                    style={"description_width": "16px"},
                    layout=w.Layout(width="200px"),
                )
                value = w.FloatText(
                    value=s.current,
                    step=10.0,
                    description="元",
                    continuous_update=True,
                    style={"description_width": "16px"},
                    layout=w.Layout(display="none", width="140px"),
                )
                confirm = w.Checkbox(
                    value=False, description="确认", indent=False, layout=w.Layout(display="none", width="60px")
                )
                control = StandardControl(
                    s.program,
                    s.path,
                    s.label,
                    s.unit,
                    s.current,
                    mode,
                    percent,
                    value,
                    confirm,
                    caption,
                    w.HBox([caption, mode, percent, value, confirm]),
                )
                control.row.add_class("civsim-" + s.path.replace(".", "-"))  # a handle for the browser test
                mode.observe(lambda change, c=control: self._on_mode(c), "value")
                percent.observe(lambda change, c=control: self._on_value(c), "value")
                value.observe(lambda change, c=control: self._on_value(c), "value")
                confirm.observe(self._changed, "value")
                self.standards.append(control)
            self.roll = []
            for s in self.model.roll_settings():
                slider = w.FloatSlider(
                    value=s.value,
                    min=s.low,
                    max=s.high,
                    step=s.step,
                    description=s.label,
                    readout_format=s.fmt,
                    style={"description_width": "initial"},
                    layout=w.Layout(width="480px"),
                )
                slider.observe(self._changed, "value")
                self.roll.append(RollControl(s.program, s.path, s.label, float(slider.value), slider))
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
            self.status_box.value = (
                f'<div class="civsim-warn" lang="zh-CN">{html.escape(self.status)}<br>'
                f"（下列结果仍为上一次有效的设置）</div>"
                if self.status
                else ""
            )
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
        from ..report.numbers import pct, wan_yuan

        total = self.table.set_index("program").loc["total"]
        ratio = total["diff_yuan"] / total["baseline_yuan"] if total["baseline_yuan"] else 0.0
        title = self.scenario.title if self.scenario else "方案与基准相同（未调整任何控件）"
        # data-yuan carries the exact scenario total for whoever reads the page (the browser test)
        self.headline.value = (
            f'<div lang="zh-CN"><b>{html.escape(self.params.district.name)} {self.year}年</b>：'
            f"{html.escape(title)}<br>全年支出 基准 {wan_yuan(total['baseline_yuan'])}，"
            f'方案 <span class="civsim-total" data-yuan="{total["scenario_yuan"]:.2f}" '
            f'data-compute-ms="{self.compute_ms:.1f}">'
            f"{wan_yuan(total['scenario_yuan'])}</span>，"
            f"<b>差额 {wan_yuan(total['diff_yuan'])}（{pct(ratio, signed=True)}）</b></div>"
        )
        shown = self.result.table_frame()
        self.table_html.value = (
            f'<div lang="zh-CN">{shown.to_html(index=False, float_format=lambda v: f"{v:,.2f}", border=0)}</div>'
        )
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
        # short headings, the unit once: the table keeps within the results pane
        shown = pd.DataFrame(
            {
                "项目": split["family"].map(family_label),
                f"{self.year - 1}年": split["amount0"] / 1e4,
                f"{self.year}年": split["amount1"] / 1e4,
                "增减": split["change"] / 1e4,
                "标准因素": split["standard"] / 1e4,
                "人数因素": split["people"] / 1e4,
                "一次性及阶段性项目": split["one_off"] / 1e4,
            }
        )
        table = shown.to_html(index=False, float_format=lambda v: f"{v:,.2f}", border=0)
        self.split_html.value = (
            f'<div lang="zh-CN" style="max-width:100%;overflow-x:auto;font-size:12px">'
            f"<b>与{self.year - 1}年相比</b>（单位：万元；三项之和等于增减额；经常性补助按上年同月延续）"
            f"<style>.civsim-split th{{white-space:normal;max-width:6em}}</style>"
            f'<div class="civsim-split">{table}</div></div>'
        )
        return split

    def _draw(self) -> None:
        if self._quiet or self.result is None:
            return
        self.chart.value = self.render(self.program_box.value)

    def render(self, program: str = "total") -> str:
        """The chart as inline SVG: monthly money and caseload of a program or the total, baseline vs scenario."""
        return monthly_panels(
            self.result.monthly_for(program), "合计" if program == "total" else program_label(program)
        )

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
