"""低收入家庭救助: a flat amount per low-income household per month."""
from __future__ import annotations

import numpy as np

from . import Paid, Param, Program, Sentence


def pay(month, view) -> Paid:
    on_roll = view.on_roll(month.t)
    paid = np.arange(view.n) if on_roll is None else np.flatnonzero(on_roll)
    return Paid(paid, np.full(len(paid), month.value("low_income.grant")))


def synthesize(b) -> None:
    households, persons = b.target("caseload.low_income.households"), b.target("caseload.low_income.persons")
    if households == 0:
        return
    start, end, template = b.spells(households, b.value("low_income.turnover.entry"), b.value("low_income.turnover.exit"))
    size = b.sizes(households, persons)[template]
    member_of = np.repeat(np.arange(len(size)), size)
    b.add({"area": "urban", "category": "low_income", "start": start, "end": end},
          {"age": np.full(len(member_of), 40), "poor": np.ones(len(member_of), int)}, member_of)


PROGRAM = Program(
    key="low_income", label="低收入家庭救助", entity="household", order=30, pay=pay, synthesize=synthesize,
    candidates=lambda roll: (roll.households["category"] == "low_income").to_numpy(),
    params={"low_income.grant": Param("yuan/household/month", required=True, label="低收入家庭救助金")},
    roll_params={"caseload.low_income.households": Param("households"), "caseload.low_income.persons": Param("persons"),
                 "low_income.turnover.entry": Param("per_month"), "low_income.turnover.exit": Param("per_month")},
    reported_in=("assistance_total",),
    area="社会救助",
    sentence=Sentence(held="在册低收入家庭{households}{persons}", paid="{span}累计发放低收入家庭救助金{money}"),
    method="按低收入家庭户数和每户定额计发",
    published="市民政局关于低收入家庭救助的文件",
)
