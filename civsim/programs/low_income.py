"""低收入家庭救助: a flat amount per low-income household per month."""
from __future__ import annotations

from . import Payment


def pay(month) -> list:
    households, persons = month.low_income
    if households == 0 or not month.has("low_income.grant"):
        return []
    return [Payment("low_income", "urban", households, persons, persons, households * month.value("low_income.grant"))]
