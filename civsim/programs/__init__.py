"""One module per program; each ``pay(month)`` is a vectorised function of the roll and the
parameters in force that month, returning :class:`Payment` rows per area.

``REGISTRY`` lists them in the order the engine calls them (supplements last: they read the
recipients that the main programs found that month).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..population import AREAS


@dataclass(frozen=True)
class Payment:
    program: str
    area: str
    households: float
    persons: float
    person_times: float
    amount_yuan: float


def per_area(program: str, area_code: np.ndarray, households, persons, amount) -> list[Payment]:
    """Sum household-level arrays into one Payment per area (0 urban, 1 rural); each recipient
    counts one person-time a month."""
    households, persons, amount = (np.bincount(area_code, weights=np.asarray(w, dtype=np.float64), minlength=2)
                                   for w in (households, persons, amount))
    return [Payment(program, area, households[i], persons[i], persons[i], amount[i]) for i, area in enumerate(AREAS)]


from . import (children, dibao, disability, elderly, funeral, low_income, supplements,  # noqa: E402
               temporary, tekun)

REGISTRY = (dibao, tekun, low_income, temporary, disability, children, elderly, funeral, supplements)
