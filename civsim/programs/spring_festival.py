"""春节慰问金: a grant per household to the declared number of households in the grant's month."""

from __future__ import annotations

import numpy as np

from . import Cases, Param, Program, Sentence


def pay(month, view) -> Cases:
    households = month.optional("caseload.spring_festival.households")
    return Cases(
        np.array([households, 0.0]),
        np.array([households * month.value("supplements.spring_festival.grant"), 0.0]),
        counts="households",
    )


PROGRAM = Program(
    key="spring_festival",
    label="春节慰问",
    entity="case",
    order=210,
    pay=pay,
    caseload=("caseload.spring_festival.households",),
    params={
        "caseload.spring_festival.households": Param("households"),
        "supplements.spring_festival.grant": Param("yuan/household"),
    },
    reported_in=("assistance_total",),
    area="社会救助",
    sentence=Sentence(paid="春节期间慰问困难群众{visits}，发放慰问金{money}"),
    method="按申报户数×每户慰问标准计发",
)
