"""The reports' quantitative sentences, built from the model's numbers in the bureaus' own pattern.

Seed 004 writes "截止10月份，全区在册城市低保221户269人，农村低保694户824人，1—10月累计发放低保金
及补贴1219.16万元。": a stock at a month (households and persons on the roll) and a flow over the
months (money paid). Each function here writes one such sentence for one area of work from two
small frames cut from the engine's tidy results:

* ``stock`` — :func:`civsim.engine.stock` at the as-of month: program, area, households, persons;
* ``flows`` — :func:`civsim.engine.year_totals` over months 1..as-of: program, area, person_times,
  amount_yuan.

Both hold one scenario. A program with no rows yields no sentence (an empty string), so a district
that pays no 临时救助 simply says nothing about it. Money is summed over a program's *family* —
the program and its supplements (``dibao_price_subsidy``, ``dibao_one_off`` …) — because the
reports quote "低保金及补贴" as one figure.
"""
from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from ..errors import CivsimError
from . import numbers as fmt

SUPPLEMENT_SUFFIXES = ("_price_subsidy", "_one_off")
CN_DIGITS = "零一二三四五六七八九"
URBAN, RURAL = "urban", "rural"


# ---------------------------------------------------------------- small helpers

def family(program: str) -> str:
    """The program a line belongs to: ``dibao_price_subsidy`` and ``dibao_one_off`` → ``dibao``."""
    for suffix in SUPPLEMENT_SUFFIXES:
        if program.endswith(suffix):
            return program[: -len(suffix)]
    return program


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
            sentence = sentence[match.end():]
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


# ---------------------------------------------------------------- one sentence per area of work

def dibao_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区") -> str:
    """"截止10月份，全区在册城市低保221户269人，农村低保694户824人，1—10月累计发放低保金及补贴1219.16万元。"

    Money is the whole 低保 family: the gap benefit, its price subsidies and one-off grants.
    """
    f = _Figures(stock, flows)
    if not f.has("dibao"):
        return ""
    held = []
    for area, word in ((URBAN, "城市"), (RURAL, "农村")):
        households, persons = f.held("dibao", "households", area), f.held("dibao", "persons", area)
        if not (_rounds_to_zero(households) and _rounds_to_zero(persons)):
            held.append(f"{word}低保{fmt.households(households)}{fmt.persons(persons)}")
    text = f"{fmt.as_of(as_of_month)}，{where}在册{'，'.join(held)}，" if held else ""
    return text + f"{fmt.month_range(1, as_of_month)}累计发放低保金及补贴{fmt.money(f.paid('dibao'))}。"


def _split(total: float, parts: tuple[float, float]) -> tuple[float, float]:
    """``total`` apportioned by the known shares of ``parts``; the second takes the rounding rest."""
    first, second = (max(float(p), 0.0) for p in parts)
    if first + second <= 0:
        return 0.0, 0.0
    head = float(Decimal(fmt.persons(total * first / (first + second))[:-1]))
    rest = float(Decimal(fmt.persons(total)[:-1])) - head
    return head, rest


def tekun_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区",
                   centralized_dispersed: tuple[float, float] | None = None) -> str:
    """"截止10月份，全区特困供养人员84人，集中供养56人，分散供养28人，1—10月累计发放供养金及补贴149.84万元。"

    The engine's rows are by urban/rural area, not by where a person lives; pass the known
    (centralized, dispersed) counts — e.g. the caseload parameters — to say how the total splits.
    The total is the model's; the split is the known one scaled to it.
    """
    f = _Figures(stock, flows)
    if not f.has("tekun"):
        return ""
    persons = f.held("tekun", "persons")
    text = ""
    if not _rounds_to_zero(persons):
        text = f"{fmt.as_of(as_of_month)}，{where}特困供养人员{fmt.persons(persons)}，"
        if centralized_dispersed is not None:
            centralized, dispersed = _split(persons, centralized_dispersed)
            if centralized or dispersed:
                text += f"集中供养{fmt.persons(centralized)}，分散供养{fmt.persons(dispersed)}，"
    return text + f"{fmt.month_range(1, as_of_month)}累计发放供养金及补贴{fmt.money(f.paid('tekun'))}。"


def low_income_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区") -> str:
    """"截止10月份，全区在册低收入家庭120户300人，1—10月累计发放低收入家庭救助金90.90万元。\""""
    f = _Figures(stock, flows)
    if not f.has("low_income"):
        return ""
    households, persons = f.held("low_income", "households"), f.held("low_income", "persons")
    text = ""
    if not (_rounds_to_zero(households) and _rounds_to_zero(persons)):
        text = f"{fmt.as_of(as_of_month)}，{where}在册低收入家庭{fmt.households(households)}{fmt.persons(persons)}，"
    return text + f"{fmt.month_range(1, as_of_month)}累计发放低收入家庭救助金{fmt.money(f.paid('low_income'))}。"


def temporary_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区") -> str:
    """"1—10月实施临时救助108人次，累计发放救助金28.36万元。" (a flow only: no one is "on" it)."""
    f = _Figures(stock, flows)
    if not f.has("temporary"):
        return ""
    return (f"{fmt.month_range(1, as_of_month)}实施临时救助{fmt.person_times(f.times('temporary'))}，"
            f"累计发放救助金{fmt.money(f.paid('temporary'))}。")


def spring_festival_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *,
                             where: str = "全区") -> str:
    """"春节期间慰问困难群众3982户，发放慰问金192.85万元。"

    The engine counts one person-time per household visited, so person_times are households here.
    """
    f = _Figures(stock, flows)
    if not f.has("spring_festival"):
        return ""
    return (f"春节期间慰问困难群众{fmt.households(f.times('spring_festival'))}，"
            f"发放慰问金{fmt.money(f.paid('spring_festival'))}。")


