"""一次性生活救助 to 低保 recipients: a one-off amount per member of each household on 低保 in
the payment month, by area (the 2020 COVID grants)."""

from __future__ import annotations

import numpy as np

from . import Paid, Param, Program
from ..roll import AREAS


def pay(month, view) -> Paid:
    amounts = np.array([month.value(f"supplements.one_off.dibao.{a}.amount") for a in AREAS])
    if not amounts.any():
        return Paid(np.zeros(0, np.int64), np.zeros(0), over="dibao")
    on_dibao = month.candidates("dibao")
    paid = month.payment("dibao").rows  # the households on 低保 this month
    return Paid(paid, amounts[on_dibao.area[paid]] * on_dibao.size[paid], over="dibao")


PROGRAM = Program(
    key="dibao_one_off",
    label="低保对象一次性生活救助",
    entity="household",
    order=220,
    pay=pay,
    reads=("dibao",),
    family="dibao",  # paid over 低保's own candidates
    params={f"supplements.one_off.dibao.{a}.amount": Param("yuan/person") for a in AREAS},
    method="按发放当月模型中的低保对象计发",
)
