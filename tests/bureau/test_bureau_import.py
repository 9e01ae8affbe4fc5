"""The information system's exports → the linked roll: the shipped sample imports with the roll's
columns and types, the fields follow the export, .xls reads like .xlsx, and the result is
byte-identical run to run."""

import re

import numpy as np
import pandas as pd
import pytest

from civsim import params, tables
from civsim.bureau import cells, exports, idcard, commands, importer, sample
from civsim.bureau import vocab as V
from civsim.cli import main
from civsim.errors import CivsimError
from conftest import ROOT

SAMPLE = ROOT / "data" / "samples" / "420112-dongxihu"
SAMPLE_XLS = ROOT / "data" / "samples" / "420112-dongxihu-xls"
SALT = "test-salt-0123456789"


def _sheet(path):
    """An export's data rows as the file holds them (header on row 3, footer dropped)."""
    frame = pd.read_excel(path, engine="openpyxl", header=2, dtype=str)
    return frame[frame.iloc[:, 2].str.fullmatch(r"\d{17}[\dX]", na=False)]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    out = tmp_path_factory.mktemp("roll")
    roll = commands.run_import(sorted(SAMPLE.glob("*.xlsx")), "东西湖区", out, salt=SALT)
    return roll, out


def test_the_sample_imports_with_the_roll_columns_and_types(imported):
    roll, out = imported
    households = tables.read_csv(out / "households.csv", importer.HOUSEHOLD_COLUMNS, unique=["household_id"])
    persons = tables.read_csv(out / "persons.csv", importer.PERSON_COLUMNS, unique=["person_id"])
    assert list(households.columns) == list(importer.HOUSEHOLD_COLUMNS)
    assert list(persons.columns) == list(importer.PERSON_COLUMNS)
    assert households["household_id"].tolist() == list(range(len(households)))
    assert persons["household_id"].isin(households["household_id"]).all()
    assert (
        persons.groupby("household_id").size().reindex(households["household_id"]).to_numpy()
        == households["size"].to_numpy()
    ).all()
    assert set(households["area"]) == {"urban", "rural"}
    assert set(households["category"]) == {"dibao", "tekun", "edge"}
    assert set(persons["sex"]) == {"m", "f"} and persons["pid_hash"].is_unique
    assert (households["claim_draw"] == 0).all()
    assert households["start"].str.fullmatch(r"\d{4}-\d{2}").all()
    meta = (out / "roll.yaml").read_text(encoding="utf-8")
    assert "month: 2020-10" in meta and "'420112'" in meta and f"households: {len(households)}" in meta


def test_household_fields_follow_the_export(imported):
    roll, _ = imported
    h, offset = roll.households, 0
    for path in sorted(SAMPLE.glob("*家庭查询*.xlsx")):
        sheet = _sheet(path)
        label = path.name.split("家庭查询")[0]
        size = pd.to_numeric(sheet["保障人口数"]).to_numpy()
        block = h.iloc[offset : offset + len(sheet)]  # each file one block, files in name order
        offset += len(sheet)
        assert (block["size"].to_numpy() == size).all(), label
        assert (block["street"].to_numpy() == sheet["所属街(道)"].to_numpy()).all()
        np.testing.assert_allclose(block["income"], np.round(pd.to_numeric(sheet["家庭年均收入（元）"]) / 12, 2))
        np.testing.assert_allclose(block["benefit"], pd.to_numeric(sheet["户月保障金额（元）"]))
        classified = pd.to_numeric(sheet["家庭分类施保总额（元）"]) + pd.to_numeric(sheet["人员分类施保总额（元）"])
        np.testing.assert_allclose(block["classified"], classified)
        expected = {
            "城市低保": ("dibao", "urban"),
            "农村低保": ("dibao", "rural"),
            "特困人员": ("tekun", None),
            "低保边缘": ("edge", None),
        }[label]
        assert set(block["category"]) == {expected[0]}
        hukou = sheet["户籍类型"].map({"城镇": "urban", "农村": "rural"}).to_numpy()
        assert (block["area"].to_numpy() == (expected[1] or hukou)).all()


