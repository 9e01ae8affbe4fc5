"""丧葬补贴: a flat amount per approved case; cases per month from params."""

from __future__ import annotations

import numpy as np

from . import Cases, Param, Program, Sentence


def pay(month, view) -> Cases:
    cases = month.optional("funeral.cases")
    return Cases(np.array([cases, 0.0]), np.array([cases * month.value("funeral.amount"), 0.0]))


PROGRAM = Program(
    key="funeral",
    label="丧葬补贴",
    entity="case",
    order=120,
    pay=pay,
    caseload=("funeral.cases",),
    params={
        "funeral.cases": Param("cases/month"),
        "funeral.amount": Param("yuan/case", required=True, about="每份丧葬补贴发放额"),
    },
    area="殡葬管理",
    sentence=Sentence(paid="{span}审批发放丧葬补贴{cases}，共计{money}"),
    method="按每月件数×每件补贴标准计发",
    published="区（市）民政局惠民殡葬、丧葬补贴文件",
)
