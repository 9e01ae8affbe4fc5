"""The two documents the notebooks produce, and the batch that renders them for every district.

* :class:`AnnualSummary` — 工作总结: the model's year (to the as-of month) in the seeds' sentences,
  by area of work, with the bureau's own qualitative points, charts, a table per program, the
  problems and next year's plan from its documents, and the model-vs-reported table as appendix.
* :class:`NextYearPlan` — 工作计划: the plan's numbered tasks (责任科室, 完成时限, targets) and its
  budget part: next year's caseload and money per program under each scenario against this year,
  the change split into a price and a volume effect.

The notebooks only call these objects and display what they return (Markdown, images, tables),
so a notebook stays a report, and everything it shows is code that can be tested.

``main`` is ``civsim report``: one annual summary (for ``year``) and one plan (for ``year + 1``)
per district-year, executed in parallel and written to
``reports/<code>-<name>/<year>/{annual_summary,next_year_plan}.{ipynb,html,pdf}``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import districts, engine, params as params_module, scenarios as scenarios_module
from .errors import CivsimError
from .report import documents, numbers as fmt, text

ROOT = districts.ROOT
NOTEBOOKS = ROOT / "notebooks"
REPORTS = ROOT / "reports"
SUMMARY_NOTEBOOK = "annual_summary"
PLAN_NOTEBOOK = "next_year_plan"
BASELINE = "baseline"
KERNEL = "python3"


@dataclass(frozen=True)
class Shipped:
    """A district-year whose reports ship with civsim, and the month its summary's figures run to."""
    district: str
    year: int
    as_of_month: int


# The seeds' summaries: 东丽区 dated 2021-01-11 (whole year), 东西湖区 2020-10-21 ("截止10月份"),
# 天津市 2020-12-26 (whole year).
SHIPPED = (Shipped("东丽区", 2020, 12), Shipped("东西湖区", 2020, 10), Shipped("天津市", 2020, 12))


def as_of_month(district, year: int) -> int:
    """The month a summary's figures run to: the shipped one, else the summary's date, else December."""
    code = districts.find(district).code
    for item in SHIPPED:
        if districts.find(item.district).code == code and item.year == year:
            return item.as_of_month
    found = documents.summary(code, year)
    if found is not None and found.date.year == year:
        return found.date.month
    return 12


# ---------------------------------------------------------------- labels

SUPPLEMENT_LABELS = {"_price_subsidy": "价格临时补贴", "_one_off": "一次性生活救助"}
FAMILY_LABELS = {"dibao": "低保金及补贴", "tekun": "特困供养金及补贴", "orphan": "孤儿基本生活费及补贴",
                 "unsupported_child": "事实无人抚养儿童生活费及补贴"}
RECONCILE_LABELS = {"disability": "残疾人两项补贴", "children": "儿童基本生活保障", "assistance_total": "救助资金合计",
                    "dibao_one_off": "低保对象一次性生活救助", "disability_nursing_one_off": "重度残疾人一次性生活救助",
                    "tekun_centralized": "特困集中供养", "tekun_dispersed": "特困分散供养"}
MEASURE_LABELS = {"amount_yuan": "金额（万元）", "households": "户数", "persons": "人数", "person_times": "人次",
                  "cases": "件数", "standard_yuan_person_month": "月标准（元）"}
REASON_LABELS = (("matches", "一致"), ("calibration target", "校准目标"), ("calibrated", "已校准"),
                 ("within", "差异在5%以内"), ("differs", "差异超过5%"), ("not modelled", "未模拟"))


def program_label(program: str) -> str:
    """The Chinese name of a program or supplement line: dibao_price_subsidy → 低保价格临时补贴."""
    from .report.charts import PROGRAM_LABELS

    if program in RECONCILE_LABELS:
        return RECONCILE_LABELS[program]
    for suffix, label in SUPPLEMENT_LABELS.items():
        if program.endswith(suffix):
            return program_label(program[: -len(suffix)]) + label
    return PROGRAM_LABELS.get(program, program)


def family_label(family: str) -> str:
    return FAMILY_LABELS.get(family, program_label(family))


def _order(programs) -> list[str]:
    from .report.charts import PROGRAM_LABELS

    known = list(PROGRAM_LABELS)
    return sorted(set(programs), key=lambda p: (known.index(p) if p in known else len(known), p))


