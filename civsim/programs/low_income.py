"""低收入家庭救助: a flat amount per low-income household per month."""

from __future__ import annotations

import numpy as np

from . import Paid, Param, Program, Sentence


def pay(month, view) -> Paid:
    paid = np.flatnonzero(np.broadcast_to(month.present(view), view.n))
    return Paid(paid, np.full(len(paid), month.value("low_income.grant")))


PROGRAM = Program(
    key="low_income",
    label="低收入家庭救助",
    entity="household",
    order=30,
    pay=pay,
    candidates=lambda roll: roll.is_("households", "category", "low_income"),
    params={"low_income.grant": Param("yuan/household/month", required=True, label="低收入家庭救助金")},
    roll_params={
        "caseload.low_income.households": Param("households"),
        "caseload.low_income.persons": Param("persons"),
        "low_income.turnover.entry": Param("per_month"),
        "low_income.turnover.exit": Param("per_month"),
    },
    reported_in=("assistance_total",),
    area="社会救助",
    sentence=Sentence(held="在册低收入家庭{households}{persons}", paid="{span}累计发放低收入家庭救助金{money}"),
    method="按低收入家庭户数和每户定额计发",
    published="市民政局关于低收入家庭救助的文件",
)
