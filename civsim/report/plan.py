"""The next-year plan (工作计划) a notebook shows, and why its budget moved.

:class:`NextYearPlan` holds the plan's numbered tasks (责任科室, 完成时限, targets) and its budget
part: next year's caseload and money per program under each scenario against this year, the
change split by :func:`civsim.budget.decompose` — the one decomposition the workbook and the
explorer use too — into 标准因素, 人数因素 and 一次性及阶段性项目. The notebook
``civsim/notebooks/next_year_plan.ipynb`` only calls it and displays what it returns, so everything the
plan shows is code that can be tested.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import provenance, scenarios as scenarios_module
from ..programs import family
from . import context as context_module, documents, text
from .display import Closing, count_text, png_image, labelled_table, wan_text, by_family, markdown_escape
from .labels import BASELINE, family_label, order


def families(parts: pd.DataFrame) -> pd.DataFrame:
    """:func:`civsim.budget.decompose`'s lines folded into program families (supplements with the
    program they ride on, as the reports quote "低保金及补贴"): family, q0, q1 (the main program's
    person-times), amount0, amount1, change, standard, people, one_off (yuan, adding up to the fen)."""
    data = parts.assign(family=parts["program"].map(family))
    money = data.groupby("family")[
        ["base_yuan", "budget_yuan", "change_yuan", "standard_yuan", "people_yuan", "one_off_yuan"]
    ].sum()
    main = data[data["program"] == data["family"]].groupby("family")[["base_person_times", "budget_person_times"]].sum()
    table = money.join(main).fillna(0.0).reindex(order(money.index))
    table = table.rename(
        columns={
            "base_person_times": "q0",
            "budget_person_times": "q1",
            "base_yuan": "amount0",
            "budget_yuan": "amount1",
            "change_yuan": "change",
            "standard_yuan": "standard",
            "people_yuan": "people",
            "one_off_yuan": "one_off",
        }
    )
    return table.reset_index().rename(columns={"index": "family"})[
        ["family", "q0", "q1", "amount0", "amount1", "change", "standard", "people", "one_off"]
    ]


class NextYearPlan:
    """A district's work plan for ``year``: its task list and the budget the model projects,
    formatted from the context of the year before (:mod:`civsim.report.context`): nothing is
    simulated here."""

    def __init__(self, context: context_module.Context):
        self.context = context.require(context_module.PLAN)
        self.params = context.params
        self.district = self.params.district
        self.year = context.key.year + 1
        self.seed = context.key.seed
        self.scenarios = [scenarios_module.load(name) for name in context.key.scenarios]
        self.titles = {BASELINE: "基准方案", **{s.name: s.title for s in self.scenarios}}
        self.this_year = context.this_year
        self.results = context.next_year
        self.plan = documents.plan(self.district.code, self.year)

    @classmethod
    def of(cls, context, district, year: int, scenarios=(), seed: int | None = None) -> "NextYearPlan":
        """The plan for ``district``'s ``year``: from the context of ``year − 1`` saved in the folder
        ``context`` (the batch's), which must have been made for these arguments, or, when
        ``context`` is None or "", from one computed here."""
        return cls(
            context_module.get(context, context_module.PLAN, district, int(year) - 1, scenarios=scenarios, seed=seed)
        )

    @classmethod
    def compute(cls, district, year: int, scenarios=(), seed: int | None = None) -> "NextYearPlan":
        """The plan with its context computed here (by hand, in a test)."""
        return cls.of(None, district, year, scenarios, seed)

    @property
    def title(self) -> str:
        if self.plan:
            return markdown_escape(self.plan.title)
        return f"{markdown_escape(self.district.name)}民政局{self.year}年工作计划"

    def heading(self) -> str:
        source = (
            f"工作任务摘自《{markdown_escape(self.plan.title)}》；"
            if self.plan
            else f"未收录{markdown_escape(self.district.name)}{self.year}年工作任务清单；"
        )
        tasks = [t for section in (self.plan.sections if self.plan else ()) for t in section.tasks]
        if tasks and not any(t.responsible or t.deadline for t in tasks):
            source += "原文未列各项任务的责任科室和完成时限；"
        chosen = "、".join(markdown_escape(t) for t in self.titles.values())
        return (
            f"# {self.title}\n\n> 说明：{source}资金测算部分为模型按{chosen}对{self.year}年各项目"
            f"人数和资金的测算，与{self.year - 1}年模型数比较。\n"
        )

    def tasks(self) -> list[str]:
        """The numbered tasks as Markdown blocks, each an item of its section's numbered list with
        责任科室, 完成时限 and its targets beneath; a heading travels with its first task so that a page
        never ends on a bare heading."""
        if self.plan is None:
            return [f"## 工作任务\n\n未收录{markdown_escape(self.district.name)}{self.year}年工作任务清单。\n"]
        blocks = []
        for section in self.plan.sections:
            heading = f"## {markdown_escape(section.heading)}\n\n"
            for i, task in enumerate(section.tasks, start=1):
                # the full stop stays outside the bold: CommonMark does not close "**" between
                # a punctuation mark and a letter, which Chinese text has everywhere
                lines = [f"{i}. **{markdown_escape(task.title)}**。{markdown_escape(task.description)}"]
                if task.responsible or task.deadline or task.targets:
                    lines.append("")
                if task.responsible:
                    lines.append(f"   - 责任科室：{markdown_escape(task.responsible)}")
                if task.deadline:
                    lines.append(f"   - 完成时限：{markdown_escape(task.deadline)}")
                if task.targets:
                    lines.append("   - 量化目标：" + "；".join(markdown_escape(t.text) for t in task.targets))
                blocks.append(heading + "\n".join(lines) + "\n")
                heading = ""
            if heading:
                blocks.append(heading)
        return blocks

    def budget_heading(self) -> str:
        return (
            f"## 附：{self.year}年主要救助和福利项目资金测算\n\n"
            f"按{self.year - 1}年与{self.year}年模型测算的人次和资金，资金变化拆分为标准因素（两年都在册的人，"
            f"按新旧标准之差）、人数因素（新进和退出的人，各按本人待遇）和一次性及阶段性项目（不延续的补助），"
            f"三者之和等于变化总额；经常性的补助（如春节慰问）按上年同月延续。\n"
        )

    def decomposition(self, scenario: str = BASELINE) -> pd.DataFrame:
        """The budget change per family, from the same decomposition as the workbook's (the context's)."""
        parts = self.context.decomposition
        chosen = parts[parts["scenario"] == scenario].drop(columns="scenario").reset_index(drop=True)
        return families(chosen)

    def budget_sentence(self, scenario: str = BASELINE) -> str:
        split = self.decomposition(scenario)
        return text.plan_budget_sentence(
            self.year,
            float(split["amount0"].sum()),
            float(split["amount1"].sum()),
            float(split["standard"].sum()),
            float(split["people"].sum()),
            float(split["one_off"].sum()),
            scenario=markdown_escape(self.titles[scenario]),
        )

    def budget_table(self, scenario: str = BASELINE) -> pd.DataFrame:
        """Per program: person-times and 万元 both years, the change, and its three parts."""
        y0, y1 = self.year - 1, self.year
        split = self.decomposition(scenario)
        total = split[["q0", "q1", "amount0", "amount1", "change", "standard", "people", "one_off"]].sum()
        labelled = [(family_label(f), r) for f, r in zip(split["family"], split.itertuples(index=False))]
        rows = [
            {
                "项目": label,
                f"{y0}年人次": count_text(r.q0),
                f"{y1}年人次": count_text(r.q1),
                f"{y0}年金额（万元）": wan_text(r.amount0),
                f"{y1}年金额（万元）": wan_text(r.amount1),
                "增减（万元）": wan_text(r.change),
                "标准因素（万元）": wan_text(r.standard),
                "人数因素（万元）": wan_text(r.people),
                "一次性及阶段性项目（万元）": wan_text(r.one_off),
            }
            for label, r in labelled + [("合计", total)]
        ]
        return labelled_table(rows)

    def budget(self) -> list:
        """For the baseline and each scenario: its sentence, then its table."""
        return [part for name in self.titles for part in (self.budget_sentence(name), self.budget_table(name))]

    def money_chart(self):
        from . import charts

        results = self.results[self.results["scenario"] == BASELINE]
        return png_image(charts.monthly_money(by_family(results), title=f"{self.year}年各项目月度支出（基准方案）"))

    def year_on_year_chart(self):
        from . import charts

        this = self.this_year[self.this_year["scenario"] == BASELINE]
        nxt = self.results[self.results["scenario"] == BASELINE]
        return png_image(
            charts.year_on_year(
                by_family(nxt), by_family(this), title=f"各项目年度支出：{self.year}年与{self.year - 1}年（基准方案）"
            )
        )

    def scenario_chart(self):
        """Monthly total of each scenario against the baseline, or None without scenarios."""
        from . import charts

        if not self.scenarios:
            return None
        results = self.results.copy()
        results["scenario"] = results["scenario"].map(lambda s: s if s == BASELINE else self.titles.get(s, s))
        return png_image(charts.scenario_vs_baseline(results, title=f"{self.year}年月度支出合计：方案与基准"))

    def scenario_note(self) -> str:
        if not self.scenarios:
            return "本次只测算基准方案（现行标准延续）。\n"
        return "测算方案：" + "；".join(markdown_escape(s.title) for s in self.scenarios) + "。\n"

    def closing(self) -> Closing:
        """落款, today's date and the colophon (provenance of the figures)."""
        return Closing(
            f"{self.district.name}民政局", dt.date.today(), provenance.of(self.params, seed=self.seed).line()
        )


__all__ = ["NextYearPlan", "families"]
