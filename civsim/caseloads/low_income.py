"""The synthetic roll's caseload of low_income (its rule: civsim.programs.low_income)."""

from __future__ import annotations

import numpy as np


def build(b) -> None:
    households, persons = b.target("caseload.low_income.households"), b.target("caseload.low_income.persons")
    if households == 0:
        return
    start, end, template = b.spells(
        households, b.value("low_income.turnover.entry"), b.value("low_income.turnover.exit")
    )
    size = b.sizes(households, persons)[template]
    member_of = np.repeat(np.arange(len(size)), size)
    b.add(
        {"area": "urban", "category": "low_income", "start": start, "end": end},
        {"age": np.full(len(member_of), 40), "poor": np.ones(len(member_of), int)},
        member_of,
    )
