"""The roll a district pays from: households and their members, linked by ``household_id``.

* ``households`` — ``household_id``, ``area`` (urban/rural), ``size`` (members on the roll),
  ``income`` (per-capita yuan/month at the anchor month; NaN where the roll does not test it),
  ``category`` (the household's place on the roll: a 低保 candidate, a 特困 person's household, a
  低收入 or 低保边缘 family, or ``other`` for people held by categorical programs only),
  ``street`` ("" where unknown), ``claim_draw`` (a household claims when eligible and its draw is
  below the take-up rate; 0 for a bureau roll, whose households all claimed), ``start``/``end``
  (the months its spell on the roll begins and ends, as month ordinals).
* ``persons`` — ``person_id``, ``household_id``, ``age``, ``sex``, ``disability_grade`` (0 none,
  1–4; 1–2 severe), ``self_care`` (0 full, 1 partial, 2 none), ``child_status``
  (none/orphan/unsupported), ``institution`` (集中供养 or in a children's institution),
  ``tekun``, ``seriously_ill``, ``poor`` (certified as in a 困难 family outside 低保),
  ``home_care``, ``elderly_allowance``, ``start``/``end``.

A person may hold several categories at once (a severely disabled elderly member of a 低保
household gets 分类施保, the nursing subsidy and the living subsidy). Spells let every program's
caseload move month by month: a bureau roll's 最初享受月 gives the entries it saw, the synthetic
roll draws entries and exits at the turnover rates in params.

In files, ``start``/``end`` are ``YYYY-MM`` or empty (no bound).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import CivsimError

AREAS = ("urban", "rural")
CATEGORIES = ("dibao", "tekun", "low_income", "edge", "other")
CHILD_STATUS = ("none", "orphan", "unsupported")
SEX = ("", "m", "f")
NEVER_BEFORE, NEVER_AFTER = -(10**6), 10**6  # open spell bounds, as month ordinals

# column -> (kind for the CSV reader, default when a file omits the column, allowed range or values)
HOUSEHOLD_COLUMNS = {
    "household_id": ("int", None, (0, None)),
    "area": ("str", None, AREAS),
    "size": ("int", None, (1, 50)),
    "income": ("optional_float", np.nan, (0, 1_000_000)),
    "category": ("str", "dibao", CATEGORIES),
    "street": ("optional_str", "", None),
    "claim_draw": ("optional_float", 0.0, (0, 1)),
    "start": ("optional_str", "", "month"),
    "end": ("optional_str", "", "month"),
    # what a bureau's export says, kept to check the model against it
    "community": ("optional_str", "", None),
    "benefit": ("optional_float", np.nan, (0, 1_000_000)),
    "classified": ("optional_float", np.nan, (0, 1_000_000)),
    # 分档: the household's 档 (1, 2, 3; 0 where its area pays the gap or the roll gives none); a
    # single-parent family (单亲家庭) for 分类施保
    "tier": ("int", 0, (0, 3)),
    "single_parent": ("int", 0, (0, 1)),
}
PERSON_COLUMNS = {
    "person_id": ("int", None, (0, None)),
    "household_id": ("int", None, (0, None)),
    "age": ("int", None, (0, 130)),
    "sex": ("optional_str", "", SEX),
    "disability_grade": ("int", 0, (0, 4)),
    "self_care": ("int", 0, (0, 2)),
    "child_status": ("str", "none", CHILD_STATUS),
    "institution": ("int", 0, (0, 1)),
    "tekun": ("int", 0, (0, 1)),
    "seriously_ill": ("int", 0, (0, 1)),
    "poor": ("int", 0, (0, 1)),
    "home_care": ("int", 0, (0, 1)),
    "elderly_allowance": ("int", 0, (0, 1)),
    "start": ("optional_str", "", "month"),
    "end": ("optional_str", "", "month"),
    "pid_hash": ("optional_str", "", None),
    "classified": ("optional_float", 0.0, (0, 1_000_000)),
    "student": ("int", 0, (0, 1)),  # 在校学生, for 分类施保
}
CATEGORICAL = {"area": AREAS, "category": CATEGORIES, "child_status": CHILD_STATUS, "sex": SEX}
# made once: a dtype made anew costs a one-household roll (单户测算) more than its codes do
CATEGORY_DTYPES = {column: pd.CategoricalDtype(list(categories)) for column, categories in CATEGORICAL.items()}
_TEXT = pd.Series([""]).astype(str).dtype  # what ``astype(str)`` makes: pandas' text dtype


def month_ordinal(period) -> int:
    return pd.Period(period, "M").ordinal


@dataclass
class Roll:
    households: pd.DataFrame
    persons: pd.DataFrame
    anchor: pd.Period  # the month whose caseloads (or export) the roll reproduces
    standard_at_anchor: dict  # area -> 低保 standard at the anchor (incomes are read against it)
    seed: int
    source: str = "synthetic"  # or the folder a bureau's roll was read from
    # A synthetic roll: each program's rows (first household and person rows, end rows), the leaves
    # its caseload was built from, and the gap ratios the 低保 pool's incomes were drawn with, as
    # (first household row, {area: ratio}) segments. A scenario's roll (civsim.scenario_roll)
    # appends rows after ``base_rows``, the baseline's, whose month draws come from a stream of their own.
    parts: dict = field(default_factory=dict)
    reads: dict = field(default_factory=dict)
    drawn_gap: list = field(default_factory=list)
    months: object = None  # the months a synthetic roll's spells were drawn over
    year: int | None = None  # the year it was drawn for (its counts are those in force by December)
    unplaced: dict = field(default_factory=dict)  # caseload leaf -> month of a count later than the run's year
    base_rows: int | None = None

    def __post_init__(self):
        # Categories keep comparisons on millions of rows fast (codes, not strings).
        for table in (self.households, self.persons):
            for column, categories in CATEGORICAL.items():
                dtype = table[column].dtype if column in table else None
                if dtype is not None and not (
                    isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == list(categories)
                ):
                    table[column] = table[column].astype(CATEGORY_DTYPES[column])
        if not isinstance(self.households["street"].dtype, pd.CategoricalDtype):
            self.households["street"] = pd.Categorical(self.households["street"].astype(str))
        for name in ("households", "persons"):  # positions are row numbers (no copy when they already are)
            table = getattr(self, name)
            if not table.index.equals(pd.RangeIndex(len(table))):
                setattr(self, name, table.reset_index(drop=True))
        self._row = None
        self._arrays: dict = {}

    def array(self, table: str, name: str) -> np.ndarray:
        """A column of ``households`` or ``persons`` as a read-only array (a category as its code in
        ``CATEGORICAL``), taken from the table once: the engine reads columns, not the frame."""
        frame = self.households if table == "households" else self.persons
        arrays = self.__dict__.setdefault("_arrays", {})
        hit = arrays.get((table, name))
        if hit is None or hit[0] is not frame:
            series = frame[name]
            values = (series.cat.codes if name in CATEGORICAL else series).to_numpy().view()
            values.flags.writeable = False
            hit = arrays[(table, name)] = (frame, values)
        return hit[1]

    def hold(self, table: str, arrays: dict) -> None:
        """Keep columns of ``table`` as :meth:`array` gives them, made with the table (a synthetic
        roll's builder has them at hand)."""
        frame = self.households if table == "households" else self.persons
        held = self.__dict__.setdefault("_arrays", {})
        for name, values in arrays.items():
            values = values.view()
            values.flags.writeable = False
            held[(table, name)] = (frame, values)

    def __getstate__(self) -> dict:  # the arrays read are remade where the roll travels to
        return {**self.__dict__, "_arrays": {}}

    def is_(self, table: str, name: str, *words: str) -> np.ndarray:
        """Rows of ``households`` or ``persons`` whose category ``name`` is one of ``words``."""
        codes = [list(CATEGORICAL[name]).index(word) for word in words]
        values = self.array(table, name)
        return values == codes[0] if len(codes) == 1 else np.isin(values, codes)

    @property
    def area_code(self) -> np.ndarray:
        return self.array("households", "area").astype(np.int8, copy=False)

    @property
    def household_row(self) -> np.ndarray:
        """Each person's row in ``households`` (the link, as positions)."""
        if self._row is None:
            ids = self.households["household_id"].to_numpy()
            wanted = self.persons["household_id"].to_numpy()
            if _rows(ids):  # a synthetic roll: the ids are the rows
                rows = wanted
            elif _increasing(ids):  # the usual case (ids in row order): no sort needed
                rows = np.searchsorted(ids, wanted)
            else:
                order = np.argsort(ids, kind="stable")
                rows = order[np.searchsorted(ids, wanted, sorter=order)]
            self._row = rows.astype(np.int32) if len(ids) < 2**31 else rows
        return self._row

    @property
    def has_streets(self) -> bool:
        street = self.households["street"].cat
        named = np.array([str(c) != "" for c in street.categories], bool)
        if not named.any():  # no street named at all (a synthetic roll): nothing to count
            return False
        codes = street.codes.to_numpy()
        return bool(named[np.unique(codes[codes >= 0])].any())


def _increasing(ids: np.ndarray) -> bool:
    return bool(len(ids) < 2 or (ids[1:] > ids[:-1]).all())


def _rows(ids: np.ndarray) -> bool:
    """Whether the ids are 0, 1, 2 … in row order (strictly increasing integers from 0 to n - 1)."""
    return bool(len(ids) and ids.dtype.kind in "iu" and ids[0] == 0 and ids[-1] == len(ids) - 1 and _increasing(ids))


def validate(households: pd.DataFrame, persons: pd.DataFrame, where: tuple = ("households", "persons")) -> None:
    """The link holds: ids unique, every person in an existing household, sizes equal member counts."""
    hh_file, p_file = where
    for table, file, key in ((households, hh_file, "household_id"), (persons, p_file, "person_id")):
        ids = table[key].to_numpy()
        if _increasing(ids):
            continue
        order = np.argsort(ids, kind="stable")
        repeated = np.flatnonzero(ids[order][1:] == ids[order][:-1])
        if len(repeated):
            row = int(order[repeated + 1].min())
            raise CivsimError(file, f"row {row + 2}, column {key}", f"duplicate id {ids[row]}", f"one row per {key}")
    ids, wanted = households["household_id"].to_numpy(), persons["household_id"].to_numpy()
    if _rows(ids) and wanted.dtype.kind in "iu":  # ids are rows: a member's household is its id
        known = (wanted >= 0) & (wanted < len(ids))
        at = order = None
    else:
        order = np.arange(len(ids)) if _increasing(ids) else np.argsort(ids, kind="stable")
        at = np.minimum(np.searchsorted(ids, wanted, sorter=order), max(len(ids) - 1, 0))
        known = (ids[order[at]] == wanted) if len(ids) else np.zeros(len(wanted), bool)
    if not known.all():
        row = int((~known).argmax())
        raise CivsimError(
            p_file,
            f"row {row + 2}, column household_id",
            f"household {wanted[row]} is not in the household file",
            "an existing household_id",
        )
    if not len(ids):
        members = np.zeros(0, np.int64)
    else:
        members = np.bincount(wanted if order is None else order[at], minlength=len(ids))
    wrong = members != households["size"].to_numpy()
    if wrong.any():
        row = int(wrong.argmax())
        raise CivsimError(
            hh_file,
            f"row {row + 2}, column size",
            f"size {households['size'].iloc[row]} but {members[row]} member(s) in the person file",
            "size equal to the number of members",
        )


def _spell(text: pd.Series, open_value: int) -> np.ndarray:
    """Months (``YYYY-MM``) as period ordinals, "" as ``open_value``: each distinct month is parsed
    once (a roll's spells hold a few hundred months over millions of rows)."""
    codes, months = pd.factorize(text, use_na_sentinel=False)
    months = pd.Series(months, dtype=object)
    given = (months != "").to_numpy()
    if not given.any():
        return np.full(len(text), open_value, np.int64)
    parsed = pd.PeriodIndex(months.where(given, None), freq="M")
    return np.where(parsed.isna(), open_value, parsed.asi8).astype(np.int64)[codes]


def complete(table: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """The table in the roll's columns and order, an omitted optional column at its default."""
    out = {}
    for name, (kind, default, _) in columns.items():
        column = table[name] if name in table else pd.Series(default, index=table.index)
        # a column already of its type is taken as it is (a one-household roll's columns mostly are)
        if kind == "optional_float" and column.dtype != np.float64:
            column = column.astype(float)
        elif kind == "optional_str" and (column.dtype != _TEXT or column.hasnans):
            column = column.fillna("").astype(str)
        out[name] = column
    return pd.DataFrame(out, index=table.index)


def from_tables(
    households: pd.DataFrame,
    persons: pd.DataFrame,
    anchor,
    standards: dict,
    seed: int = 1,
    source: str = "synthetic",
    where: tuple = ("households", "persons"),
) -> Roll:
    """A validated roll from two frames in the file columns (``start``/``end`` as ``YYYY-MM`` or "")."""
    validate(households, persons, where)
    households, persons = complete(households, HOUSEHOLD_COLUMNS), complete(persons, PERSON_COLUMNS)
    for table in (households, persons):
        table["start"] = _spell(table["start"].astype(str), NEVER_BEFORE)
        table["end"] = _spell(table["end"].astype(str), NEVER_AFTER)
    return Roll(households, persons, pd.Period(anchor, "M"), dict(standards), seed, source)


def to_tables(roll: Roll) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The roll in its file columns (spells back to ``YYYY-MM``)."""
    out = []
    for table in (roll.households, roll.persons):
        table = table.copy()
        for column, open_value in (("start", NEVER_BEFORE), ("end", NEVER_AFTER)):
            months = pd.PeriodIndex.from_ordinals(np.where(table[column] == open_value, 0, table[column]), freq="M")
            table[column] = np.where(table[column] == open_value, "", months.astype(str))
        out.append(table)
    return out[0], out[1]
