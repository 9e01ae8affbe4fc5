"""The Chinese names the reports and charts give to programs, families, measures and reasons.

Every table that turns a code of the engine or of ``civsim.reconcile`` into the words a bureau
writes lives here, with the lookups over them, so a chart legend, a table row and a sentence
name the same program the same way. Program names come from the program declarations
(``civsim.programs``), which import nothing of the report layer, so there is no import cycle.
"""

from __future__ import annotations

from .. import programs
from ..programs import LINES

# The scenario every report measures against (its Chinese title is 基准方案).
BASELINE = "baseline"

# Every line the engine writes, in display order, as the program declarations name it.
PROGRAM_LABELS = dict(LINES)
# Reported codes that are no program's line: aggregates some programs declare themselves part of
# (``Program.reported_in``) and the 特困 figures reported by placement.
RECONCILE_LABELS = {
    "disability": "残疾人两项补贴",
    "children": "儿童基本生活保障",
    "assistance_total": "救助资金合计",
    "tekun_centralized": "特困集中供养",
    "tekun_dispersed": "特困分散供养",
}
MEASURE_LABELS = {
    "amount_yuan": "金额（万元）",
    "households": "户数",
    "persons": "人数",
    "person_times": "人次",
    "cases": "件数",
    "standard_yuan_person_month": "月标准（元）",
}
# Units as a bureau writes them (元/人·月); an unknown unit shows as its code.
UNIT_WORDS = {
    "yuan/person/month": "元/人·月",
    "yuan/household/month": "元/户·月",
    "yuan/bed/month": "元/床·月",
    "yuan/person/year": "元/人·年",
    "yuan/household/year": "元/户·年",
    "yuan/person": "元/人",
    "yuan/household": "元/户",
    "yuan/case": "元/件",
    "months": "个月",
    "percent": "%",
    "flag": "（是/否）",
}


def program_label(program: str) -> str:
    """The Chinese name of a program or supplement line (dibao_price_subsidy → 低保价格临时补贴), or
    of a reported aggregate. An unknown code shows as itself rather than failing a report."""
    declared = programs.PROGRAMS.get(program)
    return RECONCILE_LABELS.get(program) or PROGRAM_LABELS.get(program) or (declared.label if declared else program)


def family_label(family: str) -> str:
    """The Chinese name of a program with what rides on it folded in (its declaration's
    ``family_label``): dibao → 低保金及补贴."""
    return RECONCILE_LABELS.get(family) or programs.family_label(family)


def order(programs) -> list[str]:
    """The programs, each once, in the order of PROGRAM_LABELS; unknown codes last, alphabetically."""
    known = list(PROGRAM_LABELS)
    return sorted(set(programs), key=lambda p: (known.index(p) if p in known else len(known), p))


__all__ = [
    "BASELINE",
    "PROGRAM_LABELS",
    "RECONCILE_LABELS",
    "MEASURE_LABELS",
    "UNIT_WORDS",
    "program_label",
    "family_label",
    "reconcile_detail",
    "order",
]


# ---------------------------------------------------------------- reconciliation reasons in Chinese
# A reconciliation row's reason is a code (``reason_code``) worded here. Rows that still carry only
# the English reason text are read back to their code by its opening words.
REASON_CODE_LABELS = {
    "matches": "一致：由输入数据决定",
    "within": "差异在5%以内：模型测算的流量",
    "differs": "差异超过5%",
    "calibration_target": "校准目标：名册按该月在册数构造，两者相等",
    "calibrated": "已校准：模型参数按此报告数拟合",
    "not_modelled": "未模拟",
}
_LEGACY = {"calibration_target", "not_modelled"}  # codes read from an older English reason
_REASON_PREFIXES = (
    ("matches", "matches"),
    ("within", "within"),
    ("differs", "differs"),
    ("calibration target", "calibration_target"),
    ("calibrated", "calibrated"),
    ("not modelled", "not_modelled"),
)
# What the model sums for a reported aggregate (a program's own figure says its declaration's
# ``method``: reconcile_detail).
AGGREGATE_DETAIL_LABELS = {
    "disability": "两项补贴合计，同时享受两项者计两次",
    "children": "孤儿和事实无人抚养儿童；困境儿童补贴和其他儿童补助未模拟",
    "assistance_total": "报告合计还含医疗救助等模型未模拟的救助",
}
AREA_LABELS = {"urban": "城市", "rural": "农村", "all": "—"}


