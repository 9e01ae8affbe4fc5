"""预算测算: the budget as a 财务科 submits it with its 部门预算.

A first page with the 预算总表 by program (上年预计执行数, 本年预算数, 增减额, 增减率 and the
P10—P90 range in one column); then, program by program, its 测算依据 in words and numbers
("低保：月均保障1098人 × 月人均补助518.19元 × 12个月 = 682.92万元", the standards in force and
since when, the supplements repeated and the one-offs that end, by name); the change split into
标准因素, 人数因素 and 一次性及阶段性项目 in one short table and one chart; the three budget years
(中期财政规划) in one table; the assumptions as a numbered list.

Every figure is a :class:`civsim.budget.Projection`'s (means, ranges, the split) or a parameter it
ran on (:mod:`civsim.budget.basis`); this module only writes them. The draws and the per-scenario,
per-year tables stay in the workbook (:mod:`civsim.budget.workbook`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

from .. import params as params_module, programs as programs_module, provenance
from ..budget import basis as basis_module
from ..budget.projection import BASELINE, TOTAL, YEARS, Projection
from . import context as context_module, numbers as fmt
from .context import DRAWS
from .display import Closing, Table, Together, labelled_table, markdown_escape, png_image
from .labels import UNIT_WORDS, family_label, program_label
from .text import part_number, section_number

WAN = 10_000
COMPONENTS = (("standard_yuan", "标准因素"), ("people_yuan", "人数因素"), ("one_off_yuan", "一次性及阶段性项目"))
ORIGIN_WORDS = {"assumption": "资料未载，按假设", "calibration": "按上年实际发放推算"}


def wan(yuan: float) -> str:
    """万元 with two decimals, without the unit (a table's header carries it)."""
    return fmt.wan_yuan(yuan)[:-2]


def rate(change: float, previous: float) -> str:
    """增减率: the change over last year's figure, "—" where last year paid nothing."""
    return "—" if round(previous * 100) == 0 else fmt.pct(change / previous)


def value_text(value: float, unit: str) -> str:
    """A standard as a notice writes it: 830元/人·月, 318.33元/人·月, 1个月."""
    number = str(fmt.rounded(value, 2)).rstrip("0").rstrip(".")
    words = UNIT_WORDS.get(unit, unit)
    return number + (words if unit != "months" else "个月")


def month_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月"


def signed_wan(yuan: float) -> str:
    text = fmt.wan_yuan(yuan)
    return text if text.startswith("-") or Decimal(text[:-2]) == 0 else "+" + text


class BudgetDocument:
    """The budget document of a projection (its baseline; each scenario beside it in one table)."""

    def __init__(self, projection: Projection, params=None):
        self.projection = projection
        self.params = params if params is not None else params_module.load(projection.district)
        self.year, self.base_year = projection.year, projection.base_year
        self.lines = basis_module.ordered(basis_module.lines(projection, self.params))
        self.families = basis_module.family_order(self.lines)
        self.family_of = {b.line: b.family for b in self.lines}
        self.sections = (
            ["summary", "basis", "change", "window"]
            + (["scenarios"] if len(projection.scenarios) > 1 else [])
            + ["assumptions"]
        )

    @classmethod
    def of(
        cls, context, district, year: int, scenarios=(), draws: int = DRAWS, seed: int = 1, years: int = YEARS
    ) -> "BudgetDocument":
        """The budget document for ``district``'s budget ``year``: from the context of ``year − 1``
        saved in the folder ``context`` (the batch's), which must have been made for these
        arguments, or, when ``context`` is None or "", from a projection computed here."""
        found = context_module.get(
            context,
            context_module.BUDGET,
            district,
            int(year) - 1,
            scenarios=scenarios,
            draws=draws,
            seed=seed,
            years=years,
        )
        return cls(found.require(context_module.BUDGET).projection, found.params)

    @classmethod
    def compute(
        cls, district, year: int, scenarios=(), draws: int = DRAWS, seed: int = 1, years: int = YEARS
    ) -> "BudgetDocument":
        """The document with its projection computed here (by hand, in a test)."""
        return cls.of(None, district, year, scenarios, draws, seed, years)

    # ------------------------------------------------------------ figures

    def _rows(self, scenario: str = BASELINE, year: int | None = None) -> pd.DataFrame:
        data = self.projection.lines
        return data[(data["scenario"] == scenario) & (data["year"] == (year or self.year))].set_index("program")

    def by_family(self, scenario: str = BASELINE, year: int | None = None) -> pd.DataFrame:
        """The year's lines summed by program family (supplements with their program), in
        declaration order, and the projection's 合计 row last. A family's P10 and P90 are those of
        its lines' sum over the draws (not the sum of their percentiles)."""
        year = year or self.year
        rows = self._rows(scenario, year)
        lines = rows.drop(index=TOTAL)
        columns = ["previous_yuan", "mean_yuan", "change_yuan", "standard_yuan", "people_yuan", "one_off_yuan"]
        family = lines.index.map(lambda line: self.family_of.get(line, line))
        table = lines[columns].groupby(family).sum()
        table = table.reindex(
            [f for f in self.families if f in table.index] + [f for f in table.index if f not in self.families]
        )
        samples = self.projection.samples
        samples = samples[(samples["scenario"] == scenario) & (samples["year"] == year)]
        fen = np.round(samples["amount_yuan"].to_numpy() * 100)
        draws = pd.DataFrame(
            {
                "draw": samples["draw"].to_numpy(),
                "fen": fen,
                "family": samples["program"].map(lambda line: self.family_of.get(line, line)).to_numpy(),
            }
        )
        sums = draws.groupby(["family", "draw"])["fen"].sum().unstack("draw", fill_value=0)
        for column, q in (("p10_yuan", 10), ("p90_yuan", 90)):
            found = pd.Series(np.round(np.percentile(sums.to_numpy(), q, axis=1)) / 100, index=sums.index)
            table[column] = found.reindex(table.index, fill_value=0.0)
        table.loc[TOTAL] = rows.loc[TOTAL, table.columns]
        return table

    def label(self, family: str) -> str:
        return "合计" if family == TOTAL else family_label(family)

    def number(self, section: str) -> str:
        return part_number(self.sections.index(section) + 1)

    # ------------------------------------------------------------ the parts

    @property
    def title(self) -> str:
        return f"{markdown_escape(self.projection.district_name)}民政局{self.year}年主要救助和福利项目预算测算"

    def heading(self) -> str:
        return f"# {self.title}\n"

    def note(self) -> str:
        """What the 总表's columns are, under it."""
        return (
            f"注：本年预算数为按现行标准和在册对象测算的{self.projection.draws}次抽样的均值，测算区间为抽样的"
            f"P10—P90；上年预计执行数为模型对{self.base_year}年全年的测算。各年、各方案的明细数据见同名工作簿。\n"
        )

    def summary(self) -> list:
        """一、预算总表: per program last year, this year, the change, its rate and the range."""
        table = self.by_family()
        rows = [
            {
                "项目": self.label(f),
                "上年预计执行数": wan(r.previous_yuan),
                "本年预算数": wan(r.mean_yuan),
                "增减额": wan(r.change_yuan),
                "增减率": rate(r.change_yuan, r.previous_yuan),
                "区间（P10—P90）": self._range(r.p10_yuan, r.p90_yuan),
            }
            for f, r in zip(table.index, table.itertuples())
        ]
        total = table.loc[TOTAL]
        direction = "增加" if total.change_yuan > 0 else "减少"
        sentence = (
            f"{self.year}年预算数合计{fmt.wan_yuan(total.mean_yuan)}，比{self.base_year}年预计执行数"
            f"{fmt.wan_yuan(total.previous_yuan)}{direction}{fmt.wan_yuan(abs(total.change_yuan))}"
            f"（{fmt.growth(total.change_yuan / total.previous_yuan) if total.previous_yuan else '上年无支出'}）。"
            if round(total.change_yuan * 100)
            else f"{self.year}年预算数合计{fmt.wan_yuan(total.mean_yuan)}，与{self.base_year}年预计执行数持平。"
        )
        return [
            Together(f"## {self.number('summary')}预算总表\n", "单位：万元\n", Table(labelled_table(rows))),
            sentence + "\n",
            self.note(),
        ]

    @staticmethod
    def _range(p10: float, p90: float) -> str:
        low, high = wan(p10), wan(p90)
        return low if low == high else f"{low}—{high}"

    def basis(self) -> list:
        """二、分项目测算依据: per family its lines' formulas, standards, supplements and one-offs."""
        heading = f"## {self.number('basis')}分项目测算依据\n\n"
        parts, rows = [], self._rows()
        for i, family in enumerate(self.families, start=1):
            paragraphs = [self._line_text(b, rows.loc[b.line]) for b in self.lines if b.family == family]
            parts.append(
                heading
                + f"### {section_number(i)}{markdown_escape(self.label(family))}\n\n"
                + "\n\n".join(paragraphs)
                + "\n"
            )
            heading = ""  # the part's heading travels with its first program
        return parts

    def _formula(self, b: basis_module.Basis) -> str:
        amount = fmt.wan_yuan(b.amount_yuan)
        if round(b.amount_yuan * 100) == 0:
            return f"{self.year}年不安排"
        per = fmt.rounded(b.per_time_yuan, 2)
        if b.monthly:
            people = fmt.rounded(b.person_times / 12, 0)
            product = fmt.wan_yuan(people * per * 12)
            return f"月均保障{people}人 × 月人均补助{per}元 × 12个月 {'=' if product == amount else '≈'} {amount}"
        times = fmt.rounded(b.person_times, 0)
        product = fmt.wan_yuan(times * per)
        return f"全年{times}人次 × 人次均{per}元 {'=' if product == amount else '≈'} {amount}"

    def _standards(self, b: basis_module.Basis) -> str:
        texts = []
        for s in b.standards:
            when = ORIGIN_WORDS.get(s.origin) or (f"{month_text(s.since)}起")
            texts.append(f"{markdown_escape(s.name)}{value_text(s.value, s.unit)}（{when}）")
        return "执行标准：" + "，".join(texts) if texts else ""

    def _repeated(self, b: basis_module.Basis) -> str:
        texts = []
        for item in b.repeated:
            months = "、".join(f"{int(m[5:])}月" for m in item["months"] if m.startswith(str(self.year)))
            values = "、".join(value_text(v, item["unit"]) for v in item["values"])
            texts.append(
                f"{markdown_escape(item['description'] or program_label(b.line))}{values}（{months}，按上年同月延续）"
            )
        return "；".join(texts)

    def _one_offs(self, b: basis_module.Basis) -> str:
        if round(b.base_one_off_yuan * 100) == 0:
            return ""
        items = []
        for item in b.one_offs:
            months = item["months"]
            period = (
                f"{int(months[0][:4])}年{int(months[0][5:])}月"
                if len(months) == 1
                else f"{int(months[0][:4])}年{int(months[0][5:])}—{int(months[-1][5:])}月"
            )
            values = "、".join(value_text(v, item["unit"]) for v in item["values"])
            items.append(f"{markdown_escape(item['description'] or item['path'])}{values}（{period}）")
        what = f"（{'；'.join(items)}）" if items else ""
        return f"{self.base_year}年含一次性及阶段性支出{fmt.wan_yuan(b.base_one_off_yuan)}{what}，{self.year}年不延续"

    def _change(self, r) -> str:
        if round(r.change_yuan * 100) == 0:
            return f"与{self.base_year}年持平"
        parts = [
            f"{name}{signed_wan(getattr(r, column))}" for column, name in COMPONENTS if round(getattr(r, column) * 100)
        ]
        return (
            f"比{self.base_year}年{'增加' if r.change_yuan > 0 else '减少'}{fmt.wan_yuan(abs(r.change_yuan))}："
            + "，".join(parts)
        )

    def _line_text(self, b: basis_module.Basis, r) -> str:
        program = programs_module.LINE_PROGRAM[b.line]
        sentences = [f"**{markdown_escape(program_label(b.line))}**：{self._formula(b)}"]
        if "prices" in program.uses and round(b.amount_yuan * 100):
            sentences.append(
                f"按CPI和食品CPI同比涨幅触发发放，预算数为各次抽样的均值，"
                f"测算区间{self._range(r.p10_yuan, r.p90_yuan)}万元"
            )
        sentences += [self._standards(b), self._repeated(b), self._one_offs(b), self._change(r)]
        sentences += self._reserve(b)
        since = [
            s for s in b.standards if s.origin == "document" and s.since.year == self.base_year and s.since.month > 1
        ]
        if since and round(r.standard_yuan * 100):
            sentences.append(f"标准因素主要为{month_text(since[0].since)}调整的标准在{self.year}年全年执行")
        return "。".join(s for s in sentences if s) + "。"

    def _reserve(self, b: basis_module.Basis) -> list[str]:
        if b.line != "temporary":
            return []
        reserve = self.projection.reserve
        row = reserve[(reserve["scenario"] == BASELINE) & (reserve["year"] == self.year)]
        if row.empty or not np.isfinite(row.iloc[0].reserve_percent):
            return []
        r = row.iloc[0]
        return [
            f"另按{self.base_year}年低保支出{fmt.wan_yuan(r.previous_dibao_yuan)}的{r.reserve_percent:g}%"
            f"安排街道临时救助备用金{fmt.wan_yuan(r.reserve_yuan)}"
        ]

    def change(self) -> list:
        """三、增减因素分析: the change per program in its three parts, then the chart."""
        table = self.by_family()
        rows = [
            {
                "项目": self.label(f),
                "增减额": wan(r.change_yuan),
                **{name: wan(getattr(r, column)) for column, name in COMPONENTS},
            }
            for f, r in zip(table.index, table.itertuples())
        ]
        total = table.loc[TOTAL]
        sentence = (
            f"{self.year}年比{self.base_year}年增减{signed_wan(total.change_yuan)}，其中：标准因素"
            f"{signed_wan(total.standard_yuan)}（标准调整，两年都在册的对象按新旧标准之差）；人数因素"
            f"{signed_wan(total.people_yuan)}（对象增减，各按本人待遇）；一次性及阶段性项目"
            f"{signed_wan(total.one_off_yuan)}（不延续的补助结束、新的阶段性补助开始）。三者之和等于增减额。\n"
        )
        return [
            Together(
                f"## {self.number('change')}增减因素分析\n", sentence, "单位：万元\n", Table(labelled_table(rows))
            ),
            self.chart(),
        ]

    def chart(self):
        """Each program's change in its three parts, rises to the right of zero and falls to the
        left, stacked (万元)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        from .charts import use_cjk_font

        use_cjk_font()
        table = self.by_family().drop(index=TOTAL)
        labels = [self.label(f) for f in table.index]
        fig = Figure(figsize=(8, 0.42 * len(labels) + 1.4), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        y = np.arange(len(labels))
        right, left = np.zeros(len(labels)), np.zeros(len(labels))
        for (column, name), colour in zip(COMPONENTS, ("#c0392b", "#2e86c1", "#7f8c9a")):
            values = table[column].to_numpy() / WAN
            start = np.where(values >= 0, right, left)
            ax.barh(y, values, left=start, height=0.6, color=colour, label=name)
            right, left = right + np.clip(values, 0, None), left + np.clip(values, None, 0)
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.set_xlabel("万元")
        ax.set_title(f"{self.projection.district_name}{self.year}年各项目比{self.base_year}年增减的构成")
        ax.grid(axis="x", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
        fig.legend(frameon=False, loc="outside lower center", ncols=3)
        return png_image(fig)

    def window(self) -> list:
        """四、中期财政规划: each budget year's amount per program, last year's beside them."""
        years = self.projection.years
        tables = {year: self.by_family(year=year) for year in years}
        first = tables[years[0]]
        rows = []
        for family in first.index:
            row = {"项目": self.label(family), f"{self.base_year}年预计执行数": wan(first.loc[family, "previous_yuan"])}
            row.update(
                {
                    f"{year}年": wan(tables[year].loc[family, "mean_yuan"]) if family in tables[year].index else wan(0)
                    for year in years
                }
            )
            rows.append(row)
        span = f"{years[0]}—{years[-1]}年" if len(years) > 1 else f"{years[0]}年"
        note = (
            f"{span}各项目预算数：现行标准在无调整文件的年度保持{self.base_year}年12月水平，"
            f"经常性补助按上年同月延续，人数按趋势和抽样变动；各年测算区间见工作簿。\n"
        )
        return [
            Together(
                f"## {self.number('window')}中期财政规划（{span}）\n", note, "单位：万元\n", Table(labelled_table(rows))
            )
        ]

    def scenarios(self) -> list | None:
        """Each scenario's budget-year amount per program against the baseline; None without scenarios."""
        if "scenarios" not in self.sections:
            return None
        base = self.by_family()
        rows = []
        for family in base.index:
            row = {"项目": self.label(family), "基准方案": wan(base.loc[family, "mean_yuan"])}
            for k, name in enumerate(self.projection.scenarios[1:], start=1):
                other = self.by_family(name)
                value = other.loc[family, "mean_yuan"] if family in other.index else 0.0
                row[f"方案{k}"] = wan(value)
                row[f"方案{k}较基准增减"] = wan(
                    round(value * 100) / 100 - round(base.loc[family, "mean_yuan"] * 100) / 100
                )
            rows.append(row)
        titles = "；".join(
            f"方案{k}：{markdown_escape(self.projection.titles[n])}"
            for k, n in enumerate(self.projection.scenarios[1:], start=1)
        )
        return [
            Together(
                f"## {self.number('scenarios')}方案比较\n",
                f"{self.year}年按以下方案测算。{titles}。\n",
                "单位：万元\n",
                Table(labelled_table(rows)),
            )
        ]

    def assumptions(self) -> list:
        """The workbook's 假设与说明 as a numbered list, a kind of item once: a kind with many rows
        (the standards held flat, the one-offs) names them, their values being in the 测算依据 and
        the workbook (which keeps every row and its parameter code)."""
        from ..budget.workbook import assumptions

        table = assumptions(self.projection)
        for k, name in enumerate(self.projection.scenarios[1:], start=1):  # as the 方案比较 names them
            table["项目"] = table["项目"].str.replace(f"方案 {name}：", f"方案{k}：", regex=False)
        items = []
        for kind, rows in table.groupby("项目", sort=False):
            if len(rows) > 3:
                names = "、".join(dict.fromkeys(markdown_escape(v) for v in rows["取值"]))
                items.append(f"{markdown_escape(kind)}（{len(rows)}项）：{names}")
                continue
            texts = [
                markdown_escape(r.取值) + (f"，{markdown_escape(r.说明)}" if r.说明 else "")
                for r in rows.itertuples(index=False)
            ]
            items.append(f"{markdown_escape(kind)}：" + "；".join(texts))
        # one output an item, so that the list runs on from page to page (an output is kept whole in
        # print); each item is numbered on from the one before, as the plan's tasks are
        heading = f"## {self.number('assumptions')}测算假设\n\n"
        return [(heading if i == 1 else "") + f"{i}. {text.rstrip('。')}。\n" for i, text in enumerate(items, start=1)]

    def closing(self) -> Closing:
        """落款, today's date and the colophon."""
        return Closing(
            f"{self.projection.district_name}民政局",
            dt.date.today(),
            provenance.of(self.params, seed=self.projection.seed).line(),
        )


__all__ = ["BudgetDocument", "wan", "rate", "value_text"]
