"""Older classes of input that were taken silently and gave a wrong answer: each is now one line
naming the file, the key or row, and what was expected (or, where the meaning is certain, read)."""

import shutil
from pathlib import Path

import pytest

from civsim import cli, districts, params, reported_figures
from civsim.errors import CivsimError

ROOT = Path(__file__).resolve().parents[2]
DIBAO = "params/420112-dongxihu/dibao.yaml"
CASELOAD = "params/420112-dongxihu/caseload.yaml"
URBAN_LINE = (
    '      2020-04-01: {value: 830, source: 004_d683771cc1cacde4.txt, quote: "城镇低保从780元/月提高到830元/月"}'
)


@pytest.fixture
def tree(tmp_path):
    """A copy of params/ to spoil, holding a copy of the national defaults (read in place of the package's)."""
    root = tmp_path / "params"
    shutil.copytree(ROOT / "params", root)
    shutil.copytree(params.NATIONAL, root / "defaults")
    yield root
    params.clear_cache()


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / Path(relative).relative_to("params")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


SPOILT_PARAMS = {
    "a month and its first day": (
        lambda r: edit(r, DIBAO, URBAN_LINE, URBAN_LINE + "\n" + URBAN_LINE.replace("2020-04-01", "2020-04")),
        "the date 2020-04-01 twice",
    ),
    "quoted and unquoted": (
        lambda r: edit(r, DIBAO, URBAN_LINE, URBAN_LINE + "\n" + URBAN_LINE.replace("2020-04-01", '"2020-04-01"')),
        "the date 2020-04-01 twice",
    ),
    "a month quoted": (
        lambda r: edit(r, DIBAO, URBAN_LINE, URBAN_LINE + "\n" + URBAN_LINE.replace("2020-04-01", "'2020-04'")),
        "the date 2020-04-01 twice",
    ),
    "dibao.yaml.txt": (
        lambda r: shutil.copy(r / "420112-dongxihu" / "dibao.yaml", r / "420112-dongxihu" / "dibao.yaml.txt"),
        "dibao.yaml.txt: not a parameter file",
    ),
    "dibao.yaml.bak": (
        lambda r: shutil.copy(r / "420112-dongxihu" / "dibao.yaml", r / "420112-dongxihu" / "dibao.yaml.bak"),
        "dibao.yaml.bak: not a parameter file",
    ),
    "tekun.txt in the defaults": (
        lambda r: (r / "defaults" / "tekun.txt").write_text("x", encoding="utf-8"),
        "tekun.txt: not a parameter file",
    ),
    "221.7 households": (
        lambda r: edit(r, CASELOAD, "{value: 221,", "{value: 221.7,"),
        "221.7 households is not a whole number",
    ),
    "0.5 persons": (
        lambda r: edit(r, CASELOAD, "{value: 269,", "{value: 268.5,"),
        "268.5 persons is not a whole number",
    ),
}


@pytest.mark.case("silent")
@pytest.mark.parametrize("spoil, fragment", SPOILT_PARAMS.values(), ids=SPOILT_PARAMS.keys())
def test_a_spoilt_parameter_folder_is_one_line(tree, spoil, fragment):
    params.load("420112", root=tree)  # loads before it is spoilt
    params.clear_cache()
    spoil(tree)
    with pytest.raises(CivsimError, match=fragment.replace(".", r"\.")):
        params.load("420112", root=tree)


@pytest.mark.case("silent")
def test_a_hidden_editor_file_is_not_a_parameter_file(tree):
    (tree / "420112-dongxihu" / ".dibao.yaml.swp").write_bytes(b"\x00binary")
    assert params.load("420112", root=tree).has("dibao.standard.urban")


AMBIGUOUS = {
    "the same name in two cities": ("朝阳区", [("110105", "朝阳区", "chaoyangbj"), ("220104", "朝阳区", "chaoyangcc")]),
    "the same pinyin": ("chaoyang", [("110105", "朝阳区", "chaoyang"), ("445103", "潮阳区", "chaoyang")]),
}


@pytest.mark.case("silent")
@pytest.mark.parametrize("key, rows", AMBIGUOUS.values(), ids=AMBIGUOUS.keys())
def test_an_ambiguous_name_is_refused_listing_the_candidates(monkeypatch, key, rows):
    table = {code: districts.District(code, name, pinyin, None, "district") for code, name, pinyin in rows}
    monkeypatch.setattr(districts, "load_districts", lambda *a: table)
    with pytest.raises(CivsimError) as info:
        districts.find(key)
    assert "names more than one jurisdiction" in str(info.value)
    assert all(code in str(info.value) for code, _, _ in rows)
    assert districts.find(rows[0][0]).code == rows[0][0]  # the code still finds it


EXCEL_CODES = {"as a number": "420112.0", "two zeros": "420112.00"}


