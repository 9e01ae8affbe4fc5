"""Bad exports refused: each is one line naming the file (and, where there is one, the row and
the column), and nothing is written. A cell of the shipped sample edited, table-driven; a file that
is not a workbook; no person file or no month; then exports as systems write them that cannot be
read: sheets that leave the month in doubt, another district's export, a folder holding exports and
a roll, Excel bombs (refused before parsing)."""

import re
import shutil
import zipfile

import openpyxl
import pytest

from civsim.bureau import importer
from civsim.cli import main
from civsim.errors import CivsimError
from privacy import SAMPLE, personal_data, scan
from .conftest import (
    FIRST,
    HEADER,
    HOUSE,
    PAIR,
    PERSON,
    SALT,
    _cell,
    _col,
    _column,
    _data,
    _grid,
    _last_month,
    _run_cli,
    _valid_id,
    _write_xlsx,
)

TEKUN_PERSON = "特困人员人员查询_20201031.xlsx"


def _members(ws, head):
    return [r for r in range(FIRST, ws.max_row + 1) if _cell(ws, r, "户主身份证号").value == head]


def _two_households(ws):
    """Rows of two persons in different households."""
    a = FIRST
    b = next(
        r
        for r in range(FIRST + 1, ws.max_row)
        if _cell(ws, r, "户主身份证号").value != _cell(ws, a, "户主身份证号").value
    )
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


@pytest.mark.parametrize("case", CASES)
def test_a_bad_export_is_one_line_naming_file_row_and_column_and_nothing_is_written(case, tmp_path, capsys):
    name, edit, problem = CASES[case]
    folder, row, column = _broken(tmp_path, name, edit)
    out = tmp_path / "roll"
    pair = sorted(folder.glob(name.split("查询")[0][:-2] + "*.xlsx"))  # the category's two files
    code, text = _run_cli(
        ["roll", "import", *map(str, pair), "--district", "东西湖区", "--out", str(out), "--salt", SALT], capsys
    )
    assert len(pair) == 2 and code == 2 and not out.exists()
    line = text.strip()
    assert "\n" not in line and line.startswith("civsim: error: ") and "Traceback" not in line
    assert name in line and re.search(problem, line), line
    if row is not None:
        assert f"row {row}" in line, line
    if column is not None:
        assert f"column {column}" in line, line
    scan(line, personal_data())


def test_no_person_file_or_no_month_is_an_error(tmp_path):
    with pytest.raises(CivsimError, match="no 人员查询 export"):
        importer.import_exports([SAMPLE / HOUSE], "东西湖区", salt=b"x" * 16)
    renamed = tmp_path / "城市低保家庭查询.xlsx"
    shutil.copy(SAMPLE / HOUSE, renamed)
    with pytest.raises(CivsimError, match="export month"):
        importer.import_exports([renamed, SAMPLE / PERSON], "东西湖区", salt=b"x" * 16)
    assert (
        len(importer.import_exports([renamed, SAMPLE / PERSON], "东西湖区", month="2020-10", salt=b"x" * 16).households)
        > 0
    )


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


# ---------------------------------------------------------------- exports as systems write them, refused


def _refusal(tmp_path, capsys, files, problem, row=None, column=None, name=None):
    out = tmp_path / "roll"
    code, text = _run_cli(
        ["roll", "import", *map(str, files), "--district", "东西湖区", "--out", str(out), "--salt", SALT], capsys
    )
    line = text.strip()
    assert code == 2 and not out.exists(), line
    assert "\n" not in line and line.startswith("civsim: error: ") and re.search(problem, line), line
    if name:
        assert name in line, line
    if row is not None:
        assert f"row {row}" in line, line
    if column is not None:
        assert f"column {column}" in line, line
    return line


