"""事实无人抚养儿童基本生活补贴: a flat amount per child per month; the rule pays it at the
dispersed-orphan standard wherever the child lives, so one leaf serves both placements."""
from __future__ import annotations

import numpy as np

from . import Param, Program


def rates(month, view) -> np.ndarray:
    return np.array([month.value("children.unsupported")])


def synthesize(b) -> None:
    b.singles(b.target("caseload.children.unsupported"), "children", "urban", child_status="unsupported", age=10)


PROGRAM = Program(
    key="unsupported_child", label="事实无人抚养儿童", entity="person", order=80, pay=None, rates=rates,
    classes=lambda view: np.zeros(view.n, np.int64), synthesize=synthesize,
    candidates=lambda roll: (roll.persons["child_status"] == "unsupported").to_numpy(),
    params={"children.unsupported": Param("yuan/person/month", required=True, label="事实无人抚养儿童基本生活补贴")},
    roll_params={"caseload.children.unsupported": Param("persons")},
    reported_in=("children",),
)
