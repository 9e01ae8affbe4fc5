"""Bad exports, table-driven: each is one line naming the file, the row and the column, and
nothing is written. Then exports as systems really write them (HTML, XML and text .xls, merged
and two-row headers, merged blocks, sheets, old numbers …), each read to the plain pair's roll or
refused in one line; Excel bombs refused before parsing. Then the privacy scan: no 身份证号,
name, phone, address or bank account of the sample in any output, message or error of the roll
commands (the 工作总结 from the roll: the README's roll flow, tests/install/test_wheel.py)."""

import datetime as dt
import html
import re
import shutil
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest

from civsim import roll_io
from civsim.bureau import amounts_check, idcard, importer
from civsim.cli import main
from civsim.errors import CivsimError
from privacy import ID_SHAPED, PHONE_SHAPED, SAMPLE, personal_data, scan

SALT = "test-salt-0123456789"
HOUSE, PERSON = "城市低保家庭查询_20201031.xlsx", "城市低保人员查询_20201031.xlsx"
TEKUN_PERSON = "特困人员人员查询_20201031.xlsx"
FIRST = 4  # first data row (two title rows, then the header)


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


def _run_cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


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


# ---------------------------------------------------------------- privacy


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


# ---------------------------------------------------------------- exports as systems write them
#
# Each case rewrites the 城市低保 pair of the shipped sample the way some system or clerk does and
# either reads it to the very roll the plain pair gives, or refuses it in one line naming the
# file (and, where there is one, the row and the column).

PAIR = (HOUSE, PERSON)
HEADER = 2  # 0-based row of the header in the sample's sheets


def _grid(name) -> list[list]:
    ws = openpyxl.load_workbook(SAMPLE / name).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d")
    return str(v)


