"""The scenario page's layout: its style sheet, where each of the explorer's widgets sits (the
district and month above, the results beside the controls on a laptop screen and above them when
narrower), and the control widgets made from the model's settings: one standard's row (its
caption, 涨幅%/新标准 toggle, % slider, new-value box and the 确认 box a jump waits for) and one
roll behaviour's slider. The explorer (:mod:`.view`) wires their events."""

from __future__ import annotations

from .controls import RollControl, StandardControl, caption as _caption
from .model import RollSetting, StandardSetting

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


def page(ex):
    """The explorer's page: its widgets (:class:`~civsim.explorer.view.Explorer`'s) laid out."""
    import ipywidgets as w

    results = w.VBox(
        [
            ex.headline,
            ex.range_box,
            ex.status_box,
            ex.program_box,
            ex.chart,
            ex.table_html,
            ex.split_button,
            ex.split_html,
        ]
    )
    controls = w.VBox(
        [
            w.HTML("<b>标准调整</b>（涨幅%或新标准，自生效月份起）"),
            ex.standards_box,
            w.HTML("<b>名册假设</b>"),
            ex.roll_box,
            w.HTML("<b>保存方案</b>"),
            ex.name_box,
            ex.title_box,
            w.HBox([ex.overwrite_box, ex.save_button]),
            ex.message_box,
            ex.download,
        ]
    )
    results.add_class("civsim-results")
    controls.add_class("civsim-controls")
    columns = w.HBox([results, controls])
    columns.add_class("civsim-columns")
    widget = w.VBox([w.HTML(STYLE), w.HBox([ex.district_box, ex.month_box]), columns])
    widget.add_class("civsim-explorer")
    return widget


def standard_row(s: StandardSetting) -> StandardControl:
    """One standard's widgets in a row, the % slider shown and the new-value box hidden."""
    import ipywidgets as w

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
    confirm = w.Checkbox(value=False, description="确认", indent=False, layout=w.Layout(display="none", width="60px"))
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
    return control


def roll_slider(s: RollSetting) -> RollControl:
    """One roll behaviour's slider, at its current value."""
    import ipywidgets as w

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
    return RollControl(s.program, s.path, s.label, float(slider.value), slider)