@pytest.mark.case("bureau export")
def test_two_visible_export_sheets_none_active_are_ambiguous(tmp_path, capsys):
    g = {n: _grid(n) for n in PAIR}
    _write_xlsx(
        tmp_path / HOUSE,
        [
            ("说明", [["本表导出自社会救助信息系统"]], (), False),
            ("9月", _last_month(g[HOUSE]), (), False),
            ("10月", g[HOUSE], (), False),
        ],
        active=0,
    )
    line = _refusal(tmp_path, capsys, [tmp_path / HOUSE, SAMPLE / PERSON], "several sheets hold an export", name=HOUSE)
    assert "9月、10月" in line


@pytest.mark.case("bureau export")
def test_an_export_on_a_hidden_sheet_only_is_refused(tmp_path, capsys):
    g = {n: _grid(n) for n in PAIR}
    _write_xlsx(tmp_path / HOUSE, [("10月", g[HOUSE], (), True), ("说明", [["说明"]], (), False)], active=1)
    _refusal(tmp_path, capsys, [tmp_path / HOUSE, SAMPLE / PERSON], "hidden sheet", name=HOUSE)


@pytest.mark.case("bureau export")
@pytest.mark.parametrize("value, shown", [("东丽区", "an export of 东丽区"), ("邹玲芳", "not 东西湖区")])
def test_exports_of_another_district_are_refused(tmp_path, capsys, value, shown):
    g = {n: _grid(n) for n in PAIR}
    rows = g[HOUSE]
    col = _column(rows, "所属区(县)")
    _data(rows)[2][col] = value
    _write_xlsx(tmp_path / HOUSE, [("Sheet1", rows, (), False)])
    line = _refusal(
        tmp_path, capsys, [tmp_path / HOUSE, SAMPLE / PERSON], shown, row=HEADER + 4, column="所属区(县)", name=HOUSE
    )
    if value == "邹玲芳":
        assert value not in line


@pytest.mark.case("bureau export")
def test_a_folder_with_exports_and_an_older_roll_is_ambiguous(tmp_path, capsys):
    folder = tmp_path / "mixed"
    shutil.copytree(SAMPLE, folder)
    assert (
        main(
            [
                "roll",
                "import",
                *map(str, sorted(SAMPLE.glob("*.xlsx"))),
                "--district",
                "东西湖区",
                "--out",
                str(folder),
                "--salt",
                SALT,
            ]
        )
        == 0
    )
    capsys.readouterr()
    code, text = _run_cli(["simulate", "--district", "东西湖区", "--year", "2020", "--roll", str(folder)], capsys)
    assert code == 2 and "ambiguous" in text and "households.csv" in text and "\n" not in text.strip()


def _bomb(path, member, chunks, chunk):
    """A copy of the plain household file whose ``member`` is ``chunks`` × ``chunk`` bytes."""
    with (
        zipfile.ZipFile(SAMPLE / HOUSE) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename != member:
                target.writestr(info, source.read(info.filename))
        with target.open(member, "w", force_zip64=True) as f:
            for k in range(chunks):
                f.write(chunk(k))


@pytest.mark.case("bureau export")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("kind", ["shared strings", "one huge cell"])
def test_an_excel_bomb_is_refused_before_parsing(tmp_path, capsys, kind):
    import resource
    import time

    path = tmp_path / HOUSE
    if kind == "shared strings":  # 20 million empty strings: 240 MB unpacked from about 1.5 MB
        head = (
            b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="20000000" uniqueCount="20000000">'
        )
        _bomb(
            path,
            "xl/sharedStrings.xml",
            21,
            lambda k: head if k == 0 else (b"<si><t/></si>" * 1_000_000 + (b"</sst>" if k == 20 else b"")),
        )
    else:  # one cell of 200 MB
        _bomb(
            path,
            "xl/worksheets/sheet1.xml",
            202,
            lambda k: (
                b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                if k == 0
                else (b"A" * 1_000_000 if k < 201 else b"</t></is></c></row></sheetData></worksheet>")
            ),
        )
    assert path.stat().st_size < 2_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    line = _refusal(tmp_path, capsys, [path, SAMPLE / PERSON], "refused before reading", name=HOUSE)
    assert "MB" in line or "shared strings" in line
    assert time.process_time() - start < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KB: nothing unpacked
