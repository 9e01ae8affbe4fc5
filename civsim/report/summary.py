"""The annual summary (工作总结) a notebook shows: one district-year in the bureau's own words.

:class:`AnnualSummary` gives the model's year (to the as-of month) in the seeds' sentences, by area
of work, with the bureau's own qualitative points, charts, a table per program, the problems and
next year's plan from its documents, and the model-vs-reported table as appendix. The notebook
``civsim/notebooks/annual_summary.ipynb`` only calls it and displays what it returns, so everything the
summary shows is code that can be tested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import datetime as dt

from .. import engine, provenance, scenarios as scenarios_module
from ..programs import family
from ..errors import CivsimError
from . import context as context_module, documents, numbers as fmt, targets as targets_module, text
from .display import (
    Closing,
    count_text,
    first_months,
    png_image,
    labelled_table,
    wan_text,
    by_family,
    main_programs,
    markdown_escape,
)
from .labels import AREA_LABELS, BASELINE, MEASURE_LABELS, family_label, order, program_label, reason_code, reason_label


# Areas the model has figures for, with the summary areas whose points they take in; leading areas
# (party building) come before them as in the seeds, every other area of the summary after them.
# The areas and their sentences come from the program declarations (text.areas); ALIASES are the
# other headings a bureau's own summary gives an area.
LEADING_AREAS = ("党的建设",)
ALIASES = {"残疾人福利": ("残疾人保障",), "殡葬管理": ("殡葬服务",)}
MODEL_AREAS = tuple((area, (area, *ALIASES.get(area, ())), keys) for area, keys in text.areas())


class AnnualSummary:
    """One district-year's 工作总结, formatted from a context holding the year and the year before
    (:mod:`civsim.report.context`): nothing is simulated here."""

    def __init__(self, context: context_module.Context, as_of_month: int = 12):
        self.context = context.require(context_module.SUMMARY)
        self.params = context.params
        self.district = self.params.district
        fmt.as_of(as_of_month)  # checks it is a month 1..12
        key = context.key
        self.year, self.scenario, self.as_of_month = key.year, key.scenario, int(as_of_month)
        self.seed = key.seed
        self.scenario_title = "基准方案" if self.scenario == BASELINE else scenarios_module.load(self.scenario).title
        # from_districts: a city's or province's figures as the sum of its districts' (civsim.province)
        self.from_districts = key.from_districts
        self.all_results = context.results
        results = self.all_results[self.all_results["scenario"] == self.scenario]
        self.results = first_months(results, self.year, self.as_of_month)
        self.last_year = first_months(context.last_year, self.year - 1, self.as_of_month)
        self.summary = documents.summary(self.district.code, self.year)
        self.plan = (
            documents.next_plan(self.summary)
            if self.summary is not None
            else documents.plan(self.district.code, self.year + 1)
        )
        self.where = text.scope(self.district.level)
        month = pd.Period(f"{self.year}-{self.as_of_month:02d}", "M")
        self.stock = engine.stock(self.results, month)
        self.flows = engine.year_totals(self.results)

    @classmethod
    def of(
        cls,
        context,
        district,
        year: int,
        scenario: str = BASELINE,
        as_of_month: int = 12,
        seed: int | None = None,
        from_districts: bool = False,
        roll: str | None = None,
    ) -> "AnnualSummary":
        """The summary of ``district``'s ``year``: from the context saved in the folder ``context``
        (the batch's), which must have been made for these arguments, or, when ``context`` is None or
        "", from one computed here. ``roll``: a folder holding the bureau's own roll (civsim roll
        import), or its exports."""
        fmt.as_of(as_of_month)  # a bad month is one line before anything is computed
        found = context_module.get(
            context,
            context_module.SUMMARY,
            district,
            year,
            scenario=scenario,
            seed=seed,
            from_districts=from_districts,
            roll=roll,
        )
        return cls(found, as_of_month)

    @classmethod
    def compute(
        cls,
        district,
        year: int,
        scenario: str = BASELINE,
        as_of_month: int = 12,
        seed: int | None = None,
        from_districts: bool = False,
        roll: str | None = None,
    ) -> "AnnualSummary":
        """The summary with its context computed here (by hand, in a test)."""
        return cls.of(None, district, year, scenario, as_of_month, seed, from_districts, roll)

    # -- headings and words
    @property
    def title(self) -> str:
        return f"{markdown_escape(self.district.name)}民政局{self.year}年工作总结"

    def heading(self) -> str:
        """The h1 title, the opening paragraph and where the words and the figures come from."""
        opening = (
            markdown_escape(self.summary.opening)
            if self.summary and self.summary.opening
            else (
                f"{self.year}年，{markdown_escape(self.district.name)}民政局围绕兜底保障、基本社会服务和基层治理开展工作，现将全年工作总结如下。"
            )
        )
        figures = (
            f"文中救助和福利资金、人数为模型按{markdown_escape(self.scenario_title)}测算的{self.year}年"
            f"{fmt.month_range(1, self.as_of_month)}数据，与报告数的对照见附录。"
        )
        if self.from_districts:
            from ..province import coverage_note

            figures += markdown_escape(coverage_note(self.district.code))
        words = (
            f"各项工作情况摘自《{markdown_escape(self.summary.title)}》。"
            if self.summary
            else f"未收录{markdown_escape(self.district.name)}{self.year}年工作总结文本，本文只列模型测算数据。"
        )
        return f"# {self.title}\n\n{opening}\n\n> 说明：{figures}{words}\n"

    def sentences(self, key: str) -> str:
        """The generated sentence of one program or shared sentence ("dibao", "disability", … or "total")."""
        date = pd.Period(f"{self.year}-{self.as_of_month:02d}", "M").start_time.date()
        return text.sentence(
            key, self.stock, self.flows, self.as_of_month, where=self.where, params=self.params, date=date
        )

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
        for area in self.summary.areas if self.summary else ():
            if area.area not in taken:
                out.append((area.area, "", area.points))
        return out

    def achievements(self) -> list[str]:
        """一、工作成效 as Markdown blocks: the heading with the year's total, then one numbered
        subsection per area, generated figures first, then the summary's points."""
        lead = self.sentences("total")
        blocks = [f"## 一、{self.year}年工作成效\n" + (f"\n{lead}\n" if lead else "")]
        for number, (area, paragraph, points) in enumerate(self.areas(), start=1):
            parts = [f"### {text.section_number(number)}{markdown_escape(area)}\n"]
            if paragraph:
                parts.append(paragraph + "\n")
            if points:
                parts.append("\n".join(f"{i}. {markdown_escape(p.text)}" for i, p in enumerate(points, start=1)) + "\n")
            blocks.append("\n".join(parts))
        return blocks

    def data_heading(self) -> str:
        number = text.section_number(len(self.areas()) + 1)
        span, at = fmt.month_range(1, self.as_of_month), fmt.as_of(self.as_of_month)
        return (
            f"### {number}主要项目测算数据\n\n{self.year}年{span}各项目的月度人数和支出，以及与{self.year - 1}年"
            f"同期的比较（模型测算）。表中在册户数、人数为{at}数，人次、金额为{span}累计数；"
            f"金额含各项目的价格临时补贴和一次性补助。\n"
        )

    # -- charts
    def caseload_chart(self):
        from . import charts

        return png_image(charts.monthly_caseload(main_programs(self.results), title=f"{self.year}年各项目月度救助人数"))

    def money_chart(self):
        from . import charts

        return png_image(charts.monthly_money(by_family(self.results), title=f"{self.year}年各项目月度支出"))

    def year_on_year_chart(self):
        """This year's money per program beside last year's; a one-line note when last year paid nothing."""
        from . import charts

        span = fmt.month_range(1, self.as_of_month)
        if self.last_year.empty or not self.last_year["amount_yuan"].any():
            return f"（{self.year - 1}年无模型数据，不作同比。）"
        return png_image(
            charts.year_on_year(
                by_family(self.results),
                by_family(self.last_year),
                title=f"各项目{span}支出：{self.year}年与{self.year - 1}年",
            )
        )

    # -- tables
    def program_table(self) -> pd.DataFrame:
        """One row per program (its supplements included), in 户, 人, 人次 and 万元, with last year's money."""
        flows = self.flows.assign(family=self.flows["program"].map(family))
        last = self.last_year.assign(family=self.last_year["program"].map(family))
        money = flows.groupby("family")["amount_yuan"].sum()
        last_money = last.groupby("family")["amount_yuan"].sum()
        times = flows[flows["program"] == flows["family"]].groupby("family")["person_times"].sum()
        held = self.stock.groupby("program")[["households", "persons"]].sum()

        def months_paid(results):
            paid = results[results["amount_yuan"] > 0]
            return paid.assign(family=paid["program"].map(family)).groupby("family")["month"].nunique()

        paying, paid_before = months_paid(self.results), months_paid(self.last_year)

        def comparable(family) -> bool:
            """Last year is comparable when the line paid in at least as many months as this year:
            a rule that began late last year would otherwise show a rise of thousands of percent."""
            if family is None:  # the total compares only when every line does
                return all(comparable(f) for f in paying.index)
            return paid_before.get(family, 0) >= paying.get(family, 0)

        def row(label, households, persons, count, now, before, family=None):
            return {
                "项目": label,
                "在册户数": count_text(households) if households and count_text(households) != "0" else "—",
                "在册人数": count_text(persons) if persons and count_text(persons) != "0" else "—",
                "累计人次": count_text(count),
                "累计金额（万元）": wan_text(now),
                "上年同期（万元）": wan_text(before),
                "同比": (
                    fmt.pct((now - before) / before, signed=True)
                    if before and comparable(family)
                    else "上年无可比数据"
                    if now
                    else "—"
                ),
            }

        rows = [
            row(
                family_label(f),
                float(held["households"].get(f, 0.0)),
                float(held["persons"].get(f, 0.0)),
                float(times.get(f, 0.0)),
                float(money.get(f, 0.0)),
                float(last_money.get(f, 0.0)),
                f,
            )
            for f in order(set(money.index) | set(last_money.index))
        ]
        rows.append(row("合计", 0, 0, float(times.sum()), float(money.sum()), float(last_money.sum())))
        return labelled_table(rows)

    def street_table(self) -> str | None:
        """By street (街道), where the roll has streets: households and persons on the roll in the
        as-of month and the money of the months so far, per program (its supplements included)."""
        if "street" not in self.results:
            return None
        month = pd.Period(f"{self.year}-{self.as_of_month:02d}", "M")
        data = self.results[self.results["street"] != ""].assign(family=self.results["program"].map(family))
        held = (
            data[(data["month"] == month) & (data["program"] == data["family"])]
            .groupby(["street", "family"])[["households", "persons"]]
            .sum()
        )
        money = data.groupby(["street", "family"])["amount_yuan"].sum()
        rows = [
            {
                "街道（乡镇）": street,
                "项目": family_label(family),
                "在册户数": count_text(held["households"].get((street, family), 0.0)),
                "在册人数": count_text(held["persons"].get((street, family), 0.0)),
                f"{fmt.month_range(1, self.as_of_month)}金额（万元）": wan_text(amount),
            }
            for (street, family), amount in money.items()
            if amount or (street, family) in held.index
        ]
        rows.sort(key=lambda r: r["街道（乡镇）"])
        return [f"### 分街道（乡镇）情况\n\n据本局花名册，截至{self.as_of_month}月：\n", labelled_table(rows)]

    # -- problems and next year
    def problems(self) -> str:
        head = "## 二、存在的问题\n\n"
        if self.summary is None:
            return head + f"未收录{markdown_escape(self.district.name)}{self.year}年工作总结，本节从略。\n"
        if not self.summary.problems:
            return head + f"《{markdown_escape(self.summary.title)}》未列存在的问题。\n"
        return (
            head
            + "\n".join(f"{i}. {markdown_escape(p.text)}" for i, p in enumerate(self.summary.problems, start=1))
            + "\n"
        )

    def next_year(self) -> str:
        head = f"## 三、{self.year + 1}年工作计划\n\n"
        if self.plan is None:
            return head + f"未收录{markdown_escape(self.district.name)}{self.year + 1}年工作计划。\n"
        lines = [
            f"据《{markdown_escape(self.plan.title)}》，{self.year + 1}年重点做好以下工作（责任科室、完成时限和量化目标见下一年工作计划）：\n"
        ]
        for section in self.plan.sections:  # the headings carry their own numbers ("（一）")
            tasks = "；".join(markdown_escape(t.title) for t in section.tasks)
            lines.append(f"- **{markdown_escape(section.heading)}**" + (f"：{tasks}。" if tasks else ""))
        return head + "\n".join(lines) + "\n"

    # -- plan against actual
    def plan_against_actual(self):
        """目标 / 完成 / 完成率 of the quantified targets of this year's plan that the year reports, or
        None when there is no plan for the year or it sets no targets."""
        from .. import reported_figures

        plan = documents.plan(self.district.code, self.year)
        aims = [t.text for s in (plan.sections if plan else ()) for task in s.tasks for t in task.targets]
        if not aims:
            return None
        figures = reported_figures.for_district(self.district.code, self.year)
        texts = [p.text for a in (self.summary.areas if self.summary else ()) for p in a.points]
        texts += [q for q, source in zip(figures["quote"], figures["source"]) if source != plan.source]
        rows = targets_module.compare(aims, texts)
        head = f"### {self.year}年工作计划量化目标完成情况\n\n"
        if not rows:
            return head + (
                f"《{markdown_escape(plan.title)}》列有{len(aims)}项量化目标，本年总结和报告数中未见对应的完成数。\n"
            )
        return [
            head + f"对照《{markdown_escape(plan.title)}》所列量化目标与本年报告的完成数：\n",
            labelled_table(rows, corner="目标"),
        ]

    # -- closing
    def provenance(self):
        return provenance.of(self.params, seed=self.seed)

    def closing(self) -> Closing:
        """落款, the summary's own date (or today's when none is kept) and the colophon."""
        day = self.summary.date if self.summary else dt.date.today()
        return Closing(f"{self.district.name}民政局", day, self.provenance().line())

    # -- appendix
    def reconciliation(self) -> pd.DataFrame:
        """civsim.reconcile's table for this district-year and these results (the context's), with
        each row's reason code; a CivsimError with the context's line when it could not be made."""
        if self.context.reconciliation_error is not None:
            raise CivsimError(None, None, self.context.reconciliation_error)
        if not hasattr(self, "_reconciliation"):
            self._reconciliation = _with_codes_and_areas(self.context.reconciliation, self.district.code, self.year)
        return self._reconciliation

    def appendix(self) -> str:
        head = "## 附录：模型测算与报告数对照\n\n"
        try:
            table = self.reconciliation()
        except CivsimError as exc:
            return head + f"对照表未能生成：{markdown_escape(str(exc))}\n"
        if table.empty:
            return (
                head
                + f"{markdown_escape(self.district.name)}{self.year}年没有录入报告数，模型测算无从对照，不作一致性判断。\n"
            )
        modelled = table["model"].notna()
        return head + (
            f"下表把{markdown_escape(self.district.name)}{self.year}年报告中的每个资金和人数数字与模型的对应数字并列，"
            f"共{int(modelled.sum())}项；另有{int((~modelled).sum())}项为服务量、工作量等模型不模拟的数字，未列入。"
            "“类别”一栏中，输入指该数字本身是模型的输入（标准、在册人数）；校准指模型参数按该数字推算或拟合，"
            "两者相符不说明模型准确；检验指没有任何参数按该数字设定，是独立的检验。"
            "准确度只按检验项计算。\n"
        )

    def reconciliation_table(self) -> pd.DataFrame:
        """The model beside every reported figure it models, with Chinese headers and 万元."""
        try:
            table = self.reconciliation()
        except CivsimError:
            return pd.DataFrame()
        table = table[table["model"].notna()].rename(columns={"class": "kind"})
        rows = []
        for row in table.itertuples(index=False):
            scale = (
                (lambda v: wan_text(v))
                if row.measure == "amount_yuan"
                else (lambda v: fmt.yuan(v)[:-1] if row.measure.startswith("standard") else count_text(v))
            )
            rows.append(
                {
                    "项目": program_label(row.program),
                    "城乡": AREA_LABELS.get(row.area, row.area),
                    "指标": MEASURE_LABELS.get(row.measure, row.measure),
                    "期间": _period(row.period, self.year),
                    "报告数": scale(row.reported),
                    "模型数": scale(row.model),
                    "差异": fmt.pct(row.diff_pct / 100, signed=True) if np.isfinite(row.diff_pct) else "—",
                    "类别": row.kind,
                    "说明": REASON_SHORT.get(row.code, "—"),
                }
            )
        return labelled_table(rows)

    def reconciliation_notes(self) -> str:
        """The accuracy over the independent checks, the model's own words on each figure it misses
        by more than 5%, and the 未解释 remainders."""
        from .. import reconcile

        try:
            table = self.reconciliation()
        except CivsimError:
            return ""
        if table.empty:
            return ""
        checks = table[table["class"] == reconcile.CHECK]
        lines = [reconcile.accuracy_line(table) + "\n"]
        far = table[table["model"].notna() & table["code"].isin(["differs", "calibrated_differs"])]
        if len(checks) and far.empty:
            lines.append("检验项的模型数与报告数差异均在5%以内。\n")
        if not far.empty:
            lines.append("差异超过5%的项目（模型说明）：\n")
            lines += [
                f"- {program_label(r.program)}，{MEASURE_LABELS.get(r.measure, r.measure)}，{_period(r.period, self.year)}："
                f"{markdown_escape(reason_label(r.reason, r.program, r.code, r.area))}"
                for r in far.itertuples(index=False)
            ]
            lines.append("")
        rest = table[table["unexplained_yuan"].notna()]
        if not rest.empty:
            lines.append("未解释（报告数减模型数，规则和名册都不能解释的部分，如实列出而不并入任何参数）：\n")
            lines += [
                f"- {program_label(r.program)}，{_period(r.period, self.year)}：未解释{wan_text(r.unexplained_yuan)}万元"
                for r in rest.itertuples(index=False)
            ]
        return "\n".join(lines) + "\n"


