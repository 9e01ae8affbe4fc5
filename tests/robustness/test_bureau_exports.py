"""Bad exports, table-driven: each is one line naming the file, the row and the column, and
nothing is written. Then the privacy scan: no 身份证号, name, phone, address or bank account of
the sample in any output, message or error of the import."""
import re
import shutil

import openpyxl
import pandas as pd
import pytest

from civsim import batch
from civsim.bureau import check, idcard, importer
from civsim.cli import main
from civsim.errors import CivsimError
from conftest import ROOT

SAMPLE = ROOT / "data" / "samples" / "420112-dongxihu"
SALT = "test-salt-0123456789"
HOUSE, PERSON = "城市低保家庭查询_20201031.xlsx", "城市低保人员查询_20201031.xlsx"
TEKUN_PERSON = "特困人员人员查询_20201031.xlsx"
FIRST = 4   # first data row (two title rows, then the header)


def _col(ws, name):
    return next(c.column for c in ws[3] if c.value == name)


def _cell(ws, row, name):
    return ws.cell(row=row, column=_col(ws, name))


def _valid_id(first17="42011219800101123"):
    return first17 + idcard.check_digit(first17)


def _members(ws, head):
    return [r for r in range(FIRST, ws.max_row + 1) if _cell(ws, r, "户主身份证号").value == head]


def _two_households(ws):
    """Rows of two persons in different households."""
    a = FIRST
    b = next(r for r in range(FIRST + 1, ws.max_row) if _cell(ws, r, "户主身份证号").value != _cell(ws, a, "户主身份证号").value)
    return a, b


def not_an_export(ws):
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for c in row:
            c.value = None
    ws.append(["项目", "金额", "备注"])
    ws.append(["办公经费", 100, ""])
    return None, None


def wrong_sheet(ws):
    ws.title = "汇总"
    for row in ws.iter_rows(min_row=3, max_row=3):
        for c in row:
            c.value = f"列{c.column}"
    return None, None


def drop_head_column(ws):
    ws.delete_cols(_col(ws, "户主身份证号"))
    return 3, None


def drop_size_columns(ws):
    ws.delete_cols(_col(ws, "保障人口数"))
    ws.delete_cols(_col(ws, "家庭人口数"))
    return 3, None


def duplicate_person(ws):
    ws.insert_rows(FIRST + 1)
    for c in ws[FIRST]:
        ws.cell(row=FIRST + 1, column=c.column, value=c.value)
    return FIRST + 1, "身份证号"


def bad_check_digit(ws):
    cell = _cell(ws, FIRST, "身份证号")
    last = cell.value[-1]
    cell.value = cell.value[:-1] + ("0" if last != "0" else "1")
    return FIRST, "身份证号"


def id_as_number(ws):
    cell = _cell(ws, FIRST, "身份证号")
    cell.value = int(cell.value[:17])
    return FIRST, "身份证号"


def household_absent(ws):
    _cell(ws, FIRST, "户主身份证号").value = _valid_id()
    return FIRST, "户主身份证号"


def two_households(ws):
    a, b = _two_households(ws)
    _cell(ws, b, "身份证号").value = _cell(ws, a, "身份证号").value
    return b, "户主身份证号"


def size_disagrees(ws):
    cell = _cell(ws, FIRST, "保障人口数")
    cell.value = int(float(cell.value)) + 1
    return FIRST, "保障人口数"


def garbage_amount(ws):
    _cell(ws, FIRST + 1, "户月保障金额（元）").value = "八百元整"
    return FIRST + 1, "户月保障金额（元）"


def unknown_category(ws):
    _cell(ws, FIRST + 2, "救助类型").value = "城市低保（临时）"
    return FIRST + 2, "救助类型"


def bad_start_month(ws):
    _cell(ws, FIRST, "最初享受月(份)").value = "去年春天"
    return FIRST, "最初享受月(份)"


def amount_in_wan(ws):
    _cell(ws, 3, "户月保障金额（元）").value = "户月保障金额（万元）"
    return 3, "户月保障金额（万元）"


def unknown_self_care(ws):
    _cell(ws, FIRST, "生活自理能力").value = "偶尔需要帮助"
    return FIRST, "生活自理能力"


def bad_disability_grade(ws):
    _cell(ws, FIRST, "残疾等级").value = "五级"
    return FIRST, "残疾等级"


def empty_person_id(ws):
    _cell(ws, FIRST + 1, "身份证号").value = None
    return FIRST + 1, "身份证号"


