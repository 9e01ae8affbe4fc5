"""The scenario explorer, driven as a planner would: move a control, recompute, save, reload."""

import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from civsim import engine, explorer, scenarios

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2021
DRAWS = 4  # the budget year's range over a few draws: its own tests are tests/budget/test_live.py's and the browser's


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One explorer for the module (building the roll is the slow part); tests reset its controls."""
    return explorer.build(
        "东西湖区", YEAR, folder=tmp_path_factory.mktemp("scenarios"), debounce=None, range_draws=DRAWS
    )


@pytest.fixture
def ex(app, tmp_path):
    app.folder = tmp_path
    for control in app.standards:
        control.mode.value = "percent"
        control.percent.value = 0.0
        control.value.value = control.current
        control.confirm.value = False
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
    assert "dibao.standard.urban" in paths
    assert all(ex.params.has(p) for p in paths)
    assert "low_income.grant" not in paths  # 东西湖区 has no 低收入 grant parameter
    assert [c.path for c in ex.roll] == ["dibao.take_up", "dibao.entry_rate", "dibao.exit_rate"]


@pytest.mark.parametrize("district", ["东西湖区", "东丽区"])
def test_controls_only_for_programs_the_district_pays(tmp_path, district):
    """A control is shown exactly when the district has the parameter and its own baseline (run
    here independently) pays the program: a control that could change nothing is not offered."""
    baseline = engine.simulate(district, YEAR)
    sums = baseline.groupby("program")[["persons", "amount_yuan"]].sum()
    paid = set(sums.index[(sums > 0).any(axis=1)])
    app = explorer.build(district, YEAR, folder=tmp_path, debounce=None, range_draws=DRAWS)
    want = [path for program, path, *_ in explorer.STANDARDS if program in paid and app.params.has(path)]
    shown = [c.path for c in app.standards]
    assert set(shown) <= set(want) and shown == [p for p in want if p in shown]
    assert {c.program for c in app.standards} == {program for program, path, *_ in explorer.STANDARDS if path in want}
    hidden = [path for program, path, *_ in explorer.STANDARDS if program not in paid and app.params.has(path)]
    assert hidden  # each district has parameters for a program it does not pay
    for control in app.standards:  # and every shown control moves the money
        control.percent.value = 10
        app.recompute()
        assert program_row(app, control.program)["diff_yuan"] > 0, control.path
        control.percent.value = 0


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
    assert ex.sim is sim_before  # the same population, re-run
    row = program_row(ex, "dibao")
    assert row["scenario_yuan"] > row["baseline_yuan"]
    base, cur = monthly_persons(ex.baseline, "dibao"), monthly_persons(ex.current, "dibao")
    assert (cur >= base).all() and (cur[:6] == base[:6]).all()  # nothing moves before July
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
    assert not list(ex.folder.glob(".*.tmp"))  # atomic: no temporary left behind

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
    fresh = engine.simulate("东西湖区", YEAR, scenarios=[loaded])  # a new roll from the same seed
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


@pytest.mark.parametrize("value", [-5, -0.01, -1e6, float("nan")])
def test_a_negative_new_standard_is_refused_with_a_message(ex, value):
    before = ex.table.copy()
    control = ex.control("dibao.standard.urban")
    control.mode.value = "value"
    control.value.value = value
    ex.recompute()
    assert ex.status.startswith("方案无效") and "城市低保标准" in ex.status and "负数" in ex.status
    assert "方案无效" in ex.status_box.value
    pd.testing.assert_frame_equal(ex.table, before)  # nothing computed from it (no 低保 abolished)
    ex.name_box.value = "negative"
    assert ex.save() is None and "不能保存" in ex.message and not list(ex.folder.iterdir())
    control.value.value = control.current + 10
    ex.recompute()
    assert ex.status == "" and ex.status_box.value == "" and program_row(ex, "dibao")["diff_yuan"] > 0


@pytest.mark.parametrize("factor, asks", [(10, True), (3.01, True), (3, False), (2, False)])
def test_a_jump_over_three_times_the_standard_asks_for_confirmation(ex, factor, asks):
    control = ex.control("dibao.standard.urban")
    control.mode.value = "value"
    control.value.value = control.current * factor
    ex.recompute()
    assert ex.status.startswith("待确认") is asks
    assert (ex.scenario is None) is asks  # nothing computed while it waits
    assert (control.confirm.layout.display is None) is asks  # the row's 确认 box is shown
    if asks:
        ex.name_box.value = "jump"
        assert ex.save() is None and "待确认" in ex.message
        control.confirm.value = True
        ex.recompute()
        assert ex.status == "" and ex.scenario.changes[0].value == control.current * factor
        control.value.value = control.current * factor + 100  # a confirmation is for one value
        assert control.confirm.value is False
        ex.recompute()
        assert ex.status.startswith("待确认")


def test_a_scenario_the_library_refuses_is_reported_invalid_and_not_saved(ex):
    control = ex.control("dibao.standard.urban")
    control.mode.value = "value"
    control.value.value = 1e6  # confirmed, but beyond the loader's bound on a monthly amount
    control.confirm.value = True
    ex.recompute()
    assert ex.status.startswith("方案无效") and "dibao.standard.urban" in ex.status
    ex.name_box.value = "absurd"
    assert ex.save() is None and "方案无效" in ex.message and not list(ex.folder.iterdir())


@pytest.mark.parametrize("name", ["-x", "-", "--help", "CON", "con", "Nul", "PRN", "AUX", "COM1", "lpt9"])
def test_names_starting_with_a_dash_and_reserved_names_are_refused(ex, name):
    ex.control("dibao.standard.urban").percent.value = 5
    ex.name_box.value = name
    assert ex.save() is None and name in ex.message
    assert not list(ex.folder.iterdir())


@pytest.mark.parametrize("name", ["CONSOLE", "COM10", "x-", "a-b", "低保方案", "nul_2"])
def test_names_near_the_reserved_ones_are_saved(ex, name):
    ex.control("dibao.standard.urban").percent.value = 5
    ex.name_box.value = name
    assert ex.save() == ex.folder / f"{name}.yaml"


TITLES = [
    "第一行\n第二行",
    "a\vb",
    "a\u2028b",
    "a\u2029b",
    "a\x85b",
    "a\rb",
    "a\tb",
    "\ufeff开头",
    "a\x00b",
    "# 像注释",
    "- 像列表",
    "key: value",
    "'单引号'",
    '"双引号"',
    "&anchor *alias !tag",
    "{a: 1}",
    "null",
    "yes",
    "123",
    "  前后空格  ",
    "\n",
    "正常的说明",
]


@pytest.mark.parametrize("title", TITLES)
def test_any_title_is_written_as_one_safely_quoted_line(ex, title):
    ex.control("dibao.standard.urban").percent.value = 5
    ex.name_box.value, ex.title_box.value = "titled", title
    path = ex.save()
    assert path is not None, ex.message
    text = path.read_text(encoding="utf-8")
    assert not set(text) & set("\v\r\x85\u2028\u2029\ufeff\x00")  # no character an editor or parser breaks on
    lines = text.split("\n")
    assert text.splitlines() == lines[:-1] and lines[0].startswith("# ") and not lines[1].startswith("#")
    raw = yaml.safe_load(text)
    assert raw["name"] == "titled" and set(raw) == {"name", "title", "changes"}
    loaded = scenarios.load(path)
    expected = " ".join("".join(c if c.isprintable() else " " for c in title).split()) or ex.build_scenario().title
    assert loaded.title == expected and isinstance(loaded.title, str)
    assert loaded.changes == ex.build_scenario().changes


def test_the_app_saves_to_a_folder_per_visitor_and_offers_a_download(monkeypatch, tmp_path):
    import base64
    import re

    monkeypatch.setenv(explorer.VISITOR_SAVES, str(tmp_path / "saves"))
    first, second = (explorer.build("东西湖区", YEAR, debounce=None, range_draws=DRAWS) for _ in range(2))
    saved = []
    for visitor, percent in ((first, 5), (second, 7)):
        visitor.control("dibao.standard.urban").percent.value = percent
        visitor.name_box.value = "same_name"
        saved.append(visitor.save())
    assert saved[0] != saved[1] and saved[0].name == saved[1].name == "same_name.yaml"
    assert {p.parent.parent for p in saved} == {tmp_path / "saves"}
    assert [scenarios.load(p).changes[0].percent for p in saved] == [5, 7]  # neither overwrote the other
    link = re.search(
        r'download="same_name.yaml" href="data:text/yaml;charset=utf-8;base64,([^"]+)"', second.download.value
    )
    assert base64.b64decode(link.group(1)).decode("utf-8") == saved[1].read_text(encoding="utf-8")
    second.control("dibao.standard.urban").percent.value = 8  # the visitor's own file: overwrite rules apply
    assert second.save() is None and "已存在" in second.message
    given = explorer.build("东西湖区", YEAR, folder=tmp_path / "given", debounce=None, range_draws=DRAWS)
    assert given.folder == tmp_path / "given"


def test_nothing_to_save_is_refused(ex):
    ex.name_box.value = "nothing"
    assert ex.save() is None and "没有" in ex.message


def test_slider_changes_are_debounced(ex):
    ex.debounce = 0.2
    try:
        count = ex.recomputes
        for percent in (1, 2, 3, 4):
            ex.control("dibao.standard.urban").percent.value = percent
        assert ex.recomputes == count  # nothing yet: the controls are still moving
        deadline = time.monotonic() + 5
        while ex.recomputes == count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        assert ex.recomputes == count + 1  # one computation for four changes
        assert ex.scenario.changes[0].percent == 4
    finally:
        ex.debounce = None


def test_the_wait_follows_the_recompute(ex):
    """A burst of keystrokes is one computation, soon after the last key when a recompute is quick
    (twice the recompute, at least 0.08 s), and the wait grows to 0.3 s when it is slow."""
    control = ex.control("dibao.standard.urban")
    control.mode.value = "value"
    ex.debounce, ex.typing = 0.3, 0.08
    began = []  # when each recompute starts: how long it then takes depends on the machine's load
    recompute = ex.recompute
    ex.recompute = lambda: began.append(time.monotonic()) or recompute()
    try:
        ex.compute_ms = 10.0  # a quick last recompute: the short wait
        count = ex.recomputes
        for text in (8, 88, 880):
            control.value.value = text
        last_key = time.monotonic()
        deadline = last_key + 5
        while ex.recomputes == count and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(0.2)
        assert ex.recomputes == count + 1 and ex.scenario.changes[0].value == 880
        assert len(began) == 1 and began[0] - last_key < 0.25, began  # after the short wait, not the long one
        ex.compute_ms = 400.0
        assert ex.wait() == 0.3
        ex.compute_ms = 10.0
        assert ex.wait() == 0.08
    finally:
        ex.debounce = None
        del ex.recompute


def test_switching_district_rebuilds_the_controls(tmp_path):
    app = explorer.build("东丽区", YEAR, folder=tmp_path, debounce=None, range_draws=DRAWS)
    assert app.params.district.code == "120110"
    app.district_box.value = "420112"
    assert app.params.district.code == "420112"
    assert "dibao.standard.urban" in [c.path for c in app.standards]
    assert program_row(app, "dibao")["baseline_yuan"] > 0


@pytest.mark.slow
def test_the_notebook_builds_and_displays_the_explorer(tmp_path):
    import nbformat
    import papermill

    out = tmp_path / "scenario_explorer.ipynb"
    papermill.execute_notebook(
        str(ROOT / "civsim" / "notebooks" / "scenario_explorer.ipynb"),
        str(out),
        kernel_name="python3",
        parameters={"district": "东丽区", "year": YEAR},
        progress_bar=False,
        cwd=str(tmp_path),
    )
    outputs = [o for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


def test_the_comparison_with_the_year_before_is_the_budget_decomposition(ex):
    """与上年比较 shows the one decomposition the plan and the workbook use, for the controls' scenario."""
    from civsim import budget

    control = next(c for c in ex.standards if c.path == "dibao.standard.urban")
    control.percent.value = 10
    ex.month_box.value = 1
    split = ex.show_split().set_index("family")
    expected = budget.decompose(
        year=ex.year, scenario=ex.build_scenario(), params=ex.params, simulations=ex._split_sims
    )
    dibao = expected[expected["program"].isin(["dibao", "dibao_price_subsidy", "dibao_one_off"])]
    assert split.loc["dibao", "standard"] == pytest.approx(dibao["standard_yuan"].sum(), abs=0.01)
    assert split.loc["dibao", "standard"] > 0
    assert (split[["standard", "people", "one_off"]].sum(axis=1) - split["change"]).abs().max() < 0.011
    assert (
        "单位：万元" in ex.split_html.value
        and "标准因素" in ex.split_html.value
        and "一次性及阶段性项目" in ex.split_html.value
    )


