"""The sample's .xlsx writer: what it writes reads back cell for cell, with each cell's type, through
the importer's reader (calamine) and through openpyxl; the same rows give the same bytes; a cell it
cannot write is refused before any file is made."""

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from civsim.bureau import sheets, xlsx_writer

CREATED = dt.datetime(2020, 10, 31)
FRAME = pd.DataFrame(
    {
        "序号": [1, 2, 3],
        "姓名": ["张三", " 前后有空格 ", "A&B <c> 'd'"],
        "金额": [780.0, "780.00", np.nan],
        "人数": [np.int64(3), None, ""],
        "最初享受月(份)": [dt.datetime(2019, 3, 1), "201903", dt.date(2020, 2, 29)],
        "时刻": [dt.datetime(2020, 10, 31, 12, 0), float("inf"), "带\x07控制符"],
    }
)
ROWS = [["城市低保家庭查询报表"], ["导出单位：东西湖区民政局", None, "导出时间：2020-10-31"], list(FRAME.columns)]
ROWS += [FRAME, [], ["制表人：某某", None, "制表时间：2020-10-31"]]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "export.xlsx"
    xlsx_writer.write(path, ROWS, creator="社会救助信息系统", created=CREATED)
    return path


def test_the_importer_s_reader_reads_every_cell_back_with_its_type(written):
    kind, found = sheets.open_sheets(written)
    assert kind == "xlsx" and len(found) == 1 and found[0].active
    rows = found[0].read()
    assert rows[0][0] == "城市低保家庭查询报表" and rows[1][2] == "导出时间：2020-10-31"
    assert rows[2][:6] == list(FRAME.columns)
    first, second, third = (row[:6] for row in rows[3:6])
    assert first[:4] == [1, "张三", 780.0, 3] and first[4] in (dt.date(2019, 3, 1), dt.datetime(2019, 3, 1))
    assert first[5] == dt.datetime(2020, 10, 31, 12, 0)
    assert second[1:5] == [" 前后有空格 ", "780.00", "", "201903"] and second[5] == ""  # None and inf: empty
    assert third[1] == "A&B <c> 'd'" and third[2:4] == ["", ""] and third[5] == "带控制符"  # NaN and "": empty
    assert third[4] in (dt.date(2020, 2, 29), dt.datetime(2020, 2, 29))
    assert not any(rows[6]) and rows[7][0] == "制表人：某某" and len(rows) == 8


def test_openpyxl_reads_the_same_cells_and_the_properties(written):
    book = openpyxl.load_workbook(written)
    values = list(book.active.iter_rows(values_only=True))
    assert values[3][:4] == (1, "张三", 780, 3) and values[4][2] == "780.00" and values[5][1] == "A&B <c> 'd'"
    assert values[3][4] == dt.datetime(2019, 3, 1) and book.active.cell(4, 5).is_date
    assert values[4][3] is None and values[5][2] is None
    assert book.properties.creator == "社会救助信息系统" and book.properties.created == CREATED


def test_the_same_rows_give_the_same_bytes(written, tmp_path):
    again = tmp_path / "again.xlsx"
    xlsx_writer.write(again, ROWS, creator="社会救助信息系统", created=CREATED)
    assert again.read_bytes() == written.read_bytes()


@pytest.mark.parametrize("cell", [True, object()], ids=["true/false", "an object"])
def test_a_cell_it_cannot_write_is_refused_and_no_file_is_made(cell, tmp_path):
    path = tmp_path / "bad.xlsx"
    with pytest.raises(TypeError, match="cell"):
        xlsx_writer.write(path, [["a", cell]], creator="x", created=CREATED)
    assert list(tmp_path.iterdir()) == []


def test_columns_past_z_are_lettered_as_excel_letters_them(tmp_path):
    wide = pd.DataFrame([list(range(30))])
    path = tmp_path / "wide.xlsx"
    xlsx_writer.write(path, [wide], creator="x", created=CREATED)
    sheet = openpyxl.load_workbook(path).active
    assert sheet["Z1"].value == 25 and sheet["AA1"].value == 26 and sheet["AD1"].value == 29
    assert [xlsx_writer._letters(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