def _count(value: float) -> str:
    return fmt.persons(value)[:-1]


def _wan(value: float) -> str:
    return fmt.wan_yuan(value)[:-2]


def _png(fig):
    """A matplotlib Figure as an inline PNG image (the HTML and PDF embed it; no file is left)."""
    from IPython.display import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130)
    return Image(data=buffer.getvalue(), format="png")


def _md(value: str) -> str:
    """Text from a YAML file made safe to drop into Markdown (no accidental emphasis or tags)."""
    out = str(value)
    for char in ("\\", "*", "_", "`", "<", ">", "[", "]", "#", "|"):
        out = out.replace(char, "\\" + char)
    return out


def _months(results: pd.DataFrame, year: int, last_month: int) -> pd.DataFrame:
    first, last = pd.Period(f"{year}-01", "M"), pd.Period(f"{year}-{last_month:02d}", "M")
    return results[(results["month"] >= first) & (results["month"] <= last)]


def by_family(results: pd.DataFrame) -> pd.DataFrame:
    """The engine's rows with each supplement folded into its program (for charts by program)."""
    keys = ["jurisdiction", "scenario", "month", "program", "area"]
    folded = results.assign(program=results["program"].map(text.family))
    return folded.groupby(keys, as_index=False, sort=False)[engine.MEASURES].sum()


def main_programs(results: pd.DataFrame) -> pd.DataFrame:
    """The rows of the programs themselves, without supplement lines (whose persons repeat them)."""
    return results[results["program"] == results["program"].map(text.family)]


