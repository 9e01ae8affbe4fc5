"""What the budget gives its users: the workbook (the same numbers read back, in 万元, headers
frozen; text never a formula; provenance and assumptions), the CLI's `civsim project`, and the
budget notebook run with papermill and committed without outputs."""

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from civsim import budget, params, roll_io, scenarios, synthetic
from civsim.budget import workbook
from civsim.cli import main as cli_main
from .conftest import YEAR

ROOT = Path(__file__).resolve().parents[2]


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
