"""One household's entitlements (单户测算): the case file of ``tests/programs/cases/`` read, checked and run
through the engine on a roll of that one household, with the rules' working traced.

A case file is one case (a mapping) or a list of them::

    - description: 城市低保三口之家，有一位80岁老人
      district: 东西湖区              # optional (default 东西湖区)
      period: 2020-05                 # a month, a range 2020-01..2020-12, or a list of months
      params: {dibao.classified.elderly.percent: 10}   # optional: values the case assumes (base unit)
      household: {area: urban, income: 400, category: dibao, street: 径河街道,
                  members: [{age: 80}, {age: 45, disability_grade: 1}, {age: 12}]}
      output: {dibao: 1473, elderly_allowance: [100, 0, 0]}   # optional: expected yuan a month

``output`` gives a line's household total, or for a line paid to persons a list with one amount
per member; over several months it is the same each month, or a mapping month → outputs.
Everything is checked before anything runs (:func:`check`): an impossible household is one line
naming the case and the field (:class:`civsim.errors.CivsimError`), never a silent zero.
:func:`compute` runs one case, each month on its own roll anchored there (as a clerk computes a
month), under the baseline or a scenario; the amounts are the engine's and the working is what
the rules recorded while computing them (:mod:`civsim.engine.trace`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import engine, params as params_module, programs, roll as roll_module, scenarios as scenarios_module, schema
from .engine.trace import Trace
from .errors import CivsimError
from .param_leaves import Entry, Leaf
from .units import UNITS

DEFAULT_DISTRICT = "东西湖区"
CASE_KEYS = {"name", "description", "district", "period", "params", "household", "output"}
HOUSEHOLD_KEYS = {"id", "area", "income", "category", "street", "start", "end", "tier", "single_parent", "members"}
# household field -> (Chinese name, allowed whole numbers, meaning)
HOUSEHOLD_NUMBERS = {
    "tier": ("低保档次", (0, 3), "0 不分档、1 一档、2 二档、3 三档"),
    "single_parent": ("单亲家庭", (0, 1), "0 或 1"),
}
FLAGS = ("institution", "tekun", "seriously_ill", "poor", "home_care", "elderly_allowance")
# member field -> (Chinese name, allowed: a (low, high) range of whole numbers, or the words)
MEMBER_FIELDS = {
    "age": ("年龄", (0, 130)),
    "sex": ("性别", roll_module.SEX),
    "disability_grade": ("残疾等级", (0, 4)),
    "self_care": ("自理能力", (0, 2)),
    "child_status": ("儿童类别", roll_module.CHILD_STATUS),
    "institution": ("集中供养/机构养育", (0, 1)),
    "tekun": ("特困人员", (0, 1)),
    "seriously_ill": ("重病患者", (0, 1)),
    "poor": ("困难家庭成员", (0, 1)),
    "home_care": ("居家养老服务对象", (0, 1)),
    "elderly_allowance": ("高龄津贴对象", (0, 1)),
    "student": ("在校学生", (0, 1)),
}
MEANING = {
    "self_care": "0 全自理、1 半护理、2 全护理",
    "disability_grade": "0 无、1—4 级",
    "sex": "m 或 f",
    "child_status": "none、orphan（孤儿）或 unsupported（事实无人抚养）",
}
AREA_WORDS = {"urban": "城市", "rural": "农村"}
CATEGORY_WORDS = {"dibao": "低保", "tekun": "特困", "low_income": "低收入", "edge": "低保边缘", "other": "其他"}


@dataclass(frozen=True)
class Case:
    """One checked case: who, when, what it assumes and what it expects."""

    name: str
    district: str
    periods: tuple  # pd.Period, monthly
    params: dict  # path -> value in the leaf's base unit
    household: dict  # area, income, category, street
    members: tuple  # dicts of member fields
    output: dict = field(default_factory=dict)  # period -> {line: total or per-member list}
    file: str = ""
    where: str = ""  # "案例2" — how errors and reports name it

    def to_dict(self) -> dict:
        """The case as its file writes it (:func:`save`)."""
        months = [str(p) for p in self.periods]
        out = {"description": self.name, "district": self.district, "period": months[0] if len(months) == 1 else months}
        if self.params:
            out["params"] = dict(self.params)
        household = {
            k: v
            for k, v in self.household.items()
            if v not in (None, "") and not (isinstance(v, float) and math.isnan(v))
        }
        household["members"] = [
            {k: v for k, v in m.items() if v not in (0, "", "none") or k == "age"} for m in self.members
        ]
        out["household"] = household
        if self.output:
            outputs = {str(p): o for p, o in self.output.items()}
            first = next(iter(outputs.values()))
            out["output"] = (
                first if all(o == first for o in outputs.values()) and len(outputs) == len(months) else outputs
            )
        return out


# ---------------------------------------------------------------- reading and checking


def load(path) -> list[Case]:
    """The cases of a file, each checked (see :func:`check`)."""
    path = Path(path)
    if path.is_dir():
        raise CivsimError(path, None, "是文件夹，应为案例文件（.yaml）", "")
    if not path.is_file():
        raise CivsimError(path, None, "找不到该案例文件", "")
    tree = params_module.read_yaml(path, keep=False)  # a family's case stays only where the clerk keeps it
    items = tree if isinstance(tree, list) else [tree]
    cases = [check(item, path, f"案例{i + 1}" if isinstance(tree, list) else "") for i, item in enumerate(items)]
    _one_household_each(cases, path)
    return cases


def check(raw, file="household", where: str = "") -> Case:
    """A case from its mapping, or one line naming the field that makes it impossible."""

    def fail(key, problem):
        raise CivsimError(file, ".".join(k for k in (where, key) if k), problem, "")

    if not isinstance(raw, dict):
        fail("", "每个案例应为一个映射（description、period、household …）")
    unknown = sorted(set(map(str, raw)) - CASE_KEYS)
    if unknown:
        fail(unknown[0], f"不认识的键（可用：{'、'.join(sorted(CASE_KEYS))}）")
    name = str(raw.get("description") or raw.get("name") or "").strip()
    district = str(raw.get("district") or DEFAULT_DISTRICT)
    periods = _periods(raw.get("period"), lambda problem: fail("period", problem))
    assumed = {}
    declared = schema.declared()
    for path, value in (raw.get("params") or {}).items():
        if path not in declared:
            fail(f"params.{path}", "没有这个参数（参数路径见 civsim params）")
        if not _number(value):
            fail(f"params.{path}", f"应为数值（写的是 {value!r}）")
        assumed[str(path)] = float(value)
    raw_household = raw.get("household")
    if raw_household is None:
        raw_household = {"area": "urban", "category": "other"}
    if not isinstance(raw_household, dict):
        fail("household", "应为一个映射（area、income、category、members …）")
    household, members = _household(raw_household, lambda key, problem: fail(f"household.{key}", problem))
    output = _outputs(
        raw.get("output"), periods, members, lambda key, problem: fail(f"output.{key}" if key else "output", problem)
    )
    return Case(name or where or "单户测算", district, periods, assumed, household, members, output, str(file), where)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _periods(raw, fail) -> tuple:
    if raw is None:
        fail("缺少测算月份（如 2020-05，或 2020-01..2020-12，或月份列表）")
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        text = item.strftime("%Y-%m") if isinstance(item, (dt.date, dt.datetime)) else str(item).strip()
        try:
            if ".." in text:
                first, last = (pd.Period(part.strip(), "M") for part in text.split(".."))
                if last < first:
                    fail(f"月份区间 {text} 的终点早于起点")
                out += list(pd.period_range(first, last, freq="M"))
            else:
                if len(text) != 7:
                    raise ValueError(text)
                out.append(pd.Period(text, "M"))
        except (ValueError, TypeError):
            fail(f"{text!r} 不是月份（应为 YYYY-MM）")
    if len(set(out)) != len(out):
        fail("同一月份写了两次")
    return tuple(out)


def _household(raw: dict, fail) -> tuple[dict, tuple]:
    unknown = sorted(set(map(str, raw)) - HOUSEHOLD_KEYS)
    if unknown:
        fail(unknown[0], f"不认识的键（可用：{'、'.join(sorted(HOUSEHOLD_KEYS))}）")
    area = raw.get("area", "urban")
    if area not in roll_module.AREAS:
        fail("area", f"{area!r} 不是地区（应为 urban 城市 或 rural 农村）")
    category = raw.get("category", "dibao" if raw.get("income") is not None else "other")
    if category not in roll_module.CATEGORIES:
        fail("category", f"{category!r} 不是类别（应为 {'、'.join(f'{k} {v}' for k, v in CATEGORY_WORDS.items())}）")
    income = raw.get("income")
    if income is not None:
        if not _number(income):
            fail("income", f"家庭月人均收入应为数值（写的是 {income!r}）")
        if income < 0:
            fail("income", f"家庭月人均收入不能为负数（写的是 {income:g}元）")
        if income > 1_000_000:
            fail("income", f"家庭月人均收入 {income:g}元 超出合理范围（0—1000000元）")
    elif category == "dibao":
        fail("income", "低保家庭须写家庭月人均收入（元）")
    members = raw.get("members", [{"age": 40}])
    if not isinstance(members, list) or not members:
        fail("members", "应为成员列表，至少一人（如 [{age: 45}, {age: 12}]）")
    if len(members) > 50:
        fail("members", f"{len(members)} 人超出一户的合理人数（1—50人）")
    checked, ids = [], {}
    for i, member in enumerate(members):
        key = f"members[{i + 1}]"
        if not isinstance(member, dict):
            fail(key, "每位成员应为一个映射（age、disability_grade …）")
        extra = sorted(set(map(str, member)) - set(MEMBER_FIELDS) - {"id"})
        if extra:
            fail(f"{key}.{extra[0]}", f"不认识的成员字段（可用：{'、'.join(MEMBER_FIELDS)}、id）")
        if "age" not in member:
            fail(f"{key}.age", "缺少年龄")
        out = {}
        for name, (word, allowed) in MEMBER_FIELDS.items():
            default = roll_module.PERSON_COLUMNS[name][1]
            value = member.get(name, default)
            if isinstance(allowed, tuple) and allowed and isinstance(allowed[0], int):
                if not _number(value) or value != int(value):
                    fail(f"{key}.{name}", f"{word}应为整数（写的是 {value!r}）")
                low, high = allowed
                if not low <= value <= high:
                    meaning = MEANING.get(name, f"{low}—{high}")
                    fail(f"{key}.{name}", f"{word} {value:g} 不存在（应为 {meaning}）")
                value = int(value)
            elif value not in allowed:
                fail(
                    f"{key}.{name}",
                    f"{word} {value!r} 不存在（应为 {MEANING.get(name, '、'.join(map(str, allowed)))}）",
                )
            out[name] = value
        if "id" in member:
            ident = str(member["id"])
            if ident in ids:
                fail(f"{key}.id", f"成员 {ident} 在本户出现两次（与第{ids[ident] + 1}位相同；一人只能算一次）")
            ids[ident] = i
            out["id"] = ident
        checked.append(out)
    if category == "tekun" and not any(m["tekun"] for m in checked):
        fail("category", "特困类别的家庭须至少一位成员为特困人员（该成员写 tekun: 1）")
    adults = any(m["age"] >= 18 for m in checked)
    for i, m in enumerate(checked):
        if m["tekun"] and m["age"] < 18 and adults:
            fail(
                f"members[{i + 1}].tekun",
                f"{m['age']}岁未成年人列为特困供养，但同户有成年人（未成年特困须无法定抚养人；"
                "事实无人抚养儿童请用 child_status: unsupported）",
            )
    household = {
        "area": area,
        "category": category,
        "income": float(income) if income is not None else float("nan"),
        "street": str(raw.get("street") or ""),
    }
    for key, (word, (low, high), meaning) in HOUSEHOLD_NUMBERS.items():
        value = raw.get(key, 0)
        if not _number(value) or value != int(value) or not low <= value <= high:
            fail(key, f"{word} {value!r} 不存在（应为 {meaning}）")
        if value:
            household[key] = int(value)
    for key in ("start", "end"):  # the household's spell on the roll: on it from start, off from end
        if raw.get(key) is not None:
            value = raw[key]
            text = value.strftime("%Y-%m") if isinstance(value, (dt.date, dt.datetime)) else str(value)
            if not _is_month(text):
                fail(key, f"{text!r} 不是月份（应为 YYYY-MM）")
            household[key] = text
    if "id" in raw:
        household["id"] = str(raw["id"])
    return household, tuple(checked)


def _outputs(raw, periods, members, fail) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        fail("", "应为映射：项目 → 金额（元/月）")
    by_month = all(_is_month(k) for k in raw) and raw
    if by_month:
        wanted = {pd.Period(str(k), "M"): v for k, v in raw.items()}
        missing = [str(p) for p in wanted if p not in periods]
        if missing:
            fail(missing[0], "该月份不在 period 中")
    else:
        wanted = {p: raw for p in periods}
    out = {}
    for period, lines in wanted.items():
        if not isinstance(lines, dict):
            fail(str(period), "应为映射：项目 → 金额（元/月）")
        checked = {}
        for line, value in lines.items():
            if line not in programs.LINES:
                fail(str(line), f"没有这个项目（可用：{'、'.join(programs.LINES)}）")
            if isinstance(value, list):
                if programs.LINE_PROGRAM[line].entity != "person":
                    fail(str(line), f"{programs.LINES[line]}按户发放，应写全户金额而非逐人列表")
                if len(value) != len(members):
                    fail(str(line), f"逐人金额有 {len(value)} 个，成员有 {len(members)} 人")
                if not all(_number(v) for v in value):
                    fail(str(line), "逐人金额应为数值")
                checked[line] = [float(v) for v in value]
            elif _number(value):
                checked[line] = float(value)
            else:
                fail(str(line), f"金额应为数值（写的是 {value!r}）")
        out[period] = checked
    return out


def _is_month(key) -> bool:
    text = str(key)
    return len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit()


def _one_household_each(cases: list[Case], file) -> None:
    """A member (``id``) in two households (``household.id``) in the same month is impossible."""
    seen: dict = {}
    for case in cases:
        home = case.household.get("id")
        for member in case.members:
            if "id" not in member or home is None:
                continue
            for period in case.periods:
                other = seen.setdefault((member["id"], period), (home, case.where))
                if other[0] != home:
                    raise CivsimError(
                        file,
                        f"{case.where}.household.members.id",
                        f"成员 {member['id']} 在 {period} "
                        f"同时属于户 {other[0]}（{other[1]}）和户 {home}；一人同一月只能在一户",
                        "",
                    )


# ---------------------------------------------------------------- the engine on one household


def case_params(case: Case, base=None):
    """The district's parameters with the case's assumed values (in force from 2000 on)."""
    base = base if base is not None else params_module.load(case.district)
    if not case.params:
        return base
    leaves = dict(base.leaves)
    for path, value in case.params.items():
        unit = UNITS[schema.declared()[path][0].unit][0]
        known = base.leaves.get(path)
        about = known.description if known is not None else declared_about(path)
        leaves[path] = Leaf(path, unit, unit, (Entry(dt.date(2000, 1, 1), float(value), "case"),), "case", about)
    return base.with_leaves(leaves, base.scenario)


def declared_about(path: str) -> str:
    """A leaf's words where the district has none: its label or description in the declarations."""
    param = schema.declared().get(path, (None,))[0]
    return (param.label or param.about) if param is not None else ""


