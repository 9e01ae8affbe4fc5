"""The budget: one decomposition (标准因素 + 人数因素 + 一次性及阶段性项目) pinned on hand-computed
cases and adding up to the fen; the overlays it compares; the three-year window with a range on
every caseload; the workbook (numbers, safe text, provenance); the CLI and the notebook."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from civsim import budget, money, params, roll_io, scenarios, synthetic
from civsim.budget import overlays, projection as projection_module, window as window_module, workbook
from civsim.cli import main as cli_main
from civsim.errors import CivsimError

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2021
PLUS5 = scenarios.parse(
    {
        "name": "plus5_each_year",
        "title": "城乡低保标准每年1月提高5%",
        # one change per year, each on the level of the year before it (no overlap)
        "changes": [
            {
                "path": "dibao.standard",
                "from": f"{y}-01-01",
                "until": f"{y}-12-31",
                "percent": round((1.05 ** (k + 1) - 1) * 100, 6),
            }
            for k, y in enumerate((2021, 2022, 2023))
        ],
    }
)
SAME = scenarios.parse(
    {
        "name": "same_as_baseline",
        "title": "与基准相同",
        "changes": [{"path": "dibao.standard", "from": "2021-01-01", "percent": 0}],
    }
)
COMPONENTS = ["standard_yuan", "people_yuan", "one_off_yuan"]


def fen(values) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) * 100).astype(np.int64)


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


@pytest.fixture(scope="module")
def dongxihu_2021_as_shipped():
    return budget.decompose("东西湖区", 2021).set_index("program")


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


# ---------------------------------------------------------------- the window


@pytest.fixture(scope="module")
def window():
    return budget.project("东西湖区", YEAR, [PLUS5, SAME], draws=20, seed=1)


def lines(projection, scenario, year=YEAR):
    table = projection.lines
    return table[(table.scenario == scenario) & (table.year == year)].set_index("program")


def test_the_window_is_three_years_with_ranges_in_order(window):
    table = window.lines
    assert window.years == (2021, 2022, 2023) and set(table.year) == set(window.years)
    assert list(dict.fromkeys(table.scenario)) == ["baseline", "plus5_each_year", "same_as_baseline"]
    assert ((table.p10_yuan <= table.p50_yuan) & (table.p50_yuan <= table.p90_yuan)).all()


def test_every_year_splits_its_change_to_the_fen_and_the_total_is_the_sum(window):
    table = window.lines
    assert (fen(table[COMPONENTS]).sum(axis=1) == fen(table.change_yuan)).all()
    assert (fen(table.mean_yuan) - fen(table.previous_yuan) == fen(table.change_yuan)).all()
    for (name, year), data in table.groupby(["scenario", "year"]):
        programs, total = data[data.program != "total"], data[data.program == "total"].iloc[0]
        for column in ["previous_yuan", "mean_yuan", "change_yuan"] + COMPONENTS:
            assert fen(programs[column]).sum() == fen(total[column])
        if year > YEAR:  # each year starts from the year before
            before = lines(window, name, year - 1)
            assert (data.set_index("program").previous_yuan == before.mean_yuan.reindex(data.program)).all()


def test_the_first_year_starts_from_the_base_year_and_its_one_offs_end(window):
    first = lines(window, "baseline")
    base = window.base[window.base.scenario == "baseline"].set_index("program")
    assert (first.drop(index="total").previous_yuan == base.amount_yuan.reindex(first.index.drop("total"))).all()
    assert first.loc["disability_nursing_one_off", "one_off_yuan"] == -530200
    assert first.loc["total", "one_off_yuan"] < -2_000_000


def test_the_window_gives_a_year_in_the_columns_of_decompose(window, dongxihu_2021_as_shipped):
    split = window.split("baseline", 2022)
    assert list(split.columns) == list(dongxihu_2021_as_shipped.reset_index().columns)
    assert (fen(split[COMPONENTS]).sum(axis=1) == fen(split.change_yuan)).all()
    first = window.split().set_index("program")
    assert first.loc["tekun", "base_person_times"] == dongxihu_2021_as_shipped.loc["tekun", "base_person_times"]
    with pytest.raises(CivsimError, match="no scenario"):
        window.split("nope")


def test_a_standard_each_year_is_a_standard_effect_each_year(window):
    for year in window.years:
        plus, base = lines(window, "plus5_each_year", year).loc["dibao"], lines(window, "baseline", year).loc["dibao"]
        assert plus.standard_yuan > base.standard_yuan + 0.04 * base.previous_yuan
    assert not any(c["path"] != "dibao.standard" for c in window.changes["plus5_each_year"])
    assert len(window.changes["plus5_each_year"]) == 3


def test_the_range_notes_say_each_note_once_with_its_years(window):
    """The report shows each 区间说明 once per scenario and line, with the years it holds for,
    rather than on each of the detail table's rows: nothing lost, nothing repeated."""
    detail = workbook.sheets(window)["分年度预测"]
    notes = workbook.range_notes(detail)
    assert list(notes.columns) == ["方案", "项目", "年度", "区间说明"]
    assert not notes.duplicated(["方案", "项目", "区间说明"]).any() and len(notes) < len(detail)
    said = {(r.方案, r.项目, int(year[:-1]), r.区间说明) for r in notes.itertuples() for year in r.年度.split("、")}
    assert said == {(r.方案, r.项目, int(r.年度), r.区间说明) for r in detail.itertuples()}


