"""孤儿 and 事实无人抚养儿童 basic living allowances: flat per child per month, orphans in an
institution and at home at their own standards."""
from __future__ import annotations

import numpy as np

from . import Payment

RATES = {("orphan", 0): "children.orphan.dispersed", ("orphan", 1): "children.orphan.institution",
         ("unsupported_child", 0): "children.unsupported", ("unsupported_child", 1): "children.unsupported"}


def pay(month) -> list:
    rows = []
    for program in ("orphan", "unsupported_child"):
        group = month.groups(program)               # counts by area × institution
        if group is None:
            continue
        area, institution, count = group
        rates = np.array([month.value(RATES[(program, int(i))]) for i in institution])
        amount = float((count * rates).sum())
        month.recipients[program] = np.bincount(area, weights=count, minlength=2)
        rows.append(Payment(program, "urban", 0, float(count.sum()), float(count.sum()), amount))
    return rows
