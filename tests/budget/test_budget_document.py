"""The 预算测算 document: a 预算总表 on the first page, each program's 测算依据 in words and
numbers, the change in three parts, the three budget years, the assumptions as a numbered list —
every figure the projection's, no table wider than the text block, in both layouts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import docx
import pytest
from pypdf import PdfReader

from civsim import budget, params
from civsim.budget import basis, workbook
from civsim.budget.projection import BASELINE, TOTAL
from civsim.report import layouts, numbers as fmt, word
from civsim.report.budget_document import BudgetDocument, wan
from civsim.report.display import Table, Together
from shipped import SHIPPED, leaks, output

YEAR = 2021


@pytest.fixture(scope="module")
def projection():
    return budget.project("东西湖区", YEAR, ["dibao_plus5_july"], draws=6, seed=3, years=2)


@pytest.fixture(scope="module")
def document(projection):
    return BudgetDocument(projection)


def rows(part) -> list[list[str]]:
    """A Table (or a Together holding one) as the reader sees it: header row, then the rows."""
    tables = [b for b in word.blocks(part._repr_html_()) if b.kind == "table"]
    assert len(tables) == 1
    return [[cell for cell, _ in row] for row in tables[0].rows]


def text_of(parts) -> str:
    out = []
    for part in parts:
        out.append(part if isinstance(part, str) else "\n".join(b.text() for b in word.blocks(part._repr_html_())))
    return "\n".join(out)


def test_the_summary_is_per_program_with_last_year_this_year_change_rate_and_range(document, projection):
    table = rows(document.summary()[0])
    assert table[0] == ["项目", "上年预计执行数", "本年预算数", "增减额", "增减率", "区间（P10—P90）"]
    lines = projection.lines[(projection.lines["scenario"] == BASELINE) & (projection.lines["year"] == YEAR)]
    total = lines[lines["program"] == TOTAL].iloc[0]
    assert table[-1] == [
        "合计",
        wan(total.previous_yuan),
        wan(total.mean_yuan),
        wan(total.change_yuan),
        fmt.pct(total.change_yuan / total.previous_yuan),
        f"{wan(total.p10_yuan)}—{wan(total.p90_yuan)}",
    ]
    # every line is in one program's row: the rows add up to the total (to the rounding of each row)
    shown = sum(Decimal(row[2]) for row in table[1:-1])
    assert abs(shown - fmt.rounded(total.mean_yuan / 10_000)) <= Decimal("0.01") * len(table)
    by_family = document.by_family()
    for row in table[1:-1]:
        low, _, high = row[5].partition("—")
        assert Decimal(low) <= Decimal(high or low)
    assert (by_family["p10_yuan"] <= by_family["p90_yuan"]).all()
    assert [row[0] for row in table[1:-1]] == [document.label(f) for f in by_family.index[:-1]]  # no 0, 1, 2 …


def test_each_line_states_its_formula_from_the_projection(document, projection):
    lines = {b.line: b for b in document.lines}
    text = text_of(document.basis())
    dibao = lines["dibao"]
    formula = re.search(r"低保\*\*：月均保障(\d+)人 × 月人均补助([\d.]+)元 × 12个月 ([=≈]) ([\d.]+)万元", text)
    assert formula, text[:400]
    people, per, sign, amount = formula.groups()
    assert int(people) == round(dibao.person_times / 12)
    assert Decimal(per) == fmt.rounded(dibao.amount_yuan / dibao.person_times)
    assert amount == wan(dibao.amount_yuan)
    assert (sign == "=") == (fmt.wan_yuan(Decimal(people) * Decimal(per) * 12)[:-2] == amount)
    # a case flow counts payments, not people a month
    assert re.search(r"临时救助\*\*：全年\d+人次 × 人次均[\d.]+元 [=≈] [\d.]+万元", text)


def test_the_standards_in_force_and_since_when_come_from_the_parameters(document):
    paramset = params.load("东西湖区")
    text = text_of(document.basis())
    for path, name in (("dibao.standard.urban", "城市低保标准"), ("dibao.standard.rural", "农村低保标准")):
        entry = paramset.leaf(path).at(dt.date(YEAR, 1, 1))
        assert f"{name}{entry.value:g}元/人·月（{entry.start.year}年{entry.start.month}月起）" in text
    assert "按上年同月延续" in text  # the Spring-Festival month repeats


def test_the_one_offs_that_end_are_named_with_last_years_money(document, projection):
    text = text_of(document.basis())
    base = projection.base[(projection.base["scenario"] == BASELINE) & (projection.base["one_off_yuan"] != 0)]
    assert len(base)
    for r in base.itertuples(index=False):
        assert f"{YEAR - 1}年含一次性及阶段性支出{fmt.wan_yuan(r.one_off_yuan)}" in text
    for item in projection.items[BASELINE]["non_recurring"]:
        assert item["description"] in text


def test_the_change_is_split_in_three_parts_that_add_up(document, projection):
    parts = document.change()
    table = rows(parts[0])
    assert table[0] == ["项目", "增减额", "标准因素", "人数因素", "一次性及阶段性项目"]
    for row in table[1:]:
        assert abs(sum(Decimal(c) for c in row[2:]) - Decimal(row[1])) <= Decimal("0.02"), row
    total = projection.total(BASELINE, YEAR)
    assert table[-1] == [
        "合计",
        *(wan(total[c]) for c in ("change_yuan", "standard_yuan", "people_yuan", "one_off_yuan")),
    ]
    assert parts[1].data[:4] == b"\x89PNG"  # and one chart


def test_the_window_and_the_scenarios_are_one_table_each(document, projection):
    window = rows(document.window()[0])
    assert window[0] == ["项目", f"{YEAR - 1}年预计执行数", *(f"{y}年" for y in projection.years)]
    assert window[-1][2:] == [wan(projection.total(BASELINE, y)["mean_yuan"]) for y in projection.years]
    scenario = rows(document.scenarios()[0])
    assert scenario[0] == ["项目", "基准方案", "方案1", "方案1较基准增减"]
    assert scenario[-1][2] == wan(projection.total("dibao_plus5_july", YEAR)["mean_yuan"])
    assert BudgetDocument(budget.project("东西湖区", YEAR, draws=2, years=1)).scenarios() is None


def test_the_assumptions_are_one_numbered_list_naming_each_kind_once(document, projection):
    parts = document.assumptions()
    heading, first = parts[0].split("\n\n", 1)
    assert heading == "## 六、测算假设"  # the scenario section comes before it
    listed = "".join([first, *parts[1:]])
    numbers = [int(line.split(".")[0]) for line in listed.strip().splitlines()]
    assert numbers == list(range(1, len(numbers) + 1))
    kinds = [
        kind.replace("方案 dibao_plus5_july：", "方案1：")
        for kind in dict.fromkeys(workbook.assumptions(projection)["项目"])
    ]
    assert len(numbers) == len(kinds)
    items = [line.split(". ", 1)[1].replace("\\", "") for line in listed.strip().splitlines()]
    assert [next(k for k in kinds if item.startswith(k)) for item in items] == kinds


def test_every_part_is_chinese_whole_and_without_missing_values(document):
    parts = [
        document.heading(),
        *document.summary(),
        *document.basis(),
        document.change()[0],
        *document.window(),
        *document.scenarios(),
        *document.assumptions(),
        document.closing()._repr_markdown_(),
    ]
    text = text_of(parts)
    assert leaks(text.replace("**", "")) == {}


def test_basis_lines_follow_the_declarations(projection):
    found = basis.lines(projection, params.load("东西湖区"))
    by_line = {b.line: b for b in found}
    assert by_line["dibao"].monthly and not by_line["temporary"].monthly
    assert not by_line["dibao_price_subsidy"].monthly and by_line["dibao_price_subsidy"].family == "dibao"
    assert by_line["disability_nursing_one_off"].family == "disability_nursing"
    assert by_line["dibao_one_off"].one_offs and not by_line["dibao_one_off"].monthly
    frame = basis.frame(found)
    lines = projection.lines[
        (projection.lines["scenario"] == BASELINE)
        & (projection.lines["year"] == YEAR)
        & (projection.lines["program"] != TOTAL)
    ]
    assert frame["amount_yuan"].sum() == pytest.approx(lines["mean_yuan"].sum(), abs=0.01)


def test_together_keeps_a_heading_with_its_table_and_shows_html_as_text():
    import pandas as pd

    html = Together("## 一、预算总表", "<b>单位</b>：万元", Table(pd.DataFrame({"项目": ["低保"]})))._repr_html_()
    assert html.startswith('<div class="together">') and "<h2>一、预算总表</h2>" in html
    assert "&lt;b&gt;单位&lt;/b&gt;" in html and "<th>项目</th>" in html and "<th>0</th>" not in html


# ---------------------------------------------------------------- as rendered (both layouts)


def right_edges(path):
    """Per page: the rightmost point where a text run starts (pt) and the page's width."""
    out = []
    for page in PdfReader(path).pages:
        starts = []
        page.extract_text(
            visitor_text=lambda text, cm, tm, font, size: starts.append(cm[0] * tm[4] + cm[4]) if text.strip() else None
        )
        out.append((max(starts, default=0), float(page.mediabox.width)))
    return out