def _write_xlsx(path, sheets, active=0):
    """sheets: [(title, rows, merges, hidden)]; merges as openpyxl ranges ("A5:A7")."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, merges, hidden in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for rng in merges:
            ws.merge_cells(rng)
        if hidden:
            ws.sheet_state = "hidden"
    wb.active = active
    wb.save(path)


def _write_html(path, rows, spans=None, encoding="gb18030"):
    """rows of cells; spans: {(r, c): (rowspan, colspan)} with the covered cells left out."""
    spans = spans or {}
    covered = {(r + dr, c + dc) for (r, c), (rs, cs) in spans.items() for dr in range(rs) for dc in range(cs)} - set(
        spans
    )
    out = [
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><table border=1>'
    ]
    for r, row in enumerate(rows):
        cells = []
        for c, v in enumerate(row):
            if (r, c) in covered:
                continue
            rs, cs = spans.get((r, c), (1, 1))
            cells.append(f'<td rowspan="{rs}" colspan="{cs}">{html.escape(_text(v))}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table></body></html>")
    path.write_bytes("\n".join(out).encode(encoding))


def _write_xml2003(path, rows):
    out = [
        '<?xml version="1.0"?>',
        '<?mso-application progid="Excel.Sheet"?>',
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">',
        '<Worksheet ss:Name="Sheet1"><Table>',
    ]
    for row in rows:
        cells = []
        for v in row:
            kind = "Number" if isinstance(v, (int, float)) and not isinstance(v, bool) else "String"
            cells.append(f'<Cell><Data ss:Type="{kind}">{escape(_text(v))}</Data></Cell>')
        out.append("<Row>" + "".join(cells) + "</Row>")
    out.append("</Table></Worksheet></Workbook>")
    path.write_text("\n".join(out), encoding="utf-8")


def _write_text(path, rows, delimiter="\t", encoding="utf-16"):
    """Text as a system writes it for Excel: numbers kept as text with ="…" where long."""

    def cell(v):
        return f'="{v}"' if re.fullmatch(r"\d{17}[\dX]", _text(v)) else _text(v)

    path.write_text("\n".join(delimiter.join(cell(v) for v in row) for row in rows), encoding=encoding)


def _column(rows, name) -> int:
    return rows[HEADER].index(name)


def _data(rows):
    return [r for r in rows[HEADER + 1 :] if r[2] and re.fullmatch(r"\d{17}[\dX]", str(r[2]))]


# Each edit: (folder, grids {name: rows}) -> the files to import (the pair, however written).


def as_html_xls(folder, g):
    _write_html(folder / HOUSE.replace(".xlsx", ".xls"), g[HOUSE])
    _write_xlsx(folder / PERSON, [("Sheet1", g[PERSON], (), False)])
    return [folder / HOUSE.replace(".xlsx", ".xls"), folder / PERSON]


def as_xml2003_xls(folder, g):
    _write_xml2003(folder / PERSON.replace(".xlsx", ".xls"), g[PERSON])
    _write_xlsx(folder / HOUSE, [("Sheet1", g[HOUSE], (), False)])
    return [folder / HOUSE, folder / PERSON.replace(".xlsx", ".xls")]


def as_text_xls(folder, g):
    _write_text(folder / HOUSE.replace(".xlsx", ".xls"), g[HOUSE], ",", "gb18030")
    _write_text(folder / PERSON.replace(".xlsx", ".xls"), g[PERSON], "\t", "utf-16")
    return [folder / HOUSE.replace(".xlsx", ".xls"), folder / PERSON.replace(".xlsx", ".xls")]


def two_row_merged_header(folder, g):
    """户主 over 姓名 and 身份证号, 收入情况 over the two incomes, the rest merged down (.xlsx)."""
    rows = g[HOUSE]
    head = rows[HEADER]
    upper, lower = list(head), [None] * len(head)
    merges = []
    for i, name in enumerate(head):
        letter = openpyxl.utils.get_column_letter(i + 1)
        if name in ("户主姓名", "户主身份证号"):
            upper[i], lower[i] = "户主", name[2:]
        elif name in ("家庭年总收入（元）", "家庭年均收入（元）"):
            upper[i], lower[i] = "收入情况" if name.startswith("家庭年总") else None, name
        else:
            merges.append(f"{letter}{HEADER + 1}:{letter}{HEADER + 2}")
    first = openpyxl.utils.get_column_letter(head.index("户主姓名") + 1)
    second = openpyxl.utils.get_column_letter(head.index("户主身份证号") + 1)
    income = openpyxl.utils.get_column_letter(head.index("家庭年总收入（元）") + 1)
    income2 = openpyxl.utils.get_column_letter(head.index("家庭年均收入（元）") + 1)
    upper[head.index("户主身份证号")] = None
    merges += [f"{first}{HEADER + 1}:{second}{HEADER + 1}", f"{income}{HEADER + 1}:{income2}{HEADER + 1}"]
    _write_xlsx(folder / HOUSE, [("Sheet1", rows[:HEADER] + [upper, lower] + rows[HEADER + 1 :], merges, False)])
    return [folder / HOUSE, SAMPLE / PERSON]


def merged_streets(folder, g):
    """Runs of one street merged into a block (.xlsx): the street applies to every row of it."""
    rows = g[HOUSE]
    col = _column(rows, "所属街(道)")
    letter = openpyxl.utils.get_column_letter(col + 1)
    merges, r = [], HEADER + 1
    while r < len(rows) - 2:
        end = r
        while end + 1 < len(rows) - 2 and rows[end + 1][col] == rows[r][col] and rows[r][col]:
            end += 1
        if end > r:
            merges.append(f"{letter}{r + 1}:{letter}{end + 1}")
            for k in range(r + 1, end + 1):
                rows[k][col] = None
        r = end + 1
    assert merges, "the sample has runs of one street"
    _write_xlsx(folder / HOUSE, [("Sheet1", rows, merges, False)])
    return [folder / HOUSE, SAMPLE / PERSON]


def html_rowspan_streets(folder, g):
    """The same as an HTML "xls": rowspan over a street's run."""
    rows = g[HOUSE]
    col = _column(rows, "所属街(道)")
    spans, r = {}, HEADER + 1
    while r < len(rows) - 2:
        end = r
        while end + 1 < len(rows) - 2 and rows[end + 1][col] == rows[r][col] and rows[r][col]:
            end += 1
        if end > r:
            spans[(r, col)] = (end - r + 1, 1)
        r = end + 1
    assert spans
    _write_html(folder / HOUSE.replace(".xlsx", ".xls"), rows, spans, encoding="utf-8")
    return [folder / HOUSE.replace(".xlsx", ".xls"), SAMPLE / PERSON]


