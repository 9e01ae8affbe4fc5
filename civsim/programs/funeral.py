"""丧葬补贴: a flat amount per approved case; cases per month from params."""
from __future__ import annotations

from . import Payment


def pay(month) -> list:
    cases = month.value("funeral.cases")
    if cases == 0:
        return []
    return [Payment("funeral", "urban", 0, cases, cases, cases * month.value("funeral.amount"))]
