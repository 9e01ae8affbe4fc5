"""The household calculator (单户测算): its working, the scenario beside the baseline, saving a
case, and impossible households refused in one line naming the field."""

import re

import pytest
import yaml

from civsim import cli, household, household_text
from civsim.errors import CivsimError
from civsim.scenarios import Change, Scenario
import datetime as dt

FAMILY = {
    "description": "城市低保三口之家，有一位80岁老人",
    "period": "2020-05",
    "household": {
        "area": "urban",
        "income": 400,
        "category": "dibao",
        "members": [{"age": 80}, {"age": 45}, {"age": 12}],
    },
}


def write(tmp_path, case, name="family.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
    return path


def test_working_cites_the_standard_its_date_and_source_and_the_income():
    outcome = household.compute(household.check(FAMILY))
    assert outcome.months[0].amounts["dibao"] == pytest.approx((830 - 400) * 3)
    text = household_text.working(outcome, outcome.months[0].period, "dibao")
    assert "城市低保标准830元/人·月（2020年4月起" in text and "出处" in text
    assert "家庭月人均收入 400元" in text and text.endswith("金额 1,290.00元")
    # the steps the rule records as it computes
    assert "每人差额（保障标准−家庭月人均收入） 430元；家庭人数 3人" in text
    # for the clerk: Chinese, no seed file names
    every = "".join(
        household_text.working(outcome, outcome.months[0].period, line)
        for line in household_text.household_lines(outcome)
    )
    assert not re.search(r"[A-Za-z]{4,}|\d{3}_[0-9a-f]{16}|\.txt\b", every), every
    nursing = household.compute(
        household.check(
            {
                "period": "2021-07",
                "household": {
                    "area": "urban",
                    "category": "other",
                    "members": [{"age": 45, "disability_grade": 1, "self_care": 1}],
                },
            }
        )
    )
    assert "出处：按报告数校准" in household_text.working(nursing, nursing.months[0].period, "disability_nursing")


def test_a_flat_rule_shows_the_standard_of_the_persons_class():
    case = household.check(
        {
            "period": "2020-05",
            "household": {
                "area": "rural",
                "category": "tekun",
                "members": [{"age": 80, "tekun": 1, "institution": 0, "self_care": 1}],
            },
        }
    )
    outcome = household.compute(case)
    text = household_text.working(outcome, case.periods[0], "tekun")
    assert f"按所属类别核定的月标准 {outcome.months[0].amounts['tekun']:,.2f}元" in text
    untraced = household.compute(case, traced=False)
    assert untraced.months[0].amounts == outcome.months[0].amounts and untraced.months[0].trace.steps == []


def test_scenario_side_by_side(tmp_path, capsys):
    raise_ = Scenario(
        "up50", "城市低保标准提高50元", (Change("dibao.standard.urban", dt.date(2020, 5, 1), None, value=880.0),)
    )
    case = household.check(FAMILY)
    base, other = household.compute(case), household.compute(case, raise_)
    assert other.amount(case.periods[0], "dibao") - base.amount(case.periods[0], "dibao") == pytest.approx(150)
    assert "城市低保标准880元/人·月（2020年5月起，出处：方案“up50”）" in household_text.working(
        other, case.periods[0], "dibao"
    )
    path = write(tmp_path, FAMILY)
    scenario = tmp_path / "up50.yaml"
    scenario.write_text(yaml.safe_dump(raise_.to_dict(), allow_unicode=True), encoding="utf-8")
    assert cli.main(["household", str(path), "--scenario", str(scenario)]) == 0
    out = capsys.readouterr().out
    assert "1,290.00" in out and "1,440.00" in out and "+150.00" in out and "计算过程（方案）" in out


def test_several_months_and_per_member_outputs(tmp_path, capsys):
    case = dict(
        FAMILY,
        period="2020-03..2020-05",
        household={"area": "urban", "category": "other", "members": [{"age": 92, "elderly_allowance": 1}, {"age": 60}]},
        output={"elderly_allowance": [100, 0]},
    )
    assert cli.main(["cases", str(write(tmp_path, case))]) == 0
    outcome = household.compute(household.check(case))
    assert [m.persons["elderly_allowance"] for m in outcome.months] == [[100.0, 0.0]] * 3


def test_cases_without_expected_amounts_do_not_pass(tmp_path, capsys):
    assert cli.main(["cases", str(write(tmp_path, FAMILY))]) == 1
    assert "没有写预期金额" in capsys.readouterr().out


def test_save_reads_back(tmp_path):
    case = household.check(dict(FAMILY, output={"dibao": 1290}))
    path = household.save(case, tmp_path / "saved.yaml")
    again = household.load(path)[0]
    assert (again.members, again.periods, again.output) == (case.members, case.periods, case.output)
    assert cli.main(["cases", str(path)]) == 0


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"income": -50}, "household.income", "不能为负数"),
        ({"members": [{"age": 200}]}, "household.members[1].age", "年龄 200 不存在"),
        ({"members": [{"age": 70, "self_care": 3}]}, "household.members[1].self_care", "0 全自理、1 半护理、2 全护理"),
        ({"members": [{"age": 40, "id": "A"}, {"age": 12, "id": "A"}]}, "household.members[2].id", "出现两次"),
        (
            {"category": "tekun", "members": [{"age": 40}, {"age": 12, "tekun": 1}]},
            "household.members[2].tekun",
            "同户有成年人",
        ),
        ({"members": [{"age": 40, "wage": 3000}]}, "household.members[1].wage", "不认识的成员字段"),
        ({"area": "suburb"}, "household.area", "不是地区"),
        ({"category": "tekun"}, "household.category", "须至少一位成员为特困人员"),
        ({"tier": 5}, "household.tier", "低保档次 5 不存在"),
    ],
)
def test_impossible_household_is_one_line_naming_the_field(tmp_path, capsys, change, field, words):
    case = dict(FAMILY, household={**FAMILY["household"], **change})
    with pytest.raises(CivsimError) as caught:
        household.check(case, "family.yaml")
    message = str(caught.value)
    assert field in message and words in message and "\n" not in message
    assert cli.main(["household", str(write(tmp_path, case))]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and field in err and "Traceback" not in err


def test_a_member_in_two_households_in_one_month(tmp_path):
    one = {
        "period": "2020-05",
        "household": {"id": "H1", "area": "urban", "income": 400, "members": [{"age": 40, "id": "P1"}]},
    }
    two = {
        "period": "2020-05",
        "household": {"id": "H2", "area": "urban", "income": 300, "members": [{"age": 40, "id": "P1"}]},
    }
    path = tmp_path / "two.yaml"
    path.write_text(yaml.safe_dump([one, two]), encoding="utf-8")
    with pytest.raises(CivsimError, match="同时属于户 H1"):
        household.load(path)


def test_page_shares_the_scenario_and_refuses_an_impossible_member(tmp_path):
    """The 单户测算 page without a browser: the scenario page's change reaches it, an impossible
    member is one line naming the field with the last amounts kept, a saved case re-checks."""
    from civsim import explorer, household_page

    ex = explorer.build("东西湖区", 2021, folder=tmp_path, debounce=None)
    page = household_page.build(ex)
    assert page.base.months[0].amounts["dibao"] == pytest.approx((830 - 400) * 3)
    assert page.other is None
    ex.control("dibao.standard.urban").percent.value = 10.0
    ex.recompute()
    assert page.other.months[0].amounts["dibao"] == pytest.approx(round(830 * 1.1 - 400, 2) * 3)
    page.rows[1].self_care.options = [("x", 0), ("y", 1), ("z", 2), ("bad", 7)]
    page.rows[1].self_care.value = 7
    assert page.message.startswith("成员2的自理能力：自理能力 7 不存在") and "civsim-hh-error" in page.status_box.value
    assert 'data-key="单户测算.household.members[2].self_care"' not in page.status_box.value  # no file on the page
    assert 'data-key="household.members[2].self_care"' in page.status_box.value
    assert page.base.months[0].amounts["dibao"] == pytest.approx(1290)
    page.rows[1].self_care.value = 0
    page.save_name.value = "three"
    path = page.save()
    assert path == tmp_path / "three.yaml" and "下载 three.yaml" in page.download.value
    assert cli.main(["cases", str(path)]) == 0


def test_the_pdf_is_one_chinese_page_with_the_amounts_and_sources(tmp_path):
    from pypdf import PdfReader

    case = household.check(dict(FAMILY, period="2021-07"))
    sims: dict = {}
    base = household.compute(case, sims=sims)
    other = household.compute(case, "dibao_plus5_july", sims=sims)
    path = tmp_path / "family.pdf"
    assert (
        cli.main(
            [
                "household",
                str(write(tmp_path, dict(FAMILY, period="2021-07"))),
                "--scenario",
                "dibao_plus5_july",
                "--pdf",
                str(path),
            ]
        )
        == 0
    )
    reader = PdfReader(path)
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    for words in (
        "单户社会救助测算表",
        "1,290.00",
        f"{other.amount(case.periods[0], 'dibao'):,.2f}",
        "出处",
        "生成信息",
        "经办人",
    ):
        assert words in text, words
    assert base.amount(case.periods[0], "dibao") == 1290.0


def test_a_trace_is_for_one_household_and_costs_a_plain_run_nothing():
    """A district's roll cannot be traced (it would keep every household's values); a plain run
    has no trace and its months record nothing."""
    from civsim import engine, params
    from civsim.engine.trace import Trace

    p = params.load("东西湖区")
    sim = engine.Simulation(p, 2021)
    with pytest.raises(ValueError, match="one household"):
        Trace().attach(sim.prepared)
    assert sim.prepared.trace is None
    month = engine.Month(p, sim.months[0], sim.prepared, sim.income(p)[0], 2.5, 3.0)
    assert month.trace is None
    month.step("家庭人数", [3], "人")  # a no-op without a trace


def test_the_pdf_is_not_written_over_the_case_file(tmp_path, capsys):
    path = write(tmp_path, FAMILY)
    before = path.read_bytes()
    assert cli.main(["household", str(path), "--pdf", str(path)]) == 2
    assert "--pdf" in capsys.readouterr().err and path.read_bytes() == before


def test_the_explorers_live_scenario_is_cited_in_words_a_saved_one_by_its_name():
    import datetime as dt

    import pandas as pd

    from civsim import household_text
    from civsim.engine.trace import Reading

    def cite(source):
        return household_text.parameter(
            Reading(
                pd.Period("2021-07", "M"),
                "dibao",
                "dibao.standard.urban",
                871.5,
                "yuan/person/month",
                dt.date(2021, 7, 1),
                source,
                "",
            )
        )

    assert "出处：当前模拟方案" in cite("scenario explorer") and "explorer" not in cite("scenario explorer")
    assert "出处：方案“up50”" in cite("scenario up50")
