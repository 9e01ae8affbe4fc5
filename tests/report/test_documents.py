"""Work plans and annual summaries load from params/, and a bad file names its file and key."""

import datetime as dt
from pathlib import Path

import pytest

from civsim.errors import CivsimError
from civsim.report import documents

ROOT = Path(__file__).resolve().parents[2]
PLAN_FILES = sorted((ROOT / "params" / "plans").glob("*.yaml"))
SUMMARY_FILES = sorted((ROOT / "params" / "summaries").glob("*.yaml"))

PLAN = """\
district: 120110
year: 2022
source: 001_dfeeb2d1aa8d8dcf.txt
title: 东丽区民政局2022年工作计划
sections:
  - heading: 三、加快综合为老服务体系建设
    tasks:
      - title: 推进社区养老设施建设
        description: 新建日照中心、增加养老床位。
        responsible: 社会事务科
        deadline: 12月底
        targets:
          - {text: 新建老年日照中心4个, quote: "新建老年日照中心4个"}
        quote: "完成时限：12月底"
"""

SUMMARY = """\
district: 420112
year: 2020
source: 004_d683771cc1cacde4.txt
title: 东西湖区民政局2020年工作总结
date: 2020-10-21
opening: 2020年，东西湖区民政局……
areas:
  - area: 婚姻登记
    points:
      - {text: 2020年共办理婚姻登记4401对。, quote: "2020 年共办理婚姻登记 4401"}
problems:
  - {text: 社会救助政策覆盖面偏窄。, quote: "一是救助政策覆盖面还不够宽"}
next_year: 420112-2021
"""


def write(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def code_year(path: Path) -> tuple[str, int]:
    code, year = path.stem.split("-")
    return code, int(year)


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.stem)
def test_every_shipped_plan_loads(path):
    plan = documents.plan(*code_year(path))
    assert plan is not None and (plan.district, plan.year) == code_year(path)
    assert plan.title and plan.source.endswith(".txt") and plan.sections
    assert all(section.heading and section.tasks for section in plan.sections)
    assert all(task.title for section in plan.sections for task in section.tasks)


@pytest.mark.parametrize("path", SUMMARY_FILES, ids=lambda p: p.stem)
def test_every_shipped_summary_loads(path):
    summary = documents.summary(*code_year(path))
    assert summary is not None and (summary.district, summary.year) == code_year(path)
    assert isinstance(summary.date, dt.date) and summary.areas
    assert all(area.area and area.points for area in summary.areas)
    if summary.next_year:
        assert documents.next_plan(summary) is not None  # a summary names a plan that exists


def test_the_shipped_files_are_there():
    assert {p.stem for p in PLAN_FILES} >= {"120110-2021", "120110-2022", "420112-2021"}
    assert {p.stem for p in SUMMARY_FILES} >= {"120110-2020", "420112-2020", "120000-2020"}


def test_the_seed_plan_keeps_its_sections_deadlines_and_targets():
    plan = documents.plan("东丽区", 2022)
    tasks = {task.title: task for section in plan.sections for task in section.tasks}
    task = tasks["推进社区养老设施建设"]
    assert (task.responsible, task.deadline) == ("社会事务科", "12月底")
    assert "新增养老床位150张" in [t.text for t in task.targets]


def test_by_name_or_code_and_none_when_not_kept(tmp_path):
    assert documents.summary("东西湖区", 2020) == documents.summary("420112", 2020)
    assert documents.plan("天津市", 2021) is None
    assert documents.summary("东丽区", 1999) is None
    assert documents.plan("120110", 2022, folder=tmp_path) is None


