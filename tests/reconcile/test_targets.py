"""Plan against actual: a plan's quantified targets beside what the year reports; and a district
without a summary or plan text still gets its figures and a line naming what is missing."""

import pandas as pd
import pytest

from civsim.report import documents, summary as summary_module, targets


def test_quantities_name_what_they_count_without_the_verb():
    found = targets.quantities("新建老年日照中心4个，新增养老床位150张，培训2.5万人次")
    assert [(q.subject, str(q.value), q.unit) for q in found] == [
        ("老年日照中心", "4", "个"),
        ("养老床位", "150", "张"),
        ("培训", "25000.0", "人次"),
    ]
    assert targets.quantities("开展主题党日活动 10 次")[0].text == "开展主题党日活动10次"


def test_targets_meet_achievements_that_count_the_same_thing():
    rows = targets.compare(
        ["新建老年日照中心4个，新增养老床位150张", "新建儿童之家20个"],
        ["全年新增养老床位160张，建成老年日照中心3个", "新增养老床位200人"],
    )
    assert rows == [
        {"目标": "新建老年日照中心4个", "目标值": "4个", "完成": "3个", "完成率": "75.0%"},
        {"目标": "新增养老床位150张", "目标值": "150张", "完成": "160张", "完成率": "106.7%"},
    ]
    assert targets.compare(["新增养老床位150张"], ["新增养老床位150人"]) == []  # another unit: no match


def fake_plan(code, year, folder=documents.PLANS):
    task = documents.Task(
        "党建", "", "", "", (documents.Target("开展主题党日活动8次", ""), documents.Target("新增养老床位150张", "")), ""
    )
    return documents.Plan(
        code, year, "plan.txt", "东西湖区民政局2020年工作要点", (documents.Section("一、党建", (task,)),)
    )


@pytest.fixture(scope="module")
def dongxihu():
    return summary_module.AnnualSummary.compute("东西湖区", 2020, as_of_month=10)


def test_the_summary_compares_this_years_plan_with_what_it_reports(monkeypatch, dongxihu):
    monkeypatch.setattr(documents, "plan", fake_plan)
    head, table = dongxihu.plan_against_actual()
    assert "2020年工作计划量化目标完成情况" in head and "《东西湖区民政局2020年工作要点》" in head
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["目标值", "完成", "完成率"]
    assert table.loc["开展主题党日活动8次"].tolist() == ["8次", "10次", "125.0%"]  # the summary says 10
    assert "新增养老床位150张" not in table.index  # nothing reports beds


def test_no_plan_for_the_year_means_no_comparison(dongxihu):
    assert documents.plan("420112", 2020) is None and dongxihu.plan_against_actual() is None


def test_a_district_year_without_texts_keeps_its_figures_and_says_what_is_missing():
    report = summary_module.AnnualSummary.compute("东丽区", 2021)
    assert "未收录东丽区2021年工作总结文本，本文只列模型测算数据。" in report.heading()
    assert "未收录东丽区2021年工作总结，本节从略。" in report.problems()
    assert any("17" in block and "高龄津贴" in block for block in report.achievements())  # the figures stay
    assert not report.program_table().empty