def case_roll(case: Case, p, period) -> roll_module.Roll:
    """A roll of the case's one household, anchored at ``period`` (its income is that month's)."""
    values = {"household_id": 1, "size": len(case.members), **{k: v for k, v in case.household.items() if k != "id"}}
    households = pd.DataFrame(
        {name: [values.get(name, default)] for name, (_, default, _) in roll_module.HOUSEHOLD_COLUMNS.items()}
    )
    people = [{"person_id": i + 1, "household_id": 1, **m} for i, m in enumerate(case.members)]
    persons = pd.DataFrame(
        {name: [m.get(name, default) for m in people] for name, (_, default, _) in roll_module.PERSON_COLUMNS.items()}
    )
    date = period.start_time.date()
    standards = {a: p.get(f"dibao.standard.{a}", date, 0.0) for a in roll_module.AREAS}
    return roll_module.from_tables(households, persons, str(period), standards)


@dataclass
class Month:
    """One month of one household: each line's amount (yuan), per member where paid to persons,
    and the trace of the rules that paid them."""

    period: pd.Period
    amounts: dict  # line -> yuan (household total)
    persons: dict  # line -> [yuan per member] for lines paid to persons
    trace: Trace


@dataclass
class Outcome:
    """A case under one parameter set (baseline or a scenario), month by month."""

    case: Case
    scenario: str  # "baseline" or the scenario's name
    title: str
    params: object
    months: list

    def amount(self, period, line: str) -> float:
        return next(m for m in self.months if m.period == period).amounts.get(line, 0.0)