def _table(rows: list[dict], corner: str = "项目") -> pd.DataFrame:
    """Rows keyed by Chinese headers, the first column as the row labels, its name in the corner."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.set_index(frame.columns[0])
    frame.index.name = None
    frame.columns.name = corner
    return frame


def show(*parts) -> None:
    """Display report parts in a notebook: text as Markdown, lists part by part, None not at all.

    Each part becomes its own output, so the PDF can break pages between them.
    """
    from IPython.display import Markdown, display

    for part in parts:
        if part is None or (isinstance(part, str) and not part.strip()):
            continue
        if isinstance(part, (list, tuple)):
            show(*part)
        else:
            display(Markdown(part) if isinstance(part, str) else part)


# ---------------------------------------------------------------- price and volume

def price_volume(this_year: pd.DataFrame, next_year: pd.DataFrame) -> pd.DataFrame:
    """The change in money per program family split into a price and a volume effect that add up.

    Money is ``p × q`` with ``q`` the family's person-times (of its main program, as supplements
    count the same people again) and ``p`` the average benefit per person-time, supplements
    included. The split is :func:`civsim.budget.split`, the symmetric midpoint one:
    price ``(p1 − p0)(q0 + q1)/2``, volume ``(q1 − q0)(p0 + p1)/2``, to the fen; a family that starts
    or stops moves by volume alone, one paid with no person-times (per bed) by price alone.

    Both frames hold one scenario's results over a year. Columns: family, q0, q1, amount0,
    amount1, change, price, volume (person-times and yuan).
    """
    from .budget import split

    def per_family(frame: pd.DataFrame) -> pd.DataFrame:
        data = frame.assign(family=frame["program"].map(text.family))
        money = data.groupby("family")["amount_yuan"].sum()
        main = data[data["program"] == data["family"]].groupby("family")["person_times"].sum()
        return pd.DataFrame({"q": main, "amount": money}).fillna(0.0)

    before, after = per_family(this_year), per_family(next_year)
    families = _order(set(before.index) | set(after.index))
    before, after = before.reindex(families).fillna(0.0), after.reindex(families).fillna(0.0)
    rows = []
    for family in families:
        q0, a0, q1, a1 = (float(before.at[family, "q"]), float(before.at[family, "amount"]),
                          float(after.at[family, "q"]), float(after.at[family, "amount"]))
        price, volume = split(a0, q0, a1, q1)
        rows.append({"family": family, "q0": q0, "q1": q1, "amount0": a0, "amount1": a1,
                     "change": price + volume, "price": price, "volume": volume})
    return pd.DataFrame(rows, columns=["family", "q0", "q1", "amount0", "amount1", "change", "price", "volume"])


# ---------------------------------------------------------------- the annual summary

# Areas the model has figures for, with the summary areas whose points they take in; leading areas
# (party building) come before them as in the seeds, every other area of the summary after them.
LEADING_AREAS = ("党的建设",)
MODEL_AREAS = (
    ("社会救助", ("社会救助",), ("dibao", "tekun", "low_income", "temporary", "spring_festival")),
    ("残疾人福利", ("残疾人福利", "残疾人保障"), ("disability",)),
    ("儿童福利", ("儿童福利",), ("children",)),
    ("养老服务", ("养老服务",), ("elderly",)),
    ("殡葬管理", ("殡葬管理", "殡葬服务"), ("funeral",)),
)


class AnnualSummary:
    """One district-year's 工作总结, built from a simulation of the year and of the year before."""

    def __init__(self, district, year: int, scenario: str = BASELINE, as_of_month: int = 12, seed: int | None = None):
        self.params = params_module.load(district)
        self.district = self.params.district
        fmt.as_of(as_of_month)    # checks it is a month 1..12
        self.year, self.scenario, self.as_of_month = int(year), scenario, int(as_of_month)
        extra = () if scenario == BASELINE else (scenario,)
        self.scenario_title = "基准方案" if scenario == BASELINE else scenarios_module.load(scenario).title
        self.all_results = engine.simulate(self.district.code, self.year, scenarios=extra, seed=seed, params=self.params)
        results = self.all_results[self.all_results["scenario"] == scenario]
        self.results = _months(results, self.year, self.as_of_month)
        last = engine.simulate(self.district.code, self.year - 1, seed=seed, params=self.params)
        self.last_year = _months(last, self.year - 1, self.as_of_month)
        self.summary = documents.summary(self.district.code, self.year)
        self.plan = (documents.next_plan(self.summary) if self.summary is not None
                     else documents.plan(self.district.code, self.year + 1))
        self.where = text.scope(self.district.level)
        month = pd.Period(f"{self.year}-{self.as_of_month:02d}", "M")
        self.stock = engine.stock(self.results, month)
        self.flows = engine.year_totals(self.results)

    # -- headings and words
    @property
    def title(self) -> str:
        return f"{_md(self.district.name)}民政局{self.year}年工作总结"

    def heading(self) -> str:
        """The h1 title, the opening paragraph and where the words and the figures come from."""
        opening = _md(self.summary.opening) if self.summary and self.summary.opening else (
            f"{self.year}年，{_md(self.district.name)}民政局围绕兜底保障、基本社会服务和基层治理开展工作，现将全年工作总结如下。")
        figures = (f"文中救助和福利资金、人数为civsim模型按{self.scenario_title}测算的{self.year}年"
                   f"{fmt.month_range(1, self.as_of_month)}数据，与报告数的对照见附录。")
        words = (f"各项工作情况摘自《{_md(self.summary.title)}》（{_md(self.summary.source)}）。" if self.summary
                 else f"未收录{_md(self.district.name)}{self.year}年工作总结文本，本文只列模型测算数据。")
        return f"# {self.title}\n\n{opening}\n\n> 说明：{figures}{words}\n"

    def sentences(self, key: str) -> str:
        """The generated paragraph of one area of work ("dibao", "disability", … or "total")."""
        write = getattr(text, f"{key}_sentence")
        extra = {}
        if key == "tekun":
            date = pd.Period(f"{self.year}-{self.as_of_month:02d}", "M").start_time.date()
            split = (self.params.get("caseload.tekun.centralized", date), self.params.get("caseload.tekun.dispersed", date))
            extra["centralized_dispersed"] = split if sum(split) > 0 else None
        return write(self.stock, self.flows, self.as_of_month, where=self.where, **extra)

    def areas(self) -> list[tuple[str, str, tuple]]:
        """(area, generated paragraph, the summary's points) in the order the report shows them."""
        points = {a.area: a.points for a in self.summary.areas} if self.summary else {}
        taken: set[str] = set()
        out = []
        for name in LEADING_AREAS:
            if name in points:
                out.append((name, "", points[name]))
                taken.add(name)
        for name, aliases, keys in MODEL_AREAS:
            paragraph = text.paragraph(*(self.sentences(k) for k in keys))
            own = tuple(p for alias in aliases if alias in points for p in points[alias])
            taken.update(a for a in aliases if a in points)
            if paragraph or own:
                out.append((name, paragraph, own))
        for area in (self.summary.areas if self.summary else ()):
            if area.area not in taken:
                out.append((area.area, "", area.points))
        return out

    def achievements(self) -> list[str]:
        """一、工作成效 as Markdown blocks: the heading with the year's total, then one numbered
        subsection per area, generated figures first, then the summary's points."""
        lead = self.sentences("total")
        blocks = [f"## 一、{self.year}年工作成效\n" + (f"\n{lead}\n" if lead else "")]
        for number, (area, paragraph, points) in enumerate(self.areas(), start=1):
            parts = [f"### {text.section_number(number)}{_md(area)}\n"]
            if paragraph:
                parts.append(paragraph + "\n")
            if points:
                parts.append("\n".join(f"{i}. {_md(p.text)}" for i, p in enumerate(points, start=1)) + "\n")
            blocks.append("\n".join(parts))
        return blocks

    def data_heading(self) -> str:
        number = text.section_number(len(self.areas()) + 1)
        span, at = fmt.month_range(1, self.as_of_month), fmt.as_of(self.as_of_month)
        return (f"### {number}主要项目测算数据\n\n{self.year}年{span}各项目的月度人数和支出，以及与{self.year - 1}年"
                f"同期的比较（模型测算）。表中在册户数、人数为{at}数，人次、金额为{span}累计数；"
                f"金额含各项目的价格临时补贴和一次性补助。\n")

    # -- charts
    def caseload_chart(self):
        from .report import charts

        return _png(charts.monthly_caseload(main_programs(self.results), title=f"{self.year}年各项目月度救助人数"))

    def money_chart(self):
        from .report import charts

        return _png(charts.monthly_money(by_family(self.results), title=f"{self.year}年各项目月度支出"))

    def year_on_year_chart(self):
        """This year's money per program beside last year's; a one-line note when last year paid nothing."""
        from .report import charts

        span = fmt.month_range(1, self.as_of_month)
        if self.last_year.empty or not self.last_year["amount_yuan"].any():
            return f"（{self.year - 1}年无模型数据，不作同比。）"
        return _png(charts.year_on_year(by_family(self.results), by_family(self.last_year), title=f"各项目{span}支出：{self.year}年与{self.year - 1}年"))

    # -- tables
    def program_table(self) -> pd.DataFrame:
        """One row per program (its supplements included), in 户, 人, 人次 and 万元, with last year's money."""
        flows = self.flows.assign(family=self.flows["program"].map(text.family))
        last = self.last_year.assign(family=self.last_year["program"].map(text.family))
        money = flows.groupby("family")["amount_yuan"].sum()
        last_money = last.groupby("family")["amount_yuan"].sum()
        times = flows[flows["program"] == flows["family"]].groupby("family")["person_times"].sum()
        held = self.stock.groupby("program")[["households", "persons"]].sum()

        def row(label, households, persons, count, now, before):
            return {"项目": label, "在册户数": _count(households) if households and _count(households) != "0" else "—",
                    "在册人数": _count(persons) if persons and _count(persons) != "0" else "—",
                    "累计人次": _count(count), "累计金额（万元）": _wan(now), "上年同期（万元）": _wan(before),
                    "同比": fmt.pct((now - before) / before, signed=True) if before else "—"}

        rows = [row(family_label(f), float(held["households"].get(f, 0.0)), float(held["persons"].get(f, 0.0)),
                    float(times.get(f, 0.0)), float(money.get(f, 0.0)), float(last_money.get(f, 0.0)))
                for f in _order(set(money.index) | set(last_money.index))]
        rows.append(row("合计", 0, 0, float(times.sum()), float(money.sum()), float(last_money.sum())))
        return _table(rows)

    # -- problems and next year
    def problems(self) -> str:
        head = "## 二、存在的问题\n\n"
        if self.summary is None:
            return head + f"未收录{_md(self.district.name)}{self.year}年工作总结，本节从略。\n"
        if not self.summary.problems:
            return head + f"《{_md(self.summary.title)}》未列存在的问题。\n"
        return head + "\n".join(f"{i}. {_md(p.text)}" for i, p in enumerate(self.summary.problems, start=1)) + "\n"

    def next_year(self) -> str:
        head = f"## 三、{self.year + 1}年工作计划\n\n"
        if self.plan is None:
            return head + f"未收录{_md(self.district.name)}{self.year + 1}年工作计划。\n"
        lines = [f"据《{_md(self.plan.title)}》，{self.year + 1}年重点做好以下工作（责任科室、完成时限和量化目标见下一年工作计划）：\n"]
        for i, section in enumerate(self.plan.sections, start=1):
            tasks = "；".join(_md(t.title) for t in section.tasks)
            lines.append(f"{i}. **{_md(section.heading)}**" + (f"：{tasks}。" if tasks else ""))
        return head + "\n".join(lines) + "\n"

    # -- appendix
    def reconciliation(self) -> pd.DataFrame:
        """civsim.reconcile's table for this district-year and these results (computed once)."""
        if not hasattr(self, "_reconciliation"):
            from . import reconcile

            self._reconciliation = reconcile.reconcile(self.district.code, self.year, results=self.all_results)
        return self._reconciliation

    def appendix(self) -> str:
        head = "## 附录：模型测算与报告数对照\n\n"
        try:
            table = self.reconciliation()
        except CivsimError as exc:
            return head + f"对照表未能生成：{_md(str(exc))}\n"
        modelled = table["model"].notna()
        return head + (f"下表把{_md(self.district.name)}{self.year}年报告中的每个资金和人数数字与模型的对应数字并列，"
                       f"共{int(modelled.sum())}项；另有{int((~modelled).sum())}项为服务量、工作量等模型不模拟的数字，未列入。"
                       f"差异超过5%的原因见表后说明。\n")

    def reconciliation_table(self) -> pd.DataFrame:
        """The model beside every reported figure it models, with Chinese headers and 万元."""
        try:
            table = self.reconciliation()
        except CivsimError:
            return pd.DataFrame()
        table = table[table["model"].notna()]
        rows = []
        for row in table.itertuples(index=False):
            scale = (lambda v: _wan(v)) if row.measure == "amount_yuan" else (
                lambda v: fmt.yuan(v)[:-1] if row.measure.startswith("standard") else _count(v))
            rows.append({"项目": program_label(row.program), "指标": MEASURE_LABELS.get(row.measure, row.measure),
                         "期间": _period(row.period, self.year), "报告数": scale(row.reported), "模型数": scale(row.model),
                         "差异": fmt.pct(row.diff_pct / 100, signed=True) if np.isfinite(row.diff_pct) else "—",
                         "说明": _reason(row.reason)})
        return _table(rows)

    def reconciliation_notes(self) -> str:
        """The model's own words on each figure it misses by more than 5%."""
        try:
            table = self.reconciliation()
        except CivsimError:
            return ""
        far = table[table["model"].notna() & table["reason"].str.startswith("differs")]
        if far.empty:
            return "模型数与报告数的差异均在5%以内。\n"
        lines = ["差异超过5%的项目（模型说明）：\n"]
        lines += [f"- {program_label(r.program)}，{MEASURE_LABELS.get(r.measure, r.measure)}，{_period(r.period, self.year)}："
                  f"{_md(r.reason)}" for r in far.itertuples(index=False)]
        return "\n".join(lines) + "\n"


