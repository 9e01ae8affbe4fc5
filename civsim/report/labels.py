"""The Chinese names the reports and charts give to programs, families, measures and reasons.

Every table that turns a code of the engine or of ``civsim.reconcile`` into the words a bureau
writes lives here, with the lookups over them, so a chart legend, a table row and a sentence
name the same program the same way. Program names come from the program declarations
(``civsim.programs``), which import nothing of the report layer, so there is no import cycle.
"""
from __future__ import annotations

from ..programs import LINES

# The scenario every report measures against (its Chinese title is 基准方案).
BASELINE = "baseline"

# Every line the engine writes, in display order, as the program declarations name it.
PROGRAM_LABELS = dict(LINES)
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
    if program in PROGRAM_LABELS:
        return PROGRAM_LABELS[program]
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
