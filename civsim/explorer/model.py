"""The explorer's model: the planner's settings → a scenario → the tables, in plain pandas (no
widgets), so both web pages (方案模拟 and 单户测算) and the tests share it.

:class:`Model` holds one district-year: its parameters, its roll (a :class:`civsim.engine.Simulation`
built once), the baseline and the standards a planner may move (:data:`STANDARDS`, those that move
money here). Settings are plain values (:class:`StandardSetting`, :class:`RollSetting`);
:meth:`Model.scenario` turns them into a :class:`civsim.scenarios.Scenario`, :meth:`Model.check` says
why they cannot be used (Chinese), :meth:`Model.run` computes the per-program table and the
monthly sums (:class:`Result`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import districts, engine, params as params_module, scenarios as scenarios_module
from ..units import UNITS
from ..programs import LINE_PROGRAM, REGISTRY
from ..report.labels import UNIT_WORDS, program_label
from ..scenarios import LIVE_NAME, Change, Scenario

# A new standard above this multiple of the one in force is nearly always a typo (8300 for 830).
JUMP = 3.0
# Scenario names that Windows cannot use as file names (whatever the case or extension).
RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
TOLERANCE = 1e-9


def _standards() -> tuple:
    """(program, leaf, label, unit as a bureau writes it) of each standard a program declares for
    planners (``Param.label``), under the program that reads it first."""
    found: dict = {}
    for program in REGISTRY:
        for path, param in program.params.items():
            if param.label and param.control is None and path not in found:
                found[path] = (program.key, path, param.label, UNIT_WORDS[UNITS[param.unit][0]])
    return tuple(found.values())


def _roll() -> tuple:
    """(program, path, label, min, max, step, readout format) of each roll behaviour a program
    declares for planners (``Param.control``)."""
    found: dict = {}
    for program in REGISTRY:
        for path, param in {**program.params, **program.roll_params}.items():
            if param.control is not None and path not in found:
                found[path] = (program.key, path, param.label, *param.control)
    return tuple(found.values())


STANDARDS = _standards()
ROLL = _roll()


def order(program: str) -> tuple:
    from ..budget import PROGRAMS

    return (PROGRAMS.index(program), "") if program in PROGRAMS else (len(PROGRAMS), program)


def available_districts() -> list[tuple[str, str]]:
    """(label, code) of the jurisdictions with parameter files of their own."""
    out = []
    for district in districts.load_districts().values():
        folder = params_module.PARAMS / district.slug
        if folder.is_dir() and any(folder.glob("*.yaml")):
            out.append((f"{district.name}（{district.code}）", district.code))
    return out


def paid_programs(baseline: pd.DataFrame) -> set[str]:
    """The lines a district's baseline pays (any persons or any money in the year) and the keys of
    the programs writing them (a supplement writes one line per program it rides on)."""
    sums = baseline.groupby("program")[["persons", "amount_yuan"]].sum()
    lines = set(sums.index[(sums > 0).any(axis=1)])
    return lines | {LINE_PROGRAM[line].key for line in lines if line in LINE_PROGRAM}


def moving_leaves(sim, params, baseline: pd.DataFrame, paid: set[str]) -> set[str]:
    """The labelled standards whose change moves the money here: every standard of a paid program
    with one, and of a program with several (特困 by placement and care, age bands …) those whose
    +10% changes the year's total — a standard nobody on the roll is paid by offers no control."""
    candidates = [(program, path) for program, path, *_ in STANDARDS if program in paid and params.has(path)]
    per_program = pd.Series([p for p, _ in candidates]).value_counts()
    moving, total = set(), baseline["amount_yuan"].sum()
    for program, path in candidates:
        if per_program[program] == 1:
            moving.add(path)
            continue
        probe = Scenario("probe", "probe", (Change(path, dt.date(sim.year, 1, 1), None, percent=10.0),))
        if abs(sim.run(scenarios_module.apply(params, probe, sim.year))["amount_yuan"].sum() - total) > 0.005:
            moving.add(path)
    return moving


