"""Chinese number formatting, checked against sentences in the seed documents."""

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from civsim.errors import CivsimError
from civsim.report import numbers as n


@pytest.mark.parametrize(
    "yuan, text",
    [
        (12_191_600, "1219.16万元"),  # Dongxihu 低保 Jan–Oct 2020
        (1_928_500, "192.85万元"),  # Spring Festival grants
        (1_117_940, "111.79万元"),  # 111.794万 rounds down
        (1_117_950, "111.80万元"),  # half up, not half even
        (1_117_850, "111.79万元"),  # half up: banker's rounding would give 111.78
        (125, "0.01万元"),
        (0, "0.00万元"),
        (-12_191_600, "-1219.16万元"),
        (-49, "0.00万元"),  # no "-0.00"
        (-50, "-0.01万元"),  # ties go away from zero
        (12_191_600.0, "1219.16万元"),
        (np.int64(283_600), "28.36万元"),
        (Decimal("2775000"), "277.50万元"),
    ],
)
def test_wan_yuan(yuan, text):
    assert n.wan_yuan(yuan) == text


def test_rounds_the_decimal_the_reader_sees():
    # the float 1.005 is stored as 1.00499999…; people expect 1.01 (round(1.005, 2) gives 1.0)
    assert n.yuan(1.005, places=2) == "1.01元"
    assert n.pct(0.01005) == "1.01%"
    assert n.wan_yuan(10_049.999) == "1.00万元"


@pytest.mark.parametrize(
    "yuan, text",
    [
        (460_000_000, "4.60亿元"),  # Tianjin disability subsidies
        (58_000_000, "0.58亿元"),
        (-460_000_000, "-4.60亿元"),
        (0, "0.00亿元"),
        (1_234_567_890, "12.35亿元"),
    ],
)
def test_yi_yuan(yuan, text):
    assert n.yi_yuan(yuan) == text


@pytest.mark.parametrize(
    "yuan, text",
    [
        (460_000_000, "4.60亿元"),
        (100_000_000, "1.00亿元"),
        (99_999_999, "1.00亿元"),  # would print as 10000.00万元
        (99_949_999, "9995.00万元"),
        (12_191_600, "1219.16万元"),
        (-460_000_000, "-4.60亿元"),
        (0, "0.00万元"),
    ],
)
def test_money_chooses_the_unit(yuan, text):
    assert n.money(yuan) == text


def test_yuan():
    assert n.yuan(1010) == "1010元"
    assert n.yuan(729.5) == "730元"
    assert n.yuan(1.5, places=2) == "1.50元"


@pytest.mark.parametrize(
    "func, value, text",
    [
        (n.households, 221, "221户"),
        (n.persons, 269, "269人"),
        (n.person_times, 108, "108人次"),
        (n.cases, 901, "901件"),
        (n.persons, 0, "0人"),
        (n.persons, 17609, "17609人"),  # no thousands separator, as in the reports
        (n.households, 220.5, "221户"),  # a simulated mean rounds half up
        (n.persons, np.int64(824), "824人"),
        (n.persons, -3, "-3人"),  # a change in caseload
    ],
)
def test_counts(func, value, text):
    assert func(value) == text


def test_sentence_from_the_seed():
    text = (
        f"{n.as_of(10)}，全区在册城市低保{n.households(221)}{n.persons(269)}，"
        f"{n.month_range(1, 10)}累计发放低保金及补贴{n.wan_yuan(12_191_600)}"
    )
    assert text == "截止10月份，全区在册城市低保221户269人，1—10月累计发放低保金及补贴1219.16万元"


@pytest.mark.parametrize(
    "ratio, text",
    [
        (0.0512, "5.12%"),
        (0.05125, "5.13%"),
        (-0.0512, "-5.12%"),
        (0, "0.00%"),
        (-0.00001, "0.00%"),
        (1, "100.00%"),
        (0.935, "93.50%"),
    ],
)
def test_pct(ratio, text):
    assert n.pct(ratio) == text


def test_pct_options():
    assert n.pct(0.0512, places=1) == "5.1%"
    assert n.pct(0.0512, signed=True) == "+5.12%"
    assert n.pct(-0.0512, signed=True) == "-5.12%"
    assert n.pct(0, signed=True) == "0.00%"


def test_growth():
    assert n.growth(0.0512) == "增长5.12%"
    assert n.growth(-0.03) == "下降3.00%"
    assert n.growth(0.00001) == "持平"


def test_cn_date():
    assert n.cn_date(date(2021, 1, 11)) == "2021年1月11日"
    assert n.cn_date(datetime(2020, 10, 21, 9, 30)) == "2020年10月21日"
    assert n.cn_date(pd.Timestamp("2020-12-26")) == "2020年12月26日"


def test_month_range_uses_an_em_dash():
    assert n.month_range(1, 10) == "1\u201410月"
    assert n.month_range(10, 10) == "10月"
    assert n.month_range(3, 6) == "3—6月"


def test_as_of():
    assert n.as_of(10) == "截止10月份"


@pytest.mark.parametrize(
    "call",
    [
        lambda: n.month_range(10, 1),
        lambda: n.month_range(0, 10),
        lambda: n.month_range(1, 13),
        lambda: n.as_of(2.5),
        lambda: n.wan_yuan(float("nan")),
        lambda: n.wan_yuan(float("inf")),
        lambda: n.wan_yuan("100"),
        lambda: n.persons(None),
        lambda: n.persons(True),
        lambda: n.pct(pd.NA),
        lambda: n.cn_date("2021-01-11"),
    ],
)
def test_bad_input_raises_a_civsim_error(call):
    with pytest.raises(CivsimError):
        call()


def test_rounded_is_half_up_on_the_shown_digits():
    from decimal import Decimal

    from civsim.report.numbers import rounded

    assert (
        rounded(0.125) == Decimal("0.13")
        and rounded(1096.5, 0) == Decimal("1097")
        and rounded(-2.005) == Decimal("-2.01")
    )
