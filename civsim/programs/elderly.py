"""Elderly: 高龄津贴 by age band, 居家养老服务补贴 per assessed person, and the operating subsidy of
care institutions per bed."""
from __future__ import annotations

import numpy as np

from . import Payment
from ..population import ELDERLY_BANDS


def pay(month) -> list:
    rows = []
    group = month.groups("elderly_allowance")       # counts by area × band index
    if group is not None:
        _, band, count = group
        rates = np.array([month.value(f"elderly.allowance.{name}") for name in ELDERLY_BANDS])[band]
        paid = rates > 0
        n = float(count[paid].sum())
        rows.append(Payment("elderly_allowance", "urban", 0, n, n, float((count * rates).sum())))
    group = month.groups("home_care")
    if group is not None:
        n = float(group[2].sum())
        rows.append(Payment("home_care", "urban", 0, n, n, n * month.value("elderly.home_care.amount")))
    beds = month.value("caseload.elderly.beds")
    if beds and month.has("elderly.institution.per_bed"):
        rows.append(Payment("care_institution", "urban", 0, 0, 0, beds * month.value("elderly.institution.per_bed")))
    return rows