def disability_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区") -> str:
    """"截止10月份，全区在册残疾人两补对象3005人，其中，享受重度残疾人护理补贴2144人，1—10月发放215.39万元；
    享受困难残疾人生活补贴861人，1—10月发放111.79万元。"

    A one-off grant to severely disabled persons (``disability_nursing_one_off``) is reported
    apart, as seed 004 does, in a second sentence.
    """
    f = _Figures(stock, flows)
    span = fmt.month_range(1, as_of_month)
    parts = [(program, label) for program, label in (("disability_nursing", "重度残疾人护理补贴"),
                                                     ("disability_living", "困难残疾人生活补贴")) if f.has(program)]
    text = ""
    if parts:
        clauses = [f"享受{label}{fmt.persons(f.held(program, 'persons'))}，{span}发放"
                   f"{fmt.money(f.paid(program, whole_family=False))}" for program, label in parts]
        if len(parts) == 2:
            total = sum(f.held(program, "persons") for program, _ in parts)
            text = f"{fmt.as_of(as_of_month)}，{where}在册残疾人两补对象{fmt.persons(total)}，其中，{'；'.join(clauses)}。"
        else:
            text = f"{fmt.as_of(as_of_month)}，{where}{clauses[0]}。"
    if f.has("disability_nursing_one_off"):
        text += (f"向{_count(f.times('disability_nursing_one_off'))}名重度残疾人发放一次性生活救助金"
                 f"{fmt.money(f.paid('disability_nursing_one_off', whole_family=False))}。")
    return text


def children_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区") -> str:
    """"截止10月份，全区在册孤儿104人、事实无人抚养儿童31人，1—10月累计保障1248人次，发放基本生活费及补贴
    320.74万元。" (money includes the children's price subsidies)."""
    f = _Figures(stock, flows)
    parts = [(program, label) for program, label in (("orphan", "孤儿"), ("unsupported_child", "事实无人抚养儿童"))
             if f.has(program)]
    if not parts:
        return ""
    held = [f"{label}{fmt.persons(f.held(program, 'persons'))}" for program, label in parts
            if not _rounds_to_zero(f.held(program, "persons"))]
    text = f"{fmt.as_of(as_of_month)}，{where}在册{'、'.join(held)}，" if held else ""
    times = sum(f.times(program) for program, _ in parts)
    money = sum(f.paid(program) for program, _ in parts)
    return text + (f"{fmt.month_range(1, as_of_month)}累计保障{fmt.person_times(times)}，"
                   f"发放基本生活费及补贴{fmt.money(money)}。")


def elderly_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区") -> str:
    """"1—10月，为17609名老年人发放高龄津贴4833.33万元，为1105名老人发放居家养老服务补贴301.87万元，
    发放养老机构运营补贴276.99万元。\""""
    f = _Figures(stock, flows)
    clauses = []
    if f.has("elderly_allowance"):
        clauses.append(f"为{_count(f.held('elderly_allowance', 'persons'))}名老年人发放高龄津贴"
                       f"{fmt.money(f.paid('elderly_allowance'))}")
    if f.has("home_care"):
        clauses.append(f"为{_count(f.held('home_care', 'persons'))}名老人发放居家养老服务补贴"
                       f"{fmt.money(f.paid('home_care'))}")
    if f.has("care_institution"):
        clauses.append(f"发放养老机构运营补贴{fmt.money(f.paid('care_institution'))}")
    if not clauses:
        return ""
    return f"{fmt.month_range(1, as_of_month)}，{'，'.join(clauses)}。"


def funeral_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区") -> str:
    """"1—10月审批发放丧葬补贴901件，共计277.50万元。" (each person-time is one case)."""
    f = _Figures(stock, flows)
    if not f.has("funeral"):
        return ""
    return (f"{fmt.month_range(1, as_of_month)}审批发放丧葬补贴{fmt.cases(f.times('funeral'))}，"
            f"共计{fmt.money(f.paid('funeral'))}。")


def total_sentence(stock: pd.DataFrame, flows: pd.DataFrame, as_of_month: int, *, where: str = "全区") -> str:
    """"1—10月，各项救助和福利资金累计发放9059.30万元，惠及20.40万人次。\""""
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

def plan_budget_sentence(plan_year: int, this_year_yuan: float, next_year_yuan: float, standard_yuan: float,
                         people_yuan: float, one_off_yuan: float, *, scenario: str = "基准方案") -> str:
    """"按基准方案测算，2022年各项目资金需求合计1.02亿元，比2021年增加512.30万元（增长5.28%），其中标准因素
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
    return (head + f"，比{plan_year - 1}年{verb}{fmt.money(abs(change))}（{word}），"
            f"其中标准因素{_signed_money(standard_yuan)}，人数因素{_signed_money(people_yuan)}，"
            f"一次性及阶段性项目{_signed_money(one_off_yuan)}。")


def _signed_money(yuan: float) -> str:
    text = fmt.money(yuan)
    return text if text.startswith("-") or Decimal(text.rstrip("万亿元")) == 0 else "+" + text


__all__ = ["family", "scope", "cn_number", "part_number", "section_number", "paragraph", "dibao_sentence",
           "tekun_sentence", "low_income_sentence", "temporary_sentence", "spring_festival_sentence",
           "disability_sentence", "children_sentence", "elderly_sentence", "funeral_sentence", "total_sentence",
           "plan_budget_sentence"]