FULL_WIDTH = str.maketrans("0123456789.X", "０１２３４５６７８９．Ｘ")


def full_width_digits(folder, g):
    for name in PAIR:
        rows = g[name]
        for row in _data(rows):
            for i, v in enumerate(row):
                if isinstance(v, (int, float)) and i > 0 or isinstance(v, str) and re.fullmatch(r"[\d.X]+", v):
                    row[i] = _text(v).translate(FULL_WIDTH)
        _write_xlsx(folder / name, [("Sheet1", rows, (), False)])
    return [folder / n for n in PAIR]


def _replace_id(g, old, new):
    for name in PAIR:
        for row in g[name]:
            for i, v in enumerate(row):
                if v == old:
                    row[i] = new


def fifteen_digit_ids(folder, g):
    """Every head born in the 1900s written with the old 15-digit number, in both files."""
    heads = {r[_column(g[HOUSE], "户主身份证号")] for r in _data(g[HOUSE])}
    old = [h for h in heads if h[6:8] == "19"]
    assert len(old) > 5
    for h in old:
        _replace_id(g, h, h[:6] + h[8:17])
    for name in PAIR:
        _write_xlsx(folder / name, [("Sheet1", g[name], (), False)])
    return [folder / n for n in PAIR]


def lowercase_x(folder, g):
    ids = {r[2] for r in _data(g[PERSON]) if r[2].endswith("X")}
    assert ids
    for i in ids:
        _replace_id(g, i, i[:-1] + "x")
    for name in PAIR:
        _write_xlsx(folder / name, [("Sheet1", g[name], (), False)])
    return [folder / n for n in PAIR]


def months_as_serials_and_text(folder, g):
    """最初享受月 as an Excel day number (the cell lost its date format) or 2020年3月."""
    for name in PAIR:
        rows = g[name]
        col = _column(rows, "最初享受月(份)")
        for k, row in enumerate(_data(rows)):
            month = pd.Period(_month_of(row[col]), "M")
            row[col] = (
                (month.start_time - pd.Timestamp("1899-12-30")).days if k % 2 else f"{month.year}年{month.month}月"
            )
        _write_xlsx(folder / name, [("Sheet1", rows, (), False)])
    return [folder / n for n in PAIR]


def _month_of(v) -> str:
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m")
    text = str(v)
    found = re.match(r"(\d{4})\D?(\d{1,2})", text)
    return f"{found.group(1)}-{int(found.group(2)):02d}"


def combined_street_column(folder, g):
    """所属街道/社区 in one column: "街道/社区" on some rows, "街道社区" run together on others."""
    rows = g[HOUSE]
    s, c = _column(rows, "所属街(道)"), _column(rows, "所属社(区)")
    rows[HEADER][s], rows[HEADER][c] = "所属街道/社区", "备用"
    for k, row in enumerate(_data(rows)):
        row[s], row[c] = (f"{row[s]}/{row[c]}" if k % 2 else f"{row[s]}{row[c]}"), None
    _write_xlsx(folder / HOUSE, [("Sheet1", rows, (), False)])
    return [folder / HOUSE, SAMPLE / PERSON]


