"""The reports' quantitative sentences, built from the model's numbers in the bureaus' own pattern.

Seed 004 writes "截止10月份，全区在册城市低保221户269人，农村低保694户824人，1—10月累计发放低保金
及补贴1219.16万元。": a stock at a month (households and persons on the roll) and a flow over the
months (money paid). :func:`sentence` writes one such sentence for one program, in the words its
declaration gives (``civsim.programs.Sentence``; :func:`areas` groups them by area of work), from
two small frames cut from the engine's tidy results:

* ``stock`` — :func:`civsim.engine.stock` at the as-of month: program, area, households, persons;
* ``flows`` — :func:`civsim.engine.year_totals` over months 1..as-of: program, area, person_times,
  amount_yuan.

Both hold one scenario. A program with no rows yields no sentence (an empty string), so a district
that pays no 临时救助 simply says nothing about it. Money is summed over a program's *family*
(``civsim.programs.family``) — the program and every line riding on it (``dibao_price_subsidy``,
``dibao_one_off`` …) — because the reports quote "低保金及补贴" as one figure.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from ..errors import CivsimError
from ..programs import PROGRAMS, REGISTRY, family
from . import numbers as fmt

CN_DIGITS = "零一二三四五六七八九"
URBAN, RURAL = "urban", "rural"


# ---------------------------------------------------------------- small helpers


def scope(level: str) -> str:
    """How a report names its own jurisdiction: a district says 全区, a city or province 全市."""
    return "全区" if level == "district" else "全市"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (headings count no further)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 99:
        raise CivsimError(None, "cn_number", f"cannot write {n!r} as a heading number", "an integer from 1 to 99")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def part_number(n: int) -> str:
    """The top-level heading number: 1 → "一、"."""
    return cn_number(n) + "、"


def section_number(n: int) -> str:
    """The second-level heading number: 1 → "（一）"."""
    return f"（{cn_number(n)}）"


AS_OF = re.compile(r"^(截止\d{1,2}月份，)(全区|全市)?")


def paragraph(*sentences: str) -> str:
    """Sentences joined into one paragraph, the empty ones (programs without rows) left out.

    As the seeds do, the date and the jurisdiction are said once: a later sentence that opens with
    the same "截止10月份，全区" drops it ("…1219.16万元。特困供养人员84人…").
    """
    out, said = [], set()
    for sentence in sentences:
        if not sentence:
            continue
        match = AS_OF.match(sentence)
        if match and match.group(1) in said:
            sentence = sentence[match.end() :]
        elif match:
            said.add(match.group(1))
        out.append(sentence)
    return "".join(out)


def _rounds_to_zero(value: float) -> bool:
    return Decimal(fmt.persons(value)[:-1]) == 0


def _one_scenario(frame: pd.DataFrame, what: str, columns: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise CivsimError(what, None, f"got {type(frame).__name__}", "a DataFrame from civsim.engine")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CivsimError(what, "columns", f"missing column(s) {', '.join(missing)}", "columns " + ", ".join(columns))
    if "scenario" in frame.columns and frame["scenario"].nunique() > 1:
        names = sorted(map(str, frame["scenario"].unique()))
        raise CivsimError(what, "scenario", f"holds {len(names)} scenarios {names}", "one scenario; filter first")
    return frame


STOCK_COLUMNS = ("program", "area", "households", "persons")
FLOW_COLUMNS = ("program", "area", "person_times", "amount_yuan")


class _Figures:
    """Lookups over one stock frame and one flow frame."""

    def __init__(self, stock: pd.DataFrame, flows: pd.DataFrame):
        self.stock = _one_scenario(stock, "stock", STOCK_COLUMNS)
        self.flows = _one_scenario(flows, "flows", FLOW_COLUMNS)

    def has(self, program: str) -> bool:
        """Whether the program (not its supplements) has any row in either frame."""
        return bool((self.stock["program"] == program).any() or (self.flows["program"] == program).any())

    def held(self, program: str, column: str, area: str | None = None) -> float:
        rows = self.stock[self.stock["program"] == program]
        if area is not None:
            rows = rows[rows["area"] == area]
        return float(rows[column].sum())

    def paid(self, program: str, area: str | None = None, whole_family: bool = True) -> float:
        programs = self.flows["program"].map(family) if whole_family else self.flows["program"]
        rows = self.flows[programs == program]
        if area is not None:
            rows = rows[rows["area"] == area]
        return float(rows["amount_yuan"].sum())

    def times(self, program: str) -> float:
        return float(self.flows.loc[self.flows["program"] == program, "person_times"].sum())


def _count(n: float) -> str:
    """A count without its unit, rounded as the other counts are: 17609.4 → "17609"."""
    return fmt.persons(n)[:-1]


# ---------------------------------------------------------------- one sentence per program

AREA_WORDS = ((URBAN, "城市"), (RURAL, "农村"))


def areas() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The areas of work the model has figures for, each with the keys of its sentences, from the
    program declarations: a program with a sentence of its own gives its key, programs sharing one
    give the shared key once; areas and sentences come in the order of their first program."""
    out: dict[str, list[str]] = {}
    for program in REGISTRY:
        if program.sentence is None:
            continue
        key = program.sentence.shared or program.key
        keys = out.setdefault(program.area, [])
        if key not in keys:
            keys.append(key)
    return tuple((area, tuple(keys)) for area, keys in out.items())


