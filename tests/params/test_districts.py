import pytest

from civsim import districts
from civsim.errors import CivsimError


def test_find_by_code_and_name():
    assert districts.find("420112") == districts.find("东西湖区")
    assert districts.find(120110).name == "东丽区"


def test_lineage_runs_to_the_province():
    assert [d.name for d in districts.lineage(districts.find("东西湖区"))] == ["东西湖区", "武汉市", "湖北省"]
    assert [d.name for d in districts.lineage(districts.find("东丽区"))] == ["东丽区", "天津市"]


def test_unknown_district_is_one_clear_line():
    with pytest.raises(CivsimError, match="unknown district") as err:
        districts.find("不存在区")
    assert "\n" not in str(err.value) and "districts.csv" in str(err.value)


def test_missing_parent_names_the_row(tmp_path):
    path = tmp_path / "districts.csv"
    path.write_text("code,name,pinyin,parent,level\n120110,东丽区,dongli,120000,district\n", encoding="utf-8")
    with pytest.raises(CivsimError, match=r"row 2, column parent.*120000"):
        districts.load_districts(path)


@pytest.mark.parametrize(
    "text, match",
    [
        ("code,name,parent,level\n120000,天津市,,province\n", "missing column.*pinyin"),
        ("code,name,pinyin,parent,level\n12000x,天津市,tianjin,,province\n", "row 2, column code"),
        ("code,name,pinyin,parent,level\n120000,天津市,tianjin,,country\n", "row 2, column level"),
    ],
)
def test_bad_districts_csv(tmp_path, text, match):
    path = tmp_path / "districts.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CivsimError, match=match):
        districts.load_districts(path)
