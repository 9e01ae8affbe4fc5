"""困难残疾人生活补贴: for a disabled person (any grade) in a 低保 family this month, or in another
family certified as poor (低收入, 低保边缘); graded, grades 1–2 and 3–4 at their own amounts. A
severely disabled 低保 member holds it beside the nursing subsidy and 分类施保."""

from __future__ import annotations

import numpy as np

from . import Paid, Param, Program, Sentence, static

CERTIFIED_POOR = ("low_income", "edge")


def candidates(roll) -> np.ndarray:
    return (roll.array("persons", "disability_grade") >= 1) & (roll.array("persons", "tekun") == 0)


def classes(view) -> np.ndarray:
    """The certified poor are paid by grade, 1–2 (class 0) or 3–4 (class 1), every month they are on
    the roll; members of 低保 candidate households (class -1) follow 低保 month by month (:func:`pay`)."""
    return np.where(certified_poor(view), (view.disability_grade >= 3).astype(np.int64), -1)


def rates(month, view) -> np.ndarray:
    return np.array([month.value("disability.living.grade_1_2"), month.value("disability.living.grade_3_4")])


def pay(month, view) -> Paid:
    """The disabled members of households on 低保 this month."""
    members, household, grade = dibao_members_by_grade(view)
    eligible = month.paid_households("dibao")[household] & month.present(view, members)
    return Paid(members[eligible], rates(month, view)[grade[eligible]])


def certified_poor(view) -> np.ndarray:
    """Candidates certified poor outside 低保 (their subsidy does not depend on the month's 低保)."""
    return (view.poor == 1) | view.household_is("category", *CERTIFIED_POOR)


@static
def dibao_members_by_grade(view) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`dibao_members`, their household rows and their grade's class (0: grades 1–2, 1: 3–4)."""
    members = dibao_members(view)
    return members, view.household[members], (view.disability_grade[members] >= 3).astype(int)


@static
def dibao_members(view) -> np.ndarray:
    """Candidates (positions) in 低保 candidate households, outside the certified poor."""
    return np.flatnonzero(~certified_poor(view) & view.household_is("category", "dibao"))


PROGRAM = Program(
    key="disability_living",
    label="困难残疾人生活补贴",
    entity="person",
    order=60,
    pay=pay,
    classes=classes,
    rates=rates,
    reads=("dibao",),
    candidates=candidates,
    params={
        "disability.living.grade_1_2": Param(
            "yuan/person/month", required=True, label="困难残疾人生活补贴（一、二级）"
        ),
        "disability.living.grade_3_4": Param(
            "yuan/person/month", required=True, label="困难残疾人生活补贴（三、四级）"
        ),
    },
    roll_params={"caseload.disability.living": Param("persons")},
    reported_in=("disability", "assistance_total"),
    area="残疾人福利",
    sentence=Sentence(shared="disability", paid="享受困难残疾人生活补贴{persons}，{span}发放{own}"),
    method="按困难残疾人人数和生活补贴标准计发",
    published="省（市）民政、残联关于困难残疾人生活补贴和重度残疾人护理补贴标准的通知",
)
