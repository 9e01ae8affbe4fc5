"""Next year's projection: ranges in order, the price/volume split adds up to the fen, scenarios
side by side, deterministic draws, the workbook reads back, the notebook runs."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from civsim import budget, scenarios
from civsim.cli import main as cli_main
from civsim.errors import CivsimError

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2021
PLUS5 = scenarios.parse({"name": "plus5_july", "title": "城乡低保标准自7月起提高5%",
                         "changes": [{"path": "dibao.standard", "from": "2021-07-01", "percent": 5}]})
SAME = scenarios.parse({"name": "same_as_baseline", "title": "与基准相同",
                        "changes": [{"path": "dibao.standard", "from": "2021-01-01", "percent": 0}]})


@pytest.fixture(scope="module")
def projection():
    return budget.project("东西湖区", YEAR, [PLUS5, SAME], draws=20, seed=1)


def rows(projection, scenario):
    return projection.programs[projection.programs.scenario == scenario].set_index("program")


def test_quantiles_are_in_order(projection):
    table = projection.programs
    assert (table.next_p10_yuan <= table.next_p50_yuan).all()
    assert (table.next_p50_yuan <= table.next_p90_yuan).all()
    assert list(dict.fromkeys(table.scenario)) == ["baseline", "plus5_july", "same_as_baseline"]
    dibao = rows(projection, "baseline").loc["dibao"]
    assert dibao.next_p90_yuan > dibao.next_p10_yuan          # the roll's rates do move 低保


def test_price_plus_volume_is_the_change_to_the_fen(projection):
    table = projection.programs
    assert np.allclose(table.price_effect_yuan + table.volume_effect_yuan, table.change_yuan, rtol=0, atol=0.005)
    assert np.allclose(table.next_p50_yuan - table.this_year_yuan, table.change_yuan, rtol=0, atol=0.005)
    for name in projection.scenarios:               # the 合计 row is the sum of the programs
        data = rows(projection, name)
        programs = data.drop(index="total")
        for column in ("this_year_yuan", "next_p50_yuan", "change_yuan", "price_effect_yuan", "volume_effect_yuan"):
            assert programs[column].sum() == pytest.approx(data.loc["total", column], abs=0.005)


def test_a_standard_rise_is_a_price_effect_on_dibao(projection):
    base, plus = rows(projection, "baseline").loc["dibao"], rows(projection, "plus5_july").loc["dibao"]
    assert plus.next_p50_yuan > base.next_p50_yuan
    assert plus.price_effect_yuan > base.price_effect_yuan


def test_a_scenario_equal_to_the_baseline_differs_by_zero(projection):
    same, base = rows(projection, "same_as_baseline"), rows(projection, "baseline")
    money = [c for c in same.columns if c.endswith("_yuan")]
    pd.testing.assert_frame_equal(same[money], base[money])
    assert (projection.comparison["same_as_baseline:diff_yuan"] == 0).all()
    assert (projection.comparison["plus5_july:diff_yuan"] > 0).any()


def test_this_year_is_the_same_for_every_scenario(projection):
    this = projection.programs.pivot(index="program", columns="scenario", values="this_year_yuan")
    assert (this.nunique(axis=1) == 1).all()


PERSON_TIMES = st.one_of(st.just(0.0), st.floats(1, 1e5))   # none, or at least one (annual)


@given(st.floats(0, 1e8), PERSON_TIMES, st.floats(0, 1e8), PERSON_TIMES)
def test_split_adds_up_exactly(a0, q0, a1, q1):
    price, volume = budget.split(a0, q0, a1, q1)
    change = round(a1 * 100) - round(a0 * 100)
    assert round(price * 100) + round(volume * 100) == change


def test_split_of_pure_price_and_pure_volume():
    assert budget.split(1000, 10, 1100, 10) == (100.0, 0.0)          # same person-times: all price
    assert budget.split(1000, 10, 1100, 11) == (0.0, 100.0)          # same average: all volume
    assert budget.split(1000, 0, 1200, 0) == (200.0, 0.0)            # paid per bed, no person-times
    assert budget.split(0, 0, 500, 5) == (0.0, 500.0)                # a new program


def test_more_draws_narrow_the_monte_carlo_error():
    small = budget.project("东西湖区", YEAR, draws=50, seed=2)
    large = budget.project("东西湖区", YEAR, draws=400, seed=2)
    assert large.total().mc_se_yuan < small.total().mc_se_yuan / 2      # about 1/sqrt(8)
    drawn = large.samples.pivot_table(index="draw", columns="program", values="amount_yuan").sum(axis=1)
    assert large.total().mc_se_yuan == pytest.approx(drawn.std(ddof=1) / np.sqrt(400), abs=0.01)
    # draws nest: the 50-draw projection is the first 50 draws of the 400-draw one
    first = large.samples[large.samples.draw < 50].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, small.samples)


def test_deterministic_for_a_seed():
    one = budget.project("东西湖区", YEAR, [PLUS5], draws=4, seed=7)
    two = budget.project("东西湖区", YEAR, [PLUS5], draws=4, seed=7)
    other = budget.project("东西湖区", YEAR, [PLUS5], draws=4, seed=8)
    pd.testing.assert_frame_equal(one.programs, two.programs)
    pd.testing.assert_frame_equal(one.samples, two.samples)
    assert not one.samples.amount_yuan.equals(other.samples.amount_yuan)


def test_street_reserve_is_percent_of_this_years_dibao():
    dongli = budget.project("东丽区", YEAR, draws=2)
    row = dongli.reserve.iloc[0]
    assert row.reserve_percent == 4
    assert row.reserve_yuan == pytest.approx(row.this_year_dibao_yuan * 0.04, abs=0.005)


def test_street_reserve_is_blank_where_the_district_has_no_percent(projection):
    assert projection.reserve.reserve_yuan.isna().all()
    dibao = rows(projection, "baseline").loc["dibao", "this_year_yuan"]
    assert projection.reserve.this_year_dibao_yuan.iloc[0] == dibao


def test_workbook_reads_back_to_the_same_numbers(projection, tmp_path):
    path = budget.to_xlsx(projection, tmp_path / "预算.xlsx")
    assert path.is_file() and not list(tmp_path.glob(".*.tmp"))
    back = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    assert list(back) == ["分项目预测", "方案对比", "临时救助备用金", "假设与说明"]
    programs = back["分项目预测"]
    assert {"项目", "本年支出（万元）", "下年预测P50（万元）", "其中：价格因素（万元）"} <= set(programs.columns)
    want = projection.programs
    assert np.allclose(programs["下年预测P50（万元）"], want.next_p50_yuan / 1e4, rtol=0, atol=1e-9)
    assert np.allclose(programs["本年支出（万元）"], want.this_year_yuan / 1e4, rtol=0, atol=1e-9)
    assert programs["方案"].iloc[0] == "基准" and programs["项目"].tolist() == want.label.tolist()
    for name, table in projection.sheets().items():
        numeric = table.select_dtypes("number").columns
        assert np.allclose(back[name][numeric].to_numpy(float), table[numeric].to_numpy(float), equal_nan=True,
                           rtol=0, atol=1e-9), name


def test_bad_input_is_one_clear_error():
    with pytest.raises(CivsimError, match="draws"):
        budget.project("东西湖区", YEAR, draws=0)
    with pytest.raises(CivsimError, match="given twice"):
        budget.project("东西湖区", YEAR, [PLUS5, PLUS5], draws=1)
    with pytest.raises(CivsimError, match="misses the simulated year"):
        budget.project("东西湖区", 2020, [PLUS5], draws=1)


def test_cli_prints_a_table_and_writes_the_workbook(tmp_path, capsys):
    target = tmp_path / "out.xlsx"
    assert cli_main(["project", "--district", "420112", "--year", "2021", "--draws", "3", "--xlsx", str(target)]) == 0
    out = capsys.readouterr().out
    assert "低保" in out and "合计" in out and "万元" in out
    assert target.is_file()


def test_the_notebook_runs_with_papermill(tmp_path):
    import papermill

    target = tmp_path / "nb.xlsx"
    out = tmp_path / "budget_projection.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "budget_projection.ipynb"), str(out), kernel_name="python3",
                               parameters={"district": "东西湖区", "year": YEAR, "scenarios": [], "draws": 3,
                                           "xlsx": str(target)}, progress_bar=False, cwd=str(tmp_path))
    import nbformat

    executed = nbformat.read(out, as_version=4)
    code = [c for c in executed.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert pd.read_excel(target, sheet_name="分项目预测")["项目"].iloc[-1] == "合计"


@pytest.mark.parametrize("name", ["budget_projection", "scenario_explorer"])
def test_notebooks_are_committed_without_outputs(name):
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"
    assert "parameters" in notebook.cells[1].metadata.get("tags", [])
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
