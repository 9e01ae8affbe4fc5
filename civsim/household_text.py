"""The household calculator's words: each line's amount with its working in Chinese, built from
what the rules recorded while the engine computed (:mod:`civsim.engine.trace`), never recomputed
here — the parameters each rule read (value, unit, from when, source) and the steps it named."""

from __future__ import annotations

import html
import re

from . import programs
from .household import AREA_WORDS, CATEGORY_WORDS, Case, Outcome
from .report.labels import UNIT_WORDS, program_label
from .scenarios import LIVE_NAME
from .schema import declared

SOURCE_WORDS = {"case": "本案例设定", "assumption": "测算假设", "calibration": "按报告数校准"}
SEED_FILE = re.compile(r"\d{3}_[0-9a-f]{16}|\.txt\b")
FOREIGN = re.compile("[A-Za-z]{4,}")
# Leaves a one-household run reads that are the model's behaviour, not the household's rule
MODEL_ONLY = ("take_up",)


def household_lines(outcome: Outcome) -> list[str]:
    """The lines to show: those paid to households or persons (a case flow such as 临时救助 is the
    district's, not one family's), plus any the case states an expected amount for."""
    stated = {line for month in outcome.case.output.values() for line in month}
    seen = [line for m in outcome.months for line in m.amounts]
    lines = [line for line in programs.LINES if line in seen or line in stated]
    return [
        line
        for line in lines
        if programs.LINE_PROGRAM[line].entity != "case" or line in stated or not outcome.case.members
    ]


def describe_household(case: Case) -> str:
    h = case.household
    parts = [AREA_WORDS[h["area"]], CATEGORY_WORDS[h["category"]] + ("家庭" if h["category"] != "other" else "")]
    if h["income"] == h["income"]:  # not NaN
        parts.append(f"家庭月人均收入{h['income']:g}元")
    if h.get("tier"):
        parts.append(f"{'一二三'[h['tier'] - 1]}档")
    if h.get("single_parent"):
        parts.append("单亲家庭")
    if h.get("street"):
        parts.append(h["street"])
    return "，".join(parts) + "；成员：" + "；".join(member_word(i, m) for i, m in enumerate(case.members))


def member_word(i: int, m: dict) -> str:
    words = [f"{m['age']}岁"]
    if m.get("sex"):
        words.append({"m": "男", "f": "女"}[m["sex"]])
    if m["disability_grade"]:
        words.append(f"{m['disability_grade']}级残疾")
    if m["self_care"]:
        words.append({1: "半护理", 2: "全护理"}[m["self_care"]])
    if m["seriously_ill"]:
        words.append("重病")
    if m["tekun"]:
        words.append("特困" + ("集中供养" if m["institution"] else "分散供养"))
    if m["child_status"] != "none":
        words.append({"orphan": "孤儿", "unsupported": "事实无人抚养儿童"}[m["child_status"]])
    for flag, word in (
        ("student", "在校学生"),
        ("elderly_allowance", "高龄津贴对象"),
        ("home_care", "居家养老服务对象"),
        ("poor", "困难家庭成员"),
    ):
        if m[flag]:
            words.append(word)
    return f"成员{i + 1}（{'，'.join(words)}）"


def month_word(period) -> str:
    return f"{period.year}年{period.month}月"


def _yuan(value: float) -> str:
    return f"{value:,.2f}元"


def _number(value: float) -> str:
    return f"{round(value, 2):,.2f}".rstrip("0").rstrip(".")


def parameter(reading) -> str:
    """One parameter as the working cites it: name, value and unit, from when, source."""
    param = declared().get(reading.path, (None,))[0]
    name = (param.label if param is not None and param.label else "") or reading.description or reading.path
    unit = UNIT_WORDS.get(reading.unit, "")
    if reading.start is None:
        return f"{name}{_number(reading.value)}{unit}（本地未设，按0计）"
    source = SOURCE_WORDS.get(reading.source, reading.source)
    if reading.source in SOURCE_WORDS:
        pass
    elif reading.source.startswith("scenario "):  # the explorer's live, unsaved scenario has no name of its own
        scenario = reading.source.split(" ", 1)[1]
        source = "当前模拟方案" if scenario == LIVE_NAME else f"方案“{scenario}”"
    elif SEED_FILE.search(reading.source):  # a seed document, known by its file name only
        source = "本地公开文件"
    elif FOREIGN.search(reading.source):  # a source noted in English for developers
        source = "参数表所列依据"
    if reading.quote and reading.source not in SOURCE_WORDS and not FOREIGN.search(reading.quote):
        quote = reading.quote if len(reading.quote) <= 40 else reading.quote[:39] + "…"
        source += f"“{quote}”"
    since = "" if reading.start.year <= 2000 else f"{reading.start.year}年{reading.start.month}月起，"
    return f"{name}{_number(reading.value)}{unit}（{since}出处：{source}）"