@pytest.mark.case("silent")
@pytest.mark.parametrize("code", EXCEL_CODES.values(), ids=EXCEL_CODES.keys())
def test_a_code_excel_made_a_number_is_read(tmp_path, code):
    assert districts.find(code).code == "420112"
    folder = tmp_path / "reported"
    folder.mkdir()
    text = (ROOT / "data" / "reported" / "004_dongxihu_2020.csv").read_text(encoding="utf-8")
    (folder / "x.csv").write_text(text.replace("\n420112,", f"\n{code},"), encoding="utf-8")
    reported_figures.clear_cache()
    table = reported_figures.load(folder)
    assert set(table["jurisdiction"]) == {"420112"} and len(table) == text.count("\n420112,")
    csv = tmp_path / "districts.csv"
    csv.write_text(
        districts.DISTRICTS_CSV.read_text(encoding="utf-8")
        .replace("420112,", f"{code},")
        .replace(",420100,", ",420100.0,"),
        encoding="utf-8",
    )
    assert districts.load_districts(csv)["420112"].parent == "420100"
    districts.load_districts.cache_clear()


BAD_REPORTED = {
    "a code with decimals": (lambda t: t.replace("\n420112,", "\n420112.5,", 1), "bad code '420112.5'"),
    "a five-digit code": (lambda t: t.replace("\n420112,", "\n42011,", 1), "bad code '42011'"),
    "221.7 households": (
        lambda t: t.replace(",households,2020-10,221,", ",households,2020-10,221.7,", 1),
        "221.7 households is not a whole number",
    ),
}


@pytest.mark.case("silent")
@pytest.mark.parametrize("spoil, fragment", BAD_REPORTED.values(), ids=BAD_REPORTED.keys())
def test_bad_reported_figures_are_one_line(tmp_path, spoil, fragment):
    text = (ROOT / "data" / "reported" / "004_dongxihu_2020.csv").read_text(encoding="utf-8")
    spoilt = spoil(text)
    assert spoilt != text
    (tmp_path / "x.csv").write_text(spoilt, encoding="utf-8")
    with pytest.raises(CivsimError, match=fragment.replace(".", r"\.")):
        reported_figures.read(tmp_path / "x.csv")


COPIES = {"a 副本 copy": "004_dongxihu_2020 - 副本.csv", "a copy saved under another name": "dongxihu (2).csv"}


@pytest.mark.case("silent")
@pytest.mark.parametrize("name", COPIES.values(), ids=COPIES.keys())
def test_the_same_figures_in_two_files_are_refused(tmp_path, name):
    folder = tmp_path / "reported"
    shutil.copytree(ROOT / "data" / "reported", folder)
    shutil.copy(folder / "004_dongxihu_2020.csv", folder / name)
    reported_figures.clear_cache()
    with pytest.raises(CivsimError, match="is also in") as info:
        reported_figures.load(folder)
    assert "004_dongxihu_2020.csv" in str(info.value) and name in str(info.value)
    reported_figures.clear_cache()


def run(argv, capsys):
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr()


COMMANDS = {
    "params before any value": (
        ["params", "--district", "420112", "--date", "1990-01"],
        ["--date: 1990-01: before any value", "from 2000-01-01"],
    ),
    "a listed jurisdiction without a folder": (
        ["simulate", "--district", "350000", "--year", "2020"],
        ["no parameter folder for 福建省", "params/350000-fujian/"],
    ),
    "check a year simulate refuses": (
        ["check", "--district", "420112", "--year", "1990"],
        ["--year: 1990: outside the years"],
    ),
    "check 2099": (["check", "--district", "420112", "--year", "2099"], ["--year: 2099: outside the years"]),
    "compare a year simulate refuses": (
        ["compare", "--district", "420112", "--year", "1990", "--scenario", "dibao_plus5_july"],
        ["--year: 1990: outside the years"],
    ),
    "compare 2099": (
        ["compare", "--district", "420112", "--year", "2099", "--scenario", "dibao_plus5_july"],
        ["--year: 2099: outside the years"],
    ),
}


@pytest.mark.case("silent")
@pytest.mark.parametrize("argv, fragments", COMMANDS.values(), ids=COMMANDS.keys())
def test_an_empty_or_silent_answer_is_one_line(capsys, argv, fragments):
    code, out = run(argv, capsys)
    assert code == 2 and out.out == ""
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.mark.case("silent")
def test_a_roll_on_which_nobody_can_claim_is_one_line(tmp_path, capsys):
    from civsim import engine, roll_io

    roll = engine.Simulation(params.load("420112"), 2020, 1).roll
    roll.households["claim_draw"] = 1.0  # at or above every take-up: nobody claims
    roll_io.save(roll, tmp_path)
    code, out = run(["simulate", "--district", "420112", "--year", "2020", "--roll", str(tmp_path)], capsys)
    assert code == 2 and out.out == ""
    assert "no 低保 household on the roll claims in 2020" in out.err and len(out.err.strip().splitlines()) == 1
