"""Names and titles where they enter civsim — `district new`, a row of districts.csv, a scenario's,
plan's or summary's title — are NFKC-normalised and refused in one line when they hold a control,
format or invisible character: a terminal escape is never stored nor printed raw, a zero-width or
right-to-left character never makes a look-alike of a listed name, full-width digits are the code
they look like, and a form feed cannot reach a .docx."""

import pytest

from civsim import cli, district_new, districts, scenarios
from civsim.errors import CivsimError
from civsim.params import read_yaml
from civsim.report import documents
from conftest import district_place

HOSTILE = {
    "terminal escape": "\x1b[31m翔安区\x1b[0m",
    "clear screen": "翔安区\x1b[2J",
    "zero-width space": "东西\u200b湖区",
    "zero-width joiner": "东西湖\u200d区",
    "right-to-left override": "\u202e区湖西东",
    "right-to-left mark": "东西湖区\u200f",
    "byte order mark": "\ufeff东西湖区",
    "form feed": "翔安\x0c区",
    "nul": "翔安\x00区",
    "bell": "翔安区\x07",
    "line separator": "翔安\u2028区",
    "private use": "翔安\ue000区",
    "hangul filler": "翔安\u3164区",
}


@pytest.fixture
def place(tmp_path):
    """A copy of districts.csv and an empty params folder holding only 厦门市's own dibao.yaml."""
    yield district_place(tmp_path, tmp_path / "districts.csv")
    districts.load_districts.cache_clear()


@pytest.mark.case("names")
@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_district_new_refuses_a_hostile_name_and_writes_nothing(place, name):
    csv, root = place
    before = csv.read_bytes()
    with pytest.raises(CivsimError, match=r"holds U\+[0-9A-F]{4}"):
        district_new.new("350206", name, "350200", "huli", csv=csv, root=root)
    assert csv.read_bytes() == before and sorted(p.name for p in root.iterdir()) == ["350200-xiamen"]


@pytest.mark.case("names")
@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_name_in_districts_csv_is_refused_naming_the_row(place, name):
    csv, _ = place
    csv.write_text(csv.read_text(encoding="utf-8") + f"350206,{name},huli,350200,district\n", encoding="utf-8")
    with pytest.raises(CivsimError, match=r"row 10, column name: the name holds U\+"):
        districts.load_districts(csv)


@pytest.mark.case("names")
def test_full_width_digits_are_the_code_they_look_like(place):
    csv, root = place
    row, folder = district_new.new("３５０２０６", "湖里区", "３５０２００", "ｈｕｌｉ", csv=csv, root=root)
    assert (row.code, row.parent, row.pinyin, folder.name) == ("350206", "350200", "huli", "350206-huli")
    assert csv.read_text(encoding="utf-8").endswith("350206,湖里区,huli,350200,district\n")


@pytest.mark.case("names")
@pytest.mark.parametrize("code", ["٣٥٠٢٠٦", "३५०२०६", "３５０２０"], ids=["arabic-indic", "devanagari", "five"])
def test_digits_that_are_not_0_to_9_are_not_a_code(place, code):
    csv, root = place
    with pytest.raises(CivsimError, match="bad code"):
        district_new.new(code, "湖里区", "350200", "huli", csv=csv, root=root)


@pytest.mark.case("names")
def test_a_look_alike_after_normalising_is_the_listed_name(place):
    csv, root = place
    with pytest.raises(CivsimError, match="name already listed"):
        district_new.new("350206", "东西湖区\u3000", "350200", "huli", csv=csv, root=root)  # ideographic space


@pytest.mark.case("names")
@pytest.mark.parametrize("name", list(HOSTILE.values())[:4], ids=list(HOSTILE)[:4])
def test_the_command_line_never_prints_an_escape_raw(capsys, name):
    code = cli.main(["simulate", "--district", name, "--year", "2020"])
    err = capsys.readouterr().err
    assert code == 2 and "\x1b" not in err and "\u200b" not in err and "\u202e" not in err
    assert len(err.strip().splitlines()) == 1 and "U+" in err


TITLED = {
    "scenario": lambda tmp, title: scenarios.parse(
        {
            "name": "x",
            "title": title,
            "changes": [{"path": "dibao.standard.urban", "from": "2021-07-01", "percent": 5}],
        },
        tmp / "x.yaml",
    ),
    "plan": lambda tmp, title: documents.parse_plan(
        {**read_yaml(documents.PLANS / "420112-2021.yaml"), "title": title}, tmp / "420112-2021.yaml", "420112", 2021
    ),
    "plan heading": lambda tmp, title: documents.parse_plan(
        _with_heading(read_yaml(documents.PLANS / "420112-2021.yaml"), title), tmp / "420112-2021.yaml", "420112", 2021
    ),
    "summary": lambda tmp, title: documents.parse_summary(
        {**read_yaml(documents.SUMMARIES / "420112-2020.yaml"), "title": title},
        tmp / "420112-2020.yaml",
        "420112",
        2020,
    ),
}


def _with_heading(raw, title):
    raw["sections"][0]["heading"] = title
    return raw


@pytest.mark.case("names")
@pytest.mark.parametrize("where", TITLED, ids=TITLED.keys())
@pytest.mark.parametrize("char", ["\x0c", "\x1b[1m", "\u202e", "\u200b"], ids=["form feed", "escape", "rtl", "zwsp"])
def test_a_title_with_a_control_or_format_character_is_refused(tmp_path, where, char):
    with pytest.raises(CivsimError, match=r"title holds U\+"):
        TITLED[where](tmp_path, f"城乡低保{char}标准")


@pytest.mark.case("names")
@pytest.mark.parametrize("where", TITLED, ids=TITLED.keys())
def test_a_full_width_title_is_normalised(tmp_path, where):
    made = TITLED[where](tmp_path, "ＡＢＣ低保标准２０２１（调整，５％）")
    title = made.title if where != "plan heading" else made.sections[0].heading
    assert title == "ABC低保标准2021（调整，5％）"  # letters and digits folded, Chinese punctuation kept
