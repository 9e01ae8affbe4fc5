"""残疾人两项补贴: the nursing subsidy for the severely disabled (grades 1–2) and the living
subsidy for disabled persons in poor families; flat per person per month."""
from __future__ import annotations

import numpy as np

from . import per_area


def pay(month) -> list:
    rows = []
    for program, amount_path in (("disability_nursing", "disability.nursing.amount"),
                                 ("disability_living", "disability.living.amount")):
        group = month.groups(program)
        if group is None:
            continue
        area, _, count = group
        rows += per_area(program, area, np.zeros_like(count), count, count * month.value(amount_path))
    return rows