CASES = {  # name: (file edited, edit, expected problem)
    "not an export": (HOUSE, not_an_export, "no header row of an export found"),
    "wrong sheet": (PERSON, wrong_sheet, r"sheet\(s\) 汇总: no header row"),
    "required column missing (户主身份证号)": (PERSON, drop_head_column, "missing column.*户主身份证号"),
    "required column missing (保障人口)": (HOUSE, drop_size_columns, "missing column.*保障人口"),
    "duplicate 身份证号": (PERSON, duplicate_person, "duplicate 身份证号"),
    "bad check digit": (PERSON, bad_check_digit, "bad check digit"),
    "身份证号 stored as a number": (PERSON, id_as_number, "not 18 characters"),
    "empty 身份证号": (PERSON, empty_person_id, "empty"),
    "person whose household is absent": (PERSON, household_absent, "household absent"),
    "person in two households": (PERSON, two_households, "person in two households"),
    "household size disagrees with its members": (HOUSE, size_disagrees, "保障人口 .* but the 人员查询 exports list"),
    "amount as garbage text": (HOUSE, garbage_amount, "not an amount"),
    "amount in 万元": (HOUSE, amount_in_wan, "amount in 万元"),
    "unknown category label": (HOUSE, unknown_category, "unknown category label.*城市低保、"),
    "start month as garbage text": (HOUSE, bad_start_month, "not a month"),
    "unknown self-care label": (TEKUN_PERSON, unknown_self_care, "unknown label.*全自理"),
    "unknown disability grade": (TEKUN_PERSON, bad_disability_grade, "unknown disability grade"),
}


def _broken(tmp_path, name, edit):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    wb = openpyxl.load_workbook(folder / name)
    row, column = edit(wb.active)
    wb.save(folder / name)
    return folder, row, column


def _run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("case", CASES)
def test_a_bad_export_is_one_line_naming_file_row_and_column_and_nothing_is_written(case, tmp_path, capsys):
    name, edit, problem = CASES[case]
    folder, row, column = _broken(tmp_path, name, edit)
    out = tmp_path / "roll"
    pair = sorted(folder.glob(name.split("查询")[0][:-2] + "*.xlsx"))   # the category's two files
    code, text = _run_cli(["roll", "import", *map(str, pair), "--district", "东西湖区",
                           "--out", str(out), "--salt", SALT], capsys)
    assert len(pair) == 2 and code == 2 and not out.exists()
    line = text.strip()
    assert "\n" not in line and line.startswith("civsim: error: ") and "Traceback" not in line
    assert name in line and re.search(problem, line), line
    if row is not None:
        assert f"row {row}" in line, line
    if column is not None:
        assert f"column {column}" in line, line
    _scan(line, _personal_data())


def test_no_person_file_or_no_month_is_an_error(tmp_path):
    with pytest.raises(CivsimError, match="no 人员查询 export"):
        importer.import_exports([SAMPLE / HOUSE], "东西湖区", salt=b"x" * 16)
    renamed = tmp_path / "城市低保家庭查询.xlsx"
    shutil.copy(SAMPLE / HOUSE, renamed)
    with pytest.raises(CivsimError, match="export month"):
        importer.import_exports([renamed, SAMPLE / PERSON], "东西湖区", salt=b"x" * 16)
    assert len(importer.import_exports([renamed, SAMPLE / PERSON], "东西湖区", month="2020-10",
                                       salt=b"x" * 16).households) > 0


# ---------------------------------------------------------------- privacy

ID_SHAPED = re.compile(r"\d{17}[\dXx]|\d{15}")
PHONE_SHAPED = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _personal_data() -> list[str]:
    """Every name, 身份证号, phone, address and bank account in the sample's exports."""
    found = set()
    for path in SAMPLE.glob("*.xlsx"):
        raw = pd.read_excel(path, engine="openpyxl", header=None, dtype=str)
        found.update(v.split("：", 1)[1] for v in raw.iloc[:, 0].dropna() if v.startswith("制表人："))
        frame = pd.read_excel(path, engine="openpyxl", header=2, dtype=str)
        for column in ("户主姓名", "姓名", "银行账户名称", "户主身份证号", "身份证号", "联系电话", "家庭住址", "银行帐号"):
            if column in frame:
                found.update(v for v in frame[column].dropna() if not v.startswith("制表"))
    return sorted(found)


def _scan(text: str, personal: list[str]) -> None:
    assert not ID_SHAPED.search(text), ID_SHAPED.search(text).group()
    assert not PHONE_SHAPED.search(text)
    leaked = [v for v in personal if v in text]
    assert not leaked, f"{len(leaked)} personal values in the output"


def test_no_personal_data_in_any_output_message_or_error(tmp_path, capsys):
    personal = _personal_data()
    assert len(personal) > 500 and any(ID_SHAPED.fullmatch(v) for v in personal)
    out = tmp_path / "roll"
    code, text = _run_cli(["roll", "import", *map(str, sorted(SAMPLE.glob("*.xlsx"))), "--district", "东西湖区",
                           "--out", str(out), "--salt", SALT], capsys)
    assert code == 0
    rendered = [text] + [p.read_text(encoding="utf-8") for p in sorted(out.iterdir())]
    assert len(rendered) == 4
    households = pd.read_csv(out / "households.csv", keep_default_na=False, na_values=[""])
    result = check.compare_benefits(households, households["benefit"].fillna(0).to_numpy() + 3)
    rendered += [result.rest.to_csv(), result.by_reason().to_csv()]
    for line in rendered:
        _scan(line, personal)


