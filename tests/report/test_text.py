"""The reports' sentences, from small hand-made frames shaped like engine.stock / engine.year_totals.

The expected strings are the seeds' own sentences where the seeds have one (004: 东西湖区, Oct 2020).
"""

import pandas as pd
import pytest

from civsim.errors import CivsimError
from civsim.programs import family
from civsim.report import text


def stock(*rows, scenario="baseline"):
    """rows: (program, area, households, persons)."""
    return pd.DataFrame(
        [{"scenario": scenario, "program": p, "area": a, "households": h, "persons": n} for p, a, h, n in rows],
        columns=["scenario", "program", "area", "households", "persons"],
    )


def flows(*rows, scenario="baseline"):
    """rows: (program, area, person_times, amount_yuan)."""
    return pd.DataFrame(
        [{"scenario": scenario, "program": p, "area": a, "person_times": t, "amount_yuan": y} for p, a, t, y in rows],
        columns=["scenario", "program", "area", "person_times", "amount_yuan"],
    )


DIBAO_STOCK = stock(("dibao", "urban", 221, 269), ("dibao", "rural", 694, 824))
# 低保金及补贴 = the gap benefit + its price subsidies + one-off grants = 12,191,600 yuan
DIBAO_FLOWS = flows(
    ("dibao", "urban", 2690, 3_000_000.0),
    ("dibao", "rural", 8240, 8_000_000.0),
    ("dibao_price_subsidy", "urban", 2690, 600_000.0),
    ("dibao_one_off", "rural", 824, 591_600.0),
)
SEED_DIBAO = "截止10月份，全区在册城市低保221户269人，农村低保694户824人，1—10月累计发放低保金及补贴1219.16万元。"


def test_dibao_sentence_is_the_seed_sentence():
    assert text.sentence("dibao", DIBAO_STOCK, DIBAO_FLOWS, 10) == SEED_DIBAO


def test_dibao_sentence_leaves_out_an_area_with_nobody_and_says_quan_shi_for_a_city():
    held = stock(("dibao", "urban", 1000, 1500), ("dibao", "rural", 0, 0))
    paid = flows(("dibao", "urban", 18000, 9_000_000.0))
    assert (
        text.sentence("dibao", held, paid, 12, where="全市")
        == "截止12月份，全市在册城市低保1000户1500人，1—12月累计发放低保金及补贴900.00万元。"
    )


def test_dibao_sentence_rounds_simulated_means_half_up():
    held = stock(("dibao", "urban", 220.5, 268.49), ("dibao", "rural", 694.0, 824.0))
    assert text.sentence("dibao", held, DIBAO_FLOWS, 10).startswith("截止10月份，全区在册城市低保221户268人，")


def test_money_of_a_hundred_million_or_more_is_in_yi_yuan():
    paid = flows(("dibao", "urban", 1, 460_000_000.0))
    assert text.sentence("dibao", stock(), paid, 12) == "1—12月累计发放低保金及补贴4.60亿元。"


def test_a_program_without_rows_yields_no_sentence():
    keys = [key for _, keys in text.areas() for key in keys]
    assert {
        "dibao",
        "tekun",
        "low_income",
        "edge",
        "temporary",
        "spring_festival",
        "disability",
        "disability_nursing_one_off",
        "children",
        "elderly",
        "funeral",
    } == set(keys)
    for key in keys + ["total"]:
        assert text.sentence(key, stock(), flows(), 10) == ""
    # rows of other programs do not make a sentence either
    other_stock, other_flows = stock(("home_care", "urban", 0, 5)), flows(("home_care", "urban", 50, 1000.0))
    for key in keys:
        assert (text.sentence(key, other_stock, other_flows, 10) == "") == (key != "elderly")


def test_tekun_sentence_with_the_known_split_is_the_seed_sentence():
    held = stock(("tekun", "urban", 0, 42), ("tekun", "rural", 0, 42))
    paid = flows(
        ("tekun", "urban", 420, 700_000.0),
        ("tekun", "rural", 420, 700_000.0),
        ("tekun_price_subsidy", "urban", 420, 98_400.0),
    )
    assert (
        text.sentence("tekun", held, paid, 10, split=(56, 28))
        == "截止10月份，全区特困供养人员84人，集中供养56人，分散供养28人，1—10月累计发放供养金及补贴149.84万元。"
    )
    assert (
        text.sentence("tekun", held, paid, 10)
        == "截止10月份，全区特困供养人员84人，1—10月累计发放供养金及补贴149.84万元。"
    )


