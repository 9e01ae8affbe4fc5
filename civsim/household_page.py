"""The household page (单户测算) of the web app, beside the scenario page: a clerk or planner enters
one family — members (age, sex, disability grade, self-care, seriously ill, 特困 and placement,
children's status, allowances held), income, area, street, category and month — and sees each
program's monthly amount and its working under the baseline and under the scenario the scenario
page is exploring (the two pages share one :class:`civsim.explorer.Model`: the district's
parameters, and the scenario each valid recompute there passes on). The family is saved as a case
file (its amounts as the expected output, so ``civsim cases`` re-checks it) and printed as the
one-page PDF for the case file; both are offered as downloads.

The inputs are read as a case mapping and checked by :func:`civsim.household.check`: an impossible
family is one line naming the field, in the page's message, and the last amounts stay as they were.
A choice recomputes at once (a household is one small roll: tens of milliseconds); typing in a
number box waits for the keys to pause ``debounce`` seconds (0.08). While only the scenario moves,
the family's roll and baseline are kept and only the scenario's amounts are computed.
"""

from __future__ import annotations

import asyncio
import base64
import html
import re
import threading
import time
from pathlib import Path

from . import household, household_text
from .errors import CivsimError

SEX = [("—", ""), ("男", "m"), ("女", "f")]
GRADES = [("无", 0), ("一级", 1), ("二级", 2), ("三级", 3), ("四级", 4)]
SELF_CARE = [("全自理", 0), ("半护理", 1), ("全护理", 2)]
CHILD = [("—", "none"), ("孤儿", "orphan"), ("事实无人抚养", "unsupported")]
FLAGS = [
    ("seriously_ill", "重病"),
    ("student", "在校学生"),
    ("tekun", "特困"),
    ("institution", "集中供养"),
    ("elderly_allowance", "高龄津贴对象"),
    ("home_care", "居家养老服务"),
    ("poor", "困难家庭成员"),
]
AREAS = [("城市", "urban"), ("农村", "rural")]
CATEGORIES = [(word, key) for key, word in household.CATEGORY_WORDS.items()]

STYLE = """<style>
.civsim-household { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
.civsim-household table { border-collapse: collapse; font-size: 12px; }
.civsim-household td, .civsim-household th { padding: 2px 8px; text-align: right; white-space: nowrap; border-bottom: 1px solid #ddd; }
.civsim-household td.label, .civsim-household th:first-child { text-align: left; }
.civsim-household ul.civsim-hh-workings { font-size: 12px; line-height: 1.5; padding-left: 18px; max-width: 900px; }
.civsim-household .civsim-warn { color: #b03a2e; font-weight: bold; }
.civsim-household .widget-checkbox { width: auto; }
</style>"""


def _widgets():
    import ipywidgets

    return ipywidgets


HOUSEHOLD_WORDS = {
    "income": "家庭月人均收入",
    "area": "地区",
    "category": "类别",
    "street": "街道/乡镇",
    "members": "成员",
    "period": "测算月份",
    "tier": "低保档次",
    "single_parent": "单亲家庭",
}


def field_words(key) -> str:
    """A case file's key (``household.members[2].age``) as the page names the field (成员2的年龄)."""
    match = re.fullmatch(r"(?:[^.]*\.)?household\.members\[(\d+)\]\.(\w+)", str(key or ""))
    if match:
        word = household.MEMBER_FIELDS.get(match.group(2), (match.group(2),))[0]
        return f"成员{match.group(1)}的{word}"
    last = str(key or "").split(".")[-1]
    return HOUSEHOLD_WORDS.get(last, str(key or "输入"))