def test_model_without_widgets(tmp_path):
    """The model alone: settings → scenario → table, and the saved scenario reads back and reruns to
    the same money (no ipywidgets involved)."""
    import subprocess
    import sys

    from civsim.explorer import Model

    probe = (
        "import sys; from civsim.explorer import Model; Model('东西湖区', 2021).run(None); "
        "print('ipywidgets' in sys.modules)"
    )
    assert (
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
        ).stdout.strip()
        == "False"
    )

    model = Model("东西湖区", YEAR)
    standards, roll = model.standard_settings(7), model.roll_settings()
    assert model.scenario(standards, roll, 7) is None
    urban = next(s for s in standards if s.path == "dibao.standard.urban")
    urban.percent = 10.0
    scenario = model.scenario(standards, roll, 7, "plus10", "")
    assert scenario.changes[0].start.month == 7 and "城市低保标准+10%" in scenario.title
    result = model.run(scenario)
    dibao = result.table.set_index("program").loc["dibao"]
    assert dibao["diff_yuan"] > 0 and result.annual_difference_yuan == pytest.approx(
        result.table.set_index("program").loc["total", "diff_yuan"]
    )
    assert (
        result.monthly_for("dibao")["scenario_yuan"]
        .iloc[:6]
        .equals(result.monthly_for("dibao")["baseline_yuan"].iloc[:6])
    )
    urban.mode, urban.value = "value", -5.0
    assert model.check(standards).startswith("方案无效")
    urban.value, urban.confirmed = urban.current * 4, False
    assert model.check(standards).startswith("待确认")
    path = model.save(scenario, tmp_path / "plus10.yaml")
    again = model.sim.run(scenarios.apply(model.params, scenarios.load(str(path)), YEAR))
    assert again["amount_yuan"].sum() == pytest.approx(result.current["amount_yuan"].sum())
