"""The privacy scan: no 身份证号, name, phone, address or bank account of the sample in any
output, message or error of the roll commands: the import, what the model makes of an imported roll
(the tidy table by street, who gains and who loses, the check, the budget workbook), and the whole
roll flow as typed (the README's roll flow, tests/install/test_wheel.py)."""

import openpyxl
import pandas as pd
import pytest

from civsim.bureau import amounts_check
from privacy import ID_SHAPED, PHONE_SHAPED, SAMPLE, personal_data, personal_in, scan
from .conftest import FIRST, HOUSE, PERSON, SALT, _cell, _run_cli


def test_no_personal_data_in_any_output_message_or_error(tmp_path, capsys):
    personal = personal_data()
    assert len(personal) > 500 and any(ID_SHAPED.fullmatch(v) for v in personal)
    out = tmp_path / "roll"
    code, text = _run_cli(
        [
            "roll",
            "import",
            *map(str, sorted(SAMPLE.glob("*.xlsx"))),
            "--district",
            "东西湖区",
            "--out",
            str(out),
            "--salt",
            SALT,
        ],
        capsys,
    )
    assert code == 0
    rendered = [text] + [p.read_text(encoding="utf-8") for p in sorted(out.iterdir())]
    assert len(rendered) == 4
    households = pd.read_csv(out / "households.csv", keep_default_na=False, na_values=[""])
    result = amounts_check.compare_benefits(households, households["benefit"].fillna(0).to_numpy() + 3)
    rendered += [result.rest.to_csv(), result.by_reason().to_csv()]
    for line in rendered:
        scan(line, personal)


@pytest.mark.case("roll")
def test_no_personal_data_in_what_the_model_makes_of_an_imported_roll(tmp_path, capsys):
    """Every output a bureau's imported roll feeds — the tidy table by street, who gains and who
    loses, the check against the export month, the budget workbook — scanned like the import."""
    from openpyxl import load_workbook

    personal = personal_data()
    roll = tmp_path / "roll"
    files = [str(p) for p in sorted(SAMPLE.glob("*.xlsx"))]  # 低保边缘 too: on the roll, no cash here
    assert (
        _run_cli(["roll", "import", *files, "--district", "东西湖区", "--out", str(roll), "--salt", SALT], capsys)[0]
        == 0
    )
    outputs = {name: tmp_path / name for name in ("simulate.csv", "compare.csv", "check.csv", "budget.xlsx")}
    runs = [
        [
            "simulate",
            "--district",
            "东西湖区",
            "--year",
            "2020",
            "--roll",
            str(roll),
            "--csv",
            str(outputs["simulate.csv"]),
        ],
        [
            "compare",
            "--district",
            "东西湖区",
            "--year",
            "2021",
            "--scenario",
            "dibao_plus5_july",
            "--roll",
            str(roll),
            "--csv",
            str(outputs["compare.csv"]),
        ],
        ["roll", "check", "--district", "东西湖区", "--roll", str(roll), "--csv", str(outputs["check.csv"])],
        [
            "project",
            "--district",
            "东西湖区",
            "--year",
            "2021",
            "--draws",
            "2",
            "--years",
            "1",
            "--roll",
            str(roll),
            "--xlsx",
            str(outputs["budget.xlsx"]),
        ],
    ]
    rendered = []
    for argv in runs:
        code, text = _run_cli(argv, capsys)
        assert code == 0, text
        rendered.append(text)
    rendered += [outputs[name].read_text(encoding="utf-8") for name in ("simulate.csv", "compare.csv", "check.csv")]
    book = load_workbook(outputs["budget.xlsx"])
    # numbers as the workbook shows them (万元 to the fen), text as it is
    rendered += [
        "\n".join(
            f"{c:.2f}" if isinstance(c, float) else str(c)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for c in row
            if c
        )
    ]
    assert "吴家山街道" in rendered[4]  # the streets do come through; the persons do not
    for text in rendered:
        scan(text, personal)


# ---------------------------------------------------------------- privacy over the whole flow