class MemberRow:
    """One member's inputs, as a row of widgets."""

    def __init__(self, page: "HouseholdPage", values: dict):
        w = _widgets()
        small = w.Layout(width="auto")
        self.age = w.IntText(
            value=int(values.get("age", 40)),
            description="年龄",
            layout=w.Layout(width="110px"),
            style={"description_width": "30px"},
            continuous_update=True,
        )

        def choice(options, value, label: str, width: str):
            return w.Dropdown(
                options=options,
                value=value,
                description=label,
                layout=w.Layout(width=width),
                style={"description_width": "30px"},
            )

        self.sex = choice(SEX, values.get("sex", ""), "性别", "110px")
        self.grade = choice(GRADES, int(values.get("disability_grade", 0)), "残疾", "120px")
        self.self_care = choice(SELF_CARE, int(values.get("self_care", 0)), "自理", "130px")
        self.child = choice(CHILD, values.get("child_status", "none"), "儿童", "150px")
        self.flags = {
            key: w.Checkbox(value=bool(values.get(key, 0)), description=word, indent=False, layout=small)
            for key, word in FLAGS
        }
        self.remove = w.Button(description="删除", layout=w.Layout(width="52px"))
        self.remove.on_click(lambda _: page.remove_member(self))
        self.row = w.HBox(
            [self.age, self.sex, self.grade, self.self_care, self.child, *self.flags.values(), self.remove]
        )
        self.age.observe(page.typed, "value")
        for box in [self.sex, self.grade, self.self_care, self.child, *self.flags.values()]:
            box.observe(page.changed, "value")

    def values(self) -> dict:
        out = {
            "age": self.age.value,
            "disability_grade": self.grade.value,
            "self_care": self.self_care.value,
            "child_status": self.child.value,
            **{k: int(box.value) for k, box in self.flags.items()},
        }
        if self.sex.value:
            out["sex"] = self.sex.value
        return out


