"""最低生活保障 (低保): a gap benefit. A claiming household whose per-capita income is below the
standard of its area gets (standard − income) per member per month, at least the floor; 分类施保
adds an increment for each member who is elderly, severely disabled, a minor or seriously ill
(an amount, or a percent of the standard); a Spring-Festival extra month pays it twice."""
from __future__ import annotations

import numpy as np

from . import Paid, Param, Program, Sentence, static
from ..roll import AREAS

CLASSES = ("elderly", "severe_disability", "minor", "seriously_ill")   # 老年人, 重度残疾人, 未成年人, 重病患者
MEMBER_SHARES = ("elderly", "minor", "severe_disability", "disability", "seriously_ill")


def pay(month, view) -> Paid:
    """Each claiming household below the standard of its area gets the gap for each member."""
    standard = month.by_area("dibao.standard", view.area)
    gap = standard - month.income
    eligible = (gap > 0) & month.claims(view, month.value("dibao.take_up")) & month.present(view)
    paid = np.flatnonzero(eligible)
    floor = month.value("dibao.floor")
    per_person = np.maximum(gap[paid], floor) if floor else gap[paid]
    month.step("每人差额（保障标准−家庭月人均收入）", per_person)
    month.step("家庭人数", view.size[paid], "人")
    amount = per_person * view.size[paid] + classified(month, view, paid)
    extra = month.value("supplements.spring_festival.extra_months")     # a month paid twice at Spring Festival
    return Paid(paid, amount * (1 + extra))


def classified(month, view, paid: np.ndarray) -> np.ndarray | float:
    """分类施保: for each member in a class, the class's amount plus its percent of the standard."""
    amount = np.array([month.value(f"dibao.classified.{c}.amount") for c in CLASSES])
    percent = np.array([month.value(f"dibao.classified.{c}.percent") for c in CLASSES])
    if not amount.any() and not percent.any():
        return 0.0
    household, flags = members_in_classes(view)
    standard = np.array([month.value(f"dibao.standard.{a}") for a in AREAS])[view.area[household]]
    per_member = amount @ flags + percent @ flags / 100 * standard
    on_dibao = np.zeros(view.n, bool)
    on_dibao[paid] = True
    got = on_dibao[household]
    month.step("分类施保（逐人）", per_member[got])
    return np.bincount(household[got], weights=per_member[got], minlength=view.n)[paid]


@static
def members_in_classes(view) -> tuple[np.ndarray, np.ndarray]:
    """The members of the candidate households who hold a 分类施保 class: their household (a
    position among the candidates) and a class × member flag matrix."""
    persons = view.roll.persons
    age, grade = persons["age"].to_numpy(), persons["disability_grade"].to_numpy()
    flags = np.stack([age >= 60, (grade >= 1) & (grade <= 2), age < 18, persons["seriously_ill"].to_numpy() == 1])
    position = np.full(len(view.roll.households), -1, np.int64)
    position[view.rows] = np.arange(view.n)
    household = position[view.roll.household_row]
    members = np.flatnonzero(flags.any(axis=0) & (household >= 0))
    return household[members], flags[:, members]


PROGRAM = Program(
    key="dibao", label="低保", entity="household", order=10, pay=pay, uses=("income",),
    candidates=lambda roll: (roll.households["category"] == "dibao").to_numpy() & roll.households["income"].notna().to_numpy(),
    params={
        "dibao.standard.urban": Param("yuan/person/month", required=True, label="城市低保标准"),
        "dibao.standard.rural": Param("yuan/person/month", required=True, label="农村低保标准",
                                      when="caseload.dibao.rural.households"),
        "dibao.floor": Param("yuan/person/month"), "dibao.take_up": Param("ratio", label="低保申领率", control=(0.05, 1.0, 0.01, ".0%")),
        "supplements.spring_festival.extra_months": Param("months"),
        **{f"dibao.classified.{c}.amount": Param("yuan/person/month") for c in CLASSES},
        **{f"dibao.classified.{c}.percent": Param("percent") for c in CLASSES},
    },
    roll_params={
        **{f"caseload.dibao.{a}.{m}": Param(m) for a in AREAS for m in ("households", "persons")},
        "dibao.eligible_share": Param("ratio"),
        "dibao.entry_rate": Param("per_month", label="低保月进入率", control=(0.0, 0.05, 0.0005, ".2%")),
        "dibao.exit_rate": Param("per_month", label="低保月退出率", control=(0.0, 0.05, 0.0005, ".2%")),
        # districts' income structures differ around the national ratio: a spread of 0.1 (assumed)
        **{f"dibao.gap_ratio.{a}": Param("ratio", prior=0.1, bounds=(0.05, 0.95)) for a in AREAS},
        **{f"dibao.members.{name}": Param("ratio") for name in MEMBER_SHARES},
    },
    reported_in=("assistance_total",),
    area="社会救助",
    sentence=Sentence(held="在册{areas}", each_area="{area}低保{households}{persons}", paid="{span}累计发放低保金及补贴{money}"),
    family_label="低保金及补贴",
    method="模型含低保差额救助金（含春节加发月份）",
    published="市（或省）人民政府、民政局关于调整城乡最低生活保障标准的通知",
)