def compute(case: Case, scenario=None, base=None, traced: bool = True, sims: dict | None = None) -> Outcome:
    """The case month by month under the baseline or ``scenario`` (a Scenario, name or file).

    ``sims`` (a dict, given to the baseline's call and then the scenario's) keeps each month's
    simulation, so the scenario runs on the baseline's roll as ``civsim simulate`` runs one
    (the baseline's programs and roll, the scenario's parameters)."""
    p = case_params(case, base)
    title = "基准（现行政策）"
    name = scenarios_module.BASELINE
    if scenario is not None:
        s = scenario if isinstance(scenario, scenarios_module.Scenario) else scenarios_module.load(scenario)
        p = scenarios_module.apply(p, s)  # its dates say which of the case's months it reaches
        name, title = s.name, s.title
    return Outcome(case, name, title, p, [_month(case, p, period, traced, sims) for period in case.periods])


def _month(case: Case, p, period, traced: bool, sims: dict | None = None) -> Month:
    sim = sims.get(period) if sims is not None else None
    if sim is None:
        months = pd.period_range(period, period, freq="M")
        sim = engine.Simulation(p, period.year, roll=case_roll(case, p, period), months=months)
        if sims is not None:
            sims[period] = sim
    trace = Trace()
    if traced:
        trace.attach(sim.prepared)
    try:
        frame, detail = sim.run(p, detail=True)
    finally:
        sim.prepared.trace = None
    amounts = {line: float(v) for line, v in frame.groupby("program", sort=False)["amount_yuan"].sum().items()}
    persons = {}
    for line, (entity, per_month) in detail.lines.items():
        if entity == "person":
            paid = np.zeros(len(case.members))
            for rows, fen in per_month:
                np.add.at(paid, rows, np.asarray(fen, np.float64) / 100)
            persons[line] = [round(float(v), 2) for v in paid]
    return Month(period, amounts, persons, trace)