def _period(period: str, year: int | None = None) -> str:
    """"2020-01..2020-10" → "1—10月" in the report's own year, else "2019年1—10月"; "2020-10" → "10月"."""
    first, _, last = period.partition("..")
    a = pd.Period(first, "M")
    b = pd.Period(last, "M") if last else a
    if a.year != b.year:
        return f"{a.year}年{a.month}月—{b.year}年{b.month}月"
    span = fmt.month_range(a.month, b.month)
    return span if a.year == year else f"{a.year}年{span}"


def _reason(reason: str) -> str:
    for prefix, label in REASON_LABELS:
        if reason.startswith(prefix):
            return label
    return reason


# ---------------------------------------------------------------- the next-year plan

class NextYearPlan:
    """A district's work plan for ``year``: its task list and the budget the model projects."""

    def __init__(self, district, year: int, scenarios=(), seed: int | None = None):
        self.params = params_module.load(district)
        self.district = self.params.district
        self.year = int(year)
        names = [s for s in dict.fromkeys(scenarios or ()) if s != BASELINE]
        self.scenarios = [scenarios_module.load(name) for name in names]
        self.titles = {BASELINE: "基准方案", **{s.name: s.title for s in self.scenarios}}
        self.this_year = engine.simulate(self.district.code, self.year - 1, seed=seed, params=self.params)
        self.results = engine.simulate(self.district.code, self.year, scenarios=self.scenarios, seed=seed,
                                       params=self.params)
        self.plan = documents.plan(self.district.code, self.year)

    @property
    def title(self) -> str:
        return _md(self.plan.title) if self.plan else f"{_md(self.district.name)}民政局{self.year}年工作计划"

    def heading(self) -> str:
        source = (f"工作任务摘自《{_md(self.plan.title)}》（{_md(self.plan.source)}）；" if self.plan
                  else f"未收录{_md(self.district.name)}{self.year}年工作任务清单；")
        tasks = [t for section in (self.plan.sections if self.plan else ()) for t in section.tasks]
        if tasks and not any(t.responsible or t.deadline for t in tasks):
            source += "原文未列各项任务的责任科室和完成时限；"
        chosen = "、".join(_md(t) for t in self.titles.values())
        return (f"# {self.title}\n\n> 说明：{source}资金测算部分为civsim模型按{chosen}对{self.year}年各项目"
                f"人数和资金的测算，与{self.year - 1}年模型数比较。\n")

    def tasks(self) -> list[str]:
        """The numbered tasks as Markdown blocks, each with 责任科室, 完成时限 and its targets; a
        heading travels with its first task so that a page never ends on a bare heading."""
        if self.plan is None:
            return [f"## 工作任务\n\n未收录{_md(self.district.name)}{self.year}年工作任务清单。\n"]
        blocks = []
        for section in self.plan.sections:
            nested = section.heading.startswith("（")
            heading = f"## {_md(section.heading)}\n\n"
            for i, task in enumerate(section.tasks, start=1):
                number = f"{i}." if nested else text.section_number(i)
                # the full stop stays outside the bold: CommonMark does not close "**" between
                # a punctuation mark and a letter, which Chinese text has everywhere
                lines = [f"**{number}{_md(task.title)}**。{_md(task.description)}"]
                if task.responsible or task.deadline or task.targets:
                    lines.append("")
                if task.responsible:
                    lines.append(f"- 责任科室：{_md(task.responsible)}")
                if task.deadline:
                    lines.append(f"- 完成时限：{_md(task.deadline)}")
                if task.targets:
                    lines.append("- 量化目标：" + "；".join(_md(t.text) for t in task.targets))
                blocks.append(heading + "\n".join(lines) + "\n")
                heading = ""
            if heading:
                blocks.append(heading)
        return blocks

    def budget_heading(self) -> str:
        return (f"## 附：{self.year}年主要救助和福利项目资金测算\n\n"
                f"按{self.year - 1}年与{self.year}年模型测算的人次和资金，资金变化拆分为标准（人均待遇）因素和"
                f"人次（数量）因素，两者之和等于变化总额。\n")

    def decomposition(self, scenario: str = BASELINE) -> pd.DataFrame:
        base = self.this_year[self.this_year["scenario"] == BASELINE]
        return price_volume(base, self.results[self.results["scenario"] == scenario])

    def budget_sentence(self, scenario: str = BASELINE) -> str:
        split = self.decomposition(scenario)
        return text.plan_budget_sentence(self.year, float(split["amount0"].sum()), float(split["amount1"].sum()),
                                         float(split["price"].sum()), float(split["volume"].sum()),
                                         scenario=self.titles[scenario])

    def budget_table(self, scenario: str = BASELINE) -> pd.DataFrame:
        """Per program: person-times and 万元 both years, the change, and its price and volume parts."""
        y0, y1 = self.year - 1, self.year
        split = self.decomposition(scenario)
        total = split[["q0", "q1", "amount0", "amount1", "change", "price", "volume"]].sum()
        labelled = [(family_label(f), r) for f, r in zip(split["family"], split.itertuples(index=False))]
        rows = [{"项目": label, f"{y0}年人次": _count(r.q0), f"{y1}年人次": _count(r.q1),
                 f"{y0}年金额（万元）": _wan(r.amount0), f"{y1}年金额（万元）": _wan(r.amount1),
                 "增减（万元）": _wan(r.change), "标准因素（万元）": _wan(r.price), "人次因素（万元）": _wan(r.volume)}
                for label, r in labelled + [("合计", total)]]
        return _table(rows)

    def budget(self) -> list:
        """For the baseline and each scenario: its sentence, then its table."""
        return [part for name in self.titles for part in (self.budget_sentence(name), self.budget_table(name))]

    def money_chart(self):
        from .report import charts

        results = self.results[self.results["scenario"] == BASELINE]
        return _png(charts.monthly_money(by_family(results), title=f"{self.year}年各项目月度支出（基准方案）"))

    def year_on_year_chart(self):
        from .report import charts

        this = self.this_year[self.this_year["scenario"] == BASELINE]
        nxt = self.results[self.results["scenario"] == BASELINE]
        return _png(charts.year_on_year(by_family(nxt), by_family(this), title=f"各项目年度支出：{self.year}年与{self.year - 1}年（基准方案）"))

    def scenario_chart(self):
        """Monthly total of each scenario against the baseline, or None without scenarios."""
        from .report import charts

        if not self.scenarios:
            return None
        results = self.results.copy()
        results["scenario"] = results["scenario"].map(lambda s: s if s == BASELINE else self.titles.get(s, s))
        return _png(charts.scenario_vs_baseline(results, title=f"{self.year}年月度支出合计：方案与基准"))

    def scenario_note(self) -> str:
        if not self.scenarios:
            return "本次只测算基准方案（现行标准延续）。\n"
        return "测算方案：" + "；".join(f"{_md(s.title)}（{_md(s.name)}）" for s in self.scenarios) + "。\n"


