"""The tidy table: its columns, and the sums every consumer takes of it."""
from __future__ import annotations

import pandas as pd

from .. import money

KEYS = ["jurisdiction", "scenario", "month", "program", "area"]
MEASURES = ["households", "persons", "person_times", "amount_yuan"]
COLUMNS = KEYS + MEASURES


def _finish(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frame = pd.concat(frames, ignore_index=True)
    # A line that pays nothing in any scenario is left out.
    paying = frame.groupby("program")[MEASURES].sum().abs().sum(axis=1) > 0
    frame = frame[frame["program"].isin(paying[paying].index)]
    keys = KEYS + (["street"] if "street" in frame else [])
    if len(set(f["scenario"].iat[0] for f in frames if len(f))) < sum(1 for f in frames if len(f)):
        # two runs under one name: their rows add up (a run's own keys are unique: one block per
        # line, month and group)
        frame = frame.groupby(keys, sort=False, as_index=False)[MEASURES].sum()
    else:
        frame = frame.reset_index(drop=True)
    frame["amount_yuan"] = money.yuan(money.fen(frame["amount_yuan"]))   # whole fen, as summed
    if "street" in frame:   # a street with nothing paid on a line in any scenario is left out
        kept = frame.groupby(["program", "area", "street"])[MEASURES].transform(lambda c: c.abs().sum()).sum(axis=1) > 0
        frame = frame[kept]
    order = {name: i for i, name in enumerate(dict.fromkeys(frame["scenario"]))}
    frame = frame.sort_values(["scenario", "month", "program"] + keys[4:],
                              key=lambda s: s.map(order) if s.name == "scenario" else s, kind="stable").reset_index(drop=True)
    return frame[keys + MEASURES]


def to_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as written to CSV: months as YYYY-MM, money to the fen, counts to 0.01."""
    out = frame.copy()
    out["month"] = out["month"].astype(str)
    out[MEASURES] = out[MEASURES].round(2)
    return out


def year_totals(frame: pd.DataFrame, months: slice | None = None) -> pd.DataFrame:
    """Flows summed over the months (amount, person_times) per scenario × program × area."""
    data = frame if months is None else frame[(frame["month"] >= months.start) & (frame["month"] <= months.stop)]
    return data.groupby(["scenario", "program", "area"], as_index=False, sort=False)[["person_times", "amount_yuan"]].sum()


def stock(frame: pd.DataFrame, month) -> pd.DataFrame:
    """Households and persons on the roll in ``month`` per scenario × program × area."""
    month = pd.Period(month, "M")
    data = frame[frame["month"] == month]
    return data.groupby(["scenario", "program", "area"], as_index=False, sort=False)[["households", "persons"]].sum()