def test_tekun_split_is_scaled_to_the_model_total_and_adds_up():
    held = stock(("tekun", "urban", 0, 90))
    paid = flows(("tekun", "urban", 900, 1_000_000.0))
    sentence = text.sentence("tekun", held, paid, 10, split=(56, 28))
    assert "特困供养人员90人，集中供养60人，分散供养30人，" in sentence
    odd = text.sentence("tekun", stock(("tekun", "urban", 0, 85)), paid, 10, split=(1, 2))
    assert "特困供养人员85人，集中供养28人，分散供养57人，" in odd


def test_temporary_sentence_is_the_seed_sentence():
    paid = flows(("temporary", "urban", 80, 200_000.0), ("temporary", "rural", 28, 83_600.0))
    assert text.sentence("temporary", stock(), paid, 10) == "1—10月实施临时救助108人次，累计发放救助金28.36万元。"


def test_low_income_and_spring_festival_sentences():
    held = stock(("low_income", "urban", 120, 300))
    paid = flows(("low_income", "urban", 3000, 909_000.0), ("spring_festival", "urban", 3982, 1_928_500.0))
    assert (
        text.sentence("low_income", held, paid, 10)
        == "截止10月份，全区在册低收入家庭120户300人，1—10月累计发放低收入家庭救助金90.90万元。"
    )
    assert text.sentence("spring_festival", held, paid, 10) == "春节期间慰问困难群众3982户，发放慰问金192.85万元。"


def test_disability_sentence_is_the_seed_sentence_and_reports_the_one_off_apart():
    held = stock(("disability_nursing", "urban", 0, 2144), ("disability_living", "urban", 0, 861))
    paid = flows(("disability_nursing", "urban", 21440, 2_153_900.0), ("disability_living", "urban", 8610, 1_117_940.0))
    assert text.sentence("disability", held, paid, 10) == (
        "截止10月份，全区在册残疾人两补对象3005人，其中，享受重度残疾人护理补贴2144人，1—10月发放215.39万元；"
        "享受困难残疾人生活补贴861人，1—10月发放111.79万元。"
    )
    one_off = pd.concat(
        [
            paid,
            flows(
                ("disability_nursing_one_off", "urban", 344, 172_000.0),
                ("disability_nursing_one_off", "rural", 1194, 358_200.0),
            ),
        ]
    )
    sentence = text.sentence("disability", held, one_off, 10)
    assert "1—10月发放215.39万元；" in sentence  # the one-off is not in the monthly subsidy
    assert (
        text.sentence("disability_nursing_one_off", held, one_off, 10)
        == "向1538名重度残疾人发放一次性生活救助金53.02万元。"
    )
    # the area's paragraph says both, in declaration order
    disability = dict(text.areas())["残疾人福利"]
    assert text.paragraph(*(text.sentence(k, held, one_off, 10) for k in disability)).endswith(
        "111.79万元。向1538名重度残疾人发放一次性生活救助金53.02万元。"
    )


def test_disability_sentence_with_one_subsidy_only():
    held = stock(("disability_nursing", "urban", 0, 7937))
    paid = flows(("disability_nursing", "urban", 95244, 20_283_480.0))
    assert (
        text.sentence("disability", held, paid, 12)
        == "截止12月份，全区享受重度残疾人护理补贴7937人，1—12月发放2028.35万元。"
    )


def test_children_sentence_counts_both_groups_and_their_price_subsidies():
    held = stock(("orphan", "urban", 0, 49), ("unsupported_child", "urban", 0, 31))
    paid = flows(
        ("orphan", "urban", 490, 400_000.0),
        ("unsupported_child", "urban", 309, 270_000.0),
        ("orphan_price_subsidy", "urban", 490, 27_331.0),
    )
    assert text.sentence("children", held, paid, 10) == (
        "截止10月份，全区在册孤儿49人、事实无人抚养儿童31人，1—10月累计保障799人次，发放基本生活费及补贴69.73万元。"
    )


def test_elderly_sentence_lists_what_is_paid():
    held = stock(("elderly_allowance", "urban", 0, 17609), ("home_care", "urban", 0, 1105))
    paid = flows(
        ("elderly_allowance", "urban", 211308, 58_000_000.0),
        ("home_care", "urban", 13260, 3_622_400.0),
        ("care_institution", "urban", 0, 1_662_000.0),
    )
    assert text.sentence("elderly", held, paid, 12) == (
        "1—12月，为17609名老年人发放高龄津贴5800.00万元，为1105名老人发放居家养老服务补贴362.24万元，"
        "发放养老机构运营补贴166.20万元。"
    )
    assert text.sentence("elderly", stock(), flows(("care_institution", "urban", 0, 1_662_000.0)), 6) == (
        "1—6月，发放养老机构运营补贴166.20万元。"
    )