def _period(period: str, year: int | None = None) -> str:
    """ "2020-01..2020-10" → "1—10月" in the report's own year, else "2019年1—10月"; "2020-10" → "10月"."""
    first, _, last = period.partition("..")
    a = pd.Period(first, "M")
    b = pd.Period(last, "M") if last else a
    if a.year != b.year:
        return f"{a.year}年{a.month}月—{b.year}年{b.month}月"
    span = fmt.month_range(a.month, b.month)
    return span if a.year == year else f"{a.year}年{span}"


REASON_SHORT = {
    "matches": "一致",
    "within": "差异在5%以内",
    "differs": "差异超过5%",
    "input_standard": "标准参数",
    "input_caseload": "在册人数",
    "input_typed": "按报告数录入",
    "calibrated": "按报告数推算",
    "calibrated_differs": "推算后仍差异超过5%",
    "not_modelled": "未模拟",
}


def _with_codes_and_areas(table: pd.DataFrame, code: str, year: int) -> pd.DataFrame:
    """The reconciliation with a ``code`` per row: its ``reason_code`` (the table carries each
    reported figure's ``area`` itself)."""
    return table.assign(code=[reason_code(r, c) for r, c in zip(table["reason"], table["reason_code"])])


__all__ = ["AnnualSummary"]