def test_a_scenario_equal_to_the_baseline_differs_by_zero(window):
    same, base = (
        window.lines[window.lines.scenario == "same_as_baseline"],
        window.lines[window.lines.scenario == "baseline"],
    )
    money = [c for c in same.columns if c.endswith("_yuan")]
    pd.testing.assert_frame_equal(same[money].reset_index(drop=True), base[money].reset_index(drop=True))


def test_every_caseload_has_a_range_or_says_why_not(window):
    table = lines(window, "baseline")
    for program in (
        "dibao",
        "tekun",
        "disability_nursing",
        "disability_living",
        "orphan",
        "unsupported_child",
        "temporary",
        "spring_festival",
    ):
        assert table.loc[program, "p90_yuan"] > table.loc[program, "p10_yuan"], program
    flat = window.lines[window.lines.p90_yuan == window.lines.p10_yuan]
    assert len(flat) and (flat.no_range != "").all()
    assert set(window.caseload.kind) <= {"roll", "trend", "assumed"}
    assert window.caseload.set_index("family").loc["dibao", "kind"] == "roll"
    assert window.caseload.set_index("family").loc["tekun", "kind"] == "assumed"


def test_a_reported_series_gives_a_trend(tmp_path, monkeypatch):
    rows = [
        ("420112", year, "tekun", "all", "persons", f"{year}-12", value, "f.txt", f"q{year}")
        for year, value in ((2018, 100), (2020, 121))
    ]
    pd.DataFrame(
        rows, columns=["jurisdiction", "year", "program", "area", "measure", "period", "value", "source", "quote"]
    ).to_csv(tmp_path / "x.csv", index=False)
    growth, basis = projection_module.reported_trend("420112", "tekun", tmp_path)
    assert growth == pytest.approx(0.10) and "2018" in basis
    assert projection_module.reported_trend("420112", "orphan", tmp_path) is None
    monkeypatch.setattr(
        window_module,
        "reported_trend",  # the window reads the trend of each caseload
        lambda code, program, folder=None, table=None: (0.10, basis) if program == "tekun" else None,
    )
    trended = budget.project("东西湖区", YEAR, draws=20)
    assert trended.caseload.set_index("family").loc["tekun", "kind"] == "trend"
    tekun = [lines(trended, "baseline", y).loc["tekun", "person_times"] for y in trended.years]
    assert tekun[2] / tekun[0] == pytest.approx(1.21, rel=0.03)


def test_deterministic_nested_and_the_draw_is_a_plain_callable():
    small = budget.project("东西湖区", YEAR, draws=3, seed=7, years=2)
    large = budget.project("东西湖区", YEAR, draws=6, seed=7, years=2, runner=lambda f, xs: [f(x) for x in xs])
    again = budget.project("东西湖区", YEAR, draws=3, seed=7, years=2)
    other = budget.project("东西湖区", YEAR, draws=3, seed=8, years=2)
    pd.testing.assert_frame_equal(small.lines, again.lines)
    pd.testing.assert_frame_equal(large.samples[large.samples.draw < 3].reset_index(drop=True), small.samples)
    assert not small.samples.amount_yuan.equals(other.samples.amount_yuan)


def test_the_draw_travels_to_another_process_unchanged():
    import pickle

    base = params.load("东西湖区")
    model = projection_module.Window(base, YEAR, [budget.components.ParameterSets(base, (2021, 2022))], years=2)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(model)).draw(4), model.draw(4))


def test_a_draw_reusing_the_fixed_lines_equals_running_every_program():
    """Each draw takes the lines no draw moves from one run per parameter set: the same draws, to
    the fen, as running every program in every draw (a split draw and a plain one, a scenario)."""
    base = params.load("东西湖区")
    sets = [budget.components.ParameterSets(p, (2021, 2022)) for p in (base, scenarios.apply(base, PLUS5))]
    model = projection_module.Window(base, YEAR, sets, years=2, split_draws=2)
    assert all(f.programs for f in model.fixed.values())
    fast = [model.draw(d) for d in (0, 3)]
    model.fixed = dict.fromkeys(model.fixed)  # None: every program runs in every draw
    for d, table in zip((0, 3), fast):
        pd.testing.assert_frame_equal(table, model.draw(d), check_exact=True)
    assert fast[0]["split"].all() and not fast[1]["split"].any()