def members_not_covered(folder, g):
    """The person file lists a family member not covered (是否保障对象 否) in each of 3
    households, whose 家庭人口 counts them: they are no recipients."""
    house, person = g[HOUSE], g[PERSON]
    person[HEADER].append("是否保障对象")
    for row in person[HEADER + 1 :]:
        row.append("是" if row in _data(person) else None)
    heads = [r[_column(house, "户主身份证号")] for r in _data(house)][:3]
    for n, head in enumerate(heads):
        template = next(r for r in _data(person) if r[_column(person, "户主身份证号")] == head)
        member = list(template)
        member[2] = _valid_id(f"42011220010101{n}12")
        member[_column(person, "户主身份证号")], member[-1] = head, "否"
        person.insert(HEADER + 1, member)
        row = next(r for r in _data(house) if r[_column(house, "户主身份证号")] == head)
        col = _column(house, "家庭人口数")
        row[col] = int(float(row[col])) + 1
    for name in PAIR:
        _write_xlsx(folder / name, [("Sheet1", g[name], (), False)])
    return [folder / n for n in PAIR]


def lock_files_beside(folder, g):
    for name in PAIR:
        shutil.copy(SAMPLE / name, folder / name)
        (folder / f"~${name}").write_bytes(b"\x00" * 165)  # what Excel leaves while a file is open
    return sorted(folder.iterdir())


def query_conditions_above(folder, g):
    conditions = [[f"查询条件{k}：", "全部"] for k in range(40)]
    _write_xlsx(folder / HOUSE, [("Sheet1", conditions + g[HOUSE], (), False)])
    return [folder / HOUSE, SAMPLE / PERSON]


def _last_month(rows):
    """The same households a month earlier: other amounts (what a stale sheet would give)."""
    older = [list(r) for r in rows]
    col = _column(older, "户月保障金额（元）")
    for row in _data(older):
        row[col] = 1.0
    return older


def active_sheet_after_last_month(folder, g):
    _write_xlsx(folder / HOUSE, [("9月", _last_month(g[HOUSE]), (), False), ("10月", g[HOUSE], (), False)], active=1)
    return [folder / HOUSE, SAMPLE / PERSON]


def hidden_sheet_of_last_month(folder, g):
    _write_xlsx(folder / HOUSE, [("9月", _last_month(g[HOUSE]), (), True), ("10月", g[HOUSE], (), False)], active=1)
    return [folder / HOUSE, SAMPLE / PERSON]


READ_AS_THE_PLAIN_PAIR = {
    "HTML table saved as .xls": as_html_xls,
    "Excel 2003 XML saved as .xls": as_xml2003_xls,
    "CSV and UTF-16 tab-separated text saved as .xls": as_text_xls,
    "two-row header with merged cells": two_row_merged_header,
    "merged street blocks (.xlsx)": merged_streets,
    "merged street blocks (HTML rowspan)": html_rowspan_streets,
    "full-width digits": full_width_digits,
    "15-digit 身份证号": fifteen_digit_ids,
    "lowercase x": lowercase_x,
    "months as Excel serials and 2020年3月": months_as_serials_and_text,
    "combined 所属街道/社区 column": combined_street_column,
    "Excel lock files beside the exports": lock_files_beside,
    "header below 40 query-condition rows": query_conditions_above,
    "the active sheet after last month's": active_sheet_after_last_month,
    "last month on a hidden sheet": hidden_sheet_of_last_month,
}


def _import(files):
    return importer.import_exports(files, "东西湖区", salt=SALT.encode())


@pytest.fixture(scope="module")
def plain_pair():
    return _import([SAMPLE / n for n in PAIR])


@pytest.mark.case("bureau export")
@pytest.mark.parametrize("case", READ_AS_THE_PLAIN_PAIR)
def test_an_export_as_a_system_writes_it_reads_to_the_same_roll(case, tmp_path, plain_pair):
    folder = tmp_path / "in"
    folder.mkdir()
    files = READ_AS_THE_PLAIN_PAIR[case](folder, {n: _grid(n) for n in PAIR})
    got = _import(files)
    expected_h, expected_p = plain_pair.households, plain_pair.persons
    if case == "members not covered":
        assert len(got.persons) == len(expected_p)
    pd.testing.assert_frame_equal(got.households.reset_index(drop=True), expected_h.reset_index(drop=True))
    pd.testing.assert_frame_equal(got.persons.reset_index(drop=True), expected_p.reset_index(drop=True))


