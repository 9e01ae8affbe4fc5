"""The monthly loop: move the roll, call each program, collect one tidy table.

``simulate(district, year, scenarios)`` runs the baseline and any number of scenarios on one
population (the same roll and the same random draws), so differences come from policy alone.
Output columns: jurisdiction, scenario, month, program, area, households, persons,
person_times, amount_yuan — one row per month × program × area.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import cpi, params as params_module, population, scenarios as scenarios_module
from .params import ParamSet
from .population import AREAS, ELDERLY_BANDS, Roll
from .programs import REGISTRY

COLUMNS = ["jurisdiction", "scenario", "month", "program", "area", "households", "persons", "person_times", "amount_yuan"]
MEASURES = ["households", "persons", "person_times", "amount_yuan"]


def _group_counts(persons: pd.DataFrame, mask: np.ndarray, key: np.ndarray):
    """Counts of persons by (area, key): the flat programs only read these, never each person."""
    if not mask.any():
        return None
    area = persons["area"].cat.codes.to_numpy().astype(np.int64)[mask]
    codes = area * 1000 + key[mask]
    unique, count = np.unique(codes, return_counts=True)
    return unique // 1000, unique % 1000, count.astype(np.float64)


@dataclass
class Prepared:
    """What the programs read from a roll, computed once and shared by every scenario."""
    roll: Roll
    area: np.ndarray
    size: np.ndarray
    claim_draw: np.ndarray
    groups: dict
    low_income: tuple
    claim_cache: dict = field(default_factory=dict)

    @classmethod
    def of(cls, roll: Roll) -> "Prepared":
        p = roll.persons
        col = lambda name: p[name].to_numpy()  # noqa: E731
        status = p["child_status"]
        zeros = np.zeros(len(p), np.int64)
        grade = col("disability_grade")
        band = np.searchsorted([lo for lo, _ in ELDERLY_BANDS.values()], col("age"), side="right") - 1
        groups = {
            "tekun": _group_counts(p, col("tekun") == 1, col("self_care")),
            "disability_nursing": _group_counts(p, (grade >= 1) & (grade <= 2), zeros),
            "disability_living": _group_counts(p, (grade >= 1) & (col("poor") == 1), zeros),
            "orphan": _group_counts(p, (status == "orphan").to_numpy(), col("institution")),
            "unsupported_child": _group_counts(p, (status == "unsupported").to_numpy(), col("institution")),
            "elderly_allowance": _group_counts(p, (col("elderly_allowance") == 1) & (band >= 0), np.maximum(band, 0)),
            "home_care": _group_counts(p, col("home_care") == 1, zeros),
        }
        li = col("low_income_household")
        low_income = (float(len(np.unique(li[li >= 0]))), float((li >= 0).sum()))
        return cls(roll, roll.area_code.astype(np.int64), roll.households["size"].to_numpy(np.float64),
                   roll.households["claim_draw"].to_numpy(np.float32), groups, low_income)


@dataclass
class Month:
    """One month as the programs see it: the parameters in force and the roll's state."""
    params: ParamSet
    period: pd.Period
    prepared: Prepared
    income: np.ndarray
    cpi: float
    food: float
    recipients: dict = field(default_factory=dict)

    def __post_init__(self):
        self._date = self.period.start_time.date()
        self._cache: dict = {}

    def has(self, path: str) -> bool:
        return self.params.has(path)

    def value(self, path: str, default: float = 0.0) -> float:
        if path not in self._cache:
            self._cache[path] = self.params.get(path, self._date, default)
        return self._cache[path]

    def by_area(self, prefix: str) -> np.ndarray:
        """A per-household array of ``<prefix>.urban`` / ``<prefix>.rural``."""
        return np.take(np.array([self.value(f"{prefix}.{a}") for a in AREAS], np.float32), self.prepared.area)

    def claims(self, take_up: float) -> np.ndarray:
        """Households that would claim if eligible (fixed draws, so shared by every month)."""
        cache = self.prepared.claim_cache
        if take_up not in cache:
            cache[take_up] = self.prepared.claim_draw < take_up
        return cache[take_up]

    def groups(self, name: str):
        return self.prepared.groups.get(name)

    @property
    def area(self):
        return self.prepared.area

    @property
    def size(self):
        return self.prepared.size

    @property
    def low_income(self):
        return self.prepared.low_income


