"""丧葬补贴: a flat amount per approved case; cases per month from params."""
from __future__ import annotations

import numpy as np

from . import Cases, Param, Program


def pay(month, view) -> Cases:
    cases = month.optional("funeral.cases")
    return Cases(np.array([cases, 0.0]), np.array([cases * month.value("funeral.amount"), 0.0]))


PROGRAM = Program(
    key="funeral", label="丧葬补贴", entity="case", order=120, pay=pay, caseload=("funeral.cases",),
    params={"funeral.cases": Param("cases/month"), "funeral.amount": Param("yuan/case", required=True, about="每份丧葬补贴发放额")},
)
