"""Exports as systems really write them: HTML, XML and text .xls, merged and two-row headers,
merged street blocks, full-width digits, 15-digit 身份证号, months as serials or 2020年3月, a
combined street column, query conditions above the header, last month's sheet beside this one,
Excel lock files beside the exports. Each is read to the very roll the plain 城市低保 pair gives
(the ones that cannot be read are refused in test_bad_exports); members not covered and members'
own incomes count for the family."""

import datetime as dt
import html
import re
import shutil
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest

from civsim import roll_io
from civsim.bureau import importer
from civsim.errors import CivsimError
from privacy import SAMPLE
from .conftest import (
    HEADER,
    HOUSE,
    PAIR,
    PERSON,
    SALT,
    _column,
    _data,
    _grid,
    _last_month,
    _text,
    _valid_id,
    _write_xlsx,
)


# Each case rewrites the 城市低保 pair of the shipped sample the way some system or clerk does and
# reads it to the very roll the plain pair gives.


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


@pytest.mark.case("bureau export")
def test_a_folder_of_exports_with_lock_files_reads_as_the_exports(tmp_path, monkeypatch):
    from civsim import params

    monkeypatch.setenv("CIVSIM_SALT_DIR", str(tmp_path / "salt"))
    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE, folder)
    (folder / f"~${HOUSE}").write_bytes(b"\x00" * 165)
    roll = roll_io.load_folder(params.load("东西湖区"), 2020, folder)
    assert len(roll.households) == 100
