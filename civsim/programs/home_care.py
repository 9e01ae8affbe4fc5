"""居家养老服务补贴: a flat amount per month for each elderly person assessed as in need."""
from __future__ import annotations

import numpy as np

from . import Paid, Param, Program


def pay(month, view) -> Paid:
    on_roll = view.on_roll(month.t)
    paid = np.arange(view.n) if on_roll is None else np.flatnonzero(on_roll)
    return Paid(paid, np.full(len(paid), month.value("elderly.home_care.amount")))


def synthesize(b) -> None:
    b.singles(b.target("caseload.elderly.home_care"), "elderly", "urban", age=80, home_care=1)


PROGRAM = Program(
    key="home_care", label="居家养老服务补贴", entity="person", order=100, pay=pay, synthesize=synthesize,
    candidates=lambda roll: (roll.persons["home_care"] == 1).to_numpy(),
    params={"elderly.home_care.amount": Param("yuan/person/month", required=True)},
    roll_params={"caseload.elderly.home_care": Param("persons")},
)