def test_funeral_and_total_sentences():
    paid = flows(("funeral", "urban", 901, 2_775_000.0), ("dibao", "urban", 203_099, 88_818_000.0))
    assert text.sentence("funeral", stock(), paid, 10) == "1—10月审批发放丧葬补贴901件，共计277.50万元。"
    assert text.total_sentence(stock(), paid, 12) == "1—12月，各项救助和福利资金累计发放9159.30万元，惠及20.40万人次。"


def test_paragraph_says_the_date_and_place_once_as_the_seed_does():
    held = pd.concat([DIBAO_STOCK, stock(("tekun", "urban", 0, 84))])
    paid = pd.concat([DIBAO_FLOWS, flows(("tekun", "urban", 840, 1_498_400.0))])
    joined = text.paragraph(
        text.sentence("dibao", held, paid, 10),
        "",
        text.sentence("tekun", held, paid, 10, split=(56, 28)),
        text.sentence("temporary", held, paid, 10),
    )
    assert joined == SEED_DIBAO + "特困供养人员84人，集中供养56人，分散供养28人，1—10月累计发放供养金及补贴149.84万元。"


def test_frames_with_two_scenarios_or_missing_columns_are_refused():
    two = pd.concat([DIBAO_STOCK, stock(("dibao", "urban", 1, 1), scenario="dibao_plus5_july")])
    with pytest.raises(CivsimError, match="scenario"):
        text.sentence("dibao", two, DIBAO_FLOWS, 10)
    with pytest.raises(CivsimError, match="amount_yuan"):
        text.sentence("dibao", DIBAO_STOCK, DIBAO_FLOWS.drop(columns="amount_yuan"), 10)
    with pytest.raises(CivsimError, match="month"):
        text.sentence("dibao", DIBAO_STOCK, DIBAO_FLOWS, 13)


def test_family_scope_and_heading_numbers():
    assert family("dibao_price_subsidy") == "dibao" and family("dibao_one_off") == "dibao"
    # declared with its own reported line and sentence, not folded into the monthly nursing subsidy
    assert family("disability_nursing_one_off") == "disability_nursing_one_off"
    assert family("unsupported_child") == "unsupported_child" and family("not_a_line") == "not_a_line"
    assert text.scope("district") == "全区" and text.scope("province") == "全市" and text.scope("city") == "全市"
    assert [text.cn_number(n) for n in (1, 9, 10, 11, 17, 20, 21, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "十七",
        "二十",
        "二十一",
        "九十九",
    ]
    assert text.part_number(3) == "三、" and text.section_number(12) == "（十二）"
    for bad in (0, 100, True, 2.0):
        with pytest.raises(CivsimError):
            text.cn_number(bad)


def test_plan_budget_sentence_words_the_change_and_its_three_parts():
    assert text.plan_budget_sentence(2022, 97_000_000.0, 102_123_000.0, 3_601_000.0, 1_522_000.0, 0.0) == (
        "按基准方案测算，2022年各项目资金需求合计1.02亿元，比2021年增加512.30万元（增长5.28%），"
        "其中标准因素+360.10万元，人数因素+152.20万元，一次性及阶段性项目0.00万元。"
    )
    falling = text.plan_budget_sentence(
        2021, 23_576_700.0, 18_380_500.0, 335_400.0, 105_900.0, -5_637_500.0, scenario="城乡低保标准自2021年7月起提高5%"
    )
    assert falling.startswith(
        "按城乡低保标准自2021年7月起提高5%测算，2021年各项目资金需求合计1838.05万元，比2020年减少519.62万元"
    )
    assert (
        "（下降22.04%）" in falling and "标准因素+33.54万元" in falling and "一次性及阶段性项目-563.75万元" in falling
    )
    assert text.plan_budget_sentence(2021, 5_000_000.0, 5_000_000.0, 0.0, 0.0, 0.0).endswith("与2020年持平。")
    assert text.plan_budget_sentence(2021, 0.0, 5_000_000.0, 0.0, 5_000_000.0, 0.0).endswith("2020年无可比支出。")


def test_low_income_edge_families_get_their_own_sentence_where_paid():
    held = stock(("edge", "urban", 40, 100), ("edge", "rural", 10, 20))
    paid = flows(("edge", "urban", 1000, 120_000.0), ("edge", "rural", 200, 24_000.0))
    assert (
        text.sentence("edge", held, paid, 10)
        == "截止10月份，全区在册低保边缘家庭50户120人，1—10月累计发放低保边缘家庭救助金14.40万元。"
    )
    assert "edge" in dict(text.areas())["社会救助"]


def test_an_unknown_sentence_is_an_error():
    with pytest.raises(CivsimError, match="no such sentence"):
        text.sentence("dibao_price_subsidy", DIBAO_STOCK, DIBAO_FLOWS, 10)