def test_decompose_reuses_given_simulations(dongxihu_2021_as_shipped):
    from civsim import engine

    base = params.load("东西湖区")
    this = engine.Simulation(base, 2020, 1)
    again = budget.decompose(
        year=2021, params=base, simulations=(this, engine.Simulation(base, 2021, 1, roll=this.roll))
    )
    pd.testing.assert_frame_equal(again.set_index("program"), dongxihu_2021_as_shipped)


def test_street_reserve_is_percent_of_the_year_befores_dibao():
    dongli = budget.project("东丽区", YEAR, draws=2, years=2)
    rows = dongli.reserve.set_index("year")
    assert (rows.reserve_percent == 4).all()
    assert rows.loc[2021, "reserve_yuan"] == pytest.approx(rows.loc[2021, "previous_dibao_yuan"] * 0.04, abs=0.005)
    first = lines(dongli, "baseline", 2021)
    dibao_2021 = first.loc["dibao", "mean_yuan"] if "dibao" in first.index else 0.0
    assert rows.loc[2022, "previous_dibao_yuan"] == dibao_2021


def test_bad_input_is_one_clear_error():
    with pytest.raises(CivsimError, match="draws"):
        budget.project("东西湖区", YEAR, draws=0)
    with pytest.raises(CivsimError, match="window"):
        budget.project("东西湖区", YEAR, draws=1, years=0)
    with pytest.raises(CivsimError, match="given twice"):
        budget.project("东西湖区", YEAR, [PLUS5, PLUS5], draws=1)
    past = scenarios.parse(
        {
            "name": "past",
            "title": "past",
            "changes": [{"path": "dibao.standard", "from": "2021-01-01", "until": "2021-12-31", "percent": 5}],
        }
    )
    with pytest.raises(CivsimError, match="misses the budget window"):
        budget.project("东西湖区", 2022, [past], draws=1)
    with pytest.raises(CivsimError, match="year"):
        budget.decompose("东西湖区", "2021")


# ---------------------------------------------------------------- shape


def test_the_analysis_imports_nothing_from_the_report_layer():
    code = "import sys, civsim.budget; print(any(m.split('.')[:2] == ['civsim', 'report'] for m in sys.modules))"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "False"
    )


# ---------------------------------------------------------------- the workbook

# the loader refuses control characters in a title; the workbook still strips any that reach it
HOSTILE = dataclasses.replace(
    scenarios.parse(
        {"name": "hostile", "title": "x", "changes": [{"path": "dibao.standard", "from": "2021-01-01", "percent": 1}]}
    ),
    title='=HYPERLINK("http://x")\x07\x1b\ud800方案',
)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    from openpyxl import load_workbook

    projection = budget.project("东西湖区", YEAR, [HOSTILE], draws=3, years=2)
    path = budget.to_xlsx(projection, tmp_path_factory.mktemp("book") / "预算.xlsx")
    return projection, path, load_workbook(path)


def test_workbook_reads_back_to_the_same_numbers(book):
    projection, path, _ = book
    back = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    assert list(back) == list(workbook.SHEETS)
    for name, table in workbook.sheets(projection).items():
        numeric = table.select_dtypes("number").columns
        assert len(back[name]) == len(table), name
        assert np.allclose(
            back[name][numeric].to_numpy(float), table[numeric].to_numpy(float), equal_nan=True, rtol=0, atol=1e-9
        ), name
    detail = back["分年度预测"]
    assert np.allclose(detail["预测数（万元）"], projection.lines.mean_yuan / 1e4, rtol=0, atol=1e-9)


def test_workbook_numbers_are_numbers_in_wan_yuan_headers_frozen_columns_sized(book):
    _, _, loaded = book
    for sheet in loaded.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(sheet.column_dimensions[c.column_letter].width >= 10 for c in sheet[1])
    sheet = loaded["分年度预测"]
    headers = [c.value for c in sheet[1]]
    column = headers.index("预测数（万元）") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    assert all(c.data_type == "n" and c.number_format == "#,##0.00" for c in cells)


