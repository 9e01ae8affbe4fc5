"""The parameter sets a budget compares, each an overlay on a ParamSet (no program is special-cased).

* :func:`repeat_recurring` — the baseline of the budget window: a supplement declared
  ``recurring: {value: true}`` (春节慰问, the Spring-Festival extra month) repeats, in every budget
  year whose params date no value of their own, the months it was paid the year before.
* :func:`recurring_only` — what is left when every non-recurring item is taken out: a leaf
  declared ``recurring: {value: false}`` pays nothing (value 0), and an entry marked
  ``recurring: false`` (a raise for some months only) takes the value of the recurring entry
  before it.
* :func:`carried_forward` — the standards of the year before: in month m of a budget year every
  standard leaf takes the value it had in month m − 12.

**A standard** is a policy amount: a leaf whose unit is ``yuan/…`` (per person, household, bed or
case, monthly or one-off) outside ``caseload.*``. Ratios, percentages, rates, months and counts
are not standards (a change in them counts with the people, not the standard).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from ..param_leaves import Entry, Leaf
from ..params import ParamSet


def is_standard(leaf: Leaf) -> bool:
    """A policy amount in yuan (the rule stated in the module docstring)."""
    return leaf.unit.startswith("yuan/") and not leaf.path.startswith("caseload.")


def window(years) -> pd.PeriodIndex:
    years = sorted(years)
    return pd.period_range(f"{years[0]}-01", f"{years[-1]}-12", freq="M")


def _year_back(period: pd.Period) -> dt.date:
    return (period - 12).start_time.date()


def _starts(months: pd.PeriodIndex) -> list[dt.date]:
    """Each month's first day (read once per overlay, not once per leaf)."""
    return [month.start_time.date() for month in months]


def _rebuilt(leaf: Leaf, months: pd.PeriodIndex, entries: list[Entry], starts: list | None = None) -> Leaf:
    """``leaf`` with one entry per month of ``months`` (merged where nothing changes), the entries
    before the window kept, and the original values again after it."""
    starts = _starts(months) if starts is None else starts
    first, after = starts[0], (months[-1] + 1).start_time.date()
    out = [e for e in leaf.entries if e.start < first]
    for start, entry in zip(starts, entries):
        entry = replace(entry, start=start)
        if not out or (out[-1].value, out[-1].recurring) != (entry.value, entry.recurring):
            out.append(entry)
    if leaf.entries[0].start <= after:
        tail = replace(leaf.at(after), start=after)
        if (out[-1].value, out[-1].recurring) != (tail.value, tail.recurring):
            out.append(tail)
    out += [e for e in leaf.entries if e.start > after]
    return replace(leaf, entries=tuple(out))


def _in_force(leaf: Leaf, date: dt.date) -> Entry:
    """The entry in force, or a zero before the leaf's first value (as ParamSet.get reads it)."""
    if leaf.entries[0].start > date:
        return Entry(date, 0.0, "none")
    return leaf.at(date)


def _dated_in(leaf: Leaf, year: int) -> bool:
    return any(e.start.year == year for e in leaf.entries)


def repeat_recurring(params: ParamSet, years) -> ParamSet:
    """Declared-recurring leaves repeat the previous year's months in each of ``years`` that has
    no dated value of its own (chained: the third year repeats the second)."""
    years = sorted(years)
    months = window(years)
    starts = _starts(months)
    backs = [(month - 12, _year_back(month)) for month in months]
    leaves = dict(params.leaves)
    for path, leaf in params.leaves.items():
        if leaf.recurring is None or not leaf.recurring.value:
            continue
        entries: dict[pd.Period, Entry] = {}
        for month, start, (back, back_start) in zip(months, starts, backs):
            if _dated_in(leaf, month.year):
                entries[month] = _in_force(leaf, start)
            else:
                entries[month] = entries.get(back) or _in_force(leaf, back_start)
        rebuilt = _rebuilt(leaf, months, [entries[m] for m in months], starts)
        if rebuilt.entries != leaf.entries:
            leaves[path] = rebuilt
    return params.with_leaves(leaves, params.scenario)


