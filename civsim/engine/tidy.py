"""The tidy table: its columns, and the sums every consumer takes of it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import money

KEYS = ["jurisdiction", "scenario", "month", "program", "area"]
MEASURES = ["households", "persons", "person_times", "amount_yuan"]
COLUMNS = KEYS + MEASURES


@dataclass
class Lines:
    """One run's lines as the engine pays them: a block of groups × MEASURES (amount in whole fen)
    per line and month, in the order paid."""

    jurisdiction: str
    scenario: str
    lines: list  # each block's line
    periods: list  # each block's month (a Period)
    values: np.ndarray  # (blocks × groups) × MEASURES
    groups: pd.DataFrame  # group code -> area (and street)

    def frame(self) -> pd.DataFrame:
        """The run's table: one row per line, month and group, in the order paid."""
        n, lines, groups = len(self.groups), self.lines, self.groups
        if not lines:
            frame = pd.DataFrame(
                {
                    "jurisdiction": self.jurisdiction,
                    "scenario": self.scenario,
                    "month": pd.PeriodIndex([], freq="M"),
                    "program": np.repeat(lines, n),
                }
            )
            for column in groups.columns:
                frame[column] = np.tile(groups[column].to_numpy(), 0)
            frame[MEASURES] = np.zeros((0, 4))
            frame["amount_yuan"] = money.yuan(np.zeros(0))
            return frame
        data = {
            "jurisdiction": self.jurisdiction,
            "scenario": self.scenario,
            "month": pd.PeriodIndex.from_ordinals(np.repeat(self._ordinals(), n), freq="M"),
            "program": np.repeat(np.array(lines, dtype=object), n),
        }
        for column in groups.columns:
            data[column] = np.tile(groups[column].to_numpy(dtype=object), len(lines))
        values = self.values
        for i, measure in enumerate(MEASURES[:3]):
            data[measure] = values[:, i].copy()
        data["amount_yuan"] = money.yuan(values[:, 3])  # the blocks hold whole fen
        return pd.DataFrame(data)

    def _ordinals(self) -> np.ndarray:
        return np.fromiter((period.ordinal for period in self.periods), np.int64, len(self.periods))


def finish(runs: list[Lines]) -> pd.DataFrame:
    """:func:`_finish` of the runs' frames, to the bit, made from the runs' blocks in one go: the
    lines that pay nothing left out, money in whole fen, rows in scenario, month, line and group order."""
    named = [r for r in runs if r.lines]
    if (
        not named
        or len({r.scenario for r in named}) < len(named)
        or any(r.groups is not named[0].groups and not r.groups.equals(named[0].groups) for r in named)
    ):
        return _finish([r.frame() for r in runs])  # two runs under one name, or other groups: add up as tables
    groups = named[0].groups
    n = len(groups)
    blocks = [len(r.lines) for r in named]
    names, line = np.unique(
        np.concatenate([np.array(r.lines, dtype=object) for r in named]).astype(str), return_inverse=True
    )
    line = np.repeat(line, n)
    values = np.concatenate([r.values for r in named])
    run = np.repeat(np.arange(len(named)), np.array(blocks) * n)
    month = np.repeat(np.concatenate([r._ordinals() for r in named]), n)
    group = np.tile(np.arange(n), sum(blocks))
    amount = money.yuan(money.fen(money.yuan(values[:, 3])))  # whole fen, as summed
    measures = np.column_stack([values[:, :3], amount])
    # A line that pays nothing in any scenario is left out.
    sums = np.stack([np.bincount(line, weights=measures[:, i], minlength=len(names)) for i in range(4)], axis=1)
    keep = (np.abs(sums).sum(axis=1) > 0)[line]
    columns, words, ranks = _groups(groups)
    if "street" in columns:  # a street with nothing paid on a line in any scenario is left out
        cell = line * n + group
        held = np.bincount(cell[keep], weights=np.abs(measures[keep]).sum(axis=1) > 0, minlength=len(names) * n) > 0
        keep &= held[cell]
    order = np.flatnonzero(keep)
    keys = [ranks[column][group[order]] for column in reversed(columns)]
    order = order[np.lexsort((*keys, line[order], month[order], run[order]))]
    data = {
        "jurisdiction": _strings([r.jurisdiction for r in named], run[order]),
        "scenario": _strings([r.scenario for r in named], run[order]),
        "month": pd.PeriodIndex.from_ordinals(month[order], freq="M"),
        "program": _strings(names.tolist(), line[order]),
    }
    for column in columns:
        data[column] = _strings(words[column], group[order])
    for i, measure in enumerate(MEASURES):
        data[measure] = measures[order, i]
    return pd.DataFrame(data, copy=False)