def _values(f: _Figures, key: str, as_of_month: int, where: str, area: str | None = None) -> dict:
    """What a declared template may say of one program (its stock in ``area`` when given)."""
    households, persons, times = f.held(key, "households", area), f.held(key, "persons", area), f.times(key)
    return {
        "households": fmt.households(households),
        "persons": fmt.persons(persons),
        "held": _count(persons),
        "times": fmt.person_times(times),
        "cases": fmt.cases(times),
        "visits": fmt.households(times),
        "number": _count(times),
        "money": fmt.money(f.paid(key)),
        "own": fmt.money(f.paid(key, whole_family=False)),
        "span": fmt.month_range(1, as_of_month),
        "as_of": fmt.as_of(as_of_month),
        "where": where,
    }


def _split(total: float, parts: tuple[float, ...]) -> tuple[float, ...]:
    """``total`` apportioned by the known shares of ``parts``; the last takes the rounding rest."""
    shares = [max(float(p), 0.0) for p in parts]
    if sum(shares) <= 0:
        return (0.0,) * len(shares)
    heads = [float(Decimal(fmt.persons(total * share / sum(shares))[:-1])) for share in shares[:-1]]
    return (*heads, float(Decimal(fmt.persons(total)[:-1])) - sum(heads))


def _nobody(f: _Figures, key: str, area: str | None = None) -> bool:
    return _rounds_to_zero(f.held(key, "households", area)) and _rounds_to_zero(f.held(key, "persons", area))


def _held(f: _Figures, program, values: dict, as_of_month: int, where: str, split) -> str:
    """Who is on the program's roll at the as-of month, in its declared words; "" for nobody."""
    said = program.sentence
    if not said.held:
        return ""
    if said.each_area:
        parts = [
            said.each_area.format(**{**_values(f, program.key, as_of_month, where, area), "area": word})
            for area, word in AREA_WORDS
            if not _nobody(f, program.key, area)
        ]
        return said.held.format(**values, areas="，".join(parts)) if parts else ""
    if _nobody(f, program.key):
        return ""
    text = said.held.format(**values)
    if said.split and split is not None:
        counts = _split(f.held(program.key, "persons"), split)
        if any(counts):
            text += "".join(f"，{word}{fmt.persons(n)}" for (_, word), n in zip(said.split, counts))
    return text


def _own(f: _Figures, program, as_of_month: int, where: str, split) -> str:
    """A program's own sentence: who is on its roll (when it has one), then its money."""
    if not f.has(program.key):
        return ""
    values = _values(f, program.key, as_of_month, where)
    held = _held(f, program, values, as_of_month, where, split)
    text = f"{values['as_of']}，{where}{held}，" if held else ""
    return text + program.sentence.paid.format(**values) + "。"


def _disability(f: _Figures, members, as_of_month: int, where: str) -> str:
    """ "截止10月份，全区在册残疾人两补对象3005人，其中，享受重度残疾人护理补贴2144人，1—10月发放215.39万元；
    享受困难残疾人生活补贴861人，1—10月发放111.79万元。" (one subsidy alone: "截止12月份，全区享受…")."""
    clauses = [p.sentence.paid.format(**_values(f, p.key, as_of_month, where)) for p in members]
    if len(members) == 1:
        return f"{fmt.as_of(as_of_month)}，{where}{clauses[0]}。"
    total = sum(f.held(p.key, "persons") for p in members)
    return f"{fmt.as_of(as_of_month)}，{where}在册残疾人两补对象{fmt.persons(total)}，其中，{'；'.join(clauses)}。"


def _children(f: _Figures, members, as_of_month: int, where: str) -> str:
    """ "截止10月份，全区在册孤儿104人、事实无人抚养儿童31人，1—10月累计保障1248人次，发放基本生活费及补贴
    320.74万元。" (money includes the children's price subsidies)."""
    held = [
        p.sentence.held.format(**_values(f, p.key, as_of_month, where))
        for p in members
        if not _rounds_to_zero(f.held(p.key, "persons"))
    ]
    text = f"{fmt.as_of(as_of_month)}，{where}在册{'、'.join(held)}，" if held else ""
    times = sum(f.times(p.key) for p in members)
    money = sum(f.paid(p.key) for p in members)
    return text + (
        f"{fmt.month_range(1, as_of_month)}累计保障{fmt.person_times(times)}，发放基本生活费及补贴{fmt.money(money)}。"
    )


def _elderly(f: _Figures, members, as_of_month: int, where: str) -> str:
    """ "1—10月，为17609名老年人发放高龄津贴4833.33万元，为1105名老人发放居家养老服务补贴301.87万元，
    发放养老机构运营补贴276.99万元。\""""
    clauses = [p.sentence.paid.format(**_values(f, p.key, as_of_month, where)) for p in members]
    return f"{fmt.month_range(1, as_of_month)}，{'，'.join(clauses)}。"