@pytest.mark.case("bureau export")
def test_members_not_covered_count_for_the_family_not_as_recipients(tmp_path, plain_pair):
    folder = tmp_path / "in"
    folder.mkdir()
    got = _import(members_not_covered(folder, {n: _grid(n) for n in PAIR}))
    pd.testing.assert_frame_equal(got.persons, plain_pair.persons)
    pd.testing.assert_frame_equal(got.households, plain_pair.households)
    # one more than 家庭人口 allows: refused on the household's row
    g = {n: _grid(n) for n in PAIR}
    members_not_covered(folder, g)
    house = g[HOUSE]
    col = _column(house, "家庭人口数")
    head = [r for r in _data(house)][0]
    head[col] = int(float(head[col])) - 1
    _write_xlsx(folder / HOUSE, [("Sheet1", house, (), False)])
    with pytest.raises(CivsimError, match=r"row \d+, column 家庭人口数: 家庭人口 \d+ but the 人员查询 exports list"):
        _import([folder / n for n in PAIR])


@pytest.mark.case("bureau export")
def test_a_household_s_income_from_its_members_own_incomes_when_the_household_file_has_none(tmp_path, plain_pair):
    g = {n: _grid(n) for n in PAIR}
    house, person = g[HOUSE], g[PERSON]
    for name in ("家庭年总收入（元）", "家庭年均收入（元）"):
        house[HEADER][_column(house, name)] = f"备注{name[2:4]}"
    person[HEADER].append("年收入（元）")
    for row in person[HEADER + 1 :]:
        row.append(1200 if row in _data(person) else None)  # 100 yuan a month each
    folder = tmp_path / "in"
    folder.mkdir()
    for name in PAIR:
        _write_xlsx(folder / name, [("Sheet1", g[name], (), False)])
    got = _import([folder / n for n in PAIR])
    family = pd.to_numeric(pd.Series([r[_column(house, "家庭人口数")] for r in _data(house)])).to_numpy()
    size = got.households["size"].to_numpy()
    assert (got.households["income"].to_numpy() == (100 * size / family).round(2)).all()


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
    with zipfile.ZipFile(SAMPLE / HOUSE) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
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
    if kind == "shared strings":  # 30 million empty strings: 360 MB unpacked from about 1 MB
        head = (
            b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="30000000" uniqueCount="30000000">'
        )
        _bomb(
            path,
            "xl/sharedStrings.xml",
            31,
            lambda k: head if k == 0 else (b"<si><t/></si>" * 1_000_000 + (b"</sst>" if k == 30 else b"")),
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


@pytest.mark.case("bureau export")
def test_a_folder_of_exports_with_lock_files_reads_as_the_exports(tmp_path, monkeypatch):
    from civsim import params

    monkeypatch.setenv("CIVSIM_SALT_DIR", str(tmp_path / "salt"))
    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE, folder)
    (folder / f"~${HOUSE}").write_bytes(b"\x00" * 165)
    roll = roll_io.load_folder(params.load("东西湖区"), 2020, folder)
    assert len(roll.households) == 100


# ---------------------------------------------------------------- privacy over the whole flow


def _personal_in(folder) -> list[str]:
    """Every name, 身份证号, phone, address and bank account in the exports of ``folder``."""
    found = set()
    for path in folder.glob("*.xlsx"):
        rows = [[_text(v) for v in r] for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
        found.update(r[0].split("：", 1)[1] for r in rows if r and r[0].startswith("制表人："))
        header = rows[HEADER]
        for column in (
            "户主姓名",
            "姓名",
            "银行账户名称",
            "户主身份证号",
            "身份证号",
            "联系电话",
            "家庭住址",
            "银行帐号",
        ):
            if column in header:
                found.update(
                    r[header.index(column)]
                    for r in rows[HEADER + 1 :]
                    if r[header.index(column)] and not r[0].startswith("制表")
                )
    return sorted(found)


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
    personal = _personal_in(exports)
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