class HouseholdPage:
    """The 单户测算 page over a scenario page's model (see the module docstring)."""

    def __init__(self, explorer, debounce: float | None = 0.08):
        w = _widgets()
        self.explorer, self.debounce = explorer, debounce
        self.scenario = explorer.scenario
        self.base = self.other = None
        self.message = ""
        self.recomputes = 0
        self._timer, self._quiet, self._lock = None, False, threading.RLock()
        self._kept = None  # (the family's key, its simulations, its baseline): reused while only the scenario moves
        year = explorer.year
        self.month_box = w.Dropdown(
            options=[(f"{year}年{m}月", f"{year}-{m:02d}") for m in range(1, 13)],
            value=f"{year}-{max(explorer.month_box.value, 1):02d}",
            description="测算月份",
        )
        self.area_box = w.Dropdown(options=AREAS, value="urban", description="地区")
        self.category_box = w.Dropdown(options=CATEGORIES, value="dibao", description="类别")
        self.income_box = w.FloatText(
            value=400.0,
            description="人均月收入",
            style={"description_width": "70px"},
            layout=w.Layout(width="190px"),
            continuous_update=True,
        )
        self.street_box = w.Text(value="", description="街道/乡镇", placeholder="可不填")
        self.tier_box = w.Dropdown(
            options=[("不分档", 0), ("一档", 1), ("二档", 2), ("三档", 3)], value=0, description="低保档次"
        )
        self.single_parent_box = w.Checkbox(value=False, description="单亲家庭", indent=False)
        self.description_box = w.Text(
            value="", description="案例说明", placeholder="如 三口之家，有一位80岁老人", layout=w.Layout(width="420px")
        )
        self.members_box = w.VBox()
        self.add_button = w.Button(description="添加成员")
        self.save_name = w.Text(description="案例文件名", placeholder="如 family_80")
        self.save_button = w.Button(description="保存案例", button_style="primary")
        self.pdf_button = w.Button(description="生成PDF（审批附件）", layout=w.Layout(width="auto"))
        self.status_box = w.HTML()
        self.result_html = w.HTML()
        self.working_html = w.HTML()
        self.message_box = w.HTML()
        self.download = w.HTML()
        for box, name in (
            (self.income_box, "income"),
            (self.area_box, "area"),
            (self.category_box, "category"),
            (self.month_box, "month"),
            (self.street_box, "street"),
            (self.tier_box, "tier"),
            (self.single_parent_box, "single-parent"),
        ):
            box.add_class(f"civsim-hh-{name}")
            box.observe(self.typed if name in ("income", "street") else self.changed, "value")
        self.add_button.on_click(lambda _: self.add_member({"age": 40}))
        self.save_button.on_click(self.save)
        self.pdf_button.on_click(self.pdf)
        self.rows: list[MemberRow] = []
        for values in ({"age": 80, "elderly_allowance": 1}, {"age": 45}, {"age": 12}):
            self.add_member(values, quiet=True)
        inputs = w.VBox(
            [
                w.HTML("<b>家庭</b>"),
                w.HBox([self.month_box, self.area_box, self.category_box]),
                w.HBox([self.income_box, self.street_box, self.tier_box, self.single_parent_box]),
                self.description_box,
                w.HTML("<b>成员</b>"),
                self.members_box,
                self.add_button,
                w.HTML("<b>保存</b>"),
                w.HBox([self.save_name, self.save_button, self.pdf_button]),
                self.message_box,
                self.download,
            ]
        )
        # the amounts above the inputs (a change shows on the first screen), the working below them
        self.widget = w.VBox([w.HTML(STYLE), self.status_box, self.result_html, inputs, self.working_html])
        self.widget.add_class("civsim-household")
        explorer.listeners.append(self.set_scenario)
        self.recompute()

    # ------------------------------------------------------------ members

    def add_member(self, values: dict, quiet: bool = False) -> MemberRow:
        row = MemberRow(self, values)
        row.row.add_class(f"civsim-hh-member-{len(self.rows)}")
        self.rows.append(row)
        self.members_box.children = [r.row for r in self.rows]
        if not quiet:
            self.changed()
        return row

    def remove_member(self, row: MemberRow) -> None:
        if len(self.rows) == 1:
            self._say("至少保留一位成员")
            return
        self.rows.remove(row)
        self.members_box.children = [r.row for r in self.rows]
        self.changed()

    # ------------------------------------------------------------ the case

    def raw(self) -> dict:
        """The inputs as a case mapping (the case file's format)."""
        house = {
            "area": self.area_box.value,
            "category": self.category_box.value,
            "members": [r.values() for r in self.rows],
        }
        if self.category_box.value in ("dibao", "low_income", "edge") or self.income_box.value:
            house["income"] = self.income_box.value
        if self.street_box.value.strip():
            house["street"] = self.street_box.value.strip()
        if self.tier_box.value:
            house["tier"] = self.tier_box.value
        if self.single_parent_box.value:
            house["single_parent"] = 1
        return {
            "description": self.description_box.value.strip() or "单户测算",
            "period": self.month_box.value,
            "district": self.explorer.params.district.name,
            "household": house,
        }

    def case(self) -> household.Case:
        return household.check(self.raw(), "单户测算")

    # ------------------------------------------------------------ computing

    def set_scenario(self, scenario) -> None:
        """The scenario page's scenario changed (None: the baseline)."""
        self.scenario = scenario
        self.recompute()

    def changed(self, _change=None) -> None:
        """A choice (a list, a box ticked): computed at once."""
        if not self._quiet and self.debounce is not None:
            self.recompute()

    def typed(self, _change=None) -> None:
        """A keystroke in a number or text box: computed once the keys pause for ``debounce``."""
        if self._quiet or self.debounce is None:
            return
        if self.debounce <= 0:
            self.recompute()
            return
        if self._timer is not None:
            self._timer.cancel()
        try:
            self._timer = asyncio.get_running_loop().call_later(self.debounce, self.recompute)
        except RuntimeError:
            self._timer = threading.Timer(self.debounce, self.recompute)
            self._timer.daemon = True
            self._timer.start()

    def recompute(self) -> None:
        """Check the inputs and compute baseline and scenario; an impossible family leaves the last
        amounts and says why (one line naming the field)."""
        with self._lock:
            started = time.perf_counter()
            self._timer = None
            try:
                case = self.case()
                params = self.explorer.params
                key = (repr(case), id(params))
                if self._kept is None or self._kept[0] != key:  # a new family: its roll and baseline
                    sims: dict = {}
                    self._kept = (key, sims, household.compute(case, base=params, sims=sims))
                _, sims, base = self._kept  # else only the scenario changed
                other = (
                    household.compute(case, self.scenario, base=params, sims=sims)
                    if self.scenario is not None
                    else None
                )
            except CivsimError as exc:
                self.message = f"{field_words(exc.key)}：{exc.problem}"
                self.status_box.value = (
                    f'<div class="civsim-warn civsim-hh-error" lang="zh-CN" data-key="{html.escape(str(exc.key))}">'
                    f"输入有误：{html.escape(self.message)}<br>（下列金额仍为上一次有效的输入）</div>"
                )
                return
            self.base, self.other = base, other
            ms = (time.perf_counter() - started) * 1000
            self.compute_ms = ms
            self.recomputes += 1
            title = ("对比方案：" + html.escape(other.title)) if other is not None else "方案与基准相同（方案页未调整）"
            total = sum(base.months[0].amounts.get(line, 0.0) for line in household_text.household_lines(base))
            self.status_box.value = (
                f'<div lang="zh-CN" class="civsim-hh-status" data-total="{total:.2f}" '
                f'data-compute-ms="{ms:.1f}" data-recomputes="{self.recomputes}">'
                f"<b>{html.escape(self.explorer.params.district.name)}</b> {title}</div>"
            )
            self.result_html.value = household_text.html_table(base, other, "amounts")
            self.working_html.value = household_text.html_table(base, other, "working")

    # ------------------------------------------------------------ saving

    def _say(self, text: str) -> None:
        self.message = text
        self.message_box.value = f'<span class="civsim-hh-message">{html.escape(text)}</span>'

    def _folder(self) -> Path:
        ex = self.explorer
        return ex._visitor_folder() if ex.folder is None else Path(ex.folder)

    def _name(self) -> str | None:
        from .explorer import check_save_name

        name = self.save_name.value.strip()
        refused = check_save_name(name)
        if refused:
            self._say(refused.replace("方案名", "案例文件名"))
            return None
        return name

    def save(self, _button=None) -> Path | None:
        """The family as a case file, its baseline amounts as the expected output; offered as a download."""
        self.recompute()
        name = self._name()
        if name is None or self.base is None:
            return None
        try:
            case = self.case()
        except CivsimError as exc:
            self._say(f"不能保存：{exc}")
            return None
        month = self.base.months[0]
        output = {}
        for line in household_text.household_lines(self.base):
            persons = month.persons.get(line)
            output[line] = persons if persons is not None and len(persons) > 1 else month.amounts.get(line, 0.0)
        case = household.Case(
            case.name, case.district, case.periods, case.params, case.household, case.members, {month.period: output}
        )
        try:
            path = household.save(case, self._folder() / f"{name}.yaml")
        except (OSError, CivsimError) as exc:  # the saves folder unwritable or full: say so
            self._say(f"不能保存：{_cause(exc)}，请联系管理员")
            return None
        self._offer(path, "text/yaml")
        self._say(f"已保存 {self.explorer.shown(path)}")
        return path

    def pdf(self, _button=None) -> Path | None:
        """The one-page PDF for the case file (审批材料附件), offered as a download."""
        from .household_pdf import write_pdf

        self.recompute()
        name = self._name()
        if name is None or self.base is None:
            return None
        try:
            path = write_pdf(self.base, self.other, self._folder() / f"{name}.pdf")
        except (OSError, CivsimError) as exc:
            self._say(f"不能生成：{_cause(exc)}，请联系管理员")
            return None
        self._offer(path, "application/pdf")
        self._say(f"已生成 {self.explorer.shown(path)}")
        return path

    def _offer(self, path: Path, kind: str) -> None:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        self.download.value = (
            f'<a class="civsim-hh-download" download="{path.name}" href="data:{kind};base64,{data}">'
            f"下载 {html.escape(path.name)}</a>"
        )


def build(explorer, debounce: float | None = 0.08) -> HouseholdPage:
    return HouseholdPage(explorer, debounce)


def app(explorer, page: HouseholdPage):
    """The two pages as tabs: 方案模拟 and 单户测算."""
    w = _widgets()
    tabs = w.Tab(children=[explorer.widget, page.widget])
    tabs.set_title(0, "方案模拟")
    tabs.set_title(1, "单户测算")
    return tabs


__all__ = ["HouseholdPage", "MemberRow", "build", "app"]


def _cause(exc: Exception) -> str:
    """What went wrong writing a file, in a line a visitor can pass on (no path of the server's)."""
    return getattr(exc, "problem", "") or getattr(exc, "strerror", "") or type(exc).__name__
