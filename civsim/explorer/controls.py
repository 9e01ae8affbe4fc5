"""The scenario page's controls: one standard's widgets (mode, % slider, new value, confirmation)
or one roll behaviour's slider, each read as the model's plain setting."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from .model import TOLERANCE, RollSetting, StandardSetting


def caption(label: str, current: float, unit: str) -> str:
    return (
        f'<div class="civsim-caption" lang="zh-CN">{html.escape(label)}<br>'
        f"<small>现行{round(current, 2):g}{unit}</small></div>"
    )


@dataclass
class StandardControl:
    """One standard's widgets; :meth:`setting` reads them as the model's :class:`StandardSetting`."""

    program: str
    path: str
    label: str
    unit: str
    current: float
    mode: object  # ToggleButtons: "percent" | "value"
    percent: object  # FloatSlider, percent
    value: object  # FloatText, yuan
    confirm: object  # Checkbox, shown while a jump waits for confirmation
    caption: object  # HTML: label and the standard in force
    row: object  # HBox

    def setting(self) -> StandardSetting:
        return StandardSetting(
            self.program,
            self.path,
            self.label,
            self.unit,
            self.current,
            self.mode.value,
            float(self.percent.value),
            float(self.value.value),
            bool(self.confirm.value),
        )

    def new_value(self) -> float:
        return self.setting().new_value()

    def change(self, start: dt.date):
        return self.setting().change(start)

    def problem(self) -> str | None:
        return self.setting().problem()

    def jump(self) -> str | None:
        return self.setting().jump()

    def describe(self) -> str:
        return self.setting().describe()

    def set_current(self, current: float) -> None:
        if abs(self.value.value - self.current) <= TOLERANCE:  # untouched: follow the baseline
            self.value.value = current
        self.current = current
        self.caption.value = caption(self.label, current, self.unit)


@dataclass
class RollControl:
    program: str
    path: str
    label: str
    current: float
    slider: object

    def setting(self) -> RollSetting:
        return RollSetting(self.program, self.path, self.label, self.current, float(self.slider.value))

    def change(self, start: dt.date):
        return self.setting().change(start)

    def describe(self) -> str:
        return self.setting().describe()
