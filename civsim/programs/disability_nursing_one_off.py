"""一次性生活救助 to severely disabled persons: declared recipients × declared amounts, by area
(the 2020 COVID grants, counted by 户籍 rather than from the nursing-subsidy roll)."""

from __future__ import annotations

import numpy as np

from . import Cases, Param, Program, Sentence
from ..roll import AREAS


def pay(month, view) -> Cases:
    persons = np.array([month.optional(f"supplements.one_off.disability_severe.{a}.persons") for a in AREAS])
    amounts = np.array([month.value(f"supplements.one_off.disability_severe.{a}.amount") for a in AREAS])
    return Cases(persons, persons * amounts)


PROGRAM = Program(
    key="disability_nursing_one_off",
    label="重度残疾人一次性生活救助",
    entity="case",
    order=230,
    pay=pay,
    caseload=tuple(f"supplements.one_off.disability_severe.{a}.persons" for a in AREAS),
    params={
        f"supplements.one_off.disability_severe.{a}.{m}": Param(u)
        for a in AREAS
        for m, u in (("persons", "persons"), ("amount", "yuan/person"))
    },
    area="残疾人福利",
    sentence=Sentence(paid="向{number}名重度残疾人发放一次性生活救助金{own}"),
    method="按申报人数×申报标准计发",
)
