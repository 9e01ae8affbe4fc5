"""The scenario explorer, driven as a planner would: move a control, recompute, save, reload."""
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from civsim import engine, explorer, scenarios

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2021


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One explorer for the module (building the roll is the slow part); tests reset its controls."""
    return explorer.build("东西湖区", YEAR, folder=tmp_path_factory.mktemp("scenarios"), debounce=None)


@pytest.fixture
def ex(app, tmp_path):
    app.folder = tmp_path
    for control in app.standards:
        control.mode.value = "percent"
        control.percent.value = 0.0
        control.value.value = control.current
    for control in app.roll:
        control.slider.value = control.current
    app.month_box.value = 1
    app.name_box.value, app.title_box.value, app.overwrite_box.value = "", "", False
    app.recompute()
    return app


def program_row(ex, program):
    return ex.table.set_index("program").loc[program]


def monthly_persons(frame, program):
    return frame[frame.program == program].groupby("month")["persons"].sum()


def test_shows_only_the_standards_the_district_has(ex):
    paths = [c.path for c in ex.standards]
    assert "dibao.standard.urban" in paths and "elderly.allowance.age_90_99" in paths
    assert all(ex.params.has(p) for p in paths)
    assert "low_income.grant" not in paths          # 东西湖区 has no 低收入 grant parameter
    assert [c.path for c in ex.roll] == ["dibao.take_up", "dibao.entry_rate", "dibao.exit_rate"]


def test_untouched_controls_equal_the_baseline(ex):
    assert ex.scenario is None
    assert ex.annual_difference_yuan == 0
    assert (ex.table["diff_yuan"] == 0).all()


def test_raising_the_dibao_standard_raises_dibao_money_and_never_lowers_caseload(ex):
    sim_before = ex.sim
    ex.control("dibao.standard.urban").percent.value = 10
    ex.control("dibao.standard.rural").percent.value = 10
    ex.month_box.value = 7
    ex.recompute()
    assert ex.sim is sim_before                     # the same population, re-run
    row = program_row(ex, "dibao")
    assert row["scenario_yuan"] > row["baseline_yuan"]
    base, cur = monthly_persons(ex.baseline, "dibao"), monthly_persons(ex.current, "dibao")
    assert (cur >= base).all() and (cur[:6] == base[:6]).all()       # nothing moves before July
    assert ex.annual_difference_yuan > 0
    assert ex.table.set_index("program").loc["total", "diff_yuan"] == pytest.approx(ex.annual_difference_yuan)
    assert "差额" in ex.headline.value and "<svg" in ex.chart.value and "<table" in ex.table_html.value
    changes = {c.path: c for c in ex.scenario.changes}
    assert changes["dibao.standard.urban"].start.isoformat() == "2021-07-01"


def test_a_new_value_below_the_standard_lowers_money(ex):
    control = ex.control("dibao.standard.urban")
    control.mode.value = "value"
    control.value.value = control.current - 100
    ex.recompute()
    assert program_row(ex, "dibao")["diff_yuan"] < 0
    assert ex.scenario.changes[0].value == control.current - 100


def test_roll_controls_move_the_caseload(ex):
    ex.control("dibao.take_up").slider.value = min(1.0, ex.control("dibao.take_up").current + 0.2)
    ex.recompute()
    assert program_row(ex, "dibao")["scenario_persons"] > program_row(ex, "dibao")["baseline_persons"]


def test_the_monthly_table_sums_to_the_annual_one(ex):
    ex.control("tekun.care.full").percent.value = 20
    ex.recompute()
    monthly = ex.monthly_for("total")
    assert monthly["scenario_yuan"].sum() == pytest.approx(program_row(ex, "total")["scenario_yuan"])
    tekun = ex.monthly_for("tekun")
    assert (tekun["scenario_yuan"] >= tekun["baseline_yuan"]).all()


def test_save_writes_yaml_refuses_overwrite_and_reloads_to_the_same_results(ex):
    ex.control("dibao.standard.urban").percent.value = 5
    ex.control("dibao.exit_rate").slider.value = 0.02
    ex.month_box.value = 7
    ex.recompute()
    ex.name_box.value = "dibao_plus5_july_test"
    ex.save_button.click()
    path = ex.folder / "dibao_plus5_july_test.yaml"
    assert path.is_file() and "已保存" in ex.message
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["name"] == "dibao_plus5_july_test" and len(raw["changes"]) == 2
    assert not list(ex.folder.glob(".*.tmp"))                    # atomic: no temporary left behind

    before = path.read_text(encoding="utf-8")
    ex.control("dibao.standard.urban").percent.value = 8
    ex.save_button.click()
    assert "已存在" in ex.message and path.read_text(encoding="utf-8") == before
    ex.overwrite_box.value = True
    ex.save_button.click()
    assert "已保存" in ex.message and path.read_text(encoding="utf-8") != before

    ex.recompute()
    loaded = scenarios.load("dibao_plus5_july_test", ex.folder)
    rerun = ex.sim.run(scenarios.apply(ex.params, loaded, YEAR))
    pd.testing.assert_frame_equal(rerun.drop(columns="scenario"), ex.current.drop(columns="scenario"))
    fresh = engine.simulate("东西湖区", YEAR, scenarios=[loaded])           # a new roll from the same seed
    got = fresh[fresh.scenario == loaded.name].groupby("program")["amount_yuan"].sum()
    want = ex.current.groupby("program")["amount_yuan"].sum()
    pd.testing.assert_series_equal(got, want.reindex(got.index), check_names=False)


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "x" * 65, "bad name", "baseline"])
def test_a_bad_name_is_refused(ex, name):
    ex.control("dibao.standard.urban").percent.value = 5
    ex.name_box.value = name
    ex.save_button.click()
    assert ex.save() is None
    assert not list(ex.folder.iterdir()) and not list(ex.folder.parent.glob("*.yaml"))
    assert ex.message


def test_nothing_to_save_is_refused(ex):
    ex.name_box.value = "nothing"
    assert ex.save() is None and "没有" in ex.message


def test_slider_changes_are_debounced(ex):
    ex.debounce = 0.2
    try:
        count = ex.recomputes
        for percent in (1, 2, 3, 4):
            ex.control("dibao.standard.urban").percent.value = percent
        assert ex.recomputes == count                 # nothing yet: the controls are still moving
        deadline = time.monotonic() + 5
        while ex.recomputes == count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        assert ex.recomputes == count + 1             # one computation for four changes
        assert ex.scenario.changes[0].percent == 4
    finally:
        ex.debounce = None


def test_switching_district_rebuilds_the_controls(tmp_path):
    app = explorer.build("东丽区", YEAR, folder=tmp_path, debounce=None)
    assert app.params.district.code == "120110"
    app.district_box.value = "420112"
    assert app.params.district.code == "420112"
    assert "dibao.standard.urban" in [c.path for c in app.standards]
    assert program_row(app, "dibao")["baseline_yuan"] > 0


def test_the_notebook_builds_and_displays_the_explorer(tmp_path):
    import nbformat
    import papermill

    out = tmp_path / "scenario_explorer.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "scenario_explorer.ipynb"), str(out), kernel_name="python3",
                               parameters={"district": "东丽区", "year": YEAR}, progress_bar=False, cwd=str(tmp_path))
    outputs = [o for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
