"""One module per program; each ``pay(month)`` is a vectorised function of the roll and the
parameters in force that month, returning :class:`Payment` rows per area.

``REGISTRY`` lists them in the order the engine calls them (supplements last: they read the
recipients that the main programs found that month).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Payment:
    program: str
    area: str
    households: float
    persons: float
    person_times: float
    amount_yuan: float


def per_area(program: str, area_code: np.ndarray, households, persons, amount, person_times=None) -> list[Payment]:
    """Sum household-level arrays into one Payment per area (0 urban, 1 rural)."""
    from ..population import AREAS

    sums = [np.bincount(area_code, weights=np.asarray(w, dtype=np.float64), minlength=2)
            for w in (households, persons, amount, persons if person_times is None else person_times)]
    return [Payment(program, area, sums[0][i], sums[1][i], sums[3][i], sums[2][i]) for i, area in enumerate(AREAS)]


from . import (children, dibao, disability, elderly, funeral, low_income, supplements,  # noqa: E402
               temporary, tekun)

REGISTRY = (dibao, tekun, low_income, temporary, disability, children, elderly, funeral, supplements)