def _rendered(path) -> str:
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        return "\n".join(
            f"{c:.2f}" if isinstance(c, float) else str(c)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for c in row
            if c is not None
        )
    return path.read_text(encoding="utf-8")


@pytest.mark.case("roll")
@pytest.mark.slow  # the whole roll flow, sample to report data, through the command line
@pytest.mark.timeout(240)
def test_the_roll_flow_prints_and_writes_no_personal_value(tmp_path, monkeypatch, capsys):
    """Sample → import → check → simulate → compare → project and civsim check, as typed, with an
    export whose file name holds a 身份证号 and a phone and an Excel lock file beside the exports:
    every file written and every line printed is scanned for every personal value of the sample."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CIVSIM_SALT_DIR", str(tmp_path / "salt"))
    printed = []

    def run(*argv, code=0):
        got, text = _run_cli(list(argv), capsys)
        assert got == code, text
        printed.append(text)
        return text

    run("roll", "sample", "--district", "东西湖区", "--households", "300", "--out", "exports")
    exports = tmp_path / "exports"
    personal = personal_in(exports)
    assert len(personal) > 1000
    house = exports / HOUSE
    head = next(v for v in personal if ID_SHAPED.fullmatch(v))
    phone = next(v for v in personal if PHONE_SHAPED.fullmatch(v))
    named = exports / f"城市低保家庭查询_{head}_{phone}_20201031.xlsx"
    house.rename(named)
    (exports / f"~${PERSON}").write_bytes(b"\x00" * 165)
    run(
        "roll",
        "import",
        *sorted(f"exports/{p.name}" for p in exports.iterdir()),
        "--district",
        "东西湖区",
        "--out",
        "my_roll",
    )
    assert "＊＊＊" in (tmp_path / "my_roll" / "roll.yaml").read_text(encoding="utf-8")
    run("roll", "check", "--district", "东西湖区", "--roll", "my_roll", "--csv", "check.csv")
    run("roll", "check", "--district", "东西湖区", "--roll", "exports")
    run("simulate", "--district", "东西湖区", "--year", "2020", "--roll", "my_roll", "--csv", "sim.csv")
    run(
        "compare",
        "--district",
        "东西湖区",
        "--year",
        "2021",
        "--scenario",
        "dibao_plus5_july",
        "--roll",
        "my_roll",
        "--csv",
        "compare.csv",
    )
    run(
        "project",
        "--district",
        "东西湖区",
        "--year",
        "2021",
        "--draws",
        "2",
        "--years",
        "1",
        "--roll",
        "my_roll",
        "--xlsx",
        "budget.xlsx",
    )
    run("check", "--district", "东西湖区", "--year", "2020")
    # errors: the file named with a 身份证号 broken, and an unknown category cell holding a name
    wb = openpyxl.load_workbook(named)
    ws = wb.active
    name = _cell(ws, FIRST, "户主姓名").value
    _cell(ws, FIRST, "救助类型").value = name
    wb.save(named)
    text = run(
        "roll",
        "import",
        *sorted(f"exports/{p.name}" for p in exports.iterdir()),
        "--district",
        "东西湖区",
        "--out",
        "broken_roll",
        code=2,
    )
    assert "unknown category label" in text and "column 救助类型" in text and name not in text
    _cell(ws, FIRST, "救助类型").value = "城市低保"
    _cell(ws, FIRST, "保障人口数").value = 9
    wb.save(named)
    text = run(
        "roll",
        "import",
        *sorted(f"exports/{p.name}" for p in exports.iterdir()),
        "--district",
        "东西湖区",
        "--out",
        "broken_roll",
        code=2,
    )
    assert "城市低保家庭查询_＊＊＊_＊＊＊_20201031.xlsx: row 4, column 保障人口数" in text

    written = [p for p in tmp_path.rglob("*") if p.is_file() and exports not in p.parents and "salt" not in p.parts]
    assert {p.name for p in written} >= {
        "households.csv",
        "persons.csv",
        "roll.yaml",
        "check.csv",
        "sim.csv",
        "compare.csv",
        "budget.xlsx",
    }
    for text in printed + [_rendered(p) for p in written]:
        scan(text, personal)
