"""困难残疾人生活补贴: for a disabled person (any grade) in a 低保 family this month, or in another
family certified as poor (低收入, 低保边缘); graded, grades 1–2 and 3–4 at their own amounts. A
severely disabled 低保 member holds it beside the nursing subsidy and 分类施保."""
from __future__ import annotations

import numpy as np

from . import Paid, Param, Program, Sentence

CERTIFIED_POOR = ("low_income", "edge")


def candidates(roll) -> np.ndarray:
    return (roll.persons["disability_grade"].to_numpy() >= 1) & (roll.persons["tekun"].to_numpy() == 0)


def _poor(view, roll) -> np.ndarray:
    """Candidates certified poor outside 低保 (their subsidy does not depend on the month's 低保)."""
    return (view.poor == 1) | np.isin(view.household_col("category"), _codes(roll))


def classes(view) -> np.ndarray:
    """grades 1–2 (0) or 3–4 (1) for the certified poor; -1 for members of 低保 candidate
    households, whose subsidy follows 低保 month by month (:func:`pay`)."""
    return np.where(_poor(view, view._roll), (view.disability_grade >= 3).astype(np.int64), -1)


def rates(month, view) -> np.ndarray:
    return np.array([month.value("disability.living.grade_1_2"), month.value("disability.living.grade_3_4")])


def pay(month, view) -> Paid:
    """The members of 低保 candidate households, paid while their household is on 低保."""
    members = month.prepared.once("disability_living.members", lambda roll: _dibao_members(view, roll))
    eligible = month.paid_households("dibao")[view.household[members]]
    on_roll = view.on_roll(month.t, members)
    paid = members[eligible if on_roll is None else eligible & on_roll]
    amount = rates(month, view)[(view.disability_grade[paid] >= 3).astype(int)]
    return Paid(paid, amount)


def _dibao_members(view, roll) -> np.ndarray:
    """Candidates (positions) in 低保 candidate households outside the certified poor."""
    dibao = roll.households["category"].cat.categories.get_loc("dibao")
    return np.flatnonzero(~_poor(view, roll) & (view.household_col("category") == dibao))


def _codes(roll) -> list[int]:
    categories = list(roll.households["category"].cat.categories)
    return [categories.index(c) for c in CERTIFIED_POOR]


def synthesize(b) -> None:
    """Poor disabled persons (grade 3–4) beyond the disabled members of households that are on 低保
    at the anchor."""
    category = b.member_household("category")
    standard = np.where(b.member_household("area") == b.code("area", "urban"), b.value("dibao.standard.urban"),
                        b.value("dibao.standard.rural"))
    on_dibao = ((category == b.code("category", "dibao")) & (b.member_household("income") < standard)
                & (b.member_household("claim_draw") < b.value("dibao.take_up")))
    poor = (b.column("persons", "poor") == 1) | np.isin(category, [b.code("category", c) for c in CERTIFIED_POOR])
    present = int(((b.column("persons", "disability_grade") >= 1) & (b.column("persons", "tekun") == 0) & (on_dibao | poor)).sum())
    b.singles(b.target("caseload.disability.living") - present, "disability", "urban",
              disability_grade=np.array([3, 4]), poor=1, age=50)


PROGRAM = Program(
    key="disability_living", label="困难残疾人生活补贴", entity="person", order=60, pay=pay, classes=classes, rates=rates, reads=("dibao",),
    candidates=candidates, synthesize=synthesize,
    params={"disability.living.grade_1_2": Param("yuan/person/month", required=True, label="困难残疾人生活补贴（一、二级）"),
            "disability.living.grade_3_4": Param("yuan/person/month", required=True, label="困难残疾人生活补贴（三、四级）")},
    roll_params={"caseload.disability.living": Param("persons")},
    reported_in=("disability", "assistance_total"),
    area="残疾人福利",
    sentence=Sentence(shared="disability", paid="享受困难残疾人生活补贴{persons}，{span}发放{own}"),
    method="按困难残疾人人数和生活补贴标准计发",
    published="省（市）民政、残联关于困难残疾人生活补贴和重度残疾人护理补贴标准的通知",
)
