"""A scenario's roll: the baseline roll, with the caseloads a scenario changes drawn again from the
month the change takes effect.

A synthetic roll is built from leaves read at its anchor (caseloads, shares of self-care levels,
members' make-up, turnover: each program's ``roll_params``). A scenario changing one of them from a
date makes a second roll from the scenario's leaves with the same seed; each program draws from a
stream of its own, so only the programs whose rows come out different are exchanged: their baseline
rows leave the roll at the change's month and the new rows join it then. Every other row, and every
draw a baseline household makes, is the baseline's, so the scenario's difference comes from the
change alone. The income path's leaves (entry and exit rates, gap ratios) and the rules' own leaves
(take-up, standards) are read month by month and need no second roll.

What cannot act is refused: a change to these leaves on a bureau's roll (its caseload is what the
roll holds), or one that ends inside the run (a roll drawn again cannot be drawn back).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from . import synthetic
from .errors import CivsimError
from .params import ParamSet
from .roll import AREAS, Roll

# read each month by the income path (civsim.dynamics): never a reason to draw the roll again
MONTHLY = ("dibao.entry_rate", "dibao.exit_rate", *(f"dibao.gap_ratio.{a}" for a in AREAS))


def roll_leaves() -> set[str]:
    """The leaves a synthetic roll is drawn from."""
    from .programs import REGISTRY

    return {path for p in REGISTRY for path in p.roll_params} - set(MONTHLY)


def changed(base: ParamSet, params: ParamSet, months: pd.PeriodIndex) -> tuple[list[str], pd.Period | None]:
    """The roll's leaves ``params`` sets otherwise than ``base`` in ``months``, and the first month
    they differ (None: they do not)."""
    paths = sorted(p for p in roll_leaves() if params.leaves.get(p) is not base.leaves.get(p))
    first = None
    for period in months:
        date = period.start_time.date()
        if any(params.get(p, date, None) != base.get(p, date, None) for p in paths):
            first = period
            break
    if first is None:
        return [], None
    ended = [
        period
        for period in months[months.get_loc(first) :]
        if not any(
            params.get(p, period.start_time.date(), None) != base.get(p, period.start_time.date(), None) for p in paths
        )
    ]
    if ended:
        raise CivsimError(
            _file(params),
            ", ".join(paths),
            f"the change to the roll ends before {ended[0]}, inside the run; a caseload, share or "
            "turnover changed from a date holds to the run's end",
            "a change without until",
        )
    return paths, first


def _file(params: ParamSet) -> str:
    return f"scenario {params.scenario}"


def build(roll: Roll, base: ParamSet, params: ParamSet, months: pd.PeriodIndex) -> Roll | None:
    """The roll ``params`` runs on, when it changes a leaf the roll was drawn from (None: the baseline's)."""
    paths, first = changed(base, params, months)
    if first is None:
        return None
    if roll.source != "synthetic" or not roll.parts:
        raise CivsimError(
            _file(params),
            ", ".join(paths),
            "the roll is a bureau's own: its caseload, shares and "
            "turnover are what the roll holds, so a change to them cannot act",
            "a change to the rules (standards, amounts, take-up, rates), or a synthetic roll",
        )
    read_at = max(first, roll.anchor).start_time.date()
    months = roll.months if roll.months is not None else months  # the spells are drawn over the roll's own
    again = synthetic.synthesize(
        params, roll.year or roll.anchor.year, roll.seed, months, anchor=roll.anchor, read_at=read_at
    )
    # the programs the change moves: those drawn otherwise than from the baseline's leaves of the same month
    same_month = (
        roll
        if first <= roll.anchor
        else synthetic.synthesize(
            base, roll.year or roll.anchor.year, roll.seed, months, anchor=roll.anchor, read_at=read_at
        )
    )
    exchanged = [key for key in again.parts if key in roll.parts and not _same(same_month, again, key)]
    if not exchanged:
        return None
    return _splice(roll, again, exchanged, first.ordinal, read_at)


def _rows(roll: Roll, key: str) -> tuple[slice, slice]:
    h0, p0, h1, p1 = roll.parts[key]
    return slice(h0, h1), slice(p0, p1)


def _same(a: Roll, b: Roll, key: str) -> bool:
    (ha, pa), (hb, pb) = _rows(a, key), _rows(b, key)
    one, two = a.households.iloc[ha].drop(columns="household_id"), b.households.iloc[hb].drop(columns="household_id")
    if len(one) != len(two) or (pa.stop - pa.start) != (pb.stop - pb.start):
        return False
    drop = ["person_id", "household_id"]
    return one.reset_index(drop=True).equals(two.reset_index(drop=True)) and a.persons.iloc[pa].drop(
        columns=drop
    ).reset_index(drop=True).equals(b.persons.iloc[pb].drop(columns=drop).reset_index(drop=True))


def _splice(roll: Roll, again: Roll, exchanged: list[str], month: int, read_at: dt.date) -> Roll:
    households, persons = roll.households.copy(), roll.persons.copy()
    leaving_h = np.zeros(len(households), bool)
    leaving_p = np.zeros(len(persons), bool)
    new_h, new_p = [], []
    for key in exchanged:
        h, p = _rows(roll, key)
        leaving_h[h], leaving_p[p] = True, True
        h, p = _rows(again, key)
        new_h.append(again.households.iloc[h])
        new_p.append(again.persons.iloc[p])
    # the baseline's rows of the exchanged programs leave at the change's month ...
    for table, leaving in ((households, leaving_h), (persons, leaving_p)):
        table.loc[leaving, "end"] = np.minimum(table.loc[leaving, "end"].to_numpy(), month)
    # ... and the new rows join then (ids after the baseline's)
    joining_h = pd.concat(new_h, ignore_index=True)
    joining_p = pd.concat(new_p, ignore_index=True)
    first_h, first_p = int(households["household_id"].max()) + 1, int(persons["person_id"].max()) + 1
    ids = pd.Series(
        np.arange(first_h, first_h + len(joining_h), dtype=np.int64), index=joining_h["household_id"].to_numpy()
    )
    joining_p["household_id"] = ids.reindex(joining_p["household_id"].to_numpy()).to_numpy()
    joining_h["household_id"] = ids.to_numpy()
    joining_p["person_id"] = np.arange(first_p, first_p + len(joining_p), dtype=np.int64)
    for table in (joining_h, joining_p):
        table["start"] = np.maximum(table["start"].to_numpy(), month).astype(table["start"].dtype)
    keep_h = joining_h["end"].to_numpy() > month
    joining_h = joining_h[keep_h]
    joining_p = joining_p[joining_p["household_id"].isin(joining_h["household_id"])]
    out = Roll(
        pd.concat([households, joining_h], ignore_index=True),
        pd.concat([persons, joining_p], ignore_index=True),
        roll.anchor,
        roll.standard_at_anchor,
        roll.seed,
        roll.source,
    )
    out.base_rows = len(households)
    out.drawn_gap = roll.drawn_gap + [(len(households), again.drawn_gap[0][1])]
    out.reads, out.months, out.year, out.unplaced = roll.reads, roll.months, roll.year, roll.unplaced
    return out
