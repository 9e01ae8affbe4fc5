"""重度残疾人护理补贴: a flat amount per month for each person with a grade 1–2 disability
certificate, whatever the family's income (特困 persons are cared for under 特困 instead)."""

from __future__ import annotations

import numpy as np

from . import Param, Program, Sentence


def candidates(roll) -> np.ndarray:
    grade = roll.array("persons", "disability_grade")
    return (grade >= 1) & (grade <= 2) & (roll.array("persons", "tekun") == 0)


def rates(month, view) -> np.ndarray:
    return np.array([month.value("disability.nursing.amount")])


PROGRAM = Program(
    key="disability_nursing",
    label="重度残疾人护理补贴",
    entity="person",
    order=50,
    pay=None,
    rates=rates,
    classes=lambda view: np.zeros(view.n, np.int64),
    candidates=candidates,
    params={"disability.nursing.amount": Param("yuan/person/month", required=True, label="重度残疾人护理补贴")},
    roll_params={
        "caseload.disability.nursing": Param("persons"),
        "disability.turnover.entry": Param("per_month"),
        "disability.turnover.exit": Param("per_month"),
    },
    reported_in=("disability", "assistance_total"),
    area="残疾人福利",
    sentence=Sentence(shared="disability", paid="享受重度残疾人护理补贴{persons}，{span}发放{own}"),
    method="按重度残疾人人数和护理补贴标准计发",
    published="省（市）民政、残联关于困难残疾人生活补贴和重度残疾人护理补贴标准的通知",
)