_GROUPS: dict = {}


def _groups(groups: pd.DataFrame) -> tuple:
    """A runs' groups table as (columns, each column's words, each word's place in sorted order),
    read once per table (a simulation's runs, and every roll without streets, share one)."""
    hit = _GROUPS.get(id(groups))
    if hit is None or hit[0] is not groups:
        if len(_GROUPS) > 16:
            _GROUPS.clear()
        columns = list(groups.columns)
        words = {column: [str(w) for w in groups[column].tolist()] for column in columns}
        hit = _GROUPS[id(groups)] = (groups, columns, words, {column: _rank(words[column]) for column in columns})
    return hit[1:]


def _rank(words: list[str]) -> np.ndarray:
    """Each word's place in sorted order (equal words, equal places)."""
    return np.unique(np.array(words, dtype=str), return_inverse=True)[1].reshape(-1)


# pandas' text type (``str``): held by pyarrow where it is installed
_STR = pd.Series(np.array([""], dtype=object)).dtype


def _strings(words: list[str], codes: np.ndarray):
    """``words[codes]`` as a column of pandas' text type, made from the few words at once rather
    than a Python string a row."""
    if getattr(_STR, "storage", None) == "pyarrow":
        import pyarrow as pa

        taken = pa.array(words, pa.large_string()).take(pa.array(np.asarray(codes, np.int64)))
        return pd.arrays.ArrowStringArray(pa.chunked_array([taken]), dtype=_STR)
    return pd.array(np.array(words, dtype=object)[codes], dtype=_STR)


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
    frame["amount_yuan"] = money.yuan(money.fen(frame["amount_yuan"]))  # whole fen, as summed
    if "street" in frame:  # a street with nothing paid on a line in any scenario is left out
        kept = frame.groupby(["program", "area", "street"])[MEASURES].transform(lambda c: c.abs().sum()).sum(axis=1) > 0
        frame = frame[kept]
    order = {name: i for i, name in enumerate(dict.fromkeys(frame["scenario"]))}
    frame = frame.sort_values(
        ["scenario", "month", "program"] + keys[4:],
        key=lambda s: s.map(order) if s.name == "scenario" else s,
        kind="stable",
    ).reset_index(drop=True)
    return frame[keys + MEASURES]


def to_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table as written to CSV: months as YYYY-MM, money to the fen, counts to 0.01."""
    out = frame.copy(deep=False)
    out["month"] = _month_text(out["month"])
    for measure in MEASURES:
        if measure in out:
            out[measure] = np.round(out[measure].to_numpy(), 2)
    return out


def _month_text(months: pd.Series):
    """``months.astype(str)`` (``YYYY-MM``), each distinct month written once."""
    if not isinstance(months.dtype, pd.PeriodDtype) or months.dtype != pd.PeriodDtype("M") or months.isna().any():
        return months.astype(str)
    ordinal, at = np.unique(months.array.asi8, return_inverse=True)
    words = [f"{1970 + o // 12:04d}-{o % 12 + 1:02d}" for o in ordinal.tolist()]
    return pd.Series(_strings(words, at.reshape(-1)), index=months.index)


def year_totals(frame: pd.DataFrame, months: slice | None = None) -> pd.DataFrame:
    """Flows summed over the months (amount, person_times) per scenario × program × area."""
    data = frame if months is None else frame[(frame["month"] >= months.start) & (frame["month"] <= months.stop)]
    return data.groupby(["scenario", "program", "area"], as_index=False, sort=False)[
        ["person_times", "amount_yuan"]
    ].sum()


def stock(frame: pd.DataFrame, month) -> pd.DataFrame:
    """Households and persons on the roll in ``month`` per scenario × program × area."""
    month = pd.Period(month, "M")
    data = frame[frame["month"] == month]
    return data.groupby(["scenario", "program", "area"], as_index=False, sort=False)[["households", "persons"]].sum()
