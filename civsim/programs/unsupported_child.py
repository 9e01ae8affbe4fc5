"""事实无人抚养儿童基本生活补贴: a flat amount per child per month; the rule pays it at the
dispersed-orphan standard wherever the child lives, so one leaf serves both placements."""
from __future__ import annotations

import numpy as np

from . import Paid, Param, Program


def pay(month, view) -> Paid:
    on_roll = view.on_roll(month.t)
    paid = np.arange(view.n) if on_roll is None else np.flatnonzero(on_roll)
    return Paid(paid, np.full(len(paid), month.value("children.unsupported")))


def synthesize(b) -> None:
    b.singles(b.target("caseload.children.unsupported"), "children", "urban", child_status="unsupported", age=10)


PROGRAM = Program(
    key="unsupported_child", label="事实无人抚养儿童", entity="person", order=80, pay=pay, synthesize=synthesize,
    candidates=lambda roll: (roll.persons["child_status"] == "unsupported").to_numpy(),
    params={"children.unsupported": Param("yuan/person/month", required=True)},
    roll_params={"caseload.children.unsupported": Param("persons")},
    reported_in=("children",),
)
