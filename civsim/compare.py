"""Who gains and who loses under a scenario: each household's money over the year, baseline against
scenario, counted as better off / worse off / unchanged per program and area (and street).

A household counts for a program when it (or a member) receives that program in either run; the
``全部`` rows count every household receiving anything. A person's benefit counts to their household.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import engine, params as params_module, programs
from .roll import AREAS

ALL = "all"
COLUMNS = ["program", "area", "households", "better_off", "worse_off", "unchanged", "mean_change_yuan"]


def household_change(base: pd.DataFrame, scenario: pd.DataFrame) -> pd.DataFrame:
    """Per household and program, the scenario's yearly money minus the baseline's (households that
    receive the program in neither run are left out as NaN)."""
    columns = list(dict.fromkeys(list(base.columns) + list(scenario.columns)))
    base, scenario = base.reindex(columns=columns, fill_value=0.0), scenario.reindex(columns=columns, fill_value=0.0)
    families = pd.Index([programs.family(line) for line in columns])
    base, scenario = base.T.groupby(families).sum().T, scenario.T.groupby(families).sum().T
    change = scenario - base
    return change.where((base != 0) | (scenario != 0))


def summarise(change: pd.DataFrame, households: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts of better off / worse off / unchanged and the mean change, per program and ``by``."""
    frame = change.assign(**{ALL: change.sum(axis=1, min_count=1)})
    keys = households.set_index("household_id").loc[frame.index, by]
    rows = []
    for program in [p for p in programs.PROGRAMS if p in frame] + [ALL]:
        delta = frame[program]
        for key, group in delta.groupby(
            [keys[c].astype(str) for c in by] if by else np.zeros(len(delta)), observed=True
        ):
            group = group.dropna()
            if group.empty:
                continue
            cents = np.round(group.to_numpy() * 100)
            rows.append(
                {
                    "program": program,
                    **dict(zip(by, key if isinstance(key, tuple) else (key,))),
                    "households": len(group),
                    "better_off": int((cents > 0).sum()),
                    "worse_off": int((cents < 0).sum()),
                    "unchanged": int((cents == 0).sum()),
                    "mean_change_yuan": round(float(group.mean()), 2),
                }
            )
    return pd.DataFrame(rows, columns=["program"] + by + COLUMNS[2:])


def compare(district, year: int, scenario, seed: int = 1, roll=None) -> pd.DataFrame:
    """Households better off, worse off and unchanged under ``scenario``, by program and area (and
    street when the roll has streets)."""
    base = params_module.load(district)
    sim = engine.Simulation(base, year, seed, roll=roll)
    _, applied = engine.scenario_sets(base, [scenario], year)
    totals = [sim.run(p, detail=True)[1].household_totals() for p in (base, applied)]
    change = household_change(*totals)
    by = ["area", "street"] if sim.roll.has_streets else ["area"]
    table = summarise(change, sim.roll.households, by)
    table["area"] = pd.Categorical(table["area"], categories=list(AREAS))
    return table.sort_values(
        ["program", "area"], key=lambda s: s.map(_order) if s.name == "program" else s, kind="stable"
    ).reset_index(drop=True)


def _order(program: str) -> int:
    keys = list(programs.PROGRAMS) + [ALL]
    return keys.index(program)
