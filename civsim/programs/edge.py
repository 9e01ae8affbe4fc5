"""低保边缘家庭生活救助: a monthly amount per member for a family on the 低保边缘 roll whose
per-capita income lies at or above the 低保 standard of its area and below a multiple of it
(1.5 nationally); a family falling below the standard leaves this aid for 低保's own test."""

from __future__ import annotations

import numpy as np

from . import Paid, Param, Program, Sentence
from ..roll import AREAS


def pay(month, view) -> Paid:
    standard = month.by_area("dibao.standard", view.area)
    income = view.income
    month.step("家庭月人均收入", income)
    eligible = (income >= standard) & (income < month.value("edge.income_multiple") * standard) & month.present(view)
    paid = np.flatnonzero(eligible)
    return Paid(paid, month.value("edge.amount") * view.size[paid])


PROGRAM = Program(
    key="edge",
    label="低保边缘家庭救助",
    entity="household",
    order=35,
    pay=pay,
    candidates=lambda roll: roll.is_("households", "category", "edge"),
    params={
        "edge.amount": Param("yuan/person/month", required=True, label="低保边缘家庭救助金"),
        "edge.income_multiple": Param("ratio"),
        "dibao.standard.urban": Param("yuan/person/month", required=True),
        "dibao.standard.rural": Param("yuan/person/month", required=True, when="caseload.dibao.rural.households"),
    },
    roll_params={
        **{f"caseload.edge.{a}.{m}": Param(m) for a in AREAS for m in ("households", "persons")},
        "edge.turnover.entry": Param("per_month"),
        "edge.turnover.exit": Param("per_month"),
    },
    reported_in=("assistance_total",),
    area="社会救助",
    sentence=Sentence(held="在册低保边缘家庭{households}{persons}", paid="{span}累计发放低保边缘家庭救助金{money}"),
    method="按低保边缘家庭人数和每人救助金计发",
    published="市民政局关于低保边缘家庭认定和救助的文件",
)