def budgets(rendered):
    found = [
        (name, layouts.DEFAULT, output(rendered, name, "budget_projection", "html"))
        for name in [s.district for s in SHIPPED]
    ]
    outcome = rendered["gongwen_budget"]
    assert outcome.ok, outcome.error
    return found + [("东西湖区", "gongwen", outcome.outputs["html"])]


@pytest.mark.slow
def test_rendered_budgets_open_with_the_summary_and_keep_tables_inside_the_text_block(rendered):
    for name, layout, page in budgets(rendered):
        first = "".join(PdfReader(page.with_suffix(".pdf")).pages[0].extract_text().split())  # headers wrap
        for text in (
            "预算测算",
            "预算总表",
            "上年预计执行数",
            "本年预算数",
            "增减额",
            "增减率",
            "区间（P10—P90）",
            "合计",
        ):
            assert text in first, (name, layout, text)
        margin = layouts.get(layout).margins_mm[1] * 72 / 25.4
        for start, width in right_edges(page.with_suffix(".pdf")):
            assert start < width - margin - 5 * 72 / 25.4 / 2, (name, layout)
        html = page.read_text(encoding="utf-8")
        assert 'class="dataframe wide"' not in html
        tables = [b.rows for b in word.blocks(html) if b.kind == "table"]
        assert tables and max(len(row) for table in tables for row in table) <= 6
        assert max(len(t.columns) for t in docx.Document(str(page.with_suffix(".docx"))).tables) <= 6
        assert "测算依据" in html and "中期财政规划" in html and "测算假设" in html
