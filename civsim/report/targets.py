"""Plan against actual: the quantified targets of a year's work plan beside what the year reports.

A plan's targets are sentences ("新建老年日照中心4个，新增养老床位150张"); the year's summary and its
reported figures say what was done ("新增养老床位160张"). A quantity is a number with its unit and
the words before it; the words, without an opening verb (新增, 新建 …), name what is counted, so a
target and an achievement match when they count the same thing in the same unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from . import numbers as fmt

UNITS = ("人次", "个", "张", "家", "所", "户", "人", "件", "名", "次", "处", "座", "套", "项", "场", "支", "元", "%")
QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(万)?\s*(" + "|".join(UNITS) + ")")
SUBJECT = re.compile(r"([\u4e00-\u9fff]+)\s*$")
VERBS = (
    "新增",
    "新建",
    "建成",
    "建设",
    "完成",
    "改造",
    "打造",
    "培训",
    "发放",
    "开展",
    "落实",
    "实现",
    "累计",
    "共",
    "为",
    "达到",
    "达",
    "提升",
    "增加",
    "建立",
    "设立",
    "创建",
    "培育",
    "举办",
)


@dataclass(frozen=True)
class Quantity:
    subject: str  # what is counted, e.g. 养老床位
    value: Decimal
    unit: str  # 张, 个, 人次 …
    text: str  # as written, e.g. 新增养老床位150张


def _subject(words: str) -> str:
    changed = True
    while changed:
        changed = False
        for verb in VERBS:
            if words.startswith(verb) and len(words) > len(verb) + 1:
                words, changed = words[len(verb) :], True
    return words


def quantities(text: str) -> list[Quantity]:
    """Every counted quantity in a sentence, with what it counts."""
    out = []
    for match in QUANTITY.finditer(text):
        before = SUBJECT.search(text[: match.start()])
        if before is None or len(_subject(before.group(1))) < 2:
            continue
        value = Decimal(match.group(1)) * (10_000 if match.group(2) else 1)
        written = before.group(1) + match.group(1) + (match.group(2) or "") + match.group(3)
        out.append(Quantity(_subject(before.group(1)), value, match.group(3), written))
    return out


def _same(a: Quantity, b: Quantity) -> bool:
    if a.unit != b.unit:
        return False
    short, long_ = sorted((a.subject, b.subject), key=len)
    return short == long_ or (len(short) >= 3 and long_.endswith(short))


def _amount(q: Quantity) -> str:
    return f"{q.value.normalize():f}{q.unit}"


def compare(targets, reported_texts) -> list[dict]:
    """One row per target quantity that the year's texts report: 目标, 目标值, 完成, 完成率.

    ``targets`` are the plan's target sentences, ``reported_texts`` the year's sentences (the
    summary's points and the quotes of its reported figures), in the order they should be searched.
    """
    done = [q for text in reported_texts for q in quantities(text)]
    rows = []
    for target in targets:
        for aim in quantities(target):
            actual = next((q for q in done if _same(aim, q)), None)
            if actual is None or aim.value == 0:
                continue
            rows.append(
                {
                    "目标": aim.text,
                    "目标值": _amount(aim),
                    "完成": _amount(actual),
                    "完成率": fmt.pct(actual.value / aim.value, places=1),
                }
            )
    return rows


__all__ = ["Quantity", "quantities", "compare"]
