"""The budget's decomposition of a year's change (标准因素 + 人数因素 + 一次性及阶段性项目), pinned on
hand-computed cases and adding up to the fen; the overlays it compares (standards as policy amounts,
carried forward, recurring items repeated); the declarations in params of what recurs; the
price/volume split kept for the plan."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from civsim import budget, money, params, roll_io, scenarios, synthetic
from civsim.budget import overlays
from civsim.errors import CivsimError
from .conftest import COMPONENTS, fen


# ---------------------------------------------------------------- the decomposition, by hand


@pytest.fixture(scope="module")
def hand_roll(tmp_path_factory):
    """Three urban households (incomes 100, 700, 850 yuan a head; sizes 1, 2, 3; all claim) and two
    urban 特困 persons in an institution who care for themselves."""
    folder = tmp_path_factory.mktemp("roll")
    pd.DataFrame(
        {
            "household_id": [0, 1, 2, 3, 4],
            "area": "urban",
            "size": [1, 2, 3, 1, 1],
            "income": [100.0, 700.0, 850.0, None, None],
            "category": ["dibao"] * 3 + ["tekun"] * 2,
            "claim_draw": 0.0,
        }
    ).to_csv(folder / "households.csv", index=False)
    pd.DataFrame(
        {
            "person_id": range(8),
            "household_id": [0, 1, 1, 2, 2, 2, 3, 4],
            "age": [40] * 6 + [70, 70],
            "institution": [0] * 6 + [1, 1],
            "tekun": [0] * 6 + [1, 1],
        }
    ).to_csv(folder / "persons.csv", index=False)
    return roll_io.load(folder / "households.csv", folder / "persons.csv", "2021-01", {"urban": 830, "rural": 680})


def still_roll_with(*changes, bureau=False):
    """东西湖区 with the roll held still (no entries or exits in any caseload) and ``changes``; on a
    bureau's roll only 低保's rates move it (the turnover of the synthetic caseloads cannot act there)."""
    paths = ("dibao.entry_rate", "dibao.exit_rate") + (
        () if bureau else ("tekun.turnover", "disability.turnover", "children.turnover")
    )
    fixed = [{"path": path, "from": "2000-01-01", "value": 0} for path in paths]
    return scenarios.parse({"name": "hand", "title": "hand", "changes": fixed + list(changes)})


def test_a_pure_standard_rise_is_all_standard_and_a_new_household_counts_at_its_own_gap(hand_roll):
    # 2021 → 2022, urban 低保 830 → 880: gaps 730 + 2 × 130 + 0 → 780 + 2 × 180 + 3 × 30 a month.
    rise = still_roll_with({"path": "dibao.standard.urban", "from": "2022-01-01", "value": 880}, bureau=True)
    split = budget.decompose("东西湖区", 2022, rise, roll=hand_roll).set_index("program")
    dibao = split.loc["dibao"]
    assert dibao.base_yuan == 12 * 990 and dibao.budget_yuan == 12 * 1230
    assert dibao.standard_yuan == 12 * (50 + 2 * 50 + 3 * 30)  # the third household at its own 30
    assert dibao.people_yuan == 0 and dibao.one_off_yuan == 0
    # the symmetric price/volume split called the same rise a price cut and a volume gain
    price, volume = budget.split(dibao.base_yuan, dibao.base_person_times, dibao.budget_yuan, dibao.budget_person_times)
    assert price < 0 < volume


def test_a_tekun_standard_rise_is_all_standard(hand_roll):
    rise = still_roll_with(
        {"path": "tekun.standard.centralized.urban", "from": "2022-01-01", "percent": 10}, bureau=True
    )
    tekun = budget.decompose("东西湖区", 2022, rise, roll=hand_roll).set_index("program").loc["tekun"]
    assert tekun.base_yuan == 2 * (1660 + 191) * 12
    assert tekun.standard_yuan == 2 * 166 * 12 and tekun.people_yuan == 0 and tekun.one_off_yuan == 0


@pytest.fixture(scope="module")
def dongxihu_2021():
    """东西湖区 2020 → 2021 on a roll whose caseloads hold still, so the counts below are the October ones."""
    return budget.decompose("东西湖区", 2021, still_roll_with(), roll=still_roll()).set_index("program")


def still_roll():
    return synthetic.synthesize(scenarios.apply(params.load("东西湖区"), still_roll_with()), 2020)


def test_a_year_whose_one_offs_end_is_all_one_off(dongxihu_2021):
    split = dongxihu_2021
    # the 2020 COVID grant to the severely disabled: 344 × 500 + 1194 × 300, paid once
    grant = split.loc["disability_nursing_one_off"]
    assert grant.base_yuan == 344 * 500 + 1194 * 300 and grant.budget_yuan == 0
    assert grant.one_off_yuan == -grant.base_yuan and grant.standard_yuan == grant.people_yuan == 0
    # the +50 of March–June 2020 on both disability subsidies ends: −50 for each person-month paid
    # then (a whole number of person-months, at least the October caseloads over four months)
    for program, october in (("disability_nursing", 2144), ("disability_living", 861)):
        row = split.loc[program]
        person_months = -row.one_off_yuan / 50
        assert person_months == round(person_months) and 0.9 * 4 * october <= person_months <= 1.1 * 4 * october
        # the living subsidy follows who is on 低保, so 低保's April raise reaches it a little
        assert abs(row.standard_yuan) < 0.01 * row.base_yuan and abs(row.people_yuan) < 0.01 * row.base_yuan
    assert split.loc["disability_nursing", "standard_yuan"] == 0
    for program in ("dibao_one_off", "dibao_price_subsidy", "tekun_price_subsidy"):
        row = split.loc[program]
        assert row.one_off_yuan == row.change_yuan and row.standard_yuan == row.people_yuan == 0


def test_the_january_to_march_raise_carries_into_the_next_year_as_standard(dongxihu_2021):
    # 特困 2020: Jan–Mar at 1560/1200 (January paid twice), Apr–Dec at 1660/1280; 2021 holds the April
    # level. The 56 centralized and 28 dispersed are split by area and self-care by the roll's fitted
    # shares, each placement rounded as the roll rounds it.
    p = params.load("东西湖区")
    urban, care, twice = 0, 0.0, 0.0
    shares = [p.at(f"tekun.{s}_share", "2020-06") for s in ("partial", "none")]
    for count in (56, 28):
        urban += round(count * p.at("tekun.urban_share", "2020-06"))
        levels = np.diff(np.round(np.cumsum([0, 1 - sum(shares), *shares]) * count))
        # each person's month is paid rounded to the fen: a yearly care standard of 3820 is 318.33 a
        # month, and January's double payment 636.67
        monthly = [p.at(f"tekun.care.{c}", "2020-06") for c in ("full", "partial", "none")]
        care += sum(n * money.fen(c) / 100 for n, c in zip(levels, monthly))
        twice += sum(n * money.fen(2 * c) / 100 for n, c in zip(levels, monthly))
    rural = 84 - urban
    tekun = dongxihu_2021.loc["tekun"]
    assert tekun.base_yuan == pytest.approx(
        (urban * 1560 + rural * 1200) * 4 + twice + 2 * care + (urban * 1660 + rural * 1280 + care) * 9, abs=0.005
    )
    assert tekun.standard_yuan == (urban * 100 + rural * 80) * 4 and tekun.people_yuan == 0 and tekun.one_off_yuan == 0


def test_recurring_items_repeat_and_so_do_not_move(dongxihu_2021):
    spring = dongxihu_2021.loc["spring_festival"]
    assert spring.base_yuan == spring.budget_yuan == pytest.approx(3982 * 484.3, abs=0.01)
    assert (spring[COMPONENTS] == 0).all()


@pytest.mark.parametrize(
    "district, year, scenario",
    [
        ("东西湖区", 2021, None),
        ("东西湖区", 2021, "dibao_plus5_july"),
        ("东丽区", 2021, None),
        ("天津市", 2021, None),
        # 天津市 has no 特困 caseload, so no care standard to raise
        ("东西湖区", 2021, "tekun_care_plus10"),
    ],
)
def test_the_three_components_add_up_to_the_change_to_the_fen(district, year, scenario):
    split = budget.decompose(district, year, scenario)
    assert len(split) and (fen(split[COMPONENTS]).sum(axis=1) == fen(split.change_yuan)).all()
    assert (fen(split.budget_yuan) - fen(split.base_yuan) == fen(split.change_yuan)).all()


# ---------------------------------------------------------------- the overlays


def test_standards_are_the_policy_amounts_in_yuan():
    base = params.load("东西湖区")
    standards = {p for p, leaf in base.leaves.items() if overlays.is_standard(leaf)}
    assert {"dibao.standard.urban", "tekun.care.full", "supplements.spring_festival.grant"} <= standards
    assert not standards & {
        "dibao.exit_rate",
        "temporary.multiple",
        "supplements.spring_festival.extra_months",
        "caseload.tekun.centralized",
        "temporary.cases",
    }


def test_carried_forward_takes_the_value_of_twelve_months_before():
    carried = overlays.carried_forward(params.load("东西湖区"), [2021, 2022])
    assert carried.at("dibao.standard.urban", "2021-03") == 780 and carried.at("dibao.standard.urban", "2021-04") == 830
    assert carried.at("dibao.standard.urban", "2022-02") == 830 and carried.at("dibao.standard.urban", "2020-02") == 780
    assert carried.at("dibao.exit_rate", "2021-03") == params.load("东西湖区").at("dibao.exit_rate", "2021-03")


def test_recurring_only_takes_out_grants_and_phased_raises():
    base = params.load("东西湖区")
    only = overlays.recurring_only(base)
    # the fitted amount carries a +50 from March to June 2020, which is not recurring
    assert base.at("disability.living.grade_3_4", "2020-04") == pytest.approx(
        only.at("disability.living.grade_3_4", "2020-04") + 50
    )
    assert only.at("disability.living.grade_3_4", "2020-04") == base.at("disability.living.grade_3_4", "2020-08")
    assert only.at("supplements.one_off.dibao.urban.amount", "2020-03") == 0
    assert only.at("supplements.price.multiplier", "2020-03") == 0
    assert only.at("supplements.spring_festival.extra_months", "2020-01") == 1  # declared recurring


def test_recurring_items_repeat_unless_the_year_dates_its_own_value():
    base = params.load("东西湖区")
    repeated = overlays.repeat_recurring(base, [2021, 2022, 2023])
    assert [repeated.at("supplements.spring_festival.grant", m) for m in ("2021-01", "2021-02", "2023-01")] == [
        484.3,
        0,
        484.3,
    ]
    own = scenarios.parse(
        {
            "name": "grant600",
            "title": "慰问金600元",
            "changes": [
                {"path": "supplements.spring_festival.grant", "from": "2022-01-01", "until": "2022-01-31", "value": 600}
            ],
        }
    )
    changed = overlays.repeat_recurring(scenarios.apply(base, own), [2021, 2022, 2023])
    assert [
        changed.at("supplements.spring_festival.grant", m) for m in ("2021-01", "2022-01", "2022-02", "2023-01")
    ] == [484.3, 600, 0, 600]


# ---------------------------------------------------------------- the declarations in params


@pytest.mark.parametrize("district", ["东西湖区", "东丽区", "天津市", "武汉市"])
def test_every_supplement_and_grant_declares_whether_it_recurs(district):
    leaves = {p: leaf for p, leaf in params.load(district).leaves.items() if p.startswith("supplements.")}
    assert leaves
    missing = [p for p, leaf in leaves.items() if leaf.recurring is None]
    assert not missing
    assert all(leaf.recurring.source and leaf.recurring.quote for leaf in leaves.values())
    assert leaves["supplements.spring_festival.grant"].recurring.value
    assert not leaves["supplements.one_off.dibao.urban.amount"].recurring.value


@pytest.mark.parametrize(
    "declaration, problem",
    [
        ("recurring: yes", "bad declaration"),
        ("recurring: {value: true}", "no provenance"),
        ("recurring: {value: 1, assumption: x}", "bad declaration"),
        ("recurring: {value: true, assumption: x, when: y}", "unknown key"),
    ],
)
def test_a_bad_declaration_is_one_clear_error(tmp_path, declaration, problem):
    folder = tmp_path / "defaults"
    folder.mkdir()
    (folder / "supplements.yaml").write_text(
        f"grant:\n  unit: yuan/household\n  {declaration}\n  values:\n    2000-01-01: {{value: 0, assumption: none}}\n",
        encoding="utf-8",
    )
    params._load.cache_clear()
    try:
        with pytest.raises(CivsimError, match=problem):
            params.load("东西湖区", root=tmp_path)
    finally:
        params._load.cache_clear()


def test_a_scenario_keeps_the_declarations():
    raised = scenarios.apply(
        params.load("东西湖区"),
        scenarios.parse(
            {"name": "d", "title": "d", "changes": [{"path": "disability", "from": "2021-07-01", "percent": 10}]}
        ),
    )
    leaf = raised.leaf("disability.living.grade_3_4")
    assert [(e.start.month, e.recurring) for e in leaf.entries if e.start.year == 2020] == [(3, False), (7, True)]
    assert raised.leaf("supplements.spring_festival.grant").recurring.value


# ---------------------------------------------------------------- the price/volume split kept for the plan

PERSON_TIMES = st.one_of(st.just(0.0), st.floats(1, 1e5))


@given(st.floats(0, 1e8), PERSON_TIMES, st.floats(0, 1e8), PERSON_TIMES)
def test_split_adds_up_exactly(a0, q0, a1, q1):
    price, volume = budget.split(a0, q0, a1, q1)
    assert round(price * 100) + round(volume * 100) == round(a1 * 100) - round(a0 * 100)
