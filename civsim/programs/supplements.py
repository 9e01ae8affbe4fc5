"""Supplements riding on the main programs this month:

* 价格临时补贴: when headline CPI y/y reaches its trigger or food CPI y/y reaches its own, each
  低保 and 特困 recipient (and, where ``supplements.price.children`` is 1, each orphan and
  unsupported child) gets the 低保 standard of their area × the higher triggering rise, rounded
  to the yuan, at least the floor, times the multiplier (Tianjin doubled it in 2020).
* 春节慰问金: a grant per household to ``caseload.spring_festival.households`` in its month.
* one-off grants: per 低保 recipient by area, and per severely disabled person by declared count.
"""
from __future__ import annotations

import numpy as np

from . import Payment, per_area

AREA_CODES = np.array([0, 1])


def price_rise(cpi: float, food: float, trigger_cpi: float, trigger_food: float) -> float:
    """The y/y rise (percent) that triggers the subsidy, or 0: the higher one if both trigger."""
    rises = [r for r, t in ((cpi, trigger_cpi), (food, trigger_food)) if np.isfinite(r) and t > 0 and r >= t]
    return max(rises, default=0.0)


def pay(month) -> list:
    rows = []
    rise = price_rise(month.cpi, month.food, month.value("supplements.price.trigger_cpi"),
                      month.value("supplements.price.trigger_food"))
    if rise > 0:
        standard = np.array([month.value("dibao.standard.urban"), month.value("dibao.standard.rural")])
        per_person = np.maximum(np.round(standard * rise / 100), month.value("supplements.price.floor"))
        per_person = per_person * month.value("supplements.price.multiplier", 1.0)
        groups = ["dibao", "tekun"] + (["orphan", "unsupported_child"] if month.value("supplements.price.children") else [])
        for group in groups:
            persons = month.recipients.get(group)
            if persons is not None and persons.sum() > 0:
                rows += per_area(f"{group}_price_subsidy", AREA_CODES, [0, 0], persons, persons * per_person)
    grant = month.value("supplements.spring_festival.grant")
    households = month.value("caseload.spring_festival.households")
    if grant and households:
        rows.append(Payment("spring_festival", "urban", households, 0, households, grant * households))
    persons = month.recipients.get("dibao")
    amounts = np.array([month.value("supplements.one_off.dibao.urban.amount"),
                        month.value("supplements.one_off.dibao.rural.amount")])
    if persons is not None and amounts.any():
        rows += per_area("dibao_one_off", AREA_CODES, [0, 0], persons, persons * amounts)
    counts = np.array([month.value("supplements.one_off.disability_severe.urban.persons"),
                       month.value("supplements.one_off.disability_severe.rural.persons")])
    amounts = np.array([month.value("supplements.one_off.disability_severe.urban.amount"),
                        month.value("supplements.one_off.disability_severe.rural.amount")])
    if (counts * amounts).any():
        rows += per_area("disability_nursing_one_off", AREA_CODES, [0, 0], counts, counts * amounts)
    return rows