def test_person_fields_follow_the_export(imported):
    roll, _ = imported
    sheets = pd.concat([_sheet(p) for p in sorted(SAMPLE.glob("*人员查询*.xlsx"))], ignore_index=True)
    sheets["pid_hash"] = idcard.hashed(sheets["身份证号"], SALT.encode())
    p = roll.persons.merge(sheets, on="pid_hash", validate="one_to_one")
    assert len(p) == len(roll.persons) == len(sheets)
    birth = pd.to_datetime(p["出生日期"])
    age = 2020 - birth.dt.year - (10 < birth.dt.month)
    assert (p["age"] == age).all()
    assert (p["sex"] == p["性别"].map({"男": "m", "女": "f"})).all()
    grade = p["残疾等级"].fillna("").str.extract(r"([一二三四1-4])级?$")[0].map(cells.GRADES).fillna(0)
    assert (p["disability_grade"] == grade).all() and (p["disability_grade"] > 0).sum() > 5
    assert (p["tekun"] == p["救助类型"].str.contains("特困").astype(int)).all()
    assert (p["institution"] == p["救助类型"].str.contains("集中").astype(int)).all()
    assert (p["seriously_ill"] == p["患病病种"].notna().astype(int)).all() and p["seriously_ill"].sum() > 0
    tekun = p[p["tekun"] == 1]
    assert (tekun["self_care"] == tekun["生活自理能力"].map({"全自理": 0, "半护理": 1, "全护理": 2})).all()
    np.testing.assert_allclose(p["classified"], pd.to_numeric(p["个人分类施保金额（元）"]))


def test_import_is_byte_identical_and_the_xls_export_reads_like_the_xlsx(imported, tmp_path):
    _, first = imported
    files = sorted(SAMPLE_XLS.glob("*.xls")) + [
        p for p in sorted(SAMPLE.glob("*.xlsx")) if not p.name.startswith("特困")
    ]
    assert len(files) == 8
    commands.run_import(files, "420112", tmp_path, salt=SALT)
    for name in ("households.csv", "persons.csv"):
        assert (tmp_path / name).read_bytes() == (first / name).read_bytes()


def test_a_different_salt_gives_different_hashes(imported, tmp_path):
    roll, _ = imported
    other = importer.import_exports(sorted(SAMPLE.glob("*.xlsx")), "东西湖区", salt=b"another-salt-0123456")
    assert not set(other.persons["pid_hash"]) & set(roll.persons["pid_hash"])
    assert other.households.equals(roll.households)


