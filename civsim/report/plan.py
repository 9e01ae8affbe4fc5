"""The next-year plan (工作计划) a notebook shows, and the price-volume split of its budget.

:class:`NextYearPlan` holds the plan's numbered tasks (责任科室, 完成时限, targets) and its budget
part: next year's caseload and money per program under each scenario against this year, the
change split into a price and a volume effect by :func:`price_volume`. The notebook
``notebooks/next_year_plan.ipynb`` only calls it and displays what it returns, so everything the
plan shows is code that can be tested.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import params as params_module, provenance, scenarios as scenarios_module
from . import documents, simcache, text
from .display import Closing, count_text, png_image, labelled_table, wan_text, by_family, markdown_escape
from .labels import BASELINE, family_label, order


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
    from ..budget import split

    def per_family(frame: pd.DataFrame) -> pd.DataFrame:
        data = frame.assign(family=frame["program"].map(text.family))
        money = data.groupby("family")["amount_yuan"].sum()
        main = data[data["program"] == data["family"]].groupby("family")["person_times"].sum()
        return pd.DataFrame({"q": main, "amount": money}).fillna(0.0)

    before, after = per_family(this_year), per_family(next_year)
    families = order(set(before.index) | set(after.index))
    before, after = before.reindex(families).fillna(0.0), after.reindex(families).fillna(0.0)
    rows = []
    for family in families:
        q0, a0, q1, a1 = (float(before.at[family, "q"]), float(before.at[family, "amount"]),
                          float(after.at[family, "q"]), float(after.at[family, "amount"]))
        price, volume = split(a0, q0, a1, q1)
        rows.append({"family": family, "q0": q0, "q1": q1, "amount0": a0, "amount1": a1,
                     "change": price + volume, "price": price, "volume": volume})
    return pd.DataFrame(rows, columns=["family", "q0", "q1", "amount0", "amount1", "change", "price", "volume"])


class NextYearPlan:
    """A district's work plan for ``year``: its task list and the budget the model projects."""

    def __init__(self, district, year: int, scenarios=(), seed: int | None = None):
        self.params = params_module.load(district)
        self.district = self.params.district
        self.year = int(year)
        self.seed = seed
        names = [s for s in dict.fromkeys(scenarios or ()) if s != BASELINE]
        self.scenarios = [scenarios_module.load(name) for name in names]
        self.titles = {BASELINE: "基准方案", **{s.name: s.title for s in self.scenarios}}
        self.this_year = simcache.simulate(self.params, self.year - 1, seed=seed)
        self.results = simcache.simulate(self.params, self.year, scenarios=self.scenarios, seed=seed)
        self.plan = documents.plan(self.district.code, self.year)

    @property
    def title(self) -> str:
        if self.plan:
            return markdown_escape(self.plan.title)
        return f"{markdown_escape(self.district.name)}民政局{self.year}年工作计划"

    def heading(self) -> str:
        source = (f"工作任务摘自《{markdown_escape(self.plan.title)}》；"
                  if self.plan else f"未收录{markdown_escape(self.district.name)}{self.year}年工作任务清单；")
        tasks = [t for section in (self.plan.sections if self.plan else ()) for t in section.tasks]
        if tasks and not any(t.responsible or t.deadline for t in tasks):
            source += "原文未列各项任务的责任科室和完成时限；"
        chosen = "、".join(markdown_escape(t) for t in self.titles.values())
        return (f"# {self.title}\n\n> 说明：{source}资金测算部分为模型按{chosen}对{self.year}年各项目"
                f"人数和资金的测算，与{self.year - 1}年模型数比较。\n")

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
        rows = [{"项目": label, f"{y0}年人次": count_text(r.q0), f"{y1}年人次": count_text(r.q1),
                 f"{y0}年金额（万元）": wan_text(r.amount0), f"{y1}年金额（万元）": wan_text(r.amount1),
                 "增减（万元）": wan_text(r.change), "标准因素（万元）": wan_text(r.price), "人次因素（万元）": wan_text(r.volume)}
                for label, r in labelled + [("合计", total)]]
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
        return png_image(charts.year_on_year(by_family(nxt), by_family(this), title=f"各项目年度支出：{self.year}年与{self.year - 1}年（基准方案）"))

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
        return Closing(f"{self.district.name}民政局", dt.date.today(), provenance.of(self.params, seed=self.seed).line())


__all__ = ["NextYearPlan", "price_volume"]