def mismatches(case: Case, outcome: Outcome) -> list[str]:
    """Each expected output the case states that the engine does not pay (Chinese, one per line)."""
    out = []
    for month in outcome.months:
        for line, expected in case.output.get(month.period, {}).items():
            label = programs.LINES[line]
            if isinstance(expected, list):
                got = month.persons.get(line, [0.0] * len(case.members))
                for i, (want, have) in enumerate(zip(expected, got)):
                    if abs(want - have) > 0.005:
                        out.append(f"{month.period} {label} 成员{i + 1}：应为 {want:,.2f}元，算得 {have:,.2f}元")
            else:
                have = month.amounts.get(line, 0.0)
                if abs(expected - have) > 0.005:
                    out.append(f"{month.period} {label}：应为 {expected:,.2f}元，算得 {have:,.2f}元")
    return out


def save(case: Case, path) -> Path:
    """Write ``case`` as a case file (atomically); it reads back as the same case."""

    from .atomic import atomic_path

    path = Path(path)
    text = params_module.dump_yaml([case.to_dict()])  # the library and mode params.read_yaml reads with
    again = check(params_module.parse_yaml(text, path, keep=False)[0], path, "案例1")
    if (again.members, again.periods, again.params) != (case.members, case.periods, case.params):
        raise CivsimError(path, None, "案例写出后读回不一致", "")
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


__all__ = ["Case", "Outcome", "Month", "load", "check", "compute", "mismatches", "save", "case_params", "case_roll"]