def reconcile_detail(code: str) -> str:
    """What the model sums for a reported figure of ``code``: the program's declared ``method`` and
    the lines riding on it ("模型含低保差额救助金（含春节加发月份）、低保价格临时补贴、…"), or the
    note of a reported aggregate; "" for a code neither names."""
    program = programs.PROGRAMS.get(code)
    if program is None:
        return AGGREGATE_DETAIL_LABELS.get(code, "")
    riders = "、".join(LINES[line] for line in programs.riders(code))
    return "、".join(part for part in (program.method, riders) if part)


def reason_code(reason: str, code: str | None = None) -> str:
    """A reconciliation reason's code: the row's ``reason_code`` when it has one, else read from
    the opening words of its (English) reason; "" when neither says."""
    if isinstance(code, str) and code:
        return code
    text = str(reason or "")
    return next((c for prefix, c in _REASON_PREFIXES if text.startswith(prefix)), "")


def _ascii_words(text: str) -> bool:
    return any("a" <= ch.lower() <= "z" for ch in text)


def _checked_label(reason: str, program: str, code: str) -> str:
    """A reason of ``civsim.reconcile`` (Chinese, with parameter paths for developers) in the
    report's words: its head, what the model sums, and the Chinese notes, without the paths."""
    from ..reconcile import REASONS

    parts = [REASONS[code]]
    detail = reconcile_detail(program)
    if detail and code not in ("input_standard", "input_caseload", "not_modelled"):
        parts[0] += f"：{detail}"
    for note in str(reason).split("；")[1:]:
        if note.startswith("本地参数未列"):
            parts.append(note)
        elif note.startswith("所用参数中"):
            parts.append(note.split("（")[0])
    return "；".join(parts)


def reason_label(reason: str, program: str, code: str | None = None, area: str = "all") -> str:
    """One reconciliation row's reason in Chinese: what the code says, then what the model sums.

    Reasons already in Chinese (a ``reason`` written with its code) are kept as they are; English
    detail is replaced by the wording of the figure's program, and a missing caseload or an assumed
    parameter the English text mentions is said in Chinese.
    """
    from ..reconcile import REASONS

    code = reason_code(reason, code)
    if code in REASONS and code not in _LEGACY:
        return _checked_label(reason, program, code)
    text = str(reason or "")
    if text and not _ascii_words(text):
        return text
    head = REASON_CODE_LABELS.get(code, "说明见模型文档")
    if code == "calibration_target":
        return head
    if code == "not_modelled":
        return head + "：模型不模拟此项服务量或工作量"
    if "parameter " in text and " in force" in text:  # a standard compared with the parameter
        where = AREA_LABELS.get(area, "")
        where = "" if where == "—" else where
        return f"{head}（报告标准与当月施行的{where}{program_label(program)}标准参数相同）"
    detail = reconcile_detail(program)
    parts = [head + (f"：{detail}" if detail else "")]
    if "no caseload in params here for " in text:
        missing = text.split("no caseload in params here for ", 1)[1].split(";")[0]
        names = "、".join(program_label(p.strip()) for p in missing.split(",") if p.strip())
        parts.append(f"本地参数未列{names}的在册人数")
    if "rests on assumed " in text:
        count = len(text.split("rests on assumed ", 1)[1].split(";")[0].split(","))
        parts.append(f"所用参数中有{count}项为假设值")
    return "；".join(parts)
