"""特困人员救助供养: the basic standard of the person's area plus the care standard of their
self-care level, for centralised (institution) and dispersed persons alike."""
from __future__ import annotations

import numpy as np

from . import per_area

def pay(month) -> list:
    group = month.groups("tekun")               # counts by area × self_care
    if group is None:
        return []
    area, care, count = group
    basic = np.array([month.value("tekun.standard.urban"), month.value("tekun.standard.rural")])[area]
    care_amount = np.array([month.value("tekun.care.full"), month.value("tekun.care.partial"),
                            month.value("tekun.care.none")])[care]
    amount = count * (basic + care_amount) * (1 + month.value("supplements.spring_festival.extra_months"))
    month.recipients["tekun"] = np.bincount(area, weights=count, minlength=2)
    return per_area("tekun", area, np.zeros_like(count), count, amount)