def test_a_failed_import_leaves_the_previous_roll_untouched(tmp_path, capsys):
    out = tmp_path / "roll"
    pair = [str(p) for p in sorted(SAMPLE.glob("城市低保*.xlsx"))]
    assert main(["roll", "import", *pair, "--district", "东西湖区", "--out", str(out), "--salt", SALT]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    folder, _, _ = _broken(tmp_path, HOUSE, size_disagrees)
    broken = [str(p) for p in sorted(folder.glob("城市低保*.xlsx"))]
    assert main(["roll", "import", *broken, "--district", "东西湖区", "--out", str(out), "--salt", SALT]) == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("content", [b"", b"household_id,area\n0,urban\n", b"PK\x03\x04 truncated"])
def test_a_file_that_is_not_a_workbook_is_one_line(tmp_path, content):
    fake = tmp_path / "城市低保家庭查询_20201031.xlsx"
    fake.write_bytes(content)
    with pytest.raises(CivsimError, match="城市低保家庭查询_20201031.xlsx: not a readable Excel workbook"):
        importer.import_exports([fake, SAMPLE / PERSON], "东西湖区", salt=b"x" * 16)


@pytest.mark.case("roll")
def test_no_personal_data_in_what_the_model_makes_of_an_imported_roll(tmp_path, capsys):
    """Every output a bureau's imported roll feeds — the tidy table by street, who gains and who
    loses, the check against the export month, the budget workbook — scanned like the import."""
    from openpyxl import load_workbook

    personal = _personal_data()
    roll = tmp_path / "roll"
    files = [str(p) for p in sorted(SAMPLE.glob("*.xlsx"))]   # 低保边缘 too: on the roll, no cash here
    assert _run_cli(["roll", "import", *files, "--district", "东西湖区", "--out", str(roll), "--salt", SALT], capsys)[0] == 0
    outputs = {name: tmp_path / name for name in ("simulate.csv", "compare.csv", "check.csv", "budget.xlsx")}
    runs = [["simulate", "--district", "东西湖区", "--year", "2020", "--roll", str(roll), "--csv", str(outputs["simulate.csv"])],
            ["compare", "--district", "东西湖区", "--year", "2021", "--scenario", "dibao_plus5_july", "--roll", str(roll),
             "--csv", str(outputs["compare.csv"])],
            ["roll", "check", "--district", "东西湖区", "--roll", str(roll), "--csv", str(outputs["check.csv"])],
            ["project", "--district", "东西湖区", "--year", "2021", "--draws", "2", "--years", "1", "--roll", str(roll),
             "--xlsx", str(outputs["budget.xlsx"])]]
    rendered = []
    for argv in runs:
        code, text = _run_cli(argv, capsys)
        assert code == 0, text
        rendered.append(text)
    rendered += [outputs[name].read_text(encoding="utf-8") for name in ("simulate.csv", "compare.csv", "check.csv")]
    book = load_workbook(outputs["budget.xlsx"])
    # numbers as the workbook shows them (万元 to the fen), text as it is
    rendered += ["\n".join(f"{c:.2f}" if isinstance(c, float) else str(c)
                           for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)]
    assert "吴家山街道" in rendered[4]            # the streets do come through; the persons do not
    for text in rendered:
        _scan(text, personal)


@pytest.mark.case("roll")
def test_the_annual_summary_from_an_imported_roll_has_streets_and_no_personal_data(tmp_path, capsys):
    """The 工作总结 rendered from the bureau's own roll: a table by street, and no name, 身份证号,
    phone, address or account anywhere in its HTML or Word file."""
    from civsim import reports

    personal = _personal_data()
    roll = tmp_path / "roll"
    files = [str(p) for p in sorted(SAMPLE.glob("*.xlsx"))]
    assert _run_cli(["roll", "import", *files, "--district", "东西湖区", "--out", str(roll), "--salt", SALT], capsys)[0] == 0
    summary = next(job for job in reports.jobs([("东西湖区", 2020, 10)], out=tmp_path / "reports", roll=roll, budget=False)
                   if job.name == reports.SUMMARY_NAME)
    outcome = batch.run([summary], workers=1, progress=False, kernel_name=reports.KERNEL)[0]
    assert outcome.ok, outcome.error
    page = outcome.outputs["html"].read_text(encoding="utf-8")
    assert "分街道（乡镇）情况" in page and "吴家山街道" in page
    import docx

    written = docx.Document(str(outcome.outputs["docx"]))
    document = "\n".join([p.text for p in written.paragraphs]
                         + [cell.text for table in written.tables for row in table.rows for cell in row.cells])
    assert "吴家山街道" in document
    for text in (page, document):
        _scan(text, personal)