def test_a_well_formed_file_parses_into_plain_dataclasses(tmp_path):
    write(tmp_path, "120110-2022.yaml", PLAN)
    plan = documents.plan("东丽区", 2022, folder=tmp_path)
    assert plan == documents.Plan(
        "120110",
        2022,
        "001_dfeeb2d1aa8d8dcf.txt",
        "东丽区民政局2022年工作计划",
        (
            documents.Section(
                "三、加快综合为老服务体系建设",
                (
                    documents.Task(
                        "推进社区养老设施建设",
                        "新建日照中心、增加养老床位。",
                        "社会事务科",
                        "12月底",
                        (documents.Target("新建老年日照中心4个", "新建老年日照中心4个"),),
                        "完成时限：12月底",
                    ),
                ),
            ),
        ),
        str(tmp_path / "120110-2022.yaml"),
    )
    write(tmp_path, "420112-2020.yaml", SUMMARY)
    summary = documents.summary("东西湖区", 2020, folder=tmp_path)
    assert summary.date == dt.date(2020, 10, 21) and summary.next_year == "420112-2021" and summary.note is None
    assert summary.areas[0].points[0].text == "2020年共办理婚姻登记4401对。"
    assert summary.problems[0].quote == "一是救助政策覆盖面还不够宽"


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("        responsible: 社会事务科", "        responsable: 社会事务科", "sections[0].tasks[0].responsable"),
        ("        deadline: 12月底\n", "", "sections[0].tasks[0].deadline"),
        (
            '          - {text: 新建老年日照中心4个, quote: "新建老年日照中心4个"}',
            '          - {txt: 新建老年日照中心4个, quote: "新建老年日照中心4个"}',
            "sections[0].tasks[0].targets[0].txt",
        ),
        ("title: 东丽区民政局2022年工作计划\n", "", "title"),
        ("source: 001", "sauce: 001", "sauce"),
        ("  - heading: 三、加快综合为老服务体系建设\n", "  - heading: \n", "sections[0].heading"),
        ("year: 2022", "year: 2021", "year"),
        ("district: 120110", "district: 420112", "district"),
        ("sections:\n", "sections: 3\nx:\n", "x"),
    ],
)
def test_a_bad_plan_names_its_file_and_key(tmp_path, old, new, key):
    assert old in PLAN
    path = write(tmp_path, "120110-2022.yaml", PLAN.replace(old, new))
    with pytest.raises(CivsimError) as error:
        documents.plan("120110", 2022, folder=tmp_path)
    assert error.value.key == key
    assert Path(str(error.value.file)) == path
    assert str(path) in str(error.value) and key in str(error.value)


@pytest.mark.parametrize(
    "old, new, key",
    [
        ("date: 2020-10-21", "date: 2020年10月21日", "date"),
        ("next_year: 420112-2021", "next_year: 明年", "next_year"),
        ("  - area: 婚姻登记", "  - areas: 婚姻登记", "areas[0].areas"),
        (
            'problems:\n  - {text: 社会救助政策覆盖面偏窄。, quote: "一是救助政策覆盖面还不够宽"}',
            "problems: 有",
            "problems",
        ),
        ("opening: 2020年，东西湖区民政局……\n", "", "opening"),
    ],
)
def test_a_bad_summary_names_its_file_and_key(tmp_path, old, new, key):
    assert old in SUMMARY
    path = write(tmp_path, "420112-2020.yaml", SUMMARY.replace(old, new))
    with pytest.raises(CivsimError) as error:
        documents.summary("420112", 2020, folder=tmp_path)
    assert error.value.key == key and Path(str(error.value.file)) == path


def test_optional_summary_keys_may_be_absent_or_null(tmp_path):
    write(tmp_path, "420112-2020.yaml", SUMMARY.replace("next_year: 420112-2021", "next_year: null\nnote: 无问题一节"))
    summary = documents.summary("420112", 2020, folder=tmp_path)
    assert summary.next_year is None and summary.note == "无问题一节"
    write(tmp_path, "420112-2020.yaml", SUMMARY.replace("next_year: 420112-2021\n", ""))
    assert documents.summary("420112", 2020, folder=tmp_path).next_year is None


def test_malformed_yaml_and_a_non_mapping_name_the_file(tmp_path):
    path = write(tmp_path, "120110-2022.yaml", "district: 120110\nsections: [unclosed\n")
    with pytest.raises(CivsimError) as error:
        documents.plan("120110", 2022, folder=tmp_path)
    assert Path(str(error.value.file)) == path and "line" in str(error.value.key)
    write(tmp_path, "120110-2022.yaml", "- just\n- a list\n")
    with pytest.raises(CivsimError, match="120110-2022.yaml"):
        documents.plan("120110", 2022, folder=tmp_path)


def test_a_bad_district_or_year_argument_fails_clearly():
    with pytest.raises(CivsimError, match="unknown district"):
        documents.plan("火星区", 2022)
    with pytest.raises(CivsimError, match="year"):
        documents.summary("东丽区", "2020")
