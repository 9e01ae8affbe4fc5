"""居家养老服务补贴: a flat amount per month for each elderly person assessed as in need."""

from __future__ import annotations

import numpy as np

from . import Param, Program, Sentence


def rates(month, view) -> np.ndarray:
    return np.array([month.value("elderly.home_care.amount")])


PROGRAM = Program(
    key="home_care",
    label="居家养老服务补贴",
    entity="person",
    order=100,
    pay=None,
    rates=rates,
    classes=lambda view: np.zeros(view.n, np.int64),
    candidates=lambda roll: roll.array("persons", "home_care") == 1,
    params={"elderly.home_care.amount": Param("yuan/person/month", required=True, label="居家养老服务补贴")},
    roll_params={"caseload.elderly.home_care": Param("persons")},
    area="养老服务",
    sentence=Sentence(shared="elderly", paid="为{held}名老人发放居家养老服务补贴{money}"),
    method="按评估人数和每人补贴标准计发",
    published="区（市）民政局居家养老服务补贴文件",
)