def year_months(year: int) -> pd.PeriodIndex:
    return pd.period_range(f"{year}-01", f"{year}-12", freq="M")


class Simulation:
    """One district's roll and months, ready to run any parameter set quickly (the explorer
    reuses it: only the policy changes between runs)."""

    def __init__(self, params: ParamSet, year: int, seed: int = 1, roll: Roll | None = None,
                 months: pd.PeriodIndex | None = None):
        self.params, self.year, self.seed = params, year, seed
        self.months = months if months is not None else year_months(year)
        self.roll = roll if roll is not None else population.synthesize(params, year, seed)
        self.prepared = Prepared.of(self.roll)
        self.cpi, self.food = cpi.for_months(self.months)
        self._paths: dict = {}

    def income(self, params: ParamSet) -> np.ndarray:
        date = self.roll.anchor.start_time.date()
        key = (params.at("dibao.entry_rate", date), params.at("dibao.exit_rate", date),
               tuple(params.at(f"dibao.gap_ratio.{a}", date) for a in AREAS))
        if key not in self._paths:
            self._paths[key] = population.income_path(self.roll, self.months, key[0], key[1],
                                                      dict(zip(AREAS, key[2]))).income
        return self._paths[key]

    def clear_paths(self) -> None:
        """Forget the cached income paths (a Monte Carlo draws new rates each time)."""
        self._paths.clear()

    def run(self, params: ParamSet) -> pd.DataFrame:
        income = self.income(params)
        rows = []
        for t, period in enumerate(self.months):
            month = Month(params, period, self.prepared, income[t], self.cpi[t], self.food[t])
            for program in REGISTRY:
                for pay in program.pay(month):
                    rows.append((period, pay.program, pay.area, pay.households, pay.persons, pay.person_times,
                                 pay.amount_yuan))
        frame = pd.DataFrame(rows, columns=COLUMNS[2:])
        frame.insert(0, "scenario", params.scenario)
        frame.insert(0, "jurisdiction", params.district.code)
        return frame


def _finish(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frame = pd.concat(frames, ignore_index=True)
    # A program that pays nothing in any scenario (no caseload here) is left out.
    paying = frame.groupby("program")[MEASURES].sum().abs().sum(axis=1) > 0
    frame = frame[frame["program"].isin(paying[paying].index)]
    frame = frame.groupby(["jurisdiction", "scenario", "month", "program", "area"], sort=False, as_index=False)[MEASURES].sum()
    order = {name: i for i, name in enumerate(dict.fromkeys(frame["scenario"]))}
    frame = frame.sort_values(["scenario", "month", "program", "area"], key=lambda s: s.map(order) if s.name == "scenario" else s,
                              kind="stable").reset_index(drop=True)
    return frame[COLUMNS]


def simulate(district, year: int, scenarios=(), seed: int | None = None, params: ParamSet | None = None,
             roll: Roll | None = None) -> pd.DataFrame:
    """Baseline and scenarios for one district-year on one shared population (tidy DataFrame)."""
    base = params if params is not None else params_module.load(district)
    sim = Simulation(base, year, 1 if seed is None else seed, roll=roll)
    sets = [base] + [scenarios_module.apply(base, s if isinstance(s, scenarios_module.Scenario)
                                            else scenarios_module.load(s), year) for s in scenarios]
    return _finish([sim.run(p) for p in sets])


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
    return frame[frame["month"] == month][["scenario", "program", "area", "households", "persons"]].reset_index(drop=True)
