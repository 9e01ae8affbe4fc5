"""Table-driven bad inputs: each gets one line naming the file, the key or row, and what was
expected — a CivsimError, never a traceback from YAML or pandas."""

from pathlib import Path

import pytest

from civsim import districts, params, reported_figures, scenarios, synthetic
from civsim import roll_io as population  # the roll's loader and writer
from civsim.errors import CivsimError

LEAF = "standard: {{urban: {{unit: {unit}, values: {{{date}: {{value: {value}, {prov}}}}}}}}}"


def leaf(unit="yuan/person/month", date="2020-01-01", value="780", prov="assumption: t"):
    return LEAF.format(unit=unit, date=date, value=value, prov=prov)


YAML_CASES = {
    "malformed yaml": ("standard: {urban: [unclosed", r"dibao.yaml: line \d+"),
    "tab indentation": ("standard:\n\turban: 1", r"dibao.yaml: line \d+"),
    "wrong type (list for a leaf)": ("standard: [1, 2]", "found list"),
    "text where a number belongs": (leaf(value="八百"), "bad value '八百'.*finite number"),
    "boolean value": (leaf(value="true"), "bad value True"),
    "missing unit": ("standard: {urban: {values: {2020-01-01: {value: 1, assumption: t}}}}", "missing unit"),
    "unknown unit": (leaf(unit="yuan/person/week"), "unknown unit 'yuan/person/week'"),
    "negative standard": (leaf(value="-780"), "negative value -780"),
    "absurd standard": (leaf(value="1000000"), "absurd value 1e\\+06 yuan/person/month"),
    "absurd yearly standard": (leaf(unit="yuan/person/year", value="1.0e+9"), "absurd value"),
    "non-iso date": (leaf(date="2020/01/01"), "bad date '2020/01/01'"),
    "impossible date": (leaf(date="2020-13-01"), "month must be in 1..12"),
    "date out of range": (leaf(date="1800-01-01"), "date 1800-01-01 out of range"),
    "no provenance": (leaf(prov="note: hi"), "no provenance"),
    "unknown entry key": (leaf(prov="assumption: t, colour: red"), "unknown key"),
    "unknown leaf key": (
        "standard: {urban: {unit: ratio, values: {2020-01-01: {value: 1, assumption: t}}, extra: 1}}",
        "unknown key",
    ),
    "non-ascii key": ("标准: {urban: 1}", "bad key"),
    "empty values": ("standard: {urban: {unit: ratio, values: {}}}", "missing values"),
    "python tag (unsafe yaml)": ("standard: !!python/object/apply:os.system ['echo hi']", r"dibao.yaml"),
}


@pytest.mark.case("yaml")
@pytest.mark.parametrize("text, match", YAML_CASES.values(), ids=YAML_CASES.keys())
def test_bad_parameter_file(tree, text, match):
    root = tree({"420112-dongxihu/dibao.yaml": text})
    with pytest.raises(CivsimError, match=match) as err:
        params.load("东西湖区", root)
    assert "\n" not in str(err.value) and "dibao.yaml" in str(err.value)


@pytest.mark.case("yaml")
def test_mismatched_unit_against_the_parent(tree):
    root = tree(
        {
            "420100-wuhan/low_income.yaml": "grant: {unit: yuan/household/month, values: {2020-01-01: {value: 300, assumption: t}}}",
            "420112-dongxihu/low_income.yaml": "grant: {unit: yuan/person/month, values: {2020-01-01: {value: 300, assumption: t}}}",
        }
    )
    with pytest.raises(CivsimError, match="does not match the inherited yuan/household/month"):
        params.load("东西湖区", root)


@pytest.mark.case("yaml")
def test_gbk_parameter_file_is_read(tree, tmp_path):
    root = tree({})
    path = root / "420112-dongxihu" / "dibao.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        "# 东西湖区低保\nstandard: {urban: {unit: yuan/person/month, values: {2020-01-01: {value: 830, assumption: 标准}}}}\n".encode(
            "gbk"
        )
    )
    assert params.load("东西湖区", root).at("dibao.standard.urban", "2020-06") == 830


@pytest.mark.case("yaml")
def test_undecodable_file_names_the_encoding_problem(tree):
    root = tree({})
    path = root / "420112-dongxihu" / "dibao.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xff\xfe\x00\x81\xff")
    with pytest.raises(CivsimError, match="cannot decode.*UTF-8 or GBK/GB18030"):
        params.load("东西湖区", root)