def test_workbook_text_is_never_a_formula_and_holds_no_illegal_characters(book):
    _, _, loaded = book
    texts = [c for sheet in loaded.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in texts if c.data_type == "f"]
    titles = [c for c in texts if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert titles and all(
        c.value == '=HYPERLINK("http://x")方案' and c.data_type == "s" and c.quotePrefix for c in titles
    )


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=1+1", "=1+1"),
        ("+1", "+1"),
        ("-1", "-1"),
        ("\u22121", "\u22121"),
        ("@SUM(A1)", "@SUM(A1)"),
        ("a\x00b\x1fc\ufffe", "abc"),
        ("低保", "低保"),
        ("长" * 40_000, "长" * 32_767),
    ],
)
def test_safe_text(text, safe, tmp_path):
    from openpyxl import Workbook, load_workbook

    assert workbook.safe_text(text) == safe
    sheet = Workbook().active
    workbook._cell(sheet, 1, 1, text)
    sheet.parent.save(tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx").active["A1"]
    assert cell.value == safe and cell.data_type == "s"


def test_provenance_and_assumptions_sheets(book):
    projection, _, _ = book
    sheets = workbook.sheets(projection)
    provenance = dict(zip(sheets["数据来源"]["项目"], sheets["数据来源"]["取值"]))
    assert provenance["参数哈希"] == budget.params_hash(params.load("东西湖区")) and len(provenance["参数哈希"]) == 12
    assert "合成名册" in provenance["名册哈希"] and provenance["随机种子"] == "1" and provenance["civsim版本"]
    notes = " ".join(sheets["假设与说明"].astype(str).agg(" ".join, axis=1))  # the 参数 column holds the codes
    for path in (
        "supplements.one_off.dibao.urban.amount",
        "supplements.one_off.disability_severe.rural.amount",
        "disability.living.grade_3_4",
        "dibao.standard.urban",
        "tekun.standard.dispersed.rural",
        "supplements.spring_festival.grant",
    ):
        assert path in notes, path
    assert "一次性及阶段性项目" in notes and "保持不变的标准" in notes and "按上年同月延续" in notes


# ---------------------------------------------------------------- the price/volume split kept for the plan

PERSON_TIMES = st.one_of(st.just(0.0), st.floats(1, 1e5))


@given(st.floats(0, 1e8), PERSON_TIMES, st.floats(0, 1e8), PERSON_TIMES)
def test_split_adds_up_exactly(a0, q0, a1, q1):
    price, volume = budget.split(a0, q0, a1, q1)
    assert round(price * 100) + round(volume * 100) == round(a1 * 100) - round(a0 * 100)


# ---------------------------------------------------------------- CLI and notebook


def test_cli_prints_the_window_and_writes_the_workbook(tmp_path, capsys):
    target = tmp_path / "out.xlsx"
    assert (
        cli_main(
            ["project", "--district", "420112", "--year", "2021", "--draws", "2", "--years", "2", "--xlsx", str(target)]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "2021年" in out and "2022年" in out and "标准因素" in out and "一次性及阶段性" in out and "合计" in out
    assert target.is_file()
    assert cli_main(["project", "--district", "420112", "--year", "2021", "--draws", "0"]) == 2


def test_a_bureau_roll_is_named_by_its_hash(tmp_path, capsys):
    roll_io.save(synthetic.synthesize(params.load("东西湖区"), 2020, 1), tmp_path / "roll")
    target = tmp_path / "out.xlsx"
    assert (
        cli_main(
            [
                "project",
                "--district",
                "东西湖区",
                "--year",
                "2021",
                "--draws",
                "1",
                "--years",
                "1",
                "--roll",
                str(tmp_path / "roll"),
                "--xlsx",
                str(target),
            ]
        )
        == 0
    )
    provenance = pd.read_excel(target, sheet_name="数据来源", engine="openpyxl").set_index("项目")["取值"]
    assert len(provenance["名册哈希"]) == 12 and "synthetic" not in provenance["名册哈希"]
    assert cli_main(["project", "--district", "东西湖区", "--year", "2021", "--roll", str(tmp_path / "none")]) == 2
    assert "not found" in capsys.readouterr().err


@pytest.mark.slow
def test_the_notebook_runs_with_papermill(tmp_path):
    import nbformat
    import papermill

    target = tmp_path / "nb.xlsx"
    out = tmp_path / "budget_projection.ipynb"
    papermill.execute_notebook(
        str(ROOT / "civsim" / "notebooks" / "budget_projection.ipynb"),
        str(out),
        kernel_name="python3",
        parameters={"district": "东西湖区", "year": YEAR, "years": 2, "scenarios": [], "draws": 2, "xlsx": str(target)},
        progress_bar=False,
        cwd=str(tmp_path),
    )
    code = [c for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert pd.read_excel(target, sheet_name="中期规划汇总", engine="openpyxl")["项目"].iloc[-1] == "合计"


@pytest.mark.parametrize("name", ["budget_projection", "scenario_explorer"])
def test_notebooks_are_committed_thin_and_without_outputs(name):
    import nbformat

    notebook = nbformat.read(ROOT / "civsim" / "notebooks" / f"{name}.ipynb", as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"
    assert "parameters" in notebook.cells[1].metadata.get("tags", [])
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
