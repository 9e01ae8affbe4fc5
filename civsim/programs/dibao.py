"""最低生活保障: a gap benefit. A claiming household whose per-capita income is below the standard
gets (standard − income) per member per month, at least the floor, plus the average 分类施保
increment per member; in a month with a Spring-Festival extra month it is paid twice."""
from __future__ import annotations

import numpy as np

from . import per_area


def pay(month) -> list:
    standard = month.by_area("dibao.standard")
    eligible = month.income < standard
    claims = eligible & (month.claim_draw < month.value("dibao.take_up", 1.0))
    per_person = np.maximum(standard - month.income, month.value("dibao.floor")) + month.by_area("dibao.increment")
    size = month.size
    amount = np.where(claims, per_person * size, 0.0) * (1 + month.value("supplements.spring_festival.extra_months"))
    month.recipients["dibao"] = np.bincount(month.area, weights=np.where(claims, size, 0), minlength=2)
    return per_area("dibao", month.area, claims, np.where(claims, size, 0), amount)