SCENARIO_CASES = {
    "path that does not exist": ({"path": "dibao.nonexistent", "from": "2021-07-01", "percent": 5}, "no parameter"),
    "period before the year": (
        {"path": "dibao.standard", "from": "2019-01-01", "until": "2019-12-31", "percent": 5},
        "misses the simulated year",
    ),
    "period after the year": (
        {"path": "dibao.standard", "from": "2022-01-01", "percent": 5},
        "misses the simulated year",
    ),
    "absurd result": ({"path": "dibao.standard", "from": "2021-07-01", "percent": 100000}, "absurd value"),
}


@pytest.mark.case("scenarios")
@pytest.mark.parametrize("change, match", SCENARIO_CASES.values(), ids=SCENARIO_CASES.keys())
def test_bad_scenario_against_a_district(change, match):
    scenario = scenarios.parse({"name": "bad", "changes": [change]}, "bad.yaml")
    with pytest.raises(CivsimError, match=match):
        scenarios.apply(params.load("东西湖区"), scenario, 2021)


@pytest.mark.case("scenarios")
def test_scenario_file_that_does_not_exist_lists_the_available(tmp_path):
    with pytest.raises(CivsimError, match="scenario not found.*one of: none"):
        scenarios.load("missing", tmp_path)


@pytest.mark.case("data")
def test_unknown_district():
    with pytest.raises(CivsimError, match="unknown district.*420112 东西湖区"):
        params.load("火星区")


HEADER = "jurisdiction,year,program,area,measure,period,value,source,quote\n"
ROW = "420112,2020,dibao,all,persons,2020-10,269,s.txt,在册城市低保221户269人\n"
CSV_CASES = {
    "missing column": (HEADER.replace(",quote", ""), "missing column.*quote"),
    "extra column": (HEADER.strip() + ",note\n" + ROW.strip() + ",x\n", "unexpected column.*note"),
    "mistyped value": (HEADER + ROW.replace(",269,", ",二百六十九,"), "row 2, column value: bad value '二百六十九'"),
    "mistyped year": (HEADER + ROW.replace("2020,dibao", "20x0,dibao"), "row 2, column year"),
    "duplicate rows": (HEADER + ROW + ROW, "row 3: duplicate row"),
    "empty file": ("", "the file is empty"),
    "ragged row": (HEADER + ROW.strip() + ",1,2,3\n", "row 2: 12 cells but the header has 9"),
}


@pytest.mark.case("data")
@pytest.mark.parametrize("text, match", CSV_CASES.values(), ids=CSV_CASES.keys())
def test_bad_reported_csv(tmp_path, text, match):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CivsimError, match=match) as err:
        reported_figures.read(path)
    assert "bad.csv" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.case("data")
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_encodings_are_read(tmp_path, encoding):
    path = tmp_path / "figures.csv"
    path.write_bytes((HEADER + ROW).encode(encoding))
    assert reported_figures.read(path)["quote"].iloc[0] == "在册城市低保221户269人"


@pytest.mark.case("data")
def test_districts_csv_with_a_missing_parent(tmp_path):
    path = tmp_path / "districts.csv"
    path.write_text("code,name,pinyin,parent,level\n420112,东西湖区,dongxihu,420100,district\n", encoding="utf-8")
    with pytest.raises(CivsimError, match="parent 420100 of 东西湖区 is not listed"):
        districts.load_districts(path)


@pytest.mark.case("roll")
def test_roll_with_mistyped_column(tmp_path):
    roll = synthetic.synthesize(params.load("东西湖区"), 2020)
    households, persons = population.save(roll, tmp_path)
    text = Path(households).read_text().splitlines()
    text[3] = text[3].replace(text[3].split(",")[2], "three", 1)
    Path(households).write_text("\n".join(text) + "\n")
    with pytest.raises(CivsimError, match="households.csv: row 4, column size: bad value 'three'"):
        population.load(households, persons, "2020-10", roll.standard_at_anchor)


@pytest.mark.case("roll")
def test_broken_parquet_roll(tmp_path):
    path = tmp_path / "households.parquet"
    path.write_bytes(b"not parquet")
    with pytest.raises(CivsimError, match="cannot read Parquet"):
        population.load(path, path, "2020-10", {})
