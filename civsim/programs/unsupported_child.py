"""事实无人抚养儿童基本生活补贴: a flat amount per child per month; the rule pays it at the
dispersed-orphan standard wherever the child lives, so one leaf serves both placements."""

from __future__ import annotations

import numpy as np

from . import Param, Program, Sentence


def rates(month, view) -> np.ndarray:
    return np.array([month.value("children.unsupported")])


PROGRAM = Program(
    key="unsupported_child",
    label="事实无人抚养儿童",
    entity="person",
    order=80,
    pay=None,
    rates=rates,
    classes=lambda view: np.zeros(view.n, np.int64),
    candidates=lambda roll: roll.is_("persons", "child_status", "unsupported"),
    params={"children.unsupported": Param("yuan/person/month", required=True, label="事实无人抚养儿童基本生活补贴")},
    roll_params={"caseload.children.unsupported": Param("persons")},
    reported_in=("children",),
    area="儿童福利",
    sentence=Sentence(shared="children", held="事实无人抚养儿童{persons}"),
    family_label="事实无人抚养儿童生活费及补贴",
    method="按事实无人抚养儿童人数和基本生活补贴标准计发",
    published="市民政局关于孤儿、事实无人抚养儿童基本生活保障标准的通知",
)
