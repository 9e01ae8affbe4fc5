"""The Chinese names the reports and charts give to programs, families, measures and reasons.

Every table that turns a code of the engine or of ``civsim.reconcile`` into the words a bureau
writes lives here, with the lookups over them, so a chart legend, a table row and a sentence
name the same program the same way. The module imports nothing of civsim, so any other
module can use it without an import cycle.
"""
from __future__ import annotations

# The scenario every report measures against (its Chinese title is 基准方案).
BASELINE = "baseline"

PROGRAM_LABELS = {
    "dibao": "低保",
    "tekun": "特困供养",
    "low_income": "低收入家庭救助",
    "temporary": "临时救助",
    "disability_living": "困难残疾人生活补贴",
    "disability_nursing": "重度残疾人护理补贴",
    "orphan": "孤儿",
    "unsupported_child": "事实无人抚养儿童",
    "elderly_allowance": "高龄津贴",
    "home_care": "居家养老服务补贴",
    "care_institution": "养老机构运营补贴",
    "funeral": "丧葬补贴",
    "spring_festival": "春节慰问",
    "price_subsidy": "价格临时补贴",
    "one_off_grant": "一次性生活救助",
}
SUPPLEMENT_LABELS = {"_price_subsidy": "价格临时补贴", "_one_off": "一次性生活救助"}
FAMILY_LABELS = {"dibao": "低保金及补贴", "tekun": "特困供养金及补贴", "orphan": "孤儿基本生活费及补贴",
                 "unsupported_child": "事实无人抚养儿童生活费及补贴"}
RECONCILE_LABELS = {"disability": "残疾人两项补贴", "children": "儿童基本生活保障", "assistance_total": "救助资金合计",
                    "dibao_one_off": "低保对象一次性生活救助", "disability_nursing_one_off": "重度残疾人一次性生活救助",
                    "tekun_centralized": "特困集中供养", "tekun_dispersed": "特困分散供养"}
MEASURE_LABELS = {"amount_yuan": "金额（万元）", "households": "户数", "persons": "人数", "person_times": "人次",
                  "cases": "件数", "standard_yuan_person_month": "月标准（元）"}
REASON_LABELS = (("matches", "一致"), ("calibration target", "校准目标"), ("calibrated", "已校准"),
                 ("within", "差异在5%以内"), ("differs", "差异超过5%"), ("not modelled", "未模拟"))


def program_label(program: str) -> str:
    """The Chinese name of a program or supplement line: dibao_price_subsidy → 低保价格临时补贴.

    An unknown code shows as itself rather than failing a report.
    """
    if program in RECONCILE_LABELS:
        return RECONCILE_LABELS[program]
    for suffix, label in SUPPLEMENT_LABELS.items():
        if program.endswith(suffix):
            return program_label(program[: -len(suffix)]) + label
    return PROGRAM_LABELS.get(program, program)


def family_label(family: str) -> str:
    """The Chinese name of a program with its supplements folded in: dibao → 低保金及补贴."""
    return FAMILY_LABELS.get(family, program_label(family))


def order(programs) -> list[str]:
    """The programs, each once, in the order of PROGRAM_LABELS; unknown codes last, alphabetically."""
    known = list(PROGRAM_LABELS)
    return sorted(set(programs), key=lambda p: (known.index(p) if p in known else len(known), p))


__all__ = ["BASELINE", "PROGRAM_LABELS", "SUPPLEMENT_LABELS", "FAMILY_LABELS", "RECONCILE_LABELS", "MEASURE_LABELS",
           "REASON_LABELS", "program_label", "family_label", "order"]
