"""最低生活保障: a gap benefit. A claiming household whose per-capita income is below the standard
gets (standard − income) per member per month, at least the floor, plus the average 分类施保
increment per member; in a month with a Spring-Festival extra month it is paid twice."""
from __future__ import annotations

import numpy as np

from . import Payment
from ..population import AREAS


def pay(month) -> list:
    gap = month.by_area("dibao.standard") - month.income
    # Only the claiming households are gathered, so the rest of the work is on the recipients.
    paid = np.flatnonzero((gap > 0) & month.claims(month.value("dibao.take_up", 1.0)))
    area, size = month.area[paid], month.size[paid]
    increment = np.array([month.value(f"dibao.increment.{a}") for a in AREAS])
    per_person = np.maximum(gap[paid], month.value("dibao.floor")) + increment[area]
    amount = per_person * size * (1 + month.value("supplements.spring_festival.extra_months"))
    households = np.bincount(area, minlength=2)
    persons = np.bincount(area, weights=size, minlength=2)
    money = np.bincount(area, weights=amount, minlength=2)
    month.recipients["dibao"] = persons
    return [Payment("dibao", a, households[i], persons[i], persons[i], money[i]) for i, a in enumerate(AREAS)]