# ---------------------------------------------------------------- the batch: civsim report

def jobs(items, scenario: str = BASELINE, out: Path | str | None = None) -> list:
    """The batch Jobs of the summary (for each year) and plan (for year + 1) of each district-year."""
    from . import batch

    out = Path(out) if out else REPORTS
    plan_scenarios = [] if scenario == BASELINE else [scenario]
    result = []
    for district, year, month in items:
        found = districts.find(district)
        folder = out / batch.safe_component(found.label) / batch.safe_component(str(year))
        result.append(batch.Job(NOTEBOOKS / f"{SUMMARY_NOTEBOOK}.ipynb", folder, SUMMARY_NOTEBOOK,
                                {"district": found.name, "year": int(year), "scenario": BASELINE, "as_of_month": int(month)},
                                f"{found.name} {year}年工作总结"))
        result.append(batch.Job(NOTEBOOKS / f"{PLAN_NOTEBOOK}.ipynb", folder, PLAN_NOTEBOOK,
                                {"district": found.name, "year": int(year) + 1, "scenarios": plan_scenarios},
                                f"{found.name} {int(year) + 1}年工作计划"))
    return result


def main(district=None, year=None, scenario: str = BASELINE, workers: int | None = None, out=None,
         timeout: float = 600, progress: bool = True) -> int:
    """Render the shipped district-years (no district) or one; print a summary; 1 if any failed.

    A bad district, year or scenario fails here, once, before any notebook starts.
    """
    from . import batch

    if district is None:
        items = [(s.district, s.year, s.as_of_month) for s in SHIPPED]
    else:
        if year is None:
            raise CivsimError("civsim report", "--year", "missing", "a year such as 2020")
        items = [(districts.find(district).name, int(year), as_of_month(district, int(year)))]
    if scenario != BASELINE:
        chosen = scenarios_module.load(scenario)
        for name, year_, _ in items:           # the plan is for the year after
            scenarios_module.apply(params_module.load(name), chosen, year_ + 1)
    outcomes = batch.run(jobs(items, scenario, out), workers=workers, timeout=timeout, progress=progress,
                         kernel_name=KERNEL)
    print(batch.summary(outcomes))
    return 0 if all(outcome.ok for outcome in outcomes) else 1


__all__ = ["SHIPPED", "Shipped", "AnnualSummary", "NextYearPlan", "price_volume", "as_of_month", "show", "jobs",
           "main"]