# Sentences several programs make together: each program declaring ``Sentence(shared=key)`` is a
# clause (or a count) of the one sentence these write, in declaration order.
SHARED = {"disability": _disability, "children": _children, "elderly": _elderly}


def _split_counts(program, params, date) -> tuple[float, ...] | None:
    """The counts a program's persons split by (its declared caseload leaves), or None without them."""
    if params is None or not program.sentence.split:
        return None
    counts = tuple(float(params.get(leaf, date, 0.0)) for leaf, _ in program.sentence.split)
    return counts if sum(counts) > 0 else None


def sentence(
    key: str,
    stock: pd.DataFrame,
    flows: pd.DataFrame,
    as_of_month: int,
    *,
    where: str = "全区",
    split: tuple[float, ...] | None = None,
    params=None,
    date=None,
) -> str:
    """One sentence of the 工作总结, worded as the programs declare (``civsim.programs.Sentence``).

    ``key`` is a program with a sentence of its own ("dibao" → "截止10月份，全区在册城市低保221户269人，
    农村低保694户824人，1—10月累计发放低保金及补贴1219.16万元。"), a sentence several programs share
    (``SHARED``: "disability", "children", "elderly") or "total". Money is the program's family: the
    program and every line riding on it. A program with no rows yields "". The engine's rows are by
    urban/rural area; a program that declares a split (特困: 集中供养, 分散供养) says it at the known
    counts — ``split``, else its caseload leaves in ``params`` on ``date`` — scaled to the model's total.
    """
    if key == "total":
        return total_sentence(stock, flows, as_of_month, where=where)
    f = _Figures(stock, flows)
    fmt.as_of(as_of_month)  # a bad month is an error even where nothing is said
    if key in SHARED:
        members = [p for p in REGISTRY if p.sentence is not None and p.sentence.shared == key and f.has(p.key)]
        return SHARED[key](f, members, as_of_month, where) if members else ""
    program = PROGRAMS.get(key)
    if program is None or program.sentence is None or program.sentence.shared:
        raise CivsimError(
            "sentence",
            key,
            "no such sentence",
            "a program declaring a sentence of its own, one of " + ", ".join(SHARED) + ", or total",
        )
    return _own(f, program, as_of_month, where, split if split is not None else _split_counts(program, params, date))


def total_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区") -> str:
    """ "1—10月，各项救助和福利资金累计发放9059.30万元，惠及20.40万人次。\""""
    f = _Figures(stock, flows)
    if f.flows.empty:
        return ""
    money = float(f.flows["amount_yuan"].sum())
    times = float(f.flows["person_times"].sum())
    reach = f"，惠及{_person_times_wan(times)}" if not _rounds_to_zero(times) else ""
    return f"{fmt.month_range(1, as_of_month)}，各项救助和福利资金累计发放{fmt.money(money)}{reach}。"


def _person_times_wan(times: float) -> str:
    """Large person-time counts in 万 as the reports write them: 204000 → "20.40万人次"."""
    if times >= 100_000:
        return fmt.wan_yuan(times).replace("万元", "万人次")
    return fmt.person_times(times)


# ---------------------------------------------------------------- the plan's budget sentence


def plan_budget_sentence(
    plan_year: int,
    this_year_yuan: float,
    next_year_yuan: float,
    standard_yuan: float,
    people_yuan: float,
    one_off_yuan: float,
    *,
    scenario: str = "基准方案",
) -> str:
    """ "按基准方案测算，2022年各项目资金需求合计1.02亿元，比2021年增加512.30万元（增长5.28%），其中标准因素
    +360.10万元，人数因素+152.20万元，一次性及阶段性项目+0.00万元。"

    The three parts add up to the change (the caller's decomposition guarantees it; this function
    only words it).
    """
    change = next_year_yuan - this_year_yuan
    head = f"按{scenario}测算，{plan_year}年各项目资金需求合计{fmt.money(next_year_yuan)}"
    if this_year_yuan == 0:
        return head + f"，{plan_year - 1}年无可比支出。"
    ratio = change / this_year_yuan
    word = fmt.growth(ratio)
    if word == "持平":
        return head + f"，与{plan_year - 1}年持平。"
    verb = "增加" if change > 0 else "减少"
    return (
        head + f"，比{plan_year - 1}年{verb}{fmt.money(abs(change))}（{word}），"
        f"其中标准因素{_signed_money(standard_yuan)}，人数因素{_signed_money(people_yuan)}，"
        f"一次性及阶段性项目{_signed_money(one_off_yuan)}。"
    )


def _signed_money(yuan: float) -> str:
    text = fmt.money(yuan)
    return text if text.startswith("-") or Decimal(text.rstrip("万亿元")) == 0 else "+" + text


__all__ = [
    "scope",
    "cn_number",
    "part_number",
    "section_number",
    "paragraph",
    "areas",
    "sentence",
    "SHARED",
    "total_sentence",
    "plan_budget_sentence",
]