def test_the_default_salt_file_is_created_outside_the_repository_once(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(importer.SALT_DIR_ENV, str(tmp_path / "salts"))
    files = [str(p) for p in sorted(SAMPLE.glob("城市低保*.xlsx"))]
    assert main(["roll", "import", *files, "--district", "东西湖区", "--out", str(tmp_path / "a")]) == 0
    salt = tmp_path / "salts" / "420112.salt"
    assert salt.is_file() and (salt.stat().st_mode & 0o777) == 0o600
    assert "已创建密钥文件" in capsys.readouterr().err
    assert main(["roll", "import", *files, "--district", "东西湖区", "--out", str(tmp_path / "b")]) == 0
    assert "created" not in capsys.readouterr().err
    assert (tmp_path / "a" / "persons.csv").read_bytes() == (tmp_path / "b" / "persons.csv").read_bytes()
    monkeypatch.setenv(importer.SALT_DIR_ENV, str(ROOT / "params"))
    with pytest.raises(CivsimError, match="inside the repository"):
        importer.read_salt(importer.districts.find("420112"))


def test_check_digits_birth_dates_and_sex():
    assert idcard.check_digit("11010519491231002") == "X"
    assert idcard.check_digit("44052418800101001") == "4"
    ids = pd.Series(
        [
            "11010519491231002X",
            "440524188001010014",
            "110105194912310021",
            "11010519491231002",
            "1101051949123100XX",
            "110105194913310020",
        ]
    )
    ids[5] = ids[5][:17] + idcard.check_digit(ids[5][:17])  # well formed, valid check, 13th month
    problem, derived = idcard.validate(ids)
    assert list(problem[:2]) == ["", ""]
    assert problem[2] == "bad check digit"
    assert problem[3].startswith("not 18") and problem[4].startswith("not 18")
    assert problem[5].startswith("bad birth date")
    assert list(derived["sex"][:2]) == ["f", "m"]
    assert derived["birth"][0] == pd.Timestamp("1949-12-31")


def test_headers_match_through_the_alias_table_whatever_the_brackets():
    aliases = V.load().aliases
    for variant in ("家庭人口数", "家庭人口(数)", "家庭人口（数）", " 家庭 人口 "):
        assert aliases["household"][V.header(variant)] == "family_size"
    for variant in ("户月保障金额（元）", "户月保障金额(元)", "户月保障金额"):
        assert aliases["household"][V.header(variant)] == "benefit"
    for variant in ("最初享受月(份)", "最初享受月份", "最初享受月"):
        assert aliases["person"][V.header(variant)] == "start"
    assert V.header("银行帐号") == V.header("银行账号") and V.header("所属街（道）") == V.header("所属街")
    assert V.load().category("农村特困人员(分散供养)", "f", "k").placement == "dispersed"


def test_the_sample_generator_is_seeded(tmp_path):
    a, b, c = (sample.build("东西湖区", 200, seed=s) for s in (7, 7, 8))
    for label in a:
        for i in (0, 1):
            pd.testing.assert_frame_equal(a[label][i], b[label][i])
    assert not a["农村低保"][1]["身份证号"].equals(c["农村低保"][1]["身份证号"])
    people = pd.concat([a[k][1] for k in a])
    problem, _ = idcard.validate(people["身份证号"].reset_index(drop=True))
    assert (problem == "").all() and people["身份证号"].is_unique
    streets = set(V.streets("420112")["street"])
    assert set(pd.concat([a[k][0]["所属街(道)"] for k in a])) <= streets
    kinds = {type(v) for v in a["农村低保"][0]["户月保障金额（元）"]}
    assert str in kinds and float in kinds  # mixed text and number cells


def test_the_generated_files_have_a_title_row_and_a_footer(tmp_path):
    paths = sample.write_sample("东西湖区", 30, tmp_path, seed=3)
    assert len(paths) == 8 and all(re.search(r"(家庭|人员)查询_20201031\.xlsx$", p.name) for p in paths)
    raw = pd.read_excel(paths[0], engine="openpyxl", header=None, dtype=str)
    assert raw.iat[0, 0].endswith("报表") and raw.iloc[-1, 0].startswith("制表人")
    ex = exports.read(paths[0])
    assert ex.rows[0] == 4 and len(ex) == len(raw) - 5


def test_the_hash_is_hmac_sha256_in_base32():
    import base64
    import hashlib
    import hmac

    ids = pd.Series(["11010519491231002X", "440524188001010014"])
    expected = [
        base64.b32encode(hmac.new(b"salt", i.encode(), hashlib.sha256).digest()[:10]).decode().lower() for i in ids
    ]
    assert list(idcard.hashed(ids, b"salt")) == expected


def test_the_sample_pays_each_tekun_household_its_area_and_placement_standard():
    """In the first month and after turnover, at the standards in force then (2020-03 and 2020-04,
    when 东西湖区's 特困 standards rose)."""
    p = params.load("东西湖区")
    first = sample.build("东西湖区", 400, seed=4, month="2020-03")
    later = sample.turned_over("东西湖区", first, pd.Period("2020-04", "M"), np.random.default_rng(4))
    for month, (house, _, _) in (("2020-03", first["特困人员"]), ("2020-04", later["特困人员"])):
        placement = house["供养方式"].map({"集中供养": "centralized", "分散供养": "dispersed"})
        area = house["户籍类型"].map({"城镇": "urban", "农村": "rural"})
        expected = [p.at(f"tekun.standard.{c}.{u}", month) for c, u in zip(placement, area)]
        paid = pd.to_numeric(house["户月保障金额（元）"]).tolist()
        assert paid == expected and min(paid) > 0 and placement.nunique() == area.nunique() == 2, month


def test_roll_sample_command_writes_importable_exports(tmp_path, capsys):
    assert (
        main(
            [
                "roll",
                "sample",
                "--district",
                "东西湖区",
                "--households",
                "40",
                "--seed",
                "5",
                "--out",
                str(tmp_path / "x"),
            ]
        )
        == 0
    )
    assert "wrote 8 exports" in capsys.readouterr().err
    roll = importer.import_exports(sorted((tmp_path / "x").glob("*.xlsx")), "东西湖区", salt=SALT.encode())
    assert len(roll.households) == 40 and str(roll.month) == "2020-10"


def _edited(src, dst, edit):
    import openpyxl

    wb = openpyxl.load_workbook(src)
    edit(wb.active)
    wb.save(dst)
    return dst


def _rename(ws, names):
    for c in ws[3]:
        c.value = names.get(c.value, c.value)


def test_older_and_half_width_headers_import_alike(tmp_path):
    pair = sorted(SAMPLE.glob("城市低保*.xlsx"))
    base = importer.import_exports(pair, "东西湖区", salt=SALT.encode())
    house = _edited(
        pair[1],
        tmp_path / pair[1].name,
        lambda ws: _rename(
            ws,
            {
                "户主身份证号": "身份证号",
                "户月保障金额（元）": "保障金额(元)",
                "最初享受月(份)": "起始保障年月",
                "保障人口数": "保障人口(数)",
                "家庭年均收入（元）": "家庭年均收入(元)",
                "所属街(道)": "所属街道",
            },
        ),
    )
    assert "家庭查询" in house.name
    older = importer.import_exports([pair[0], house], "东西湖区", salt=SALT.encode())
    pd.testing.assert_frame_equal(older.households, base.households)
    pd.testing.assert_frame_equal(older.persons, base.persons)


def test_income_from_the_total_when_the_mean_is_absent(tmp_path):
    pair = sorted(SAMPLE.glob("农村低保*.xlsx"))
    house = _edited(
        pair[1],
        tmp_path / pair[1].name,
        lambda ws: ws.delete_cols(next(c.column for c in ws[3] if c.value == "家庭年均收入（元）")),
    )
    roll = importer.import_exports([pair[0], house], "东西湖区", salt=SALT.encode())
    sheet = _sheet(pair[1])
    expected = pd.to_numeric(sheet["家庭年总收入（元）"]) / 12 / pd.to_numeric(sheet["家庭人口数"])
    np.testing.assert_allclose(roll.households["income"], np.round(expected, 2))


def test_without_a_category_column_or_label_the_category_is_an_error(tmp_path):
    pair = sorted(SAMPLE.glob("城市低保*.xlsx"))

    def strip(ws):
        ws.delete_cols(next(c.column for c in ws[3] if c.value == "救助类型"))
        ws["A1"].value = "家庭查询报表"

    house = _edited(pair[1], tmp_path / "家庭查询_20201031.xlsx", strip)
    with pytest.raises(CivsimError, match=r"家庭查询_20201031.xlsx: row 4, column 救助类型: cannot tell the category"):
        importer.import_exports([pair[0], house], "东西湖区", salt=SALT.encode())


@pytest.mark.parametrize("seed", range(5))
def test_a_check_digit_validates_and_any_other_last_character_does_not(seed):
    rng = np.random.default_rng(seed)
    first = "".join(map(str, rng.integers(0, 10, 6))) + "19850615" + "".join(map(str, rng.integers(0, 10, 3)))
    good = first + idcard.check_digit(first)
    others = [first + c for c in "0123456789X" if c != good[-1]]
    problem, _ = idcard.validate(pd.Series([good] + others))
    assert problem[0] == "" and all(p == "bad check digit" for p in problem[1:])


def test_a_tier_column_gives_each_household_its_tier(tmp_path):
    """分档: an export's 保障档次 column (一档/二档/三档, A/B/C类) is the household's 档 on the roll."""
    import shutil

    import openpyxl

    folder = tmp_path / "exports"
    shutil.copytree(SAMPLE, folder)
    path = folder / "农村低保家庭查询_20201031.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.active
    column = sheet.max_column + 1
    sheet.cell(row=3, column=column, value="保障档次")
    labels = ["一档", "B类", "三档"]
    for row in range(4, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value is not None:
            sheet.cell(row=row, column=column, value=labels[row % 3])
    book.save(path)
    roll = commands.run_import(sorted(folder.glob("*.xlsx")), "东西湖区", tmp_path / "roll", salt=SALT)
    rural = roll.households[(roll.households["category"] == "dibao") & (roll.households["area"] == "rural")]
    assert set(rural["tier"]) == {1, 2, 3}
    assert (roll.households.loc[roll.households["area"] == "urban", "tier"] == 0).all()


def test_few_distinct_values_become_the_same_text_as_many(monkeypatch):
    """A column of few distinct values is made text one value at a time, a long one by Arrow's
    kernels: the same text either way (full-width, spaces, numbers as the sheet shows them, x)."""
    import datetime as dt

    import numpy as np

    from civsim.bureau import exports

    cells = np.array(
        [
            None,
            float("nan"),
            780.0,
            780.5,
            1e16,
            3,
            True,
            "  a b\t",
            "１２３",
            "城市 低保",
            "\u3000全角",
            "A\u00a0B",
            "é",
            "nan",
            "",
            dt.datetime(2020, 10, 1),
            np.float64(12.0),
            "4201121980010112ｘ",
            "42011219800101123x",
            "ß",
        ],
        dtype=object,
    )
    for upper in (False, True):
        few = exports._normalised(cells, upper).tolist()
        monkeypatch.setattr(exports, "_FEW", 0)
        many = exports._normalised(cells, upper).tolist()
        monkeypatch.undo()
        assert few == many and few[2] == "780" and few[8] == "123"