def check_save_name(name: str) -> str | None:
    """Why a scenario name cannot be saved (Chinese, for the planner), or None when it can."""
    from ..errors import CivsimError

    try:
        scenarios_module.check_name(name)
    except CivsimError:
        return f"方案名“{name}”无效：只能用字母、数字、汉字、_ 或 -（1—64个字符）"
    if name.startswith("-"):
        return f"方案名“{name}”不能以 - 开头（会被命令行当作选项）"
    if name.upper() in RESERVED:
        return f"方案名“{name}”是 Windows 保留的文件名，请换一个"
    if name == "baseline":
        return "方案名不能是 baseline（基准）"
    return None


def one_line(text: str) -> str:
    """A title as one line of printable text: line and paragraph separators, tabs and other
    control characters become single spaces, so a saved title reads back exactly as written."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


@dataclass
class StandardSetting:
    """One standard as the planner set it: a % change or a new value (``mode``), against the one in force."""

    program: str
    path: str
    label: str
    unit: str
    current: float
    mode: str = "percent"  # "percent" | "value"
    percent: float = 0.0
    value: float | None = None  # None: the standard in force
    confirmed: bool = False  # a jump over JUMP× confirmed

    def new_value(self) -> float:
        if self.mode == "percent":
            return self.current * (1 + self.percent / 100)
        return float(self.current if self.value is None else self.value)

    def change(self, start: dt.date) -> Change | None:
        if self.mode == "percent":
            if abs(self.percent) <= TOLERANCE:
                return None
            return Change(self.path, start, None, percent=float(self.percent))
        if abs(self.new_value() - self.current) <= TOLERANCE:
            return None
        return Change(self.path, start, None, value=self.new_value())

    def problem(self) -> str | None:
        """Why this value cannot be used as it stands (Chinese), or None."""
        new = self.new_value()
        if not np.isfinite(new) or new < 0:
            return f"{self.label}的新标准不能为负数（输入了{new:g}），请输入 0 或以上的金额"
        return None

    def jump(self) -> str | None:
        """A jump above JUMP× the standard in force, not yet confirmed (Chinese), or None."""
        new = self.new_value()
        if self.current > 0 and new > JUMP * self.current and not self.confirmed:
            return (
                f"{self.label}新标准{new:g}元是现行{self.current:g}元的{new / self.current:.1f}倍，"
                f"请核对；确无错误请勾选该行的“确认”"
            )
        return None

    def describe(self) -> str:
        if self.mode == "percent":
            return f"{self.label}{self.percent:+g}%"
        return f"{self.label}调整为{self.new_value():g}{self.unit.split('/')[0]}"


@dataclass
class RollSetting:
    """One roll behaviour (take-up, entry and exit rates) as the planner set it."""

    program: str
    path: str
    label: str
    current: float
    value: float
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    fmt: str = ".2f"

    def change(self, start: dt.date) -> Change | None:
        if abs(self.value - self.current) <= TOLERANCE:
            return None
        return Change(self.path, start, None, value=float(self.value))

    def describe(self) -> str:
        return f"{self.label}{self.value:.4g}"


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """Money and persons per (program, month): the one grouping every table and chart is read from."""
    return frame.groupby(["program", "month"], sort=False, observed=True)[["amount_yuan", "persons"]].sum()


@dataclass
class Result:
    """One scenario's year beside the baseline's: the per-program table (yearly money and average
    monthly persons, baseline, scenario and difference, with a total row) and the monthly sums."""

    year: int
    scenario: Scenario | None
    baseline: pd.DataFrame
    current: pd.DataFrame
    baseline_parts: pd.DataFrame | None = None  # summarise(baseline), kept by the model
    current_parts: pd.DataFrame | None = None  # summarise(current) when already known (the baseline's)
    table: pd.DataFrame = field(init=False)
    annual_difference_yuan: float = field(init=False)

    def __post_init__(self):
        base = self.baseline_parts if self.baseline_parts is not None else summarise(self.baseline)
        cur = self.current_parts if self.current_parts is not None else summarise(self.current)
        self._parts = {"baseline": base, "scenario": cur}
        yearly = pd.DataFrame(
            {
                "baseline_yuan": base["amount_yuan"].groupby(level=0, sort=False).sum(),
                "scenario_yuan": cur["amount_yuan"].groupby(level=0, sort=False).sum(),
                "baseline_persons": base["persons"].groupby(level=0, sort=False).mean(),
                "scenario_persons": cur["persons"].groupby(level=0, sort=False).mean(),
            }
        ).fillna(0.0)
        yearly = yearly[(yearly.abs().sum(axis=1) > 0)]
        yearly = yearly.reindex(sorted(yearly.index, key=order))
        yearly.loc["total"] = yearly.sum()
        yearly["diff_yuan"] = yearly["scenario_yuan"] - yearly["baseline_yuan"]
        yearly["diff_persons"] = yearly["scenario_persons"] - yearly["baseline_persons"]
        yearly.insert(0, "label", [program_label(p) if p != "total" else "合计" for p in yearly.index])
        self.table = yearly.rename_axis("program").reset_index()
        self.annual_difference_yuan = float(yearly.loc["total", "diff_yuan"])

    @property
    def frame(self) -> pd.DataFrame:
        return pd.concat([self.baseline, self.current], ignore_index=True)

    def monthly_for(self, program: str = "total") -> pd.DataFrame:
        """Money (yuan) and persons per month, baseline and scenario, for a program or the total."""
        months = engine.year_months(self.year)
        out = pd.DataFrame(index=months)
        for name, by in self._parts.items():
            if program != "total":
                by = by[by.index.get_level_values("program") == program]
            sums = by.groupby(level="month", sort=False).sum().reindex(months).fillna(0.0)
            out[f"{name}_yuan"] = sums["amount_yuan"].to_numpy()
            out[f"{name}_persons"] = sums["persons"].to_numpy()
        return out.rename_axis("month")

    def table_frame(self) -> pd.DataFrame:
        """The table as a bureau reads it: Chinese headings, money in 万元."""
        t = self.table
        return pd.DataFrame(
            {
                "项目": t["label"],
                "基准支出（万元）": t["baseline_yuan"] / 1e4,
                "方案支出（万元）": t["scenario_yuan"] / 1e4,
                "差额（万元）": t["diff_yuan"] / 1e4,
                "基准月均人数": t["baseline_persons"],
                "方案月均人数": t["scenario_persons"],
                "人数差": t["diff_persons"],
            }
        )


class Model:
    """One district-year: parameters, the roll built once, the baseline and the planner's standards."""

    def __init__(self, district="东西湖区", year: int = 2021, seed: int = 1, range_draws: int | None = None):
        from ..budget.live import LIVE_DRAWS

        self.year, self.seed = int(year), seed
        self.range_draws = LIVE_DRAWS if range_draws is None else int(range_draws)
        self.load(district)

    def load(self, district) -> None:
        self.params = params_module.load(district)
        self.sim = engine.Simulation(self.params, self.year, self.seed)
        self.baseline = self.sim.run(self.params)
        self.baseline_parts = summarise(self.baseline)
        self.paid = paid_programs(self.baseline)
        self.moving = moving_leaves(self.sim, self.params, self.baseline, self.paid)
        self._split_sims = None  # the year before and this year on one roll, built on first use
        self._live = None  # the budget year's draws (civsim.budget.live), built on first use

    def start(self, month: int) -> dt.date:
        return dt.date(self.year, int(month), 1)

    def standard_settings(self, month: int = 1) -> list[StandardSetting]:
        """The standards a planner may move here, at the values in force from ``month``."""
        start = self.start(month)
        return [
            StandardSetting(program, path, label, unit, self.params.get(path, start, 0.0))
            for program, path, label, unit in STANDARDS
            if path in self.moving
        ]

    def roll_settings(self) -> list[RollSetting]:
        anchor = self.sim.roll.anchor.start_time.date()
        out = []
        for program, path, label, low, high, step, fmt in ROLL:
            if program in self.paid and self.params.has(path):
                current = self.params.get(path, anchor, 0.0)
                out.append(RollSetting(program, path, label, current, current, low, max(high, current), step, fmt))
        return out

    def scenario(self, standards, roll, month: int, name: str = LIVE_NAME, title: str = "") -> Scenario | None:
        """The settings as a Scenario from ``month`` (standards and the roll's rates alike: the rules
        and the income path read them month by month), or None when nothing differs from the baseline."""
        start = self.start(month)
        changed = [(s.change(start), s.describe()) for s in [*standards, *roll]]
        changed = [(c, d) for c, d in changed if c is not None]
        if not changed:
            return None
        auto = "、".join(d for _, d in changed) + f"（自{self.year}年{int(month)}月起）"
        return Scenario(name, one_line(title) or auto, tuple(c for c, _ in changed))

    @staticmethod
    def check(standards) -> str:
        """Why the settings cannot be computed or saved ("" when they can): a negative standard is
        refused (方案无效), a jump over JUMP× waits for its confirmation (待确认)."""
        problems = [p for p in (s.problem() for s in standards) if p]
        if problems:
            return "方案无效：" + "；".join(problems)
        jumps = [j for j in (s.jump() for s in standards) if j]
        return "待确认：" + "；".join(jumps) if jumps else ""

    def applied(self, scenario: Scenario | None):
        """The parameters under ``scenario`` (the baseline's when None)."""
        return self.params if scenario is None else scenarios_module.apply(self.params, scenario, self.year)

    def run(self, scenario: Scenario | None) -> Result:
        if scenario is None:  # the controls at the baseline: its own rows and sums
            current = self.baseline.assign(scenario=LIVE_NAME)
            return Result(self.year, None, self.baseline, current, self.baseline_parts, self.baseline_parts)
        return Result(self.year, scenario, self.baseline, self.sim.run(self.applied(scenario)), self.baseline_parts)

    def budget_range(self, scenario: Scenario | None):
        """The budget year's P10–P90 of the total under ``scenario`` (:class:`civsim.budget.live.Range`):
        the budget window's Monte Carlo (as ``civsim project`` computes this year from the year
        before) over ``range_draws`` draws (:data:`civsim.budget.live.LIVE_DRAWS` unless given), its
        roll and draws built once."""
        from ..budget.live import LiveRange

        if self._live is None:
            self._live = LiveRange(self.params, self.year, self.range_draws, seed=self.seed)
        return self._live.range(None if scenario is None else self.applied(scenario))

    def split(self, scenario: Scenario | None) -> pd.DataFrame:
        """Why this year's money moved from the year before under ``scenario``: the budget's one
        decomposition (标准因素, 人数因素, 一次性及阶段性项目) per program family (yuan)."""
        from ..budget import decompose
        from ..report.plan import families

        if self._split_sims is None:
            before = engine.Simulation(self.params, self.year - 1, self.seed)
            self._split_sims = (before, engine.Simulation(self.params, self.year, self.seed, roll=before.roll))
        return families(decompose(year=self.year, scenario=scenario, params=self.params, simulations=self._split_sims))

    def save(self, scenario: Scenario, path: Path) -> Path:
        district = one_line(f"{self.params.district.name} ({self.params.district.code})")
        return scenarios_module.save(scenario, path, f"saved from the scenario explorer for {district}, {self.year}")


__all__ = [
    "Model",
    "Result",
    "StandardSetting",
    "RollSetting",
    "STANDARDS",
    "ROLL",
    "JUMP",
    "RESERVED",
    "available_districts",
    "paid_programs",
    "moving_leaves",
    "check_save_name",
    "one_line",
]
