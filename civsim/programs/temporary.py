"""临时救助: cases per month, each paid a multiple of the monthly urban 低保 standard, capped by the
street approval limit. The street reserve (a share of the prior year's 低保 total) is a budget
figure: :func:`street_reserve`."""

from __future__ import annotations

import math

import numpy as np

from . import Cases, Param, Program, Sentence


def pay(month, view) -> Cases:
    cases = month.optional("temporary.cases")
    grant = min(
        month.value("temporary.multiple") * month.value("dibao.standard.urban"), month.value("temporary.approval_limit")
    )
    return Cases(np.array([cases, 0.0]), np.array([cases * grant, 0.0]))


def street_reserve(prior_year_dibao_yuan: float, reserve_percent: float) -> float:
    return prior_year_dibao_yuan * reserve_percent / 100


PROGRAM = Program(
    key="temporary",
    label="临时救助",
    entity="case",
    order=40,
    pay=pay,
    caseload=("temporary.cases",),
    # cases and the grant per case are facts about the district's year (the roll's unknowns, fitted
    # freely where reported; the grant from a national starting value); the street limit is policy
    params={
        "temporary.cases": Param("cases/month", prior=math.inf, bounds=(0.0, 1e6)),
        "temporary.multiple": Param(
            "ratio", about="临时救助每人次救助金相当于当月城市低保标准的倍数", prior=math.inf, bounds=(0.0, 50.0)
        ),
        "temporary.approval_limit": Param("yuan/case", required=True, about="街道（乡镇）临时救助审批上限"),
        "dibao.standard.urban": Param("yuan/person/month", required=True),
        "temporary.street_reserve": Param("percent"),
    },
    reported_in=("assistance_total",),
    area="社会救助",
    sentence=Sentence(paid="{span}实施临时救助{times}，累计发放救助金{money}"),
    method="按每月救助件数×低保标准的倍数计发，不超过审批限额",
    published="省（市）临时救助实施办法中的救助标准与审批权限条款",
)
