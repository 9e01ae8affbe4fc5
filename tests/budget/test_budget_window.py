"""The three-year budget window (budget.project): ranges in order on every caseload or a reason
why not, each year's change split to the fen and starting from the year before, a year in the
columns of decompose, trends from a reported series, draws that are deterministic, nested and
travel to another process, the street reserve, bad input as one error; and the analysis imports
nothing from the report layer."""

import subprocess
import sys

import pandas as pd
import pytest

from civsim import budget, params, scenarios
from civsim.budget import projection as projection_module, window as window_module, workbook
from civsim.errors import CivsimError
from .conftest import COMPONENTS, YEAR, fen

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


# ---------------------------------------------------------------- the window


@pytest.fixture(scope="module")
def window():
    return budget.project("东西湖区", YEAR, [PLUS5, SAME], draws=20, seed=1)


@pytest.fixture(scope="module")
def dongxihu_2021_as_shipped():
    return budget.decompose("东西湖区", 2021).set_index("program")


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