def working(outcome: Outcome, period, line: str) -> str:
    """The working of one line's month: the parameters its rule read, its steps, the amount."""
    month = next(m for m in outcome.months if m.period == period)
    program = programs.LINE_PROGRAM[line]
    readings, steps = month.trace.of(period, program.key)
    area = outcome.case.household["area"]
    other = {"urban": "rural", "rural": "urban"}[area]
    cited = [
        parameter(r)
        for r in readings
        if r.value != 0 and not r.path.endswith(other) and not any(r.path.endswith(word) for word in MODEL_ONLY)
    ]
    parts = []
    if cited:
        parts.append("依据 " + "；".join(cited))
    for step in steps:
        values = "、".join(f"{_number(v)}{step.unit}" for v in step.values) if step.values else "无"
        parts.append(f"{step.label} {values}")
    amount = month.amounts.get(line, 0.0)
    text = f"{program_label(line)}：" + ("；".join(parts) + " → " if parts else "") + f"金额 {_yuan(amount)}"
    per_member = month.persons.get(line)
    if per_member and len(per_member) > 1 and amount:
        text += "（" + "、".join(f"成员{i + 1} {_yuan(v)}" for i, v in enumerate(per_member) if v) + "）"
    if not amount and not parts:
        text += "（本户无人符合条件）"
    return text


def table(outcome: Outcome, scenario: Outcome | None = None) -> list[dict]:
    """Rows month, line, label, baseline (and scenario, difference) yuan for the lines shown."""
    lines = (
        household_lines(outcome)
        if scenario is None
        else list(dict.fromkeys(household_lines(outcome) + household_lines(scenario)))
    )
    rows = []
    for month in outcome.months:
        for line in lines:
            row = {
                "month": month.period,
                "line": line,
                "label": program_label(line),
                "baseline": month.amounts.get(line, 0.0),
            }
            if scenario is not None:
                row["scenario"] = scenario.amount(month.period, line)
                row["difference"] = row["scenario"] - row["baseline"]
            rows.append(row)
    return rows


def text(outcome: Outcome, scenario: Outcome | None = None) -> str:
    """The calculator's plain-text answer for the command line."""
    case = outcome.case
    out = [f"单户测算：{case.name}（{outcome.params.district.name}）", f"家庭：{describe_household(case)}"]
    if scenario is not None:
        out.append(f"方案：{scenario.title}（{scenario.scenario}）")
    rows = table(outcome, scenario)
    for month in outcome.months:
        out.append("")
        out.append(f"{month_word(month.period)}（元/月）")
        shown = [r for r in rows if r["month"] == month.period]
        width = max([len(r["label"]) for r in shown] + [2])
        head = f"  {'项目'.ljust(width, '　')}{'基准':>12}" + (f"{'方案':>12}{'差额':>12}" if scenario else "")
        out.append(head)
        for r in shown + [_total(shown, scenario is not None)]:
            line = f"  {r['label'].ljust(width, '　')}{r['baseline']:>14,.2f}"
            if scenario is not None:
                line += f"{r['scenario']:>14,.2f}{r['difference']:>+14,.2f}"
            out.append(line)
        out.append("  计算过程（基准）：")
        for r in shown:
            out.append("    " + working(outcome, month.period, r["line"]))
        if scenario is not None:
            changed = [r for r in shown if abs(r["difference"]) > 0.005]
            out.append(f"  计算过程（方案）：{'' if changed else '各项金额与基准相同'}")
            for r in changed:
                out.append("    " + working(scenario, month.period, r["line"]))
    return "\n".join(out)


def _total(rows: list[dict], with_scenario: bool) -> dict:
    total = {"label": "合计", "baseline": sum(r["baseline"] for r in rows)}
    if with_scenario:
        total["scenario"] = sum(r["scenario"] for r in rows)
        total["difference"] = total["scenario"] - total["baseline"]
    return total


def html_table(outcome: Outcome, scenario: Outcome | None = None, parts: str = "all") -> str:
    """The amounts and working as HTML (the web page and the PDF); each amount carries its exact
    value in ``data-yuan`` for whoever reads the page. ``parts``: "all", "amounts" or "working"."""
    rows = table(outcome, scenario)
    shown_parts = []
    for month in outcome.months:
        shown = [r for r in rows if r["month"] == month.period]
        head = "<th>项目</th><th>基准（元/月）</th>" + ("<th>方案（元/月）</th><th>差额</th>" if scenario else "")
        body = []
        for r in shown + [_total(shown, scenario is not None)]:
            key = r.get("line", "total")
            cells = (
                f'<td class="label">{html.escape(r["label"])}</td>'
                f'<td class="civsim-hh-base" data-line="{key}" data-yuan="{r["baseline"]:.2f}">{r["baseline"]:,.2f}</td>'
            )
            if scenario is not None:
                cells += (
                    f'<td class="civsim-hh-scenario" data-line="{key}" data-yuan="{r["scenario"]:.2f}">'
                    f"{r['scenario']:,.2f}</td><td>{r['difference']:+,.2f}</td>"
                )
            body.append(f"<tr>{cells}</tr>")
        work = [
            f'<li class="civsim-hh-working" data-line="{r["line"]}">{html.escape(working(outcome, month.period, r["line"]))}</li>'
            for r in shown
        ]
        if scenario is not None:
            work += [
                f'<li class="civsim-hh-working-scenario" data-line="{r["line"]}">方案：'
                f"{html.escape(working(scenario, month.period, r['line']))}</li>"
                for r in shown
                if abs(r["difference"]) > 0.005
            ]
        amounts = f'<table class="civsim-hh-table"><tr>{head}</tr>{"".join(body)}</table>'
        workings = f'<p><b>计算过程</b></p><ul class="civsim-hh-workings">{"".join(work)}</ul>'
        shown_parts.append(
            f"<h4>{month_word(month.period)}</h4>"
            + (amounts if parts != "working" else "")
            + (workings if parts != "amounts" else "")
        )
    return f'<div lang="zh-CN">{"".join(shown_parts)}</div>'


__all__ = ["working", "table", "text", "html_table", "household_lines", "describe_household", "parameter"]