def _recurring_leaf(leaf: Leaf) -> Leaf | None:
    if leaf.recurring is not None and not leaf.recurring.value:
        if all(e.value == 0 for e in leaf.entries):
            return None
        return replace(leaf, entries=tuple(replace(e, value=0.0) for e in leaf.entries))
    if all(e.recurring for e in leaf.entries):
        return None
    out, last = [], 0.0
    for e in leaf.entries:
        if e.recurring:
            last = e.value
            out.append(e)
        else:
            out.append(replace(e, value=last))
    return replace(leaf, entries=tuple(out))


def recurring_only(params: ParamSet) -> ParamSet:
    """Every non-recurring item taken out (see the module docstring)."""
    leaves = dict(params.leaves)
    for path, leaf in params.leaves.items():
        rebuilt = _recurring_leaf(leaf)
        if rebuilt is not None:
            leaves[path] = rebuilt
    return params.with_leaves(leaves, params.scenario)


def carried_forward(params: ParamSet, years) -> ParamSet:
    """Every standard leaf, in each month m of ``years``, at its value in month m − 12."""
    months = window(years)
    starts, backs = _starts(months), [_year_back(m) for m in months]
    leaves = dict(params.leaves)
    for path, leaf in params.leaves.items():
        if not is_standard(leaf):
            continue
        rebuilt = _rebuilt(leaf, months, [_in_force(leaf, back) for back in backs], starts)
        if rebuilt.entries != leaf.entries:
            leaves[path] = rebuilt
    return params.with_leaves(leaves, params.scenario)


def non_recurring_items(params: ParamSet, year: int) -> list[dict]:
    """The non-recurring amounts in force in some month of ``year`` (a non-recurring leaf in yuan,
    or an entry marked non-recurring): path, description, months (``YYYY-MM``), values (base
    unit) and the declaration's reason."""
    items = []
    for path in sorted(params.leaves):
        leaf = params.leaves[path]
        # a wholly non-recurring leaf is an item when it is an amount (a grant's per-person sum, not
        # its count or the trigger of a phased payment: those show in the lines they pay)
        whole = leaf.recurring is not None and not leaf.recurring.value and is_standard(leaf)
        found = [(m, _in_force(leaf, m.start_time.date())) for m in window([year])]
        found = [(m, e) for m, e in found if (whole and e.value != 0) or not e.recurring]
        if found:
            reason = leaf.recurring.quote if whole else found[0][1].quote
            items.append(
                {
                    "path": path,
                    "description": leaf.description,
                    "unit": leaf.unit,
                    "months": [str(m) for m, _ in found],
                    "values": sorted({e.value for _, e in found}),
                    "reason": reason,
                }
            )
    return items


def standards_held_flat(params: ParamSet, base_year: int, years) -> list[dict]:
    """Standards whose value in every month of ``years`` is the one in force in December of
    ``base_year`` (nothing dated, no scenario): path, description, unit, value. Zero-valued
    leaves (a program the jurisdiction does not pay) are left out."""
    december = dt.date(base_year, 12, 1)
    out = []
    for path in sorted(params.leaves):
        leaf = params.leaves[path]
        if not is_standard(leaf) or leaf.entries[0].start > december:
            continue
        value = leaf.at(december).value
        if value == 0:
            continue
        if all(_in_force(leaf, m.start_time.date()).value == value for m in window(years)):
            out.append({"path": path, "description": leaf.description, "unit": leaf.unit, "value": value})
    return out


def repeated_items(original: ParamSet, repeated: ParamSet, years) -> list[dict]:
    """Leaves :func:`repeat_recurring` filled in: path, description, months and values repeated."""
    out = []
    for path, leaf in repeated.leaves.items():
        before = original.leaves[path]
        if leaf is before:
            continue
        months = [
            m
            for m in window(years)
            if _in_force(leaf, m.start_time.date()).value != _in_force(before, m.start_time.date()).value
        ]
        if months:
            out.append(
                {
                    "path": path,
                    "description": leaf.description,
                    "unit": leaf.unit,
                    "months": [str(m) for m in months],
                    "values": sorted({_in_force(leaf, m.start_time.date()).value for m in months}),
                    "reason": leaf.recurring.quote if leaf.recurring else "",
                }
            )
    return out


__all__ = [
    "is_standard",
    "window",
    "repeat_recurring",
    "recurring_only",
    "carried_forward",
    "non_recurring_items",
    "standards_held_flat",
    "repeated_items",
]
